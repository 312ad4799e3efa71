import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import type { OrgServicesTable, ServiceTemplatesTable, ServiceTemplateVersionsTable } from '../../platform/db/schema.js';
import type { Overrides, ServiceDefinition } from './definition.js';
import { parseDefinition } from './validate.js';
import { searchTextOf, validOverrides } from './service.js';
import * as q from './queries.js';

/** The reference definitions shipped with Pishkhan (definitions/*.yaml). */
export const DEFINITIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../definitions');

/** Reads and checks every shipped definition; throws naming the file and the problems of a bad one. */
export function shippedDefinitions(dir = DEFINITIONS_DIR): { file: string; definition: ServiceDefinition }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((file) => {
    const r = parseDefinition(readFileSync(join(dir, file), 'utf8'), 'yaml');
    if (!r.ok) throw new Error(`definitions/${file} is not a valid service definition:\n${r.errors.map((e) => `  ${e.path || '(document)'}: ${e.message}`).join('\n')}`);
    return { file, definition: r.definition };
  });
}

// Demo municipalities with their own rates (a factor on every amount in Rials) and offices.
// Addresses are illustrative, not official; 137 is every municipality's citizen contact line.
const DEMO_LOCAL: Record<string, { factor?: number; office?: Overrides['office']; firstStepSla?: string }> = {
  sari: { office: { address: 'ساری، میدان ساعت، ساختمان مرکزی شهرداری ساری، پیشخوان خدمات شهری', hours: 'شنبه تا چهارشنبه، ۷:۳۰ تا ۱۴:۳۰', phone: '137' } },
  babol: { factor: 0.9, office: { address: 'بابل، میدان کشوری، ساختمان شهرداری بابل، واحد خدمات شهری', hours: 'شنبه تا چهارشنبه، ۷:۳۰ تا ۱۴:۰۰', phone: '137' } },
  amol: { factor: 1.1, firstStepSla: '1d', office: { address: 'آمل، خیابان امام خمینی، ساختمان شهرداری آمل، طبقه همکف', hours: 'شنبه تا چهارشنبه، ۷:۳۰ تا ۱۴:۳۰؛ پنجشنبه ۸ تا ۱۲', phone: '137' } },
  qaemshahr: { factor: 0.95 },
};

function demoOverrides(code: string, def: ServiceDefinition): Overrides {
  const local = DEMO_LOCAL[code] ?? {};
  const feeParams: Overrides['fee_params'] = {};
  if (local.factor) {
    for (const fee of def.fees) {
      // Only amounts in Rials change; coefficients and counts stay as the reference wrote them.
      const own = Object.fromEntries(Object.entries(fee.params).filter(([, v]) => v >= 10_000).map(([k, v]) => [k, Math.round((v * local.factor!) / 1000) * 1000]));
      if (Object.keys(own).length) feeParams[fee.key] = own;
    }
  }
  const start = def.workflow.states[def.workflow.start];
  const sla = local.firstStepSla && start && !start.final ? { [def.workflow.start]: local.firstStepSla } : {};
  return validOverrides(def, { enabled: true, fee_params: feeParams, sla, office: local.office ?? {} });
}

/**
 * Seeds the demo catalog once: every shipped definition as version 1, published by the
 * reference organization, adopted by every municipality (a few with their own rates and
 * offices). Does nothing when the catalog has templates or there is no reference organization.
 */
export async function seedCatalog(db: DB, now = Date.now(), dir = DEFINITIONS_DIR): Promise<{ seeded: boolean; services: number; adoptions: number }> {
  const none = { seeded: false, services: 0, adoptions: 0 };
  const ref = await q.referenceOrg(db);
  if (!ref || (await q.countTemplates(db)) > 0) return none;
  const shipped = shippedDefinitions(dir);
  if (!shipped.length) return none;
  const orgs = await q.municipalities(db);
  const templates: ServiceTemplatesTable[] = [];
  const versions: ServiceTemplateVersionsTable[] = [];
  const adoptions: OrgServicesTable[] = [];
  for (const { definition: def } of shipped) {
    const template = { id: newId(), code: def.code, owner_org_id: ref.id, category: def.category, created_at: now };
    const version: ServiceTemplateVersionsTable = {
      id: newId(), template_id: template.id, version: 1, status: 'published', definition: JSON.stringify(def),
      title_fa: def.title.fa, title_en: def.title.en ?? '', search_text: searchTextOf(def), maturity: def.maturity,
      created_by: null, created_at: now, published_at: now,
    };
    templates.push(template);
    versions.push(version);
    for (const org of orgs) {
      const overrides = demoOverrides(org.code, def);
      adoptions.push({ id: newId(), org_id: org.id, template_id: template.id, version_id: version.id, enabled: 1, overrides: JSON.stringify(overrides), adopted_at: now, updated_at: now });
    }
  }
  return inTransaction(db, async (tx) => {
    // A concurrent start-up may have seeded it meanwhile.
    if ((await q.countTemplates(tx)) > 0) return none;
    await q.insertSeedRows(tx, { templates, versions, adoptions });
    await appendAudit(tx, systemActor, { orgId: ref.id, action: 'catalog.demo_seeded', entity: 'service_template', data: { services: templates.map((t) => t.code), adopted_by: orgs.map((o) => o.code) } }, now);
    return { seeded: true, services: templates.length, adoptions: adoptions.length };
  });
}
