import { z } from 'zod';

// Wire shapes of the applications API. Form values are checked by the service against the
// service definition (the same rules as the pages), which answers with localized field messages.

const localized = z.object({ fa: z.string(), en: z.string().optional() });
const instant = z.string().meta({ description: 'ISO 8601, UTC', example: '2026-11-28T09:00:00.000Z' });

const appId = z.string().max(64).meta({ description: 'The application\'s id', example: '0193b1e4-5c2a-7e90-8d4f-3a6b9c1e2f70' });
export const idParams = z.object({ id: appId });
export const documentParams = z.object({ id: appId, docId: z.string().max(64).meta({ description: 'The document\'s id', example: '0193b1e6-0f4d-7a21-b5c3-8e2d4f6a9b10' }) });
export const codeParams = z.object({ code: z.string().max(80).meta({ example: 'SARI-1405-000123' }) });

export const startBody = z.object({
  org: z.string().max(64).meta({ example: 'sari', description: 'The municipality\'s code' }),
  service: z.string().max(64).meta({ example: 'building-permit', description: 'The adopted service\'s code' }),
  channel: z.enum(['web', 'api', 'counter']).default('api').meta({ description: '"counter": a counter clerk files for a walk-in citizen given by `citizen`' }),
  citizen: z.object({ mobile: z.string().max(40).optional(), id: z.string().max(64).optional() }).optional()
    .meta({ description: 'For the counter channel: the walk-in citizen, by mobile (registered when new) or id.' }),
});

export const patchBody = z.object({
  values: z.record(z.string(), z.unknown()).meta({
    description: 'Field values by key (only those given change). Dates are Jalali (1405/09/08), numbers may use Persian digits, a location is { lat, lng }, a multi-select a list. Invalid values answer 400 naming each field, and nothing is saved.',
    example: { floors: '4', building_area_m2: '480', location: { lat: 36.5633, lng: 53.0601 } },
  }),
});

export const submitBody = z.object({
  submit_key: z.string().max(100).meta({ description: 'A key the client chooses per submission (8-100 of A-Z a-z 0-9 _ -); repeating it returns the same application.', example: 'b1946ac92492d2347c6235b4d2611184' }),
});

export const actionBody = z.object({
  action: z.string().max(64).meta({ example: 'accept', description: 'An action of the service\'s workflow leaving the current state' }),
  comment: z.string().max(4000).optional(),
  internal: z.boolean().optional().meta({ description: 'Staff only: the comment is an internal note the citizen does not see' }),
  document_ids: z.array(z.string().max(64)).max(20).optional().meta({ description: 'Attachments (uploaded first with doc_key staff_attachment)' }),
});

/** The multipart upload, for the documentation (the route reads the stream itself). */
export const uploadBody = z.object({
  doc_key: z.string().max(64).meta({ description: 'The document of the service definition (sent before the file)', example: 'deed' }),
  file: z.string().meta({ format: 'binary', description: 'The file; its type is decided by its content' }),
});

export const noteBody = z.object({ text: z.string().max(4000).meta({ example: 'بازدید میدانی برای شنبه هماهنگ شد.' }) });
export const ratingBody = z.object({ rating: z.number().int().meta({ description: '1 to 5', example: 5 }), comment: z.string().max(4000).optional().meta({ example: 'سریع و بدون مراجعه حضوری انجام شد.' }) });

const feeItem = z.object({ key: z.string(), title: localized, amount: z.number().int().meta({ description: 'Rials' }) });
export const feesReply = z.object({ items: z.array(feeItem), total: z.number().int().meta({ description: 'Rials' }) }).meta({
  example: { items: [{ key: 'file_fee', title: { fa: 'هزینه تشکیل و کارشناسی پرونده', en: 'File and review fee' }, amount: 3500000 }, { key: 'fire_levy', title: { fa: 'عوارض خدمات آتش‌نشانی', en: 'Fire-service levy' }, amount: 43200000 }], total: 46700000 },
});

export const documentReply = z.object({
  id: z.string(),
  doc_key: z.string(),
  filename: z.string(),
  mime: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  uploaded_by: z.string(),
  created_at: instant,
  url: z.string(),
});

