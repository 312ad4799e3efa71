// Property-based fuzzing of every HTML form the app serves, on a real database (SQLite or
// PostgreSQL, TEST_DB). The forms are found by crawling the pages the demo data reaches as
// anonymous, a citizen, a clerk, a manager, an org admin, the province admin, a PR editor, a
// reference author and the council secretariat (test/fuzz/lib/crawl.ts); each is posted with a
// valid CSRF token and fuzzed values (hostile strings, wrong options, dropped, repeated and extra
// fields, lying files). Properties: never a 5xx; no stack trace, path or SQL in the page; a 4xx
// page says what was wrong in Persian (a field's message or the error page's alert); no
// half-record afterwards (test/fuzz/lib/invariants.ts, the audit chain at the end).
// FUZZ_SEED replays a run, FUZZ_RUNS multiplies the runs, FUZZ_ONLY picks forms by name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { makeFuzzWorld, type FuzzActor, type FuzzWorld } from './lib/world.js';
import { crawlForms, pattern, type FoundForm, type FormField } from './lib/crawl.js';
import { assertProperty, fuzzOnly, fuzzScale, fuzzSeed, leakIn } from './lib/checks.js';
import { brokenInvariants } from './lib/invariants.js';
import { hostileString } from './lib/arbitraries.js';
import { fileContent } from './lib/requests.js';
import { routeTable } from '../security/lib/routes.js';

const RUNS = Math.round(Number(process.env.FUZZ_FORM_RUNS ?? 6) * fuzzScale);
const CRAWLERS = ['anonymous', 'citizen', 'sari.clerk', 'sari.manager', 'sari.admin', 'province.admin', 'sari.pr', 'sari-ict.author', 'council.member'];
const START = ['/', '/services', '/news', '/reports', '/report', '/track', '/verify', '/clearance', '/bills', '/council', '/transparency', '/open-data', '/login', '/staff/login',
  '/profile', '/profile/edit', '/my/applications', '/my/reports', '/staff', '/staff/inbox', '/staff/counter', '/staff/reports', '/staff/reports/categories', '/staff/reports/categories/new',
  '/staff/news', '/staff/news/new', '/staff/catalog', '/staff/catalog/templates', '/staff/catalog/import', '/staff/bills', '/staff/bills/new', '/staff/bills/import', '/staff/costs',
  '/staff/council', '/staff/council/targets', '/staff/agencies', '/staff/api-clients', '/staff/webhooks', '/staff/security', '/staff/audit'];
const PERSIAN_PROBLEM = /(invalid-feedback[^>]*>|role="alert"[^>]*>|class="alert[^"]*"[^>]*>)(\s|<[^>]+>)*[^<]*[\u0600-\u06FF]/;

let w: FuzzWorld;
interface Target { name: string; form: FoundForm; actor: FuzzActor }
const targets: Target[] = [];
const counts = { requests: 0, pages: 0, byStatus: new Map<number, number>() };

function cookieOf(w: FuzzWorld, actor: FuzzActor, jar: Map<string, string>): string {
  const parts = [...jar].map(([k, v]) => `${k}=${v}`);
  if (actor.token && actor.kind !== 'api_key') parts.push(`pk_session=${actor.token}`);
  return parts.join('; ');
}
function take(jar: Map<string, string>, res: { headers: Record<string, unknown> }) {
  const raw = res.headers['set-cookie'];
  for (const c of Array.isArray(raw) ? raw : raw ? [String(raw)] : []) {
    const [pair] = String(c).split(';');
    const i = pair!.indexOf('=');
    const name = pair!.slice(0, i).trim();
    if (name !== 'pk_session') jar.set(name, pair!.slice(i + 1).trim());
  }
}

