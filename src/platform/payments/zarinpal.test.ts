// The Zarinpal adapter against a local fake Zarinpal (node:http) that speaks the REST v4 API:
// request.json, StartPay, verify.json (100, 101, -50, -51, -54), inquiry.json, unVerified.json,
// merchant errors, and a server that never answers (a retryable timeout).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError, toGatewayAmount } from './types.js';
import { ZarinpalGateway } from './zarinpal.js';

const MERCHANT = '1344b5d4-0048-11e8-94db-005056a205be';

interface Session { amount: number; currency: string; status: 'pending' | 'paid' | 'verified' | 'failed'; refId: number }

/** A fake Zarinpal: keeps sessions, answers like the documented API, and can be told to misbehave. */
class FakeZarinpal {
  server: Server;
  base = '';
  sessions = new Map<string, Session>();
  calls: { path: string; body: Record<string, unknown> }[] = [];
  /** endpoint -> 'hang' (never answer), 'html500', or an error code to answer with. */
  misbehave = new Map<string, 'hang' | 'html500' | number>();
  private seq = 0;
  private hanging: ServerResponse[] = [];

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop() {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The payer pays (or fails) at the bank. */
  pay(authority: string, ok = true) {
    this.sessions.get(authority)!.status = ok ? 'paid' : 'failed';
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) as Record<string, unknown> : {};
    const path = req.url ?? '';
    this.calls.push({ path, body });
    const endpoint = path.split('/').pop() ?? '';
    const json = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    const error = (code: number, message: string) => json(code === -9 ? 422 : 400, { data: [], errors: { code, message, validations: [] } });
    const bad = this.misbehave.get(endpoint);
    if (bad === 'hang') { this.hanging.push(res); return; }
    if (bad === 'html500') { res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>'); return; }
    if (typeof bad === 'number') return error(bad, 'misbehaving on purpose');
    if (body.merchant_id !== MERCHANT) return error(-10, 'Terminal is not valid, please check merchant_id or ip address.');
    switch (endpoint) {
      case 'request.json': {
        if (!Number.isInteger(body.amount) || (body.amount as number) < 1000 || !body.callback_url || !body.description) return error(-9, 'The input params invalid, validation error.');
        const authority = `A${String(++this.seq).padStart(35, '0')}`;
        this.sessions.set(authority, { amount: body.amount as number, currency: String(body.currency ?? 'IRR'), status: 'pending', refId: 200 + this.seq });
        return json(200, { data: { code: 100, message: 'Success', authority, fee_type: 'Merchant', fee: 0 }, errors: [] });
      }
      case 'verify.json': {
        const s = this.sessions.get(String(body.authority));
        if (!s) return error(-54, 'Invalid authority.');
        if (s.amount !== body.amount) return error(-50, 'Session is not valid, amounts values is not the same.');
        if (s.status === 'pending' || s.status === 'failed') return error(-51, 'Session is not valid, session is not active paid try.');
        const code = s.status === 'paid' ? 100 : 101;
        s.status = 'verified';
        return json(200, { data: { code, message: code === 100 ? 'Paid' : 'Verified', card_hash: 'ab'.repeat(32), card_pan: '502229******5995', ref_id: s.refId, fee_type: 'Merchant', fee: 0 }, errors: [] });
      }
      case 'inquiry.json': {
        const s = this.sessions.get(String(body.authority));
        if (!s) return error(-54, 'Invalid authority.');
        const status = { pending: 'IN_BANK', paid: 'PAID', verified: 'VERIFIED', failed: 'FAILED' }[s.status];
        return json(200, { data: { code: 100, message: 'Success', status }, errors: [] });
      }
      case 'unVerified.json': {
        const authorities = [...this.sessions].filter(([, s]) => s.status === 'paid').map(([authority, s]) => ({ authority, amount: s.amount, callback_url: 'x', referer: 'y', date: '2026-11-28 12:00:00' }));
        return json(200, { data: { code: 100, message: 'Success', authorities }, errors: [] });
      }
      default:
        return json(404, { data: [], errors: { code: -1, message: 'not found' } });
    }
  }
}

let fake: FakeZarinpal;
const gateway = (opts: { currency?: 'IRR' | 'IRT'; merchantId?: string; timeoutMs?: number } = {}) =>
  new ZarinpalGateway({ merchantId: opts.merchantId ?? MERCHANT, baseUrl: `${fake.base}/`, currency: opts.currency, timeoutMs: opts.timeoutMs ?? 2000 });
const request = (g: ZarinpalGateway, amountRials = 1_500_000) =>
  g.request({ amountRials, description: 'پرداخت قبض SARI-B-1405-000001 — شهرداری ساری', callbackUrl: 'https://pishkhan.example.ir/payments/callback', mobile: '09121110001', email: 'a@example.ir', orderId: 'p-1' });

async function rejectsWith(p: Promise<unknown>, check: (e: GatewayError) => void) {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    check(err);
    return;
  }
  assert.fail('expected a GatewayError');
}

