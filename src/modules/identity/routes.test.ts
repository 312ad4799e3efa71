// Citizen sign-in over HTTP: the JSON API (errors, limits, the SMS outbox) and the HTML
// forms with CSRF, the first-sign-in profile, sign-out and safe redirects after sign-in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, csrfFrom, drainOutbox, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { t as message } from '../../platform/i18n/messages.js';
import { OTP_POLICY } from './service.js';

let t: TestApp;
before(async () => { t = await makeTestApp(); });
after(async () => { await t?.close(); });

// The sign-in routes allow 30 requests a minute per address, and codes are limited per number
// and per address: every test uses its own address and numbers.
let seq = 0;
const freshIp = () => `10.3.${++seq}.1`;
const mobile = (n: number) => `0935${String(n).padStart(7, '0')}`;

const requestOtp = (payload: unknown, ip: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: payload as Record<string, unknown>, remoteAddress: ip, headers });
const verifyOtp = (payload: unknown, ip: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/otp/verify', payload: payload as Record<string, unknown>, remoteAddress: ip });
const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers });

/** Asks for a code through the API and delivers it; returns the code the citizen received. */
async function codeFor(number: string, ip: string): Promise<string> {
  const res = await requestOtp({ mobile: number }, ip);
  assert.equal(res.statusCode, 202, res.body);
  await drainOutbox(t);
  const code = t.sms.lastCodeFor(res.json().mobile);
  assert.ok(code);
  return code;
}

/** Posts a urlencoded form as a browser does, with the jar's cookies. */
async function submit(url: string, jar: CookieJar, fields: Record<string, string>, ip = '10.3.0.1') {
  const res = await t.app.inject({
    method: 'POST', url, remoteAddress: ip,
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
  jar.take(res);
  return res;
}
const get = async (url: string, jar: CookieJar) => {
  const res = await t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
  jar.take(res);
  return res;
};

/** Signs a citizen in through the pages; returns the jar and where the sign-in redirected. */
async function pageSignIn(number: string, opts: { next?: string; ip?: string } = {}) {
  const ip = opts.ip ?? freshIp();
  const jar = new CookieJar();
  const csrf = await csrfFrom(t, jar, opts.next ? `/login?next=${encodeURIComponent(opts.next)}` : '/login');
  const sent = await submit('/login', jar, { _csrf: csrf, mobile: number, ...(opts.next ? { next: opts.next } : {}) }, ip);
  assert.equal(sent.statusCode, 303, sent.body.slice(0, 200));
  await drainOutbox(t);
  const verifyUrl = String(sent.headers.location);
  const csrf2 = await csrfFrom(t, jar, verifyUrl);
  const page = await get(verifyUrl, jar);
  const hiddenNext = page.body.match(/name="next" value="([^"]*)"/)?.[1];
  const code = t.sms.lastCodeFor(new URL(verifyUrl, 'http://x').searchParams.get('mobile')!)!;
  const done = await submit('/login/verify', jar, { _csrf: csrf2, mobile: number, code, ...(hiddenNext ? { next: hiddenNext.replace(/&amp;/g, '&') } : {}) }, ip);
  assert.equal(done.statusCode, 303, done.body.slice(0, 200));
  return { jar, location: String(done.headers.location), ip };
}

/** Fills in the profile form as a browser does: with the page's hidden fields (_csrf, next). */
async function completeProfile(jar: CookieJar, fields: Record<string, string>, editUrl = '/profile/edit') {
  const page = await get(editUrl, jar);
  assert.equal(page.statusCode, 200);
  const hidden = Object.fromEntries([...page.body.matchAll(/<form method="post" action="\/profile"[\s\S]*?<\/form>/g)]
    .flatMap((f) => [...f[0].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)])
    .map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
  assert.ok(hidden._csrf, 'the profile form carries a CSRF token');
  return submit('/profile', jar, { ...hidden, ...fields });
}

// ---------- JSON API ----------

test('the API answers with one normalized number for every usual spelling, and signs into one account', async () => {
  const ip = freshIp();
  const ids = new Set<string>();
  const spellings = ['۰۹۳۵ ۰۰۰ ۰۰۰۱', '+98 935 000 0001', '0098 935 000 0001', '935-000-0001'];
  for (const [i, spelling] of spellings.entries()) {
    const res = await requestOtp({ mobile: spelling }, ip);
    assert.equal(res.statusCode, 202, spelling);
    assert.equal(res.json().mobile, '09350000001');
    assert.equal(Date.parse(res.json().expires_at) - t.clock.now(), OTP_POLICY.ttlMs);
    await drainOutbox(t);
    const verified = await verifyOtp({ mobile: spelling, code: t.sms.lastCodeFor('09350000001') }, ip);
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().is_new, i === 0);
    assert.equal(verified.json().citizen.mobile, '09350000001');
    ids.add(verified.json().citizen.id);
  }
  assert.equal(ids.size, 1);
});

