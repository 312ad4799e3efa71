import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { AppError, badInput, notFound } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import { mayAct, orgScope, type OrgScope } from '../../platform/auth/access.js';
import { normalizePersian, searchKey, toAsciiDigits } from '../../platform/i18n/persian.js';
import type { Locale } from '../../platform/i18n/format.js';
import type { ServiceTemplateVersionsTable } from '../../platform/db/schema.js';
import { definitionSchema, overridesSchema, type Localized, type Overrides, type ServiceDefinition } from './definition.js';
import { checkOverrides, parseDefinition, serializeDefinition } from './validate.js';
import { effectiveSla, parseSla } from './workflow.js';
import { compiledFormula } from './formula.js';
import * as q from './queries.js';

// The catalog's rules: the reference organization authors versioned definitions (a published
// version never changes), municipalities adopt them with their own overrides and upgrade when
// they choose, and the public single window shows what every municipality offers.

/** Business hours in a working day (07:30-14:30, the calendar's default opening hours). */
export const WORKDAY_HOURS = 7;

export type Format = 'yaml' | 'json';
export type Text = { fa: string; en: string | null };
const text = (l: Localized): Text => ({ fa: l.fa, en: l.en ?? null });

export interface VersionView {
  code: string;
  version: number;
  status: 'draft' | 'published';
  title: Text;
  maturity: number;
  createdAt: number;
  publishedAt: number | null;
}

function versionView(code: string, v: Pick<ServiceTemplateVersionsTable, 'version' | 'status' | 'title_fa' | 'title_en' | 'maturity' | 'created_at' | 'published_at'>): VersionView {
  return {
    code, version: Number(v.version), status: v.status, title: { fa: v.title_fa, en: v.title_en || null }, maturity: Number(v.maturity),
    createdAt: Number(v.created_at), publishedAt: v.published_at == null ? null : Number(v.published_at),
  };
}

// ---------- search ----------

/** The search fold of a query, or undefined when nothing is left to search for. */
export function searchTerms(query: string | undefined): q.SearchTerms | undefined {
  const words = searchKey(query ?? '').split(' ').filter(Boolean).slice(0, 8);
  return words.length ? { words, compact: words.join('') } : undefined;
}

/**
 * The indexed text of a definition: the search fold of its code, titles, summaries and keywords,
 * then the same with the spaces inside each part removed, so a query written with a ZWNJ, a
 * space or nothing between words finds it. The parts are kept apart by '|', which no query has.
 */
export function searchTextOf(def: ServiceDefinition): string {
  const parts = [def.code.replace(/-/g, ' '), def.title.fa, def.title.en, def.summary?.fa, def.summary?.en, ...def.keywords]
    .filter((p): p is string => Boolean(p)).map(searchKey).filter(Boolean);
  return `${parts.join(' | ')} || ${parts.map((p) => p.replace(/ /g, '')).join(' | ')}`;
}

// ---------- the service sheet (شناسنامه خدمت) ----------

export interface FeeSheet {
  key: string;
  title: Text;
  formula: string;
  when: string | null;
  /** The params the formula uses, with this organization's value and the reference default. */
  params: { name: string; value: number; reference: number; own: boolean }[];
  /** The field keys the formula reads. */
  fields: string[];
  /** The amount when it depends on no field (a fixed fee), else null. */
  fixed: number | null;
}

export interface StepSheet {
  key: string;
  title: Text | null;
  sla: string | null;
  /** The SLA in business hours. */
  hours: number | null;
  waitsFor: 'office' | 'citizen';
  roles: string[];
  /** The organization set its own deadline for this step. */
  own: boolean;
  /** On the usual path to a decision; other steps happen only when needed (a correction). */
  usual: boolean;
}

export interface ServiceSheet {
  code: string;
  version: number;
  status: 'draft' | 'published';
  title: Text;
  summary: Text | null;
  category: string;
  maturity: number;
  audience: string;
  keywords: string[];
  fields: { key: string; type: string; label: Text; help: Text | null; required: boolean }[];
  documents: { key: string; title: Text; help: Text | null; required: boolean; accept: string[]; maxMb: number }[];
  fees: FeeSheet[];
  steps: StepSheet[];
  outcomes: { key: string; title: Text | null; outcome: string }[];
  /** The office's business hours from filing to a decision on the usual path (waits for the citizen not counted). */
  deadlineHours: number;
  baseline: { officeVisits: number; days: number };
  online: { officeVisits: number; days: number };
  saves: { officeVisits: number; days: number };
}

function slaHours(sla: string | undefined): number | null {
  if (!sla) return null;
  const { amount, unit } = parseSla(sla);
  return unit === 'd' ? amount * WORKDAY_HOURS : amount;
}

