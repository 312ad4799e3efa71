// Applications over HTTP: the citizen's pages (forms with CSRF, uploads, review, submission,
// my applications, tracking, letters) and the JSON API of every citizen and staff action, with
// isolation between municipalities and between citizens on every route.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FormBrowser, drainOutbox, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { adoptDefinition, buildingPermitAnswers, samplePdf, samplePng, shippedDefinition } from './test-factories.js';
import { checkDefinition } from '../catalog/validate.js';

let t: TestApp;
let dataDir: string;
const tokens: Record<string, string> = {};
const DOCS = ['deed', 'national_card', 'architectural_plans', 'structural_plans', 'supervision_contract'];

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pishkhan-app-routes-'));
  t = await makeTestApp({ DATA_DIR: dataDir });
  const sari = await makeOrg(t, 'sari');
  const babol = await makeOrg(t, 'babol');
  const def = shippedDefinition('building-permit');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: def });
  await adoptDefinition(t.deps.db, { orgId: babol, definition: def });
  await adoptDefinition(t.deps.db, { orgId: sari, definition: everyFieldType() });
  for (const [name, org, role] of [['sari.clerk', sari, 'clerk'], ['sari.inspector', sari, 'inspector'], ['babol.clerk', babol, 'clerk']] as const) {
    const { password } = await makeStaff(t, name, [{ orgId: org, role }]);
    tokens[name] = await signInStaff(t, name, password);
  }
  tokens.owner = await signInCitizen(t, '09121230001');
  tokens.other = await signInCitizen(t, '09121230002');
  await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: bearer('owner'), payload: { national_code: '0012345679', first_name: 'علی', last_name: 'کاظمی' } });
});
after(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const bearer = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

/** A browser signed in as one of the test's citizens (or no one), which also uploads documents. */
class Browser extends FormBrowser {
  constructor(who?: string) {
    super(t, who ? tokens[who] : undefined);
  }
  async upload(url: string, fields: Record<string, string>, file: { filename: string; content: Buffer }) {
    const m = multipart(fields, file);
    return this.send(url, m.headers, m.payload);
  }
}

function multipart(fields: Record<string, string>, file?: { filename: string; content: Buffer }) {
  const boundary = `----pishkhan${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`), file.content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The form's answers as the page's inputs name them (a location is two inputs). */
function formFields(answers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(answers)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const p = v as { lat: unknown; lng: unknown };
      out[`${k}__lat`] = String(p.lat);
      out[`${k}__lng`] = String(p.lng);
    } else out[k] = String(v);
  }
  return out;
}

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url, headers: who ? bearer(who) : {}, ...(payload ? { payload } : {}) });

