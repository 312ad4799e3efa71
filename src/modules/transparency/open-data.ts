/**
 * Open data: what each published dataset holds (its Table Schema), how a file is written
 * (RFC 4180 CSV with a BOM, or JSON), the rows of each dataset, and the DCAT catalog.
 * The KPI aggregates come from the rollups (kpi.ts); the per-application and per-report timing
 * records are streamed page by page from open-data-queries.ts and never held in memory whole.
 * No file holds anything that names or identifies a person: no ids, tracking codes, citizens,
 * free text or addresses; report places are rounded to cells of about a kilometre.
 */
import { Readable } from 'node:stream';
import type { DB } from '../../platform/db/index.js';
import type { BusinessCalendar } from '../../platform/calendar/business.js';
import { tehranDayKey } from '../../platform/i18n/format.js';
import { tehranInstant } from '../../platform/i18n/tehran.js';
import { KPI_DEFINITIONS, type KpiUnit } from './definitions.js';
import { kpis, league, serviceBreakdown, type KpiOptions, type KpiSet, type Scope } from './kpi.js';
import { formatPeriod, periodOfDay, periodRange, previousPeriods, shiftPeriod, type Period, type PeriodKind } from './periods.js';
import * as q from './open-data-queries.js';

export type DatasetId = 'kpis' | 'applications' | 'reports';
export const DATASET_IDS: readonly DatasetId[] = ['kpis', 'applications', 'reports'];
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;
type Text = { fa: string; en: string };

export const LICENCE = { id: 'CC-BY-4.0', title: 'Creative Commons Attribution 4.0 International (CC BY 4.0)', url: 'https://creativecommons.org/licenses/by/4.0/' } as const;
export const PUBLISHER: Text = { fa: 'سازمان فاوای شهرداری ساری (پیشخوان خدمات الکترونیک استان مازندران)', en: 'ICT Organization of Sari Municipality (Pishkhan, the e-services counter of Mazandaran)' };

/** A column of a dataset, as Frictionless Table Schema describes a field. */
export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'date' | 'boolean';
  title: Text;
  description: Text;
  enum?: string[];
  required?: boolean;
}

export interface Dataset {
  id: DatasetId;
  title: Text;
  description: Text;
  keywords: string[];
  columns: Column[];
}

const KPI_UNITS: KpiUnit[] = ['count', 'share', 'days', 'rials', 'score'];

