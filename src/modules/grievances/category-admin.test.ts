// A municipality's admin manages its own report categories (۱۳۷): creates, edits and retires
// them through the API and the staff pages. A clerk of the same municipality and the admin of
// another one get the answer of a missing page; a retired category is neither offered nor
// accepted; a new deadline applies to the next report only; every change is audited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, csrfFrom, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { t as msg } from '../../platform/i18n/messages.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';

let t: TestApp;
let ids: Record<string, string>;
const tokens: Record<string, string> = {};

const api = (method: 'GET' | 'POST' | 'PUT', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const BASE = '/api/v1/orgs/babol/report-categories';

/** A browser session of one user: their session cookie. */
function session(who: string) {
  const jar = new CookieJar();
  jar.take({ headers: { 'set-cookie': `pk_session=${tokens[who]}; Path=/` } });
  return jar;
}
const page = (who: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: session(who).header() } });
/** Posts a form as a browser would: reads the form page for its token first (unless told not to send one). */
async function post(who: string, url: string, fields: Record<string, string>, opts: { from: string; csrf?: boolean }) {
  const jar = session(who);
  const token = await csrfFrom(t, jar, opts.from);
  const body = new URLSearchParams(opts.csrf === false ? fields : { _csrf: token, ...fields }).toString();
  return t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
}

const category = (org: string, code: string) => t.deps.db.selectFrom('report_categories as c').innerJoin('orgs as o', 'o.id', 'c.org_id')
  .selectAll('c').where('o.code', '=', org).where('c.code', '=', code).executeTakeFirst();
const bench = { code: 'broken-bench', group: 'public-places', title_fa: 'نیمکت شكسته', title_en: 'Broken bench', deadline_days: 7, department_fa: 'سازمان پارك‌ها', department_en: 'Parks' };
const full = { ...bench, allow_anonymous: true, active: true };

