// The staff pages of city problem reports: the queue shows only one's own municipality, a
// report's forms move it (state with a reason, assignment by managers, public and internal
// messages, moderation that keeps the original for the audit log), another municipality's
// report answers 404 and stays untouched, and every form carries a CSRF token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, csrfFrom, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const staffIds: Record<string, string> = {};
const passwords: Record<string, string> = {};

/** A browser session of one user: their cookie, and the CSRF cookie once a page was read. */
function session(who: string, lang?: 'en') {
  const jar = new CookieJar();
  jar.take({ headers: { 'set-cookie': `pk_session=${tokens[who]}; Path=/` } });
  if (lang) jar.take({ headers: { 'set-cookie': `pk_lang=${lang}; Path=/` } });
  return jar;
}
const page = (who: string, url: string) => {
  const jar = session(who);
  return t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
};
/** Posts a form as the user would: reads the page for its token first (unless told not to send one). */
async function post(who: string, url: string, fields: Record<string, string>, opts: { from?: string; csrf?: boolean; lang?: 'en' } = {}) {
  const jar = session(who, opts.lang);
  const token = await csrfFrom(t, jar, opts.from ?? '/staff/reports');
  const body = new URLSearchParams(opts.csrf === false ? fields : { _csrf: token, ...fields }).toString();
  return t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
}

