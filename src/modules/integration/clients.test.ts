// API clients end to end, on a real database (SQLite or PostgreSQL, TEST_DB): an org admin
// creates, rotates and revokes clients through the JSON API and the page; a key authenticates as
// its organization with its scopes only; revoked and replaced keys get 401; routes that do not
// open to API clients answer 403; each client has its own rate limit; keys are never stored in
// clear; another organization's clients and data stay out of reach; the audit chain check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { verifyAudit } from '../../platform/audit/index.js';

let t: TestApp;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT';
const asStaff = (method: Method, url: string, who: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, ...(payload ? { payload } : {}) });
const withKey = (method: Method, url: string, key: string, payload?: object, header: 'bearer' | 'x-api-key' = 'bearer') =>
  t.app.inject({ method, url, headers: header === 'bearer' ? { authorization: `Bearer ${key}`, 'accept-language': 'en' } : { 'x-api-key': key, 'accept-language': 'en' }, ...(payload ? { payload } : {}) });

async function newClient(org: string, scopes: string[], extra: Record<string, unknown> = {}, who = `${org}_admin`) {
  const r = await asStaff('POST', `/api/v1/orgs/${org}/api-clients`, who, { name: `client ${scopes.join('+')}`, scopes, ...extra });
  assert.equal(r.statusCode, 201, r.body);
  return r.json() as { client: { id: string; key_prefix: string; state: string; rate_per_minute: number }; key: string };
}

before(async () => {
  t = await makeTestApp();
  ids.mazandaran = await makeOrg(t, 'mazandaran', 'province');
  ids.sari = await makeOrg(t, 'sari', 'municipality', ids.mazandaran);
  ids.babol = await makeOrg(t, 'babol', 'municipality', ids.mazandaran);
  const people: [string, string, string][] = [
    ['sari_admin', 'sari', 'org_admin'], ['babol_admin', 'babol', 'org_admin'], ['sari_clerk', 'sari', 'clerk'],
    ['province', 'mazandaran', 'province_admin'], ['council', 'mazandaran', 'council_member'],
  ];
  for (const [name, org, role] of people) {
    const s = await makeStaff(t, name, [{ orgId: ids[org]!, role: role as never }]);
    tokens[name] = await signInStaff(t, name, s.password);
  }
  tokens.citizen = await signInCitizen(t, '09121234567');
});
after(async () => { await t?.close(); });

test('an org admin creates a client: the key is shown once, has the documented shape, and is never stored in clear', async () => {
  const made = await newClient('sari', ['reports.read', 'catalog.read']);
  assert.match(made.key, /^pk_[0-9a-f]{8}_[A-Za-z0-9_-]{32}$/);
  assert.equal(made.client.state, 'active');
  assert.equal(made.client.rate_per_minute, 120);
  const list = await asStaff('GET', '/api/v1/orgs/sari/api-clients', 'sari_admin');
  assert.equal(list.statusCode, 200);
  assert.ok(!list.body.includes(made.key.slice(12)), 'the list never shows the key');
  assert.ok(list.json().items.some((c: { id: string }) => c.id === made.client.id));
  // A dump of every table of the database holds neither the key nor its secret part.
  const tables = await t.deps.db.introspection.getTables();
  assert.ok(tables.length > 20);
  for (const table of tables) {
    const rows = await sql`select * from ${sql.table(table.name)}`.execute(t.deps.db);
    const dump = JSON.stringify(rows.rows);
    assert.ok(!dump.includes(made.key.slice(12)), `${table.name} does not hold the key`);
  }
  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'actor_kind', 'org_id']).where('entity_id', '=', made.client.id).execute();
  assert.deepEqual(audit.map((a) => a.action), ['api_client.created']);
  assert.equal(audit[0]!.actor_kind, 'staff');
});

