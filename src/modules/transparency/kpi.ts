/**
 * The published figures (see KPI_DEFINITIONS), read ONLY from the rollups (kpi_daily,
 * kpi_durations) and the costs organizations entered; never from applications or reports.
 * A period is a range of Tehran days, so every query is an indexed range over day rows.
 */
import { sql } from 'kysely';
import type { DB } from '../../platform/db/index.js';
import { KPI_DAILY_COUNTERS } from '../../platform/db/migrations.js';
import { LEAGUE_METHOD } from './definitions.js';
import type { KpiSet, Scope } from './kpi-types.js';
import { currentPeriod, isValidPeriod, parsePeriod, periodRange, previousPeriods, type Period, type PeriodKind } from './periods.js';

export type { KpiSet, Scope, ApplicationKpis, ReportKpis, Satisfaction } from './kpi-types.js';
export { KPI_DEFINITIONS, LEAGUE_METHOD, type KpiDefinition, type KpiUnit } from './definitions.js';

/** The default cost of one office visit to a citizen (Rials), when the caller passes none (config COST_PER_VISIT_RIALS). */
export const DEFAULT_COST_PER_VISIT_RIALS = 500_000;

export interface KpiOptions {
  /** Cost of one office visit in Rials (config COST_PER_VISIT_RIALS). */
  costPerVisitRials?: number;
}

type Counter = (typeof KPI_DAILY_COUNTERS)[number];
type Sums = Record<Counter, number>;
type Histogram = { app: Map<number, number>; report: Map<number, number> };

