import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { nextCounter } from '../../platform/db/counters.js';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { CategoryAttribute, ReportState } from '../../platform/db/schema.js';

export type { ReportState };
import { newId, systemActor, type Actor, type Clock } from '../../platform/core/index.js';
import { FileTooLarge, detectFileType, type FileStore } from '../../platform/files/index.js';
import { PeriodicJob } from '../../platform/core/periodic.js';
import { mayAct, orgScope, type OrgScope } from '../../platform/auth/access.js';
import { AppError, badInput, forbidden, notFound, unauthorized } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import { emitEvent } from '../../platform/webhooks/events.js';
import { enqueue } from '../../platform/outbox/index.js';
import type { BusinessCalendar } from '../../platform/calendar/business.js';
import { jalaliParts, type Locale } from '../../platform/i18n/format.js';
import { t } from '../../platform/i18n/messages.js';
import { areaCentre, distanceMeters, municipalityAtPoint } from './areas.js';
import * as q from './queries.js';
import './messages.js';

export interface GrievancesContext {
  db: DB;
  clock: Clock;
  calendar: BusinessCalendar;
  files: FileStore;
  /** Called after a commit that enqueued outbox messages. */
  onOutbox?: () => void;
}

export const DUPLICATE_RADIUS_M = 250;
export const LIST_LIMIT = 200;
/** A citizen may reopen a resolved report within this many days of its resolution. */
export const REOPEN_DAYS = 10;
export const MAX_PHOTOS = 5;
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const DAY_MS = 86_400_000;
const CLOSED: ReportState[] = ['resolved', 'transferred', 'duplicate', 'rejected'];

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
  /** Answers to the category's extra questions, by attribute code. */
  attributes?: Record<string, string | string[]>;
}

/** A photo stored by acceptPhoto, not yet attached to a report. */
export interface StoredPhoto {
  key: string;
  size: number;
  sha256: string;
  content_type: string;
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
  assigned_department: string | null;
  assigned_to: string | null;
  assigned_to_name: string | null;
  reopened_count: number;
  rating: number | null;
  rating_comment: string | null;
  /** Open and past its due date now. */
  overdue: boolean;
  /** Its current deadline's breach was escalated. */
  escalated: boolean;
  /** Moderation hid the description from the public. */
  hidden: boolean;
  source: string;
  attributes: Record<string, string | string[]>;
}

export interface ReportUpdateView {
  id: string;
  kind: string;
  state: ReportState;
  comment: string | null;
  internal: boolean;
  actor_kind: string;
  actor_name: string | null;
  created_at: number;
}

export interface PhotoView {
  id: string;
  url: string;
  hidden: boolean;
}

export type ReportDetail = ReportView & {
  updates: ReportUpdateView[];
  photos: PhotoView[];
  can_reopen: boolean;
  can_rate: boolean;
  category_attributes: CategoryAttribute[];
  department_default: { fa: string; en: string };
};

/** What anyone may see of a report: no citizen, no address, no hidden description, a point rounded to about 100 m. */
export interface PublicReport {
  tracking_code: string;
  org: string;
  org_name: { fa: string; en: string };
  category: { code: string; title: { fa: string; en: string } };
  state: ReportState;
  lat: number;
  lng: number;
  description: string | null;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
}

export type PublicReportDetail = PublicReport & {
  updates: { state: ReportState; kind: string; comment: string | null; created_at: number }[];
  photos: { id: string; url: string }[];
};

/** A category's extra questions from its JSON column (an empty list when unreadable). */
export function parseAttributes(json: string | null | undefined): CategoryAttribute[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as CategoryAttribute[]).slice().sort((a, b) => a.order - b.order) : [];
  } catch {
    return [];
  }
}

function parseAnswers(json: string | null): Record<string, string | string[]> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string | string[]>) : {};
  } catch {
    return {};
  }
}

/** Checks the answers against the category's questions; unknown codes are dropped. */
export function checkAnswers(questions: CategoryAttribute[], given: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const errors: Record<string, string> = {};
  for (const a of questions) {
    const raw = given[a.code];
    const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((x) => String(x).trim()).filter((x) => x !== '');
    if (list.length === 0) {
      if (a.required) errors[`attribute[${a.code}]`] = 'report.attribute_required';
      continue;
    }
    const keys = new Set((a.values ?? []).map((v) => v.key));
    let ok = list.every((x) => x.length <= 500);
    if (a.datatype === 'number') ok = ok && list.length === 1 && Number.isFinite(Number(list[0]));
    else if (a.datatype === 'datetime') ok = ok && list.length === 1 && !Number.isNaN(Date.parse(list[0]!));
    else if (a.datatype === 'singlevaluelist') ok = ok && list.length === 1 && keys.has(list[0]!);
    else if (a.datatype === 'multivaluelist') ok = ok && list.every((x) => keys.has(x));
    else ok = ok && list.length === 1;
    if (!ok) errors[`attribute[${a.code}]`] = 'report.attribute_invalid';
    else out[a.code] = a.datatype === 'multivaluelist' ? [...new Set(list)] : list[0]!;
  }
  if (Object.keys(errors).length > 0) throw badInput(errors);
  return out;
}

