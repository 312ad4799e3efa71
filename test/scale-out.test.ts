// Several app processes on one database (WORKERS=N, or N units behind nginx): concurrent starts
// migrate safely, and every background job that runs in each process does its effect once when
// two instances run at the same moment. On PostgreSQL each instance has its own connection pool,
// as a second process would; SQLite serves one process (WORKERS > 1 is refused), so there the
// instances share the one connection and the test checks the same effects.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dbKind, makeOrg, makeTestApp, signInCitizen, testDb, type TestApp } from './helpers.js';
import { loadConfig, ConfigError } from '../src/config.js';
import { migrateToLatest, openDatabase, type DB } from '../src/platform/db/index.js';
import { migrationProvider } from '../src/platform/db/migrations.js';
import { newId } from '../src/platform/core/index.js';
import { ReportEscalationScanner } from '../src/modules/grievances/service.js';
import { OverdueResolutionScanner, OVERDUE_TOPIC } from '../src/modules/council/service.js';
import { seedCouncil } from '../src/modules/council/seed.js';
import { NewsScheduler } from '../src/modules/news/service.js';
import { RollupWorker } from '../src/modules/transparency/rollup.js';
import { makeMunicipalities, north, PLACES } from '../src/modules/grievances/test-factories.js';

const DAY = 86_400_000;
let t: TestApp;
let other: { db: DB; close(): Promise<void> };

before(async () => {
  t = await makeTestApp();
  // The second "process": its own pool on PostgreSQL.
  other = dbKind === 'postgres' ? openDatabase(t.deps.config.database) : { db: t.deps.db, close: async () => undefined };
});
after(async () => {
  await other.close();
  await t.close();
});

const count = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
const audits = (action: string) => count(t.deps.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', action).executeTakeFirstOrThrow());

test('WORKERS > 1 is refused on SQLite, with the variable named; accepted on PostgreSQL', () => {
  assert.throws(() => loadConfig({ WORKERS: '4' }), (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith('WORKERS:') && p.includes('PostgreSQL')));
  assert.equal(loadConfig({ WORKERS: '4', DATABASE_URL: 'postgres://u@h:5432/d' }).workers, 4);
  assert.equal(loadConfig({}).workers, 1);
  assert.throws(() => loadConfig({ WORKERS: '0', DATABASE_URL: 'postgres://u@h:5432/d' }), ConfigError);
});

test('processes starting together on a fresh database: every migration is applied exactly once, and all of them start', async () => {
  const fresh = await testDb();
  const handles = Array.from({ length: dbKind === 'postgres' ? 4 : 2 }, () => openDatabase(fresh.config));
  try {
    const all = Object.keys(await migrationProvider.getMigrations()).sort();
    // PostgreSQL: truly at once (the migrator's advisory lock lets one work, the others find it done).
    // SQLite: one after the other (one process; better-sqlite3 would block its own event loop).
    const applied = dbKind === 'postgres'
      ? await Promise.all(handles.map((h) => migrateToLatest(h.db)))
      : [await migrateToLatest(handles[0]!.db), await migrateToLatest(handles[1]!.db)];
    assert.deepEqual(applied.flat().sort(), all, 'each migration applied by exactly one of them');
    const rows = await handles[0]!.db.selectFrom(sql.table('kysely_migration').as('m') as never).select(sql<string>`name`.as('name')).execute() as { name: string }[];
    assert.deepEqual(rows.map((r) => r.name).sort(), all);
    assert.ok(await handles[1]!.db.selectFrom('orgs').select('id').execute(), 'the schema is there for everyone');
  } finally {
    for (const h of handles) await h.close();
    await fresh.drop();
  }
});

test('city problem reports past their deadline: two escalation scanners at once escalate each report once', async () => {
  await makeMunicipalities(t, ['babol', 'sari']);
  const token = await signInCitizen(t, '09351112299');
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': `10.9.0.${i}` }, payload: { category: 'flooding', description: 'آب‌گرفتگی کوچه', ...north(PLACES.babol, 200 + i * 150), attributes: {} } });
    assert.equal(res.statusCode, 201, res.body);
    ids.push((await t.deps.db.selectFrom('reports').select('id').where('tracking_code', '=', res.json().tracking_code).executeTakeFirstOrThrow()).id);
  }
  t.clock.advance(6 * DAY);
  const a = new ReportEscalationScanner({ db: t.deps.db, clock: t.clock, batchSize: 3 });
  const b = new ReportEscalationScanner({ db: other.db, clock: t.clock, batchSize: 3 });
  const [na, nb] = await Promise.all([a.scanOnce(), b.scanOnce()]);
  assert.equal(na + nb, ids.length, `first ${na}, second ${nb}`);
  assert.equal((await Promise.all([a.scanOnce(), b.scanOnce()])).reduce((x, y) => x + y, 0), 0);
  const per = await t.deps.db.selectFrom('report_updates').select(['report_id', (eb) => eb.fn.countAll<number>().as('n')]).where('kind', '=', 'escalation').where('report_id', 'in', ids).groupBy('report_id').execute();
  assert.equal(per.length, ids.length);
  assert.ok(per.every((r) => Number(r.n) === 1), JSON.stringify(per));
  assert.equal(await audits('report.escalated'), ids.length);
});

