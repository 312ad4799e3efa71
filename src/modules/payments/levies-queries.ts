import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { BillsTable, LevyImportsTable } from '../../platform/db/schema.js';
import { LEVY_KINDS, type LevyKind } from './levies-rows.js';

// Every SQL statement of levies (bills not tied to an application). Writes and staff reads take
// an OrgScope; the citizen's and the public lookups read by national, property or business code,
// which is the point of them, and never return another column than the caller is shown.

/** The columns a levy bill is shown with, and its organization. */
const BILL_COLUMNS = [
  'b.id', 'b.org_id', 'b.kind', 'b.bill_code', 'b.national_code', 'b.property_code', 'b.business_code', 'b.title_fa', 'b.title_en',
  'b.period', 'b.amount', 'b.status', 'b.due_at', 'b.paid_at', 'b.payment_id', 'b.created_at', 'b.import_batch',
  'o.code as org_code', 'o.name_fa as org_name_fa', 'o.name_en as org_name_en',
] as const;

export type LevyBillRow = Pick<BillsTable, 'id' | 'org_id' | 'kind' | 'bill_code' | 'national_code' | 'property_code' | 'business_code' | 'title_fa' | 'title_en' | 'period' | 'amount' | 'status' | 'due_at' | 'paid_at' | 'payment_id' | 'created_at' | 'import_batch'>
  & { org_code: string; org_name_fa: string; org_name_en: string };

const levyBills = (tx: Tx) => tx.selectFrom('bills as b').innerJoin('orgs as o', 'o.id', 'b.org_id')
  .select(BILL_COLUMNS)
  .where('b.kind', 'in', [...LEVY_KINDS])
  .where('b.application_id', 'is', null)
  .where('b.status', '!=', 'cancelled');

const newestFirst = <T extends { period: string | null; created_at: number }>(rows: T[]) =>
  rows.sort((a, b) => String(b.period ?? '').localeCompare(String(a.period ?? '')) || Number(b.created_at) - Number(a.created_at));

export function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'kind', 'name_fa', 'name_en']).where('code', '=', code).executeTakeFirst();
}

export async function nationalCodeOfCitizen(tx: Tx, citizenId: string): Promise<string | null> {
  const row = await tx.selectFrom('citizens').select('national_code').where('id', '=', citizenId).executeTakeFirst();
  return row?.national_code ?? null;
}

/** Live levy bills of a national code (or charged to the citizen), in every organization. */
export async function levyBillsOfNationalCode(tx: Tx, nationalCode: string, citizenId?: string): Promise<LevyBillRow[]> {
  const rows = await levyBills(tx)
    .where((eb) => eb.or([eb('b.national_code', '=', nationalCode), ...(citizenId ? [eb('b.citizen_id', '=', citizenId)] : [])]))
    .execute();
  return newestFirst(rows as LevyBillRow[]);
}

/** Live levy bills of one kind for a property code (renewal levies) or a business code (business levies) in one organization. */
export async function levyBillsOfCode(tx: Tx, orgId: string, kind: LevyKind, code: string): Promise<LevyBillRow[]> {
  const rows = await levyBills(tx).where('b.org_id', '=', orgId).where('b.kind', '=', kind)
    .where(kind === 'renewal_levy' ? 'b.property_code' : 'b.business_code', '=', code)
    .execute();
  return newestFirst(rows as LevyBillRow[]);
}

/** Bills by id with their organization (any kind), for the pay check. */
export async function billsByIds(tx: Tx, ids: string[]) {
  if (ids.length === 0) return [];
  return tx.selectFrom('bills as b').innerJoin('orgs as o', 'o.id', 'b.org_id')
    .select([...BILL_COLUMNS, 'b.application_id', 'b.citizen_id'])
    .where('b.id', 'in', ids).execute();
}

/** The kind, codes and period of the organization's live levies in these periods: what a new levy must not repeat. */
export function liveLevyKeys(tx: Tx, scope: OrgScope, periods: string[]) {
  if (periods.length === 0) return Promise.resolve([]);
  return tx.selectFrom('bills').select(['kind', 'property_code', 'business_code', 'period', 'bill_code'])
    .where('org_id', '=', scope.orgId).where('kind', 'in', [...LEVY_KINDS]).where('status', '!=', 'cancelled')
    .where('period', 'in', periods).execute();
}

export function importByHash(tx: Tx, scope: OrgScope, sha256: string) {
  return tx.selectFrom('levy_imports').selectAll().where('org_id', '=', scope.orgId).where('sha256', '=', sha256).executeTakeFirst();
}

export function insertImport(tx: Tx, scope: OrgScope, row: Omit<LevyImportsTable, 'org_id'>) {
  return tx.insertInto('levy_imports').values({ ...row, org_id: scope.orgId }).execute();
}

/** The organization's latest imports with who made them. */
export function recentImports(tx: Tx, scope: OrgScope, limit = 10) {
  return tx.selectFrom('levy_imports as i').leftJoin('staff as s', 's.id', 'i.created_by')
    .select(['i.id', 'i.filename', 'i.rows', 'i.total_amount', 'i.created_at', 's.display_name as created_by_name'])
    .where('i.org_id', '=', scope.orgId).orderBy('i.created_at', 'desc').limit(limit).execute();
}

/**
 * Inserts levy bills of one organization, each with its one item (the levy itself, as receipts
 * list items), in chunks: PostgreSQL allows 65535 parameters a statement.
 */
export async function insertLevyBills(tx: Tx, scope: OrgScope, rows: Omit<BillsTable, 'org_id'>[], newId: () => string): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await tx.insertInto('bills').values(chunk.map((r) => ({ ...r, org_id: scope.orgId }))).execute();
    await tx.insertInto('bill_items').values(chunk.map((r) => ({ id: newId(), bill_id: r.id, item_key: r.kind, title_fa: r.title_fa, title_en: r.title_en, amount: r.amount }))).execute();
  }
}

/**
 * Takes n consecutive values of a per-organization sequence at once and returns the last; the
 * values are last-n+1 .. last. The same atomic upsert as nextCounter (platform/db/counters.ts),
 * so the numbers never collide with those it hands out one at a time.
 */
export async function reserveCounter(tx: Tx, orgId: string, name: string, n: number): Promise<number> {
  const row = await tx.insertInto('counters').values({ org_id: orgId, name, value: n })
    .onConflict((oc) => oc.columns(['org_id', 'name']).doUpdateSet({ value: sql`counters.value + ${n}` }))
    .returning('value').executeTakeFirstOrThrow();
  return Number(row.value);
}
