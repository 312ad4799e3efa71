// The staff lists of bills and payments, their CSV exports and the daily revenue report, over
// HTTP: states and filters, Excel-ready CSV (BOM, integer Rials, Jalali dates), revenue summed
// per Tehran day and per kind/service from paid payments only, and isolation between
// municipalities and roles on every route.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import type { Role } from '../../platform/core/index.js';
import { newId } from '../../platform/core/index.js';
import { makeCitizen, nationalCode } from '../applications/test-factories.js';
import { adoptFor, caseDefinition, makeCase } from '../casework/test-fixtures.js';
import { parseCsv } from './csv.js';
import { makeLevy, makePayment, tehran } from './levies-test-fixtures.js';

let t: TestApp;
const org: Record<string, string> = {};
const tokens: Record<string, string> = {};
const bills: Record<string, { id: string; billCode: string }> = {};
const payments: Record<string, string> = {};
const NC = nationalCode('271828182');

const ACCOUNTS: [string, string, Role][] = [
  ['sari.admin', 'sari', 'org_admin'],
  ['sari.clerk', 'sari', 'clerk'],
  ['sari.manager', 'sari', 'manager'],
  ['sari.inspector', 'sari', 'inspector'],
  ['babol.admin', 'babol', 'org_admin'],
  ['province.admin', 'mazandaran', 'province_admin'],
];

const page = (url: string, who?: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: `pk_session=${tokens[who]}` } : {} });
const api = (url: string, who?: string) => t.app.inject({ method: 'GET', url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });

