/**
 * The pure engine of a service definition, called by the applications module: who may take
 * which action in which state, deadlines in business time, server-side validation of the
 * generated form, and fees. No I/O, no clock: time comes in as epoch milliseconds.
 */
import { isShebaValid } from '@persian-tools/persian-tools';
import type { BusinessCalendar } from '../../platform/calendar/business.js';
import { formatNumber, formatRials, parseJalaliYmd, type Locale } from '../../platform/i18n/format.js';
import { isValidNationalCode, normalizeMobile, normalizeNationalCode, normalizePersian, toAsciiDigits } from '../../platform/i18n/persian.js';
import {
  TEXTAREA_MAX_LENGTH,
  TEXT_MAX_LENGTH,
  type ActionDef,
  type FieldDef,
  type Localized,
  type Outcome,
  type Overrides,
  type ServiceDefinition,
} from './definition.js';
import { FormulaError, compiledFormula } from './formula.js';
import type { FieldErrorKey } from './messages.js';
import './messages.js';

// ---------------------------------------------------------------------------------------------
// States and actions

/** Who is acting: staff (with their roles in the application's organization), the citizen, a verified payment or the system. */
export interface WorkflowActor {
  by: 'staff' | 'citizen' | 'payment' | 'system';
  roles?: readonly string[];
}

/**
 * The actions `who` may take in `state`. A staff member may take a staff action when one of
 * their roles is listed on it; a manager may take every staff action (they stand in for their
 * staff). An org_admin may take only the actions that list org_admin. Citizen, payment and
 * system actions are for those actors only. The caller passes the roles the actor holds in the
 * application's own organization.
 */
export function actionsFor(def: ServiceDefinition, state: string, who: WorkflowActor): ActionDef[] {
  const roles = who.roles ?? [];
  return def.workflow.actions.filter((a) => {
    if (a.from !== state || a.by !== who.by) return false;
    if (a.by !== 'staff') return true;
    return roles.includes('manager') || a.roles.some((r) => roles.includes(r));
  });
}

/** The action named `name` leaving `state`, whoever may take it. */
export function findAction(def: ServiceDefinition, state: string, name: string): ActionDef | undefined {
  return def.workflow.actions.find((a) => a.from === state && a.name === name);
}

/** True when the state exists and is final. */
export function isFinal(def: ServiceDefinition, state: string): boolean {
  return stateOf(def, state)?.final === true;
}

/** The outcome of a final state; undefined for other states. */
export function outcomeOf(def: ServiceDefinition, state: string): Outcome | undefined {
  const s = stateOf(def, state);
  return s?.final ? s.outcome : undefined;
}