/** A submitted building permit of the owner through the API; returns its JSON. */
async function submittedViaApi(who = 'owner') {
  const draft = await api('POST', '/api/v1/applications', who, { org: 'sari', service: 'building-permit' });
  assert.equal(draft.statusCode, 201, draft.body);
  const id = draft.json().id as string;
  const patched = await api('PATCH', `/api/v1/applications/${id}`, who, { values: buildingPermitAnswers() });
  assert.equal(patched.statusCode, 200, patched.body);
  for (const key of DOCS) {
    const m = multipart({ doc_key: key }, { filename: `${key}.pdf`, content: samplePdf() });
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/documents`, headers: { ...bearer(who), ...m.headers }, payload: m.payload });
    assert.equal(up.statusCode, 201, up.body);
  }
  const sent = await api('POST', `/api/v1/applications/${id}/submit`, who, { submit_key: randomBytes(12).toString('hex') });
  assert.equal(sent.statusCode, 200, sent.body);
  return sent.json();
}

test('a citizen applies through the pages: the form keeps what was typed, uploads are checked by content, one submission', async () => {
  const anonymous = await new Browser().get('/apply/sari/building-permit');
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/login?next=%2Fapply%2Fsari%2Fbuilding-permit');

  const b = new Browser('owner');
  const form = await b.get('/apply/sari/building-permit');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /<html lang="fa" dir="rtl">/);
  assert.match(form.body, /<label class="form-label" for="f-parcel_code">کد نوسازی ملک/);
  assert.match(form.body, /inputMode="numeric"|inputmode="numeric"/);
  assert.match(form.body, /name="location__lat"/);
  const csrf = form.body.match(/name="_csrf" value="([^"]+)"/)![1]!;

  // No CSRF token: refused.
  assert.equal((await b.post('/apply/sari/building-permit', { ...formFields(buildingPermitAnswers()), intent: 'continue' })).statusCode, 403);

  // Invalid answers: 400, the typed values come back, each error next to its field.
  const bad = await b.post('/apply/sari/building-permit', { _csrf: csrf, ...formFields(buildingPermitAnswers({ floors: '۴۰', address: '' })), intent: 'continue' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="f-floors"[^>]*value="۴۰"|value="۴۰"[^>]*id="f-floors"/);
  assert.match(bad.body, /id="f-floors-error"[^>]*>مقدار باید حداکثر ۳۰ باشد/);
  assert.match(bad.body, /id="f-address-error"/);
  assert.match(bad.body, /value="۱۲۳ فرعی از ۴۵ اصلی بخش ۲"/, 'valid answers are kept too');
  const id = bad.body.match(/action="\/applications\/([0-9a-f-]{36})\/edit"/)![1]!;

  // Save the draft, come back, continue.
  const saved = await b.post(`/applications/${id}/edit`, { _csrf: await b.csrf(`/applications/${id}/edit`), ...formFields(buildingPermitAnswers()), intent: 'save' });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, `/applications/${id}/edit?saved=1`);
  const back = await b.get(`/applications/${id}/edit?saved=1`);
  assert.match(back.body, /پیش‌نویس ذخیره شد/);
  assert.match(back.body, /value="480"/);
  const next = await b.post(`/applications/${id}/edit`, { _csrf: await b.csrf(`/applications/${id}/edit`), ...formFields(buildingPermitAnswers()), intent: 'continue' });
  assert.equal(next.headers.location, `/applications/${id}/documents`);

  // Documents: a real PDF is taken, a PNG named .pdf for a PDF-only document is not.
  const docsPage = await b.get(`/applications/${id}/documents`);
  assert.match(docsPage.body, /enctype="multipart\/form-data"/);
  const tokenOf = async () => b.csrf(`/applications/${id}/documents`);
  const fake = await b.upload(`/applications/${id}/documents`, { _csrf: await tokenOf(), doc_key: 'architectural_plans' }, { filename: 'plans.pdf', content: samplePng() });
  assert.equal(fake.statusCode, 400);
  assert.match(fake.body, /id="doc-architectural_plans-error"[^>]*>نوع فایل پذیرفته نیست/);
  const empty = await b.upload(`/applications/${id}/documents`, { _csrf: await tokenOf(), doc_key: 'deed' }, { filename: '', content: Buffer.alloc(0) });
  assert.equal(empty.statusCode, 400, 'the form sent without choosing a file');
  assert.match(empty.body, /id="doc-deed-error"[^>]*>فایلی انتخاب نشده است/);
  const noToken = await b.upload(`/applications/${id}/documents`, { doc_key: 'deed' }, { filename: 'deed.pdf', content: samplePdf() });
  assert.equal(noToken.statusCode, 403);
  for (const key of DOCS) {
    const up = await b.upload(`/applications/${id}/documents`, { _csrf: await tokenOf(), doc_key: key }, { filename: `${key}-سند.pdf`, content: samplePdf() });
    assert.equal(up.statusCode, 303, up.body.slice(0, 300));
  }
  const listed = await b.get(`/applications/${id}/documents?uploaded=1`);
  assert.match(listed.body, /deed-سند\.pdf/);

  // Review: every answer with a change link, fees in Rials with Persian digits, a submit key.
  const review = await b.get(`/applications/${id}/review`);
  assert.equal(review.statusCode, 200);
  assert.match(review.body, new RegExp(`href="/applications/${id}/edit#f-floors"`));
  assert.match(review.body, /۳٬۵۰۰٬۰۰۰ ریال/);
  assert.match(review.body, /جمع کل/);
  const submitKey = review.body.match(/name="submit_key" value="([^"]+)"/)![1]!;
  const csrf2 = review.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const [s1, s2] = await Promise.all([
    b.post(`/applications/${id}/submit`, { _csrf: csrf2, submit_key: submitKey }),
    b.post(`/applications/${id}/submit`, { _csrf: csrf2, submit_key: submitKey }),
  ]);
  assert.equal(s1.statusCode, 303);
  assert.equal(s2.statusCode, 303);
  assert.equal(s1.headers.location, `/applications/${id}/submitted`);
  const rows = await t.deps.db.selectFrom('applications').select(['tracking_code']).where('id', '=', id).execute();
  assert.equal(rows.length, 1);
  const code = rows[0]!.tracking_code!;
  assert.match(code, /^SARI-1405-\d{6}$/);

  const done = await b.get(`/applications/${id}/submitted`);
  assert.match(done.body, new RegExp(code));
  assert.match(done.body, /بررسی اولیه مدارک/);
  assert.match(done.body, /مهلت رسیدگی در این مرحله: .*۱۴۰۵/);
  await drainOutbox(t);
  assert.ok(t.sms.sent.some((m) => m.to === '09121230001' && 'text' in m && m.text.includes(code)), 'the SMS with the tracking code');

  const mine = await b.get('/my/applications');
  assert.match(mine.body, new RegExp(code));
  const detail = await b.get(`/my/applications/${id}`);
  assert.equal(detail.statusCode, 200);
  assert.match(detail.body, /ثبت درخواست/);
  // A submitted application's form is closed: the edit page sends the citizen to its page.
  assert.equal((await b.get(`/applications/${id}/edit`)).headers.location, `/my/applications/${id}`);
});

test('the API: drafts, precise field errors, uploads by content, fees, idempotent submission', async () => {
  assert.equal((await api('POST', '/api/v1/applications', undefined, { org: 'sari', service: 'building-permit' })).statusCode, 401);
  assert.equal((await api('POST', '/api/v1/applications', 'owner', { org: 'sari', service: 'nope' })).statusCode, 404);
  const draft = await api('POST', '/api/v1/applications', 'owner', { org: 'sari', service: 'building-permit' });
  assert.equal(draft.statusCode, 201);
  const id = draft.json().id as string;
  assert.equal(draft.json().phase, 'draft');

  const bad = await api('PATCH', `/api/v1/applications/${id}`, 'owner', { values: { floors: '40', land_area_m2: '5', owner_mobile: '123' } });
  assert.equal(bad.statusCode, 400);
  const fields = bad.json().error.fields;
  assert.equal(fields.floors, 'مقدار باید حداکثر ۳۰ باشد.');
  assert.equal(fields.land_area_m2, 'مقدار باید دست‌کم ۲۰ باشد.', 'each field with its own bound');
  assert.match(fields.owner_mobile, /شماره همراه معتبر نیست/);
  const english = await t.app.inject({ method: 'PATCH', url: `/api/v1/applications/${id}`, headers: { ...bearer('owner'), 'accept-language': 'en' }, payload: { values: { floors: '40' } } });
  assert.equal(english.json().error.fields.floors, 'The value must be at most 30.');
  const ok = await api('PATCH', `/api/v1/applications/${id}`, 'owner', { values: buildingPermitAnswers() });
  assert.equal(ok.json().values.floors, 4);
  assert.deepEqual(ok.json().values.location, { lat: 36.5633, lng: 53.0601 });

  const upload = (key: string, content: Buffer, who = 'owner', filename = 'f.pdf') => {
    const m = multipart({ doc_key: key }, { filename, content });
    return t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/documents`, headers: { ...bearer(who), ...m.headers }, payload: m.payload });
  };
  const text = await upload('deed', Buffer.from('just some text pretending to be a PDF'));
  assert.equal(text.statusCode, 400);
  assert.match(text.json().error.fields.deed, /نوع فایل پذیرفته نیست/);
  assert.equal((await upload('deed', samplePdf(), 'other')).statusCode, 404);
  assert.equal((await upload('deed', samplePdf(), 'babol.clerk')).statusCode, 404);
  const pdf = await upload('deed', samplePdf());
  assert.equal(pdf.statusCode, 201);
  assert.equal(pdf.json().mime, 'application/pdf');
  // A cookie-authenticated multipart write to the API is refused (a cross-site form could send one).
  const m = multipart({ doc_key: 'deed' }, { filename: 'x.pdf', content: samplePdf() });
  const viaCookie = await t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/documents`, headers: { cookie: `pk_session=${tokens.owner}`, ...m.headers }, payload: m.payload });
  assert.equal(viaCookie.statusCode, 403);

  const fees = await api('GET', `/api/v1/applications/${id}/fees`, 'owner');
  assert.equal(fees.statusCode, 200);
  assert.ok(fees.json().total > 0);
  assert.ok(fees.json().items.some((i: { key: string }) => i.key === 'permit_levy'));
  const problems = await api('GET', `/api/v1/applications/${id}/problems`, 'owner');
  assert.deepEqual(Object.keys(problems.json().problems).sort(), DOCS.filter((d) => d !== 'deed').sort());

  const incomplete = await api('POST', `/api/v1/applications/${id}/submit`, 'owner', { submit_key: 'k-123456789' });
  assert.equal(incomplete.statusCode, 400);
  assert.equal(incomplete.json().error.fields.national_card, 'بارگذاری این مدرک الزامی است.');
  for (const key of DOCS.slice(1)) assert.equal((await upload(key, samplePdf())).statusCode, 201);
  const [a, b] = await Promise.all([
    api('POST', `/api/v1/applications/${id}/submit`, 'owner', { submit_key: 'k-123456789' }),
    api('POST', `/api/v1/applications/${id}/submit`, 'owner', { submit_key: 'k-123456789' }),
  ]);
  assert.equal(a.statusCode, 200);
  assert.equal(b.statusCode, 200);
  assert.equal(a.json().tracking_code, b.json().tracking_code);
  assert.match(a.json().tracking_code, /^SARI-1405-\d{6}$/);
  const list = await api('GET', '/api/v1/my/applications', 'owner');
  assert.equal(list.json().items.filter((x: { id: string }) => x.id === id).length, 1);
  assert.equal((await api('GET', '/api/v1/my/applications')).statusCode, 401);
});

test('staff act through the API by their roles; the citizen corrects and resubmits; the outcome closes it', async () => {
  const app = await submittedViaApi();
  const act = (who: string | undefined, payload: Record<string, unknown>) => api('POST', `/api/v1/applications/${app.id}/actions`, who, payload);
  assert.equal((await act(undefined, { action: 'accept' })).statusCode, 401);
  assert.equal((await act('babol.clerk', { action: 'accept' })).statusCode, 404);
  assert.equal((await act('other', { action: 'accept' })).statusCode, 404);
  const forbidden = await act('sari.inspector', { action: 'accept' });
  assert.equal(forbidden.statusCode, 403);
  assert.equal(forbidden.json().error.code, 'application.action_forbidden');
  assert.equal((await act('owner', { action: 'accept' })).statusCode, 403);

  const noComment = await act('sari.clerk', { action: 'return' });
  assert.equal(noComment.statusCode, 400);
  assert.equal(noComment.json().error.fields.comment, 'این فیلد الزامی است.');
  const returned = await act('sari.clerk', { action: 'return', comment: 'پلاک ثبتی با سند نمی‌خواند.' });
  assert.equal(returned.statusCode, 200);
  assert.equal(returned.json().state.key, 'correction');
  assert.equal(returned.json().citizen.mobile, '09121230001', 'staff see the applicant');

  const seen = await api('GET', `/api/v1/applications/${app.id}`, 'owner');
  assert.equal(seen.json().citizen, null, 'the citizen view carries no applicant block');
  assert.deepEqual(seen.json().actions.map((a: { name: string }) => a.name).sort(), ['resubmit', 'withdraw']);
  assert.equal(seen.json().history.at(-1).comment, 'پلاک ثبتی با سند نمی‌خواند.');
  const fixed = await api('PATCH', `/api/v1/applications/${app.id}`, 'owner', { values: { registration_plate: '۱۲۴ فرعی از ۴۵ اصلی بخش ۲' } });
  assert.equal(fixed.statusCode, 200);
  assert.equal((await act('owner', { action: 'resubmit' })).json().state.key, 'submitted');

  const note = await api('POST', `/api/v1/applications/${app.id}/notes`, 'sari.clerk', { text: 'با مالک تلفنی صحبت شد.' });
  assert.equal(note.statusCode, 201);
  assert.equal((await api('POST', `/api/v1/applications/${app.id}/notes`, 'owner', { text: 'x' })).statusCode, 403);
  assert.equal((await api('POST', `/api/v1/applications/${app.id}/notes`, 'babol.clerk', { text: 'x' })).statusCode, 404);
  assert.ok(!(await api('GET', `/api/v1/applications/${app.id}`, 'owner')).json().history.some((e: { type: string }) => e.type === 'note'));
  assert.ok((await api('GET', `/api/v1/applications/${app.id}`, 'sari.inspector')).json().history.some((e: { type: string }) => e.type === 'note'));

  assert.equal((await act('sari.clerk', { action: 'accept' })).statusCode, 200);
  assert.equal((await act('sari.inspector', { action: 'approve' })).statusCode, 200);
  assert.equal((await api('POST', `/api/v1/applications/${app.id}/rating`, 'owner', { rating: 5 })).statusCode, 409);
  const closed = await act('sari.clerk', { action: 'confirm_payment', comment: 'فیش ۹۸۷۶ تأیید شد.' });
  assert.equal(closed.statusCode, 200);
  assert.equal(closed.json().phase, 'closed');
  assert.equal(closed.json().outcome, 'granted');
  assert.match(closed.json().result_code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.equal((await act('sari.clerk', { action: 'accept' })).statusCode, 409);

  assert.equal((await api('POST', `/api/v1/applications/${app.id}/rating`, 'owner', { rating: 9 })).statusCode, 400);
  assert.equal((await api('POST', `/api/v1/applications/${app.id}/rating`, 'other', { rating: 5 })).statusCode, 404);
  const rated = await api('POST', `/api/v1/applications/${app.id}/rating`, 'owner', { rating: 5, comment: 'عالی' });
  assert.equal(rated.statusCode, 200);
  assert.equal(rated.json().rating, 5);
  assert.equal((await api('POST', `/api/v1/applications/${app.id}/rating`, 'owner', { rating: 4 })).statusCode, 409);

  // The citizen's pages: the outcome, the letter with its verification code, public verification.
  const b = new Browser('owner');
  const page = await b.get(`/my/applications/${app.id}`);
  assert.match(page.body, /انجام شد/);
  assert.match(page.body, /امتیاز شما: ۵ از ۵/);
  const letter = await b.get(`/applications/${app.id}/letter`);
  assert.equal(letter.statusCode, 200);
  assert.match(letter.body, /پروانه ساختمانی \(احداث بنا\)/);
  assert.match(letter.body, /علی کاظمی/);
  assert.match(letter.body, new RegExp(`/verify/${closed.json().result_code}`));
  assert.match(letter.body, /@media print|letter\.css/);
  assert.equal((await new Browser('other').get(`/applications/${app.id}/letter`)).statusCode, 404);
  const verify = await new Browser().get(`/verify/${closed.json().result_code.toLowerCase()}`);
  assert.equal(verify.statusCode, 200);
  assert.match(verify.body, /این نامه معتبر است/);
  assert.match(verify.body, /ع\. کاظمی/);
  assert.equal((await new Browser().get('/verify/AAAA-BBBB-CCCC')).statusCode, 404);
  const verifyApi = await api('GET', `/api/v1/verify/${closed.json().result_code}`);
  assert.equal(verifyApi.json().tracking_code, app.tracking_code);
});

test('the citizen resubmits and rates through the pages, with CSRF on every form', async () => {
  const app = await submittedViaApi();
  await api('POST', `/api/v1/applications/${app.id}/actions`, 'sari.clerk', { action: 'return', comment: 'نقشه‌ها مهر ندارند.' });
  const b = new Browser('owner');
  const page = await b.get(`/my/applications/${app.id}`);
  assert.match(page.body, /این درخواست منتظر اقدام شماست/);
  assert.match(page.body, /نقشه‌ها مهر ندارند/);
  assert.match(page.body, new RegExp(`href="/applications/${app.id}/edit"`));
  const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  assert.equal((await b.post(`/my/applications/${app.id}/actions`, { action: 'resubmit' })).statusCode, 403);
  const edit = await b.get(`/applications/${app.id}/edit`);
  assert.equal(edit.statusCode, 200);
  assert.match(edit.body, /اصلاح درخواست/);
  const resent = await b.post(`/my/applications/${app.id}/actions`, { _csrf: csrf, action: 'resubmit', comment: 'نقشه‌های ممهور بارگذاری شد.' });
  assert.equal(resent.statusCode, 303);
  assert.equal((await api('GET', `/api/v1/applications/${app.id}`, 'owner')).json().state.key, 'submitted');
  // Not possible any more: answered on the page with the reason.
  const again = await b.post(`/my/applications/${app.id}/actions`, { _csrf: csrf, action: 'resubmit' });
  assert.equal(again.statusCode, 409);
  assert.match(again.body, /در وضعیت فعلی درخواست ممکن نیست/);
  await api('POST', `/api/v1/applications/${app.id}/actions`, 'sari.clerk', { action: 'reject', comment: 'ملک در طرح تعریض معبر است.' });
  const closed = await b.get(`/my/applications/${app.id}`);
  assert.match(closed.body, /رد شد/);
  const bad = await b.post(`/my/applications/${app.id}/rating`, { _csrf: csrf });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /امتیاز باید عددی از ۱ تا ۵ باشد/);
  const rated = await b.post(`/my/applications/${app.id}/rating`, { _csrf: csrf, rating: '۲', comment: 'دیر جواب دادند' });
  assert.equal(rated.statusCode, 303);
  assert.equal((await api('GET', `/api/v1/applications/${app.id}`, 'owner')).json().rating, 2);
  const letter = await b.get(`/applications/${app.id}/letter`);
  assert.match(letter.body, /رد شد/);
  assert.match(letter.body, /ملک در طرح تعریض معبر است/);
});

test('public tracking shows status only, on the page and in the API', async () => {
  const app = await submittedViaApi();
  const res = await api('GET', `/api/v1/track/${app.tracking_code.toLowerCase()}`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().tracking_code, app.tracking_code);
  assert.equal(res.json().state.title.fa, 'بررسی اولیه مدارک');
  for (const secret of ['09121230001', 'علی', 'کاظمی', 'فرهنگ', 'values', 'citizen', app.id]) assert.ok(!res.body.includes(secret), `no ${secret}`);
  assert.equal((await api('GET', '/api/v1/track/SARI-1405-999999')).statusCode, 404);
  const form = await new Browser().get(`/track?code=${encodeURIComponent(app.tracking_code.toLowerCase())}`);
  assert.equal(form.statusCode, 303);
  assert.equal(form.headers.location, `/track/${app.tracking_code}`);
  const page = await new Browser().get(`/track/${app.tracking_code}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /صدور پروانه ساختمانی/);
  for (const secret of ['09121230001', 'کاظمی', 'فرهنگ']) assert.ok(!page.body.includes(secret), `no ${secret} on the page`);
  const missing = await new Browser().get('/track/SARI-1405-999999');
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /درخواستی با این کد رهگیری پیدا نشد/);
});