test('an invalid number gets a 400 naming the mobile field, in Persian by default and English on request', async () => {
  const ip = freshIp();
  const fa = await requestOtp({ mobile: '12345' }, ip);
  assert.equal(fa.statusCode, 400);
  assert.match(String(fa.headers['content-type']), /application\/json/);
  const body = fa.json();
  assert.equal(body.error.code, 'common.invalid_input');
  assert.deepEqual(Object.keys(body.error.fields), ['mobile']);
  assert.equal(body.error.fields.mobile, message('fa', 'auth.mobile_invalid'));
  assert.match(body.error.fields.mobile, /شماره همراه/);
  assert.ok(body.error.request_id);

  const en = await requestOtp({ mobile: '12345' }, ip, { 'accept-language': 'en-US,en;q=0.9' });
  assert.equal(en.statusCode, 400);
  assert.equal(en.json().error.fields.mobile, message('en', 'auth.mobile_invalid'));
  assert.match(en.json().error.fields.mobile, /not a valid Iranian mobile/);
  assert.match(en.json().error.message, /^[\x20-\x7e]+$/, 'the whole answer is in English');

  const missing = await requestOtp({}, ip);
  assert.equal(missing.statusCode, 400);
  assert.ok(missing.json().error.fields.mobile);
});

test('a code expires after 2 minutes', async () => {
  const ip = freshIp();
  const code = await codeFor(mobile(11), ip);
  t.clock.advance(OTP_POLICY.ttlMs);
  const res = await verifyOtp({ mobile: mobile(11), code }, ip);
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'auth.otp_expired');
  assert.ok(res.json().error.fields.code);
  assert.equal(res.headers['set-cookie'], undefined);
});

test('after 5 wrong codes the right one is refused with 429', async () => {
  const ip = freshIp();
  const code = await codeFor(mobile(12), ip);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  for (let i = 0; i < OTP_POLICY.maxAttempts; i++) {
    const res = await verifyOtp({ mobile: mobile(12), code: wrong }, ip);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'auth.code_invalid');
  }
  const res = await verifyOtp({ mobile: mobile(12), code }, ip);
  assert.equal(res.statusCode, 429);
  assert.equal(res.json().error.code, 'auth.otp_attempts');
  assert.equal(res.headers['set-cookie'], undefined);
});

test('a code signs in once: the second verification fails and opens no session', async () => {
  const ip = freshIp();
  const code = await codeFor(mobile(13), ip);
  const first = await verifyOtp({ mobile: mobile(13), code }, ip);
  assert.equal(first.statusCode, 200);
  const second = await verifyOtp({ mobile: mobile(13), code }, ip);
  assert.equal(second.statusCode, 400);
  assert.equal(second.headers['set-cookie'], undefined);
  assert.equal(second.json().token, undefined);
});

