import { extendMessages } from '../../platform/i18n/messages.js';

// Messages of the open data page and its errors.
const fa = {
  'open_data.title': 'داده‌های باز',
  'open_data.lead': 'آمار خدمات الکترونیک و گزارش‌های ۱۳۷ شهرداری‌های استان، بی هیچ دادهٔ شخصی، برای بارگیری آزاد و استفادهٔ دوباره. هر پرونده با سطر عنوان، به دو قالب CSV (UTF-8، مناسب Excel) و JSON.',
  'open_data.licence': 'پروانه:',
  'open_data.credit': 'استفاده، بازنشر و تغییر آزاد است، به شرط ذکر منبع: «{publisher}».',
  'open_data.catalog': 'فهرست ماشین‌خوان داده‌ها (DCAT)',
  'open_data.api': 'همین داده‌ها از راه API',
  'open_data.docs': 'شرح ستون‌ها و روش‌ها',
  'open_data.schema': 'طرح جدول (Table Schema)',
  'open_data.columns': 'ستون‌ها',
  'open_data.col.name': 'نام ستون',
  'open_data.col.type': 'نوع',
  'open_data.col.meaning': 'معنا',
  'open_data.downloads': 'بارگیری',
  'open_data.period': 'دوره',
  'open_data.period_hint': 'دوره به تقویم خورشیدی: سال (۱۴۰۴)، فصل (1404-s2) یا ماه (1404-07).',
  'open_data.show': 'نمایش پیوندها',
  'open_data.privacy': 'حریم خصوصی: در این پرونده‌ها شناسه، کد رهگیری، نام، شماره همراه، کد ملی، متن آزاد و نشانی هیچ شهروندی نیست؛ مکان گزارش‌ها به خانه‌های حدود یک کیلومتری گرد شده است.',
  'open_data.bad_period': 'دوره نامعتبر است؛ نمونه‌ها: 1404، 1404-s2، 1404-07.',
  'open_data.unknown_org': 'سازمانی با این کد نیست.',
  'open_data.unknown_service': 'خدمتی با این کد نیست.',
  'open_data.unknown_dataset': 'مجموعه‌داده‌ای با این نام نیست.',
};

const en: Record<keyof typeof fa, string> = {
  'open_data.title': 'Open data',
  'open_data.lead': 'Figures of the e-services and the 137 city problem reports of the municipalities of the province, with no personal data, free to download and reuse. Every file has a header row and comes as CSV (UTF-8, opens in Excel) and JSON.',
  'open_data.licence': 'Licence:',
  'open_data.credit': 'You may use, share and adapt the data, crediting "{publisher}".',
  'open_data.catalog': 'Machine-readable catalog (DCAT)',
  'open_data.api': 'The same data through the API',
  'open_data.docs': 'Columns and methods',
  'open_data.schema': 'Table Schema',
  'open_data.columns': 'Columns',
  'open_data.col.name': 'Column',
  'open_data.col.type': 'Type',
  'open_data.col.meaning': 'Meaning',
  'open_data.downloads': 'Download',
  'open_data.period': 'Period',
  'open_data.period_hint': 'A Jalali period: a year (1404), a season (1404-s2) or a month (1404-07).',
  'open_data.show': 'Show links',
  'open_data.privacy': 'Privacy: these files hold no citizen\'s id, tracking code, name, mobile number, national code, free text or address; report locations are rounded to cells of about one kilometre.',
  'open_data.bad_period': 'The period is not valid; for example 1404, 1404-s2 or 1404-07.',
  'open_data.unknown_org': 'There is no organization with this code.',
  'open_data.unknown_service': 'There is no service with this code.',
  'open_data.unknown_dataset': 'There is no dataset with this name.',
};

extendMessages({ fa, en });