before(async () => {
  t = await makeTestApp();
  const province = await makeOrg(t, 'mazandaran', 'province');
  org.mazandaran = province;
  org.sari = await makeOrg(t, 'sari', 'municipality', province);
  org.babol = await makeOrg(t, 'babol', 'municipality', province);
  for (const [username, orgCode, role] of ACCOUNTS) {
    const { password } = await makeStaff(t, username, [{ orgId: org[orgCode]!, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.citizen = await signInCitizen(t, '09351112233');

  // Sari: levies issued on 1405/09/01 and 1405/09/05, an application's fee, and payments over two days.
  const sari = { orgId: org.sari, orgCode: 'sari', nationalCode: NC };
  bills.r1 = await makeLevy(t, { ...sari, propertyCode: '1-1', period: '1404', amount: 2_000_000, createdAt: tehran('2026-11-22T10:00') });
  bills.r2 = await makeLevy(t, { ...sari, propertyCode: '1-1', period: '1405', amount: 3_000_000, createdAt: tehran('2026-11-22T10:00') });
  bills.b1 = await makeLevy(t, { ...sari, kind: 'business_levy', businessCode: 'SH-1', amount: 700_000, createdAt: tehran('2026-11-26T10:00'), titleFa: '=HYPERLINK("http://x")' });
  bills.overdue = await makeLevy(t, { ...sari, propertyCode: '2-2', amount: 1_100_000, dueAt: tehran('2026-11-27T00:00'), createdAt: tehran('2026-11-26T11:00') });
  bills.open = await makeLevy(t, { ...sari, propertyCode: '3-3', amount: 400_000, dueAt: tehran('2026-12-30T00:00'), createdAt: tehran('2026-11-26T12:00') });
  bills.refunded = await makeLevy(t, { ...sari, propertyCode: '4-4', amount: 999_000, createdAt: tehran('2026-11-26T12:00') });
  bills.cancelled = await makeLevy(t, { ...sari, propertyCode: '5-5', amount: 5_000, status: 'cancelled', createdAt: tehran('2026-11-26T12:00') });
  const def = caseDefinition('building-permit-test');
  const adopted = await adoptFor(t, def, [org.sari]);
  const applicant = await makeCitizen(t.deps.db, '09121234000', { firstName: 'علی', lastName: 'محمدی', nationalCode: NC });
  const c = await makeCase(t, { orgId: org.sari, orgCode: 'sari', orgServiceId: adopted.orgServices.get(org.sari)!, versionId: adopted.versionId, definition: def, citizenId: applicant });
  const feeId = newId();
  await t.deps.db.insertInto('bills').values({
    id: feeId, org_id: org.sari, kind: 'application', bill_code: 'SARI-B-1405-000500', application_id: c.id, citizen_id: applicant, national_code: null,
    property_code: null, business_code: null, title_fa: 'خدمت آزمایشی کارتابل', title_en: 'Inbox test service', period: null, amount: 6_000_000, status: 'unpaid',
    due_at: null, payment_id: null, import_batch: null, created_at: tehran('2026-11-26T13:00'), paid_at: null,
  }).execute();
  bills.fee = { id: feeId, billCode: 'SARI-B-1405-000500' };

  // 1405/09/05 late evening (Tehran): renewal levies 1404+1405 in one payment, the business levy in another.
  payments.day1a = await makePayment(t, { orgId: org.sari, billIds: [bills.r1.id, bills.r2.id], verifiedAt: tehran('2026-11-26T23:50'), citizenId: applicant, refId: 'REF-111' });
  payments.day1b = await makePayment(t, { orgId: org.sari, billIds: [bills.b1.id], verifiedAt: tehran('2026-11-26T14:00') });
  // 1405/09/06 just after midnight (Tehran), though still 26 November in UTC: the application's fee.
  payments.day2 = await makePayment(t, { orgId: org.sari, billIds: [bills.fee.id], verifiedAt: tehran('2026-11-27T00:10') });
  // Not revenue: refunded, pending, failed.
  payments.refunded = await makePayment(t, { orgId: org.sari, billIds: [bills.refunded.id], status: 'refunded', verifiedAt: tehran('2026-11-27T09:00') });
  payments.pending = await makePayment(t, { orgId: org.sari, billIds: [bills.open.id], status: 'pending', createdAt: tehran('2026-11-27T10:00') });
  payments.failed = await makePayment(t, { orgId: org.sari, billIds: [bills.open.id], status: 'failed', createdAt: tehran('2026-11-27T10:05') });

  // Babol: its own levy and payment, on the same day.
  bills.babol = await makeLevy(t, { orgId: org.babol, orgCode: 'babol', nationalCode: NC, propertyCode: '1-1', amount: 8_000_000, createdAt: tehran('2026-11-26T10:00') });
  payments.babol = await makePayment(t, { orgId: org.babol, billIds: [bills.babol.id], verifiedAt: tehran('2026-11-26T15:00'), refId: 'BABOL-REF' });
});
after(async () => { await t?.close(); });

test('the bills of the organization with their states, filtered by Jalali date range, kind, service, state and search', async () => {
  const all = await api('/api/v1/staff/bills', 'sari.admin');
  assert.equal(all.statusCode, 200, all.body);
  const body = all.json();
  assert.equal(body.org.code, 'sari');
  assert.equal(body.total, 8);
  assert.ok(!body.items.some((b: { bill_code: string }) => b.bill_code === bills.babol!.billCode));
  const codes = async (q: string) => (await api(`/api/v1/staff/bills?${q}`, 'sari.clerk')).json().items.map((b: { bill_code: string }) => b.bill_code).sort();
  assert.deepEqual(await codes('from=1405/09/01&to=1405/09/01'), [bills.r1!.billCode, bills.r2!.billCode].sort());
  assert.deepEqual(await codes(`from=${encodeURIComponent('۱۴۰۵/۰۹/۰۵')}`), [bills.b1, bills.overdue, bills.open, bills.refunded, bills.cancelled, bills.fee].map((b) => b!.billCode).sort());
  assert.deepEqual(await codes('kind=business_levy'), [bills.b1!.billCode]);
  assert.deepEqual(await codes('kind=application'), [bills.fee!.billCode]);
  assert.deepEqual(await codes('service=building-permit-test'), [bills.fee!.billCode]);
  assert.deepEqual(await codes('state=overdue'), [bills.overdue!.billCode]);
  assert.deepEqual(await codes('state=unpaid'), [bills.overdue, bills.open, bills.refunded].map((b) => b!.billCode).sort());
  assert.deepEqual(await codes('state=cancelled'), [bills.cancelled!.billCode]);
  assert.deepEqual(await codes('state=paid&kind=renewal_levy'), [bills.r1!.billCode, bills.r2!.billCode].sort());
  assert.deepEqual(await codes('q=3-3'), [bills.open!.billCode]);
  assert.deepEqual(await codes(`q=${bills.b1!.billCode.toLowerCase()}`), [bills.b1!.billCode]);
  const paid = (await api('/api/v1/staff/bills?state=paid&kind=renewal_levy', 'sari.manager')).json();
  assert.equal(paid.amount, 5_000_000);
  assert.ok(paid.items.every((b: { payment_id: string | null; paid_at: string | null }) => b.payment_id === payments.day1a && b.paid_at));
  const bad = await api('/api/v1/staff/bills?from=1405/13/40', 'sari.admin');
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.json().error.fields.from);
  const paged = (await api('/api/v1/staff/bills?per_page=3&page=2', 'sari.admin')).json();
  assert.deepEqual([paged.items.length, paged.total, paged.filters.page], [3, 8, 2]);
});

test('the payments of the organization with their states, filtered', async () => {
  const r = await api('/api/v1/staff/payments', 'sari.admin');
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json();
  assert.equal(body.total, 6);
  const byId = new Map(body.items.map((p: { id: string }) => [p.id, p]));
  assert.deepEqual((byId.get(payments.day1a!) as { status: string; bills: { bill_code: string }[]; payer: { name: string } }).bills.map((b) => b.bill_code).sort(), [bills.r1!.billCode, bills.r2!.billCode].sort());
  assert.equal((byId.get(payments.day1a!) as { payer: { name: string } }).payer.name, 'علی محمدی');
  const ids = async (q: string) => (await api(`/api/v1/staff/payments?${q}`, 'sari.clerk')).json().items.map((p: { id: string }) => p.id).sort();
  assert.deepEqual(await ids('state=refunded'), [payments.refunded]);
  assert.deepEqual(await ids('state=pending'), [payments.pending]);
  assert.deepEqual(await ids('kind=business_levy'), [payments.day1b]);
  assert.deepEqual(await ids('service=building-permit-test'), [payments.day2]);
  assert.deepEqual(await ids('q=REF-111'), [payments.day1a]);
  assert.deepEqual(await ids(`q=${bills.fee!.billCode}`), [payments.day2]);
  assert.deepEqual(await ids('from=1405/09/06&to=1405/09/06'), [payments.day2, payments.refunded, payments.pending, payments.failed].sort());
});

test('the staff bills page: the list with states in Persian, the filter form, a bad date named beside its field', async () => {
  const r = await page('/staff/bills', 'sari.admin');
  assert.equal(r.statusCode, 200);
  assert.ok(r.body.includes(`data-bill="${bills.overdue!.billCode}" data-state="overdue"`));
  assert.ok(r.body.includes('گذشته از مهلت'));
  assert.ok(r.body.includes('href="/staff/bills/revenue?org=sari"'), 'an org admin sees the revenue tab');
  assert.ok(r.body.includes('href="/staff/bills/import?org=sari"'));
  assert.ok(r.body.includes('/staff/bills/export.csv?org=sari'));
  const clerk = await page('/staff/bills', 'sari.clerk');
  assert.ok(!clerk.body.includes('/staff/bills/revenue'), 'a clerk has no revenue report');
  const manager = await page('/staff/bills', 'sari.manager');
  assert.ok(manager.body.includes('/staff/bills/revenue') && !manager.body.includes('/staff/bills/import'), 'a manager reports but does not import');
  const bad = await page('/staff/bills?from=99/99/99&kind=renewal_levy', 'sari.admin');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="f-from-error"/);
  assert.ok(bad.body.includes(`data-bill="${bills.r1!.billCode}"`), 'the list still shows, without the bad filter');
  const payments = await page('/staff/bills/payments?state=paid', 'sari.admin');
  assert.equal(payments.statusCode, 200);
  assert.equal((payments.body.match(/data-payment="/g) ?? []).length, 3);
});

test('the CSV export opens in Excel: UTF-8 BOM, localized header, the filtered rows, integer Rials, Jalali dates, formulas defused', async () => {
  const r = await page('/staff/bills/export.csv?kind=renewal_levy&state=paid', 'sari.admin');
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^text\/csv; charset=utf-8/);
  assert.match(String(r.headers['content-disposition']), /attachment; filename="bills-sari\.csv"/);
  assert.equal(r.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf');
  const rows = parseCsv(r.rawPayload.toString('utf8')).records.map((x) => x.fields);
  assert.equal(rows[0]![0], 'شماره قبض');
  assert.equal(rows.length, 3);
  const r2 = rows.find((x) => x[0] === bills.r2!.billCode)!;
  assert.ok(r2, JSON.stringify(rows));
  assert.ok(r2.includes('3000000'), 'amounts are plain integer Rials');
  assert.ok(r2.includes('پرداخت‌شده'));
  assert.ok(r2.includes('عوارض نوسازی'));
  assert.ok(r2.some((c) => /^1405\/09\/01 \d\d:\d\d$/.test(c)), 'issued at, Jalali with ASCII digits');
  const business = parseCsv((await page('/staff/bills/export.csv?kind=business_levy', 'sari.admin')).rawPayload.toString('utf8')).records;
  assert.ok(business[1]!.fields.includes('\'=HYPERLINK("http://x")'), 'a title that looks like a formula is defused');
  const english = await page('/staff/bills/export.csv?kind=application&lang=en', 'sari.admin');
  const en = parseCsv(english.rawPayload.toString('utf8')).records.map((x) => x.fields);
  assert.equal(en[0]![0], 'Bill number');
  assert.deepEqual([en.length, en[1]![0], en[1]![2]], [2, bills.fee!.billCode, 'Inbox test service']);
  const pay = await page('/staff/bills/payments.csv?state=paid', 'sari.manager');
  assert.equal(pay.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf');
  const prows = parseCsv(pay.rawPayload.toString('utf8')).records;
  assert.equal(prows.length, 4);
  assert.ok(prows.some((x) => x.fields.includes('REF-111') && x.fields.includes('5000000')));
});

test('the revenue report sums paid payments per Tehran day and per kind and service; refunds, pending and failed do not count', async () => {
  const r = await api('/api/v1/staff/revenue?from=1405/09/01&to=1405/09/07', 'sari.admin');
  assert.equal(r.statusCode, 200, r.body);
  const rep = r.json();
  assert.deepEqual(rep.columns.map((c: { key: string }) => c.key), ['renewal_levy', 'business_levy', 'service:building-permit-test']);
  assert.deepEqual(rep.days.map((d: { date: string; payments: number; total: number; by_column: Record<string, number> }) => [d.date, d.payments, d.total, d.by_column]), [
    ['1405/09/05', 2, 5_700_000, { renewal_levy: 5_000_000, business_levy: 700_000 }],
    ['1405/09/06', 1, 6_000_000, { 'service:building-permit-test': 6_000_000 }],
  ]);
  assert.deepEqual(rep.totals, { payments: 3, total: 11_700_000, by_column: { renewal_levy: 5_000_000, business_levy: 700_000, 'service:building-permit-test': 6_000_000 } });
  assert.equal(rep.columns[2].title.fa, 'خدمت آزمایشی کارتابل');
  // The default range is the last 30 days up to today; Babol's money is Babol's.
  const babol = (await api('/api/v1/staff/revenue', 'babol.admin')).json();
  assert.deepEqual([babol.org.code, babol.totals.total, babol.to], ['babol', 8_000_000, '1405/09/07']);
  const narrow = (await api('/api/v1/staff/revenue?from=1405/09/06&to=1405/09/06', 'sari.manager')).json();
  assert.equal(narrow.totals.total, 6_000_000);
  assert.equal((await api('/api/v1/staff/revenue?from=1404/01/01&to=1405/09/07', 'sari.admin')).statusCode, 400, 'more than a year');

  const html = await page('/staff/bills/revenue?from=1405/09/01&to=1405/09/07', 'sari.admin');
  assert.equal(html.statusCode, 200);
  assert.ok(html.body.includes('data-day="1405/09/05"'));
  assert.ok(html.body.includes('data-total="11700000"'));
  assert.ok(html.body.includes('۱۱٬۷۰۰٬۰۰۰'));
  const csv = await page('/staff/bills/revenue.csv?from=1405/09/01&to=1405/09/07', 'sari.admin');
  assert.equal(csv.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf');
  const rows = parseCsv(csv.rawPayload.toString('utf8')).records.map((x) => x.fields);
  assert.deepEqual(rows[0], ['تاریخ', 'تعداد پرداخت', 'عوارض نوسازی', 'عوارض کسب و پیشه', 'خدمت آزمایشی کارتابل', 'جمع']);
  assert.deepEqual(rows.slice(1), [['1405/09/05', '2', '5000000', '700000', '0', '5700000'], ['1405/09/06', '1', '0', '0', '6000000', '6000000'], ['جمع', '3', '5000000', '700000', '6000000', '11700000']]);
});

test('isolation: another municipality\'s staff get 404 on every route, roles without the permission too; citizens and visitors are not staff', async () => {
  const sariPages = ['/staff/bills?org=sari', '/staff/bills/payments?org=sari', '/staff/bills/export.csv?org=sari', '/staff/bills/payments.csv?org=sari', '/staff/bills/revenue?org=sari', '/staff/bills/revenue.csv?org=sari', '/staff/bills/import?org=sari', '/staff/bills/new?org=sari'];
  const sariApi = ['/api/v1/staff/bills?org=sari', '/api/v1/staff/payments?org=sari', '/api/v1/staff/revenue?org=sari'];
  for (const url of sariPages) assert.equal((await page(url, 'babol.admin')).statusCode, 404, url);
  for (const url of sariApi) assert.equal((await api(url, 'babol.admin')).statusCode, 404, url);
  for (const url of sariPages) assert.equal((await page(url, 'sari.inspector')).statusCode, 404, `inspector ${url}`);
  for (const url of sariApi) assert.equal((await api(url, 'sari.inspector')).statusCode, 404, `inspector ${url}`);
  for (const url of ['/staff/bills/revenue?org=sari', '/staff/bills/revenue.csv?org=sari', '/api/v1/staff/revenue?org=sari']) assert.equal((await page(url, 'sari.clerk')).statusCode, 404, `clerk ${url}`);
  for (const url of ['/staff/bills/import?org=sari', '/staff/bills/new?org=sari']) assert.equal((await page(url, 'sari.manager')).statusCode, 404, `manager ${url}`);
  // An organization that does not exist answers the same.
  assert.equal((await api('/api/v1/staff/bills?org=nowhere', 'sari.admin')).statusCode, 404);
  // Babol's admin, without naming an organization, sees Babol's only.
  const own = (await api('/api/v1/staff/bills', 'babol.admin')).json();
  assert.deepEqual(own.items.map((b: { bill_code: string }) => b.bill_code), [bills.babol!.billCode]);
  const ownPayments = (await api('/api/v1/staff/payments', 'babol.admin')).json();
  assert.deepEqual(ownPayments.items.map((p: { id: string }) => p.id), [payments.babol]);
  const ownCsv = parseCsv((await page('/staff/bills/export.csv', 'babol.admin')).rawPayload.toString('utf8')).records;
  assert.deepEqual(ownCsv.slice(1).map((r) => r.fields[0]), [bills.babol!.billCode]);
  // The province administrator may look at any municipality.
  assert.equal((await api('/api/v1/staff/bills?org=sari', 'province.admin')).json().total, 8);
  const choose = await page('/staff/bills?org=babol', 'province.admin');
  assert.match(choose.body, /<option value="sari"/);
  // Citizens and visitors.
  for (const url of sariApi) {
    assert.equal((await api(url, 'citizen')).statusCode, 401, url);
    assert.equal((await api(url)).statusCode, 401, url);
  }
  for (const url of sariPages) {
    const r = await page(url, 'citizen');
    assert.equal(r.statusCode, 303, url);
    assert.match(String(r.headers.location), /^\/staff\/login\?next=/);
  }
});
