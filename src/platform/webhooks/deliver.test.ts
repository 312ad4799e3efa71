// The delivery engine on its own (SQLite or PostgreSQL, TEST_DB): which receiver addresses are
// refused, a receiver that does not answer in time, a receiver without a subscription (a
// back-office connection), and production's refusal of names that resolve to private addresses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { migratedDb, TestClock } from '../../../test/helpers.js';
import { inTransaction } from '../db/index.js';
import { newId } from '../core/index.js';
import { attemptDelivery, destinationProblem, enqueueDelivery, isPrivateAddress, RETRY_SCHEDULE_MS } from './deliver.js';
import { verifySignature } from './sign.js';

let handle: Awaited<ReturnType<typeof migratedDb>>;
let server: Server;
let base = '';
const seen: { path: string; ok: boolean }[] = [];
const orgId = newId();

before(async () => {
  handle = await migratedDb();
  await handle.db.insertInto('orgs').values({ id: orgId, code: 'sari', kind: 'municipality', parent_id: null, name_fa: 'ساری', name_en: 'Sari', is_reference: 0, lat: null, lng: null, population: null, created_at: 0 }).execute();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: String(req.url), ok: verifySignature('conn-secret', Buffer.concat(chunks), String(req.headers['pishkhan-signature']), Date.parse('2026-11-28T09:00:00Z')) });
      if (req.url === '/slow') return; // never answers
      if (req.url === '/redirect') return res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end();
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await handle.drop();
});

test('receiver addresses: https anywhere public; http only to this machine outside production; production refuses private and loopback', () => {
  assert.equal(destinationProblem('https://hooks.example.ir/x', true), null);
  assert.equal(destinationProblem('https://hooks.example.ir/x', false), null);
  assert.equal(destinationProblem('http://localhost:8080/x', false), null);
  assert.equal(destinationProblem('http://127.0.0.1:8080/x', false), null);
  assert.equal(destinationProblem('http://[::1]:8080/x', false), null);
  assert.equal(destinationProblem('http://localhost:8080/x', true), 'scheme');
  assert.equal(destinationProblem('http://hooks.example.ir/x', false), 'scheme');
  assert.equal(destinationProblem('ftp://hooks.example.ir/x', false), 'scheme');
  assert.equal(destinationProblem('javascript:alert(1)', false), 'scheme');
  assert.equal(destinationProblem('not a url', false), 'invalid');
  assert.equal(destinationProblem('https://u:p@hooks.example.ir/x', false), 'invalid');
  for (const host of ['127.0.0.1', '10.1.2.3', '192.168.1.10', '172.16.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '[::1]', '[fd00::1]', '[fe80::1]', '[::ffff:10.0.0.1]', 'localhost', 'db.local', 'intranet']) {
    assert.equal(destinationProblem(`https://${host}/x`, true), 'private', host);
  }
  assert.equal(destinationProblem('https://10.1.2.3/x', false), null, 'outside production a private https receiver is allowed (tests, staging)');
  assert.equal(isPrivateAddress('8.8.8.8'), false);
  assert.equal(isPrivateAddress('172.32.0.1'), false);
  assert.equal(isPrivateAddress('2a01:4f8::1'), false);
});

async function enqueueTo(path: string, clock: TestClock): Promise<string> {
  return inTransaction(handle.db, (tx) => enqueueDelivery(tx, {
    orgId, url: `${base}${path}`, secret: 'conn-secret', eventType: 'application.submitted', payload: { id: 'e', type: 'application.submitted', data: { n: 1 } }, connectionId: 'conn-1',
  }, clock.now()));
}

test('a connection (no subscription) is signed with its own secret; a 2xx settles it', async () => {
  const clock = new TestClock();
  const id = await enqueueTo('/ok', clock);
  await attemptDelivery({ db: handle.db, clock, isProduction: false }, id);
  const row = await handle.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual([row.state, row.last_status_code, row.lane], ['succeeded', 204, 'c:conn-1']);
  assert.ok(seen.at(-1)!.ok);
  // A second run of the same message does nothing more.
  await attemptDelivery({ db: handle.db, clock, isProduction: false }, id);
  assert.equal((await handle.db.selectFrom('webhook_attempts').select('id').where('delivery_id', '=', id).execute()).length, 1);
});

test('no answer within the timeout, or a redirect, is a failed attempt, retried later', async () => {
  const clock = new TestClock();
  for (const path of ['/slow', '/redirect']) {
    const id = await enqueueTo(path, clock);
    await attemptDelivery({ db: handle.db, clock, isProduction: false, timeoutMs: 300 }, id);
    const row = await handle.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.state, 'pending', path);
    assert.equal(Number(row.next_attempt_at), clock.now() + RETRY_SCHEDULE_MS[0]);
    const [attempt] = await handle.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', id).execute();
    if (path === '/slow') {
      assert.equal(attempt!.status_code, null);
      assert.match(String(attempt!.error), /timeout/);
      assert.ok(Number(attempt!.duration_ms) >= 250);
    } else {
      assert.equal(attempt!.status_code, 302);
    }
  }
});

test('in production, a name that resolves to a private address is refused without a request', async () => {
  const clock = new TestClock();
  const id = await inTransaction(handle.db, (tx) => enqueueDelivery(tx, {
    orgId, url: 'https://inside.example.ir/hook', secret: 's', eventType: 'report.created', payload: { id: 'e2' }, connectionId: 'conn-2',
  }, clock.now()));
  const before = seen.length;
  await attemptDelivery({ db: handle.db, clock, isProduction: true, resolve: async () => ['10.0.0.5'] }, id);
  const [attempt] = await handle.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', id).execute();
  assert.match(String(attempt!.error), /refused address/);
  assert.equal(seen.length, before);
});
