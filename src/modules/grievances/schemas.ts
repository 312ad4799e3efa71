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
});

export const fileReportReply = z.object({
  tracking_code: z.string().meta({ example: 'BABOL-137-1405-000012' }),
  org: z.string(),
  state: z.enum(REPORT_STATES),
});

export const nearbyQuery = z.object({ lat, lng, category: categoryCode });

export const publicReport = z.object({
  tracking_code: z.string(),
  org: z.string(),
  category,
  state: z.enum(REPORT_STATES),
  lat: z.number(),
  lng: z.number(),
  description: z.string().nullable().meta({ description: 'Null when moderation hid it.' }),
  created_at: z.string(),
  resolved_at: z.string().nullable(),
});

export const nearbyReply = z.object({ items: z.array(publicReport.extend({ distance_m: z.number().int() })) });
export const publicListQuery = z.object({ org: orgCode.optional(), category: categoryCode.optional() });
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
});
export const reportListReply = z.object({ items: z.array(report) });

export const staffListQuery = z.object({ org: orgCode.optional(), state: z.enum(REPORT_STATES).optional(), category: categoryCode.optional() });

export const idParams = z.object({ id: z.string().min(1).max(64) });
export const stateBody = z.object({
  state: z.enum(REPORT_STATES),
  comment: z.string().trim().max(2000).optional(),
  internal: z.boolean().optional().meta({ description: 'A note for staff only; the citizen is not shown it.' }),
  duplicate_of: z.string().max(64).optional().meta({ description: 'Required for state duplicate: the id of the original report of the same municipality.' }),
});