function emptySums(): Sums {
  return Object.fromEntries(KPI_DAILY_COUNTERS.map((c) => [c, 0])) as Sums;
}

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** Exact quantiles of a histogram (value -> count): the median (mean of the two middle values for an even count) and p90 (nearest rank). */
export function quantiles(hist: Map<number, number>): { median: number | null; p90: number | null } {
  const values = [...hist.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = values.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return { median: null, p90: null };
  const at = (rank: number): number => {
    let seen = 0;
    for (const [v, n] of values) {
      seen += n;
      if (seen >= rank) return v;
    }
    return values.at(-1)![0];
  };
  const median = total % 2 === 1 ? at((total + 1) / 2) : (at(total / 2) + at(total / 2 + 1)) / 2;
  return { median, p90: at(Math.ceil(0.9 * total)) };
}

/** Builds a KpiSet from summed counters, duration histograms (centi-days) and the entered cost (null = none). */
export function kpiSetOf(s: Sums, hist: Histogram, cost: number | null, options: KpiOptions = {}): KpiSet {
  const app = quantiles(hist.app);
  const rep = quantiles(hist.report);
  const distribution: [number, number, number, number, number] = [s.rating_1, s.rating_2, s.rating_3, s.rating_4, s.rating_5];
  const respondents = distribution.reduce((a, b) => a + b, 0);
  const weighted = distribution.reduce((a, n, i) => a + n * (i + 1), 0);
  const perVisit = options.costPerVisitRials ?? DEFAULT_COST_PER_VISIT_RIALS;
  return {
    applications: {
      received: s.received,
      completed: s.completed,
      completion_rate: share(s.started_submitted, s.started),
      median_days: app.median === null ? null : app.median / 100,
      p90_days: app.p90 === null ? null : app.p90 / 100,
      within_deadline: share(s.completed_within, s.completed),
      digital_share: share(s.online, s.online + s.counter),
      online: s.online,
      counter: s.counter,
      started: s.started,
      satisfaction: { distribution, respondents, mean: respondents > 0 ? weighted / respondents : null },
      cost_per_transaction: cost !== null && s.completed > 0 ? Math.round(cost / s.completed) : null,
      visits_saved: s.visits_saved,
      days_saved: s.days_saved,
      citizen_cost_saved: s.visits_saved * perVisit,
    },
    reports: {
      received: s.reports_received,
      resolved: s.reports_resolved,
      resolved_within_deadline: share(s.reports_resolved_within, s.reports_resolved),
      reopened: s.reports_reopened,
      median_days: rep.median === null ? null : rep.median / 100,
    },
  };
}

/** An all-zero KpiSet (nothing recorded). */
export function emptyKpiSet(options: KpiOptions = {}): KpiSet {
  return kpiSetOf(emptySums(), { app: new Map(), report: new Map() }, null, options);
}

interface Filter {
  orgIds?: string[];
  service?: string;
}

type GroupBy = 'all' | 'org' | 'service';

/** Sums the rollups of the period by group ('all' -> key ''), with histograms. */
async function sumRollups(db: DB, f: Filter, period: Period, groupBy: GroupBy): Promise<Map<string, { sums: Sums; hist: Histogram }>> {
  const { from, to } = periodRange(period);
  const out = new Map<string, { sums: Sums; hist: Histogram }>();
  const entry = (key: string) => {
    let e = out.get(key);
    if (!e) out.set(key, (e = { sums: emptySums(), hist: { app: new Map(), report: new Map() } }));
    return e;
  };
  if (f.orgIds && f.orgIds.length === 0) return out;
  const groupCol = groupBy === 'org' ? 'org_id' : groupBy === 'service' ? 'service_code' : null;
  let daily = db.selectFrom('kpi_daily')
    .select((eb) => KPI_DAILY_COUNTERS.map((c) => eb.fn.sum<number>(c).as(c)))
    .where('day', '>=', from).where('day', '<=', to);
  if (groupCol) daily = daily.select(sql<string>`${sql.ref(groupCol)}`.as('grp')).groupBy(groupCol);
  if (f.orgIds) daily = daily.where('org_id', 'in', f.orgIds);
  if (f.service !== undefined) daily = daily.where('kind', '=', 'app').where('service_code', '=', f.service);
  if (groupBy === 'service') daily = daily.where('kind', '=', 'app');
  for (const row of await daily.execute()) {
    const r = row as unknown as Record<string, unknown>;
    const e = entry(groupCol ? String(r.grp) : '');
    for (const c of KPI_DAILY_COUNTERS) e.sums[c] += Number(r[c] ?? 0);
  }
  let durations = db.selectFrom('kpi_durations')
    .select((eb) => ['kind', 'centi_days', eb.fn.sum<number>('n').as('n')] as const)
    .where('day', '>=', from).where('day', '<=', to)
    .groupBy(['kind', 'centi_days']);
  if (groupCol) durations = durations.select(sql<string>`${sql.ref(groupCol)}`.as('grp')).groupBy(groupCol);
  if (f.orgIds) durations = durations.where('org_id', 'in', f.orgIds);
  if (f.service !== undefined) durations = durations.where('kind', '=', 'app').where('service_code', '=', f.service);
  if (groupBy === 'service') durations = durations.where('kind', '=', 'app');
  for (const row of await durations.execute()) {
    const r = row as unknown as { kind: 'app' | 'report'; centi_days: number; n: number; grp?: string };
    const h = entry(groupCol ? String(r.grp) : '').hist[r.kind];
    h.set(Number(r.centi_days), (h.get(Number(r.centi_days)) ?? 0) + Number(r.n));
  }
  return out;
}

/** The entered costs that count for the period (their own period lies within it), summed by group; a group without any is absent. */
async function costs(db: DB, f: Filter, period: Period, groupBy: GroupBy): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (f.orgIds && f.orgIds.length === 0) return out;
  const range = periodRange(period);
  let q = db.selectFrom('org_costs').select(['org_id', 'period', 'service_code', 'cost_rials']).where('period', 'like', `${period.year}%`);
  if (f.orgIds) q = q.where('org_id', 'in', f.orgIds);
  if (f.service !== undefined) q = q.where('service_code', '=', f.service);
  for (const c of await q.execute()) {
    const p = parsePeriod(c.period);
    if (!p) continue;
    const r = periodRange(p);
    if (r.from < range.from || r.to > range.to) continue;
    if (groupBy === 'service' && c.service_code === null) continue;
    const key = groupBy === 'org' ? c.org_id : groupBy === 'service' ? c.service_code! : '';
    out.set(key, (out.get(key) ?? 0) + Number(c.cost_rials));
  }
  return out;
}

async function orgIdOf(db: DB, code: string): Promise<string | null> {
  const row = await db.selectFrom('orgs').select('id').where('code', '=', code).executeTakeFirst();
  return row?.id ?? null;
}

async function filterOf(db: DB, scope: Scope): Promise<Filter> {
  const f: Filter = {};
  if (scope.org !== undefined) {
    const id = await orgIdOf(db, scope.org);
    f.orgIds = id ? [id] : [];
  }
  if (scope.service !== undefined) f.service = scope.service;
  return f;
}

function checkPeriod(p: Period): void {
  if (!isValidPeriod(p)) throw new RangeError(`not a period: ${JSON.stringify(p)}`);
}

/** Computes kpis() from the rollups. */
async function computeKpis(db: DB, scope: Scope, period: Period, options: KpiOptions = {}): Promise<KpiSet> {
  checkPeriod(period);
  const f = await filterOf(db, scope);
  const [sums, cost] = await Promise.all([sumRollups(db, f, period, 'all'), costs(db, f, period, 'all')]);
  const e = sums.get('');
  return e ? kpiSetOf(e.sums, e.hist, cost.get('') ?? null, options) : kpiSetOf(emptySums(), { app: new Map(), report: new Map() }, cost.get('') ?? null, options);
}

