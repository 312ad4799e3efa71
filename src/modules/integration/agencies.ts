import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import { mayAct, orgScope } from '../../platform/auth/access.js';
import { badInput, notFound, unauthorized } from '../../platform/http/errors.js';
import { normalizePersian, searchKey } from '../../platform/i18n/persian.js';
import { CATEGORIES } from '../catalog/schemas.js';
import type { ExternalServicesTable } from '../../platform/db/schema.js';
import * as q from './agencies-queries.js';

// Agencies (the provincial water and wastewater company, the registry office, ...) keep some
// e-services on their own sites. The province administrator registers each agency (an org of
// kind 'agency') and its external services, so the single window lists them beside Pishkhan's
// own, marked as external, and the council counts them. Every change is audited.

export type Text = { fa: string; en: string };

export interface AgencyView {
  code: string;
  name: Text;
  website: string | null;
  activeServices: number;
  createdAt: number;
}

export interface ExternalServiceView {
  id: string;
  agency: { code: string; name: Text; website: string | null };
  code: string;
  title: Text;
  description: Text;
  documents: Text[];
  maturity: number;
  url: string;
  category: string;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface AgencyInput { code?: unknown; name_fa?: unknown; name_en?: unknown; website?: unknown }
export interface ExternalServiceInput {
  code?: unknown; title_fa?: unknown; title_en?: unknown; description_fa?: unknown; description_en?: unknown;
  /** A list of { fa, en? }, or (from a form) lines of "Persian | English". */
  documents?: unknown; maturity?: unknown; url?: unknown; category?: unknown; active?: unknown;
}

const CODE_RE = /^[a-z][a-z0-9-]{1,39}$/;
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const isUniqueViolation = (err: unknown) => UNIQUE_VIOLATIONS.has(String((err as { code?: unknown })?.code));

/** Trimmed, Persian-normalized text, or '' when absent. */
function clean(v: unknown): string {
  return typeof v === 'string' ? normalizePersian(v).trim() : '';
}

/** An absolute https address (or http when allowed), at most 500 characters; null when it is not one. */
export function webAddress(v: unknown, opts: { allowHttp?: boolean } = {}): string | null {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s || s.length > 500) return null;
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:' && !(opts.allowHttp && u.protocol === 'http:')) return null;
    if (!u.hostname || u.username || u.password) return null;
    return u.toString();
  } catch {
    return null;
  }
}

function requiredText(errors: Record<string, string>, field: string, v: unknown, max: number, required = true): string {
  const s = clean(v);
  if (!s && required) errors[field] = 'common.required';
  else if (s.length > max) errors[field] = 'common.too_long';
  return s;
}

function documentsOf(v: unknown, errors: Record<string, string>): Text[] {
  let list: unknown[] = [];
  if (typeof v === 'string') list = v.split(/\r?\n/).map((line) => { const [fa, en] = line.split('|'); return { fa, en }; });
  else if (Array.isArray(v)) list = v;
  else if (v !== undefined && v !== null) { errors.documents = 'common.invalid_value'; return []; }
  const out: Text[] = [];
  for (const d of list) {
    const fa = clean((d as { fa?: unknown })?.fa);
    const en = clean((d as { en?: unknown })?.en);
    if (!fa && !en) continue;
    if (!fa || fa.length > 300 || en.length > 300) { errors.documents = 'common.invalid_value'; return []; }
    out.push({ fa, en });
  }
  if (out.length > 30) errors.documents = 'common.too_long';
  return out;
}

function maturityOf(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v.trim()) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 5 ? n : null;
}

const flag = (v: unknown, fallback: boolean): boolean => (v === undefined || v === null || v === '' ? fallback : v === true || v === 'on' || v === 'true' || v === '1' || v === 1);

/** The search fold of an external service, shaped like the catalog's (see searchTextOf there). */
export function externalSearchText(s: { code: string; title_fa: string; title_en: string; description_fa: string; description_en: string }, agency: Text): string {
  const parts = [s.code.replace(/-/g, ' '), s.title_fa, s.title_en, s.description_fa, s.description_en, agency.fa, agency.en].filter(Boolean).map(searchKey).filter(Boolean);
  return `${parts.join(' | ')} || ${parts.map((p) => p.replace(/ /g, '')).join(' | ')}`;
}

function serviceView(row: ExternalServicesTable, agency: { code: string; name_fa: string; name_en: string; website?: string | null }): ExternalServiceView {
  let documents: Text[] = [];
  try { documents = JSON.parse(row.documents) as Text[]; } catch { /* stored by this module: always JSON */ }
  return {
    id: row.id, agency: { code: agency.code, name: { fa: agency.name_fa, en: agency.name_en }, website: agency.website ?? null },
    code: row.code, title: { fa: row.title_fa, en: row.title_en }, description: { fa: row.description_fa, en: row.description_en },
    documents, maturity: Number(row.maturity), url: row.url, category: row.category, active: Number(row.active) === 1,
    createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
  };
}

