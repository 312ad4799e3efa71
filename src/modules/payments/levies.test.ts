// Levies on a real database (SQLite or PostgreSQL): importing a file all or nothing with a report
// of every bad row, Persian digits and headers, duplicates, hand entry, the citizen's and the
// public lookups, and paying several levies at once through the payment core.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeTestApp, signInCitizen, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/core/index.js';
import { staffActor } from '../casework/test-fixtures.js';
import { nationalCode } from '../applications/test-factories.js';
import { LevyFormError, type ImportResult, type LeviesService } from './levies.js';
import { LEVY_HEADER, csvBytes, makeLevy } from './levies-test-fixtures.js';

let t: TestApp;
let levies: LeviesService;
const org: Record<string, string> = {};
let sariAdmin: Actor;
let sariClerk: Actor;
let sariManager: Actor;
let babolAdmin: Actor;
const NC = { ali: nationalCode('001234567'), sara: nationalCode('112233445'), reza: nationalCode('556677889') };

const file = (rows: string[][], opts: { bom?: boolean; delimiter?: string; header?: string[] } = {}) => csvBytes([opts.header ?? LEVY_HEADER, ...rows], opts);
const importAs = (actor: Actor, orgCode: string, bytes: Buffer, filename = 'levies.csv') => levies.importFile(actor, { org: orgCode, filename, bytes });
const billsOf = (orgId: string) => t.deps.db.selectFrom('bills').selectAll().where('org_id', '=', orgId).orderBy('bill_code').execute();
const countBills = async (orgId: string) => (await billsOf(orgId)).length;
const problemsOf = (r: ImportResult) => (r.status === 'rejected' ? r.problems.map((p) => `${p.line}:${p.column}:${p.key}`) : []);

async function rejects(p: Promise<unknown>, status: number, code?: string) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.status, status, err.code);
    if (code) assert.equal(err.code, code);
    return true;
  });
}

before(async () => {
  t = await makeTestApp();
  levies = t.deps.services.levies;
  const province = await makeOrg(t, 'mazandaran', 'province');
  org.sari = await makeOrg(t, 'sari', 'municipality', province);
  org.babol = await makeOrg(t, 'babol', 'municipality', province);
  sariAdmin = staffActor('sari-admin', [{ orgId: org.sari, orgCode: 'sari', role: 'org_admin' }]);
  sariClerk = staffActor('sari-clerk', [{ orgId: org.sari, orgCode: 'sari', role: 'clerk' }]);
  sariManager = staffActor('sari-manager', [{ orgId: org.sari, orgCode: 'sari', role: 'manager' }]);
  babolAdmin = staffActor('babol-admin', [{ orgId: org.babol, orgCode: 'babol', role: 'org_admin' }]);
});
after(async () => { await t?.close(); });

