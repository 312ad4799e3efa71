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

/** What the tz database says Tehran's clock shows at the instant (Intl; slow, so memoized below). */
function intlWallClock(instant: Date | number): WallClock {
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

function intlOffsetMs(instantMs: number): number {
  const w = intlWallClock(instantMs);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

// Tehran's offset changes (DST, until 2022) only at local midnight, a UTC half hour. The offset of
// a half-hour slot is kept when it is the same at both ends of the slot; a slot with a change in it
// is never kept, so the answer is always the tz database's.
const SLOT_MS = 1_800_000;
const slotOffsets = new Map<number, number>();

function tehranOffsetMs(instantMs: number): number {
  const slot = Math.floor(instantMs / SLOT_MS);
  const known = slotOffsets.get(slot);
  if (known !== undefined) return known;
  const start = intlOffsetMs(slot * SLOT_MS);
  const end = intlOffsetMs(slot * SLOT_MS + SLOT_MS - 1000);
  if (start !== end) return intlOffsetMs(instantMs);
  if (slotOffsets.size >= 200_000) slotOffsets.clear();
  slotOffsets.set(slot, start);
  return start;
}

/** Returns what a clock in Tehran shows at the instant; throws RangeError for an invalid date. */
export function tehranWallClock(instant: Date | number): WallClock {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid time value');
  const wall = new Date(Math.floor(ms / 1000) * 1000 + tehranOffsetMs(ms));
  return {
    year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(),
    hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds(),
  };
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
