import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { ApplicationEventsTable, StaffNoticesTable } from '../../platform/db/schema.js';

// Every SQL statement of casework. Reads of tenant data take an OrgScope (or a list of them);
// the escalation scanner is the system and reads every organization.

/** States of one definition version, e.g. those a role handles or those that wait for the office. */
export interface VersionStates {
  versionId: string;
  states: string[];
}

/** What one organization's inbox shows the actor. */
export interface InboxScope {
  scope: OrgScope;
  /** Every application of the organization (org admins, managers). */
  all: boolean;
  /** Otherwise those in these states, and those assigned to staffId. */
  visible: VersionStates[];
  staffId: string;
}

export type Phase = 'open' | 'closed' | 'all';
export type DeadlineStatus = 'none' | 'on_time' | 'at_risk' | 'late';

export interface InboxFilter {
  phase: Phase;
  state?: string;
  serviceCode?: string;
  channel?: 'web' | 'counter' | 'api';
  assigned?: { kind: 'me'; staffId: string } | { kind: 'unassigned' };
  /** Tracking-code fragment, and the exact mobile or national code it may also be. */
  search?: { tracking: string; mobile: string | null; nationalCode: string | null };
  escalated?: boolean;
  /**
   * A deadline status: deadlines up to lateUntil are late, the at-risk ones are listed by id
   * (see deadlines.ts), later ones are on time; only states that wait for the office have one.
   */
  deadline?: { status: DeadlineStatus; lateUntil: number; atRiskIds: string[]; office: VersionStates[] };
}

export type InboxSort = 'deadline' | 'submitted' | '-submitted';

type Eb = ExpressionBuilder<Database & { a: Database['applications']; c: Database['citizens'] }, 'a' | 'c'>;

function inStates(eb: Eb, list: VersionStates[]) {
  return eb.or(list.filter((v) => v.states.length > 0).map((v) => eb.and([eb('a.version_id', '=', v.versionId), eb('a.state', 'in', v.states)])));
}

function deadlineCondition(eb: Eb, d: NonNullable<InboxFilter['deadline']>) {
  const office = inStates(eb, d.office);
  switch (d.status) {
    case 'late': return eb.and([office, eb('a.due_at', 'is not', null), eb('a.due_at', '<=', d.lateUntil)]);
    case 'at_risk': return d.atRiskIds.length > 0 ? eb('a.id', 'in', d.atRiskIds) : eb.or([]);
    case 'on_time': return eb.and([office, eb('a.due_at', '>', d.lateUntil), ...(d.atRiskIds.length > 0 ? [eb('a.id', 'not in', d.atRiskIds)] : [])]);
    default: return eb.or([eb('a.due_at', 'is', null), eb.not(office)]);
  }
}

/** Applications the scopes show, joined with their citizen, narrowed by the filter. */
function filtered(tx: Tx, scopes: InboxScope[], f: InboxFilter) {
  return tx.selectFrom('applications as a')
    .innerJoin('citizens as c', 'c.id', 'a.citizen_id')
    .where((eb) => eb.or(scopes.map((s) => eb.and([
      eb('a.org_id', '=', s.scope.orgId),
      s.all ? eb.and([]) : eb.or([inStates(eb, s.visible), eb('a.assignee_id', '=', s.staffId)]),
    ]))))
    .where((eb) => {
      const and = [f.phase === 'all' ? eb('a.phase', '!=', 'draft') : eb('a.phase', '=', f.phase)];
      if (f.state) and.push(eb('a.state', '=', f.state));
      if (f.channel) and.push(eb('a.channel', '=', f.channel));
      if (f.serviceCode) {
        and.push(eb('a.org_service_id', 'in', eb.selectFrom('org_services as os').innerJoin('service_templates as t', 't.id', 'os.template_id')
          .select('os.id').where('t.code', '=', f.serviceCode)));
      }
      if (f.assigned?.kind === 'me') and.push(eb('a.assignee_id', '=', f.assigned.staffId));
      if (f.assigned?.kind === 'unassigned') and.push(eb('a.assignee_id', 'is', null));
      if (f.escalated) and.push(eb('a.escalated_due_at', 'is not', null), eb('a.escalated_due_at', '=', eb.ref('a.due_at')));
      if (f.search) {
        const any = [];
        if (f.search.tracking) any.push(eb('a.tracking_code', 'like', `%${f.search.tracking}%`));
        if (f.search.mobile) any.push(eb('c.mobile', '=', f.search.mobile));
        if (f.search.nationalCode) any.push(eb('c.national_code', '=', f.search.nationalCode));
        and.push(eb.or(any));
      }
      if (f.deadline) and.push(deadlineCondition(eb, f.deadline));
      return eb.and(and);
    });
}

