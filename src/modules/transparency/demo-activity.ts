import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { systemActor } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import { BusinessCalendar } from '../../platform/calendar/business.js';
import { jalaliParts } from '../../platform/i18n/format.js';
import { definitionOfVersion } from '../catalog/lookup.js';
import { overridesSchema, type ActionDef, type Overrides, type ServiceDefinition } from '../catalog/definition.js';
import { parseSla, effectiveSla } from '../catalog/workflow.js';
import { formatTrackingCode } from '../applications/service.js';
import { formatReportTrackingCode } from '../grievances/service.js';
import type { Selectable } from 'kysely';
import type { ApplicationEventsTable, ApplicationsTable, CitizensTable, ReportState, ReportUpdatesTable, ReportsTable as ReportsColumns } from '../../platform/db/schema.js';

type ReportsTable = Selectable<ReportsColumns>;

// A year (or any number of days) of generated activity for the demo municipalities, so that the
// transparency dashboards and the council's indicators show something meaningful on first start.
// Every row looks like what the real services write (the same event types, states, data and
// actor kinds; see applications/service.ts, casework/escalation.ts, grievances/service.ts), so
// the rollups count them exactly like real ones. Generated in memory from a seeded PRNG, then
// written with multi-row inserts, one transaction per chunk. Never runs in production: the
// demo seed only calls it outside production (config.demoActivity).

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const TEHRAN_OFFSET_MS = 3.5 * HOUR_MS;
/** Applications submitted per resident per year at scale 1 (the demo's 26 municipalities: about 37,000 a year). */
const APPLICATIONS_PER_RESIDENT = 0.02;
/** City problem reports (۱۳۷) per resident per year at scale 1 (about 22,000 a year). */
const REPORTS_PER_RESIDENT = 0.012;
const DRAFT_ABANDONED_WEB = 0.14;
const DRAFT_ABANDONED_COUNTER = 0.02;
const RATED_SHARE = 0.3;
const REOPENED_SHARE = 0.03;
/** Demo citizens' mobile numbers start with this (0999 999 ...): clearly not anyone's number. */
export const DEMO_MOBILE_PREFIX = '09999';

/** How often each shipped service is asked for, relative to each other (others: 3). */
const SERVICE_POPULARITY: Record<string, number> = {
  'waste-management-fee': 14, 'renewal-levy-clearance': 12, 'house-number-certificate': 10, 'property-transfer-inquiry': 10,
  'business-levy': 9, 'no-violation-certificate': 8, 'planning-inquiry': 6, 'building-permit': 4, 'completion-certificate': 3,
  'excavation-permit': 2, 'tree-felling-permit': 2, 'passage-occupancy-permit': 2, 'land-use-change': 1,
};

const STAFF_COMMENTS = {
  return: ['تصویر سند خوانا نیست؛ لطفاً دوباره بارگذاری کنید.', 'کد نوسازی ملک با سند مطابقت ندارد.', 'امضای مالک در فرم درج نشده است.'],
  refuse: ['ملک در طرح تعریض معبر قرار دارد.', 'مدارک مالکیت کافی نیست.', 'درخواست با ضوابط طرح تفصیلی مطابقت ندارد.'],
  other: ['بررسی شد.', 'مطابق ضوابط است.'],
};
const REPORT_DESCRIPTIONS = [
  'چاله بزرگ وسط خیابان، خطر برای موتورسواران', 'نخاله ساختمانی کنار پیاده‌رو رها شده است', 'چراغ‌های این کوچه چند شب است خاموش است',
  'شاخه‌های درخت روی سیم برق افتاده است', 'آب باران در تقاطع جمع شده و عبور ممکن نیست', 'زباله‌ها از دیروز جمع‌آوری نشده است',
  'جدول کنار خیابان شکسته است', 'تابلوی راهنمایی کج شده و دیده نمی‌شود',
];
const DEMO_FIRST_NAMES = ['نمونه', 'آزمایشی'];

export interface DemoActivityOptions {
  /** The PRNG seed: the same seed, now and database give the same rows. */
  seed?: number;
  /** How many days back from `now` (default 365). */
  days?: number;
  now?: number;
  /** Multiplies the volumes (default 1). */
  scale?: number;
  /** Only these municipality codes (default: every municipality). */
  orgs?: string[];
  calendar?: BusinessCalendar;
  log?: (line: string) => void;
}

