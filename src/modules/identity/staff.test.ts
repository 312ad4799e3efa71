// Staff sign-in: password, lockout, password reset, and the second factor (TOTP), through the
// service and the HTTP API and pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { CookieJar, csrfFrom, makeOrg, makeStaff, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/core/index.js';
import { SESSION_POLICY, STAFF_POLICY } from './service.js';

let t: TestApp;
let sariId: string;
before(async () => {
  t = await makeTestApp();
  sariId = await makeOrg(t, 'sari');
});
after(async () => { await t?.close(); });

const identity = () => t.deps.services.identity;

// The sign-in routes allow 30 requests a minute per address: each test signs in from its own.
let seq = 0;
const freshIp = () => `10.2.${++seq}.1`;

async function post(url: string, payload: unknown, opts: { ip: string; token?: string }) {
  return t.app.inject({
    method: 'POST', url, payload: payload as Record<string, unknown>, remoteAddress: opts.ip,
    headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
  });
}
const signIn = (username: string, password: string, ip: string) => post('/api/v1/auth/staff', { username, password }, { ip });
/** Posts a urlencoded form as a browser does, with the jar's cookies. */
const formPost = (url: string, jar: CookieJar, fields: Record<string, string>, ip: string) => t.app.inject({
  method: 'POST', url, remoteAddress: ip,
  headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});
const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
const withoutRequestId = (body: { error: Record<string, unknown> }) => { const { request_id: _, ...rest } = body.error; return rest; };

const staffActor = (id: string): Actor => ({ kind: 'staff', id, memberships: [{ orgId: sariId, orgCode: 'sari', role: 'clerk' }], ip: '10.2.0.1' });
const totpAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });
/** A six-digit code that none of the codes accepted around now matches. */
async function wrongTotp(secret: string): Promise<string> {
  const now = t.clock.now();
  const valid = new Set(await Promise.all([-30_000, 0, 30_000].map((d) => totpAt(secret, now + d))));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

/** Creates a staff member with TOTP switched on; returns the account and its secret. */
async function staffWithTotp(username: string) {
  const account = await makeStaff(t, username, [{ orgId: sariId, role: 'clerk' }]);
  const actor = staffActor(account.id);
  const { secret, uri } = await identity().beginTotpSetup(actor);
  assert.match(uri, /^otpauth:\/\/totp\//);
  await identity().confirmTotp(actor, await totpAt(secret, t.clock.now()));
  assert.equal(await identity().totpEnabled(actor), true);
  // The enrolment code is spent; the next sign-in happens a couple of minutes later.
  t.clock.advance(120_000);
  return { ...account, secret };
}

// ---------- password ----------

test('the right password opens a full session that shows the staff member and their roles', async () => {
  const { password } = await makeStaff(t, 'sari.admin', [{ orgId: sariId, role: 'org_admin' }]);
  const res = await signIn('Sari.Admin', password, freshIp());
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.stage, 'full');
  assert.ok(String(res.headers['set-cookie']).includes('pk_session='), 'the session cookie is set');
  const who = await me(body.token);
  assert.equal(who.statusCode, 200);
  assert.equal(who.json().kind, 'staff');
  assert.deepEqual(who.json().staff.memberships, [{ org: 'sari', role: 'org_admin' }]);
});

test('a wrong password and an unknown username get the same answer', async () => {
  await makeStaff(t, 'sari.known', [{ orgId: sariId, role: 'clerk' }]);
  const ip = freshIp();
  const wrong = await signIn('sari.known', 'not-the-password', ip);
  const unknown = await signIn('sari.nobody', 'not-the-password', ip);
  assert.equal(wrong.statusCode, 401);
  assert.equal(unknown.statusCode, 401);
  assert.equal(wrong.json().error.code, 'auth.bad_credentials');
  assert.deepEqual(withoutRequestId(unknown.json()), withoutRequestId(wrong.json()));
  assert.equal(wrong.headers['set-cookie'], undefined);
});

test('five failures lock the account, even against the right password, until the lock passes', async () => {
  const { password } = await makeStaff(t, 'sari.locked', [{ orgId: sariId, role: 'clerk' }]);
  const ip = freshIp();
  for (let i = 0; i < STAFF_POLICY.maxFailures; i++) {
    assert.equal((await signIn('sari.locked', `wrong-${i}`, ip)).statusCode, 401);
  }
  // Locked, the right password answers as a wrong one does (nothing tells the account exists).
  const locked = await signIn('sari.locked', password, ip);
  assert.equal(locked.statusCode, 401);
  assert.equal(locked.json().error.code, 'auth.bad_credentials');
  assert.match(locked.json().error.fields.password, /۵ تلاش ناموفق.*۱۵ دقیقه قفل/);
  assert.equal(locked.headers['set-cookie'], undefined);
  t.clock.advance(STAFF_POLICY.lockMs - 1_000);
  assert.equal((await signIn('sari.locked', password, ip)).statusCode, 401);
  t.clock.advance(1_000);
  const open = await signIn('sari.locked', password, ip);
  assert.equal(open.statusCode, 200);
  assert.equal((await me(open.json().token)).statusCode, 200);
});

test('a successful sign-in clears the earlier failures', async () => {
  const { password } = await makeStaff(t, 'sari.careless', [{ orgId: sariId, role: 'clerk' }]);
  const ip = freshIp();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < STAFF_POLICY.maxFailures - 1; i++) assert.equal((await signIn('sari.careless', 'typo', ip)).statusCode, 401);
    assert.equal((await signIn('sari.careless', password, ip)).statusCode, 200, `round ${round}`);
  }
});