test('overdue council resolutions: two scanners at once notify each deadline once', async () => {
  const mazandaran = await makeOrg(t, 'mazandaran', 'province');
  const sari = (await t.deps.db.selectFrom('orgs').select('id').where('code', '=', 'sari').executeTakeFirstOrThrow()).id;
  await t.deps.db.updateTable('orgs').set({ parent_id: mazandaran }).where('code', 'in', ['sari', 'babol']).execute();
  await makeOrg(t, 'sari-ict', 'ict', sari);
  await seedCouncil(t.deps.db, t.clock.now());
  const a = new OverdueResolutionScanner({ db: t.deps.db, clock: t.clock });
  const b = new OverdueResolutionScanner({ db: other.db, clock: t.clock });
  const [na, nb] = await Promise.all([a.scanOnce(), b.scanOnce()]);
  assert.ok(na + nb > 0, 'the seed has overdue resolutions');
  assert.equal((await Promise.all([a.scanOnce(), b.scanOnce()])).reduce((x, y) => x + y, 0), 0);
  const messages = await t.deps.db.selectFrom('outbox').select('dedupe_key').where('topic', '=', OVERDUE_TOPIC).execute();
  assert.equal(messages.length, na + nb);
  assert.equal(new Set(messages.map((m) => m.dedupe_key)).size, messages.length);
  assert.equal(await audits('council.resolution_overdue'), na + nb);
});

test('scheduled news: two schedulers at once publish each article once', async () => {
  const org = (await t.deps.db.selectFrom('orgs').select('id').where('code', '=', 'sari').executeTakeFirstOrThrow()).id;
  const now = t.clock.now();
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const id = newId();
    ids.push(id);
    await t.deps.db.insertInto('news_articles').values({
      id, org_id: org, code: 9000 + i, lang: 'fa', title: `خبر ${i}`, lead: '', body_format: 'markdown', body_source: 'متن', body_html: '<p>متن</p>', tags: '[]',
      state: 'scheduled', publish_at: now - 1000, published_at: null, corrected_at: null, search_text: 'خبر', created_by: null, updated_by: null, created_at: now - DAY, updated_at: now - DAY,
    }).execute();
  }
  const a = new NewsScheduler({ db: t.deps.db, clock: t.clock });
  const b = new NewsScheduler({ db: other.db, clock: t.clock });
  const [na, nb] = await Promise.all([a.runOnce(), b.runOnce()]);
  assert.equal(na + nb, ids.length, `first ${na}, second ${nb}`);
  const published = await t.deps.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'news.published').where('entity_id', 'in', ids).execute();
  assert.equal(published.length, ids.length);
  assert.equal(new Set(published.map((p) => p.entity_id)).size, ids.length);
});

test('transparency rollups: two workers at once count every report once', async () => {
  const reports = await count(t.deps.db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow());
  assert.ok(reports > 0);
  const opts = { calendar: t.deps.calendar, clock: t.clock, dialect: t.deps.dialect, batchSize: 2, settleMs: 0 };
  const a = new RollupWorker({ db: t.deps.db, ...opts });
  const b = new RollupWorker({ db: other.db, ...opts });
  const [ca, cb] = await Promise.all([a.runOnce(), b.runOnce()]);
  assert.equal(ca.reports + cb.reports, reports, `first ${ca.reports}, second ${cb.reports}`);
  const counted = await t.deps.db.selectFrom('kpi_daily').select((eb) => eb.fn.sum<number>('reports_received').as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(counted.n), reports);
});
