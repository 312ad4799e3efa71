/**
 * Transparency rollups: per Tehran day x org x service counters (kpi_daily) and processing-time
 * histograms (kpi_durations), maintained incrementally from the event logs. Each source is read
 * in (created_at, id) order after its cursor (rollup_cursors); a batch's counts and the cursor
 * move commit in one transaction, so a crash never counts a row twice or skips one.
 *
 * Sources and what they count (days are the Tehran calendar day of the row's created_at):
 * - applications: started (a draft created, online or at the counter);
 * - application_events 'submitted': received, online/counter, and started_submitted on the day the
 *   application was started (completion rate = started_submitted / started);
 * - application_events 'action' that closed the application (closed_at = the event's time):
 *   completed, completed_within (no action ever left an office state after that state's deadline,
 *   data.from_due_at), completed_online, visits_saved and days_saved (online only, from the
 *   service baseline), and its business days submitted -> closed in kpi_durations;
 * - application_events 'rated': rating_1..rating_5;
 * - reports: reports_received;
 * - report_updates: a change to 'resolved' (reports_resolved, reports_resolved_within against the
 *   deadline in force: the category's deadline_days counted from the filing or the latest reopening
 *   before it; business days filed -> resolved in kpi_durations) and a 'reopen' (reports_reopened).
 *
 * Rows younger than ROLLUP_SETTLE_MS are left for a later run: a transaction that commits late
 * with an earlier created_at would otherwise fall behind a cursor that already passed it.
 */
import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { KPI_DAILY_COUNTERS } from '../../platform/db/migrations.js';
import { systemClock, type Clock } from '../../platform/core/index.js';
import { PeriodicJob } from '../../platform/core/periodic.js';
import type { BusinessCalendar } from '../../platform/calendar/business.js';
import { tehranDayKey } from '../../platform/i18n/format.js';
import { tehranEpochDay } from '../../platform/i18n/tehran.js';
import { forgetKpis } from './kpi.js';

export type Counter = (typeof KPI_DAILY_COUNTERS)[number];
export const ROLLUP_SOURCES = ['applications', 'application_events', 'reports', 'report_updates'] as const;
export type RollupSource = (typeof ROLLUP_SOURCES)[number];

/** Rows created less than this long ago wait for the next run. */
export const ROLLUP_SETTLE_MS = 60_000;
const DEFAULT_BATCH = 5_000;
// Rows per upsert statement: well under SQLite's 32,766 bound parameters with ~27 columns.
const UPSERT_ROWS = 500;

interface Cursor { at: number; id: string }
const START: Cursor = { at: -1, id: '' };

/** Counts of one batch, added to the tables in one statement per row. */
class Delta {
  readonly daily = new Map<string, { day: string; org_id: string; service_code: string; kind: 'app' | 'report'; counts: Partial<Record<Counter, number>> }>();
  readonly durations = new Map<string, { day: string; org_id: string; service_code: string; kind: 'app' | 'report'; centi_days: number; n: number }>();

  add(at: number, org: string, service: string, kind: 'app' | 'report', counter: Counter, by = 1): void {
    if (by === 0) return;
    const day = tehranDayKey(at);
    const key = `${day}|${org}|${service}|${kind}`;
    let row = this.daily.get(key);
    if (!row) this.daily.set(key, (row = { day, org_id: org, service_code: service, kind, counts: {} }));
    row.counts[counter] = (row.counts[counter] ?? 0) + by;
  }

  duration(at: number, org: string, service: string, kind: 'app' | 'report', businessDays: number): void {
    const day = tehranDayKey(at);
    const centi = Math.round(businessDays * 100);
    const key = `${day}|${org}|${service}|${kind}|${centi}`;
    const row = this.durations.get(key);
    if (row) row.n++;
    else this.durations.set(key, { day, org_id: org, service_code: service, kind, centi_days: centi, n: 1 });
  }

