import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { OrgServicesTable, ServiceTemplatesTable, ServiceTemplateVersionsTable } from '../../platform/db/schema.js';

// Every SQL statement of the catalog. Templates and their versions belong to the reference
// organization and are public once published. An organization's adoptions (org_services) are
// tenant data: the queries that manage them take an OrgScope. The public single window reads
// only enabled adoptions, which every municipality publishes by offering the service.

type VersionEb = ExpressionBuilder<Database, 'service_template_versions'>;

/** The search fold of a query, ready for matching: its words, and the words run together. */
export interface SearchTerms {
  words: string[];
  compact: string;
}

const versionSummaryColumns = [
  'service_template_versions.id', 'service_template_versions.template_id', 'service_template_versions.version',
  'service_template_versions.status', 'service_template_versions.title_fa', 'service_template_versions.title_en',
  'service_template_versions.maturity', 'service_template_versions.created_by', 'service_template_versions.created_at',
  'service_template_versions.published_at',
] as const;

/** The newest published version of the template the row belongs to. */
const isLatestPublished = (eb: VersionEb) => eb.and([
  eb('service_template_versions.status', '=', 'published'),
  eb('service_template_versions.version', '=', eb.selectFrom('service_template_versions as newer')
    .select((e) => e.fn.max('newer.version').as('v'))
    .whereRef('newer.template_id', '=', 'service_template_versions.template_id')
    .where('newer.status', '=', 'published')),
]);

// Every word must occur, or the whole query run together (so «پروانه‌ساختمانی» finds
// «پروانه ساختمانی»). The search fold leaves no % or _ in the terms.
const matches = (eb: VersionEb, terms: SearchTerms) => eb.or([
  eb.and(terms.words.map((w) => eb('service_template_versions.search_text', 'like', `%${w}%`))),
  eb('service_template_versions.search_text', 'like', `%${terms.compact}%`),
]);

// ---------- organizations ----------

export function referenceOrg(tx: Tx) {
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('is_reference', '=', 1)
    .orderBy('created_at').limit(1).executeTakeFirst();
}

export function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'kind', 'name_fa', 'name_en']).where('code', '=', code).executeTakeFirst();
}

/** Municipalities, the largest first (the order of the catalog's filter). */
export function municipalities(tx: Tx) {
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('kind', '=', 'municipality')
    .orderBy(sql`coalesce(population, -1)`, 'desc').orderBy('code').execute();
}

// ---------- templates and versions ----------

export function templateByCode(tx: Tx, code: string) {
  return tx.selectFrom('service_templates').selectAll().where('code', '=', code).executeTakeFirst();
}

export function insertTemplate(tx: Tx, row: ServiceTemplatesTable) {
  return tx.insertInto('service_templates').values(row).execute();
}

export function setTemplateCategory(tx: Tx, id: string, category: string) {
  return tx.updateTable('service_templates').set({ category }).where('id', '=', id).execute();
}

/** Every template with its versions (no definitions), for the authors' list. */
export function templatesWithVersions(tx: Tx) {
  return tx.selectFrom('service_template_versions')
    .innerJoin('service_templates', 'service_templates.id', 'service_template_versions.template_id')
    .select([...versionSummaryColumns, 'service_templates.code', 'service_templates.category'])
    .orderBy('service_templates.code').orderBy('service_template_versions.version', 'desc').execute();
}

export function versionsOf(tx: Tx, templateId: string) {
  return tx.selectFrom('service_template_versions').select(versionSummaryColumns)
    .where('template_id', '=', templateId).orderBy('version', 'desc').execute();
}

export function versionOf(tx: Tx, templateId: string, version: number) {
  return tx.selectFrom('service_template_versions').selectAll().where('template_id', '=', templateId).where('version', '=', version).executeTakeFirst();
}

