// Session fixation and sign-out: a session id a browser carries before sign-in (made up, or an
// attacker's own valid one planted in the victim's browser) is replaced at sign-in, citizen by
// SMS code and staff by password and by authenticator code; sign-out ends the session on the
// server so the old cookie or token is refused afterwards; a password reset ends every session
// of that staff member.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import { CookieJar, drainOutbox, makeStaff, makeTestApp, signInCitizen, type TestApp } from '../helpers.js';
import { makeOrg } from '../helpers.js';

let t: TestApp;
let orgId = '';
const pw: Record<string, string> = {};

before(async () => {
  t = await makeTestApp();
  orgId = await makeOrg(t, 'sari');
  pw.clerk = (await makeStaff(t, 'sess.clerk', [{ orgId, role: 'clerk' }])).password;
  pw.other = (await makeStaff(t, 'sess.other', [{ orgId, role: 'clerk' }])).password;
});
after(async () => t?.close());

const form = (jar: CookieJar, url: string, fields: Record<string, string>) =>
  t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
async function tokenOn(jar: CookieJar, url: string): Promise<string> {
  const r = await t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
  jar.take(r);
  const m = r.body.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(m, `a form token on ${url} (${r.statusCode})`);
  return m[1]!;
}
/** Who a session token is now: the JSON of /api/v1/me, or the status when refused. */
const whoIs = async (token: string) => {
  const r = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
  return r.statusCode === 200 ? (r.json() as { kind?: string; id?: string; mobile?: string; username?: string }) : r.statusCode;
};

async function citizenFormSignIn(jar: CookieJar, mobile: string) {
  const r1 = await form(jar, '/login', { _csrf: await tokenOn(jar, '/login'), mobile });
  assert.equal(r1.statusCode, 303, r1.body.slice(0, 200));
  await drainOutbox(t);
  const r2 = await form(jar, '/login/verify', { _csrf: await tokenOn(jar, `/login/verify?mobile=${mobile}`), mobile, code: t.sms.lastCodeFor(mobile)! });
  assert.equal(r2.statusCode, 303, r2.body.slice(0, 200));
  jar.take(r2);
}

test('citizen: a made-up or planted session id is replaced at sign-in by SMS code, and the planted one stays its owner\'s', async () => {
  // A made-up id.
  const jar = new CookieJar();
  jar.take({ headers: { 'set-cookie': 'pk_session=attacker-chosen-session-id-0123456789abcdef; Path=/' } });
  await citizenFormSignIn(jar, '09121220001');
  const issued = jar.get('pk_session')!;
  assert.notEqual(issued, 'attacker-chosen-session-id-0123456789abcdef');
  assert.equal(await whoIs('attacker-chosen-session-id-0123456789abcdef'), 401);
  assert.equal(typeof await whoIs(issued), 'object');

  // The attacker's own valid session planted in the victim's browser.
  const attacker = await signInCitizen(t, '09121220002');
  const victim = new CookieJar();
  victim.take({ headers: { 'set-cookie': `pk_session=${attacker}; Path=/` } });
  await citizenFormSignIn(victim, '09121220003');
  assert.notEqual(victim.get('pk_session'), attacker, 'a new session id for the victim');
  const a = await whoIs(attacker);
  assert.ok(typeof a === 'object' && a.mobile !== '09121220003', 'the planted session did not become the victim\'s');
});

test('staff: a planted session id is replaced at password sign-in and again at the authenticator step', async () => {
  const jar = new CookieJar();
  jar.take({ headers: { 'set-cookie': 'pk_session=planted-staff-session-0123456789abcdef; Path=/' } });
  const r = await form(jar, '/staff/login', { _csrf: await tokenOn(jar, '/staff/login'), username: 'sess.clerk', password: pw.clerk! });
  assert.equal(r.statusCode, 303);
  jar.take(r);
  const issued = jar.get('pk_session')!;
  assert.notEqual(issued, 'planted-staff-session-0123456789abcdef');
  assert.equal(typeof await whoIs(issued), 'object');

  // With an authenticator: the password stage's token stops working once the code is accepted.
  const staffActor = { kind: 'staff' as const, id: (await t.deps.db.selectFrom('staff').select('id').where('username', '=', 'sess.other').executeTakeFirstOrThrow()).id, memberships: [{ orgId, orgCode: 'sari', role: 'clerk' as const }] };
  const setup = await t.deps.services.identity.beginTotpSetup(staffActor);
  await t.deps.services.identity.confirmTotp(staffActor, generateSync({ secret: setup.secret, epoch: Math.floor(t.clock.now() / 1000) }));
  t.clock.advance(31_000);
  const j2 = new CookieJar();
  const p = await form(j2, '/staff/login', { _csrf: await tokenOn(j2, '/staff/login'), username: 'sess.other', password: pw.other! });
  assert.equal(p.statusCode, 303);
  assert.match(String(p.headers.location), /^\/staff\/login\/totp/);
  j2.take(p);
  const stage1 = j2.get('pk_session')!;
  const code = generateSync({ secret: setup.secret, epoch: Math.floor(t.clock.now() / 1000) });
  const v = await form(j2, '/staff/login/totp', { _csrf: await tokenOn(j2, '/staff/login/totp'), code });
  assert.equal(v.statusCode, 303, v.body.slice(0, 300));
  j2.take(v);
  assert.notEqual(j2.get('pk_session'), stage1);
  assert.equal(await whoIs(stage1), 401);
});

test('sign-out ends the session on the server: the old cookie and token are refused afterwards', async () => {
  const jar = new CookieJar();
  await citizenFormSignIn(jar, '09121220004');
  const old = jar.get('pk_session')!;
  const out = await form(jar, '/logout', { _csrf: await tokenOn(jar, '/profile/edit') });
  assert.equal(out.statusCode, 303);
  assert.equal(await whoIs(old), 401);
  const page = await t.app.inject({ method: 'GET', url: '/profile', headers: { cookie: `pk_session=${old}` } });
  assert.equal(page.statusCode, 303);
  assert.match(String(page.headers.location), /^\/login/);

  // The API's sign-out too.
  const token = await signInCitizen(t, '09121220005');
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
  assert.ok(r.statusCode < 300, `${r.statusCode}`);
  assert.equal(await whoIs(token), 401);
});

test('a staff password reset ends every session of that staff member', async () => {
  const { password } = await makeStaff(t, 'sess.reset', [{ orgId, role: 'clerk' }]);
  const tokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', payload: { username: 'sess.reset', password } });
    tokens.push(r.json().token);
  }
  for (const tok of tokens) assert.equal(typeof await whoIs(tok), 'object');
  const fresh = await t.deps.services.identity.resetPassword({ kind: 'system', id: null }, 'sess.reset');
  for (const tok of tokens) assert.equal(await whoIs(tok), 401);
  const old = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', payload: { username: 'sess.reset', password } });
  assert.equal(old.statusCode, 401);
  const now = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', payload: { username: 'sess.reset', password: fresh } });
  assert.equal(now.statusCode, 200);
});