/** A report's tracking code: org code upper-case, 137, the Jalali year, a six-digit per-org-per-year number. */
export function formatReportTrackingCode(orgCode: string, jalaliYear: number, n: number): string {
  return `${orgCode.toUpperCase()}-137-${jalaliYear}-${String(n).padStart(6, '0')}`;
}

const num = (n: number | string | null) => (n === null ? null : Number(n));

function viewOf(r: q.ReportRow, now: number): ReportView {
  const dueAt = num(r.due_at);
  const open = q.OPEN_STATES.includes(r.state);
  return {
    id: r.id, tracking_code: r.tracking_code, org: r.org_code,
    category: { code: r.category_code, title: { fa: r.category_fa, en: r.category_en } },
    description: r.description, lat: Number(r.lat), lng: Number(r.lng), address: r.address, state: r.state, duplicate_of: r.duplicate_of,
    due_at: dueAt, created_at: Number(r.created_at), updated_at: Number(r.updated_at), resolved_at: num(r.resolved_at),
    assigned_department: r.assigned_department, assigned_to: r.assigned_to, assigned_to_name: r.assigned_to_name ?? null,
    reopened_count: Number(r.reopened_count), rating: num(r.rating), rating_comment: r.rating_comment,
    overdue: open && dueAt !== null && dueAt < now, escalated: open && r.escalated_due_at !== null && Number(r.escalated_due_at) === dueAt,
    hidden: Number(r.hidden) === 1, source: r.source, attributes: parseAnswers(r.attributes),
  };
}

const photoUrl = (id: string) => `/reports/photos/${id}`;

/** Rounds a coordinate to about 100 m: the public sees roughly where, not the exact doorstep. */
export const approximate = (x: number) => Math.round(x * 1000) / 1000;

/** The municipality whose area contains the point, or a field error on lat and lng. */
async function routeToMunicipality(tx: Tx, lat: number, lng: number) {
  const code = await municipalityAtPoint(tx, lat, lng);
  const org = code ? await q.orgByCode(tx, code) : undefined;
  if (!org) throw badInput({ lat: 'report.outside_area', lng: 'report.outside_area' });
  return org;
}

/** The roles offered as officers to assign a report to. */
const OFFICER_ROLES = ['clerk', 'inspector', 'manager', 'org_admin'] as const;

