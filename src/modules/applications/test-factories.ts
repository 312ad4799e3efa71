// Test factories for applications: real rows built from the shipped definitions (definitions/*.yaml),
// citizens, and the bytes of small real files. Used by this module's tests and by casework's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DB } from '../../platform/db/index.js';
import { newId } from '../../platform/core/index.js';
import { overridesSchema, type Overrides, type ServiceDefinition } from '../catalog/definition.js';
import { parseDefinition } from '../catalog/validate.js';
import { DEFINITIONS_DIR } from '../catalog/seed.js';

/** A shipped definition by code, parsed and checked as the catalog does. */
export function shippedDefinition(code: string): ServiceDefinition {
  const r = parseDefinition(readFileSync(join(DEFINITIONS_DIR, `${code}.yaml`), 'utf8'), 'yaml');
  if (!r.ok) throw new Error(`definitions/${code}.yaml: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return r.definition;
}

/**
 * Publishes a definition as a template version (owned by ownerOrgId, created once per code) and
 * adopts it for orgId; returns the ids. Overrides are the adopting org's own (fees, SLAs).
 */
export async function adoptDefinition(db: DB, opts: { orgId: string; ownerOrgId?: string; definition: ServiceDefinition; overrides?: Partial<Overrides>; enabled?: boolean; now?: number }): Promise<{ templateId: string; versionId: string; orgServiceId: string }> {
  const def = opts.definition;
  const now = opts.now ?? Date.now();
  let template = await db.selectFrom('service_templates').select('id').where('code', '=', def.code).executeTakeFirst();
  let versionId: string;
  if (!template) {
    template = { id: newId() };
    await db.insertInto('service_templates').values({ id: template.id, code: def.code, owner_org_id: opts.ownerOrgId ?? opts.orgId, category: def.category, created_at: now }).execute();
    versionId = newId();
    await db.insertInto('service_template_versions').values({
      id: versionId, template_id: template.id, version: 1, status: 'published', definition: JSON.stringify(def), title_fa: def.title.fa, title_en: def.title.en ?? '',
      search_text: def.title.fa, maturity: def.maturity, created_by: null, created_at: now, published_at: now,
    }).execute();
  } else {
    versionId = (await db.selectFrom('service_template_versions').select('id').where('template_id', '=', template.id).orderBy('version', 'desc').executeTakeFirstOrThrow()).id;
  }
  const orgServiceId = newId();
  const overrides = overridesSchema.parse({ ...(opts.overrides ?? {}) });
  await db.insertInto('org_services').values({
    id: orgServiceId, org_id: opts.orgId, template_id: template.id, version_id: versionId, enabled: opts.enabled === false ? 0 : 1,
    overrides: JSON.stringify(overrides), adopted_at: now, updated_at: now,
  }).execute();
  return { templateId: template.id, versionId, orgServiceId };
}

/** A citizen row with a complete profile; returns its id. */
export async function makeCitizen(db: DB, mobile: string, opts: { firstName?: string; lastName?: string; email?: string | null; nationalCode?: string } = {}): Promise<string> {
  const id = newId();
  const now = Date.now();
  await db.insertInto('citizens').values({
    id, mobile, national_code: opts.nationalCode ?? null, first_name: opts.firstName ?? 'مریم', last_name: opts.lastName ?? 'رضایی', email: opts.email ?? null,
    locale: 'fa', created_at: now, updated_at: now,
  }).execute();
  return id;
}

/** A valid Iranian national code built from nine digits (the tenth is the check digit). */
export function nationalCode(nine: string): string {
  const d = nine.padStart(9, '0').slice(0, 9).split('').map(Number);
  const s = d.reduce((sum, x, i) => sum + x * (10 - i), 0) % 11;
  return `${d.join('')}${s < 2 ? s : 11 - s}`;
}

/** Valid answers for the building-permit form (as a browser would send them, with Persian digits where people type them). */
export function buildingPermitAnswers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    parcel_code: '۱۲-۳۴-۵۶۷-۸',
    registration_plate: '۱۲۳ فرعی از ۴۵ اصلی بخش ۲',
    owner_national_code: nationalCode('001234567'),
    owner_mobile: '۰۹۱۲۱۲۳۴۵۶۷',
    postal_code: '4815733111',
    address: 'ساری، خیابان فرهنگ، کوچه بهار ۳، پلاک ۱۲',
    permit_type: 'new_building',
    usage: 'residential',
    land_area_m2: '۲۰۰',
    building_area_m2: '۴۸۰',
    floors: '4',
    units: '4',
    parking_spaces: '4',
    supervisor_license: '۱-۲۳-۴۵۶۷۸',
    location: { lat: 36.5633, lng: 53.0601 },
    ...overrides,
  };
}

/** The bytes of a small but real PDF (detected as application/pdf by its content). */
export function samplePdf(): Buffer {
  return Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
}

/** A 1x1 PNG. */
export function samplePng(): Buffer {
  return Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f6a3860000000049454e44ae426082', 'hex');
}
