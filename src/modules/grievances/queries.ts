import type { Insertable, Updateable } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { ReportCategoriesTable, ReportPhotosTable, ReportState, ReportUpdatesTable, ReportsTable } from '../../platform/db/schema.js';

// Every SQL statement of city problem reports. Reads of one organization's reports for staff
// take an OrgScope; citizens' reads are narrowed to their own id; public reads select no
// personal column.

export const OPEN_STATES: ReportState[] = ['received', 'in_progress', 'scheduled', 'reopened'];
export const CLOSED_STATES: ReportState[] = ['resolved', 'transferred', 'duplicate', 'rejected'];

export async function municipalitiesWithoutCategories(tx: Tx): Promise<string[]> {
  const rows = await tx.selectFrom('orgs').select('id').where('kind', '=', 'municipality')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('report_categories as c').select('c.id').whereRef('c.org_id', '=', 'orgs.id'))))
    .execute();
  return rows.map((r) => r.id);
}

export async function insertCategory(tx: Tx, row: Insertable<ReportCategoriesTable>): Promise<void> {
  await tx.insertInto('report_categories').values(row).execute();
}

export async function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('code', '=', code).executeTakeFirst();
}

/** A category of one municipality by its code (categories are public); with activeOnly, none when it is inactive. */
export async function categoryByCode(tx: Tx, orgId: string, code: string, opts: { activeOnly?: boolean } = {}) {
  let q = tx.selectFrom('report_categories').selectAll().where('org_id', '=', orgId).where('code', '=', code);
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return q.executeTakeFirst();
}

/** A category citizens may report in now: of this municipality, by code, and active. */
export const activeCategoryByCode = (tx: Tx, orgId: string, code: string) => categoryByCode(tx, orgId, code, { activeOnly: true });

/**
 * The categories of a municipality, or of every municipality when orgId is absent: those offered
 * to citizens (active), or all of them with includeInactive.
 */
export async function categories(tx: Tx, orgId?: string, opts: { includeInactive?: boolean } = {}) {
  let q = tx.selectFrom('report_categories as c').innerJoin('orgs as o', 'o.id', 'c.org_id').selectAll('c').select('o.code as org_code');
  if (orgId) q = q.where('c.org_id', '=', orgId);
  if (!opts.includeInactive) q = q.where('c.active', '=', 1);
  return q.orderBy('o.code').orderBy('c.group').orderBy('c.code').execute();
}

export async function insertReport(tx: Tx, row: Insertable<ReportsTable>): Promise<void> {
  await tx.insertInto('reports').values(row).execute();
}

export async function insertUpdate(tx: Tx, row: Insertable<ReportUpdatesTable>): Promise<void> {
  await tx.insertInto('report_updates').values(row).execute();
}

function withNames(tx: Tx) {
  return tx.selectFrom('reports as r')
    .innerJoin('report_categories as c', 'c.id', 'r.category_id')
    .innerJoin('orgs as o', 'o.id', 'r.org_id')
    .leftJoin('staff as s', 's.id', 'r.assigned_to');
}

const REPORT_COLUMNS = [
  'r.id', 'r.org_id', 'o.code as org_code', 'o.name_fa as org_fa', 'o.name_en as org_en', 'r.tracking_code', 'r.citizen_id',
  'r.description', 'r.lat', 'r.lng', 'r.address', 'r.state', 'r.duplicate_of', 'r.due_at', 'r.created_at', 'r.updated_at',
  'r.resolved_at', 'r.hidden', 'c.code as category_code', 'c.title_fa as category_fa', 'c.title_en as category_en',
  'c.department_fa', 'c.department_en', 'c.deadline_days', 'c.attributes as category_attributes', 'r.assigned_department', 'r.assigned_to',
  's.display_name as assigned_to_name', 'r.reopened_count', 'r.rating', 'r.rating_comment', 'r.rated_at', 'r.escalated_due_at',
  'r.source', 'r.attributes', 'r.token',
] as const;

/** Open reports of one category inside a box around a point (the caller measures the exact distance). */
export async function openReportsNear(tx: Tx, categoryId: string, box: { minLat: number; maxLat: number; minLng: number; maxLng: number }) {
  return withNames(tx).select(REPORT_COLUMNS)
    .where('r.category_id', '=', categoryId).where('r.state', 'in', OPEN_STATES)
    .where('r.lat', '>=', box.minLat).where('r.lat', '<=', box.maxLat)
    .where('r.lng', '>=', box.minLng).where('r.lng', '<=', box.maxLng)
    .orderBy('r.created_at', 'desc').limit(50).execute();
}
export type ReportRow = Awaited<ReturnType<typeof openReportsNear>>[number];

