// What an API key reaches on the routes that open to API clients, on a real database (SQLite or
// PostgreSQL, TEST_DB): applications (read / act), problem reports (read / write) and news
// (write), each only with its scope and only in the key's own organization (another
// organization's data answers 404), and every refusal changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeStaff, makeTestApp, signInStaff, type TestApp } from '../../../test/helpers.js';
import { newId, type Actor } from '../../platform/core/index.js';
import { mayAct } from '../../platform/auth/access.js';
import { adoptFor, caseDefinition, makeCase } from '../casework/test-fixtures.js';

let t: TestApp;
const ids: Record<string, string> = {};
const keys: Record<string, string> = {};
let sariCase = '';
let babolCase = '';

const withKey = (method: 'GET' | 'POST' | 'PUT', url: string, key: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'accept-language': 'en' }, ...(payload ? { payload } : {}) });
const stateOf = async (id: string) => (await t.deps.db.selectFrom('applications').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

before(async () => {
  t = await makeTestApp();
  ids.mazandaran = await makeOrg(t, 'mazandaran', 'province');
  ids.sari = await makeOrg(t, 'sari', 'municipality', ids.mazandaran);
  ids.babol = await makeOrg(t, 'babol', 'municipality', ids.mazandaran);
  const admin = await makeStaff(t, 'province', [{ orgId: ids.mazandaran, role: 'province_admin' }]);
  const token = await signInStaff(t, 'province', admin.password);
  const mint = async (org: string, scopes: string[]) => {
    const r = await t.app.inject({ method: 'POST', url: `/api/v1/orgs/${org}/api-clients`, headers: { authorization: `Bearer ${token}` }, payload: { name: `${org} ${scopes.join('+')}`, scopes } });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().key as string;
  };
  keys.sariCatalog = await mint('sari', ['catalog.read']);
  keys.sariAppsRead = await mint('sari', ['applications.read']);
  keys.sariAppsAct = await mint('sari', ['applications.act']);
  keys.sariReportsRead = await mint('sari', ['reports.read']);
  keys.sariReportsWrite = await mint('sari', ['reports.write']);
  keys.sariNews = await mint('sari', ['news.write']);
  keys.babolAll = await mint('babol', ['applications.read', 'applications.act', 'reports.read', 'reports.write', 'news.write']);

  const def = caseDefinition('permit');
  const adopted = await adoptFor(t, def, [ids.sari, ids.babol]);
  const citizenId = newId();
  await t.deps.db.insertInto('citizens').values({ id: citizenId, mobile: '09121110000', national_code: null, first_name: 'Sara', last_name: 'Ahmadi', email: null, locale: 'fa', created_at: t.clock.now(), updated_at: t.clock.now() }).execute();
  const base = { versionId: adopted.versionId, definition: def, citizenId };
  sariCase = (await makeCase(t, { ...base, orgId: ids.sari, orgCode: 'sari', orgServiceId: adopted.orgServices.get(ids.sari)! })).id;
  babolCase = (await makeCase(t, { ...base, orgId: ids.babol, orgCode: 'babol', orgServiceId: adopted.orgServices.get(ids.babol)! })).id;
});
after(async () => { await t?.close(); });

test('applications: read with applications.read, act only with applications.act, never another org\'s (404)', async () => {
  const read = await withKey('GET', `/api/v1/applications/${sariCase}`, keys.sariAppsRead!);
  assert.equal(read.statusCode, 200, read.body);
  assert.equal(read.json().id, sariCase);
  const cat = await withKey('GET', `/api/v1/applications/${sariCase}`, keys.sariCatalog!);
  assert.equal(cat.statusCode, 403, 'a catalog.read key cannot read applications');
  assert.equal(cat.json().error.code, 'api_client.scope_missing');
  assert.equal((await withKey('GET', `/api/v1/applications/${sariCase}`, keys.sariReportsRead!)).statusCode, 403);
  assert.equal((await withKey('GET', `/api/v1/applications/${babolCase}`, keys.sariAppsRead!)).statusCode, 404, "another org's application");
  assert.equal((await withKey('GET', `/api/v1/applications/${sariCase}`, keys.babolAll!)).statusCode, 404);

  assert.equal((await withKey('POST', `/api/v1/applications/${sariCase}/actions`, keys.sariAppsRead!, { action: 'accept' })).statusCode, 403, 'read cannot act');
  assert.equal((await withKey('POST', `/api/v1/applications/${sariCase}/actions`, keys.babolAll!, { action: 'accept' })).statusCode, 404);
  assert.equal(await stateOf(sariCase), 'submitted', 'refusals changed nothing');
  const acted = await withKey('POST', `/api/v1/applications/${sariCase}/actions`, keys.sariAppsAct!, { action: 'accept' });
  assert.equal(acted.statusCode, 200, acted.body);
  assert.equal(await stateOf(sariCase), 'inspection');
  assert.equal((await withKey('GET', `/api/v1/applications/${sariCase}`, keys.sariAppsAct!)).statusCode, 200, 'act implies read');
  const audit = await t.deps.db.selectFrom('audit_log').select(['actor_kind', 'actor_id']).where('entity_id', '=', sariCase).orderBy('seq', 'desc').executeTakeFirst();
  assert.equal(audit?.actor_kind, 'api');
  // Lists of staff (the inbox) stay closed to keys.
  assert.equal((await withKey('GET', '/api/v1/inbox', keys.sariAppsAct!)).statusCode, 403);
});

test('reports: reading needs reports.read (or write), changing a state reports.write; another org answers 404', async () => {
  const list = await withKey('GET', '/api/v1/staff/reports', keys.sariReportsRead!);
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(list.json().items, []);
  assert.equal((await withKey('GET', '/api/v1/staff/reports?org=sari', keys.sariReportsWrite!)).statusCode, 200);
  assert.equal((await withKey('GET', '/api/v1/staff/reports?org=sari', keys.babolAll!)).statusCode, 404, "another org's reports");
  assert.equal((await withKey('GET', '/api/v1/staff/reports', keys.sariCatalog!)).statusCode, 403);
  assert.equal((await withKey('GET', '/api/v1/staff/reports', keys.sariAppsAct!)).statusCode, 403);
  const write = await withKey('POST', `/api/v1/reports/${newId()}/state`, keys.sariReportsRead!, { state: 'in_progress' });
  assert.equal(write.statusCode, 403, 'a reports.read key cannot write');
  assert.match(write.json().error.message, /reports\.write/);
  assert.equal((await withKey('POST', `/api/v1/reports/${newId()}/state`, keys.sariReportsWrite!, { state: 'in_progress' })).statusCode, 404);
  assert.equal((await withKey('POST', `/api/v1/reports/${newId()}/assign`, keys.sariReportsWrite!, { department: 'x' })).statusCode, 403, 'assigning is not opened to keys');
});

test('news: news.write writes its own organization\'s articles only', async () => {
  const body = { title: 'خبر از سامانهٔ روابط عمومی', body: 'متن خبر', lang: 'fa' };
  const made = await withKey('POST', '/api/v1/orgs/sari/news', keys.sariNews!, body);
  assert.equal(made.statusCode, 201, made.body);
  assert.equal(made.json().org, 'sari');
  assert.equal((await withKey('GET', `/api/v1/orgs/sari/news/${made.json().code}`, keys.sariNews!)).statusCode, 200);
  const count = async () => (await t.deps.db.selectFrom('news_articles').select('id').execute()).length;
  const n = await count();
  assert.equal((await withKey('POST', '/api/v1/orgs/babol/news', keys.sariNews!, body)).statusCode, 404, "another org's newsroom");
  assert.equal((await withKey('GET', `/api/v1/orgs/babol/news/${made.json().code}`, keys.babolAll!)).statusCode, 404);
  assert.equal((await withKey('POST', '/api/v1/orgs/sari/news', keys.sariReportsWrite!, body)).statusCode, 403);
  assert.equal(await count(), n, 'refusals created nothing');
});

test('the access helper: an API client holds only what its scopes grant, only in its own organization', () => {
  const client = (scopes: string[]): Actor => ({ kind: 'api_client', id: 'c1', orgId: ids.sari!, scopes });
  assert.equal(mayAct(client(['applications.read']), ids.sari!, 'applications.read'), true);
  assert.equal(mayAct(client(['applications.read']), ids.babol!, 'applications.read'), false, 'never another organization');
  assert.equal(mayAct(client(['applications.read']), ids.sari!, 'applications.act'), false);
  assert.equal(mayAct(client(['catalog.read']), ids.sari!, 'applications.read'), false);
  assert.equal(mayAct(client(['reports.read', 'reports.write', 'news.write', 'applications.act']), ids.sari!, 'org.staff.manage'), false, 'no staff administration');
  for (const p of ['reports.assign', 'reports.moderate', 'payments.refund', 'council.manage', 'catalog.adopt', 'audit.verify'] as const) {
    assert.equal(mayAct(client(['reports.write', 'applications.act', 'news.write']), ids.sari!, p), false, p);
  }
});
