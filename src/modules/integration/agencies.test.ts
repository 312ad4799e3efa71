// Agencies and their external e-services: only the province administrator registers them, the
// single window lists them beside Pishkhan's own services (marked external, searchable with the
// same Persian fold), and each has its public page with the way out to the agency's site.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';

let t: TestApp;
const tokens: Record<string, string> = {};
let citizen: string;

before(async () => {
  t = await makeTestApp();
  const province = await makeOrg(t, 'mazandaran', 'province');
  const sari = await makeOrg(t, 'sari', 'municipality', province);
  for (const [username, orgId, role] of [['province.admin', province, 'province_admin'], ['sari.admin', sari, 'org_admin'], ['sari.clerk', sari, 'clerk']] as const) {
    const { password } = await makeStaff(t, username, [{ orgId, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  citizen = await signInCitizen(t, '09121234567');
});
after(async () => { await t?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload: JSON.stringify(payload) } : {}) });
const admin = () => tokens['province.admin']!;

const water = { code: 'abfa', name_fa: 'شرکت آب و فاضلاب استان مازندران', name_en: 'Mazandaran Water and Wastewater Company', website: 'https://example.org/abfa' };
const connection = {
  code: 'water-connection', title_fa: 'درخواست انشعاب آب', title_en: 'Water connection', description_fa: 'ثبت درخواست انشعاب آب شرب برای ملک مسکونی',
  documents: [{ fa: 'سند مالکیت', en: 'Title deed' }, { fa: 'کارت ملی' }], maturity: 4, url: 'https://example.org/abfa/connection', category: 'property',
};

test('only the province administrator registers agencies; others get 401 or 404 and nothing is written', async () => {
  assert.equal((await call('POST', '/api/v1/agencies', undefined, water)).statusCode, 401);
  for (const who of [tokens['sari.admin'], tokens['sari.clerk'], citizen]) {
    const res = await call('POST', '/api/v1/agencies', who, water);
    assert.equal(res.statusCode, 404, res.body);
  }
  assert.equal((await call('GET', '/api/v1/agencies')).json().items.length, 0);
  const res = await call('POST', '/api/v1/agencies', admin(), water);
  assert.equal(res.statusCode, 201, res.body);
  assert.deepEqual(res.json().name, { fa: water.name_fa, en: water.name_en });
  const org = await t.deps.db.selectFrom('orgs').selectAll().where('code', '=', 'abfa').executeTakeFirstOrThrow();
  assert.equal(org.kind, 'agency');
  assert.equal(org.website, 'https://example.org/abfa');
  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'agency.created').execute();
  assert.equal(audit.length, 1);
});

test('bad agency and service input answers 400 naming each field, in the asked language', async () => {
  let res = await call('POST', '/api/v1/agencies', admin(), { code: 'Bad Code', name_fa: ' ', name_en: 'x', website: 'http://insecure.example' });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(Object.keys(res.json().error.fields).sort(), ['code', 'name_fa', 'website']);
  res = await call('POST', '/api/v1/agencies', admin(), { ...water });
  assert.equal(res.statusCode, 400);
  assert.ok(res.json().error.fields.code);
  res = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/abfa/services', headers: { authorization: `Bearer ${admin()}`, 'content-type': 'application/json', 'accept-language': 'en' }, payload: JSON.stringify({ ...connection, maturity: 7, url: 'javascript:alert(1)', category: 'nope' }) });
  assert.equal(res.statusCode, 400, res.body);
  const fields = res.json().error.fields as Record<string, string>;
  assert.deepEqual(Object.keys(fields).sort(), ['category', 'maturity', 'url']);
  assert.match(fields.maturity!, /1 to 5/);
  // zod's own shape check also names the field
  res = await call('POST', '/api/v1/agencies/abfa/services', admin(), { ...connection, maturity: 'three' });
  assert.equal(res.statusCode, 400);
  assert.match(JSON.stringify(res.json().error), /maturity/);
});

test('the province administrator adds external services; others cannot (404) and change nothing', async () => {
  for (const who of [tokens['sari.admin'], citizen]) {
    assert.equal((await call('POST', '/api/v1/agencies/abfa/services', who, connection)).statusCode, 404);
    assert.equal((await call('PUT', '/api/v1/agencies/abfa', who, { name_fa: 'x', name_en: 'y' })).statusCode, 404);
  }
  assert.equal((await call('POST', '/api/v1/agencies/abfa/services', undefined, connection)).statusCode, 401);
  const res = await call('POST', '/api/v1/agencies/abfa/services', admin(), connection);
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().page, '/services/external/abfa/water-connection');
  assert.deepEqual(res.json().documents, [{ fa: 'سند مالکیت', en: 'Title deed' }, { fa: 'کارت ملی', en: '' }]);
  const r2 = await call('POST', '/api/v1/agencies/abfa/services', admin(), { ...connection, code: 'water-bill', title_fa: 'پرداخت قبض آب', title_en: 'Water bill', description_fa: 'پرداخت برخط قبض مصرف', maturity: 3, url: 'https://example.org/abfa/bill', category: 'revenue' });
  assert.equal(r2.statusCode, 201);
  assert.equal((await call('POST', '/api/v1/agencies/abfa/services', admin(), connection)).statusCode, 400, 'a code is used once per agency');
  assert.equal((await call('POST', '/api/v1/agencies/nope/services', admin(), connection)).statusCode, 404);
});

