import { z } from 'zod';
import { errorReply } from '../identity/schemas.js';

// Wire shapes of city problem reports (۱۳۷). Times are ISO 8601 (UTC); pages show them in Jalali.

export { errorReply };

export const REPORT_STATES = ['received', 'in_progress', 'scheduled', 'resolved', 'reopened', 'transferred', 'duplicate', 'rejected'] as const;
const orgCode = z.string().max(64).regex(/^[a-z0-9-]+$/);
const categoryCode = z.string().min(1).max(64).regex(/^[a-z][a-z0-9-]*$/);
const lat = z.coerce.number().min(-90).max(90);
const lng = z.coerce.number().min(-180).max(180);
const localized = z.object({ fa: z.string(), en: z.string() });
const category = z.object({ code: z.string(), title: localized });

export const fileReportBody = z.object({
  category: categoryCode.meta({ description: 'Category code of the municipality of the place, e.g. pothole.', example: 'pothole' }),
  description: z.string().trim().min(5).max(2000),
  lat: lat.meta({ example: 36.5513 }),
  lng: lng.meta({ example: 52.679 }),
  address: z.string().trim().max(300).optional(),
  attributes: z.record(z.string().max(64), z.union([z.string().max(500), z.array(z.string().max(500)).max(20)])).optional()
    .meta({ description: "Answers to the category's extra questions by code (a list for multivaluelist).", example: { size: 'medium' } }),
});

export const fileReportReply = z.object({
  id: z.string().meta({ description: 'The report id the staff and citizen endpoints take.' }),
  tracking_code: z.string().meta({ example: 'BABOL-137-1405-000012' }),
  org: z.string(),
  state: z.enum(REPORT_STATES),
});

export const nearbyQuery = z.object({ lat, lng, category: categoryCode });

export const publicReport = z.object({
  tracking_code: z.string(),
  org: z.string(),
  org_name: localized,
  category,
  state: z.enum(REPORT_STATES),
  lat: z.number(),
  lng: z.number(),
  description: z.string().nullable().meta({ description: 'Null when moderation hid it.' }),
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
});
export const publicReportDetail = publicReport.extend({
  updates: z.array(z.object({ state: z.enum(REPORT_STATES), kind: z.string(), comment: z.string().nullable(), created_at: z.string() })),
  photos: z.array(z.object({ id: z.string(), url: z.string() })),
});
export const codeParams = z.object({ code: z.string().min(1).max(64) });

export const nearbyReply = z.object({ items: z.array(publicReport.extend({ distance_m: z.number().int() })) });
const status = z.enum(['open', 'closed']).meta({ description: 'open: received, in_progress, scheduled, reopened; closed: the rest.' });
export const publicListQuery = z.object({ org: orgCode.optional(), category: categoryCode.optional(), status: status.optional() });
export const publicListReply = z.object({ items: z.array(publicReport) });

export const report = z.object({
  id: z.string(),
  tracking_code: z.string(),
  org: z.string(),
  category,
  description: z.string(),
  lat: z.number(),
  lng: z.number(),
  address: z.string().nullable(),
  state: z.enum(REPORT_STATES),
  duplicate_of: z.string().nullable(),
  due_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
  assigned_department: z.string().nullable(),
  assigned_to: z.string().nullable(),
  assigned_to_name: z.string().nullable(),
  reopened_count: z.number().int(),
  rating: z.number().int().nullable(),
  rating_comment: z.string().nullable(),
  overdue: z.boolean(),
  escalated: z.boolean(),
  hidden: z.boolean(),
  source: z.string(),
  attributes: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
});
export const reportListReply = z.object({ items: z.array(report) });
export const reportDetail = report.extend({
  updates: z.array(z.object({
    id: z.string(), kind: z.string(), state: z.enum(REPORT_STATES), comment: z.string().nullable(), internal: z.boolean(),
    actor_kind: z.string(), actor_name: z.string().nullable(), created_at: z.string(),
  })),
  photos: z.array(z.object({ id: z.string(), url: z.string(), hidden: z.boolean() })),
  can_reopen: z.boolean(),
  can_rate: z.boolean(),
});

export const staffListQuery = z.object({
  org: orgCode.optional(), state: z.enum(REPORT_STATES).optional(), category: categoryCode.optional(), status: status.optional(),
  overdue: z.enum(['1', 'true']).optional().meta({ description: 'Only open reports past their due date, most overdue first.' }),
  assigned: z.enum(['me', 'none']).optional(),
  q: z.string().trim().max(200).optional().meta({ description: 'A tracking code, or words of the description.' }),
});
export const reopenBody = z.object({ comment: z.string().max(2000) });
export const ratingBody = z.object({ rating: z.coerce.number().int().min(1).max(5), comment: z.string().max(1000).optional() });
export const assignBody = z.object({
  department: z.string().max(200).nullable().optional().meta({ description: 'A department name; null to clear.' }),
  officer: z.string().max(64).nullable().optional().meta({ description: 'The id of a staff member of the same organization; null to clear.' }),
});
export const commentBody = z.object({ comment: z.string().max(2000), internal: z.boolean().default(false) });
export const moderateBody = z.object({
  description: z.string().max(2000).optional().meta({ description: 'The redacted text shown from now on; the original goes to the audit log.' }),
  hide_description: z.boolean().optional(),
  hide_photos: z.array(z.string().max(64)).max(20).optional(),
  show_photos: z.array(z.string().max(64)).max(20).optional(),
});

export const idParams = z.object({ id: z.string().min(1).max(64) });
export const stateBody = z.object({
  state: z.enum(REPORT_STATES),
  comment: z.string().trim().max(2000).optional(),
  internal: z.boolean().optional().meta({ description: 'A note for staff only; the citizen is not shown it.' }),
  duplicate_of: z.string().max(64).optional().meta({ description: 'Required for state duplicate: the id or tracking code of the original report of the same municipality.' }),
});

export const photoUploadBody = z.object({
  photos: z.string().meta({ format: 'binary', description: 'One or more parts named "photos": JPEG, PNG or WebP (by content), 8 MB each, 5 per report' }),
});
export const photosReply = z.object({ items: z.array(z.object({ id: z.string(), url: z.string(), hidden: z.boolean() })) });