const agencyView = (a: { code: string; name_fa: string; name_en: string; website?: string | null; created_at: number; active_services?: number | string | null }): AgencyView => ({
  code: a.code, name: { fa: a.name_fa, en: a.name_en }, website: a.website ?? null, activeServices: Number(a.active_services ?? 0), createdAt: Number(a.created_at),
});

/** Builds the agencies service: the province administrator's register and its public reads. */
export function createAgenciesService(deps: { db: DB; clock: Clock }) {
  const { db, clock } = deps;

  function requireSignedIn(actor: Actor) {
    if (actor.kind === 'anonymous') throw unauthorized();
  }

  /** The agency with the actor's write scope on it; others get 404 as if it did not exist. */
  async function managedAgency(tx: Tx, actor: Actor, code: string) {
    requireSignedIn(actor);
    const agency = await q.agencyByCode(tx, String(code));
    if (!agency) throw notFound();
    return { agency, scope: orgScope(actor, agency.id, 'agencies.manage') };
  }

  function validateAgency(input: AgencyInput, creating: boolean) {
    const errors: Record<string, string> = {};
    const code = typeof input.code === 'string' ? input.code.trim().toLowerCase() : '';
    if (creating && !CODE_RE.test(code)) errors.code = code ? 'external.code_invalid' : 'common.required';
    const name_fa = requiredText(errors, 'name_fa', input.name_fa, 200);
    const name_en = requiredText(errors, 'name_en', input.name_en, 200);
    const rawSite = typeof input.website === 'string' ? input.website.trim() : '';
    const website = rawSite ? webAddress(rawSite) : null;
    if (rawSite && !website) errors.website = 'external.url_invalid';
    if (Object.keys(errors).length) throw badInput(errors);
    return { code, name_fa, name_en, website };
  }

  function validateService(input: ExternalServiceInput, creating: boolean) {
    const errors: Record<string, string> = {};
    const code = typeof input.code === 'string' ? input.code.trim().toLowerCase() : '';
    if (creating && !CODE_RE.test(code)) errors.code = code ? 'external.code_invalid' : 'common.required';
    const title_fa = requiredText(errors, 'title_fa', input.title_fa, 200);
    const title_en = requiredText(errors, 'title_en', input.title_en, 200, false);
    const description_fa = requiredText(errors, 'description_fa', input.description_fa, 2000);
    const description_en = requiredText(errors, 'description_en', input.description_en, 2000, false);
    const documents = documentsOf(input.documents, errors);
    const maturity = maturityOf(input.maturity);
    if (maturity === null) errors.maturity = 'external.maturity_invalid';
    const url = webAddress(input.url);
    if (!url) errors.url = typeof input.url === 'string' && input.url.trim() ? 'external.url_invalid' : 'common.required';
    const category = typeof input.category === 'string' ? input.category : '';
    if (!(CATEGORIES as readonly string[]).includes(category)) errors.category = category ? 'common.invalid_value' : 'common.required';
    if (Object.keys(errors).length) throw badInput(errors);
    return { code, title_fa, title_en, description_fa, description_en, documents, maturity: maturity!, url: url!, category, active: flag(input.active, true) };
  }

  const service = {
    /** True when the actor may register agencies and their services (the province administrator). */
    mayManage(actor: Actor): boolean {
      return actor.kind === 'staff' && mayAct(actor, '', 'agencies.manage');
    },

    /** Every agency with its count of active external services, by code. */
    async list(): Promise<AgencyView[]> {
      return (await q.agencies(db)).map(agencyView);
    },

    /** An agency and its services: active ones for everyone, all of them for the province administrator. */
    async get(actor: Actor, code: string): Promise<{ agency: AgencyView; services: ExternalServiceView[] }> {
      const agency = await q.agencyByCode(db, String(code));
      if (!agency) throw notFound();
      const all = service.mayManage(actor);
      const services = (await q.servicesOf(db, agency.id, { activeOnly: !all })).map((s) => serviceView(s, agency));
      return { agency: agencyView({ ...agency, active_services: services.filter((s) => s.active).length }), services };
    },

    /** One external service: active ones for everyone, inactive ones only for the province administrator. */
    async service(actor: Actor, agencyCode: string, code: string): Promise<ExternalServiceView> {
      const agency = await q.agencyByCode(db, String(agencyCode));
      const row = agency ? await q.serviceByCode(db, agency.id, String(code)) : undefined;
      if (!agency || !row || (Number(row.active) !== 1 && !service.mayManage(actor))) throw notFound();
      return serviceView(row, agency);
    },

    /** Registers an agency (an org of kind 'agency' under the province); the row and its audit entry in one transaction. */
    async createAgency(actor: Actor, input: AgencyInput): Promise<AgencyView> {
      requireSignedIn(actor);
      if (!service.mayManage(actor)) throw notFound();
      const v = validateAgency(input, true);
      const now = clock.now();
      const id = newId();
      try {
        await inTransaction(db, async (tx) => {
          if (await q.orgCodeTaken(tx, v.code)) throw badInput({ code: 'external.code_taken' });
          const province = await q.provinceOrg(tx);
          await q.insertAgency(tx, { id, code: v.code, name_fa: v.name_fa, name_en: v.name_en, website: v.website, parent_id: province?.id ?? null, created_at: now });
          await appendAudit(tx, actor, { orgId: id, action: 'agency.created', entity: 'org', entityId: id, data: { code: v.code, name_fa: v.name_fa, name_en: v.name_en, website: v.website } }, now);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw badInput({ code: 'external.code_taken' });
        throw err;
      }
      return (await service.get(actor, v.code)).agency;
    },

    /** Changes an agency's names and website, with an audit entry of before and after. */
    async updateAgency(actor: Actor, code: string, input: AgencyInput): Promise<AgencyView> {
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const { agency, scope } = await managedAgency(tx, actor, code);
        const v = validateAgency(input, false);
        await q.updateAgency(tx, scope, { name_fa: v.name_fa, name_en: v.name_en, website: v.website });
        // The agency's names are part of its services' search text.
        for (const s of await q.servicesOf(tx, agency.id, { activeOnly: false })) {
          await q.updateService(tx, scope, s.id, { search_text: externalSearchText(s, { fa: v.name_fa, en: v.name_en }) });
        }
        await appendAudit(tx, actor, { orgId: agency.id, action: 'agency.updated', entity: 'org', entityId: agency.id, data: { before: { name_fa: agency.name_fa, name_en: agency.name_en, website: agency.website ?? null }, after: { name_fa: v.name_fa, name_en: v.name_en, website: v.website } } }, now);
      });
      return (await service.get(actor, code)).agency;
    },

    /** Adds an external service to an agency; the row and its audit entry in one transaction. */
    async addService(actor: Actor, agencyCode: string, input: ExternalServiceInput): Promise<ExternalServiceView> {
      const now = clock.now();
      const id = newId();
      let code = '';
      try {
        await inTransaction(db, async (tx) => {
          const { agency, scope } = await managedAgency(tx, actor, agencyCode);
          const v = validateService(input, true);
          code = v.code;
          if (await q.serviceByCode(tx, agency.id, v.code)) throw badInput({ code: 'external.code_taken' });
          await q.insertService(tx, scope, {
            id, code: v.code, title_fa: v.title_fa, title_en: v.title_en, description_fa: v.description_fa, description_en: v.description_en,
            documents: JSON.stringify(v.documents), maturity: v.maturity, url: v.url, category: v.category, active: v.active ? 1 : 0,
            search_text: externalSearchText(v, { fa: agency.name_fa, en: agency.name_en }), created_at: now, updated_at: now,
          });
          await appendAudit(tx, actor, { orgId: agency.id, action: 'external_service.created', entity: 'external_service', entityId: id, data: { code: v.code, title_fa: v.title_fa, maturity: v.maturity, url: v.url, category: v.category, active: v.active } }, now);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw badInput({ code: 'external.code_taken' });
        throw err;
      }
      return service.service(actor, agencyCode, code);
    },

    /** Replaces an external service's description, documents, maturity, link, category and active flag (deactivating takes it off the window); audited. */
    async updateService(actor: Actor, agencyCode: string, code: string, input: ExternalServiceInput): Promise<ExternalServiceView> {
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const { agency, scope } = await managedAgency(tx, actor, agencyCode);
        const row = await q.serviceByCode(tx, agency.id, String(code));
        if (!row) throw notFound();
        const v = validateService({ ...input, active: input.active ?? (Number(row.active) === 1) }, false);
        const patch = {
          title_fa: v.title_fa, title_en: v.title_en, description_fa: v.description_fa, description_en: v.description_en,
          documents: JSON.stringify(v.documents), maturity: v.maturity, url: v.url, category: v.category, active: (v.active ? 1 : 0) as 0 | 1,
          search_text: externalSearchText({ ...v, code: row.code }, { fa: agency.name_fa, en: agency.name_en }), updated_at: now,
        };
        await q.updateService(tx, scope, row.id, patch);
        const changed = Object.fromEntries(Object.entries(patch).filter(([k, val]) => k !== 'search_text' && k !== 'updated_at' && String(val) !== String(row[k as keyof typeof row])).map(([k, val]) => [k, { before: row[k as keyof typeof row], after: val }]));
        const action = Number(row.active) === 1 && !v.active ? 'external_service.deactivated' : Number(row.active) !== 1 && v.active ? 'external_service.activated' : 'external_service.updated';
        await appendAudit(tx, actor, { orgId: agency.id, action, entity: 'external_service', entityId: row.id, data: { code: row.code, changed } }, now);
      });
      return service.service(actor, agencyCode, code);
    },

    /** Shortcut of updateService for the active flag alone. */
    async setActive(actor: Actor, agencyCode: string, code: string, active: boolean): Promise<ExternalServiceView> {
      const current = await service.service(actor, agencyCode, code);
      if (!service.mayManage(actor)) throw notFound();
      return service.updateService(actor, agencyCode, code, {
        title_fa: current.title.fa, title_en: current.title.en, description_fa: current.description.fa, description_en: current.description.en,
        documents: current.documents, maturity: current.maturity, url: current.url, category: current.category, active,
      });
    },
  };
  return service;
}

export type AgenciesService = ReturnType<typeof createAgenciesService>;
