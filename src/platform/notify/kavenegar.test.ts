import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KavenegarSmsChannel, isRetryableKavenegarStatus } from './kavenegar.js';
import { createSmsChannel, LocalSmsChannel } from './index.js';
import { DeliveryError } from './types.js';

const API_KEY = '4A6B-SECRET-KEY-7C3D';

interface Received {
  method: string;
  path: string;
  contentType: string;
  params: Record<string, string>;
}

type Reply = (req: Received, res: ServerResponse) => void;

/** A local stand-in for api.kavenegar.com: checks the key in the path, parses the form, answers like Kavenegar. */
async function fakeKavenegar(t: { after: (fn: () => Promise<void>) => void }, reply: Reply) {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
      };
      received.push(r);
      const match = /^\/v1\/([^/]+)\/(sms\/send|verify\/lookup)\.json$/.exec(r.path);
      if (!match) return answer(res, 404, 'متد نامشخص است');
      if (decodeURIComponent(match[1] ?? '') !== API_KEY) return answer(res, 403, 'کد شناسائی API-Key معتبر نمی‌باشد');
      reply(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, received };
}

function answer(res: ServerResponse, status: number, message: string, entries: unknown = null): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ return: { status, message }, entries }));
}

function sentEntry(r: Received, messageid: number) {
  return { messageid, message: r.params.message ?? '', status: 1, statustext: 'در صف ارسال', sender: r.params.sender ?? '10004346', receptor: r.params.receptor, date: 1356619709, cost: 120 };
}

function channel(baseUrl: string, timeoutMs = 2000, apiKey = API_KEY) {
  return new KavenegarSmsChannel({ apiKey, sender: '10004346', otpTemplate: 'pishkhan-otp', baseUrl, timeoutMs });
}

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DeliveryError, `expected DeliveryError, got ${String(err)}`);
    assert.ok(!err.message.includes(API_KEY), `error message leaks the API key: ${err.message}`);
    return err;
  }
  assert.fail('expected the send to fail');
}

test('send posts a form to sms/send and returns the messageid as providerRef', async (t) => {
  const fake = await fakeKavenegar(t, (r, res) => answer(res, 200, 'تایید شد', [sentEntry(r, 8792343)]));
  const result = await channel(fake.baseUrl).send({ to: '09123456789', text: 'hello', localId: 'outbox-42' });

  assert.deepEqual(result, { provider: 'kavenegar', providerRef: '8792343' });
  assert.equal(fake.received.length, 1);
  const r = fake.received[0]!;
  assert.equal(r.method, 'POST');
  assert.equal(r.path, `/v1/${API_KEY}/sms/send.json`);
  assert.match(r.contentType, /^application\/x-www-form-urlencoded/);
  assert.deepEqual(r.params, { receptor: '09123456789', message: 'hello', sender: '10004346', localid: 'outbox-42' });
});

test('Persian text arrives intact (UTF-8), including ZWNJ and Persian digits', async (t) => {
  const text = 'درخواست شما با کد رهگیری ۱۴۰۳-۰۰۱۲ ثبت شد. می‌توانید وضعیت را در پیشخوان ببینید.';
  const fake = await fakeKavenegar(t, (r, res) => answer(res, 200, 'تایید شد', [sentEntry(r, 1)]));
  await channel(fake.baseUrl).send({ to: '09123456789', text });
  assert.equal(fake.received[0]?.params.message, text);
});

test('sendOtp calls verify/lookup with receptor, token and template', async (t) => {
  // The SDK README shows lookup entries as a single object; accept that as well as an array.
  const fake = await fakeKavenegar(t, (r, res) => answer(res, 200, 'تایید شد', { ...sentEntry(r, 555), status: 5 }));
  const result = await channel(fake.baseUrl).sendOtp({ to: '09361234567', code: '852596', localId: 'outbox-7' });

  assert.deepEqual(result, { provider: 'kavenegar', providerRef: '555' });
  const r = fake.received[0]!;
  assert.equal(r.path, `/v1/${API_KEY}/verify/lookup.json`);
  assert.deepEqual(r.params, { receptor: '09361234567', token: '852596', template: 'pishkhan-otp' });
});

