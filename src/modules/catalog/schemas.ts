import { z } from 'zod';
import { definitionSchema, overridesSchema } from './definition.js';
import { toAsciiDigits } from '../../platform/i18n/persian.js';

// Wire shapes of the catalog API. The rules (what a definition or an override may say) live in
// the service, which answers with localized field messages.

export { errorReply } from '../identity/schemas.js';

export const CATEGORIES = definitionSchema.shape.category.options;
const serviceCode = z.string().max(64).regex(/^[a-z][a-z0-9-]{1,63}$/).meta({ example: 'building-permit' });
const orgCode = z.string().max(64).regex(/^[a-z0-9-]+$/).meta({ example: 'sari' });
const format = z.enum(['yaml', 'json']);
/** An empty query parameter (an unselected filter in a form) counts as absent. */
const optionalQuery = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const codeParams = z.object({ code: serviceCode });
export const versionParams = z.object({ code: serviceCode, version: z.coerce.number().int().min(1).max(1_000_000) });
export const orgParams = z.object({ org: orgCode });
export const orgServiceParams = z.object({ org: orgCode, code: serviceCode });

export const catalogQuery = z.object({
  org: optionalQuery(orgCode).meta({ description: 'Only the services this organization offers.' }),
  category: optionalQuery(z.enum(CATEGORIES)),
  q: optionalQuery(z.string().max(200)).meta({ description: 'Persian or English words; Arabic/Persian letter and digit variants, ZWNJ and spaces are ignored.' }),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});
export const orgCatalogQuery = catalogQuery.omit({ org: true });

export const text = z.object({ fa: z.string(), en: z.string().nullable() });
const orgRef = z.object({ code: z.string(), name: z.object({ fa: z.string(), en: z.string() }) });

// ---------- authoring ----------

/** An abridged definition (see definitions/*.yaml for whole ones). */
const IMPORT_EXAMPLE = [
  'code: waste-management-fee',
  'title: { fa: پرداخت بهای خدمات مدیریت پسماند, en: Waste-management fee }',
  'category: environment',
  'maturity: 4',
  'fields:',
  '  - { key: parcel_code, type: text, required: true, max: 30, label: { fa: کد نوسازی ملک, en: Property renewal code } }',
  '  - { key: units, type: integer, required: true, min: 1, max: 500, label: { fa: تعداد واحدها, en: Units } }',
  'fees:',
  '  - { key: waste_fee, title: { fa: بهای خدمات مدیریت پسماند, en: Waste-management fee }, formula: units * base_per_unit, params: { base_per_unit: 1800000 } }',
  'workflow:',
  '  start: submitted',
  '  states:',
  '    submitted: { title: { fa: کنترل اطلاعات ملک, en: Check of the property data }, sla: 8h, roles: [clerk] }',
  '    paid_up: { title: { fa: پرداخت شد, en: Paid }, final: true, outcome: granted }',
  '  actions:',
  '    - { from: submitted, name: accept, to: paid_up, roles: [clerk], title: { fa: تأیید, en: Confirm } }',
  'baseline: { office_visits: 2, days: 3 }',
  '',
].join("\n");

export const importBody = z.object({
  source: z.string().max(256_000).meta({ description: 'The definition as YAML or JSON text (docs/service-definitions.md).' }),
  format: format.optional().meta({ description: 'Guessed from the first character when omitted.' }),
  publish: z.boolean().optional().meta({ description: 'Publish the new version at once.' }),
}).meta({ example: { format: 'yaml', publish: false, source: IMPORT_EXAMPLE } });
export const replaceBody = importBody.omit({ publish: true });
export const exportQuery = z.object({ format: format.default('yaml') });
export const diffQuery = z.object({ from: z.coerce.number().int().min(1).max(2_147_483_647), to: z.coerce.number().int().min(1).max(2_147_483_647) });

