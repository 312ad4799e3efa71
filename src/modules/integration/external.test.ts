// External back-office connection, end to end: Sari's admin marks an adopted service as
// processed in another system; a citizen's submitted application reaches a local receiver as a
// signed webhook; the receiver checks the signature and reports a status back with Sari's API
// key; the citizen sees it on /track and /my/applications. Another organization's key, a key
// without the scope, a bad state and other staff are refused and change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FormBrowser, drainOutbox, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { createApiClient } from '../../platform/auth/api-keys.js';
import { verifySignature } from '../../platform/webhooks/sign.js';
import { rebuildRollups } from '../transparency/rollup.js';
import { kpis } from '../transparency/kpi.js';
import { currentPeriod } from '../transparency/periods.js';
import { adoptDefinition, nationalCode, shippedDefinition } from '../applications/test-factories.js';

let t: TestApp;
let base = '';
const org: Record<string, string> = {};
const tokens: Record<string, string> = {};
const keys: Record<string, string> = {};
let citizenToken = '';
let citizenId = '';

// The receiver: checks each delivery's signature with the secret it was given, then (like a
// back-office system) reports a status back to Pishkhan through the API.
let receiver: Server;
let receiverUrl = '';
let secret = '';
const received: { body: string; valid: boolean; event: string | undefined }[] = [];
let reply: ((delivery: { data: { status_url: string; tracking_code: string } }) => Promise<void>) | null = null;
const replies: Promise<void>[] = [];

const readBody = (req: IncomingMessage) => new Promise<string>((resolve) => { let s = ''; req.setEncoding('utf8'); req.on('data', (c: string) => { s += c; }); req.on('end', () => resolve(s)); });

