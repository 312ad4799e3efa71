// Payments over HTTP: the bill page (items, Persian digits, amount in words, a Pay button with
// CSRF), Pay -> the sandbox bank -> the callback -> the result page and the receipt, a double
// click, the JSON API, open redirects, and the sandbox's absence when Zarinpal is configured.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormBrowser, makeOrg, makeTestApp, signInCitizen, signInStaff, makeStaff, type TestApp } from '../../../test/helpers.js';
import type { Actor } from '../../platform/core/index.js';
import { adoptBuildingPermit, applicationAwaitingPayment, staffActor } from './test-factories.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
let clerk: Actor;
let inspector: Actor;

before(async () => {
  t = await makeTestApp();
  const sari = await makeOrg(t, 'sari');
  const babol = await makeOrg(t, 'babol');
  await adoptBuildingPermit(t, sari);
  clerk = await staffActor(t, sari, 'sari', ['clerk']);
  inspector = await staffActor(t, sari, 'sari', ['inspector']);
  for (const [who, mobile] of [['owner', '09121240001'], ['other', '09121240002']] as const) {
    tokens[who] = await signInCitizen(t, mobile);
    ids[who] = (await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', mobile).executeTakeFirstOrThrow()).id;
  }
  const { password } = await makeStaff(t, 'babol.http', [{ orgId: babol, role: 'clerk' }]);
  tokens.babol = await signInStaff(t, 'babol.http', password);
});
after(async () => t?.close());

const bearer = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
const awaitingPayment = () => applicationAwaitingPayment(t, { citizen: { kind: 'citizen', id: ids.owner! }, orgCode: 'sari', clerk, inspector });

/** A browser signed in as one of the test's citizens (or no one). */
class Browser extends FormBrowser {
  constructor(who?: string) {
    super(t, who ? tokens[who] : undefined);
  }
}

const billOf = async (appId: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${appId}/bills`, headers: bearer('owner') });
  assert.equal(res.statusCode, 200);
  return res.json().items[0] as { id: string; bill_code: string; amount: number };
};
const local = (location: string) => {
  const u = new URL(location, 'http://127.0.0.1:3000');
  return `${u.pathname}${u.search}`;
};

test('a citizen pays a building-permit bill through the sandbox bank and the application moves on', async () => {
  const appId = await awaitingPayment();
  const browser = new Browser('owner');
  // The application page leads to the bill.
  const mine = await browser.get(`/my/applications/${appId}`);
  assert.equal(mine.statusCode, 200);
  assert.ok(mine.body.includes(`href="/applications/${appId}/bill"`), 'a Pay link on the application page');
  const toBill = await browser.get(`/applications/${appId}/bill`);
  assert.equal(toBill.statusCode, 303);
  const billUrl = toBill.headers.location as string;
  assert.match(billUrl, /^\/bills\//);

  const page = await browser.get(billUrl);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('۱٬۷۳۸٬۷۰۰٬۰۰۰ ریال'), 'the total in Persian digits with separators');
  assert.ok(page.body.includes('یک میلیارد و هفتصد و سی و هشت میلیون و هفتصد هزار ریال'), 'the total in words');
  assert.ok(page.body.includes('عوارض صدور پروانه (زیربنا)'), 'the items');
  assert.ok(page.body.includes('action="/bills/pay"'));

  const csrf = await browser.csrf(billUrl);
  const billId = billUrl.split('/').pop()!;
  const pay = await browser.post('/bills/pay', { _csrf: csrf, bill_id: billId, return_to: `/my/applications/${appId}` });
  assert.equal(pay.statusCode, 303);
  const bankUrl = local(pay.headers.location as string);
  assert.match(bankUrl, /^\/sandbox-bank\/S[A-Z0-9]{35}$/);
  // A double click: the same bank session.
  const again = await browser.post('/bills/pay', { _csrf: csrf, bill_id: billId, return_to: `/my/applications/${appId}` });
  assert.equal(local(again.headers.location as string), bankUrl);

  const bank = await browser.get(bankUrl);
  assert.equal(bank.statusCode, 200);
  assert.ok(bank.body.includes('درگاه آزمایشی — پولی جابه‌جا نمی‌شود'), 'clearly marked as a test');
  assert.ok(bank.body.includes('۱٬۷۳۸٬۷۰۰٬۰۰۰ ریال'));
  const bankCsrf = bank.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const paid = await browser.post(bankUrl, { _csrf: bankCsrf, choice: 'pay' });
  assert.equal(paid.statusCode, 303);
  const callback = local(paid.headers.location as string);
  assert.match(callback, /^\/payments\/callback\?Authority=S[A-Z0-9]{35}&Status=OK$/);

  const result = await browser.get(callback);
  assert.equal(result.statusCode, 200);
  assert.ok(result.body.includes('پرداخت با موفقیت انجام شد'));
  const receiptHref = result.body.match(/href="(\/payments\/[^"]+\/receipt)"/)![1]!;
  assert.ok(result.body.includes(`href="/my/applications/${appId}"`), 'back to the application');

  const receipt = await browser.get(receiptHref);
  assert.equal(receipt.statusCode, 200);
  assert.ok(receipt.body.includes('رسید پرداخت'));
  assert.ok(receipt.body.includes('603799******'), 'the card mask');
  assert.ok(receipt.body.includes('یک میلیارد و هفتصد و سی و هشت میلیون و هفتصد هزار ریال'));
  assert.match(receipt.body, /[۰-۹]{4}\/[۰-۹]{2}|آذر|دی|بهمن|اسفند|فروردین|آبان/, 'a Jalali date');

  const app = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${appId}`, headers: bearer('owner') });
  assert.equal(app.json().state.key, 'approved');
  // The bill now shows as paid, with its receipt, and no Pay button.
  const after = await browser.get(billUrl);
  assert.ok(!after.body.includes('action="/bills/pay"'));
  assert.ok(after.body.includes(receiptHref));
  // Replaying the callback shows the same result.
  assert.equal((await browser.get(callback)).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/applications/${appId}`, headers: bearer('owner') })).json().history.filter((e: { action: string }) => e.action === 'paid').length, 1);
});

test('a cancelled payment leaves the bill payable and the application waiting', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const browser = new Browser('owner');
  const pay = await browser.post('/bills/pay', { _csrf: await browser.csrf(`/bills/${bill.id}`), bill_id: bill.id });
  const bankUrl = local(pay.headers.location as string);
  const bank = await browser.get(bankUrl);
  const cancelled = await browser.post(bankUrl, { _csrf: bank.body.match(/name="_csrf" value="([^"]+)"/)![1]!, choice: 'cancel' });
  const callback = local(cancelled.headers.location as string);
  assert.match(callback, /Status=NOK$/);
  const result = await browser.get(callback);
  assert.equal(result.statusCode, 200);
  assert.ok(result.body.includes('پرداخت انجام نشد'));
  assert.ok(result.body.includes(`href="/bills/${bill.id}"`), 'pay again');
  const page = await browser.get(`/bills/${bill.id}`);
  assert.ok(page.body.includes('action="/bills/pay"'), 'still payable');
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/applications/${appId}`, headers: bearer('owner') })).json().state.key, 'payment');
});