test('bad input answers 400 naming each field; clerks, citizens, anonymous and another org\'s admin are refused', async () => {
  const bad = await asStaff('POST', '/api/v1/orgs/sari/api-clients', 'sari_admin', { name: '', scopes: ['nope'], rate_per_minute: 0 });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(Object.keys(bad.json().error.fields).sort(), ['name', 'rate_per_minute', 'scopes']);
  const big = await asStaff('POST', '/api/v1/orgs/sari/api-clients', 'sari_admin', { name: 'x', scopes: ['reports.read'], rate_per_minute: 10_001 });
  assert.equal(big.statusCode, 400);
  assert.ok(big.json().error.fields.rate_per_minute);
  const before = await t.deps.db.selectFrom('api_clients').select('id').execute();
  assert.equal((await asStaff('POST', '/api/v1/orgs/sari/api-clients', 'sari_clerk', { name: 'x', scopes: ['reports.read'] })).statusCode, 404);
  assert.equal((await asStaff('GET', '/api/v1/orgs/sari/api-clients', 'sari_clerk')).statusCode, 404);
  assert.equal((await asStaff('POST', '/api/v1/orgs/sari/api-clients', 'babol_admin', { name: 'x', scopes: ['reports.read'] })).statusCode, 404);
  assert.equal((await asStaff('GET', '/api/v1/orgs/sari/api-clients', 'citizen')).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/orgs/sari/api-clients' })).statusCode, 401);
  assert.equal((await t.deps.db.selectFrom('api_clients').select('id').execute()).length, before.length, 'nothing was created');
  // The province admin manages any organization's clients.
  assert.equal((await newClient('babol', ['news.write'], {}, 'province')).client.state, 'active');
});

test('another org\'s admin cannot rotate or revoke a client (404), and the key keeps working', async () => {
  const made = await newClient('sari', ['catalog.read']);
  assert.equal((await asStaff('POST', `/api/v1/orgs/babol/api-clients/${made.client.id}/rotate`, 'babol_admin')).statusCode, 404);
  assert.equal((await asStaff('POST', `/api/v1/orgs/babol/api-clients/${made.client.id}/revoke`, 'babol_admin')).statusCode, 404);
  assert.equal((await asStaff('POST', `/api/v1/orgs/sari/api-clients/${made.client.id}/revoke`, 'babol_admin')).statusCode, 404);
  assert.equal((await withKey('GET', '/api/v1/services', made.key)).statusCode, 200);
});

test('a key authenticates by Bearer or X-Api-Key; unknown, revoked and replaced keys get a localized 401', async () => {
  const made = await newClient('sari', ['catalog.read']);
  assert.equal((await withKey('GET', '/api/v1/services', made.key)).statusCode, 200);
  assert.equal((await withKey('GET', '/api/v1/services', made.key, undefined, 'x-api-key')).statusCode, 200);
  const unknown = await withKey('GET', '/api/v1/services', `pk_00000000_${'a'.repeat(32)}`);
  assert.equal(unknown.statusCode, 401);
  assert.equal(unknown.json().error.code, 'api_client.key_invalid');
  assert.match(unknown.json().error.message, /API key is not valid/);
  const fa = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: { 'x-api-key': 'garbage' } });
  assert.equal(fa.statusCode, 401);
  assert.match(fa.json().error.message, /کلید API/);

  const rotated = await asStaff('POST', `/api/v1/orgs/sari/api-clients/${made.client.id}/rotate`, 'sari_admin');
  assert.equal(rotated.statusCode, 200);
  const newKey = rotated.json().key as string;
  assert.notEqual(newKey, made.key);
  assert.equal((await withKey('GET', '/api/v1/services', made.key)).statusCode, 401, 'the old key stops at once');
  assert.equal((await withKey('GET', '/api/v1/services', newKey)).statusCode, 200);

  const revoked = await asStaff('DELETE', `/api/v1/orgs/sari/api-clients/${made.client.id}`, 'sari_admin');
  assert.equal(revoked.statusCode, 200);
  assert.equal(revoked.json().client.state, 'revoked');
  assert.equal((await withKey('GET', '/api/v1/services', newKey)).statusCode, 401);
  assert.equal((await asStaff('POST', `/api/v1/orgs/sari/api-clients/${made.client.id}/rotate`, 'sari_admin')).statusCode, 409, 'a revoked client gets no new key');
  const actions = (await t.deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', made.client.id).orderBy('seq').execute()).map((a) => a.action);
  assert.deepEqual(actions, ['api_client.created', 'api_client.rotated', 'api_client.revoked']);
});

