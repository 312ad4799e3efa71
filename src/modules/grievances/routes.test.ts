// City problem reports over HTTP: routing by point, nearby duplicates, the citizen's own list,
// staff triage, and isolation between municipalities (another's report answers like a missing
// one); the public list carries no personal data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainOutbox, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';

let t: TestApp;
const tokens: Record<string, string> = {};

const bearer = (who?: string): Record<string, string> => (who ? { authorization: `Bearer ${tokens[who]}` } : {});
const api = (method: 'GET' | 'POST', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(who), ...(payload !== undefined ? { payload: payload as object } : {}) });
const file = (who: string | undefined, category: string, place: { lat: number; lng: number }, description = 'چاله بزرگ در خیابان اصلی') =>
  api('POST', '/api/v1/reports', who, { category, description, ...place });
const staffIdOf = async (who: string, trackingCode: string) =>
  ((await api('GET', '/api/v1/staff/reports', who)).json().items as { id: string; tracking_code: string }[]).find((r) => r.tracking_code === trackingCode)?.id;

before(async () => {
  t = await makeTestApp();
  const org = await makeMunicipalities(t, ['babol', 'sari']);
  for (const [username, code, role] of [['babol.clerk', 'babol', 'clerk'], ['babol.inspector', 'babol', 'inspector'], ['sari.clerk', 'sari', 'clerk']] as const) {
    const { password } = await makeStaff(t, username, [{ orgId: org[code]!, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.maryam = await signInCitizen(t, '09351112233');
  tokens.reza = await signInCitizen(t, '09121234567');
});
after(async () => { await t.close(); });

test('a report in Babol goes to Babol, one in Sari to Sari, with a tracking code by SMS', async () => {
  t.sms.sent.length = 0;
  const b = await file('maryam', 'pothole', PLACES.babol);
  assert.equal(b.statusCode, 201, b.body);
  assert.equal(b.json().org, 'babol');
  assert.equal(b.json().state, 'received');
  assert.match(b.json().tracking_code, /^BABOL-137-\d{4}-\d{6}$/);
  const s = await file('maryam', 'pothole', PLACES.sari);
  assert.equal(s.json().org, 'sari');
  assert.match(s.json().tracking_code, /^SARI-137-\d{4}-\d{6}$/);
  await drainOutbox(t);
  assert.ok(t.sms.sent.some((m) => 'text' in m && m.text.includes(b.json().tracking_code)));
});

test('a point outside every municipality answers 400 naming lat and lng', async () => {
  const r = await file('maryam', 'pothole', PLACES.tehran);
  assert.equal(r.statusCode, 400);
  const fields = r.json().error.fields;
  assert.ok(fields.lat && fields.lng, r.body);
  const en = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...bearer('maryam'), 'accept-language': 'en' }, payload: { category: 'pothole', description: 'a pothole here', ...PLACES.tehran } });
  assert.match(en.json().error.fields.lat, /outside the province's municipalities/);
});

test('anonymous reports only where the category allows them; unknown categories are a field error', async () => {
  assert.equal((await file(undefined, 'pothole', north(PLACES.babol, 2000))).statusCode, 201);
  assert.equal((await file(undefined, 'noise', PLACES.babol)).statusCode, 401);
  const unknown = await file('maryam', 'no-such-thing', PLACES.babol);
  assert.equal(unknown.statusCode, 400);
  assert.ok(unknown.json().error.fields.category);
});

test('open reports of the same category within 250 m are offered as duplicates', async () => {
  const here = north(PLACES.babol, -1500);
  const first = (await file('maryam', 'rubble', here)).json();
  await file('maryam', 'rubble', north(here, 600)); // 400 m from where the next citizen stands
  await file('maryam', 'garbage', here);
  const near = await api('GET', `/api/v1/reports/nearby?lat=${north(here, 200).lat}&lng=${here.lng}&category=rubble`);
  assert.equal(near.statusCode, 200, near.body);
  const items = near.json().items as { tracking_code: string; distance_m: number; category: { code: string } }[];
  assert.deepEqual(items.map((i) => i.tracking_code), [first.tracking_code]);
  assert.ok(items[0]!.distance_m >= 195 && items[0]!.distance_m <= 205);
  // A resolved report is no longer offered.
  const id = await staffIdOf('babol.clerk', first.tracking_code);
  assert.equal((await api('POST', `/api/v1/reports/${id}/state`, 'babol.clerk', { state: 'resolved', comment: 'جمع‌آوری شد' })).statusCode, 200);
  assert.equal((await api('GET', `/api/v1/reports/nearby?lat=${here.lat}&lng=${here.lng}&category=rubble`)).json().items.length, 0);
});

test('staff move reports along allowed transitions, with reasons and duplicates of their own org', async () => {
  const a = (await file('reza', 'street-light', north(PLACES.babol, 500))).json();
  const b = (await file('reza', 'street-light', north(PLACES.babol, 520))).json();
  const idA = (await staffIdOf('babol.clerk', a.tracking_code))!;
  const idB = (await staffIdOf('babol.clerk', b.tracking_code))!;
  const noReason = await api('POST', `/api/v1/reports/${idA}/state`, 'babol.clerk', { state: 'rejected' });
  assert.equal(noReason.statusCode, 400);
  assert.ok(noReason.json().error.fields.comment);
  assert.equal((await api('POST', `/api/v1/reports/${idB}/state`, 'babol.clerk', { state: 'duplicate' })).statusCode, 400);
  const sariReport = (await file('reza', 'street-light', PLACES.sari)).json();
  const sariId = (await staffIdOf('sari.clerk', sariReport.tracking_code))!;
  assert.equal((await api('POST', `/api/v1/reports/${idB}/state`, 'babol.clerk', { state: 'duplicate', duplicate_of: sariId })).statusCode, 400);
  const dup = await api('POST', `/api/v1/reports/${idB}/state`, 'babol.clerk', { state: 'duplicate', duplicate_of: idA });
  assert.equal(dup.statusCode, 200, dup.body);
  assert.equal(dup.json().duplicate_of, idA);
  await drainOutbox(t);
  t.sms.sent.length = 0;
  const rejected = await api('POST', `/api/v1/reports/${idA}/state`, 'babol.clerk', { state: 'rejected', comment: 'این تیر برق متعلق به اداره برق است' });
  assert.equal(rejected.statusCode, 200);
  assert.equal((await api('POST', `/api/v1/reports/${idA}/state`, 'babol.clerk', { state: 'in_progress' })).statusCode, 409);
  await drainOutbox(t);
  assert.equal(t.sms.sent.length, 1);
  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'data']).where('entity_id', '=', idA).where('action', '=', 'report.state_changed').execute();
  assert.equal(audit.length, 1);
  assert.equal(JSON.parse(audit[0]!.data).to, 'rejected');
});

