import { formatNumber, formatRials, type Locale } from '../../../platform/i18n/format.js';
import { t } from '../../../platform/i18n/messages.js';
import { WORKDAY_HOURS, type DiffEntry, type FeeSheet, type ServiceSheet, type Text } from '../service.js';
import '../messages-catalog.js';

// Words for what the catalog shows: localized texts, fee formulas read aloud, durations in
// business time and the lines of a version diff. Shared by the pages and the API serializers.

/** The text in the locale; English falls back to Persian. */
export function loc(text: Text | null | undefined, locale: Locale): string {
  if (!text) return '';
  return locale === 'en' && text.en ? text.en : text.fa;
}

const FUNCTION_WORDS: Record<string, { fa: string; en: string }> = {
  min: { fa: 'کمترینِ', en: 'the lesser of' },
  max: { fa: 'بیشترینِ', en: 'the greater of' },
  round: { fa: 'گردشده', en: 'rounded' },
  floor: { fa: 'گردشده به پایین', en: 'rounded down' },
  ceil: { fa: 'گردشده به بالا', en: 'rounded up' },
  abs: { fa: 'قدر مطلق', en: 'the absolute value of' },
};
const OPERATOR_WORDS: Record<string, { fa: string; en: string }> = {
  '*': { fa: '×', en: '×' },
  '/': { fa: '÷', en: '÷' },
  '-': { fa: '−', en: '−' },
  '+': { fa: '+', en: '+' },
  '%': { fa: 'باقی‌ماندهٔ تقسیم بر', en: 'modulo' },
  '>=': { fa: '≥', en: '≥' },
  '<=': { fa: '≤', en: '≤' },
  '==': { fa: '=', en: '=' },
  '!=': { fa: '≠', en: '≠' },
  '&&': { fa: 'و', en: 'and' },
  '||': { fa: 'یا', en: 'or' },
  '!': { fa: 'نه', en: 'not' },
  '?': { fa: '؟ آنگاه', en: '? then' },
  ':': { fa: 'وگرنه', en: 'otherwise' },
  ',': { fa: '،', en: ',' },
};

const TOKEN = /\s*(\d[\d_.\u066B\u066C]*|[\u06F0-\u06F9\u0660-\u0669][\u06F0-\u06F9\u0660-\u0669_.\u066B\u066C]*|[A-Za-z_][A-Za-z0-9_]*|<=|>=|==|!=|&&|\|\||[-+*/%()<>!?:,])/gy;

/**
 * A formula as a person reads it: field keys become their labels in «», parameters their values,
 * operators ×, ÷, ≥ and function names words. «مساحت زیربنا» × ۳۵۰٬۰۰۰.
 */
export function describeFormula(source: string, labels: Record<string, Text>, params: Record<string, number>, locale: Locale, factors: ReadonlySet<string> = new Set()): string {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = TOKEN.exec(source))) {
    end = TOKEN.lastIndex;
    const tok = m[1]!;
    if (/^[A-Za-z_]/.test(tok)) {
      if (FUNCTION_WORDS[tok]) out.push(FUNCTION_WORDS[tok]![locale]);
      else if (tok in params) out.push(formatNumber(params[tok]!, locale));
      else if (labels[tok]) {
        const label = locale === 'fa' ? `«${loc(labels[tok], locale)}»` : `“${loc(labels[tok], locale)}”`;
        // A choice stands for its factor (e.g. the coefficient of a use).
        out.push(factors.has(tok) ? t(locale, 'catalog.factor_of', { label }) : label);
      }
      else out.push(tok);
    } else if (/^[\d\u06F0-\u06F9\u0660-\u0669]/.test(tok)) {
      const n = Number(tok.replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace(/[_\u066C]/g, '').replace('\u066B', '.'));
      out.push(Number.isFinite(n) ? formatNumber(n, locale) : tok);
    } else {
      out.push(OPERATOR_WORDS[tok]?.[locale] ?? tok);
    }
  }
  // Whatever the reader could not split is shown as written rather than lost.
  if (end < source.trim().length) return source;
  return out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')').replace(/ ([،,])/g, '$1');
}