export const versionReply = z.object({
  code: z.string(),
  version: z.number().int(),
  status: z.enum(['draft', 'published']),
  title: text,
  maturity: z.number().int(),
  created_at: z.string(),
  published_at: z.string().nullable(),
}).meta({ example: { code: 'waste-management-fee', version: 3, status: 'draft', title: { fa: 'پرداخت بهای خدمات مدیریت پسماند', en: 'Waste-management fee' }, maturity: 4, created_at: '2026-11-27T08:15:00.000Z', published_at: null } });
export const versionDetailReply = versionReply.extend({ definition: z.record(z.string(), z.unknown()).meta({ description: 'The whole definition, defaults filled in.' }) });
export const versionsReply = z.object({ items: z.array(versionReply) });
export const templatesReply = z.object({ items: z.array(z.object({ code: z.string(), category: z.string(), versions: z.array(versionReply) })) }).meta({
  example: { items: [{ code: 'waste-management-fee', category: 'environment', versions: [
    { code: 'waste-management-fee', version: 2, status: 'published', title: { fa: 'پرداخت بهای خدمات مدیریت پسماند', en: 'Waste-management fee' }, maturity: 4, created_at: '2026-10-02T07:40:00.000Z', published_at: '2026-10-03T09:00:00.000Z' },
    { code: 'waste-management-fee', version: 3, status: 'draft', title: { fa: 'پرداخت بهای خدمات مدیریت پسماند', en: 'Waste-management fee' }, maturity: 4, created_at: '2026-11-27T08:15:00.000Z', published_at: null },
  ] }] },
});
export const exportReply = z.string().meta({ description: 'The definition as YAML (application/yaml) or JSON text, ready to import again.' });

export const diffEntry = z.object({
  section: z.enum(['service', 'fields', 'documents', 'fees', 'states', 'actions']),
  key: z.string(),
  title: text.nullable(),
  change: z.enum(['added', 'removed', 'changed']),
  details: z.array(z.object({ attr: z.string(), from: z.unknown(), to: z.unknown() })),
  /** The change in words, in the request's language. */
  text: z.string(),
});
export const diffReply = z.object({ items: z.array(diffEntry) });

// ---------- the public catalog ----------

export const catalogItem = z.object({
  code: z.string(),
  version: z.number().int(),
  title: text,
  summary: text.nullable(),
  category: z.enum(CATEGORIES),
  maturity: z.number().int(),
  offered_by: z.number().int().meta({ description: 'How many organizations offer it.' }),
  org: z.string().nullable().meta({ description: 'In an organization\'s list, that organization.' }),
  url: z.string().meta({ description: 'The service page on this site.' }),
  // Issue 8: an agency's service done on the agency's own site (null for Pishkhan's own services).
  external: z.object({
    agency: orgRef,
    url: z.string().meta({ description: 'Where the service is done, on the agency\'s site.' }),
  }).nullable().meta({ description: 'Set for an external service: listed here, done on the agency\'s site.' }),
});
export const catalogReply = z.object({ items: z.array(catalogItem), total: z.number().int(), page: z.number().int(), per_page: z.number().int() });

const feeSheet = z.object({
  key: z.string(),
  title: text,
  formula: z.string(),
  when: z.string().nullable(),
  description: z.string().meta({ description: 'The fee in words, in the request\'s language.' }),
  params: z.array(z.object({ name: z.string(), value: z.number(), reference: z.number(), own: z.boolean().meta({ description: 'The organization set its own value.' }) })),
  fields: z.array(z.string()).meta({ description: 'The form fields the amount depends on.' }),
  fixed: z.number().int().nullable().meta({ description: 'The amount in Rials when it depends on no field.' }),
});
const stepSheet = z.object({
  key: z.string(),
  title: text.nullable(),
  sla: z.string().nullable().meta({ example: '5d' }),
  business_hours: z.number().nullable(),
  waits_for: z.enum(['office', 'citizen']),
  roles: z.array(z.string()),
  own: z.boolean(),
  usual: z.boolean().meta({ description: 'On the usual path to a decision; other steps happen only when needed.' }),
});
export const sheetReply = z.object({
  code: z.string(),
  version: z.number().int(),
  title: text,
  summary: text.nullable(),
  category: z.enum(CATEGORIES),
  maturity: z.number().int().meta({ description: '1 web presence, 2 interactive, 3 transactional, 4 integrated, 5 participatory' }),
  audience: z.string(),
  keywords: z.array(z.string()),
  fields: z.array(z.object({ key: z.string(), type: z.string(), label: text, help: text.nullable(), required: z.boolean() })),
  documents: z.array(z.object({ key: z.string(), title: text, help: text.nullable(), required: z.boolean(), accept: z.array(z.string()), max_mb: z.number() })),
  fees: z.array(feeSheet),
  steps: z.array(stepSheet),
  outcomes: z.array(z.object({ key: z.string(), title: text.nullable(), outcome: z.string() })),
  deadline: z.object({ business_hours: z.number(), text: z.string() }).meta({ description: 'The office\'s time on the usual path to a decision; time waiting for the citizen is not counted.' }),
  baseline: z.object({ office_visits: z.number(), days: z.number() }).meta({ description: 'Applying in person.' }),
  online: z.object({ office_visits: z.number(), days: z.number() }),
  saves: z.object({ office_visits: z.number(), days: z.number() }),
  offered_by: z.array(orgRef),
});
export const orgSheetReply = sheetReply.extend({
  org: orgRef,
  office: z.object({ address: z.string().optional(), hours: z.string().optional(), phone: z.string().optional(), email: z.string().optional() }),
  apply_url: z.string(),
});