/** The organization of a report, so the caller can check access before reading it (null when there is none). */
export async function reportOrgId(tx: Tx, id: string): Promise<string | null> {
  const row = await tx.selectFrom('reports').select('org_id').where('id', '=', id).executeTakeFirst();
  return row?.org_id ?? null;
}

/** One report of the scope's organization. */
export async function reportInScope(tx: Tx, scope: OrgScope, id: string): Promise<ReportRow | undefined> {
  return withNames(tx).select(REPORT_COLUMNS).where('r.org_id', '=', scope.orgId).where('r.id', '=', id).executeTakeFirst();
}

/** One report of the scope's organization by tracking code. */
export async function reportInScopeByCode(tx: Tx, scope: OrgScope, trackingCode: string): Promise<ReportRow | undefined> {
  return withNames(tx).select(REPORT_COLUMNS).where('r.org_id', '=', scope.orgId).where('r.tracking_code', '=', trackingCode).executeTakeFirst();
}

export async function orgKind(tx: Tx, orgId: string): Promise<string | undefined> {
  return (await tx.selectFrom('orgs').select('kind').where('id', '=', orgId).executeTakeFirst())?.kind;
}

export interface StaffFilter {
  state?: ReportState;
  states?: ReportState[];
  categoryCode?: string;
  /** Open and past due_at at this time. */
  overdueAt?: number;
  assignedTo?: string | null;
  trackingCode?: string;
  text?: string;
}

