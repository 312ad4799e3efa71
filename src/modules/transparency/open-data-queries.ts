// The SQL of the open data files: application and report timing records, read in keyset pages
// (never the whole result at once), and the lookups that check a file's scope.
import type { DB } from '../../platform/db/index.js';
import { MOVES } from './rollup.js';

const PAGE = 1000;

export interface ApplicationTiming {
  org_code: string;
  service_code: string;
  channel: string;
  submitted_at: number;
  closed_at: number | null;
  outcome: string | null;
  /** 1 when the application left an office state after that state's deadline. */
  late: 0 | 1;
}

type Cursor = { at: number; id: string } | null;

/**
 * Applications submitted in [from, to) (keyset pages over the submission events' (created_at, id)
 * index), then those completed in [from, to) but submitted before (keyset pages over the
 * applications' (closed_at, id) index); with whether each ever left an office state late.
 * `org` is an organization id.
 */
export async function* applicationTimings(db: DB, f: { from: number; to: number; orgId?: string; service?: string }): AsyncGenerator<ApplicationTiming> {
  for (const pass of ['submitted', 'completed'] as const) {
    let cursor: Cursor = null;
    for (;;) {
      const columns = ['a.id', 'o.code as org_code', 't.code as service_code', 'a.channel', 'a.submitted_at', 'a.closed_at', 'a.outcome'] as const;
      let page: { key: { at: number; id: string }; row: ApplicationRow }[];
      // Row-value comparisons: each page starts right after the cursor on its index (an OR of the
      // two conditions would scan from the period's start again on every page).
      if (pass === 'submitted') {
        let q = db.selectFrom('application_events as e').innerJoin('applications as a', 'a.id', 'e.application_id')
          .innerJoin('orgs as o', 'o.id', 'a.org_id').innerJoin('org_services as os', 'os.id', 'a.org_service_id').innerJoin('service_templates as t', 't.id', 'os.template_id')
          .select([...columns, 'e.id as key_id', 'e.created_at as key_at']).where('e.type', '=', 'submitted')
          .where('e.created_at', '>=', f.from).where('e.created_at', '<', f.to);
        if (f.orgId) q = q.where('e.org_id', '=', f.orgId);
        if (f.service) q = q.where('t.code', '=', f.service);
        if (cursor) { const c: { at: number; id: string } = cursor; q = q.where((eb) => eb(eb.refTuple('e.created_at', 'e.id'), '>', eb.tuple(c.at, c.id))); }
        page = (await q.orderBy('e.created_at').orderBy('e.id').limit(PAGE).execute()).map((r) => ({ key: { at: Number(r.key_at), id: r.key_id }, row: r }));
      } else {
        let q = db.selectFrom('applications as a')
          .innerJoin('orgs as o', 'o.id', 'a.org_id').innerJoin('org_services as os', 'os.id', 'a.org_service_id').innerJoin('service_templates as t', 't.id', 'os.template_id')
          .select(columns).where('a.closed_at', '>=', f.from).where('a.closed_at', '<', f.to).where('a.submitted_at', '<', f.from);
        if (f.orgId) q = q.where('a.org_id', '=', f.orgId);
        if (f.service) q = q.where('t.code', '=', f.service);
        if (cursor) { const c: { at: number; id: string } = cursor; q = q.where((eb) => eb(eb.refTuple('a.closed_at', 'a.id'), '>', eb.tuple(c.at, c.id))); }
        page = (await q.orderBy('a.closed_at').orderBy('a.id').limit(PAGE).execute()).map((r) => ({ key: { at: Number(r.closed_at), id: r.id }, row: r }));
      }
      if (page.length === 0) break;
      const late = await lateApplications(db, page.filter((p) => p.row.closed_at !== null).map((p) => p.row.id));
      for (const { row: r } of page) {
        if (r.submitted_at === null) continue;
        yield {
          org_code: r.org_code, service_code: r.service_code, channel: r.channel, submitted_at: Number(r.submitted_at),
          closed_at: r.closed_at === null ? null : Number(r.closed_at), outcome: r.outcome, late: late.has(r.id) ? 1 : 0,
        };
      }
      cursor = page[page.length - 1]!.key;
      if (page.length < PAGE) break;
    }
  }
}

type ApplicationRow = { id: string; org_code: string; service_code: string; channel: string; submitted_at: unknown; closed_at: unknown; outcome: string | null };

/** Of these applications, those with a transition made after the deadline of the state it left (`from_due_at` of the event). */
async function lateApplications(db: DB, ids: string[]): Promise<Set<string>> {
  const late = new Set<string>();
  if (ids.length === 0) return late;
  const events = await db.selectFrom('application_events').select(['application_id', 'data', 'created_at'])
    .where('application_id', 'in', ids).where('type', 'in', MOVES).execute();
  for (const e of events) {
    const due = (JSON.parse(e.data) as { from_due_at?: number | null }).from_due_at;
    if (typeof due === 'number' && Number(e.created_at) > due) late.add(e.application_id);
  }
  return late;
}

export interface ReportTiming {
  org_code: string;
  category_code: string;
  state: string;
  created_at: number;
  resolved_at: number | null;
  due_at: number | null;
  reopened_count: number;
  lat: number;
  lng: number;
}

