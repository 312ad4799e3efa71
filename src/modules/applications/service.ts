import { randomBytes, randomInt } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { nextCounter } from '../../platform/db/counters.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { AppError, badInput, forbidden, notFound, unauthorized } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import { enqueue } from '../../platform/outbox/index.js';
import { mayAct, orgScope } from '../../platform/auth/access.js';
import type { BusinessCalendar } from '../../platform/calendar/business.js';
import { jalaliParts, type Locale } from '../../platform/i18n/format.js';
import { t } from '../../platform/i18n/messages.js';
import { normalizeMobile, normalizePersian, toAsciiDigits } from '../../platform/i18n/persian.js';
import { FileTooLarge, StorageFull, detectFileType, safeFilename, type FileStore } from '../../platform/files/index.js';
import type { CitizensTable } from '../../platform/db/schema.js';
import { adoptedService, adoptedServiceById, definitionOfVersion } from '../catalog/lookup.js';
import type { ActionDef, DocumentDef, Localized, Overrides, ServiceDefinition } from '../catalog/definition.js';
import {
  actionsFor, citizenDueAt, computeFees, deadlineStatus, dueAt, findAction, isFinal, outcomeOf, validateForm,
  FeeComputationError, type DeadlineStatus, type FeeItem, type FieldValue,
} from '../catalog/workflow.js';
import { syncApplicationBills } from '../payments/bills.js';
import * as q from './queries.js';
import type { AppHandle, ApplicationRow } from './queries.js';
import './messages.js';
import { emitEvent } from '../../platform/webhooks/events.js';

// ---------------------------------------------------------------------------------------------
// Policy

export const APPLICATION_POLICY = {
  /** Files per document of the definition (a deed of several pages may come as several images). */
  filesPerDocument: 5,
  commentMaxLength: 2000,
  /** What staff may attach to an action (e.g. an inspection report). */
  staffAttachment: { key: 'staff_attachment', accept: ['pdf', 'jpg', 'png'] as DocumentDef['accept'], maxMb: 20 },
};
/** The document key of files staff attach to workflow actions. */
export const STAFF_ATTACHMENT_KEY = APPLICATION_POLICY.staffAttachment.key;

// file-type's names for the document types a definition may accept.
const DETECTED_AS: Record<string, DocumentDef['accept'][number]> = { pdf: 'pdf', jpg: 'jpg', png: 'png', webp: 'webp', tif: 'tif' };

// ---------------------------------------------------------------------------------------------
// What the service returns

/** A problem with one field or document: a message key and its parameters. */
export interface FormProblem {
  key: string;
  params?: Record<string, string | number>;
}
export type FormProblems = Record<string, FormProblem>;

/**
 * A form that does not validate (400): the problems per field or document key, with their own
 * parameters (routes render them precisely); `fields`/`params` carry the same for generic handlers.
 */
export class ApplicationFormError extends AppError {
  constructor(readonly problems: FormProblems, code = 'application.incomplete', status = 400) {
    super(code, status, Object.fromEntries(Object.entries(problems).map(([k, p]) => [k, p.key])), Object.assign({}, ...Object.values(problems).map((p) => p.params ?? {})));
  }
}

export interface DocumentView {
  id: string;
  docKey: string;
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  uploadedBy: 'citizen' | 'staff' | 'system';
  createdAt: number;
}

export interface EventView {
  id: string;
  type: 'submitted' | 'action' | 'note' | 'rated' | string;
  action: string | null;
  actionTitle: Localized | null;
  fromState: string | null;
  toState: string | null;
  toStateTitle: Localized | null;
  actorKind: string;
  /** Staff names are shown to staff only. */
  actorName: string | null;
  comment: string | null;
  internal: boolean;
  documentIds: string[];
  /** The rating given, for 'rated' events. */
  rating: number | null;
  createdAt: number;
}

export interface StateView {
  key: string;
  title: Localized;
  waitsFor: 'office' | 'citizen';
  final: boolean;
}

/** An application as its owner or the staff of its organization see it. */
export interface ApplicationView {
  id: string;
  /** How the viewer reached it: the owner (or a counter clerk acting for them) or staff. */
  viewer: 'citizen' | 'staff';
  orgId: string;
  org: { code: string; name: Localized };
  orgServiceId: string;
  service: { code: string; title: Localized; version: number; versionId: string };
  trackingCode: string | null;
  channel: 'web' | 'counter' | 'api';
  phase: 'draft' | 'open' | 'closed';
  state: StateView;
  outcome: string | null;
  values: Record<string, FieldValue>;
  fees: { items: FeeItem[]; total: number };
  /** The office's deadline in this state (null when it waits for the citizen or has no SLA). */
  dueAt: number | null;
  /** The citizen's deadline when the state waits for them. */
  citizenDueAt: number | null;
  deadlineStatus: DeadlineStatus;
  stateEnteredAt: number;
  createdAt: number;
  submittedAt: number | null;
  closedAt: number | null;
  updatedAt: number;
  rating: number | null;
  ratingComment: string | null;
  /** The result letter's verification code, once closed. */
  resultCode: string | null;
  assigneeId: string | null;
  documents: DocumentView[];
  history: EventView[];
  /** The workflow actions this viewer may take now. */
  actions: ActionDef[];
  /** True when this viewer may change the form and documents now (a draft, or a correction). */
  editable: boolean;
  /** The applicant, for staff only. */
  citizen: { id: string; mobile: string; nationalCode: string | null; firstName: string | null; lastName: string | null; email: string | null } | null;
  definition: ServiceDefinition;
  overrides: Overrides;
}

export interface ApplicationSummary {
  id: string;
  trackingCode: string | null;
  org: { code: string; name: Localized };
  service: { code: string; title: Localized };
  phase: 'draft' | 'open' | 'closed';
  state: StateView;
  outcome: string | null;
  channel: string;
  dueAt: number | null;
  createdAt: number;
  submittedAt: number | null;
  updatedAt: number;
}

export interface PublicStatus {
  trackingCode: string;
  org: { code: string; name: Localized };
  service: { code: string; title: Localized };
  phase: 'open' | 'closed';
  state: { title: Localized; waitsFor: 'office' | 'citizen'; final: boolean };
  outcome: string | null;
  dueAt: number | null;
  submittedAt: number;
  lastUpdateAt: number;
  /** Issue 8: the newest status an external back-office system reported (its text and note for the citizen). */
  external?: { status: string; note: string | null; at: number } | null;
}

export interface ResultVerification {
  resultCode: string;
  trackingCode: string;
  org: { code: string; name: Localized };
  service: { code: string; title: Localized };
  outcome: string;
  closedAt: number;
  /** Initial and family name, enough to match the letter to its holder. */
  holder: string | null;
}

export interface ApplicationsDeps {
  db: DB;
  clock: Clock;
  calendar: BusinessCalendar;
  files: FileStore;
  /** Called after a commit that enqueued outbox messages. */
  onOutbox?: () => void;
  /** The site's address, for links in SMS and letters. */
  publicUrl?: string;
}

