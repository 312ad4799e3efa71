// A citizen of Sari pays a building-permit fee online through the sandbox bank, in the Persian UI.
// Setup goes through the services (the citizen signs in in the browser; Sari's clerk and
// inspector accept and approve the application with their demo accounts), so the application
// waits for payment and its bill has been issued as in production. Then, in the browser: the
// application's Pay link, the itemized bill, the test bank (clearly marked), Cancel -> "not paid"
// with the bill still payable; Pay again -> Pay successfully -> the result, the receipt, the
// application moved on (permit issued), the SMS receipt at /dev/outbox.json. Reloading the
// bank's return and replaying the Pay form change nothing: one paid payment, one transition, one
// SMS. axe runs on every page; screenshots go to test-artifacts/screenshots/payments-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'playwright-core';
import { formatRials, jalaliParts } from '../../src/platform/i18n/format.js';
import { toAsciiDigits, toPersianDigits } from '../../src/platform/i18n/persian.js';
import type { Actor } from '../../src/platform/core/index.js';
import { adoptedService } from '../../src/modules/catalog/lookup.js';
import { computeFees } from '../../src/modules/catalog/workflow.js';
import { buildingPermitAnswers, samplePdf } from '../../src/modules/applications/test-factories.js';
import { rialsInWords } from '../../src/modules/payments/words.js';
import { actorOf, checkA11y, journey, launchBrowser, openPage, PHONE, randomMobile, skipBrowser, staffActor, startApp, type RunningApp } from './support.js';
import {
  assertNoRawKeysOf, AwaitingPaymentPage, BillPage, CitizenLoginPage, PAYMENT_KEY_PREFIXES, PaymentResultPage, ProfileFormPage, ReceiptPage, SandboxBankPage, VerifyPage,
} from './pages.js';

const CITIZEN = { nationalCode: '0499370899', firstName: 'مریم', lastName: 'کاظمی' };
// The workflow of definitions/building-permit.yaml, as its titles read.
const STATE = { payment: 'در انتظار پرداخت عوارض', approved: 'پروانه صادر شد' };
const PAID_ONLINE = 'پرداخت الکترونیکی';
/** The answers that drive the tariff, as typed (Persian digits) and as numbers for the fee formulas. */
const TYPED = { building_area_m2: '۳۲۰', floors: '۳', units: '۲', parking_spaces: '۱' };
const NUMBERS = { permit_type: 'new_building', usage: 'residential', building_area_m2: 320, floors: 3, units: 2, parking_spaces: 1 };
const JALALI_MONTHS = ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'];

/** «۱٬۲۳۴٬۵۰۰ ریال»: Persian digits, the Persian thousands separator every three digits, the unit. */
function assertPersianRials(text: string, amount: number, what: string): void {
  const m = /([۰-۹]{1,3}(?:٬[۰-۹]{3})*) ریال/.exec(text);
  assert.ok(m, `${what}: no amount in Persian digits with separators in «${text}»`);
  assert.equal(Number(toAsciiDigits(m[1]!).replace(/٬/g, '')), amount, `${what}: «${m[0]}»`);
}

/** An instant as the receipt must print it: the Tehran date in the Jalali calendar and the time, in Persian digits. */
function jalaliDateTime(at: number): { date: string; time: string } {
  const j = jalaliParts(at);
  // Tehran is UTC+03:30 all year (no daylight saving time since 2022).
  const time = new Date(at + 3.5 * 3_600_000).toISOString().slice(11, 16);
  return { date: toPersianDigits(`${j.day} ${JALALI_MONTHS[j.month - 1]} ${j.year}`), time: toPersianDigits(time) };
}

/**
 * A building-permit application of the citizen in Sari, submitted with every required document,
 * accepted by Sari's clerk and approved by its inspector (their demo accounts): it waits for
 * payment and its bill is issued. Returns its id.
 */
async function applicationAwaitingPayment(app: RunningApp, citizen: Actor): Promise<string> {
  const apps = app.deps.services.applications;
  const draft = await apps.startDraft(citizen, 'sari', 'building-permit', 'web');
  const saved = await apps.saveDraft(citizen, draft.id, buildingPermitAnswers({ ...TYPED, owner_national_code: CITIZEN.nationalCode }), { mode: 'replace', complete: true });
  assert.deepEqual(saved.errors, {}, 'the answers are accepted');
  for (const doc of draft.definition.documents.filter((d) => d.required)) {
    await apps.uploadDocument(citizen, draft.id, doc.key, { filename: `${doc.key}.pdf`, content: samplePdf() });
  }
  await apps.submit(citizen, draft.id, `payments-browser-${draft.id}`);
  await apps.act(await staffActor(app, 'sari.clerk'), draft.id, { action: 'accept' });
  const approved = await apps.act(await staffActor(app, 'sari.inspector'), draft.id, { action: 'approve' });
  assert.equal(approved.state.key, 'payment');
  return draft.id;
}