function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function stateOf(def: ServiceDefinition, state: string) {
  return own(def.workflow.states, state);
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/** A parsed SLA: business days ('d') or business hours ('h'). */
export function parseSla(s: string): { amount: number; unit: 'd' | 'h' } {
  const m = /^(\d{1,3})(d|h)$/.exec(s);
  if (!m) throw new Error(`not an SLA: '${s}' (expected e.g. 2d or 6h)`);
  return { amount: Number(m[1]), unit: m[2] as 'd' | 'h' };
}

/** The SLA of a state: the organization's override when it has one, else the definition's; undefined for final or unknown states. */
export function effectiveSla(def: ServiceDefinition, overrides: Overrides | null, state: string): string | undefined {
  const s = stateOf(def, state);
  if (!s || s.final) return undefined;
  return own(overrides?.sla, state) ?? s.sla;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The instant `hours` business hours after `from`: time counts only within workdays (the
 * calendar's opening hours, 07:30-14:30 by default, a shorter Thursday if so configured) of
 * business days. The calendar exposes its workday through addBusinessDays(d, 0) (the end of the
 * workday in progress or the next) and nextBusinessDay (the start of a business day), so the
 * walk follows whatever hours the organization's calendar has.
 */
export function addBusinessHours(calendar: BusinessCalendar, from: number, hours: number): number {
  if (!(hours >= 0) || !Number.isFinite(hours)) throw new RangeError(`addBusinessHours: hours must be >= 0, got ${hours}`);
  let remaining = hours * HOUR_MS;
  let cursor = from;
  for (;;) {
    const end = calendar.addBusinessDays(new Date(cursor), 0).getTime();
    const start = calendar.nextBusinessDay(new Date(end - DAY_MS)).getTime();
    const open = Math.max(start, cursor);
    if (remaining <= end - open) return open + remaining;
    remaining -= end - open;
    cursor = end;
  }
}

function deadlineFrom(calendar: BusinessCalendar, sla: string, enteredAt: number): number {
  const { amount, unit } = parseSla(sla);
  if (unit === 'h') return addBusinessHours(calendar, enteredAt, amount);
  return calendar.addBusinessDays(new Date(enteredAt), amount).getTime();
}

/**
 * The office's deadline for an application that entered `state` at `enteredAt`: 'Nd' is the end
 * of the N-th business day (calendar.addBusinessDays), 'Nh' is N business hours. Null when the
 * state has no SLA, waits for the citizen, or is final.
 */
export function dueAt(calendar: BusinessCalendar, def: ServiceDefinition, overrides: Overrides | null, state: string, enteredAt: number): number | null {
  const s = stateOf(def, state);
  if (!s || s.final || s.waits_for === 'citizen') return null;
  const sla = effectiveSla(def, overrides, state);
  return sla ? deadlineFrom(calendar, sla, enteredAt) : null;
}

/**
 * The citizen's deadline in a state that waits for them (e.g. to correct or to pay), computed
 * like {@link dueAt}; null when the state does not wait for the citizen or has no SLA.
 */
export function citizenDueAt(calendar: BusinessCalendar, def: ServiceDefinition, overrides: Overrides | null, state: string, enteredAt: number): number | null {
  const s = stateOf(def, state);
  if (!s || s.final || s.waits_for !== 'citizen') return null;
  const sla = effectiveSla(def, overrides, state);
  return sla ? deadlineFrom(calendar, sla, enteredAt) : null;
}

export type DeadlineStatus = 'none' | 'on_time' | 'at_risk' | 'late';

/** Business days left under which a deadline is at risk. */
export const AT_RISK_BUSINESS_DAYS = 1;
/** Share of the whole SLA under which a short deadline is at risk. */
export const AT_RISK_SHARE = 0.25;

/**
 * Where an application stands against its deadline at `now`: 'late' once now is past dueAt;
 * 'at_risk' when less than one business day is left; 'on_time' otherwise; 'none' without a
 * deadline. When the time the deadline started (`enteredAt`) is given, a short SLA is at risk
 * only in its last quarter (the threshold is min(1 business day, 25% of the SLA)), so an
 * application with a 4-hour SLA is not at risk the moment it arrives.
 */
export function deadlineStatus(dueAt: number | null, now: number, calendar: BusinessCalendar, enteredAt?: number | null): DeadlineStatus {
  if (dueAt === null) return 'none';
  if (now > dueAt) return 'late';
  let threshold = AT_RISK_BUSINESS_DAYS;
  if (enteredAt !== undefined && enteredAt !== null && enteredAt < dueAt) {
    threshold = Math.min(threshold, AT_RISK_SHARE * calendar.businessDaysBetween(new Date(enteredAt), new Date(dueAt)));
  }
  const left = calendar.businessDaysBetween(new Date(now), new Date(dueAt));
  return left < threshold ? 'at_risk' : 'on_time';
}

// ---------------------------------------------------------------------------------------------
// Forms

/** A stored field value: text, number, Jalali date 'YYYY-MM-DD', choice(s), checkbox, code, or a point; null when not given. */
export type FieldValue = string | number | boolean | string[] | { lat: number; lng: number } | null;

/** A form error: a message key (messages.ts) and its parameters, rendered with t(locale, key, params). */
export interface FieldError {
  key: FieldErrorKey;
  params?: Record<string, string | number>;
}

export interface FormResult {
  /** One entry per field of the definition (null when not given; a checkbox not given is false). */
  values: Record<string, FieldValue>;
  /** Field key -> the first problem with it; empty when the form is valid. */
  errors: Record<string, FieldError>;
}

/** Iran's bounding box, with a little margin for border areas and the islands of the Gulf. */
export const IRAN_BOUNDS = { minLat: 24.8, maxLat: 39.9, minLng: 43.9, maxLng: 63.4 } as const;

class Invalid {
  constructor(readonly error: FieldError) {}
}
function fail(key: FieldErrorKey, params?: Record<string, string | number>): never {
  throw new Invalid(params ? { key, params } : { key });
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return fail('field.invalid');
}

/** A number typed with Persian or ASCII digits, thousands separators (٬ , _ and spaces) and a decimal point (. or ٫). */
export function parseNumberInput(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const s = toAsciiDigits(v.normalize('NFKC'))
    .replace(/[\s\u200C\u200E\u200F,\u066C_']/g, '')
    .replace(/\u066B/g, '.')
    .replace(/^[\u2212\u2013]/, '-');
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function checkRange(n: number, f: FieldDef): void {
  if (f.min !== undefined && n < f.min) fail('field.min', { min: f.min });
  if (f.max !== undefined && n > f.max) fail('field.max', { max: f.max });
}

function parseCheckbox(v: unknown): boolean {
  if (v === true || v === 1) return true;
  if (v === false || v === 0 || v === undefined || v === null) return false;
  if (typeof v === 'string') {
    const s = toAsciiDigits(v).trim().toLowerCase();
    if (['on', 'true', '1', 'yes'].includes(s)) return true;
    if (['', 'off', 'false', '0', 'no'].includes(s)) return false;
  }
  return fail('field.checkbox');
}

function parseLocation(v: unknown): { lat: number; lng: number } {
  let lat: number | null = null;
  let lng: number | null = null;
  if (typeof v === 'string') {
    const parts = toAsciiDigits(v).split(/[,،\s]+/).filter((p) => p !== '');
    if (parts.length === 2) { lat = parseNumberInput(parts[0]); lng = parseNumberInput(parts[1]); }
  } else if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    lat = parseNumberInput(o.lat);
    lng = parseNumberInput(o.lng ?? o.lon);
  }
  if (lat === null || lng === null) return fail('field.location');
  const b = IRAN_BOUNDS;
  if (lat < b.minLat || lat > b.maxLat || lng < b.minLng || lng > b.maxLng) fail('field.location');
  return { lat, lng };
}

function choiceList(v: unknown): string[] {
  const raw = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[,،]/) : fail('field.option');
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') fail('field.option');
    const s = item.trim();
    if (s !== '' && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * Iranian postal codes are 10 digits; the first five (the zone) use neither 0 nor 2. A code of
 * one repeated digit is a placeholder, not an address.
 */
export function isValidPostalCode(code: string): boolean {
  return /^[13-9]{5}\d{5}$/.test(code) && !/^(\d)\1{9}$/.test(code);
}

function parseValue(f: FieldDef, v: unknown): FieldValue {
  switch (f.type) {
    case 'text':
    case 'textarea': {
      const s = normalizePersian(asText(v), { keepNewlines: f.type === 'textarea' });
      if (s === '') return s; // only invisible characters: treated as not given
      const length = [...s].length;
      const cap = f.type === 'text' ? TEXT_MAX_LENGTH : TEXTAREA_MAX_LENGTH;
      const max = Math.min(cap, f.max ?? cap);
      if (length > max) fail('field.max_length', { max });
      if (f.min !== undefined && length < f.min) fail('field.min_length', { min: f.min });
      return s;
    }
    case 'integer':
    case 'number':
    case 'money': {
      const n = parseNumberInput(v);
      if (n === null) return fail(f.type === 'number' ? 'field.number' : f.type === 'integer' ? 'field.integer' : 'field.money');
      if (f.type !== 'number' && !Number.isSafeInteger(n)) fail(f.type === 'integer' ? 'field.integer' : 'field.money');
      if (f.type === 'money' && n < 0) fail('field.money');
      checkRange(n, f);
      return n === 0 ? 0 : n;
    }
    case 'date': {
      const j = parseJalaliYmd(asText(v));
      if (!j) return fail('field.date');
      return `${j.year}-${String(j.month).padStart(2, '0')}-${String(j.day).padStart(2, '0')}`;
    }
    case 'select': {
      if (typeof v !== 'string') return fail('field.option');
      const s = v.trim();
      if (!(f.options ?? []).some((o) => o.value === s)) fail('field.option');
      return s;
    }
    case 'multi-select': {
      const list = choiceList(v);
      if (list.some((s) => !(f.options ?? []).some((o) => o.value === s))) fail('field.option');
      if (f.min !== undefined && list.length < f.min) fail('field.min_choices', { min: f.min });
      if (f.max !== undefined && list.length > f.max) fail('field.max_choices', { max: f.max });
      return list;
    }
    case 'checkbox':
      return parseCheckbox(v);
    case 'national-code': {
      const s = asText(v);
      const code = normalizeNationalCode(s);
      if (code === null || !isValidNationalCode(code)) fail('field.national_code');
      return code;
    }
    case 'mobile': {
      const m = normalizeMobile(asText(v));
      return m ?? fail('field.mobile');
    }
    case 'postal-code': {
      const s = toAsciiDigits(asText(v)).replace(/[\s\-\u200C]/g, '');
      if (!isValidPostalCode(s)) fail('field.postal_code');
      return s;
    }
    case 'sheba': {
      let s = toAsciiDigits(asText(v)).replace(/[\s\-\u200C]/g, '').toUpperCase();
      if (/^\d{24}$/.test(s)) s = `IR${s}`;
      if (!/^IR\d{24}$/.test(s) || !isShebaValid(s)) fail('field.sheba');
      return s;
    }
    case 'location':
      return parseLocation(v);
  }
}

/**
 * Validates and normalizes submitted form input against the definition's fields (the server's
 * word, whatever the browser checked). With `partial` (a draft), missing required fields are not
 * errors, but every value given must be valid. Keys that are not fields are ignored; callers
 * that save a form in steps validate the merged input.
 */
export function validateForm(def: ServiceDefinition, input: Record<string, unknown>, opts: { partial: boolean }): FormResult {
  const values: Record<string, FieldValue> = {};
  const errors: Record<string, FieldError> = {};
  for (const f of def.fields) {
    const raw = Object.prototype.hasOwnProperty.call(input, f.key) ? input[f.key] : undefined;
    if (f.type === 'checkbox') {
      try {
        values[f.key] = parseCheckbox(raw);
        if (f.required && !opts.partial && values[f.key] !== true) errors[f.key] = { key: 'field.required' };
      } catch (e) {
        if (!(e instanceof Invalid)) throw e;
        values[f.key] = false;
        errors[f.key] = e.error;
      }
      continue;
    }
    if (isBlank(raw)) {
      values[f.key] = null;
      if (f.required && !opts.partial) errors[f.key] = { key: 'field.required' };
      continue;
    }
    try {
      const value = parseValue(f, raw);
      const empty = value === '' || (Array.isArray(value) && value.length === 0);
      values[f.key] = empty ? null : value;
      if (empty && f.required && !opts.partial) errors[f.key] = { key: 'field.required' };
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      values[f.key] = null;
      errors[f.key] = e.error;
    }
  }
  return { values, errors };
}

// ---------------------------------------------------------------------------------------------
// Fees

export interface FeeItem {
  key: string;
  title: Localized;
  /** Whole Rials, never negative. */
  amount: number;
}

/** A fee formula failed on these values (e.g. a division by a field that is 0): a fault of the definition. */
export class FeeComputationError extends Error {
  constructor(readonly feeKey: string, override readonly cause: FormulaError) {
    super(`fee '${feeKey}': ${cause.message}`, { cause });
    this.name = 'FeeComputationError';
  }
}

/** The numbers formulas see for these values: numeric fields (missing = 0), checkboxes as 1/0, selects with factors as the chosen factor (none = 0). */
export function formulaVariables(def: ServiceDefinition, values: Record<string, unknown>): Record<string, number> {
  const vars: Record<string, number> = {};
  for (const f of def.fields) {
    const v = values[f.key];
    if (f.type === 'integer' || f.type === 'number' || f.type === 'money') vars[f.key] = typeof v === 'number' && Number.isFinite(v) ? v : 0;
    else if (f.type === 'checkbox') vars[f.key] = v === true ? 1 : 0;
    else if (f.type === 'select' && f.options?.every((o) => o.factor !== undefined)) {
      vars[f.key] = f.options.find((o) => o.value === v)?.factor ?? 0;
    }
  }
  return vars;
}

/**
 * The fees for these (validated) values: each fee's params merged with the organization's
 * overrides (fee_params[feeKey]), a fee whose `when` is 0 left out, each amount rounded to whole
 * Rials and never below 0 (a fee that comes to 0 is listed with 0). Throws FeeComputationError
 * when a formula cannot be evaluated on these values.
 */
export function computeFees(def: ServiceDefinition, overrides: Overrides | null, values: Record<string, unknown>): { items: FeeItem[]; total: number } {
  const fieldVars = formulaVariables(def, values);
  const items: FeeItem[] = [];
  for (const fee of def.fees) {
    const vars = { ...fieldVars, ...fee.params, ...(own(overrides?.fee_params, fee.key) ?? {}) };
    try {
      if (fee.when !== undefined && compiledFormula(fee.when).evaluate(vars) === 0) continue;
      const amount = Math.max(0, Math.round(compiledFormula(fee.formula).evaluate(vars)));
      items.push({ key: fee.key, title: fee.title, amount });
    } catch (e) {
      if (e instanceof FormulaError) throw new FeeComputationError(fee.key, e);
      throw e;
    }
  }
  return { items, total: items.reduce((sum, i) => sum + i.amount, 0) };
}

// ---------------------------------------------------------------------------------------------
// Showing values and result letters

function jalaliForDisplay(stored: string, locale: Locale): string {
  const out = stored.replace(/-/g, '/');
  return locale === 'fa' ? out.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d))) : out;
}

/** A stored value as a person reads it: option labels, Jalali dates, grouped numbers, Rials, yes/no. */
export function displayValue(field: FieldDef, value: FieldValue, locale: Locale): string {
  if (value === null) return '';
  const label = (l: Localized) => (locale === 'en' && l.en ? l.en : l.fa);
  const optionLabel = (v: string) => {
    const o = field.options?.find((x) => x.value === v);
    return o ? label(o.label) : v;
  };
  switch (field.type) {
    case 'integer':
    case 'number':
      return typeof value === 'number' ? formatNumber(value, locale) : String(value);
    case 'money':
      return typeof value === 'number' ? formatRials(value, locale) : String(value);
    case 'date':
      return typeof value === 'string' ? jalaliForDisplay(value, locale) : String(value);
    case 'select':
      return typeof value === 'string' ? optionLabel(value) : String(value);
    case 'multi-select':
      return Array.isArray(value) ? value.map(optionLabel).join(locale === 'fa' ? '، ' : ', ') : String(value);
    case 'checkbox':
      return value === true ? (locale === 'fa' ? 'بله' : 'Yes') : (locale === 'fa' ? 'خیر' : 'No');
    case 'location':
      return typeof value === 'object' && !Array.isArray(value) ? `${value.lat}, ${value.lng}` : String(value);
    case 'national-code':
    case 'mobile':
    case 'postal-code':
      return locale === 'fa' ? String(value).replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d))) : String(value);
    default:
      return String(value);
  }
}

