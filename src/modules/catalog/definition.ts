import { z } from 'zod';

// The service-definition format: data, not code. Authored by the reference organization,
// versioned, validated on import with errors that name the path of every problem.
// docs/service-definitions.md documents it; docs/service-definition.schema.json is generated from it
// (scripts/definition-schema.ts). The schema checks shapes; validate.ts adds the checks across
// parts (unique keys, workflow graph, formulas, placeholders).

const key = z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, 'lower-case letters, digits and _ , starting with a letter');
export const localized = z.object({ fa: z.string().min(1).max(500), en: z.string().max(500).optional() }).strict()
  .describe('A text in Persian (required) and English (optional).');
export type Localized = z.infer<typeof localized>;

export const FIELD_TYPES = [
  'text', 'textarea', 'integer', 'number', 'money', 'date', 'select', 'multi-select', 'checkbox',
  'national-code', 'mobile', 'postal-code', 'sheba', 'location',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Field types whose values fee formulas may read (checkbox as 1/0; select only when every option has a factor). */
export const NUMERIC_FIELD_TYPES: readonly FieldType[] = ['integer', 'number', 'money', 'checkbox'];
/** Field types on which min/max mean something: a value range, a length range, or a number of choices. */
export const BOUNDED_FIELD_TYPES: readonly FieldType[] = ['text', 'textarea', 'integer', 'number', 'money', 'multi-select'];
/** The longest text a text field and a textarea accept, whatever the definition says. */
export const TEXT_MAX_LENGTH = 500;
export const TEXTAREA_MAX_LENGTH = 5000;

export const optionSchema = z.object({
  value: key,
  label: localized,
  /** The number this choice stands for in fee formulas (e.g. a usage coefficient). */
  factor: z.number().optional().describe('The number this choice stands for in fee formulas (e.g. a usage coefficient); a select field can be used in a formula only when all its options have one.'),
}).strict();
export type OptionDef = z.infer<typeof optionSchema>;

export const fieldSchema = z.object({
  key,
  type: z.enum(FIELD_TYPES),
  label: localized,
  help: localized.optional(),
  required: z.boolean().default(false),
  /** numbers, integers and money: inclusive bounds; text: length bounds; multi-select: number of choices. */
  min: z.number().optional().describe('integer/number/money: smallest value; text/textarea: shortest length; multi-select: fewest choices.'),
  max: z.number().optional().describe('integer/number/money: largest value; text/textarea: longest length; multi-select: most choices.'),
  options: z.array(optionSchema).min(1).max(200).optional().describe('The choices of a select or multi-select field (and only of those).'),
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
  formula: z.string().min(1).max(500).describe('An arithmetic expression over numeric field values and this fee\'s params; the result is rounded to whole Rials and never negative.'),
  /** Only charged when this expression is non-zero (e.g. "floors > 4"). */
  when: z.string().min(1).max(500).optional().describe('The fee is charged only when this expression is non-zero (e.g. "floors > 4").'),
  params: z.record(key, z.number()).default({}).describe('Named numbers the formula uses (rates, fixed amounts in Rials); adopting organizations may override them.'),
}).strict();
export type FeeDef = z.infer<typeof feeSchema>;

/** A duration in business time: "2d" (business days) or "6h" (business hours). */
export const slaSchema = z.string().regex(/^\d{1,3}(d|h)$/, 'a duration like 2d or 6h');

export const WORKFLOW_ROLES = ['clerk', 'inspector', 'manager', 'org_admin'] as const;
export type WorkflowRole = (typeof WORKFLOW_ROLES)[number];
export const OUTCOMES = ['granted', 'refused', 'withdrawn'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const stateSchema = z.object({
  title: localized.optional(),
  /** Business time allowed in this state (for the office, or for the citizen when waits_for is citizen). */
  sla: slaSchema.optional().describe('Business time allowed in this state: "2d" business days or "6h" business hours. For the office unless waits_for is citizen.'),
  /** Staff roles whose inbox shows applications in this state. */
  roles: z.array(z.enum(WORKFLOW_ROLES)).default([]).describe('Staff roles whose inbox shows applications in this state.'),
  /** Who the application waits for in this state: the office (counts toward its deadline) or the citizen. */
  waits_for: z.enum(['office', 'citizen']).default('office'),
  final: z.boolean().default(false),
  outcome: z.enum(OUTCOMES).optional().describe('Required on final states, and only there.'),
}).strict();
export type StateDef = z.infer<typeof stateSchema>;

const requirement = z.enum(['comment', 'attachment']);
export const ACTION_BY = ['staff', 'citizen', 'payment', 'system'] as const;

export const actionSchema = z.object({
  from: key,
  name: key,
  to: key,
  title: localized.optional(),
  roles: z.array(z.enum(WORKFLOW_ROLES)).default([]).describe('Staff roles that may take this action (staff actions only); a manager may take every staff action.'),
  /** Who triggers it when it is not staff: the citizen (resubmit, withdraw), a verified payment, or the system. */
  by: z.enum(ACTION_BY).default('staff'),
  /** What the actor must give: a comment, an attachment, or both; "comment" alone is accepted for [comment]. */
  requires: z.union([requirement, z.array(requirement)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .default([])
    .describe('What the actor must give: comment, attachment, or a list of both.'),
  /** The citizen is told (SMS, email) and the comment is shown to them. */
  to_citizen: z.boolean().default(false),
}).strict();
export type ActionDef = z.infer<typeof actionSchema>;

/** Placeholders a result letter may use besides field keys. */
export const RESULT_PLACEHOLDERS = ['tracking_code', 'org', 'date', 'service'] as const;

export const definitionSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'lower-case letters, digits and -'),
  title: localized,
  summary: localized.optional(),
  category: z.enum(['urban-development', 'property', 'revenue', 'environment', 'transport', 'business', 'social', 'other']),
  maturity: z.number().int().min(1).max(5).describe('E-service maturity: 1 web presence, 2 interactive, 3 transactional, 4 integrated, 5 participatory.'),
  audience: z.enum(['G2C', 'G2B', 'G2G']).default('G2C'),
  keywords: z.array(z.string().max(60)).max(50).default([]).describe('Other names people search for, including common alternative spellings.'),
  fields: z.array(fieldSchema).max(100).default([]),
  documents: z.array(documentSchema).max(30).default([]),
  fees: z.array(feeSchema).max(30).default([]),
  workflow: z.object({
    start: key,
    states: z.record(key, stateSchema),
    actions: z.array(actionSchema).min(1).max(200),
  }).strict(),
  /** What the service costs a citizen in person: trips to the office and calendar days. */
  baseline: z.object({ office_visits: z.number().int().min(0).max(50), days: z.number().min(0).max(365) }).strict()
    .describe('What the service costs a citizen in person: trips to the office and calendar days.'),
  /** The letter issued at a final outcome; {placeholders} are field keys, tracking_code, org, date, service. */
  result: z.object({ granted: localized.optional(), refused: localized.optional() }).strict().optional()
    .describe('The letter issued at a final outcome; {placeholders} are field keys, tracking_code, org, date and service.'),
}).strict().describe('A Pishkhan service definition (see docs/service-definitions.md).');

export type ServiceDefinition = z.infer<typeof definitionSchema>;

/** What an adopting municipality may change without a new version. */
export const overridesSchema = z.object({
  enabled: z.boolean().default(true),
  fee_params: z.record(z.string(), z.record(z.string(), z.number().min(0))).default({}),
  sla: z.record(z.string(), slaSchema).default({}),
  office: z.object({ address: z.string().max(300).optional(), hours: z.string().max(200).optional(), phone: z.string().max(40).optional(), email: z.string().max(200).optional() }).strict().default({}),
}).strict();
export type Overrides = z.infer<typeof overridesSchema>;