/** The states in the order an application meets them (breadth-first from the start), then any others. */
export function stateOrder(def: ServiceDefinition): string[] {
  const order: string[] = [];
  const queue = [def.workflow.start];
  while (queue.length) {
    const s = queue.shift()!;
    if (order.includes(s) || !(s in def.workflow.states)) continue;
    order.push(s);
    for (const a of def.workflow.actions) if (a.from === s && !order.includes(a.to)) queue.push(a.to);
  }
  for (const s of Object.keys(def.workflow.states)) if (!order.includes(s)) order.push(s);
  return order;
}

/** The states on the shortest path from the start to a granting final state (or any final one). */
export function usualPath(def: ServiceDefinition): string[] {
  const states = def.workflow.states;
  const prev = new Map<string, string | null>([[def.workflow.start, null]]);
  const queue = [def.workflow.start];
  const finals: string[] = [];
  while (queue.length) {
    const s = queue.shift()!;
    if (states[s]?.final) { finals.push(s); continue; }
    for (const a of def.workflow.actions) {
      if (a.from === s && !prev.has(a.to)) { prev.set(a.to, s); queue.push(a.to); }
    }
  }
  const target = finals.find((f) => states[f]?.outcome === 'granted') ?? finals[0];
  const path: string[] = [];
  for (let s: string | null | undefined = target; s; s = prev.get(s)) path.unshift(s);
  return path.filter((s) => !states[s]?.final);
}

function formulaNames(source: string | undefined): string[] {
  if (!source) return [];
  try {
    return compiledFormula(source).identifiers;
  } catch {
    return [];
  }
}

/**
 * Everything a citizen needs to know about a service, from its definition and (for one
 * organization) that organization's overrides: documents, fees, steps with deadlines, the total
 * deadline and what it saves against applying in person.
 */
export function buildSheet(def: ServiceDefinition, meta: { version: number; status: 'draft' | 'published' }, overrides: Overrides | null, workdaysPerWeek = 5): ServiceSheet {
  const fees: FeeSheet[] = def.fees.map((fee) => {
    const own = overrides?.fee_params[fee.key] ?? {};
    const vars: Record<string, number> = { ...fee.params, ...own };
    const names = [...new Set([...formulaNames(fee.formula), ...formulaNames(fee.when)])];
    const fields = names.filter((n) => !(n in fee.params));
    let fixed: number | null = null;
    if (fields.length === 0) {
      try {
        const applies = fee.when === undefined || compiledFormula(fee.when).evaluate(vars) !== 0;
        fixed = applies ? Math.max(0, Math.round(compiledFormula(fee.formula).evaluate(vars))) : 0;
      } catch { fixed = null; }
    }
    return {
      key: fee.key, title: text(fee.title), formula: fee.formula, when: fee.when ?? null, fields, fixed,
      params: Object.entries(fee.params).map(([name, reference]) => ({ name, reference, value: own[name] ?? reference, own: own[name] !== undefined })),
    };
  });
  const path = usualPath(def);
  const steps: StepSheet[] = [...path, ...stateOrder(def).filter((k) => !path.includes(k) && !def.workflow.states[k]!.final)].map((key) => {
    const s = def.workflow.states[key]!;
    const sla = effectiveSla(def, overrides, key) ?? null;
    return { key, title: s.title ? text(s.title) : null, sla, hours: slaHours(sla ?? undefined), waitsFor: s.waits_for, roles: s.roles, own: overrides?.sla[key] !== undefined, usual: path.includes(key) };
  });
  const outcomes = stateOrder(def).filter((k) => def.workflow.states[k]!.final).map((key) => {
    const s = def.workflow.states[key]!;
    return { key, title: s.title ? text(s.title) : null, outcome: s.outcome ?? 'granted' };
  });
  const deadlineHours = path.reduce((sum, key) => {
    const s = def.workflow.states[key]!;
    return s.waits_for === 'office' ? sum + (slaHours(effectiveSla(def, overrides, key)) ?? 0) : sum;
  }, 0);
  // Business days become calendar days through the working week; an online service needs no
  // visit from transactional maturity (3) up.
  const onlineDays = Math.max(1, Math.ceil((deadlineHours / WORKDAY_HOURS) * (7 / workdaysPerWeek)));
  const onlineVisits = def.maturity >= 3 ? 0 : def.baseline.office_visits;
  return {
    code: def.code, version: meta.version, status: meta.status, title: text(def.title), summary: def.summary ? text(def.summary) : null,
    category: def.category, maturity: def.maturity, audience: def.audience, keywords: def.keywords,
    fields: def.fields.map((f) => ({ key: f.key, type: f.type, label: text(f.label), help: f.help ? text(f.help) : null, required: f.required })),
    documents: def.documents.map((d) => ({ key: d.key, title: text(d.title), help: d.help ? text(d.help) : null, required: d.required, accept: d.accept, maxMb: d.max_mb })),
    fees, steps, outcomes, deadlineHours,
    baseline: { officeVisits: def.baseline.office_visits, days: def.baseline.days },
    online: { officeVisits: onlineVisits, days: onlineDays },
    saves: { officeVisits: Math.max(0, def.baseline.office_visits - onlineVisits), days: Math.max(0, Math.round(def.baseline.days - onlineDays)) },
  };
}

