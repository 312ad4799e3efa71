/**
 * The rules of one levy, whether it comes as a row of an imported file or from the hand-entry
 * form: which columns there are (English names or their Persian headers), how each value is
 * read (Persian digits, separators, Arabic letters) and what makes it wrong. Pure functions.
 */
import { isValidNationalCode, normalizeNationalCode, normalizePersian, searchKey, toAsciiDigits, toPersianDigits } from '../../platform/i18n/persian.js';
import { jalaliParts, parseJalaliYmd } from '../../platform/i18n/format.js';
import { civilDateOfEpochDay, epochDay, tehranInstant } from '../../platform/i18n/tehran.js';
import { toGregorian } from 'jalaali-js';

/** The kinds of bill not tied to an application, as stored in bills.kind. */
export const LEVY_KINDS = ['renewal_levy', 'business_levy'] as const;
export type LevyKind = (typeof LEVY_KINDS)[number];

/** The columns of a levy file, in the order of the template. */
export const LEVY_COLUMNS = ['kind', 'national_code', 'property_code', 'business_code', 'title', 'period', 'amount_rials', 'due_date'] as const;
export type LevyColumn = (typeof LEVY_COLUMNS)[number];
/** Columns every file must have (property_code and business_code: at least one of them). */
export const REQUIRED_COLUMNS: readonly LevyColumn[] = ['kind', 'national_code', 'period', 'amount_rials'];

export const LEVY_LIMITS = {
  /** Rials; a trillion tomans. Anything larger is a typo. */
  maxAmount: 10_000_000_000_000,
  minPeriod: 1380,
  titleMax: 200,
  codeMax: 40,
};

// Header spellings accepted per column, compared after searchKey() with spaces and underscores
// removed. A bare «مبلغ» (amount) is not accepted: the unit must be named, Rials, never Tomans.
const HEADER_ALIASES: Record<LevyColumn, string[]> = {
  kind: ['kind', 'نوع', 'نوع عوارض', 'نوع قبض'],
  national_code: ['national_code', 'nationalcode', 'کد ملی', 'شماره ملی'],
  property_code: ['property_code', 'کد نوسازی', 'کد ملک', 'شناسه ملک'],
  business_code: ['business_code', 'کد کسب', 'کد صنفی', 'شناسه صنفی', 'شناسه کسب'],
  title: ['title', 'عنوان', 'شرح'],
  period: ['period', 'year', 'سال', 'دوره', 'سال عوارض'],
  amount_rials: ['amount_rials', 'مبلغ ریال', 'مبلغ (ریال)', 'مبلغ به ریال'],
  due_date: ['due_date', 'مهلت پرداخت', 'سررسید', 'تاریخ سررسید', 'مهلت'],
};
const headerKey = (s: string) => searchKey(s).replace(/[\s_]+/g, '');
const HEADER_LOOKUP = new Map<string, LevyColumn>(
  Object.entries(HEADER_ALIASES).flatMap(([col, names]) => names.map((n) => [headerKey(n), col as LevyColumn] as const)),
);

/** The column a header cell names, or null when it names none. */
export function columnOfHeader(cell: string): LevyColumn | null {
  return HEADER_LOOKUP.get(headerKey(cell)) ?? null;
}

const KIND_ALIASES: Record<LevyKind, string[]> = {
  renewal_levy: ['renewal_levy', 'renewal', 'نوسازی', 'عوارض نوسازی', 'عوارض نوسازی و عمران شهری'],
  business_levy: ['business_levy', 'business', 'کسب و پیشه', 'کسب وپیشه', 'عوارض کسب و پیشه', 'صنفی', 'عوارض صنفی'],
};
const KIND_LOOKUP = new Map<string, LevyKind>(
  Object.entries(KIND_ALIASES).flatMap(([kind, names]) => names.map((n) => [headerKey(n), kind as LevyKind] as const)),
);

/** The levy kind a cell names (its key or its Persian name), or null. */
export function parseLevyKind(cell: string): LevyKind | null {
  return KIND_LOOKUP.get(headerKey(cell)) ?? null;
}