test('a clerk of Sari cannot list or act on Babol\'s reports: 404 like a report that does not exist', async () => {
  const b = (await file('maryam', 'flooding', north(PLACES.babol, 800))).json();
  const id = (await staffIdOf('babol.clerk', b.tracking_code))!;
  assert.equal(await staffIdOf('sari.clerk', b.tracking_code), undefined);
  assert.equal((await api('GET', '/api/v1/staff/reports?org=babol', 'sari.clerk')).statusCode, 404);
  const foreign = await api('POST', `/api/v1/reports/${id}/state`, 'sari.clerk', { state: 'in_progress' });
  const missing = await api('POST', '/api/v1/reports/no-such-report/state', 'sari.clerk', { state: 'in_progress' });
  assert.equal(foreign.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  assert.equal(foreign.json().error.code, missing.json().error.code);
  // Roles without triage, and citizens, get the same answer.
  assert.equal((await api('POST', `/api/v1/reports/${id}/state`, 'babol.inspector', { state: 'in_progress' })).statusCode, 404);
  assert.equal((await api('POST', `/api/v1/reports/${id}/state`, 'maryam', { state: 'in_progress' })).statusCode, 404);
  assert.equal((await api('GET', '/api/v1/staff/reports', 'maryam')).statusCode, 401);
  const rows = await t.deps.db.selectFrom('reports').select('state').where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(rows.state, 'received');
});

test('a citizen sees only their own reports', async () => {
  const mine = (await file('reza', 'tree-pruning', north(PLACES.sari, 100))).json();
  const reza = (await api('GET', '/api/v1/my/reports', 'reza')).json().items as { tracking_code: string }[];
  const maryam = (await api('GET', '/api/v1/my/reports', 'maryam')).json().items as { tracking_code: string }[];
  assert.ok(reza.some((r) => r.tracking_code === mine.tracking_code));
  assert.ok(!maryam.some((r) => r.tracking_code === mine.tracking_code));
  assert.ok(maryam.length > 0);
  assert.equal((await api('GET', '/api/v1/my/reports')).statusCode, 401);
});

test('the public list has states but no personal data, and hides moderated descriptions', async () => {
  const r = (await file('maryam', 'garbage', north(PLACES.sari, -900), 'زباله‌ها جلوی خانه آقای احمدی مانده است')).json();
  await t.deps.db.updateTable('reports').set({ hidden: 1 }).where('tracking_code', '=', r.tracking_code).execute();
  const res = await api('GET', '/api/v1/public/reports?org=sari&category=garbage');
  assert.equal(res.statusCode, 200);
  const items = res.json().items as Record<string, unknown>[];
  const row = items.find((i) => i.tracking_code === r.tracking_code)!;
  assert.equal(row.description, null);
  for (const item of items) {
    assert.equal(item.org, 'sari');
    for (const key of ['citizen_id', 'citizen', 'address', 'id', 'mobile']) assert.ok(!(key in item), key);
  }
  assert.ok(!res.body.includes('09351112233'));
  assert.equal((await api('GET', '/api/v1/public/reports?org=nowhere')).statusCode, 404);
  const page = await t.app.inject({ method: 'GET', url: '/reports?org=sari' });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(r.tracking_code));
});