test('a second code within 60 seconds is refused with 429 and a retry-after header', async () => {
  const ip = freshIp();
  assert.equal((await requestOtp({ mobile: mobile(14) }, ip)).statusCode, 202);
  t.clock.advance(15_000);
  const res = await requestOtp({ mobile: mobile(14) }, ip);
  assert.equal(res.statusCode, 429);
  assert.equal(res.json().error.code, 'auth.otp_resend_wait');
  assert.equal(res.headers['retry-after'], '45');
  t.clock.advance(45_000);
  assert.equal((await requestOtp({ mobile: mobile(14) }, ip)).statusCode, 202);
});

test('a number gets 5 codes an hour; the sixth is refused with 429 and retry-after', async () => {
  const ip = freshIp();
  for (let i = 0; i < OTP_POLICY.perMobile.max; i++) {
    assert.equal((await requestOtp({ mobile: mobile(15) }, ip)).statusCode, 202);
    t.clock.advance(OTP_POLICY.resendAfterMs);
  }
  // From another address too: the limit belongs to the number.
  const res = await requestOtp({ mobile: mobile(15) }, freshIp());
  assert.equal(res.statusCode, 429);
  assert.equal(res.json().error.code, 'auth.otp_rate_mobile');
  const wait = Number(res.headers['retry-after']);
  assert.equal(wait, (OTP_POLICY.perMobile.windowMs - OTP_POLICY.perMobile.max * OTP_POLICY.resendAfterMs) / 1000);
  t.clock.advance(wait * 1000);
  assert.equal((await requestOtp({ mobile: mobile(15) }, ip)).statusCode, 202, 'served again once retry-after has passed');
});

test('an address gets 30 codes an hour whatever the numbers; other addresses are not affected', async () => {
  const busy = freshIp();
  // The first 29 go through the service (the HTTP route also limits bursts to 30 a minute).
  const client = { ip: busy, userAgent: 'node-test', locale: 'fa' as const };
  for (let i = 0; i < OTP_POLICY.perIp.max - 1; i++) await t.deps.services.identity.requestOtp({ mobile: mobile(100 + i) }, client);
  assert.equal((await requestOtp({ mobile: mobile(199) }, busy)).statusCode, 202);
  const refused = await requestOtp({ mobile: mobile(200) }, busy);
  assert.equal(refused.statusCode, 429);
  assert.equal(refused.json().error.code, 'auth.otp_rate_ip');
  assert.ok(Number(refused.headers['retry-after']) > 0);
  const elsewhere = await requestOtp({ mobile: mobile(200) }, freshIp());
  assert.equal(elsewhere.statusCode, 202);
});

test('the SMS goes through the outbox: nothing is sent before delivery, then /dev/outbox.json lists it newest first', async () => {
  const ip = freshIp();
  const outbox = async () => (await t.app.inject({ method: 'GET', url: '/dev/outbox.json' })).json().items as { channel: string; to: string; body: string; created_at: string }[];

  assert.equal((await requestOtp({ mobile: mobile(21) }, ip)).statusCode, 202);
  assert.equal(t.sms.lastCodeFor(mobile(21)), undefined, 'nothing is sent before the outbox is delivered');
  assert.ok(!(await outbox()).some((m) => m.to === mobile(21)));
  await drainOutbox(t);
  const first = t.sms.lastCodeFor(mobile(21));
  assert.match(first ?? '', /^\d{6}$/);

  t.clock.advance(1_000);
  // An English request gets an English SMS.
  assert.equal((await requestOtp({ mobile: mobile(22) }, ip, { 'accept-language': 'en' })).statusCode, 202);
  await drainOutbox(t);
  const second = t.sms.lastCodeFor(mobile(22))!;

  const items = await outbox();
  const a = items.findIndex((m) => m.to === mobile(21));
  const b = items.findIndex((m) => m.to === mobile(22));
  assert.ok(a >= 0 && b >= 0);
  assert.equal(b, 0, 'the newest message comes first');
  assert.ok(b < a);
  assert.equal(items[a]!.channel, 'sms');
  assert.ok(items[a]!.body.includes(first!));
  assert.match(items[a]!.body, /کد ورود/);
  assert.ok(items[b]!.body.includes(second));
  assert.match(items[b]!.body, /sign-in code/);
  assert.ok(Date.parse(items[b]!.created_at) > Date.parse(items[a]!.created_at));
  assert.equal(items[b]!.created_at, new Date(t.clock.now()).toISOString());
  const sorted = [...items].sort((x, y) => Date.parse(y.created_at) - Date.parse(x.created_at));
  assert.deepEqual(items.map((m) => m.created_at), sorted.map((m) => m.created_at));
});

