import { z } from 'zod';
import { errorReply } from '../identity/schemas.js';

// Wire shapes of the staff API: inbox, its load summary, claim and assign, escalation notices,
// and the counter channel. Times are ISO 8601 (UTC); the pages show them in Jalali.

export { errorReply };

const orgCode = z.string().max(64).regex(/^[a-z0-9-]+$/);
const keyLike = z.string().max(64).regex(/^[a-z][a-z0-9_-]*$/);
export const DEADLINE_STATUSES = ['on_time', 'at_risk', 'late', 'none'] as const;
export const CHANNELS = ['web', 'counter', 'api'] as const;
const localized = z.object({ fa: z.string(), en: z.string().optional() });

export const inboxQuery = z.object({
  org: orgCode.optional().meta({ description: 'Only this organization (default: every organization where you hold a case-handling role).', example: 'sari' }),
  state: keyLike.optional().meta({ description: 'Workflow state key, e.g. submitted.' }),
  service: z.string().max(64).regex(/^[a-z][a-z0-9-]*$/).optional().meta({ description: 'Service code, e.g. building-permit.' }),
  deadline: z.enum(DEADLINE_STATUSES).optional().meta({ description: 'Deadline status in business time; "none" also covers applications waiting for the citizen.' }),
  assigned: z.enum(['me', 'unassigned']).optional(),
  channel: z.enum(CHANNELS).optional(),
  q: z.string().max(100).optional().meta({ description: 'Tracking-code fragment, or the applicant\'s mobile or national code (Persian digits allowed).' }),
  phase: z.enum(['open', 'closed', 'all']).optional().meta({ description: 'Default open.' }),
  escalated: z.enum(['true', 'false']).optional().meta({ description: 'true: only applications whose current deadline was escalated.' }),
  sort: z.enum(['deadline', 'submitted', '-submitted']).optional().meta({ description: 'deadline: nearest first, none last (default); submitted: oldest first; -submitted: newest first.' }),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  per_page: z.coerce.number().int().min(1).max(100).optional(),
});
export type InboxQuery = z.infer<typeof inboxQuery>;

export const inboxItem = z.object({
  id: z.string(),
  tracking_code: z.string().nullable(),
  org: z.string(),
  service: z.object({ code: z.string(), title: localized }),
  citizen: z.object({ name: z.string(), mobile: z.string() }),
  state: z.object({ key: z.string(), title: localized }),
  phase: z.enum(['draft', 'open', 'closed']),
  channel: z.enum(CHANNELS),
  submitted_at: z.string().nullable(),
  due_at: z.string().nullable(),
  deadline_status: z.enum(DEADLINE_STATUSES),
  waiting_for: z.enum(['office', 'citizen']).nullable(),
  assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
  escalated: z.boolean().meta({ description: 'The current deadline passed and was escalated to the managers.' }),
});

export const inboxReply = z.object({
  items: z.array(inboxItem),
  total: z.number().int(),
  page: z.number().int(),
  per_page: z.number().int(),
  orgs: z.array(z.object({ code: z.string(), all: z.boolean().meta({ description: 'You see every application of this organization (org admin, manager).' }) })),
});

const deadlineCounts = z.object({ on_time: z.number().int(), at_risk: z.number().int(), late: z.number().int(), none: z.number().int() });
export const summaryReply = z.object({
  orgs: z.array(z.object({
    org: z.string(),
    all: z.boolean(),
    open: z.number().int(),
    unassigned: z.number().int(),
    escalated: z.number().int(),
    by_deadline: deadlineCounts,
    by_state: z.array(z.object({ service: z.object({ code: z.string(), title: localized }), key: z.string(), title: localized, count: z.number().int(), late: z.number().int(), at_risk: z.number().int() })),
    by_assignee: z.array(z.object({ id: z.string().nullable(), name: z.string().nullable(), count: z.number().int(), late: z.number().int() })),
  })),
}).meta({
  example: {
    orgs: [{
      org: 'sari', all: true, open: 42, unassigned: 7, escalated: 2,
      by_deadline: { on_time: 31, at_risk: 6, late: 3, none: 2 },
      by_state: [{ service: { code: 'building-permit', title: { fa: 'صدور پروانه ساختمانی', en: 'Building permit' } }, key: 'inspection', title: { fa: 'بازدید میدانی و کنترل نقشه', en: 'Site inspection and plan check' }, count: 9, late: 1, at_risk: 2 }],
      by_assignee: [{ id: '0193a5c2-8a40-7d11-b2c4-51e0f3a9d7e8', name: 'علی کریمی', count: 12, late: 1 }, { id: null, name: null, count: 7, late: 0 }],
    }],
  },
});
export const summaryQuery = z.object({ org: orgCode.optional().meta({ description: 'Only this organization (default: every organization of your inbox).', example: 'sari' }) });

export const idParams = z.object({ id: z.string().min(1).max(64).meta({ example: '0193b1e4-5c2a-7e90-8d4f-3a6b9c1e2f70' }) });
export const assignBody = z.object({ staff_id: z.string().max(64).nullable().meta({ description: 'A colleague with a case-handling role in the application\'s organization; null to unassign.', example: '0193a5c2-8a40-7d11-b2c4-51e0f3a9d7e8' }) });
export const assignmentReply = z.object({ id: z.string(), assignee: z.object({ id: z.string(), name: z.string() }).nullable() })
  .meta({ example: { id: '0193b1e4-5c2a-7e90-8d4f-3a6b9c1e2f70', assignee: { id: '0193a5c2-8a40-7d11-b2c4-51e0f3a9d7e8', name: 'علی کریمی' } } });

export const noticesReply = z.object({
  items: z.array(z.object({
    id: z.string(),
    org: z.string(),
    kind: z.enum(['escalation']),
    application_id: z.string().nullable(),
    tracking_code: z.string().nullable(),
    service_title: localized.nullable(),
    state: z.object({ key: z.string(), title: localized }).nullable(),
    due_at: z.string().nullable(),
    created_at: z.string(),
  })),
}).meta({
  example: {
    items: [{
      id: '0193b2f0-11aa-7c3e-9f20-6d5e4c3b2a19', org: 'sari', kind: 'escalation', application_id: '0193b1e4-5c2a-7e90-8d4f-3a6b9c1e2f70', tracking_code: 'SARI-1405-000123',
      service_title: { fa: 'صدور پروانه ساختمانی', en: 'Building permit' }, state: { key: 'inspection', title: { fa: 'بازدید میدانی و کنترل نقشه', en: 'Site inspection and plan check' } },
      due_at: '2026-11-26T10:30:00.000Z', created_at: '2026-11-26T10:31:00.000Z',
    }],
  },
});

export const counterBody = z.object({
  org: orgCode.meta({ example: 'sari' }),
  service: z.string().max(64).meta({ example: 'no-violation-certificate' }),
  citizen: z.object({
    mobile: z.string().max(40).meta({ example: '09121234567' }),
    national_code: z.string().max(20).optional().meta({ description: 'Required when the citizen is new or has none on record; never overwrites one on record.' }),
    first_name: z.string().max(200).optional(),
    last_name: z.string().max(200).optional(),
  }),
  values: z.record(z.string(), z.unknown()).optional().meta({ description: 'Form values by field key, as for PATCH /api/v1/applications/{id}.' }),
  submit_key: z.string().max(100).optional().meta({ description: 'Submit at once with this key (8-100 of A-Z a-z 0-9 _ -); only for services without required documents.' }),
});
