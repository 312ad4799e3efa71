import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { CapturingEmail, CapturingSms, migratedDb, TestClock } from '../../../test/helpers.js';
import { DeliveryError, type SmsChannel } from '../../platform/notify/index.js';
import { enqueue, OutboxWorker, PermanentFailure, type ClaimedMessage } from '../../platform/outbox/index.js';
import { t } from '../../platform/i18n/messages.js';
import { messageHandlers } from './handlers.js';

let handle: Awaited<ReturnType<typeof migratedDb>>;

before(async () => {
  handle = await migratedDb();
});
after(async () => {
  await handle.drop();
});
beforeEach(async () => {
  await handle.db.deleteFrom('messages').execute();
  await handle.db.deleteFrom('outbox').execute();
});

function setup(opts: { redactSecrets?: boolean; sms?: SmsChannel } = {}) {
  const clock = new TestClock();
  const sms = new CapturingSms();
  const email = new CapturingEmail();
  const handlers = messageHandlers({ db: handle.db, sms: opts.sms ?? sms, email, clock, redactSecrets: opts.redactSecrets ?? false });
  return { clock, sms, email, handlers };
}

const messagesFor = (outboxId: string) => handle.db.selectFrom('messages').selectAll().where('outbox_id', '=', outboxId).execute();

const otpMessage = (id: string, code = '482913', locale?: 'fa' | 'en'): ClaimedMessage =>
  ({ id, topic: 'sms.otp', orgId: null, attempts: 0, payload: { to: '09121234567', code, scrub: true, ...(locale ? { locale } : {}) } });

test('sms.otp sends the code through the SMS channel and records one message', async () => {
  const { clock, sms, handlers } = setup();
  await handlers['sms.otp']!(otpMessage('ob-1'));
  assert.deepEqual(sms.sent, [{ to: '09121234567', code: '482913', localId: 'ob-1', otp: true }]);
  const rows = await messagesFor('ob-1');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.channel, 'sms');
  assert.equal(rows[0]!.recipient, '09121234567');
  assert.equal(rows[0]!.provider, 'capture');
  assert.equal(rows[0]!.created_at, clock.now());
  assert.equal(rows[0]!.body, t('fa', 'auth.otp_sms', { code: '482913' }));
  assert.ok(rows[0]!.body.includes('482913'), 'outside production the code is readable at /dev/outbox');
});

test('sms.otp delivered twice (at-least-once) sends once and records one message', async () => {
  const { sms, handlers } = setup();
  await handlers['sms.otp']!(otpMessage('ob-2'));
  await handlers['sms.otp']!({ ...otpMessage('ob-2'), attempts: 1 });
  assert.equal(sms.sent.length, 1);
  assert.equal((await messagesFor('ob-2')).length, 1);
});

test('sms.otp invoked twice at the same moment still records one message', async () => {
  const { handlers } = setup();
  await Promise.all([handlers['sms.otp']!(otpMessage('ob-3')), handlers['sms.otp']!(otpMessage('ob-3'))]);
  assert.equal((await messagesFor('ob-3')).length, 1);
});

test('with redactSecrets (production) the recorded body hides the code, while the citizen still gets it', async () => {
  const { sms, handlers } = setup({ redactSecrets: true });
  await handlers['sms.otp']!(otpMessage('ob-4', '135790'));
  assert.equal(sms.lastCodeFor('09121234567'), '135790');
  const [row] = await messagesFor('ob-4');
  assert.ok(!row!.body.includes('135790'), row!.body);
  assert.equal(row!.body, t('fa', 'auth.otp_sms', { code: '******' }));
});

test('the recorded OTP text follows the citizen’s language', async () => {
  const { handlers } = setup();
  await handlers['sms.otp']!(otpMessage('ob-5', '246802', 'en'));
  const [row] = await messagesFor('ob-5');
  assert.equal(row!.body, t('en', 'auth.otp_sms', { code: '246802' }));
});

