// The payments core on a real database (SQLite, or PostgreSQL with TEST_DB=postgres, where the
// concurrent cases run on parallel connections): bills of applications, paying through the
// sandbox bank, callbacks replayed, raced and forged, a gateway that times out and the
// reconciliation that settles after it, reuse of a payment for a second tab, and who may see what.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainOutbox, makeOrg, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import { systemActor, type Actor } from '../../platform/core/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { SandboxGateway, sandboxDecide, type SandboxChoice } from '../../platform/payments/index.js';
import { computeFees, validateForm } from '../catalog/workflow.js';
import { buildingPermitAnswers, makeCitizen, nationalCode, shippedDefinition } from '../applications/test-factories.js';
import { createBill, formatBillCode, syncApplicationBills } from './bills.js';
import { createPaymentsService, type PaymentsService } from './service.js';
import { ControllableGateway, adoptBuildingPermit, applicationAwaitingPayment, staffActor } from './test-factories.js';
import { englishWords, persianWords, rialsInWords } from './words.js';

let t: TestApp;
let sari: string;
let owner: Actor;
let other: Actor;
let clerk: Actor;
let inspector: Actor;
let babolClerk: Actor;
let ownerNationalCode: string;

before(async () => {
  t = await makeTestApp({ PUBLIC_URL: 'https://pishkhan.example.ir' });
  sari = await makeOrg(t, 'sari');
  const babol = await makeOrg(t, 'babol');
  await adoptBuildingPermit(t, sari);
  ownerNationalCode = nationalCode('002345678');
  owner = { kind: 'citizen', id: await makeCitizen(t.deps.db, '09121110001', { nationalCode: ownerNationalCode }) };
  other = { kind: 'citizen', id: await makeCitizen(t.deps.db, '09121110002') };
  clerk = await staffActor(t, sari, 'sari', ['clerk']);
  inspector = await staffActor(t, sari, 'sari', ['inspector']);
  babolClerk = await staffActor(t, babol, 'babol', ['clerk']);
});
after(async () => t?.close());

const payments = (): PaymentsService => t.deps.services.payments;
const apps = () => t.deps.services.applications;
const awaitingPayment = (citizen = owner) => applicationAwaitingPayment(t, { citizen, orgCode: 'sari', clerk, inspector });

/** A payments service like the app's but on a gateway the test controls (same database, same applications). */
function serviceWith(gateway: ControllableGateway): PaymentsService {
  return createPaymentsService({ db: t.deps.db, clock: t.clock, gateway, publicUrl: 'https://pishkhan.example.ir', applications: apps(), onOutbox: () => undefined });
}
const controllable = () => new ControllableGateway(new SandboxGateway({ db: t.deps.db, clock: t.clock }));