/** The field labels of a sheet, by key, for {@link describeFormula}. */
export function fieldLabels(sheet: ServiceSheet): Record<string, Text> {
  return Object.fromEntries(sheet.fields.map((f) => [f.key, f.label]));
}

/** A fee's formula (and condition) in words, with the values of its params. */
export function feeWords(fee: FeeSheet, sheet: ServiceSheet, locale: Locale): { formula: string; when: string | null } {
  const params = Object.fromEntries(fee.params.map((p) => [p.name, p.value]));
  const labels = fieldLabels(sheet);
  const factors = new Set(sheet.fields.filter((f) => f.type === 'select').map((f) => f.key));
  return {
    formula: describeFormula(fee.formula, labels, params, locale, factors),
    when: fee.when ? describeFormula(fee.when, labels, params, locale, factors) : null,
  };
}

/** A fee in one sentence: its fixed amount, or how it is computed. */
export function feeSentence(fee: FeeSheet, sheet: ServiceSheet, locale: Locale): string {
  const words = feeWords(fee, sheet, locale);
  const main = fee.fixed !== null && !fee.when
    ? t(locale, 'catalog.fee_fixed', { amount: formatRials(fee.fixed, locale) })
    : t(locale, 'catalog.fee_formula', { formula: words.formula });
  return words.when ? `${main} (${t(locale, 'catalog.fee_when', { condition: words.when })})` : main;
}

/** An SLA of a step: «۲ روز کاری» / «۶ ساعت کاری». */
export function slaText(hours: number | null, sla: string | null, locale: Locale): string {
  if (hours === null || !sla) return t(locale, 'catalog.step_no_sla');
  return sla.endsWith('d') ? t(locale, 'catalog.step_sla_days', { n: hours / WORKDAY_HOURS }) : t(locale, 'catalog.step_sla_hours', { n: hours });
}

/** The total deadline in business days and hours. */
export function deadlineText(hours: number, locale: Locale): string {
  if (hours <= 0) return t(locale, 'catalog.deadline_none');
  const days = Math.floor(hours / WORKDAY_HOURS);
  const rest = hours % WORKDAY_HOURS;
  if (!days) return t(locale, 'catalog.deadline_hours', { hours: rest });
  return rest ? t(locale, 'catalog.deadline_days_hours', { days, hours: rest }) : t(locale, 'catalog.deadline_days', { days });
}

function valueText(v: unknown, locale: Locale): string {
  if (v === null || v === undefined || v === '') return t(locale, 'catalog.diff.empty');
  if (typeof v === 'number') return formatNumber(v, locale);
  if (typeof v === 'boolean') return locale === 'fa' ? (v ? 'بله' : 'خیر') : (v ? 'yes' : 'no');
  if (typeof v === 'string') return `«${v}»`;
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'object' && x ? valueText(x, locale) : String(x))).join(locale === 'fa' ? '، ' : ', ') : t(locale, 'catalog.diff.empty');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.fa === 'string') return `«${locale === 'en' && typeof o.en === 'string' ? o.en : o.fa}»`;
    if (typeof o.value === 'string' && o.label) return valueText(o.label, locale);
    return Object.entries(o).map(([k, x]) => `${k}: ${valueText(x, locale)}`).join(locale === 'fa' ? '، ' : ', ');
  }
  return String(v);
}

function attrName(attr: string, locale: Locale): string {
  if (attr.startsWith('params.')) return t(locale, 'catalog.diff.param', { name: attr.slice(7) });
  const key = `catalog.attr.${attr}`;
  const name = t(locale, key);
  return name === key ? attr : name;
}

/** One line of a diff: «هزینه «عوارض» تغییر کرد: فرمول: از … به …». */
export function diffLine(entry: DiffEntry, locale: Locale): { what: string; change: string; details: string[] } {
  const what = entry.title ? loc(entry.title, locale) : entry.key;
  return {
    what: entry.section === 'service' ? t(locale, 'catalog.diff.section.service') : `${what}${entry.title && entry.key ? ` (${entry.key})` : ''}`,
    change: t(locale, `catalog.diff.${entry.change}`),
    details: entry.details.map((d) => t(locale, 'catalog.diff.from_to', { attr: attrName(d.attr, locale), from: valueText(d.from, locale), to: valueText(d.to, locale) })),
  };
}
