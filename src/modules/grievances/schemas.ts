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

// ---------- examples for the API documentation ----------
const exCategory = { code: 'pothole', title: { fa: 'چاله و خرابی آسفالت', en: 'Pothole' } };
const exPublic = {
  tracking_code: 'SARI-137-1405-000012', org: 'sari', org_name: { fa: 'شهرداری ساری', en: 'Sari Municipality' }, category: exCategory, state: 'in_progress',
  lat: 36.5637, lng: 53.0589, description: 'چاله بزرگ وسط خیابان فرهنگ، روبه‌روی مدرسه؛ شب‌ها دیده نمی‌شود.',
  created_at: '2026-11-25T07:12:00.000Z', updated_at: '2026-11-26T09:40:00.000Z', resolved_at: null,
};
const exReport = {
  id: '0193b0d2-4e6f-7a81-9c2b-5d3e7f1a0b64', tracking_code: 'SARI-137-1405-000012', org: 'sari', category: exCategory,
  description: 'چاله بزرگ وسط خیابان فرهنگ، روبه‌روی مدرسه؛ شب‌ها دیده نمی‌شود.', lat: 36.5637, lng: 53.0589, address: 'ساری، خیابان فرهنگ، روبه‌روی دبستان',
  state: 'in_progress', duplicate_of: null, due_at: '2026-12-02T07:12:00.000Z', created_at: '2026-11-25T07:12:00.000Z', updated_at: '2026-11-26T09:40:00.000Z', resolved_at: null,
  assigned_department: 'معاونت فنی و عمرانی', assigned_to: '0193a5c2-8a40-7d11-b2c4-51e0f3a9d7e8', assigned_to_name: 'علی کریمی',
  reopened_count: 0, rating: null, rating_comment: null, overdue: false, escalated: false, hidden: false, source: 'web', attributes: { size: 'medium' },
};
const exPhoto = { id: '0193b0d3-1b2c-7d4e-8f50-a1b2c3d4e5f6', url: '/reports/photos/0193b0d3-1b2c-7d4e-8f50-a1b2c3d4e5f6', hidden: false };
const exUpdate = {
  id: '0193b0f1-7a8b-7c9d-8e0f-112233445566', kind: 'state', state: 'in_progress', comment: 'گروه آسفالت فردا صبح اعزام می‌شود.', internal: false,
  actor_kind: 'staff', actor_name: 'علی کریمی', created_at: '2026-11-26T09:40:00.000Z',
};

export const fileReportBody = z.object({
  category: categoryCode.meta({ description: 'Category code of the municipality of the place, e.g. pothole.', example: 'pothole' }),
  description: z.string().trim().min(5).max(2000).meta({ example: 'چاله بزرگ وسط خیابان فرهنگ، روبه‌روی مدرسه؛ شب‌ها دیده نمی‌شود.' }),
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

export const nearbyQuery = z.object({ lat: lat.meta({ example: 36.5637 }), lng: lng.meta({ example: 53.0589 }), category: categoryCode.meta({ example: 'pothole' }) });

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
}).meta({ example: exPublic });
export const publicReportDetail = publicReport.extend({
  updates: z.array(z.object({ state: z.enum(REPORT_STATES), kind: z.string(), comment: z.string().nullable(), created_at: z.string() })),
  photos: z.array(z.object({ id: z.string(), url: z.string() })),
}).meta({
  example: {
    ...exPublic,
    updates: [{ state: 'received', kind: 'state', comment: null, created_at: '2026-11-25T07:12:00.000Z' }, { state: 'in_progress', kind: 'state', comment: 'گروه آسفالت فردا صبح اعزام می‌شود.', created_at: '2026-11-26T09:40:00.000Z' }],
    photos: [{ id: exPhoto.id, url: exPhoto.url }],
  },
});
export const codeParams = z.object({ code: z.string().min(1).max(64).meta({ example: 'SARI-137-1405-000012' }) });

