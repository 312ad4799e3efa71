// Corrections by the council on a real database (SQLite or PostgreSQL, TEST_DB): a recorded
// meeting and a resolution changed through the API and the staff pages, each change audited with
// the earlier value; a resolution made internal leaves the public page; a changed deadline is
// notified once more; targets set, changed and removed on the targets page and shown on the
// public indicators page. Organizations' admins, clerks, citizens and anonymous callers are
// refused and change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { jalaliParts } from '../../platform/i18n/format.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const passwords: Record<string, string> = {};
const ids: Record<string, string> = {};
const res: Record<string, string> = {};

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const browser = (who?: string) => new FormBrowser(t, who ? tokens[who] : undefined);
async function postForm(who: string | undefined, url: string, fields: Record<string, string | string[]>, tokenFrom = '/staff') {
  const b = browser(who);
  const token = who ? (await b.get(tokenFrom)).body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '' : 'none';
  return b.post(url, { _csrf: token, ...fields });
}
const meetingRow = () => t.deps.db.selectFrom('council_meetings').selectAll().where('number', '=', 1).executeTakeFirstOrThrow();
const resolutionRow = (id: string) => t.deps.db.selectFrom('council_resolutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = async (action: string) => (await t.deps.db.selectFrom('audit_log').select(['data', 'entity_id']).where('action', '=', action).orderBy('seq').execute())
  .map((a) => ({ entity: a.entity_id, data: typeof a.data === 'string' ? JSON.parse(a.data) : a.data }));
async function signInAgain() {
  for (const [u, p] of Object.entries(passwords)) tokens[u] = await signInStaff(t, u, p);
}

// The test clock stands at 2026-11-28 09:00 UTC = 7 Azar 1405.
before(async () => {
  t = await makeTestApp();
  ids.mazandaran = await makeOrg(t, 'mazandaran', 'province');
  ids.sari = await makeOrg(t, 'sari', 'municipality', ids.mazandaran);
  ids.babol = await makeOrg(t, 'babol', 'municipality', ids.mazandaran);
  const staff: [string, string, 'council_member' | 'org_admin' | 'clerk'][] = [
    ['council', 'mazandaran', 'council_member'], ['sari.admin', 'sari', 'org_admin'], ['babol.admin', 'babol', 'org_admin'], ['sari.clerk', 'sari', 'clerk'],
  ];
  for (const [username, org, role] of staff) {
    const { password } = await makeStaff(t, username, [{ orgId: ids[org]!, role }]);
    passwords[username] = password;
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.citizen = await signInCitizen(t, '09121234567');
  const r = await api('POST', '/api/v1/council/meetings', 'council', {
    held_on: '1405/09/01', title_fa: 'جلسه شورا', orgs_present: ['mazandaran', 'babol'], summary_fa: 'خلاصه نخست',
    resolutions: [
      { text_fa: 'بابل پرداخت برخط عوارض را راه بیندازد', responsible_org: 'babol', deadline: '1405/09/03', expected_output_fa: 'پرداخت برخط' },
      { text_fa: 'ساری پیشخوان را به سامانه پنجره واحد وصل کند', responsible_org: 'sari', deadline: null, expected_output_fa: 'اتصال' },
    ],
  });
  assert.equal(r.statusCode, 201, r.body);
  const items = (await api('GET', '/api/v1/council/resolutions?meeting=1', 'council')).json().items as { id: string; number: number }[];
  res.first = items.find((x) => x.number === 1)!.id;
  res.second = items.find((x) => x.number === 2)!.id;
});
after(async () => { await t.close(); });

test('the council corrects a meeting through the API; the audit entry keeps what changed, before and after; others are refused', async () => {
  const before = await meetingRow();
  const patch = { held_on: '1405/09/02', title_fa: 'جلسه دوم شورا', orgs_present: ['mazandaran', 'sari'] };
  assert.equal((await api('PATCH', '/api/v1/council/meetings/1', 'sari.admin', patch)).statusCode, 403);
  assert.equal((await api('PATCH', '/api/v1/council/meetings/1', 'sari.clerk', patch)).statusCode, 403);
  assert.equal((await api('PATCH', '/api/v1/council/meetings/1', 'citizen', patch)).statusCode, 401);
  assert.equal((await api('PATCH', '/api/v1/council/meetings/1', undefined, patch)).statusCode, 401);
  assert.equal((await api('PATCH', '/api/v1/council/meetings/99', 'council', patch)).statusCode, 404);
  const badDate = await api('PATCH', '/api/v1/council/meetings/1', 'council', { held_on: '1405/13/01' });
  assert.equal(badDate.statusCode, 400);
  assert.match(badDate.json().error.fields.held_on, /۱۴۰۴\/۱۲\/۲۹/);
  const badOrg = await api('PATCH', '/api/v1/council/meetings/1', 'council', { orgs_present: ['tehran'] });
  assert.equal(badOrg.statusCode, 400);
  assert.ok(badOrg.json().error.fields.orgs_present);
  const emptyTitle = await api('PATCH', '/api/v1/council/meetings/1', 'council', { title_fa: '' });
  assert.equal(emptyTitle.statusCode, 400);
  assert.ok(emptyTitle.json().error.fields.title_fa);
  assert.deepEqual(await meetingRow(), before, 'nothing changed');

  const ok = await api('PATCH', '/api/v1/council/meetings/1', 'council', patch);
  assert.equal(ok.statusCode, 200, ok.body);
  const m = (await api('GET', '/api/v1/council/meetings/1')).json();
  assert.equal(m.title.fa, 'جلسه دوم شورا');
  assert.deepEqual(m.orgs_present, ['mazandaran', 'sari']);
  const held = jalaliParts(Date.parse(m.held_at));
  assert.deepEqual([held.year, held.month, held.day], [1405, 9, 2]);
  assert.equal(m.summary.fa, 'خلاصه نخست', 'fields not given stay');
  const [audit] = await auditOf('council.meeting_changed');
  assert.deepEqual(audit!.data.before.orgs_present, ['mazandaran', 'babol']);
  assert.deepEqual(audit!.data.after.orgs_present, ['mazandaran', 'sari']);
  assert.equal(audit!.data.before.title_fa, 'جلسه شورا');
  assert.equal(audit!.data.after.title_fa, 'جلسه دوم شورا');
  assert.equal('summary_fa' in audit!.data.after, false, 'unchanged fields are not in the entry');
});

test('the meeting correction page: typed values stay on a refusal; a correction lands; others are refused', async () => {
  const page = await browser('council').get('/staff/council/meetings/1/edit');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /name="held_on"[^>]*value="1405\/09\/02"/);
  assert.match(page.body, /id="m-org-sari"[^>]*checked/);
  assert.doesNotMatch(page.body, /id="m-org-babol"[^>]*checked/);
  assert.equal((await browser('sari.admin').get('/staff/council/meetings/1/edit')).statusCode, 403);
  assert.equal((await browser('council').get('/staff/council/meetings/7/edit')).statusCode, 404);
  const anonymous = await browser().get('/staff/council/meetings/1/edit');
  assert.equal(anonymous.statusCode, 303);
  const fields = { held_on: '۱۴۰۵/۰۹/۴۰', title_fa: '', title_en: 'Council meeting', orgs_present: ['babol', 'sari'], summary_fa: 'خلاصه تازه', summary_en: '' };
  const before = await meetingRow();
  const bad = await postForm('council', '/staff/council/meetings/1/edit', fields);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="m-held-error"[^>]*>تاریخ را به شکل/);
  assert.match(bad.body, /id="m-title-error"[^>]*>این فیلد الزامی است/);
  assert.match(bad.body, /name="held_on"[^>]*value="۱۴۰۵\/۰۹\/۴۰"/);
  assert.match(bad.body, /name="title_en"[^>]*value="Council meeting"/);
  assert.match(bad.body, />خلاصه تازه<\/textarea>/);
  assert.match(bad.body, /id="m-org-babol"[^>]*checked/);
  assert.equal((await postForm('sari.admin', '/staff/council/meetings/1/edit', { ...fields, held_on: '1405/09/05', title_fa: 'x' })).statusCode, 403);
  assert.equal((await postForm('sari.clerk', '/staff/council/meetings/1/edit', { ...fields, held_on: '1405/09/05', title_fa: 'x' })).statusCode, 403);
  assert.deepEqual(await meetingRow(), before, 'nothing changed');
  const ok = await postForm('council', '/staff/council/meetings/1/edit', { ...fields, held_on: '1405/09/05', title_fa: 'جلسه سوم' });
  assert.equal(ok.statusCode, 303, ok.body);
  const m = (await api('GET', '/api/v1/council/meetings/1')).json();
  assert.equal(m.title.fa, 'جلسه سوم');
  assert.deepEqual(m.orgs_present, ['babol', 'sari']);
  assert.equal(m.summary.fa, 'خلاصه تازه');
  const staffPage = await browser('council').get('/staff/council');
  assert.match(staffPage.body, /href="\/staff\/council\/meetings\/1\/edit"/);
  assert.doesNotMatch((await browser('sari.admin').get('/staff/council')).body, /meetings\/1\/edit/, 'only the council sees the correction links');
});