async function rejects(p: Promise<unknown>, status: number, code?: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.status, status, `status of ${err.code}`);
    if (code) assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected a ${status} error`);
}

const authorityOf = (redirectUrl: string) => redirectUrl.split('/').pop()!;

/** Pays at the sandbox bank and comes back: the callback's query as the bank sends it. */
async function atBank(redirectUrl: string, choice: SandboxChoice): Promise<{ authority: string; status: string }> {
  const back = new URL((await sandboxDecide(t.deps.db, authorityOf(redirectUrl), choice, t.clock.now()))!, 'https://pishkhan.example.ir');
  return { authority: back.searchParams.get('Authority')!, status: back.searchParams.get('Status')! };
}

const paidEvents = async (appId: string) =>
  (await t.deps.db.selectFrom('application_events').select('id').where('application_id', '=', appId).where('action', '=', 'paid').execute()).length;
const auditCount = async (action: string, entityId: string) =>
  (await t.deps.db.selectFrom('audit_log').select('seq').where('action', '=', action).where('entity_id', '=', entityId).execute()).length;
const receiptsFor = async (paymentId: string) =>
  (await t.deps.db.selectFrom('outbox').select('id').where('dedupe_key', '=', `payment:${paymentId}:receipt:sms`).execute()).length;
const billOf = async (appId: string) => (await payments().billsForApplication(owner, appId))[0]!;

test('a building permit entering payment gets one bill of its fees, itemized, with a per-org bill code', async () => {
  const appId = await awaitingPayment();
  const bills = await payments().billsForApplication(owner, appId);
  assert.equal(bills.length, 1);
  const bill = bills[0]!;
  const def = shippedDefinition('building-permit');
  const expected = computeFees(def, null, validateForm(def, buildingPermitAnswers(), { partial: false }).values);
  // 3,500,000 file fee + 480 m² x 2,400,000 permit levy + density levy for the fourth floor + fire levy.
  assert.equal(expected.total, 3_500_000 + 1_152_000_000 + 540_000_000 + 43_200_000);
  assert.equal(bill.amount, expected.total);
  assert.deepEqual(bill.items.map((i) => [i.key, i.amount]), expected.items.filter((i) => i.amount > 0).map((i) => [i.key, i.amount]));
  assert.equal(bill.kind, 'application');
  assert.equal(bill.status, 'unpaid');
  assert.equal(bill.payable, true);
  assert.match(bill.billCode, /^SARI-B-14\d{2}-\d{6}$/);
  assert.equal(bill.application?.id, appId);
  assert.equal(await auditCount('bill.created', bill.id), 1);
  // Issuing again for the same state entry changes nothing.
  const again = await inTransaction(t.deps.db, (tx) => syncApplicationBills(tx, appId, t.clock.now()));
  assert.equal(again.billId, bill.id);
  assert.equal((await payments().billsForApplication(owner, appId)).length, 1);
  assert.equal(formatBillCode('sari', 1405, 42), 'SARI-B-1405-000042');
});

test('paid through the sandbox: the application advances exactly once, the bills are paid and the citizen gets an SMS receipt', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const started = await payments().startPayment(owner, [bill.id], `/my/applications/${appId}`);
  assert.equal(started.reused, false);
  assert.match(started.redirectUrl, /^\/sandbox-bank\/S[A-Z0-9]{35}$/);
  const before = await payments().payment(owner, started.paymentId);
  assert.equal(before.status, 'pending');
  assert.equal(before.amount, bill.amount);

  const back = await atBank(started.redirectUrl, 'pay');
  const outcome = await payments().handleCallback(owner, back);
  assert.equal(outcome.result, 'paid');
  assert.match(outcome.payment.refId!, /^\d{10}$/);
  assert.match(outcome.payment.cardMask!, /^603799/);
  assert.equal(outcome.payment.returnTo, `/my/applications/${appId}`);
  const a = await apps().get(owner, appId);
  assert.equal(a.state.key, 'approved');
  assert.equal(a.outcome, 'granted');
  assert.equal(await paidEvents(appId), 1);
  const paidBill = await payments().bill(owner, bill.id);
  assert.equal(paidBill.status, 'paid');
  assert.equal(paidBill.paymentId, started.paymentId);
  assert.equal(paidBill.payable, false);
  for (const action of ['payment.started', 'payment.redirected', 'payment.paid']) assert.equal(await auditCount(action, started.paymentId), 1, action);
  assert.equal(await auditCount('bill.paid', bill.id), 1);

  await drainOutbox(t);
  const receipt = t.sms.sent.find((m) => 'text' in m && m.text.includes(bill.billCode));
  assert.ok(receipt, 'an SMS receipt names the bill');
  assert.equal(receipt.to, '09121110001');
  assert.ok('text' in receipt && receipt.text.includes('۱٬۷۳۸٬۷۰۰٬۰۰۰ ریال'), 'with the amount in Persian digits and separators');
  assert.ok('text' in receipt && receipt.text.includes(`https://pishkhan.example.ir/payments/${started.paymentId}/receipt`));

  // The same return again (a reload, a replay): the same answer, nothing new.
  const replay = await payments().handleCallback(owner, back);
  assert.equal(replay.result, 'paid');
  assert.equal(await paidEvents(appId), 1);
  assert.equal(await auditCount('payment.paid', started.paymentId), 1);
  assert.equal(await receiptsFor(started.paymentId), 1);
  // A paid bill is never started again.
  await rejects(payments().startPayment(owner, [bill.id], '/'), 409, 'payment.bill_paid');
});

