import type { ReportCategoriesTable } from '../../platform/db/schema.js';

/** The demo categories every municipality takes reports of, grouped like the ۱۳۷ system. */
export const DEMO_REPORT_CATEGORIES: Omit<ReportCategoriesTable, 'id' | 'org_id' | 'created_at'>[] = [
  { code: 'pothole', group: 'urban-services', title_fa: 'چاله و خرابی آسفالت', title_en: 'Pothole', deadline_days: 5, department_fa: 'معاونت فنی و عمرانی', department_en: 'Public works', allow_anonymous: 1 },
  { code: 'rubble', group: 'urban-services', title_fa: 'تخلیه نخاله ساختمانی', title_en: 'Dumped rubble', deadline_days: 3, department_fa: 'سازمان مدیریت پسماند', department_en: 'Waste management', allow_anonymous: 1 },
  { code: 'street-light', group: 'urban-services', title_fa: 'خرابی روشنایی معابر', title_en: 'Broken street light', deadline_days: 3, department_fa: 'واحد روشنایی معابر', department_en: 'Street lighting', allow_anonymous: 1 },
  { code: 'blocked-pavement', group: 'transport', title_fa: 'سد معبر پیاده‌رو', title_en: 'Blocked pavement', deadline_days: 2, department_fa: 'اداره اجرائیات', department_en: 'Enforcement', allow_anonymous: 0 },
  { code: 'tree-pruning', group: 'beautification', title_fa: 'هرس درختان', title_en: 'Tree pruning', deadline_days: 10, department_fa: 'سازمان پارک‌ها و فضای سبز', department_en: 'Parks and green spaces', allow_anonymous: 1 },
  { code: 'stray-animals', group: 'social', title_fa: 'حیوانات بلاصاحب', title_en: 'Stray animals', deadline_days: 5, department_fa: 'واحد محیط زیست شهری', department_en: 'Urban environment', allow_anonymous: 1 },
  { code: 'flooding', group: 'public-places', title_fa: 'آب‌گرفتگی معابر', title_en: 'Flooding', deadline_days: 1, department_fa: 'مدیریت بحران', department_en: 'Emergency management', allow_anonymous: 1 },
  { code: 'unauthorised-building', group: 'urban-services', title_fa: 'ساخت‌وساز غیرمجاز', title_en: 'Unauthorised building', deadline_days: 7, department_fa: 'معاونت شهرسازی', department_en: 'Urban planning', allow_anonymous: 0 },
  { code: 'garbage', group: 'public-places', title_fa: 'جمع‌آوری زباله', title_en: 'Garbage not collected', deadline_days: 1, department_fa: 'سازمان مدیریت پسماند', department_en: 'Waste management', allow_anonymous: 1 },
  { code: 'noise', group: 'social', title_fa: 'آلودگی صوتی', title_en: 'Noise', deadline_days: 5, department_fa: 'واحد محیط زیست شهری', department_en: 'Urban environment', allow_anonymous: 0 },
];