/** Pages of the demo data's records (applications, reports, articles, webhooks...), where most forms are. */
async function recordPages(w: FuzzWorld): Promise<string[]> {
  const db = w.t.deps.db;
  const admin = w.actors.find((a) => a.name === 'sari.admin')!;
  await w.t.app.inject({ method: 'POST', url: '/api/v1/orgs/sari/webhooks', headers: { authorization: `Bearer ${admin.token}` }, payload: { url: 'http://127.0.0.1:9/hook', event_types: ['application.submitted'] } });
  const p = await w.pools();
  const apps = await db.selectFrom('applications').select(['id', 'phase']).execute();
  const drafts = apps.filter((a) => a.phase === 'draft').map((a) => a.id);
  const open = apps.filter((a) => a.phase !== 'draft').map((a) => a.id);
  const sariServices = await db.selectFrom('org_services').innerJoin('service_templates', 'service_templates.id', 'org_services.template_id').innerJoin('orgs', 'orgs.id', 'org_services.org_id')
    .select('service_templates.code').where('orgs.code', '=', 'sari').limit(3).execute();
  const external = await db.selectFrom('external_services').innerJoin('orgs', 'orgs.id', 'external_services.org_id').select(['orgs.code as agency', 'external_services.code']).limit(1).execute();
  const webhooks = await db.selectFrom('webhook_subscriptions').select('id').execute();
  return [
    ...open.flatMap((id) => [`/staff/applications/${id}`, `/my/applications/${id}`]),
    ...drafts.flatMap((id) => [`/applications/${id}/edit`, `/applications/${id}/documents`, `/applications/${id}/review`, `/my/applications/${id}`]),
    ...sariServices.map((s) => `/apply/sari/${s.code}`),
    ...p.report!.flatMap((id) => [`/staff/reports/${id}`, `/my/reports/${id}`]),
    ...p.news!.slice(0, 2).flatMap((c) => [`/news/${c}`, `/staff/news/${c}`]),
    ...webhooks.map((x) => `/staff/webhooks/${x.id}`),
    ...external.flatMap((e) => [`/staff/agencies/${e.agency}`, `/staff/agencies/${e.agency}/services/${e.code}`]),
    ...p.service!.slice(0, 2).flatMap((c) => [`/staff/catalog/templates/${c}`, `/staff/catalog/templates/${c}/versions/1/edit`]),
    ...p.meeting!.slice(0, 1).map((n) => `/staff/council/meetings/${n}/edit`),
    ...p.resolution!.slice(0, 1).map((id) => `/staff/council/resolutions/${id}/edit`),
    ...p.category!.slice(0, 1).map((c) => `/staff/reports/categories/${c}`),
    '/staff/orgs/sari/services', '/staff/orgs/sari/external', ...sariServices.slice(0, 1).map((s) => `/staff/orgs/sari/services/${s.code}`),
  ];
}

