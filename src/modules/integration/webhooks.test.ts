// Webhooks end to end: a real receiver (node:http on a free port) checks every signature, fails
// on purpose to force retries, and records the order deliveries arrive in; plus the API's input
// checks, permissions and isolation between organizations.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainOutbox, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { inTransaction } from '../../platform/db/index.js';
import { verifySignature } from '../../platform/webhooks/sign.js';
import { emitEvent } from '../../platform/webhooks/events.js';
import { RETRY_SCHEDULE_MS } from '../../platform/webhooks/deliver.js';
import { makeCitizen } from '../applications/test-factories.js';
import { createApiClient } from '../../platform/auth/api-keys.js';
import { adoptFor, caseDefinition, makeCase, staffActor } from '../casework/test-fixtures.js';

interface Received { event: string; delivery: string; signature: string; body: string; json: { id: string; type: string; org: string; data: Record<string, unknown> }; signed: boolean; status: number }

let t: TestApp;
let server: Server;
let receiverUrl = '';
let secret = '';
/** What the receiver answers next: a list of status codes used up one by one, then `otherwise`. */
const answers: number[] = [];
let otherwise = 200;
const received: Received[] = [];

let sari = '';
let babol = '';
let sariAdmin = '';
let babolAdmin = '';
let sariClerkToken = '';
let clerkId = '';
let inspectorId = '';
let citizenId = '';
let citizenToken = '';
const def = caseDefinition('webhook-test');
let adopted: Awaited<ReturnType<typeof adoptFor>>;

let passwords = { sa: '', ba: '', sc: '' };
/** Signs everyone in again (sessions end while the tests move the clock by hours). */
async function signInAll() {
  sariAdmin = await signInStaff(t, 'sari-admin', passwords.sa);
  babolAdmin = await signInStaff(t, 'babol-admin', passwords.ba);
  sariClerkToken = await signInStaff(t, 'sari-clerk', passwords.sc);
  citizenToken = await signInCitizen(t, '09121110001');
}

const en = { 'accept-language': 'en' };
const as = (token: string) => ({ authorization: `Bearer ${token}`, ...en });