test('the profile API saves a valid profile and names the field of an invalid one', async () => {
  const ip = freshIp();
  const code = await codeFor(mobile(31), ip);
  const token: string = (await verifyOtp({ mobile: mobile(31), code }, ip)).json().token;
  const auth = { authorization: `Bearer ${token}` };
  const bad = await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: { ...auth, 'accept-language': 'en' }, payload: { national_code: '1234567890', first_name: 'Ali', last_name: 'Rezaei', email: 'x@' } });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(Object.keys(bad.json().error.fields).sort(), ['email', 'national_code']);
  assert.equal(bad.json().error.fields.national_code, message('en', 'profile.national_code_invalid'));
  const good = await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: auth, payload: { national_code: '0013542419', first_name: 'يوسف', last_name: 'كريمي' } });
  assert.equal(good.statusCode, 200, good.body);
  assert.equal(good.json().first_name, 'یوسف');
  assert.equal(good.json().last_name, 'کریمی');
  assert.equal(good.json().profile_complete, true);
  const who = await me(auth);
  assert.deepEqual(who.json().citizen, good.json());
  const anonymous = await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', payload: { national_code: '0013542419', first_name: 'a', last_name: 'b' } });
  assert.equal(anonymous.statusCode, 401);
});

// ---------- pages ----------

test('the form flow: mobile, code, first-time profile, then the profile page shows the name', async () => {
  const ip = freshIp();
  const jar = new CookieJar();
  const login = await get('/login', jar);
  assert.equal(login.statusCode, 200);
  const csrf = login.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const sent = await submit('/login', jar, { _csrf: csrf, mobile: '۰۹۳۵ ۰۰۰ ۰۰۴۱' }, ip);
  assert.equal(sent.statusCode, 303);
  assert.equal(sent.headers.location, `/login/verify?mobile=${mobile(41)}`);
  await drainOutbox(t);

  const verifyPage = await get(String(sent.headers.location), jar);
  assert.equal(verifyPage.statusCode, 200);
  assert.match(verifyPage.body, new RegExp(`name="mobile" value="${mobile(41)}"`));
  const csrf2 = verifyPage.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const verified = await submit('/login/verify', jar, { _csrf: csrf2, mobile: mobile(41), code: t.sms.lastCodeFor(mobile(41))! }, ip);
  assert.equal(verified.statusCode, 303);
  assert.equal(verified.headers.location, '/profile/edit');
  assert.ok(jar.get('pk_session'), 'the session cookie is set');
  assert.match(String(verified.headers['set-cookie']), /pk_session=[^;]+;.*HttpOnly/i);

  // Until the profile is complete, /profile sends the citizen to the form.
  const early = await get('/profile', jar);
  assert.equal(early.statusCode, 303);
  assert.equal(early.headers.location, '/profile/edit');

  const saved = await completeProfile(jar, { national_code: '0084575948', first_name: 'فاطمه', last_name: 'موسوي', email: '' });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, '/profile?saved=1');
  const profile = await get('/profile?saved=1', jar);
  assert.equal(profile.statusCode, 200);
  assert.match(profile.body, /فاطمه/);
  assert.match(profile.body, /موسوی/);
  assert.match(profile.body, /۰۰۸۴۵۷۵۹۴۸/, 'the national code is shown with Persian digits');
  assert.match(profile.body, new RegExp(message('fa', 'profile.saved')));

  // The next sign-in goes straight to the profile.
  t.clock.advance(OTP_POLICY.resendAfterMs);
  const again = await pageSignIn(mobile(41));
  assert.equal(again.location, '/profile');
});