test('the council corrects a resolution through the API, audited before and after; made internal, it leaves the public page and API', async () => {
  const patch = { text_fa: 'بابل و ساری پرداخت برخط را راه بیندازند', responsible_org: 'sari', expected_output_fa: 'درگاه پرداخت', internal: true };
  for (const [who, status] of [['sari.admin', 403], ['babol.admin', 403], ['sari.clerk', 403], ['citizen', 401], [undefined, 401]] as const) {
    assert.equal((await api('PATCH', `/api/v1/council/resolutions/${res.first}`, who, patch)).statusCode, status, String(who));
  }
  assert.equal((await api('PATCH', '/api/v1/council/resolutions/nope', 'council', patch)).statusCode, 404);
  const before = await resolutionRow(res.first!);
  const badOrg = await api('PATCH', `/api/v1/council/resolutions/${res.first}`, 'council', { responsible_org: 'tehran' });
  assert.equal(badOrg.statusCode, 400);
  assert.ok(badOrg.json().error.fields.responsible_org);
  const badText = await api('PATCH', `/api/v1/council/resolutions/${res.first}`, 'council', { text_fa: '   ' });
  assert.equal(badText.statusCode, 400);
  assert.ok(badText.json().error.fields.text_fa);
  const badDeadline = await api('PATCH', `/api/v1/council/resolutions/${res.first}`, 'council', { deadline: '1405/02/32' });
  assert.equal(badDeadline.statusCode, 400);
  assert.ok(badDeadline.json().error.fields.deadline);
  assert.deepEqual(await resolutionRow(res.first!), before, 'nothing changed');

  const publicBefore = await t.app.inject({ method: 'GET', url: '/council' });
  assert.match(publicBefore.body, /بابل پرداخت برخط عوارض/);
  const ok = await api('PATCH', `/api/v1/council/resolutions/${res.first}`, 'council', patch);
  assert.equal(ok.statusCode, 200, ok.body);
  const mine = (await api('GET', '/api/v1/council/resolutions?meeting=1', 'sari.admin')).json().items.find((x: { id: string }) => x.id === res.first);
  assert.equal(mine.text.fa, patch.text_fa);
  assert.equal(mine.responsible_org.code, 'sari');
  assert.equal(mine.expected_output.fa, 'درگاه پرداخت');
  assert.equal(mine.internal, true);
  const publicAfter = await t.app.inject({ method: 'GET', url: '/council' });
  assert.doesNotMatch(publicAfter.body, /پرداخت برخط/);
  assert.equal((await api('GET', '/api/v1/council/resolutions?meeting=1')).json().items.some((x: { id: string }) => x.id === res.first), false);
  assert.equal((await api('GET', '/api/v1/council/resolutions?meeting=1', 'babol.admin')).json().items.some((x: { id: string }) => x.id === res.first), false, 'Babol no longer answers for it and it is internal');
  const audits = await auditOf('council.resolution_changed');
  const last = audits.at(-1)!;
  assert.equal(last.entity, res.first);
  assert.deepEqual(last.data.before, { text_fa: 'بابل پرداخت برخط عوارض را راه بیندازد', responsible_org: 'babol', expected_output_fa: 'پرداخت برخط', internal: false });
  assert.deepEqual(last.data.after, { text_fa: patch.text_fa, responsible_org: 'sari', expected_output_fa: 'درگاه پرداخت', internal: true });
  // Public again.
  assert.equal((await api('PATCH', `/api/v1/council/resolutions/${res.first}`, 'council', { internal: false })).statusCode, 200);
  assert.match((await t.app.inject({ method: 'GET', url: '/council' })).body, /بابل و ساری پرداخت برخط/);
});

