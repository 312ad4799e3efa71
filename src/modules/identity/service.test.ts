// Behaviour of the identity service on a real database: citizen sign-in with SMS codes (the
// OTP policy), the first-sign-in profile and the audit entries they write.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainOutbox, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/core/index.js';
import { OTP_POLICY, type ClientInfo } from './service.js';

let t: TestApp;
before(async () => { t = await makeTestApp(); });
after(async () => { await t?.close(); });

const identity = () => t.deps.services.identity;

// Every test uses its own address and numbers, so the per-address and per-number limits of
// one test do not touch another.
let seq = 0;
const freshIp = () => `10.1.${++seq}.1`;
const client = (ip = freshIp(), locale: 'fa' | 'en' = 'fa'): ClientInfo => ({ ip, userAgent: 'node-test', locale });
const mobile = (n: number) => `0912${String(n).padStart(7, '0')}`;
const otherCode = (code: string) => String((Number(code) + 1) % 10 ** OTP_POLICY.digits).padStart(OTP_POLICY.digits, '0');

/** Asserts that the promise rejects with the given AppError code and status; returns the error. */
async function rejectsWith(p: Promise<unknown>, code: string, status: number): Promise<AppError> {
  let caught: unknown;
  await assert.rejects(p, (err) => { caught = err; return true; });
  assert.ok(caught instanceof AppError, `expected an AppError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.status, status);
  return caught;
}

/** Requests a code for the number and delivers the SMS; returns the code the citizen received. */
async function codeFor(number: string, c: ClientInfo = client()): Promise<string> {
  const r = await identity().requestOtp({ mobile: number }, c);
  await drainOutbox(t);
  const code = t.sms.lastCodeFor(r.mobile);
  assert.ok(code, `no SMS for ${r.mobile}`);
  return code;
}

async function signIn(number: string) {
  const c = client();
  const code = await codeFor(number, c);
  return identity().verifyOtp({ mobile: number, code }, c);
}

const citizenActor = (id: string): Actor => ({ kind: 'citizen', id, ip: '10.0.0.1' });

// ---------- mobile numbers ----------

test('every usual spelling of a mobile number reaches the same citizen account', async () => {
  // Five spellings: the number may ask for 5 codes an hour.
  const spellings = ['۰۹۱۲ ۳۰۰ ۰۰۰۱', '+98 912 300 0001', '0098 912 300 0001', '+98 (0912) 300-0001', '٠٩١٢٣٠٠٠٠٠١'];
  const ids = new Set<string>();
  let first = true;
  for (const spelling of spellings) {
    const c = client();
    const requested = await identity().requestOtp({ mobile: spelling }, c);
    assert.equal(requested.mobile, '09123000001', spelling);
    await drainOutbox(t);
    const code = t.sms.lastCodeFor('09123000001')!;
    const r = await identity().verifyOtp({ mobile: spelling, code }, c);
    assert.equal(r.citizen.mobile, '09123000001');
    assert.equal(r.isNew, first, `isNew for ${spelling}`);
    first = false;
    ids.add(r.citizen.id);
  }
  assert.equal(ids.size, 1);
  const rows = await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', '09123000001').execute();
  assert.equal(rows.length, 1);
});

test('a number that is not an Iranian mobile is refused with a field error on mobile, and nothing is sent', async () => {
  const before = await t.deps.db.selectFrom('otp_challenges').select('id').execute();
  for (const bad of ['', '12345', '0212 345 6789', '+1 912 123 4567', '09121234567890', 'abc', '0912-123-456x']) {
    const err = await rejectsWith(identity().requestOtp({ mobile: bad }, client()), 'common.invalid_input', 400);
    assert.deepEqual(err.fields, { mobile: 'auth.mobile_invalid' }, JSON.stringify(bad));
  }
  const afterRows = await t.deps.db.selectFrom('otp_challenges').select('id').execute();
  assert.equal(afterRows.length, before.length);
});

// ---------- the code ----------

test('the code is stored only as a keyed hash and the outbox forgets it once the SMS is delivered', async () => {
  const number = mobile(101);
  const sentBefore = t.sms.sent.length;
  await identity().requestOtp({ mobile: number }, client());
  assert.equal(t.sms.sent.length, sentBefore, 'nothing is sent before the outbox is delivered');
  const pending = await t.deps.db.selectFrom('outbox').selectAll().where('topic', '=', 'sms.otp').where('status', '=', 'pending').execute();
  const mine = pending.filter((r) => r.payload.includes(number));
  assert.equal(mine.length, 1, 'the SMS is queued in the outbox');

  await drainOutbox(t);
  const code = t.sms.lastCodeFor(number);
  assert.match(code ?? '', /^\d{6}$/);

  const challenge = await t.deps.db.selectFrom('otp_challenges').selectAll().where('mobile', '=', number).executeTakeFirstOrThrow();
  for (const [column, value] of Object.entries(challenge)) {
    assert.ok(!String(value).includes(code!), `otp_challenges.${column} must not contain the code`);
  }
  assert.match(challenge.code_hash, /^[0-9a-f]{64}$/);

  const delivered = await t.deps.db.selectFrom('outbox').selectAll().where('id', '=', mine[0]!.id).executeTakeFirstOrThrow();
  assert.equal(delivered.status, 'done');
  assert.ok(!delivered.payload.includes(code!), 'the delivered outbox row no longer holds the code');
  assert.ok(!delivered.payload.includes(number), 'nor the number');
});

test('a code works until 2 minutes have passed, and not after', async () => {
  const early = mobile(111);
  const c1 = client();
  const code1 = await codeFor(early, c1);
  t.clock.advance(OTP_POLICY.ttlMs - 1);
  const ok = await identity().verifyOtp({ mobile: early, code: code1 }, c1);
  assert.equal(ok.citizen.mobile, early);

  const late = mobile(112);
  const c2 = client();
  const code2 = await codeFor(late, c2);
  t.clock.advance(2 * 60_000);
  const err = await rejectsWith(identity().verifyOtp({ mobile: late, code: code2 }, c2), 'auth.otp_expired', 400);
  assert.equal(err.fields.code, 'auth.otp_expired');
  assert.equal(await identity().citizen(late), null);
  assert.equal(await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', late).executeTakeFirst(), undefined);
});

test('wrong codes are counted; after 5 the challenge is dead even for the right code', async () => {
  const number = mobile(121);
  const c = client();
  const code = await codeFor(number, c);
  for (let i = 1; i <= OTP_POLICY.maxAttempts; i++) {
    await rejectsWith(identity().verifyOtp({ mobile: number, code: otherCode(code) }, c), 'auth.code_invalid', 400);
    const row = await t.deps.db.selectFrom('otp_challenges').select('attempts').where('mobile', '=', number).executeTakeFirstOrThrow();
    assert.equal(Number(row.attempts), i);
  }
  await rejectsWith(identity().verifyOtp({ mobile: number, code }, c), 'auth.otp_attempts', 429);
  assert.equal(await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', number).executeTakeFirst(), undefined);
});

test('four wrong codes still leave the fifth try for the right one', async () => {
  const number = mobile(122);
  const c = client();
  const code = await codeFor(number, c);
  for (let i = 0; i < OTP_POLICY.maxAttempts - 1; i++) {
    await rejectsWith(identity().verifyOtp({ mobile: number, code: otherCode(code) }, c), 'auth.code_invalid', 400);
  }
  const r = await identity().verifyOtp({ mobile: number, code }, c);
  assert.equal(r.citizen.mobile, number);
});

test('a code typed with Persian digits and spaces is accepted; a malformed one is not counted', async () => {
  const number = mobile(123);
  const c = client();
  const code = await codeFor(number, c);
  await rejectsWith(identity().verifyOtp({ mobile: number, code: '12a456' }, c), 'auth.code_format', 400);
  await rejectsWith(identity().verifyOtp({ mobile: number, code: '123' }, c), 'auth.code_format', 400);
  const row = await t.deps.db.selectFrom('otp_challenges').select('attempts').where('mobile', '=', number).executeTakeFirstOrThrow();
  assert.equal(Number(row.attempts), 0);
  const persian = code.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
  const r = await identity().verifyOtp({ mobile: number, code: `${persian.slice(0, 3)} ${persian.slice(3)}` }, c);
  assert.equal(r.citizen.mobile, number);
});

test('a code signs in once only', async () => {
  const number = mobile(131);
  const c = client();
  const code = await codeFor(number, c);
  const first = await identity().verifyOtp({ mobile: number, code }, c);
  assert.ok(first.session.token);
  await assert.rejects(identity().verifyOtp({ mobile: number, code }, c), (err) => err instanceof AppError && err.status >= 400 && err.status < 500);
  const sessions = await t.deps.db.selectFrom('sessions').select('id').where('subject_id', '=', first.citizen.id).execute();
  assert.equal(sessions.length, 1);
});

test('two simultaneous verifications of one code open exactly one session', async () => {
  const number = mobile(132);
  const c = client();
  const code = await codeFor(number, c);
  const results = await Promise.allSettled([
    identity().verifyOtp({ mobile: number, code }, c),
    identity().verifyOtp({ mobile: number, code }, c),
    identity().verifyOtp({ mobile: number, code }, c),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof AppError && r.reason.status < 500, String(r.reason));
  const citizens = await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', number).execute();
  assert.equal(citizens.length, 1);
  const sessions = await t.deps.db.selectFrom('sessions').select('id').where('subject_id', '=', citizens[0]!.id).execute();
  assert.equal(sessions.length, 1);
});

test('after a new code is sent only the newest code works, before and after it is used', async () => {
  const number = mobile(141);
  const c = client();
  const oldCode = await codeFor(number, c);
  t.clock.advance(OTP_POLICY.resendAfterMs);
  const newCode = await codeFor(number, c);
  if (newCode !== oldCode) {
    await rejectsWith(identity().verifyOtp({ mobile: number, code: oldCode }, c), 'auth.code_invalid', 400);
  }
  const r = await identity().verifyOtp({ mobile: number, code: newCode }, c);
  assert.equal(r.citizen.mobile, number);
  // The older code is still within its 2 minutes, but a newer one replaced it.
  await assert.rejects(identity().verifyOtp({ mobile: number, code: oldCode }, c), (err) => err instanceof AppError && err.status >= 400 && err.status < 500);
  const sessions = await t.deps.db.selectFrom('sessions').select('id').where('subject_id', '=', r.citizen.id).execute();
  assert.equal(sessions.length, 1);
});

// ---------- limits ----------

test('a second code within 60 seconds is refused with the seconds left to wait', async () => {
  const number = mobile(151);
  const c = client();
  await identity().requestOtp({ mobile: number }, c);
  t.clock.advance(20_000);
  const err = await rejectsWith(identity().requestOtp({ mobile: '+98 ' + number.slice(1) }, c), 'auth.otp_resend_wait', 429);
  assert.equal(err.params.seconds, 40);
  t.clock.advance(40_000);
  const again = await identity().requestOtp({ mobile: number }, c);
  assert.equal(again.mobile, number);
});

test('a number gets at most 5 codes an hour, whatever the address', async () => {
  const number = mobile(161);
  const start = t.clock.now();
  for (let i = 0; i < OTP_POLICY.perMobile.max; i++) {
    await identity().requestOtp({ mobile: number }, client());
    t.clock.advance(OTP_POLICY.resendAfterMs + 1_000);
  }
  const err = await rejectsWith(identity().requestOtp({ mobile: number }, client()), 'auth.otp_rate_mobile', 429);
  const waitMs = start + OTP_POLICY.perMobile.windowMs - t.clock.now();
  assert.equal(err.params.seconds, Math.ceil(waitMs / 1000));
  // Another number from the same kind of client is not affected.
  await identity().requestOtp({ mobile: mobile(162) }, client());
  // Once the oldest code leaves the hour window, the number may ask again.
  t.clock.advance(waitMs);
  const r = await identity().requestOtp({ mobile: number }, client());
  assert.equal(r.mobile, number);
});

test('an address gets at most 30 codes an hour, whatever the numbers', async () => {
  const ip = freshIp();
  for (let i = 0; i < OTP_POLICY.perIp.max; i++) {
    await identity().requestOtp({ mobile: mobile(2000 + i) }, client(ip));
  }
  const err = await rejectsWith(identity().requestOtp({ mobile: mobile(2100) }, client(ip)), 'auth.otp_rate_ip', 429);
  assert.ok(Number(err.params.seconds) > 0);
  // The same number from another address is served.
  const other = await identity().requestOtp({ mobile: mobile(2100) }, client());
  assert.equal(other.mobile, mobile(2100));
  t.clock.advance(OTP_POLICY.perIp.windowMs);
  const later = await identity().requestOtp({ mobile: mobile(2101) }, client(ip));
  assert.equal(later.mobile, mobile(2101));
});

// ---------- profile ----------

test('a valid profile is saved normalized: Persian letters and digits, optional email', async () => {
  const { citizen } = await signIn(mobile(301));
  assert.equal(citizen.profile_complete, false);
  const saved = await identity().updateProfile(citizenActor(citizen.id), {
    national_code: '۰۰۱۳۵۴۲۴۱۹', first_name: '  علي  ', last_name: 'كاظمي‌نيا', email: '',
  });
  assert.equal(saved.national_code, '0013542419');
  assert.equal(saved.first_name, 'علی');
  assert.equal(saved.last_name, 'کاظمی‌نیا');
  assert.equal(saved.email, null);
  assert.equal(saved.profile_complete, true);
  const stored = await identity().citizen(citizen.id);
  assert.deepEqual(stored, saved);
  // Without an email at all it is saved too; with one it is kept.
  const withEmail = await identity().updateProfile(citizenActor(citizen.id), { national_code: '0013542419', first_name: 'علی', last_name: 'کاظمی', email: 'ali@example.ir' });
  assert.equal(withEmail.email, 'ali@example.ir');
  const withoutEmail = await identity().updateProfile(citizenActor(citizen.id), { national_code: '0013542419', first_name: 'علی', last_name: 'کاظمی' });
  assert.equal(withoutEmail.email, null);
});

test('a national code with a wrong check digit is refused on national_code and nothing is saved', async () => {
  const { citizen } = await signIn(mobile(302));
  const actor = citizenActor(citizen.id);
  for (const bad of ['0013542418', '1111111111', '12345', 'abcdefghij']) {
    const err = await rejectsWith(identity().updateProfile(actor, { national_code: bad, first_name: 'مریم', last_name: 'رضایی' }), 'common.invalid_input', 400);
    assert.deepEqual(err.fields, { national_code: 'profile.national_code_invalid' }, bad);
  }
  const missing = await rejectsWith(identity().updateProfile(actor, { national_code: '', first_name: '', last_name: 'رضایی', email: 'nope' }), 'common.invalid_input', 400);
  assert.deepEqual(missing.fields, { national_code: 'common.required', first_name: 'common.required', email: 'profile.email_invalid' });
  const stored = await identity().citizen(citizen.id);
  assert.equal(stored?.national_code, null);
  assert.equal(stored?.last_name, null);
});

test('an invalid email or name is refused on its field', async () => {
  const { citizen } = await signIn(mobile(303));
  const actor = citizenActor(citizen.id);
  for (const email of ['not-an-email', 'a@b', 'a b@example.ir', `${'x'.repeat(200)}@example.ir`]) {
    const err = await rejectsWith(identity().updateProfile(actor, { national_code: '0084575948', first_name: 'سارا', last_name: 'احمدی', email }), 'common.invalid_input', 400);
    assert.deepEqual(err.fields, { email: 'profile.email_invalid' }, email);
  }
  const badName = await rejectsWith(identity().updateProfile(actor, { national_code: '0084575948', first_name: '<script>', last_name: 'x'.repeat(61) }), 'common.invalid_input', 400);
  assert.deepEqual(badName.fields, { first_name: 'profile.name_invalid', last_name: 'common.too_long' });
  assert.equal((await identity().citizen(citizen.id))?.national_code, null);
});

test('a national code already held by another citizen is refused on national_code', async () => {
  const a = await signIn(mobile(304));
  const b = await signIn(mobile(305));
  await identity().updateProfile(citizenActor(a.citizen.id), { national_code: '0499370899', first_name: 'رضا', last_name: 'محمدی' });
  // Written with Persian digits, it is still the same code.
  const err = await rejectsWith(identity().updateProfile(citizenActor(b.citizen.id), { national_code: '۰۴۹۹۳۷۰۸۹۹', first_name: 'حسن', last_name: 'کریمی' }), 'common.invalid_input', 400);
  assert.deepEqual(err.fields, { national_code: 'profile.national_code_taken' });
  const stillEmpty = await identity().citizen(b.citizen.id);
  assert.equal(stillEmpty?.national_code, null);
  assert.equal(stillEmpty?.first_name, null);
  // The holder may save their own code again.
  const again = await identity().updateProfile(citizenActor(a.citizen.id), { national_code: '0499370899', first_name: 'رضا', last_name: 'محمدی', email: 'reza@example.ir' });
  assert.equal(again.email, 'reza@example.ir');
});

test('only a signed-in citizen may change a profile', async () => {
  await rejectsWith(identity().updateProfile({ kind: 'anonymous', id: null }, { national_code: '0013542419', first_name: 'علی', last_name: 'کاظمی' }), 'auth.required', 401);
  await rejectsWith(identity().updateProfile({ kind: 'staff', id: 'x', memberships: [] }, { national_code: '0013542419', first_name: 'علی', last_name: 'کاظمی' }), 'auth.required', 401);
});

// ---------- audit ----------

test('registration, each sign-in and each profile change are in the audit log', async () => {
  const number = mobile(401);
  const first = await signIn(number);
  t.clock.advance(OTP_POLICY.resendAfterMs);
  const second = await signIn(number);
  assert.equal(second.isNew, false);
  assert.equal(second.citizen.id, first.citizen.id);
  await identity().updateProfile(citizenActor(first.citizen.id), { national_code: '0067749828', first_name: 'زهرا', last_name: 'حسینی' });
  // A refused change writes nothing.
  await assert.rejects(identity().updateProfile(citizenActor(first.citizen.id), { national_code: '0067749827', first_name: 'زهرا', last_name: 'حسینی' }));

  const rows = await t.deps.db.selectFrom('audit_log').selectAll().where('entity_id', '=', first.citizen.id).orderBy('seq').execute();
  const actions = rows.map((r) => r.action);
  assert.deepEqual(actions, ['citizen.registered', 'citizen.signed_in', 'citizen.signed_in', 'citizen.profile_updated']);
  for (const r of rows) {
    assert.equal(r.actor_kind, 'citizen');
    assert.equal(r.actor_id, first.citizen.id);
    assert.equal(r.entity, 'citizen');
  }
  const changed = JSON.parse(rows[3]!.data) as { changed: string[] };
  assert.deepEqual([...changed.changed].sort(), ['first_name', 'last_name', 'national_code']);
});
