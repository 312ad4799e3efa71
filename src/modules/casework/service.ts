import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock, type Role } from '../../platform/core/index.js';
import { mayAct, orgScope, type OrgScope } from '../../platform/auth/access.js';
import { AppError, badInput, forbidden, notFound, unauthorized } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import type { BusinessCalendar } from '../../platform/calendar/business.js';
import { isValidNationalCode, normalizeMobile, normalizeNationalCode, normalizePersian, toAsciiDigits } from '../../platform/i18n/persian.js';
import { definitionOfVersion } from '../catalog/lookup.js';
import type { Localized, ServiceDefinition } from '../catalog/definition.js';
import type { ApplicationsService } from '../applications/service.js';
import { deadlineBounds, statusOf, type DeadlineStatus } from './deadlines.js';
import * as q from './queries.js';
import './messages.js';

export interface CaseworkContext {
  db: DB;
  clock: Clock;
  calendar: BusinessCalendar;
  /** Drafts, submission and the workflow belong to the applications module; the counter files through it. */
  applications: ApplicationsService;
}

/** A walk-in citizen and the service they ask for at the counter. */
export interface CounterInput {
  org: string;
  service: string;
  mobile: string;
  national_code?: string;
  first_name?: string;
  last_name?: string;
}

export const INBOX_PAGE = { default: 25, max: 100 };

/** What the inbox is asked for (the API's query string and the page's filter form). */
export interface InboxInput {
  org?: string;
  state?: string;
  service?: string;
  deadline?: DeadlineStatus;
  assigned?: 'me' | 'unassigned';
  channel?: 'web' | 'counter' | 'api';
  q?: string;
  phase?: q.Phase;
  escalated?: boolean;
  sort?: q.InboxSort;
  page?: number;
  per_page?: number;
}

/** One application as a row of the inbox. Times are epoch ms; the edge formats them. */
export interface InboxItem {
  id: string;
  tracking_code: string | null;
  org: string;
  service: { code: string; title: Localized };
  citizen: { name: string; mobile: string };
  state: { key: string; title: Localized };
  phase: 'draft' | 'open' | 'closed';
  channel: 'web' | 'counter' | 'api';
  submitted_at: number | null;
  due_at: number | null;
  /** The office's deadline status; 'none' while the application waits for the citizen or has no deadline. */
  deadline_status: DeadlineStatus;
  waiting_for: 'office' | 'citizen' | null;
  assignee: { id: string; name: string } | null;
  escalated: boolean;
}

export interface InboxPage {
  items: InboxItem[];
  total: number;
  page: number;
  per_page: number;
  /** The organizations this inbox covers, and whether the actor sees all of each one's applications. */
  orgs: { code: string; all: boolean }[];
  /** Choices for the filters: states and services of the applications in these organizations. */
  states: { key: string; title: Localized }[];
  services: { code: string; title: Localized }[];
}

/** The load of one organization's department: open applications by state, deadline status and case officer. */
export interface OrgLoad {
  org: string;
  all: boolean;
  open: number;
  unassigned: number;
  escalated: number;
  by_deadline: Record<DeadlineStatus, number>;
  /** Per service and state (state keys mean different steps in different services). */
  by_state: { service: { code: string; title: Localized }; key: string; title: Localized; count: number; late: number; at_risk: number }[];
  by_assignee: { id: string | null; name: string | null; count: number; late: number }[];
}

export interface NoticeView {
  id: string;
  org: string;
  kind: 'escalation';
  application_id: string | null;
  tracking_code: string | null;
  service_title: Localized | null;
  state: { key: string; title: Localized } | null;
  due_at: number | null;
  created_at: number;
}

export interface CaseExtras {
  assignee: { id: string; name: string } | null;
  canClaim: boolean;
  canAssign: boolean;
  colleagues: { id: string; name: string; roles: Role[] }[];
  escalated: boolean;
  /** Assignment and escalation events by id: whom they named, which deadline they escalated. */
  events: Map<string, { type: string; assigneeName: string | null; dueAt: number | null }>;
}