// ---------- adoption ----------

export const overridesBody = overridesSchema.optional().meta({
  description: 'What the organization sets for the service: on/off, fee params (only params of the definition\'s fees), per-state SLAs (only non-final states), office. Empty means the reference defaults.',
  example: { enabled: true, fee_params: { permit_levy: { rate_per_m2: 320000 } }, sla: { inspection: '4d' }, office: { address: 'بابل، میدان کشوری', hours: 'شنبه تا چهارشنبه ۷:۳۰ تا ۱۴', phone: '137' } },
});
export const overridesReply = z.object({
  enabled: z.boolean(),
  fee_params: z.record(z.string(), z.record(z.string(), z.number())),
  sla: z.record(z.string(), z.string()),
  office: z.object({ address: z.string().optional(), hours: z.string().optional(), phone: z.string().optional(), email: z.string().optional() }),
});
export const adoptionsReply = z.object({
  org: orgRef,
  items: z.array(z.object({
    code: z.string(), title: text, category: z.string(), latest_version: z.number().int(),
    adopted_version: z.number().int().nullable(), enabled: z.boolean().nullable(), upgrade_available: z.boolean(),
  })),
});
export const adoptionReply = z.object({
  org: orgRef,
  code: z.string(),
  title: text,
  latest_version: z.number().int(),
  adopted: z.object({ version: z.number().int(), enabled: z.boolean(), overrides: overridesReply, adopted_at: z.string(), updated_at: z.string() }).nullable(),
  upgrade: z.object({ from: z.number().int(), to: z.number().int(), changes: z.array(diffEntry), dropped: z.array(z.string()).meta({ description: 'Overrides the newer version has no place for; an upgrade drops them.' }) }).nullable(),
  settable: z.object({
    fees: z.array(z.object({ key: z.string(), title: text, params: z.record(z.string(), z.number()) })),
    states: z.array(z.object({ key: z.string(), title: text.nullable(), sla: z.string().nullable() })),
  }).meta({ description: 'What the adopted (or, before adoption, the newest) version lets the organization set, with the reference defaults.' }),
});
export const upgradeReply = adoptionReply.extend({ dropped: z.array(z.string()) });

/**
 * The overrides from a settings form: `enabled` (a checkbox), `fee_params.<fee>.<param>`,
 * `sla.<state>` and `office.<field>`; empty inputs mean "the reference default". Numbers may
 * use Persian digits and group separators; what is not a number is passed on for the service
 * to refuse by field.
 */
export function overridesFromForm(values: Record<string, string>): Record<string, unknown> {
  const feeParams: Record<string, Record<string, unknown>> = {};
  const sla: Record<string, string> = {};
  const office: Record<string, string> = {};
  for (const [name, raw] of Object.entries(values)) {
    const value = raw.trim();
    if (!value) continue;
    const parts = name.split('.');
    if (parts[0] === 'fee_params' && parts.length === 3) {
      const clean = toAsciiDigits(value).replace(/[,\u066C\u060C\s_]/g, '').replace('\u066B', '.');
      const n = /^\d+(\.\d+)?$/.test(clean) ? Number(clean) : value;
      (feeParams[parts[1]!] ??= {})[parts[2]!] = n;
    } else if (parts[0] === 'sla' && parts.length === 2) {
      sla[parts[1]!] = toAsciiDigits(value).toLowerCase().replace(/\s/g, '');
    } else if (parts[0] === 'office' && parts.length === 2) {
      office[parts[1]!] = value;
    }
  }
  return { enabled: values.enabled === 'on' || values.enabled === '1' || values.enabled === 'true', fee_params: feeParams, sla, office };
}