test('scopes cannot be exceeded: routes not opened to API clients answer 403, a missing scope 403 naming it', async () => {
  const reader = await newClient('sari', ['reports.read']);
  const cat = await withKey('GET', '/api/v1/services', reader.key);
  assert.equal(cat.statusCode, 403);
  assert.equal(cat.json().error.code, 'api_client.scope_missing');
  assert.match(cat.json().error.message, /catalog\.read/);
  // Managing API clients, the signed-in user's profile and staff JSON without a scope are closed to keys.
  for (const url of ['/api/v1/orgs/sari/api-clients', '/api/v1/me', '/api/v1/inbox', '/api/v1/staff/bills', '/api/v1/audit/verify']) {
    const r = await withKey('GET', url, reader.key);
    assert.equal(r.statusCode, 403, url);
    assert.equal(r.json().error.code, 'api_client.route_closed', url);
  }
  const create = await withKey('POST', '/api/v1/orgs/sari/api-clients', reader.key, { name: 'escalate', scopes: ['news.write'] });
  assert.equal(create.statusCode, 403, 'a key cannot mint keys');
  // Unknown paths stay 404.
  assert.equal((await withKey('GET', '/api/v1/no-such-thing', reader.key)).statusCode, 404);
});

test('each client has its own rate limit: 429 with Retry-After, localized; another client is not affected', async () => {
  const slow = await newClient('sari', ['catalog.read'], { rate_per_minute: 3 });
  const other = await newClient('sari', ['catalog.read'], { rate_per_minute: 3 });
  for (let i = 0; i < 3; i++) assert.equal((await withKey('GET', '/api/v1/services', slow.key)).statusCode, 200);
  const limited = await withKey('GET', '/api/v1/services', slow.key);
  assert.equal(limited.statusCode, 429);
  assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After');
  assert.match(limited.json().error.message, /Too many requests/);
  assert.equal((await withKey('GET', '/api/v1/services', other.key)).statusCode, 200, 'the other client has its own budget');
});

test('last_used_at is noted when a key is used', async () => {
  const made = await newClient('babol', ['catalog.read']);
  const lastUsed = async () => (await t.deps.db.selectFrom('api_clients').select('last_used_at').where('id', '=', made.client.id).executeTakeFirstOrThrow()).last_used_at;
  assert.equal(await lastUsed(), null);
  await withKey('GET', '/api/v1/services', made.key);
  assert.equal(Number(await lastUsed()), t.clock.now());
  const listed = (await asStaff('GET', '/api/v1/orgs/babol/api-clients', 'babol_admin')).json().items.find((c: { id: string }) => c.id === made.client.id);
  assert.equal(listed.last_used_at, new Date(t.clock.now()).toISOString());
});

