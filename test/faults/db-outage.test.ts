// The database goes away and comes back while the app runs. PostgreSQL: a TCP proxy between the
// app and the server is cut (connections refused, open ones dropped) and restored. SQLite: another
// writer holds the database file's write lock beyond busy_timeout (SQLITE_BUSY).
// While unavailable: pages and the API answer 503 with a localized message and Retry-After (no
// stack trace, never 500); /healthz 200, /readyz 503; the background jobs report and keep going.
// Afterwards the same process recovers by itself and nothing was half-written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { toAppError } from '../../src/platform/http/error-handler.js';
import { dbKind, makeOrg, testDb, type TestApp, type TestDatabase } from '../helpers.js';
import { adoptDefinition, shippedDefinition } from '../../src/modules/applications/test-factories.js';
import { CuttableProxy } from './db-outage-proxy.js';
import { appOn, citizenToken, permitDraft, submit } from './backup-support.js';

let db: TestDatabase;
let t: TestApp;
let dataDir: string;
let proxy: CuttableProxy | null = null;
let token: string;

before(async () => {
  db = await testDb();
  dataDir = mkdtempSync(join(tmpdir(), 'pishkhan-outage-'));
  let url: string;
  if (db.config.kind === 'postgres') {
    const target = new URL(db.config.url);
    proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
    target.port = String(await proxy.start());
    url = target.toString();
  } else {
    url = `sqlite:${db.config.file}`;
  }
  t = await appOn({ DATABASE_URL: url, DATA_DIR: dataDir });
  const sari = await makeOrg(t, 'sari');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: shippedDefinition('building-permit') });
  token = await citizenToken(t, '09121239001');
});
after(async () => {
  await proxy?.restore();
  await t?.close();
  await db?.drop();
  // The proxy's listening socket would keep this file's process alive after its tests.
  await proxy?.cut();
  rmSync(dataDir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${token}` });

/** A 503 that says so in the reader's language, with Retry-After and no internals. */
function assertUnavailable(res: { statusCode: number; headers: Record<string, unknown>; body: string }, kind: 'json' | 'html', lang: 'fa' | 'en') {
  assert.equal(res.statusCode, 503, res.body.slice(0, 300));
  assert.ok(Number(res.headers['retry-after']) > 0, 'Retry-After');
  assert.doesNotMatch(res.body, /\bat .*\.(ts|js):\d+|ECONNREFUSED|Connection terminated|SQLITE_BUSY|stack/i);
  const message = lang === 'fa' ? 'سامانه موقتاً در دسترس نیست' : 'temporarily unavailable';
  if (kind === 'json') {
    assert.match(String(res.headers['content-type']), /json/);
    const body = JSON.parse(res.body) as { error: { code: string; message: string; request_id: string } };
    assert.equal(body.error.code, 'common.unavailable');
    assert.ok(body.error.message.includes(message), body.error.message);
    assert.ok(body.error.request_id);
  } else {
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.ok(res.body.includes(message), res.body.slice(0, 500));
  }
}

test('PostgreSQL goes away: 503 everywhere with a clear message, readyz follows, the jobs keep going; it recovers by itself', { skip: dbKind !== 'postgres' }, async () => {
  const id = await permitDraft(t, token);
  const before = await t.deps.db.selectFrom('applications').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);

  // The background jobs run while the database is away: each failure is reported and they carry on.
  const failures: unknown[] = [];
  let failed!: () => void;
  const aJobFailed = new Promise<void>((resolve) => { failed = resolve; });
  const onError = (err: unknown) => { failures.push(err); failed(); };
  let workerFailed!: () => void;
  const workerReported = new Promise<void>((resolve) => { workerFailed = resolve; });
  t.deps.worker.start(() => workerFailed());

  // Nothing may escape as an uncaught exception (a pg client losing its connection mid-query emits 'error').
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  // A query in flight when the connection drops fails with "Connection terminated": also a 503.
  const inFlight = sql`select pg_sleep(5)`.execute(t.deps.db).then(() => null, (err: unknown) => err);
  const direct = new pg.Client({ connectionString: (db.config as { url: string }).url });
  await direct.connect();
  while (!(await direct.query(`select 1 from pg_stat_activity where query like 'select pg_sleep(5)%'`)).rowCount) { /* until the server runs it */ }
  await direct.end();
  await proxy!.cut();
  const dropped = await inFlight;
  assert.match(String((dropped as Error)?.message), /Connection terminated/);
  assert.equal(toAppError(dropped)?.status, 503, String(dropped));
  process.off('uncaughtException', onUncaught);
  assert.deepEqual(uncaught.map(String), []);
  t.deps.escalations.start(onError);
  t.deps.reconciler.start(onError);
  // The jobs' timers do not hold the process open; this does while we wait for them to report.
  const keepAlive = setInterval(() => undefined, 1000);
  await aJobFailed;
  await workerReported;
  clearInterval(keepAlive);
  // The outbox worker backs off while its passes fail.
  assert.ok(t.deps.worker.failedPasses >= 1);

  assertUnavailable(await t.app.inject({ method: 'GET', url: '/api/v1/my/applications', headers: auth() }), 'json', 'fa');
  assertUnavailable(await t.app.inject({ method: 'GET', url: '/api/v1/my/applications', headers: { ...auth(), 'accept-language': 'en' } }), 'json', 'en');
  assertUnavailable(await t.app.inject({ method: 'GET', url: '/applications', headers: { cookie: `pk_session=${token}` } }), 'html', 'fa');
  assertUnavailable(await t.app.inject({ method: 'GET', url: '/track/SARI-1405-000001?lang=en' }), 'html', 'en');
  assertUnavailable(await t.app.inject({ method: 'GET', url: '/transparency' }), 'html', 'fa');
  assertUnavailable(await submit(t, token, id, 'outage-key-0001'), 'json', 'fa');
  assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.equal(ready.json().status, 'unavailable');
  // A worker's pass during the outage was reported; none brought the process down.
  assert.ok(failures.length >= 1);

  await proxy!.restore();
  // The same process recovers: the pool opens new connections.
  assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  // Nothing was half-written: the draft is still a draft with no tracking code; the same key now submits it once.
  const draft = await t.deps.db.selectFrom('applications').select(['tracking_code']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(draft.tracking_code, null);
  assert.equal((await t.deps.db.selectFrom('application_events').select('id').where('application_id', '=', id).where('type', '=', 'submitted').execute()).length, 0);
  const sent = await submit(t, token, id, 'outage-key-0001');
  assert.equal(sent.statusCode, 200, sent.body);
  assert.ok(sent.json().tracking_code);
  const afterCount = await t.deps.db.selectFrom('applications').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(afterCount.n), Number(before.n));
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/my/applications', headers: auth() })).statusCode, 200);
  // The outbox worker is working again: the submission's messages are delivered.
  while ((await t.deps.db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute()).length) await t.deps.worker.runOnce();
  await t.deps.escalations.stop();
  await t.deps.reconciler.stop();
  await t.deps.worker.stop();
});

test('SQLite: another writer holds the lock beyond busy_timeout: writes answer 503, reads go on; it recovers when the lock goes', { skip: dbKind !== 'sqlite' }, async () => {
  const id = await permitDraft(t, token);
  const other = new SQLite((db.config as { file: string }).file);
  other.exec('begin immediate');
  try {
    assertUnavailable(await submit(t, token, id, 'locked-key-0001'), 'json', 'fa');
    // Readers are not blocked by a writer in WAL mode: pages and readiness still answer.
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/my/applications', headers: auth() })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  } finally {
    other.exec('rollback');
    other.close();
  }
  const draft = await t.deps.db.selectFrom('applications').select(['tracking_code']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(draft.tracking_code, null);
  const sent = await submit(t, token, id, 'locked-key-0001');
  assert.equal(sent.statusCode, 200, sent.body);
  assert.ok(sent.json().tracking_code);
});