/** Reports of the scopes' organizations: newest first, or the most overdue first when filtering overdue ones. */
export async function reportsInScopes(tx: Tx, scopes: OrgScope[], f: StaffFilter, limit: number): Promise<ReportRow[]> {
  if (scopes.length === 0) return [];
  let q = withNames(tx).select(REPORT_COLUMNS).where('r.org_id', 'in', scopes.map((s) => s.orgId));
  if (f.state) q = q.where('r.state', '=', f.state);
  if (f.states) q = q.where('r.state', 'in', f.states);
  if (f.categoryCode) q = q.where('c.code', '=', f.categoryCode);
  if (f.overdueAt !== undefined) q = q.where('r.state', 'in', OPEN_STATES).where('r.due_at', '<', f.overdueAt);
  if (f.assignedTo !== undefined) q = f.assignedTo === null ? q.where('r.assigned_to', 'is', null) : q.where('r.assigned_to', '=', f.assignedTo);
  if (f.trackingCode) q = q.where('r.tracking_code', '=', f.trackingCode);
  if (f.text) q = q.where('r.description', 'like', `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (f.overdueAt !== undefined) return q.orderBy('r.due_at', 'asc').orderBy('r.id').limit(limit).execute();
  return q.orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit).execute();
}

/** How many open reports of the scopes' organizations are past due at this time. */
export async function overdueCount(tx: Tx, scopes: OrgScope[], at: number): Promise<number> {
  if (scopes.length === 0) return 0;
  const row = await tx.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', 'in', scopes.map((s) => s.orgId)).where('state', 'in', OPEN_STATES).where('due_at', '<', at).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A citizen's own report. */
export async function reportOfCitizen(tx: Tx, citizenId: string, id: string): Promise<ReportRow | undefined> {
  return withNames(tx).select(REPORT_COLUMNS).where('r.citizen_id', '=', citizenId).where('r.id', '=', id).executeTakeFirst();
}

/**
 * The updates of a report, oldest first, with the staff member's name: every one for staff, the
 * public ones for its citizen and the public (the public service then drops citizens' comments).
 */
export async function updatesOf(tx: Tx, reportId: string, audience: 'staff' | 'citizen' | 'public') {
  let q = tx.selectFrom('report_updates as u').leftJoin('staff as s', (j) => j.onRef('s.id', '=', 'u.actor_id').on('u.actor_kind', '=', 'staff'))
    .select(['u.id', 'u.kind', 'u.state', 'u.comment', 'u.internal', 'u.actor_kind', 's.display_name as actor_name', 'u.created_at'])
    .where('u.report_id', '=', reportId);
  if (audience === 'public') q = q.where('u.internal', '=', 0);
  if (audience === 'citizen') q = q.where('u.internal', '=', 0);
  return q.orderBy('u.created_at').orderBy('u.id').execute();
}

export async function insertPhoto(tx: Tx, row: Insertable<ReportPhotosTable>): Promise<void> {
  await tx.insertInto('report_photos').values(row).execute();
}

/** A report's photos, oldest first; hidden ones only when asked. */
export async function photosOf(tx: Tx, reportId: string, includeHidden: boolean) {
  let q = tx.selectFrom('report_photos').select(['id', 'hidden', 'content_type']).where('report_id', '=', reportId);
  if (!includeHidden) q = q.where('hidden', '=', 0);
  return q.orderBy('created_at').orderBy('id').execute();
}

/** A photo with what decides who may see it: its report's organization and citizen. */
export async function photoById(tx: Tx, id: string) {
  return tx.selectFrom('report_photos as p').innerJoin('reports as r', 'r.id', 'p.report_id')
    .select(['p.id', 'p.file_key', 'p.content_type', 'p.size', 'p.hidden', 'p.org_id', 'r.citizen_id'])
    .where('p.id', '=', id).executeTakeFirst();
}

export async function setPhotosHidden(tx: Tx, scope: OrgScope, reportId: string, ids: string[], hidden: boolean): Promise<void> {
  if (ids.length === 0) return;
  await tx.updateTable('report_photos').set({ hidden: hidden ? 1 : 0 }).where('org_id', '=', scope.orgId).where('report_id', '=', reportId).where('id', 'in', ids).execute();
}

/** Updates columns of one report of the scope's organization. */
export async function updateReport(tx: Tx, scope: OrgScope, id: string, set: Omit<Updateable<ReportsTable>, 'id' | 'org_id'>): Promise<void> {
  await tx.updateTable('reports').set(set).where('org_id', '=', scope.orgId).where('id', '=', id).execute();
}

/** Updates a citizen's own report if it is still in the expected state; false when it changed meanwhile. */
export async function updateOwnReport(tx: Tx, citizenId: string, id: string, expected: ReportState, set: Omit<Updateable<ReportsTable>, 'id' | 'org_id'>): Promise<boolean> {
  const r = await tx.updateTable('reports').set(set).where('citizen_id', '=', citizenId).where('id', '=', id).where('state', '=', expected).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Staff of an organization who hold one of the roles, by name. */
export async function staffWithRoles(tx: Tx, scope: OrgScope, roles: readonly string[]) {
  return tx.selectFrom('memberships as m').innerJoin('staff as s', 's.id', 'm.staff_id')
    .select(['s.id', 's.display_name as name', 'm.role']).where('m.org_id', '=', scope.orgId).where('m.role', 'in', [...roles]).where('s.disabled', '=', 0)
    .orderBy('s.display_name').execute();
}

/** The distinct departments of an organization's categories. */
export async function departmentsOf(tx: Tx, orgId: string) {
  return tx.selectFrom('report_categories').select(['department_fa', 'department_en']).distinct().where('org_id', '=', orgId).orderBy('department_fa').execute();
}

/** A public report by tracking code: no citizen, no address. */
export async function publicReportByCode(tx: Tx, code: string) {
  return withNames(tx).select(PUBLIC_COLUMNS).select('r.id').where('r.tracking_code', '=', code).executeTakeFirst();
}

/** Non-internal updates of a municipality's reports within a time range, oldest first (the Open311 update feed). */
export async function publicUpdates(tx: Tx, orgId: string, f: { from?: number; to?: number }, limit: number, offset: number) {
  let q = tx.selectFrom('report_updates as u').innerJoin('reports as r', 'r.id', 'u.report_id')
    .select(['u.id', 'u.report_id', 'r.tracking_code', 'u.state', 'u.kind', 'u.comment', 'u.actor_kind', 'r.hidden', 'u.created_at'])
    .where('u.org_id', '=', orgId).where('u.internal', '=', 0);
  if (f.from !== undefined) q = q.where('u.created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('u.created_at', '<=', f.to);
  return q.orderBy('u.created_at').orderBy('u.id').limit(limit).offset(offset).execute();
}

/** The first visible photo of each report. */
export async function firstPhotos(tx: Tx, reportIds: string[]): Promise<Map<string, string>> {
  if (reportIds.length === 0) return new Map();
  const rows = await tx.selectFrom('report_photos').select(['report_id', 'id', 'created_at']).where('report_id', 'in', reportIds).where('hidden', '=', 0)
    .orderBy('created_at').orderBy('id').execute();
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(r.report_id)) out.set(r.report_id, r.id);
  return out;
}

export async function reportByToken(tx: Tx, orgId: string, token: string) {
  return tx.selectFrom('reports').select(['tracking_code']).where('org_id', '=', orgId).where('token', '=', token).executeTakeFirst();
}

/** Open reports past their due date whose current deadline was not escalated yet. */
export async function reportBreaches(tx: Tx, now: number, limit: number) {
  return tx.selectFrom('reports').select(['id', 'org_id', 'tracking_code', 'state', 'due_at'])
    .where('state', 'in', OPEN_STATES).where('due_at', '<', now)
    .where((eb) => eb.or([eb('escalated_due_at', 'is', null), eb('escalated_due_at', '!=', eb.ref('due_at'))]))
    .orderBy('due_at').limit(limit).execute();
}

/** Marks a breach escalated unless another scanner did; true when this call marked it. */
export async function markReportEscalated(tx: Tx, id: string, dueAt: number): Promise<boolean> {
  const r = await tx.updateTable('reports').set({ escalated_due_at: dueAt }).where('id', '=', id).where('due_at', '=', dueAt)
    .where((eb) => eb.or([eb('escalated_due_at', 'is', null), eb('escalated_due_at', '!=', dueAt)])).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A citizen's own reports, newest first. */
export async function reportsOfCitizen(tx: Tx, citizenId: string, limit: number): Promise<ReportRow[]> {
  return withNames(tx).select(REPORT_COLUMNS).where('r.citizen_id', '=', citizenId).orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit).execute();
}

const PUBLIC_COLUMNS = [
  'r.tracking_code', 'o.code as org_code', 'o.name_fa as org_fa', 'o.name_en as org_en', 'c.code as category_code', 'c.title_fa as category_fa', 'c.title_en as category_en',
  'r.state', 'r.lat', 'r.lng', 'r.hidden', 'r.description', 'r.created_at', 'r.updated_at', 'r.resolved_at',
] as const;

/** Public rows: no citizen, no address; the description only when not hidden. */
export async function publicReports(tx: Tx, f: { orgId?: string; categoryCode?: string; states?: ReportState[] }, limit: number) {
  let q = withNames(tx).select(PUBLIC_COLUMNS);
  if (f.orgId) q = q.where('r.org_id', '=', f.orgId);
  if (f.categoryCode) q = q.where('c.code', '=', f.categoryCode);
  if (f.states) q = q.where('r.state', 'in', f.states);
  return q.orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit).execute();
}

/** Moves a report to a state if it is still in the expected one; false when it changed meanwhile. */
export async function setState(tx: Tx, scope: OrgScope, id: string, from: ReportState, set: { state: ReportState; duplicate_of: string | null; resolved_at: number | null; updated_at: number }): Promise<boolean> {
  const r = await tx.updateTable('reports').set(set).where('org_id', '=', scope.orgId).where('id', '=', id).where('state', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function citizenContact(tx: Tx, citizenId: string) {
  return tx.selectFrom('citizens').select(['mobile', 'locale']).where('id', '=', citizenId).executeTakeFirst();
}

/**
 * Public rows for Open311 of one municipality, newest first: no citizen, no address; the caller
 * drops a hidden description. status_notes is the latest public (not internal) staff comment. Times are epoch ms; `from`/`to` bound created_at (inclusive).
 */
export async function open311Reports(tx: Tx, f: { orgId: string; trackingCodes?: string[]; categoryCode?: string; states?: ReportState[]; from?: number; to?: number }, limit: number, offset: number) {
  let q = withNames(tx).select([
    'r.tracking_code', 'c.code as category_code', 'c.title_fa as category_fa', 'c.department_fa', 'r.state', 'r.lat', 'r.lng',
    'r.hidden', 'r.description', 'r.created_at', 'r.updated_at', 'r.due_at',
  ]).select((eb) => eb.selectFrom('report_updates as u').select('u.comment').whereRef('u.report_id', '=', 'r.id')
    .where('u.internal', '=', 0).where('u.actor_kind', '=', 'staff').where('u.comment', 'is not', null).orderBy('u.created_at', 'desc').limit(1).as('status_notes'))
    .where('r.org_id', '=', f.orgId);
  if (f.trackingCodes) q = q.where('r.tracking_code', 'in', f.trackingCodes);
  if (f.categoryCode) q = q.where('c.code', '=', f.categoryCode);
  if (f.states) q = q.where('r.state', 'in', f.states);
  if (f.from !== undefined) q = q.where('r.created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('r.created_at', '<=', f.to);
  return q.orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit).offset(offset).execute();
}
