import type { CategoryAttribute, ReportCategoriesTable } from '../../platform/db/schema.js';

type DemoCategory = Omit<ReportCategoriesTable, 'id' | 'org_id' | 'created_at' | 'attributes' | 'active'> & { attributes: CategoryAttribute[] };

const size: CategoryAttribute = {
  code: 'size', datatype: 'singlevaluelist', required: false, order: 1,
  description_fa: 'اندازه تقریبی', description_en: 'Approximate size',
  values: [
    { key: 'small', name_fa: 'کوچک (کمتر از نیم متر)', name_en: 'Small (under half a metre)' },
    { key: 'medium', name_fa: 'متوسط', name_en: 'Medium' },
    { key: 'large', name_fa: 'بزرگ (بیش از دو متر)', name_en: 'Large (over two metres)' },
  ],
};
const poleNumber: CategoryAttribute = {
  code: 'pole_number', datatype: 'string', required: false, order: 1,
  description_fa: 'شماره پایه چراغ (اگر دیده می‌شود)', description_en: 'Lamp post number (if visible)',
};
const animals: CategoryAttribute = {
  code: 'count', datatype: 'number', required: false, order: 1,
  description_fa: 'تعداد حیوانات', description_en: 'How many animals',
};
const noiseTime: CategoryAttribute = {
  code: 'when', datatype: 'singlevaluelist', required: true, order: 1,
  description_fa: 'زمان رخداد', description_en: 'When it happens',
  values: [
    { key: 'day', name_fa: 'روز', name_en: 'Daytime' },
    { key: 'night', name_fa: 'شب', name_en: 'Night' },
    { key: 'always', name_fa: 'همیشه', name_en: 'All the time' },
  ],
};

/** The demo categories every municipality takes reports of, grouped like the ۱۳۷ system, with their extra questions. */
export const DEMO_REPORT_CATEGORIES: DemoCategory[] = [
  { code: 'pothole', group: 'urban-services', title_fa: 'چاله و خرابی آسفالت', title_en: 'Pothole', deadline_days: 5, department_fa: 'معاونت فنی و عمرانی', department_en: 'Public works', allow_anonymous: 1, attributes: [size] },
  { code: 'rubble', group: 'urban-services', title_fa: 'تخلیه نخاله ساختمانی', title_en: 'Dumped rubble', deadline_days: 3, department_fa: 'سازمان مدیریت پسماند', department_en: 'Waste management', allow_anonymous: 1, attributes: [size] },
  { code: 'street-light', group: 'urban-services', title_fa: 'خرابی روشنایی معابر', title_en: 'Broken street light', deadline_days: 3, department_fa: 'واحد روشنایی معابر', department_en: 'Street lighting', allow_anonymous: 1, attributes: [poleNumber] },
  { code: 'blocked-pavement', group: 'transport', title_fa: 'سد معبر پیاده‌رو', title_en: 'Blocked pavement', deadline_days: 2, department_fa: 'اداره اجرائیات', department_en: 'Enforcement', allow_anonymous: 0, attributes: [] },
  { code: 'tree-pruning', group: 'beautification', title_fa: 'هرس درختان', title_en: 'Tree pruning', deadline_days: 10, department_fa: 'سازمان پارک‌ها و فضای سبز', department_en: 'Parks and green spaces', allow_anonymous: 1, attributes: [] },
  { code: 'stray-animals', group: 'social', title_fa: 'حیوانات بلاصاحب', title_en: 'Stray animals', deadline_days: 5, department_fa: 'واحد محیط زیست شهری', department_en: 'Urban environment', allow_anonymous: 1, attributes: [animals] },
  { code: 'flooding', group: 'public-places', title_fa: 'آب‌گرفتگی معابر', title_en: 'Flooding', deadline_days: 1, department_fa: 'مدیریت بحران', department_en: 'Emergency management', allow_anonymous: 1, attributes: [] },
  { code: 'unauthorised-building', group: 'urban-services', title_fa: 'ساخت‌وساز غیرمجاز', title_en: 'Unauthorised building', deadline_days: 7, department_fa: 'معاونت شهرسازی', department_en: 'Urban planning', allow_anonymous: 0, attributes: [] },
  { code: 'garbage', group: 'public-places', title_fa: 'جمع‌آوری زباله', title_en: 'Garbage not collected', deadline_days: 1, department_fa: 'سازمان مدیریت پسماند', department_en: 'Waste management', allow_anonymous: 1, attributes: [] },
  { code: 'noise', group: 'social', title_fa: 'آلودگی صوتی', title_en: 'Noise', deadline_days: 5, department_fa: 'واحد محیط زیست شهری', department_en: 'Urban environment', allow_anonymous: 0, attributes: [noiseTime] },
];
