// Brute force: SMS codes (attempts per code, codes per number and per address, expiry, a used or
// replaced code is dead), staff passwords (lockout per account that even the right password does
// not pass, a limit per address across accounts, the same answer for an unknown user and a wrong
// password), and API keys and session tokens (wrong ones all answer the same 401, whether or not
// their prefix names a real key). No timing is asserted: an unknown user is checked against a
// real hash in the service (see identity/service.ts), which a test cannot prove without timing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainOutbox, makeOrg, makeStaff, makeTestApp, type TestApp } from '../helpers.js';
import { OTP_POLICY, STAFF_POLICY } from '../../src/modules/identity/service.js';

let t: TestApp;
let orgId = '';
before(async () => {
  t = await makeTestApp();
  orgId = await makeOrg(t, 'sari');
});
after(async () => t?.close());

let ipSerial = 0;
const freshIp = () => `10.77.${Math.floor(++ipSerial / 250)}.${(ipSerial % 250) + 1}`;
const otp = (mobile: string, ip: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', remoteAddress: ip, payload: { mobile } });
const verify = (mobile: string, code: string, ip: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/otp/verify', remoteAddress: ip, payload: { mobile, code } });
const codeOf = async (mobile: string) => { await drainOutbox(t); return t.sms.lastCodeFor(mobile)!; };
const wrong = (code: string, n = 1) => String((Number(code) + n) % 10 ** OTP_POLICY.digits).padStart(OTP_POLICY.digits, '0');
const errCode = (r: { body: string }) => (JSON.parse(r.body) as { error?: { code?: string } }).error?.code;

test(`an SMS code takes ${OTP_POLICY.maxAttempts} wrong guesses, then even the right code is refused`, async () => {
  const ip = freshIp();
  const mobile = '09123330001';
  assert.equal((await otp(mobile, ip)).statusCode, 202);
  const code = await codeOf(mobile);
  for (let i = 1; i <= OTP_POLICY.maxAttempts; i++) assert.equal((await verify(mobile, wrong(code, i), ip)).statusCode, 400);
  const right = await verify(mobile, code, ip);
  assert.equal(right.statusCode, 429);
  assert.equal(errCode(right), 'auth.otp_attempts');
});

test('a code expires, is used once, and dies when a new one is sent', async () => {
  const ip = freshIp();
  const mobile = '09123330002';
  await otp(mobile, ip);
  const first = await codeOf(mobile);
  t.clock.advance(OTP_POLICY.ttlMs + 1);
  assert.equal(errCode(await verify(mobile, first, ip)), 'auth.otp_expired');

  await otp(mobile, ip);
  const second = await codeOf(mobile);
  t.clock.advance(OTP_POLICY.resendAfterMs);
  await otp(mobile, ip);
  const third = await codeOf(mobile);
  if (second !== third) assert.notEqual((await verify(mobile, second, ip)).statusCode, 200, 'a replaced code is dead');
  assert.equal((await verify(mobile, third, ip)).statusCode, 200);
  assert.equal(errCode(await verify(mobile, third, ip)), 'auth.otp_expired', 'a used code cannot be used again');
});

test(`codes are limited per number (${OTP_POLICY.perMobile.max} an hour) and per address (${OTP_POLICY.perIp.max} an hour), whatever the other`, async () => {
  const mobile = '09123330003';
  for (let i = 0; i < OTP_POLICY.perMobile.max; i++) {
    assert.equal((await otp(mobile, freshIp())).statusCode, 202, `request ${i + 1}`);
    t.clock.advance(OTP_POLICY.resendAfterMs);
  }
  const over = await otp(mobile, freshIp());
  assert.equal(over.statusCode, 429);
  assert.equal(errCode(over), 'auth.otp_rate_mobile');
  t.clock.advance(OTP_POLICY.perMobile.windowMs);
  assert.equal((await otp(mobile, freshIp())).statusCode, 202, 'served again after the window');

  const ip = freshIp();
  const seen: number[] = [];
  for (let i = 0; i <= OTP_POLICY.perIp.max; i++) seen.push((await otp(`0912444${String(1000 + i).slice(-4)}`, ip)).statusCode);
  assert.deepEqual(seen.slice(0, OTP_POLICY.perIp.max), Array(OTP_POLICY.perIp.max).fill(202));
  assert.equal(seen[OTP_POLICY.perIp.max], 429, 'one address cannot ask codes for numbers without end');
});

test(`staff: ${STAFF_POLICY.maxFailures} wrong passwords lock the account, even against the right password, until the lock ends`, async () => {
  const { password } = await makeStaff(t, 'brute.clerk', [{ orgId, role: 'clerk' }]);
  const signIn = (pw: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', remoteAddress: freshIp(), payload: { username: 'brute.clerk', password: pw } });
  for (let i = 0; i < STAFF_POLICY.maxFailures; i++) assert.equal((await signIn(`wrong-${i}`)).statusCode, 401);
  const locked = await signIn(password);
  assert.equal(locked.statusCode, 401, 'the right password does not pass the lock');
  assert.equal(errCode(locked), 'auth.bad_credentials');
  t.clock.advance(STAFF_POLICY.lockMs + 1);
  assert.equal((await signIn(password)).statusCode, 200);
});

test('staff: a locked account answers exactly as an unknown user does (the lock tells no one the account exists)', async () => {
  const { password } = await makeStaff(t, 'brute.lockme', [{ orgId, role: 'clerk' }]);
  const norm = (r: { statusCode: number; body: string; headers: Record<string, unknown> }) => {
    const e = (JSON.parse(r.body) as { error: Record<string, unknown> }).error;
    delete e.request_id;
    return { status: r.statusCode, retryAfter: r.headers['retry-after'], ...e };
  };
  const signIn = (username: string, pw: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', remoteAddress: freshIp(), payload: { username, password: pw } });
  for (let i = 0; i < STAFF_POLICY.maxFailures; i++) {
    await signIn('brute.lockme', `wrong-${i}`);
    await signIn('brute.nobody-locked', `wrong-${i}`);
  }
  const known = norm(await signIn('brute.lockme', password));
  const unknown = norm(await signIn('brute.nobody-locked', password));
  assert.deepEqual(known, unknown);
  assert.equal(known.status, 401);
});

test('staff: an unknown user and a wrong password get the same answer (status, code, message, fields)', async () => {
  await makeStaff(t, 'brute.known', [{ orgId, role: 'clerk' }]);
  const ip = freshIp();
  const norm = (r: { statusCode: number; body: string }) => {
    const e = (JSON.parse(r.body) as { error: Record<string, unknown> }).error;
    delete e.request_id;
    return { status: r.statusCode, ...e };
  };
  const known = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', remoteAddress: ip, payload: { username: 'brute.known', password: 'not-the-password' } });
  const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', remoteAddress: ip, payload: { username: 'brute.nobody', password: 'not-the-password' } });
  assert.deepEqual(norm(unknown), norm(known));
  // The page form too: same status, and the same error text.
  const page = async (username: string) => {
    const g = await t.app.inject({ method: 'GET', url: '/staff/login' });
    const cookie = String([g.headers['set-cookie']].flat()[0]).split(';')[0]!;
    const token = g.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const r = await t.app.inject({ method: 'POST', url: '/staff/login', remoteAddress: ip, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: token, username, password: 'not-the-password' }).toString() });
    return { status: r.statusCode, error: r.body.match(/class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>([^<]+)/)?.[1] };
  };
  const [a, b] = [await page('brute.nobody'), await page('brute.known')];
  assert.ok(a.error, 'the page shows an error');
  assert.deepEqual(a, b);
});

test('staff: one address is limited across accounts (password spraying)', async () => {
  const ip = freshIp();
  const statuses: number[] = [];
  for (let i = 0; i < 35; i++) {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', remoteAddress: ip, payload: { username: `spray.user${i}`, password: 'Winter2026!' } });
    statuses.push(r.statusCode);
  }
  assert.ok(statuses.includes(429), `statuses: ${statuses.join(',')}`);
  assert.ok(statuses.indexOf(429) <= 30);
});

test('API keys and session tokens: every wrong one gets the same 401, a real prefix with a wrong secret included', async () => {
  const staff = await makeStaff(t, 'brute.admin', [{ orgId, role: 'org_admin' }]);
  const s = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', remoteAddress: freshIp(), payload: { username: 'brute.admin', password: staff.password } });
  const token = s.json().token as string;
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/orgs/sari/api-clients', headers: { authorization: `Bearer ${token}` }, payload: { name: 'Archive', scopes: ['reports.read'] } });
  assert.equal(created.statusCode, 201, created.body);
  const key = created.json().key as string;
  const [, prefix] = key.split('_');
  const norm = (r: { statusCode: number; body: string }) => ({ status: r.statusCode, code: errCode(r) });
  const tries = [`pk_${prefix}_${'A'.repeat(32)}`, `pk_00000000_${'A'.repeat(32)}`, 'pk_garbage', `${key}x`];
  const answers = [];
  for (const k of tries) answers.push(norm(await t.app.inject({ method: 'GET', url: '/api/v1/orgs/sari/api-clients', headers: { authorization: `Bearer ${k}` } })));
  for (const k of tries.slice(0, 2)) answers.push(norm(await t.app.inject({ method: 'GET', url: '/api/v1/orgs/sari/api-clients', headers: { 'x-api-key': k } })));
  assert.deepEqual(answers.slice(0, 2), [answers[1], answers[1]], 'a real prefix with a wrong secret answers like an unknown key');
  for (const a of answers) assert.equal(a.status, 401);
  // Session tokens: a wrong one is simply not signed in.
  const wrongSession = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token.slice(0, -2)}xx` } });
  assert.equal(wrongSession.statusCode, 401);
  // The key has far more entropy than can be guessed: 32 base64url characters (192 bits).
  assert.match(key, /^pk_[0-9a-f]{8}_[A-Za-z0-9_-]{32}$/);
});
