// Clearance certificates (مفاصاحساب) on a real database and over HTTP: refused while a renewal
// levy of the property is unpaid (naming it), issued once all are paid, the same certificate the
// same day, the printable certificate, and public verification by code (page and API).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/core/index.js';
import { nationalCode } from '../applications/test-factories.js';
import { CLEARANCE_POLICY, ClearanceRefused, type ClearanceService } from './clearance.js';
import { browserOf, makeLevy, payBills } from './levies-test-fixtures.js';

let t: TestApp;
let clearance: ClearanceService;
const org: Record<string, string> = {};
const anyone: Actor = { kind: 'anonymous', id: null };
const NC = nationalCode('271828182');

before(async () => {
  t = await makeTestApp();
  clearance = t.deps.services.clearance;
  const province = await makeOrg(t, 'mazandaran', 'province');
  org.sari = await makeOrg(t, 'sari', 'municipality', province);
  org.babol = await makeOrg(t, 'babol', 'municipality', province);
});
after(async () => { await t?.close(); });

test('refused while a renewal levy of the property is unpaid, naming it; issued once every one is paid', async () => {
  const old = await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: NC, propertyCode: '12-34-567-8', period: '1404', amount: 2_000_000 });
  const cur = await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: NC, propertyCode: '12-34-567-8', period: '1405', amount: 3_000_000, dueAt: t.clock.now() + 86_400_000 });
  // Levies that are not this property's renewal levies do not count.
  await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: NC, kind: 'business_levy', businessCode: 'SH-1', propertyCode: '12-34-567-8' });
  await makeLevy(t, { orgId: org.babol!, orgCode: 'babol', nationalCode: NC, propertyCode: '12-34-567-8' });
  await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: NC, propertyCode: '12-34-567-8', period: '1403', status: 'cancelled' });

  await assert.rejects(clearance.issue(anyone, { org: 'sari', property_code: '12-34-567-8' }), (err: unknown) => {
    assert.ok(err instanceof ClearanceRefused);
    assert.equal(err.status, 409);
    assert.deepEqual(err.unpaid.map((b) => [b.billCode, b.period, b.amount]), [[old.billCode, '1404', 2_000_000], [cur.billCode, '1405', 3_000_000]]);
    assert.match(String(err.params.bills), new RegExp(old.billCode));
    return true;
  });
  await payBills(t, org.sari!, [old.id]);
  await assert.rejects(clearance.issue(anyone, { org: 'sari', property_code: '12-34-567-8' }), (err: unknown) => err instanceof ClearanceRefused && err.unpaid.length === 1 && err.unpaid[0]!.billCode === cur.billCode);
  assert.equal((await t.deps.db.selectFrom('clearance_certificates').selectAll().execute()).length, 0);

  await payBills(t, org.sari!, [cur.id]);
  const cert = await clearance.issue(anyone, { org: 'sari', property_code: '۱۲-۳۴-۵۶۷-۸' });
  assert.match(cert.number, /^SARI-C-1405-\d{6}$/);
  assert.match(cert.verifyCode, /^[0-9A-HJKMNP-TV-Z]{12}$/);
  assert.deepEqual([cert.org.code, cert.propertyCode, cert.periodsThrough, cert.billsChecked, cert.current], ['sari', '12-34-567-8', '1405', 2, true]);
  assert.equal(cert.validUntil - cert.issuedAt, CLEARANCE_POLICY.validDays * 86_400_000);
  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'clearance.issued').execute();
  assert.equal(audit.length, 1);
  assert.equal(JSON.parse(audit[0]!.data).number, cert.number);

  // Asked again the same day with nothing changed: the same certificate.
  t.clock.advance(60_000);
  const again = await clearance.issue({ kind: 'citizen', id: 'someone' }, { org: 'sari', property_code: '12-34-567-8' });
  assert.equal(again.number, cert.number);
  // The next day: a new one.
  t.clock.advance(86_400_000);
  const next = await clearance.issue(anyone, { org: 'sari', property_code: '12-34-567-8' });
  assert.notEqual(next.number, cert.number);
  assert.notEqual(next.verifyCode, cert.verifyCode);
});

test('a property the municipality has no renewal levy for is 404; bad input is 400 naming the field', async () => {
  const status = async (p: Promise<unknown>) => p.then(() => 200, (e: AppError) => [e.status, Object.keys(e.fields).join(',')].join(' '));
  assert.equal(await status(clearance.issue(anyone, { org: 'sari', property_code: '99-99' })), '404 ');
  assert.equal(await status(clearance.issue(anyone, { org: 'babol', property_code: 'SH-1' })), '404 ');
  assert.equal(await status(clearance.issue(anyone, { org: 'nowhere', property_code: '12-34-567-8' })), '400 org');
  assert.equal(await status(clearance.issue(anyone, { org: 'sari', property_code: '' })), '400 property_code');
  assert.equal(await status(clearance.issue(anyone, { org: 'sari', property_code: '<script>' })), '400 property_code');
});

