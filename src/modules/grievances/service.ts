import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { nextCounter } from '../../platform/db/counters.js';
import type { ReportState } from '../../platform/db/schema.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { mayAct, orgScope, type OrgScope } from '../../platform/auth/access.js';
import { AppError, badInput, forbidden, notFound, unauthorized } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import { enqueue } from '../../platform/outbox/index.js';
import type { BusinessCalendar } from '../../platform/calendar/business.js';
import { jalaliParts, type Locale } from '../../platform/i18n/format.js';
import { t } from '../../platform/i18n/messages.js';
import { distanceMeters, municipalityAt } from './areas.js';
import * as q from './queries.js';
import './messages.js';

export interface GrievancesContext {
  db: DB;
  clock: Clock;
  calendar: BusinessCalendar;
  /** Called after a commit that enqueued outbox messages. */
  onOutbox?: () => void;
}

export const DUPLICATE_RADIUS_M = 250;
export const LIST_LIMIT = 200;

/** Which states a report may move to from each state; the closing states are final. */
export const TRANSITIONS: Record<ReportState, ReportState[]> = {
  received: ['in_progress', 'scheduled', 'resolved', 'transferred', 'duplicate', 'rejected'],
  in_progress: ['scheduled', 'resolved', 'transferred', 'duplicate', 'rejected'],
  scheduled: ['in_progress', 'resolved', 'rejected'],
  resolved: [],
  reopened: ['in_progress', 'scheduled', 'resolved', 'transferred', 'duplicate', 'rejected'],
  transferred: [],
  duplicate: [],
  rejected: [],
};

export interface NewReport {
  category: string;
  description: string;
  lat: number;
  lng: number;
  address?: string;
}

export interface StateChange {
  state: ReportState;
  comment?: string;
  internal?: boolean;
  duplicate_of?: string;
}

/** A report as its citizen or staff see it. Times are epoch ms; the edge formats them. */
export interface ReportView {
  id: string;
  tracking_code: string;
  org: string;
  category: { code: string; title: { fa: string; en: string } };
  description: string;
  lat: number;
  lng: number;
  address: string | null;
  state: ReportState;
  duplicate_of: string | null;
  due_at: number | null;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
}

/** What anyone may see of a report: no citizen, no address, no hidden description. */
export interface PublicReport {
  tracking_code: string;
  org: string;
  category: { code: string; title: { fa: string; en: string } };
  state: ReportState;
  lat: number;
  lng: number;
  description: string | null;
  created_at: number;
  resolved_at: number | null;
}

/** A report's tracking code: org code upper-case, 137, the Jalali year, a six-digit per-org-per-year number. */
export function formatReportTrackingCode(orgCode: string, jalaliYear: number, n: number): string {
  return `${orgCode.toUpperCase()}-137-${jalaliYear}-${String(n).padStart(6, '0')}`;
}

function viewOf(r: q.ReportRow): ReportView {
  return {
    id: r.id, tracking_code: r.tracking_code, org: r.org_code,
    category: { code: r.category_code, title: { fa: r.category_fa, en: r.category_en } },
    description: r.description, lat: Number(r.lat), lng: Number(r.lng), address: r.address, state: r.state, duplicate_of: r.duplicate_of,
    due_at: r.due_at === null ? null : Number(r.due_at), created_at: Number(r.created_at), updated_at: Number(r.updated_at),
    resolved_at: r.resolved_at === null ? null : Number(r.resolved_at),
  };
}

/** The municipality whose area contains the point, or a field error on lat and lng. */
async function routeToMunicipality(tx: Tx, lat: number, lng: number) {
  const code = municipalityAt(lat, lng);
  const org = code ? await q.orgByCode(tx, code) : undefined;
  if (!org) throw badInput({ lat: 'report.outside_area', lng: 'report.outside_area' });
  return org;
}