test('the receipt: the bill with its items, the amount in Rials and in Persian words, the bank reference, the card mask', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const started = await payments().startPayment(owner, [bill.id], '/');
  await rejects(payments().receipt(owner, started.paymentId), 404, 'payment.no_receipt');
  await payments().handleCallback(owner, await atBank(started.redirectUrl, 'pay'));
  const r = await payments().receipt(owner, started.paymentId);
  assert.equal(r.payment.status, 'paid');
  assert.deepEqual(r.bills.map((b) => b.id), [bill.id]);
  assert.equal(r.bills[0]!.items.length, bill.items.length);
  assert.equal(r.bills[0]!.amount, 1_738_700_000);
  assert.equal(rialsInWords(r.bills[0]!.amount, 'fa'), 'یک میلیارد و هفتصد و سی و هشت میلیون و هفتصد هزار ریال');
  assert.equal(rialsInWords(r.bills[0]!.amount, 'en'), 'one billion seven hundred and thirty-eight million seven hundred thousand rials');
  assert.match(r.payment.refId!, /^\d{10}$/);
  assert.ok(r.payment.cardMask);
  assert.ok(r.payment.verifiedAt);
  assert.equal(r.payer?.mobile, '09121110001');
  assert.equal(persianWords(905), 'نهصد و پنج');
  assert.equal(englishWords(1_000_005), 'one million and five');
});

test('cancelled at the bank: the bill stays payable, the application is unchanged, and paying again works', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const first = await payments().startPayment(owner, [bill.id], '/');
  const outcome = await payments().handleCallback(owner, await atBank(first.redirectUrl, 'cancel'));
  assert.equal(outcome.result, 'cancelled');
  assert.equal(await auditCount('payment.cancelled', first.paymentId), 1);
  assert.equal((await payments().bill(owner, bill.id)).payable, true);
  assert.equal((await apps().get(owner, appId)).state.key, 'payment');
  assert.equal(await paidEvents(appId), 0);
  // A cancelled payment is not reused: a new session opens.
  const second = await payments().startPayment(owner, [bill.id], '/');
  assert.notEqual(second.paymentId, first.paymentId);
  assert.equal((await payments().handleCallback(owner, await atBank(second.redirectUrl, 'pay'))).result, 'paid');
  assert.equal((await apps().get(owner, appId)).state.key, 'approved');
});

test('five concurrent returns for one payment settle it once and move the application on once', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const started = await payments().startPayment(owner, [bill.id], '/');
  const back = await atBank(started.redirectUrl, 'pay');
  const outcomes = await Promise.all(Array.from({ length: 5 }, () => payments().handleCallback(owner, back)));
  assert.deepEqual(outcomes.map((o) => o.result), ['paid', 'paid', 'paid', 'paid', 'paid']);
  assert.equal(await auditCount('payment.paid', started.paymentId), 1);
  assert.equal(await auditCount('bill.paid', bill.id), 1);
  assert.equal(await paidEvents(appId), 1);
  assert.equal(await receiptsFor(started.paymentId), 1);
  assert.equal((await apps().get(owner, appId)).state.key, 'approved');
});

test('a return from the browser racing the reconciliation job settles once', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const started = await payments().startPayment(owner, [bill.id], '/');
  const back = await atBank(started.redirectUrl, 'pay');
  t.clock.advance(25 * 60_000);
  await Promise.all([payments().handleCallback(owner, back), payments().reconcile(), payments().handleCallback(owner, back), payments().reconcile()]);
  assert.equal(await auditCount('payment.paid', started.paymentId), 1);
  assert.equal(await paidEvents(appId), 1);
  assert.equal((await payments().payment(owner, started.paymentId)).status, 'paid');
});

test('forged returns change nothing: an unknown authority, Status=OK for a payment the bank failed or has not finished', async () => {
  await rejects(payments().handleCallback(systemActor, { authority: `S${'X'.repeat(35)}`, status: 'OK' }), 404, 'payment.unknown');
  await rejects(payments().handleCallback(systemActor, { authority: '../../etc', status: 'OK' }), 404);
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  // The payer has not paid yet: an OK made up by someone changes nothing.
  const started = await payments().startPayment(owner, [bill.id], '/');
  const early = await payments().handleCallback(systemActor, { authority: authorityOf(started.redirectUrl), status: 'OK' });
  assert.equal(early.result, 'pending');
  // The bank failed it, the return is forged to OK: the bank's word stands.
  const forged = await atBank(started.redirectUrl, 'fail');
  assert.equal(forged.status, 'NOK');
  const outcome = await payments().handleCallback(systemActor, { authority: forged.authority, status: 'OK' });
  assert.equal(outcome.result, 'failed');
  assert.equal((await payments().bill(owner, bill.id)).status, 'unpaid');
  assert.equal((await apps().get(owner, appId)).state.key, 'payment');
  assert.equal(await auditCount('payment.paid', started.paymentId), 0);
});