/** Computes trend() from the rollups. */
async function computeTrend(db: DB, scope: Scope, periods: Period[], options: KpiOptions = {}): Promise<{ period: Period; kpis: KpiSet }[]> {
  const out: { period: Period; kpis: KpiSet }[] = [];
  for (const period of periods) out.push({ period, kpis: await computeKpis(db, scope, period, options) });
  return out;
}

/** The composite league score (0-100) of a KpiSet, per LEAGUE_METHOD. */
export function leagueScore(k: KpiSet): number {
  const w = LEAGUE_METHOD.weights;
  const parts: [number, number | null][] = [
    [w.within_deadline, k.applications.within_deadline],
    [w.digital_share, k.applications.digital_share],
    [w.satisfaction, k.applications.satisfaction.mean === null ? null : (k.applications.satisfaction.mean - 1) / 4],
    [w.reports_within_deadline, k.reports.resolved_within_deadline],
  ];
  const known = parts.filter((p): p is [number, number] => p[1] !== null);
  const weight = known.reduce((s, [wt]) => s + wt, 0);
  if (weight === 0) return 0;
  return Math.round((known.reduce((s, [wt, v]) => s + wt * v, 0) / weight) * 100 * 100) / 100;
}

/** Computes league() from the rollups. */
async function computeLeague(db: DB, period: Period, options: KpiOptions = {}): Promise<LeagueRow[]> {
  checkPeriod(period);
  const orgs = await db.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('kind', '=', 'municipality').orderBy('code').execute();
  const [sums, cost] = await Promise.all([sumRollups(db, {}, period, 'org'), costs(db, {}, period, 'org')]);
  const rows = orgs.map((o) => {
    const e = sums.get(o.id);
    const k = kpiSetOf(e?.sums ?? emptySums(), e?.hist ?? { app: new Map(), report: new Map() }, cost.get(o.id) ?? null, options);
    return { org: { code: o.code, name: { fa: o.name_fa, en: o.name_en } }, kpis: k, score: leagueScore(k), rank: 0 };
  });
  rows.sort((a, b) => b.score - a.score || b.kpis.applications.completed - a.kpis.applications.completed || a.org.code.localeCompare(b.org.code));
  rows.forEach((r, i) => (r.rank = i + 1));
  return rows;
}

/** Computes serviceBreakdown() from the rollups. */
async function computeServiceBreakdown(db: DB, scope: { org?: string }, period: Period, options: KpiOptions = {}): Promise<ServiceRow[]> {
  checkPeriod(period);
  const f = await filterOf(db, { org: scope.org });
  const [sums, cost] = await Promise.all([sumRollups(db, f, period, 'service'), costs(db, f, period, 'service')]);
  const codes = [...sums.keys()].sort();
  if (codes.length === 0) return [];
  const titles = new Map<string, { fa: string; en: string; version: number }>();
  const rows = await db.selectFrom('service_templates as t').innerJoin('service_template_versions as v', 'v.template_id', 't.id')
    .select(['t.code', 'v.version', 'v.title_fa', 'v.title_en']).where('t.code', 'in', codes).where('v.status', '=', 'published').execute();
  for (const r of rows) {
    const seen = titles.get(r.code);
    if (!seen || Number(r.version) > seen.version) titles.set(r.code, { fa: r.title_fa, en: r.title_en, version: Number(r.version) });
  }
  return codes.map((code) => {
    const e = sums.get(code)!;
    const t = titles.get(code);
    return { service: { code, title: { fa: t?.fa ?? code, en: t?.en ?? code } }, kpis: kpiSetOf(e.sums, e.hist, cost.get(code) ?? null, options) };
  });
}

export type LeagueRow = { org: { code: string; name: { fa: string; en: string } }; kpis: KpiSet; rank: number; score: number };
export type ServiceRow = { service: { code: string; title: { fa: string; en: string } }; kpis: KpiSet };

// Answers are kept per database until the rollups (their cursors), the entered costs or the
// organizations change: a dashboard then costs a lookup, not sums over the rollups. Changes made
// in this process (a rollup batch, a rebuild, a cost entered) call forgetKpis and count at once;
// changes made by another process are seen once the version is read again, at most
// VERSION_FRESH_MS later (the rollups themselves trail the events by their settling minute).
const CACHE_LIMIT = 2_000;
export const VERSION_FRESH_MS = 1_000;
const caches = new WeakMap<DB, { version: string; answers: Map<string, unknown> }>();
/** Bumped by forgetKpis in this process: a rebuild within the same millisecond is a new version too. */
const generations = new WeakMap<DB, number>();

