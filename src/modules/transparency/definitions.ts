/**
 * What every published figure means, in Persian and English, with the source of the definition.
 * Where the UK Government Digital Service's service-performance measures define a figure
 * (https://www.gov.uk/service-manual/measuring-success), we follow them; the rest are ours and say so.
 * Dashboards show these beside the figures; open data links to them.
 */

export type KpiUnit = 'count' | 'share' | 'days' | 'rials' | 'score';

export interface KpiDefinition {
  key: string;
  title: { fa: string; en: string };
  definition: { fa: string; en: string };
  unit: KpiUnit;
  source: string;
}

const GOVUK = 'GOV.UK Service Manual, "Measuring success": https://www.gov.uk/service-manual/measuring-success';
const GOVUK_COMPLETION = 'GOV.UK Service Manual, "Measuring completion rate": https://www.gov.uk/service-manual/measuring-success/measuring-completion-rate';
const GOVUK_DIGITAL = 'GOV.UK Service Manual, "Measuring digital take-up": https://www.gov.uk/service-manual/measuring-success/measuring-digital-take-up';
const GOVUK_SATISFACTION = 'GOV.UK Service Manual, "Measuring user satisfaction": https://www.gov.uk/service-manual/measuring-success/measuring-user-satisfaction';
const GOVUK_COST = 'GOV.UK Service Manual, "Measuring cost per transaction": https://www.gov.uk/service-manual/measuring-success/measuring-cost-per-transaction';
const PISHKHAN = 'Pishkhan (this platform), computed from the application and report event logs';