test('a form posted without a valid CSRF token gets a localized 403 page and changes nothing', async () => {
  const ip = freshIp();
  const jar = new CookieJar();
  await csrfFrom(t, jar, '/login');
  for (const fields of [{ mobile: mobile(51) }, { mobile: mobile(51), _csrf: 'forged-token' }] as Record<string, string>[]) {
    const res = await submit('/login', jar, fields, ip);
    assert.equal(res.statusCode, 403);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.body, new RegExp(message('fa', 'common.csrf')));
  }
  // Without the CSRF cookie, a token from another browser does not help either.
  const stolen = await csrfFrom(t, new CookieJar(), '/login');
  assert.equal((await submit('/login', new CookieJar(), { _csrf: stolen, mobile: mobile(51) }, ip)).statusCode, 403);
  const english = await t.app.inject({ method: 'POST', url: '/login?lang=en', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `mobile=${mobile(51)}` });
  assert.equal(english.statusCode, 403);
  assert.match(english.body, new RegExp(message('en', 'common.csrf')));
  await drainOutbox(t);
  assert.equal(t.sms.lastCodeFor(mobile(51)), undefined);
  assert.equal(await t.deps.db.selectFrom('otp_challenges').select('id').where('mobile', '=', mobile(51)).executeTakeFirst(), undefined);

  // Signed in, a forged profile change or sign-out does nothing either.
  const { jar: citizen } = await pageSignIn(mobile(52));
  const forged = await submit('/profile', citizen, { national_code: '0013542419', first_name: 'Mallory', last_name: 'Evil' });
  assert.equal(forged.statusCode, 403);
  const who = await me({ cookie: citizen.header() });
  assert.equal(who.statusCode, 200);
  assert.equal(who.json().citizen.first_name, null);
  const logout = await submit('/logout', citizen, {});
  assert.equal(logout.statusCode, 403);
  assert.equal((await me({ cookie: citizen.header() })).statusCode, 200, 'still signed in');
});

test('a bad number re-renders the form with 400, the typed value and an error on the field', async () => {
  const jar = new CookieJar();
  const csrf = await csrfFrom(t, jar, '/login');
  const res = await submit('/login', jar, { _csrf: csrf, mobile: '0912 12' }, freshIp());
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /text\/html/);
  assert.match(res.body, /<input[^>]*name="mobile"[^>]*value="0912 12"/);
  assert.match(res.body, /<input[^>]*name="mobile"[^>]*aria-invalid="true"/);
  assert.match(res.body, /<input[^>]*name="mobile"[^>]*aria-describedby="[^"]*f-mobile-error/);
  assert.match(res.body, new RegExp(`id="f-mobile-error"[^>]*>${message('fa', 'auth.mobile_invalid')}<`));
});

