import { z } from 'zod';

// The service-definition format: data, not code. Authored by the reference organization,
// versioned, validated on import with errors that name the path of every problem.
// docs/service-definitions.md documents it; docs/service-definition.schema.json is generated from it.

const key = z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, 'lower-case letters, digits and _ , starting with a letter');
export const localized = z.object({ fa: z.string().min(1).max(500), en: z.string().max(500).optional() }).strict();
export type Localized = z.infer<typeof localized>;

export const FIELD_TYPES = [
  'text', 'textarea', 'integer', 'number', 'money', 'date', 'select', 'multi-select', 'checkbox',
  'national-code', 'mobile', 'postal-code', 'sheba', 'location',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const fieldSchema = z.object({
  key,
  type: z.enum(FIELD_TYPES),
  label: localized,
  help: localized.optional(),
  required: z.boolean().default(false),
  /** numbers, integers and money: inclusive bounds; text: length bounds. */
  min: z.number().optional(),
  max: z.number().optional(),
  options: z.array(z.object({ value: key, label: localized }).strict()).optional(),
}).strict();
export type FieldDef = z.infer<typeof fieldSchema>;

export const DOCUMENT_TYPES = ['pdf', 'jpg', 'png', 'webp', 'tif'] as const;
export const documentSchema = z.object({
  key,
  title: localized,
  help: localized.optional(),
  required: z.boolean().default(false),
  accept: z.array(z.enum(DOCUMENT_TYPES)).min(1).default(['pdf', 'jpg', 'png']),
  max_mb: z.number().positive().max(50).default(10),
}).strict();
export type DocumentDef = z.infer<typeof documentSchema>;

export const feeSchema = z.object({
  key,
  title: localized,
  /** An arithmetic expression over numeric field values and params (see formula.ts); result rounded to whole Rials. */
  formula: z.string().min(1).max(500),
  /** Only charged when this expression is non-zero (e.g. "floors > 4"). */
  when: z.string().max(500).optional(),
  params: z.record(key, z.number()).default({}),
}).strict();
export type FeeDef = z.infer<typeof feeSchema>;

/** A duration in business time: "2d" (business days) or "6h" (business hours). */
export const slaSchema = z.string().regex(/^\d{1,3}(d|h)$/, 'a duration like 2d or 6h');

export const WORKFLOW_ROLES = ['clerk', 'inspector', 'manager', 'org_admin'] as const;
export const stateSchema = z.object({
  title: localized.optional(),
  sla: slaSchema.optional(),
  roles: z.array(z.enum(WORKFLOW_ROLES)).default([]),
  /** Who the application waits for in this state: the office (counts toward its deadline) or the citizen. */
  waits_for: z.enum(['office', 'citizen']).default('office'),
  final: z.boolean().default(false),
  outcome: z.enum(['granted', 'refused', 'withdrawn']).optional(),
}).strict();
export type StateDef = z.infer<typeof stateSchema>;

export const actionSchema = z.object({
  from: key,
  name: key,
  to: key,
  title: localized.optional(),
  roles: z.array(z.enum(WORKFLOW_ROLES)).default([]),
  /** Who triggers it when it is not staff: the citizen (resubmit, withdraw), a verified payment, or the system. */
  by: z.enum(['staff', 'citizen', 'payment', 'system']).default('staff'),
  requires: z.array(z.enum(['comment', 'attachment'])).default([]),
  /** The citizen is told (SMS, email) and the comment is shown to them. */
  to_citizen: z.boolean().default(false),
}).strict();
export type ActionDef = z.infer<typeof actionSchema>;

export const definitionSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'lower-case letters, digits and -'),
  title: localized,
  summary: localized.optional(),
  category: z.enum(['urban-development', 'property', 'revenue', 'environment', 'transport', 'business', 'social', 'other']),
  maturity: z.number().int().min(1).max(5),
  audience: z.enum(['G2C', 'G2B', 'G2G']).default('G2C'),
  keywords: z.array(z.string().max(60)).default([]),
  fields: z.array(fieldSchema).default([]),
  documents: z.array(documentSchema).default([]),
  fees: z.array(feeSchema).default([]),
  workflow: z.object({
    start: key,
    states: z.record(key, stateSchema),
    actions: z.array(actionSchema).min(1),
  }).strict(),
  /** What the service costs a citizen in person: trips to the office and calendar days. */
  baseline: z.object({ office_visits: z.number().int().min(0).max(50), days: z.number().min(0).max(365) }).strict(),
  /** The letter issued at a final outcome; {placeholders} are field keys, tracking_code, org, date. */
  result: z.object({ granted: localized.optional(), refused: localized.optional() }).strict().optional(),
}).strict();

export type ServiceDefinition = z.infer<typeof definitionSchema>;

/** What an adopting municipality may change without a new version. */
export const overridesSchema = z.object({
  enabled: z.boolean().default(true),
  fee_params: z.record(z.string(), z.record(z.string(), z.number().min(0))).default({}),
  sla: z.record(z.string(), slaSchema).default({}),
  office: z.object({ address: z.string().max(300).optional(), hours: z.string().max(200).optional(), phone: z.string().max(40).optional(), email: z.string().max(200).optional() }).strict().default({}),
}).strict();
export type Overrides = z.infer<typeof overridesSchema>;
