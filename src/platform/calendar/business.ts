/**
 * Business time for SLAs: which days are working days in Iran (Friday off, Thursday by
 * configuration, official holidays), deadlines counted in business days, and the business time
 * elapsed between two instants. Days and hours are those of Asia/Tehran.
 */
import { toJalaali } from 'jalaali-js';
import { parseJalaliYmd, type Locale } from '../i18n/format.js';
import {
  civilDateOfEpochDay,
  tehranEpochDay,
  tehranInstant,
  weekdayOfEpochDay,
  type CivilDate,
} from '../i18n/tehran.js';
import { OFFICIAL_HOLIDAYS, solarHolidays, type HolidayName, type HolidayTable } from './holidays.js';

/** Thursday is either a day off or a working day (see `thursdayEnd` for a half day). */
export type ThursdayRule = 'off' | 'work';

/** An extra holiday: a Jalali date 'YYYY/MM/DD' (Persian digits allowed), optionally named. */
export type ExtraHoliday = string | ({ date: string } & HolidayName);

/** Configuration of a {@link BusinessCalendar}; times are 'HH:mm' in Tehran. */
export interface BusinessCalendarOptions {
  thursday: ThursdayRule;
  /** Holidays by Jalali year; replaces the shipped {@link OFFICIAL_HOLIDAYS} table. */
  holidays?: HolidayTable;
  /** Single extra days off (e.g. a holiday declared by the governor for the province). */
  extraHolidays?: readonly ExtraHoliday[];
  /** Default '07:30'. */
  workdayStart?: string;
  /** Default '14:30'. */
  workdayEnd?: string;
  /** When Thursday is a working day, the time it ends (a half day); default `workdayEnd`. */
  thursdayEnd?: string;
}

const FRIDAY = 5;
const THURSDAY = 4;
// More consecutive days off than this means the configuration is wrong, not a long holiday.
const MAX_DAYS_OFF_IN_A_ROW = 366;
const UNNAMED_HOLIDAY: HolidayName = { fa: 'تعطیل رسمی', en: 'Public holiday' };

