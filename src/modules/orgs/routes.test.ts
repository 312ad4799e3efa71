// The organization directory and tenant isolation of staff lists: what an actor may not see
// answers exactly like what does not exist.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { t as message } from '../../platform/i18n/messages.js';

let t: TestApp;
const tokens: Record<string, string> = {};
let citizenToken: string;

before(async () => {
  t = await makeTestApp();
  const province = await makeOrg(t, 'mazandaran', 'province');
  const sari = await makeOrg(t, 'sari', 'municipality', province);
  const babol = await makeOrg(t, 'babol', 'municipality', province);
  await t.deps.db.updateTable('orgs').set({ population: 309_800 }).where('id', '=', sari).execute();
  await t.deps.db.updateTable('orgs').set({ population: 250_200 }).where('id', '=', babol).execute();
  await makeOrg(t, 'sari-ict', 'ict', sari);
  const accounts = [
    ['province.admin', province, 'province_admin'],
    ['sari.admin', sari, 'org_admin'],
    ['sari.manager', sari, 'manager'],
    ['sari.clerk', sari, 'clerk'],
    ['babol.admin', babol, 'org_admin'],
    ['babol.clerk', babol, 'clerk'],
  ] as const;
  for (const [username, orgId, role] of accounts) {
    const { password } = await makeStaff(t, username, [{ orgId, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  citizenToken = await signInCitizen(t, '09111111111');
});
after(async () => { await t?.close(); });

const apiGet = (url: string, token?: string) =>
  t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
const pageGet = (url: string, token?: string) =>
  t.app.inject({ method: 'GET', url, headers: token ? { cookie: `pk_session=${token}` } : {} });
const usernames = (res: { json(): { items: { username: string }[] } }) => res.json().items.map((s) => s.username).sort();
const errorOf = (res: { json(): { error: { code: string; message: string; fields: unknown } } }) => {
  const { code, message: msg, fields } = res.json().error;
  return { code, message: msg, fields };
};

// ---------- the public directory ----------

test('anyone can list the organizations: the province first, then by population', async () => {
  const res = await apiGet('/api/v1/orgs');
  assert.equal(res.statusCode, 200);
  const items = res.json().items as { code: string; kind: string; parent: string | null; name: { fa: string; en: string }; population: number | null }[];
  assert.deepEqual(items.map((o) => o.code), ['mazandaran', 'sari', 'babol', 'sari-ict']);
  const sari = items.find((o) => o.code === 'sari')!;
  assert.equal(sari.kind, 'municipality');
  assert.equal(sari.parent, 'mazandaran');
  assert.equal(sari.population, 309_800);
  assert.deepEqual(sari.name, { fa: 'شهرداری sari', en: 'sari Municipality' });
  assert.equal(items.find((o) => o.code === 'sari-ict')!.parent, 'sari');
});

test('one organization is public by code; an unknown code is a 404', async () => {
  const res = await apiGet('/api/v1/orgs/babol');
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().code, 'babol');
  const missing = await apiGet('/api/v1/orgs/nowhere');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'common.not_found');
});

// ---------- staff lists over the API ----------

test("an org admin of Sari sees Sari's staff and nobody else's", async () => {
  const res = await apiGet('/api/v1/orgs/sari/staff', tokens['sari.admin']);
  assert.equal(res.statusCode, 200);
  assert.deepEqual(usernames(res), ['sari.admin', 'sari.clerk', 'sari.manager']);
  const clerk = res.json().items.find((s: { username: string }) => s.username === 'sari.clerk');
  assert.deepEqual({ role: clerk.role, totp_enabled: clerk.totp_enabled, disabled: clerk.disabled }, { role: 'clerk', totp_enabled: false, disabled: false });
});

test("a manager of Sari may read Sari's staff too", async () => {
  const res = await apiGet('/api/v1/orgs/sari/staff', tokens['sari.manager']);
  assert.equal(res.statusCode, 200);
  assert.deepEqual(usernames(res), ['sari.admin', 'sari.clerk', 'sari.manager']);
});

test("Babol's staff list answers Sari's admin exactly like an organization that does not exist", async () => {
  const other = await apiGet('/api/v1/orgs/babol/staff', tokens['sari.admin']);
  const missing = await apiGet('/api/v1/orgs/nowhere/staff', tokens['sari.admin']);
  assert.equal(other.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(errorOf(other), errorOf(missing));
  assert.equal(errorOf(other).code, 'common.not_found');
  assert.doesNotMatch(other.body, /babol\.(admin|clerk)/);
  // And the other way round.
  const reverse = await apiGet('/api/v1/orgs/sari/staff', tokens['babol.admin']);
  assert.equal(reverse.statusCode, 404);
  assert.deepEqual(errorOf(reverse), errorOf(missing));
});

test('a clerk, without the permission, gets the same 404 for their own organization', async () => {
  const own = await apiGet('/api/v1/orgs/sari/staff', tokens['sari.clerk']);
  const missing = await apiGet('/api/v1/orgs/nowhere/staff', tokens['sari.clerk']);
  assert.equal(own.statusCode, 404);
  assert.deepEqual(errorOf(own), errorOf(missing));
  assert.equal((await apiGet('/api/v1/orgs/babol/staff', tokens['babol.clerk'])).statusCode, 404);
});

test('a citizen gets the same 404; an anonymous caller is asked to sign in (401)', async () => {
  const citizen = await apiGet('/api/v1/orgs/sari/staff', citizenToken);
  const missing = await apiGet('/api/v1/orgs/nowhere/staff', citizenToken);
  assert.equal(citizen.statusCode, 404);
  assert.deepEqual(errorOf(citizen), errorOf(missing));

  const anonymous = await apiGet('/api/v1/orgs/sari/staff');
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json().error.code, 'auth.required');
  const anonymousMissing = await apiGet('/api/v1/orgs/nowhere/staff');
  assert.equal(anonymousMissing.statusCode, 401, 'an anonymous caller learns nothing about which codes exist');
  const forged = await apiGet('/api/v1/orgs/sari/staff', 'not-a-real-token');
  assert.equal(forged.statusCode, 401);
});

test('the province administrator sees the staff of every organization', async () => {
  const sari = await apiGet('/api/v1/orgs/sari/staff', tokens['province.admin']);
  const babol = await apiGet('/api/v1/orgs/babol/staff', tokens['province.admin']);
  assert.equal(sari.statusCode, 200);
  assert.equal(babol.statusCode, 200);
  assert.deepEqual(usernames(sari), ['sari.admin', 'sari.clerk', 'sari.manager']);
  assert.deepEqual(usernames(babol), ['babol.admin', 'babol.clerk']);
  assert.equal((await apiGet('/api/v1/orgs/nowhere/staff', tokens['province.admin'])).statusCode, 404);
});

// ---------- staff list pages ----------

test("the staff page of Sari shows Sari's staff to its admin", async () => {
  const res = await pageGet('/staff/orgs/sari', tokens['sari.admin']);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/html/);
  for (const u of ['sari.admin', 'sari.clerk', 'sari.manager']) assert.ok(res.body.includes(`>${u}<`), u);
  assert.doesNotMatch(res.body, /babol\.(admin|clerk)/);
});

test("Babol's staff page answers Sari's admin, and a clerk, like a page that does not exist", async () => {
  const missing = await pageGet('/staff/orgs/nowhere', tokens['sari.admin']);
  assert.equal(missing.statusCode, 404);
  const notFound = message('fa', 'common.not_found');
  assert.ok(missing.body.includes(notFound));
  for (const [who, url] of [['sari.admin', '/staff/orgs/babol'], ['sari.clerk', '/staff/orgs/sari'], ['babol.admin', '/staff/orgs/sari']] as const) {
    const res = await pageGet(url, tokens[who]);
    assert.equal(res.statusCode, 404, `${who} ${url}`);
    assert.ok(res.body.includes(notFound), `${who} ${url}`);
    const main = res.body.match(/<main[\s\S]*<\/main>/)?.[0] ?? '';
    assert.doesNotMatch(main, /(sari|babol)\.(admin|clerk|manager)/, `${who} ${url} shows no staff`);
  }
});

test('the staff page sends citizens and anonymous visitors to the staff sign-in', async () => {
  for (const token of [citizenToken, undefined]) {
    const res = await pageGet('/staff/orgs/babol', token);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/staff/login?next=${encodeURIComponent('/staff/orgs/babol')}`);
  }
});

test("the province administrator's staff pages show each organization's staff", async () => {
  const sari = await pageGet('/staff/orgs/sari', tokens['province.admin']);
  const babol = await pageGet('/staff/orgs/babol', tokens['province.admin']);
  assert.equal(sari.statusCode, 200);
  assert.equal(babol.statusCode, 200);
  assert.ok(sari.body.includes('>sari.clerk<'));
  assert.ok(babol.body.includes('>babol.clerk<'));
  assert.doesNotMatch(sari.body, /babol\.clerk/);
});

test("the staff desk links to an organization's staff list only for those who may read it", async () => {
  const admin = await pageGet('/staff', tokens['sari.admin']);
  assert.equal(admin.statusCode, 200);
  assert.match(admin.body, /href="\/staff\/orgs\/sari"/);
  const clerk = await pageGet('/staff', tokens['sari.clerk']);
  assert.equal(clerk.statusCode, 200);
  assert.doesNotMatch(clerk.body, /href="\/staff\/orgs\//);
});
