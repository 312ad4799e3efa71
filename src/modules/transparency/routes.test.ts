// The public transparency dashboards over HTTP, on generated demo activity: the province, a
// municipality and a service render in Persian and English; the figures on the page are the
// figures kpis() gives for the same scope and period; the charts are SVG that the site's CSP
// lets through (no script, no inline handlers or styles); unknown places answer 404 and a bad
// period a localized 400; the scope form redirects to the page it chose.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../../../test/helpers.js';
import { seedDemo } from '../orgs/seed.js';
import { toAsciiDigits } from '../../platform/i18n/persian.js';
import { generateDemoActivity } from './demo-activity.js';
import { rebuildRollups } from './rollup.js';
import { kpis, league, serviceBreakdown, trend } from './kpi.js';
import { currentPeriod, formatPeriod, parsePeriod, previousPeriods, type Period } from './periods.js';
import { FIGURE_SECTIONS } from './views/dashboard.js';
import type { KpiSet } from './kpi-types.js';
import './messages-dashboard.js';

let t: TestApp;
let season: Period;
const ORGS = ['sari', 'babol'];
const opts = () => ({ costPerVisitRials: t.deps.config.costPerVisitRials });

before(async () => {
  t = await makeTestApp();
  const now = t.clock.now();
  await seedDemo(t.deps.db, t.deps.services.identity, now);
  await generateDemoActivity(t.deps.db, { days: 200, scale: 0.05, orgs: ORGS, now, calendar: t.deps.calendar, seed: 6 });
  await rebuildRollups(t.deps.db, t.deps.calendar, { clock: t.clock, dialect: t.deps.dialect });
  // The current season has just begun at the test clock's date; the previous one is full.
  season = previousPeriods(currentPeriod('season', now), 2)[0]!;
});
after(async () => { await t?.close(); });

const get = (url: string, lang: 'fa' | 'en' = 'fa') => t.app.inject({ method: 'GET', url, headers: { cookie: `pk_lang=${lang}` } });

/** The figures table: KpiSet path -> the raw value the page states (null for unknown). */
function figuresOf(html: string): Map<string, number | null> {
  const table = /<table[^>]*id="pk-figures"[\s\S]*?<\/table>/.exec(html)?.[0];
  assert.ok(table, 'the page has the figures table');
  const out = new Map<string, number | null>();
  for (const m of table.matchAll(/<tr data-kpi="([^"]+)">[\s\S]*?<td data-value="([^"]*)">([^<]*)<\/td>/g)) {
    out.set(m[1]!, m[2] === 'null' ? null : Number(m[2]));
  }
  return out;
}

/** The value the figures table should state for each key, straight from the KpiSet. */
function expected(set: KpiSet): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const f of FIGURE_SECTIONS.flatMap((s) => s.figures)) out.set(f.key, f.value(set));
  out.set('applications.satisfaction.respondents', set.applications.satisfaction.respondents);
  return out;
}

function assertSafeSvg(html: string) {
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.ok(svgs.length >= 1, 'at least one chart');
  for (const svg of svgs) {
    assert.match(svg, /^<svg[^>]*role="img"[^>]*aria-labelledby="[^"]+"/);
    assert.match(svg, /<title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]+<\/desc>/);
    assert.doesNotMatch(svg, /<script|<style|\sstyle=|\son[a-z]+=|javascript:|<foreignObject/i);
  }
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)/i, 'no inline script on the page');
  assert.doesNotMatch(html, /\sstyle="/, 'no inline style attributes (CSP style-src \'self\')');
}