test('a changed deadline is notified once more when it passes; an unchanged one is not', async () => {
  const scanner = t.deps.councilOverdue;
  t.clock.advance(86_400_000); // 8 Azar: the deadline of 3 Azar has passed
  assert.equal(await scanner.scanOnce(), 1);
  assert.equal(await scanner.scanOnce(), 0);
  await signInAgain();
  // Saving the same deadline is no change: nothing to notify.
  assert.equal((await api('PATCH', `/api/v1/council/resolutions/${res.first}`, 'council', { deadline: '1405/09/03' })).statusCode, 200);
  assert.equal(await scanner.scanOnce(), 0);
  // A later deadline, also passed by now: notified once.
  assert.equal((await api('PATCH', `/api/v1/council/resolutions/${res.first}`, 'council', { deadline: '1405/09/06' })).statusCode, 200);
  assert.equal((await resolutionRow(res.first!)).overdue_notified_for, null);
  assert.equal(await scanner.scanOnce(), 1);
  assert.equal(await scanner.scanOnce(), 0);
  // A deadline in the future: overdue no more, and notified when it passes.
  assert.equal((await api('PATCH', `/api/v1/council/resolutions/${res.first}`, 'council', { deadline: '1405/09/09' })).statusCode, 200);
  assert.equal(await scanner.scanOnce(), 0);
  assert.equal((await api('GET', '/api/v1/council/resolutions?meeting=1', 'council')).json().items.find((x: { id: string }) => x.id === res.first).overdue, false);
  t.clock.advance(2 * 86_400_000); // 10 Azar: the 9th has ended
  assert.equal(await scanner.scanOnce(), 1);
  await signInAgain();
  const audits = await auditOf('council.resolution_overdue');
  assert.equal(audits.filter((a) => a.entity === res.first).length, 3);
});