  /** Adds the batch to the tables: a few multi-row upserts that add each count to what is there. */
  async apply(tx: Tx): Promise<void> {
    const daily = [...this.daily.values()].map((r) => {
      const values: Record<string, unknown> = { day: r.day, org_id: r.org_id, service_code: r.service_code, kind: r.kind };
      for (const c of KPI_DAILY_COUNTERS) values[c] = r.counts[c] ?? 0;
      return values;
    });
    const add: Record<string, unknown> = {};
    for (const c of KPI_DAILY_COUNTERS) add[c] = sql`kpi_daily.${sql.ref(c)} + excluded.${sql.ref(c)}`;
    for (let i = 0; i < daily.length; i += UPSERT_ROWS) {
      await tx.insertInto('kpi_daily').values(daily.slice(i, i + UPSERT_ROWS) as never)
        .onConflict((oc) => oc.columns(['day', 'org_id', 'service_code', 'kind']).doUpdateSet(add as never))
        .execute();
    }
    const durations = [...this.durations.values()];
    for (let i = 0; i < durations.length; i += UPSERT_ROWS) {
      await tx.insertInto('kpi_durations').values(durations.slice(i, i + UPSERT_ROWS))
        .onConflict((oc) => oc.columns(['day', 'org_id', 'service_code', 'kind', 'centi_days']).doUpdateSet({ n: sql`kpi_durations.n + excluded.n` }))
        .execute();
    }
  }
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function parseData(text: string | null): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text ?? '{}');
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

type Baseline = { office_visits: number; days: number } | null;