before(async () => {
  fake = new FakeZarinpal();
  await fake.start();
});
after(async () => fake.stop());
beforeEach(() => {
  fake.misbehave.clear();
  fake.calls = [];
});

test('a payment request sends the documented fields and answers the authority with its StartPay address', async () => {
  const g = gateway();
  const start = await request(g);
  assert.match(start.authority, /^A\d{35}$/);
  assert.equal(start.redirectUrl, `${fake.base}/pg/StartPay/${start.authority}`);
  assert.equal(g.redirectUrlFor(start.authority), start.redirectUrl, 'a second tab gets the same address');
  assert.equal(g.redirectOrigin, fake.base);
  const call = fake.calls[0]!;
  assert.equal(call.path, '/pg/v4/payment/request.json');
  assert.deepEqual(call.body, {
    merchant_id: MERCHANT, amount: 1_500_000, currency: 'IRR', description: 'پرداخت قبض SARI-B-1405-000001 — شهرداری ساری',
    callback_url: 'https://pishkhan.example.ir/payments/callback', metadata: { order_id: 'p-1', mobile: '09121110001', email: 'a@example.ir' },
  });
});

test('with IRT the amount is sent in Tomans, and an amount that is not whole Tomans is refused before any call', async () => {
  const g = gateway({ currency: 'IRT' });
  const start = await request(g, 1_234_560);
  assert.equal(fake.calls[0]!.body.amount, 123_456);
  assert.equal(fake.calls[0]!.body.currency, 'IRT');
  fake.pay(start.authority);
  const v = await g.verify({ authority: start.authority, amountRials: 1_234_560 });
  assert.equal(v.status, 'paid');
  assert.equal(fake.calls[1]!.body.amount, 123_456, 'verification converts the stored Rials the same way');
  fake.calls = [];
  await rejectsWith(request(g, 1_234_567), (e) => assert.equal(e.retryable, false));
  assert.equal(fake.calls.length, 0);
  assert.equal(toGatewayAmount(50, 'IRT'), 5);
  assert.throws(() => toGatewayAmount(0, 'IRR'), GatewayError);
  assert.throws(() => toGatewayAmount(12.5, 'IRR'), GatewayError);
});

test('verify: 100 is paid with the reference and masked card, a second verify is 101 (already verified)', async () => {
  const g = gateway();
  const start = await request(g);
  fake.pay(start.authority);
  const first = await g.verify({ authority: start.authority, amountRials: 1_500_000 });
  assert.equal(first.status, 'paid');
  assert.equal(first.code, 100);
  assert.match(first.refId!, /^\d+$/);
  assert.equal(first.cardMask, '502229******5995');
  assert.deepEqual(fake.calls.at(-1)!.body, { merchant_id: MERCHANT, amount: 1_500_000, authority: start.authority });
  const again = await g.verify({ authority: start.authority, amountRials: 1_500_000 });
  assert.equal(again.status, 'already_verified');
  assert.equal(again.code, 101);
  assert.equal(again.refId, first.refId);
});