/** Builds city problem reports (۱۳۷): filing with routing by place, nearby duplicates, triage, the public list. */
export function createGrievancesService(ctx: GrievancesContext) {
  const { db, clock, calendar } = ctx;

  async function notifyCitizen(tx: Tx, orgId: string, citizenId: string | null, key: string, params: Record<string, string>, dedupe: string, now: number) {
    if (!citizenId) return false;
    const c = await q.citizenContact(tx, citizenId);
    if (!c) return false;
    const locale: Locale = c.locale === 'en' ? 'en' : 'fa';
    await enqueue(tx, { topic: 'sms.send', orgId, payload: { to: c.mobile, text: t(locale, key, params) }, dedupeKey: `${dedupe}:sms` }, now);
    return true;
  }

  function triageScopes(actor: Actor): OrgScope[] {
    if (actor.kind !== 'staff') throw unauthorized();
    const ids = [...new Set(actor.memberships.map((m) => m.orgId))].filter((id) => mayAct(actor, id, 'reports.triage'));
    return ids.map((id) => orgScope(actor, id, 'reports.triage'));
  }

  return {
    /** Categories of a municipality (by code), or of all of them. Public. */
    async categories(orgCode?: string) {
      const org = orgCode ? await q.orgByCode(db, orgCode) : undefined;
      if (orgCode && !org) throw notFound();
      return q.categories(db, org?.id);
    },

    /**
     * Files a report in the municipality whose area contains the point: writes the report, its
     * first update, the audit entry and the citizen's SMS (tracking code) in one transaction.
     */
    async file(actor: Actor, input: NewReport) {
      if (actor.kind !== 'citizen' && actor.kind !== 'anonymous') throw forbidden('report.citizens_only');
      const now = clock.now();
      const result = await inTransaction(db, async (tx) => {
        const org = await routeToMunicipality(tx, input.lat, input.lng);
        const cat = await q.categoryByCode(tx, org.id, input.category);
        if (!cat) throw badInput({ category: 'report.category_unknown' });
        if (actor.kind === 'anonymous' && cat.allow_anonymous !== 1) throw unauthorized('report.sign_in_required');
        const year = jalaliParts(now).year;
        const trackingCode = formatReportTrackingCode(org.code, year, await nextCounter(tx, org.id, `report:${year}`));
        const id = newId();
        const dueAt = calendar.addBusinessDays(new Date(now), cat.deadline_days).getTime();
        await q.insertReport(tx, {
          id, org_id: org.id, category_id: cat.id, tracking_code: trackingCode, citizen_id: actor.kind === 'citizen' ? actor.id : null,
          description: input.description, lat: input.lat, lng: input.lng, address: input.address ?? null, state: 'received',
          duplicate_of: null, due_at: dueAt, created_at: now, updated_at: now, resolved_at: null, hidden: 0,
        });
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: org.id, state: 'received', comment: null, internal: 0, actor_kind: actor.kind, actor_id: actor.id, created_at: now });
        await appendAudit(tx, actor, { orgId: org.id, action: 'report.filed', entity: 'report', entityId: id, data: { tracking_code: trackingCode, category: cat.code } }, now);
        const sent = await notifyCitizen(tx, org.id, actor.kind === 'citizen' ? actor.id : null, 'report.sms_filed', { code: trackingCode, org: org.name_fa }, `report:${id}:filed`, now);
        return { id, tracking_code: trackingCode, org: org.code, state: 'received' as const, due_at: dueAt, sent };
      });
      if (result.sent) ctx.onOutbox?.();
      return { id: result.id, tracking_code: result.tracking_code, org: result.org, state: result.state, due_at: result.due_at };
    },

    /** Open reports of the category within 250 m of the point, nearest first (possible duplicates to follow instead). */
    async nearby(lat: number, lng: number, categoryCode: string) {
      const org = await routeToMunicipality(db, lat, lng);
      const cat = await q.categoryByCode(db, org.id, categoryCode);
      if (!cat) throw badInput({ category: 'report.category_unknown' });
      const dLat = DUPLICATE_RADIUS_M / 111_000;
      const dLng = dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180));
      const rows = await q.openReportsNear(db, cat.id, { minLat: lat - dLat, maxLat: lat + dLat, minLng: lng - dLng, maxLng: lng + dLng });
      return rows
        .map((r) => ({ row: r, distance: distanceMeters({ lat, lng }, { lat: Number(r.lat), lng: Number(r.lng) }) }))
        .filter((x) => x.distance <= DUPLICATE_RADIUS_M)
        .sort((a, b) => a.distance - b.distance)
        .map(({ row, distance }) => ({ ...publicOf(row), distance_m: Math.round(distance) }));
    },

    /** The citizen's own reports. */
    async mine(actor: Actor): Promise<ReportView[]> {
      if (actor.kind !== 'citizen') throw unauthorized();
      return (await q.reportsOfCitizen(db, actor.id, LIST_LIMIT)).map(viewOf);
    },

    /** Reports of the organizations where the actor triages (404 for an organization they may not). */
    async staffList(actor: Actor, f: { org?: string; state?: ReportState; category?: string }): Promise<ReportView[]> {
      let scopes = triageScopes(actor);
      if (f.org) {
        const org = await q.orgByCode(db, f.org);
        if (!org) throw notFound();
        scopes = [orgScope(actor, org.id, 'reports.triage')];
      }
      return (await q.reportsInScopes(db, scopes, { state: f.state, categoryCode: f.category }, LIST_LIMIT)).map(viewOf);
    },

    /**
     * Moves a report along an allowed transition: writes the state, the update, the audit entry
     * and (on resolved or rejected) the citizen's SMS in one transaction. Another organization's
     * report answers 404 exactly like a missing one.
     */
    async changeState(actor: Actor, id: string, change: StateChange): Promise<ReportView> {
      if (actor.kind !== 'staff') throw actor.kind === 'citizen' ? notFound() : unauthorized();
      const now = clock.now();
      const comment = change.comment?.trim() || null;
      const result = await inTransaction(db, async (tx) => {
        const orgId = await q.reportOrgId(tx, id);
        if (!orgId) throw notFound();
        const scope = orgScope(actor, orgId, 'reports.triage');
        const row = await q.reportInScope(tx, scope, id);
        if (!row) throw notFound();
        if (!TRANSITIONS[row.state].includes(change.state)) throw new AppError('report.transition_not_allowed', 409, { state: 'report.transition_not_allowed' });
        if (change.state === 'rejected' && !comment) throw badInput({ comment: 'report.reason_required' });
        let duplicateOf: string | null = null;
        if (change.state === 'duplicate') {
          const original = change.duplicate_of && change.duplicate_of !== id ? await q.reportInScope(tx, scope, change.duplicate_of) : undefined;
          if (!original) throw badInput({ duplicate_of: 'report.duplicate_of_unknown' });
          duplicateOf = original.id;
        }
        const resolvedAt = change.state === 'resolved' ? now : null;
        if (!(await q.setState(tx, scope, id, row.state, { state: change.state, duplicate_of: duplicateOf, resolved_at: resolvedAt, updated_at: now }))) {
          throw new AppError('report.conflict', 409);
        }
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: orgId, state: change.state, comment, internal: change.internal ? 1 : 0, actor_kind: 'staff', actor_id: actor.id, created_at: now });
        await appendAudit(tx, actor, { orgId, action: 'report.state_changed', entity: 'report', entityId: id, data: { from: row.state, to: change.state, duplicate_of: duplicateOf, internal: !!change.internal } }, now);
        let sent = false;
        if (change.state === 'resolved' || change.state === 'rejected') {
          const reason = change.internal ? '' : comment ?? '';
          sent = await notifyCitizen(tx, orgId, row.citizen_id, `report.sms_${change.state}`, { code: row.tracking_code, reason }, `report:${id}:${change.state}:${now}`, now);
        }
        return { view: viewOf({ ...row, state: change.state, duplicate_of: duplicateOf, resolved_at: resolvedAt, updated_at: now }), sent };
      });
      if (result.sent) ctx.onOutbox?.();
      return result.view;
    },

    /** The public list: no personal data (no citizen, no address; no description once hidden by moderation). */
    async publicList(f: { org?: string; category?: string }): Promise<PublicReport[]> {
      const org = f.org ? await q.orgByCode(db, f.org) : undefined;
      if (f.org && !org) throw notFound();
      return (await q.publicReports(db, { orgId: org?.id, categoryCode: f.category }, LIST_LIMIT)).map(publicOf);
    },
  };
}

function publicOf(r: { tracking_code: string; org_code: string; category_code: string; category_fa: string; category_en: string; state: ReportState; lat: number; lng: number; hidden: number; description: string; created_at: number; resolved_at: number | null }): PublicReport {
  return {
    tracking_code: r.tracking_code, org: r.org_code, category: { code: r.category_code, title: { fa: r.category_fa, en: r.category_en } },
    state: r.state, lat: Number(r.lat), lng: Number(r.lng), description: r.hidden === 1 ? null : r.description,
    created_at: Number(r.created_at), resolved_at: r.resolved_at === null ? null : Number(r.resolved_at),
  };
}

export type GrievancesService = ReturnType<typeof createGrievancesService>;