/** Every figure of a KpiSet; `key` is its path in the KpiSet ('applications.median_days'). */
export const KPI_DEFINITIONS: KpiDefinition[] = [
  {
    key: 'applications.received',
    title: { fa: 'درخواست‌های دریافتی', en: 'Applications received' },
    definition: {
      fa: 'تعداد درخواست‌هایی که در دوره ثبت نهایی شده‌اند (برخط و حضوری).',
      en: 'Applications submitted in the period (online and at the counter), counted on the Tehran day of submission.',
    },
    unit: 'count',
    source: PISHKHAN,
  },
  {
    key: 'applications.completed',
    title: { fa: 'درخواست‌های پایان‌یافته', en: 'Applications completed' },
    definition: {
      fa: 'تعداد درخواست‌هایی که در دوره به یک وضعیت پایانی (صدور، رد، انصراف) رسیده‌اند.',
      en: 'Applications that reached a final state (granted, refused, withdrawn...) in the period, counted on the day they closed.',
    },
    unit: 'count',
    source: PISHKHAN,
  },
  {
    key: 'applications.started',
    title: { fa: 'درخواست‌های آغازشده', en: 'Applications started' },
    definition: {
      fa: 'تعداد درخواست‌هایی که در دوره آغاز شده‌اند (پیش‌نویس ساخته شده یا در باجه ثبت شده).',
      en: 'Applications started in the period: a draft created online, or an application filed at the counter.',
    },
    unit: 'count',
    source: GOVUK_COMPLETION,
  },
  {
    key: 'applications.completion_rate',
    title: { fa: 'نرخ تکمیل', en: 'Completion rate' },
    definition: {
      fa: 'سهم درخواست‌های آغازشده در دوره که (تاکنون) ثبت نهایی شده‌اند: ثبت‌شده ÷ آغازشده. درخواستی که آغاز شده ولی ثبت نشده، ناتمام به شمار می‌آید.',
      en: 'Of the applications started in the period, the share submitted so far: submitted ÷ started (GOV.UK: completed transactions ÷ started transactions, where a transaction is complete when the user has done everything they need to).',
    },
    unit: 'share',
    source: GOVUK_COMPLETION,
  },
  {
    key: 'applications.median_days',
    title: { fa: 'میانه زمان رسیدگی', en: 'Median processing time' },
    definition: {
      fa: 'میانه روزهای کاری از ثبت نهایی تا وضعیت پایانی، برای درخواست‌های پایان‌یافته در دوره (ساعات اداری روزهای کاری تقویم سازمان؛ جمعه، پنجشنبهٔ تعطیل و تعطیلات رسمی شمرده نمی‌شوند؛ با دقت یک‌صدم روز).',
      en: 'Median of the business days from submission to the final state, over applications completed in the period. Business days count working hours of working days on the business calendar (Fridays, Thursdays when off and official holidays do not count), to 0.01 day. The median of an even count is the mean of the two middle values.',
    },
    unit: 'days',
    source: PISHKHAN,
  },
  {
    key: 'applications.p90_days',
    title: { fa: 'صدک ۹۰ زمان رسیدگی', en: '90th percentile processing time' },
    definition: {
      fa: 'زمانی (روز کاری) که ۹۰٪ درخواست‌های پایان‌یافته در دوره در آن یا کمتر انجام شده‌اند (روش رتبهٔ نزدیک: مقدار رتبهٔ ⌈۰٫۹n⌉).',
      en: 'The business days within which 90% of the applications completed in the period were processed (nearest-rank method: the ⌈0.9·n⌉-th smallest value).',
    },
    unit: 'days',
    source: PISHKHAN,
  },
  {
    key: 'applications.within_deadline',
    title: { fa: 'سهم انجام‌شده در مهلت', en: 'Share completed within deadline' },
    definition: {
      fa: 'از درخواست‌های پایان‌یافته در دوره، سهم آن‌هایی که هیچ‌گاه پس از سررسید یک مرحلهٔ اداری از آن خارج نشده‌اند (مراحلی که منتظر شهروند است، مانند پرداخت، شمرده نمی‌شوند).',
      en: 'Of the applications completed in the period, the share that never left an office state after that state\'s deadline (due time computed from the state\'s SLA on the business calendar when it was entered; states that wait for the citizen, such as payment, have no office deadline).',
    },
    unit: 'share',
    source: PISHKHAN,
  },
  {
    key: 'applications.digital_share',
    title: { fa: 'سهم خدمت الکترونیک', en: 'Digital take-up' },
    definition: {
      fa: 'از درخواست‌های دریافتی در دوره، سهم برخط (وب و API): برخط ÷ (برخط + حضوری).',
      en: 'Of the applications received in the period, the share made online (web and API): online ÷ (online + counter) (GOV.UK: digital transactions ÷ all transactions).',
    },
    unit: 'share',
    source: GOVUK_DIGITAL,
  },
  {
    key: 'applications.online',
    title: { fa: 'درخواست‌های برخط', en: 'Online applications' },
    definition: { fa: 'درخواست‌های دریافتی در دوره از راه وب یا API.', en: 'Applications received in the period through the web or the API.' },
    unit: 'count',
    source: GOVUK_DIGITAL,
  },
  {
    key: 'applications.counter',
    title: { fa: 'درخواست‌های حضوری', en: 'Counter applications' },
    definition: { fa: 'درخواست‌های دریافتی در دوره که کارمند باجه برای شهروند ثبت کرده است.', en: 'Applications received in the period that a counter clerk filed for a walk-in citizen.' },
    unit: 'count',
    source: GOVUK_DIGITAL,
  },
  {
    key: 'applications.satisfaction',
    title: { fa: 'رضایت کاربران', en: 'User satisfaction' },
    definition: {
      fa: 'توزیع امتیازهای ۱ تا ۵ که شهروندان در دوره به درخواست‌های پایان‌یافته داده‌اند، تعداد پاسخ‌دهندگان و میانگین امتیاز (هر درخواست یک امتیاز؛ آخرین امتیاز شمرده می‌شود).',
      en: 'Distribution of the 1-5 ratings citizens gave in the period to their completed applications, the number of respondents and the mean rating (one rating per application; a changed rating replaces the earlier one).',
    },
    unit: 'score',
    source: GOVUK_SATISFACTION,
  },
  {
    key: 'applications.cost_per_transaction',
    title: { fa: 'هزینهٔ هر تراکنش', en: 'Cost per transaction' },
    definition: {
      fa: 'هزینه‌ای که سازمان برای دوره (و خدمت) ثبت کرده است ÷ درخواست‌های پایان‌یافته در دوره، به ریال. بدون هزینهٔ ثبت‌شده یا بدون درخواست پایان‌یافته، نامعلوم است.',
      en: 'The costs the organization entered for the period (and service) ÷ the applications completed in the period, in Rials. Unknown when no cost was entered or nothing was completed. Costs entered for a month, season or year count for the period they name when it lies within the period asked for.',
    },
    unit: 'rials',
    source: GOVUK_COST,
  },
  {
    key: 'applications.visits_saved',
    title: { fa: 'مراجعات حضوری کاسته‌شده', en: 'Office visits saved' },
    definition: {
      fa: 'برای هر درخواست برخط پایان‌یافته در دوره، تعداد مراجعات حضوری خط پایهٔ خدمت (baseline.office_visits)؛ جمع آن‌ها.',
      en: 'The service baseline\'s office visits (baseline.office_visits of its definition), summed over the online applications completed in the period.',
    },
    unit: 'count',
    source: PISHKHAN,
  },
  {
    key: 'applications.days_saved',
    title: { fa: 'روزهای صرفه‌جویی‌شدهٔ شهروندان', en: 'Citizen days saved' },
    definition: {
      fa: 'برای هر درخواست برخط پایان‌یافته در دوره: روزهای خط پایهٔ خدمت منهای روزهای تقویمی واقعی از ثبت تا پایان (نه کمتر از صفر)؛ جمع آن‌ها.',
      en: 'For each online application completed in the period: the service baseline\'s days minus the actual calendar days from submission to completion (at least 0); summed.',
    },
    unit: 'days',
    source: PISHKHAN,
  },
  {
    key: 'applications.citizen_cost_saved',
    title: { fa: 'هزینهٔ صرفه‌جویی‌شدهٔ شهروندان', en: 'Citizen cost saved' },
    definition: {
      fa: 'مراجعات حضوری کاسته‌شده × هزینهٔ هر مراجعه (COST_PER_VISIT_RIALS، پیش‌فرض ۵۰۰٬۰۰۰ ریال)، به ریال.',
      en: 'Office visits saved × the cost of one visit (COST_PER_VISIT_RIALS, default 500,000 Rials), in Rials.',
    },
    unit: 'rials',
    source: PISHKHAN,
  },
  {
    key: 'reports.received',
    title: { fa: 'گزارش‌های دریافتی (۱۳۷)', en: 'Reports received (137)' },
    definition: { fa: 'گزارش‌های مردمی ثبت‌شده در دوره.', en: 'City problem reports filed in the period.' },
    unit: 'count',
    source: PISHKHAN,
  },
  {
    key: 'reports.resolved',
    title: { fa: 'گزارش‌های رسیدگی‌شده', en: 'Reports resolved' },
    definition: {
      fa: 'دفعاتی که گزارشی در دوره به وضعیت «رسیدگی شد» رسیده است (گزارشی که بازگشایی و دوباره رسیدگی شود دوباره شمرده می‌شود).',
      en: 'Times a report was marked resolved in the period (a report reopened and resolved again counts again).',
    },
    unit: 'count',
    source: PISHKHAN,
  },
  {
    key: 'reports.resolved_within_deadline',
    title: { fa: 'سهم رسیدگی در مهلت', en: 'Share resolved within deadline' },
    definition: {
      fa: 'از رسیدگی‌های دوره، سهم آن‌هایی که در زمان یا پیش از سررسید گزارش انجام شده‌اند.',
      en: 'Of the resolutions in the period, the share made at or before the report\'s due time.',
    },
    unit: 'share',
    source: PISHKHAN,
  },
  {
    key: 'reports.reopened',
    title: { fa: 'گزارش‌های بازگشایی‌شده', en: 'Reports reopened' },
    definition: { fa: 'دفعاتی که شهروندان در دوره گزارش رسیدگی‌شده را بازگشایی کرده‌اند.', en: 'Times citizens reopened a resolved report in the period.' },
    unit: 'count',
    source: PISHKHAN,
  },
  {
    key: 'reports.median_days',
    title: { fa: 'میانه زمان رسیدگی به گزارش', en: 'Median report resolution time' },
    definition: {
      fa: 'میانه روزهای کاری از ثبت گزارش تا رسیدگی، برای رسیدگی‌های دوره.',
      en: 'Median of the business days from filing to resolution, over the resolutions in the period.',
    },
    unit: 'days',
    source: PISHKHAN,
  },
  {
    key: 'league.score',
    title: { fa: 'امتیاز رتبه‌بندی شهرداری‌ها', en: 'Municipality league score' },
    definition: {
      fa: 'میانگین وزنی (۰ تا ۱۰۰): ۳۰٪ سهم انجام در مهلت، ۳۰٪ سهم خدمت الکترونیک، ۲۰٪ رضایت ((میانگین−۱)÷۴)، ۲۰٪ سهم رسیدگی به گزارش‌ها در مهلت. شاخص نامعلوم کنار گذاشته و وزن‌ها دوباره بهنجار می‌شوند؛ شهرداری بدون هیچ شاخص، امتیاز صفر و رتبهٔ آخر دارد. برابری: بیشتر درخواست پایان‌یافته، سپس کد.',
      en: 'Weighted mean (0-100): 30% share within deadline, 30% digital take-up, 20% satisfaction ((mean − 1) ÷ 4), 20% reports resolved within deadline. An unknown component is left out and the other weights rescaled; a municipality with none scores 0 and ranks last. Ties: more completed applications first, then by code.',
    },
    unit: 'score',
    source: PISHKHAN,
  },
];

/** The composite score of the municipalities' league table, as data (see KPI_DEFINITIONS 'league.score'). */
export const LEAGUE_METHOD = {
  weights: { within_deadline: 0.3, digital_share: 0.3, satisfaction: 0.2, reports_within_deadline: 0.2 },
  satisfaction_scale: '(mean - 1) / 4',
  missing: 'left out; the remaining weights are rescaled to sum to 1; none known -> score 0',
  ties: 'more completed applications first, then org code',
} as const;

export const KPI_SOURCES = { GOVUK, GOVUK_COMPLETION, GOVUK_DIGITAL, GOVUK_SATISFACTION, GOVUK_COST, PISHKHAN } as const;