test('a failed send records nothing, so the retry sends again', async () => {
  const sms = new CapturingSms();
  let fail = true;
  const flaky: SmsChannel = {
    name: 'flaky',
    send: async (m) => {
      if (fail) throw new DeliveryError('timeout', true);
      return sms.send(m);
    },
    sendOtp: (m) => sms.sendOtp(m),
  };
  const { handlers } = setup({ sms: flaky });
  const msg: ClaimedMessage = { id: 'ob-6', topic: 'sms.send', orgId: null, attempts: 0, payload: { to: '09111111111', text: 'درخواست شما ثبت شد' } };
  await assert.rejects(handlers['sms.send']!(msg), DeliveryError);
  assert.equal((await messagesFor('ob-6')).length, 0);
  fail = false;
  await handlers['sms.send']!(msg);
  assert.equal(sms.sent.length, 1);
  assert.equal((await messagesFor('ob-6')).length, 1);
});

test('a sign-in code that cannot be sent is not retried (it would arrive stale): the handler gives up for good', async () => {
  const flaky: SmsChannel = { name: 'flaky', send: async () => { throw new DeliveryError('timeout', true); }, sendOtp: async () => { throw new DeliveryError('timeout', true); } };
  const { handlers } = setup({ sms: flaky });
  await assert.rejects(handlers['sms.otp']!(otpMessage('ob-6b')), PermanentFailure);
  assert.equal((await messagesFor('ob-6b')).length, 0);
});

test('sms.send sends the text once and records it with the organization', async () => {
  const { sms, handlers } = setup();
  const msg: ClaimedMessage = { id: 'ob-7', topic: 'sms.send', orgId: 'org-sari', attempts: 0, payload: { to: '09111111111', text: 'درخواست شما ثبت شد' } };
  await handlers['sms.send']!(msg);
  await handlers['sms.send']!(msg);
  assert.deepEqual(sms.sent, [{ to: '09111111111', text: 'درخواست شما ثبت شد', localId: 'ob-7' }]);
  const rows = await messagesFor('ob-7');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.org_id, 'org-sari');
  assert.equal(rows[0]!.body, 'درخواست شما ثبت شد');
});

test('email.send goes through the email channel, once, with the outbox id as its local id', async () => {
  const { sms, email, handlers } = setup();
  const msg: ClaimedMessage = { id: 'ob-8', topic: 'email.send', orgId: 'org-babol', attempts: 0, payload: { to: 'citizen@example.ir', subject: 'رسید درخواست', text: 'متن', html: '<p>متن</p>' } };
  await handlers['email.send']!(msg);
  await handlers['email.send']!({ ...msg, attempts: 1 });
  assert.deepEqual(email.sent, [{ to: 'citizen@example.ir', subject: 'رسید درخواست', text: 'متن', html: '<p>متن</p>', localId: 'ob-8' }]);
  assert.equal(sms.sent.length, 0);
  const rows = await messagesFor('ob-8');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.channel, 'email');
  assert.equal(rows[0]!.recipient, 'citizen@example.ir');
  assert.equal(rows[0]!.subject, 'رسید درخواست');
  assert.equal(rows[0]!.org_id, 'org-babol');
});

test('through the outbox: an OTP is sent, recorded, and its code scrubbed from the outbox row', async () => {
  const { clock, sms, handlers } = setup({ redactSecrets: true });
  const id = await enqueue(handle.db, { topic: 'sms.otp', payload: { to: '09121234567', code: '918273', scrub: true } }, clock.now());
  const worker = new OutboxWorker(handle.db, handlers, { clock });
  assert.equal(await worker.runOnce(), 1);
  assert.equal(sms.lastCodeFor('09121234567'), '918273');
  const outbox = await handle.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(outbox.status, 'done');
  const stored = JSON.stringify([outbox, await messagesFor(id)]);
  assert.ok(!stored.includes('918273'), 'the code is nowhere in the database once sent');
});
