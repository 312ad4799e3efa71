// The rest of a city problem report's life over the JSON API: extra questions, photos,
// assignment, comments, moderation (original kept in the audit log), escalation when late,
// reopening within 10 days and rating; each checked across municipalities and citizens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainOutbox, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';
import { REOPEN_DAYS } from './service.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const staffIds: Record<string, string> = {};
const passwords: Record<string, string> = {};

/** Sessions expire when the clock moves on by days: sign everyone in again. */
async function advanceDays(days: number) {
  t.clock.advance(days * DAY);
  for (const [username, password] of Object.entries(passwords)) tokens[username] = await signInStaff(t, username, password);
  tokens.maryam = await signInCitizen(t, '09351112233');
  tokens.reza = await signInCitizen(t, '09121234567');
}
const DAY = 86_400_000;

// A 1x1 PNG: real image bytes, so type detection by content accepts it.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

const bearer = (who?: string): Record<string, string> => (who ? { authorization: `Bearer ${tokens[who]}` } : {});
const api = (method: 'GET' | 'POST', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(who), ...(payload !== undefined ? { payload: payload as object } : {}) });

async function fileReport(who: string, body: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/reports', who, { category: 'pothole', description: 'چاله عمیق جلوی مدرسه', ...north(PLACES.babol, 300 + Math.random() * 1500), ...body });
  assert.equal(res.statusCode, 201, res.body);
  const code = res.json().tracking_code as string;
  const row = await t.deps.db.selectFrom('reports').select(['id']).where('tracking_code', '=', code).executeTakeFirstOrThrow();
  return { id: row.id, code };
}

before(async () => {
  t = await makeTestApp();
  const org = await makeMunicipalities(t, ['babol', 'sari']);
  for (const [username, code, role] of [
    ['babol.clerk', 'babol', 'clerk'], ['babol.manager', 'babol', 'manager'], ['sari.manager', 'sari', 'manager'],
  ] as const) {
    const { id, password } = await makeStaff(t, username, [{ orgId: org[code]!, role }]);
    staffIds[username] = id;
    passwords[username] = password;
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.maryam = await signInCitizen(t, '09351112233');
  tokens.reza = await signInCitizen(t, '09121234567');
});
after(async () => { await t.close(); });

test("the category's extra questions are checked: list values, required answers, unknown codes dropped", async () => {
  const bad = await api('POST', '/api/v1/reports', 'maryam', { category: 'pothole', description: 'چاله عمیق', ...PLACES.babol, attributes: { size: 'enormous' } });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.json().error.fields['attribute[size]'], bad.body);
  const missing = await api('POST', '/api/v1/reports', 'maryam', { category: 'noise', description: 'صدای بلند کارگاه', ...PLACES.babol });
  assert.equal(missing.statusCode, 400);
  assert.ok(missing.json().error.fields['attribute[when]']);
  const { id } = await fileReport('maryam', { attributes: { size: 'large', unknown: 'x' } });
  const mine = (await api('GET', `/api/v1/my/reports/${id}`, 'maryam')).json();
  assert.deepEqual(mine.attributes, { size: 'large' });
});