export const eventReply = z.object({
  id: z.string(),
  type: z.string().meta({ description: 'submitted | action | note | rated' }),
  action: z.string().nullable(),
  action_title: localized.nullable(),
  from_state: z.string().nullable(),
  to_state: z.string().nullable(),
  to_state_title: localized.nullable(),
  actor_kind: z.string(),
  actor_name: z.string().nullable(),
  comment: z.string().nullable(),
  internal: z.boolean(),
  document_ids: z.array(z.string()),
  rating: z.number().nullable(),
  created_at: instant,
});

const stateReply = z.object({ key: z.string(), title: localized, waits_for: z.enum(['office', 'citizen']), final: z.boolean() });

export const applicationReply = z.object({
  id: z.string(),
  tracking_code: z.string().nullable(),
  org: z.object({ code: z.string(), name: localized }),
  service: z.object({ code: z.string(), title: localized, version: z.number().int() }),
  channel: z.enum(['web', 'counter', 'api']),
  phase: z.enum(['draft', 'open', 'closed']),
  state: stateReply,
  outcome: z.string().nullable(),
  values: z.record(z.string(), z.unknown()),
  fees: feesReply,
  due_at: instant.nullable().meta({ description: 'The office\'s deadline in this state' }),
  citizen_due_at: instant.nullable().meta({ description: 'The citizen\'s deadline when the state waits for them' }),
  deadline_status: z.enum(['none', 'on_time', 'at_risk', 'late']),
  created_at: instant,
  submitted_at: instant.nullable(),
  closed_at: instant.nullable(),
  updated_at: instant,
  rating: z.number().int().nullable(),
  rating_comment: z.string().nullable(),
  result_code: z.string().nullable().meta({ description: 'Verification code of the result letter (closed applications)' }),
  letter_url: z.string().nullable(),
  editable: z.boolean(),
  actions: z.array(z.object({ name: z.string(), title: localized, to: z.string(), by: z.string(), requires: z.array(z.string()), to_citizen: z.boolean() })),
  documents: z.array(documentReply),
  history: z.array(eventReply),
  citizen: z.object({ id: z.string(), mobile: z.string(), national_code: z.string().nullable(), first_name: z.string().nullable(), last_name: z.string().nullable() }).nullable()
    .meta({ description: 'The applicant; staff only' }),
  assignee_id: z.string().nullable(),
});

export const problemsReply = z.object({ problems: z.record(z.string(), z.string()).meta({ description: 'What still stops submission: field or document key -> message' }) })
  .meta({ example: { problems: { building_area_m2: 'این مورد را پر کنید.', deed: 'این مدرک را بارگذاری کنید.' } } });

export const summaryReply = z.object({
  id: z.string(),
  tracking_code: z.string().nullable(),
  org: z.object({ code: z.string(), name: localized }),
  service: z.object({ code: z.string(), title: localized }),
  phase: z.enum(['draft', 'open', 'closed']),
  state: stateReply,
  outcome: z.string().nullable(),
  channel: z.string(),
  due_at: instant.nullable(),
  created_at: instant,
  submitted_at: instant.nullable(),
  updated_at: instant,
});

export const trackReply = z.object({
  tracking_code: z.string(),
  org: z.object({ code: z.string(), name: localized }),
  service: z.object({ code: z.string(), title: localized }),
  phase: z.enum(['open', 'closed']),
  state: z.object({ title: localized, waits_for: z.enum(['office', 'citizen']), final: z.boolean() }),
  outcome: z.string().nullable(),
  due_at: instant.nullable(),
  submitted_at: instant,
  last_update_at: instant,
});

export const verifyReply = z.object({
  valid: z.literal(true),
  result_code: z.string(),
  tracking_code: z.string(),
  org: z.object({ code: z.string(), name: localized }),
  service: z.object({ code: z.string(), title: localized }),
  outcome: z.string(),
  closed_at: instant,
  holder: z.string().nullable().meta({ description: 'Initial and family name of the applicant' }),
});

/** The download of a document: its bytes with the type checked at upload. */
export const documentFile = {
  description: 'The file, with Content-Type the type found at upload, Content-Disposition carrying its name, and Cache-Control: private, no-store.',
  content: Object.fromEntries(['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/tiff'].map((type) => [type, { schema: z.string().meta({ format: 'binary' }) }])),
};