export const DATASETS: Record<DatasetId, Dataset> = {
  kpis: {
    id: 'kpis',
    title: { fa: 'شاخص‌های عملکرد خدمات الکترونیک و گزارش‌های ۱۳۷', en: 'Performance indicators of e-services and 137 reports' },
    description: {
      fa: 'شاخص‌های داشبورد شفافیت برای هر دوره (ماه، فصل یا سال خورشیدی) و هر دامنه (استان، شهرداری، خدمت)، در قالب بلند: یک سطر برای هر شاخص. همان اعدادی که صفحه‌های /transparency نشان می‌دهند.',
      en: 'The transparency dashboard\'s indicators per period (Jalali month, season or year) and scope (province, municipality, service), in long format: one row per indicator. The same numbers the /transparency pages show.',
    },
    keywords: ['KPI', 'e-services', 'service performance', 'شاخص', 'خدمات الکترونیک'],
    columns: [
      { name: 'period', type: 'string', required: true, title: { fa: 'دوره', en: 'Period' }, description: { fa: 'دوره به تقویم خورشیدی: 1404، 1404-s2 (فصل) یا 1404-07 (ماه).', en: 'Jalali period: 1404 (year), 1404-s2 (season) or 1404-07 (month).' } },
      { name: 'period_start', type: 'date', required: true, title: { fa: 'آغاز دوره', en: 'Period start' }, description: { fa: 'نخستین روز دوره (میلادی، به وقت تهران).', en: 'First day of the period (Gregorian, Tehran time).' } },
      { name: 'period_end', type: 'date', required: true, title: { fa: 'پایان دوره', en: 'Period end' }, description: { fa: 'واپسین روز دوره (میلادی، به وقت تهران)، با خود روز.', en: 'Last day of the period (Gregorian, Tehran time), inclusive.' } },
      { name: 'org_code', type: 'string', title: { fa: 'کد سازمان', en: 'Organization code' }, description: { fa: 'کد شهرداری؛ خالی یعنی کل استان.', en: 'Municipality code; empty means the whole province.' } },
      { name: 'service_code', type: 'string', title: { fa: 'کد خدمت', en: 'Service code' }, description: { fa: 'کد خدمت؛ خالی یعنی همهٔ خدمت‌ها.', en: 'Service code; empty means all services.' } },
      { name: 'kpi', type: 'string', required: true, title: { fa: 'شاخص', en: 'Indicator' }, description: { fa: 'کلید شاخص، مانند applications.median_days (تعریف‌ها در docs/open-data.md و صفحهٔ شفافیت).', en: 'Indicator key, e.g. applications.median_days (definitions in docs/open-data.md and on the transparency pages).' } },
      { name: 'value', type: 'number', title: { fa: 'مقدار', en: 'Value' }, description: { fa: 'مقدار شاخص؛ خالی یعنی نامعلوم (مثلاً بدون درخواست پایان‌یافته). سهم‌ها بین ۰ و ۱اند.', en: 'The value; empty when unknown (e.g. nothing completed). Shares are between 0 and 1.' } },
      { name: 'unit', type: 'string', required: true, enum: KPI_UNITS, title: { fa: 'یکا', en: 'Unit' }, description: { fa: 'count تعداد، share سهم ۰ تا ۱، days روز کاری، rials ریال، score امتیاز.', en: 'count, share (0-1), days (business days), rials, score.' } },
    ],
  },
  applications: {
    id: 'applications',
    title: { fa: 'زمان رسیدگی به درخواست‌ها (بی‌نام)', en: 'Application processing times (anonymized)' },
    description: {
      fa: 'یک سطر برای هر درخواست ثبت‌شده یا پایان‌یافته در دوره: سازمان، خدمت، مجرا، روز ثبت، روز پایان، روزهای کاری، انجام در مهلت و نتیجه. بی شناسه، کد رهگیری، شهروند یا متن آزاد. درخواست‌های گروه‌های کوچک (سازمان × خدمت × ماه ثبت با کمتر از آستانهٔ انتشار، پیش‌فرض ۵ درخواست) یک‌به‌یک منتشر نمی‌شوند تا کسی از روی آن‌ها شناخته نشود؛ در آمار تجمیعی شمرده می‌شوند.',
      en: 'One row per application submitted or completed in the period: organization, service, channel, day submitted, day completed, business days, within deadline and outcome. No id, tracking code, citizen or free text. Applications of small groups (organization x service x Jalali month of submission with fewer than the publication threshold, 5 by default) are not published one by one, so that no one can be singled out; the aggregates still count them.',
    },
    keywords: ['applications', 'processing time', 'SLA', 'درخواست', 'زمان رسیدگی'],
    columns: [
      { name: 'org_code', type: 'string', required: true, title: { fa: 'کد سازمان', en: 'Organization code' }, description: { fa: 'شهرداری یا سازمانی که درخواست را دریافت کرده است.', en: 'The municipality or organization that received the application.' } },
      { name: 'service_code', type: 'string', required: true, title: { fa: 'کد خدمت', en: 'Service code' }, description: { fa: 'کد الگوی خدمت در فهرست خدمات.', en: 'The service template code in the catalog.' } },
      { name: 'channel', type: 'string', required: true, enum: ['web', 'counter', 'api'], title: { fa: 'مجرا', en: 'Channel' }, description: { fa: 'web برخط، counter باجهٔ حضوری، api سامانهٔ دیگر.', en: 'web (online), counter (filed by a clerk for a walk-in citizen), api (another system).' } },
      { name: 'submitted_on', type: 'date', required: true, title: { fa: 'روز ثبت', en: 'Submitted on' }, description: { fa: 'روز ثبت نهایی (میلادی، به وقت تهران).', en: 'Day of submission (Gregorian, Tehran time).' } },
      { name: 'completed_on', type: 'date', title: { fa: 'روز پایان', en: 'Completed on' }, description: { fa: 'روز رسیدن به وضعیت پایانی؛ خالی اگر هنوز باز است.', en: 'Day the application reached a final state; empty while open.' } },
      { name: 'business_days', type: 'number', title: { fa: 'روزهای کاری', en: 'Business days' }, description: { fa: 'روزهای کاری از ثبت تا پایان (با دقت یک‌صدم)؛ خالی اگر باز است.', en: 'Business days from submission to the final state, to 0.01 day; empty while open.' } },
      { name: 'within_deadline', type: 'boolean', title: { fa: 'در مهلت', en: 'Within deadline' }, description: { fa: 'true اگر هیچ مرحلهٔ اداری پس از سررسیدش ترک نشده است؛ خالی اگر باز است.', en: 'true when no office state was left after its deadline; empty while open.' } },
      { name: 'outcome', type: 'string', title: { fa: 'نتیجه', en: 'Outcome' }, description: { fa: 'نتیجهٔ وضعیت پایانی از تعریف خدمت (مانند granted، refused، withdrawn)؛ خالی اگر باز است.', en: 'The final state\'s outcome from the service definition (e.g. granted, refused, withdrawn); empty while open.' } },
    ],
  },
  reports: {
    id: 'reports',
    title: { fa: 'زمان رسیدگی به گزارش‌های ۱۳۷ (بی‌نام)', en: '137 city problem reports: resolution times (anonymized)' },
    description: {
      fa: 'یک سطر برای هر گزارش ثبت‌شده یا رسیدگی‌شده در دوره: شهرداری، موضوع، روز ثبت، روز رسیدگی، روزهای کاری، وضعیت و مکان تقریبی (حدود یک کیلومتر). بی شناسه، کد رهگیری، شهروند، متن یا نشانی.',
      en: 'One row per report filed or resolved in the period: municipality, category, day filed, day resolved, business days, state and an approximate place (about 1 km). No id, tracking code, citizen, text or address.',
    },
    keywords: ['137', 'city problems', 'Open311', 'گزارش ۱۳۷'],
    columns: [
      { name: 'org_code', type: 'string', required: true, title: { fa: 'کد شهرداری', en: 'Municipality code' }, description: { fa: 'شهرداری‌ای که گزارش به آن رسیده است.', en: 'The municipality the report went to.' } },
      { name: 'category_code', type: 'string', required: true, title: { fa: 'کد موضوع', en: 'Category code' }, description: { fa: 'موضوع گزارش (همان service_code در Open311).', en: 'The report category (the Open311 service_code).' } },
      { name: 'filed_on', type: 'date', required: true, title: { fa: 'روز ثبت', en: 'Filed on' }, description: { fa: 'روز ثبت گزارش (میلادی، به وقت تهران).', en: 'Day the report was filed (Gregorian, Tehran time).' } },
      { name: 'resolved_on', type: 'date', title: { fa: 'روز رسیدگی', en: 'Resolved on' }, description: { fa: 'روز آخرین رسیدگی؛ خالی اگر رسیدگی نشده است.', en: 'Day of the latest resolution; empty when not resolved.' } },
      { name: 'business_days', type: 'number', title: { fa: 'روزهای کاری', en: 'Business days' }, description: { fa: 'روزهای کاری از ثبت تا آخرین رسیدگی (با دقت یک‌صدم).', en: 'Business days from filing to the latest resolution, to 0.01 day.' } },
      { name: 'within_deadline', type: 'boolean', title: { fa: 'در مهلت', en: 'Within deadline' }, description: { fa: 'true اگر آخرین رسیدگی در مهلت موضوع بوده است.', en: 'true when the latest resolution was at or before the report\'s due time.' } },
      { name: 'state', type: 'string', required: true, enum: ['received', 'in_progress', 'scheduled', 'resolved', 'reopened', 'transferred', 'duplicate', 'rejected'], title: { fa: 'وضعیت', en: 'State' }, description: { fa: 'وضعیت کنونی گزارش.', en: 'The report\'s state now.' } },
      { name: 'reopened', type: 'integer', required: true, title: { fa: 'بازگشایی‌ها', en: 'Times reopened' }, description: { fa: 'دفعاتی که شهروند گزارش را بازگشایی کرده است.', en: 'Times the citizen reopened the report.' } },
      { name: 'lat_1km', type: 'number', title: { fa: 'عرض جغرافیایی تقریبی', en: 'Approximate latitude' }, description: { fa: 'عرض جغرافیایی گردشده به ۰٫۰۱ درجه (حدود ۱٫۱ کیلومتر).', en: 'Latitude rounded to 0.01 degree (about 1.1 km).' } },
      { name: 'lng_1km', type: 'number', title: { fa: 'طول جغرافیایی تقریبی', en: 'Approximate longitude' }, description: { fa: 'طول جغرافیایی گردشده به ۰٫۰۱ درجه (حدود ۰٫۹ کیلومتر در مازندران).', en: 'Longitude rounded to 0.01 degree (about 0.9 km in Mazandaran).' } },
    ],
  },
};

