import { z } from 'zod';
import { errorReply } from '../identity/schemas.js';

// Wire shapes of the provincial high council for e-services. Times are ISO 8601 (UTC); dates
// typed by people (meeting day, deadline) are Jalali 'YYYY/MM/DD' (Persian digits accepted).

export { errorReply };

const orgCode = z.string().min(1).max(64).regex(/^[a-z0-9-]+$/);
const localized = z.object({ fa: z.string(), en: z.string() });
const period = z.string().min(4).max(10).meta({ description: "A Jalali period: '1404' (year), '1404-s2' (season), '1404-07' (month).", example: '1404-s2' });
const jalaliDate = z.string().min(8).max(12).meta({ description: 'A Jalali date, year/month/day.', example: '1404/12/29' });
const states = z.enum(['open', 'done', 'cancelled']);

export const periodQuery = z.object({ period });
export const codeParams = z.object({ code: z.string().min(1).max(64) });
export const idParams = z.object({ id: z.string().min(1).max(64).meta({ example: '0193ae71-3c5d-7e2f-a410-9b8c7d6e5f40' }) });
export const numberParams = z.object({ number: z.coerce.number().int().min(1).max(100000).meta({ description: 'The meeting\'s number', example: 12 }) });

// ---------- examples for the API documentation ----------
const exMeeting = {
  number: 12, held_at: '2026-11-18T06:30:00.000Z', title: { fa: 'جلسه دوازدهم شورای عالی خدمات الکترونیک استان', en: 'Twelfth meeting of the provincial e-services council' },
  orgs_present: ['mazandaran', 'sari', 'babol', 'amol'], summary: { fa: 'بررسی پیشرفت الکترونیکی‌شدن پروانه ساختمانی در شهرداری‌ها.', en: 'Progress of online building permits in the municipalities.' },
};
const exResolution = {
  id: '0193ae71-3c5d-7e2f-a410-9b8c7d6e5f40', meeting: 12, number: 3,
  text: { fa: 'شهرداری بابل خدمت پروانه ساختمانی را تا پایان دی ۱۴۰۵ کاملاً برخط کند.', en: 'Babol municipality makes the building permit fully online by the end of Dey 1405.' },
  responsible_org: { code: 'babol', name: { fa: 'شهرداری بابل', en: 'Babol Municipality' } }, deadline: '2027-01-20T20:30:00.000Z',
  expected_output: { fa: 'گزارش راه‌اندازی و نخستین پروانه صادرشده به‌صورت برخط', en: 'A launch report and the first permit issued online' },
  internal: false, state: 'open', progress: 40, overdue: false,
  updates: [{ progress: 40, note: 'فرم‌ها و گردش کار تعریف شد؛ آزمایش با ده متقاضی در جریان است.', org: 'babol', created_at: '2026-11-25T10:05:00.000Z' }],
};

const indicator = z.object({
  code: z.string(), title: localized, unit: z.string().meta({ description: 'share (0-1), score (1-5), percent (0-100), count or rials' }),
  kind: z.enum(['computed', 'entered']), description: localized, higher_is_better: z.boolean(), weight: z.number(),
});
const cell = z.object({ value: z.number().nullable(), source: z.string().nullable().meta({ description: "'pishkhan' for computed values; the stated source for entered ones." }), target: z.number().nullable() });
export const indicatorsReply = z.object({
  period: z.string(),
  indicators: z.array(indicator),
  rows: z.array(z.object({
    org: z.object({ code: z.string(), name: localized }).nullable().meta({ description: 'Null for the province as a whole.' }),
    maturity_levels: z.array(z.number().int()).meta({ description: 'Enabled adopted services at maturity levels 1..5.' }),
    values: z.record(z.string(), cell),
  })),
});

export const valueBody = z.object({
  org: orgCode, period,
  value: z.number().min(0),
  source: z.string().trim().min(1).max(300).meta({ example: 'مرکز آمار ایران، سرشماری ۱۴۰۵' }),
});
export const valueReply = z.object({ indicator: z.string(), org: z.string(), period: z.string(), value: z.number(), source: z.string() });
export const targetBody = z.object({ org: orgCode.nullable().optional().meta({ description: 'Absent or null: the province as a whole.' }), period, target: z.number().min(0) });
export const targetReply = z.object({ indicator: z.string(), org: z.string().nullable(), period: z.string(), target: z.number() });

export const rankingReply = z.object({
  period: z.string(),
  method: z.object({
    weights: z.array(z.object({ indicator: z.string(), title: localized, weight: z.number(), higher_is_better: z.boolean() })),
    normalisation: z.literal('min-max').meta({ description: 'Per indicator across municipalities with a value: (v - min) / (max - min), flipped when lower is better, 1 when all are equal. Score = 100 x weighted mean of the normalised values present, re-weighted over them.' }),
    min_coverage: z.number().meta({ description: 'Municipalities with less than this share of the weight known are listed with rank 0.' }),
  }),
  rows: z.array(z.object({
    org: z.string(), name: localized, rank: z.number().int(), score: z.number(), coverage: z.number(),
    normalised: z.record(z.string(), z.number().nullable()), values: z.record(z.string(), cell),
  })),
});

