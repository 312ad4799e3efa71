import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { ApplicationEventsTable, ApplicationsTable, CitizensTable, DocumentsTable } from '../../platform/db/schema.js';

// Every SQL statement of the applications module. An application is tenant data of its
// organization: a read of it goes through an OrgScope (staff) or the citizen who owns it, and
// returns an AppHandle; its events and documents are read only through such a handle, so a
// query that forgot the access check does not type-check.

declare const handleBrand: unique symbol;
/** An application the caller was allowed to reach (by org scope or ownership). */
export interface AppHandle {
  readonly id: string;
  readonly orgId: string;
  readonly [handleBrand]: true;
}
const handleOf = (row: ApplicationsTable): AppHandle => ({ id: row.id, orgId: row.org_id }) as AppHandle;

export type ApplicationRow = ApplicationsTable;

/** The organization an application belongs to (nothing else), to build the org scope for reading it. */
export async function orgOfApplication(tx: Tx, id: string): Promise<string | null> {
  const row = await tx.selectFrom('applications').select('org_id').where('id', '=', id).executeTakeFirst();
  return row?.org_id ?? null;
}

/** The application in the scoped organization, with its handle. */
export async function applicationInScope(tx: Tx, scope: OrgScope, id: string): Promise<{ row: ApplicationRow; handle: AppHandle } | null> {
  const row = await tx.selectFrom('applications').selectAll().where('id', '=', id).where('org_id', '=', scope.orgId).executeTakeFirst();
  return row ? { row, handle: handleOf(row) } : null;
}

/** The application if this citizen owns it, with its handle. */
export async function applicationOfCitizen(tx: Tx, citizenId: string, id: string): Promise<{ row: ApplicationRow; handle: AppHandle } | null> {
  const row = await tx.selectFrom('applications').selectAll().where('id', '=', id).where('citizen_id', '=', citizenId).executeTakeFirst();
  return row ? { row, handle: handleOf(row) } : null;
}

/** The application for trusted in-process callers acting as the system (a verified payment, a timer). */
export async function applicationForSystem(tx: Tx, id: string): Promise<{ row: ApplicationRow; handle: AppHandle } | null> {
  const row = await tx.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { row, handle: handleOf(row) } : null;
}

/** The application a submit key was used for (submit keys are unique). */
export function applicationBySubmitKey(tx: Tx, submitKey: string) {
  return tx.selectFrom('applications').select(['id', 'citizen_id', 'org_id']).where('submit_key', '=', submitKey).executeTakeFirst();
}

export function insertApplication(tx: Tx, row: ApplicationsTable) {
  return tx.insertInto('applications').values(row).execute();
}