/** Builds city problem reports (۱۳۷): filing with routing by place, photos, nearby duplicates, triage, assignment, moderation, reopening, rating, the public list and feeds. */
export function createGrievancesService(ctx: GrievancesContext) {
  const { db, clock, calendar, files } = ctx;

  async function notifyCitizen(tx: Tx, orgId: string, citizenId: string | null, key: string, params: Record<string, string>, dedupe: string, now: number) {
    if (!citizenId) return false;
    const c = await q.citizenContact(tx, citizenId);
    if (!c) return false;
    const locale: Locale = c.locale === 'en' ? 'en' : 'fa';
    await enqueue(tx, { topic: 'sms.send', orgId, payload: { to: c.mobile, text: t(locale, key, params) }, dedupeKey: `${dedupe}:sms` }, now);
    return true;
  }

  function triageScopes(actor: Actor): OrgScope[] {
    // An API client reads (and, with reports.write, updates) its own organization's reports only.
    if (actor.kind === 'api_client') return mayAct(actor, actor.orgId, 'reports.triage') ? [orgScope(actor, actor.orgId, 'reports.triage')] : [];
    if (actor.kind !== 'staff') throw unauthorized();
    const ids = [...new Set(actor.memberships.map((m) => m.orgId))].filter((id) => mayAct(actor, id, 'reports.triage'));
    return ids.map((id) => orgScope(actor, id, 'reports.triage'));
  }

  /** A staff member's scope on a report's organization for a permission, and the report; 404 for anything they may not see. */
  async function staffReport(tx: Tx, actor: Actor, id: string, permission: 'reports.triage' | 'reports.assign' | 'reports.moderate') {
    if (actor.kind !== 'staff' && actor.kind !== 'api_client') throw actor.kind === 'citizen' ? notFound() : unauthorized();
    const orgId = await q.reportOrgId(tx, id);
    if (!orgId) throw notFound();
    // Seeing the report needs triage; acting on it may need more (403 then, since the report is visible).
    const seeing = orgScope(actor, orgId, 'reports.triage');
    const row = await q.reportInScope(tx, seeing, id);
    if (!row) throw notFound();
    if (permission !== 'reports.triage' && !mayAct(actor, orgId, permission)) throw forbidden();
    return { scope: permission === 'reports.triage' ? seeing : orgScope(actor, orgId, permission), row };
  }

  async function detailOf(tx: Tx, row: q.ReportRow, forStaff: boolean, now: number): Promise<ReportDetail> {
    const view = viewOf(row, now);
    const updates = await q.updatesOf(tx, row.id, forStaff ? 'staff' : 'citizen');
    const photos = await q.photosOf(tx, row.id, forStaff);
    const closedRecently = row.state === 'resolved' && row.resolved_at !== null && now - Number(row.resolved_at) <= REOPEN_DAYS * DAY_MS;
    return {
      ...view,
      updates: updates.map((u) => ({
        id: u.id, kind: u.kind, state: u.state, comment: u.comment, internal: Number(u.internal) === 1, actor_kind: u.actor_kind,
        actor_name: forStaff ? u.actor_name ?? null : null, created_at: Number(u.created_at),
      })),
      photos: photos.map((p) => ({ id: p.id, url: photoUrl(p.id), hidden: Number(p.hidden) === 1 })),
      can_reopen: !forStaff && closedRecently,
      can_rate: !forStaff && CLOSED.includes(row.state) && row.rating === null,
      category_attributes: parseAttributes(row.category_attributes),
      department_default: { fa: row.department_fa, en: row.department_en },
    };
  }

  async function checkedCitizenReport(tx: Tx, actor: Actor, id: string) {
    if (actor.kind !== 'citizen') throw unauthorized();
    const row = await q.reportOfCitizen(tx, actor.id, id);
    if (!row) throw notFound();
    return { row, citizenId: actor.id };
  }

  const service = {
    /** Categories of a municipality (by code), or of all of them: the active ones, or every one (for staff filters). Public. */
    async categories(orgCode?: string, opts: { includeInactive?: boolean } = {}) {
      const org = orgCode ? await q.orgByCode(db, orgCode) : undefined;
      if (orgCode && !org) throw notFound();
      return q.categories(db, org?.id, opts);
    },

    /** Stores an uploaded photo after checking its size and (by content) its type; nothing is kept when refused. */
    async acceptPhoto(content: Buffer | Readable): Promise<StoredPhoto> {
      let stored;
      try {
        stored = await files.put(content, { maxBytes: MAX_PHOTO_BYTES });
      } catch (err) {
        if (err instanceof FileTooLarge) throw badInput({ photos: 'report.photo_too_large' });
        throw err;
      }
      const type = stored.size > 0 ? await detectFileType(stored.head) : null;
      if (!type || !PHOTO_TYPES.includes(type.mime)) {
        await files.remove(stored.key);
        throw badInput({ photos: 'report.photo_type' });
      }
      return { key: stored.key, size: stored.size, sha256: stored.sha256, content_type: type.mime };
    },

    /** Removes photos stored for a report that was not filed. */
    async discardPhotos(photos: StoredPhoto[]): Promise<void> {
      for (const p of photos) await files.remove(p.key);
    },

    /** A point inside a municipality's area, for a report known only by its address. */
    async jurisdictionCentre(orgCode: string): Promise<{ lat: number; lng: number } | null> {
      const org = await q.orgByCode(db, orgCode);
      if (!org) return null;
      return areaCentre(db, org.id);
    },

    /**
     * Files a report in the municipality whose area contains the point: writes the report, its
     * photos, its first update, the audit entry and the citizen's SMS (tracking code) in one
     * transaction. An API client (Open311) files for the jurisdiction it names, which must be its
     * own organization's unless it is the province's, and gets a token.
     */
    async file(actor: Actor, input: NewReport, opts: { photos?: StoredPhoto[]; jurisdiction?: string } = {}) {
      if (actor.kind === 'staff' || actor.kind === 'system') throw forbidden('report.citizens_only');
      if (actor.kind === 'api_client' && !actor.scopes.includes('reports.write')) throw forbidden();
      const photos = opts.photos ?? [];
      if (photos.length > MAX_PHOTOS) throw badInput({ photos: 'report.photo_count' });
      const now = clock.now();
      // Everything that can refuse the report is checked first, outside the writing transaction.
      const org = await routeToMunicipality(db, input.lat, input.lng);
      if (opts.jurisdiction && opts.jurisdiction !== org.code) throw badInput({ lat: 'report.outside_jurisdiction', lng: 'report.outside_jurisdiction' });
      if (actor.kind === 'api_client' && actor.orgId !== org.id && (await q.orgKind(db, actor.orgId)) !== 'province') throw forbidden();
      const cat = await q.activeCategoryByCode(db, org.id, input.category);
      if (!cat) throw badInput({ category: 'report.category_unknown' });
      if (actor.kind === 'anonymous' && cat.allow_anonymous !== 1) throw unauthorized('report.sign_in_required');
      const answers = checkAnswers(parseAttributes(cat.attributes), input.attributes);
      const contact = actor.kind === 'citizen' ? await q.citizenContact(db, actor.id) : undefined;
      // The number is taken in its own short transaction: the municipality's counter row is then
      // locked for one statement, not for the whole filing, so concurrent filings in one city do
      // not queue behind each other. A number whose filing then fails is skipped, never reused.
      const year = jalaliParts(now).year;
      const trackingCode = formatReportTrackingCode(org.code, year, await inTransaction(db, (tx) => nextCounter(tx, org.id, `report:${year}`)));
      const id = newId();
      const token = actor.kind === 'api_client' ? randomBytes(12).toString('base64url') : null;
      const dueAt = calendar.addBusinessDays(new Date(now), cat.deadline_days).getTime();
      const result = await inTransaction(db, async (tx) => {
        await q.insertReport(tx, {
          id, org_id: org.id, category_id: cat.id, tracking_code: trackingCode, citizen_id: actor.kind === 'citizen' ? actor.id : null,
          description: input.description, lat: input.lat, lng: input.lng, address: input.address ?? null, state: 'received',
          duplicate_of: null, due_at: dueAt, created_at: now, updated_at: now, resolved_at: null, hidden: 0,
          assigned_department: cat.department_fa, assigned_to: null, rating: null, rating_comment: null, rated_at: null, escalated_due_at: null,
          source: actor.kind === 'api_client' ? 'open311' : 'web', token, api_client_id: actor.kind === 'api_client' ? actor.id : null,
          attributes: Object.keys(answers).length > 0 ? JSON.stringify(answers) : null, moderated_at: null,
        });
        for (const p of photos) {
          await q.insertPhoto(tx, { id: newId(), report_id: id, org_id: org.id, file_key: p.key, content_type: p.content_type, size: p.size, sha256: p.sha256, hidden: 0, created_at: now });
        }
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: org.id, state: 'received', kind: 'state', comment: null, internal: 0, actor_kind: actor.kind, actor_id: actor.id, created_at: now });
        let sent = false;
        if (contact) {
          const locale: Locale = contact.locale === 'en' ? 'en' : 'fa';
          await enqueue(tx, { topic: 'sms.send', orgId: org.id, payload: { to: contact.mobile, text: t(locale, 'report.sms_filed', { code: trackingCode, org: org.name_fa }) }, dedupeKey: `report:${id}:filed:sms` }, now);
          sent = true;
        }
        await appendAudit(tx, actor, { orgId: org.id, action: 'report.filed', entity: 'report', entityId: id, data: { tracking_code: trackingCode, category: cat.code, photos: photos.length, source: actor.kind === 'api_client' ? 'open311' : 'web' } }, now);
        await emitEvent(tx, { orgId: org.id, type: 'report.created', orderingKey: id, payload: { report_id: id, tracking_code: trackingCode, category: cat.code, state: 'received', due_at: new Date(dueAt).toISOString(), source: actor.kind === 'api_client' ? 'open311' : 'web', created_at: new Date(now).toISOString() } }, now);
        return { id, tracking_code: trackingCode, org: org.code, state: 'received' as const, due_at: dueAt, token, sent };
      });
      if (result.sent) ctx.onOutbox?.();
      return { id: result.id, tracking_code: result.tracking_code, org: result.org, state: result.state, due_at: result.due_at, token: result.token };
    },

    /** Open reports of the category within 250 m of the point, nearest first (possible duplicates to follow instead). */
    async nearby(lat: number, lng: number, categoryCode: string) {
      const org = await routeToMunicipality(db, lat, lng);
      const cat = await q.activeCategoryByCode(db, org.id, categoryCode);
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
      const now = clock.now();
      return (await q.reportsOfCitizen(db, actor.id, LIST_LIMIT)).map((r) => viewOf(r, now));
    },

    /** One of the citizen's own reports with its public updates and photos; anyone else's answers 404. */
    async mineOne(actor: Actor, id: string): Promise<ReportDetail> {
      const { row } = await checkedCitizenReport(db, actor, id);
      return detailOf(db, row, false, clock.now());
    },

    /** The citizen adds photos to their own open report (at most MAX_PHOTOS in all). */
    async addPhotos(actor: Actor, id: string, photos: StoredPhoto[]): Promise<PhotoView[]> {
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { row, citizenId } = await checkedCitizenReport(tx, actor, id);
        if (!q.OPEN_STATES.includes(row.state)) throw new AppError('report.photos_closed', 409);
        const have = (await q.photosOf(tx, id, true)).length;
        if (have + photos.length > MAX_PHOTOS) throw badInput({ photos: 'report.photo_count' });
        const out: PhotoView[] = [];
        for (const p of photos) {
          const photoId = newId();
          await q.insertPhoto(tx, { id: photoId, report_id: id, org_id: row.org_id, file_key: p.key, content_type: p.content_type, size: p.size, sha256: p.sha256, hidden: 0, created_at: now });
          out.push({ id: photoId, url: photoUrl(photoId), hidden: false });
        }
        await appendAudit(tx, actor, { orgId: row.org_id, action: 'report.photos_added', entity: 'report', entityId: id, data: { count: photos.length, citizen: citizenId } }, now);
        return out;
      });
    },

    /** The citizen reopens their resolved report within 10 days: it is open again with a new deadline. */
    async reopen(actor: Actor, id: string, input: { comment: string }): Promise<ReportView> {
      const now = clock.now();
      const comment = input.comment.trim();
      if (comment.length < 3) throw badInput({ comment: 'report.reopen_reason_required' });
      return inTransaction(db, async (tx) => {
        const { row, citizenId } = await checkedCitizenReport(tx, actor, id);
        if (row.state !== 'resolved' || row.resolved_at === null) throw new AppError('report.reopen_not_allowed', 409);
        if (now - Number(row.resolved_at) > REOPEN_DAYS * DAY_MS) throw new AppError('report.reopen_too_late', 409);
        const dueAt = calendar.addBusinessDays(new Date(now), Number(row.deadline_days)).getTime();
        const set = { state: 'reopened' as const, resolved_at: null, due_at: dueAt, updated_at: now, reopened_count: Number(row.reopened_count) + 1, rating: null, rating_comment: null, rated_at: null };
        if (!(await q.updateOwnReport(tx, citizenId, id, 'resolved', set))) throw new AppError('report.conflict', 409);
        // The state change is public; the citizen's words are not (public views drop citizens' comments).
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: row.org_id, state: 'reopened', kind: 'reopen', comment, internal: 0, actor_kind: 'citizen', actor_id: citizenId, created_at: now });
        await appendAudit(tx, actor, { orgId: row.org_id, action: 'report.reopened', entity: 'report', entityId: id, data: { reopened_count: set.reopened_count } }, now);
        await emitEvent(tx, { orgId: row.org_id, type: 'report.updated', orderingKey: id, payload: { report_id: id, tracking_code: row.tracking_code, change: 'reopened', from: row.state, state: 'reopened', internal: false, updated_at: new Date(now).toISOString() } }, now);
        return viewOf({ ...row, ...set }, now);
      });
    },

    /** The citizen rates the result of their closed report (1-5), once. */
    async rate(actor: Actor, id: string, input: { rating: number; comment?: string }): Promise<ReportView> {
      const now = clock.now();
      if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) throw badInput({ rating: 'report.rating_range' });
      const comment = input.comment?.trim() || null;
      return inTransaction(db, async (tx) => {
        const { row, citizenId } = await checkedCitizenReport(tx, actor, id);
        if (!CLOSED.includes(row.state)) throw new AppError('report.rate_not_closed', 409);
        if (row.rating !== null) throw new AppError('report.already_rated', 409);
        const set = { rating: input.rating, rating_comment: comment, rated_at: now };
        if (!(await q.updateOwnReport(tx, citizenId, id, row.state, set))) throw new AppError('report.conflict', 409);
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: row.org_id, state: row.state, kind: 'rating', comment: null, internal: 1, actor_kind: 'citizen', actor_id: citizenId, created_at: now });
        await appendAudit(tx, actor, { orgId: row.org_id, action: 'report.rated', entity: 'report', entityId: id, data: { rating: input.rating } }, now);
        return viewOf({ ...row, ...set }, now);
      });
    },

    /** Reports of the organizations where the actor triages (404 for an organization they may not). */
    async staffList(actor: Actor, f: { org?: string; state?: ReportState; category?: string; status?: 'open' | 'closed'; overdue?: boolean; assigned?: 'me' | 'none'; q?: string }): Promise<ReportView[]> {
      let scopes = triageScopes(actor);
      if (f.org) {
        const org = await q.orgByCode(db, f.org);
        if (!org) throw notFound();
        scopes = [orgScope(actor, org.id, 'reports.triage')];
      }
      const now = clock.now();
      const text = f.q?.trim();
      const filter: q.StaffFilter = {
        state: f.state, categoryCode: f.category, overdueAt: f.overdue ? now : undefined,
        states: f.status === 'open' ? q.OPEN_STATES : f.status === 'closed' ? q.CLOSED_STATES : undefined,
        assignedTo: f.assigned === 'me' ? actor.id : f.assigned === 'none' ? null : undefined,
      };
      if (text && /^[A-Za-z0-9-]+-137-\d{4}-\d+$/.test(text)) filter.trackingCode = text.toUpperCase();
      else if (text) filter.text = text;
      return (await q.reportsInScopes(db, scopes, filter, LIST_LIMIT)).map((r) => viewOf(r, now));
    },

    /** How many open reports are past due in the organizations where the actor triages. */
    async overdueCount(actor: Actor, orgCode?: string): Promise<number> {
      let scopes = triageScopes(actor);
      if (orgCode) {
        const org = await q.orgByCode(db, orgCode);
        if (!org) throw notFound();
        scopes = [orgScope(actor, org.id, 'reports.triage')];
      }
      return q.overdueCount(db, scopes, clock.now());
    },

    /** One report for staff: every update (internal ones too) and every photo (hidden ones too). */
    async staffGet(actor: Actor, id: string): Promise<ReportDetail> {
      const { row } = await staffReport(db, actor, id, 'reports.triage');
      return detailOf(db, row, true, clock.now());
    },

    /** Staff of the organization a report may be assigned to. */
    async officers(actor: Actor, orgCode: string) {
      const org = await q.orgByCode(db, orgCode);
      if (!org) throw notFound();
      return q.staffWithRoles(db, orgScope(actor, org.id, 'reports.triage'), OFFICER_ROLES);
    },

    /** The departments of the organization's categories. */
    async departments(actor: Actor, orgCode: string) {
      const org = await q.orgByCode(db, orgCode);
      if (!org) throw notFound();
      orgScope(actor, org.id, 'reports.triage');
      return (await q.departmentsOf(db, org.id)).map((d) => ({ fa: d.department_fa, en: d.department_en }));
    },

    /** Assigns a report to a department and/or an officer of its organization (managers and org admins). */
    async assign(actor: Actor, id: string, input: { department?: string | null; officer?: string | null }): Promise<ReportView> {
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { scope, row } = await staffReport(tx, actor, id, 'reports.assign');
        const department = input.department === undefined ? row.assigned_department : input.department?.trim() || null;
        if (department !== null && department.length > 200) throw badInput({ department: 'common.invalid_value' });
        let officer = input.officer === undefined ? row.assigned_to : input.officer || null;
        let officerName: string | null = row.assigned_to_name ?? null;
        if (input.officer !== undefined && officer !== null) {
          const found = (await q.staffWithRoles(tx, scope, OFFICER_ROLES)).find((s) => s.id === officer);
          if (!found) throw badInput({ officer: 'report.officer_unknown' });
          officer = found.id;
          officerName = found.name;
        }
        if (officer === null) officerName = null;
        const set = { assigned_department: department, assigned_to: officer, updated_at: now };
        await q.updateReport(tx, scope, id, set);
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: row.org_id, state: row.state, kind: 'assign', comment: [department, officerName].filter(Boolean).join(' / ') || null, internal: 1, actor_kind: 'staff', actor_id: actor.id!, created_at: now });
        await appendAudit(tx, actor, { orgId: row.org_id, action: 'report.assigned', entity: 'report', entityId: id, data: { department, officer, from: { department: row.assigned_department, officer: row.assigned_to } } }, now);
        return viewOf({ ...row, ...set, assigned_to_name: officerName }, now);
      });
    },

    /** A comment on a report: to the citizen (SMS'd and public) or an internal note. */
    async comment(actor: Actor, id: string, input: { comment: string; internal: boolean }): Promise<ReportView> {
      const now = clock.now();
      const comment = input.comment.trim();
      if (comment.length === 0) throw badInput({ comment: 'report.comment_required' });
      if (comment.length > 2000) throw badInput({ comment: 'common.invalid_value' });
      const result = await inTransaction(db, async (tx) => {
        const { scope, row } = await staffReport(tx, actor, id, 'reports.triage');
        await q.updateReport(tx, scope, id, { updated_at: now });
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: row.org_id, state: row.state, kind: 'comment', comment, internal: input.internal ? 1 : 0, actor_kind: 'staff', actor_id: actor.id!, created_at: now });
        await appendAudit(tx, actor, { orgId: row.org_id, action: 'report.commented', entity: 'report', entityId: id, data: { internal: input.internal } }, now);
        await emitEvent(tx, { orgId: row.org_id, type: 'report.updated', orderingKey: id, payload: { report_id: id, tracking_code: row.tracking_code, change: 'comment', state: row.state, internal: input.internal, updated_at: new Date(now).toISOString() } }, now);
        const sent = input.internal ? false : await notifyCitizen(tx, row.org_id, row.citizen_id, 'report.sms_comment', { code: row.tracking_code, comment: comment.slice(0, 300) }, `report:${id}:comment:${now}`, now);
        return { view: viewOf({ ...row, updated_at: now }, now), sent };
      });
      if (result.sent) ctx.onOutbox?.();
      return result.view;
    },

    /**
     * Moves a report along an allowed transition: writes the state, the update, the audit entry
     * and (on resolved or rejected) the citizen's SMS in one transaction. Another organization's
     * report answers 404 exactly like a missing one.
     */
    async changeState(actor: Actor, id: string, change: StateChange): Promise<ReportView> {
      const now = clock.now();
      const comment = change.comment?.trim() || null;
      const result = await inTransaction(db, async (tx) => {
        const { scope, row } = await staffReport(tx, actor, id, 'reports.triage');
        if (!TRANSITIONS[row.state].includes(change.state)) throw new AppError('report.transition_not_allowed', 409, { state: 'report.transition_not_allowed' });
        if (change.state === 'rejected' && !comment) throw badInput({ comment: 'report.reason_required' });
        if (change.state === 'transferred' && !comment) throw badInput({ comment: 'report.transfer_to_required' });
        let duplicateOf: string | null = null;
        if (change.state === 'duplicate') {
          const ref = change.duplicate_of?.trim();
          const original = ref ? ((await q.reportInScope(tx, scope, ref)) ?? (await q.reportInScopeByCode(tx, scope, ref.toUpperCase()))) : undefined;
          if (!original || original.id === id) throw badInput({ duplicate_of: 'report.duplicate_of_unknown' });
          duplicateOf = original.id;
        }
        const resolvedAt = CLOSED.includes(change.state) ? now : null;
        if (!(await q.setState(tx, scope, id, row.state, { state: change.state, duplicate_of: duplicateOf, resolved_at: resolvedAt, updated_at: now }))) {
          throw new AppError('report.conflict', 409);
        }
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: row.org_id, state: change.state, kind: 'state', comment, internal: change.internal ? 1 : 0, actor_kind: 'staff', actor_id: actor.id, due_at: num(row.due_at), created_at: now });
        await appendAudit(tx, actor, { orgId: row.org_id, action: 'report.state_changed', entity: 'report', entityId: id, data: { from: row.state, to: change.state, duplicate_of: duplicateOf, internal: !!change.internal } }, now);
        await emitEvent(tx, { orgId: row.org_id, type: 'report.updated', orderingKey: id, payload: { report_id: id, tracking_code: row.tracking_code, change: 'state', from: row.state, state: change.state, internal: !!change.internal, updated_at: new Date(now).toISOString() } }, now);
        let sent = false;
        if (change.state === 'resolved' || change.state === 'rejected' || change.state === 'transferred') {
          const reason = change.internal ? '' : comment ?? '';
          sent = await notifyCitizen(tx, row.org_id, row.citizen_id, `report.sms_${change.state}`, { code: row.tracking_code, reason }, `report:${id}:${change.state}:${now}`, now);
        }
        return { view: viewOf({ ...row, state: change.state, duplicate_of: duplicateOf, resolved_at: resolvedAt, updated_at: now }, now), sent };
      });
      if (result.sent) ctx.onOutbox?.();
      return result.view;
    },

    /**
     * Moderation (managers, org admins): replaces the public description with a redacted one or
     * hides it, and hides or shows photos. The original text goes into the audit entry, so it is
     * kept for the record but shown to no one.
     */
    async moderate(actor: Actor, id: string, input: { description?: string; hide_description?: boolean; hide_photos?: string[]; show_photos?: string[] }): Promise<ReportView> {
      const now = clock.now();
      const description = input.description?.trim();
      if (description !== undefined && (description.length < 1 || description.length > 2000)) throw badInput({ description: 'common.invalid_value' });
      return inTransaction(db, async (tx) => {
        const { scope, row } = await staffReport(tx, actor, id, 'reports.moderate');
        const set: { description?: string; hidden?: 0 | 1; moderated_at: number; updated_at: number } = { moderated_at: now, updated_at: now };
        const changedText = description !== undefined && description !== row.description;
        if (changedText) set.description = description;
        if (input.hide_description !== undefined) set.hidden = input.hide_description ? 1 : 0;
        await q.updateReport(tx, scope, id, set);
        await q.setPhotosHidden(tx, scope, id, input.hide_photos ?? [], true);
        await q.setPhotosHidden(tx, scope, id, input.show_photos ?? [], false);
        await q.insertUpdate(tx, { id: newId(), report_id: id, org_id: row.org_id, state: row.state, kind: 'moderation', comment: null, internal: 1, actor_kind: 'staff', actor_id: actor.id!, created_at: now });
        await appendAudit(tx, actor, {
          orgId: row.org_id, action: 'report.moderated', entity: 'report', entityId: id,
          data: { original_description: changedText ? row.description : undefined, description_changed: changedText, hidden: set.hidden, hide_photos: input.hide_photos ?? [], show_photos: input.show_photos ?? [] },
        }, now);
        return viewOf({ ...row, description: set.description ?? row.description, hidden: set.hidden ?? row.hidden, updated_at: now }, now);
      });
    },

    /** The public list: no personal data (no citizen, no address; no description once hidden by moderation). */
    async publicList(f: { org?: string; category?: string; status?: 'open' | 'closed'; limit?: number }): Promise<PublicReport[]> {
      const org = f.org ? await q.orgByCode(db, f.org) : undefined;
      if (f.org && !org) throw notFound();
      const states = f.status === 'open' ? q.OPEN_STATES : f.status === 'closed' ? q.CLOSED_STATES : undefined;
      return (await q.publicReports(db, { orgId: org?.id, categoryCode: f.category, states }, Math.min(f.limit ?? LIST_LIMIT, LIST_LIMIT))).map(publicOf);
    },

    /** One report as the public sees it, by tracking code: public updates and visible photos only. */
    async publicGet(trackingCode: string): Promise<PublicReportDetail> {
      const row = await q.publicReportByCode(db, trackingCode.trim().toUpperCase());
      if (!row) throw notFound();
      const updates = await q.updatesOf(db, row.id, 'public');
      const photos = await q.photosOf(db, row.id, false);
      return {
        ...publicOf(row),
        updates: updates.map((u) => ({ state: u.state, kind: u.kind, comment: u.actor_kind === 'staff' ? u.comment : null, created_at: Number(u.created_at) })),
        photos: photos.map((p) => ({ id: p.id, url: photoUrl(p.id) })),
      };
    },

    /** A photo's bytes: visible photos to anyone; hidden ones only to staff of the report's organization. */
    async photo(actor: Actor, photoId: string) {
      const p = await q.photoById(db, photoId);
      if (!p) throw notFound();
      if (Number(p.hidden) === 1 && !mayAct(actor, p.org_id, 'reports.triage')) throw notFound();
      return { stream: await files.open(p.file_key), content_type: p.content_type, size: Number(p.size) };
    },

    /** Public updates of a municipality's reports, oldest first (Open311 servicerequestupdates). */
    async updatesFeed(orgCode: string, f: { from?: number; to?: number; limit: number; offset: number }) {
      const org = await q.orgByCode(db, orgCode);
      if (!org) throw notFound();
      const rows = await q.publicUpdates(db, org.id, f, f.limit, f.offset);
      const photos = await q.firstPhotos(db, [...new Set(rows.map((r) => r.report_id))]);
      return rows.map((r) => ({
        update_id: r.id, report_id: r.report_id, tracking_code: r.tracking_code, state: r.state, kind: r.kind,
        comment: r.actor_kind === 'staff' ? r.comment : null, created_at: Number(r.created_at), photo_url: photos.has(r.report_id) ? photoUrl(photos.get(r.report_id)!) : null,
      }));
    },

    /** The report an Open311 token stands for, within its municipality. */
    async byToken(orgCode: string, token: string): Promise<{ tracking_code: string } | null> {
      const org = await q.orgByCode(db, orgCode);
      if (!org || !token) return null;
      return (await q.reportByToken(db, org.id, token)) ?? null;
    },
  };
  return service;
}