/**
 * A property code (کد نوسازی) or business code as stored and looked up: ASCII digits and upper
 * case, no spaces, any dash as '-'; letters, digits and - / . only. Null when it is not one.
 */
export function normalizeLevyCode(input: string): string | null {
  const s = toAsciiDigits(normalizePersian(String(input ?? '')).normalize('NFKC'))
    .replace(/[\u2010-\u2015\u2212\u06D4_]/g, '-')
    .replace(/[\s\u200C]+/g, '')
    .toUpperCase();
  if (s.length === 0 || s.length > LEVY_LIMITS.codeMax) return null;
  return /^[0-9A-Z](?:[0-9A-Z\-/.]*[0-9A-Z])?$/.test(s) ? s : null;
}

/**
 * An amount of Rials as typed: Persian or ASCII digits, with thousands separators (, ٬ ، space
 * apostrophe, or dots in groups of three) and an optional zero fraction (1250000.00).
 */
export function parseRials(input: string): { ok: true; amount: number } | { ok: false; key: string } {
  let s = toAsciiDigits(normalizePersian(String(input ?? ''))).replace(/[\s,\u066C\u060C'\u2019\u200C_]/g, '');
  if (s === '') return { ok: false, key: 'common.required' };
  if (/^-/.test(s)) return { ok: false, key: 'levies.amount_positive' };
  s = s.replace(/\u066B/g, '.');
  if (/^\d{1,3}(\.\d{3})+$/.test(s)) s = s.replace(/\./g, '');
  else if (/^\d+\.0+$/.test(s)) s = s.replace(/\.0+$/, '');
  if (/^\d+\.\d+$/.test(s)) return { ok: false, key: 'levies.amount_not_integer' };
  if (!/^\d+$/.test(s)) return { ok: false, key: 'levies.amount_invalid' };
  const n = Number(s);
  if (n <= 0) return { ok: false, key: 'levies.amount_positive' };
  if (n > LEVY_LIMITS.maxAmount) return { ok: false, key: 'levies.amount_too_large' };
  return { ok: true, amount: n };
}

/** The instant a Jalali due date ends in Tehran (the start of the next day): a bill is due through that whole day. */
export function endOfJalaliDay(j: { year: number; month: number; day: number }): number {
  const g = toGregorian(j.year, j.month, j.day);
  return tehranInstant(civilDateOfEpochDay(epochDay({ year: g.gy, month: g.gm, day: g.gd }) + 1)).getTime();
}

/** The Jalali year in Tehran at an instant. */
export const jalaliYearAt = (now: number): number => jalaliParts(now).year;

/** A levy as typed: every value is the raw text of a cell or a form field. */
export type LevyInput = Partial<Record<LevyColumn, string>>;

/** A levy that passed every check, in its stored form. */
export interface LevyRow {
  kind: LevyKind;
  nationalCode: string;
  propertyCode: string | null;
  businessCode: string | null;
  titleFa: string;
  titleEn: string;
  period: string;
  amount: number;
  /** The Jalali due date as typed, normalized (1405/12/29), and when it ends. */
  dueDate: string | null;
  dueAt: number | null;
}

/** What is wrong with one value: the column, a message key and its parameters. */
export interface LevyProblem {
  column: LevyColumn;
  key: string;
  params?: Record<string, string | number>;
}

/** The default titles of a levy: «عوارض نوسازی سال ۱۴۰۵» / 'Renewal levy 1405'. */
export function defaultLevyTitle(kind: LevyKind, period: string): { fa: string; en: string } {
  return kind === 'renewal_levy'
    ? { fa: `عوارض نوسازی سال ${toPersianDigits(period)}`, en: `Renewal levy ${period}` }
    : { fa: `عوارض کسب و پیشه سال ${toPersianDigits(period)}`, en: `Business levy ${period}` };
}

/** The duplicate key of a levy within an organization: one live levy per kind, code and period. */
export const levyKey = (r: Pick<LevyRow, 'kind' | 'propertyCode' | 'businessCode' | 'period'>): string =>
  `${r.kind}|${(r.kind === 'renewal_levy' ? r.propertyCode : r.businessCode) ?? ''}|${r.period}`;

/** The code a levy is identified by: the property code of a renewal levy, the business code of a business levy. */
export const levyCode = (r: Pick<LevyRow, 'kind' | 'propertyCode' | 'businessCode'>): string =>
  (r.kind === 'renewal_levy' ? r.propertyCode : r.businessCode) ?? '';

/**
 * Checks one levy and returns it in stored form, or every problem it has (all columns are
 * checked, not only the first bad one). `now` bounds the period: from 1380 to next year.
 */
export function checkLevy(input: LevyInput, now: number): { row: LevyRow | null; problems: LevyProblem[] } {
  const problems: LevyProblem[] = [];
  const text = (c: LevyColumn) => normalizePersian(String(input[c] ?? ''));

  const kindText = text('kind');
  const kind = kindText ? parseLevyKind(kindText) : null;
  if (!kindText) problems.push({ column: 'kind', key: 'common.required' });
  else if (!kind) problems.push({ column: 'kind', key: 'levies.kind_unknown', params: { value: kindText.slice(0, 40) } });

  const ncText = text('national_code');
  const nationalCode = ncText ? normalizeNationalCode(ncText) : null;
  if (!ncText) problems.push({ column: 'national_code', key: 'common.required' });
  else if (!nationalCode || !isValidNationalCode(nationalCode)) problems.push({ column: 'national_code', key: 'levies.national_code_invalid' });

  let propertyCode: string | null = null;
  let businessCode: string | null = null;
  for (const column of ['property_code', 'business_code'] as const) {
    const raw = text(column);
    if (!raw) continue;
    const code = normalizeLevyCode(raw);
    if (!code) problems.push({ column, key: 'levies.code_invalid', params: { max: LEVY_LIMITS.codeMax } });
    else if (column === 'property_code') propertyCode = code;
    else businessCode = code;
  }
  if (kind === 'renewal_levy') {
    if (!text('property_code')) problems.push({ column: 'property_code', key: 'levies.property_code_required' });
    if (text('business_code')) problems.push({ column: 'business_code', key: 'levies.code_not_for_kind' });
    businessCode = null;
  } else if (kind === 'business_levy') {
    if (!text('business_code')) problems.push({ column: 'business_code', key: 'levies.business_code_required' });
    // A business levy may name the property the business occupies; it is kept for reference.
  }

  const title = text('title');
  if ([...title].length > LEVY_LIMITS.titleMax) problems.push({ column: 'title', key: 'levies.title_too_long', params: { max: LEVY_LIMITS.titleMax } });

  const periodText = toAsciiDigits(text('period')).replace(/\s/g, '');
  const maxPeriod = jalaliYearAt(now) + 1;
  if (!periodText) problems.push({ column: 'period', key: 'common.required' });
  else if (!/^\d{4}$/.test(periodText) || Number(periodText) < LEVY_LIMITS.minPeriod || Number(periodText) > maxPeriod) {
    problems.push({ column: 'period', key: 'levies.period_invalid', params: { min: String(LEVY_LIMITS.minPeriod), max: String(maxPeriod) } });
  }

  const amount = parseRials(input.amount_rials ?? '');
  if (!amount.ok) problems.push({ column: 'amount_rials', key: amount.key, params: { max: LEVY_LIMITS.maxAmount } });

  let dueDate: string | null = null;
  let dueAt: number | null = null;
  const dueText = text('due_date');
  if (dueText) {
    const j = parseJalaliYmd(dueText);
    if (!j || j.year < LEVY_LIMITS.minPeriod || j.year > maxPeriod + 1) problems.push({ column: 'due_date', key: 'levies.due_date_invalid' });
    else {
      dueDate = `${j.year}/${String(j.month).padStart(2, '0')}/${String(j.day).padStart(2, '0')}`;
      dueAt = endOfJalaliDay(j);
    }
  }

  if (problems.length || !kind || !nationalCode || !amount.ok) return { row: null, problems };
  const defaults = defaultLevyTitle(kind, periodText);
  return {
    row: {
      kind, nationalCode, propertyCode, businessCode, period: periodText, amount: amount.amount, dueDate, dueAt,
      titleFa: title || defaults.fa, titleEn: defaults.en,
    },
    problems: [],
  };
}
