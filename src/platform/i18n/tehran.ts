/**
 * Asia/Tehran time-zone arithmetic, read from the tz database that ships with Node's Intl, so
 * Iran's daylight saving time (observed until 2022) is applied for past instants and UTC+03:30
 * for everything since.
 */

/** The one time zone in which Pishkhan shows and reckons days. */
export const TEHRAN_TIME_ZONE = 'Asia/Tehran';

const DAY_MS = 86_400_000;

/** A Gregorian calendar date (month 1-12). */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** A Gregorian date and time of day as a clock in Tehran shows it. */
export interface WallClock extends CivilDate {
  hour: number;
  minute: number;
  second: number;
}

const wallClockFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TEHRAN_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** Returns what a clock in Tehran shows at the instant; throws RangeError for an invalid date. */
export function tehranWallClock(instant: Date | number): WallClock {
  const parts: Record<string, number> = {};
  for (const p of wallClockFormat.formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? NaN,
    month: parts.month ?? NaN,
    day: parts.day ?? NaN,
    hour: (parts.hour ?? NaN) % 24,
    minute: parts.minute ?? NaN,
    second: parts.second ?? NaN,
  };
}

function tehranOffsetMs(instantMs: number): number {
  const w = tehranWallClock(instantMs);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * Returns the instant at which Tehran's clock shows the given date and minute of the day; a time
 * skipped by a (pre-2023) DST change resolves to the first instant after the gap.
 */
export function tehranInstant(date: CivilDate, minuteOfDay = 0): Date {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  const firstOffset = tehranOffsetMs(wallAsUtc - 3.5 * 3_600_000);
  let instant = wallAsUtc - firstOffset;
  const secondOffset = tehranOffsetMs(instant);
  if (secondOffset !== firstOffset) instant = wallAsUtc - secondOffset;
  return new Date(instant);
}

/** Days since 1970-01-01 of a Gregorian date: a plain integer to step through days with. */
export function epochDay(date: CivilDate): number {
  return Math.round(Date.UTC(date.year, date.month - 1, date.day) / DAY_MS);
}

/** The Gregorian date of an {@link epochDay} number. */
export function civilDateOfEpochDay(day: number): CivilDate {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day of the week of an {@link epochDay} number, 0 = Sunday ... 6 = Saturday (as Date#getDay). */
export function weekdayOfEpochDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** The {@link epochDay} of the Tehran date of an instant. */
export function tehranEpochDay(instant: Date | number): number {
  return epochDay(tehranWallClock(instant));
}
