import { extendMessages } from '../../platform/i18n/messages.js';

// Messages of the costs an organization enters for its services (cost per transaction).
const fa = {
  'transparency.period_invalid': 'دوره را به شکل ۱۴۰۴، ۱۴۰۴-s2 (فصل) یا ۱۴۰۴-۰۷ (ماه) بنویسید.',
  'transparency.cost_invalid': 'هزینه باید عددی درست و نامنفی به ریال باشد.',
  'transparency.service_unknown': 'این خدمت در این سازمان ارائه نمی‌شود.',
};

const en: Record<keyof typeof fa, string> = {
  'transparency.period_invalid': 'Write the period as 1404, 1404-s2 (a season) or 1404-07 (a month).',
  'transparency.cost_invalid': 'The cost must be a whole, non-negative number of Rials.',
  'transparency.service_unknown': 'This organization does not offer this service.',
};

extendMessages({ fa, en });