function publicOf(r: { tracking_code: string; org_code: string; org_fa: string; org_en: string; category_code: string; category_fa: string; category_en: string; state: ReportState; lat: number; lng: number; hidden: number; description: string; created_at: number; updated_at: number; resolved_at: number | null }): PublicReport {
  return {
    tracking_code: r.tracking_code, org: r.org_code, org_name: { fa: r.org_fa, en: r.org_en },
    category: { code: r.category_code, title: { fa: r.category_fa, en: r.category_en } },
    state: r.state, lat: approximate(Number(r.lat)), lng: approximate(Number(r.lng)), description: Number(r.hidden) === 1 ? null : r.description,
    created_at: Number(r.created_at), updated_at: Number(r.updated_at), resolved_at: r.resolved_at === null ? null : Number(r.resolved_at),
  };
}

export type GrievancesService = ReturnType<typeof createGrievancesService>;

/**
 * Escalates open reports past their due date, once per deadline: the mark on the report
 * (escalated_due_at = due_at), an internal 'escalation' update and the audit entry commit
 * together; the mark is a conditional update, so a second scanner (another process) finds the
 * breach taken. A reopened report has a new deadline, hence a new breach. Managers see escalated
 * reports flagged and first in their queue.
 */
export class ReportEscalationScanner {
  private readonly job: PeriodicJob;
  constructor(private readonly opts: { db: DB; clock: Clock; intervalMs?: number; batchSize?: number; onError?: (err: unknown) => void }) {
    this.job = new PeriodicJob(() => this.scanOnce(), opts.intervalMs ?? 60_000, opts.onError);
  }

