// The staff page of service costs (/staff/costs) and the JSON API beside it, on a real database
// (SQLite or PostgreSQL, TEST_DB): an org admin enters, changes and removes costs, typed as
// people type them; the dashboard's cost per transaction follows at once; bad input names its
// field and keeps what was typed; clerks, citizens, anonymous visitors and another municipality's
// admin are refused and change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { adoptFor, caseDefinition } from '../casework/test-fixtures.js';
import { formatRials } from '../../platform/i18n/format.js';
import { kpis } from './kpi.js';
import { parsePeriod } from './periods.js';
import { parseCostAmount } from './costs-pages.js';

let t: TestApp;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
const MEHR = parsePeriod('1404-07')!;

const browser = (who?: string) => new FormBrowser(t, who ? tokens[who] : undefined);
const api = (method: 'GET' | 'PUT' | 'DELETE', url: string, who?: string, payload?: object) =>
  t.app.inject({ method, url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, ...(payload ? { payload } : {}) });
const costRows = () => t.deps.db.selectFrom('org_costs').select(['org_id', 'period', 'service_code', 'cost_rials', 'note']).orderBy('period').execute();
const costPerTransaction = async () => (await kpis(t.deps.db, { org: 'sari' }, MEHR)).applications.cost_per_transaction;

async function post(who: string | undefined, url: string, fields: Record<string, string>) {
  const b = browser(who);
  const token = who ? await b.csrf('/staff/costs') : 'none';
  return b.post(url, { _csrf: token, ...fields });
}