test('a gateway that reports another amount than the payment\'s never settles it', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const gateway = controllable();
  const svc = serviceWith(gateway);
  const started = await svc.startPayment(owner, [bill.id], '/');
  const back = await atBank(started.redirectUrl, 'pay');
  gateway.verifyAnswer = { status: 'paid', refId: '1234567890', amountRials: 10_000, code: 100 };
  const outcome = await svc.handleCallback(owner, back);
  assert.equal(outcome.result, 'pending');
  assert.equal((await payments().bill(owner, bill.id)).status, 'unpaid');
  assert.equal((await apps().get(owner, appId)).state.key, 'payment');
  assert.equal(await auditCount('payment.amount_mismatch', started.paymentId), 1);
  assert.equal(await auditCount('payment.paid', started.paymentId), 0);
});

test('a forged cancel does not lose a real payment: the bank\'s OK that follows still settles it', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const started = await payments().startPayment(owner, [bill.id], '/');
  const authority = authorityOf(started.redirectUrl);
  assert.equal((await payments().handleCallback(systemActor, { authority, status: 'NOK' })).result, 'cancelled');
  const back = await atBank(started.redirectUrl, 'pay');
  assert.equal((await payments().handleCallback(owner, back)).result, 'paid');
  assert.equal((await apps().get(owner, appId)).state.key, 'approved');
});

test('a gateway that times out on verify leaves the payment pending; the reconciliation settles it later, once', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const gateway = controllable();
  const svc = serviceWith(gateway);
  const started = await svc.startPayment(owner, [bill.id], `/my/applications/${appId}`);
  const back = await atBank(started.redirectUrl, 'pay');
  gateway.verifyTimesOut = true;
  const outcome = await svc.handleCallback(owner, back);
  assert.equal(outcome.result, 'pending');
  assert.equal((await apps().get(owner, appId)).state.key, 'payment');
  assert.match((await svc.payment(systemActor, started.paymentId)).lastError ?? '', /timed out/);
  // Too early for the job: it is not asked about.
  const calls = gateway.verifyCalls;
  await svc.reconcile();
  assert.equal(gateway.verifyCalls, calls);
  // Still timing out when the job runs: it stays pending.
  t.clock.advance(21 * 60_000);
  assert.ok((await svc.reconcile()).stillPending >= 1);
  assert.equal((await svc.payment(owner, started.paymentId)).status, 'pending');
  gateway.verifyTimesOut = false;
  const report = await svc.reconcile();
  assert.ok(report.settled >= 1);
  assert.equal((await svc.payment(owner, started.paymentId)).status, 'paid');
  assert.equal((await apps().get(owner, appId)).state.key, 'approved');
  assert.equal(await paidEvents(appId), 1);
  await svc.reconcile();
  assert.equal(await auditCount('payment.paid', started.paymentId), 1, 'settled once');
  // The payer's late return answers the settled payment.
  assert.equal((await svc.handleCallback(owner, back)).result, 'paid');
  assert.equal(await paidEvents(appId), 1);
});

test('reconciliation: a payer who never came back is settled; one still at the bank is waited for, then expired; a session never opened expires', async () => {
  const paidApp = await awaitingPayment();
  const waitingApp = await awaitingPayment();
  const brokenApp = await awaitingPayment();
  const paid = await payments().startPayment(owner, [(await billOf(paidApp)).id], '/');
  const waiting = await payments().startPayment(owner, [(await billOf(waitingApp)).id], '/');
  await atBank(paid.redirectUrl, 'pay'); // ... and the browser was closed
  const gateway = controllable();
  gateway.requestFails = true;
  const brokenBill = (await billOf(brokenApp)).id;
  await rejects(serviceWith(gateway).startPayment(owner, [brokenBill], '/'), 503, 'payment.gateway_unavailable');
  const [failed] = await payments().paymentsOfBill(owner, brokenBill);
  assert.equal(failed?.status, 'failed', 'a request the gateway refused is recorded as failed, nothing was charged');
  assert.equal((await payments().bill(owner, brokenBill)).payable, true);
  t.clock.advance(30 * 60_000);
  const r = await payments().reconcile();
  assert.ok(r.settled >= 1);
  assert.equal((await payments().payment(owner, paid.paymentId)).status, 'paid');
  assert.equal((await apps().get(owner, paidApp)).state.key, 'approved');
  assert.equal((await payments().payment(owner, waiting.paymentId)).status, 'pending', 'the payer may still be at the bank');
  t.clock.advance(24 * 60 * 60_000);
  await payments().reconcile();
  assert.equal((await payments().payment(owner, waiting.paymentId)).status, 'expired');
  assert.equal(await auditCount('payment.expired', waiting.paymentId), 1);
  assert.equal((await payments().bill(owner, (await billOf(waitingApp)).id)).payable, true);
});

