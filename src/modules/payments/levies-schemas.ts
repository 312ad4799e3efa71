import { z } from 'zod';
import { errorReply } from '../identity/schemas.js';
import { LEVY_COLUMNS } from './levies-rows.js';

// Wire shapes of the levies API (bills not tied to an application), clearance certificates and
// the staff billing reports. Times are ISO 8601 (UTC); amounts are integer Rials; Jalali dates
// are typed as 1405/09/07 (Persian digits accepted).

export { errorReply };

const localized = z.object({ fa: z.string(), en: z.string() });
const orgRef = z.object({ code: z.string(), name: localized });
const orgCode = z.string().max(64).regex(/^[a-z0-9-]+$/).meta({ example: 'sari' });
export const LEVY_KIND_ENUM = ['renewal_levy', 'business_levy'] as const;

export const levyBill = z.object({
  id: z.string(),
  bill_code: z.string().meta({ example: 'SARI-B-1405-000042' }),
  kind: z.enum(LEVY_KIND_ENUM),
  org: orgRef,
  title: localized.nullable().meta({ description: 'Null in public lookups.' }),
  national_code: z.string().nullable().meta({ description: 'Null in public lookups.' }),
  property_code: z.string().nullable().meta({ description: 'In a lookup by national code, masked to its last four characters (…67-8).' }),
  business_code: z.string().nullable(),
  period: z.string().nullable().meta({ description: 'Jalali year, e.g. 1405.' }),
  amount: z.number().int().meta({ description: 'Rials.' }),
  status: z.enum(['unpaid', 'paid', 'cancelled', 'expired']),
  overdue: z.boolean(),
  due_at: z.string().nullable().meta({ description: 'The end of the due day (Tehran).' }),
  paid_at: z.string().nullable(),
  created_at: z.string(),
});

export const billGroup = z.object({
  org: orgRef,
  unpaid_count: z.number().int(),
  due_total: z.number().int().meta({ description: 'Rials due in this organization.' }),
  bills: z.array(levyBill),
});

export const lookupQuery = z.object({
  org: orgCode.optional().meta({ description: 'The municipality, with property_code or business_code.' }),
  property_code: z.string().max(60).optional().meta({ description: 'کد نوسازی: renewal levies of the property.' }),
  business_code: z.string().max(60).optional().meta({ description: 'Business levies of the business.' }),
  national_code: z.string().max(20).optional().meta({ description: 'Levies of a national code in every municipality (takes precedence).' }),
});

export const lookupReply = z.object({
  lookup: z.object({ by: z.enum(['property', 'business', 'national_code']), org: z.string().nullable(), code: z.string() }),
  groups: z.array(billGroup),
});

export const myBillsReply = z.object({
  national_code: z.string().nullable().meta({ description: 'From the profile; null (and no bills) until the citizen adds it.' }),
  groups: z.array(billGroup),
});

export const payBody = z.object({
  bill_ids: z.array(z.string().max(64)).min(1).max(50).meta({ description: 'Unpaid levies of one organization.' }),
  lookup: lookupQuery.optional().meta({ description: 'The lookup the bills were found by, when they are not the citizen\'s own (e.g. a property they pay for).' }),
  return_to: z.string().max(2000).optional().meta({ description: 'A path on this site to come back to after the bank (default /bills).' }),
});

export const payReply = z.object({
  payment_id: z.string(),
  redirect_url: z.string().meta({ description: 'Send the payer here (the bank\'s payment page).' }),
});

const levyField = (d: string) => z.string().max(200).optional().meta({ description: d });
export const recordBody = z.object({
  org: orgCode,
  kind: z.string().max(40).meta({ description: 'renewal_levy or business_levy (their Persian names are accepted too).' }),
  national_code: levyField('The owner\'s national code (checksum checked).'),
  property_code: levyField('Required for a renewal levy.'),
  business_code: levyField('Required for a business levy.'),
  title: levyField('Optional; defaults to «عوارض نوسازی سال ۱۴۰۵» and the like.'),
  period: levyField('Jalali year, e.g. 1405.'),
  amount_rials: levyField('Integer Rials; separators and Persian digits accepted.'),
  due_date: levyField('Jalali date, e.g. 1405/12/29 (optional).'),
});

export const importProblem = z.object({
  line: z.number().int().meta({ description: 'Line of the file (1 is the header).' }),
  column: z.union([z.enum(LEVY_COLUMNS), z.literal('')]),
  code: z.string(),
  message: z.string(),
  value: z.string().nullable(),
});

export const importBatch = z.object({
  id: z.string(),
  org: z.string(),
  filename: z.string(),
  rows: z.number().int(),
  total_amount: z.number().int(),
  first_bill_code: z.string().nullable(),
  last_bill_code: z.string().nullable(),
  created_at: z.string(),
});

export const importReply = z.object({
  status: z.enum(['imported', 'already_imported', 'rejected']),
  batch: importBatch.nullable(),
  rows: z.number().int().meta({ description: 'Data rows in the file.' }),
  problems: z.array(importProblem).meta({ description: 'Every problem of every bad row; nothing is imported unless this is empty.' }),
});