test('photos: images are stored and served; other content is refused and nothing is kept; hidden photos are for staff only', async () => {
  const g = t.deps.services.grievances;
  await assert.rejects(g.acceptPhoto(Buffer.from('%PDF-1.4 not a photo')), (e: { fields?: Record<string, string> }) => e.fields?.photos === 'report.photo_type');
  const photo = await g.acceptPhoto(PNG);
  assert.equal(photo.content_type, 'image/png');
  const maryam = (await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', '09351112233').executeTakeFirstOrThrow()).id;
  const filed = await g.file({ kind: 'citizen', id: maryam }, { category: 'pothole', description: 'چاله با عکس', ...north(PLACES.babol, 900) }, { photos: [photo] });
  const pub = (await api('GET', `/api/v1/public/reports/${filed.tracking_code}`)).json();
  assert.equal(pub.photos.length, 1);
  const img = await t.app.inject({ method: 'GET', url: pub.photos[0].url });
  assert.equal(img.statusCode, 200);
  assert.equal(img.headers['content-type'], 'image/png');
  assert.deepEqual(img.rawPayload, PNG);
  // Moderation hides it: the public gets 404, Babol staff still see it, Sari staff do not.
  const photoId = pub.photos[0].id as string;
  assert.equal((await api('POST', `/api/v1/reports/${filed.id}/moderate`, 'babol.manager', { hide_photos: [photoId] })).statusCode, 200);
  assert.equal((await api('GET', `/api/v1/public/reports/${filed.tracking_code}`)).json().photos.length, 0);
  assert.equal((await t.app.inject({ method: 'GET', url: `/reports/photos/${photoId}` })).statusCode, 404);
  assert.equal((await api('GET', `/reports/photos/${photoId}`, 'sari.manager')).statusCode, 404);
  assert.equal((await api('GET', `/reports/photos/${photoId}`, 'babol.clerk')).statusCode, 200);
});

test('assignment: managers assign to a department and an officer of their own municipality only', async () => {
  const { id } = await fileReport('maryam');
  const detail = (await api('GET', `/api/v1/staff/reports/${id}`, 'babol.clerk')).json();
  assert.equal(detail.assigned_department, 'معاونت فنی و عمرانی', 'the category department by default');
  assert.equal((await api('POST', `/api/v1/reports/${id}/assign`, 'babol.clerk', { officer: staffIds['babol.clerk'] })).statusCode, 403);
  assert.equal((await api('POST', `/api/v1/reports/${id}/assign`, 'sari.manager', { officer: staffIds['sari.manager'] })).statusCode, 404);
  const foreign = await api('POST', `/api/v1/reports/${id}/assign`, 'babol.manager', { officer: staffIds['sari.manager'] });
  assert.equal(foreign.statusCode, 400);
  assert.ok(foreign.json().error.fields.officer);
  const ok = await api('POST', `/api/v1/reports/${id}/assign`, 'babol.manager', { department: 'واحد آسفالت', officer: staffIds['babol.clerk'] });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().assigned_department, 'واحد آسفالت');
  assert.equal(ok.json().assigned_to_name, 'babol.clerk');
  const mineList = (await api('GET', '/api/v1/staff/reports?assigned=me', 'babol.clerk')).json().items as { id: string }[];
  assert.ok(mineList.some((r) => r.id === id));
  const audit = await t.deps.db.selectFrom('audit_log').select(['action']).where('entity_id', '=', id).execute();
  assert.ok(audit.some((a) => a.action === 'report.assigned'));
});

test('comments: a public one reaches the citizen by SMS and the public page; an internal note reaches neither', async () => {
  const { id, code } = await fileReport('maryam');
  t.sms.sent.length = 0;
  assert.equal((await api('POST', `/api/v1/reports/${id}/comment`, 'babol.clerk', { comment: 'اکیپ آسفالت فردا اعزام می‌شود', internal: false })).statusCode, 200);
  assert.equal((await api('POST', `/api/v1/reports/${id}/comment`, 'babol.clerk', { comment: 'پیمانکار ب را خبر کنید', internal: true })).statusCode, 200);
  await drainOutbox(t);
  const texts = t.sms.sent.map((m) => ('text' in m ? m.text : ''));
  assert.ok(texts.some((x) => x.includes('اکیپ آسفالت')));
  assert.ok(!texts.some((x) => x.includes('پیمانکار')));
  const pub = JSON.stringify((await api('GET', `/api/v1/public/reports/${code}`)).json());
  const mine = JSON.stringify((await api('GET', `/api/v1/my/reports/${id}`, 'maryam')).json());
  for (const body of [pub, mine]) {
    assert.ok(body.includes('اکیپ آسفالت'));
    assert.ok(!body.includes('پیمانکار'));
  }
  assert.ok(JSON.stringify((await api('GET', `/api/v1/staff/reports/${id}`, 'babol.clerk')).json()).includes('پیمانکار'));
  assert.equal((await api('POST', `/api/v1/reports/${id}/comment`, 'sari.manager', { comment: 'x', internal: false })).statusCode, 404);
  assert.equal((await api('POST', `/api/v1/reports/${id}/comment`, 'babol.clerk', { comment: '   ', internal: false })).json().error.fields.comment, 'متن پیام را بنویسید.');
});

test('moderation replaces what the public sees and keeps the original text in the audit log', async () => {
  const { id, code } = await fileReport('maryam', { description: 'همسایه‌ام علی رضایی با تلفن ۰۹۱۲۰۰۰۰۰۰۰ زباله می‌ریزد' });
  assert.equal((await api('POST', `/api/v1/reports/${id}/moderate`, 'babol.clerk', { description: 'x' })).statusCode, 403);
  const res = await api('POST', `/api/v1/reports/${id}/moderate`, 'babol.manager', { description: 'زباله در معبر ریخته می‌شود [نام و تلفن حذف شد]' });
  assert.equal(res.statusCode, 200, res.body);
  const pub = (await api('GET', `/api/v1/public/reports/${code}`)).json();
  assert.equal(pub.description, 'زباله در معبر ریخته می‌شود [نام و تلفن حذف شد]');
  const entry = await t.deps.db.selectFrom('audit_log').select(['data']).where('entity_id', '=', id).where('action', '=', 'report.moderated').executeTakeFirstOrThrow();
  assert.match(String(entry.data), /علی رضایی/);
  await api('POST', `/api/v1/reports/${id}/moderate`, 'babol.manager', { hide_description: true });
  assert.equal((await api('GET', `/api/v1/public/reports/${code}`)).json().description, null);
  assert.equal((await api('POST', `/api/v1/reports/${id}/moderate`, 'sari.manager', { hide_description: false })).statusCode, 404);
});