test('a password reset unlocks the account, ends its sessions and retires the old password', async () => {
  const { id, password } = await makeStaff(t, 'sari.forgetful', [{ orgId: sariId, role: 'clerk' }]);
  const ip = freshIp();
  const before = (await signIn('sari.forgetful', password, ip)).json().token;
  assert.equal((await me(before)).statusCode, 200);
  for (let i = 0; i < STAFF_POLICY.maxFailures; i++) await signIn('sari.forgetful', 'wrong', ip);
  assert.equal((await signIn('sari.forgetful', password, ip)).statusCode, 401, 'locked: even the right password is refused');

  const fresh = await identity().resetPassword({ kind: 'system', id: null }, 'SARI.forgetful');
  assert.notEqual(fresh, password);
  assert.equal((await me(before)).statusCode, 401, 'sessions opened before the reset end');
  assert.equal((await signIn('sari.forgetful', password, ip)).statusCode, 401, 'the old password no longer works');
  const after = await signIn('sari.forgetful', fresh, ip);
  assert.equal(after.statusCode, 200, 'the account is unlocked at once');
  const audit = await t.deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).where('action', '=', 'staff.password_reset').execute();
  assert.equal(audit.length, 1);
});

test('resetting the password of an unknown username is a not-found error', async () => {
  await assert.rejects(identity().resetPassword({ kind: 'system', id: null }, 'nobody.here'), (e) => e instanceof AppError && e.status === 404);
});

// ---------- TOTP ----------

test('TOTP is switched on only by a correct code from the authenticator app', async () => {
  const { id, password } = await makeStaff(t, 'sari.mfa-setup', [{ orgId: sariId, role: 'clerk' }]);
  const actor = staffActor(id);
  const { secret } = await identity().beginTotpSetup(actor);
  // Opening the set-up again shows the same secret, so the app and the server agree.
  assert.equal((await identity().beginTotpSetup(actor)).secret, secret);
  await assert.rejects(identity().confirmTotp(actor, await wrongTotp(secret)), (e) => e instanceof AppError && e.status === 400 && e.fields.code === 'auth.totp_invalid');
  assert.equal(await identity().totpEnabled(actor), false);
  const ip = freshIp();
  assert.equal((await signIn('sari.mfa-setup', password, ip)).json().stage, 'full', 'without a confirmed code, the password alone still signs in');

  await identity().confirmTotp(actor, await totpAt(secret, t.clock.now()));
  assert.equal(await identity().totpEnabled(actor), true);
  assert.equal((await signIn('sari.mfa-setup', password, ip)).json().stage, 'totp');
});

