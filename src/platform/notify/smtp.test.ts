import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SmtpEmailChannel } from './smtp.js';
import { createEmailChannel, LocalEmailChannel } from './index.js';
import { DeliveryError } from './types.js';

const FROM = 'پیشخوان ساری <no-reply@sari.example>';

/** A real SMTP server on 127.0.0.1 that keeps every message it accepts (raw). */
async function fakeSmtp(t: { after: (fn: () => Promise<void>) => void }, options: Partial<SMTPServerOptions> = {}) {
  const messages: { rcpt: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ rcpt: session.envelope.rcptTo.map((a) => a.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${port}`, messages };
}

function channel(t: { after: (fn: () => Promise<void>) => void }, smtpUrl: string) {
  const ch = new SmtpEmailChannel({ smtpUrl, from: FROM, timeoutMs: 2000 });
  t.after(() => ch.close());
  return ch;
}

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DeliveryError, `expected DeliveryError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to fail');
}

function smtpReply(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

// --- a minimal MIME reader: enough to check what a mail client would show -------------------

function splitMessage(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' '); // unfold
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(at + 4) };
}

function decodeQp(text: string): Buffer {
  const bytes: number[] = [];
  const s = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (=?UTF-8?B?...?= / =?UTF-8?Q?...?=) to text. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_m, charset: string, enc: string, data: string) => {
      assert.match(charset, /^utf-8$/i);
      const buf = enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQp(data.replace(/_/g, ' '));
      return buf.toString('utf8');
    });
}

/** Decoded text of the first part of the given type, in a single-part or multipart message. */
function partText(raw: string, type: string): string | undefined {
  const { headers, body } = splitMessage(raw);
  const contentType = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      const found = partText(part.replace(/^\r\n/, ''), type);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!contentType.toLowerCase().startsWith(type)) return undefined;
  assert.match(contentType, /charset=utf-8/i);
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const buf = cte === 'base64' ? Buffer.from(body, 'base64') : cte === 'quoted-printable' ? decodeQp(body) : Buffer.from(body, 'utf8');
  return buf.toString('utf8').replace(/\r\n/g, '\n').trimEnd();
}

// --- tests --------------------------------------------------------------------------------

test('a Persian subject, text and HTML arrive intact, with the outbox id as Message-ID and X-Pishkhan-Id', async (t) => {
  const smtp = await fakeSmtp(t);
  const subject = 'درخواست پروانهٔ ساختمانی شما ثبت شد — کد رهگیری ۱۴۰۳۰۰۱۲';
  const text = 'شهروند گرامی،\nدرخواست شما در شهرداری ساری ثبت شد و کارشناس ظرف ۲ روز کاری آن را بررسی می‌کند.\nبا سپاس، پیشخوان';
  const html = '<p dir="rtl">درخواست شما ثبت شد.</p>';

  const result = await channel(t, smtp.url).send({ to: 'citizen@example.ir', subject, text, html, localId: '01J9Z outbox/42' });

  assert.equal(smtp.messages.length, 1);
  const raw = smtp.messages[0]!.raw;
  const { headers } = splitMessage(raw);
  assert.deepEqual(smtp.messages[0]!.rcpt, ['citizen@example.ir']);
  assert.equal(decodeWords(headers.get('subject') ?? ''), subject);
  assert.match(decodeWords(headers.get('from') ?? ''), /^"?پیشخوان ساری"? <no-reply@sari\.example>$/);
  assert.equal(headers.get('x-pishkhan-id'), '01J9Z outbox/42');
  assert.equal(headers.get('message-id'), '<01J9Z_outbox_42.pishkhan@sari.example>');
  assert.equal(partText(raw, 'text/plain'), text);
  assert.equal(partText(raw, 'text/html'), html);
  assert.deepEqual(result, { provider: 'smtp', providerRef: '<01J9Z_outbox_42.pishkhan@sari.example>' });
});

test('a recipient refused with 550 is a non-retryable DeliveryError', async (t) => {
  const smtp = await fakeSmtp(t, {
    onRcptTo(_address, _session, callback) {
      callback(smtpReply(550, 'No such user here'));
    },
  });
  const err = await rejection(channel(t, smtp.url).send({ to: 'nobody@example.ir', subject: 's', text: 't' }));
  assert.equal(err.retryable, false);
  assert.equal(err.providerStatus, 550);
  assert.match(err.message, /No such user/);
  assert.equal(smtp.messages.length, 0);
});

test('a temporary refusal (451) is retryable', async (t) => {
  const smtp = await fakeSmtp(t, {
    onRcptTo(_address, _session, callback) {
      callback(smtpReply(451, 'Try again later'));
    },
  });
  const err = await rejection(channel(t, smtp.url).send({ to: 'busy@example.ir', subject: 's', text: 't' }));
  assert.equal(err.retryable, true);
  assert.equal(err.providerStatus, 451);
});

test('a server that is down is a retryable DeliveryError', async (t) => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  const err = await rejection(channel(t, `smtp://user:s3cret-pass@127.0.0.1:${port}`).send({ to: 'a@example.ir', subject: 's', text: 't' }));
  assert.equal(err.retryable, true);
  assert.ok(!err.message.includes('s3cret-pass'), err.message);
});

test('createEmailChannel without an SMTP URL records only (local mode)', async () => {
  const ch = createEmailChannel({ from: FROM });
  assert.ok(ch instanceof LocalEmailChannel);
  assert.deepEqual(await ch.send({ to: 'a@example.ir', subject: 's', text: 't' }), { provider: 'local', providerRef: null });
  await ch.close();
});