async function file(place: { lat: number; lng: number }, category = 'pothole', description = 'چاله بزرگ جلوی پلاک ۱۲') {
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${tokens.maryam}` }, payload: { category, description, ...place } });
  assert.equal(r.statusCode, 201, r.body);
  const code = r.json().tracking_code as string;
  const row = await t.deps.db.selectFrom('reports').select(['id']).where('tracking_code', '=', code).executeTakeFirstOrThrow();
  return { id: row.id, code };
}
const reportRow = (id: string) => t.deps.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const updateCount = async (id: string) => (await t.deps.db.selectFrom('report_updates').select('id').where('report_id', '=', id).execute()).length;

before(async () => {
  t = await makeTestApp();
  const org = await makeMunicipalities(t, ['babol', 'sari']);
  for (const [username, code, role] of [['babol.clerk', 'babol', 'clerk'], ['babol.manager', 'babol', 'manager'], ['sari.clerk', 'sari', 'clerk'], ['sari.manager', 'sari', 'manager']] as const) {
    const { id, password } = await makeStaff(t, username, [{ orgId: org[code]!, role }]);
    staffIds[username] = id;
    passwords[username] = password;
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.maryam = await signInCitizen(t, '09351112233');
});
after(async () => { await t.close(); });

test("the queue lists only one's own municipality: Babol's clerk never sees Sari's reports", async () => {
  const babol = await file(north(PLACES.babol, 100));
  const sari = await file(north(PLACES.sari, 100));
  const queue = await page('babol.clerk', '/staff/reports');
  assert.equal(queue.statusCode, 200);
  assert.ok(queue.body.includes(babol.code));
  assert.ok(!queue.body.includes(sari.code));
  assert.match(queue.body, /data-overdue-count="0"/);
  const sariQueue = await page('sari.clerk', '/staff/reports');
  assert.ok(sariQueue.body.includes(sari.code) && !sariQueue.body.includes(babol.code));
  // Searching by tracking code, and the link from the staff desk.
  const found = await page('babol.clerk', `/staff/reports?q=${encodeURIComponent(babol.code)}`);
  assert.ok(found.body.includes(`data-tracking="${babol.code}"`));
  assert.match((await page('babol.clerk', '/staff')).body, /href="\/staff\/reports"/);
  // Signed out: to the staff sign-in.
  const anon = await t.app.inject({ method: 'GET', url: '/staff/reports' });
  assert.equal(anon.statusCode, 303);
  assert.match(String(anon.headers.location), /^\/staff\/login/);
});

test("another municipality's report is a 404 page, and its forms change nothing", async () => {
  const sari = await file(north(PLACES.sari, 200));
  const detail = await page('babol.manager', `/staff/reports/${sari.id}`);
  assert.equal(detail.statusCode, 404);
  assert.match(String(detail.headers['content-type']), /text\/html/);
  assert.ok(!detail.body.includes(sari.code));
  assert.equal((await page('babol.clerk', '/staff/reports/no-such-report')).statusCode, 404);
  const before = await reportRow(sari.id);
  const updates = await updateCount(sari.id);
  for (const [path, fields] of [
    ['state', { state: 'rejected', comment: 'نه' }],
    ['assign', { department: '', officer: staffIds['babol.manager']! }],
    ['comment', { comment: 'سلام', audience: 'public' }],
    ['moderate', { description: 'پاک شد' }],
  ] as const) {
    const r = await post('babol.manager', `/staff/reports/${sari.id}/${path}`, fields);
    assert.equal(r.statusCode, 404, `${path}: ${r.statusCode}`);
  }
  assert.deepEqual(await reportRow(sari.id), before);
  assert.equal(await updateCount(sari.id), updates);
});

test('the state form moves a report on with a reason; rejecting without one names the field and keeps what was typed', async () => {
  const r = await file(north(PLACES.babol, 300));
  const url = `/staff/reports/${r.id}`;
  const detail = await page('babol.clerk', url);
  assert.equal(detail.statusCode, 200);
  assert.match(detail.body, /<select id="f-state" name="state"/);
  const noReason = await post('babol.clerk', `${url}/state`, { state: 'rejected', comment: '', internal: 'on' }, { from: url });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /id="f-state-comment-error"[^>]*>دلیل رد گزارش را بنویسید\.</);
  assert.match(noReason.body, /<option value="rejected" selected/);
  assert.match(noReason.body, /id="f-state-internal"[^>]*checked/);
  assert.equal((await reportRow(r.id)).state, 'received');
  const english = await post('babol.clerk', `${url}/state`, { state: 'rejected', comment: '' }, { from: url, lang: 'en' });
  assert.match(english.body, /id="f-state-comment-error"[^>]*>Give the reason for rejecting the report\.</);

  const moved = await post('babol.clerk', `${url}/state`, { state: 'in_progress', comment: 'اکیپ اعزام شد' }, { from: url });
  assert.equal(moved.statusCode, 303, moved.body);
  assert.equal(moved.headers.location, `${url}?done=state`);
  const after = await page('babol.clerk', `${url}?done=state`);
  assert.match(after.body, /وضعیت گزارش ثبت شد/);
  assert.match(after.body, /اکیپ اعزام شد/);
  const rejected = await post('babol.clerk', `${url}/state`, { state: 'rejected', comment: 'این محل ملک خصوصی است' }, { from: url });
  assert.equal(rejected.statusCode, 303, rejected.body);
  assert.equal((await reportRow(r.id)).state, 'rejected');
  // A closed report offers no further state.
  assert.doesNotMatch((await page('babol.clerk', url)).body, /<select id="f-state"/);
});

test('a duplicate is marked by typing the original tracking code', async () => {
  const original = await file(north(PLACES.babol, 400), 'garbage');
  const copy = await file(north(PLACES.babol, 410), 'garbage');
  const url = `/staff/reports/${copy.id}`;
  const bad = await post('babol.clerk', `${url}/state`, { state: 'duplicate', duplicate_of: 'BABOL-137-1300-999999' }, { from: url });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="f-duplicate_of-error"/);
  const ok = await post('babol.clerk', `${url}/state`, { state: 'duplicate', duplicate_of: original.code.toLowerCase() }, { from: url });
  assert.equal(ok.statusCode, 303, ok.body);
  assert.equal((await reportRow(copy.id)).duplicate_of, original.id);
  assert.ok((await page('babol.clerk', url)).body.includes(`href="/staff/reports/${original.id}"`));
});

test('a manager assigns a department and an officer; a clerk sees no assign form and a forged post is refused', async () => {
  const r = await file(north(PLACES.babol, 500), 'street-light');
  const url = `/staff/reports/${r.id}`;
  const managerView = await page('babol.manager', url);
  assert.match(managerView.body, /data-form="assign"/);
  assert.match(managerView.body, /data-form="moderate"/);
  const department = /<select id="f-department" name="department"[^>]*><option value>[^<]*<\/option><option value="([^"]+)"/.exec(managerView.body)?.[1];
  assert.ok(department, 'a department to pick');
  assert.ok(managerView.body.includes(`<option value="${staffIds['babol.clerk']}"`));
  assert.ok(!managerView.body.includes(staffIds['sari.clerk']!));

  const clerkView = await page('babol.clerk', url);
  assert.doesNotMatch(clerkView.body, /data-form="assign"/);
  assert.doesNotMatch(clerkView.body, /data-form="moderate"/);
  const forged = await post('babol.clerk', `${url}/assign`, { department, officer: staffIds['babol.clerk']! }, { from: url });
  assert.equal(forged.statusCode, 403);
  assert.equal((await reportRow(r.id)).assigned_to, null);

  const foreignOfficer = await post('babol.manager', `${url}/assign`, { department, officer: staffIds['sari.clerk']! }, { from: url });
  assert.equal(foreignOfficer.statusCode, 400);
  assert.match(foreignOfficer.body, /id="f-officer-error"/);
  const ok = await post('babol.manager', `${url}/assign`, { department, officer: staffIds['babol.clerk']! }, { from: url });
  assert.equal(ok.statusCode, 303, ok.body);
  const row = await reportRow(r.id);
  assert.equal(row.assigned_to, staffIds['babol.clerk']);
  assert.equal(row.assigned_department, department);
  const mine = await page('babol.clerk', '/staff/reports?assigned=me');
  assert.ok(mine.body.includes(r.code));
  assert.ok(!(await page('babol.clerk', '/staff/reports?assigned=none')).body.includes(r.code));
});

test('an internal note stays with staff; a public message reaches the public page of the report', async () => {
  const r = await file(north(PLACES.babol, 600));
  const url = `/staff/reports/${r.id}`;
  const empty = await post('babol.clerk', `${url}/comment`, { comment: '  ', audience: 'public' }, { from: url });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /id="f-comment-text-error"/);
  assert.equal((await post('babol.clerk', `${url}/comment`, { comment: 'پیمانکار فردا می‌رود', audience: 'internal' }, { from: url })).statusCode, 303);
  assert.equal((await post('babol.clerk', `${url}/comment`, { comment: 'گزارش شما به واحد فنی ارجاع شد', audience: 'public' }, { from: url })).statusCode, 303);
  const pub = await t.deps.services.grievances.publicGet(r.code);
  const comments = pub.updates.map((u) => u.comment);
  assert.ok(comments.includes('گزارش شما به واحد فنی ارجاع شد'));
  assert.ok(!comments.includes('پیمانکار فردا می‌رود'));
  const staff = (await page('babol.clerk', url)).body;
  assert.ok(staff.includes('پیمانکار فردا می‌رود'));
  assert.match(staff, /data-internal="true"[\s\S]*?یادداشت داخلی[\s\S]*?پیمانکار فردا می‌رود/);
});

test('moderation replaces the public description and keeps the original in the audit log', async () => {
  const original = 'همسایه‌ام آقای احمدی با شماره ۰۹۱۲۱۱۱۲۲۳۳ زباله می‌ریزد';
  const r = await file(north(PLACES.babol, 700), 'garbage', original);
  const url = `/staff/reports/${r.id}`;
  const redacted = 'یکی از همسایه‌ها زباله می‌ریزد';
  assert.equal((await post('babol.clerk', `${url}/moderate`, { description: redacted }, { from: url })).statusCode, 403);
  const ok = await post('babol.manager', `${url}/moderate`, { description: redacted }, { from: url });
  assert.equal(ok.statusCode, 303, ok.body);
  assert.equal((await t.deps.services.grievances.publicGet(r.code)).description, redacted);
  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'data']).where('entity_id', '=', r.id).execute();
  assert.ok(audit.some((a) => a.data.includes(original)), 'the original text is in the audit log');
  const staffView = (await page('babol.manager', `${url}?done=moderate`)).body;
  assert.match(staffView, /بازبینی محتوا ثبت شد/);
  // Hiding the whole description: the public sees none, staff see it with a marker.
  assert.equal((await post('babol.manager', `${url}/moderate`, { description: redacted, hide_description: 'on' }, { from: url })).statusCode, 303);
  assert.equal((await t.deps.services.grievances.publicGet(r.code)).description, null);
  const hidden = (await page('babol.clerk', url)).body;
  assert.match(hidden, /data-marker="hidden"/);
  assert.ok(hidden.includes(redacted));
});

test('moderation hides a photo from the public; staff still see it, marked', async () => {
  const r = await file(north(PLACES.babol, 750), 'rubble');
  const row = await reportRow(r.id);
  const photo = (id: string) => ({ id, report_id: r.id, org_id: row.org_id, file_key: `k-${id}`, content_type: 'image/png', size: 10, sha256: '0'.repeat(64), hidden: 0 as const, created_at: t.clock.now() });
  await t.deps.db.insertInto('report_photos').values([photo('ph-face'), photo('ph-road')]).execute();
  const url = `/staff/reports/${r.id}`;
  const form = (await page('babol.manager', url)).body;
  assert.match(form, /name="hide_photo_ph-face"/);
  const ok = await post('babol.manager', `${url}/moderate`, { description: 'نخاله ساختمانی', 'hide_photo_ph-face': 'on' }, { from: url });
  assert.equal(ok.statusCode, 303, ok.body);
  assert.deepEqual((await t.deps.services.grievances.publicGet(r.code)).photos.map((p) => p.id), ['ph-road']);
  const staff = (await page('babol.clerk', url)).body;
  assert.match(staff, /data-photo="ph-face" data-hidden="true"/);
  assert.match(staff, /data-photo="ph-road" data-hidden="false"/);
  // Showing it again.
  assert.equal((await post('babol.manager', `${url}/moderate`, { description: 'نخاله ساختمانی' }, { from: url })).statusCode, 303);
  assert.equal((await t.deps.services.grievances.publicGet(r.code)).photos.length, 2);
});

test('every form carries a CSRF token, and a post without one fails and changes nothing', async () => {
  const r = await file(north(PLACES.babol, 800));
  const url = `/staff/reports/${r.id}`;
  const body = (await page('babol.manager', url)).body;
  const forms = body.split('<form').slice(1).filter((f) => /^[^>]*method="post"/.test(f));
  assert.ok(forms.length >= 5, `forms: ${forms.length}`);
  for (const f of forms) assert.match(f.slice(0, f.indexOf('</form>')), /name="_csrf" value="[^"]+"/);
  for (const path of ['state', 'assign', 'comment', 'moderate']) {
    const res = await post('babol.manager', `${url}/${path}`, { state: 'in_progress', comment: 'x', description: 'y', officer: staffIds['babol.clerk']! }, { from: url, csrf: false });
    assert.equal(res.statusCode, 403, path);
  }
  const row = await reportRow(r.id);
  assert.equal(row.state, 'received');
  assert.equal(row.assigned_to, null);
  assert.equal(row.description, 'چاله بزرگ جلوی پلاک ۱۲');
});

// Last: it moves the clock past every deadline.
test('the overdue filter and count show reports past their due date, flagged in the queue', async () => {
  const r = await file(north(PLACES.babol, 900), 'pothole');
  assert.ok(!(await page('babol.clerk', '/staff/reports?overdue=true')).body.includes(r.code));
  const due = Number((await reportRow(r.id)).due_at);
  t.clock.advance(due - t.clock.now() + 60_000);
  tokens['babol.clerk'] = await signInStaff(t, 'babol.clerk', passwords['babol.clerk']!); // the old session has expired meanwhile
  const queue = await page('babol.clerk', '/staff/reports?overdue=true');
  assert.equal(queue.statusCode, 200);
  assert.ok(queue.body.includes(r.code));
  assert.match(queue.body, /data-overdue-count="[1-9]\d*"/);
  const row = new RegExp(`data-tracking="${r.code}"[\\s\\S]*?</tr>`).exec(queue.body)?.[0] ?? '';
  assert.match(row, /data-flag="overdue"/);
  assert.match(row, /text-danger/);
  // Closed reports are never overdue.
  assert.ok(!queue.body.includes('data-state="rejected"'));
  assert.match((await page('babol.clerk', `/staff/reports/${r.id}`)).body, /data-flag="overdue"/);
});