test('a file with several bad rows reports every problem with its line and column, and imports nothing', async () => {
  const bytes = file([
    ['renewal_levy', NC.ali, '10-1', '', '', '1405', '5000000', '1405/12/29'], // line 2: good
    ['renewal_levy', '1234567890', '10-2', '', '', '1405', '5000000', ''], // 3: bad checksum
    ['xyz', NC.ali, '10-3', '', '', '1405', '-5', ''], // 4: unknown kind and a negative amount
    ['renewal_levy', NC.ali, '10-4', '', '', '99', '5000000', ''], // 5: period
    ['renewal_levy', NC.ali, '', '', '', '1405', '5000000', ''], // 6: no property code
    ['renewal_levy', NC.ali, '10-6', '', '', '1405', '5000000', '1405/13/01'], // 7: no 13th month
    ['renewal_levy', NC.sara, '10-1', '', '', '1405', '7000000', ''], // 8: same property and year as line 2
    ['business_levy', NC.ali, '', '', '', '1405', '12.5', ''], // 9: no business code, a fraction
    ['renewal_levy', NC.ali, '10-9', 'B-1', '', '1405', 'abc', ''], // 10: business code on a renewal levy, amount not a number
    ['', '', '', '', '', '', '', ''], // 11: a spreadsheet's empty row: ignored
  ]);
  const r = await importAs(sariAdmin, 'sari', bytes);
  assert.equal(r.status, 'rejected');
  assert.deepEqual(problemsOf(r), [
    '3:national_code:levies.national_code_invalid',
    '4:kind:levies.kind_unknown',
    '4:amount_rials:levies.amount_positive',
    '5:period:levies.period_invalid',
    '6:property_code:levies.property_code_required',
    '7:due_date:levies.due_date_invalid',
    '8:property_code:levies.duplicate_in_file',
    '9:business_code:levies.business_code_required',
    '9:amount_rials:levies.amount_not_integer',
    '10:business_code:levies.code_not_for_kind',
    '10:amount_rials:levies.amount_invalid',
  ]);
  if (r.status !== 'rejected') return;
  assert.equal(r.rows, 9);
  const dup = r.problems.find((p) => p.line === 8)!;
  assert.deepEqual([dup.params, dup.value], [{ line: 2 }, '10-1']);
  assert.equal(r.problems.find((p) => p.line === 3)!.value, '1234567890');
  assert.equal(await countBills(org.sari!), 0);
  assert.equal((await t.deps.db.selectFrom('levy_imports').selectAll().execute()).length, 0);
  assert.equal((await t.deps.db.selectFrom('audit_log').select('seq').where('action', '=', 'levies.imported').execute()).length, 0);
});

test('a clean file imports every row once, in one batch with one audit entry; the same file again imports nothing', async () => {
  const bytes = file([
    ['renewal_levy', NC.ali, '20-1', '', '', '1405', '12500000', '1405/12/29'],
    ['renewal_levy', NC.ali, '20-1', '', 'عوارض سال قبل', '1404', '9000000', ''],
    ['business_levy', NC.sara, '', 'SH-778', '', '1405', '8400000', ''],
  ], { bom: true });
  const before = await countBills(org.sari!);
  const r = await importAs(sariAdmin, 'sari', bytes, 'نوسازی-۱۴۰۵.csv');
  assert.equal(r.status, 'imported');
  if (r.status !== 'imported') return;
  assert.equal(r.batch.rows, 3);
  assert.equal(r.batch.totalAmount, 29_900_000);
  const rows = (await billsOf(org.sari!)).filter((b) => b.import_batch === r.batch.id);
  assert.equal(rows.length, 3);
  assert.equal(await countBills(org.sari!), before + 3);
  for (const b of rows) {
    assert.match(b.bill_code, /^SARI-B-1405-\d{6}$/);
    assert.equal(b.status, 'unpaid');
  }
  const first = rows.find((b) => b.period === '1405' && b.kind === 'renewal_levy')!;
  assert.equal(first.title_fa, 'عوارض نوسازی سال ۱۴۰۵');
  assert.equal(Number(first.amount), 12_500_000);
  // Due through the whole of 29 Esfand 1405 in Tehran: until 1 Farvardin 1406 (2027-03-21) begins.
  assert.equal(Number(first.due_at), Date.parse('2027-03-21T00:00:00+03:30'));
  assert.equal(rows.find((b) => b.period === '1404')!.title_fa, 'عوارض سال قبل');
  const items = await t.deps.db.selectFrom('bill_items').selectAll().where('bill_id', 'in', rows.map((b) => b.id)).execute();
  assert.equal(items.length, 3);
  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'levies.imported').execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.entity_id, r.batch.id);
  assert.equal(JSON.parse(audit[0]!.data).batch, r.batch.id);

  const again = await importAs(sariAdmin, 'sari', bytes, 'copy.csv');
  assert.equal(again.status, 'already_imported');
  if (again.status === 'already_imported') assert.equal(again.batch.id, r.batch.id);
  assert.equal(await countBills(org.sari!), before + 3);

  // The same rows in another file (here without the BOM): each is a duplicate of a live levy.
  const other = await importAs(sariAdmin, 'sari', file([
    ['renewal_levy', NC.ali, '20-1', '', '', '1405', '12500000', '1405/12/29'],
    ['renewal_levy', NC.ali, '20-1', '', '', '1404', '9000000', ''],
    ['business_levy', NC.sara, '', 'SH-778', '', '1405', '8400000', ''],
  ]));
  assert.deepEqual(problemsOf(other), ['2:property_code:levies.duplicate_existing', '3:property_code:levies.duplicate_existing', '4:business_code:levies.duplicate_existing']);
  assert.equal(await countBills(org.sari!), before + 3);
  // Babol has its own levies: the same property code and year there is no duplicate.
  assert.equal((await importAs(babolAdmin, 'babol', file([['renewal_levy', NC.ali, '20-1', '', '', '1405', '3000000', '']]))).status, 'imported');
});