// ---------- differences between versions ----------

export type DiffSection = 'service' | 'fields' | 'documents' | 'fees' | 'states' | 'actions';
export interface DiffEntry {
  section: DiffSection;
  /** The item's key (a field key, a state, `from.name` for an action; '' for the service itself). */
  key: string;
  title: Text | null;
  change: 'added' | 'removed' | 'changed';
  /** For a change: each attribute that differs (`params.rate_per_m2` for a fee parameter). */
  details: { attr: string; from: unknown; to: unknown }[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function attributeChanges(a: Record<string, unknown>, b: Record<string, unknown>, skip: string[] = []): DiffEntry['details'] {
  const details: DiffEntry['details'] = [];
  for (const attr of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
    if (skip.includes(attr)) continue;
    if (attr === 'params' && typeof a.params === 'object' && typeof b.params === 'object') {
      const pa = (a.params ?? {}) as Record<string, number>;
      const pb = (b.params ?? {}) as Record<string, number>;
      for (const p of [...new Set([...Object.keys(pa), ...Object.keys(pb)])]) {
        if (!same(pa[p], pb[p])) details.push({ attr: `params.${p}`, from: pa[p] ?? null, to: pb[p] ?? null });
      }
      continue;
    }
    if (!same(a[attr], b[attr])) details.push({ attr, from: a[attr] ?? null, to: b[attr] ?? null });
  }
  return details;
}

function diffKeyed<T extends object>(section: DiffSection, from: [string, T][], to: [string, T][], titleOf: (item: T) => Localized | undefined, skip: string[] = []): DiffEntry[] {
  const out: DiffEntry[] = [];
  const before = new Map(from);
  const after = new Map(to);
  for (const [key, item] of to) {
    const old = before.get(key);
    const title = titleOf(item) ? text(titleOf(item)!) : null;
    if (!old) out.push({ section, key, title, change: 'added', details: [] });
    else {
      const details = attributeChanges(old as Record<string, unknown>, item as Record<string, unknown>, skip);
      if (details.length) out.push({ section, key, title, change: 'changed', details });
    }
  }
  for (const [key, item] of from) {
    if (!after.has(key)) out.push({ section, key, title: titleOf(item) ? text(titleOf(item)!) : null, change: 'removed', details: [] });
  }
  return out;
}

/** What changed from one definition to another: fields, documents, fees, states and actions added, removed or changed. */
export function diffDefinitions(a: ServiceDefinition, b: ServiceDefinition): DiffEntry[] {
  const top = (d: ServiceDefinition) => ({ title: d.title, summary: d.summary, category: d.category, maturity: d.maturity, audience: d.audience, keywords: d.keywords, baseline: d.baseline, result: d.result, start: d.workflow.start });
  const service = attributeChanges(top(a), top(b));
  const actionKey = (x: { from: string; name: string }) => `${x.from}.${x.name}`;
  return [
    ...(service.length ? [{ section: 'service' as const, key: '', title: text(b.title), change: 'changed' as const, details: service }] : []),
    ...diffKeyed('fields', a.fields.map((f) => [f.key, f]), b.fields.map((f) => [f.key, f]), (f) => f.label, ['key']),
    ...diffKeyed('documents', a.documents.map((d) => [d.key, d]), b.documents.map((d) => [d.key, d]), (d) => d.title, ['key']),
    ...diffKeyed('fees', a.fees.map((f) => [f.key, f]), b.fees.map((f) => [f.key, f]), (f) => f.title, ['key']),
    ...diffKeyed('states', Object.entries(a.workflow.states), Object.entries(b.workflow.states), (s) => s.title),
    ...diffKeyed('actions', a.workflow.actions.map((x) => [actionKey(x), x]), b.workflow.actions.map((x) => [actionKey(x), x]), (x) => x.title, ['from', 'name']),
  ];
}

// ---------- overrides ----------

/**
 * Checks an organization's overrides against the definition they apply to and returns them
 * normalized; throws a 400 naming each bad field (`fee_params.permit_levy.rate_per_m2`).
 */
export function validOverrides(def: ServiceDefinition, input: unknown): Overrides {
  const parsed = overridesSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const base = issue.path.map(String);
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...base, k].join('.')) : [base.join('.') || 'overrides'];
      const message = base[0] === 'sla' ? 'catalog.sla_invalid' : base[0] === 'fee_params' ? (base.length >= 3 || issue.code !== 'unrecognized_keys' ? 'catalog.number_invalid' : 'common.invalid_value') : 'common.invalid_value';
      for (const p of paths) fields[p] = message;
    }
    throw badInput(fields);
  }
  const o = parsed.data;
  const fields: Record<string, string> = {};
  for (const e of checkOverrides(def, o)) {
    const parts = e.path.split('.');
    if (parts[0] === 'fee_params') fields[e.path] = parts.length === 2 ? 'catalog.unknown_fee' : 'catalog.unknown_fee_param';
    else if (parts[0] === 'sla') fields[e.path] = def.workflow.states[parts[1] ?? ''] ? 'catalog.final_state_sla' : 'catalog.unknown_state';
    else fields[e.path] = 'common.invalid_value';
  }
  const office: Overrides['office'] = {};
  for (const k of ['address', 'hours', 'phone', 'email'] as const) {
    const v = o.office[k] === undefined ? '' : normalizePersian(o.office[k]!);
    if (!v) continue;
    if (k === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) fields['office.email'] = 'profile.email_invalid';
    if (k === 'phone' && !/^[+\d][\d\s()-]{2,39}$/.test(toAsciiDigits(v))) fields['office.phone'] = 'common.invalid_value';
    office[k] = k === 'phone' ? toAsciiDigits(v) : v;
  }
  if (Object.keys(fields).length) throw badInput(fields);
  const feeParams = Object.fromEntries(Object.entries(o.fee_params).filter(([, p]) => Object.keys(p).length > 0));
  return { enabled: o.enabled, fee_params: feeParams, sla: o.sla, office };
}

