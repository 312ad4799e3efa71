import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dbKind, migratedDb } from '../../../test/helpers.js';
import { inTransaction, openDatabase } from '../db/index.js';
import type { Actor } from '../core/index.js';
import { appendAudit, verifyAudit } from './index.js';

const GENESIS = '0'.repeat(64);
const T0 = Date.parse('2026-11-28T09:00:00Z');
const clerk: Actor = { kind: 'staff', id: 'staff-1', memberships: [], ip: '10.0.0.7' };
const citizen: Actor = { kind: 'citizen', id: 'citizen-1', ip: '5.6.7.8' };

let handle: Awaited<ReturnType<typeof migratedDb>>;

before(async () => {
  handle = await migratedDb();
});
after(async () => {
  await handle.drop();
});
// Every test starts from an empty log.
beforeEach(async () => {
  await handle.db.deleteFrom('audit_log').execute();
});

/** Appends n entries (seq 1..n) from varied actors, each with its own data. */
async function appendMany(n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await appendAudit(handle.db, i % 2 ? clerk : citizen, { orgId: `org-${i % 3}`, action: `thing.step_${i}`, entity: 'application', entityId: `app-${i}`, data: { i, note: `یادداشت ${i}` } }, T0 + i * 1000);
  }
}

const rows = () => handle.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();

test('appending links each entry to the one before it, starting from the genesis hash', async () => {
  await appendAudit(handle.db, clerk, { orgId: 'org-sari', action: 'application.accepted', entity: 'application', entityId: 'app-1', data: { from: 'submitted', to: 'inspection' } }, T0);
  await appendAudit(handle.db, citizen, { action: 'citizen.signed_in', entity: 'citizen', entityId: 'citizen-1' }, T0 + 1);
  await appendAudit(handle.db, { kind: 'anonymous', id: null }, { action: 'otp.requested', entity: 'otp' }, T0 + 2);

  const log = await rows();
  assert.deepEqual(log.map((r) => r.seq), [1, 2, 3]);
  assert.equal(log[0]!.prev_hash, GENESIS);
  assert.equal(log[1]!.prev_hash, log[0]!.hash);
  assert.equal(log[2]!.prev_hash, log[1]!.hash);
  for (const r of log) assert.match(r.hash, /^[0-9a-f]{64}$/);
  assert.equal(new Set(log.map((r) => r.hash)).size, 3);

  // What an auditor reads back: who, what, on which row, when, from where.
  assert.deepEqual(
    { ...log[0]!, hash: undefined, prev_hash: undefined },
    { seq: 1, org_id: 'org-sari', actor_kind: 'staff', actor_id: 'staff-1', action: 'application.accepted', entity: 'application', entity_id: 'app-1', data: '{"from":"submitted","to":"inspection"}', ip: '10.0.0.7', created_at: T0, hash: undefined, prev_hash: undefined },
  );
  assert.equal(log[1]!.org_id, null);
  assert.equal(log[1]!.data, '{}');
  // Anonymous actions are recorded as the system's.
  assert.equal(log[2]!.actor_kind, 'system');
  assert.equal(log[2]!.actor_id, null);
  assert.equal(log[2]!.ip, null);
});

test('verifyAudit accepts an empty log and an intact chain, across batch boundaries', async () => {
  assert.deepEqual(await verifyAudit(handle.db), { ok: true, checked: 0 });
  await appendMany(7);
  assert.deepEqual(await verifyAudit(handle.db), { ok: true, checked: 7 });
  assert.deepEqual(await verifyAudit(handle.db, 2), { ok: true, checked: 7 });
  assert.deepEqual(await verifyAudit(handle.db, 1), { ok: true, checked: 7 });
});

// Every column an entry's meaning rests on, with a plausible forged value.
const forgeries: [column: string, value: unknown][] = [
  ['org_id', 'org-babol'],
  ['actor_kind', 'system'],
  ['actor_id', 'staff-2'],
  ['action', 'thing.nothing_happened'],
  ['entity', 'citizen'],
  ['entity_id', 'app-999'],
  ['data', '{"i":3,"note":"جعلی"}'],
  ['ip', '127.0.0.1'],
  ['created_at', T0 + 3000 + 1],
  ['hash', 'f'.repeat(64)],
];