test('the single window lists external services beside Pishkhan\'s own, marked, and finds them with Arabic letters', async () => {
  const res = await call('GET', '/api/v1/services?q=' + encodeURIComponent('انشعاب آب'));
  assert.equal(res.statusCode, 200, res.body);
  const item = res.json().items.find((i: { code: string }) => i.code === 'water-connection');
  assert.ok(item, res.body);
  assert.equal(item.url, '/services/external/abfa/water-connection');
  assert.deepEqual(item.external, { agency: { code: 'abfa', name: { fa: water.name_fa, en: water.name_en } }, url: 'https://example.org/abfa/connection' });
  // «ي» and «ك» (Arabic) and a ZWNJ-less spelling find the Persian title.
  const arabic = await call('GET', '/api/v1/services?q=' + encodeURIComponent('انشعاب آب شرب براي ملك'));
  assert.deepEqual(arabic.json().items.map((i: { code: string }) => i.code), ['water-connection']);
  assert.equal((await call('GET', '/api/v1/services?q=' + encodeURIComponent('قبض'))).json().items[0].code, 'water-bill');
  assert.equal((await call('GET', '/api/v1/services?category=revenue')).json().items.length, 1);
  assert.equal((await call('GET', '/api/v1/services?org=abfa')).json().total, 2, 'an agency\'s own list');
  assert.equal((await call('GET', '/api/v1/services?org=sari')).json().total, 0, 'a municipality lists only its own services');

  const page = await t.app.inject({ method: 'GET', url: '/services?q=' + encodeURIComponent('انشعاب') });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /خدمت بیرونی/);
  assert.match(page.body, /href="\/services\/external\/abfa\/water-connection"/);
  assert.match(page.body, /<a href="https:\/\/example.org\/abfa\/connection" rel="noopener noreferrer external" target="_blank">/);
  assert.match(page.body, /در پایگاه شرکت آب و فاضلاب استان مازندران انجام می‌شود/);
  const en = await t.app.inject({ method: 'GET', url: '/services?lang=en' });
  assert.match(en.body, />External</);
});

test('an external service\'s page: description, documents, maturity and the way out; an inactive one is gone for the public', async () => {
  let page = await t.app.inject({ method: 'GET', url: '/services/external/abfa/water-connection' });
  assert.equal(page.statusCode, 200);
  for (const s of ['درخواست انشعاب آب', 'سند مالکیت', 'کارت ملی', 'سطح ۴ از ۵', 'rel="noopener noreferrer external"', 'خدمت بیرونی', 'نمونه و آزمایشی']) assert.ok(page.body.includes(s), s);
  assert.equal((await t.app.inject({ method: 'GET', url: '/services/external/abfa/nope' })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: '/services/external/sari/water-connection' })).statusCode, 404);

  const off = await call('PUT', '/api/v1/agencies/abfa/services/water-bill', admin(), { ...connection, code: undefined, title_fa: 'پرداخت قبض آب', url: 'https://example.org/abfa/bill', category: 'revenue', maturity: 3, active: false });
  assert.equal(off.statusCode, 200, off.body);
  assert.equal(off.json().active, false);
  assert.equal((await call('GET', '/api/v1/services?q=' + encodeURIComponent('قبض'))).json().total, 0);
  assert.equal((await call('GET', '/api/v1/agencies/abfa/services/water-bill')).statusCode, 404);
  assert.equal((await call('GET', '/api/v1/agencies/abfa/services/water-bill', admin())).statusCode, 200, 'the administrator still sees it');
  page = await t.app.inject({ method: 'GET', url: '/services/external/abfa/water-bill' });
  assert.equal(page.statusCode, 404);
  const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'data']).where('entity', '=', 'external_service').orderBy('seq').execute();
  assert.deepEqual(audit.map((a) => a.action), ['external_service.created', 'external_service.created', 'external_service.deactivated']);
  assert.equal((await call('GET', '/api/v1/agencies')).json().items[0].active_services, 1);
});