/** The overrides that still apply to a newer definition, and the paths of those that do not. */
export function carryOverrides(def: ServiceDefinition, o: Overrides): { overrides: Overrides; dropped: string[] } {
  const dropped = checkOverrides(def, o).map((e) => e.path);
  const drop = new Set(dropped);
  const feeParams: Overrides['fee_params'] = {};
  for (const [fee, params] of Object.entries(o.fee_params)) {
    if (drop.has(`fee_params.${fee}`)) continue;
    const kept = Object.fromEntries(Object.entries(params).filter(([p]) => !drop.has(`fee_params.${fee}.${p}`)));
    if (Object.keys(kept).length) feeParams[fee] = kept;
  }
  const sla = Object.fromEntries(Object.entries(o.sla).filter(([s]) => !drop.has(`sla.${s}`)));
  return { overrides: { ...o, fee_params: feeParams, sla }, dropped };
}

// ---------- the service ----------

export interface CatalogContext {
  db: DB;
  clock: Clock;
  /** 5 when Thursday is a day off, 6 when it is a working day. */
  workdaysPerWeek?: number;
}

export interface OrgRef {
  code: string;
  name: { fa: string; en: string };
}

export interface CatalogItem {
  code: string;
  version: number;
  title: Text;
  summary: Text | null;
  category: string;
  maturity: number;
  /** How many organizations offer it (in an organization's list: 1). */
  offeredBy: number;
  /** The organization whose list this is, or null in the province's catalog. */
  org: string | null;
  /** Issue 8: set for an agency's service done on the agency's own site (code is then the agency's service code). */
  external?: { agency: OrgRef; url: string } | null;
}

export interface CatalogFilter {
  org?: string;
  category?: string;
  q?: string;
  page?: number;
  perPage?: number;
  locale?: Locale;
}

export interface AdoptionRow {
  code: string;
  title: Text;
  category: string;
  latestVersion: number;
  adoptedVersion: number | null;
  enabled: boolean | null;
}

export interface AdoptionDetail {
  org: OrgRef;
  code: string;
  latest: { version: number; definition: ServiceDefinition };
  adopted: null | { version: number; enabled: boolean; overrides: Overrides; adoptedAt: number; updatedAt: number; definition: ServiceDefinition };
  /** When a newer version than the adopted one is published: what changed and which overrides would not survive. */
  upgrade: null | { from: number; to: number; diff: DiffEntry[]; dropped: string[] };
}

const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const isUniqueViolation = (err: unknown) => UNIQUE_VIOLATIONS.has(String((err as { code?: unknown })?.code));