/** Reads and counts one batch of a source after `cursor` up to `upTo`; returns the new cursor and how many rows it read. */
async function countBatch(tx: Tx, calendar: BusinessCalendar, source: RollupSource, cursor: Cursor, upTo: number, limit: number, baselines: Map<string, Baseline>): Promise<{ cursor: Cursor; read: number }> {
  const delta = new Delta();
  let last = cursor;
  let read = 0;
  if (source === 'applications') {
    const rows = await tx.selectFrom('applications as a')
      .innerJoin('service_template_versions as v', 'v.id', 'a.version_id')
      .innerJoin('service_templates as t', 't.id', 'v.template_id')
      .select(['a.id', 'a.org_id', 'a.created_at', 't.code as service_code'])
      .where((eb) => eb(eb.refTuple('a.created_at', 'a.id'), '>', eb.tuple(cursor.at, cursor.id)))
      .where('a.created_at', '<=', upTo)
      .orderBy('a.created_at').orderBy('a.id').limit(limit).execute();
    for (const r of rows) delta.add(num(r.created_at), r.org_id, r.service_code, 'app', 'started');
    read = rows.length;
    if (rows.length) last = { at: num(rows.at(-1)!.created_at), id: rows.at(-1)!.id };
  } else if (source === 'application_events') {
    const rows = await tx.selectFrom('application_events as e')
      .innerJoin('applications as a', 'a.id', 'e.application_id')
      .innerJoin('service_template_versions as v', 'v.id', 'a.version_id')
      .innerJoin('service_templates as t', 't.id', 'v.template_id')
      .select(['e.id', 'e.created_at', 'e.type', 'e.data', 'e.application_id', 'a.org_id', 'a.channel', 'a.created_at as app_created_at',
        'a.submitted_at', 'a.closed_at', 'a.version_id', 't.code as service_code'])
      .where((eb) => eb(eb.refTuple('e.created_at', 'e.id'), '>', eb.tuple(cursor.at, cursor.id)))
      .where('e.created_at', '<=', upTo)
      .orderBy('e.created_at').orderBy('e.id').limit(limit).execute();
    read = rows.length;
    if (rows.length) last = { at: num(rows.at(-1)!.created_at), id: rows.at(-1)!.id };
    const closing = rows.filter((r) => MOVES.includes(r.type) && r.closed_at !== null && num(r.closed_at) === num(r.created_at));
    const late = await lateApplications(tx, closing.map((r) => r.application_id));
    for (const r of rows) {
      const at = num(r.created_at);
      const online = r.channel !== 'counter';
      if (r.type === 'submitted') {
        delta.add(at, r.org_id, r.service_code, 'app', 'received');
        delta.add(at, r.org_id, r.service_code, 'app', online ? 'online' : 'counter');
        delta.add(num(r.app_created_at), r.org_id, r.service_code, 'app', 'started_submitted');
      } else if (r.type === 'rated') {
        const n = Number(parseData(r.data).rating);
        if (Number.isInteger(n) && n >= 1 && n <= 5) delta.add(at, r.org_id, r.service_code, 'app', `rating_${n}` as Counter);
      } else if (MOVES.includes(r.type) && r.closed_at !== null && num(r.closed_at) === at && r.submitted_at !== null) {
        const submitted = num(r.submitted_at);
        delta.add(at, r.org_id, r.service_code, 'app', 'completed');
        if (!late.has(r.application_id)) delta.add(at, r.org_id, r.service_code, 'app', 'completed_within');
        delta.duration(at, r.org_id, r.service_code, 'app', calendar.businessDaysBetween(new Date(submitted), new Date(at)));
        if (online) {
          delta.add(at, r.org_id, r.service_code, 'app', 'completed_online');
          const baseline = await baselineOf(tx, r.version_id, baselines);
          if (baseline) {
            delta.add(at, r.org_id, r.service_code, 'app', 'visits_saved', baseline.office_visits);
            const actualDays = tehranEpochDay(at) - tehranEpochDay(submitted);
            delta.add(at, r.org_id, r.service_code, 'app', 'days_saved', Math.round(Math.max(0, baseline.days - actualDays)));
          }
        }
      }
    }
  } else if (source === 'reports') {
    const rows = await tx.selectFrom('reports').select(['id', 'org_id', 'created_at'])
      .where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(cursor.at, cursor.id)))
      .where('created_at', '<=', upTo)
      .orderBy('created_at').orderBy('id').limit(limit).execute();
    for (const r of rows) delta.add(num(r.created_at), r.org_id, '', 'report', 'reports_received');
    read = rows.length;
    if (rows.length) last = { at: num(rows.at(-1)!.created_at), id: rows.at(-1)!.id };
  } else {
    const rows = await tx.selectFrom('report_updates as u')
      .innerJoin('reports as r', 'r.id', 'u.report_id')
      .innerJoin('report_categories as c', 'c.id', 'r.category_id')
      .select(['u.id', 'u.created_at', 'u.kind', 'u.state', 'u.report_id', 'u.due_at', 'r.org_id', 'r.created_at as report_created_at', 'c.deadline_days'])
      .where((eb) => eb(eb.refTuple('u.created_at', 'u.id'), '>', eb.tuple(cursor.at, cursor.id)))
      .where('u.created_at', '<=', upTo)
      .orderBy('u.created_at').orderBy('u.id').limit(limit).execute();
    read = rows.length;
    if (rows.length) last = { at: num(rows.at(-1)!.created_at), id: rows.at(-1)!.id };
    // Reopenings matter only to resolutions recorded before their deadline was (see below).
    const resolutions = rows.filter((r) => r.kind === 'state' && r.state === 'resolved' && (r.due_at === null || r.due_at === undefined));
    const reopenings = resolutions.length
      ? await tx.selectFrom('report_updates').select(['report_id', 'created_at'])
        .where('report_id', 'in', [...new Set(resolutions.map((r) => r.report_id))]).where('kind', '=', 'reopen').execute()
      : [];
    for (const r of rows) {
      const at = num(r.created_at);
      if (r.kind === 'reopen') delta.add(at, r.org_id, '', 'report', 'reports_reopened');
      if (r.kind !== 'state' || r.state !== 'resolved') continue;
      const filed = num(r.report_created_at);
      // The deadline recorded with the resolution; older rows (before it was recorded) fall back to
      // the category's deadline counted from the filing or the latest reopening before it.
      let due = r.due_at === null || r.due_at === undefined ? null : num(r.due_at);
      if (due === null) {
        let start = filed;
        for (const o of reopenings) if (o.report_id === r.report_id && num(o.created_at) <= at) start = Math.max(start, num(o.created_at));
        due = calendar.addBusinessDays(new Date(start), num(r.deadline_days)).getTime();
      }
      delta.add(at, r.org_id, '', 'report', 'reports_resolved');
      if (at <= due) delta.add(at, r.org_id, '', 'report', 'reports_resolved_within');
      delta.duration(at, r.org_id, '', 'report', calendar.businessDaysBetween(new Date(filed), new Date(at)));
    }
  }
  await delta.apply(tx);
  return { cursor: last, read };
}

/**
 * The events that move an application out of a state: staff and citizen actions, and the status an
 * external back-office system reports (integration/external.ts); both record data.from_due_at.
 */
export const MOVES: readonly string[] = ['action', 'external_status'];

/** Applications (of those given) that left an office state after its deadline: a move at a time later than data.from_due_at. */
async function lateApplications(tx: Tx, ids: string[]): Promise<Set<string>> {
  const late = new Set<string>();
  if (ids.length === 0) return late;
  const events = await tx.selectFrom('application_events').select(['application_id', 'created_at', 'data'])
    .where('application_id', 'in', [...new Set(ids)]).where('type', 'in', MOVES).execute();
  for (const e of events) {
    const due = numOrNull(parseData(e.data).from_due_at);
    if (due !== null && num(e.created_at) > due) late.add(e.application_id);
  }
  return late;
}