before(async () => {
  t = await makeTestApp();
  sari = await makeOrg(t, 'sari');
  babol = await makeOrg(t, 'babol');
  const sa = await makeStaff(t, 'sari-admin', [{ orgId: sari, role: 'org_admin' }]);
  const ba = await makeStaff(t, 'babol-admin', [{ orgId: babol, role: 'org_admin' }]);
  const sc = await makeStaff(t, 'sari-clerk', [{ orgId: sari, role: 'clerk' }]);
  const si = await makeStaff(t, 'sari-inspector', [{ orgId: sari, role: 'inspector' }]);
  clerkId = sc.id;
  inspectorId = si.id;
  passwords = { sa: sa.password, ba: ba.password, sc: sc.password };
  citizenId = await makeCitizen(t.deps.db, '09121110001');
  await signInAll();
  adopted = await adoptFor(t, def, [sari, babol]);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = answers.length ? answers.shift()! : otherwise;
      received.push({
        event: String(req.headers['pishkhan-event']), delivery: String(req.headers['pishkhan-delivery']), signature: String(req.headers['pishkhan-signature']), body, json: JSON.parse(body),
        // The receiver checks the signature as the docs tell integrators to, with the test's clock.
        signed: req.method === 'POST' && req.headers['content-type'] === 'application/json' && verifySignature(secret, body, String(req.headers['pishkhan-signature']), t.clock.now()),
        status,
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

async function subscribe(token: string, org: string, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: `/api/v1/orgs/${org}/webhooks`, headers: as(token), payload: body });
}

/** A draft of Sari's test service submitted through the applications service, as a citizen would. */
async function submitApplication(): Promise<{ id: string }> {
  const draft = await makeCase(t, { orgId: sari, orgCode: 'sari', orgServiceId: adopted.orgServices.get(sari)!, versionId: adopted.versionId, definition: def, citizenId, phase: 'draft' });
  await t.deps.services.applications.submit({ kind: 'citizen', id: citizenId }, draft.id, `key-${draft.id}`);
  return { id: draft.id };
}

const clerk = () => staffActor(clerkId, [{ orgId: sari, orgCode: 'sari', role: 'clerk' }]);
const inspector = () => staffActor(inspectorId, [{ orgId: sari, orgCode: 'sari', role: 'inspector' }]);
const auditCount = async () => Number((await t.deps.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

let subId = '';

test('bad input answers 400 naming the field, in the asked language; nothing is written', async () => {
  const before = await auditCount();
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ url: 'ftp://example.ir/hooks', event_types: ['application.submitted'] }, 'url', /https:\/\//],
    [{ url: 'not a url', event_types: ['application.submitted'] }, 'url', /not valid/],
    [{ url: 'http://example.ir/hooks', event_types: ['application.submitted'] }, 'url', /https:\/\//],
    [{ url: 'https://example.ir/hooks', event_types: ['application.deleted'] }, 'event_types', /Unknown event/],
    [{ url: 'https://example.ir/hooks', event_types: [] }, 'event_types', /at least one/],
    [{ url: 'https://user:pw@example.ir/hooks', event_types: ['report.created'] }, 'url', /not valid/],
  ];
  for (const [body, field, message] of cases) {
    const res = await subscribe(sariAdmin, 'sari', body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.match(res.json().error.fields[field], message, JSON.stringify(body));
  }
  const missing = await subscribe(sariAdmin, 'sari', { event_types: ['report.created'] });
  assert.equal(missing.statusCode, 400);
  assert.ok(missing.json().error.fields.url);
  const fa = await t.app.inject({ method: 'POST', url: '/api/v1/orgs/sari/webhooks', headers: { authorization: `Bearer ${sariAdmin}` }, payload: { url: 'ftp://x.ir', event_types: ['x'] } });
  assert.equal(fa.statusCode, 400);
  assert.match(fa.json().error.fields.url, /نشانی/);
  assert.match(fa.json().error.fields.event_types, /رویداد/);
  assert.equal(await auditCount(), before);
  assert.equal((await t.deps.db.selectFrom('webhook_subscriptions').select('id').execute()).length, 0);
});

test('an org admin subscribes a receiver: the secret is shown once, never listed; the change is audited', async () => {
  const res = await subscribe(sariAdmin, 'sari', { url: receiverUrl, event_types: ['application.submitted', 'application.state_changed'], description: 'بایگانی' });
  assert.equal(res.statusCode, 201, res.body);
  const made = res.json();
  assert.match(made.secret, /^whsec_[\w-]{40,}$/);
  secret = made.secret;
  subId = made.id;
  assert.deepEqual(made.event_types, ['application.submitted', 'application.state_changed']);
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/orgs/sari/webhooks', headers: as(sariAdmin) });
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().items.length, 1);
  assert.equal(list.json().items[0].secret, undefined);
  assert.ok(!list.body.includes(secret));
  const one = await t.app.inject({ method: 'GET', url: `/api/v1/orgs/sari/webhooks/${subId}`, headers: as(sariAdmin) });
  assert.equal(one.json().secret, undefined);
  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'webhook.created').execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.entity_id, subId);
  assert.ok(!audit[0]!.data.includes(secret), 'the audit log does not keep the secret');
});

test('deliveries are signed, retried after a failure, and reach the receiver in order per application', async () => {
  received.length = 0;
  answers.push(500);
  const app1 = await submitApplication();
  await t.deps.services.applications.act(clerk(), app1.id, { action: 'accept' });
  await drainOutbox(t);
  // The first delivery failed; the second (same application) waits behind it.
  assert.deepEqual(received.map((r) => [r.event, r.status]), [['application.submitted', 500]]);
  const rows = await t.deps.db.selectFrom('webhook_deliveries').selectAll().orderBy('seq').execute();
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.state, 'pending');
  assert.equal(rows[0]!.attempts, 1);
  assert.equal(rows[0]!.last_status_code, 500);
  assert.equal(Number(rows[0]!.next_attempt_at), t.clock.now() + RETRY_SCHEDULE_MS[0]);
  assert.equal(rows[1]!.attempts, 0);
  // Not before its time.
  t.clock.advance(RETRY_SCHEDULE_MS[0] - 1_000);
  await drainOutbox(t);
  assert.equal(received.length, 1);
  t.clock.advance(1_000);
  await drainOutbox(t);
  assert.deepEqual(received.map((r) => [r.event, r.status]), [['application.submitted', 500], ['application.submitted', 200], ['application.state_changed', 200]]);
  assert.ok(received.every((r) => r.signed), 'every request verifies with the subscription secret');
  assert.equal(received[0]!.delivery, received[1]!.delivery, 'a retry is the same delivery');
  assert.equal(received[0]!.body, received[1]!.body, 'a retry sends the same body');
  const submitted = received[1]!.json;
  assert.equal(submitted.type, 'application.submitted');
  assert.equal(submitted.org, 'sari');
  assert.equal(submitted.data.application_id, app1.id);
  assert.equal(submitted.data.service, 'webhook-test');
  assert.match(String(submitted.data.tracking_code), /^SARI-/);
  assert.equal(submitted.data.state, 'submitted');
  assert.equal(submitted.data.national_code, undefined);
  const changed = received[2]!.json;
  assert.deepEqual([changed.data.application_id, changed.data.from, changed.data.to, changed.data.action], [app1.id, 'submitted', 'inspection', 'accept']);
  // A forged or stale signature does not verify.
  assert.equal(verifySignature('whsec_other', received[1]!.body, `t=${Math.floor(t.clock.now() / 1000)},v1=00`, t.clock.now()), false);

  // The delivery log shows both attempts of the first delivery, with their status codes and durations.
  const log = await t.app.inject({ method: 'GET', url: `/api/v1/orgs/sari/webhooks/${subId}/deliveries`, headers: as(sariAdmin) });
  assert.equal(log.statusCode, 200, log.body);
  const items = log.json().items as { id: string; state: string; event_type: string; attempt_log: { status_code: number; duration_ms: number; at: string }[] }[];
  assert.deepEqual(items.map((d) => [d.event_type, d.state]), [['application.state_changed', 'succeeded'], ['application.submitted', 'succeeded']]);
  assert.deepEqual(items[1]!.attempt_log.map((a) => a.status_code), [500, 200]);
  assert.ok(items[1]!.attempt_log.every((a) => a.duration_ms >= 0 && !Number.isNaN(Date.parse(a.at))));
  const one = await t.app.inject({ method: 'GET', url: `/api/v1/orgs/sari/webhooks/${subId}/deliveries/${items[1]!.id}`, headers: as(sariAdmin) });
  assert.equal(one.json().payload.data.application_id, app1.id);
});