test('Persian digits, separators, letters and headers are read as their ASCII and Persian forms', async () => {
  const header = ['نوع عوارض', 'کد ملی', 'کد نوسازی', 'شناسه صنفی', 'عنوان', 'سال', 'مبلغ (ریال)', 'مهلت پرداخت'];
  const persianNc = NC.reza.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
  const r = await importAs(sariClerk, 'sari', file([
    ['عوارض نوسازی', persianNc, '۳۰–۱۲ ۳۴', '', 'عوارض نوسازي ملك', '۱۴۰۵', '۱۲٬۵۰۰٬۰۰۰', '۱۴۰۵/۱۲/۲۹'],
    ['کسب و پیشه', ` ${NC.reza.slice(0, 3)}-${NC.reza.slice(3)} `, '', 'sh-۹۹۱', '', '1405', '8,400,000', '1405-12-29'],
    ['renewal_levy', NC.reza, '31-1', '', '', '1405', '1.250.000', ''],
  ], { header, delimiter: ';' }));
  assert.equal(r.status, 'imported', JSON.stringify(problemsOf(r)));
  const rows = (await billsOf(org.sari!)).filter((b) => b.national_code === NC.reza);
  const renewal = rows.find((b) => b.property_code === '30-1234')!;
  assert.ok(renewal, JSON.stringify(rows.map((b) => b.property_code)));
  assert.equal(renewal.kind, 'renewal_levy');
  assert.equal(Number(renewal.amount), 12_500_000);
  assert.equal(renewal.period, '1405');
  assert.equal(renewal.title_fa, 'عوارض نوسازی ملک');
  const business = rows.find((b) => b.kind === 'business_levy')!;
  assert.equal(business.business_code, 'SH-991');
  assert.equal(Number(business.amount), 8_400_000);
  assert.equal(Number(rows.find((b) => b.property_code === '31-1')!.amount), 1_250_000);
});

test('header problems are reported on line 1 and stop the rows from being read', async () => {
  const r = await importAs(sariAdmin, 'sari', csvBytes([
    ['kind', 'national_code', 'national_code', 'period', 'amount', 'notes'],
    ['renewal_levy', NC.ali, NC.ali, '1405', '1', 'x'],
  ]));
  const keys = problemsOf(r);
  for (const k of ['1:national_code:levies.column_twice', '1:amount_rials:levies.column_missing', '1:property_code:levies.column_missing_code', '1::levies.column_unknown']) assert.ok(keys.includes(k), `${k} in ${keys.join(', ')}`);
  assert.ok(keys.every((k) => k.startsWith('1:')), keys.join(', '));
  if (r.status === 'rejected') assert.deepEqual(r.problems.filter((p) => p.key === 'levies.column_unknown').map((p) => p.params?.name), ['amount', 'notes']);
  assert.deepEqual(problemsOf(await importAs(sariAdmin, 'sari', Buffer.from(''))), ['1::levies.file_empty']);
  assert.deepEqual(problemsOf(await importAs(sariAdmin, 'sari', csvBytes([LEVY_HEADER]))), ['1::levies.file_no_rows']);
  assert.deepEqual(problemsOf(await importAs(sariAdmin, 'sari', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]), 'levies.xlsx')), ['1::levies.not_csv']);
  assert.deepEqual(problemsOf(await importAs(sariAdmin, 'sari', Buffer.from(`${LEVY_HEADER.join(',')}\nrenewal_levy,${NC.ali},"40-1,,,1405,1,\n`))), ['2::levies.csv_unterminated_quote', '2:property_code:levies.code_invalid', '2:period:common.required', '2:amount_rials:common.required']);
});