test('the pages check CSRF and ownership: another citizen gets 404, a form without its token 403', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  const stranger = new Browser('other');
  assert.equal((await stranger.get(`/bills/${bill.id}`)).statusCode, 404);
  assert.equal((await stranger.get(`/applications/${appId}/bill`)).statusCode, 404);
  const csrf = await stranger.csrf('/');
  assert.equal((await stranger.post('/bills/pay', { _csrf: csrf, bill_id: bill.id })).statusCode, 404);
  const owner = new Browser('owner');
  await owner.get('/');
  assert.equal((await owner.post('/bills/pay', { bill_id: bill.id })).statusCode, 403);
  const anonymous = await t.app.inject({ method: 'GET', url: `/bills/${bill.id}` });
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/login\?next=/);
  assert.equal((await t.app.inject({ method: 'GET', url: '/payments/callback?Authority=S0000&Status=OK' })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: `/sandbox-bank/S${'0'.repeat(35)}` })).statusCode, 404);
});

test('the JSON API: bills, starting a payment (reused on repeat, local return only), its state and receipt', async () => {
  const appId = await awaitingPayment();
  const bill = await billOf(appId);
  assert.equal(bill.amount, 1_738_700_000);
  const one = await t.app.inject({ method: 'GET', url: `/api/v1/bills/${bill.id}`, headers: bearer('owner') });
  assert.equal(one.statusCode, 200);
  assert.equal(one.json().amount_in_words.fa, 'یک میلیارد و هفتصد و سی و هشت میلیون و هفتصد هزار ریال');
  assert.equal(one.json().payable, true);
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/bills/${bill.id}`, headers: bearer('other') })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/bills/${bill.id}`, headers: bearer('babol') })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/bills/${bill.id}` })).statusCode, 401);

  const start = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: bearer('owner'), payload: { bill_ids: [bill.id], return_to: '//evil.example/x' } });
  assert.equal(start.statusCode, 201);
  const { payment_id, redirect_url, reused } = start.json();
  assert.equal(reused, false);
  const repeat = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: bearer('owner'), payload: { bill_ids: [bill.id] } });
  assert.deepEqual([repeat.json().payment_id, repeat.json().redirect_url, repeat.json().reused], [payment_id, redirect_url, true]);
  const p = await t.app.inject({ method: 'GET', url: `/api/v1/payments/${payment_id}`, headers: bearer('owner') });
  assert.equal(p.json().status, 'pending');
  assert.equal(p.json().return_to, `/my/applications/${appId}`, 'an off-site return address is replaced');
  assert.equal(p.json().receipt_url, null);
  assert.equal(p.json().last_error, null);
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/payments/${payment_id}/receipt`, headers: bearer('owner') })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/payments/${payment_id}`, headers: bearer('other') })).statusCode, 404);

  const bad = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: bearer('owner'), payload: { bill_ids: [] } });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.json().error.fields.bill_ids);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: bearer('babol'), payload: { bill_ids: [bill.id] } })).statusCode, 403);

  // Pay at the bank, come back through the browser's callback, read the receipt through the API.
  assert.match(redirect_url, /^\/sandbox-bank\//, 'the sandbox bank is a page of this site');
  const authority = redirect_url.split('/').pop()!;
  const browser = new Browser('owner');
  const bank = await browser.get(`/sandbox-bank/${authority}`);
  const paid = await browser.post(`/sandbox-bank/${authority}`, { _csrf: bank.body.match(/name="_csrf" value="([^"]+)"/)![1]!, choice: 'pay' });
  await browser.get(local(paid.headers.location as string));
  const receipt = await t.app.inject({ method: 'GET', url: `/api/v1/payments/${payment_id}/receipt`, headers: bearer('owner') });
  assert.equal(receipt.statusCode, 200);
  const r = receipt.json();
  assert.equal(r.payment.status, 'paid');
  assert.equal(r.amount, 1_738_700_000);
  assert.equal(r.amount_in_words.en, 'one billion seven hundred and thirty-eight million seven hundred thousand rials');
  assert.match(r.payment.ref_id, /^\d{10}$/);
  assert.deepEqual(r.bills.map((b: { id: string }) => b.id), [bill.id]);
  assert.equal(r.bills[0].items.length, 4);
  const list = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${appId}/bills`, headers: bearer('owner') });
  assert.equal(list.json().items[0].status, 'paid');
});

test('with Zarinpal configured there is no sandbox bank, and the pages may send the payer to Zarinpal', async () => {
  const z = await makeTestApp({ PAYMENT_GATEWAY: 'zarinpal', ZARINPAL_MERCHANT_ID: '1344b5d4-0048-11e8-94db-005056a205be', ZARINPAL_BASE_URL: 'https://sandbox.zarinpal.com' });
  try {
    assert.equal(z.deps.paymentGateway.name, 'zarinpal');
    const res = await z.app.inject({ method: 'GET', url: `/sandbox-bank/S${'0'.repeat(35)}` });
    assert.equal(res.statusCode, 404);
    const csp = String((await z.app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
    assert.match(csp, /form-action 'self' https:\/\/sandbox\.zarinpal\.com/);
  } finally {
    await z.close();
  }
  const csp = String((await t.app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
  assert.match(csp, /form-action 'self';/);
});
