// CSRF across the whole product, generated from the app's route table: every state-changing
// route (POST/PUT/PATCH/DELETE) a browser's cookies reach refuses a request without the form's
// token, with another session's token and with a token taken before sign-in; cookie-authenticated
// API writes refuse what a cross-site form can send (urlencoded, multipart, text/plain). Nothing
// changes in the database while they refuse. Routes that cookies do not authenticate (API keys,
// the sandbox bank's own page) are named below with the reason, and checked to ignore cookies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, makeTestApp } from '../helpers.js';
import { makeWorld, MOBILES, multipart, type World } from './lib/world.js';
import { routeTable, type RouteEntry } from './lib/routes.js';
import { filler } from './lib/fill.js';
import { changed, snapshot } from './lib/snapshot.js';

let w: World;
let writes: RouteEntry[] = [];
const CSRF_FA = 'نشست فرم منقضی شده است';

/** Page-form routes that cookies do not authenticate, and why. */
const NOT_COOKIE_ROUTES: Record<string, string> = {
  'POST /open311/v2/requests.:format': 'Open311 GeoReport: an API key (api_key) or Bearer token, never the session cookie',
  'POST /sandbox-bank/:authority': 'the built-in sandbox bank\'s own page (outside production), which acts on its authority only',
};

before(async () => {
  w = await makeWorld();
  const seen = new Set<string>();
  writes = routeTable(w.t.app).filter((r) => r.method !== 'GET').filter((r) => {
    const key = `${r.method} ${r.path.replace(/:\w+/g, ':')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
});
after(async () => w?.t.close());

/** A browser signed in (cookie) as `who`, with its CSRF secret cookie and a token from a page. */
async function browser(who: string, page = who.includes('.') ? '/staff' : '/profile/edit') {
  const jar = new CookieJar();
  jar.take({ headers: { 'set-cookie': `pk_session=${w.tokens[who]}; Path=/` } });
  const res = await w.t.app.inject({ method: 'GET', url: page, headers: { cookie: jar.header() } });
  jar.take(res);
  const token = res.body.match(/name="_csrf" value="([^"]+)"/)?.[1];
  assert.ok(token, `a token on ${page} for ${who} (${res.statusCode})`);
  return { jar, token };
}

const isCsrfRefusal = (r: { statusCode: number; body: string }) => r.statusCode === 403 && (r.body.includes(CSRF_FA) || r.body.includes('"common.csrf"'));

test('the route table is read whole: every documented API route is in it, and there are many write routes', async () => {
  const doc = (await w.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const table = new Set(routeTable(w.t.app).map((r) => `${r.method} ${r.path.replace(/:\w+/g, '{}')}`));
  const missing: string[] = [];
  for (const [p, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) {
    const key = `${m.toUpperCase()} ${p.replace(/\{\w+\}/g, '{}')}`;
    if (!table.has(key)) missing.push(key);
  }
  assert.deepEqual(missing, []);
  assert.ok(writes.length > 150, `write routes found: ${writes.length}`);
});

test('every page-form write refuses no token, another session\'s token, and changes nothing', async () => {
  const fill = filler(w);
  const victim = await browser('sari.admin');
  const attacker = await browser('bob');
  const before = await snapshot(w.t.deps.db);
  const failures: string[] = [];
  let checked = 0;
  for (const r of writes) {
    if (r.path.startsWith('/api/') || NOT_COOKIE_ROUTES[`${r.method} ${r.path}`]) continue;
    const url = fill(r.path);
    for (const [what, token] of [['no token', undefined], ['another session\'s token', attacker.token], ['a made-up token', 'x'.repeat(40)]] as const) {
      const body = new URLSearchParams({ title: 'csrf', name: 'csrf', text: 'csrf', comment: 'csrf', action: 'accept' });
      if (token) body.set('_csrf', token);
      const res = await w.t.app.inject({ method: r.method as 'POST', url, headers: { cookie: victim.jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
      // The same as multipart (the upload forms read their token from the parts).
      const m = multipart(token ? { _csrf: token, doc_key: 'deed' } : { doc_key: 'deed' }, { filename: 'a.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n'), name: 'file' });
      const res2 = await w.t.app.inject({ method: r.method as 'POST', url, headers: { cookie: victim.jar.header(), ...m.headers }, payload: m.payload });
      // Both refused (4xx), and at least one of them for its token: a form route refuses a
      // multipart body as CSRF or as not its encoding, an upload route the other way round.
      const both = [res, res2];
      if (both.some((x) => x.statusCode < 400 || x.statusCode >= 500) || !both.some(isCsrfRefusal)) failures.push(`${r.method} ${url} (${what}): ${res.statusCode} / multipart ${res2.statusCode}`);
    }
    checked += 1;
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(changed(before, await snapshot(w.t.deps.db)), []);
  assert.ok(checked > 70, `page write routes checked: ${checked}`);
});

test('the victim\'s own token is accepted (the refusals above are the token\'s doing)', async () => {
  const victim = await browser('sari.admin');
  const res = await w.t.app.inject({ method: 'POST', url: '/staff/notices/00000000-0000-4000-8000-000000000000/read', headers: { cookie: victim.jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(victim.token)}` });
  assert.ok(!isCsrfRefusal(res), `${res.statusCode}`);
});