test('states: transferred needs the organization, duplicates may name the original by tracking code', async () => {
  const a = await fileReport('maryam');
  const b = await fileReport('reza');
  const noTarget = await api('POST', `/api/v1/reports/${a.id}/state`, 'babol.clerk', { state: 'transferred' });
  assert.equal(noTarget.statusCode, 400);
  assert.ok(noTarget.json().error.fields.comment);
  assert.equal((await api('POST', `/api/v1/reports/${b.id}/state`, 'babol.clerk', { state: 'duplicate', duplicate_of: a.code })).json().duplicate_of, a.id);
  assert.equal((await api('POST', `/api/v1/reports/${a.id}/state`, 'babol.clerk', { state: 'transferred', comment: 'شرکت آب و فاضلاب' })).json().state, 'transferred');
});

test('reopen within 10 days of resolution, only by its citizen; afterwards it is too late', async () => {
  const { id } = await fileReport('maryam');
  assert.equal((await api('POST', `/api/v1/my/reports/${id}/reopen`, 'maryam', { comment: 'هنوز چاله هست' })).statusCode, 409, 'not resolved yet');
  await api('POST', `/api/v1/reports/${id}/state`, 'babol.clerk', { state: 'resolved', comment: 'آسفالت شد' });
  assert.equal((await api('GET', `/api/v1/my/reports/${id}`, 'maryam')).json().can_reopen, true);
  assert.equal((await api('POST', `/api/v1/my/reports/${id}/reopen`, 'reza', { comment: 'هنوز چاله هست' })).statusCode, 404);
  assert.equal((await api('POST', `/api/v1/my/reports/${id}/reopen`, 'maryam', { comment: '' })).statusCode, 400);
  const reopened = await api('POST', `/api/v1/my/reports/${id}/reopen`, 'maryam', { comment: 'هنوز چاله هست' });
  assert.equal(reopened.statusCode, 200, reopened.body);
  assert.equal(reopened.json().state, 'reopened');
  assert.equal(reopened.json().reopened_count, 1);
  const open = (await api('GET', '/api/v1/staff/reports?status=open', 'babol.clerk')).json().items as { id: string }[];
  assert.ok(open.some((r) => r.id === id));
  // The reopening shows everywhere; the citizen's words only to the staff and to the citizen.
  const code = (await api('GET', `/api/v1/my/reports/${id}`, 'maryam')).json().tracking_code as string;
  assert.ok(JSON.stringify((await api('GET', `/api/v1/my/reports/${id}`, 'maryam')).json()).includes('هنوز چاله هست'));
  assert.ok(JSON.stringify((await api('GET', `/api/v1/staff/reports/${id}`, 'babol.clerk')).json()).includes('هنوز چاله هست'));
  const pub = (await api('GET', `/api/v1/public/reports/${code}`)).json();
  assert.ok(pub.updates.some((u: { state: string }) => u.state === 'reopened'));
  assert.ok(!JSON.stringify(pub).includes('هنوز چاله هست'));
  const feed = await t.app.inject({ method: 'GET', url: '/open311/v2/servicerequestupdates.json?jurisdiction_id=babol' });
  assert.ok(feed.body.includes(code) && !feed.body.includes('هنوز چاله هست'), 'the Open311 feed has the reopening, not the words');
  // Resolved again, then past the 10 days.
  await api('POST', `/api/v1/reports/${id}/state`, 'babol.clerk', { state: 'resolved' });
  await advanceDays(REOPEN_DAYS + 1);
  assert.equal((await api('GET', `/api/v1/my/reports/${id}`, 'maryam')).json().can_reopen, false);
  const late = await api('POST', `/api/v1/my/reports/${id}/reopen`, 'maryam', { comment: 'باز هم هست' });
  assert.equal(late.statusCode, 409);
});

test('rating: once, 1-5, by its citizen, after it is closed', async () => {
  const { id } = await fileReport('maryam');
  assert.equal((await api('POST', `/api/v1/my/reports/${id}/rating`, 'maryam', { rating: 5 })).statusCode, 409, 'still open');
  await api('POST', `/api/v1/reports/${id}/state`, 'babol.clerk', { state: 'resolved' });
  assert.equal((await api('POST', `/api/v1/my/reports/${id}/rating`, 'maryam', { rating: 6 })).statusCode, 400);
  assert.equal((await api('POST', `/api/v1/my/reports/${id}/rating`, 'reza', { rating: 1 })).statusCode, 404);
  const ok = await api('POST', `/api/v1/my/reports/${id}/rating`, 'maryam', { rating: 4, comment: 'سریع بود' });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().rating, 4);
  assert.equal((await api('POST', `/api/v1/my/reports/${id}/rating`, 'maryam', { rating: 1 })).statusCode, 409);
  assert.equal((await api('GET', `/api/v1/my/reports/${id}`, 'maryam')).json().can_rate, false);
});

