// The provincial council on a real database (SQLite or PostgreSQL, TEST_DB): the seeded first
// meeting of 12 Bahman 1393; who may record meetings, report progress and enter values (a
// municipality's admin only for its own organization, answered like a missing page otherwise);
// internal resolutions never reach the public page or API; an overdue deadline is notified once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, csrfFrom, drainOutbox, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { jalaliParts } from '../../platform/i18n/format.js';
import { seedCouncil } from './seed.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
const passwords: Record<string, string> = {};
/** Sessions expire while the clock moves days ahead: sign the staff in again. */
async function signInAgain() {
  for (const [u, p] of Object.entries(passwords)) tokens[u] = await signInStaff(t, u, p);
}

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const session = (who: string) => {
  const jar = new CookieJar();
  jar.take({ headers: { 'set-cookie': `pk_session=${tokens[who]}; Path=/` } });
  return jar;
};
async function postForm(who: string, url: string, fields: Record<string, string>) {
  const jar = session(who);
  const token = await csrfFrom(t, jar, '/staff/council');
  return t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: token, ...fields }).toString() });
}

// The test clock stands at 2026-11-28 09:00 UTC = 7 Azar 1405.
const MEETING = {
  held_on: '1405/09/01', title_fa: 'جلسه دوم شورا', title_en: 'Second meeting', orgs_present: ['mazandaran', 'babol', 'sari'],
  resolutions: [
    { text_fa: 'پیشخوان بابل پرداخت برخط عوارض را راه بیندازد.', responsible_org: 'babol', deadline: '1405/09/10', expected_output_fa: 'پرداخت برخط' },
    { text_fa: 'بررسی محرمانه قرارداد نگهداری مرکز داده ساری', responsible_org: 'sari', deadline: '1405/12/01', expected_output_fa: 'گزارش', internal: true },
  ],
};