/** The Frictionless Table Schema of a dataset (https://specs.frictionlessdata.io/table-schema/). */
export function tableSchema(id: DatasetId) {
  const d = DATASETS[id];
  return {
    $schema: 'https://specs.frictionlessdata.io/schemas/table-schema.json',
    name: d.id,
    title: d.title.en,
    description: d.description.en,
    fields: d.columns.map((c) => ({
      name: c.name, type: c.type, title: c.title.en, description: c.description.en, 'title@fa': c.title.fa, 'description@fa': c.description.fa,
      ...(c.type === 'date' ? { format: 'default' } : {}),
      ...(c.type === 'boolean' ? { trueValues: ['true'], falseValues: ['false'] } : {}),
      ...(c.required || c.enum ? { constraints: { ...(c.required ? { required: true } : {}), ...(c.enum ? { enum: c.enum } : {}) } } : {}),
    })),
    missingValues: [''],
  };
}

// ---------- files ----------

/** Excel opens a UTF-8 CSV as Persian only when it starts with a byte order mark. */
export const BOM = '\uFEFF';

function csvField(v: Cell): string {
  if (v === null) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One RFC 4180 record, CRLF-terminated. */
export function csvLine(values: readonly Cell[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

const BATCH = 500;

/** A CSV file (BOM, header row, records) of rows, written as they come. */
export function csvStream(id: DatasetId, rows: AsyncIterable<Row>): Readable {
  const names = DATASETS[id].columns.map((c) => c.name);
  return Readable.from((async function* () {
    yield BOM + csvLine(names);
    let chunk = '';
    let n = 0;
    for await (const r of rows) {
      chunk += csvLine(names.map((k) => r[k] ?? null));
      if (++n % BATCH === 0) { yield chunk; chunk = ''; }
    }
    if (chunk) yield chunk;
  })(), { objectMode: false });
}

/** A JSON file `{ dataset, licence, schema, query, rows: [...] }`, written as the rows come. */
export function jsonStream(id: DatasetId, head: Record<string, unknown>, rows: AsyncIterable<Row>): Readable {
  const names = DATASETS[id].columns.map((c) => c.name);
  const opening = JSON.stringify({ dataset: id, ...head, rows: [] }).slice(0, -2);
  return Readable.from((async function* () {
    let chunk = opening;
    let n = 0;
    for await (const r of rows) {
      const ordered: Row = {};
      for (const k of names) ordered[k] = r[k] ?? null;
      chunk += `${n === 0 ? '\n' : ',\n'}${JSON.stringify(ordered)}`;
      if (++n % BATCH === 0) { yield chunk; chunk = ''; }
    }
    yield `${chunk}\n]}\n`;
  })(), { objectMode: false });
}

// ---------- rows ----------

/** The periods a file covers: the period itself, or its months/seasons when split `by` a finer kind (none after `now`). */
export function splitPeriod(p: Period, by: PeriodKind | undefined, now: number): Period[] | null {
  const rank: Record<PeriodKind, number> = { month: 0, season: 1, year: 2 };
  if (!by || by === p.kind) return [p];
  if (rank[by] > rank[p.kind]) return null;
  const count = p.kind === 'year' ? (by === 'month' ? 12 : 4) : 3;
  const first: Period = { kind: by, year: p.year, index: by === 'month' ? (p.kind === 'season' ? (p.index - 1) * 3 + 1 : 1) : 1 };
  const last = shiftPeriod(first, count - 1);
  const today = tehranDayKey(now);
  return previousPeriods(last, count).filter((x) => periodRange(x).from <= today);
}

/** A KpiSet as (key, value, unit) triples in the order of KPI_DEFINITIONS; objects and arrays are spread into sub-keys. */
export function kpiEntries(set: KpiSet, extra: { score?: number } = {}): { kpi: string; value: number | null; unit: KpiUnit }[] {
  const out: { kpi: string; value: number | null; unit: KpiUnit }[] = [];
  for (const d of KPI_DEFINITIONS) {
    if (d.key === 'league.score') {
      if (extra.score !== undefined) out.push({ kpi: d.key, value: extra.score, unit: d.unit });
      continue;
    }
    let v: unknown = set;
    for (const part of d.key.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    if (v === undefined) continue;
    if (v === null || typeof v === 'number') { out.push({ kpi: d.key, value: v, unit: d.unit }); continue; }
    if (d.key === 'applications.satisfaction') {
      const s = v as KpiSet['applications']['satisfaction'];
      out.push({ kpi: `${d.key}.mean`, value: s.mean, unit: 'score' });
      out.push({ kpi: `${d.key}.respondents`, value: s.respondents, unit: 'count' });
      s.distribution.forEach((n, i) => out.push({ kpi: `${d.key}.distribution.${i + 1}`, value: n, unit: 'count' }));
    }
  }
  return out;
}

export interface KpiQuery { periods: Period[]; scope: Scope; all: boolean; options: KpiOptions }

/** The scopes of a KPI file: the one asked for, or with `all` also every org and service within it. */
async function* kpiScopes(db: DB, p: Period, scope: Scope, all: boolean, o: KpiOptions): AsyncGenerator<{ scope: Scope; set: KpiSet; score?: number }> {
  const needLeague = !scope.service && (scope.org !== undefined || all);
  const table = needLeague ? await league(db, p, o) : [];
  const scoreOf = (org: string) => table.find((r) => r.org.code === org)?.score;
  if (!all) {
    yield { scope, set: await kpis(db, scope, p, o), score: scope.org && !scope.service ? scoreOf(scope.org) : undefined };
    return;
  }
  if (scope.org) {
    if (!scope.service) yield { scope, set: await kpis(db, scope, p, o), score: scoreOf(scope.org) };
    for (const s of await serviceBreakdown(db, { org: scope.org }, p, o)) {
      if (!scope.service || s.service.code === scope.service) yield { scope: { org: scope.org, service: s.service.code }, set: s.kpis };
    }
    return;
  }
  yield { scope, set: await kpis(db, scope, p, o) };
  if (!scope.service) for (const s of await serviceBreakdown(db, {}, p, o)) yield { scope: { service: s.service.code }, set: s.kpis };
  for (const r of table.length ? table : await league(db, p, o)) {
    if (!scope.service) yield { scope: { org: r.org.code }, set: r.kpis, score: r.score };
    for (const s of await serviceBreakdown(db, { org: r.org.code }, p, o)) {
      if (!scope.service || s.service.code === scope.service) yield { scope: { org: r.org.code, service: s.service.code }, set: s.kpis };
    }
  }
}

/** The KPI dataset's rows: for each period and scope, one row per indicator. */
export async function* kpiRows(db: DB, query: KpiQuery): AsyncGenerator<Row> {
  for (const p of query.periods) {
    const range = periodRange(p);
    const period = formatPeriod(p);
    for await (const s of kpiScopes(db, p, query.scope, query.all, query.options)) {
      for (const e of kpiEntries(s.set, { score: s.score })) {
        yield { period, period_start: range.from, period_end: range.to, org_code: s.scope.org ?? '', service_code: s.scope.service ?? '', kpi: e.kpi, value: e.value, unit: e.unit };
      }
    }
  }
}

/** The instants [from, to) of a period's Tehran days. */
export function periodInstants(p: Period): { from: number; to: number } {
  const r = periodRange(p);
  const civil = (iso: string) => { const [year, month, day] = iso.split('-').map(Number) as [number, number, number]; return { year, month, day }; };
  const last = civil(r.to);
  return { from: tehranInstant(civil(r.from)).getTime(), to: tehranInstant(last).getTime() + dayAfter(last) };
}

function dayAfter(d: { year: number; month: number; day: number }): number {
  const start = tehranInstant(d).getTime();
  const next = new Date(Date.UTC(d.year, d.month - 1, d.day + 1));
  return tehranInstant({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }).getTime() - start;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** A record file's period and scope; `orgId` is the organization's id. */
export interface RecordQuery {
  period: Period;
  orgId?: string;
  service?: string;
  /** Applications whose group (org x service x Jalali month of submission) received fewer are left out; 1 publishes all. */
  minGroup?: number;
}

/**
 * Whether an application belongs to a group too small to publish one by one: its municipality,
 * service and Jalali month of submission received fewer than minGroup applications (read from the
 * rollups, a month at a time, each month once per file).
 */
function smallGroups(db: DB, minGroup: number): (a: { org_code: string; service_code: string; submitted_at: number }) => Promise<boolean> {
  const months = new Map<string, Promise<Map<string, number>>>();
  return async (a) => {
    const month = periodOfDay('month', tehranDayKey(a.submitted_at));
    const key = formatPeriod(month);
    let counts = months.get(key);
    if (!counts) {
      const range = periodRange(month);
      months.set(key, (counts = q.receivedByGroup(db, range.from, range.to)));
    }
    return ((await counts).get(`${a.org_code}|${a.service_code}`) ?? 0) < minGroup;
  };
}

/** Anonymized application timing records: submitted or completed in the period, streamed page by page; small groups left out (minGroup). */
export async function* applicationRows(db: DB, calendar: BusinessCalendar, query: RecordQuery): AsyncGenerator<Row> {
  const range = periodInstants(query.period);
  const tooSmall = (query.minGroup ?? 1) > 1 ? smallGroups(db, query.minGroup!) : null;
  for await (const a of q.applicationTimings(db, { ...range, orgId: query.orgId, service: query.service })) {
    if (tooSmall && await tooSmall(a)) continue;
    const closed = a.closed_at;
    yield {
      org_code: a.org_code,
      service_code: a.service_code,
      channel: a.channel,
      submitted_on: tehranDayKey(a.submitted_at),
      completed_on: closed === null ? null : tehranDayKey(closed),
      business_days: closed === null ? null : round2(calendar.businessDaysBetween(new Date(a.submitted_at), new Date(closed))),
      within_deadline: closed === null ? null : a.late === 0,
      outcome: closed === null ? null : a.outcome,
    };
  }
}

/** Anonymized report timing records: filed or resolved in the period, places rounded to ~1 km. */
export async function* reportRows(db: DB, calendar: BusinessCalendar, query: RecordQuery): AsyncGenerator<Row> {
  const range = periodInstants(query.period);
  for await (const r of q.reportTimings(db, { ...range, orgId: query.orgId, category: query.service })) {
    const resolved = r.resolved_at;
    yield {
      org_code: r.org_code,
      category_code: r.category_code,
      filed_on: tehranDayKey(r.created_at),
      resolved_on: resolved === null ? null : tehranDayKey(resolved),
      business_days: resolved === null ? null : round2(calendar.businessDaysBetween(new Date(r.created_at), new Date(resolved))),
      within_deadline: resolved === null ? null : r.due_at === null || resolved <= r.due_at,
      state: r.state,
      reopened: r.reopened_count,
      lat_1km: round2(r.lat),
      lng_1km: round2(r.lng),
    };
  }
}

// ---------- catalog ----------

/** The DCAT (JSON-LD) catalog of the datasets, with their distributions and Table Schemas. */
export function catalog(publicUrl: string, current: { year: Period }, modified: string) {
  const base = publicUrl.replace(/\/$/, '');
  const year = formatPeriod(current.year);
  const dist = (id: DatasetId, query: string, title: Text) => (['csv', 'json'] as const).map((fmt) => ({
    '@type': 'dcat:Distribution',
    title: `${title.en} (${fmt.toUpperCase()})`,
    'title@fa': `${title.fa} (${fmt.toUpperCase()})`,
    mediaType: fmt === 'csv' ? 'text/csv' : 'application/json',
    format: fmt.toUpperCase(),
    downloadURL: `${base}/open-data/${id}.${fmt}?${query}`,
    accessURL: `${base}/open-data`,
    describedBy: `${base}/open-data/schemas/${id}.json`,
    describedByType: 'application/vnd.frictionless.table-schema+json',
    license: LICENCE.url,
  }));
  return {
    '@context': 'https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld',
    '@type': 'dcat:Catalog',
    conformsTo: 'https://project-open-data.cio.gov/v1.1/schema',
    describedBy: 'https://project-open-data.cio.gov/v1.1/schema/catalog.json',
    title: 'Pishkhan open data',
    'title@fa': 'داده‌های باز پیشخوان',
    homepage: `${base}/open-data`,
    license: LICENCE.url,
    publisher: { '@type': 'org:Organization', name: PUBLISHER.en, 'name@fa': PUBLISHER.fa },
    dataset: DATASET_IDS.map((id) => {
      const d = DATASETS[id];
      const distribution = id === 'kpis'
        ? [...dist(id, `period=${year}&by=season&breakdown=all`, { fa: `هر فصل ${year}، همهٔ دامنه‌ها`, en: `each season of ${year}, every scope` }),
          ...dist(id, `period=${year}`, { fa: `سال ${year}، استان`, en: `${year}, the province` })]
        : dist(id, `period=${year}`, { fa: `سال ${year}`, en: `${year}` });
      return {
        '@type': 'dcat:Dataset',
        identifier: `${base}/open-data#${id}`,
        title: d.title.en,
        'title@fa': d.title.fa,
        description: d.description.en,
        'description@fa': d.description.fa,
        keyword: d.keywords,
        modified,
        accessLevel: 'public',
        accrualPeriodicity: 'R/P1D',
        language: ['fa', 'en'],
        publisher: { '@type': 'org:Organization', name: PUBLISHER.en, 'name@fa': PUBLISHER.fa },
        contactPoint: { '@type': 'vcard:Contact', fn: PUBLISHER.en, hasURL: `${base}/open-data` },
        license: LICENCE.url,
        rights: LICENCE.title,
        spatial: 'Mazandaran, Iran',
        temporal: `${periodRange(current.year).from}/${periodRange(current.year).to}`,
        describedBy: `${base}/open-data/schemas/${id}.json`,
        describedByType: 'application/vnd.frictionless.table-schema+json',
        landingPage: `${base}/open-data#${id}`,
        distribution,
      };
    }),
  };
}