test('a delivery that keeps failing is retried on the schedule, then failed; redelivered by hand it succeeds', async () => {
  received.length = 0;
  otherwise = 503;
  const app2 = await submitApplication();
  await drainOutbox(t);
  for (const wait of RETRY_SCHEDULE_MS) {
    t.clock.advance(wait);
    await drainOutbox(t);
  }
  assert.equal(received.length, RETRY_SCHEDULE_MS.length + 1);
  const row = await t.deps.db.selectFrom('webhook_deliveries').selectAll().where('payload', 'like', `%${app2.id}%`).executeTakeFirstOrThrow();
  assert.equal(row.state, 'failed');
  assert.equal(row.last_status_code, 503);
  // Nothing more is tried by itself.
  t.clock.advance(24 * 3_600_000);
  await drainOutbox(t);
  assert.equal(received.length, RETRY_SCHEDULE_MS.length + 1);
  // A later event of the same application is not held back by a delivery that finally failed.
  otherwise = 200;
  await t.deps.services.applications.act(clerk(), app2.id, { action: 'accept' });
  await drainOutbox(t);
  assert.equal(received.at(-1)!.event, 'application.state_changed');

  await signInAll();
  const before = await auditCount();
  const redo = await t.app.inject({ method: 'POST', url: `/api/v1/orgs/sari/webhooks/${subId}/deliveries/${row.id}/redeliver`, headers: as(sariAdmin) });
  assert.equal(redo.statusCode, 202, redo.body);
  assert.equal(redo.json().state, 'pending');
  await drainOutbox(t);
  const after = await t.deps.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
  assert.equal(after.state, 'succeeded');
  assert.equal(received.at(-1)!.delivery, row.id);
  assert.ok(received.at(-1)!.signed);
  const attempts = await t.deps.db.selectFrom('webhook_attempts').select('status_code').where('delivery_id', '=', row.id).orderBy('at').execute();
  assert.deepEqual(attempts.map((a) => a.status_code), [...Array(RETRY_SCHEDULE_MS.length + 1).fill(503), 200]);
  assert.equal(await auditCount(), before + 1);
  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'webhook.redelivered').execute();
  assert.equal(audit.at(-1)!.entity_id, row.id);
});