test('the province dashboard in Persian states the figures kpis() gives, with charts, league and definitions', async () => {
  const res = await get(`/transparency?period=${formatPeriod(season)}`);
  assert.equal(res.statusCode, 200, res.body.slice(0, 500));
  assert.match(res.headers['content-security-policy'] as string, /style-src 'self'/);
  const html = res.body;
  assert.match(html, /<html lang="fa" dir="rtl">/);
  const set = await kpis(t.deps.db, {}, season, opts());
  assert.ok(set.applications.received > 0, 'the generated activity reached the rollups');
  assert.deepEqual(figuresOf(html), expected(set));
  // Persian digits in the visible numbers.
  const received = /<tr data-kpi="applications.received">[\s\S]*?<td data-value="\d+">([^<]*)<\/td>/.exec(html)![1]!;
  assert.doesNotMatch(received, /[0-9]/);
  assert.equal(Number(toAsciiDigits(received).replace(/[,٬]/g, '')), set.applications.received);
  assertSafeSvg(html);
  // The definition beside a figure, the league with its method, the CSV of the same numbers.
  assert.ok(html.includes('میانه روزهای کاری از ثبت نهایی'));
  const table = await league(t.deps.db, season, opts());
  for (const row of table) {
    const m = new RegExp(`<tr data-org="${row.org.code}"><td data-value="(\\d+)">[\\s\\S]*?data-kpi="league.score" data-value="([^"]*)"`).exec(html);
    assert.ok(m, `league row of ${row.org.code}`);
    assert.equal(Number(m[1]), row.rank);
    assert.equal(Number(m[2]), row.score);
  }
  assert.match(html, /href="#league-method"/);
  assert.match(html, /id="league-method"/);
  assert.ok(html.includes(`href="/open-data/kpis.csv?period=${formatPeriod(season)}"`));
  assert.match(html, /href="\/open-data"/);
  // Trend tables equal trend() for the same periods.
  const series = await trend(t.deps.db, {}, previousPeriods(season, 8), opts());
  for (const point of series) {
    const m = new RegExp(`data-trend="volume"[\\s\\S]*?<tr data-period="${formatPeriod(point.period)}">[\\s\\S]*?data-kpi="applications.received" data-value="(\\d+)"`).exec(html);
    assert.ok(m, `trend row ${formatPeriod(point.period)}`);
    assert.equal(Number(m[1]), point.kpis.applications.received);
  }
});

test('a municipality in English: its figures, the per-service breakdown and a service page', async () => {
  const period = formatPeriod(season);
  const res = await get(`/transparency/babol?period=${period}`, 'en');
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /<html lang="en" dir="ltr">/);
  assert.deepEqual(figuresOf(res.body), expected(await kpis(t.deps.db, { org: 'babol' }, season, opts())));
  assert.ok(res.body.includes('Applications received'));
  assert.ok(res.body.includes(`href="/open-data/kpis.csv?period=${period}&amp;org=babol"`));
  assertSafeSvg(res.body);
  const services = await serviceBreakdown(t.deps.db, { org: 'babol' }, season, opts());
  assert.ok(services.length > 0);
  for (const s of services) {
    const m = new RegExp(`<tr data-service="${s.service.code}">[\\s\\S]*?data-kpi="applications.received" data-value="(\\d+)"`).exec(res.body);
    assert.ok(m, `breakdown row ${s.service.code}`);
    assert.equal(Number(m[1]), s.kpis.applications.received);
  }
  const one = services[0]!.service.code;
  const page = await get(`/transparency/babol/${one}?period=${period}`, 'en');
  assert.equal(page.statusCode, 200);
  assert.deepEqual(figuresOf(page.body), expected(await kpis(t.deps.db, { org: 'babol', service: one }, season, opts())));
  const fa = await get(`/transparency/babol/${one}?period=${period}`);
  assert.equal(fa.statusCode, 200);
  assert.match(fa.body, /<html lang="fa" dir="rtl">/);
});

test('without a period the current season is shown; months and years are accepted, Persian digits too', async () => {
  const res = await get('/transparency');
  assert.equal(res.statusCode, 200);
  const current = formatPeriod(currentPeriod('season', t.clock.now()));
  assert.match(res.body, new RegExp(`<option value="${current}" selected`));
  for (const p of ['1405-07', '1404', '۱۴۰۵-s2']) {
    const r = await get(`/transparency/sari?period=${encodeURIComponent(p)}`);
    assert.equal(r.statusCode, 200, p);
    assert.deepEqual(figuresOf(r.body), expected(await kpis(t.deps.db, { org: 'sari' }, parsePeriod(p)!, opts())));
  }
});

test('the scope form lands on the page it chose; a service is kept only within the same municipality', async () => {
  const go = await get('/transparency?org=babol&period=1405-s2');
  assert.equal(go.statusCode, 303);
  assert.equal(go.headers.location, '/transparency/babol?period=1405-s2');
  const keep = await get('/transparency?org=babol&from_org=babol&service=building-permit&period=1405');
  assert.equal(keep.headers.location, '/transparency/babol/building-permit?period=1405');
  const drop = await get('/transparency?org=sari&from_org=babol&service=building-permit&period=1405');
  assert.equal(drop.headers.location, '/transparency/sari?period=1405');
  const province = await get('/transparency?org=&period=1405-s1');
  assert.equal(province.statusCode, 200);
});