test('the resolution correction page: typed values stay on a refusal, a correction lands, and the council cancels a resolution', async () => {
  const url = `/staff/council/resolutions/${res.second}/edit`;
  const page = await browser('council').get(url);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /ساری پیشخوان را به سامانه پنجره واحد وصل کند<\/textarea>/);
  assert.match(page.body, /name="deadline"[^>]*value[ />]/, 'no deadline: an empty field');
  assert.equal((await browser('sari.admin').get(url)).statusCode, 403, 'the responsible organization reports progress but does not rewrite the resolution');
  assert.equal((await browser('sari.clerk').get(url)).statusCode, 403);
  assert.equal((await browser('citizen').get(url)).statusCode, 303);
  assert.equal((await browser('council').get('/staff/council/resolutions/nope/edit')).statusCode, 404);
  const before = await resolutionRow(res.second!);
  const fields = { text_fa: '', text_en: 'Connect the counter', responsible_org: 'babol', deadline: '1405/14/01', expected_output_fa: 'اتصال کامل', expected_output_en: '', state: 'open', internal: 'on' };
  const bad = await postForm('council', url, fields);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="r-text-error"[^>]*>این فیلد الزامی است/);
  assert.match(bad.body, /id="r-deadline-error"[^>]*>تاریخ را به شکل/);
  assert.match(bad.body, /name="deadline"[^>]*value="1405\/14\/01"/);
  assert.match(bad.body, /name="expected_output_fa"[^>]*value="اتصال کامل"/);
  assert.match(bad.body, /<option value="babol" selected>/);
  assert.match(bad.body, /id="r-internal"[^>]*checked/);
  assert.equal((await postForm('sari.admin', url, { ...fields, text_fa: 'x', deadline: '' })).statusCode, 403);
  assert.ok([303, 403].includes((await postForm(undefined, url, { ...fields, text_fa: 'x', deadline: '' })).statusCode), 'anonymous: no session, no CSRF cookie');
  assert.deepEqual(await resolutionRow(res.second!), before, 'nothing changed');

  const ok = await postForm('council', url, { ...fields, text_fa: 'ساری و بابل پیشخوان را وصل کنند', deadline: '۱۴۰۶/۰۱/۳۱', internal: '' });
  assert.equal(ok.statusCode, 303, ok.body);
  const r = (await api('GET', '/api/v1/council/resolutions?meeting=1')).json().items.find((x: { id: string }) => x.id === res.second);
  assert.equal(r.text.fa, 'ساری و بابل پیشخوان را وصل کنند');
  assert.equal(r.text.en, 'Connect the counter');
  assert.equal(r.responsible_org.code, 'babol');
  assert.ok(r.deadline);
  const last = jalaliParts(Date.parse(r.deadline) - 1);
  assert.deepEqual([last.year, last.month, last.day], [1406, 1, 31]);

  const cancel = await postForm('council', `/staff/council/resolutions/${res.second}/state`, { state: 'cancelled' });
  assert.equal(cancel.statusCode, 303);
  const cancelled = (await api('GET', '/api/v1/council/resolutions?meeting=1&state=cancelled')).json().items;
  assert.deepEqual(cancelled.map((x: { id: string }) => x.id), [res.second]);
  assert.equal((await api('POST', `/api/v1/council/resolutions/${res.second}/updates`, 'babol.admin', { progress: 10, note: 'x' })).statusCode, 409, 'a cancelled resolution takes no progress');
  assert.match((await t.app.inject({ method: 'GET', url: '/council' })).body, /لغو شد/);
  const audit = (await auditOf('council.resolution_changed')).at(-1)!;
  assert.deepEqual(audit.data, { before: { state: 'open' }, after: { state: 'cancelled' } });
});

