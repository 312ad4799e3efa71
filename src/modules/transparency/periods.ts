/**
 * Reporting periods of the transparency dashboards: Jalali months, seasons and years, as whole
 * calendar days in Tehran. A period is written '1404' (year), '1404-s2' (season: 1 spring ...
 * 4 winter) or '1404-07' (month: 7 = Mehr) in URLs, open data and the API.
 */
import { jalaaliMonthLength, toGregorian, isValidJalaaliDate } from 'jalaali-js';
import { jalaliParts } from '../../platform/i18n/format.js';
import { toAsciiDigits, toPersianDigits } from '../../platform/i18n/persian.js';

export type PeriodKind = 'month' | 'season' | 'year';

/** index: month 1-12, season 1-4, and 1 for a year. */
export interface Period {
  kind: PeriodKind;
  year: number;
  index: number;
}

const MONTHS = {
  fa: ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'],
  en: ['Farvardin', 'Ordibehesht', 'Khordad', 'Tir', 'Mordad', 'Shahrivar', 'Mehr', 'Aban', 'Azar', 'Dey', 'Bahman', 'Esfand'],
} as const;
const SEASONS = {
  fa: ['بهار', 'تابستان', 'پاییز', 'زمستان'],
  en: ['Spring', 'Summer', 'Autumn', 'Winter'],
} as const;

// Years the Jalali arithmetic (jalaali-js) and the dashboards sensibly cover.
const MIN_YEAR = 1300;
const MAX_YEAR = 1600;

/** Parses '1404', '1404-s2' or '1404-07' (Persian digits allowed); null for anything else. */
export function parsePeriod(s: string): Period | null {
  const m = /^(\d{4})(?:-(?:([sS])([1-4])|(0[1-9]|1[0-2])))?$/.exec(toAsciiDigits(s).trim());
  if (!m) return null;
  const year = Number(m[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  if (m[3]) return { kind: 'season', year, index: Number(m[3]) };
  if (m[4]) return { kind: 'month', year, index: Number(m[4]) };
  return { kind: 'year', year, index: 1 };
}

/** The inverse of {@link parsePeriod}: '1404', '1404-s2', '1404-07'. */
export function formatPeriod(p: Period): string {
  if (p.kind === 'year') return String(p.year);
  if (p.kind === 'season') return `${p.year}-s${p.index}`;
  return `${p.year}-${String(p.index).padStart(2, '0')}`;
}

/** The Jalali months [first, last] a period covers. */
function monthSpan(p: Period): [number, number] {
  if (p.kind === 'year') return [1, 12];
  if (p.kind === 'season') return [p.index * 3 - 2, p.index * 3];
  return [p.index, p.index];
}

function gregorianKey(jy: number, jm: number, jd: number): string {
  const g = toGregorian(jy, jm, jd);
  return `${String(g.gy).padStart(4, '0')}-${String(g.gm).padStart(2, '0')}-${String(g.gd).padStart(2, '0')}`;
}

/** The first and last Tehran calendar days of the period, as Gregorian 'YYYY-MM-DD', inclusive. */
export function periodRange(p: Period): { from: string; to: string } {
  const [first, last] = monthSpan(p);
  return { from: gregorianKey(p.year, first, 1), to: gregorianKey(p.year, last, jalaaliMonthLength(p.year, last)) };
}

/** 'مهر ۱۴۰۴', 'پاییز ۱۴۰۴', '۱۴۰۴' / 'Mehr 1404', 'Autumn 1404', '1404'. */
export function periodLabel(p: Period, locale: 'fa' | 'en'): string {
  const year = locale === 'fa' ? toPersianDigits(String(p.year)) : String(p.year);
  if (p.kind === 'year') return year;
  const name = p.kind === 'season' ? SEASONS[locale][p.index - 1] : MONTHS[locale][p.index - 1];
  return `${name} ${year}`;
}

/** The period of the given kind that contains the instant `now` (epoch ms) in Tehran. */
export function currentPeriod(kind: PeriodKind, now: number): Period {
  const j = jalaliParts(now);
  if (kind === 'year') return { kind, year: j.year, index: 1 };
  if (kind === 'season') return { kind, year: j.year, index: Math.ceil(j.month / 3) };
  return { kind, year: j.year, index: j.month };
}

function perYear(kind: PeriodKind): number {
  return kind === 'year' ? 1 : kind === 'season' ? 4 : 12;
}

/** The period `offset` steps after `p` (negative: before), of the same kind. */
export function shiftPeriod(p: Period, offset: number): Period {
  const n = perYear(p.kind);
  const ordinal = p.year * n + (p.index - 1) + offset;
  return { kind: p.kind, year: Math.floor(ordinal / n), index: (ordinal % n) + 1 };
}

/** The n periods ending with p (p included), oldest first. */
export function previousPeriods(p: Period, n: number): Period[] {
  const out: Period[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(shiftPeriod(p, -i));
  return out;
}

/** The period kind of a Tehran day key within the Jalali calendar: which month/season/year it falls in. */
export function periodOfDay(kind: PeriodKind, dayKey: string): Period {
  const [y, m, d] = dayKey.split('-').map(Number);
  // Noon UTC of the day is inside the same Tehran calendar day.
  return currentPeriod(kind, Date.UTC(y!, m! - 1, d!, 12));
}

/** True when p is a real period (e.g. from user input built by hand rather than parsePeriod). */
export function isValidPeriod(p: Period): boolean {
  if (!Number.isInteger(p.year) || p.year < MIN_YEAR || p.year > MAX_YEAR) return false;
  const [first] = monthSpan(p);
  return Number.isInteger(p.index) && p.index >= 1 && p.index <= perYear(p.kind) && isValidJalaaliDate(p.year, first, 1);
}