export const importBody = z.object({
  org: orgCode,
  file: z.string().meta({ format: 'binary', description: 'The CSV file (UTF-8 or Windows-1256; comma, semicolon or tab separated).' }),
});

// ---------- clearance ----------

export const clearanceBody = z.object({ org: orgCode, property_code: z.string().max(60) });

export const clearanceReply = z.object({
  number: z.string().meta({ example: 'SARI-C-1405-000012' }),
  verify_code: z.string().meta({ example: 'K7Q2-9XHM-4R1D' }),
  verify_url: z.string(),
  certificate_url: z.string(),
  org: orgRef,
  property_code: z.string(),
  periods_through: z.string().nullable().meta({ description: 'The latest Jalali year whose renewal levy was found paid.' }),
  bills_checked: z.number().int(),
  issued_at: z.string(),
  valid_until: z.string(),
  current: z.boolean().meta({ description: 'Still within its validity.' }),
});

export const clearanceRefusedReply = errorReply.extend({
  unpaid: z.array(z.object({ bill_id: z.string(), bill_code: z.string(), period: z.string().nullable(), amount: z.number().int(), due_at: z.string().nullable() })),
});

export const codeParams = z.object({ code: z.string().max(40) });

// ---------- staff lists and reports ----------

export const staffListQuery = z.object({
  org: orgCode.optional().meta({ description: 'Default: your first organization where you may see bills.' }),
  from: z.string().max(12).optional().meta({ description: 'Jalali date, inclusive (bills: issued; payments: started).', example: '1405/09/01' }),
  to: z.string().max(12).optional().meta({ description: 'Jalali date, inclusive.', example: '1405/09/30' }),
  kind: z.enum(['renewal_levy', 'business_levy', 'application', 'other']).optional(),
  service: z.string().max(64).regex(/^[a-z][a-z0-9-]*$/).optional().meta({ description: 'Service code: fees of that service\'s applications.' }),
  state: z.string().max(20).optional().meta({ description: 'Bills: unpaid, overdue, paid, cancelled, expired. Payments: pending, paid, failed, cancelled, expired, refund_due, refunded.' }),
  q: z.string().max(64).optional().meta({ description: 'Bills: bill code (or its start), tracking code, property/business code, national code. Payments: gateway reference, authority or a bill code.' }),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  per_page: z.coerce.number().int().min(1).max(200).optional(),
});

const filtersReply = z.object({
  org: z.string(), from: z.string().nullable(), to: z.string().nullable(), kind: z.string().nullable(), service: z.string().nullable(),
  state: z.string().nullable(), q: z.string().nullable(), page: z.number().int(), per_page: z.number().int(),
});

export const staffBillsReply = z.object({
  org: orgRef,
  filters: filtersReply,
  total: z.number().int(),
  amount: z.number().int().meta({ description: 'Rials, all matching bills.' }),
  items: z.array(z.object({
    id: z.string(), bill_code: z.string(), kind: z.string(), application_id: z.string().nullable(), tracking_code: z.string().nullable(),
    service: z.object({ code: z.string(), title: localized }).nullable(), title: localized,
    national_code: z.string().nullable(), property_code: z.string().nullable(), business_code: z.string().nullable(), period: z.string().nullable(),
    amount: z.number().int(), status: z.enum(['unpaid', 'paid', 'cancelled', 'expired']), overdue: z.boolean(),
    due_at: z.string().nullable(), payment_id: z.string().nullable(), import_batch: z.string().nullable(), created_at: z.string(), paid_at: z.string().nullable(),
  })),
});

export const staffPaymentsReply = z.object({
  org: orgRef,
  filters: filtersReply,
  total: z.number().int(),
  amount: z.number().int(),
  items: z.array(z.object({
    id: z.string(), gateway: z.string(), amount: z.number().int(),
    status: z.enum(['pending', 'paid', 'failed', 'cancelled', 'expired', 'refund_due', 'refunded']),
    authority: z.string().nullable(), ref_id: z.string().nullable(), card_mask: z.string().nullable(), last_error: z.string().nullable(),
    payer: z.object({ name: z.string().nullable(), mobile: z.string() }).nullable(),
    bills: z.array(z.object({ bill_code: z.string(), kind: z.string() })),
    created_at: z.string(), updated_at: z.string(), verified_at: z.string().nullable(),
  })),
});

export const revenueQuery = z.object({
  org: orgCode.optional(),
  from: z.string().max(12).optional().meta({ description: 'Jalali date, inclusive (default: 30 days ago).', example: '1405/09/01' }),
  to: z.string().max(12).optional().meta({ description: 'Jalali date, inclusive (default: today).', example: '1405/09/30' }),
});

export const revenueReply = z.object({
  org: orgRef,
  from: z.string(),
  to: z.string(),
  columns: z.array(z.object({ key: z.string(), kind: z.string(), service_code: z.string().nullable(), title: localized })),
  days: z.array(z.object({
    date: z.string().meta({ description: 'Jalali, e.g. 1405/09/07.' }), day: z.string().meta({ description: 'Gregorian date in Tehran.' }),
    payments: z.number().int(), total: z.number().int(), by_column: z.record(z.string(), z.number().int()),
  })),
  totals: z.object({ payments: z.number().int(), total: z.number().int(), by_column: z.record(z.string(), z.number().int()) }),
});