test('status 411 (invalid receptor) is a non-retryable DeliveryError', async (t) => {
  const fake = await fakeKavenegar(t, (_r, res) => answer(res, 411, 'دریافت کننده نامعتبر است'));
  const err = await rejection(channel(fake.baseUrl).send({ to: '09000000000', text: 'x' }));
  assert.equal(err.retryable, false);
  assert.equal(err.providerStatus, 411);
  assert.match(err.message, /411/);
});

test('a wrong API key (403) is non-retryable and the key is not in the error', async (t) => {
  const fake = await fakeKavenegar(t, () => assert.fail('the fake answers 403 before this'));
  const err = await rejection(channel(fake.baseUrl, 2000, 'WRONG-KEY').send({ to: '09123456789', text: 'x' }));
  assert.equal(err.retryable, false);
  assert.equal(err.providerStatus, 403);
  assert.ok(!err.message.includes('WRONG-KEY'));
});

test('a missing OTP template (424) is non-retryable', async (t) => {
  const fake = await fakeKavenegar(t, (_r, res) => answer(res, 424, 'الگوی مورد نظر پیدا نشد'));
  const err = await rejection(channel(fake.baseUrl).sendOtp({ to: '09123456789', code: '1234' }));
  assert.equal(err.retryable, false);
  assert.equal(err.providerStatus, 424);
});

test('insufficient credit (418) is retryable: the messages wait until the account is topped up', async (t) => {
  const fake = await fakeKavenegar(t, (_r, res) => answer(res, 418, 'اعتبار حساب شما کافی نیست'));
  const err = await rejection(channel(fake.baseUrl).send({ to: '09123456789', text: 'x' }));
  assert.equal(err.retryable, true);
  assert.equal(err.providerStatus, 418);
});

test('a 5xx answer without Kavenegar JSON is retryable', async (t) => {
  const fake = await fakeKavenegar(t, (_r, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html>Bad Gateway</html>');
  });
  const err = await rejection(channel(fake.baseUrl).send({ to: '09123456789', text: 'x' }));
  assert.equal(err.retryable, true);
  assert.equal(err.providerStatus, 502);
});

test('a hanging server times out as a retryable DeliveryError', async (t) => {
  const fake = await fakeKavenegar(t, () => {
    /* never answers */
  });
  const started = Date.now();
  const err = await rejection(channel(fake.baseUrl, 200).send({ to: '09123456789', text: 'x' }));
  assert.equal(err.retryable, true);
  assert.match(err.message, /200 ms/);
  assert.ok(Date.now() - started < 2000, 'the timeout option was not applied');
});

test('a refused connection is retryable and does not leak the key', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  const err = await rejection(channel(`http://127.0.0.1:${port}`).send({ to: '09123456789', text: 'x' }));
  assert.equal(err.retryable, true);
  assert.match(err.message, /network error/);
});

test('a receptor that is not 09XXXXXXXXX is refused before any request', async (t) => {
  const fake = await fakeKavenegar(t, () => assert.fail('no request expected'));
  const err = await rejection(channel(fake.baseUrl).send({ to: '+989123456789', text: 'x' }));
  assert.equal(err.retryable, false);
  assert.equal(fake.received.length, 0);
});

test('status classification follows the documented codes', () => {
  for (const s of [400, 401, 403, 404, 405, 406, 407, 411, 412, 413, 414, 417, 419, 422, 424, 426, 428, 431, 432, 501, 607]) {
    assert.equal(isRetryableKavenegarStatus(s), false, `status ${s}`);
  }
  for (const s of [402, 409, 418, 429, 451, 500, 502, 503, 504]) {
    assert.equal(isRetryableKavenegarStatus(s), true, `status ${s}`);
  }
});

test('createSmsChannel: local records only; kavenegar without its options stops start-up', async () => {
  const local = createSmsChannel({ provider: 'local' });
  assert.ok(local instanceof LocalSmsChannel);
  assert.deepEqual(await local.sendOtp({ to: '09123456789', code: '1234' }), { provider: 'local', providerRef: null });
  assert.throws(() => createSmsChannel({ provider: 'kavenegar' }), /needs its options/);
  assert.ok(createSmsChannel({ provider: 'kavenegar', kavenegar: { apiKey: API_KEY, otpTemplate: 'x' } }) instanceof KavenegarSmsChannel);
});