/**
 * Reports filed in [from, to) (keyset over the reports' (created_at, id) index), then those whose
 * latest resolution falls in [from, to) but filed before (over the updates' (created_at, id) index).
 */
export async function* reportTimings(db: DB, f: { from: number; to: number; orgId?: string; category?: string }): AsyncGenerator<ReportTiming> {
  for (const pass of ['filed', 'resolved'] as const) {
    let cursor: Cursor = null;
    for (;;) {
      let query = db.selectFrom('reports as r')
        .innerJoin('orgs as o', 'o.id', 'r.org_id')
        .innerJoin('report_categories as c', 'c.id', 'r.category_id')
        .select(['r.id', 'o.code as org_code', 'c.code as category_code', 'r.state', 'r.created_at', 'r.resolved_at', 'r.due_at', 'r.reopened_count', 'r.lat', 'r.lng']);
      if (f.orgId) query = query.where('r.org_id', '=', f.orgId);
      if (f.category) query = query.where('c.code', '=', f.category);
      let page: { key: { at: number; id: string }; row: ReportTiming }[];
      if (pass === 'filed') {
        let qf = query.where('r.created_at', '>=', f.from).where('r.created_at', '<', f.to);
        if (cursor) {
          const c: { at: number; id: string } = cursor;
          qf = qf.where((eb) => eb(eb.refTuple('r.created_at', 'r.id'), '>', eb.tuple(c.at, c.id)));
        }
        page = (await qf.orderBy('r.created_at').orderBy('r.id').limit(PAGE).execute()).map((r) => ({ key: { at: Number(r.created_at), id: r.id }, row: reportTiming(r) }));
      } else {
        let qr = query.innerJoin('report_updates as u', 'u.report_id', 'r.id').select(['u.id as update_id', 'u.created_at as update_at'])
          .where('u.created_at', '>=', f.from).where('u.created_at', '<', f.to)
          .where('u.kind', '=', 'state').where('u.state', '=', 'resolved')
          .whereRef('r.resolved_at', '=', 'u.created_at').where('r.created_at', '<', f.from);
        if (cursor) {
          const c: { at: number; id: string } = cursor;
          qr = qr.where((eb) => eb(eb.refTuple('u.created_at', 'u.id'), '>', eb.tuple(c.at, c.id)));
        }
        page = (await qr.orderBy('u.created_at').orderBy('u.id').limit(PAGE).execute()).map((r) => ({ key: { at: Number(r.update_at), id: r.update_id }, row: reportTiming(r) }));
      }
      if (page.length === 0) break;
      for (const p of page) yield p.row;
      cursor = page[page.length - 1]!.key;
      if (page.length < PAGE) break;
    }
  }
}

function reportTiming(r: { org_code: string; category_code: string; state: string; created_at: unknown; resolved_at: unknown; due_at: unknown; reopened_count: unknown; lat: unknown; lng: unknown }): ReportTiming {
  return {
    org_code: r.org_code, category_code: r.category_code, state: r.state, created_at: Number(r.created_at),
    resolved_at: r.resolved_at === null ? null : Number(r.resolved_at), due_at: r.due_at === null ? null : Number(r.due_at),
    reopened_count: Number(r.reopened_count), lat: Number(r.lat), lng: Number(r.lng),
  };
}

/** Applications received per 'org code|service code' on the Tehran days from..to (inclusive), from the rollups. */
export async function receivedByGroup(db: DB, from: string, to: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('kpi_daily as k').innerJoin('orgs as o', 'o.id', 'k.org_id')
    .select((eb) => ['o.code', 'k.service_code', eb.fn.sum<number>('k.received').as('n')])
    .where('k.kind', '=', 'app').where('k.day', '>=', from).where('k.day', '<=', to)
    .groupBy(['o.code', 'k.service_code']).execute();
  return new Map(rows.map((r) => [`${r.code}|${r.service_code}`, Number(r.n)]));
}

/** The id of the organization with this code, or null. */
export async function orgIdByCode(db: DB, code: string): Promise<string | null> {
  return (await db.selectFrom('orgs').select('id').where('code', '=', code).executeTakeFirst())?.id ?? null;
}

/** True when a service template or a report category has this code. */
export async function serviceExists(db: DB, code: string): Promise<boolean> {
  if (await db.selectFrom('service_templates').select('id').where('code', '=', code).executeTakeFirst()) return true;
  return (await db.selectFrom('report_categories').select('id').where('code', '=', code).limit(1).executeTakeFirst()) !== undefined;
}

/**
 * A version of the record data that changes whenever a record could: the newest application
 * event, report and report update (each the end of a (created_at, id) index, so a cheap read).
 */
export async function dataVersion(db: DB): Promise<string> {
  const newest = async (table: 'application_events' | 'reports' | 'report_updates') =>
    (await db.selectFrom(table).select(['created_at', 'id']).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()) ?? { created_at: 0, id: '' };
  const [a, r, u] = [await newest('application_events'), await newest('reports'), await newest('report_updates')];
  return `${a.created_at}:${a.id}|${r.created_at}:${r.id}|${u.created_at}:${u.id}`;
}