function minutesOf(hhmm: string, field: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`BusinessCalendar: ${field} must be 'HH:mm' (24-hour), got '${hhmm}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function jalaliKey(year: number, month: number, day: number): number {
  return year * 10_000 + month * 100 + day;
}

function addTo<K>(map: Map<K, HolidayName[]>, key: K, name: HolidayName): void {
  const list = map.get(key);
  if (list) list.push(name);
  else map.set(key, [name]);
}

/** Working days and hours of an organization, and SLA arithmetic on them. */
export class BusinessCalendar {
  private readonly thursday: ThursdayRule;
  private readonly startMinute: number;
  private readonly endMinute: number;
  private readonly thursdayEndMinute: number;
  private readonly coveredYears: ReadonlySet<number>;
  private readonly byJalaliDate = new Map<number, HolidayName[]>();
  private readonly solarByMonthDay = new Map<number, HolidayName[]>();

  /** Validates the configuration and throws an Error naming the bad field. */
  constructor(options: BusinessCalendarOptions) {
    this.thursday = options.thursday;
    this.startMinute = minutesOf(options.workdayStart ?? '07:30', 'workdayStart');
    this.endMinute = minutesOf(options.workdayEnd ?? '14:30', 'workdayEnd');
    this.thursdayEndMinute = options.thursdayEnd === undefined ? this.endMinute : minutesOf(options.thursdayEnd, 'thursdayEnd');
    if (this.endMinute <= this.startMinute || this.thursdayEndMinute <= this.startMinute) {
      throw new Error('BusinessCalendar: the workday must end after it starts');
    }
    const table = options.holidays ?? OFFICIAL_HOLIDAYS;
    this.coveredYears = new Set(Object.keys(table).map(Number));
    for (const [year, list] of Object.entries(table)) {
      for (const h of list) addTo(this.byJalaliDate, jalaliKey(Number(year), h.month, h.day), h);
    }
    for (const h of solarHolidays()) addTo(this.solarByMonthDay, h.month * 100 + h.day, h);
    for (const extra of options.extraHolidays ?? []) this.addExtraHoliday(extra);
  }

  private addExtraHoliday(extra: ExtraHoliday): void {
    const date = typeof extra === 'string' ? extra : extra.date;
    const j = parseJalaliYmd(date);
    if (!j) throw new Error(`BusinessCalendar: extraHolidays has '${date}', not a Jalali date 'YYYY/MM/DD'`);
    const name = typeof extra === 'string' ? UNNAMED_HOLIDAY : { fa: extra.fa, en: extra.en };
    addTo(this.byJalaliDate, jalaliKey(j.year, j.month, j.day), name);
  }

  /** True when the holiday table has data for the Jalali year; other years get only the fixed solar holidays (and extras). */
  hasHolidayData(jalaliYear: number): boolean {
    return this.coveredYears.has(jalaliYear);
  }

  private holidaysOn(day: number): HolidayName[] {
    const g = civilDateOfEpochDay(day);
    const j = toJalaali(g.year, g.month, g.day);
    const listed = this.byJalaliDate.get(jalaliKey(j.jy, j.jm, j.jd)) ?? [];
    if (this.coveredYears.has(j.jy)) return listed;
    return [...(this.solarByMonthDay.get(j.jm * 100 + j.jd) ?? []), ...listed];
  }

  private isBusinessEpochDay(day: number): boolean {
    const weekday = weekdayOfEpochDay(day);
    if (weekday === FRIDAY || (weekday === THURSDAY && this.thursday === 'off')) return false;
    return this.holidaysOn(day).length === 0;
  }

  private nextBusinessEpochDay(day: number): number {
    for (let d = day + 1; d <= day + MAX_DAYS_OFF_IN_A_ROW; d++) {
      if (this.isBusinessEpochDay(d)) return d;
    }
    throw new Error(`BusinessCalendar: no business day within ${MAX_DAYS_OFF_IN_A_ROW} days; check the holidays`);
  }

  private workday(day: number): { start: number; end: number } {
    const civil: CivilDate = civilDateOfEpochDay(day);
    const endMinute = weekdayOfEpochDay(day) === THURSDAY ? this.thursdayEndMinute : this.endMinute;
    return {
      start: tehranInstant(civil, this.startMinute).getTime(),
      end: tehranInstant(civil, endMinute).getTime(),
    };
  }

  /** True when the instant's day in Tehran is a working day (not Friday, an off Thursday or a holiday). */
  isBusinessDay(d: Date): boolean {
    return this.isBusinessEpochDay(tehranEpochDay(d));
  }

  /** The name of the official or extra holiday on the instant's day in Tehran (several joined), or null; weekends alone are not named. */
  holidayName(d: Date, locale: Locale): string | null {
    const names = this.holidaysOn(tehranEpochDay(d)).map((h) => h[locale]);
    if (names.length === 0) return null;
    return [...new Set(names)].join(locale === 'fa' ? '؛ ' : '; ');
  }

  /** The start of the workday (workdayStart, Tehran) of the first business day after the instant's day. */
  nextBusinessDay(d: Date): Date {
    return new Date(this.workday(this.nextBusinessEpochDay(tehranEpochDay(d))).start);
  }

  /**
   * The deadline n business days after `from`: the end of the workday of the n-th whole business
   * day after it. The day of `from` counts as the first only if `from` is on a business day before
   * its workday starts; a start during or after hours or on a day off counts from the next business
   * day. n = 0 gives the end of the workday in progress or the next one. n must be a whole number.
   */
  addBusinessDays(from: Date, n: number): Date {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`addBusinessDays: n must be a whole number >= 0, got ${n}`);
    const at = from.getTime();
    let day = tehranEpochDay(from);
    const stillOpen = n === 0 ? at < this.workday(day).end : at <= this.workday(day).start;
    if (!(this.isBusinessEpochDay(day) && stillOpen)) day = this.nextBusinessEpochDay(day);
    for (let counted = 1; counted < n; counted++) day = this.nextBusinessEpochDay(day);
    return new Date(this.workday(day).end);
  }

  /**
   * The business days elapsed from `from` to `to`, counting only working hours of business days,
   * each whole workday as 1 (a partial one as its fraction); 0 when `to` is not after `from`.
   */
  businessDaysBetween(from: Date, to: Date): number {
    const start = from.getTime();
    const end = to.getTime();
    if (!(end > start)) return 0;
    let total = 0;
    for (let day = tehranEpochDay(from), last = tehranEpochDay(to); day <= last; day++) {
      if (!this.isBusinessEpochDay(day)) continue;
      const w = this.workday(day);
      const overlap = Math.min(end, w.end) - Math.max(start, w.start);
      if (overlap > 0) total += overlap / (w.end - w.start);
    }
    return total;
  }
}