/** Builds the catalog service: authoring, adoption and the public catalog. */
export function createCatalogService(ctx: CatalogContext) {
  const { db, clock } = ctx;
  const workdaysPerWeek = ctx.workdaysPerWeek ?? 5;
  const parsed = new Map<string, ServiceDefinition>();

  /** A stored definition, parsed once per published version (published versions never change). */
  function definitionOf(versionId: string, json: string, status: string): ServiceDefinition {
    const cached = parsed.get(versionId);
    if (cached) return cached;
    const def = definitionSchema.parse(JSON.parse(json));
    if (status === 'published') {
      if (parsed.size > 5000) parsed.clear();
      parsed.set(versionId, def);
    }
    return def;
  }

  /** The reference organization, when the actor may author its definitions (the operator's CLI may); else a 404. */
  async function authoring(tx: Tx, actor: Actor) {
    const ref = await q.referenceOrg(tx);
    if (!ref || (actor.kind !== 'system' && !mayAct(actor, ref.id, 'catalog.author'))) throw notFound();
    return ref;
  }

  async function mayAuthor(actor: Actor): Promise<boolean> {
    if (actor.kind === 'system') return true;
    if (actor.kind !== 'staff') return false;
    const ref = await q.referenceOrg(db);
    return Boolean(ref && mayAct(actor, ref.id, 'catalog.author'));
  }

  function parseOrThrow(source: string, format?: Format): ServiceDefinition {
    const r = parseDefinition(source, format);
    if (r.ok) return r.definition;
    const fields: Record<string, string> = {};
    for (const e of r.errors) {
      const path = e.path || 'source';
      fields[path] = fields[path] ? `${fields[path]}; ${e.message}` : e.message;
    }
    throw new AppError('catalog.definition_invalid', 400, fields);
  }

  function versionRow(def: ServiceDefinition, templateId: string, version: number, actor: Actor, now: number): ServiceTemplateVersionsTable {
    return {
      id: newId(), template_id: templateId, version, status: 'draft', definition: JSON.stringify(def),
      title_fa: def.title.fa, title_en: def.title.en ?? '', search_text: searchTextOf(def), maturity: def.maturity,
      created_by: actor.id, created_at: now, published_at: null,
    };
  }

  async function publishIn(tx: Tx, actor: Actor, ref: { id: string }, template: { id: string; code: string }, row: { id: string; version: number }, def: ServiceDefinition, now: number) {
    if (!(await q.publishDraft(tx, row.id, now))) throw new AppError('catalog.version_published', 409);
    await q.setTemplateCategory(tx, template.id, def.category);
    await appendAudit(tx, actor, { orgId: ref.id, action: 'catalog.version_published', entity: 'service_template_version', entityId: row.id, data: { code: template.code, version: row.version } }, now);
  }

  async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // Two imports of a new code at once: the loser retries and finds the winner's rows.
      if (!isUniqueViolation(err)) throw err;
      return fn();
    }
  }

  async function templateVersion(tx: Tx, code: string, version: number) {
    const template = await q.templateByCode(tx, code);
    const row = template ? await q.versionOf(tx, template.id, version) : undefined;
    if (!template || !row) throw notFound();
    return { template, row };
  }

  async function orgOf(tx: Tx, code: string) {
    const org = await q.orgByCode(tx, code);
    if (!org) throw notFound();
    return org;
  }

  const orgRef = (o: { code: string; name_fa: string; name_en: string }): OrgRef => ({ code: o.code, name: { fa: o.name_fa, en: o.name_en } });

  function catalogItem(row: { code: string; category: string; version_id: string; version: number; definition: string }, offeredBy: number, org: string | null): CatalogItem {
    const def = definitionOf(row.version_id, row.definition, 'published');
    return { code: row.code, version: Number(row.version), title: text(def.title), summary: def.summary ? text(def.summary) : null, category: row.category, maturity: def.maturity, offeredBy, org };
  }

  async function adoptionContext(tx: Tx, actor: Actor, orgCode: string, code: string) {
    const org = await orgOf(tx, orgCode);
    const scope = orgScope(actor, org.id, 'catalog.adopt');
    const template = await q.templateByCode(tx, code);
    const latest = template ? await q.latestPublished(tx, template.id) : undefined;
    if (!template || !latest) throw notFound();
    const current = await q.adoption(tx, scope, template.id);
    return { org, scope, template, latest, current };
  }

  /** One version with its definition (the newest published when version is omitted); drafts only for authors. */
  async function versionWithDefinition(actor: Actor, code: string, version?: number): Promise<VersionView & { definition: ServiceDefinition }> {
    const template = await q.templateByCode(db, code);
    const row = !template ? undefined : version === undefined ? await q.latestPublished(db, template.id) : await q.versionOf(db, template.id, version);
    if (!row || (row.status === 'draft' && !(await mayAuthor(actor)))) throw notFound();
    return { ...versionView(code, row), definition: definitionOf(row.id, row.definition, row.status) };
  }

  /** One service as the organization has it (or could adopt it), with the changes in a newer version. */
  async function adoption(actor: Actor, orgCode: string, code: string): Promise<AdoptionDetail> {
    const { org, latest, current } = await adoptionContext(db, actor, orgCode, code);
    const latestDef = definitionOf(latest.id, latest.definition, latest.status);
    let adopted: AdoptionDetail['adopted'] = null;
    let upgrade: AdoptionDetail['upgrade'] = null;
    if (current) {
      const pinned = (await q.versionById(db, current.version_id))!;
      const def = definitionOf(pinned.id, pinned.definition, pinned.status);
      const overrides = overridesSchema.parse(JSON.parse(current.overrides));
      adopted = { version: Number(pinned.version), enabled: current.enabled === 1, overrides, adoptedAt: Number(current.adopted_at), updatedAt: Number(current.updated_at), definition: def };
      if (Number(latest.version) > Number(pinned.version)) {
        upgrade = { from: Number(pinned.version), to: Number(latest.version), diff: diffDefinitions(def, latestDef), dropped: carryOverrides(latestDef, overrides).dropped };
      }
    }
    return { org: orgRef(org), code, latest: { version: Number(latest.version), definition: latestDef }, adopted, upgrade };
  }

  return {
    // ---------- authoring (the reference organization) ----------

    /** True when the actor may write and publish reference definitions. */
    mayAuthor,

    /** Every template with all its versions, drafts included; for the reference authors. */
    async templates(actor: Actor): Promise<{ code: string; category: string; versions: VersionView[] }[]> {
      await authoring(db, actor);
      const rows = await q.templatesWithVersions(db);
      const out = new Map<string, { code: string; category: string; versions: VersionView[] }>();
      for (const r of rows) {
        const entry = out.get(r.code) ?? { code: r.code, category: r.category, versions: [] };
        entry.versions.push(versionView(r.code, r));
        out.set(r.code, entry);
      }
      return [...out.values()];
    },

    /**
     * Imports a definition as the template's draft: replaces the draft if there is one, else
     * creates the next version number. With publish, publishes it in the same transaction.
     * A definition that does not validate is refused with every problem by path.
     */
    async importDefinition(actor: Actor, input: { source: string; format?: Format; publish?: boolean }): Promise<VersionView> {
      const ref = await authoring(db, actor);
      const def = parseOrThrow(input.source, input.format);
      const now = clock.now();
      return withRetry(() => inTransaction(db, async (tx) => {
        let template = await q.templateByCode(tx, def.code);
        if (!template) {
          template = { id: newId(), code: def.code, owner_org_id: ref.id, category: def.category, created_at: now };
          await q.insertTemplate(tx, template);
        }
        const draft = await q.draftOf(tx, template.id);
        const row = draft ?? versionRow(def, template.id, (await q.highestVersion(tx, template.id)) + 1, actor, now);
        if (draft) {
          const fresh = versionRow(def, template.id, Number(draft.version), actor, now);
          if (!(await q.replaceDraft(tx, draft.id, { definition: fresh.definition, title_fa: fresh.title_fa, title_en: fresh.title_en, search_text: fresh.search_text, maturity: fresh.maturity, created_by: actor.id, created_at: now }))) {
            throw new AppError('catalog.version_published', 409);
          }
        } else {
          await q.insertVersion(tx, row as ServiceTemplateVersionsTable);
        }
        const version = Number(row.version);
        await appendAudit(tx, actor, { orgId: ref.id, action: 'catalog.version_imported', entity: 'service_template_version', entityId: row.id, data: { code: def.code, version, replaced_draft: Boolean(draft) } }, now);
        if (input.publish) await publishIn(tx, actor, ref, template, { id: row.id, version }, def, now);
        return versionView(def.code, { version, status: input.publish ? 'published' : 'draft', title_fa: def.title.fa, title_en: def.title.en ?? '', maturity: def.maturity, created_at: now, published_at: input.publish ? now : null });
      }));
    },

    /** Replaces a draft version with a new text; a published version is refused (409) and never changes. */
    async replaceDraft(actor: Actor, code: string, version: number, input: { source: string; format?: Format }): Promise<VersionView> {
      const ref = await authoring(db, actor);
      const def = parseOrThrow(input.source, input.format);
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { row } = await templateVersion(tx, code, version);
        if (row.status === 'published') throw new AppError('catalog.version_published', 409);
        if (def.code !== code) throw new AppError('catalog.definition_invalid', 400, { code: 'catalog.code_mismatch' });
        const fresh = versionRow(def, row.template_id, version, actor, now);
        if (!(await q.replaceDraft(tx, row.id, { definition: fresh.definition, title_fa: fresh.title_fa, title_en: fresh.title_en, search_text: fresh.search_text, maturity: fresh.maturity, created_by: actor.id, created_at: now }))) {
          throw new AppError('catalog.version_published', 409);
        }
        await appendAudit(tx, actor, { orgId: ref.id, action: 'catalog.version_imported', entity: 'service_template_version', entityId: row.id, data: { code, version, replaced_draft: true } }, now);
        return versionView(code, { ...row, ...fresh, status: 'draft' });
      });
    },

    /** Publishes a draft: from then on the version is immutable and organizations may adopt it. */
    async publish(actor: Actor, code: string, version: number): Promise<VersionView> {
      const ref = await authoring(db, actor);
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { template, row } = await templateVersion(tx, code, version);
        if (row.status === 'published') throw new AppError('catalog.version_published', 409);
        await publishIn(tx, actor, ref, template, { id: row.id, version }, definitionOf(row.id, row.definition, row.status), now);
        return versionView(code, { ...row, status: 'published', published_at: now });
      });
    },

    /** Deletes a draft; published versions stay forever. */
    async discardDraft(actor: Actor, code: string, version: number): Promise<void> {
      const ref = await authoring(db, actor);
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const { row } = await templateVersion(tx, code, version);
        if (row.status === 'published' || !(await q.deleteDraft(tx, row.id))) throw new AppError('catalog.version_published', 409);
        await appendAudit(tx, actor, { orgId: ref.id, action: 'catalog.draft_discarded', entity: 'service_template_version', entityId: row.id, data: { code, version } }, now);
      });
    },

    /** The versions of a template: all of them for authors, the published ones for everyone else. */
    async versions(actor: Actor, code: string): Promise<VersionView[]> {
      const template = await q.templateByCode(db, code);
      if (!template) throw notFound();
      const all = (await q.versionsOf(db, template.id)).map((v) => versionView(code, v));
      const visible = (await mayAuthor(actor)) ? all : all.filter((v) => v.status === 'published');
      if (!visible.length) throw notFound();
      return visible;
    },

    version: versionWithDefinition,

    /** A version as YAML or JSON text, as it would be imported again. */
    async exportVersion(actor: Actor, code: string, version: number | undefined, format: Format): Promise<{ filename: string; contentType: string; body: string }> {
      const v = await versionWithDefinition(actor, code, version);
      return {
        filename: `${code}-v${v.version}.${format === 'yaml' ? 'yaml' : 'json'}`,
        contentType: format === 'yaml' ? 'application/yaml; charset=utf-8' : 'application/json; charset=utf-8',
        body: serializeDefinition(v.definition, format),
      };
    },

    /** The service page of a version as citizens will see it (drafts for authors only). */
    async previewSheet(actor: Actor, code: string, version: number): Promise<ServiceSheet> {
      const v = await versionWithDefinition(actor, code, version);
      return buildSheet(v.definition, { version: v.version, status: v.status }, null, workdaysPerWeek);
    },

    /** What changed between two versions of a template (drafts only for authors). */
    async diff(actor: Actor, code: string, from: number, to: number): Promise<DiffEntry[]> {
      const [a, b] = [await versionWithDefinition(actor, code, from), await versionWithDefinition(actor, code, to)];
      return diffDefinitions(a.definition, b.definition);
    },

    // ---------- adoption (each municipality) ----------

    /** The reference services with their newest version and this organization's adoption; for its admins. */
    async adoptions(actor: Actor, orgCode: string): Promise<{ org: OrgRef; items: AdoptionRow[] }> {
      const org = await orgOf(db, orgCode);
      const scope: OrgScope = orgScope(actor, org.id, 'catalog.adopt');
      const rows = await q.adoptionsOf(db, scope);
      const collator = new Intl.Collator('fa');
      rows.sort((a, b) => collator.compare(a.title_fa, b.title_fa));
      return {
        org: orgRef(org),
        items: rows.map((r) => ({
          code: r.code, title: { fa: r.title_fa, en: r.title_en || null }, category: r.category, latestVersion: Number(r.latest_version),
          adoptedVersion: r.adopted_version == null ? null : Number(r.adopted_version), enabled: r.enabled == null ? null : r.enabled === 1,
        })),
      };
    },

    adoption,

    /** Adopts the newest published version with the organization's overrides; audited in the same transaction. */
    async adopt(actor: Actor, orgCode: string, code: string, input: unknown): Promise<AdoptionDetail> {
      const now = clock.now();
      try {
        await inTransaction(db, async (tx) => {
          const { org, scope, template, latest, current } = await adoptionContext(tx, actor, orgCode, code);
          if (current) throw new AppError('catalog.already_adopted', 409);
          const overrides = validOverrides(definitionOf(latest.id, latest.definition, latest.status), input);
          const id = newId();
          await q.insertAdoption(tx, scope, { id, template_id: template.id, version_id: latest.id, enabled: overrides.enabled ? 1 : 0, overrides: JSON.stringify(overrides), adopted_at: now, updated_at: now });
          await appendAudit(tx, actor, { orgId: org.id, action: 'catalog.service_adopted', entity: 'org_service', entityId: id, data: { code, version: Number(latest.version), overrides } }, now);
        });
      } catch (err) {
        // A double click: the second insert meets the first one's row.
        if (isUniqueViolation(err)) throw new AppError('catalog.already_adopted', 409);
        throw err;
      }
      return adoption(actor, orgCode, code);
    },

    /** Replaces the overrides of an adopted service (checked against its pinned version); audited. */
    async setOverrides(actor: Actor, orgCode: string, code: string, input: unknown): Promise<AdoptionDetail> {
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const { org, scope, current } = await adoptionContext(tx, actor, orgCode, code);
        if (!current) throw notFound();
        const pinned = (await q.versionById(tx, current.version_id))!;
        const overrides = validOverrides(definitionOf(pinned.id, pinned.definition, pinned.status), input);
        await q.updateAdoption(tx, scope, current.id, { overrides: JSON.stringify(overrides), enabled: overrides.enabled ? 1 : 0, updated_at: now });
        await appendAudit(tx, actor, { orgId: org.id, action: 'catalog.overrides_changed', entity: 'org_service', entityId: current.id, data: { code, before: JSON.parse(current.overrides), after: overrides } }, now);
      });
      return adoption(actor, orgCode, code);
    },

    /**
     * Moves the organization's pin to the newest published version, keeping the overrides that
     * still apply. Applications keep the version they were filed under (they store version_id).
     */
    async upgrade(actor: Actor, orgCode: string, code: string): Promise<AdoptionDetail & { dropped: string[] }> {
      const now = clock.now();
      const dropped = await inTransaction(db, async (tx) => {
        const { org, scope, latest, current } = await adoptionContext(tx, actor, orgCode, code);
        if (!current) throw notFound();
        const pinned = (await q.versionById(tx, current.version_id))!;
        if (Number(latest.version) <= Number(pinned.version)) throw new AppError('catalog.up_to_date', 409);
        const carried = carryOverrides(definitionOf(latest.id, latest.definition, latest.status), overridesSchema.parse(JSON.parse(current.overrides)));
        await q.updateAdoption(tx, scope, current.id, { version_id: latest.id, overrides: JSON.stringify(carried.overrides), updated_at: now });
        await appendAudit(tx, actor, { orgId: org.id, action: 'catalog.service_upgraded', entity: 'org_service', entityId: current.id, data: { code, from: Number(pinned.version), to: Number(latest.version), dropped: carried.dropped } }, now);
        return carried.dropped;
      });
      return { ...(await adoption(actor, orgCode, code)), dropped };
    },

    // ---------- the public single window ----------

    /**
     * The catalog: services offered by at least one organization (or by the one given), by
     * category, with a search that ignores letter, digit and spacing variants. Sorted by title.
     */
    async catalog(filter: CatalogFilter = {}): Promise<{ items: CatalogItem[]; total: number; page: number; perPage: number; org: OrgRef | null }> {
      const terms = searchTerms(filter.q);
      const org = filter.org ? await orgOf(db, filter.org) : null;
      const items = org
        ? (org.kind === 'agency' ? [] : (await q.offeredByOrg(db, org.id, { category: filter.category, terms })).map((r) => catalogItem(r, 1, org.code)))
        : (await q.offeredTemplates(db, { category: filter.category, terms })).map((r) => catalogItem(r, Number(r.offered), null));
      // Agencies' external services stand beside the province's own (and alone in an agency's list).
      if (!org || org.kind === 'agency') {
        for (const r of await q.externalOffered(db, { category: filter.category, orgId: org?.id, terms })) {
          items.push({
            code: r.code, version: 1, title: { fa: r.title_fa, en: r.title_en || null }, summary: { fa: r.description_fa, en: r.description_en || null },
            category: r.category, maturity: Number(r.maturity), offeredBy: 1, org: null,
            external: { agency: { code: r.org_code, name: { fa: r.org_name_fa, en: r.org_name_en } }, url: r.url },
          });
        }
      }
      const locale = filter.locale ?? 'fa';
      const collator = new Intl.Collator(locale === 'fa' ? 'fa' : 'en');
      const titleOf = (i: CatalogItem) => (locale === 'en' && i.title.en ? i.title.en : i.title.fa);
      items.sort((a, b) => collator.compare(titleOf(a), titleOf(b)) || a.code.localeCompare(b.code));
      const perPage = Math.min(100, Math.max(1, filter.perPage ?? 20));
      const pages = Math.max(1, Math.ceil(items.length / perPage));
      const page = Math.min(Math.max(1, filter.page ?? 1), pages);
      return { items: items.slice((page - 1) * perPage, page * perPage), total: items.length, page, perPage, org: org ? orgRef(org) : null };
    },

    /** The province-wide page of a service: its newest published version and who offers it. */
    async serviceSheet(code: string): Promise<{ sheet: ServiceSheet; offeredBy: OrgRef[] }> {
      const row = await q.publishedTemplate(db, code);
      if (!row) throw notFound();
      const def = definitionOf(row.version_id, row.definition, 'published');
      const offeredBy = (await q.offeringOrgs(db, row.template_id)).map(orgRef);
      return { sheet: buildSheet(def, { version: Number(row.version), status: 'published' }, null, workdaysPerWeek), offeredBy };
    },

    /** One organization's page of a service it offers: its version, its rates and deadlines, its office. */
    async orgServiceSheet(orgCode: string, code: string): Promise<{ sheet: ServiceSheet; org: OrgRef; office: Overrides['office']; offeredBy: OrgRef[] }> {
      const org = await orgOf(db, orgCode);
      const row = await q.offeredService(db, org.id, code);
      if (!row) throw notFound();
      const def = definitionOf(row.version_id, row.definition, 'published');
      const overrides = overridesSchema.parse(JSON.parse(row.overrides));
      const offeredBy = (await q.offeringOrgs(db, row.template_id)).map(orgRef);
      return { sheet: buildSheet(def, { version: Number(row.version), status: 'published' }, overrides, workdaysPerWeek), org: orgRef(org), office: overrides.office, offeredBy };
    },

    /** The municipalities, the largest first (for the catalog's filter). */
    async municipalities(): Promise<OrgRef[]> {
      return (await q.municipalities(db)).map(orgRef);
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