before(async () => {
  t = await makeTestApp();
  ids.mazandaran = await makeOrg(t, 'mazandaran', 'province');
  ids.sari = await makeOrg(t, 'sari', 'municipality', ids.mazandaran);
  ids.babol = await makeOrg(t, 'babol', 'municipality', ids.mazandaran);
  // Sari adopted a permit service; Babol offers nothing.
  await adoptFor(t, caseDefinition('permit'), [ids.sari!]);
  // Four applications of Sari completed on 13 Mehr 1404 (as the rollups would have counted them).
  await t.deps.db.insertInto('kpi_daily').values({
    day: '2025-10-05', org_id: ids.sari, service_code: 'permit', kind: 'app', started: 4, started_submitted: 4, received: 4, online: 4, counter: 0, completed: 4, completed_within: 4, completed_online: 4,
    rating_1: 0, rating_2: 0, rating_3: 0, rating_4: 0, rating_5: 0, visits_saved: 0, days_saved: 0, reports_received: 0, reports_resolved: 0, reports_resolved_within: 0, reports_reopened: 0,
  }).execute();
  for (const [username, org, role] of [['sari.admin', 'sari', 'org_admin'], ['babol.admin', 'babol', 'org_admin'], ['sari.clerk', 'sari', 'clerk']] as const) {
    const { password } = await makeStaff(t, username, [{ orgId: ids[org]!, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.citizen = await signInCitizen(t, '09121234567');
});
after(async () => { await t.close(); });

test('amounts as people type them: Persian and Arabic digits, thousands separators; zero allowed; nothing else', () => {
  assert.equal(parseCostAmount('۱۲٬۵۰۰٬۰۰۰'), 12_500_000);
  assert.equal(parseCostAmount('١٢,٥٠٠,٠٠٠'), 12_500_000);
  assert.equal(parseCostAmount(' 12 500 000 '), 12_500_000);
  assert.equal(parseCostAmount('0'), 0);
  for (const bad of ['', '-5', '12.5', 'abc', '1e6', '99999999999999999']) assert.equal(parseCostAmount(bad), null, bad);
});

test('an org admin enters a cost on the page, changes it and removes it; each change is audited and the dashboard follows at once', async () => {
  assert.equal(await costPerTransaction(), null);
  assert.match((await browser('sari.admin').get('/staff')).body, /href="\/staff\/costs"/, 'the staff desk links to the page');
  const page = await browser('sari.admin').get('/staff/costs');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /href="\/transparency\/sari"/);
  assert.match(page.body, /درخواست‌های پایان‌یافته/);
  assert.match(page.body, /<option value="permit">خدمت آزمایشی کارتابل<\/option>/);

  const saved = await post('sari.admin', '/staff/costs', { org: 'sari', period: '۱۴۰۴-۰۷', service: '', cost_rials: '۸٬۰۰۰٬۰۰۰', note: 'حقوق کارکنان پیشخوان' });
  assert.equal(saved.statusCode, 303, saved.body);
  assert.equal(saved.headers.location, '/staff/costs?org=sari&saved=1');
  assert.deepEqual((await costRows()).map((r) => ({ ...r, cost_rials: Number(r.cost_rials) })), [{ org_id: ids.sari, period: '1404-07', service_code: null, cost_rials: 8_000_000, note: 'حقوق کارکنان پیشخوان' }]);
  assert.equal(await costPerTransaction(), 2_000_000);
  const dashboard = await t.app.inject({ method: 'GET', url: '/transparency/sari?period=1404-07' });
  assert.equal(dashboard.statusCode, 200, dashboard.body.slice(0, 500));
  assert.ok(dashboard.body.includes(formatRials(2_000_000, 'fa')), 'the public dashboard shows 8,000,000 / 4');

  const list = await browser('sari.admin').get('/staff/costs?org=sari&saved=1');
  assert.match(list.body, /مهر ۱۴۰۴/);
  assert.ok(list.body.includes(formatRials(8_000_000, 'fa')));
  // Edit: the form opens on the cost; a new amount replaces it.
  const edit = await browser('sari.admin').get('/staff/costs?org=sari&period=1404-07');
  assert.match(edit.body, /id="c-amount" name="cost_rials"[^>]*value="8000000"/);
  const changed = await post('sari.admin', '/staff/costs', { org: 'sari', period: '1404-07', service: '', cost_rials: '12,000,000', note: '' });
  assert.equal(changed.statusCode, 303, changed.body);
  assert.equal(await costPerTransaction(), 3_000_000);
  const again = await t.app.inject({ method: 'GET', url: '/transparency/sari?period=1404-07' });
  assert.ok(again.body.includes(formatRials(3_000_000, 'fa')), 'the kept page of the dashboard is not served stale');
  // A cost for the permit alone is a second row.
  assert.equal((await post('sari.admin', '/staff/costs', { org: 'sari', period: '1404', service: 'permit', cost_rials: '0', note: '' })).statusCode, 303);
  assert.equal((await costRows()).length, 2);

  const removed = await post('sari.admin', '/staff/costs/remove', { org: 'sari', period: '1404-07', service: '' });
  assert.equal(removed.statusCode, 303, removed.body);
  assert.deepEqual((await costRows()).map((r) => [r.period, r.service_code]), [['1404', 'permit']]);
  assert.equal(await costPerTransaction(), null);

  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'data']).where('action', 'like', 'transparency.cost_%').orderBy('seq').execute();
  assert.deepEqual(audit.map((a) => a.action), ['transparency.cost_set', 'transparency.cost_set', 'transparency.cost_set', 'transparency.cost_removed']);
  const data = audit.map((a) => (typeof a.data === 'string' ? JSON.parse(a.data) : a.data));
  assert.deepEqual(data[1].before, { cost_rials: 8_000_000, note: 'حقوق کارکنان پیشخوان' });
  assert.equal(data[1].cost_rials, 12_000_000);
  assert.deepEqual(data[3].before, { cost_rials: 12_000_000, note: null });
});

test('bad input: 400, a localized message beside the field, and the typed values stay in the form', async () => {
  const before = await costRows();
  const bad = await post('sari.admin', '/staff/costs', { org: 'sari', period: '1404-13', service: 'permit', cost_rials: '۱۲abc', note: 'یادداشت من' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="c-period-error"[^>]*>دوره را به شکل/);
  assert.match(bad.body, /id="c-cost_rials-error"[^>]*>هزینه باید عددی درست/);
  assert.match(bad.body, /name="period"[^>]*value="1404-13"/);
  assert.match(bad.body, /name="cost_rials"[^>]*value="۱۲abc"/);
  assert.match(bad.body, /value="یادداشت من"/);
  assert.match(bad.body, /<option value="permit" selected>/);
  const negative = await post('sari.admin', '/staff/costs', { org: 'sari', period: '1404-08', service: '', cost_rials: '-5', note: '' });
  assert.equal(negative.statusCode, 400);
  assert.match(negative.body, /id="c-cost_rials-error"/);
  const service = await post('sari.admin', '/staff/costs', { org: 'sari', period: '1404-08', service: 'not-adopted', cost_rials: '5', note: '' });
  assert.equal(service.statusCode, 400);
  assert.match(service.body, /id="c-service-error"[^>]*>این خدمت در این سازمان ارائه نمی‌شود/);
  const en = new FormBrowser(t, tokens['sari.admin']);
  en.jar.take({ headers: { 'set-cookie': 'pk_lang=en; Path=/' } });
  const enToken = await en.csrf('/staff/costs');
  const enBad = await en.post('/staff/costs', { _csrf: enToken, org: 'sari', period: 'x', service: '', cost_rials: '1', note: '' });
  assert.equal(enBad.statusCode, 400);
  assert.match(enBad.body, /Write the period as 1404/);
  // The API names the field too.
  const r = await api('PUT', '/api/v1/orgs/sari/costs', 'sari.admin', { period: '1404-99', cost_rials: 1 });
  assert.equal(r.statusCode, 400);
  assert.ok(r.json().error.fields.period);
  const d = await api('DELETE', '/api/v1/orgs/sari/costs?period=nope', 'sari.admin');
  assert.equal(d.statusCode, 400);
  assert.ok(d.json().error.fields.period);
  assert.deepEqual(await costRows(), before);
});

test('clerks, citizens and anonymous visitors cannot see or change costs', async () => {
  const before = await costRows();
  assert.doesNotMatch((await browser('sari.clerk').get('/staff')).body, /href="\/staff\/costs"/, 'no link for those who may not use it');
  assert.equal((await browser('sari.clerk').get('/staff/costs')).statusCode, 404);
  assert.equal((await browser('sari.clerk').get('/staff/costs?org=sari')).statusCode, 404);
  // A clerk holds a session and a CSRF token from any page; the post is still refused.
  const clerk = browser('sari.clerk');
  const tok = (await clerk.get('/staff')).body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
  assert.equal((await clerk.post('/staff/costs', { _csrf: tok, org: 'sari', period: '1404-07', service: '', cost_rials: '1', note: '' })).statusCode, 404);
  assert.equal((await clerk.post('/staff/costs/remove', { _csrf: tok, org: 'sari', period: '1404', service: 'permit' })).statusCode, 404);
  const citizenPage = await browser('citizen').get('/staff/costs');
  assert.equal(citizenPage.statusCode, 303);
  assert.match(String(citizenPage.headers.location), /^\/staff\/login/);
  const anonymous = await browser().get('/staff/costs');
  assert.equal(anonymous.statusCode, 303);
  const anonPost = await post(undefined, '/staff/costs', { org: 'sari', period: '1404-07', service: '', cost_rials: '1', note: '' });
  assert.ok([303, 403].includes(anonPost.statusCode), String(anonPost.statusCode));
  assert.equal((await api('PUT', '/api/v1/orgs/sari/costs', 'sari.clerk', { period: '1404-07', cost_rials: 1 })).statusCode, 404);
  assert.equal((await api('PUT', '/api/v1/orgs/sari/costs', 'citizen', { period: '1404-07', cost_rials: 1 })).statusCode, 401);
  assert.equal((await api('PUT', '/api/v1/orgs/sari/costs', undefined, { period: '1404-07', cost_rials: 1 })).statusCode, 401);
  assert.equal((await api('DELETE', '/api/v1/orgs/sari/costs?period=1404&service=permit', 'sari.clerk')).statusCode, 404);
  assert.equal((await api('DELETE', '/api/v1/orgs/sari/costs?period=1404&service=permit')).statusCode, 401);
  assert.deepEqual(await costRows(), before);
});

test('Babol\'s admin can neither see nor change Sari\'s costs: 404 and nothing changes', async () => {
  const before = await costRows();
  assert.ok(before.length > 0);
  assert.equal((await browser('babol.admin').get('/staff/costs?org=sari')).statusCode, 404);
  const own = await browser('babol.admin').get('/staff/costs');
  assert.equal(own.statusCode, 200);
  assert.doesNotMatch(own.body, /خدمت آزمایشی کارتابل/, 'Babol sees its own (empty) list and services only');
  assert.match(own.body, /هنوز هزینه‌ای ثبت نشده است/);
  assert.equal((await post('babol.admin', '/staff/costs', { org: 'sari', period: '1404-07', service: '', cost_rials: '1', note: '' })).statusCode, 404);
  assert.equal((await post('babol.admin', '/staff/costs/remove', { org: 'sari', period: '1404', service: 'permit' })).statusCode, 404);
  assert.equal((await api('PUT', '/api/v1/orgs/sari/costs', 'babol.admin', { period: '1404-07', cost_rials: 1 })).statusCode, 404);
  assert.equal((await api('DELETE', '/api/v1/orgs/sari/costs?period=1404&service=permit', 'babol.admin')).statusCode, 404);
  assert.deepEqual(await costRows(), before);
  // Sari's admin removes it through the API; a second removal finds nothing.
  assert.equal((await api('DELETE', '/api/v1/orgs/sari/costs?period=1404&service=permit', 'sari.admin')).statusCode, 204);
  assert.equal((await api('DELETE', '/api/v1/orgs/sari/costs?period=1404&service=permit', 'sari.admin')).statusCode, 404);
  assert.equal((await costRows()).length, 0);
});