for (const [column, value] of forgeries) {
  test(`editing ${column} of a middle entry is detected as edited at that seq`, async () => {
    await appendMany(5);
    const original = (await rows())[2]!;
    await sql`update audit_log set ${sql.ref(column)} = ${value} where seq = 3`.execute(handle.db);

    assert.deepEqual(await verifyAudit(handle.db), { ok: false, checked: 2, problem: { seq: 3, reason: 'edited' } });
    assert.deepEqual(await verifyAudit(handle.db, 2), { ok: false, checked: 2, problem: { seq: 3, reason: 'edited' } });

    // Putting the original value back makes the chain whole again.
    await sql`update audit_log set ${sql.ref(column)} = ${(original as unknown as Record<string, unknown>)[column]} where seq = 3`.execute(handle.db);
    assert.deepEqual(await verifyAudit(handle.db), { ok: true, checked: 5 });
  });
}

test('editing the link (prev_hash) of a middle entry is detected at that seq', async () => {
  await appendMany(5);
  await sql`update audit_log set prev_hash = ${'a'.repeat(64)} where seq = 3`.execute(handle.db);
  const r = await verifyAudit(handle.db);
  assert.equal(r.ok, false);
  assert.equal(r.problem?.seq, 3);
  assert.equal(r.checked, 2);
});

test('an entry edited and given a matching new hash is still caught: the next entry no longer links to it', async () => {
  await appendMany(5);
  // Rebuild entry 3 through the real append code on a scratch copy of the log, so that its
  // hash is exactly what appendAudit would compute for the forged content.
  const log = await rows();
  await handle.db.deleteFrom('audit_log').where('seq', '>=', 3).execute();
  await appendAudit(handle.db, { kind: 'staff', id: 'staff-forger', memberships: [], ip: '10.0.0.7' }, { orgId: 'org-0', action: 'thing.step_3', entity: 'application', entityId: 'app-3', data: { i: 3, note: 'یادداشت 3' } }, T0 + 3000);
  for (const r of log.slice(3)) await handle.db.insertInto('audit_log').values(r).execute();

  assert.deepEqual(await verifyAudit(handle.db), { ok: false, checked: 3, problem: { seq: 4, reason: 'reordered' } });
});

test('deleting a middle entry is detected at the entry after the gap', async () => {
  await appendMany(5);
  await handle.db.deleteFrom('audit_log').where('seq', '=', 3).execute();
  assert.deepEqual(await verifyAudit(handle.db), { ok: false, checked: 2, problem: { seq: 4, reason: 'missing_before' } });
});

test('deleting the first entry is detected', async () => {
  await appendMany(3);
  await handle.db.deleteFrom('audit_log').where('seq', '=', 1).execute();
  assert.deepEqual(await verifyAudit(handle.db), { ok: false, checked: 0, problem: { seq: 2, reason: 'missing_before' } });
});

test('deleting a middle entry and renumbering the rest to close the gap is detected', async () => {
  await appendMany(5);
  await handle.db.deleteFrom('audit_log').where('seq', '=', 3).execute();
  await handle.db.updateTable('audit_log').set({ seq: 3 }).where('seq', '=', 4).execute();
  await handle.db.updateTable('audit_log').set({ seq: 4 }).where('seq', '=', 5).execute();
  const r = await verifyAudit(handle.db);
  assert.equal(r.ok, false);
  assert.equal(r.problem?.seq, 3);
  assert.equal(r.checked, 2);
});

test('swapping two entries is detected', async () => {
  await appendMany(4);
  await handle.db.updateTable('audit_log').set({ seq: 100 }).where('seq', '=', 2).execute();
  await handle.db.updateTable('audit_log').set({ seq: 2 }).where('seq', '=', 3).execute();
  await handle.db.updateTable('audit_log').set({ seq: 3 }).where('seq', '=', 100).execute();
  const r = await verifyAudit(handle.db);
  assert.equal(r.ok, false);
  assert.equal(r.problem?.seq, 2);
});

test('an entry written in a transaction that rolls back leaves no entry, and the chain continues without a gap', async () => {
  await appendMany(2);
  await assert.rejects(inTransaction(handle.db, async (tx) => {
    await appendAudit(tx, clerk, { action: 'application.accepted', entity: 'application', entityId: 'app-x' }, T0);
    throw new Error('the change failed after its audit entry was written');
  }), /the change failed/);
  assert.equal((await rows()).length, 2);
  assert.equal((await rows()).some((r) => r.entity_id === 'app-x'), false);

  await inTransaction(handle.db, (tx) => appendAudit(tx, clerk, { action: 'application.accepted', entity: 'application', entityId: 'app-y' }, T0));
  const log = await rows();
  assert.deepEqual(log.map((r) => r.seq), [1, 2, 3]);
  assert.equal(log[2]!.entity_id, 'app-y');
  assert.deepEqual(await verifyAudit(handle.db), { ok: true, checked: 3 });
});