test('unknown municipality or service: 404 page; bad period: 400 with a localized message', async () => {
  for (const url of ['/transparency/atlantis', '/transparency/babol/no-such-service', '/transparency/Babol', '/transparency/mazandaran', '/transparency?org=..%2Fetc']) {
    const r = await get(url);
    assert.equal(r.statusCode, 404, url);
    assert.match(r.headers['content-type'] as string, /text\/html/);
  }
  for (const bad of ['1404-s5', '1404-13', 'abc', '<script>', '99999']) {
    const fa = await get(`/transparency?period=${encodeURIComponent(bad)}`);
    assert.equal(fa.statusCode, 400, bad);
    const echoed = bad.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    assert.ok(fa.body.includes(`«\u2066${echoed}\u2069» معتبر نیست`), `the message names the period ${bad}`);
    assert.doesNotMatch(fa.body, /<script>/);
  }
  const en = await get('/transparency/babol?period=1404-s9', 'en');
  assert.equal(en.statusCode, 400);
  assert.ok(en.body.includes('is not valid'));
  const json = await t.app.inject({ method: 'GET', url: '/transparency?period=x', headers: { accept: 'application/json' } });
  assert.equal(json.statusCode, 400);
  assert.equal(json.json().error.code, 'tdash.bad_period');
  assert.ok(json.json().error.fields.period);
});

test('the header links to the dashboards', async () => {
  const home = await get('/');
  assert.match(home.body, /<a class="nav-link" href="\/transparency">شفافیت<\/a>/);
});

test('a kept page is never stale: new figures (here a rebuild on another calendar) show at once', async () => {
  const period = formatPeriod(season);
  const url = `/transparency/babol?period=${period}`;
  const before = figuresOf((await get(url)).body);
  assert.deepEqual(figuresOf((await get(url)).body), before, 'the same page again');
  // Thursday a working day changes every processing time in business days.
  const { BusinessCalendar } = await import('../../platform/calendar/business.js');
  await rebuildRollups(t.deps.db, new BusinessCalendar({ thursday: 'work' }), { clock: t.clock, dialect: t.deps.dialect });
  const after = figuresOf((await get(url)).body);
  assert.deepEqual(after, expected(await kpis(t.deps.db, { org: 'babol' }, season, opts())));
  assert.notDeepEqual(after.get('applications.median_days'), before.get('applications.median_days'));
  await rebuildRollups(t.deps.db, t.deps.calendar, { clock: t.clock, dialect: t.deps.dialect });
  assert.deepEqual(figuresOf((await get(url)).body), before);
});

test('a kept page: ETag and 304, compressed copies that decode to the same page, no cookie set for anonymous visitors', async () => {
  const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
  const url = `/transparency/sari?period=${formatPeriod(season)}`;
  const plain = await get(url);
  assert.equal(plain.statusCode, 200);
  const etag = String(plain.headers.etag);
  assert.match(etag, /^"[\w-]{27}"$/);
  assert.equal(plain.headers['cache-control'], 'no-cache');
  assert.match(String(plain.headers.vary), /accept-encoding/);
  assert.equal(plain.headers['content-encoding'], undefined);
  const again = await t.app.inject({ method: 'GET', url, headers: { cookie: 'pk_lang=fa', 'if-none-match': etag } });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  for (const [encoding, decode] of [['br', brotliDecompressSync], ['gzip', gunzipSync]] as const) {
    const r = await t.app.inject({ method: 'GET', url, headers: { cookie: 'pk_lang=fa', 'accept-encoding': `${encoding}, deflate` } });
    assert.equal(r.headers['content-encoding'], encoding);
    assert.ok(r.rawPayload.length < plain.rawPayload.length / 3, `${encoding} is much smaller`);
    assert.equal(decode(r.rawPayload).toString('utf8'), plain.body);
  }
  const refused = await t.app.inject({ method: 'GET', url, headers: { cookie: 'pk_lang=fa', 'accept-encoding': 'br;q=0, gzip;q=0' } });
  assert.equal(refused.headers['content-encoding'], undefined);
  assert.equal(refused.headers['set-cookie'], undefined, 'a kept page is sent as it is');
  // Another language is another page, with its own validator.
  const en = await get(url, 'en');
  assert.notEqual(en.headers.etag, etag);
});

test('a change made by another process (straight into the database) is seen within VERSION_FRESH_MS', async () => {
  const { figuresVersion, VERSION_FRESH_MS } = await import('./kpi.js');
  const { newId } = await import('../../platform/core/index.js');
  const first = await figuresVersion(t.deps.db);
  const babol = await t.deps.db.selectFrom('orgs').select('id').where('code', '=', 'babol').executeTakeFirstOrThrow();
  await t.deps.db.insertInto('org_costs').values({ id: newId(), org_id: babol.id, period: formatPeriod(season), service_code: null, cost_rials: 123_000, note: null, entered_by: null, created_at: t.clock.now() }).execute();
  await new Promise((r) => setTimeout(r, VERSION_FRESH_MS + 50));
  assert.notEqual(await figuresVersion(t.deps.db), first);
  await t.deps.db.deleteFrom('org_costs').where('cost_rials', '=', 123_000).execute();
});