// ---------------------------------------------------------------------------------------------
// Small pure helpers

/** A tracking code: the org code upper-case, the Jalali year, a six-digit per-org-per-year number. */
export function formatTrackingCode(orgCode: string, jalaliYear: number, n: number): string {
  return `${orgCode.toUpperCase()}-${jalaliYear}-${String(n).padStart(6, '0')}`;
}

/** A tracking code as typed (Persian digits, lower case, spaces) in its stored form, or null. */
export function normalizeTrackingCode(input: string): string | null {
  const s = toAsciiDigits(String(input ?? '')).trim().toUpperCase().replace(/\s+/g, '').replace(/[\u2010-\u2015\u2212_]/g, '-');
  return /^[A-Z0-9][A-Z0-9-]{0,62}-\d{4}-\d{6,}$/.test(s) ? s : null;
}

// Crockford's base32: no I, L, O, U, so a code read aloud or retyped is not misread.
const RESULT_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RESULT_CODE_LENGTH = 12;

/** A new random result-letter verification code (60 bits). */
export function newResultCode(): string {
  let s = '';
  for (let i = 0; i < RESULT_CODE_LENGTH; i++) s += RESULT_ALPHABET[randomInt(RESULT_ALPHABET.length)];
  return s;
}

/** A verification code as typed (dashes, lower case, Persian digits, O for 0) in its stored form, or null. */
export function normalizeResultCode(input: string): string | null {
  const s = toAsciiDigits(String(input ?? '')).toUpperCase().replace(/[\s\-\u2010-\u2015]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return s.length === RESULT_CODE_LENGTH && [...s].every((c) => RESULT_ALPHABET.includes(c)) ? s : null;
}

/** A verification code grouped for reading: XXXX-XXXX-XXXX. */
export function groupResultCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

// Submit keys are the client's; stored per citizen, so one citizen's key never collides with another's.
const submitKeyOf = (citizenId: string, key: string) => `${citizenId}:${key}`;

/** A random key for the submit button of a review page (a replay of the page's form is recognized by it). */
export function newSubmitKey(): string {
  return randomBytes(18).toString('base64url');
}

function stateView(def: ServiceDefinition, key: string): StateView {
  const s = Object.prototype.hasOwnProperty.call(def.workflow.states, key) ? def.workflow.states[key] : undefined;
  return { key, title: s?.title ?? { fa: key, en: key }, waitsFor: s?.waits_for ?? 'office', final: s?.final === true };
}

/** The title of an action: the definition's, else the shipped name, else its key. */
export function actionTitle(action: Pick<ActionDef, 'name' | 'title'> | undefined, name: string): Localized {
  if (action?.title) return action.title;
  const key = `application.action.${name}`;
  const fa = t('fa', key);
  return fa === key ? { fa: name, en: name } : { fa, en: t('en', key) };
}

const localizedText = (l: Localized, locale: Locale) => (locale === 'en' && l.en ? l.en : l.fa);

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function cleanComment(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  const s = normalizePersian(String(raw), { keepNewlines: true });
  if ([...s].length > APPLICATION_POLICY.commentMaxLength) {
    throw new ApplicationFormError({ comment: { key: 'application.comment_too_long', params: { max: APPLICATION_POLICY.commentMaxLength } } }, 'common.invalid_input');
  }
  return s || null;
}

// ---------------------------------------------------------------------------------------------
// The service

type Reached = {
  row: ApplicationRow;
  handle: AppHandle;
  /** 'owner': the citizen; 'staff': staff of the org (roles are those held in that org). */
  as: 'owner' | 'staff' | 'system';
  roles: string[];
};

/**
 * Builds the applications service: citizens' drafts, documents, submission with tracking codes,
 * the workflow transition used by citizens and staff, notes, ratings, and the public reads.
 */
export function createApplicationsService(deps: ApplicationsDeps) {
  const { db, clock, calendar, files } = deps;
  const publicUrl = (deps.publicUrl ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const kick = () => deps.onOutbox?.();

  /** The roles the staff actor holds in orgId; the province administrator stands in as a manager. */
  const rolesIn = (actor: Actor, orgId: string): string[] => {
    // An API client with applications.act may take any staff action, as a manager may.
    if (actor.kind === 'api_client') return mayAct(actor, orgId, 'applications.act') ? ['manager'] : [];
    if (actor.kind !== 'staff') return [];
    const roles = actor.memberships.filter((m) => m.orgId === orgId).map((m) => m.role as string);
    if (actor.memberships.some((m) => m.role === 'province_admin')) roles.push('manager');
    return [...new Set(roles)];
  };

  /**
   * Finds the application for this actor: a citizen reaches only their own, staff only those of
   * organizations where they may read applications; anything else answers as if it did not exist.
   */
  async function reach(tx: Tx, actor: Actor, id: string): Promise<Reached> {
    if (typeof id !== 'string' || id.length > 64) throw notFound();
    if (actor.kind === 'citizen') {
      const found = await q.applicationOfCitizen(tx, actor.id, id);
      if (!found) throw notFound();
      return { ...found, as: 'owner', roles: [] };
    }
    if (actor.kind === 'staff' || actor.kind === 'api_client') {
      const orgId = await q.orgOfApplication(tx, id);
      if (!orgId) throw notFound();
      const scope = orgScope(actor, orgId, 'applications.read');
      const found = await q.applicationInScope(tx, scope, id);
      if (!found) throw notFound();
      return { ...found, as: 'staff', roles: rolesIn(actor, orgId) };
    }
    if (actor.kind === 'system') {
      const found = await q.applicationForSystem(tx, id);
      if (!found) throw notFound();
      return { ...found, as: 'system', roles: [] };
    }
    throw unauthorized();
  }

  /** True when the actor fills the application in for its citizen: the owner, or a counter clerk for a counter application. */
  const actsForCitizen = (actor: Actor, r: Reached): boolean =>
    r.as === 'owner' || (r.as === 'staff' && r.row.channel === 'counter' && mayAct(actor, r.row.org_id, 'applications.file_counter'));

  async function serviceOf(tx: Tx, row: ApplicationRow): Promise<{ def: ServiceDefinition; overrides: Overrides; code: string; version: number; enabled: boolean }> {
    const version = await definitionOfVersion(tx, row.version_id);
    const adopted = await adoptedServiceById(tx, row.org_service_id);
    if (!version || !adopted) throw notFound();
    return { def: version.definition, overrides: adopted.overrides, code: adopted.code, version: version.version, enabled: adopted.enabled && adopted.overrides.enabled };
  }

  /** True when the application's form and documents may be changed by this actor now. */
  function isEditable(actor: Actor, r: Reached, def: ServiceDefinition): boolean {
    if (!actsForCitizen(actor, r)) return false;
    if (r.row.phase === 'draft') return true;
    return r.row.phase === 'open' && stateView(def, r.row.state).waitsFor === 'citizen';
  }

  function requireEditable(actor: Actor, r: Reached, def: ServiceDefinition): void {
    if (isEditable(actor, r, def)) return;
    if (!actsForCitizen(actor, r)) throw forbidden('application.not_editable');
    throw new AppError('application.not_editable', 409);
  }

  function lenientFees(def: ServiceDefinition, overrides: Overrides, values: Record<string, unknown>) {
    try {
      return computeFees(def, overrides, values);
    } catch (err) {
      // A draft's values may make a formula undefined (a field still 0); submission reports it.
      if (err instanceof FeeComputationError) return { items: [], total: 0 };
      throw err;
    }
  }

  /** The problems that stop this application from being submitted (or resubmitted): fields and documents. */
  async function completeness(tx: Tx, r: Reached, def: ServiceDefinition): Promise<{ values: Record<string, FieldValue>; problems: FormProblems }> {
    const stored = parseJson<Record<string, unknown>>(r.row.form_data, {});
    const { values, errors } = validateForm(def, stored, { partial: false });
    const problems: FormProblems = { ...errors };
    const docs = await q.documentsOf(tx, r.handle);
    for (const d of def.documents) {
      if (d.required && !docs.some((x) => x.doc_key === d.key)) problems[d.key] = { key: 'application.document_required' };
    }
    return { values, problems };
  }

  function documentView(d: { id: string; doc_key: string; filename: string; mime: string; size: number; sha256: string; uploaded_by_kind: string; created_at: number }): DocumentView {
    return { id: d.id, docKey: d.doc_key, filename: d.filename, mime: d.mime, size: Number(d.size), sha256: d.sha256, uploadedBy: d.uploaded_by_kind as DocumentView['uploadedBy'], createdAt: Number(d.created_at) };
  }

  /** Documents this viewer may see: the citizen does not see staff files not (yet) attached to an action shown to them. */
  function visibleDocuments(docs: Awaited<ReturnType<typeof q.documentsOf>>, events: Awaited<ReturnType<typeof q.eventsOf>>, viewer: 'citizen' | 'staff') {
    if (viewer === 'staff') return docs;
    const shown = new Set(events.filter((e) => e.internal === 0).flatMap((e) => parseJson<{ documents?: string[] }>(e.data, {}).documents ?? []));
    return docs.filter((d) => d.uploaded_by_kind !== 'staff' || shown.has(d.id));
  }

  async function buildView(tx: Tx, actor: Actor, r: Reached): Promise<ApplicationView> {
    const { def, overrides, code, version } = await serviceOf(tx, r.row);
    const row = r.row;
    const viewer: 'citizen' | 'staff' = r.as === 'owner' ? 'citizen' : 'staff';
    const org = await q.orgById(tx, row.org_id);
    const events = await q.eventsOf(tx, r.handle, { includeInternal: true });
    const docs = await q.documentsOf(tx, r.handle);
    const now = clock.now();
    const state = stateView(def, row.state);
    let actions: ActionDef[] = [];
    if (row.phase === 'open') {
      if (r.as === 'staff') {
        actions = actionsFor(def, row.state, { by: 'staff', roles: r.roles });
        if (actsForCitizen(actor, r)) actions = [...actions, ...actionsFor(def, row.state, { by: 'citizen' })];
      } else if (r.as === 'owner') {
        actions = actionsFor(def, row.state, { by: 'citizen' });
      }
    }
    const citizen = viewer === 'staff' ? await q.citizenById(tx, row.citizen_id) : undefined;
    // The citizen sees every step, but not internal notes, nor the comment and attachments of an action marked internal.
    const shownEvents = viewer === 'staff' ? events
      : events.filter((e) => e.internal === 0 || e.type === 'action').map((e) => (e.internal === 1 ? { ...e, comment: null, data: '{}', internal: 0 as const } : e));
    const due = row.due_at === null ? null : Number(row.due_at);
    const enteredAt = Number(row.state_entered_at);
    return {
      id: row.id,
      viewer,
      orgId: row.org_id,
      org: { code: org?.code ?? '', name: { fa: org?.name_fa ?? '', en: org?.name_en ?? '' } },
      orgServiceId: row.org_service_id,
      service: { code, title: def.title, version, versionId: row.version_id },
      trackingCode: row.tracking_code,
      channel: row.channel,
      phase: row.phase,
      state,
      outcome: row.outcome,
      values: parseJson<Record<string, FieldValue>>(row.form_data, {}),
      fees: parseJson<{ items: FeeItem[]; total: number }>(row.fees, { items: [], total: 0 }),
      dueAt: due,
      citizenDueAt: row.phase === 'open' ? citizenDueAt(calendar, def, overrides, row.state, enteredAt) : null,
      deadlineStatus: row.phase === 'open' ? deadlineStatus(due, now, calendar, enteredAt) : 'none',
      stateEnteredAt: enteredAt,
      createdAt: Number(row.created_at),
      submittedAt: row.submitted_at === null ? null : Number(row.submitted_at),
      closedAt: row.closed_at === null ? null : Number(row.closed_at),
      updatedAt: Number(row.updated_at),
      rating: row.rating === null ? null : Number(row.rating),
      ratingComment: row.rating_comment,
      resultCode: row.phase === 'closed' ? row.result_code : null,
      assigneeId: viewer === 'staff' ? row.assignee_id : null,
      documents: visibleDocuments(docs, events, viewer).map(documentView),
      history: shownEvents.map((e) => ({
        id: e.id,
        type: e.type,
        action: e.action,
        actionTitle: e.action ? actionTitle(def.workflow.actions.find((a) => a.name === e.action && (e.from_state === null || a.from === e.from_state)), e.action) : null,
        fromState: e.from_state,
        toState: e.to_state,
        toStateTitle: e.to_state ? stateView(def, e.to_state).title : null,
        actorKind: e.actor_kind,
        actorName: viewer === 'staff' ? e.staff_name ?? null : null,
        comment: e.comment,
        internal: e.internal === 1,
        documentIds: parseJson<{ documents?: string[] }>(e.data, {}).documents ?? [],
        rating: parseJson<{ rating?: number }>(e.data, {}).rating ?? null,
        createdAt: Number(e.created_at),
      })),
      actions,
      editable: isEditable(actor, r, def),
      citizen: citizen ? { id: citizen.id, mobile: citizen.mobile, nationalCode: citizen.national_code, firstName: citizen.first_name, lastName: citizen.last_name, email: citizen.email } : null,
      definition: def,
      overrides,
    };
  }

  /** Writes the SMS (and email, when the citizen has one) to the outbox in the caller's transaction. */
  async function notifyCitizen(tx: Tx, row: ApplicationRow, key: string, params: Record<string, string>, dedupe: string, now: number, subjectState: string) {
    const citizen = await q.citizenById(tx, row.citizen_id);
    if (!citizen) return;
    const locale: Locale = citizen.locale === 'en' ? 'en' : 'fa';
    const text = t(locale, key, params);
    await enqueue(tx, { topic: 'sms.send', orgId: row.org_id, payload: { to: citizen.mobile, text }, dedupeKey: `${dedupe}:sms` }, now);
    if (citizen.email) {
      const subject = t(locale, 'application.email_subject', { code: params.code ?? '', state: subjectState });
      await enqueue(tx, { topic: 'email.send', orgId: row.org_id, payload: { to: citizen.email, subject, text }, dedupeKey: `${dedupe}:email` }, now);
    }
  }

  async function localeOf(tx: Tx, citizenId: string): Promise<Locale> {
    return (await q.citizenById(tx, citizenId))?.locale === 'en' ? 'en' : 'fa';
  }

  async function registerWalkIn(tx: Tx, actor: Actor, orgId: string, mobileInput: string, now: number): Promise<CitizensTable> {
    const mobile = normalizeMobile(String(mobileInput ?? ''));
    if (!mobile) throw badInput({ mobile: 'auth.mobile_invalid' });
    let citizen = await q.citizenByMobile(tx, mobile);
    if (!citizen) {
      await q.insertCitizenIfAbsent(tx, { id: newId(), mobile, national_code: null, first_name: null, last_name: null, email: null, locale: 'fa', created_at: now, updated_at: now });
      citizen = (await q.citizenByMobile(tx, mobile))!;
      await appendAudit(tx, actor, { orgId, action: 'citizen.registered_at_counter', entity: 'citizen', entityId: citizen.id, data: { mobile } }, now);
    }
    return citizen;
  }

  const service = {
    /**
     * What the apply page needs before a draft exists: the organization, its adopted service and
     * definition, and the citizen's unfinished drafts for it. Unknown or disabled services are 404.
     */
    async applyInfo(actor: Actor, orgCode: string, serviceCode: string) {
      const org = await q.orgByCode(db, String(orgCode).toLowerCase());
      if (!org) throw notFound();
      const adopted = await adoptedService(db, org.id, String(serviceCode));
      if (!adopted || !adopted.enabled || !adopted.overrides.enabled) throw notFound('application.service_unavailable');
      const drafts = actor.kind === 'citizen' ? await q.draftsOfCitizenFor(db, actor.id, adopted.orgServiceId) : [];
      return {
        org: { id: org.id, code: org.code, name: { fa: org.name_fa, en: org.name_en } },
        service: { code: adopted.code, title: adopted.definition.title, version: adopted.version, orgServiceId: adopted.orgServiceId },
        definition: adopted.definition,
        overrides: adopted.overrides,
        drafts: drafts.map((d) => ({ id: d.id, createdAt: Number(d.created_at), updatedAt: Number(d.updated_at) })),
      };
    },

    /**
     * Finds the citizen with this mobile or registers them (a walk-in at the counter); only a
     * clerk allowed to file counter applications in the organization may do it. Audited.
     */
    async findOrCreateCitizenByMobile(actor: Actor, orgCode: string, mobile: string): Promise<{ id: string; mobile: string; isNew: boolean }> {
      if (actor.kind !== 'staff') throw actor.kind === 'anonymous' ? unauthorized() : notFound();
      const org = await q.orgByCode(db, String(orgCode).toLowerCase());
      if (!org) throw notFound();
      orgScope(actor, org.id, 'applications.file_counter');
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const before = await q.citizenByMobile(tx, normalizeMobile(mobile) ?? '');
        const c = await registerWalkIn(tx, actor, org.id, mobile, now);
        return { id: c.id, mobile: c.mobile, isNew: !before };
      });
    },

    /**
     * Starts a draft of an adopted service: for the signed-in citizen (web, api), or for a
     * walk-in citizen (by id or mobile) when a counter clerk of the organization files it
     * (counter). Writes the draft and an audit entry in one transaction.
     */
    async startDraft(actor: Actor, orgCode: string, serviceCode: string, channel: 'web' | 'counter' | 'api', onBehalf?: { citizenId?: string; mobile?: string }): Promise<ApplicationView> {
      if (actor.kind === 'anonymous' || actor.kind === 'system') throw unauthorized();
      const org = await q.orgByCode(db, String(orgCode).toLowerCase());
      if (!org) throw notFound();
      if (channel === 'counter') {
        if (actor.kind !== 'staff') throw forbidden('application.channel_invalid');
        orgScope(actor, org.id, 'applications.file_counter');
      } else if (actor.kind !== 'citizen') {
        throw forbidden('application.channel_invalid');
      }
      const now = clock.now();
      const id = newId();
      await inTransaction(db, async (tx) => {
        const adopted = await adoptedService(tx, org.id, String(serviceCode));
        if (!adopted || !adopted.enabled || !adopted.overrides.enabled) throw notFound('application.service_unavailable');
        let citizenId: string;
        if (actor.kind === 'citizen') citizenId = actor.id;
        else if (onBehalf?.citizenId) {
          const c = await q.citizenById(tx, onBehalf.citizenId);
          if (!c) throw badInput({ citizen_id: 'common.invalid_value' });
          citizenId = c.id;
        } else citizenId = (await registerWalkIn(tx, actor, org.id, onBehalf?.mobile ?? '', now)).id;
        const values = validateForm(adopted.definition, {}, { partial: true }).values;
        const fees = lenientFees(adopted.definition, adopted.overrides, values);
        await q.insertApplication(tx, {
          id, org_id: org.id, org_service_id: adopted.orgServiceId, version_id: adopted.versionId, tracking_code: null, citizen_id: citizenId,
          channel, state: adopted.definition.workflow.start, phase: 'draft', form_data: JSON.stringify(values), fees_total: fees.total, fees: JSON.stringify(fees),
          assignee_id: null, due_at: null, state_entered_at: now, submit_key: null, outcome: null, result_code: null, rating: null, rating_comment: null,
          created_by: actor.id, created_at: now, submitted_at: null, closed_at: null, updated_at: now, escalated_due_at: null,
        });
        await appendAudit(tx, actor, { orgId: org.id, action: 'application.draft_created', entity: 'application', entityId: id, data: { service: adopted.code, version: adopted.version, channel } }, now);
      });
      return service.get(actor, id);
    },

    /**
     * Saves form values of a draft (or of an application returned for correction). Valid values
     * are stored; an invalid value leaves the stored one as it was and is reported in `errors`,
     * and `input` gives back what was typed for every field so a form re-renders with nothing
     * lost. mode 'replace' treats absent fields as emptied (a whole form page); 'merge' changes
     * only the keys given (the API). With `complete`, required fields are checked too. With
     * `strict`, any error throws ApplicationFormError and nothing is saved.
     */
    async saveDraft(actor: Actor, id: string, input: Record<string, unknown>, opts: { mode?: 'merge' | 'replace'; complete?: boolean; strict?: boolean } = {}): Promise<{ application: ApplicationView; errors: FormProblems; input: Record<string, unknown> }> {
      const mode = opts.mode ?? 'merge';
      const now = clock.now();
      const outcome = await inTransaction(db, async (tx) => {
        const r = await reach(tx, actor, id);
        const { def, overrides } = await serviceOf(tx, r.row);
        requireEditable(actor, r, def);
        const stored = parseJson<Record<string, FieldValue>>(r.row.form_data, {});
        const given = (k: string) => Object.prototype.hasOwnProperty.call(input, k);
        const candidate: Record<string, unknown> = {};
        for (const f of def.fields) {
          if (given(f.key)) candidate[f.key] = input[f.key];
          else if (mode === 'merge') candidate[f.key] = stored[f.key] ?? null;
        }
        const { values, errors } = validateForm(def, candidate, { partial: !opts.complete });
        if (opts.strict && Object.keys(errors).length) return { errors: errors as FormProblems, strictFailure: true as const };
        const next: Record<string, FieldValue> = {};
        const echo: Record<string, unknown> = {};
        for (const f of def.fields) {
          next[f.key] = errors[f.key] ? stored[f.key] ?? null : values[f.key] ?? null;
          echo[f.key] = errors[f.key] ? candidate[f.key] ?? null : values[f.key] ?? null;
        }
        const fees = lenientFees(def, overrides, next);
        const ok = await q.updateFormData(tx, r.handle, { form_data: JSON.stringify(next), fees: JSON.stringify(fees), fees_total: fees.total, updated_at: now }, ['draft', 'open']);
        if (!ok) throw new AppError('application.conflict', 409);
        const changed = def.fields.filter((f) => JSON.stringify(next[f.key] ?? null) !== JSON.stringify(stored[f.key] ?? null)).map((f) => f.key);
        if (changed.length) {
          await appendAudit(tx, actor, { orgId: r.row.org_id, action: 'application.form_saved', entity: 'application', entityId: id, data: { changed, phase: r.row.phase } }, now);
        }
        return { errors: errors as FormProblems, echo, strictFailure: false as const };
      });
      if (outcome.strictFailure) throw new ApplicationFormError(outcome.errors, 'common.invalid_input');
      return { application: await service.get(actor, id), errors: outcome.errors, input: outcome.echo };
    },

    /**
     * Stores an uploaded file for one of the definition's documents (or a staff attachment):
     * its type is decided by its content and must be one the document accepts, its size within
     * the document's limit; stored under a random key with its SHA-256; row and audit entry in one
     * transaction. A refused or failed upload leaves no file behind.
     */
    async uploadDocument(actor: Actor, id: string, docKey: string, file: { filename: string; content: Buffer | Readable }): Promise<DocumentView> {
      const drain = () => {
        if (!Buffer.isBuffer(file.content)) file.content.resume();
      };
      let spec: { accept: DocumentDef['accept']; maxMb: number; title: { fa: string; en: string } };
      let r: Reached;
      try {
        r = await reach(db, actor, id);
        const { def } = await serviceOf(db, r.row);
        const staffAttachment = docKey === STAFF_ATTACHMENT_KEY && r.as === 'staff';
        if (staffAttachment) {
          orgScope(actor, r.row.org_id, 'applications.act');
          if (r.row.phase !== 'open') throw new AppError('application.not_open', 409);
          spec = { accept: APPLICATION_POLICY.staffAttachment.accept, maxMb: APPLICATION_POLICY.staffAttachment.maxMb, title: { fa: 'پیوست', en: 'attachment' } };
        } else {
          requireEditable(actor, r, def);
          const d = def.documents.find((x) => x.key === docKey);
          if (!d) throw badInput({ doc_key: 'application.document_unknown' });
          spec = { accept: d.accept, maxMb: d.max_mb, title: { fa: localizedText(d.title, 'fa'), en: localizedText(d.title, 'en') } };
          if ((await q.countDocuments(db, r.handle, docKey)) >= APPLICATION_POLICY.filesPerDocument) {
            throw new ApplicationFormError({ [docKey]: { key: 'application.document_limit', params: { n: APPLICATION_POLICY.filesPerDocument } } }, 'common.invalid_input');
          }
        }
      } catch (err) {
        drain();
        throw err;
      }
      let stored;
      try {
        stored = await files.put(file.content, { maxBytes: Math.floor(spec.maxMb * 1024 * 1024) });
      } catch (err) {
        if (err instanceof FileTooLarge) throw new ApplicationFormError({ [docKey]: { key: 'application.document_too_large', params: { mb: spec.maxMb } } }, 'common.invalid_input');
        // The disk is full: 507, the document named, the draft untouched; the same upload works once space returns.
        if (err instanceof StorageFull) throw new ApplicationFormError({ [docKey]: { key: 'application.storage_full', params: { doc_fa: spec.title.fa, doc_en: spec.title.en } } }, 'application.storage_full_form', 507);
        throw err;
      }
      const refuse = async (problem: FormProblem): Promise<never> => {
        await files.remove(stored.key);
        throw new ApplicationFormError({ [docKey]: problem }, 'common.invalid_input');
      };
      if (stored.size === 0) await refuse({ key: 'application.document_empty' });
      const detected = await detectFileType(stored.head);
      const type = detected ? DETECTED_AS[detected.ext] : undefined;
      if (!detected || !type || !spec.accept.includes(type)) await refuse({ key: 'application.document_type', params: { types: spec.accept.map((a) => a.toUpperCase()).join('، ') } });
      const now = clock.now();
      const docId = newId();
      const row = {
        id: docId, application_id: r.row.id, org_id: r.row.org_id, doc_key: docKey, filename: safeFilename(file.filename ?? ''), mime: detected!.mime,
        size: stored.size, sha256: stored.sha256, storage_key: stored.key, uploaded_by_kind: actor.kind === 'staff' ? 'staff' : actor.kind === 'citizen' ? 'citizen' : 'system',
        uploaded_by: actor.id, created_at: now,
      };
      try {
        await inTransaction(db, async (tx) => {
          // The application may have been submitted or closed while the file was arriving.
          const again = await reach(tx, actor, id);
          if (docKey !== STAFF_ATTACHMENT_KEY || again.as !== 'staff') requireEditable(actor, again, (await serviceOf(tx, again.row)).def);
          else if (again.row.phase !== 'open') throw new AppError('application.not_open', 409);
          await q.insertDocument(tx, row);
          await appendAudit(tx, actor, { orgId: r.row.org_id, action: 'application.document_uploaded', entity: 'application', entityId: r.row.id, data: { document: docId, doc_key: docKey, size: stored.size, sha256: stored.sha256, mime: detected!.mime } }, now);
        });
      } catch (err) {
        await files.remove(stored.key);
        throw err;
      }
      return documentView(row);
    },

    /** Removes an uploaded file of an editable application (row, audit entry; then the stored bytes). */
    async removeDocument(actor: Actor, id: string, documentId: string): Promise<void> {
      const now = clock.now();
      const storageKey = await inTransaction(db, async (tx) => {
        const r = await reach(tx, actor, id);
        const { def } = await serviceOf(tx, r.row);
        const doc = await q.documentOf(tx, r.handle, String(documentId));
        if (!doc) throw notFound();
        // Staff attachments are part of the record of an action; they stay.
        if (doc.uploaded_by_kind === 'staff' && doc.doc_key === STAFF_ATTACHMENT_KEY) throw forbidden('application.not_editable');
        requireEditable(actor, r, def);
        if (!(await q.deleteDocument(tx, r.handle, doc.id))) throw notFound();
        await appendAudit(tx, actor, { orgId: r.row.org_id, action: 'application.document_removed', entity: 'application', entityId: r.row.id, data: { document: doc.id, doc_key: doc.doc_key, sha256: doc.sha256 } }, now);
        return doc.storage_key;
      });
      await files.remove(storageKey);
    },

    /** The fees the application's current values come to (whole Rials), with the org's tariff. */
    async feePreview(actor: Actor, id: string): Promise<{ items: FeeItem[]; total: number }> {
      const r = await reach(db, actor, id);
      const { def, overrides } = await serviceOf(db, r.row);
      return lenientFees(def, overrides, parseJson<Record<string, unknown>>(r.row.form_data, {}));
    },

    /** What still stops the draft from being submitted (field and document keys -> problems); empty when it can be. */
    async problems(actor: Actor, id: string): Promise<FormProblems> {
      const r = await reach(db, actor, id);
      const { def } = await serviceOf(db, r.row);
      return (await completeness(db, r, def)).problems;
    },

    /**
     * Submits a draft once: validates every field and required document, assigns the tracking
     * code (ORG-JALALIYEAR-NNNNNN from a per-org-per-year counter), enters the workflow's first
     * state with its deadline, and writes the event, the audit entry and the citizen's SMS in one
     * transaction. Idempotent: the same submit key, or a draft already submitted, returns the
     * application as it is, never a second one.
     */
    async submit(actor: Actor, id: string, submitKey: string): Promise<ApplicationView> {
      const key = String(submitKey ?? '');
      if (!/^[A-Za-z0-9_-]{8,100}$/.test(key)) throw badInput({ submit_key: 'application.submit_key_invalid' });
      const now = clock.now();
      const result = await inTransaction(db, async (tx) => {
        const r = await reach(tx, actor, id);
        const storedKey = submitKeyOf(r.row.citizen_id, key);
        const replay = await q.applicationBySubmitKey(tx, storedKey);
        if (replay) return { id: replay.id, submitted: false };
        if (r.row.phase !== 'draft') return { id: r.row.id, submitted: false };
        if (!actsForCitizen(actor, r)) throw forbidden('application.not_editable');
        const svc = await serviceOf(tx, r.row);
        if (!svc.enabled) throw new AppError('application.service_unavailable', 409);
        const { values, problems } = await completeness(tx, r, svc.def);
        if (Object.keys(problems).length) throw new ApplicationFormError(problems);
        const fees = computeFees(svc.def, svc.overrides, values);
        const state = svc.def.workflow.start;
        const claimed = await q.claimDraftForSubmit(tx, r.handle, {
          submit_key: storedKey, state, state_entered_at: now, due_at: dueAt(calendar, svc.def, svc.overrides, state, now), submitted_at: now, updated_at: now,
          form_data: JSON.stringify(values), fees: JSON.stringify(fees), fees_total: fees.total,
        });
        // Another request submitted it first (a double click): answer with what it made.
        if (!claimed) return { id: r.row.id, submitted: false };
        const org = await q.orgById(tx, r.row.org_id);
        const year = jalaliParts(now).year;
        const trackingCode = formatTrackingCode(org!.code, year, await nextCounter(tx, r.row.org_id, `tracking:${year}`));
        await q.setTrackingCode(tx, r.handle, trackingCode);
        await q.insertEvent(tx, {
          id: newId(), application_id: r.row.id, org_id: r.row.org_id, type: 'submitted', action: null, from_state: null, to_state: state,
          actor_kind: actor.kind, actor_id: actor.id, comment: null, internal: 0, data: JSON.stringify({ channel: r.row.channel, tracking_code: trackingCode, fees_total: fees.total }), created_at: now,
        });
        await appendAudit(tx, actor, { orgId: r.row.org_id, action: 'application.submitted', entity: 'application', entityId: r.row.id, data: { tracking_code: trackingCode, channel: r.row.channel, service: svc.code, version: svc.version } }, now);
        await emitEvent(tx, { orgId: r.row.org_id, type: 'application.submitted', orderingKey: r.row.id, payload: { application_id: r.row.id, tracking_code: trackingCode, service: svc.code, service_version: svc.version, channel: r.row.channel, state, submitted_at: new Date(now).toISOString() } }, now);
        await syncApplicationBills(tx, r.row.id, now);
        const locale = await localeOf(tx, r.row.citizen_id);
        await notifyCitizen(tx, r.row, 'application.sms_submitted', {
          org: org ? (locale === 'en' ? org.name_en : org.name_fa) : '', service: localizedText(svc.def.title, locale), code: trackingCode, url: `${publicUrl}/track/${trackingCode}`,
        }, `application:${r.row.id}:submitted`, now, localizedText(stateView(svc.def, state).title, locale));
        return { id: r.row.id, submitted: true };
      }).catch(async (err: unknown) => {
        // The same key sent at once for two drafts: the unique key lets one through; the other
        // answers with the application the key already made.
        const citizenId = (await q.applicationForSystem(db, id))?.row.citizen_id;
        const replay = citizenId ? await q.applicationBySubmitKey(db, submitKeyOf(citizenId, key)) : undefined;
        if (replay && !(err instanceof AppError)) return { id: replay.id, submitted: false };
        throw err;
      });
      if (result.submitted) kick();
      return service.get(actor, result.id);
    },

    /**
     * THE workflow transition, for staff and citizens alike: the action must leave the current
     * state and be allowed to this actor (staff by their roles in the application's organization,
     * a manager any staff action; the owner the citizen actions; payment/system actions the
     * system), with its required comment or attachment. The state moves only if nobody moved it
     * since it was read (else 409). Writes the new state and deadline (closing on a final state
     * with a result code), the event, the audit entry and the citizen's notification (when the
     * action is for them or the outcome is final) in one transaction.
     */
    async act(actor: Actor, id: string, input: { action: string; comment?: string | null; internal?: boolean; documentIds?: string[] }): Promise<ApplicationView> {
      const name = String(input?.action ?? '');
      const now = clock.now();
      const done = await inTransaction(db, async (tx) => {
        const r = await reach(tx, actor, id);
        const svc = await serviceOf(tx, r.row);
        const { def, overrides } = svc;
        if (!def.workflow.actions.some((a) => a.name === name)) throw badInput({ action: 'application.action_unknown' });
        if (r.row.phase !== 'open') throw new AppError('application.not_open', 409);
        const action = findAction(def, r.row.state, name);
        if (!action) throw new AppError('application.action_unavailable', 409);
        // Who may take it.
        if (action.by === 'citizen') {
          if (!actsForCitizen(actor, r)) throw forbidden('application.action_forbidden');
        } else if (action.by === 'staff') {
          if (r.as !== 'staff' || !actionsFor(def, r.row.state, { by: 'staff', roles: r.roles }).some((a) => a.name === name)) throw forbidden('application.action_forbidden');
          orgScope(actor, r.row.org_id, 'applications.act');
        } else if (r.as !== 'system') {
          throw forbidden('application.action_forbidden');
        }
        // What it requires.
        const problems: FormProblems = {};
        const comment = cleanComment(input.comment);
        if (action.requires.includes('comment') && !comment) problems.comment = { key: 'common.required' };
        const documentIds = [...new Set((input.documentIds ?? []).map(String))];
        if (action.requires.includes('attachment') && documentIds.length === 0) problems.documents = { key: 'application.attachment_required' };
        for (const docId of documentIds) {
          if (!(await q.documentOf(tx, r.handle, docId))) problems.documents = { key: 'application.attachment_invalid' };
        }
        const internal = input.internal === true;
        if (internal && (r.as !== 'staff' || action.by !== 'staff' || action.to_citizen)) problems.internal = { key: 'application.internal_not_allowed' };
        if (Object.keys(problems).length) throw new ApplicationFormError(problems, 'common.invalid_input');
        // A citizen's action sends the (corrected) application back to the office: it must be complete again.
        let formPatch = {};
        if (action.by === 'citizen') {
          const { values, problems: missing } = await completeness(tx, r, def);
          if (Object.keys(missing).length) throw new ApplicationFormError(missing);
          const fees = computeFees(def, overrides, values);
          formPatch = { form_data: JSON.stringify(values), fees: JSON.stringify(fees), fees_total: fees.total };
        }
        const to = action.to;
        const final = isFinal(def, to);
        const outcome = final ? outcomeOf(def, to) ?? null : null;
        // Every transition enters its state at a distinct instant, which the next one checks.
        const enteredAt = Math.max(now, Number(r.row.state_entered_at) + 1);
        const moved = await q.transition(tx, r.handle, { state: r.row.state, stateEnteredAt: Number(r.row.state_entered_at) }, {
          ...formPatch,
          state: to, state_entered_at: enteredAt, updated_at: now,
          due_at: final ? null : dueAt(calendar, def, overrides, to, enteredAt),
          ...(final ? { phase: 'closed' as const, outcome, result_code: newResultCode(), closed_at: now } : {}),
        });
        if (!moved) throw new AppError('application.conflict', 409);
        const eventId = newId();
        // from_due_at: the deadline of the state left (null when it waits for the citizen), so the
        // transparency rollups can tell whether the application ever left an office state late.
        await q.insertEvent(tx, {
          id: eventId, application_id: r.row.id, org_id: r.row.org_id, type: 'action', action: name, from_state: r.row.state, to_state: to,
          actor_kind: actor.kind === 'anonymous' ? 'system' : actor.kind, actor_id: actor.id, comment, internal: internal ? 1 : 0,
          data: JSON.stringify({ by: action.by, ...(documentIds.length ? { documents: documentIds } : {}), ...(outcome ? { outcome } : {}), from_due_at: r.row.due_at === null ? null : Number(r.row.due_at) }), created_at: now,
        });
        await appendAudit(tx, actor, { orgId: r.row.org_id, action: 'application.action', entity: 'application', entityId: r.row.id, data: { action: name, from: r.row.state, to, ...(outcome ? { outcome } : {}) } }, now);
        await emitEvent(tx, { orgId: r.row.org_id, type: 'application.state_changed', orderingKey: r.row.id, payload: { application_id: r.row.id, tracking_code: r.row.tracking_code, service: svc.code, action: name, by: action.by, from: r.row.state, to, phase: final ? 'closed' : 'open', outcome, changed_at: new Date(enteredAt).toISOString() } }, now);
        // A state that waits for a payment gets its bill; bills of the state left are cancelled.
        await syncApplicationBills(tx, r.row.id, now);
        let notified = false;
        if (action.to_citizen || final) {
          const locale = await localeOf(tx, r.row.citizen_id);
          const org = await q.orgById(tx, r.row.org_id);
          const stateTitle = localizedText(stateView(def, to).title, locale);
          const params = {
            org: org ? (locale === 'en' ? org.name_en : org.name_fa) : '', service: localizedText(def.title, locale), code: r.row.tracking_code ?? '',
            state: stateTitle, outcome: outcome ? t(locale, `catalog.outcome.${outcome}`) : stateTitle, url: `${publicUrl}/my/applications/${r.row.id}`,
          };
          await notifyCitizen(tx, r.row, final ? 'application.sms_final' : 'application.sms_to_citizen', params, `application-event:${eventId}`, now, final ? params.outcome : stateTitle);
          notified = true;
        }
        return { notified };
      });
      if (done.notified) kick();
      return service.get(actor, id);
    },

    /** Adds an internal note (never shown to the citizen) by staff who may act in the org; event and audit entry in one transaction. */
    async addNote(actor: Actor, id: string, text: string): Promise<EventView> {
      const now = clock.now();
      const note = cleanComment(text);
      if (!note) throw new ApplicationFormError({ text: { key: 'common.required' } }, 'common.invalid_input');
      const eventId = newId();
      await inTransaction(db, async (tx) => {
        const r = await reach(tx, actor, id);
        if (r.as !== 'staff') throw forbidden();
        orgScope(actor, r.row.org_id, 'applications.act');
        await q.insertEvent(tx, {
          id: eventId, application_id: r.row.id, org_id: r.row.org_id, type: 'note', action: null, from_state: r.row.state, to_state: null,
          actor_kind: 'staff', actor_id: actor.id, comment: note, internal: 1, data: '{}', created_at: now,
        });
        await appendAudit(tx, actor, { orgId: r.row.org_id, action: 'application.note_added', entity: 'application', entityId: r.row.id, data: { event: eventId } }, now);
      });
      const view = await service.get(actor, id);
      return view.history.find((e) => e.id === eventId)!;
    },

    /** Records the owner's rating (1-5, optional comment) once, after a final outcome; event and audit entry in one transaction. */
    async rate(actor: Actor, id: string, rating: number, comment?: string | null): Promise<ApplicationView> {
      const n = typeof rating === 'number' ? rating : Number(toAsciiDigits(String(rating ?? '')).trim());
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const r = await reach(tx, actor, id);
        if (r.as !== 'owner') throw forbidden();
        if (!Number.isInteger(n) || n < 1 || n > 5) throw badInput({ rating: 'application.rating_invalid' });
        const text = cleanComment(comment);
        if (r.row.phase !== 'closed') throw new AppError('application.not_rateable', 409);
        if (!(await q.setRating(tx, r.handle, n, text, now))) throw new AppError('application.already_rated', 409);
        await q.insertEvent(tx, {
          id: newId(), application_id: r.row.id, org_id: r.row.org_id, type: 'rated', action: null, from_state: null, to_state: null,
          actor_kind: 'citizen', actor_id: actor.id, comment: text, internal: 0, data: JSON.stringify({ rating: n }), created_at: now,
        });
        await appendAudit(tx, actor, { orgId: r.row.org_id, action: 'application.rated', entity: 'application', entityId: r.row.id, data: { rating: n } }, now);
      });
      return service.get(actor, id);
    },

    /** The application as this actor may see it (owner: no internal notes; staff of its org: everything); others get 404. */
    async get(actor: Actor, id: string): Promise<ApplicationView> {
      const r = await reach(db, actor, id);
      return buildView(db, actor, r);
    },

    /** The citizen's own application with its full history except internal notes; anyone else gets 404. */
    async getForCitizen(actor: Actor, id: string): Promise<ApplicationView> {
      if (actor.kind !== 'citizen') throw actor.kind === 'anonymous' ? unauthorized() : notFound();
      return service.get(actor, id);
    },

    /** An application for staff of its organization (org-scoped), with internal notes, the applicant and the actions their roles allow. */
    async getForStaff(actor: Actor, id: string): Promise<ApplicationView> {
      if (actor.kind !== 'staff') throw actor.kind === 'anonymous' ? unauthorized() : notFound();
      return service.get(actor, id);
    },

    /** Every application of the signed-in citizen, drafts included, newest first. */
    async listForCitizen(actor: Actor): Promise<ApplicationSummary[]> {
      if (actor.kind !== 'citizen') throw unauthorized();
      const rows = await q.applicationsOfCitizen(db, actor.id);
      const out: ApplicationSummary[] = [];
      for (const row of rows) {
        const def = (await definitionOfVersion(db, row.version_id))?.definition;
        out.push({
          id: row.id, trackingCode: row.tracking_code,
          org: { code: row.org_code, name: { fa: row.org_name_fa, en: row.org_name_en } },
          service: { code: row.service_code, title: def?.title ?? { fa: row.title_fa, en: row.title_en } },
          phase: row.phase, state: def ? stateView(def, row.state) : { key: row.state, title: { fa: row.state }, waitsFor: 'office', final: false },
          outcome: row.outcome, channel: row.channel, dueAt: row.due_at === null ? null : Number(row.due_at),
          createdAt: Number(row.created_at), submittedAt: row.submitted_at === null ? null : Number(row.submitted_at), updatedAt: Number(row.updated_at),
        });
      }
      return out;
    },

    /** Public status by tracking code: the service, organization, state, dates; no personal or form data. Unknown codes are 404. */
    async trackPublic(trackingCode: string): Promise<PublicStatus> {
      const code = normalizeTrackingCode(trackingCode);
      if (!code) throw notFound('track.not_found');
      const row = await q.publicStatusByTrackingCode(db, code);
      if (!row || row.phase === 'draft') throw notFound('track.not_found');
      const version = await definitionOfVersion(db, row.version_id);
      if (!version) throw notFound('track.not_found');
      const s = stateView(version.definition, row.state);
      const last = await q.lastEventAt(db, code);
      const ext = await q.lastExternalStatus(db, code);
      return {
        trackingCode: code,
        org: { code: row.org_code, name: { fa: row.org_name_fa, en: row.org_name_en } },
        service: { code: version.definition.code, title: version.definition.title },
        phase: row.phase as 'open' | 'closed',
        state: { title: s.title, waitsFor: s.waitsFor, final: s.final },
        outcome: row.outcome,
        dueAt: row.phase === 'open' && row.due_at !== null ? Number(row.due_at) : null,
        submittedAt: Number(row.submitted_at),
        lastUpdateAt: last ?? Number(row.submitted_at),
        external: ext ? { status: ext.action ?? (ext.to_state ? localizedText(stateView(version.definition, ext.to_state).title, 'fa') : ''), note: ext.comment, at: Number(ext.created_at) } : null,
      };
    },

    /** Public check of a result letter by its verification code: service, organization, outcome, date, tracking code, the holder's initial and family name. */
    async verifyResult(code: string): Promise<ResultVerification> {
      const resultCode = normalizeResultCode(code);
      if (!resultCode) throw notFound('verify.invalid');
      const row = await q.resultByCode(db, resultCode);
      if (!row || !row.outcome || !row.tracking_code) throw notFound('verify.invalid');
      const version = await definitionOfVersion(db, row.version_id);
      if (!version) throw notFound('verify.invalid');
      const initial = row.first_name ? `${[...row.first_name][0]}. ` : '';
      return {
        resultCode,
        trackingCode: row.tracking_code,
        org: { code: row.org_code, name: { fa: row.org_name_fa, en: row.org_name_en } },
        service: { code: version.definition.code, title: version.definition.title },
        outcome: row.outcome,
        closedAt: Number(row.closed_at),
        holder: row.last_name ? `${initial}${row.last_name}` : null,
      };
    },

    /** The result letter of a closed application (with the reasons of a refusal), for its owner or staff of its organization. */
    async letter(actor: Actor, id: string): Promise<{ application: ApplicationView; holder: string; comment: string | null }> {
      const application = await service.get(actor, id);
      if (application.phase !== 'closed' || !application.resultCode || !application.outcome) throw notFound('application.no_letter');
      const r = await reach(db, actor, id);
      const citizen = await q.citizenById(db, r.row.citizen_id);
      const holder = [citizen?.first_name, citizen?.last_name].filter(Boolean).join(' ') || citizen?.mobile || '';
      // A refusal carries its reasons: the comment of the closing action, which the citizen was shown.
      const closing = [...application.history].reverse().find((e) => e.type === 'action' && !e.internal);
      return { application, holder, comment: application.outcome === 'granted' ? null : closing?.comment ?? null };
    },

    /** A document's bytes for its owner or staff of its organization (others: 404, as if absent). */
    async openDocument(actor: Actor, id: string, documentId: string): Promise<{ filename: string; mime: string; size: number; stream: Readable }> {
      const r = await reach(db, actor, id);
      const doc = await q.documentOf(db, r.handle, String(documentId));
      if (!doc) throw notFound();
      if (r.as === 'owner') {
        const events = await q.eventsOf(db, r.handle, { includeInternal: true });
        if (!visibleDocuments([doc], events, 'citizen').length) throw notFound();
      }
      return { filename: doc.filename, mime: doc.mime, size: Number(doc.size), stream: await files.open(doc.storage_key) };
    },
  };
  return service;
}

export type ApplicationsService = ReturnType<typeof createApplicationsService>;