before(async () => {
  t = await makeTestApp();
  ids = await makeMunicipalities(t, ['babol', 'sari']);
  for (const [username, code, role] of [['babol.admin', 'babol', 'org_admin'], ['babol.clerk', 'babol', 'clerk'], ['sari.admin', 'sari', 'org_admin']] as const) {
    const { password } = await makeStaff(t, username, [{ orgId: ids[code]!, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.maryam = await signInCitizen(t, '09351112233');
});
after(async () => { await t.close(); });

test("Babol's admin lists Babol's categories with their open reports, and adds one (Persian text normalised)", async () => {
  const list = await api('GET', BASE, 'babol.admin');
  assert.equal(list.statusCode, 200, list.body);
  const items = list.json().items as { code: string; group: string; active: boolean; open_reports: number; deadline_days: number }[];
  assert.equal(items.length, 10);
  const pothole = items.find((c) => c.code === 'pothole');
  assert.deepEqual([pothole?.group, pothole?.active, pothole?.open_reports, pothole?.deadline_days], ['urban-services', true, 0, 5]);

  const created = await api('POST', BASE, 'babol.admin', bench);
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().title_fa, 'نیمکت شکسته', 'Arabic kaf became Persian');
  assert.equal(created.json().department_fa, 'سازمان پارک‌ها');
  assert.equal(created.json().allow_anonymous, false);
  assert.equal(created.json().active, true);
  const row = await category('babol', 'broken-bench');
  assert.equal(row?.deadline_days, 7);
  assert.equal(await category('sari', 'broken-bench'), undefined, "Sari's categories did not change");

  const offered = await t.app.inject({ method: 'GET', url: '/open311/v2/services.json?jurisdiction_id=babol' });
  assert.ok((offered.json() as { service_code: string }[]).some((s) => s.service_code === 'broken-bench'));
});

test('a duplicate code and a deadline out of range are field errors; nothing is written', async () => {
  const dup = await api('POST', BASE, 'babol.admin', { ...bench, code: 'pothole' });
  assert.equal(dup.statusCode, 409, dup.body);
  assert.ok(dup.json().error.fields.code, dup.body);
  for (const days of [0, 91]) {
    const r = await api('POST', BASE, 'babol.admin', { ...bench, code: 'late', deadline_days: days });
    assert.equal(r.statusCode, 400, r.body);
    assert.deepEqual(Object.keys(r.json().error.fields), ['deadline_days']);
  }
  const put = await api('PUT', `${BASE}/pothole`, 'babol.admin', { ...full, title_fa: 'چاله', deadline_days: 120 });
  assert.equal(put.statusCode, 400);
  assert.ok(put.json().error.fields.deadline_days);
  const badCode = await api('POST', BASE, 'babol.admin', { ...bench, code: 'Not A Slug' });
  assert.equal(badCode.statusCode, 400);
  assert.ok(badCode.json().error.fields.code);
  assert.equal(await category('babol', 'late'), undefined);
  assert.equal((await category('babol', 'pothole'))?.deadline_days, 5);
});

test("a Babol clerk and Sari's admin cannot see or change Babol's categories (answered as missing)", async () => {
  for (const who of ['babol.clerk', 'sari.admin']) {
    assert.equal((await api('GET', BASE, who)).statusCode, 404, who);
    assert.equal((await api('POST', BASE, who, { ...bench, code: 'intruder' })).statusCode, 404, who);
    assert.equal((await api('PUT', `${BASE}/pothole`, who, { ...full, code: undefined, title_fa: 'x' })).statusCode, 404, who);
    assert.equal((await page(who, '/staff/reports/categories?org=babol')).statusCode, 404, who);
    assert.equal((await page(who, '/staff/reports/categories/pothole?org=babol')).statusCode, 404, who);
  }
  assert.equal((await page('babol.clerk', '/staff/reports/categories')).statusCode, 404, 'a clerk manages no categories');
  assert.equal((await api('GET', BASE)).statusCode, 401);
  assert.equal((await api('GET', BASE, 'maryam')).statusCode, 401);
  assert.equal((await api('GET', '/api/v1/orgs/sari/report-categories', 'sari.admin')).statusCode, 200, "Sari's admin manages Sari's");
  assert.equal(await category('babol', 'intruder'), undefined);
  assert.equal((await category('babol', 'pothole'))?.title_fa, 'چاله و خرابی آسفالت');
});

test('an inactive category is not offered and refuses new reports; its code stays taken', async () => {
  const off = await api('PUT', `${BASE}/noise`, 'babol.admin', { group: 'social', title_fa: 'آلودگی صوتی', title_en: 'Noise', deadline_days: 5, department_fa: 'واحد محیط زیست شهری', department_en: 'Urban environment', allow_anonymous: false, active: false });
  assert.equal(off.statusCode, 200, off.body);
  assert.equal(off.json().active, false);

  const services = (await t.app.inject({ method: 'GET', url: '/open311/v2/services.json?jurisdiction_id=babol' })).json() as { service_code: string }[];
  assert.ok(!services.some((s) => s.service_code === 'noise'), 'not an Open311 service of Babol');
  assert.ok(services.some((s) => s.service_code === 'pothole'));
  const sari = (await t.app.inject({ method: 'GET', url: '/open311/v2/services.json?jurisdiction_id=sari' })).json() as { service_code: string }[];
  assert.ok(sari.some((s) => s.service_code === 'noise'), "Sari's noise category is still offered");
  assert.equal((await t.app.inject({ method: 'GET', url: '/open311/v2/services/noise.json?jurisdiction_id=babol' })).statusCode, 404, 'no service definition either');

  const filed = await api('POST', '/api/v1/reports', 'maryam', { category: 'noise', description: 'صدای بلند موسیقی هر شب', ...north(PLACES.babol, 50), attributes: { when: 'night' } });
  assert.equal(filed.statusCode, 400, filed.body);
  assert.ok(filed.json().error.fields.category, filed.body);
  const nearby = await api('GET', `/api/v1/reports/nearby?lat=${PLACES.babol.lat}&lng=${PLACES.babol.lng}&category=noise`);
  assert.equal(nearby.statusCode, 400);

  const listed = (await api('GET', BASE, 'babol.admin')).json().items as { code: string; active: boolean }[];
  assert.equal(listed.find((c) => c.code === 'noise')?.active, false, 'the admin still sees it');
  assert.equal((await api('POST', BASE, 'babol.admin', { ...bench, code: 'noise' })).statusCode, 409);
});

test('a new deadline changes the due date of the next report only', async () => {
  const fileOne = async () => {
    const r = await api('POST', '/api/v1/reports', 'maryam', { category: 'pothole', description: 'چاله عمیق وسط خیابان', ...north(PLACES.babol, 300) });
    assert.equal(r.statusCode, 201, r.body);
    return t.deps.db.selectFrom('reports').select(['id', 'due_at', 'created_at']).where('tracking_code', '=', r.json().tracking_code).executeTakeFirstOrThrow();
  };
  const first = await fileOne();
  const changed = await api('PUT', `${BASE}/pothole`, 'babol.admin', { group: 'urban-services', title_fa: 'چاله و خرابی آسفالت', title_en: 'Pothole', deadline_days: 1, department_fa: 'معاونت فنی و عمرانی', department_en: 'Public works', allow_anonymous: true, active: true });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(changed.json().open_reports, 1);
  const second = await fileOne();
  const now = t.clock.now();
  assert.equal(Number(second.due_at), t.deps.calendar.addBusinessDays(new Date(now), 1).getTime());
  assert.equal(Number(first.due_at), t.deps.calendar.addBusinessDays(new Date(Number(first.created_at)), 5).getTime());
  assert.equal(Number((await t.deps.db.selectFrom('reports').select('due_at').where('id', '=', first.id).executeTakeFirstOrThrow()).due_at), Number(first.due_at), 'the filed report kept its due date');
  assert.ok(Number(second.due_at) < Number(first.due_at));
});

test('every change is audited with what was before and after', async () => {
  const rows = await t.deps.db.selectFrom('audit_log').select(['action', 'entity', 'actor_kind', 'data', 'org_id']).where('entity', '=', 'report_category').orderBy('seq').execute();
  const created = rows.find((r) => r.action === 'report_category.created');
  assert.ok(created);
  assert.equal(created.org_id, ids.babol);
  assert.equal(created.actor_kind, 'staff');
  assert.equal(JSON.parse(created.data).code, 'broken-bench');
  const deactivated = rows.map((r) => ({ ...r, data: JSON.parse(r.data) as { code: string; before: Record<string, unknown>; after: Record<string, unknown> } }))
    .find((r) => r.action === 'report_category.updated' && r.data.code === 'noise');
  assert.deepEqual(deactivated?.data.before, { active: true });
  assert.deepEqual(deactivated?.data.after, { active: false });
  const deadline = rows.map((r) => JSON.parse(r.data) as { code: string; before?: Record<string, unknown>; after?: Record<string, unknown> }).find((d) => d.code === 'pothole' && d.after?.deadline_days === 1);
  assert.deepEqual(deadline?.before, { deadline_days: 5 });
  assert.ok(rows.every((r) => r.org_id === ids.babol), 'refused attempts wrote nothing');
});

test('the staff pages: grouped list, a new category with field errors kept, an edit that deactivates, CSRF required', async () => {
  const list = await page('babol.admin', '/staff/reports/categories?org=babol');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /data-group="urban-services"/);
  assert.match(list.body, /data-group="social"/);
  assert.ok(list.body.includes(msg('fa', 'category_admin.group.social')));
  assert.match(list.body, /data-code="noise" class="text-secondary"/, 'the inactive category is listed, greyed');
  assert.ok(list.body.includes('href="/staff/reports/categories/pothole?org=babol"'));
  assert.ok(list.body.includes('۱ روز کاری'), 'deadlines in Persian digits');
  assert.equal((await page('babol.admin', '/staff/reports/categories')).statusCode, 200, 'their own municipality by default');

  const form = '/staff/reports/categories/new?org=babol';
  const empty = await page('babol.admin', form);
  assert.equal(empty.statusCode, 200);
  assert.ok(empty.body.includes(msg('fa', 'category_admin.field.deadline_hint')), 'the form says a deadline applies to new reports');
  const fields = { code: 'pothole', group: 'transport', title_fa: 'چراغ راهنمایی خراب', title_en: '', deadline_days: '۹۵', department_fa: 'ترافیک', department_en: '', active: 'on' };
  const bad = await post('babol.admin', form, fields, { from: form });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.body.includes(msg('fa', 'category_admin.deadline_range')));
  assert.ok(bad.body.includes('value="چراغ راهنمایی خراب"'), 'values kept');
  const dup = await post('babol.admin', form, { ...fields, deadline_days: '۴' }, { from: form });
  assert.equal(dup.statusCode, 409);
  assert.ok(dup.body.includes(msg('fa', 'category_admin.code_taken')));

  const noToken = await post('babol.admin', form, { ...fields, code: 'traffic-light', deadline_days: '4' }, { from: form, csrf: false });
  assert.equal(noToken.statusCode, 403);
  assert.equal(await category('babol', 'traffic-light'), undefined);

  const ok = await post('babol.admin', form, { ...fields, code: 'traffic-light', deadline_days: '۴' }, { from: form });
  assert.equal(ok.statusCode, 303, ok.body);
  assert.equal(ok.headers.location, '/staff/reports/categories?org=babol&done=created');
  const row = await category('babol', 'traffic-light');
  assert.deepEqual([row?.group, row?.deadline_days, row?.active, row?.allow_anonymous], ['transport', 4, 1, 0]);

  const edit = '/staff/reports/categories/traffic-light?org=babol';
  const editPage = await page('babol.admin', edit);
  assert.equal(editPage.statusCode, 200);
  assert.ok(!editPage.body.includes('name="code"'), 'the code is fixed');
  const editFields = { group: 'transport', title_fa: 'چراغ راهنمایی خراب', title_en: 'Broken traffic light', deadline_days: '2', department_fa: 'ترافیک', department_en: 'Traffic', allow_anonymous: 'on' };
  assert.equal((await post('babol.admin', edit, editFields, { from: edit, csrf: false })).statusCode, 403);
  const saved = await post('babol.admin', edit, editFields, { from: edit });
  assert.equal(saved.statusCode, 303, saved.body);
  const after = await category('babol', 'traffic-light');
  assert.deepEqual([after?.deadline_days, after?.active, after?.allow_anonymous, after?.title_en], [2, 0, 1, 'Broken traffic light']);

  const sariPost = await post('sari.admin', edit, { ...editFields, active: 'on' }, { from: '/staff/reports/categories?org=sari' });
  assert.equal(sariPost.statusCode, 404, "Sari's admin cannot change Babol's category");
  assert.equal((await category('babol', 'traffic-light'))?.active, 0);
});

test('the reports queue links to the categories page for those who manage them', async () => {
  const { ReportQueuePage } = await import('./views/staff.js');
  const { renderPage } = await import('../../platform/views/render.js');
  const { makeViewContext } = await import('../../platform/views/context.js');
  const { h } = await import('preact');
  const ctx = makeViewContext({ locale: 'fa', path: '/staff/reports', user: null, csrf: 'x', isProduction: false, now: t.clock.now() });
  const base = { ctx, rows: [], filters: {}, overdueCount: 0, orgChoices: [], categories: [], states: [], orgNames: new Map(), departmentName: (s: string) => s };
  assert.ok(renderPage(h(ReportQueuePage, { ...base, categoriesHref: '/staff/reports/categories?org=babol' })).includes('href="/staff/reports/categories?org=babol"'));
  assert.ok(!renderPage(h(ReportQueuePage, base)).includes('/staff/reports/categories'));
});