const resolutionBody = z.object({
  text_fa: z.string().trim().min(1).max(3000), text_en: z.string().trim().max(3000).optional(),
  responsible_org: orgCode, deadline: jalaliDate.nullable().optional().meta({ description: 'Last day (Jalali); overdue from the next day in Tehran.' }),
  expected_output_fa: z.string().trim().min(1).max(1000), expected_output_en: z.string().trim().max(1000).optional(),
  internal: z.boolean().optional().meta({ description: 'Internal resolutions never appear on public pages or to the public API.' }),
});
export const newResolutionBody = resolutionBody;
export const meetingBody = z.object({
  held_on: jalaliDate, title_fa: z.string().trim().min(1).max(300), title_en: z.string().trim().max(300).optional(),
  orgs_present: z.array(orgCode).max(100), summary_fa: z.string().max(5000).optional(), summary_en: z.string().max(5000).optional(),
  resolutions: z.array(resolutionBody).max(50).optional(),
});
export const meetingReply = z.object({ number: z.number().int() });
export const meeting = z.object({ number: z.number().int(), held_at: z.string(), title: localized, orgs_present: z.array(z.string()), summary: localized });
export const meetingsReply = z.object({ items: z.array(meeting) }).meta({ example: { items: [exMeeting] } });
export const resolution = z.object({
  id: z.string(), meeting: z.number().int(), number: z.number().int(), text: localized,
  responsible_org: z.object({ code: z.string(), name: localized }), deadline: z.string().nullable(), expected_output: localized,
  internal: z.boolean(), state: states, progress: z.number().int(), overdue: z.boolean(),
  updates: z.array(z.object({ progress: z.number().int(), note: z.string(), org: z.string(), created_at: z.string() })),
});
export const meetingDetailReply = meeting.extend({ resolutions: z.array(resolution) }).meta({ example: { ...exMeeting, resolutions: [exResolution] } });
export const resolutionsQuery = z.object({ meeting: z.coerce.number().int().min(1).max(2_147_483_647).optional().meta({ example: 12 }), org: orgCode.optional().meta({ example: 'babol' }), state: states.optional() });
export const resolutionsReply = z.object({ items: z.array(resolution) }).meta({ example: { items: [exResolution] } });
export const resolutionReply = z.object({ id: z.string(), number: z.number().int() });
export const resolutionPatch = z.object({
  text_fa: z.string().trim().min(1).max(3000).optional(), text_en: z.string().trim().max(3000).optional(),
  responsible_org: orgCode.optional(),
  deadline: jalaliDate.nullable().optional().meta({ description: 'The last day (Jalali); null removes the deadline. A changed deadline is watched again: its passing is notified once.' }),
  expected_output_fa: z.string().trim().min(1).max(1000).optional(), expected_output_en: z.string().trim().max(1000).optional(),
  internal: z.boolean().optional().meta({ description: 'True takes the resolution off the public page and API.' }),
  state: states.optional().meta({ description: "'cancelled' cancels the resolution." }),
}).meta({ description: 'Only the fields given change; each change is audited with its earlier value.' });
export const meetingPatch = z.object({
  held_on: jalaliDate.optional(), title_fa: z.string().trim().min(1).max(300).optional(), title_en: z.string().trim().max(300).optional(),
  orgs_present: z.array(orgCode).max(100).optional(), summary_fa: z.string().max(5000).optional(), summary_en: z.string().max(5000).optional(),
}).meta({ description: 'Only the fields given change; each change is audited with its earlier value.' });
export const targetQuery = z.object({ period, org: orgCode.optional().meta({ description: 'Absent: the province as a whole.' }) });
export const updateBody = z.object({ progress: z.number().int().min(0).max(100), note: z.string().trim().min(1).max(2000) })
  .meta({ example: { progress: 60, note: 'درگاه پرداخت وصل شد و ۳۵ پرونده به‌صورت برخط ثبت شده است.' } });
export const updateReply = z.object({ id: z.string(), progress: z.number().int() }).meta({ example: { id: '0193b3a0-9d8e-7f6a-b5c4-d3e2f1a0b9c8', progress: 60 } });
export const noticesReply = z.object({
  items: z.array(z.object({ id: z.string(), resolution_id: z.string(), meeting: z.number().int(), number: z.number().int(), text: localized, deadline: z.string(), created_at: z.string() })),
}).meta({
  example: {
    items: [{
      id: '0193b4c1-2a3b-7c4d-8e5f-60718293a4b5', resolution_id: exResolution.id, meeting: 12, number: 3, text: exResolution.text,
      deadline: '2027-01-20T20:30:00.000Z', created_at: '2027-01-21T04:00:00.000Z',
    }],
  },
});
