import type { BusinessCalendar } from '../../platform/calendar/business.js';
import { deadlineStatus, type DeadlineStatus } from '../catalog/workflow.js';

// The inbox filters and counts by deadline status in SQL. The status of a deadline at `now`
// (workflow.deadlineStatus, in business time) only gets worse as the deadline gets nearer, so
// two instants separate the statuses: deadlines up to `lateUntil` are late, those up to
// `atRiskUntil` at risk, later ones on time. Those instants are found by bisection on the
// workflow's own function, so the two never disagree. deadlineStatus narrows "at risk" for short
// SLAs when it knows when the deadline started; only deadlines inside the at-risk window can be
// affected, and those few rows are checked one by one (see service.ts).

const HOUR_MS = 3_600_000;
// Wider than any run of days off (Nowruz and its neighbours are about two weeks).
const SEARCH_SPAN_MS = 400 * 24 * HOUR_MS;

/**
 * The largest t with pred(t) true, for a pred that is true up to a point and false after it:
 * steps out from `now` (1 h, 2 h, 4 h, ...) until both sides are found, then bisects to the
 * millisecond. Each evaluation of deadlineStatus walks the days in between, so staying close
 * to `now` keeps this cheap.
 */
function boundary(now: number, pred: (t: number) => boolean): number {
  let step = HOUR_MS;
  let lo = now - step;
  while (!pred(lo)) {
    if (step > SEARCH_SPAN_MS) return lo - 1;
    step *= 2;
    lo = now - step;
  }
  step = HOUR_MS;
  let hi = now + step;
  while (pred(hi)) {
    if (step > SEARCH_SPAN_MS) return hi;
    lo = hi;
    step *= 2;
    hi = now + step;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (pred(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface DeadlineBounds {
  /** Deadlines at or before this instant are late. */
  lateUntil: number;
  /** Deadlines after lateUntil and at or before this instant are at risk (before the short-SLA refinement). */
  atRiskUntil: number;
}

/** The instants that separate late, at-risk and on-time deadlines at `now`. */
export function deadlineBounds(now: number, calendar: BusinessCalendar): DeadlineBounds {
  const lateUntil = boundary(now, (t) => deadlineStatus(t, now, calendar) === 'late');
  const atRiskUntil = boundary(now, (t) => deadlineStatus(t, now, calendar) !== 'on_time');
  return { lateUntil, atRiskUntil: Math.max(lateUntil, atRiskUntil) };
}

/** The status of an office deadline, knowing when it started (short SLAs are at risk only in their last quarter). */
export function statusOf(dueAt: number | null, enteredAt: number | null, now: number, calendar: BusinessCalendar): DeadlineStatus {
  return deadlineStatus(dueAt, now, calendar, enteredAt);
}

export type { DeadlineStatus };