/** What the figures depend on: the rollups' cursors, the entered costs and the organizations; equal versions give equal answers. */
export async function kpiVersion(db: DB): Promise<string> {
  const generation = generations.get(db) ?? 0;
  const [cursors, costsSeen, orgsSeen] = await Promise.all([
    db.selectFrom('rollup_cursors').select(['source', 'position_at', 'position_id', 'updated_at']).orderBy('source').execute(),
    db.selectFrom('org_costs').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('at'), eb.fn.sum<number>('cost_rials').as('sum')]).executeTakeFirst(),
    db.selectFrom('orgs').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('at')]).executeTakeFirst(),
  ]);
  return JSON.stringify([cursors, costsSeen, orgsSeen, generation]);
}

// The version last read, and when: calls within VERSION_FRESH_MS of a read (and with no
// forgetKpis since) use it; calls that arrive while a read is under way share that read.
const versionReads = new WeakMap<DB, { generation: number; readAt: number; version: Promise<string> }>();
/** The figures' version as this process knows it (see VERSION_FRESH_MS); pages use it to key what they keep. */
export function figuresVersion(db: DB): Promise<string> {
  const generation = generations.get(db) ?? 0;
  const last = versionReads.get(db);
  if (last && last.generation === generation && performance.now() - last.readAt < VERSION_FRESH_MS) return last.version;
  const read = { generation, readAt: performance.now(), version: kpiVersion(db) };
  // A failed read is not kept: the next call tries again.
  read.version.catch(() => { if (versionReads.get(db) === read) versionReads.delete(db); });
  versionReads.set(db, read);
  return read.version;
}

async function cached<T>(db: DB, key: string, compute: () => Promise<T>): Promise<T> {
  const version = await figuresVersion(db);
  let cache = caches.get(db);
  if (!cache || cache.version !== version) caches.set(db, (cache = { version, answers: new Map() }));
  if (cache.answers.has(key)) return structuredClone(cache.answers.get(key) as T);
  const answer = await compute();
  if (cache.answers.size >= CACHE_LIMIT) cache.answers.clear();
  cache.answers.set(key, answer);
  return structuredClone(answer);
}

const keyOf = (...parts: unknown[]) => JSON.stringify(parts);

/** Drops the kept answers of a database (the rollup worker calls it after each batch it counts, and a rebuild). */
export function forgetKpis(db: DB): void {
  caches.delete(db);
  versionReads.delete(db);
  generations.set(db, (generations.get(db) ?? 0) + 1);
}

/** The figures of a scope (province, municipality, service) over a period; an unknown org gives all zeros. */
export function kpis(db: DB, scope: Scope, period: Period, options: KpiOptions = {}): Promise<KpiSet> {
  checkPeriod(period);
  return cached(db, keyOf('kpis', scope.org ?? null, scope.service ?? null, period, options), () => computeKpis(db, scope, period, options));
}

/** The figures of a scope for each period, in the order given. */
export function trend(db: DB, scope: Scope, periods: Period[], options: KpiOptions = {}): Promise<{ period: Period; kpis: KpiSet }[]> {
  periods.forEach(checkPeriod);
  return cached(db, keyOf('trend', scope.org ?? null, scope.service ?? null, periods, options), () => computeTrend(db, scope, periods, options));
}

/** Every municipality ranked by the composite score (LEAGUE_METHOD), best first; ties by completed applications, then code. */
export function league(db: DB, period: Period, options: KpiOptions = {}): Promise<LeagueRow[]> {
  checkPeriod(period);
  return cached(db, keyOf('league', period, options), () => computeLeague(db, period, options));
}

/** The figures of each service (template) with any activity in the period, for one org or the province; by service code. */
export function serviceBreakdown(db: DB, scope: { org?: string }, period: Period, options: KpiOptions = {}): Promise<ServiceRow[]> {
  checkPeriod(period);
  return cached(db, keyOf('services', scope.org ?? null, period, options), () => computeServiceBreakdown(db, scope, period, options));
}

/** How many periods a dashboard's trend shows, by the kind of the period chosen. */
export const TREND_LENGTH: Record<PeriodKind, number> = { month: 12, season: 8, year: 5 };

/**
 * Works out again the answers the busiest pages ask first (the province dashboard for the current
 * season and year, with its trend and league), so that after the rollups move no visitor waits for them.
 */
export async function warmKpis(db: DB, now: number, options: KpiOptions = {}): Promise<void> {
  for (const kind of ['season', 'year'] as const) {
    const period = currentPeriod(kind, now);
    await Promise.all([kpis(db, {}, period, options), trend(db, {}, previousPeriods(period, TREND_LENGTH[kind]), options), league(db, period, options)]);
  }
}