test('only staff who may manage the organization\'s bills import or record there; others get 404 (citizens 401)', async () => {
  const bytes = file([['renewal_levy', NC.ali, '50-1', '', '', '1405', '1000', '']]);
  await rejects(importAs(babolAdmin, 'sari', bytes), 404);
  await rejects(importAs(sariManager, 'sari', bytes), 404);
  await rejects(importAs(sariAdmin, 'nowhere', bytes), 404);
  await rejects(importAs({ kind: 'citizen', id: 'c1' }, 'sari', bytes), 404);
  await rejects(importAs({ kind: 'anonymous', id: null }, 'sari', bytes), 401);
  await rejects(levies.recordLevy(babolAdmin, 'sari', { kind: 'renewal_levy', national_code: NC.ali, property_code: '50-1', period: '1405', amount_rials: '1000' }), 404);
  // Even a bad levy answers 404 to someone who may not act there: nothing is learned about the organization.
  await rejects(levies.recordLevy(babolAdmin, 'sari', { kind: 'nonsense' }), 404);
  assert.equal((await billsOf(org.sari!)).filter((b) => b.property_code === '50-1').length, 0);
});

test('a levy recorded by hand is checked like a file row and against live levies; a cancelled one may be issued again', async () => {
  await assert.rejects(levies.recordLevy(sariClerk, 'sari', { kind: 'renewal_levy', national_code: '123', period: '1405', amount_rials: '0' }), (err: unknown) => {
    assert.ok(err instanceof LevyFormError);
    assert.deepEqual(err.problems.map((p) => `${p.column}:${p.key}`), ['national_code:levies.national_code_invalid', 'property_code:levies.property_code_required', 'amount_rials:levies.amount_positive']);
    return true;
  });
  const bill = await levies.recordLevy(sariClerk, 'sari', { kind: 'renewal_levy', national_code: NC.sara, property_code: '۶۰-۱', period: '۱۴۰۵', amount_rials: '۴٬۰۰۰٬۰۰۰', due_date: '۱۴۰۵/۱۰/۳۰' });
  assert.match(bill.billCode, /^SARI-B-1405-\d{6}$/);
  assert.deepEqual([bill.propertyCode, bill.period, bill.amount, bill.status, bill.nationalCode], ['60-1', '1405', 4_000_000, 'unpaid', NC.sara]);
  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('entity_id', '=', bill.id).execute();
  assert.equal(audit.length, 1);
  await assert.rejects(levies.recordLevy(sariAdmin, 'sari', { kind: 'renewal_levy', national_code: NC.ali, property_code: '60-1', period: '1405', amount_rials: '1' }), (err: unknown) => {
    assert.ok(err instanceof LevyFormError);
    assert.equal(err.status, 409);
    assert.deepEqual(err.problems[0], { column: 'property_code', key: 'levies.duplicate_existing', params: { bill: bill.billCode } });
    return true;
  });
  await t.deps.db.updateTable('bills').set({ status: 'cancelled' }).where('id', '=', bill.id).execute();
  const reissued = await levies.recordLevy(sariAdmin, 'sari', { kind: 'renewal_levy', national_code: NC.sara, property_code: '60-1', period: '1405', amount_rials: '3500000' });
  assert.notEqual(reissued.billCode, bill.billCode);
  // And bill codes keep one sequence with the bills the import numbered.
  const codes = (await billsOf(org.sari!)).map((b) => b.bill_code);
  assert.equal(new Set(codes).size, codes.length);
});

