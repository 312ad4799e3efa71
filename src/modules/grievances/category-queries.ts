// Every SQL statement of the management of report categories (۱۳۷) by an organization's admin.
// Each takes the OrgScope the access helper granted, so a query cannot reach another organization.
import type { Updateable } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { ReportCategoriesTable } from '../../platform/db/schema.js';
import { OPEN_STATES } from './queries.js';

const COLUMNS = [
  'c.id', 'c.code', 'c.group', 'c.title_fa', 'c.title_en', 'c.deadline_days', 'c.department_fa', 'c.department_en',
  'c.allow_anonymous', 'c.active', 'c.created_at',
] as const;

/** The organization's categories, inactive ones included, each with how many of its reports are open. */
export function categoriesWithOpenCounts(tx: Tx, scope: OrgScope) {
  return tx.selectFrom('report_categories as c').select(COLUMNS)
    .select((eb) => eb.selectFrom('reports as r').select((e) => e.fn.countAll<number | string>().as('n'))
      .whereRef('r.category_id', '=', 'c.id').where('r.state', 'in', OPEN_STATES).as('open_reports'))
    .where('c.org_id', '=', scope.orgId)
    .orderBy('c.group').orderBy('c.code')
    .execute();
}

/** One category of the organization by its code, with its open reports. */
export function categoryInScope(tx: Tx, scope: OrgScope, code: string) {
  return tx.selectFrom('report_categories as c').select(COLUMNS)
    .select((eb) => eb.selectFrom('reports as r').select((e) => e.fn.countAll<number | string>().as('n'))
      .whereRef('r.category_id', '=', 'c.id').where('r.state', 'in', OPEN_STATES).as('open_reports'))
    .where('c.org_id', '=', scope.orgId).where('c.code', '=', code)
    .executeTakeFirst();
}
export type CategoryRow = NonNullable<Awaited<ReturnType<typeof categoryInScope>>>;

/** True when the organization already has a category with this code. */
export async function codeTaken(tx: Tx, scope: OrgScope, code: string): Promise<boolean> {
  return (await tx.selectFrom('report_categories').select('id').where('org_id', '=', scope.orgId).where('code', '=', code).executeTakeFirst()) !== undefined;
}

/** Adds a category to the organization (no extra questions: those come with the demo data or later). */
export async function insertCategoryInScope(tx: Tx, scope: OrgScope, row: Omit<ReportCategoriesTable, 'org_id' | 'attributes' | 'active'> & { active: 0 | 1 }): Promise<void> {
  await tx.insertInto('report_categories').values({ ...row, org_id: scope.orgId, attributes: '[]' }).execute();
}

/** Changes the editable columns of one category of the organization (its code stays). */
export async function updateCategoryInScope(tx: Tx, scope: OrgScope, id: string, set: Omit<Updateable<ReportCategoriesTable>, 'id' | 'org_id' | 'code' | 'created_at'>): Promise<void> {
  await tx.updateTable('report_categories').set(set).where('org_id', '=', scope.orgId).where('id', '=', id).execute();
}