test('the page: create with scope checkboxes shows the key once; bad input keeps values and names the field; CSRF; rotate and revoke', async () => {
  const b = new FormBrowser(t, tokens.sari_admin);
  const page = await b.get('/staff/api-clients');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /name="scopes" value="applications\.read"/);
  const noCsrf = await b.post('/staff/api-clients', { org: 'sari', name: 'no token', scopes: 'reports.read' });
  assert.equal(noCsrf.statusCode, 403);

  let csrf = await b.csrf('/staff/api-clients');
  const bad = await b.post('/staff/api-clients', { _csrf: csrf, org: 'sari', name: 'سامانهٔ شهرسازی', rate_per_minute: 'ده', scopes: [] as string[] });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /سامانهٔ شهرسازی/, 'the typed name is kept');
  assert.match(bad.body, /id="ac-scopes-error"/);
  assert.match(bad.body, /id="ac-rate_per_minute-error"/);

  csrf = await b.csrf('/staff/api-clients');
  const ok = await b.post('/staff/api-clients', { _csrf: csrf, org: 'sari', name: 'سامانهٔ شهرسازی', rate_per_minute: '۶۰', scopes: ['applications.read', 'applications.act'] });
  assert.equal(ok.statusCode, 201);
  const key = ok.body.match(/value="(pk_[0-9a-f]{8}_[A-Za-z0-9_-]{32})"/)?.[1];
  assert.ok(key, 'the key is shown');
  assert.equal(ok.headers['cache-control'], 'no-store');
  const row = await t.deps.db.selectFrom('api_clients').selectAll().where('name', '=', 'سامانهٔ شهرسازی').executeTakeFirstOrThrow();
  assert.equal(Number(row.rate_per_minute), 60);
  assert.deepEqual(JSON.parse(row.scopes), ['applications.read', 'applications.act']);
  const again = await b.get('/staff/api-clients');
  assert.ok(!again.body.includes(key!), 'never shown again');

  csrf = await b.csrf('/staff/api-clients');
  const rot = await b.post(`/staff/api-clients/${row.id}/rotate`, { _csrf: csrf, org: 'sari' });
  assert.equal(rot.statusCode, 200);
  const key2 = rot.body.match(/value="(pk_[0-9a-f]{8}_[A-Za-z0-9_-]{32})"/)?.[1];
  assert.ok(key2 && key2 !== key);
  csrf = await b.csrf('/staff/api-clients');
  const rev = await b.post(`/staff/api-clients/${row.id}/revoke`, { _csrf: csrf, org: 'sari' });
  assert.equal(rev.statusCode, 303);
  const after = await b.get(String(rev.headers.location));
  assert.match(after.body, /کلاینت «سامانهٔ شهرسازی» باطل شد/);
  assert.ok((await t.deps.db.selectFrom('api_clients').select('revoked_at').where('id', '=', row.id).executeTakeFirstOrThrow()).revoked_at !== null);

  // A clerk and another org's admin get nothing.
  assert.equal((await new FormBrowser(t, tokens.sari_clerk).get('/staff/api-clients')).statusCode, 404);
  const other = new FormBrowser(t, tokens.babol_admin);
  csrf = await other.csrf('/staff/api-clients');
  assert.equal((await other.post(`/staff/api-clients/${row.id}/rotate`, { _csrf: csrf, org: 'sari' })).statusCode, 404);
  assert.equal((await other.post(`/staff/api-clients/${row.id}/rotate`, { _csrf: csrf, org: 'babol' })).statusCode, 404);
});

test('the audit chain check: council members and the province admin; a tampered row is named', async () => {
  for (const who of ['sari_admin', 'sari_clerk', 'citizen']) assert.equal((await asStaff('GET', '/api/v1/audit/verify', who)).statusCode, 403, who);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify' })).statusCode, 401);
  const good = await asStaff('GET', '/api/v1/audit/verify', 'council');
  assert.equal(good.statusCode, 200);
  const expected = await verifyAudit(t.deps.db);
  assert.deepEqual(good.json(), { ok: true, entries: expected.checked });
  assert.ok(expected.checked > 3);
  assert.equal((await asStaff('GET', '/api/v1/audit/verify', 'province')).json().ok, true);
  const page = await new FormBrowser(t, tokens.council).get('/staff/audit');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /زنجیره سالم است/);

  await sql`update audit_log set action = 'api_client.nothing' where seq = 3`.execute(t.deps.db);
  const broken = await asStaff('GET', '/api/v1/audit/verify', 'council');
  assert.deepEqual(broken.json(), { ok: false, entries: 2, first_bad_entry: { seq: 3, reason: 'edited' } });
  const brokenPage = await new FormBrowser(t, tokens.council).get('/staff/audit');
  assert.match(brokenPage.body, /شکسته/);
  assert.equal((await new FormBrowser(t, tokens.sari_admin).get('/staff/audit')).statusCode, 403);
});
