import { toGregorian } from 'jalaali-js';
import { parseJalaliYmd } from '../../platform/i18n/format.js';
import { civilDateOfEpochDay, epochDay, tehranInstant } from '../../platform/i18n/tehran.js';
import { badInput } from '../../platform/http/errors.js';

/** The instant a typed Jalali day begins in Tehran; `dayAfter` gives the start of the next day (a deadline's end). */
export function jalaliDayStart(input: string, field: string, dayAfter = false): number {
  const j = parseJalaliYmd(input);
  if (!j) throw badInput({ [field]: 'council.date_invalid' });
  const g = toGregorian(j.year, j.month, j.day);
  const day = epochDay({ year: g.gy, month: g.gm, day: g.gd }) + (dayAfter ? 1 : 0);
  return tehranInstant(civilDateOfEpochDay(day)).getTime();
}

/** A deadline typed as its last Jalali day: overdue from the start of the next day in Tehran. */
export const deadlineOf = (input: string | null | undefined, field = 'deadline'): number | null =>
  input == null || input.trim() === '' ? null : jalaliDayStart(input, field, true);