test('a profile form with a bad national code is shown again with the error next to that field', async () => {
  const { jar } = await pageSignIn(mobile(53));
  const res = await completeProfile(jar, { national_code: '0084575949', first_name: 'نرگس', last_name: 'احمدی', email: 'n@example.ir' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /<input[^>]*name="national_code"[^>]*value="0084575949"[^>]*aria-invalid="true"/);
  assert.match(res.body, new RegExp(`id="f-national_code-error"[^>]*>${message('fa', 'profile.national_code_invalid')}<`));
  assert.match(res.body, /<input[^>]*name="first_name"[^>]*value="نرگس"/);
  assert.doesNotMatch(res.body, /<input[^>]*name="first_name"[^>]*aria-invalid/);
  assert.equal((await me({ cookie: jar.header() })).json().citizen.national_code, null);
});

test('signing out ends the session: the old cookie and token no longer open /api/v1/me', async () => {
  const { jar } = await pageSignIn(mobile(61));
  const token = jar.get('pk_session')!;
  assert.equal((await me({ authorization: `Bearer ${token}` })).statusCode, 200);
  const oldCookie = jar.header();
  const csrf = await csrfFrom(t, jar, '/profile/edit');
  const out = await submit('/logout', jar, { _csrf: csrf });
  assert.equal(out.statusCode, 303);
  assert.equal(out.headers.location, '/');
  assert.equal(jar.get('pk_session'), undefined, 'the cookie is cleared');
  assert.equal((await me({ cookie: oldCookie })).statusCode, 401);
  assert.equal((await me({ authorization: `Bearer ${token}` })).statusCode, 401);
  const page = await t.app.inject({ method: 'GET', url: '/profile', headers: { cookie: oldCookie } });
  assert.equal(page.statusCode, 303);
  assert.match(String(page.headers.location), /^\/login\?next=/);

  // The API sign-out does the same for a bearer token.
  const ip = freshIp();
  const code = await codeFor(mobile(62), ip);
  const apiToken: string = (await verifyOtp({ mobile: mobile(62), code }, ip)).json().token;
  const apiOut = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${apiToken}` } });
  assert.equal(apiOut.statusCode, 204);
  assert.equal((await me({ authorization: `Bearer ${apiToken}` })).statusCode, 401);
});

// ---------- redirects ----------

test('after sign-in, a next that points off-site is ignored', async () => {
  // A returning citizen (complete profile) is the one who is sent to next.
  const number = mobile(71);
  const first = await pageSignIn(number);
  await completeProfile(first.jar, { national_code: '0499370899', first_name: 'امیر', last_name: 'نوری' });
  // The number may ask for 5 codes an hour: space the sign-ins out.
  const pause = OTP_POLICY.perMobile.windowMs / OTP_POLICY.perMobile.max;
  for (const evil of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '///evil.example']) {
    t.clock.advance(pause);
    const page = await t.app.inject({ method: 'GET', url: `/login?next=${encodeURIComponent(evil)}` });
    assert.doesNotMatch(page.body, /name="next"/, `the login form does not carry ${evil}`);
    const r = await pageSignIn(number, { next: evil });
    assert.equal(r.location, '/profile', evil);
  }
  // A path on this site is honoured.
  t.clock.advance(pause);
  const ok = await pageSignIn(number, { next: '/orgs/sari?tab=services' });
  assert.equal(ok.location, '/orgs/sari?tab=services');
});

test('a first-time citizen who came with a next returns there after completing the profile', async () => {
  const r = await pageSignIn(mobile(72), { next: '/orgs/sari' });
  assert.equal(r.location, '/profile/edit?next=%2Forgs%2Fsari');
  const saved = await completeProfile(r.jar, { national_code: '0067749828', first_name: 'لیلا', last_name: 'صادقی' }, r.location);
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, '/orgs/sari');

  const evil = await pageSignIn(mobile(73), { next: '//evil.example' });
  assert.equal(evil.location, '/profile/edit');
  const jar = evil.jar;
  const csrf = await csrfFrom(t, jar, '/profile/edit?next=%2F%2Fevil.example');
  const res = await submit('/profile', jar, { _csrf: csrf, national_code: '0010079191', first_name: 'کامران', last_name: 'شریفی', next: '//evil.example' });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/profile?saved=1');
});

test('the language switch never redirects off-site', async () => {
  for (const evil of ['//evil.example', 'https://evil.example', '/\\evil.example', '\\\\evil.example']) {
    const res = await t.app.inject({ method: 'GET', url: `/lang/en?next=${encodeURIComponent(evil)}` });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/', evil);
  }
  const home = await t.app.inject({ method: 'GET', url: `/lang/en?next=${encodeURIComponent('/orgs/sari')}` });
  assert.equal(home.headers.location, '/orgs/sari');
  assert.match(String(home.headers['set-cookie']), /pk_lang=en/);
});

test('the language switch ignores a next that browsers read as another host (tab inside //)', async () => {
  const res = await t.app.inject({ method: 'GET', url: `/lang/en?next=${encodeURIComponent('/\t/evil.example')}` });
  const target = new URL(String(res.headers.location), 'https://pishkhan.example/');
  assert.equal(target.host, 'pishkhan.example');
});
