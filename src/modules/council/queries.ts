import type { Tx } from '../../platform/db/index.js';
import type { CouncilIndicatorsTable, CouncilNoticesTable, CouncilResolutionsTable } from '../../platform/db/schema.js';

// Every SQL statement of the council. Council data is provincial: meetings and indicators belong
// to the council; a resolution and an entered value name the organization they concern.

/** Writes the indicator catalog (titles, weights) as the code defines it; safe to repeat. */
export async function upsertIndicators(tx: Tx, rows: CouncilIndicatorsTable[]) {
  for (const r of rows) {
    const { code: _code, ...rest } = r;
    await tx.insertInto('council_indicators').values(r).onConflict((oc) => oc.column('code').doUpdateSet(rest)).execute();
  }
}

export function indicators(tx: Tx) {
  return tx.selectFrom('council_indicators').selectAll().orderBy('position').execute();
}

export function orgsForCouncil(tx: Tx) {
  return tx.selectFrom('orgs').select(['id', 'code', 'kind', 'name_fa', 'name_en', 'is_reference']).orderBy('code').execute();
}

/** Entered values of a period, for every organization. */
export function enteredValues(tx: Tx, period: string) {
  return tx.selectFrom('council_indicator_values').selectAll().where('period', '=', period).execute();
}

export async function upsertValue(tx: Tx, row: { id: string; indicator: string; org_id: string; period: string; value: number; source: string; entered_by: string | null; created_at: number }) {
  await tx.insertInto('council_indicator_values').values(row)
    .onConflict((oc) => oc.columns(['indicator', 'org_id', 'period']).doUpdateSet({ value: row.value, source: row.source, entered_by: row.entered_by, created_at: row.created_at }))
    .execute();
}

export function targets(tx: Tx, period: string) {
  return tx.selectFrom('council_indicator_targets').selectAll().where('period', '=', period).execute();
}

export async function upsertTarget(tx: Tx, row: { id: string; indicator: string; org_id: string; period: string; target: number; set_by: string | null; created_at: number }) {
  await tx.insertInto('council_indicator_targets').values(row)
    .onConflict((oc) => oc.columns(['indicator', 'org_id', 'period']).doUpdateSet({ target: row.target, set_by: row.set_by, created_at: row.created_at }))
    .execute();
}

export async function deleteTarget(tx: Tx, id: string) {
  await tx.deleteFrom('council_indicator_targets').where('id', '=', id).execute();
}

/** Enabled adopted services of these organizations with their pinned version's maturity (1-5). */
export function adoptedMaturity(tx: Tx, orgIds: string[]) {
  if (orgIds.length === 0) return Promise.resolve([]);
  return tx.selectFrom('org_services as s').innerJoin('service_template_versions as v', 'v.id', 's.version_id')
    .select(['s.org_id', 'v.maturity']).where('s.enabled', '=', 1).where('s.org_id', 'in', orgIds).execute();
}

/** Issue 8: the maturity (1-5) of every active external service of an agency; they count in the province's share. */
export function externalMaturity(tx: Tx) {
  return tx.selectFrom('external_services as e').innerJoin('orgs as o', 'o.id', 'e.org_id')
    .select(['e.org_id', 'e.maturity']).where('e.active', '=', 1).where('o.kind', '=', 'agency').execute();
}

export function meetings(tx: Tx) {
  return tx.selectFrom('council_meetings').selectAll().orderBy('number', 'desc').execute();
}

export function meetingByNumber(tx: Tx, number: number) {
  return tx.selectFrom('council_meetings').selectAll().where('number', '=', number).executeTakeFirst();
}

export async function nextMeetingNumber(tx: Tx): Promise<number> {
  const r = await tx.selectFrom('council_meetings').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst();
  return Number(r?.n ?? 0) + 1;
}

export async function nextResolutionNumber(tx: Tx, meetingId: string): Promise<number> {
  const r = await tx.selectFrom('council_resolutions').select((eb) => eb.fn.max('number').as('n')).where('meeting_id', '=', meetingId).executeTakeFirst();
  return Number(r?.n ?? 0) + 1;
}

/**
 * Resolutions with their meeting and responsible organization. `internalFor` decides which
 * internal ones are included: 'all' (the council), the ids of organizations (their own), or none.
 */