test('isolation: documents and applications answer 404 to other municipalities and citizens, 401 to nobody', async () => {
  const app = await submittedViaApi();
  const doc = app.documents.find((d: { doc_key: string }) => d.doc_key === 'deed');
  const url = `/api/v1/applications/${app.id}/documents/${doc.id}`;
  const own = await api('GET', url, 'owner');
  assert.equal(own.statusCode, 200);
  assert.equal(own.headers['content-type'], 'application/pdf');
  assert.match(String(own.headers['content-disposition']), /^attachment; filename="deed.pdf"/);
  assert.equal(own.headers['x-content-type-options'], 'nosniff');
  assert.equal(own.rawPayload.subarray(0, 5).toString(), '%PDF-');
  assert.equal((await api('GET', url, 'sari.clerk')).statusCode, 200, 'staff of the organization may read it');
  const nonexistent = await api('GET', `/api/v1/applications/${app.id}/documents/00000000-0000-4000-8000-000000000000`, 'babol.clerk');
  for (const who of ['babol.clerk', 'other']) {
    const res = await api('GET', url, who);
    assert.equal(res.statusCode, 404, who);
    assert.equal(res.json().error.code, nonexistent.json().error.code, 'exactly like a document that does not exist');
    assert.equal((await api('GET', `/api/v1/applications/${app.id}`, who)).statusCode, 404);
    assert.equal((await api('GET', `/api/v1/applications/${app.id}/fees`, who)).statusCode, 404);
    assert.equal((await api('DELETE', url, who)).statusCode, 404);
  }
  assert.equal((await api('GET', url)).statusCode, 401);
  assert.equal((await api('GET', `/api/v1/applications/${app.id}`)).statusCode, 401);
  // The page route: the same rules.
  assert.equal((await new Browser('owner').get(`/applications/${app.id}/documents/${doc.id}`)).statusCode, 200);
  assert.equal((await new Browser('other').get(`/applications/${app.id}/documents/${doc.id}`)).statusCode, 404);
  assert.equal((await new Browser().get(`/applications/${app.id}/documents/${doc.id}`)).statusCode, 303);
  assert.equal((await new Browser('other').get(`/my/applications/${app.id}`)).statusCode, 404);
  // A submitted application's documents cannot be removed.
  assert.equal((await api('DELETE', url, 'owner')).statusCode, 409);
});