/** Saves draft data (or corrections while the application waits for the citizen). */
export async function updateFormData(tx: Tx, handle: AppHandle, patch: { form_data: string; fees: string; fees_total: number; updated_at: number }, phases: ApplicationRow['phase'][]): Promise<boolean> {
  const r = await tx.updateTable('applications').set(patch).where('id', '=', handle.id).where('phase', 'in', phases).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Turns a draft into a submitted application; true only for the one caller that did it. */
export async function claimDraftForSubmit(tx: Tx, handle: AppHandle, set: Pick<ApplicationsTable, 'submit_key' | 'state' | 'state_entered_at' | 'due_at' | 'submitted_at' | 'updated_at' | 'form_data' | 'fees' | 'fees_total'>): Promise<boolean> {
  const r = await tx.updateTable('applications').set({ ...set, phase: 'open' }).where('id', '=', handle.id).where('phase', '=', 'draft').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export function setTrackingCode(tx: Tx, handle: AppHandle, trackingCode: string) {
  return tx.updateTable('applications').set({ tracking_code: trackingCode }).where('id', '=', handle.id).execute();
}

/**
 * Moves an open application from the state it was read in to the next one; false when someone
 * else moved it first (optimistic concurrency: the state and the instant it was entered must
 * still be those that were read).
 */
export async function transition(
  tx: Tx, handle: AppHandle, expected: { state: string; stateEnteredAt: number },
  set: Partial<Pick<ApplicationsTable, 'state' | 'state_entered_at' | 'due_at' | 'phase' | 'outcome' | 'result_code' | 'closed_at' | 'updated_at' | 'form_data' | 'fees' | 'fees_total'>>,
): Promise<boolean> {
  const r = await tx.updateTable('applications').set(set)
    .where('id', '=', handle.id).where('phase', '=', 'open')
    .where('state', '=', expected.state).where('state_entered_at', '=', expected.stateEnteredAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records the citizen's rating once; false when it was already rated or is not closed. */
export async function setRating(tx: Tx, handle: AppHandle, rating: number, comment: string | null, now: number): Promise<boolean> {
  const r = await tx.updateTable('applications').set({ rating, rating_comment: comment, updated_at: now })
    .where('id', '=', handle.id).where('phase', '=', 'closed').where('rating', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Every application of a citizen (drafts too), newest first, with the org and service names. */
export function applicationsOfCitizen(tx: Tx, citizenId: string) {
  return tx.selectFrom('applications')
    .innerJoin('orgs', 'orgs.id', 'applications.org_id')
    .innerJoin('service_template_versions as v', 'v.id', 'applications.version_id')
    .innerJoin('service_templates as st', 'st.id', 'v.template_id')
    .select([
      'applications.id', 'applications.tracking_code', 'applications.state', 'applications.phase', 'applications.outcome', 'applications.channel',
      'applications.due_at', 'applications.version_id', 'applications.created_at', 'applications.submitted_at', 'applications.updated_at', 'applications.closed_at',
      'orgs.code as org_code', 'orgs.name_fa as org_name_fa', 'orgs.name_en as org_name_en', 'st.code as service_code', 'v.title_fa', 'v.title_en',
    ])
    .where('applications.citizen_id', '=', citizenId)
    .orderBy('applications.created_at', 'desc').orderBy('applications.id')
    .limit(500)
    .execute();
}

/** Drafts of a citizen for one adopted service (to offer "continue" instead of a new one). */
export function draftsOfCitizenFor(tx: Tx, citizenId: string, orgServiceId: string) {
  return tx.selectFrom('applications').select(['id', 'created_at', 'updated_at'])
    .where('citizen_id', '=', citizenId).where('org_service_id', '=', orgServiceId).where('phase', '=', 'draft')
    .orderBy('updated_at', 'desc').limit(5).execute();
}

/** Public status by tracking code: no personal or form data leaves this query. */
export function publicStatusByTrackingCode(tx: Tx, trackingCode: string) {
  return tx.selectFrom('applications')
    .innerJoin('orgs', 'orgs.id', 'applications.org_id')
    .select(['applications.tracking_code', 'applications.state', 'applications.phase', 'applications.outcome', 'applications.version_id',
      'applications.submitted_at', 'applications.updated_at', 'applications.closed_at', 'applications.due_at',
      'orgs.code as org_code', 'orgs.name_fa as org_name_fa', 'orgs.name_en as org_name_en'])
    .where('applications.tracking_code', '=', trackingCode).where('applications.phase', '!=', 'draft')
    .executeTakeFirst();
}

/** The instant of the newest step of an application, internal notes aside (its public "last update"). */
export async function lastEventAt(tx: Tx, trackingCode: string): Promise<number | null> {
  const row = await tx.selectFrom('application_events').innerJoin('applications', 'applications.id', 'application_events.application_id')
    .select((eb) => eb.fn.max('application_events.created_at').as('at'))
    .where('applications.tracking_code', '=', trackingCode).where('application_events.type', '!=', 'note')
    .executeTakeFirst();
  return row?.at == null ? null : Number(row.at);
}

/** Issue 8: the newest status an external back-office system reported for an application (type 'external_status'). */
export function lastExternalStatus(tx: Tx, trackingCode: string) {
  return tx.selectFrom('application_events').innerJoin('applications', 'applications.id', 'application_events.application_id')
    .select(['application_events.action', 'application_events.to_state', 'application_events.comment', 'application_events.created_at'])
    .where('applications.tracking_code', '=', trackingCode).where('application_events.type', '=', 'external_status')
    .orderBy('application_events.created_at', 'desc').orderBy('application_events.id', 'desc').limit(1).executeTakeFirst();
}

/** What a result letter's verification shows: the issue, not the application's content. */
export function resultByCode(tx: Tx, resultCode: string) {
  return tx.selectFrom('applications')
    .innerJoin('orgs', 'orgs.id', 'applications.org_id')
    .innerJoin('citizens', 'citizens.id', 'applications.citizen_id')
    .select(['applications.tracking_code', 'applications.outcome', 'applications.state', 'applications.version_id', 'applications.closed_at', 'applications.submitted_at',
      'orgs.code as org_code', 'orgs.name_fa as org_name_fa', 'orgs.name_en as org_name_en', 'citizens.first_name', 'citizens.last_name'])
    .where('applications.result_code', '=', resultCode).where('applications.phase', '=', 'closed')
    .executeTakeFirst();
}

/**
 * Appends an event to an application's history. Its time is made later than the application's
 * previous event (by a millisecond when two fall in the same one), so the history's order is
 * its time order on every engine; returns the time recorded.
 */
export async function insertEvent(tx: Tx, row: ApplicationEventsTable): Promise<number> {
  const last = await tx.selectFrom('application_events').select((eb) => eb.fn.max('created_at').as('at'))
    .where('application_id', '=', row.application_id).executeTakeFirst();
  const at = last?.at == null ? row.created_at : Math.max(row.created_at, Number(last.at) + 1);
  await tx.insertInto('application_events').values({ ...row, created_at: at }).execute();
  return at;
}

/** The history of an application, oldest first; internal notes only when asked for. */
export function eventsOf(tx: Tx, handle: AppHandle, opts: { includeInternal: boolean }) {
  let q = tx.selectFrom('application_events')
    .leftJoin('staff', (j) => j.onRef('staff.id', '=', 'application_events.actor_id').on('application_events.actor_kind', '=', 'staff'))
    .select(['application_events.id', 'application_events.type', 'application_events.action', 'application_events.from_state', 'application_events.to_state',
      'application_events.actor_kind', 'application_events.actor_id', 'application_events.comment', 'application_events.internal', 'application_events.data',
      'application_events.created_at', 'staff.display_name as staff_name'])
    .where('application_events.application_id', '=', handle.id).where('application_events.org_id', '=', handle.orgId);
  if (!opts.includeInternal) q = q.where('application_events.internal', '=', 0);
  return q.orderBy('application_events.created_at').orderBy('application_events.id').execute();
}

export function insertDocument(tx: Tx, row: DocumentsTable) {
  return tx.insertInto('documents').values(row).execute();
}

export function documentsOf(tx: Tx, handle: AppHandle) {
  return tx.selectFrom('documents').selectAll()
    .where('application_id', '=', handle.id).where('org_id', '=', handle.orgId)
    .orderBy('created_at').orderBy('id').execute();
}

export function documentOf(tx: Tx, handle: AppHandle, documentId: string) {
  return tx.selectFrom('documents').selectAll()
    .where('id', '=', documentId).where('application_id', '=', handle.id).where('org_id', '=', handle.orgId)
    .executeTakeFirst();
}

export async function deleteDocument(tx: Tx, handle: AppHandle, documentId: string): Promise<boolean> {
  const r = await tx.deleteFrom('documents').where('id', '=', documentId).where('application_id', '=', handle.id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export function countDocuments(tx: Tx, handle: AppHandle, docKey: string) {
  return tx.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('application_id', '=', handle.id).where('doc_key', '=', docKey)
    .executeTakeFirstOrThrow().then((r) => Number(r.n));
}

// ---------- organizations and people the module needs ----------

export function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('code', '=', code).executeTakeFirst();
}

export function orgById(tx: Tx, id: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('id', '=', id).executeTakeFirst();
}

export function citizenById(tx: Tx, id: string): Promise<CitizensTable | undefined> {
  return tx.selectFrom('citizens').selectAll().where('id', '=', id).executeTakeFirst();
}

export function citizenByMobile(tx: Tx, mobile: string): Promise<CitizensTable | undefined> {
  return tx.selectFrom('citizens').selectAll().where('mobile', '=', mobile).executeTakeFirst();
}

/** Registers a walk-in citizen by mobile; a concurrent registration of the same number wins quietly. */
export function insertCitizenIfAbsent(tx: Tx, row: CitizensTable) {
  return tx.insertInto('citizens').values(row).onConflict((oc) => oc.column('mobile').doNothing()).execute();
}