export function resolutions(tx: Tx, opts: { internalFor: 'all' | string[]; meetingId?: string; orgId?: string; state?: string }) {
  let q = tx.selectFrom('council_resolutions as r')
    .innerJoin('council_meetings as m', 'm.id', 'r.meeting_id')
    .innerJoin('orgs as o', 'o.id', 'r.responsible_org_id')
    .selectAll('r')
    .select(['m.number as meeting_number', 'm.held_at as meeting_held_at', 'o.code as org_code', 'o.name_fa as org_name_fa', 'o.name_en as org_name_en']);
  if (opts.internalFor !== 'all') {
    const own = opts.internalFor;
    q = q.where((eb) => own.length > 0 ? eb.or([eb('r.internal', '=', 0), eb('r.responsible_org_id', 'in', own)]) : eb('r.internal', '=', 0));
  }
  if (opts.meetingId) q = q.where('r.meeting_id', '=', opts.meetingId);
  if (opts.orgId) q = q.where('r.responsible_org_id', '=', opts.orgId);
  if (opts.state) q = q.where('r.state', '=', opts.state as CouncilResolutionsTable['state']);
  return q.orderBy('m.number', 'desc').orderBy('r.number').execute();
}

export function resolutionById(tx: Tx, id: string) {
  return tx.selectFrom('council_resolutions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function updatesOf(tx: Tx, resolutionIds: string[]) {
  if (resolutionIds.length === 0) return Promise.resolve([]);
  return tx.selectFrom('council_resolution_updates as u').innerJoin('orgs as o', 'o.id', 'u.org_id')
    .select(['u.id', 'u.resolution_id', 'u.progress', 'u.note', 'u.created_at', 'o.code as org_code'])
    .where('u.resolution_id', 'in', resolutionIds).orderBy('u.created_at').orderBy('u.id').execute();
}

/** Open resolutions whose deadline passed and whose current deadline was not yet notified. */
export function overdueUnnotified(tx: Tx, now: number, limit: number) {
  return tx.selectFrom('council_resolutions').select(['id', 'responsible_org_id', 'deadline', 'meeting_id', 'number'])
    .where('state', '=', 'open').where('deadline', 'is not', null).where('deadline', '<=', now)
    .where((eb) => eb.or([eb('overdue_notified_for', 'is', null), eb('overdue_notified_for', '!=', eb.ref('deadline'))]))
    .orderBy('deadline').limit(limit).execute();
}

/** Marks the deadline notified; false when another scanner did it first. */
export async function markOverdueNotified(tx: Tx, id: string, deadline: number): Promise<boolean> {
  const r = await tx.updateTable('council_resolutions').set({ overdue_notified_for: deadline })
    .where('id', '=', id).where('deadline', '=', deadline)
    .where((eb) => eb.or([eb('overdue_notified_for', 'is', null), eb('overdue_notified_for', '!=', deadline)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The org admins of an organization (who hear about its overdue resolutions). */
export async function orgAdmins(tx: Tx, orgId: string): Promise<string[]> {
  const rows = await tx.selectFrom('memberships').innerJoin('staff', 'staff.id', 'memberships.staff_id')
    .select('staff.id').where('memberships.org_id', '=', orgId).where('memberships.role', '=', 'org_admin').where('staff.disabled', '=', 0).execute();
  return [...new Set(rows.map((r) => r.id))];
}

export function insertNotice(tx: Tx, row: CouncilNoticesTable) {
  return tx.insertInto('council_notices').values(row).onConflict((oc) => oc.columns(['outbox_id', 'staff_id']).doNothing()).execute();
}

export function unreadNotices(tx: Tx, staffId: string) {
  return tx.selectFrom('council_notices as n').innerJoin('council_resolutions as r', 'r.id', 'n.resolution_id')
    .innerJoin('council_meetings as m', 'm.id', 'r.meeting_id')
    .select(['n.id', 'n.resolution_id', 'n.deadline', 'n.created_at', 'r.number', 'r.text_fa', 'r.text_en', 'm.number as meeting_number'])
    .where('n.staff_id', '=', staffId).where('n.read_at', 'is', null).orderBy('n.created_at', 'desc').limit(50).execute();
}

export async function markNoticeRead(tx: Tx, staffId: string, id: string, now: number): Promise<boolean> {
  const r = await tx.updateTable('council_notices').set({ read_at: now }).where('id', '=', id).where('staff_id', '=', staffId).where('read_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