test('two files with the same levy imported at once: one is recorded, never both', async () => {
  const row = ['renewal_levy', NC.ali, '70-1', '', '', '1405', '1000000', ''];
  const a = file([row, ['renewal_levy', NC.ali, '70-2', '', '', '1405', '1000000', '']]);
  const b = file([row, ['renewal_levy', NC.ali, '70-3', '', '', '1405', '1000000', '']]);
  const results = await Promise.allSettled([importAs(sariAdmin, 'sari', a, 'a.csv'), importAs(sariClerk, 'sari', b, 'b.csv')]);
  const imported = results.filter((r) => r.status === 'fulfilled' && r.value.status === 'imported');
  assert.equal(imported.length, 1, JSON.stringify(results.map((r) => (r.status === 'fulfilled' ? r.value.status : (r.reason as AppError).code))));
  for (const r of results) {
    if (r.status === 'rejected') assert.equal((r.reason as AppError).code, 'levies.import_conflict');
    else if (r.value.status === 'rejected') assert.deepEqual(problemsOf(r.value), ['2:property_code:levies.duplicate_existing']);
  }
  assert.equal((await billsOf(org.sari!)).filter((x) => x.property_code === '70-1').length, 1);
});

test('a citizen sees the levies of their national code in every municipality, grouped, with titles', async () => {
  const token = await signInCitizen(t, '09121110001');
  const citizen = await t.deps.db.selectFrom('sessions').select('subject_id').where('kind', '=', 'citizen').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const me: Actor = { kind: 'citizen', id: citizen.subject_id };
  assert.ok(token);
  assert.deepEqual(await levies.billsOfCitizen(me), { nationalCode: null, groups: [] });
  const nc = nationalCode('271828182');
  await t.deps.db.updateTable('citizens').set({ national_code: nc }).where('id', '=', me.id!).execute();
  await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nc, propertyCode: '80-1', period: '1404', status: 'paid', amount: 2_000_000 });
  await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nc, propertyCode: '80-1', period: '1405', amount: 3_000_000, dueAt: t.clock.now() - 1 });
  await makeLevy(t, { orgId: org.babol!, orgCode: 'babol', kind: 'business_levy', nationalCode: nc, businessCode: 'K-1', amount: 700_000 });
  await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nc, propertyCode: '80-9', status: 'cancelled' });
  await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nationalCode('314159265'), propertyCode: '80-2' });
  const mine = await levies.billsOfCitizen(me);
  assert.equal(mine.nationalCode, nc);
  assert.deepEqual(mine.groups.map((g) => [g.org.code, g.bills.length, g.unpaidCount, g.dueTotal]).sort(), [['babol', 1, 1, 700_000], ['sari', 2, 1, 3_000_000]]);
  const sari = mine.groups.find((g) => g.org.code === 'sari')!;
  assert.equal(sari.bills[0]!.status, 'unpaid');
  assert.equal(sari.bills[0]!.overdue, true);
  assert.ok(sari.bills[0]!.title?.fa);
  assert.equal(sari.bills[0]!.nationalCode, nc);
  await rejects(levies.billsOfCitizen({ kind: 'anonymous', id: null }), 401);
});

test('the public lookup shows amounts, periods and states only: no names, titles or national code, other codes masked', async () => {
  const nc = nationalCode('161803398');
  await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nc, propertyCode: '12-34-567-8', period: '1405', amount: 5_000_000, titleFa: 'عوارض ملک آقای محمدی' });
  await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nc, kind: 'business_levy', businessCode: 'SH-4455', propertyCode: '12-34-567-8', amount: 900_000 });
  await makeLevy(t, { orgId: org.babol!, orgCode: 'babol', nationalCode: nc, propertyCode: '12-34-567-8', amount: 1_000_000 });
  const byProperty = await levies.lookup({ org: 'sari', property_code: '۱۲-۳۴-۵۶۷-۸' });
  assert.deepEqual(byProperty.lookup, { by: 'property', org: 'sari', code: '12-34-567-8' });
  assert.equal(byProperty.groups.length, 1);
  const bills = byProperty.groups[0]!.bills;
  assert.equal(bills.length, 1, 'renewal levies of that property in Sari only');
  assert.deepEqual([bills[0]!.title, bills[0]!.nationalCode, bills[0]!.propertyCode, bills[0]!.amount, bills[0]!.period], [null, null, '12-34-567-8', 5_000_000, '1405']);
  assert.ok(!JSON.stringify(byProperty).includes('محمدی'));
  const byNc = await levies.lookup({ national_code: nc });
  assert.deepEqual(byNc.groups.map((g) => g.org.code).sort(), ['babol', 'sari']);
  for (const g of byNc.groups) {
    for (const b of g.bills) {
      assert.equal(b.title, null);
      assert.equal(b.nationalCode, null);
      if (b.propertyCode) assert.equal(b.propertyCode, '…67-8');
    }
  }
  assert.ok(!JSON.stringify(byNc.groups).includes(nc));
  assert.ok(!JSON.stringify(byNc.groups).includes("12-34-567-8"));
  const byBusiness = await levies.lookup({ org: 'sari', business_code: 'sh-4455' });
  assert.deepEqual(byBusiness.groups[0]!.bills.map((b) => [b.kind, b.businessCode, b.propertyCode]), [['business_levy', 'SH-4455', '…67-8']]);
  await rejects(levies.lookup({ national_code: '1234567890' }), 400);
  await rejects(levies.lookup({ property_code: '12' }), 400);
  await rejects(levies.lookup({ org: 'nowhere', property_code: '12' }), 400);
  await rejects(levies.lookup({}), 400);
});

