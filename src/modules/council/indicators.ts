import type { CouncilIndicatorsTable } from '../../platform/db/schema.js';

/**
 * The council's indicators. Computed ones come from the catalog (adopted services and their
 * maturity) and from the transparency KPIs of the recorded events; entered ones are typed in for
 * a period with their source. Weights are those of the ranking (they sum to 1; 0 = shown, not ranked).
 */
export const INDICATORS: CouncilIndicatorsTable[] = [
  {
    code: 'services_online', kind: 'computed', unit: 'share', higher_is_better: 1, weight: 0.25, position: 1,
    title_fa: 'سهم خدمات برخط', title_en: 'Share of services online',
    description_fa: 'از خدمات فعال پذیرفته‌شده سازمان، سهم آن‌هایی که سطح بلوغشان ۳ (تراکنشی) یا بالاتر است؛ توزیع سطح‌های ۱ تا ۵ کنار آن آمده است. در سطر استان، خدمات بیرونی فعال دستگاه‌ها (آب و فاضلاب، ثبت و ...) هم شمرده می‌شوند. وضعیت کنونی کاتالوگ است، نه دوره.',
    description_en: 'Of the organization\'s enabled adopted services, the share at maturity level 3 (transactional) or above; the spread over levels 1-5 is shown beside it. The province\'s row also counts the agencies\' active external services (water, registry, ...). The current catalog, not the period.',
  },
  {
    code: 'digital_take_up', kind: 'computed', unit: 'share', higher_is_better: 1, weight: 0.2, position: 2,
    title_fa: 'سهم درخواست‌های برخط', title_en: 'Digital take-up',
    description_fa: 'درخواست‌های برخط تقسیم بر همه درخواست‌های دریافتی دوره (برخط و حضوری در پیشخوان).',
    description_en: 'Applications received online divided by all received in the period (online and at the counter).',
  },
  {
    code: 'deadline_compliance', kind: 'computed', unit: 'share', higher_is_better: 1, weight: 0.2, position: 3,
    title_fa: 'انجام در مهلت', title_en: 'Deadline compliance',
    description_fa: 'از درخواست‌های پایان‌یافته در دوره، سهم آن‌هایی که هیچ مرحله اداری‌شان از مهلت نگذشت.',
    description_en: 'Of the applications completed in the period, the share that never stayed in an office step past its deadline.',
  },
  {
    code: 'satisfaction', kind: 'computed', unit: 'score', higher_is_better: 1, weight: 0.15, position: 4,
    title_fa: 'رضایت شهروندان', title_en: 'User satisfaction',
    description_fa: 'میانگین امتیاز ۱ تا ۵ شهروندان به درخواست‌های پایان‌یافته در دوره.',
    description_en: 'Mean 1-5 rating citizens gave the applications completed in the period.',
  },
  {
    code: 'broadband_coverage', kind: 'entered', unit: 'percent', higher_is_better: 1, weight: 0.1, position: 5,
    title_fa: 'پوشش اینترنت پرسرعت', title_en: 'Broadband coverage',
    description_fa: 'درصد خانوارهای شهر با دسترسی به اینترنت پرسرعت ثابت یا همراه، به گزارش منبع.',
    description_en: 'Percentage of the city\'s households with fixed or mobile broadband access, as reported by the source.',
  },
  {
    code: 'staff_trained', kind: 'entered', unit: 'percent', higher_is_better: 1, weight: 0.1, position: 6,
    title_fa: 'کارکنان آموزش‌دیده', title_en: 'Staff trained',
    description_fa: 'درصد کارکنان سازمان که دوره آموزش خدمات الکترونیک را گذرانده‌اند.',
    description_en: 'Percentage of the organization\'s staff who completed e-services training.',
  },
  {
    code: 'ict_budget', kind: 'entered', unit: 'rials', higher_is_better: 1, weight: 0, position: 7,
    title_fa: 'بودجه فناوری اطلاعات', title_en: 'ICT budget',
    description_fa: 'بودجه مصوب فناوری اطلاعات و ارتباطات سازمان در دوره، به ریال (در رتبه‌بندی وزن ندارد: به اندازه شهر بستگی دارد).',
    description_en: 'The organization\'s approved ICT budget for the period, in Rials (not weighted in the ranking: it depends on the city\'s size).',
  },
];

export const INDICATOR_CODES = INDICATORS.map((i) => i.code);
