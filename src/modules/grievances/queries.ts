import type { Insertable } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { ReportCategoriesTable, ReportState, ReportUpdatesTable, ReportsTable } from '../../platform/db/schema.js';

// Every SQL statement of city problem reports. Reads of one organization's reports for staff
// take an OrgScope; citizens' reads are narrowed to their own id; public reads select no
// personal column.

export const OPEN_STATES: ReportState[] = ['received', 'in_progress', 'scheduled', 'reopened'];

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

/** A category of one municipality by its code (categories are public). */
export async function categoryByCode(tx: Tx, orgId: string, code: string) {
  return tx.selectFrom('report_categories').selectAll().where('org_id', '=', orgId).where('code', '=', code).executeTakeFirst();
}

/** The categories of a municipality, or of every municipality when orgId is absent. */
export async function categories(tx: Tx, orgId?: string) {
  let q = tx.selectFrom('report_categories as c').innerJoin('orgs as o', 'o.id', 'c.org_id').selectAll('c').select('o.code as org_code');
  if (orgId) q = q.where('c.org_id', '=', orgId);
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
    .innerJoin('orgs as o', 'o.id', 'r.org_id');
}

const REPORT_COLUMNS = [
  'r.id', 'r.org_id', 'o.code as org_code', 'o.name_fa as org_fa', 'o.name_en as org_en', 'r.tracking_code', 'r.citizen_id',
  'r.description', 'r.lat', 'r.lng', 'r.address', 'r.state', 'r.duplicate_of', 'r.due_at', 'r.created_at', 'r.updated_at',
  'r.resolved_at', 'r.hidden', 'c.code as category_code', 'c.title_fa as category_fa', 'c.title_en as category_en',
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

/** Reports of the scopes' organizations, newest first. */
export async function reportsInScopes(tx: Tx, scopes: OrgScope[], f: { state?: ReportState; categoryCode?: string }, limit: number): Promise<ReportRow[]> {
  if (scopes.length === 0) return [];
  let q = withNames(tx).select(REPORT_COLUMNS).where('r.org_id', 'in', scopes.map((s) => s.orgId));
  if (f.state) q = q.where('r.state', '=', f.state);
  if (f.categoryCode) q = q.where('c.code', '=', f.categoryCode);
  return q.orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit).execute();
}

/** A citizen's own reports, newest first. */
export async function reportsOfCitizen(tx: Tx, citizenId: string, limit: number): Promise<ReportRow[]> {
  return withNames(tx).select(REPORT_COLUMNS).where('r.citizen_id', '=', citizenId).orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit).execute();
}

/** Public rows: no citizen, no address; the description only when not hidden. */
export async function publicReports(tx: Tx, f: { orgId?: string; categoryCode?: string }, limit: number) {
  let q = withNames(tx).select([
    'r.tracking_code', 'o.code as org_code', 'c.code as category_code', 'c.title_fa as category_fa', 'c.title_en as category_en',
    'r.state', 'r.lat', 'r.lng', 'r.hidden', 'r.description', 'r.created_at', 'r.resolved_at',
  ]);
  if (f.orgId) q = q.where('r.org_id', '=', f.orgId);
  if (f.categoryCode) q = q.where('c.code', '=', f.categoryCode);
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
    .where('u.internal', '=', 0).where('u.comment', 'is not', null).orderBy('u.created_at', 'desc').limit(1).as('status_notes'))
    .where('r.org_id', '=', f.orgId);
  if (f.trackingCodes) q = q.where('r.tracking_code', 'in', f.trackingCodes);
  if (f.categoryCode) q = q.where('c.code', '=', f.categoryCode);
  if (f.states) q = q.where('r.state', 'in', f.states);
  if (f.from !== undefined) q = q.where('r.created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('r.created_at', '<=', f.to);
  return q.orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit).offset(offset).execute();
}