test('a counter clerk files for a walk-in citizen through the API', async () => {
  const res = await api('POST', '/api/v1/applications', 'sari.clerk', { org: 'sari', service: 'building-permit', channel: 'counter', citizen: { mobile: '09367778899' } });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().channel, 'counter');
  assert.equal(res.json().citizen.mobile, '09367778899');
  assert.equal((await api('POST', '/api/v1/applications', 'babol.clerk', { org: 'sari', service: 'building-permit', channel: 'counter', citizen: { mobile: '09367778899' } })).statusCode, 404);
  assert.equal((await api('POST', '/api/v1/applications', 'sari.inspector', { org: 'sari', service: 'building-permit', channel: 'counter', citizen: { mobile: '09367778899' } })).statusCode, 404);
  assert.equal((await api('POST', '/api/v1/applications', 'sari.clerk', { org: 'sari', service: 'building-permit' })).statusCode, 403);
  // The clerk fills it in through the same pages as a citizen.
  const b = new Browser('sari.clerk');
  const edit = await b.get(`/applications/${res.json().id}/edit`);
  assert.equal(edit.statusCode, 200);
  assert.match(edit.body, /ثبت حضوری برای متقاضی/);
});

/** A small service with a field of every type, to see every widget and its parsing. */
function everyFieldType() {
  const label = (fa: string) => ({ fa });
  const r = checkDefinition({
    code: 'every-field', title: label('خدمت آزمایشی همه فیلدها'), category: 'other', maturity: 3,
    fields: [
      { key: 'visit_date', type: 'date', label: label('تاریخ بازدید'), required: true },
      { key: 'services', type: 'multi-select', label: label('خدمات'), options: [{ value: 'water', label: label('آب') }, { value: 'power', label: label('برق') }, { value: 'gas', label: label('گاز') }] },
      { key: 'agree', type: 'checkbox', label: label('تعهد می‌دهم'), required: true },
      { key: 'amount', type: 'money', label: label('مبلغ') },
      { key: 'note', type: 'textarea', label: label('توضیح') },
      { key: 'sheba', type: 'sheba', label: label('شبا') },
      { key: 'where', type: 'location', label: label('محل') },
    ],
    workflow: { start: 'review', states: { review: { sla: '2d', roles: ['clerk'] }, done: { final: true, outcome: 'granted' } }, actions: [{ from: 'review', name: 'approve', to: 'done', roles: ['clerk'] }] },
    baseline: { office_visits: 1, days: 1 },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.definition;
}

test('every field type has its widget, and what the browser sends comes back normalized', async () => {
  const b = new Browser('other');
  const form = await b.get('/apply/sari/every-field');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /placeholder="۱۴۰۵\/۰۱\/۰۱"/);
  assert.match(form.body, /تاریخ شمسی به شکل سال\/ماه\/روز/);
  assert.match(form.body, /type="checkbox" id="f-services-0" name="services" value="water"/);
  assert.match(form.body, /<textarea id="f-note"/);
  const csrf = form.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const bad = await b.post('/apply/sari/every-field', { _csrf: csrf, visit_date: '۱۴۰۵/۱۳/۰۱', services: ['water', 'gas'], amount: '۱۲٬۰۰۰', where__lat: '36.5', where__lng: '', intent: 'continue' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="f-visit_date-error"[^>]*>یک تاریخ شمسی معتبر/);
  assert.match(bad.body, /id="f-agree-error"/, 'a required checkbox left unticked');
  assert.match(bad.body, /id="f-where-error"/);
  assert.match(bad.body, /value="۱۴۰۵\/۱۳\/۰۱"/);
  assert.match(bad.body, /name="services" value="water" checked/);
  assert.match(bad.body, /name="services" value="gas" checked/);
  assert.doesNotMatch(bad.body, /name="services" value="power" checked/);
  const id = bad.body.match(/action="\/applications\/([0-9a-f-]{36})\/edit"/)![1]!;
  const ok = await b.post(`/applications/${id}/edit`, { _csrf: csrf, visit_date: '۱۴۰۵/۹/۸', services: ['water', 'gas'], agree: 'on', amount: '۱۲٬۰۰۰', where__lat: '۳۶٫۵', where__lng: '53.06', intent: 'continue' });
  assert.equal(ok.statusCode, 303, ok.body.slice(0, 500));
  assert.equal(ok.headers.location, `/applications/${id}/review`, 'no documents: straight to the review');
  const values = (await api('GET', `/api/v1/applications/${id}`, 'other')).json().values;
  assert.deepEqual(values, { visit_date: '1405-09-08', services: ['water', 'gas'], agree: true, amount: 12000, note: null, sheba: null, where: { lat: 36.5, lng: 53.06 } });
  const review = await b.get(`/applications/${id}/review`);
  assert.match(review.body, /۱۴۰۵\/۰۹\/۰۸/);
  assert.match(review.body, /آب، گاز/);
  assert.match(review.body, /۱۲٬۰۰۰ ریال/);
  const edit = await b.get(`/applications/${id}/edit`);
  assert.match(edit.body, /value="1405\/09\/08"/, 'a stored date is shown as typed Jalali');
  assert.match(edit.body, /id="f-agree" name="agree" value="on" checked/);
});