test('two tabs or a double click on Pay: one payment, one bank session; after 15 minutes a new one', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const gateway = controllable();
  const svc = serviceWith(gateway);
  const first = await svc.startPayment(owner, [bill.id], '/');
  const second = await svc.startPayment(owner, [bill.id], '/elsewhere');
  assert.equal(second.paymentId, first.paymentId);
  assert.equal(second.redirectUrl, first.redirectUrl);
  assert.equal(second.reused, true);
  assert.equal(gateway.requestCalls, 1);
  // Clicks at the same instant (on PostgreSQL: parallel connections).
  const appId2 = await awaitingPayment();
  const bill2 = await billOf(appId2);
  const raced = await Promise.all(Array.from({ length: 5 }, () => svc.startPayment(owner, [bill2.id], '/')));
  assert.equal(new Set(raced.map((r) => r.paymentId)).size, 1);
  assert.equal(new Set(raced.map((r) => r.redirectUrl)).size, 1);
  const rows = await t.deps.db.selectFrom('payment_bills').select('payment_id').where('bill_id', '=', bill2.id).execute();
  assert.equal(rows.length, 1);
  // Long after, the old session is stale: a new payment.
  t.clock.advance(16 * 60_000);
  const later = await svc.startPayment(owner, [bill.id], '/');
  assert.notEqual(later.paymentId, first.paymentId);
});

test('a bill paid by one payment makes a second paid payment due for a refund, never a second payment of the bill', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const first = await payments().startPayment(owner, [bill.id], '/');
  t.clock.advance(16 * 60_000);
  const second = await payments().startPayment(owner, [bill.id], '/');
  assert.notEqual(second.paymentId, first.paymentId);
  const backFirst = await atBank(first.redirectUrl, 'pay');
  const backSecond = await atBank(second.redirectUrl, 'pay');
  assert.equal((await payments().handleCallback(owner, backSecond)).result, 'paid');
  const late = await payments().handleCallback(owner, backFirst);
  assert.equal(late.result, 'refund_due');
  assert.equal(await auditCount('payment.refund_due', first.paymentId), 1);
  assert.equal((await payments().bill(owner, bill.id)).paymentId, second.paymentId);
  assert.equal(await paidEvents(appId), 1);
  // Staff record the refund made by hand; a clerk may not.
  const admin = await staffActor(t, sari, 'sari', ['org_admin']);
  await rejects(payments().markRefunded(clerk, first.paymentId, 'x'), 404);
  await rejects(payments().markRefunded(admin, second.paymentId, 'x'), 409, 'payment.not_refund_due');
  const refunded = await payments().markRefunded(admin, first.paymentId, 'refunded at Bank Melli, ref 998877');
  assert.equal(refunded.status, 'refunded');
  assert.equal(await auditCount('payment.refunded', first.paymentId), 1);
});

test('an application that moves on while its bill is being paid: the bill is cancelled and the payment is due for a refund', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const started = await payments().startPayment(owner, [bill.id], '/');
  await apps().act(owner, appId, { action: 'withdraw' });
  assert.equal((await payments().bill(owner, bill.id)).status, 'cancelled');
  assert.equal(await auditCount('bill.cancelled', bill.id), 1);
  await rejects(payments().startPayment(owner, [bill.id], '/'), 409, 'payment.bill_not_payable');
  const outcome = await payments().handleCallback(owner, await atBank(started.redirectUrl, 'pay'));
  assert.equal(outcome.result, 'refund_due');
  assert.equal((await apps().get(owner, appId)).state.key, 'withdrawn');
});