test('20 concurrent transactions on separate connections append an intact chain with consecutive seqs', { skip: dbKind !== 'postgres' && 'needs PostgreSQL (SQLite has a single writer)' }, async () => {
  await appendMany(3);
  const pool = openDatabase({ ...(handle.config as { kind: 'postgres'; url: string }), max: 20 });
  try {
    // All 20 transactions hold their own connection at once: each starts, writes something of
    // its own, waits for the others to get that far, then appends its audit entry.
    let arrived = 0;
    let release!: () => void;
    const allThere = new Promise<void>((resolve) => { release = resolve; });
    await Promise.all(Array.from({ length: 20 }, (_, i) => inTransaction(pool.db, async (tx) => {
      await sql`select 1`.execute(tx);
      if (++arrived === 20) release();
      await allThere;
      await appendAudit(tx, clerk, { orgId: 'org-sari', action: 'application.accepted', entity: 'application', entityId: `par-${i}` }, T0 + i);
    })));
  } finally {
    await pool.close();
  }
  const log = await rows();
  assert.deepEqual(log.map((r) => r.seq), Array.from({ length: 23 }, (_, i) => i + 1));
  assert.equal(new Set(log.filter((r) => r.entity_id?.startsWith('par-')).map((r) => r.entity_id)).size, 20);
  for (let i = 1; i < log.length; i++) assert.equal(log[i]!.prev_hash, log[i - 1]!.hash, `entry ${i + 1} links to ${i}`);
  assert.deepEqual(await verifyAudit(handle.db), { ok: true, checked: 23 });
});

test('entries appended concurrently without a surrounding transaction still form one intact chain', { skip: dbKind !== 'postgres' && 'needs PostgreSQL (SQLite has a single writer)' }, async () => {
  const pool = openDatabase({ ...(handle.config as { kind: 'postgres'; url: string }), max: 20 });
  try {
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      appendAudit(pool.db, citizen, { action: 'citizen.signed_in', entity: 'citizen', entityId: `c-${i}` }, T0 + i)));
  } finally {
    await pool.close();
  }
  const log = await rows();
  assert.deepEqual(log.map((r) => r.seq), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(await verifyAudit(handle.db), { ok: true, checked: 20 });
});

test('in a transaction the chain is appended at its end: the entries keep their order, and the chain lock is not held while the rest of the work runs', { timeout: 30_000, skip: dbKind !== 'postgres' && 'needs PostgreSQL (SQLite has a single writer)' }, async () => {
  await appendMany(2);
  const pool = openDatabase({ ...(handle.config as { kind: 'postgres'; url: string }), max: 4 });
  try {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let appended!: () => void;
    const firstAppended = new Promise<void>((resolve) => { appended = resolve; });
    // The first transaction appends two entries, then goes on working (waits) before it commits.
    const slow = inTransaction(pool.db, async (tx) => {
      await appendAudit(tx, clerk, { orgId: 'org-sari', action: 'application.submitted', entity: 'application', entityId: 'slow-1' }, T0 + 10);
      await appendAudit(tx, clerk, { orgId: 'org-sari', action: 'application.accepted', entity: 'application', entityId: 'slow-2' }, T0 + 11);
      appended();
      await held;
    });
    await firstAppended;
    // Meanwhile another transaction appends and commits: with the lock taken at the append
    // (as before), it would wait for the first to commit, and this would never resolve.
    await inTransaction(pool.db, (tx) => appendAudit(tx, citizen, { action: 'citizen.signed_in', entity: 'citizen', entityId: 'quick' }, T0 + 20));
    release();
    await slow;
  } finally {
    await pool.close();
  }
  const log = await rows();
  assert.deepEqual(log.map((r) => r.entity_id), ['app-1', 'app-2', 'quick', 'slow-1', 'slow-2']);
  assert.deepEqual(await verifyAudit(handle.db), { ok: true, checked: 5 });
});

test('a transaction that fails after appending leaves no entry', async () => {
  await appendMany(1);
  await assert.rejects(inTransaction(handle.db, async (tx) => {
    await appendAudit(tx, clerk, { action: 'application.submitted', entity: 'application', entityId: 'gone' }, T0);
    throw new Error('later step failed');
  }), /later step failed/);
  const log = await rows();
  assert.deepEqual(log.map((r) => r.entity_id), ['app-1']);
});