test('escalation: an open report past its due date is escalated once, flagged in the queue; a reopened one is a new breach', async () => {
  const { id } = await fileReport('maryam', { category: 'flooding', attributes: {} });
  const scanner = t.deps.reportEscalations;
  await scanner.scanOnce();
  assert.equal((await api('GET', `/api/v1/staff/reports/${id}`, 'babol.clerk')).json().escalated, false);
  await advanceDays(4);
  assert.ok((await scanner.scanOnce()) >= 1);
  assert.equal(await scanner.scanOnce(), 0, 'a second scan finds nothing new');
  const overdue = (await api('GET', '/api/v1/staff/reports?overdue=1', 'babol.clerk')).json().items as { id: string; overdue: boolean; escalated: boolean }[];
  const row = overdue.find((r) => r.id === id)!;
  assert.ok(row.overdue && row.escalated);
  assert.ok(!(await api('GET', '/api/v1/staff/reports?overdue=1', 'sari.manager')).json().items.some((r: { id: string }) => r.id === id));
  const staffView = (await api('GET', `/api/v1/staff/reports/${id}`, 'babol.clerk')).json();
  assert.ok(staffView.updates.some((u: { kind: string; internal: boolean }) => u.kind === 'escalation' && u.internal));
  const escalations = await t.deps.db.selectFrom('audit_log').select('seq').where('entity_id', '=', id).where('action', '=', 'report.escalated').execute();
  assert.equal(escalations.length, 1);
  // Resolved, reopened: a new deadline, escalated again once it passes.
  await api('POST', `/api/v1/reports/${id}/state`, 'babol.clerk', { state: 'resolved' });
  await api('POST', `/api/v1/my/reports/${id}/reopen`, 'maryam', { comment: 'دوباره آب گرفته' });
  await advanceDays(4);
  await scanner.scanOnce();
  const again = await t.deps.db.selectFrom('audit_log').select('seq').where('entity_id', '=', id).where('action', '=', 'report.escalated').execute();
  assert.equal(again.length, 2);
});

test("a citizen cannot read another's report; the public detail has no personal data", async () => {
  const { id, code } = await fileReport('maryam', { address: 'کوچه شهید ۱۲، پلاک ۴' });
  assert.equal((await api('GET', `/api/v1/my/reports/${id}`, 'reza')).statusCode, 404);
  assert.equal((await api('GET', `/api/v1/my/reports/${id}`)).statusCode, 401);
  assert.equal((await api('GET', `/api/v1/staff/reports/${id}`, 'sari.manager')).statusCode, 404);
  const pub = await api('GET', `/api/v1/public/reports/${code.toLowerCase()}`);
  assert.equal(pub.statusCode, 200);
  assert.ok(!pub.body.includes('پلاک ۴'));
  assert.ok(!pub.body.includes('09351112233'));
  for (const key of ['id', 'citizen_id', 'address']) assert.ok(!(key in pub.json()), key);
  assert.equal((await api('GET', '/api/v1/public/reports/BABOL-137-1405-999999')).statusCode, 404);
});

test('the API takes photos of an open report from its citizen: images only, five at most', async () => {
  const { id, code } = await fileReport('maryam');
  const upload = (who: string, parts: [string, Buffer, string][]) => {
    const form = new FormData();
    for (const [name, bytes, type] of parts) form.append(name, new Blob([new Uint8Array(bytes)], { type }), 'x');
    return t.app.inject({ method: 'POST', url: `/api/v1/my/reports/${id}/photos`, headers: bearer(who), payload: form });
  };
  const ok = await upload('maryam', [['photos', PNG, 'image/png'], ['photos', PNG, 'image/png']]);
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(ok.json().items.length, 2);
  assert.equal((await upload('reza', [['photos', PNG, 'image/png']])).statusCode, 404);
  const lie = await upload('maryam', [['photos', Buffer.from('<script>alert(1)</script>'), 'image/png']]);
  assert.equal(lie.statusCode, 400);
  assert.ok(lie.json().error.fields.photos);
  const tooMany = await upload('maryam', [['photos', PNG, 'image/png'], ['photos', PNG, 'image/png'], ['photos', PNG, 'image/png'], ['photos', PNG, 'image/png']]);
  assert.equal(tooMany.statusCode, 400);
  assert.equal((await api('GET', `/api/v1/public/reports/${code}`)).json().photos.length, 2, 'a refused upload adds nothing');
});