/** The facts a result letter may name besides field values (see RESULT_PLACEHOLDERS). */
export interface LetterContext {
  tracking_code: string;
  org: string;
  /** The date of issue, already formatted for the locale. */
  date: string;
  service?: string;
}

/**
 * The text of the result letter for a final outcome in a locale (English falls back to
 * Persian), with {placeholders} filled from the context and the displayed field values; null
 * when the definition has no letter for that outcome.
 */
export function resultLetter(def: ServiceDefinition, outcome: Outcome, values: Record<string, FieldValue>, ctx: LetterContext, locale: Locale): string | null {
  const letter = outcome === 'withdrawn' ? undefined : def.result?.[outcome];
  if (!letter) return null;
  const text = locale === 'en' && letter.en ? letter.en : letter.fa;
  const fields = new Map(def.fields.map((f) => [f.key, f]));
  const service = ctx.service ?? (locale === 'en' && def.title.en ? def.title.en : def.title.fa);
  const known: Record<string, string> = { tracking_code: ctx.tracking_code, org: ctx.org, date: ctx.date, service };
  return text.replace(/\{([a-z][a-z0-9_]*)\}/g, (whole, name: string) => {
    const f = fields.get(name);
    if (f) return displayValue(f, values[name] ?? null, locale);
    return own(known, name) ?? whole;
  });
}