test('a rotated secret signs the next delivery; the old one no longer verifies', async () => {
  await signInAll();
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/orgs/sari/webhooks/${subId}/rotate-secret`, headers: as(sariAdmin) });
  assert.equal(res.statusCode, 200, res.body);
  const old = secret;
  secret = res.json().secret;
  assert.notEqual(secret, old);
  received.length = 0;
  const app3 = await submitApplication();
  await t.deps.services.applications.act(clerk(), app3.id, { action: 'accept' });
  await t.deps.services.applications.act(inspector(), app3.id, { action: 'approve' });
  await drainOutbox(t);
  assert.deepEqual(received.map((r) => r.json.type), ['application.submitted', 'application.state_changed', 'application.state_changed']);
  assert.ok(received.every((r) => r.signed));
  assert.ok(received.every((r) => !verifySignature(old, r.body, r.signature, t.clock.now())));
  assert.equal(received[2]!.json.data.phase, 'closed');
  assert.equal(received[2]!.json.data.outcome, 'granted');
});

test('a paused subscription gets no deliveries; resumed, it gets the next events; an event in a rolled-back transaction is never sent', async () => {
  const pause = await t.app.inject({ method: 'PATCH', url: `/api/v1/orgs/sari/webhooks/${subId}`, headers: as(sariAdmin), payload: { active: false } });
  assert.equal(pause.statusCode, 200, pause.body);
  assert.equal(pause.json().active, false);
  received.length = 0;
  await submitApplication();
  await drainOutbox(t);
  assert.equal(received.length, 0);
  const resume = await t.app.inject({ method: 'PATCH', url: `/api/v1/orgs/sari/webhooks/${subId}`, headers: as(sariAdmin), payload: { active: true } });
  assert.equal(resume.json().active, true);
  const actions = (await t.deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', subId).orderBy('seq').execute()).map((a) => a.action);
  assert.deepEqual(actions.slice(-2), ['webhook.paused', 'webhook.resumed']);
  await assert.rejects(inTransaction(t.deps.db, async (tx) => {
    await emitEvent(tx, { orgId: sari, type: 'application.submitted', payload: { application_id: 'x' } }, t.clock.now());
    throw new Error('the change failed');
  }));
  await submitApplication();
  await drainOutbox(t);
  assert.deepEqual(received.map((r) => r.json.type), ['application.submitted']);
  assert.notEqual(received[0]!.json.data.application_id, 'x');
});

test("isolation: Babol's admin, Sari's clerk, a citizen and a visitor cannot see or change Sari's webhooks; nothing changes", async () => {
  const sub = await t.deps.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', subId).executeTakeFirstOrThrow();
  const delivery = await t.deps.db.selectFrom('webhook_deliveries').select('id').where('subscription_id', '=', subId).executeTakeFirstOrThrow();
  const auditBefore = await auditCount();
  const outboxBefore = (await t.deps.db.selectFrom('outbox').select('id').execute()).length;
  const routes = (org: string): [string, string, Record<string, unknown>?][] => [
    ['GET', `/api/v1/orgs/${org}/webhooks`],
    ['POST', `/api/v1/orgs/${org}/webhooks`, { url: 'https://evil.example/hook', event_types: ['application.submitted'] }],
    ['GET', `/api/v1/orgs/${org}/webhooks/${subId}`],
    ['PATCH', `/api/v1/orgs/${org}/webhooks/${subId}`, { url: 'https://evil.example/hook' }],
    ['DELETE', `/api/v1/orgs/${org}/webhooks/${subId}`],
    ['POST', `/api/v1/orgs/${org}/webhooks/${subId}/rotate-secret`],
    ['GET', `/api/v1/orgs/${org}/webhooks/${subId}/deliveries`],
    ['GET', `/api/v1/orgs/${org}/webhooks/${subId}/deliveries/${delivery.id}`],
    ['POST', `/api/v1/orgs/${org}/webhooks/${subId}/deliveries/${delivery.id}/redeliver`],
  ];
  for (const [who, token] of [['babol admin', babolAdmin], ['sari clerk', sariClerkToken], ['citizen', citizenToken]] as const) {
    for (const [method, url, payload] of routes('sari')) {
      const res = await t.app.inject({ method: method as 'GET', url, headers: as(token), ...(payload ? { payload } : {}) });
      assert.equal(res.statusCode, 404, `${who} ${method} ${url}: ${res.body}`);
    }
  }
  // Babol's admin naming Sari's subscription under Babol.
  for (const [method, url, payload] of routes('babol').slice(2)) {
    const res = await t.app.inject({ method: method as 'GET', url, headers: as(babolAdmin), ...(payload ? { payload } : {}) });
    assert.equal(res.statusCode, 404, `${method} ${url}`);
  }
  for (const [method, url, payload] of routes('sari')) {
    const res = await t.app.inject({ method: method as 'GET', url, headers: en, ...(payload ? { payload } : {}) });
    assert.equal(res.statusCode, 401, `visitor ${method} ${url}`);
  }
  assert.deepEqual(await t.deps.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', subId).executeTakeFirstOrThrow(), sub);
  assert.equal((await t.deps.db.selectFrom('webhook_subscriptions').select('id').where('org_id', '=', babol).execute()).length, 0);
  assert.equal(await auditCount(), auditBefore);
  assert.equal((await t.deps.db.selectFrom('outbox').select('id').execute()).length, outboxBefore);
  // Babol's own (empty) list is Babol's to see.
  const own = await t.app.inject({ method: 'GET', url: '/api/v1/orgs/babol/webhooks', headers: as(babolAdmin) });
  assert.deepEqual(own.json(), { items: [] });
});

test('an event reaches only the subscriptions of its own organization and event type', async () => {
  const bab = await subscribe(babolAdmin, 'babol', { url: receiverUrl, event_types: ['application.submitted'] });
  assert.equal(bab.statusCode, 201);
  const other = await subscribe(sariAdmin, 'sari', { url: `${receiverUrl}?reports`, event_types: ['report.created'] });
  assert.equal(other.statusCode, 201);
  const countFor = async (id: string) => (await t.deps.db.selectFrom('webhook_deliveries').select('id').where('subscription_id', '=', id).execute()).length;
  await submitApplication();
  assert.equal(await countFor(bab.json().id), 0);
  assert.equal(await countFor(other.json().id), 0);
  await drainOutbox(t);
});

test('API clients: webhooks.manage of its own organization only; another scope is refused (403), another organization is 404', async () => {
  const manager = await createApiClient(t.deps.db, { orgId: sari, name: 'ops', scopes: ['webhooks.manage'], now: t.clock.now() });
  const reader = await createApiClient(t.deps.db, { orgId: sari, name: 'catalog', scopes: ['catalog.read'], now: t.clock.now() });
  const key = (k: string) => ({ authorization: `Bearer ${k}`, ...en });
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/orgs/sari/webhooks', headers: key(manager.key) });
  assert.equal(list.statusCode, 200, list.body);
  const made = await t.app.inject({ method: 'POST', url: '/api/v1/orgs/sari/webhooks', headers: key(manager.key), payload: { url: 'https://ops.example.ir/h', event_types: ['report.updated'] } });
  assert.equal(made.statusCode, 201, made.body);
  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('entity_id', '=', made.json().id).executeTakeFirstOrThrow();
  assert.deepEqual([audit.action, audit.actor_kind, audit.actor_id], ['webhook.created', 'api', manager.id]);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/orgs/babol/webhooks', headers: key(manager.key) })).statusCode, 404);
  const denied = await t.app.inject({ method: 'GET', url: '/api/v1/orgs/sari/webhooks', headers: key(reader.key) });
  assert.equal(denied.statusCode, 403, denied.body);
  const deniedPost = await t.app.inject({ method: 'POST', url: '/api/v1/orgs/sari/webhooks', headers: key(reader.key), payload: { url: 'https://x.example.ir/h', event_types: ['report.updated'] } });
  assert.equal(deniedPost.statusCode, 403);
  await t.app.inject({ method: 'DELETE', url: `/api/v1/orgs/sari/webhooks/${made.json().id}`, headers: key(manager.key) });
});

test('delete: the subscription is gone from the API, its queued deliveries fail, its secret is erased, the log stays', async () => {
  otherwise = 500;
  received.length = 0;
  await submitApplication();
  await drainOutbox(t);
  assert.equal(received.length, 1);
  const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/orgs/sari/webhooks/${subId}`, headers: as(sariAdmin) });
  assert.equal(del.statusCode, 204);
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/orgs/sari/webhooks/${subId}`, headers: as(sariAdmin) })).statusCode, 404);
  const failedNow = await t.deps.db.selectFrom('webhook_deliveries').select(['state', 'last_error']).where('subscription_id', '=', subId).orderBy('seq', 'desc').executeTakeFirstOrThrow();
  assert.deepEqual(failedNow, { state: 'failed', last_error: 'subscription deleted' }, 'the waiting delivery fails at once');
  t.clock.advance(RETRY_SCHEDULE_MS[0]);
  await drainOutbox(t);
  assert.equal(received.length, 1, 'nothing is sent to a deleted subscription');
  const row = await t.deps.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', subId).executeTakeFirstOrThrow();
  assert.equal(row.secret, '');
  assert.ok(row.deleted_at);
  const pending = await t.deps.db.selectFrom('webhook_deliveries').select(['state', 'last_error']).where('subscription_id', '=', subId).where('state', '=', 'pending').execute();
  assert.equal(pending.length, 0);
  otherwise = 200;
});
