// Levies over HTTP: the staff import page and API (CSRF on multipart, the report of every bad
// row, all or nothing, the same file twice), hand entry, the citizen's /bills page, the public
// lookup without names, paying several levies at once, and isolation between municipalities.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import type { Role } from '../../platform/core/index.js';
import { nationalCode } from '../applications/test-factories.js';
import { LEVY_HEADER, browserOf, csvBytes, importForm, makeLevy } from './levies-test-fixtures.js';

let t: TestApp;
const org: Record<string, string> = {};
const tokens: Record<string, string> = {};
const NC = { citizen: nationalCode('271828182'), other: nationalCode('314159265') };

const ACCOUNTS: [string, string, Role][] = [
  ['sari.admin', 'sari', 'org_admin'],
  ['sari.clerk', 'sari', 'clerk'],
  ['sari.manager', 'sari', 'manager'],
  ['babol.admin', 'babol', 'org_admin'],
];

const billCount = async (orgId: string) => Number((await t.deps.db.selectFrom('bills').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n);
const apiAs = (who: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, ...(payload ? { payload } : {}) });

before(async () => {
  t = await makeTestApp();
  const province = await makeOrg(t, 'mazandaran', 'province');
  org.sari = await makeOrg(t, 'sari', 'municipality', province);
  org.babol = await makeOrg(t, 'babol', 'municipality', province);
  for (const [username, orgCode, role] of ACCOUNTS) {
    const { password } = await makeStaff(t, username, [{ orgId: org[orgCode]!, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.citizen = await signInCitizen(t, '09121110001');
  await t.deps.db.updateTable('citizens').set({ national_code: NC.citizen, first_name: 'مریم', last_name: 'رضایی' }).where('mobile', '=', '09121110001').execute();
  tokens.nobody = await signInCitizen(t, '09121110002');
});
after(async () => { await t?.close(); });

test('import page: a file with bad rows is reported row by row (line, column, value, reason) and nothing is imported', async () => {
  const admin = browserOf(t, tokens['sari.admin']);
  const form = await admin.get('/staff/bills/import');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /enctype="multipart\/form-data"/);
  const bytes = csvBytes([LEVY_HEADER,
    ['renewal_levy', NC.citizen, '10-1', '', '', '1405', '5000000', ''],
    ['renewal_levy', '123', '10-2', '', '', '1405', '5000000', ''],
    ['renewal_levy', NC.citizen, '10-3', '', '', '1405', 'پنج میلیون', ''],
  ]);
  const r = await admin.upload('/staff/bills/import?org=sari', '/staff/bills/import?org=sari', { org: 'sari' }, { name: 'bad.csv', bytes });
  assert.equal(r.statusCode, 422);
  assert.match(r.body, /<tr data-line="3" data-column="national_code">/);
  assert.match(r.body, /<tr data-line="4" data-column="amount_rials">/);
  assert.ok(r.body.includes('کد ملی معتبر نیست'));
  assert.ok(r.body.includes('پنج میلیون'), 'the value as typed');
  assert.ok(r.body.includes('هیچ قبضی ثبت نشد'));
  assert.equal(await billCount(org.sari!), 0);
});

test('import page: a clean file is imported once; sent again it is recognized and nothing is doubled', async () => {
  const admin = browserOf(t, tokens['sari.clerk']);
  const bytes = csvBytes([LEVY_HEADER,
    ['renewal_levy', NC.citizen, '۲۰-۱', '', '', '۱۴۰۵', '۱۲٬۵۰۰٬۰۰۰', '۱۴۰۵/۱۲/۲۹'],
    ['business_levy', NC.citizen, '', 'SH-20', '', '1405', '8400000', ''],
  ], { bom: true });
  const r = await admin.upload('/staff/bills/import?org=sari', '/staff/bills/import?org=sari', { org: 'sari' }, { name: 'levies-1405.csv', bytes });
  assert.equal(r.statusCode, 200);
  assert.ok(r.body.includes('۲ قبض به مبلغ کل ۲۰٬۹۰۰٬۰۰۰ ریال'), r.body.slice(r.body.indexOf('alert'), r.body.indexOf('alert') + 400));
  assert.equal(await billCount(org.sari!), 2);
  const again = await admin.upload('/staff/bills/import?org=sari', '/staff/bills/import?org=sari', { org: 'sari' }, { name: 'levies-1405 (1).csv', bytes });
  assert.equal(again.statusCode, 200);
  assert.ok(again.body.includes('پیش‌تر'), 'already imported');
  assert.equal(await billCount(org.sari!), 2);
  assert.ok(again.body.includes('levies-1405.csv'), 'the recent imports list the file');
  const template = await admin.get('/staff/bills/import/template.csv');
  assert.equal(template.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf');
  assert.ok(template.body.includes(LEVY_HEADER.join(',')));
});

test('import: the CSRF token is checked before the file is read; another municipality\'s staff get 404 and nothing is imported', async () => {
  const bytes = csvBytes([LEVY_HEADER, ['renewal_levy', NC.other, '30-1', '', '', '1405', '1000', '']]);
  const { payload, contentType } = await importForm('sari', { name: 'x.csv', bytes });
  const forged = await t.app.inject({ method: 'POST', url: '/staff/bills/import', payload, headers: { cookie: `pk_session=${tokens['sari.admin']}`, 'content-type': contentType } });
  assert.equal(forged.statusCode, 403);
  const babol = browserOf(t, tokens['babol.admin']);
  const r = await babol.upload('/staff/bills/import', '/staff/bills/import?org=sari', { org: 'sari' }, { name: 'x.csv', bytes });
  assert.equal(r.statusCode, 404);
  const viaApi = await importForm('sari', { name: 'x.csv', bytes });
  const a = await t.app.inject({ method: 'POST', url: '/api/v1/staff/levies/import', payload: viaApi.payload, headers: { authorization: `Bearer ${tokens['babol.admin']}`, 'content-type': viaApi.contentType } });
  assert.equal(a.statusCode, 404);
  const m = await t.app.inject({ method: 'POST', url: '/api/v1/staff/levies/import', payload: viaApi.payload, headers: { authorization: `Bearer ${tokens['sari.manager']}`, 'content-type': viaApi.contentType } });
  assert.equal(m.statusCode, 404, 'a manager reports but does not import');
  const c = await t.app.inject({ method: 'POST', url: '/api/v1/staff/levies/import', payload: viaApi.payload, headers: { authorization: `Bearer ${tokens.citizen}`, 'content-type': viaApi.contentType } });
  assert.equal(c.statusCode, 401);
  assert.equal((await t.deps.db.selectFrom('bills').select('id').where('property_code', '=', '30-1').execute()).length, 0);
  // Babol's admin imports into Babol.
  const own = await babol.upload('/staff/bills/import', '/staff/bills/import?org=babol', { org: 'babol' }, { name: 'x.csv', bytes });
  assert.equal(own.statusCode, 200);
  assert.equal(await billCount(org.babol!), 1);
});

test('import API: 422 with every problem localized, 201 when imported, 200 for the same file again', async () => {
  const bad = await importForm('sari', { name: 'bad.csv', bytes: csvBytes([LEVY_HEADER, ['renewal_levy', NC.other, '40-1', '', '', '1405', '0', ''], ['renewal_levy', NC.other, '40-1', '', '', '1405', '10', '']]) });
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/staff/levies/import?lang=en', payload: bad.payload, headers: { authorization: `Bearer ${tokens['sari.admin']}`, 'content-type': bad.contentType } });
  assert.equal(r.statusCode, 422);
  const body = r.json();
  assert.equal(body.status, 'rejected');
  assert.deepEqual(body.problems.map((p: { line: number; column: string; code: string }) => [p.line, p.column, p.code]), [[2, 'amount_rials', 'levies.amount_positive']]);
  assert.equal(body.problems[0].message, 'The amount must be more than zero.');
  const good = await importForm('sari', { name: 'good.csv', bytes: csvBytes([LEVY_HEADER, ['renewal_levy', NC.other, '40-1', '', '', '1405', '10', '']]) });
  const ok = await t.app.inject({ method: 'POST', url: '/api/v1/staff/levies/import', payload: good.payload, headers: { authorization: `Bearer ${tokens['sari.admin']}`, 'content-type': good.contentType } });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.match(ok.json().batch.first_bill_code, /^SARI-B-1405-\d{6}$/);
  const again = await t.app.inject({ method: 'POST', url: '/api/v1/staff/levies/import', payload: good.payload, headers: { authorization: `Bearer ${tokens['sari.admin']}`, 'content-type': good.contentType } });
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().status, 'already_imported');
});

test('recording a levy by hand: problems beside their fields, then the bill in the list', async () => {
  const clerk = browserOf(t, tokens['sari.clerk']);
  const bad = await clerk.post('/staff/bills/new', '/staff/bills/new?org=sari', { org: 'sari', kind: 'renewal_levy', national_code: '12', property_code: '', period: '1405', amount_rials: '' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="f-national_code-error"/);
  assert.match(bad.body, /id="f-property_code-error"/);
  assert.match(bad.body, /id="f-amount_rials-error"/);
  const ok = await clerk.post('/staff/bills/new', '/staff/bills/new?org=sari', { org: 'sari', kind: 'renewal_levy', national_code: NC.other, property_code: '50-5', period: '1405', amount_rials: '2,500,000', due_date: '1405/11/30' });
  assert.equal(ok.statusCode, 303);
  const location = String(ok.headers.location);
  assert.match(location, /^\/staff\/bills\?org=sari&q=SARI-B-1405-\d{6}&recorded=/);
  const list = await clerk.get(location);
  assert.ok(list.body.includes('ثبت شد'));
  assert.equal((list.body.match(/data-bill="/g) ?? []).length, 1);
  const dup = await clerk.post('/staff/bills/new', '/staff/bills/new?org=sari', { org: 'sari', kind: 'renewal_levy', national_code: NC.other, property_code: '50-5', period: '1405', amount_rials: '1' });
  assert.equal(dup.statusCode, 409);
  const viaApi = await apiAs('sari.admin', 'POST', '/api/v1/staff/levies', { org: 'sari', kind: 'business_levy', national_code: NC.other, business_code: 'k-9', period: '1405', amount_rials: '۷۰۰٬۰۰۰' });
  assert.equal(viaApi.statusCode, 201, viaApi.body);
  assert.deepEqual([viaApi.json().business_code, viaApi.json().amount], ['K-9', 700_000]);
  const badApi = await apiAs('sari.admin', 'POST', '/api/v1/staff/levies?lang=en', { org: 'sari', kind: 'business_levy', national_code: NC.other, period: '1405', amount_rials: '1' });
  assert.equal(badApi.statusCode, 400);
  assert.equal(badApi.json().error.fields.business_code, 'A business levy needs the business code.');
  assert.equal((await apiAs('babol.admin', 'POST', '/api/v1/staff/levies', { org: 'sari', kind: 'business_levy', national_code: NC.other, business_code: 'k-10', period: '1405', amount_rials: '1' })).statusCode, 404);
});

test('/bills: a citizen sees their levies grouped by municipality and pays several at once; a visitor looks up without names', async () => {
  await makeLevy(t, { orgId: org.babol!, orgCode: 'babol', nationalCode: NC.citizen, propertyCode: '60-1', amount: 900_000, titleFa: 'عوارض نوسازی ملک خانم رضایی' });
  const citizen = browserOf(t, tokens.citizen);
  const mine = await citizen.get('/bills');
  assert.equal(mine.statusCode, 200);
  assert.match(mine.body, /<section[^>]*data-org="sari"/);
  assert.match(mine.body, /<section[^>]*data-org="babol"/);
  assert.ok(mine.body.includes('عوارض نوسازی ملک خانم رضایی'), 'the owner sees titles');
  const sariIds = [...mine.body.matchAll(/data-org="sari"[\s\S]*?<\/section>/g)][0]![0].match(/name="bill_ids" value="([^"]+)"/g)!.map((m) => m.split('value="')[1]!.slice(0, -1));
  assert.equal(sariIds.length, 2);
  const pay = await citizen.post('/bills', '/bills/levies/pay', { bill_ids: sariIds });
  assert.equal(pay.statusCode, 303, pay.body.slice(0, 500));
  assert.match(String(pay.headers.location), /\/sandbox-bank\//);
  const payment = await t.deps.db.selectFrom('payments').selectAll().orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  assert.equal(Number(payment.amount), 20_900_000);
  assert.equal(payment.return_to, '/bills');
  // Bills of two municipalities at once: refused, shown on the page.
  const babolId = [...mine.body.matchAll(/data-org="babol"[\s\S]*?<\/section>/g)][0]![0].match(/name="bill_ids" value="([^"]+)"/)![1]!;
  const mixed = await citizen.post('/bills', '/bills/levies/pay', { bill_ids: [sariIds[0]!, babolId] });
  assert.equal(mixed.statusCode, 400);
  assert.ok(mixed.body.includes('قبوض هر شهرداری جداگانه پرداخت می‌شود'));

  // A visitor: the lookup by property code shows no name and no title, and paying asks to sign in first.
  const visitor = browserOf(t);
  const found = await visitor.get('/bills?org=babol&property_code=60-1');
  assert.equal(found.statusCode, 200);
  assert.ok(!found.body.includes('رضایی'), 'no owner name for a visitor');
  assert.ok(!found.body.includes(NC.citizen));
  assert.ok(found.body.includes('۹۰۰٬۰۰۰ ریال'));
  const visitorPay = await visitor.post('/bills?org=babol&property_code=60-1', '/bills/levies/pay', { bill_ids: babolId, lookup_org: 'babol', lookup_property_code: '60-1' });
  assert.equal(visitorPay.statusCode, 303);
  assert.equal(visitorPay.headers.location, `/login?next=${encodeURIComponent('/bills?org=babol&property_code=60-1')}`);
  // Another citizen pays that property's levy from the same lookup (a tenant, a buyer).
  const other = browserOf(t, tokens.nobody);
  const paid = await other.post('/bills?org=babol&property_code=60-1', '/bills/levies/pay', { bill_ids: babolId, lookup_org: 'babol', lookup_property_code: '60-1' });
  assert.equal(paid.statusCode, 303);
  assert.match(String(paid.headers.location), /\/sandbox-bank\//);
  // ... but not without the lookup that found it.
  const sneaky = await other.post('/bills', '/bills/levies/pay', { bill_ids: sariIds[0]! });
  assert.equal(sneaky.statusCode, 404);
  // A bad lookup is a field error, not a failure.
  const bad = await visitor.get('/bills?national_code=1234567890');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="f-national_code-error"/);
});

test('API: public lookup without names, the citizen\'s levies, paying', async () => {
  const look = await apiAs(undefined, 'GET', `/api/v1/levies/lookup?national_code=${NC.citizen}`);
  assert.equal(look.statusCode, 200);
  const body = look.json();
  assert.ok(body.groups.length >= 2);
  for (const g of body.groups) for (const b of g.bills) assert.deepEqual([b.title, b.national_code], [null, null]);
  const mine = await apiAs('citizen', 'GET', '/api/v1/my/levies');
  assert.equal(mine.statusCode, 200);
  assert.equal(mine.json().national_code, NC.citizen);
  assert.ok(mine.json().groups.every((g: { bills: { title: unknown }[] }) => g.bills.every((b) => b.title !== null)));
  assert.equal((await apiAs(undefined, 'GET', '/api/v1/my/levies')).statusCode, 401);
  const unpaid = mine.json().groups.find((g: { org: { code: string } }) => g.org.code === 'sari').bills.filter((b: { status: string }) => b.status === 'unpaid').map((b: { id: string }) => b.id);
  const pay = await apiAs('citizen', 'POST', '/api/v1/levies/pay', { bill_ids: unpaid });
  assert.equal(pay.statusCode, 201, pay.body);
  assert.match(pay.json().redirect_url, /\/sandbox-bank\//);
  assert.equal((await apiAs(undefined, 'POST', '/api/v1/levies/pay', { bill_ids: unpaid })).statusCode, 401);
  assert.equal((await apiAs('sari.admin', 'POST', '/api/v1/levies/pay', { bill_ids: unpaid })).statusCode, 403);
  assert.equal((await apiAs('nobody', 'POST', '/api/v1/levies/pay', { bill_ids: unpaid })).statusCode, 404);
  const withLookup = await apiAs('nobody', 'POST', '/api/v1/levies/pay', { bill_ids: unpaid.slice(0, 1), lookup: { national_code: NC.citizen } });
  assert.equal(withLookup.statusCode, 201, withLookup.body);
});

test('every page of levies, clearance and the staff reports reads in Persian and English with no raw message key', async () => {
  const citizen = browserOf(t, tokens.citizen);
  const admin = browserOf(t, tokens['sari.admin']);
  const pages: [ReturnType<typeof browserOf>, string][] = [
    [citizen, '/bills'], [citizen, `/bills?national_code=${NC.citizen}`], [browserOf(t), '/bills?org=babol&property_code=60-1'], [browserOf(t), '/bills?national_code=123'],
    [citizen, '/clearance'], [citizen, '/clearance/verify'], [citizen, '/clearance/verify/AAAA-BBBB-CCCC'],
    [admin, '/staff/bills'], [admin, '/staff/bills/payments'], [admin, '/staff/bills/revenue'], [admin, '/staff/bills/import'], [admin, '/staff/bills/new'], [admin, '/staff/bills?from=bad'],
  ];
  for (const lang of ['fa', 'en']) {
    for (const [b, url] of pages) {
      const r = await b.get(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
      assert.ok(r.statusCode < 500, `${url} ${r.statusCode}`);
      const raw = r.body.match(/>[^<]*\b(levies|clearance|revenue)\.[a-z_]+(\.[a-z_]+)?\b[^<]*</);
      assert.equal(raw, null, `${lang} ${url}: ${raw?.[0]}`);
      assert.match(r.body, new RegExp(`<html lang="${lang}"`));
    }
  }
});