export interface AssignmentView {
  id: string;
  assignee: { id: string; name: string } | null;
}

/** A definition version's facts the inbox needs: states by role, states that wait for the office, titles. */
interface VersionInfo {
  def: ServiceDefinition;
  office: string[];
}

const WORKFLOW_ROLES: readonly Role[] = ['clerk', 'inspector', 'manager', 'org_admin'];

export function stateTitle(def: ServiceDefinition | undefined, key: string): Localized {
  return def?.workflow.states[key]?.title ?? { fa: key, en: key };
}

/** States of a definition whose applications a role handles: the state lists the role, or one of its staff actions does. */
export function statesForRoles(def: ServiceDefinition, roles: readonly string[]): string[] {
  return Object.entries(def.workflow.states).filter(([key, s]) => !s.final && (
    s.roles.some((r) => roles.includes(r))
    || def.workflow.actions.some((a) => a.from === key && a.by === 'staff' && a.roles.some((r) => roles.includes(r)))
  )).map(([key]) => key);
}

function officeStates(def: ServiceDefinition): string[] {
  return Object.entries(def.workflow.states).filter(([, s]) => !s.final && s.waits_for === 'office').map(([key]) => key);
}

function rolesIn(actor: Actor, orgId: string): Role[] {
  return actor.kind === 'staff' ? actor.memberships.filter((m) => m.orgId === orgId).map((m) => m.role) : [];
}

function requireStaff(actor: Actor): asserts actor is Extract<Actor, { kind: 'staff' }> {
  if (actor.kind !== 'staff') throw unauthorized();
}

/** For one application: anonymous callers must sign in; a citizen gets what a missing application gets. */
function requireStaffFor(actor: Actor): asserts actor is Extract<Actor, { kind: 'staff' }> {
  if (actor.kind !== 'staff') throw actor.kind === 'citizen' ? notFound() : unauthorized();
}

/** A search typed by staff: a tracking-code fragment (Persian digits and lower case allowed), or a mobile or national code. */
export function parseSearch(raw: string | undefined): q.InboxFilter['search'] | undefined {
  const text = toAsciiDigits(raw ?? '').trim();
  if (!text) return undefined;
  const tracking = text.toUpperCase().replace(/[^A-Z0-9-]/g, '');
  const nationalCode = /^\d{10}$/.test(text.replace(/[\s-]/g, '')) ? normalizeNationalCode(text) : null;
  return { tracking, mobile: normalizeMobile(text), nationalCode };
}