test('/staff/agencies: the administrator registers an agency and a service through the forms; others get 404', async () => {
  for (const who of ['sari.admin', 'sari.clerk']) {
    for (const url of ['/staff/agencies', '/staff/agencies/abfa', '/staff/agencies/abfa/services/water-connection']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: `pk_session=${tokens[who]}` } });
      assert.equal(res.statusCode, 404, `${who} ${url}`);
    }
  }
  const edit = await t.app.inject({ method: 'GET', url: '/staff/agencies/abfa/services/water-connection', headers: { cookie: `pk_session=${admin()}` } });
  assert.equal(edit.statusCode, 200);
  assert.match(edit.body, /سند مالکیت \| Title deed/);
  assert.equal((await t.app.inject({ method: 'GET', url: '/staff/agencies' })).statusCode, 303);
  const b = new FormBrowser(t, admin());
  let csrf = await b.csrf('/staff/agencies');
  let res = await b.post('/staff/agencies', { _csrf: csrf, code: 'sabt', name_fa: '', name_en: 'Registry office', website: '' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /id="f-name_fa-error"/);
  res = await b.post('/staff/agencies', { _csrf: csrf, code: 'sabt', name_fa: 'اداره کل ثبت اسناد و املاک استان مازندران', name_en: 'Registry office', website: 'https://example.org/sabt' });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, '/staff/agencies/sabt?done=1');
  csrf = await b.csrf('/staff/agencies/sabt');
  res = await b.post('/staff/agencies/sabt/services', { _csrf: csrf, code: 'deed-inquiry', title_fa: 'استعلام وضعیت سند', title_en: 'Deed status inquiry', description_fa: 'استعلام برخط', documents: 'کد رهگیری | Tracking code\nکارت ملی', maturity: '3', category: 'property', url: 'ftp://x', active: 'on' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /id="f-url-error"/);
  res = await b.post('/staff/agencies/sabt/services', { _csrf: csrf, code: 'deed-inquiry', title_fa: 'استعلام وضعیت سند', title_en: 'Deed status inquiry', description_fa: 'استعلام برخط', documents: 'کد رهگیری | Tracking code\nکارت ملی', maturity: '3', category: 'property', url: 'https://example.org/sabt/deed', active: 'on' });
  assert.equal(res.statusCode, 303, res.body);
  const svc = await call('GET', '/api/v1/agencies/sabt/services/deed-inquiry');
  assert.deepEqual(svc.json().documents, [{ fa: 'کد رهگیری', en: 'Tracking code' }, { fa: 'کارت ملی', en: '' }]);
  res = await b.post('/staff/agencies/sabt/services/deed-inquiry/deactivate', { _csrf: csrf });
  assert.equal(res.statusCode, 303);
  assert.equal((await call('GET', '/api/v1/agencies/sabt/services/deed-inquiry')).statusCode, 404);
  const page = await b.get('/staff/agencies/sabt');
  assert.match(page.body, /استعلام وضعیت سند/);
  // A clerk's forged post changes nothing.
  const clerk = new FormBrowser(t, tokens['sari.clerk']);
  res = await clerk.post('/staff/agencies/sabt/services/deed-inquiry/activate', { _csrf: csrf });
  assert.ok([403, 404].includes(res.statusCode), String(res.statusCode));
  assert.equal((await call('GET', '/api/v1/agencies/sabt/services/deed-inquiry')).statusCode, 404);
});
