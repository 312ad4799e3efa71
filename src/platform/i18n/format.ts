/**
 * Formatting at the edge: dates in Asia/Tehran (Jalali with Persian digits for 'fa', Gregorian
 * for 'en'), numbers and Rials; and the Jalali input side (parsing a typed Jalali date).
 *
 * Strings are assembled from Intl's formatToParts rather than taken whole, because ICU's own
 * Persian patterns vary between versions (ICU 78 gives «۱۴۰۵ آذر ۷, شنبه»).
 */
import { isValidJalaaliDate, toGregorian, toJalaali } from 'jalaali-js';
import { toAsciiDigits } from './persian.js';
import { TEHRAN_TIME_ZONE, epochDay, tehranInstant, tehranWallClock, weekdayOfEpochDay } from './tehran.js';

/** The UI languages. */
export type Locale = 'fa' | 'en';

/** How much of a date to show: 'short' «۱۴۰۵/۰۹/۰۷» / '28/11/2026', 'long' «شنبه ۷ آذر ۱۴۰۵» / 'Saturday 28 November 2026'. */
export type DateStyle = 'short' | 'long';

const INTL_LOCALE: Record<Locale, string> = { fa: 'fa-IR-u-ca-persian', en: 'en-GB' };

const formatters = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...options, timeZone: TEHRAN_TIME_ZONE });
    formatters.set(key, f);
  }
  return f;
}

function parts(d: Date | number, locale: Locale, options: Intl.DateTimeFormatOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of dateTimeFormat(locale, options).formatToParts(d)) out[p.type] = p.value;
  return out;
}

const SHORT_DATE: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
const LONG_DATE: Intl.DateTimeFormatOptions = { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' };
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

/** Formats the Tehran date of an instant; throws RangeError for an invalid date. */
export function formatDate(d: Date | number, locale: Locale, style: DateStyle = 'short'): string {
  if (style === 'long') {
    const p = parts(d, locale, LONG_DATE);
    return `${p.weekday} ${p.day} ${p.month} ${p.year}`;
  }
  const p = parts(d, locale, SHORT_DATE);
  return locale === 'fa' ? `${p.year}/${p.month}/${p.day}` : `${p.day}/${p.month}/${p.year}`;
}

/** Formats the Tehran time of day of an instant as 24-hour HH:mm («۱۲:۳۰» / '12:30'). */
export function formatTime(d: Date | number, locale: Locale): string {
  const p = parts(d, locale, TIME);
  return `${p.hour}:${p.minute}`;
}

/** Formats date and time in Tehran: «۱۴۰۵/۰۹/۰۷ ۱۲:۳۰», «شنبه ۷ آذر ۱۴۰۵، ساعت ۱۲:۳۰», 'Saturday 28 November 2026, 12:30'. */
export function formatDateTime(d: Date | number, locale: Locale, style: DateStyle = 'short'): string {
  const date = formatDate(d, locale, style);
  const time = formatTime(d, locale);
  if (style === 'short') return `${date} ${time}`;
  return locale === 'fa' ? `${date}، ساعت ${time}` : `${date}, ${time}`;
}

const numberFormats: Record<Locale, Intl.NumberFormat> = {
  fa: new Intl.NumberFormat('fa-IR'),
  en: new Intl.NumberFormat('en-GB'),
};

/** Formats a number with grouping: «۱۲٬۵۰۰٬۰۰۰» (Persian digits and separator) / '12,500,000'. */
export function formatNumber(n: number | bigint, locale: Locale): string {
  return numberFormats[locale].format(n);
}

/**
 * Formats an amount of Rials: «۱۲٬۵۰۰٬۰۰۰ ریال» / '12,500,000 IRR'. Intl's currency style puts
 * the unit first behind an LRM mark in Persian, which reads wrongly in running RTL text.
 */
export function formatRials(n: number | bigint, locale: Locale): string {
  return locale === 'fa' ? `${formatNumber(n, 'fa')} ریال` : `${formatNumber(n, 'en')} IRR`;
}

/** A Jalali date with its day of the week (0 = Sunday ... 6 = Saturday, as Date#getDay). */
export interface JalaliParts extends JalaliDate {
  weekday: number;
}

/** Returns the Jalali date (ASCII numbers) and weekday of the instant's day in Tehran. */
export function jalaliParts(d: Date | number): JalaliParts {
  const civil = tehranWallClock(d);
  const j = toJalaali(civil.year, civil.month, civil.day);
  return { year: j.jy, month: j.jm, day: j.jd, weekday: weekdayOfEpochDay(epochDay(civil)) };
}

/** A Jalali calendar date (month 1 = Farvardin), ASCII numbers. */
export interface JalaliDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Parses a Jalali date typed as year/month/day ('1405/09/08', '۱۴۰۵-۹-۸'; separators / - .)
 * into its numbers, or null if it is not a real Jalali date.
 */
export function parseJalaliYmd(input: string): JalaliDate | null {
  const m = /^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$/.exec(toAsciiDigits(input).trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidJalaaliDate(year, month, day) ? { year, month, day } : null;
}

/**
 * Parses a typed Jalali date (as {@link parseJalaliYmd}) into the instant at which that day
 * begins in Tehran (00:00, UTC+03:30 since 2023; DST offsets before), or null if it is invalid.
 */
export function parseJalaliDate(input: string): Date | null {
  const j = parseJalaliYmd(input);
  if (!j) return null;
  const g = toGregorian(j.year, j.month, j.day);
  return tehranInstant({ year: g.gy, month: g.gm, day: g.gd });
}

/** Returns the Gregorian date in Tehran of an instant as 'YYYY-MM-DD' (a stable key for a day). */
export function tehranDayKey(d: Date | number): string {
  const { year, month, day } = tehranWallClock(d);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