  start(onError?: (err: unknown) => void): void {
    this.job.start(onError);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** Escalates every breach found now; returns how many this call escalated. */
  async scanOnce(): Promise<number> {
    const now = this.opts.clock.now();
    const batch = this.opts.batchSize ?? 200;
    let escalated = 0;
    const seen = new Set<string>();
    for (;;) {
      const rows = (await q.reportBreaches(this.opts.db, now, batch)).filter((r) => !seen.has(r.id));
      for (const r of rows) {
        seen.add(r.id);
        const dueAt = Number(r.due_at);
        const done = await inTransaction(this.opts.db, async (tx) => {
          if (!(await q.markReportEscalated(tx, r.id, dueAt))) return false;
          await q.insertUpdate(tx, { id: newId(), report_id: r.id, org_id: r.org_id, state: r.state, kind: 'escalation', comment: null, internal: 1, actor_kind: 'system', actor_id: null, created_at: now });
          await appendAudit(tx, systemActor, { orgId: r.org_id, action: 'report.escalated', entity: 'report', entityId: r.id, data: { tracking_code: r.tracking_code, state: r.state, due_at: dueAt } }, now);
          return true;
        });
        if (done) escalated += 1;
      }
      if (rows.length < batch) break;
    }
    return escalated;
  }
}