test('every cookie-authenticated API write refuses what a cross-site form can send, and changes nothing', async () => {
  const fill = filler(w);
  const before = await snapshot(w.t.deps.db);
  const failures: string[] = [];
  let checked = 0;
  for (const who of ['sari.admin', 'alice']) {
    const { jar } = await browser(who);
    for (const r of writes) {
      if (!r.path.startsWith('/api/')) continue;
      const url = fill(r.path);
      const bodies: [string, Record<string, string>, string | Buffer][] = [
        ['urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }, 'text=x&comment=x&name=x&title=x&action=accept'],
      ];
      if (who === 'sari.admin') bodies.push(['text/plain', { 'content-type': 'text/plain' }, '{"text":"x","comment":"x","action":"accept"}']);
      const m = multipart({ doc_key: 'deed', caption: 'x' }, { filename: 'a.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') });
      bodies.push(['multipart', m.headers, m.payload]);
      for (const [what, headers, payload] of bodies) {
        const res = await w.t.app.inject({ method: r.method as 'POST', url, headers: { cookie: jar.header(), ...headers }, payload });
        // Refused as CSRF, or before it by the body's type/shape; never served.
        if (res.statusCode < 400 || res.statusCode >= 500) failures.push(`${who} ${r.method} ${url} (${what}): ${res.statusCode} ${res.body.slice(0, 120)}`);
        else if (what !== 'text/plain' && res.statusCode !== 403 && res.statusCode !== 415 && res.statusCode !== 400) failures.push(`${who} ${r.method} ${url} (${what}): ${res.statusCode}`);
      }
      checked += 1;
    }
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(changed(before, await snapshot(w.t.deps.db)), []);
  assert.ok(checked > 150, `API write routes checked: ${checked}`);
});

test('routes cookies do not authenticate ignore the session cookie', async () => {
  const { jar } = await browser('alice');
  const before = await snapshot(w.t.deps.db);
  const body = 'service_code=pothole&lat=36.56&long=53.06&description=csrf+report+text';
  const res = await w.t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `open311 with only a cookie: ${res.statusCode}`);
  assert.deepEqual(changed(before, await snapshot(w.t.deps.db)), []);
  assert.ok(Object.keys(NOT_COOKIE_ROUTES).length <= 2);
});

test('a token taken before sign-in is refused after sign-in (citizen by SMS code, staff by password)', async () => {
  // Citizen: the login page's token signs in, then cannot change the profile.
  const jar = new CookieJar();
  const page = await w.t.app.inject({ method: 'GET', url: '/login' });
  jar.take(page);
  const early = page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const post = (url: string, fields: Record<string, string>) => w.t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
  const r1 = await post('/login', { _csrf: early, mobile: MOBILES.bob });
  assert.equal(r1.statusCode, 303, r1.body.slice(0, 300));
  const { drainOutbox } = await import('../helpers.js');
  await drainOutbox(w.t);
  const r2 = await post('/login/verify', { _csrf: early, mobile: MOBILES.bob, code: w.t.sms.lastCodeFor(MOBILES.bob)! });
  assert.equal(r2.statusCode, 303, r2.body.slice(0, 300));
  jar.take(r2);
  assert.ok(jar.get('pk_session'));
  const r3 = await post('/profile', { _csrf: early, first_name: 'حمله', last_name: 'حمله', national_code: '0084575948' });
  assert.ok(isCsrfRefusal(r3), `profile with a pre-sign-in token: ${r3.statusCode}`);
  // A token from a page after sign-in works.
  const fresh = (await w.t.app.inject({ method: 'GET', url: '/profile/edit', headers: { cookie: jar.header() } })).body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const r4 = await post('/profile', { _csrf: fresh, first_name: 'بابک', last_name: 'نیکو', national_code: '0084575948' });
  assert.equal(r4.statusCode, 303);

  // Staff.
  const sj = new CookieJar();
  const sp = await w.t.app.inject({ method: 'GET', url: '/staff/login' });
  sj.take(sp);
  const sEarly = sp.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const s1 = await w.t.app.inject({ method: 'POST', url: '/staff/login', headers: { cookie: sj.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: sEarly, username: 'babol.admin', password: w.passwords['babol.admin']! }).toString() });
  assert.equal(s1.statusCode, 303);
  sj.take(s1);
  const s2 = await w.t.app.inject({ method: 'POST', url: '/staff/api-clients', headers: { cookie: sj.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: sEarly, org: 'babol', name: 'csrf', scopes: 'reports.read' }).toString() });
  assert.ok(isCsrfRefusal(s2), `staff write with a pre-sign-in token: ${s2.statusCode}`);
});

test('cookie flags: the session and CSRF cookies are HttpOnly and SameSite; Secure when served over https', async () => {
  const check = async (env: Record<string, string>, secure: boolean) => {
    const t = env.PUBLIC_URL ? await makeTestApp(env) : w.t;
    try {
      const page = await t.app.inject({ method: 'GET', url: '/login' });
      const csrfCookie = String([page.headers['set-cookie']].flat().find((c) => String(c).startsWith('_csrf=')));
      const token = page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
      await t.app.inject({ method: 'POST', url: '/login', headers: { cookie: csrfCookie.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${token}&mobile=09121110009` });
      const { drainOutbox } = await import('../helpers.js');
      await drainOutbox(t);
      const verify = await t.app.inject({ method: 'POST', url: '/login/verify', headers: { cookie: csrfCookie.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${token}&mobile=09121110009&code=${t.sms.lastCodeFor('09121110009')}` });
      const sessionCookie = String([verify.headers['set-cookie']].flat().find((c) => String(c).startsWith('pk_session=')));
      for (const [name, c] of [['_csrf', csrfCookie], ['pk_session', sessionCookie]] as const) {
        assert.match(c, /;\s*HttpOnly/i, `${name} HttpOnly: ${c}`);
        assert.match(c, /;\s*SameSite=(Lax|Strict)/i, `${name} SameSite: ${c}`);
        assert.equal(/;\s*Secure/i.test(c), secure, `${name} Secure=${secure}: ${c}`);
      }
    } finally {
      if (t !== w.t) await t.close();
    }
  };
  await check({}, false);
  await check({ PUBLIC_URL: 'https://pishkhan.example.ir' }, true);
});