test('verification by code: dashes, lower case and Persian digits accepted; unknown codes 404; a lapsed one says so', async () => {
  const levy = await makeLevy(t, { orgId: org.babol!, orgCode: 'babol', nationalCode: NC, propertyCode: '5-5', period: '1405' });
  await payBills(t, org.babol!, [levy.id]);
  const cert = await clearance.issue(anyone, { org: 'babol', property_code: '5-5' });
  const grouped = cert.verifyCode.match(/.{4}/g)!.join('-');
  assert.equal((await clearance.verify(grouped.toLowerCase())).number, cert.number);
  assert.equal((await clearance.verify(cert.verifyCode.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!))).number, cert.number);
  await assert.rejects(clearance.verify('AAAA-BBBB-CCCC'), (e: AppError) => e.status === 404);
  await assert.rejects(clearance.verify('nonsense'), (e: AppError) => e.status === 404);
  t.clock.advance((CLEARANCE_POLICY.validDays + 1) * 86_400_000);
  assert.equal((await clearance.verify(cert.verifyCode)).current, false);
});

test('pages: the form, a refusal naming the unpaid bills with a link to pay them, the printable certificate, its verification', async () => {
  const unpaid = await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: NC, propertyCode: '7-7-7', period: '1405', amount: 4_500_000 });
  const b = browserOf(t);
  const form = await b.get('/clearance?org=sari&property_code=7-7-7');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /<select[^>]*name="org"/);
  const refused = await b.post('/clearance', '/clearance', { org: 'sari', property_code: '7-7-7' });
  assert.equal(refused.statusCode, 409);
  assert.ok(refused.body.includes(unpaid.billCode), 'the unpaid bill is named');
  assert.ok(refused.body.includes('href="/bills?org=sari&amp;property_code=7-7-7"'), 'with a link to pay it');
  assert.ok(refused.body.includes('۴٬۵۰۰٬۰۰۰ ریال'));

  const unknown = await b.post('/clearance', '/clearance', { org: 'sari', property_code: '0-0' });
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.body, /id="f-property_code-error"/);

  await payBills(t, org.sari!, [unpaid.id]);
  const issued = await b.post('/clearance', '/clearance', { org: 'sari', property_code: '7-7-7' });
  assert.equal(issued.statusCode, 303);
  const location = String(issued.headers.location);
  assert.match(location, /^\/clearance\/certificate\/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const printable = await b.get(location);
  assert.equal(printable.statusCode, 200);
  assert.ok(printable.body.includes('گواهی مفاصاحساب عوارض نوسازی'));
  assert.ok(printable.body.includes('شهرداری sari'));
  assert.match(printable.body, /SARI-C-1405-\d{6}|SARI-C-۱۴۰۵/);
  const code = location.split('/').pop()!;
  assert.ok(printable.body.includes(`/clearance/verify/${code}`));
  assert.ok(!printable.body.includes(NC), 'no national code on the certificate');

  const verified = await b.get(`/clearance/verify/${code.toLowerCase()}`);
  assert.equal(verified.statusCode, 200);
  assert.ok(verified.body.includes('این گواهی معتبر است'));
  assert.ok(verified.body.includes('۷-۷-۷'), 'the property code, in Persian digits');
  const bad = await b.get('/clearance/verify/AAAA-BBBB-CCCC');
  assert.equal(bad.statusCode, 404);
  const typed = await b.get(`/clearance/verify?code=${code.replace(/-/g, '')}`);
  assert.equal(typed.statusCode, 303);
  assert.equal(typed.headers.location, `/clearance/verify/${code}`);
  const css = await b.get('/clearance/assets/certificate.css');
  assert.equal(css.statusCode, 200);
  // A form posted without its CSRF token changes nothing.
  const forged = await t.app.inject({ method: 'POST', url: '/clearance', payload: 'org=sari&property_code=7-7-7', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(forged.statusCode, 403);
});

test('API: issue (201, or 409 listing the unpaid bills) and verify', async () => {
  const unpaid = await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: NC, propertyCode: '8-8', period: '1405', amount: 100_000 });
  const refused = await t.app.inject({ method: 'POST', url: '/api/v1/clearance', payload: { org: 'sari', property_code: '8-8' } });
  assert.equal(refused.statusCode, 409);
  const body = refused.json();
  assert.equal(body.error.code, 'clearance.unpaid');
  assert.deepEqual(body.unpaid.map((u: { bill_code: string; amount: number }) => [u.bill_code, u.amount]), [[unpaid.billCode, 100_000]]);
  assert.ok(body.error.fields.property_code);
  await payBills(t, org.sari!, [unpaid.id]);
  const issued = await t.app.inject({ method: 'POST', url: '/api/v1/clearance', payload: { org: 'sari', property_code: '8-8' } });
  assert.equal(issued.statusCode, 201);
  const cert = issued.json();
  assert.match(cert.verify_url, /\/clearance\/verify\/[0-9A-Z-]{14}$/);
  assert.equal(cert.property_code, '8-8');
  const verified = await t.app.inject({ method: 'GET', url: `/api/v1/clearance/verify/${cert.verify_code}` });
  assert.equal(verified.statusCode, 200);
  assert.equal(verified.json().number, cert.number);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/clearance/verify/AAAABBBBCCCC' })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/clearance', payload: { org: 'sari' } })).statusCode, 400);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/clearance', payload: { org: 'sari', property_code: '404-404' } })).statusCode, 404);
});
