// IDOR across the whole product, generated from the route table: every route (pages and API,
// reads and writes) is called with organization A's ids and codes filled in (and ?org= A), as
// each outsider: another citizen, B's org admin and clerk (cookie for pages, Bearer for the API),
// B's API key, and no one. No answer may carry A's private data (the citizen's mobile, national
// code and name, her application's answers, staff notes and internal comments, API client and
// webhook texts), no outsider's write may succeed, and the table counts and the audit log stay
// as they were.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar } from '../helpers.js';
import { makeWorld, MOBILES, multipart, type World } from './lib/world.js';
import { routeTable, type RouteEntry } from './lib/routes.js';
import { filler } from './lib/fill.js';
import { changed, snapshot } from './lib/snapshot.js';

let w: World;
let routes: RouteEntry[] = [];
/** Texts only A's own people may see; each field of the world gets its own. */
const PRIVATE = new Set(['address', 'registration_plate', 'staff_note', 'staff_comment', 'inspector_comment', 'report_internal', 'client_name', 'webhook_description']);
const text = (f: string) => (PRIVATE.has(f) ? `S3CR3T-${f.replace(/_/g, '-')}` : `public ${f}`);
const ALICE_NC = '0048123791';
const NAMES = { first: 'نگارینه', last: 'رازنهان‌پور' };
const markers = () => [...[...PRIVATE].map((f) => text(f)), MOBILES.alice, '۰۹۱۲۱۱۱۰۰۰۱', ALICE_NC, NAMES.last];

/** Public writes anyone may make, whose id is not anyone's private row. */
const PUBLIC_WRITES: Record<string, string> = {
  'POST /news/:code/share': 'send a published article to a friend',
  'POST /api/v1/news/:code/share': 'send a published article to a friend',
  'POST /sandbox-bank/:authority': 'the sandbox bank\'s own page, acting on an authority only',
  'POST /apply/:org/:service': 'starts the caller\'s own draft of a public service',
};

before(async () => {
  w = await makeWorld({ text });
  const p = await w.api('PUT', '/api/v1/me/profile', 'alice', { national_code: ALICE_NC, first_name: NAMES.first, last_name: NAMES.last });
  assert.equal(p.statusCode, 200, p.body);
  const seen = new Set<string>();
  routes = routeTable(w.t.app).filter((r) => {
    const key = `${r.method} ${r.path.replace(/:\w+/g, ':')}`;
    // /dev/outbox lists every message sent, by design, and exists only outside production.
    // Sign-in, sign-out and one's own profile and authenticator act on the caller's own account
    // only (and sign-out would end the outsiders' sessions).
    if (/^\/(api\/v1\/auth\/|api\/v1\/me|logout|login|profile|staff\/login|staff\/security)/.test(r.path)) return false;
    if (seen.has(key) || r.path.startsWith('/dev/') || r.path.includes('*') || r.path.startsWith('/static/') || r.path.startsWith('/api/docs')) return false;
    seen.add(key);
    return true;
  });
});
after(async () => w?.t.close());

const OUTSIDERS = ['bob', 'babol.admin', 'babol.clerk', 'keyB', 'anonymous'] as const;

async function jarOf(who: string) {
  const jar = new CookieJar();
  if (w.tokens[who]) jar.take({ headers: { 'set-cookie': `pk_session=${w.tokens[who]}; Path=/` } });
  const page = who.includes('.') ? '/staff' : who === 'anonymous' ? '/login' : '/profile/edit';
  const res = await w.t.app.inject({ method: 'GET', url: page, headers: { cookie: jar.header() } });
  jar.take(res);
  return { jar, token: res.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '' };
}

const BODY = { text: 'idor', comment: 'idor', note: 'idor', action: 'accept', title: 'idor', name: 'idor', state: 'resolved', progress: 50, rating: 1, internal: false, reason: 'idor', assignee: 'babol.clerk' };

test('no outsider reads or changes organization A\'s or another citizen\'s data on any route', async () => {
  const fill = filler(w);
  const jars: Record<string, { jar: CookieJar; token: string }> = {};
  for (const who of OUTSIDERS) if (who !== 'keyB') jars[who] = await jarOf(who);
  const secrets = markers();
  // The markers are really there for A's own people (the sweep would find a leak).
  const own = await w.t.app.inject({ method: 'GET', url: `/staff/applications/${w.ids.app}`, headers: { cookie: `pk_session=${w.tokens['sari.clerk']}` } });
  for (const m of [text('address'), text('staff_note'), NAMES.last]) assert.ok(own.body.includes(m), `A's clerk sees ${m}`);

  const before = await snapshot(w.t.deps.db);
  const auditCount = async () => Number((await w.t.deps.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const leaks: string[] = [];
  const writes: string[] = [];
  let calls = 0;
  for (const r of routes) {
    const isApi = r.path.startsWith('/api/') || r.path.startsWith('/open311/');
    const url = `${fill(r.path)}${r.path.includes('?') ? '&' : '?'}org=sari`;
    const isWrite = r.method !== 'GET';
    if (isWrite && PUBLIC_WRITES[`${r.method} ${r.path}`]) continue;
    for (const who of OUTSIDERS) {
      if (who === 'keyB' && !isApi) continue;
      const audit0 = isWrite ? await auditCount() : 0;
      let res;
      if (isApi) {
        const headers = who === 'anonymous' ? {} : { authorization: `Bearer ${w.tokens[who] ?? w.keys[who]}` };
        if (isWrite && /\/(documents|photos|images|import)$/.test(r.path)) {
          const m = multipart({ doc_key: 'deed', caption: 'idor' }, { name: r.path.endsWith('photos') ? 'photos' : r.path.endsWith('images') ? 'image' : 'file', filename: 'a.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') });
          res = await w.t.app.inject({ method: r.method as 'POST', url, headers: { ...headers, ...m.headers }, payload: m.payload });
        } else {
          res = await w.t.app.inject({ method: r.method as 'POST', url, headers, ...(isWrite ? { payload: BODY } : {}) });
        }
      } else {
        const { jar, token } = jars[who]!;
        if (isWrite) {
          const body = new URLSearchParams(Object.entries({ ...BODY, _csrf: token }).map(([k, v]) => [k, String(v)]));
          res = await w.t.app.inject({ method: r.method as 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
        } else {
          res = await w.t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
        }
      }
      calls += 1;
      const found = secrets.filter((s) => res.body.includes(s));
      if (found.length) leaks.push(`${who} ${r.method} ${url} -> ${res.statusCode}: ${found.join(', ')}`);
      if (isWrite) {
        const moved = (await auditCount()) !== audit0;
        const served = res.statusCode < 400 && !(res.statusCode === 303 && /\/login/.test(String(res.headers.location)));
        if (moved || served) writes.push(`${who} ${r.method} ${url} -> ${res.statusCode}${moved ? ' (audited change)' : ''} ${res.body.slice(0, 100)}`);
      }
    }
  }
  assert.deepEqual(leaks, []);
  assert.deepEqual(writes, []);
  assert.deepEqual(changed(before, await snapshot(w.t.deps.db)), []);
  assert.ok(calls > 1000, `calls: ${calls}`);
});