async function baselineOf(tx: Tx, versionId: string, cache: Map<string, Baseline>): Promise<Baseline> {
  if (cache.has(versionId)) return cache.get(versionId)!;
  const row = await tx.selectFrom('service_template_versions').select('definition').where('id', '=', versionId).executeTakeFirst();
  const b = parseData(row?.definition ?? null).baseline as { office_visits?: unknown; days?: unknown } | undefined;
  const baseline = b && typeof b === 'object' ? { office_visits: Number(b.office_visits ?? 0) || 0, days: Number(b.days ?? 0) || 0 } : null;
  cache.set(versionId, baseline);
  return baseline;
}

async function readCursor(tx: Tx, source: RollupSource, lock: boolean): Promise<Cursor> {
  let q = tx.selectFrom('rollup_cursors').select(['position_at', 'position_id']).where('source', '=', source);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? { at: num(row.position_at), id: row.position_id } : START;
}

export interface RollupOptions {
  db: DB;
  calendar: BusinessCalendar;
  clock?: Clock;
  /** 'postgres' locks the cursor row so that several app processes never count a batch twice. */
  dialect?: 'sqlite' | 'postgres';
  intervalMs?: number;
  batchSize?: number;
  settleMs?: number;
  onError?: (err: unknown) => void;
  /** Called (by the periodic run) after a run that counted something, e.g. to work out the busiest answers again before a visitor asks. */
  afterChange?: () => Promise<void>;
}

/** Keeps the rollups up to date: every intervalMs it counts what each source gained since its cursor. */
export class RollupWorker {
  private readonly clock: Clock;
  private readonly job: PeriodicJob;
  private readonly baselines = new Map<string, Baseline>();

  constructor(private readonly opts: RollupOptions) {
    this.clock = opts.clock ?? systemClock;
    this.job = new PeriodicJob(async () => {
      const counted = await this.runOnce();
      if (Object.values(counted).some((n) => n > 0)) await this.opts.afterChange?.();
    }, opts.intervalMs ?? 60_000, opts.onError);
  }

  start(onError?: (err: unknown) => void): void {
    this.job.start(onError);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /**
   * Counts every settled row after each source's cursor, batch by batch; each batch and its
   * cursor move commit together. Returns how many rows were read per source. Idempotent.
   */
  async runOnce(): Promise<Record<RollupSource, number>> {
    const upTo = this.clock.now() - (this.opts.settleMs ?? ROLLUP_SETTLE_MS);
    const limit = this.opts.batchSize ?? DEFAULT_BATCH;
    const lock = this.opts.dialect === 'postgres';
    const counted = { applications: 0, application_events: 0, reports: 0, report_updates: 0 };
    for (const source of ROLLUP_SOURCES) {
      await this.opts.db.insertInto('rollup_cursors').values({ source, position_at: START.at, position_id: START.id, updated_at: this.clock.now() })
        .onConflict((oc) => oc.column('source').doNothing()).execute();
      for (;;) {
        const read = await inTransaction(this.opts.db, async (tx) => {
          const cursor = await readCursor(tx, source, lock);
          const r = await countBatch(tx, this.opts.calendar, source, cursor, upTo, limit, this.baselines);
          if (r.read > 0) {
            await tx.updateTable('rollup_cursors').set({ position_at: r.cursor.at, position_id: r.cursor.id, updated_at: this.clock.now() })
              .where('source', '=', source).execute();
          }
          return r.read;
        });
        counted[source] += read;
        if (read > 0) forgetKpis(this.opts.db);
        if (read < limit) break;
      }
    }
    return counted;
  }
}

/** Empties the rollups and their cursors and counts every settled row again from the start; the result equals incremental upkeep. */
export async function rebuildRollups(db: DB, calendar: BusinessCalendar, opts: { clock?: Clock; dialect?: 'sqlite' | 'postgres'; batchSize?: number; settleMs?: number } = {}): Promise<Record<RollupSource, number>> {
  await inTransaction(db, async (tx) => {
    await tx.deleteFrom('kpi_daily').execute();
    await tx.deleteFrom('kpi_durations').execute();
    await tx.deleteFrom('rollup_cursors').execute();
  });
  forgetKpis(db);
  return new RollupWorker({ db, calendar, ...opts }).runOnce();
}