test('verify: another amount (-50), an unpaid session (-51) and an unknown authority (-54) are failures, not errors', async () => {
  const g = gateway();
  const start = await request(g);
  fake.pay(start.authority);
  const wrong = await g.verify({ authority: start.authority, amountRials: 1_000_000 });
  assert.deepEqual(wrong, { status: 'failed', code: -50 });
  // The mismatch did not consume the session: the right amount still verifies.
  assert.equal((await g.verify({ authority: start.authority, amountRials: 1_500_000 })).status, 'paid');
  const unpaid = await request(g);
  assert.deepEqual(await g.verify({ authority: unpaid.authority, amountRials: 1_500_000 }), { status: 'failed', code: -51 });
  fake.pay(unpaid.authority, false);
  assert.equal((await g.verify({ authority: unpaid.authority, amountRials: 1_500_000 })).status, 'failed');
  assert.deepEqual(await g.verify({ authority: 'A000000000000000000000000000000000099', amountRials: 1_500_000 }), { status: 'failed', code: -54 });
});

test('merchant and validation errors are GatewayErrors with their code; only -12 (too many attempts) is retryable', async () => {
  await rejectsWith(request(gateway({ merchantId: '00000000-0000-0000-0000-000000000000' })), (e) => {
    assert.equal(e.code, -10);
    assert.equal(e.retryable, false);
  });
  await rejectsWith(request(gateway(), 500), (e) => {
    assert.equal(e.code, -9);
    assert.equal(e.retryable, false);
  });
  for (const [code, retryable] of [[-11, false], [-15, false], [-12, true]] as const) {
    fake.misbehave.set('request.json', code);
    await rejectsWith(request(gateway()), (e) => {
      assert.equal(e.code, code);
      assert.equal(e.retryable, retryable, `code ${code}`);
    });
  }
  fake.misbehave.set('verify.json', -11);
  await rejectsWith(gateway().verify({ authority: 'A1', amountRials: 1000 }), (e) => assert.equal(e.code, -11));
});

test('a server that never answers, one that answers HTML with a 502, and one that is not there are retryable errors', async () => {
  const g = gateway({ timeoutMs: 300 });
  const start = await request(g);
  fake.pay(start.authority);
  fake.misbehave.set('verify.json', 'hang');
  const t0 = Date.now();
  await rejectsWith(g.verify({ authority: start.authority, amountRials: 1_500_000 }), (e) => {
    assert.equal(e.retryable, true);
    assert.match(e.message, /no answer within 300 ms/);
  });
  assert.ok(Date.now() - t0 < 2000, 'gave up at the timeout');
  fake.misbehave.set('verify.json', 'html500');
  await rejectsWith(g.verify({ authority: start.authority, amountRials: 1_500_000 }), (e) => assert.equal(e.retryable, true));
  // Still not verified at the fake: once it answers again the payment verifies.
  fake.misbehave.clear();
  assert.equal((await g.verify({ authority: start.authority, amountRials: 1_500_000 })).status, 'paid');
  const closed = new ZarinpalGateway({ merchantId: MERCHANT, baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
  await rejectsWith(closed.request({ amountRials: 10_000, description: 'x', callbackUrl: 'http://x/cb', orderId: 'p' }), (e) => assert.equal(e.retryable, true));
});

test('inquiry maps the session states; unVerified lists paid sessions not yet verified, in Rials', async () => {
  const g = gateway({ currency: 'IRT' });
  const a = await request(g, 100_000);
  const b = await request(g, 200_000);
  assert.deepEqual(await g.inquire(a.authority), { status: 'in_bank', code: 100 });
  fake.pay(a.authority);
  assert.equal((await g.inquire(a.authority)).status, 'paid');
  const listed = await g.unverified();
  assert.deepEqual(listed, [{ authority: a.authority, amountRials: 100_000 }]);
  await g.verify({ authority: a.authority, amountRials: 100_000 });
  assert.equal((await g.inquire(a.authority)).status, 'verified');
  fake.pay(b.authority, false);
  assert.equal((await g.inquire(b.authority)).status, 'failed');
  assert.equal((await g.inquire('A000000000000000000000000000000000077')).status, 'unknown');
});