before(async () => {
  t = await makeTestApp();
  org.mazandaran = await makeOrg(t, 'mazandaran', 'province');
  org.sari = await makeOrg(t, 'sari', 'municipality', org.mazandaran);
  org.babol = await makeOrg(t, 'babol', 'municipality', org.mazandaran);
  const def = shippedDefinition('waste-management-fee');
  await adoptDefinition(t.deps.db, { orgId: org.sari, definition: def });
  await adoptDefinition(t.deps.db, { orgId: org.babol, definition: def });
  for (const [username, orgId, role] of [['sari.admin', org.sari, 'org_admin'], ['sari.clerk', org.sari, 'clerk'], ['babol.admin', org.babol, 'org_admin']] as const) {
    const { password } = await makeStaff(t, username, [{ orgId, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  citizenToken = await signInCitizen(t, '09121112233');
  citizenId = (await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', '09121112233').executeTakeFirstOrThrow()).id;
  keys.sari = (await createApiClient(t.deps.db, { orgId: org.sari, name: 'Sari back office', scopes: ['applications.act'], now: t.clock.now() })).key;
  keys.sariRead = (await createApiClient(t.deps.db, { orgId: org.sari, name: 'Sari reader', scopes: ['applications.read'], now: t.clock.now() })).key;
  keys.babol = (await createApiClient(t.deps.db, { orgId: org.babol, name: 'Babol back office', scopes: ['applications.act'], now: t.clock.now() })).key;

  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  receiver = createServer(async (req, res) => {
    const body = await readBody(req);
    const valid = verifySignature(secret, body, req.headers['pishkhan-signature'] as string | undefined, t.clock.now());
    received.push({ body, valid, event: req.headers['pishkhan-event'] as string | undefined });
    res.writeHead(valid ? 200 : 401).end();
    if (valid && reply) replies.push(reply(JSON.parse(body)));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pishkhan`;
});
after(async () => { receiver?.close(); await t?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, auth?: string, payload?: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}) });

async function submitApplication(): Promise<{ id: string; tracking: string }> {
  const actor = { kind: 'citizen' as const, id: citizenId };
  const apps = t.deps.services.applications;
  const draft = await apps.startDraft(actor, 'sari', 'waste-management-fee', 'web');
  await apps.saveDraft(actor, draft.id, { parcel_code: '12-34-567', owner_national_code: nationalCode('001234567'), owner_mobile: '09121112233', property_type: 'residential', units: '2', area_m2: '120', years: '1' });
  const done = await apps.submit(actor, draft.id, `key-${draft.id.slice(0, 12)}`);
  return { id: done.id, tracking: done.trackingCode! };
}

test('only the org admin of the organization sets a connection; others get 401/404 and nothing is written', async () => {
  const url = '/api/v1/orgs/sari/external/connections/waste-management-fee';
  assert.equal((await call('PUT', url, undefined, { url: receiverUrl })).statusCode, 401);
  for (const who of [tokens['babol.admin'], tokens['sari.clerk'], citizenToken]) assert.equal((await call('PUT', url, who, { url: receiverUrl })).statusCode, 404);
  assert.equal((await call('GET', '/api/v1/orgs/sari/external/connections', tokens['babol.admin'])).statusCode, 404);
  assert.ok([401, 403, 404].includes((await call('PUT', url, keys.sari, { url: receiverUrl })).statusCode), 'an API key cannot configure connections');
  assert.equal(Number((await t.deps.db.selectFrom('external_connections').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), 0);
  // bad input names the field
  let res = await call('PUT', url, tokens['sari.admin'], { url: 'ftp://example.org/x' });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(Object.keys(res.json().error.fields), ['url']);
  res = await call('PUT', url, tokens['sari.admin'], { url: 42 });
  assert.equal(res.statusCode, 400);
  assert.match(JSON.stringify(res.json().error), /url/);
  assert.equal((await call('PUT', '/api/v1/orgs/sari/external/connections/no-such-service', tokens['sari.admin'], { url: receiverUrl })).statusCode, 404);

  res = await call('PUT', url, tokens['sari.admin'], { url: receiverUrl });
  assert.equal(res.statusCode, 201, res.body);
  secret = res.json().secret;
  assert.match(secret, /^whsec_/);
  assert.equal(res.json().connection.active, true);
  // Shown once: the list never carries it again, nor does the audit log.
  const list = await call('GET', '/api/v1/orgs/sari/external/connections', tokens['sari.admin']);
  assert.equal(list.statusCode, 200);
  assert.ok(!list.body.includes(secret));
  const again = await call('PUT', url, tokens['sari.admin'], { url: receiverUrl, active: true });
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().secret, null);
  // Rotating: only Sari's admin; the new secret is shown once and differs.
  for (const who of [tokens['babol.admin'], tokens['sari.clerk'], citizenToken]) assert.equal((await call('POST', `${url}/rotate-secret`, who)).statusCode, 404);
  const rotated = await call('POST', `${url}/rotate-secret`, tokens['sari.admin']);
  assert.equal(rotated.statusCode, 200, rotated.body);
  assert.notEqual(rotated.json().secret, secret);
  secret = rotated.json().secret;
  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'data']).where('entity', '=', 'external_connection').orderBy('seq').execute();
  assert.deepEqual(audit.map((a) => a.action), ['external_connection.created', 'external_connection.updated', 'external_connection.secret_rotated']);
  assert.ok(audit.every((a) => !a.data.includes(secret)));
});

test('a submitted application reaches the receiver signed; its status comes back and the citizen sees it on /track and /my/applications', async () => {
  reply = async (delivery) => {
    const res = await fetch(`${base}${delivery.data.status_url}`, {
      method: 'POST', headers: { authorization: `Bearer ${keys.sari}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'external', status: 'در صف بررسی اداره پسماند', note: 'کارشناس تا دو روز دیگر تماس می‌گیرد.', at: new Date(t.clock.now()).toISOString() }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const { id, tracking } = await submitApplication();
  await drainOutbox(t);
  await Promise.all(replies);
  assert.equal(received.length, 1);
  assert.equal(received[0]!.valid, true, 'the signature verifies with the connection\'s secret');
  assert.equal(received[0]!.event, 'application.submitted');
  const body = JSON.parse(received[0]!.body);
  assert.equal(body.org, 'sari');
  assert.equal(body.data.tracking_code, tracking);
  assert.equal(body.data.form.parcel_code, '12-34-567');
  assert.equal(body.data.status_url, `/api/v1/orgs/sari/external/applications/${tracking}/status`);
  const delivery = await t.deps.db.selectFrom('webhook_deliveries').select(['state', 'connection_id']).executeTakeFirstOrThrow();
  assert.equal(delivery.state, 'succeeded');
  assert.ok(delivery.connection_id);

  const track = await t.app.inject({ method: 'GET', url: `/track/${tracking}` });
  assert.equal(track.statusCode, 200);
  assert.match(track.body, /در صف بررسی اداره پسماند/);
  assert.match(track.body, /کارشناس تا دو روز دیگر تماس می‌گیرد/);
  const mine = await t.app.inject({ method: 'GET', url: `/my/applications/${id}`, headers: { cookie: `pk_session=${citizenToken}` } });
  assert.equal(mine.statusCode, 200);
  assert.match(mine.body, /وضعیت در سامانه بیرونی: در صف بررسی اداره پسماند/);
  assert.match(mine.body, /کارشناس تا دو روز دیگر تماس می‌گیرد/);
  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'actor_kind']).where('action', '=', 'application.external_status').execute();
  assert.deepEqual(audit, [{ action: 'application.external_status', actor_kind: 'api' }]);
  reply = null;
});

test('a workflow state moves the application (a final one closes it); refusals name the field or answer 404/401/403 and change nothing', async () => {
  const { id, tracking } = await submitApplication();
  await drainOutbox(t);
  const url = `/api/v1/orgs/sari/external/applications/${tracking}/status`;
  const stateOf = async () => (await t.deps.db.selectFrom('applications').select(['state', 'phase']).where('id', '=', id).executeTakeFirstOrThrow());
  const events = async () => Number((await t.deps.db.selectFrom('application_events').select((e) => e.fn.countAll<number>().as('n')).where('application_id', '=', id).executeTakeFirstOrThrow()).n);
  const before = await events();

  // Another organization's key: as if the application did not exist, through either path.
  assert.equal((await call('POST', url, keys.babol, { state: 'payment' })).statusCode, 404);
  assert.equal((await call('POST', `/api/v1/orgs/babol/external/applications/${tracking}/status`, keys.babol, { state: 'payment' })).statusCode, 404);
  assert.equal((await call('POST', url, undefined, { state: 'payment' })).statusCode, 401);
  assert.equal((await call('POST', url, tokens['sari.admin'], { state: 'payment' })).statusCode, 404, 'staff sessions are not the external system');
  assert.equal((await call('POST', url, keys.sariRead, { state: 'payment' })).statusCode, 403, 'a key without applications.act');
  let res = await call('POST', url, keys.sari, { state: 'no-such-state' }, { 'accept-language': 'en' });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(Object.keys(res.json().error.fields), ['state']);
  assert.match(res.json().error.fields.state, /workflow states/);
  res = await call('POST', url, keys.sari, { state: 'external' });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(Object.keys(res.json().error.fields), ['status']);
  res = await call('POST', url, keys.sari, { state: 'payment', at: 'yesterday' });
  assert.deepEqual(Object.keys(res.json().error.fields), ['at']);
  res = await call('POST', url, keys.sari, { note: 'x' });
  assert.equal(res.statusCode, 400);
  assert.match(JSON.stringify(res.json().error), /state/);
  assert.deepEqual(await stateOf(), { state: 'submitted', phase: 'open' });
  assert.equal(await events(), before);

  res = await call('POST', url, keys.sari, { state: 'payment', note: 'قبض صادر شد' });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(await stateOf(), { state: 'payment', phase: 'open' });
  let track = await t.app.inject({ method: 'GET', url: `/track/${tracking}` });
  assert.match(track.body, /در انتظار پرداخت/);
  const completed = async () => {
    t.clock.advance(61_000); // past the rollups' settling minute
    await rebuildRollups(t.deps.db, t.deps.calendar, { clock: t.clock, dialect: t.deps.dialect });
    return (await kpis(t.deps.db, { org: 'sari' }, currentPeriod('year', t.clock.now()))).applications.completed;
  };
  const completedBefore = await completed();
  res = await call('POST', url, keys.sari, { state: 'paid_up' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().phase, 'closed');
  // Closed by the external system, it counts as completed on the transparency dashboards.
  assert.equal(await completed(), completedBefore + 1);
  assert.deepEqual(await stateOf(), { state: 'paid_up', phase: 'closed' });
  track = await t.app.inject({ method: 'GET', url: `/track/${tracking}` });
  assert.match(track.body, /پرداخت شد/);
  assert.equal((await call('POST', url, keys.sari, { state: 'external', status: 'late' })).statusCode, 409, 'a closed application takes no more statuses');
  // The state changes were announced to subscribers too (none here), and each is audited.
  assert.equal((await t.deps.db.selectFrom('audit_log').select('seq').where('action', '=', 'application.external_status').where('entity_id', '=', id).execute()).length, 2);
});

test('a service that is not connected takes no statuses (409); an inactive connection forwards nothing', async () => {
  const res = await call('PUT', '/api/v1/orgs/sari/external/connections/waste-management-fee', tokens['sari.admin'], { url: receiverUrl, active: false });
  assert.equal(res.statusCode, 200);
  const n = received.length;
  const { tracking } = await submitApplication();
  await drainOutbox(t);
  assert.equal(received.length, n, 'nothing forwarded while inactive');
  assert.equal((await call('POST', `/api/v1/orgs/sari/external/applications/${tracking}/status`, keys.sari, { state: 'external', status: 'x' })).statusCode, 200, 'statuses still accepted: the connection exists');
  await t.deps.db.deleteFrom('external_connections').execute();
  assert.equal((await call('POST', `/api/v1/orgs/sari/external/applications/${tracking}/status`, keys.sari, { state: 'external', status: 'x' })).statusCode, 409);
});

test('/staff/orgs/:org/external: the org admin connects a service through the form and sees the secret once; others get 404', async () => {
  for (const who of ['babol.admin', 'sari.clerk']) {
    const res = await t.app.inject({ method: 'GET', url: '/staff/orgs/sari/external', headers: { cookie: `pk_session=${tokens[who]}` } });
    assert.equal(res.statusCode, 404, who);
  }
  assert.equal((await t.app.inject({ method: 'GET', url: '/staff/orgs/sari/external' })).statusCode, 303, 'anonymous: to the sign-in page');
  const b = new FormBrowser(t, tokens['sari.admin']);
  const csrf = await b.csrf('/staff/orgs/sari/external');
  let res = await b.post('/staff/orgs/sari/external/waste-management-fee', { _csrf: csrf, url: 'not a url', active: 'on' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /is-invalid/);
  res = await b.post('/staff/orgs/sari/external/waste-management-fee', { _csrf: csrf, url: receiverUrl, active: 'on' });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /data-testid="secret-once"/);
  const m = res.body.match(/whsec_[A-Za-z0-9_-]+/);
  assert.ok(m);
  const page = await b.get('/staff/orgs/sari/external');
  assert.ok(!page.body.includes(m[0]), 'not shown again');
  const babol = new FormBrowser(t, tokens['babol.admin']);
  res = await babol.post('/staff/orgs/sari/external/waste-management-fee/rotate', { _csrf: csrf });
  assert.ok([403, 404].includes(res.statusCode));
});