test('targets: the council sets, changes and removes them on the targets page; the public indicators page shows them; others are refused', async () => {
  const page = await browser('council').get('/staff/council/targets?period=1405');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /برای این دوره هدفی تعیین نشده است/);
  for (const who of ['sari.admin', 'sari.clerk']) assert.equal((await browser(who).get('/staff/council/targets')).statusCode, 403, who);
  assert.equal((await browser('citizen').get('/staff/council/targets')).statusCode, 303);
  const count = async () => Number((await t.deps.db.selectFrom('council_indicator_targets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);

  const bad = await postForm('council', '/staff/council/targets', { indicator: 'broadband_coverage', org: 'babol', period: '1405-13', target: 'بسیار' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="t-period-error"[^>]*>دوره معتبر نیست/);
  assert.match(bad.body, /id="t-target-error"[^>]*>هدف در بازهٔ این شاخص نیست/);
  assert.match(bad.body, /name="period"[^>]*value="1405-13"/);
  assert.match(bad.body, /name="target"[^>]*value="بسیار"/);
  assert.match(bad.body, /<option value="babol" selected>/);
  const tooMuch = await postForm('council', '/staff/council/targets', { indicator: 'broadband_coverage', org: 'babol', period: '1405', target: '150' });
  assert.equal(tooMuch.statusCode, 400);
  assert.match(tooMuch.body, /id="t-target-error"/);
  assert.equal((await postForm('sari.admin', '/staff/council/targets', { indicator: 'broadband_coverage', org: 'sari', period: '1405', target: '90' })).statusCode, 403);
  assert.equal((await postForm('sari.clerk', '/staff/council/targets', { indicator: 'broadband_coverage', org: 'sari', period: '1405', target: '90' })).statusCode, 403);
  assert.equal(await count(), 0);

  // Broadband coverage is a percentage; the share of services online is typed as a percentage too.
  assert.equal((await postForm('council', '/staff/council/targets', { indicator: 'broadband_coverage', org: 'babol', period: '۱۴۰۵', target: '۸۰' })).statusCode, 303);
  assert.equal((await postForm('council', '/staff/council/targets', { indicator: 'services_online', org: '', period: '1405', target: '75' })).statusCode, 303);
  let table = (await api('GET', '/api/v1/council/indicators?period=1405')).json();
  const row = (code: string | null) => table.rows.find((r: { org: { code: string } | null }) => (r.org?.code ?? null) === code);
  assert.equal(row('babol').values.broadband_coverage.target, 80);
  assert.equal(row(null).values.services_online.target, 0.75);
  const publicPage = await t.app.inject({ method: 'GET', url: '/council/indicators?period=1405' });
  assert.match(publicPage.body, /هدف: ۸۰%/, 'Babol\'s target beside its value in the ranking table');
  assert.match(publicPage.body, /هدف: ۷۵%/, 'the province\'s target');
  const list = await browser('council').get('/staff/council/targets?period=1405');
  assert.match(list.body, /۸۰%/);

  assert.equal((await postForm('council', '/staff/council/targets', { indicator: 'broadband_coverage', org: 'babol', period: '1405', target: '85' })).statusCode, 303);
  table = (await api('GET', '/api/v1/council/indicators?period=1405')).json();
  assert.equal(row('babol').values.broadband_coverage.target, 85);
  const setAudits = await auditOf('council.target_set');
  assert.deepEqual([setAudits.at(-1)!.data.before, setAudits.at(-1)!.data.target], [80, 85]);

  assert.equal((await postForm('sari.admin', '/staff/council/targets/remove', { indicator: 'broadband_coverage', org: 'babol', period: '1405' })).statusCode, 403);
  assert.equal((await api('DELETE', '/api/v1/council/indicators/broadband_coverage/targets?period=1405&org=babol', 'babol.admin')).statusCode, 403);
  assert.equal((await api('DELETE', '/api/v1/council/indicators/broadband_coverage/targets?period=1405&org=babol')).statusCode, 401);
  assert.equal(await count(), 2);
  const removed = await postForm('council', '/staff/council/targets/remove', { indicator: 'broadband_coverage', org: 'babol', period: '1405' });
  assert.equal(removed.statusCode, 303);
  table = (await api('GET', '/api/v1/council/indicators?period=1405')).json();
  assert.equal(row('babol').values.broadband_coverage.target, null);
  assert.equal((await api('DELETE', '/api/v1/council/indicators/broadband_coverage/targets?period=1405&org=babol', 'council')).statusCode, 404);
  assert.equal((await api('DELETE', '/api/v1/council/indicators/services_online/targets?period=x', 'council')).statusCode, 400);
  assert.equal((await api('DELETE', '/api/v1/council/indicators/services_online/targets?period=1405', 'council')).statusCode, 204);
  assert.equal(await count(), 0);
  const removedAudit = (await auditOf('council.target_removed')).at(-1)!;
  assert.equal(removedAudit.data.before, 0.75);
  // The API refuses a share beyond 1, naming the field.
  const r = await api('PUT', '/api/v1/council/indicators/services_online/targets', 'council', { period: '1405', target: 75 });
  assert.equal(r.statusCode, 400);
  assert.ok(r.json().error.fields.target);
});

test('entered values on the staff page: a refused value keeps what was typed; an organization\'s admin enters its own only', async () => {
  const fields = { indicator: 'staff_trained', org: 'babol', period: '۱۴۰۵', value: '-3', source: 'واحد آموزش شهرداری بابل' };
  const bad = await postForm('babol.admin', '/staff/council/values', fields);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="v-value"[^>]*value="-3"/);
  assert.match(bad.body, /id="v-source"[^>]*value="واحد آموزش شهرداری بابل"/);
  assert.match(bad.body, /<option value="staff_trained" selected>/);
  assert.equal((await postForm('babol.admin', '/staff/council/values', { ...fields, org: 'sari', value: '12' })).statusCode, 404, 'Sari\'s value is not Babol\'s to enter');
  assert.equal((await postForm('sari.clerk', '/staff/council/values', { ...fields, org: 'sari', value: '12' })).statusCode, 404);
  const ok = await postForm('babol.admin', '/staff/council/values', { ...fields, value: '۱۲' });
  assert.equal(ok.statusCode, 303, ok.body);
  const table = (await api('GET', '/api/v1/council/indicators?period=1405')).json();
  const babol = table.rows.find((r: { org: { code: string } | null }) => r.org?.code === 'babol');
  const sari = table.rows.find((r: { org: { code: string } | null }) => r.org?.code === 'sari');
  assert.deepEqual(babol.values.staff_trained, { value: 12, source: 'واحد آموزش شهرداری بابل', target: null });
  assert.equal(sari.values.staff_trained.value, null);
});