test('with TOTP on, the password alone gives a token that opens no API call and no staff page', async () => {
  const { password } = await staffWithTotp('sari.mfa-stage');
  const ip = freshIp();
  const res = await signIn('sari.mfa-stage', password, ip);
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().stage, 'totp');
  const stageToken: string = res.json().token;
  const who = await me(stageToken);
  assert.equal(who.statusCode, 401);
  assert.equal(who.json().error.code, 'auth.required');
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/orgs/sari/staff', headers: { authorization: `Bearer ${stageToken}` } })).statusCode, 401);
  for (const url of ['/staff', '/staff/security', '/staff/orgs/sari']) {
    const page = await t.app.inject({ method: 'GET', url, headers: { cookie: `pk_session=${stageToken}` } });
    assert.equal(page.statusCode, 303, url);
    assert.match(String(page.headers.location), /^\/staff\/login\?next=/, url);
  }
});

test('a wrong TOTP code fails; the right one gives a new full session and the stage token stops working', async () => {
  const { secret, password } = await staffWithTotp('sari.mfa-verify');
  const ip = freshIp();
  const stageToken: string = (await signIn('sari.mfa-verify', password, ip)).json().token;

  const wrong = await post('/api/v1/auth/staff/totp', { code: await wrongTotp(secret) }, { ip, token: stageToken });
  assert.equal(wrong.statusCode, 400);
  assert.equal(wrong.json().error.code, 'auth.totp_invalid');
  assert.ok(wrong.json().error.fields.code);

  const code = await totpAt(secret, t.clock.now());
  const ok = await post('/api/v1/auth/staff/totp', { code }, { ip, token: stageToken });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().stage, 'full');
  const fullToken: string = ok.json().token;
  assert.notEqual(fullToken, stageToken);
  const who = await me(fullToken);
  assert.equal(who.statusCode, 200);
  assert.equal(who.json().kind, 'staff');

  assert.equal((await me(stageToken)).statusCode, 401);
  const reused = await post('/api/v1/auth/staff/totp', { code }, { ip, token: stageToken });
  assert.equal(reused.statusCode, 401, 'the stage token cannot be completed a second time');

  // A code that has already been accepted is refused for a new sign-in too (RFC 6238 §5.2).
  const stage2: string = (await signIn('sari.mfa-verify', password, ip)).json().token;
  const replay = await post('/api/v1/auth/staff/totp', { code }, { ip, token: stage2 });
  assert.equal(replay.statusCode, 400);
  assert.equal(replay.json().error.code, 'auth.totp_invalid');
  t.clock.advance(30_000);
  const next = await post('/api/v1/auth/staff/totp', { code: await totpAt(secret, t.clock.now()) }, { ip, token: stage2 });
  assert.equal(next.statusCode, 200, 'the code of the next time step works');
});

test('a code from a neighbouring 30-second step is accepted, one from minutes ago is not', async () => {
  const { secret, password } = await staffWithTotp('sari.mfa-drift');
  const ip = freshIp();
  const stage1: string = (await signIn('sari.mfa-drift', password, ip)).json().token;
  const old = await totpAt(secret, t.clock.now() - 5 * 60_000);
  const valid = new Set(await Promise.all([-30_000, 0, 30_000].map((d) => totpAt(secret, t.clock.now() + d))));
  if (!valid.has(old)) assert.equal((await post('/api/v1/auth/staff/totp', { code: old }, { ip, token: stage1 })).statusCode, 400);
  const previous = await totpAt(secret, t.clock.now() - 30_000);
  assert.equal((await post('/api/v1/auth/staff/totp', { code: previous }, { ip, token: stage1 })).statusCode, 200);
});

test('a half-done sign-in expires: after 5 minutes the right code no longer completes it', async () => {
  const { secret, password } = await staffWithTotp('sari.mfa-slow');
  const ip = freshIp();
  const stageToken: string = (await signIn('sari.mfa-slow', password, ip)).json().token;
  t.clock.advance(SESSION_POLICY.totpStageTtlMs);
  const late = await post('/api/v1/auth/staff/totp', { code: await totpAt(secret, t.clock.now()) }, { ip, token: stageToken });
  assert.equal(late.statusCode, 401);
});