/** Builds the staff side of applications: the inbox, its load summary, claim and assign, escalation notices. */
export function createCaseworkService(ctx: CaseworkContext) {
  const { db, clock, calendar } = ctx;

  async function versionInfos(tx: Tx, versionIds: string[]): Promise<Map<string, VersionInfo>> {
    const out = new Map<string, VersionInfo>();
    for (const id of versionIds) {
      const v = await definitionOfVersion(tx, id);
      if (v) out.set(id, { def: v.definition, office: officeStates(v.definition) });
    }
    return out;
  }

  /**
   * The organizations whose inbox the actor sees: the one asked for (404 when they may not), or
   * every organization where they hold a case-handling role. Org admins and managers (and the
   * province admin) see all of an organization's applications; clerks and inspectors those in
   * the states of their roles and those assigned to them.
   */
  async function inboxScopes(tx: Tx, actor: Actor, orgCode?: string) {
    requireStaff(actor);
    let orgIds: string[];
    if (orgCode) {
      const org = await tx.selectFrom('orgs').select('id').where('code', '=', orgCode).executeTakeFirst();
      if (!org) throw notFound();
      orgIds = [orgScope(actor, org.id, 'casework.inbox').orgId];
    } else {
      orgIds = [...new Set(actor.memberships.map((m) => m.orgId))].filter((id) => mayAct(actor, id, 'casework.inbox'));
    }
    const plain = orgIds.map((id) => orgScope(actor, id, 'casework.inbox'));
    const infos = await versionInfos(tx, await q.versionsInUse(tx, plain));
    const scopes: q.InboxScope[] = plain.map((scope) => {
      const all = mayAct(actor, scope.orgId, 'casework.oversee');
      const roles = rolesIn(actor, scope.orgId);
      const visible = all ? [] : [...infos].map(([versionId, info]) => ({ versionId, states: statesForRoles(info.def, roles) }));
      return { scope, all, visible, staffId: actor.id };
    });
    return { scopes, infos };
  }

  const officeOf = (infos: Map<string, VersionInfo>): q.VersionStates[] => [...infos].map(([versionId, info]) => ({ versionId, states: info.office }));
  const waitsForOffice = (infos: Map<string, VersionInfo>, versionId: string, state: string) => infos.get(versionId)?.office.includes(state) ?? false;

  /** Applications in (lateUntil, atRiskUntil] that deadlineStatus calls at risk, knowing when each deadline started. */
  async function atRiskIds(tx: Tx, scopes: q.InboxScope[], infos: Map<string, VersionInfo>, now: number) {
    const bounds = deadlineBounds(now, calendar);
    const rows = await q.deadlinesBetween(tx, scopes, bounds.lateUntil, bounds.atRiskUntil);
    const atRisk = rows.filter((r) => waitsForOffice(infos, r.version_id, r.state)
      && statusOf(r.due_at == null ? null : Number(r.due_at), Number(r.state_entered_at), now, calendar) === 'at_risk');
    return { bounds, atRisk };
  }

  return {
    /** One page of the actor's inbox: only organizations where they hold a case-handling role, filtered and sorted. */
    async inbox(actor: Actor, input: InboxInput = {}): Promise<InboxPage> {
      requireStaff(actor);
      const now = clock.now();
      const perPage = Math.min(INBOX_PAGE.max, Math.max(1, input.per_page ?? INBOX_PAGE.default));
      const page = Math.max(1, input.page ?? 1);
      return inTransaction(db, async (tx) => {
        const { scopes, infos } = await inboxScopes(tx, actor, input.org);
        const filter: q.InboxFilter = {
          phase: input.phase ?? 'open',
          state: input.state || undefined,
          serviceCode: input.service || undefined,
          channel: input.channel,
          assigned: input.assigned === 'me' ? { kind: 'me', staffId: actor.id } : input.assigned === 'unassigned' ? { kind: 'unassigned' } : undefined,
          search: parseSearch(input.q),
          escalated: input.escalated || undefined,
        };
        if (input.deadline) {
          const { bounds, atRisk } = await atRiskIds(tx, scopes, infos, now);
          filter.deadline = { status: input.deadline, lateUntil: bounds.lateUntil, atRiskIds: atRisk.map((r) => r.id), office: officeOf(infos) };
        }
        const { rows, total } = await q.inboxPage(tx, scopes, filter, input.sort ?? 'deadline', perPage, (page - 1) * perPage);
        const items = rows.map((r): InboxItem => {
          const info = infos.get(r.version_id);
          const dueAt = r.due_at == null ? null : Number(r.due_at);
          const state = info?.def.workflow.states[r.state];
          const waiting = r.phase !== 'open' || !state ? null : state.waits_for;
          const name = [r.first_name, r.last_name].filter(Boolean).join(' ');
          return {
            id: r.id,
            tracking_code: r.tracking_code,
            org: r.org_code,
            service: { code: r.service_code, title: { fa: r.title_fa, en: r.title_en } },
            citizen: { name: name || r.mobile, mobile: r.mobile },
            state: { key: r.state, title: stateTitle(info?.def, r.state) },
            phase: r.phase,
            channel: r.channel,
            submitted_at: r.submitted_at == null ? null : Number(r.submitted_at),
            due_at: dueAt,
            deadline_status: waiting === 'office' ? statusOf(dueAt, Number(r.state_entered_at), now, calendar) : 'none',
            waiting_for: waiting,
            assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name ?? '' } : null,
            escalated: r.escalated_due_at != null && dueAt != null && Number(r.escalated_due_at) === dueAt,
          };
        });
        // A state key may name different steps in different services: the choice lists their titles
        // (only the chosen service's, when one is chosen).
        const states = new Map<string, Localized[]>();
        const services = new Map<string, Localized>();
        for (const info of infos.values()) {
          services.set(info.def.code, info.def.title);
          if (filter.serviceCode && info.def.code !== filter.serviceCode) continue;
          for (const key of Object.keys(info.def.workflow.states)) {
            const titles = states.get(key) ?? [];
            const title = stateTitle(info.def, key);
            if (!titles.some((x) => x.fa === title.fa)) titles.push(title);
            states.set(key, titles);
          }
        }
        const joined = (titles: Localized[]): Localized => ({ fa: titles.map((x) => x.fa).join(' / '), en: titles.map((x) => x.en ?? x.fa).join(' / ') });
        const orgCodes = await tx.selectFrom('orgs').select(['id', 'code']).where('id', 'in', scopes.length ? scopes.map((s) => s.scope.orgId) : ['']).execute();
        const codeOf = new Map(orgCodes.map((o) => [o.id, o.code]));
        return {
          items, total, page, per_page: perPage,
          orgs: scopes.map((s) => ({ code: codeOf.get(s.scope.orgId) ?? '', all: s.all })),
          states: [...states].map(([key, titles]) => ({ key, title: joined(titles) })),
          services: [...services].map(([code, title]) => ({ code, title })).sort((a, b) => a.title.fa.localeCompare(b.title.fa, 'fa')),
        };
      });
    },

    /** The load of each organization of the inbox: open applications by state, deadline status and case officer. */
    async summary(actor: Actor, input: { org?: string } = {}): Promise<OrgLoad[]> {
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { scopes, infos } = await inboxScopes(tx, actor, input.org);
        const { bounds, atRisk } = await atRiskIds(tx, scopes, infos, now);
        const byState = await q.loadByState(tx, scopes, bounds.lateUntil);
        const byAssignee = await q.loadByAssignee(tx, scopes, bounds.lateUntil);
        const orgRows = await tx.selectFrom('orgs').select(['id', 'code']).where('id', 'in', scopes.length ? scopes.map((s) => s.scope.orgId) : ['']).execute();
        const codeOf = new Map(orgRows.map((o) => [o.id, o.code]));
        return scopes.map((s): OrgLoad => {
          const orgId = s.scope.orgId;
          const load: OrgLoad = {
            org: codeOf.get(orgId) ?? '', all: s.all, open: 0, unassigned: 0, escalated: 0,
            by_deadline: { on_time: 0, at_risk: 0, late: 0, none: 0 }, by_state: [], by_assignee: [],
          };
          const states = new Map<string, OrgLoad['by_state'][number]>();
          for (const r of byState.filter((x) => x.org_id === orgId)) {
            const total = Number(r.total);
            const office = waitsForOffice(infos, r.version_id, r.state);
            const late = office ? Number(r.late) : 0;
            const risky = office ? atRisk.filter((a) => a.org_id === orgId && a.version_id === r.version_id && a.state === r.state).length : 0;
            const none = office ? Number(r.no_due) : total;
            load.open += total;
            load.unassigned += Number(r.unassigned);
            load.escalated += Number(r.escalated);
            load.by_deadline.late += late;
            load.by_deadline.at_risk += risky;
            load.by_deadline.none += none;
            load.by_deadline.on_time += total - none - late - risky;
            const def = infos.get(r.version_id)?.def;
            const service = { code: def?.code ?? '', title: def?.title ?? { fa: '' } };
            const key = `${service.code}:${r.state}`;
            const entry = states.get(key) ?? { service, key: r.state, title: stateTitle(def, r.state), count: 0, late: 0, at_risk: 0 };
            entry.count += total;
            entry.late += late;
            entry.at_risk += risky;
            states.set(key, entry);
          }
          load.by_state = [...states.values()].sort((a, b) => b.count - a.count || a.service.code.localeCompare(b.service.code) || a.key.localeCompare(b.key));
          load.by_assignee = byAssignee.filter((x) => x.org_id === orgId)
            .map((r) => ({ id: r.assignee_id, name: r.display_name, count: Number(r.total), late: Number(r.late ?? 0) }));
          return load;
        });
      });
    },

    /**
     * Takes an unassigned application for oneself (a role that handles its state, or a manager).
     * Writes the assignment, its application event and an audit entry in one transaction.
     */
    async claim(actor: Actor, id: string): Promise<AssignmentView> {
      requireStaffFor(actor);
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { scope, head } = await openCase(tx, actor, id);
        if (head.assignee_id === actor.id) return assignmentView(tx, id, actor.id);
        if (!mayAct(actor, scope.orgId, 'casework.oversee')) {
          const info = await definitionOfVersion(tx, head.version_id);
          if (!info || !statesForRoles(info.definition, rolesIn(actor, scope.orgId)).includes(head.state)) throw new AppError('casework.not_your_state', 403);
        }
        if (!(await q.claimIfFree(tx, scope, id, actor.id, now))) {
          const current = await q.caseHead(tx, scope, id);
          const name = current?.assignee_id ? await q.staffName(tx, current.assignee_id) : null;
          throw new AppError('casework.already_assigned', 409, {}, { name: name ?? '—' });
        }
        await recordAssignment(tx, actor, scope, head, 'claimed', actor.id, now);
        return assignmentView(tx, id, actor.id);
      });
    },

    /**
     * Assigns an application to a colleague with a case-handling role in its organization, or to
     * nobody (org admins and managers). Event and audit entry in the same transaction.
     */
    async assign(actor: Actor, id: string, staffId: string | null): Promise<AssignmentView> {
      requireStaffFor(actor);
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { scope, head } = await openCase(tx, actor, id);
        if (!mayAct(actor, scope.orgId, 'casework.assign')) throw forbidden();
        if (staffId !== null && !(await q.caseStaffOfOrg(tx, scope)).some((s) => s.id === staffId)) throw badInput({ staff_id: 'casework.assignee_invalid' });
        if (head.assignee_id === staffId) return assignmentView(tx, id, staffId);
        if (!(await q.setAssignee(tx, scope, id, head.assignee_id, staffId, now))) throw new AppError('casework.conflict', 409);
        await recordAssignment(tx, actor, scope, head, staffId === null ? 'unassigned' : 'assigned', staffId, now);
        return assignmentView(tx, id, staffId);
      });
    },

    /**
     * What the case page adds to the applications module's view for this actor: may they claim
     * it, may they assign it and to whom, who holds it, whether its deadline was escalated, and
     * the details of assignment and escalation events.
     */
    async caseExtras(actor: Actor, app: { id: string; orgId: string }): Promise<CaseExtras> {
      requireStaff(actor);
      return inTransaction(db, async (tx) => {
        const scope = orgScope(actor, app.orgId, 'casework.inbox');
        const head = await q.caseHead(tx, scope, app.id);
        if (!head) throw notFound();
        const open = head.phase === 'open';
        const oversee = mayAct(actor, scope.orgId, 'casework.oversee');
        const info = await definitionOfVersion(tx, head.version_id);
        const handles = oversee || (info ? statesForRoles(info.definition, rolesIn(actor, scope.orgId)).includes(head.state) : false);
        const canAssign = open && mayAct(actor, scope.orgId, 'casework.assign');
        const colleagues: CaseExtras['colleagues'] = [];
        if (canAssign) {
          for (const r of await q.caseStaffOfOrg(tx, scope)) {
            const entry = colleagues.find((c) => c.id === r.id);
            if (entry) entry.roles.push(r.role as Role);
            else colleagues.push({ id: r.id, name: r.display_name, roles: [r.role as Role] });
          }
        }
        const events = await q.caseworkEvents(tx, scope, app.id);
        return {
          assignee: head.assignee_id ? { id: head.assignee_id, name: (await q.staffName(tx, head.assignee_id)) ?? '' } : null,
          canClaim: open && head.assignee_id === null && handles,
          canAssign,
          colleagues,
          escalated: open && head.escalated_due_at != null && head.due_at != null && Number(head.escalated_due_at) === Number(head.due_at),
          events: new Map(events.map((e) => [e.id, { type: e.type, assigneeName: e.assigneeName, dueAt: e.data.due_at ?? null }])),
        };
      });
    },

    /** Where the actor may file at the counter, and the enabled services of the organization chosen (default: the first). */
    async counterOptions(actor: Actor, orgCode?: string): Promise<{ orgs: string[]; org: string; services: { code: string; title: Localized }[] }> {
      requireStaff(actor);
      const orgs = [...new Set(actor.memberships.filter((m) => mayAct(actor, m.orgId, 'applications.file_counter')).map((m) => m.orgCode))];
      const org = orgCode ?? orgs[0];
      // The desk links every staff member here: one who files nowhere is told so, not sent to a 404.
      if (!org) throw forbidden('casework.counter_forbidden');
      const row = await db.selectFrom('orgs').select('id').where('code', '=', org).executeTakeFirst();
      if (!row) throw notFound();
      const scope = orgScope(actor, row.id, 'applications.file_counter');
      const services = (await q.enabledServices(db, scope)).map((s) => ({ code: s.code, title: { fa: s.title_fa, en: s.title_en } }));
      return { orgs: orgs.includes(org) ? orgs : [...orgs, org], org, services };
    },

    /**
     * Starts a counter application for a walk-in citizen: finds them by mobile or registers them
     * (through the applications module), records their national code and names where none are on
     * record (required for someone new), and opens a draft with channel = counter. Every field is
     * checked before anything is written.
     */
    async startCounter(actor: Actor, input: CounterInput): Promise<{ id: string; citizenId: string; isNew: boolean }> {
      requireStaff(actor);
      const org = await db.selectFrom('orgs').select(['id', 'code']).where('code', '=', String(input.org ?? '')).executeTakeFirst();
      if (!org) throw notFound();
      const scope = orgScope(actor, org.id, 'applications.file_counter');
      const fields: Record<string, string> = {};
      const mobile = normalizeMobile(String(input.mobile ?? ''));
      if (!mobile) fields.mobile = input.mobile ? 'auth.mobile_invalid' : 'common.required';
      if (!(await q.enabledServices(db, scope)).some((s) => s.code === input.service)) fields.service = 'casework.service_invalid';
      const known = mobile ? await q.citizenByMobile(db, mobile) : undefined;
      const nationalCode = input.national_code ? normalizeNationalCode(String(input.national_code)) : null;
      if (input.national_code && (!nationalCode || !isValidNationalCode(nationalCode))) fields.national_code = 'profile.national_code_invalid';
      else if (!known?.national_code && !nationalCode) fields.national_code = 'common.required';
      else if (nationalCode && !known?.national_code) {
        const holder = await q.citizenByNationalCode(db, nationalCode);
        if (holder && holder.id !== known?.id) fields.national_code = 'profile.national_code_taken';
      }
      const name = (v: string | undefined, key: 'first_name' | 'last_name') => {
        const s = normalizePersian(String(v ?? ''));
        if (!s) {
          if (!known?.[key]) fields[key] = 'common.required';
        } else if (s.length > 60) fields[key] = 'common.too_long';
        else if (!/^[\p{L}\p{M}\s'\u200c.-]+$/u.test(s)) fields[key] = 'profile.name_invalid';
        return s || null;
      };
      const firstName = name(input.first_name, 'first_name');
      const lastName = name(input.last_name, 'last_name');
      if (Object.keys(fields).length) throw badInput(fields);

      const citizen = await ctx.applications.findOrCreateCitizenByMobile(actor, org.code, mobile!);
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const changed = await q.fillCitizenDetails(tx, citizen.id, { national_code: nationalCode, first_name: firstName, last_name: lastName }, now);
        if (changed.length) await appendAudit(tx, actor, { orgId: org.id, action: 'citizen.details_at_counter', entity: 'citizen', entityId: citizen.id, data: { changed } }, now);
      });
      const draft = await ctx.applications.startDraft(actor, org.code, input.service, 'counter', { citizenId: citizen.id });
      return { id: draft.id, citizenId: citizen.id, isNew: citizen.isNew };
    },

    /** The actor's unread escalation notices, from organizations whose load they oversee. */
    async notices(actor: Actor, input: { org?: string } = {}): Promise<NoticeView[]> {
      requireStaff(actor);
      return inTransaction(db, async (tx) => {
        const { scopes } = await inboxScopes(tx, actor, input.org);
        const overseen = scopes.filter((s) => s.all).map((s) => s.scope);
        const rows = await q.unreadNotices(tx, overseen, actor.id);
        const infos = await versionInfos(tx, [...new Set(rows.map((r) => r.version_id).filter((v): v is string => Boolean(v)))]);
        const orgRows = await tx.selectFrom('orgs').select(['id', 'code']).where('id', 'in', overseen.length ? overseen.map((s) => s.orgId) : ['']).execute();
        const codeOf = new Map(orgRows.map((o) => [o.id, o.code]));
        return rows.map((r) => {
          const data = JSON.parse(r.data) as { state?: string; due_at?: number };
          const def = r.version_id ? infos.get(r.version_id)?.def : undefined;
          return {
            id: r.id, org: codeOf.get(r.org_id) ?? '', kind: r.kind, application_id: r.application_id, tracking_code: r.tracking_code,
            service_title: r.title_fa != null ? { fa: r.title_fa, en: r.title_en ?? r.title_fa } : null,
            state: data.state ? { key: data.state, title: stateTitle(def, data.state) } : null,
            due_at: data.due_at ?? null, created_at: Number(r.created_at),
          };
        });
      });
    },

    /** Marks one of the actor's own notices as seen; anyone else's answers 404. */
    async readNotice(actor: Actor, noticeId: string): Promise<void> {
      requireStaffFor(actor);
      if (!(await q.markNoticeRead(db, actor.id, noticeId, clock.now()))) throw notFound();
    },
  };

  /** An open application the actor may work on, or 404 (other organizations, drafts, unknown ids alike). */
  async function openCase(tx: Tx, actor: Actor, id: string): Promise<{ scope: OrgScope; head: NonNullable<Awaited<ReturnType<typeof q.caseHead>>> }> {
    const orgId = await q.orgOfApplication(tx, id);
    if (!orgId) throw notFound();
    const scope = orgScope(actor, orgId, 'casework.inbox');
    const head = await q.caseHead(tx, scope, id);
    if (!head || head.phase === 'draft') throw notFound();
    if (head.phase !== 'open') throw new AppError('casework.closed', 409);
    return { scope, head };
  }

  async function recordAssignment(tx: Tx, actor: Actor, scope: OrgScope, head: { id: string; state: string; assignee_id: string | null }, type: 'claimed' | 'assigned' | 'unassigned', to: string | null, now: number) {
    const data = { assignee_id: to, previous_assignee_id: head.assignee_id, state: head.state };
    await q.insertEvent(tx, {
      id: newId(), application_id: head.id, org_id: scope.orgId, type, action: null, from_state: null, to_state: null,
      actor_kind: 'staff', actor_id: actor.id, comment: null, internal: 1, data: JSON.stringify(data), created_at: now,
    });
    await appendAudit(tx, actor, { orgId: scope.orgId, action: `application.${type}`, entity: 'application', entityId: head.id, data }, now);
  }

  async function assignmentView(tx: Tx, id: string, staffId: string | null): Promise<AssignmentView> {
    if (!staffId) return { id, assignee: null };
    return { id, assignee: { id: staffId, name: (await q.staffName(tx, staffId)) ?? '' } };
  }
}

export type CaseworkService = ReturnType<typeof createCaseworkService>;
export { WORKFLOW_ROLES };