interface ApiBill { id: string; bill_code: string; status: string; payable: boolean; amount: number; payment_id: string | null }
interface ApiPayment { id: string; status: string; amount: number; ref_id: string | null; card_mask: string | null; verified_at: string | null; bills: { id: string; paid_by_this: boolean }[] }
interface ApiApplication { state: { key: string }; phase: string; outcome: string | null; history: { type: string; action: string | null }[] }

test('a citizen of Sari pays a building-permit fee through the sandbox bank: cancel leaves the bill payable; paying issues the permit, a receipt and one SMS, and nothing doubles', { skip: skipBrowser, timeout: 180_000 }, async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.close(); });

  const citizen = await openPage(browser, PHONE, { isMobile: true });
  const { page } = citizen;
  const step = journey(t, page);
  const mobile = randomMobile();
  // The citizen reads the JSON API with the browser's own session, as the site's pages do.
  const api = async <T>(path: string): Promise<T> => {
    const res = await page.request.get(`${app.url}${path}`);
    assert.equal(res.status(), 200, `GET ${path}: ${await res.text()}`);
    return (await res.json()) as T;
  };

  const sari = await app.deps.db.selectFrom('orgs').select('id').where('code', '=', 'sari').executeTakeFirstOrThrow();
  const adopted = await adoptedService(app.deps.db, sari.id, 'building-permit');
  assert.ok(adopted, 'the demo seed has Sari adopt the building permit');
  const fees = computeFees(adopted.definition, adopted.overrides, NUMBERS);
  const items = fees.items.filter((i) => i.amount > 0);
  assert.ok(fees.total > 0 && items.length >= 2, 'the tariff bills several items');

  let applicationId = '';
  let billId = '';
  let billCode = '';
  let cancelledPaymentId = '';
  let paidPaymentId = '';
  let callbackUrl = '';
  let payForm = '';

  await step('the citizen signs in by SMS code and completes the profile; the application is accepted and approved, and waits for payment', 'payments-setup', async () => {
    await page.goto(`${app.url}/login?next=${encodeURIComponent('/my/applications')}`);
    await new CitizenLoginPage(page, 'fa').requestCode(toPersianDigits(mobile));
    await new VerifyPage(page, 'fa').enterCode(toPersianDigits(await app.otpFor(mobile)));
    await page.waitForURL(/\/profile\/edit\?next=/);
    await new ProfileFormPage(page, 'fa').complete(CITIZEN);
    await page.waitForURL(/\/my\/applications$/);
    applicationId = await applicationAwaitingPayment(app, await actorOf(app, citizen.context));
  });

  await step('the application says it waits for payment and links to the itemized bill: items, total in Persian digits with separators, the amount in words', 'payments-bill', async () => {
    await page.goto(`${app.url}/my/applications/${applicationId}`);
    const mine = new AwaitingPaymentPage(page, 'fa');
    assert.match(await mine.summary.innerText(), new RegExp(STATE.payment));
    await assertNoRawKeysOf(page, PAYMENT_KEY_PREFIXES);
    await checkA11y(page, 'payments-01-application-awaiting-payment');

    await Promise.all([page.waitForURL(/\/bills\/[^/?]+$/), mine.payLink.click()]);
    billId = /\/bills\/([^/?]+)$/.exec(page.url())![1]!;
    const bill = new BillPage(page, 'fa');
    billCode = (await bill.value('bill.code').innerText()).trim();
    assert.match(billCode, new RegExp(`^SARI-B-${jalaliParts(Date.now()).year}-\\d{6}$`));
    assert.match(await bill.heading.innerText(), new RegExp(`${billCode}[\\s\\S]*پرداخت‌نشده`));
    assert.equal((await bill.value('bill.org').innerText()).trim(), 'شهرداری ساری');
    assert.equal((await bill.value('bill.subject').innerText()).trim(), 'صدور پروانه ساختمانی');
    assert.equal(await bill.itemRows.count(), items.length, 'one row per fee item');
    for (const item of items) {
      const row = await bill.itemRow(item.title.fa).innerText();
      assertPersianRials(row, item.amount, `item «${item.title.fa}»`);
    }
    const total = await bill.totalRow.innerText();
    assert.match(total, /جمع کل/);
    assertPersianRials(total, fees.total, 'the total');
    assert.ok(total.includes(formatRials(fees.total, 'fa')));
    const words = await bill.inWords.innerText();
    assert.ok(words.includes(rialsInWords(fees.total, 'fa')), `in words: «${words}»`);
    assert.doesNotMatch(words.replace(/^به حروف:/, ''), /[0-9۰-۹]/, 'the amount in words has no digits');
    assert.match(words, /ریال$/);
    assert.equal((await bill.pay.innerText()).trim(), `پرداخت ${formatRials(fees.total, 'fa')}`);
    const apiBill = await api<ApiBill>(`/api/v1/bills/${billId}`);
    assert.deepEqual([apiBill.status, apiBill.payable, apiBill.amount, apiBill.bill_code], ['unpaid', true, fees.total, billCode]);
    await assertNoRawKeysOf(page, PAYMENT_KEY_PREFIXES);
    await checkA11y(page, 'payments-02-bill');
  });

  await step('Pay goes to the sandbox bank, clearly marked as a test, for the bill\'s amount', 'payments-bank', async () => {
    await Promise.all([page.waitForURL(/\/sandbox-bank\/S[A-Z0-9]{35}$/), new BillPage(page, 'fa').pay.click()]);
    const bank = new SandboxBankPage(page, 'fa');
    assert.equal((await bank.heading.innerText()).trim(), 'درگاه آزمایشی پیشخوان');
    assert.match(await bank.banner.innerText(), /درگاه آزمایشی — پولی جابه‌جا نمی‌شود/);
    await bank.warning.waitFor();
    assert.equal((await bank.amount.innerText()).trim(), formatRials(fees.total, 'fa'));
    assert.match(await page.title(), /درگاه آزمایشی/);
    await bank.payFail.waitFor();
    await assertNoRawKeysOf(page, PAYMENT_KEY_PREFIXES);
    await checkA11y(page, 'payments-03-sandbox-bank');
  });

  await step('Cancel at the bank brings the citizen back with "not paid"; the bill is still payable and the application still waits for payment', 'payments-cancel', async () => {
    await Promise.all([page.waitForURL(/\/payments\/callback\?.*Status=NOK/), new SandboxBankPage(page, 'fa').cancel.click()]);
    const result = new PaymentResultPage(page, 'fa');
    assert.equal((await result.heading.innerText()).trim(), 'پرداخت انجام نشد');
    assert.equal(await result.message.getAttribute('role'), 'alert');
    assert.match(await result.message.innerText(), /قبض همچنان قابل پرداخت است/);
    assert.equal((await result.value('payment.state').innerText()).trim(), 'انصراف');
    assert.equal(await result.receiptLink.count(), 0, 'no receipt for an unpaid payment');
    await result.tryAgain.waitFor();
    await assertNoRawKeysOf(page, PAYMENT_KEY_PREFIXES);
    await checkA11y(page, 'payments-04-cancelled');

    const bill = await api<ApiBill>(`/api/v1/bills/${billId}`);
    assert.deepEqual([bill.status, bill.payable, bill.payment_id], ['unpaid', true, null]);
    const application = await api<ApiApplication>(`/api/v1/applications/${applicationId}`);
    assert.equal(application.state.key, 'payment');

    await Promise.all([page.waitForURL(new RegExp(`/my/applications/${applicationId}$`)), result.backToApplication.click()]);
    const mine = new AwaitingPaymentPage(page, 'fa');
    assert.match(await mine.summary.innerText(), new RegExp(STATE.payment));
    await mine.payLink.waitFor();
    await checkA11y(page, 'payments-05-application-still-awaiting');
  });

  await step('paying again: the bill lists the cancelled attempt; the bank\'s "Pay successfully" returns to a success page', 'payments-pay', async () => {
    const mine = new AwaitingPaymentPage(page, 'fa');
    await Promise.all([page.waitForURL(new RegExp(`/bills/${billId}$`)), mine.payLink.click()]);
    const bill = new BillPage(page, 'fa');
    assert.equal(await bill.attempts.count(), 1);
    assert.match(await bill.attempts.first().innerText(), /انصراف/);
    cancelledPaymentId = /\/payments\/([^/]+)$/.exec((await bill.attempts.first().getByRole('link').getAttribute('href')) ?? '')![1]!;
    await checkA11y(page, 'payments-06-bill-after-cancel');

    // Keep the Pay form as sent, to replay it once the bill is paid.
    const record = (r: Request) => { if (r.method() === 'POST' && r.url() === `${app.url}/bills/pay`) payForm = r.postData() ?? ''; };
    page.on('request', record);
    await Promise.all([page.waitForURL(/\/sandbox-bank\//), bill.pay.click()]);
    page.off('request', record);
    assert.ok(payForm, 'the Pay form was posted');

    await Promise.all([page.waitForURL(/\/payments\/callback\?.*Status=OK/), new SandboxBankPage(page, 'fa').payOk.click()]);
    callbackUrl = page.url();
    const result = new PaymentResultPage(page, 'fa');
    assert.equal((await result.heading.innerText()).trim(), 'پرداخت با موفقیت انجام شد');
    assert.equal(await result.message.getAttribute('role'), 'status');
    assert.match(await result.message.innerText(), /درخواست شما به مرحله بعد رفت/);
    assert.equal((await result.value('payment.state').innerText()).trim(), 'پرداخت موفق');
    assert.equal((await result.value('payment.amount').innerText()).trim(), formatRials(fees.total, 'fa'));
    assert.match(await result.value('payment.ref_id').innerText(), /^[۰-۹]{10}$/);
    assert.equal(await result.tryAgain.count(), 0);
    paidPaymentId = /\/payments\/([^/]+)\/receipt$/.exec((await result.receiptLink.getAttribute('href')) ?? '')![1]!;
    assert.notEqual(paidPaymentId, cancelledPaymentId, 'a cancelled payment is not reused: a new bank session');
    await assertNoRawKeysOf(page, PAYMENT_KEY_PREFIXES);
    await checkA11y(page, 'payments-07-paid');
  });

  await step('reloading the bank\'s return, replaying it, and replaying the Pay form change nothing: one paid payment, the application moved on once', 'payments-replay', async () => {
    await page.reload();
    const result = new PaymentResultPage(page, 'fa');
    assert.equal((await result.heading.innerText()).trim(), 'پرداخت با موفقیت انجام شد');
    const replays = await Promise.all([1, 2].map(() => page.request.get(callbackUrl)));
    for (const r of replays) {
      assert.equal(r.status(), 200);
      assert.match(await r.text(), /پرداخت با موفقیت انجام شد/);
    }
    // The same Pay form again (a back button, a second tab): refused, nothing charged.
    const again = await page.request.post(`${app.url}/bills/pay`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: payForm, maxRedirects: 0 });
    assert.equal(again.status(), 409);
    assert.match(await again.text(), new RegExp(`قبض ${billCode} پیش‌تر پرداخت شده است`));

    const bill = await api<ApiBill>(`/api/v1/bills/${billId}`);
    assert.deepEqual([bill.status, bill.payable, bill.payment_id], ['paid', false, paidPaymentId]);
    const paid = await api<ApiPayment>(`/api/v1/payments/${paidPaymentId}`);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount, fees.total);
    assert.deepEqual(paid.bills.map((b) => [b.id, b.paid_by_this]), [[billId, true]]);
    assert.equal((await api<ApiPayment>(`/api/v1/payments/${cancelledPaymentId}`)).status, 'cancelled');
    const application = await api<ApiApplication>(`/api/v1/applications/${applicationId}`);
    assert.deepEqual([application.phase, application.state.key, application.outcome], ['closed', 'approved', 'granted']);
    assert.equal(application.history.filter((e) => e.action === 'paid').length, 1, 'the payment moved the application on once');
    const { items: bills } = await api<{ items: ApiBill[] }>(`/api/v1/applications/${applicationId}/bills`);
    assert.deepEqual(bills.map((b) => [b.id, b.status]), [[billId, 'paid']], 'one bill, paid');

    await page.goto(`${app.url}/bills/${billId}`);
    const billPage = new BillPage(page, 'fa');
    assert.equal(await billPage.pay.count(), 0, 'a paid bill has no Pay button');
    assert.deepEqual((await billPage.attempts.allInnerTexts()).map((s) => /پرداخت موفق/.test(s) ? 'paid' : /انصراف/.test(s) ? 'cancelled' : s).sort(), ['cancelled', 'paid']);
    await billPage.receiptLink.waitFor();
    await checkA11y(page, 'payments-08-bill-paid');
  });

  await step('the receipt shows the bill, its items, the amount in figures and words, the bank reference, the card mask and the Jalali date and time', 'payments-receipt', async () => {
    await Promise.all([page.waitForURL(new RegExp(`/payments/${paidPaymentId}/receipt$`)), new BillPage(page, 'fa').receiptLink.click()]);
    const receipt = new ReceiptPage(page, 'fa');
    const paid = await api<ApiPayment>(`/api/v1/payments/${paidPaymentId}`);
    assert.equal((await receipt.heading.innerText()).trim(), 'رسید پرداخت');
    assert.match(await receipt.main.innerText(), /شهرداری ساری/);
    assert.equal((await receipt.value('receipt.payer').innerText()).trim(), `${CITIZEN.firstName} ${CITIZEN.lastName}`);
    assert.match(paid.ref_id ?? '', /^\d{10}$/);
    assert.equal((await receipt.value('receipt.ref_id').innerText()).trim(), toPersianDigits(paid.ref_id!));
    assert.match(paid.card_mask ?? '', /^\d{6}\*{6}\d{4}$/);
    assert.equal((await receipt.value('receipt.card').innerText()).trim(), paid.card_mask);
    assert.equal((await receipt.value('receipt.gateway').innerText()).trim(), 'درگاه آزمایشی پیشخوان');
    const when = receipt.value('receipt.when').locator('time');
    assert.equal(await when.getAttribute('datetime'), paid.verified_at);
    const expected = jalaliDateTime(Date.parse(paid.verified_at!));
    assert.equal((await when.innerText()).trim().replace(/^\S+ /, ''), `${expected.date}، ساعت ${expected.time}`, 'weekday, Jalali day month year, time');

    const section = receipt.bill(billCode);
    assert.match(await section.getByRole('heading').innerText(), /صدور پروانه ساختمانی/);
    for (const item of items) assertPersianRials(await section.getByRole('row').filter({ hasText: item.title.fa }).innerText(), item.amount, `receipt item «${item.title.fa}»`);
    assertPersianRials(await receipt.total.innerText(), fees.total, 'the amount paid');
    assert.ok((await receipt.inWords.innerText()).includes(rialsInWords(fees.total, 'fa')));
    await assertNoRawKeysOf(page, PAYMENT_KEY_PREFIXES);
    await checkA11y(page, 'payments-09-receipt');
  });

  await step('the application has moved on: permit issued, the online payment once in its history, nothing left to pay', 'payments-application-after', async () => {
    await Promise.all([page.waitForURL(new RegExp(`/my/applications/${applicationId}$`)), new ReceiptPage(page, 'fa').back.click()]);
    const mine = new AwaitingPaymentPage(page, 'fa');
    assert.match(await mine.outcome.innerText(), new RegExp(`${mine.m('catalog.outcome.granted')} — ${STATE.approved}`));
    const history = await mine.history.innerText();
    assert.equal(history.split(PAID_ONLINE).length - 1, 1, `«${PAID_ONLINE}» once in the history`);
    assert.equal(await mine.payLink.count(), 0);
    await mine.letter.waitFor();
    await assertNoRawKeysOf(page, PAYMENT_KEY_PREFIXES);
    await checkA11y(page, 'payments-10-application-granted');
  });

  await step('the SMS receipt is at /dev/outbox.json, once: amount, bill, bank reference, the receipt\'s address', 'payments-sms', async () => {
    const paid = await api<ApiPayment>(`/api/v1/payments/${paidPaymentId}`);
    const sms = await app.waitForMessage(mobile, new RegExp(`رسید: \\S+/payments/${paidPaymentId}/receipt`));
    assert.ok(sms.body.includes('شهرداری ساری'));
    assert.ok(sms.body.includes(formatRials(fees.total, 'fa')), sms.body);
    assert.ok(sms.body.includes(billCode));
    assert.ok(sms.body.includes(paid.ref_id!));
    const receipts = (await app.messagesTo(mobile, 'sms')).filter((m) => m.body.includes('/receipt'));
    assert.equal(receipts.length, 1, 'one SMS receipt, whatever was reloaded');
  });

  assert.deepEqual(citizen.problems.list, [], 'console errors, CSP violations or failed sub-resources');
});