before(async () => {
  t = await makeTestApp();
  ids.mazandaran = await makeOrg(t, 'mazandaran', 'province');
  ids.sari = await makeOrg(t, 'sari', 'municipality', ids.mazandaran);
  ids.babol = await makeOrg(t, 'babol', 'municipality', ids.mazandaran);
  ids['sari-ict'] = await makeOrg(t, 'sari-ict', 'ict', ids.sari);
  const staff: [string, string, 'council_member' | 'org_admin' | 'clerk' | 'province_admin'][] = [
    ['council', 'mazandaran', 'council_member'], ['sari.admin', 'sari', 'org_admin'], ['babol.admin', 'babol', 'org_admin'], ['sari.clerk', 'sari', 'clerk'], ['province', 'mazandaran', 'province_admin'],
  ];
  for (const [username, org, role] of staff) {
    const { password } = await makeStaff(t, username, [{ orgId: ids[org]!, role }]);
    passwords[username] = password;
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.citizen = await signInCitizen(t, '09121234567');
  await seedCouncil(t.deps.db, t.clock.now());
});
after(async () => { await t.close(); });

test('the seeded first meeting is 12 Bahman 1393 and names Sari\'s ICT organization the reference organization; seeding again changes nothing', async () => {
  await seedCouncil(t.deps.db, t.clock.now());
  const meetings = await t.deps.db.selectFrom('council_meetings').selectAll().execute();
  assert.equal(meetings.length, 1);
  const held = jalaliParts(Number(meetings[0]!.held_at));
  assert.deepEqual([held.year, held.month, held.day], [1393, 11, 12]);
  const r = await api('GET', '/api/v1/council/meetings/1');
  assert.equal(r.statusCode, 200);
  const first = r.json().resolutions[0];
  assert.equal(first.responsible_org.code, 'sari-ict');
  assert.match(first.text.fa, /سازمان مرجع/);
  assert.equal(first.state, 'done');
  assert.equal(r.json().resolutions.some((x: { internal: boolean }) => x.internal), false, 'the internal resolution of the seed is not public');
  const count = await t.deps.db.selectFrom('council_resolutions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  assert.equal(Number(count?.n), 7);
  const page = await t.app.inject({ method: 'GET', url: '/council' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /سازمان مرجع شهرداری‌های استان/);
  assert.doesNotMatch(page.body, /تفاهم‌نامه همکاری دوجانبه/);
});

test('only the council records meetings; an org admin is refused, a citizen and anonymous too', async () => {
  assert.equal((await api('POST', '/api/v1/council/meetings', 'sari.admin', MEETING)).statusCode, 403);
  assert.equal((await api('POST', '/api/v1/council/meetings', 'citizen', MEETING)).statusCode, 401);
  assert.equal((await api('POST', '/api/v1/council/meetings')).statusCode >= 400, true);
  const bad = await api('POST', '/api/v1/council/meetings', 'council', { ...MEETING, held_on: '1405/13/01' });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.json().error.fields.held_on);
  const r = await api('POST', '/api/v1/council/meetings', 'council', MEETING);
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().number, 2);
  const audit = await t.deps.db.selectFrom('audit_log').select('action').where('action', 'like', 'council.%').execute();
  assert.ok(audit.some((a) => a.action === 'council.meeting_recorded'));
  assert.equal(audit.filter((a) => a.action === 'council.resolution_recorded').length, 2);
});

test('the staff page records a meeting with its resolutions (CSRF checked); an org admin cannot', async () => {
  const fields = {
    held_on: '۱۴۰۵/۰۹/۰۵', title_fa: 'جلسه فوق‌العاده', orgs_present: 'babol',
    r1_text_fa: 'بابل خدمت پروانه را بپذیرد', r1_expected_output_fa: 'خدمت فعال', r1_responsible_org: 'babol', r1_deadline: '1406/01/31',
  };
  assert.equal((await postForm('sari.admin', '/staff/council/meetings', fields)).statusCode, 403);
  const jar = session('council');
  const noToken = await t.app.inject({ method: 'POST', url: '/staff/council/meetings', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
  assert.equal(noToken.statusCode, 403);
  const bad = await postForm('council', '/staff/council/meetings', { ...fields, r1_deadline: '1406/13/40' });
  assert.equal(bad.statusCode, 400);
  const ok = await postForm('council', '/staff/council/meetings', fields);
  assert.equal(ok.statusCode, 303, ok.body);
  const m = (await api('GET', '/api/v1/council/meetings')).json().items[0];
  assert.equal(m.number, 3);
  assert.deepEqual(m.orgs_present, ['babol']);
  const rs = (await api('GET', '/api/v1/council/resolutions?meeting=3')).json().items;
  assert.equal(rs.length, 1);
  assert.equal(rs[0].responsible_org.code, 'babol');
});

test('internal resolutions: never public, visible to the council and the responsible organization only', async () => {
  const texts = async (who?: string) => ((await api('GET', '/api/v1/council/resolutions?meeting=2', who)).json().items as { text: { fa: string } }[]).map((x) => x.text.fa);
  const secret = /محرمانه/;
  for (const who of [undefined, 'citizen', 'babol.admin']) {
    const list = await texts(who);
    assert.equal(list.length, 1, `${who ?? 'anonymous'} sees the public one only`);
    assert.ok(!list.some((x) => secret.test(x)));
  }
  assert.equal((await texts('sari.admin')).length, 2);
  assert.equal((await texts('council')).length, 2);
  for (const who of ['council', 'sari.admin']) {
    const page = await t.app.inject({ method: 'GET', url: '/council', headers: { cookie: session(who).header() } });
    assert.doesNotMatch(page.body, secret, 'the public page shows public resolutions whoever is signed in');
  }
  const staffPage = await t.app.inject({ method: 'GET', url: '/staff/council', headers: { cookie: session('sari.admin').header() } });
  assert.match(staffPage.body, secret);
});

test('progress: the responsible organization\'s admin reports; another municipality\'s admin and a clerk get a 404', async () => {
  const items = (await api('GET', '/api/v1/council/resolutions?meeting=2', 'council')).json().items as { id: string; responsible_org: { code: string } }[];
  const babolRes = items.find((x) => x.responsible_org.code === 'babol')!;
  const sariRes = items.find((x) => x.responsible_org.code === 'sari')!;
  const update = { progress: 30, note: 'قرارداد درگاه امضا شد' };
  assert.equal((await api('POST', `/api/v1/council/resolutions/${babolRes.id}/updates`, 'sari.admin', update)).statusCode, 404);
  assert.equal((await api('POST', `/api/v1/council/resolutions/${sariRes.id}/updates`, 'babol.admin', update)).statusCode, 404);
  assert.equal((await api('POST', `/api/v1/council/resolutions/${sariRes.id}/updates`, 'sari.clerk', update)).statusCode, 404);
  assert.equal((await api('PATCH', `/api/v1/council/resolutions/${babolRes.id}`, 'babol.admin', { state: 'done' })).statusCode, 403);
  const ok = await api('POST', `/api/v1/council/resolutions/${babolRes.id}/updates`, 'babol.admin', update);
  assert.equal(ok.statusCode, 201, ok.body);
  const form = await postForm('babol.admin', `/staff/council/resolutions/${babolRes.id}/progress`, { progress: '۴۵', note: 'آزمون درگاه' });
  assert.equal(form.statusCode, 303, form.body);
  const after = (await api('GET', '/api/v1/council/resolutions?org=babol&meeting=2')).json().items[0];
  assert.equal(after.progress, 45);
  assert.equal(after.updates.length, 2);
});

test('values: an org admin enters its own organization\'s only; the council any; computed ones cannot be entered', async () => {
  const v = { org: 'babol', period: '1405', value: 72.5, source: 'مخابرات منطقه مازندران' };
  assert.equal((await api('PUT', '/api/v1/council/indicators/broadband_coverage/values', 'sari.admin', v)).statusCode, 404);
  assert.equal((await api('PUT', '/api/v1/council/indicators/broadband_coverage/values', 'sari.clerk', { ...v, org: 'sari' })).statusCode, 404);
  assert.equal((await api('PUT', '/api/v1/council/indicators/broadband_coverage/values', 'babol.admin', v)).statusCode, 200);
  assert.equal((await api('PUT', '/api/v1/council/indicators/broadband_coverage/values', 'council', { ...v, org: 'sari', value: 81 })).statusCode, 200);
  assert.equal((await api('PUT', '/api/v1/council/indicators/broadband_coverage/values', 'babol.admin', { ...v, value: 140 })).statusCode, 400);
  assert.equal((await api('PUT', '/api/v1/council/indicators/digital_take_up/values', 'council', { ...v, value: 0.5 })).statusCode, 400);
  assert.equal((await api('PUT', '/api/v1/council/indicators/broadband_coverage/targets', 'babol.admin', { period: '1405', target: 90 })).statusCode, 403);
  assert.equal((await api('PUT', '/api/v1/council/indicators/broadband_coverage/targets', 'council', { period: '1405', target: 90 })).statusCode, 200);
  const table = (await api('GET', '/api/v1/council/indicators?period=1405')).json();
  const babol = table.rows.find((r: { org: { code: string } | null }) => r.org?.code === 'babol');
  assert.deepEqual(babol.values.broadband_coverage, { value: 72.5, source: 'مخابرات منطقه مازندران', target: null });
  assert.equal(table.rows.find((r: { org: unknown }) => r.org === null).values.broadband_coverage.target, 90);
  const ranking = (await api('GET', '/api/v1/council/ranking?period=1405')).json();
  assert.equal(ranking.method.normalisation, 'min-max');
  assert.equal(ranking.method.weights.reduce((s: number, w: { weight: number }) => s + w.weight, 0).toFixed(6), '1.000000');
  assert.equal(ranking.rows.find((r: { org: string }) => r.org === 'sari').normalised.broadband_coverage, 1);
  assert.equal(ranking.rows.find((r: { org: string }) => r.org === 'babol').normalised.broadband_coverage, 0);
  assert.equal((await api('GET', '/api/v1/council/ranking?period=13x')).statusCode, 400);
  const page = await t.app.inject({ method: 'GET', url: '/council/indicators?period=1405' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /روش رتبه‌بندی/);
});

test('an overdue resolution is flagged and its organization notified once per deadline', async () => {
  const babolRes = (await api('GET', '/api/v1/council/resolutions?org=babol&meeting=2')).json().items[0];
  assert.equal(babolRes.overdue, false);
  const scanner = t.deps.councilOverdue;
  // The seed's open resolutions of 1394 are overdue already: the first scan notifies them.
  assert.equal(await scanner.scanOnce(), 5);
  t.clock.advance(4 * 86_400_000); // 11 Azar 1405: the 10th has ended in Tehran
  assert.equal(await scanner.scanOnce(), 1);
  assert.equal(await scanner.scanOnce(), 0);
  await signInAgain();
  await drainOutbox(t);
  await drainOutbox(t);
  const nr = await api('GET', '/api/v1/council/notices', 'babol.admin');
  assert.equal(nr.statusCode, 200, nr.body);
  const notices = nr.json().items;
  assert.equal(notices.length, 1);
  const sariNotices = (await api('GET', '/api/v1/council/notices', 'sari.admin')).json().items;
  assert.deepEqual(sariNotices.map((n: { meeting: number; number: number }) => [n.meeting, n.number]), [[1, 4]], 'Sari hears of its own overdue pilot only');
  assert.equal((await api('GET', '/api/v1/council/resolutions?org=babol&meeting=2')).json().items[0].overdue, true);
  const audits = await t.deps.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'council.resolution_overdue').where('entity_id', '=', babolRes.id).execute();
  assert.equal(audits.length, 1);
  const staffPage = await t.app.inject({ method: 'GET', url: '/staff/council', headers: { cookie: session('babol.admin').header() } });
  assert.match(staffPage.body, /گذشته از مهلت/);
  assert.equal((await api('POST', `/api/v1/council/notices/${notices[0].id}/read`, 'sari.admin')).statusCode, 404);
  assert.equal((await api('POST', `/api/v1/council/notices/${notices[0].id}/read`, 'babol.admin')).statusCode, 204);
  // A new deadline is a new breach, notified once more.
  assert.equal((await api('PATCH', `/api/v1/council/resolutions/${babolRes.id}`, 'council', { deadline: '1405/09/12' })).statusCode, 200);
  t.clock.advance(2 * 86_400_000);
  assert.equal(await scanner.scanOnce(), 1);
  await drainOutbox(t);
  await signInAgain();
  assert.equal((await api('GET', '/api/v1/council/notices', 'babol.admin')).json().items.length, 1);
  // Done resolutions are not overdue.
  assert.equal((await api('PATCH', `/api/v1/council/resolutions/${babolRes.id}`, 'province', { state: 'done' })).statusCode, 200);
  assert.equal((await api('GET', '/api/v1/council/resolutions?org=babol&meeting=2')).json().items[0].overdue, false);
});