export function versionById(tx: Tx, id: string) {
  return tx.selectFrom('service_template_versions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function latestPublished(tx: Tx, templateId: string) {
  return tx.selectFrom('service_template_versions').selectAll()
    .where('template_id', '=', templateId).where('status', '=', 'published')
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
}

export function draftOf(tx: Tx, templateId: string) {
  return tx.selectFrom('service_template_versions').selectAll()
    .where('template_id', '=', templateId).where('status', '=', 'draft').executeTakeFirst();
}

export async function highestVersion(tx: Tx, templateId: string): Promise<number> {
  const r = await tx.selectFrom('service_template_versions').select((eb) => eb.fn.max('version').as('v'))
    .where('template_id', '=', templateId).executeTakeFirst();
  return Number(r?.v ?? 0);
}

export function insertVersion(tx: Tx, row: ServiceTemplateVersionsTable) {
  return tx.insertInto('service_template_versions').values(row).execute();
}

/** Replaces a draft; false when the version is (by now) published, which is never changed. */
export async function replaceDraft(tx: Tx, id: string, patch: Pick<ServiceTemplateVersionsTable, 'definition' | 'title_fa' | 'title_en' | 'search_text' | 'maturity' | 'created_by' | 'created_at'>): Promise<boolean> {
  const r = await tx.updateTable('service_template_versions').set(patch).where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Publishes a draft; false when it was already published (by a concurrent request). */
export async function publishDraft(tx: Tx, id: string, now: number): Promise<boolean> {
  const r = await tx.updateTable('service_template_versions').set({ status: 'published', published_at: now })
    .where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteDraft(tx: Tx, id: string): Promise<boolean> {
  const r = await tx.deleteFrom('service_template_versions').where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

// ---------- the public single window ----------

/**
 * Services offered by at least one organization, each at its newest published version, with
 * how many organizations offer it. Filters: category, offered by one organization, search.
 */
export function offeredTemplates(tx: Tx, filter: { category?: string; orgId?: string; terms?: SearchTerms }) {
  return tx.selectFrom('service_template_versions')
    .innerJoin('service_templates', 'service_templates.id', 'service_template_versions.template_id')
    .select([
      'service_templates.id as template_id', 'service_templates.code', 'service_templates.category',
      'service_template_versions.id as version_id', 'service_template_versions.version', 'service_template_versions.definition',
      (eb) => eb.selectFrom('org_services').select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('org_services.template_id', '=', 'service_templates.id').where('org_services.enabled', '=', 1).as('offered'),
    ])
    .where(isLatestPublished)
    .where((eb) => eb.exists(eb.selectFrom('org_services').select('org_services.id')
      .whereRef('org_services.template_id', '=', 'service_templates.id').where('org_services.enabled', '=', 1)
      .$if(filter.orgId !== undefined, (qb) => qb.where('org_services.org_id', '=', filter.orgId!))))
    .$if(filter.category !== undefined, (qb) => qb.where('service_templates.category', '=', filter.category!))
    .$if(filter.terms !== undefined, (qb) => qb.where((eb) => matches(eb, filter.terms!)))
    .execute();
}

/** One organization's enabled services at the versions it pinned; filters as {@link offeredTemplates}. */
export function offeredByOrg(tx: Tx, orgId: string, filter: { category?: string; terms?: SearchTerms }) {
  return tx.selectFrom('org_services')
    .innerJoin('service_templates', 'service_templates.id', 'org_services.template_id')
    .innerJoin('service_template_versions', 'service_template_versions.id', 'org_services.version_id')
    .select([
      'service_templates.id as template_id', 'service_templates.code', 'service_templates.category',
      'service_template_versions.id as version_id', 'service_template_versions.version', 'service_template_versions.definition',
      'org_services.overrides',
    ])
    .where('org_services.org_id', '=', orgId).where('org_services.enabled', '=', 1)
    .$if(filter.category !== undefined, (qb) => qb.where('service_templates.category', '=', filter.category!))
    .$if(filter.terms !== undefined, (qb) => qb.where((eb) => matches(eb, filter.terms!)))
    .execute();
}

// ---------- external services (issue 8): agencies' services done on their own sites ----------

/** Active external services of agencies (of one agency when given), by category and search; public data. */
export function externalOffered(tx: Tx, filter: { category?: string; orgId?: string; terms?: SearchTerms }) {
  return tx.selectFrom('external_services').innerJoin('orgs', 'orgs.id', 'external_services.org_id')
    .select(['external_services.id', 'external_services.code', 'external_services.title_fa', 'external_services.title_en',
      'external_services.description_fa', 'external_services.description_en', 'external_services.category', 'external_services.maturity',
      'external_services.url', 'orgs.code as org_code', 'orgs.name_fa as org_name_fa', 'orgs.name_en as org_name_en'])
    .where('external_services.active', '=', 1).where('orgs.kind', '=', 'agency')
    .$if(filter.orgId !== undefined, (qb) => qb.where('external_services.org_id', '=', filter.orgId!))
    .$if(filter.category !== undefined, (qb) => qb.where('external_services.category', '=', filter.category!))
    .$if(filter.terms !== undefined, (qb) => qb.where((eb) => eb.or([
      eb.and(filter.terms!.words.map((w) => eb('external_services.search_text', 'like', `%${w}%`))),
      eb('external_services.search_text', 'like', `%${filter.terms!.compact}%`),
    ])))
    .execute();
}

/** The newest published version of a template, by code. */
export function publishedTemplate(tx: Tx, code: string) {
  return tx.selectFrom('service_template_versions')
    .innerJoin('service_templates', 'service_templates.id', 'service_template_versions.template_id')
    .select(['service_templates.id as template_id', 'service_templates.code', 'service_template_versions.id as version_id', 'service_template_versions.version', 'service_template_versions.definition'])
    .where('service_templates.code', '=', code).where(isLatestPublished).executeTakeFirst();
}

/** The organizations that offer a template, the largest first. */
export function offeringOrgs(tx: Tx, templateId: string) {
  return tx.selectFrom('org_services').innerJoin('orgs', 'orgs.id', 'org_services.org_id')
    .select(['orgs.code', 'orgs.name_fa', 'orgs.name_en'])
    .where('org_services.template_id', '=', templateId).where('org_services.enabled', '=', 1)
    .orderBy(sql`coalesce(orgs.population, -1)`, 'desc').orderBy('orgs.code').execute();
}

/** An organization's enabled service by template code, at its pinned version. */
export function offeredService(tx: Tx, orgId: string, code: string) {
  return tx.selectFrom('org_services')
    .innerJoin('service_templates', 'service_templates.id', 'org_services.template_id')
    .innerJoin('service_template_versions', 'service_template_versions.id', 'org_services.version_id')
    .select(['service_templates.id as template_id', 'service_templates.code', 'service_template_versions.id as version_id', 'service_template_versions.version', 'service_template_versions.definition', 'org_services.overrides'])
    .where('org_services.org_id', '=', orgId).where('org_services.enabled', '=', 1).where('service_templates.code', '=', code)
    .executeTakeFirst();
}

// ---------- adoption (tenant data) ----------

/** Every template with a published version, with the organization's adoption if any. */
export function adoptionsOf(tx: Tx, scope: OrgScope) {
  return tx.selectFrom('service_template_versions')
    .innerJoin('service_templates', 'service_templates.id', 'service_template_versions.template_id')
    .leftJoin('org_services', (join) => join.onRef('org_services.template_id', '=', 'service_templates.id').on('org_services.org_id', '=', scope.orgId))
    .leftJoin('service_template_versions as pinned', 'pinned.id', 'org_services.version_id')
    .select([
      'service_templates.id as template_id', 'service_templates.code', 'service_templates.category',
      'service_template_versions.version as latest_version', 'service_template_versions.title_fa', 'service_template_versions.title_en',
      'org_services.id as org_service_id', 'org_services.enabled', 'pinned.version as adopted_version',
    ])
    .where(isLatestPublished)
    .orderBy('service_templates.code').execute();
}

export function adoption(tx: Tx, scope: OrgScope, templateId: string) {
  return tx.selectFrom('org_services').selectAll().where('org_id', '=', scope.orgId).where('template_id', '=', templateId).executeTakeFirst();
}

export function insertAdoption(tx: Tx, scope: OrgScope, row: Omit<OrgServicesTable, 'org_id'>) {
  return tx.insertInto('org_services').values({ ...row, org_id: scope.orgId }).execute();
}

export function updateAdoption(tx: Tx, scope: OrgScope, id: string, patch: Partial<Pick<OrgServicesTable, 'version_id' | 'enabled' | 'overrides' | 'updated_at'>>) {
  return tx.updateTable('org_services').set(patch).where('id', '=', id).where('org_id', '=', scope.orgId).execute();
}

// ---------- demo seed ----------

export async function countTemplates(tx: Tx): Promise<number> {
  const r = await tx.selectFrom('service_templates').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Bulk inserts for the demo seed, which acts for every organization as the system. */
export async function insertSeedRows(tx: Tx, rows: { templates: ServiceTemplatesTable[]; versions: ServiceTemplateVersionsTable[]; adoptions: OrgServicesTable[] }) {
  if (rows.templates.length) await tx.insertInto('service_templates').values(rows.templates).execute();
  if (rows.versions.length) await tx.insertInto('service_template_versions').values(rows.versions).execute();
  // Keep each statement well under SQLite's limit of bound parameters.
  for (let i = 0; i < rows.adoptions.length; i += 200) await tx.insertInto('org_services').values(rows.adoptions.slice(i, i + 200)).execute();
}