test('wrong TOTP codes lock the account even when the password is entered again between them', async () => {
  const { secret, password } = await staffWithTotp('sari.mfa-guess');
  const ip = freshIp();
  for (let i = 0; i < STAFF_POLICY.maxFailures; i++) {
    const res = await signIn('sari.mfa-guess', password, ip);
    assert.equal(res.statusCode, 200, `password sign-in ${i + 1}`);
    const stageToken: string = res.json().token;
    const wrong = await post('/api/v1/auth/staff/totp', { code: await wrongTotp(secret) }, { ip, token: stageToken });
    assert.equal(wrong.statusCode, 400);
  }
  const locked = await signIn('sari.mfa-guess', password, ip);
  assert.equal(locked.statusCode, 401);
  assert.equal(locked.json().error.code, 'auth.bad_credentials');
  // Once the lock passes, the right password and code work, and a success clears the count.
  t.clock.advance(STAFF_POLICY.lockMs);
  const stageToken: string = (await signIn('sari.mfa-guess', password, ip)).json().token;
  const ok = await post('/api/v1/auth/staff/totp', { code: await totpAt(secret, t.clock.now()) }, { ip, token: stageToken });
  assert.equal(ok.statusCode, 200);
});

test('on the pages, a TOTP sign-in replaces the session cookie and only the new one opens the desk', async () => {
  const { secret, password } = await staffWithTotp('sari.mfa-pages');
  const ip = freshIp();
  const jar = new CookieJar();
  const csrf = await csrfFrom(t, jar, '/staff/login');
  const login = await formPost('/staff/login', jar, { _csrf: csrf, username: 'sari.mfa-pages', password }, ip);
  assert.equal(login.statusCode, 303);
  assert.equal(login.headers.location, '/staff/login/totp');
  jar.take(login);
  const stageCookie = jar.get('pk_session');
  assert.ok(stageCookie);
  const desk = await t.app.inject({ method: 'GET', url: '/staff', headers: { cookie: jar.header() } });
  assert.equal(desk.statusCode, 303, 'the desk stays closed before the code');

  const csrf2 = await csrfFrom(t, jar, '/staff/login/totp');
  const wrong = await formPost('/staff/login/totp', jar, { _csrf: csrf2, code: await wrongTotp(secret) }, ip);
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /aria-invalid="true"/);

  const verify = await formPost('/staff/login/totp', jar, { _csrf: csrf2, code: await totpAt(secret, t.clock.now()) }, ip);
  assert.equal(verify.statusCode, 303);
  assert.equal(verify.headers.location, '/staff');
  jar.take(verify);
  assert.notEqual(jar.get('pk_session'), stageCookie);
  const open = await t.app.inject({ method: 'GET', url: '/staff', headers: { cookie: jar.header() } });
  assert.equal(open.statusCode, 200);
  assert.match(open.body, /sari\.mfa-pages/);
  const old = await t.app.inject({ method: 'GET', url: '/staff', headers: { cookie: `pk_session=${stageCookie}` } });
  assert.equal(old.statusCode, 303);
});

test('after a staff sign-in on the page, next is followed only within the site', async () => {
  const { password } = await makeStaff(t, 'sari.redirect', [{ orgId: sariId, role: 'clerk' }]);
  const ip = freshIp();
  for (const [next, expected] of [['//evil.example', '/staff'], ['https://evil.example/x', '/staff'], ['/\\evil.example', '/staff'], ['/staff/security', '/staff/security']]) {
    const jar = new CookieJar();
    const csrf = await csrfFrom(t, jar, `/staff/login?next=${encodeURIComponent(next!)}`);
    const res = await formPost('/staff/login', jar, { _csrf: csrf, username: 'sari.redirect', password, next: next! }, ip);
    assert.equal(res.statusCode, 303, next);
    assert.equal(res.headers.location, expected, next);
  }
});