/** One page of the inbox, with the total count of matching applications. */
export async function inboxPage(tx: Tx, scopes: InboxScope[], f: InboxFilter, sort: InboxSort, limit: number, offset: number) {
  if (scopes.length === 0) return { rows: [], total: 0 };
  const countRow = await filtered(tx, scopes, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  let q = filtered(tx, scopes, f)
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .innerJoin('service_template_versions as v', 'v.id', 'a.version_id')
    .innerJoin('org_services as os', 'os.id', 'a.org_service_id')
    .innerJoin('service_templates as t', 't.id', 'os.template_id')
    .leftJoin('staff as s', 's.id', 'a.assignee_id')
    .select([
      'a.id', 'a.org_id', 'o.code as org_code', 'a.tracking_code', 'a.version_id', 'a.state', 'a.phase', 'a.channel',
      'a.submitted_at', 'a.due_at', 'a.state_entered_at', 'a.escalated_due_at', 'a.assignee_id', 's.display_name as assignee_name',
      't.code as service_code', 'v.title_fa', 'v.title_en', 'c.first_name', 'c.last_name', 'c.mobile',
    ]);
  if (sort === 'deadline') q = q.orderBy(sql`case when a.due_at is null then 1 else 0 end`).orderBy('a.due_at').orderBy('a.submitted_at');
  else q = q.orderBy('a.submitted_at', sort === 'submitted' ? 'asc' : 'desc');
  const rows = await q.orderBy('a.id').limit(limit).offset(offset).execute();
  return { rows, total: Number(countRow?.n ?? 0) };
}
export type InboxRow = Awaited<ReturnType<typeof inboxPage>>['rows'][number];

/** Definition versions used by the organizations' submitted applications (to work out which states a role sees). */
export async function versionsInUse(tx: Tx, scopes: OrgScope[]): Promise<string[]> {
  if (scopes.length === 0) return [];
  const rows = await tx.selectFrom('applications').select('version_id').distinct()
    .where('org_id', 'in', scopes.map((s) => s.orgId)).where('phase', '!=', 'draft').execute();
  return rows.map((r) => r.version_id);
}

/** Open applications whose deadline falls in (after, until]: the candidates for "at risk". */
export function deadlinesBetween(tx: Tx, scopes: InboxScope[], after: number, until: number) {
  if (scopes.length === 0 || until <= after) return Promise.resolve([]);
  return filtered(tx, scopes, { phase: 'open' })
    .select(['a.id', 'a.org_id', 'a.version_id', 'a.state', 'a.due_at', 'a.state_entered_at'])
    .where('a.due_at', '>', after).where('a.due_at', '<=', until)
    .execute();
}

/** Open applications counted per organization, version and state: all, without deadline, late, escalated, unassigned. */
export function loadByState(tx: Tx, scopes: InboxScope[], lateUntil: number) {
  if (scopes.length === 0) return Promise.resolve([]);
  const count = (cond: ReturnType<typeof sql<boolean>>) => sql<number>`sum(case when ${cond} then 1 else 0 end)`;
  return filtered(tx, scopes, { phase: 'open' })
    .select((eb) => [
      'a.org_id', 'a.version_id', 'a.state',
      eb.fn.countAll<number>().as('total'),
      count(sql<boolean>`a.due_at is null`).as('no_due'),
      count(sql<boolean>`a.due_at <= ${lateUntil}`).as('late'),
      count(sql<boolean>`a.escalated_due_at = a.due_at`).as('escalated'),
      count(sql<boolean>`a.assignee_id is null`).as('unassigned'),
    ])
    .groupBy(['a.org_id', 'a.version_id', 'a.state'])
    .execute();
}

/** Open applications counted per organization and assignee. */
export function loadByAssignee(tx: Tx, scopes: InboxScope[], lateUntil: number) {
  if (scopes.length === 0) return Promise.resolve([]);
  return filtered(tx, scopes, { phase: 'open' })
    .leftJoin('staff as s', 's.id', 'a.assignee_id')
    .select((eb) => [
      'a.org_id', 'a.assignee_id', 's.display_name',
      eb.fn.countAll<number>().as('total'),
      sql<number>`sum(case when a.due_at <= ${lateUntil} then 1 else 0 end)`.as('late'),
    ])
    .groupBy(['a.org_id', 'a.assignee_id', 's.display_name'])
    .orderBy('s.display_name')
    .execute();
}

// ---------- one case ----------

/** The organization an application belongs to (to find the actor's scope), or undefined. */
export async function orgOfApplication(tx: Tx, id: string): Promise<string | undefined> {
  return (await tx.selectFrom('applications').select('org_id').where('id', '=', id).executeTakeFirst())?.org_id;
}

/** What claiming and assigning need to know about an application. */
export function caseHead(tx: Tx, scope: OrgScope, id: string) {
  return tx.selectFrom('applications').select(['id', 'org_id', 'version_id', 'state', 'phase', 'assignee_id', 'tracking_code', 'due_at', 'escalated_due_at'])
    .where('org_id', '=', scope.orgId).where('id', '=', id).executeTakeFirst();
}

/** Assigns the application to staffId only if nobody holds it; true when this call took it. */
export async function claimIfFree(tx: Tx, scope: OrgScope, id: string, staffId: string, now: number): Promise<boolean> {
  const r = await tx.updateTable('applications').set({ assignee_id: staffId, updated_at: now })
    .where('org_id', '=', scope.orgId).where('id', '=', id).where('phase', '=', 'open').where('assignee_id', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Sets the assignee if it is still `expected`; true when the row changed. */
export async function setAssignee(tx: Tx, scope: OrgScope, id: string, expected: string | null, staffId: string | null, now: number): Promise<boolean> {
  const r = await tx.updateTable('applications').set({ assignee_id: staffId, updated_at: now })
    .where('org_id', '=', scope.orgId).where('id', '=', id).where('phase', '=', 'open')
    .where((eb) => (expected === null ? eb('assignee_id', 'is', null) : eb('assignee_id', '=', expected)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export function insertEvent(tx: Tx, row: ApplicationEventsTable) {
  return tx.insertInto('application_events').values(row).execute();
}

/** Staff of the organization with a case-handling role (one row per role), enabled accounts only. */
export function caseStaffOfOrg(tx: Tx, scope: OrgScope) {
  return tx.selectFrom('memberships').innerJoin('staff', 'staff.id', 'memberships.staff_id')
    .select(['staff.id', 'staff.display_name', 'staff.username', 'memberships.role'])
    .where('memberships.org_id', '=', scope.orgId).where('staff.disabled', '=', 0)
    .where('memberships.role', 'in', ['clerk', 'inspector', 'manager', 'org_admin'])
    .orderBy('staff.display_name').execute();
}

/** The assignment and escalation events of an application, with the name of the colleague each assignment named. */
export async function caseworkEvents(tx: Tx, scope: OrgScope, applicationId: string) {
  const rows = await tx.selectFrom('application_events').select(['id', 'type', 'data'])
    .where('org_id', '=', scope.orgId).where('application_id', '=', applicationId)
    .where('type', 'in', ['claimed', 'assigned', 'unassigned', 'escalated']).execute();
  const parsed = rows.map((r) => ({ id: r.id, type: r.type, data: JSON.parse(r.data) as { assignee_id?: string | null; due_at?: number; state?: string } }));
  const staffIds = [...new Set(parsed.map((r) => r.data.assignee_id).filter((x): x is string => typeof x === 'string'))];
  const names = staffIds.length ? await tx.selectFrom('staff').select(['id', 'display_name']).where('id', 'in', staffIds).execute() : [];
  const nameOf = new Map(names.map((n) => [n.id, n.display_name]));
  return parsed.map((r) => ({ ...r, assigneeName: r.data.assignee_id ? nameOf.get(r.data.assignee_id) ?? null : null }));
}

export async function staffName(tx: Tx, id: string): Promise<string | null> {
  return (await tx.selectFrom('staff').select('display_name').where('id', '=', id).executeTakeFirst())?.display_name ?? null;
}

// ---------- counter ----------

/** The services the organization has adopted and enabled, for the counter's service list. */
export function enabledServices(tx: Tx, scope: OrgScope) {
  return tx.selectFrom('org_services as os')
    .innerJoin('service_templates as t', 't.id', 'os.template_id')
    .innerJoin('service_template_versions as v', 'v.id', 'os.version_id')
    .select(['t.code', 'v.title_fa', 'v.title_en'])
    .where('os.org_id', '=', scope.orgId).where('os.enabled', '=', 1)
    .orderBy('v.title_fa').execute();
}

export function citizenByMobile(tx: Tx, mobile: string) {
  return tx.selectFrom('citizens').select(['id', 'mobile', 'national_code', 'first_name', 'last_name']).where('mobile', '=', mobile).executeTakeFirst();
}

export function citizenByNationalCode(tx: Tx, nationalCode: string) {
  return tx.selectFrom('citizens').select(['id']).where('national_code', '=', nationalCode).executeTakeFirst();
}

/** Fills in a walk-in citizen's national code and names where none are on record (never overwrites what the citizen set). */
export async function fillCitizenDetails(tx: Tx, id: string, details: { national_code: string | null; first_name: string | null; last_name: string | null }, now: number): Promise<string[]> {
  const row = await tx.selectFrom('citizens').select(['national_code', 'first_name', 'last_name']).where('id', '=', id).executeTakeFirst();
  if (!row) return [];
  const patch: { national_code?: string; first_name?: string; last_name?: string } = {};
  if (!row.national_code && details.national_code) patch.national_code = details.national_code;
  if (!row.first_name && details.first_name) patch.first_name = details.first_name;
  if (!row.last_name && details.last_name) patch.last_name = details.last_name;
  const changed = Object.keys(patch);
  if (changed.length) await tx.updateTable('citizens').set({ ...patch, updated_at: now }).where('id', '=', id).execute();
  return changed;
}

// ---------- escalation (the system, across organizations) ----------

const breachedNow = (now: number) => (eb: ExpressionBuilder<Database, 'applications'>) => eb.and([
  eb('phase', '=', 'open'),
  eb('due_at', 'is not', null),
  eb('due_at', '<', now),
  eb.or([eb('escalated_due_at', 'is', null), eb('escalated_due_at', '!=', eb.ref('due_at'))]),
]);

/** Definition versions of open applications whose deadline has passed without an escalation. */
export async function versionsOfBreaches(tx: Tx, now: number): Promise<string[]> {
  const rows = await tx.selectFrom('applications').select('version_id').distinct().where(breachedNow(now)).execute();
  return rows.map((r) => r.version_id);
}

/** Open applications past their deadline, not yet escalated for it, in states that wait for the office. */
export function breaches(tx: Tx, now: number, office: VersionStates[], limit: number) {
  const list = office.filter((v) => v.states.length > 0);
  return tx.selectFrom('applications')
    .select(['id', 'org_id', 'version_id', 'state', 'due_at', 'tracking_code'])
    .where(breachedNow(now))
    .where((eb) => eb.or(list.map((v) => eb.and([eb('version_id', '=', v.versionId), eb('state', 'in', v.states)]))))
    .orderBy('due_at').orderBy('id').limit(limit).execute();
}

/**
 * Marks the breach of this deadline as escalated; true only for the one caller that marked it
 * (a concurrent scanner waits on the row lock, then finds it marked).
 */
export async function markEscalated(tx: Tx, id: string, dueAt: number): Promise<boolean> {
  const r = await tx.updateTable('applications').set({ escalated_due_at: dueAt })
    .where('id', '=', id).where('phase', '=', 'open').where('due_at', '=', dueAt)
    .where((eb) => eb.or([eb('escalated_due_at', 'is', null), eb('escalated_due_at', '!=', dueAt)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Who gets an organization's escalations: its managers, or its org admins when it has no manager. */
export async function escalationRecipients(tx: Tx, orgId: string): Promise<string[]> {
  const rows = await tx.selectFrom('memberships').innerJoin('staff', 'staff.id', 'memberships.staff_id')
    .select(['staff.id', 'memberships.role'])
    .where('memberships.org_id', '=', orgId).where('staff.disabled', '=', 0).where('memberships.role', 'in', ['manager', 'org_admin'])
    .execute();
  const managers = rows.filter((r) => r.role === 'manager').map((r) => r.id);
  return [...new Set(managers.length > 0 ? managers : rows.map((r) => r.id))];
}

/** Records a notice once per delivery and recipient (a redelivered message adds nothing). */
export function insertNotice(tx: Tx, row: StaffNoticesTable) {
  return tx.insertInto('staff_notices').values(row).onConflict((oc) => oc.columns(['outbox_id', 'staff_id']).doNothing()).execute();
}

/** The staff member's unread notices in these organizations, newest first, with their application. */
export function unreadNotices(tx: Tx, scopes: OrgScope[], staffId: string, limit = 50) {
  if (scopes.length === 0) return Promise.resolve([]);
  return tx.selectFrom('staff_notices as n')
    .leftJoin('applications as a', 'a.id', 'n.application_id')
    .leftJoin('service_template_versions as v', 'v.id', 'a.version_id')
    .select(['n.id', 'n.org_id', 'n.kind', 'n.application_id', 'n.data', 'n.created_at', 'a.tracking_code', 'a.version_id', 'v.title_fa', 'v.title_en'])
    .where('n.staff_id', '=', staffId).where('n.read_at', 'is', null)
    .where('n.org_id', 'in', scopes.map((s) => s.orgId))
    .orderBy('n.created_at', 'desc').orderBy('n.id').limit(limit).execute();
}

/** Marks one of the staff member's own notices read; true when it was theirs and unread. */
export async function markNoticeRead(tx: Tx, staffId: string, id: string, now: number): Promise<boolean> {
  const r = await tx.updateTable('staff_notices').set({ read_at: now })
    .where('id', '=', id).where('staff_id', '=', staffId).where('read_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