test('a crash between the settlement and the transition is repaired by the reconciliation', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const flaky = { act: async () => { throw new Error('process died'); } } as unknown as Parameters<typeof createPaymentsService>[0]['applications'];
  const warnings: string[] = [];
  const svc = createPaymentsService({ db: t.deps.db, clock: t.clock, gateway: controllable(), publicUrl: 'https://pishkhan.example.ir', applications: flaky, warn: (m) => warnings.push(m) });
  const started = await svc.startPayment(owner, [bill.id], '/');
  assert.equal((await svc.handleCallback(owner, await atBank(started.redirectUrl, 'pay'))).result, 'paid');
  assert.equal((await apps().get(owner, appId)).state.key, 'payment');
  assert.equal(warnings.length, 1);
  const report = await payments().reconcile();
  assert.ok(report.advanced >= 1);
  assert.equal((await apps().get(owner, appId)).state.key, 'approved');
  assert.equal(await paidEvents(appId), 1);
  assert.equal((await payments().reconcile()).advanced, 0, 'once');
});

test('a citizen can neither see nor pay another citizen\'s bill; staff see their own organization\'s only', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  await rejects(payments().bill(other, bill.id), 404, 'bill.not_found');
  await rejects(payments().billsForApplication(other, appId), 404);
  await rejects(payments().startPayment(other, [bill.id], '/'), 404, 'bill.not_found');
  await rejects(payments().bill({ kind: 'anonymous', id: null }, bill.id), 401);
  await rejects(payments().startPayment(clerk, [bill.id], '/'), 403, 'payment.citizen_only');
  const started = await payments().startPayment(owner, [bill.id], '/');
  await rejects(payments().payment(other, started.paymentId), 404, 'payment.not_found');
  await rejects(payments().payment(babolClerk, started.paymentId), 404);
  await rejects(payments().bill(babolClerk, bill.id), 404);
  assert.equal((await payments().bill(clerk, bill.id)).id, bill.id);
  assert.equal((await payments().bill(inspector, bill.id)).id, bill.id);
  const staffView = await payments().payment(clerk, started.paymentId);
  assert.equal(staffView.id, started.paymentId);
  await payments().handleCallback(owner, await atBank(started.redirectUrl, 'pay'));
  await rejects(payments().receipt(other, started.paymentId), 404);
  assert.equal((await payments().receipt(clerk, started.paymentId)).payment.status, 'paid');
});

test('levy bills: found by national code, paid several at once, all of one organization', async () => {
  const now = t.clock.now();
  const levy = (period: string, amount: number, orgId = sari) => inTransaction(t.deps.db, (tx) => createBill(tx, systemActor, {
    orgId, kind: 'renewal_levy', title: { fa: `عوارض نوسازی ${period}`, en: `Renewal levy ${period}` }, nationalCode: ownerNationalCode, propertyCode: '12-34-567-8', period,
    items: [{ key: 'renewal_levy', title: { fa: 'عوارض نوسازی', en: 'Renewal levy' }, amount }],
  }, now));
  const a = await levy('1403', 1_200_000);
  const b = await levy('1404', 1_500_000);
  assert.match(a.billCode, /^SARI-B-14\d{2}-\d{6}$/);
  assert.equal((await payments().bill(owner, a.id)).amount, 1_200_000, 'the owner by national code sees it');
  await rejects(payments().bill(other, a.id), 404);
  const babolOrg = (await t.deps.db.selectFrom('orgs').select('id').where('code', '=', 'babol').executeTakeFirstOrThrow()).id;
  const c = await levy('1404', 900_000, babolOrg);
  await rejects(payments().startPayment(owner, [a.id, c.id], '/'), 400, 'payment.one_org');
  await rejects(payments().startPayment(owner, [], '/'), 400);
  const started = await payments().startPayment(owner, [b.id, a.id], 'https://evil.example/steal');
  const p = await payments().payment(owner, started.paymentId);
  assert.equal(p.amount, 2_700_000);
  assert.equal(p.returnTo, `/bills/${a.id < b.id ? a.id : b.id}`, 'a return address off the site is replaced by a local one');
  // Another citizen may pay them when the caller decided so (e.g. found by property code).
  const forOther = await payments().startPayment(other, [a.id, b.id], '/', { anyPayer: true });
  assert.notEqual(forOther.paymentId, started.paymentId);
  assert.equal((await payments().handleCallback(owner, await atBank(started.redirectUrl, 'pay'))).result, 'paid');
  assert.deepEqual([(await payments().bill(owner, a.id)).status, (await payments().bill(owner, b.id)).status], ['paid', 'paid']);
  assert.equal((await payments().handleCallback(other, await atBank(forOther.redirectUrl, 'pay'))).result, 'refund_due');
});