test('a citizen pays several of their levies of one municipality at once through the payment core', async () => {
  await signInCitizen(t, '09121110002');
  const row = await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', '09121110002').executeTakeFirstOrThrow();
  const me: Actor = { kind: 'citizen', id: row.id };
  const nc = nationalCode('173205080');
  await t.deps.db.updateTable('citizens').set({ national_code: nc }).where('id', '=', row.id).execute();
  const a = await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nc, propertyCode: '90-1', period: '1404', amount: 1_500_000 });
  const b = await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nc, propertyCode: '90-1', period: '1405', amount: 2_500_000 });
  const c = await makeLevy(t, { orgId: org.babol!, orgCode: 'babol', nationalCode: nc, propertyCode: '90-1', amount: 100_000 });
  const someoneElse = await makeLevy(t, { orgId: org.sari!, orgCode: 'sari', nationalCode: nationalCode('223606797'), propertyCode: '90-7', amount: 300_000 });

  const started = await levies.pay(me, [a.id, b.id], { returnTo: '/bills' });
  assert.equal(started.org, 'sari');
  assert.ok(started.redirectUrl.length > 0);
  const payment = await t.deps.db.selectFrom('payments').selectAll().where('id', '=', started.paymentId).executeTakeFirstOrThrow();
  assert.deepEqual([payment.status, Number(payment.amount), payment.citizen_id, payment.org_id], ['pending', 4_000_000, me.id, org.sari]);
  const linked = await t.deps.db.selectFrom('payment_bills').select('bill_id').where('payment_id', '=', payment.id).execute();
  assert.deepEqual(linked.map((l) => l.bill_id).sort(), [a.id, b.id].sort());

  await rejects(levies.pay(me, [a.id, c.id], { returnTo: '/bills' }), 400, 'levies.pay_one_org');
  await rejects(levies.pay(me, [someoneElse.id], { returnTo: '/bills' }), 404);
  await rejects(levies.pay(me, [], { returnTo: '/bills' }), 400);
  await rejects(levies.pay({ kind: 'anonymous', id: null }, [a.id], { returnTo: '/bills' }), 401);
  await rejects(levies.pay(sariAdmin, [a.id], { returnTo: '/bills' }), 403);
  // Someone else's property levy, found by a lookup of that property: anyone may pay it.
  const forOther = await levies.pay(me, [someoneElse.id], { lookup: { by: 'property', org: 'sari', code: '90-7' }, returnTo: '/bills?org=sari&property_code=90-7' });
  assert.ok(forOther.paymentId);
  // ... but the lookup must be the one that finds it.
  await rejects(levies.pay(me, [someoneElse.id], { lookup: { by: 'property', org: 'sari', code: '90-1' }, returnTo: '/bills' }), 404);
  await t.deps.db.updateTable('bills').set({ status: 'paid' }).where('id', '=', c.id).execute();
  await rejects(levies.pay(me, [c.id], { returnTo: '/bills' }), 409, 'levies.pay_not_payable');
});
