import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { dbKind, testDb, type TestDatabase } from '../../../test/helpers.js';
import { inTransaction, migrateToLatest, openDatabase, type DbHandle } from './index.js';
import { migrations } from './migrations.js';
import { isPostgres } from './dialect.js';

// The tables and columns schema.ts promises, read from its source so that a table added there
// without a migration (or the reverse) fails here.
function declaredSchema(): Map<string, string[]> {
  const source = readFileSync(new URL('./schema.ts', import.meta.url), 'utf8');
  const body = (name: string) => {
    const m = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(source);
    assert.ok(m, `schema.ts declares interface ${name}`);
    return m[1]!;
  };
  const fieldsOf = (text: string) => [...text.matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]!);
  const tables = new Map<string, string[]>();
  for (const line of body('Database').split('\n')) {
    const m = /^\s+(\w+): (\w+);/.exec(line);
    if (m) tables.set(m[1]!, fieldsOf(body(m[2]!)));
  }
  return tables;
}

let tdb: TestDatabase;
let handle: DbHandle;
let applied: string[];

before(async () => {
  tdb = await testDb();
  handle = openDatabase(tdb.config);
  applied = await migrateToLatest(handle.db);
});
after(async () => {
  await handle.close();
  await tdb.drop();
});

async function userTables(): Promise<Map<string, string[]>> {
  const meta = await handle.db.introspection.getTables();
  return new Map(meta.map((t) => [t.name, t.columns.map((c) => c.name)]));
}

test('the handle talks to the engine it was opened for', () => {
  assert.equal(handle.dialect, dbKind);
  assert.equal(isPostgres(handle.db), dbKind === 'postgres');
});

test('migrating a fresh database applies every migration and creates every table of schema.ts with its columns', async () => {
  assert.deepEqual(applied, Object.keys(migrations));
  const declared = declaredSchema();
  assert.ok(declared.size >= 10, 'schema.ts was read');
  const actual = await userTables();
  for (const [table, columns] of declared) {
    assert.ok(actual.has(table), `table ${table} exists`);
    assert.deepEqual([...actual.get(table)!].sort(), [...columns].sort(), `columns of ${table}`);
  }
  // And nothing the types do not know about (besides Kysely's own bookkeeping).
  const extra = [...actual.keys()].filter((t) => !declared.has(t) && !t.startsWith('kysely_'));
  assert.deepEqual(extra, []);
});

test('migrating again is a no-op', async () => {
  const before = await userTables();
  assert.deepEqual(await migrateToLatest(handle.db), []);
  assert.deepEqual(await userTables(), before);
  const done = await handle.db.selectFrom('kysely_migration' as never).select(sql<string>`name`.as('name')).execute();
  assert.deepEqual(done.map((r) => r.name).sort(), Object.keys(migrations).sort());
});

test('a second process migrating the same database finds nothing to do', async () => {
  const other = openDatabase(tdb.config);
  try {
    assert.deepEqual(await migrateToLatest(other.db), []);
  } finally {
    await other.close();
  }
});

test('bigint columns (epoch ms, counters) come back as JS numbers', async () => {
  const far = Date.parse('2199-12-31T23:59:59.999Z'); // beyond 2^32 and 2^41
  await handle.db.insertInto('orgs').values({ id: 'o-time', code: 'time', kind: 'municipality', parent_id: null, name_fa: 'آزمون', name_en: 'Test', is_reference: 0, lat: 36.5655, lng: 53.0586, population: 504_000, created_at: far }).execute();
  await handle.db.insertInto('counters').values({ org_id: 'o-time', name: 'tracking', value: Number.MAX_SAFE_INTEGER }).execute();
  const org = await handle.db.selectFrom('orgs').selectAll().where('id', '=', 'o-time').executeTakeFirstOrThrow();
  assert.equal(typeof org.created_at, 'number');
  assert.equal(org.created_at, far);
  assert.equal(new Date(org.created_at).toISOString(), '2199-12-31T23:59:59.999Z');
  assert.equal(org.lat, 36.5655);
  assert.equal(org.population, 504_000);
  const counter = await handle.db.selectFrom('counters').select('value').where('org_id', '=', 'o-time').executeTakeFirstOrThrow();
  assert.equal(counter.value, Number.MAX_SAFE_INTEGER);
});

test('count(*) and sum() of bigints come back as numbers, so arithmetic on them is right', async () => {
  const row = await handle.db.selectFrom('counters')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('value').as('total')])
    .executeTakeFirstOrThrow();
  assert.equal(typeof row.n, 'number');
  assert.equal(Number(row.n) + 1, 2);
  assert.equal(Number(row.total), Number.MAX_SAFE_INTEGER);
  // An explicit sum of numerics, too (PostgreSQL returns numeric for sum(bigint)).
  assert.equal(typeof row.total, 'number');
});

test('inTransaction commits everything together or nothing at all', async () => {
  const row = (id: string) => ({ id, code: id, kind: 'municipality' as const, parent_id: null, name_fa: id, name_en: id, is_reference: 0 as const, lat: null, lng: null, population: null, created_at: 1 });
  await assert.rejects(inTransaction(handle.db, async (tx) => {
    await tx.insertInto('orgs').values(row('tx-a')).execute();
    await tx.insertInto('orgs').values(row('tx-a')).execute(); // duplicate key: the whole transaction fails
  }));
  assert.equal(await handle.db.selectFrom('orgs').select('id').where('id', '=', 'tx-a').executeTakeFirst(), undefined);
  await inTransaction(handle.db, async (tx) => {
    await tx.insertInto('orgs').values(row('tx-b')).execute();
    await tx.insertInto('orgs').values(row('tx-c')).execute();
  });
  const ids = await handle.db.selectFrom('orgs').select('id').where('id', 'in', ['tx-b', 'tx-c']).execute();
  assert.equal(ids.length, 2);
});

test('foreign keys are enforced on both engines', async () => {
  await assert.rejects(handle.db.insertInto('memberships').values({ id: 'm1', staff_id: 'nobody', org_id: 'nowhere', role: 'clerk', created_at: 1 }).execute());
});