export const nearbyReply = z.object({ items: z.array(publicReport.extend({ distance_m: z.number().int() })) }).meta({ example: { items: [{ ...exPublic, distance_m: 84 }] } });
const status = z.enum(['open', 'closed']).meta({ description: 'open: received, in_progress, scheduled, reopened; closed: the rest.' });
export const publicListQuery = z.object({ org: orgCode.optional().meta({ example: 'sari' }), category: categoryCode.optional().meta({ example: 'pothole' }), status: status.optional() });
export const publicListReply = z.object({ items: z.array(publicReport) }).meta({ example: { items: [exPublic] } });

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
}).meta({ example: exReport });
export const reportListReply = z.object({ items: z.array(report) }).meta({ example: { items: [exReport] } });
export const reportDetail = report.extend({
  updates: z.array(z.object({
    id: z.string(), kind: z.string(), state: z.enum(REPORT_STATES), comment: z.string().nullable(), internal: z.boolean(),
    actor_kind: z.string(), actor_name: z.string().nullable(), created_at: z.string(),
  })),
  photos: z.array(z.object({ id: z.string(), url: z.string(), hidden: z.boolean() })),
  can_reopen: z.boolean(),
  can_rate: z.boolean(),
}).meta({ example: { ...exReport, updates: [exUpdate], photos: [exPhoto], can_reopen: false, can_rate: false } });

export const staffListQuery = z.object({
  org: orgCode.optional().meta({ example: 'sari' }), state: z.enum(REPORT_STATES).optional(), category: categoryCode.optional().meta({ example: 'pothole' }), status: status.optional(),
  overdue: z.enum(['1', 'true']).optional().meta({ description: 'Only open reports past their due date, most overdue first.' }),
  assigned: z.enum(['me', 'none']).optional(),
  q: z.string().trim().max(200).optional().meta({ description: 'A tracking code, or words of the description.' }),
});
export const reopenBody = z.object({ comment: z.string().max(2000).meta({ example: 'چاله فقط با خاک پر شده و دوباره باز شده است.' }) });
export const ratingBody = z.object({ rating: z.coerce.number().int().min(1).max(5).meta({ example: 4 }), comment: z.string().max(1000).optional().meta({ example: 'ظرف دو روز درست شد؛ ممنون.' }) });
export const assignBody = z.object({
  department: z.string().max(200).nullable().optional().meta({ description: 'A department name; null to clear.' }),
  officer: z.string().max(64).nullable().optional().meta({ description: 'The id of a staff member of the same organization; null to clear.' }),
}).meta({ example: { department: 'معاونت فنی و عمرانی', officer: '0193a5c2-8a40-7d11-b2c4-51e0f3a9d7e8' } });
export const commentBody = z.object({ comment: z.string().max(2000), internal: z.boolean().default(false) })
  .meta({ example: { comment: 'محل بازدید شد؛ ترمیم آسفالت در برنامه هفته آینده است.', internal: false } });
export const moderateBody = z.object({
  description: z.string().max(2000).optional().meta({ description: 'The redacted text shown from now on; the original goes to the audit log.' }),
  hide_description: z.boolean().optional(),
  hide_photos: z.array(z.string().max(64)).max(20).optional(),
  show_photos: z.array(z.string().max(64)).max(20).optional(),
}).meta({ example: { description: 'چاله بزرگ وسط خیابان فرهنگ؛ [شماره تلفن حذف شد]', hide_photos: ['0193b0d3-1b2c-7d4e-8f50-a1b2c3d4e5f6'] } });

export const idParams = z.object({ id: z.string().min(1).max(64).meta({ example: '0193b0d2-4e6f-7a81-9c2b-5d3e7f1a0b64' }) });
export const stateBody = z.object({
  state: z.enum(REPORT_STATES),
  comment: z.string().trim().max(2000).optional(),
  internal: z.boolean().optional().meta({ description: 'A note for staff only; the citizen is not shown it.' }),
  duplicate_of: z.string().max(64).optional().meta({ description: 'Required for state duplicate: the id or tracking code of the original report of the same municipality.' }),
}).meta({ example: { state: 'resolved', comment: 'چاله با آسفالت گرم ترمیم شد.', internal: false } });

export const photoUploadBody = z.object({
  photos: z.string().meta({ format: 'binary', description: 'One or more parts named "photos": JPEG, PNG or WebP (by content), 8 MB each, 5 per report' }),
});
export const photosReply = z.object({ items: z.array(z.object({ id: z.string(), url: z.string(), hidden: z.boolean() })) }).meta({ example: { items: [exPhoto] } });