export interface DemoActivityResult {
  citizens: number;
  applications: number;
  drafts: number;
  events: number;
  reports: number;
  reportUpdates: number;
  seconds: number;
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; enough for demo data, not for secrets. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A valid 10-digit national code (check digit per the standard algorithm) starting with 555 (demo citizens are also named «شهروند N» with 09999 mobiles). */
export function fakeNationalCode(n: number): string {
  const body = `555${String(n % 1_000_000).padStart(6, '0')}`;
  let s = 0;
  for (let i = 0; i < 9; i++) s += Number(body[i]) * (10 - i);
  const r = s % 11;
  return body + String(r < 2 ? r : 11 - r);
}

/**
 * Business time as a number line: position p (ms of working time since the first workday) maps
 * to an instant inside a workday and back. Built once from the calendar, so placing thousands of
 * events costs a binary search each.
 */
class BusinessLine {
  private starts: number[] = [];
  private ends: number[] = [];
  private cum: number[] = [];
  constructor(calendar: BusinessCalendar, from: number, to: number) {
    let s = calendar.nextBusinessDay(new Date(from - DAY_MS)).getTime();
    let acc = 0;
    while (s < to) {
      const e = calendar.addBusinessDays(new Date(s), 0).getTime();
      this.starts.push(s);
      this.ends.push(e);
      this.cum.push(acc);
      acc += e - s;
      s = calendar.nextBusinessDay(new Date(s)).getTime();
    }
  }
  /** The business position of an instant (an instant outside working hours: the next opening). */
  pos(t: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    if (hi < 0 || t < this.starts[0]!) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    if (t < this.ends[lo]!) return this.cum[lo]! + (t - this.starts[lo]!);
    return lo + 1 < this.starts.length ? this.cum[lo + 1]! : this.cum[lo]! + (this.ends[lo]! - this.starts[lo]!);
  }
  /** calendar.addBusinessDays(from, n) for n >= 1: the end of the n-th workday starting at or after `from`. */
  addDays(from: number, n: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! >= from) hi = mid;
      else lo = mid + 1;
    }
    return this.ends[Math.min(this.ends.length - 1, lo + Math.max(1, n) - 1)]!;
  }
  /** addBusinessHours(calendar, from, hours) (workflow.ts). */
  addHours(from: number, hours: number): number {
    return this.at(this.pos(from) + hours * HOUR_MS - 1) + 1;
  }
  /** The instant at a business position (past the last workday: Infinity). */
  at(p: number): number {
    let lo = 0;
    let hi = this.cum.length - 1;
    if (hi < 0) return Infinity;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.cum[mid]! <= p) lo = mid;
      else hi = mid - 1;
    }
    const t = this.starts[lo]! + (p - this.cum[lo]!);
    return t < this.ends[lo]! ? t : Infinity;
  }
}

interface OrgInfo { id: string; code: string; population: number; lat: number; lng: number; quality: number }
interface ServiceInfo { orgServiceId: string; versionId: string; code: string; definition: ServiceDefinition; overrides: Overrides; weight: number }
interface CategoryInfo { id: string; deadlineDays: number; department: string; anonymous: boolean; weight: number }

/** Lets the event loop answer requests between chunks (better-sqlite3 blocks while it writes). */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Times are whole milliseconds in the database (PostgreSQL's bigint refuses a fraction). */
function wholeMillis<T>(row: T): T {
  const out = { ...row } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (k.endsWith('_at') && typeof v === 'number' && !Number.isInteger(v)) out[k] = Math.round(v);
  return out as T;
}

async function chunked<T>(db: DB, table: 'citizens' | 'applications' | 'application_events' | 'reports' | 'report_updates', rows: T[], perStatement: number, perTx: number): Promise<void> {
  for (let i = 0; i < rows.length; i += perTx) {
    await yieldToLoop();
    const slice = rows.slice(i, i + perTx).map(wholeMillis);
    await inTransaction(db, async (tx) => {
      for (let j = 0; j < slice.length; j += perStatement) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one helper for five row types
        await tx.insertInto(table).values(slice.slice(j, j + perStatement) as any).execute();
      }
    });
  }
}

/**
 * Generates and writes `days` of applications (with their drafts, events, escalations and
 * ratings) and city problem reports (with their updates, reopenings and ratings) for the
 * demo municipalities, ending at `now`; nothing is dated after `now`. Advances the tracking
 * counters past the generated numbers. Deterministic for a seed, now and database.
 */