before(async () => {
  w = await makeFuzzWorld();
  const start = [...await recordPages(w), ...START];
  const seen = new Set<string>();
  for (const name of CRAWLERS) {
    const actor = w.actors.find((a) => a.name === name)!;
    const jar = new Map<string, string>();
    // Staff start from the staff desk's pages, citizens and visitors from the public ones.
    const mine = start.filter((u) => u.startsWith('/staff') === (actor.kind === 'staff'));
    const { forms, pages } = await crawlForms(w.t.app, () => cookieOf(w, actor, jar), { start: mine, maxPages: mine.length + 10 });
    counts.pages += pages;
    for (const form of forms) {
      const key = `${actor.group === 'anonymous' ? 'anonymous' : actor.kind}:${pattern(form.action)}:${form.fields.map((f) => f.name).sort().join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const t = { name: `POST ${pattern(form.action)} as ${name} (from ${pattern(form.page)})`, form, actor };
      if (!fuzzOnly || fuzzOnly.test(t.name)) targets.push(t);
    }
  }
  process.stderr.write(`# fuzz seed ${fuzzSeed} (rerun with FUZZ_SEED=${fuzzSeed}); crawled ${counts.pages} pages, ${targets.length} forms x ${RUNS} runs\n`);
});
after(async () => {
  process.stderr.write(`# posted ${counts.requests} forms; status ${JSON.stringify(Object.fromEntries([...counts.byStatus].sort()))}\n`);
  await w?.close();
});

/** Values for one field: kept, hostile, another option, dropped, repeated. */
function fieldArb(f: FormField): fc.Arbitrary<string[] | null> {
  if (f.name === '_csrf') return fc.constant(null);
  const keep = fc.constant<string[]>([f.value]);
  const hostile = hostileString.map((s) => [s]);
  const option = f.options.length ? fc.constantFrom(...f.options).map((o) => [o]) : keep;
  return fc.oneof(
    { weight: f.type === 'hidden' ? 6 : 2, arbitrary: keep },
    { weight: 2, arbitrary: option },
    { weight: 4, arbitrary: hostile },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(hostileString, { minLength: 2, maxLength: 3 }) },
  );
}

function formArb(form: FoundForm) {
  const fields = form.fields.filter((f) => f.type !== 'file' && f.type !== 'submit');
  const files = form.fields.filter((f) => f.type === 'file');
  return fc.record({
    values: fc.tuple(...fields.map(fieldArb)),
    files: fc.tuple(...files.map(() => fc.option(fc.record({ filename: hostileString, type: fc.constantFrom('image/png', 'application/pdf', 'text/csv', 'text/html', ''), content: fileContent }), { freq: 5 }))),
    extra: fc.option(fc.tuple(fc.constantFrom('org', 'org_id', 'id', 'state', 'role', 'citizen_id', '__proto__', 'x'), hostileString), { freq: 3 }),
  }).map(({ values, files: fileValues, extra }) => {
    const pairs: [string, string][] = [];
    fields.forEach((f, i) => { for (const v of values[i] ?? []) pairs.push([f.name, v]); });
    if (extra) pairs.push(extra);
    const uploads = files.flatMap((f, i) => (fileValues[i] ? [{ name: f.name, ...fileValues[i]! }] : []));
    return { pairs, uploads };
  });
}

function encode(form: FoundForm, csrf: string, input: { pairs: [string, string][]; uploads: { name: string; filename: string; type: string; content: Buffer }[] }) {
  const pairs: [string, string][] = [['_csrf', csrf], ...input.pairs];
  if (!form.multipart) {
    const sp = new URLSearchParams();
    for (const [k, v] of pairs) sp.append(k, v);
    return { type: 'application/x-www-form-urlencoded', payload: sp.toString() };
  }
  const b = `fuzz${randomBytes(6).toString('hex')}`;
  const safe = (s: string) => s.replace(/[\r\n"]/g, '_');
  const chunks: Buffer[] = [];
  for (const [k, v] of pairs) chunks.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${safe(k)}"\r\n\r\n${v}\r\n`));
  for (const u of input.uploads) chunks.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${safe(u.name)}"; filename="${safe(u.filename)}"\r\nContent-Type: ${u.type}\r\n\r\n`), u.content, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${b}--\r\n`));
  return { type: `multipart/form-data; boundary=${b}`, payload: Buffer.concat(chunks) };
}

test('the crawl finds forms for most of the page routes that take a POST', () => {
  if (fuzzOnly) return;
  const posts = new Set(routeTable(w.t.app).filter((r) => r.method === 'POST' && !r.path.startsWith('/api/') && !r.path.startsWith('/open311/')).map((r) => r.path.replace(/:\w+/g, ':')));
  const reached = new Set(targets.map((t) => t.form.action.split('?')[0]!));
  const matched = [...posts].filter((p) => [...reached].some((a) => new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:/g, '[^/]+')}$`).test(a)));
  process.stderr.write(`# forms reach ${matched.length} of ${posts.size} page POST routes; not reached: ${[...posts].filter((p) => !matched.includes(p)).join(' ')}\n`);
  assert.ok(targets.length >= 30, `${targets.length} forms found`);
  assert.ok(matched.length >= posts.size / 2, `${matched.length} of ${posts.size} page POST routes reached`);
});

test('every form found is fuzzed with a valid CSRF token', async (t) => {
  for (const target of targets) {
    await t.test(target.name, async () => {
      const jar = new Map<string, string>();
      const page = await w.t.app.inject({ method: 'GET', url: target.form.page, headers: { cookie: cookieOf(w, target.actor, jar) } });
      take(jar, page);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      await assertProperty(target.name, fc.asyncProperty(formArb(target.form), async (input) => {
        const { type, payload } = encode(target.form, csrf, input);
        const res = await w.t.app.inject({ method: 'POST', url: target.form.action, headers: { cookie: cookieOf(w, target.actor, jar), 'content-type': type }, payload });
        counts.requests += 1;
        counts.byStatus.set(res.statusCode, (counts.byStatus.get(res.statusCode) ?? 0) + 1);
        const where = `POST ${target.form.action} -> ${res.statusCode}`;
        if (res.statusCode >= 500) throw new Error(`5xx: ${where}\nbody: ${res.body.slice(0, 300)}\napp log: ${w.errors[w.errors.length - 1]?.slice(0, 2000) ?? ''}`);
        const leak = leakIn(res.body);
        if (leak) throw new Error(`leak in ${where}: ${leak}`);
        if (res.statusCode === 403 && /نشست فرم منقضی/.test(res.body)) throw new Error(`the valid CSRF token was refused: ${where}`);
        const html = String(res.headers['content-type'] ?? '').includes('text/html');
        if (res.statusCode >= 400 && html && !PERSIAN_PROBLEM.test(res.body)) throw new Error(`a ${res.statusCode} page that does not say in Persian what was wrong: ${where}\n${res.body.replace(/\s+/g, ' ').slice(0, 600)}`);
      }), RUNS);
      await w.restoreActors();
      assert.deepEqual(await brokenInvariants(w.t.deps.db, w.t.deps.files), [], `no half-record after ${target.name}`);
    });
  }
});

test('after the whole run: the invariants hold, stored files exist and the audit chain verifies', async () => {
  assert.deepEqual(await brokenInvariants(w.t.deps.db, w.t.deps.files, { full: true }), []);
});
