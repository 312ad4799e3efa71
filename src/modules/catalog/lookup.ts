import type { Tx } from '../../platform/db/index.js';
import { definitionSchema, overridesSchema, type Overrides, type ServiceDefinition } from './definition.js';

// Read-only lookups other modules (applications, casework) use to reach a municipality's
// adopted services. Definitions are parsed once per version and cached: published versions
// never change.

export interface AdoptedService {
  orgServiceId: string;
  orgId: string;
  templateId: string;
  code: string;
  versionId: string;
  version: number;
  enabled: boolean;
  definition: ServiceDefinition;
  overrides: Overrides;
}

const definitionCache = new Map<string, { definition: ServiceDefinition; version: number }>();

/** The parsed definition of a template version (cached; versions are immutable once published). */
export async function definitionOfVersion(tx: Tx, versionId: string): Promise<{ definition: ServiceDefinition; version: number; status: string } | null> {
  // Published versions never change: once cached, only the small columns are read again.
  const cached = definitionCache.get(versionId);
  if (cached) return { definition: cached.definition, version: cached.version, status: 'published' };
  const row = await tx.selectFrom('service_template_versions').select(['definition', 'version', 'status']).where('id', '=', versionId).executeTakeFirst();
  if (!row) return null;
  const def = definitionSchema.parse(JSON.parse(row.definition));
  if (row.status === 'published') definitionCache.set(versionId, { definition: def, version: Number(row.version) });
  return { definition: def, version: Number(row.version), status: row.status };
}

function toAdopted(row: { id: string; org_id: string; template_id: string; code: string; version_id: string; enabled: number; overrides: string }, def: { definition: ServiceDefinition; version: number }): AdoptedService {
  return {
    orgServiceId: row.id, orgId: row.org_id, templateId: row.template_id, code: row.code, versionId: row.version_id,
    version: def.version, enabled: row.enabled === 1, definition: def.definition, overrides: overridesSchema.parse(JSON.parse(row.overrides)),
  };
}

const adoptedColumns = ['org_services.id', 'org_services.org_id', 'org_services.template_id', 'service_templates.code', 'org_services.version_id', 'org_services.enabled', 'org_services.overrides'] as const;

/** The service a municipality adopted under this template code, or null. */
export async function adoptedService(tx: Tx, orgId: string, code: string): Promise<AdoptedService | null> {
  const row = await tx.selectFrom('org_services').innerJoin('service_templates', 'service_templates.id', 'org_services.template_id')
    .select(adoptedColumns).where('org_services.org_id', '=', orgId).where('service_templates.code', '=', code).executeTakeFirst();
  if (!row) return null;
  const def = await definitionOfVersion(tx, row.version_id);
  return def ? toAdopted(row, def) : null;
}

/** An adopted service by its own id, or null. */
export async function adoptedServiceById(tx: Tx, orgServiceId: string): Promise<AdoptedService | null> {
  const row = await tx.selectFrom('org_services').innerJoin('service_templates', 'service_templates.id', 'org_services.template_id')
    .select(adoptedColumns).where('org_services.id', '=', orgServiceId).executeTakeFirst();
  if (!row) return null;
  const def = await definitionOfVersion(tx, row.version_id);
  return def ? toAdopted(row, def) : null;
}
