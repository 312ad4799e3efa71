// Open redirects: every redirect that takes a target from the user (next= after citizen and
// staff sign-in, the language switch, return_to through the bank and back, and any GET route of
// the route table given next/return_to/redirect/url/org) stays on this site, for every hostile
// spelling of another site.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, drainOutbox } from '../helpers.js';
import { makeWorld, type World } from './lib/world.js';
import { routeTable } from './lib/routes.js';
import { filler } from './lib/fill.js';

let w: World;
before(async () => { w = await makeWorld(); });
after(async () => w?.t.close());

const SITE = 'https://pishkhan.example.ir';
export const EVIL = [
  '//evil.example', 'https://evil.example', 'http:evil.example', '/\\evil.example', '\\\\evil.example', '/\\/evil.example', '///evil.example',
  'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', '%2F%2Fevil.example', '/%2F%2Fevil.example',
  '/%5Cevil.example', '/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/ /evil.example', '\u3002/evil.example', '/\u2215/evil.example',
  'https:\\\\evil.example', '//evil.example@pishkhan.example.ir', '/@evil.example', 'evil.example', '/.evil.example', '//%09evil.example',
];

/** True when a Location header, resolved against this site, stays on it (and is not a script URL). */
function onSite(location: unknown): boolean {
  if (location === undefined) return true;
  const loc = String(location);
  if (/^\s*(javascript|data|vbscript):/i.test(loc)) return false;
  // What a browser does: drop tabs and newlines, treat backslashes as slashes.
  const cleaned = loc.replace(/[\t\n\r]/g, '').replace(/\\/g, '/');
  try {
    return new URL(cleaned, SITE).origin === SITE;
  } catch {
    return false;
  }
}

test('the on-site check itself refuses hostile targets and keeps ordinary paths', () => {
  for (const e of ['//evil.example', 'https://evil.example', 'http:evil.example', '/\\evil.example', '\\\\evil.example', '///evil.example', 'javascript:alert(1)', '/\t/evil.example', 'https:\\\\evil.example']) assert.equal(onSite(e), false, e);
  for (const ok of ['/profile', '/my/applications/1?x=1#y', '/%2F%2Fevil.example', '/news/tags/%D8%B3']) assert.equal(onSite(ok), true, ok);
});

async function signedJar(who?: string) {
  const jar = new CookieJar();
  if (who) jar.take({ headers: { 'set-cookie': `pk_session=${w.tokens[who]}; Path=/` } });
  return jar;
}
async function tokenOn(jar: CookieJar, url: string) {
  const r = await w.t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
  jar.take(r);
  return r.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
}
const post = (jar: CookieJar, url: string, fields: Record<string, string>, remoteAddress = '127.0.0.1') =>
  w.t.app.inject({ method: 'POST', url, remoteAddress, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });

test('sign-in next= (citizen by SMS code, staff by password) and the language switch stay on this site', async () => {
  const bad: string[] = [];
  for (const [i, evil] of EVIL.entries()) {
    // Citizen: the form carries next through both steps (a number and an address of its own, under the sign-in limits).
    const mobile = `0912555${String(1000 + i).slice(-4)}`;
    const remoteAddress = `10.9.0.${i + 1}`;
    const jar = await signedJar();
    const r1 = await post(jar, '/login', { _csrf: await tokenOn(jar, `/login?next=${encodeURIComponent(evil)}`), mobile, next: evil }, remoteAddress);
    if (!onSite(r1.headers.location)) bad.push(`/login ${JSON.stringify(evil)} -> ${r1.headers.location}`);
    await drainOutbox(w.t);
    const r2 = await post(jar, '/login/verify', { _csrf: await tokenOn(jar, `/login/verify?mobile=${mobile}&next=${encodeURIComponent(evil)}`), mobile, code: w.t.sms.lastCodeFor(mobile) ?? '', next: evil }, remoteAddress);
    if (r2.statusCode !== 303 || !onSite(r2.headers.location)) bad.push(`/login/verify ${JSON.stringify(evil)} -> ${r2.statusCode} ${r2.headers.location}`);
    // The profile form's next (a first sign-in that started elsewhere).
    jar.take(r2);
    const r3 = await post(jar, '/profile', { _csrf: await tokenOn(jar, `/profile/edit?next=${encodeURIComponent(evil)}`), first_name: 'بابک', last_name: 'نیکو', national_code: '0084575948', next: evil }, remoteAddress);
    if (!onSite(r3.headers.location)) bad.push(`/profile ${JSON.stringify(evil)} -> ${r3.headers.location}`);
    // Staff.
    const sj = await signedJar();
    const s1 = await post(sj, '/staff/login', { _csrf: await tokenOn(sj, `/staff/login?next=${encodeURIComponent(evil)}`), username: 'babol.clerk', password: w.passwords['babol.clerk']!, next: evil }, remoteAddress);
    if (s1.statusCode !== 303 || !onSite(s1.headers.location)) bad.push(`/staff/login ${JSON.stringify(evil)} -> ${s1.statusCode} ${s1.headers.location}`);
    // Language switch.
    const l = await w.t.app.inject({ method: 'GET', url: `/lang/en?next=${encodeURIComponent(evil)}` });
    if (l.statusCode >= 500 || !onSite(l.headers.location)) bad.push(`/lang ${JSON.stringify(evil)} -> ${l.statusCode} ${l.headers.location}`);
  }
  assert.deepEqual(bad, []);
  // An on-site target with Persian letters goes there (percent-encoded), not to a 500.
  const fa = await w.t.app.inject({ method: 'GET', url: `/lang/en?next=${encodeURIComponent('/news/tags/ساری')}` });
  assert.equal(fa.statusCode, 303);
  assert.equal(decodeURIComponent(String(fa.headers.location)), '/news/tags/ساری');
});

test('return_to through the bank: a payment keeps only an on-site address, and the bill page\'s form too', async () => {
  const bad: string[] = [];
  for (const [i, evil] of EVIL.entries()) {
    const r = await w.t.app.inject({ method: 'POST', url: '/api/v1/payments', remoteAddress: `10.8.0.${i + 1}`, headers: w.bearer('alice'), payload: { bill_ids: [w.ids.bill], return_to: evil } });
    if (r.statusCode >= 300) { bad.push(`payment ${JSON.stringify(evil)}: ${r.statusCode} ${r.body.slice(0, 100)}`); continue; }
    const row = await w.t.deps.db.selectFrom('payments').select('return_to').where('id', '=', r.json().payment_id ?? r.json().id).executeTakeFirstOrThrow();
    if (!onSite(row.return_to)) bad.push(`payment ${JSON.stringify(evil)} kept ${row.return_to}`);
    const page = await w.t.app.inject({ method: 'GET', url: `/bills/${w.ids.bill}?return_to=${encodeURIComponent(evil)}`, headers: { cookie: `pk_session=${w.tokens.alice}` } });
    const field = page.body.match(/name="return_to" value="([^"]*)"/)?.[1];
    if (field !== undefined && !onSite(field.replace(/&amp;/g, '&'))) bad.push(`bill page ${JSON.stringify(evil)} -> ${field}`);
  }
  assert.deepEqual(bad, []);
});

test('no GET route of the route table redirects off-site, whatever next/return_to/redirect/url/org it is given', async () => {
  const fill = filler(w);
  const gets = routeTable(w.t.app).filter((r) => r.method === 'GET' && !r.path.includes('*') && !r.path.startsWith('/static/'));
  const bad: string[] = [];
  let redirects = 0;
  for (const evil of ['/\\evil.example']) {
    const e = encodeURIComponent(evil);
    for (const r of gets) {
      for (const who of [undefined, 'alice', 'sari.admin']) {
        const jar = await signedJar(who);
        const res = await w.t.app.inject({ method: 'GET', url: `${fill(r.path)}?next=${e}&return_to=${e}&redirect=${e}&url=${e}&back=${e}`, headers: { cookie: jar.header() } });
        if (res.statusCode >= 300 && res.statusCode < 400) {
          redirects += 1;
          if (!onSite(res.headers.location)) bad.push(`${who ?? 'anonymous'} ${r.path} ${evil} -> ${res.headers.location}`);
        }
      }
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(redirects > 30, `redirects seen: ${redirects}`);
});