export async function generateDemoActivity(db: DB, options: DemoActivityOptions = {}): Promise<DemoActivityResult> {
  const t0 = Date.now();
  const now = options.now ?? Date.now();
  const days = options.days ?? 365;
  const scale = options.scale ?? 1;
  const calendar = options.calendar ?? new BusinessCalendar({ thursday: 'off' });
  const rnd = prng(options.seed ?? 1393);
  const from = now - days * DAY_MS;
  const line = new BusinessLine(calendar, from - 30 * DAY_MS, now + 120 * DAY_MS);
  // workflow.dueAt on the precomputed workdays (the calendar's own walk is far slower per call).
  const dueAt = (def: ServiceDefinition, overrides: Overrides, state: string, enteredAt: number): number | null => {
    const st = def.workflow.states[state];
    const sla = st && !st.final && st.waits_for !== 'citizen' ? effectiveSla(def, overrides, state) : undefined;
    if (!sla) return null;
    const { amount, unit } = parseSla(sla);
    return unit === 'h' ? line.addHours(enteredAt, amount) : line.addDays(enteredAt, amount);
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const weighted = <T extends { weight: number }>(xs: readonly T[], total: number): T => {
    let u = rnd() * total;
    for (const x of xs) if ((u -= x.weight) < 0) return x;
    return xs[xs.length - 1]!;
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(rnd() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
  const resultCode = () => Array.from({ length: 12 }, () => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[Math.floor(rnd() * 32)]).join('');
  const between = (a: number, b: number) => a + rnd() * (b - a);

  // What the database holds: municipalities, their adopted services, report categories, staff.
  const orgRows = await db.selectFrom('orgs').select(['id', 'code', 'population', 'lat', 'lng']).where('kind', '=', 'municipality').orderBy('code').execute();
  const orgs: OrgInfo[] = orgRows
    .filter((o) => !options.orgs || options.orgs.includes(o.code))
    .map((o) => ({ id: o.id, code: o.code, population: Number(o.population ?? 10_000), lat: Number(o.lat ?? 36.5), lng: Number(o.lng ?? 52.7), quality: between(0.04, 0.25) }));
  const adoptions = await db.selectFrom('org_services').innerJoin('service_templates', 'service_templates.id', 'org_services.template_id')
    .select(['org_services.id', 'org_services.org_id', 'org_services.version_id', 'org_services.overrides', 'org_services.enabled', 'service_templates.code'])
    .orderBy('service_templates.code').execute();
  const servicesOf = new Map<string, ServiceInfo[]>();
  for (const a of adoptions) {
    if (Number(a.enabled) !== 1) continue;
    const overrides = overridesSchema.parse(JSON.parse(a.overrides));
    if (!overrides.enabled) continue;
    const def = await definitionOfVersion(db, a.version_id);
    if (!def) continue;
    const list = servicesOf.get(a.org_id) ?? [];
    list.push({ orgServiceId: a.id, versionId: a.version_id, code: a.code, definition: def.definition, overrides, weight: SERVICE_POPULARITY[a.code] ?? 3 });
    servicesOf.set(a.org_id, list);
  }
  // Ordered by what is the same in every database (codes, not ids): the same seed draws the same rows.
  const categoryRows = await db.selectFrom('report_categories').innerJoin('orgs', 'orgs.id', 'report_categories.org_id')
    .select(['report_categories.id', 'report_categories.org_id', 'report_categories.code', 'report_categories.deadline_days', 'report_categories.department_fa', 'report_categories.allow_anonymous'])
    .where('report_categories.active', '=', 1).orderBy('orgs.code').orderBy('report_categories.code').execute();
  const categoriesOf = new Map<string, CategoryInfo[]>();
  for (const c of categoryRows) {
    const list = categoriesOf.get(c.org_id) ?? [];
    // The first categories (in code order) are the everyday ones: a few kinds make most reports.
    list.push({ id: c.id, deadlineDays: Number(c.deadline_days), department: c.department_fa, anonymous: Number(c.allow_anonymous) === 1, weight: 1 + 6 * rnd() });
    categoriesOf.set(c.org_id, list);
  }
  const staffRows = await db.selectFrom('memberships').select(['org_id', 'role', 'staff_id']).orderBy('staff_id').execute();
  const staffOf = (orgId: string, roles: readonly string[]): string | null => {
    const mine = staffRows.filter((m) => m.org_id === orgId);
    return (mine.find((m) => roles.includes(m.role)) ?? mine.find((m) => m.role === 'manager') ?? mine[0])?.staff_id ?? null;
  };
  const counterRows = await db.selectFrom('counters').select(['org_id', 'name', 'value']).execute();
  const counters = new Map(counterRows.map((c) => [`${c.org_id}|${c.name}`, Number(c.value)]));

  // Citizens: a pool sized to the volumes; each files a few applications and reports.
  const totalPopulation = orgs.reduce((s, o) => s + o.population, 0);
  const citizenCount = Math.max(20, Math.round(totalPopulation * (APPLICATIONS_PER_RESIDENT + REPORTS_PER_RESIDENT) * scale * (days / 365) / 3));
  const citizenBase = (await db.selectFrom('citizens').select((eb) => eb.fn.countAll<number>().as('n')).where('mobile', 'like', `${DEMO_MOBILE_PREFIX}%`).executeTakeFirst())?.n ?? 0;
  const citizens: CitizensTable[] = [];
  for (let i = 0; i < citizenCount; i++) {
    const n = Number(citizenBase) + i + 1;
    const created = from - Math.floor(rnd() * 200) * DAY_MS;
    citizens.push({
      id: uuid(), mobile: `${DEMO_MOBILE_PREFIX}${String(n).padStart(6, '0')}`, national_code: fakeNationalCode(n),
      first_name: pick(DEMO_FIRST_NAMES), last_name: `شهروند ${n}`, email: null, locale: rnd() < 0.05 ? 'en' : 'fa', created_at: created, updated_at: created,
    });
  }
  const citizenIds = citizens.map((c) => c.id);

  // Tehran days of the window; the Jalali year of each (tracking codes are numbered per year).
  const firstDay = Math.floor((from + TEHRAN_OFFSET_MS) / DAY_MS);
  const lastDay = Math.floor((now + TEHRAN_OFFSET_MS) / DAY_MS);
  const yearOfDay = new Map<number, number>();
  const jalaliYearOf = (t: number) => {
    const d = Math.floor((t + TEHRAN_OFFSET_MS) / DAY_MS);
    let y = yearOfDay.get(d);
    if (y === undefined) {
      y = jalaliParts(d * DAY_MS - TEHRAN_OFFSET_MS + 12 * HOUR_MS).year;
      yearOfDay.set(d, y);
    }
    return y;
  };
  // A time of day for citizens' own doings (web): mostly daytime and evening.
  const citizenHour = () => (rnd() < 0.85 ? between(8, 23) : between(0, 24));

  const applications: ApplicationsTable[] = [];
  const events: ApplicationEventsTable[] = [];
  const reports: ReportsTable[] = [];
  const updates: Selectable<ReportUpdatesTable>[] = [];
  let drafts = 0;

  for (const org of orgs) {
    await yieldToLoop();
    const services = servicesOf.get(org.id) ?? [];
    const serviceWeight = services.reduce((s, x) => s + x.weight, 0);
    const cats = categoriesOf.get(org.id) ?? [];
    const catWeight = cats.reduce((s, x) => s + x.weight, 0);
    const perDayApps = (org.population * APPLICATIONS_PER_RESIDENT * scale) / 365;
    const perDayReports = (org.population * REPORTS_PER_RESIDENT * scale) / 365;
    const orgApps: ApplicationsTable[] = [];
    const orgReports: ReportsTable[] = [];
    for (let day = firstDay; day <= lastDay; day++) {
      const dayStart = day * DAY_MS - TEHRAN_OFFSET_MS;
      const progress = (day - firstDay) / Math.max(1, lastDay - firstDay);
      const weekday = new Date(dayStart + 12 * HOUR_MS).getUTCDay(); // 5 = Friday
      const business = calendar.isBusinessDay(new Date(dayStart + 12 * HOUR_MS));
      // Take-up grows over the year; fewer applications on days off (web only then).
      const onlineShare = 0.42 + 0.33 * progress + (org.quality < 0.12 ? 0.05 : 0);
      const factor = business ? 1.15 : weekday === 5 ? 0.35 : 0.55;
      const nApps = services.length ? poisson(rnd, perDayApps * factor * (0.85 + 0.3 * progress)) : 0;
      for (let k = 0; k < nApps; k++) {
        const svc = weighted(services, serviceWeight);
        let channel: 'web' | 'counter' = rnd() < onlineShare ? 'web' : 'counter';
        if (channel === 'counter' && !business) channel = 'web';
        const created = channel === 'web' ? dayStart + citizenHour() * HOUR_MS : line.at(line.pos(dayStart) + rnd() * 7 * HOUR_MS);
        if (!(created < now)) continue;
        const app = generateApplication(org, svc, channel, created);
        if (app) orgApps.push(app);
      }
      const nReports = cats.length ? poisson(rnd, perDayReports * (business ? 1.1 : 0.8)) : 0;
      for (let k = 0; k < nReports; k++) {
        const created = dayStart + citizenHour() * HOUR_MS;
        if (!(created < now)) continue;
        orgReports.push(generateReport(org, weighted(cats, catWeight), created, orgReports));
      }
    }
    // Tracking numbers follow submission (filing) order inside each organization and Jalali year.
    orgApps.filter((a) => a.submitted_at !== null).sort((a, b) => a.submitted_at! - b.submitted_at!).forEach((a) => {
      const year = jalaliYearOf(a.submitted_at!);
      const key = `${org.id}|tracking:${year}`;
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      a.tracking_code = formatTrackingCode(org.code, year, n);
    });
    for (const r of orgReports) {
      const year = jalaliYearOf(r.created_at);
      const key = `${org.id}|report:${year}`;
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      r.tracking_code = formatReportTrackingCode(org.code, year, n);
    }
    applications.push(...orgApps);
    reports.push(...orgReports);
  }
  // The submitted events carry the tracking code, known only now.
  const codeOf = new Map(applications.map((a) => [a.id, a.tracking_code]));
  for (const e of events) {
    if (e.type === 'submitted') {
      const data = JSON.parse(e.data) as Record<string, unknown>;
      e.data = JSON.stringify({ ...data, tracking_code: codeOf.get(e.application_id) });
    }
  }

  function generateApplication(org: OrgInfo, svc: ServiceInfo, channel: 'web' | 'counter', created: number): ApplicationsTable | null {
    const def = svc.definition;
    const wf = def.workflow;
    const citizenId = pick(citizenIds);
    const clerk = staffOf(org.id, ['clerk']);
    const id = uuid();
    const row: ApplicationsTable = {
      id, org_id: org.id, org_service_id: svc.orgServiceId, version_id: svc.versionId, tracking_code: null, citizen_id: citizenId,
      channel, state: wf.start, phase: 'draft', form_data: '{}', fees_total: 0, fees: JSON.stringify({ items: [], total: 0 }),
      assignee_id: null, due_at: null, state_entered_at: created, submit_key: null, outcome: null, result_code: null, rating: null, rating_comment: null,
      created_by: channel === 'counter' ? clerk : citizenId, created_at: created, submitted_at: null, closed_at: null, updated_at: created, escalated_due_at: null,
    };
    if (rnd() < (channel === 'web' ? DRAFT_ABANDONED_WEB : DRAFT_ABANDONED_COUNTER)) {
      drafts++;
      return row;
    }
    const submitted = created + (channel === 'web' ? between(3, 90) : between(2, 20)) * 60_000;
    if (!(submitted < now)) return row;
    const fees = Math.round(between(2, 400)) * 50_000;
    Object.assign(row, { phase: 'open', submitted_at: submitted, state_entered_at: submitted, updated_at: submitted, submit_key: `demo-${id}`, fees_total: fees, fees: JSON.stringify({ items: [], total: fees }) });
    events.push({
      id: uuid(), application_id: id, org_id: org.id, type: 'submitted', action: null, from_state: null, to_state: wf.start,
      actor_kind: channel === 'counter' ? 'staff' : 'citizen', actor_id: channel === 'counter' ? clerk : citizenId, comment: null, internal: 0,
      data: JSON.stringify({ channel, tracking_code: null, fees_total: fees }), created_at: submitted,
    });
    // The office gets better over the year: fewer late steps towards the end.
    const lateShare = org.quality * (1.3 - 0.6 * ((created - from) / (now - from)));
    let state = wf.start;
    let entered = submitted;
    let returns = 0;
    let escalatedEver = false;
    for (let step = 0; step < 16; step++) {
      const s = wf.states[state]!;
      if (s.final) break;
      const choices = wf.actions.filter((a) => a.from === state);
      if (!choices.length) break;
      const action = chooseAction(def, choices, channel, returns);
      // How long the step takes, in business time, against the state's allowance.
      const sla = effectiveSla(def, svc.overrides, state);
      const allowance = sla ? slaHours(sla) * HOUR_MS : 7 * HOUR_MS;
      const office = s.waits_for !== 'citizen';
      const late = office && rnd() < lateShare;
      const span = allowance * (late ? between(1.1, 2.6) : office ? between(0.08, 0.95) : between(0.03, 0.7));
      let exit = line.at(line.pos(entered) + span);
      if (!office && action.by !== 'staff') exit = Math.max(entered + 60_000, exit - between(0, 6) * HOUR_MS); // citizens also act after hours
      const due = dueAt(def, svc.overrides, state, entered);
      if (due !== null && due < Math.min(exit, now)) {
        // The escalation scanner (casework/escalation.ts) notices a breach within minutes.
        const at = due + Math.floor(between(0.5, 10) * 60_000);
        if (at < now && at < exit) {
          events.push({
            id: uuid(), application_id: id, org_id: org.id, type: 'escalated', action: null, from_state: null, to_state: null,
            actor_kind: 'system', actor_id: null, comment: null, internal: 1, data: JSON.stringify({ state, due_at: due }), created_at: at,
          });
          row.escalated_due_at = due;
          escalatedEver = true;
        }
      }
      if (!(exit < now)) {
        row.due_at = due;
        if (row.escalated_due_at !== null && row.escalated_due_at !== due) row.escalated_due_at = null;
        return row;
      }
      const to = action.to;
      const target = wf.states[to]!;
      const outcome = target.final ? target.outcome ?? null : null;
      const enteredAt = Math.max(exit, entered + 1);
      const by = action.by;
      const actorKind = by === 'staff' ? 'staff' : by === 'citizen' ? (channel === 'counter' && rnd() < 0.5 ? 'staff' : 'citizen') : 'system';
      const actorId = actorKind === 'staff' ? staffOf(org.id, action.roles) : actorKind === 'citizen' ? citizenId : null;
      const comment = commentFor(action, outcome);
      events.push({
        id: uuid(), application_id: id, org_id: org.id, type: 'action', action: action.name, from_state: state, to_state: to,
        actor_kind: actorKind, actor_id: actorId, comment, internal: 0,
        data: JSON.stringify({ by, ...(outcome ? { outcome } : {}), from_due_at: due }), created_at: exit,
      });
      if (action.name === 'return') returns++;
      row.escalated_due_at = null;
      state = to;
      entered = enteredAt;
      Object.assign(row, { state, state_entered_at: enteredAt, updated_at: exit, due_at: null });
      if (target.final) {
        Object.assign(row, { phase: 'closed', outcome, result_code: resultCode(), closed_at: exit });
        if (outcome !== 'withdrawn' && rnd() < RATED_SHARE) {
          const ratedAt = exit + between(0.2, 96) * HOUR_MS;
          if (ratedAt < now) {
            const rating = ratingFor(outcome === 'granted', escalatedEver);
            row.rating = rating;
            events.push({
              id: uuid(), application_id: id, org_id: org.id, type: 'rated', action: null, from_state: null, to_state: null,
              actor_kind: 'citizen', actor_id: citizenId, comment: null, internal: 0, data: JSON.stringify({ rating }), created_at: ratedAt,
            });
            row.updated_at = ratedAt;
          }
        }
        return row;
      }
      row.due_at = dueAt(def, svc.overrides, state, enteredAt);
    }
    return row;
  }

  function chooseAction(def: ServiceDefinition, choices: ActionDef[], channel: 'web' | 'counter', returns: number): ActionDef {
    const weights = choices.map((a) => {
      const target = def.workflow.states[a.to];
      const outcome = target?.final ? target.outcome : undefined;
      if (outcome === 'refused') return 0.07;
      if (outcome === 'withdrawn') return 0.03;
      if (a.name === 'return' || (target?.waits_for === 'citizen' && a.to === 'correction')) return returns ? 0.03 : 0.12;
      if (a.by === 'payment') return channel === 'web' ? 0.9 : 0.15;
      if (a.name === 'confirm_payment') return channel === 'web' ? 0.1 : 0.85;
      return 1;
    });
    // The forward steps share one weight between them, so detours keep their odds however many there are.
    const forward = weights.filter((w) => w === 1).length;
    const adjusted = weights.map((w) => (w === 1 ? 1 / forward : w));
    const total = adjusted.reduce((s, w) => s + w, 0);
    let u = rnd() * total;
    for (let i = 0; i < choices.length; i++) if ((u -= adjusted[i]!) < 0) return choices[i]!;
    return choices[choices.length - 1]!;
  }

  function commentFor(action: ActionDef, outcome: string | null): string | null {
    if (!action.requires.includes('comment') && action.name !== 'return') return null;
    if (action.name === 'return') return pick(STAFF_COMMENTS.return);
    if (outcome === 'refused') return pick(STAFF_COMMENTS.refuse);
    return pick(STAFF_COMMENTS.other);
  }

  function ratingFor(granted: boolean, late: boolean): number {
    const dist = granted ? (late ? [0.08, 0.12, 0.3, 0.3, 0.2] : [0.02, 0.03, 0.1, 0.35, 0.5]) : [0.35, 0.25, 0.2, 0.12, 0.08];
    let u = rnd();
    for (let i = 0; i < 5; i++) if ((u -= dist[i]!) < 0) return i + 1;
    return 5;
  }

  function generateReport(org: OrgInfo, cat: CategoryInfo, created: number, earlier: ReportsTable[]): ReportsTable {
    const id = uuid();
    const anonymous = cat.anonymous && rnd() < 0.12;
    const citizenId = anonymous ? null : pick(citizenIds);
    const staff = staffOf(org.id, ['clerk', 'manager']);
    const radius = 2500 * Math.sqrt(rnd());
    const angle = 2 * Math.PI * rnd();
    const due = line.addDays(created, cat.deadlineDays);
    const row: ReportsTable = {
      id, org_id: org.id, category_id: cat.id, tracking_code: '', citizen_id: citizenId, description: pick(REPORT_DESCRIPTIONS),
      lat: org.lat + (radius * Math.cos(angle)) / 111_320, lng: org.lng + (radius * Math.sin(angle)) / (111_320 * Math.cos((org.lat * Math.PI) / 180)),
      address: null, state: 'received', duplicate_of: null, due_at: due, created_at: created, updated_at: created, resolved_at: null, hidden: 0,
      assigned_department: cat.department, assigned_to: null, reopened_count: 0, rating: null, rating_comment: null, rated_at: null,
      escalated_due_at: null, source: 'web', token: null, api_client_id: null, attributes: null, moderated_at: null,
    };
    const update = (state: ReportState, kind: string, at: number, actor: 'citizen' | 'staff' | 'anonymous' | 'system', internal: 0 | 1 = 0, comment: string | null = null) =>
      updates.push({ id: uuid(), report_id: id, org_id: org.id, state, kind, comment, internal, actor_kind: actor, actor_id: actor === 'citizen' ? citizenId : actor === 'staff' ? staff : null, due_at: kind === 'state' ? row.due_at : null, created_at: at });
    update('received', 'state', created, anonymous ? 'anonymous' : 'citizen');
    const late = rnd() < org.quality * 0.9;
    const allowance = cat.deadlineDays * 7 * HOUR_MS;
    // One round of work: maybe in progress, maybe scheduled, then a closing state; false if `now` came first.
    const work = (start: number, first: boolean): boolean => {
      let p = line.pos(start);
      const total = allowance * (late && first ? between(1.05, 2.2) : between(0.05, 0.95));
      const moves: ReportState[] = [];
      if (rnd() < 0.65) moves.push('in_progress');
      if (rnd() < 0.18) moves.push('scheduled');
      const u = rnd();
      let closing: ReportState = u < 0.86 ? 'resolved' : u < 0.92 ? 'rejected' : u < 0.96 && earlier.length ? 'duplicate' : u < 0.96 ? 'rejected' : 'transferred';
      // A scheduled job ends resolved or rejected (grievances TRANSITIONS).
      if (moves.at(-1) === 'scheduled' && (closing === 'duplicate' || closing === 'transferred')) closing = 'resolved';
      moves.push(closing);
      for (const [i, state] of moves.entries()) {
        p += (total / moves.length) * (i === moves.length - 1 ? 1 : between(0.3, 1));
        const at = Math.max(line.at(p), row.updated_at + 1);
        if (first && row.due_at !== null && row.due_at < Math.min(at, now) && row.escalated_due_at === null) {
          // The report escalation scanner marks the breach (grievances/service.ts).
          const escalatedAt = row.due_at + Math.floor(between(0.5, 10) * 60_000);
          if (escalatedAt < now && escalatedAt < at) {
            row.escalated_due_at = row.due_at;
            update(row.state, 'escalation', escalatedAt, 'system', 1);
          }
        }
        if (!(at < now)) return false;
        const comment = state === 'rejected' ? 'خارج از حوزه وظایف شهرداری است.' : state === 'transferred' ? 'به شرکت آب و فاضلاب ارجاع شد.' : state === 'resolved' ? 'مشکل برطرف شد.' : null;
        if (state === 'duplicate') row.duplicate_of = pick(earlier.slice(-20)).id;
        update(state, 'state', at, 'staff', 0, comment);
        row.state = state;
        row.updated_at = at;
        if (state === 'resolved' || state === 'rejected' || state === 'duplicate' || state === 'transferred') row.resolved_at = at;
      }
      return true;
    };
    if (!work(created, true)) return row;
    if (row.state === 'resolved' && citizenId && rnd() < REOPENED_SHARE * 1.2) {
      const at = row.resolved_at! + between(0.5, 9) * DAY_MS;
      if (at < now) {
        row.state = 'reopened';
        row.resolved_at = null;
        row.reopened_count = 1;
        row.due_at = line.addDays(at, cat.deadlineDays);
        row.updated_at = at;
        update('reopened', 'reopen', at, 'citizen', 0, 'مشکل دوباره پیش آمده است.');
        if (!work(at, false)) return row;
      }
    }
    if (row.state === 'resolved' && citizenId && rnd() < RATED_SHARE) {
      const at = row.resolved_at! + between(0.2, 72) * HOUR_MS;
      if (at < now) {
        row.rating = ratingFor(true, row.escalated_due_at !== null || row.reopened_count > 0);
        row.rated_at = at;
        update(row.state, 'rating', at, 'citizen', 1);
      }
    }
    return row;
  }

  const generated = Date.now();
  await chunked(db, 'citizens', citizens, 500, 5000);
  await chunked(db, 'applications', applications, 400, 4000);
  await chunked(db, 'application_events', events, 800, 8000);
  await chunked(db, 'reports', reports, 400, 4000);
  await chunked(db, 'report_updates', updates, 800, 8000);
  await inTransaction(db, async (tx) => {
    for (const [key, value] of counters) {
      const [orgId, name] = key.split('|') as [string, string];
      await tx.insertInto('counters').values({ org_id: orgId, name, value })
        .onConflict((oc) => oc.columns(['org_id', 'name']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))).execute();
    }
    // The services were in use all along: their adoption predates the generated activity.
    await tx.updateTable('org_services').set({ adopted_at: from - 30 * DAY_MS }).where('adopted_at', '>', from - 30 * DAY_MS).execute();
    await appendAudit(tx, systemActor, { action: 'demo.activity_generated', entity: 'org', data: { days, scale, applications: applications.length, reports: reports.length } }, now);
  });
  const result: DemoActivityResult = {
    citizens: citizens.length, applications: applications.length - drafts, drafts, events: events.length, reports: reports.length, reportUpdates: updates.length,
    seconds: (Date.now() - t0) / 1000,
  };
  options.log?.(`demo activity: ${result.applications} applications (+${drafts} drafts), ${result.events} events, ${result.reports} reports, ${result.reportUpdates} report updates, ${result.citizens} citizens in ${result.seconds.toFixed(1)} s (generated in ${((generated - t0) / 1000).toFixed(1)} s)`);
  return result;
}

/** Business hours in an SLA: 'Nh' is N hours, 'Nd' N workdays of 7 hours (07:30-14:30). */
function slaHours(sla: string): number {
  const { amount, unit } = parseSla(sla);
  return unit === 'h' ? amount : amount * 7;
}

/** A Poisson draw (Knuth for small means, a rounded normal for large ones). */
function poisson(rnd: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rnd();
  while (p > limit) {
    k++;
    p *= rnd();
  }
  return k;
}
