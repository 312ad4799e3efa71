import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusinessCalendar } from '../../platform/calendar/business.js';
import { t } from '../../platform/i18n/messages.js';
import { overridesSchema, type ServiceDefinition } from './definition.js';
import { checkDefinition } from './validate.js';
import {
  FeeComputationError,
  actionsFor,
  addBusinessHours,
  citizenDueAt,
  computeFees,
  deadlineStatus,
  displayValue,
  dueAt,
  effectiveSla,
  findAction,
  isFinal,
  isValidPostalCode,
  outcomeOf,
  parseNumberInput,
  parseSla,
  resultLetter,
  validateForm,
} from './workflow.js';

/** An instant given as a Tehran wall-clock time, 'YYYY-MM-DDTHH:mm' (UTC+03:30). */
function tehran(local: string): number {
  return new Date(`${local}:00+03:30`).getTime();
}

const thursdayOff = new BusinessCalendar({ thursday: 'off' });
const thursdayWork = new BusinessCalendar({ thursday: 'work' });

function definition(raw: unknown): ServiceDefinition {
  const r = checkDefinition(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.definition;
}

const lbl = (fa: string) => ({ fa });

/** One field of every type, and a small workflow. */
const def = definition({
  code: 'every-field',
  title: { fa: 'همه فیلدها', en: 'Every field' },
  category: 'other',
  maturity: 3,
  fields: [
    { key: 'name', type: 'text', label: lbl('نام'), required: true, min: 2, max: 20 },
    { key: 'note', type: 'textarea', label: lbl('یادداشت') },
    { key: 'floors', type: 'integer', label: lbl('طبقات'), min: 1, max: 30 },
    { key: 'area', type: 'number', label: lbl('مساحت'), min: 0.5 },
    { key: 'price', type: 'money', label: lbl('مبلغ') },
    { key: 'when', type: 'date', label: lbl('تاریخ') },
    { key: 'usage', type: 'select', label: lbl('کاربری'), options: [{ value: 'home', label: { fa: 'مسکونی', en: 'Home' }, factor: 1 }, { value: 'shop', label: lbl('تجاری'), factor: 3 }] },
    { key: 'tags', type: 'multi-select', label: lbl('موضوع'), max: 2, options: [{ value: 'a', label: lbl('الف') }, { value: 'b', label: lbl('ب') }, { value: 'c', label: lbl('پ') }] },
    { key: 'urgent', type: 'checkbox', label: lbl('فوری') },
    { key: 'agree', type: 'checkbox', label: lbl('موافقم'), required: true },
    { key: 'nid', type: 'national-code', label: lbl('کد ملی') },
    { key: 'mobile', type: 'mobile', label: lbl('همراه') },
    { key: 'postal', type: 'postal-code', label: lbl('کد پستی') },
    { key: 'sheba', type: 'sheba', label: lbl('شبا') },
    { key: 'where', type: 'location', label: lbl('موقعیت') },
  ],
  fees: [
    { key: 'levy', title: lbl('عوارض'), formula: 'area * rate * usage', params: { rate: 1000.4 } },
    { key: 'urgent_fee', title: lbl('فوریت'), when: 'urgent', formula: 'amount', params: { amount: 500000 } },
    { key: 'discount', title: lbl('تخفیف'), formula: 'floors - 100' },
    { key: 'per_floor', title: lbl('هر طبقه'), formula: 'base / floors', params: { base: 900 } },
  ],
  workflow: {
    start: 'submitted',
    states: {
      submitted: { sla: '2d', roles: ['clerk'] },
      quick: { sla: '4h', roles: ['clerk'] },
      inspection: { roles: ['inspector'] },
      correction: { sla: '10d', waits_for: 'citizen' },
      payment: { sla: '15d', waits_for: 'citizen' },
      granted: { final: true, outcome: 'granted' },
      refused: { final: true, outcome: 'refused' },
    },
    actions: [
      { from: 'submitted', name: 'accept', to: 'inspection', roles: ['clerk'] },
      { from: 'submitted', name: 'fast_track', to: 'quick', roles: ['clerk'] },
      { from: 'submitted', name: 'return', to: 'correction', roles: ['clerk', 'inspector'], requires: 'comment', to_citizen: true },
      { from: 'submitted', name: 'reject', to: 'refused', roles: ['org_admin'], requires: 'comment' },
      { from: 'quick', name: 'accept', to: 'payment', roles: ['clerk'] },
      { from: 'inspection', name: 'approve', to: 'payment', roles: ['inspector'] },
      { from: 'correction', name: 'resubmit', to: 'submitted', by: 'citizen' },
      { from: 'payment', name: 'paid', to: 'granted', by: 'payment' },
      { from: 'payment', name: 'confirm_payment', to: 'granted', roles: ['clerk'], requires: 'comment' },
      { from: 'payment', name: 'expire', to: 'refused', by: 'system' },
    ],
  },
  baseline: { office_visits: 2, days: 5 },
  result: { granted: { fa: 'مجوز {name} برای {floors} طبقه ({usage}) با شماره {tracking_code} در {org} به تاریخ {date} صادر شد.', en: '{service}: {name}, {usage}, {when}' } },
});

const names = (list: { name: string }[]) => list.map((a) => a.name).sort();

test('actionsFor: staff see the actions listing one of their roles', () => {
  assert.deepEqual(names(actionsFor(def, 'submitted', { by: 'staff', roles: ['clerk'] })), ['accept', 'fast_track', 'return']);
  assert.deepEqual(names(actionsFor(def, 'submitted', { by: 'staff', roles: ['inspector'] })), ['return']);
  assert.deepEqual(names(actionsFor(def, 'inspection', { by: 'staff', roles: ['clerk'] })), []);
  assert.deepEqual(names(actionsFor(def, 'submitted', { by: 'staff', roles: [] })), []);
  assert.deepEqual(names(actionsFor(def, 'submitted', { by: 'staff' })), []);
});

test('actionsFor: a manager may take every staff action; an org_admin only those listing org_admin', () => {
  assert.deepEqual(names(actionsFor(def, 'submitted', { by: 'staff', roles: ['manager'] })), ['accept', 'fast_track', 'reject', 'return']);
  assert.deepEqual(names(actionsFor(def, 'inspection', { by: 'staff', roles: ['manager'] })), ['approve']);
  assert.deepEqual(names(actionsFor(def, 'submitted', { by: 'staff', roles: ['org_admin'] })), ['reject']);
  assert.deepEqual(names(actionsFor(def, 'correction', { by: 'staff', roles: ['manager'] })), [], 'not the citizen\'s actions');
});

test('actionsFor: citizen, payment and system actions belong to those actors only', () => {
  assert.deepEqual(names(actionsFor(def, 'correction', { by: 'citizen' })), ['resubmit']);
  assert.deepEqual(names(actionsFor(def, 'payment', { by: 'payment' })), ['paid']);
  assert.deepEqual(names(actionsFor(def, 'payment', { by: 'system' })), ['expire']);
  assert.deepEqual(names(actionsFor(def, 'payment', { by: 'citizen', roles: ['clerk'] })), []);
  assert.deepEqual(names(actionsFor(def, 'payment', { by: 'staff', roles: ['clerk'] })), ['confirm_payment']);
});

test('findAction, isFinal and outcomeOf', () => {
  assert.equal(findAction(def, 'submitted', 'return')?.to, 'correction');
  assert.equal(findAction(def, 'quick', 'accept')?.to, 'payment');
  assert.equal(findAction(def, 'submitted', 'paid'), undefined);
  assert.equal(findAction(def, 'nowhere', 'accept'), undefined);
  assert.equal(isFinal(def, 'granted'), true);
  assert.equal(isFinal(def, 'submitted'), false);
  assert.equal(isFinal(def, 'nowhere'), false);
  assert.equal(isFinal(def, 'constructor'), false);
  assert.equal(outcomeOf(def, 'refused'), 'refused');
  assert.equal(outcomeOf(def, 'payment'), undefined);
});

test('parseSla and effectiveSla (the override wins; none for final or unknown states)', () => {
  assert.deepEqual(parseSla('2d'), { amount: 2, unit: 'd' });
  assert.deepEqual(parseSla('12h'), { amount: 12, unit: 'h' });
  assert.throws(() => parseSla('2w'), /not an SLA/);
  assert.throws(() => parseSla('d'), /not an SLA/);
  const overrides = overridesSchema.parse({ sla: { submitted: '1d', inspection: '3d', granted: '1d' } });
  assert.equal(effectiveSla(def, null, 'submitted'), '2d');
  assert.equal(effectiveSla(def, overrides, 'submitted'), '1d');
  assert.equal(effectiveSla(def, overrides, 'inspection'), '3d');
  assert.equal(effectiveSla(def, null, 'inspection'), undefined);
  assert.equal(effectiveSla(def, overrides, 'granted'), undefined);
  assert.equal(effectiveSla(def, overrides, 'nowhere'), undefined);
  assert.equal(effectiveSla(def, overridesSchema.parse({}), 'constructor'), undefined);
  assert.equal(effectiveSla(def, overridesSchema.parse({}), 'submitted'), '2d');
});

test('dueAt: a 2-day SLA entered on Thursday 28 Esfand is due after Nowruz', () => {
  const entered = tehran('2026-03-19T10:00'); // 1404/12/28
  assert.equal(dueAt(thursdayOff, def, null, 'submitted', entered), tehran('2026-03-28T14:30')); // Sat 8 Farvardin
  assert.equal(dueAt(thursdayWork, def, null, 'submitted', entered), tehran('2026-03-26T14:30'));
  const overrides = overridesSchema.parse({ sla: { submitted: '1d' } });
  assert.equal(dueAt(thursdayOff, def, overrides, 'submitted', entered), tehran('2026-03-25T14:30')); // Wed 5 Farvardin
});

test('dueAt is null with no SLA, while waiting for the citizen, and in final states', () => {
  const entered = tehran('2026-04-15T10:00');
  assert.equal(dueAt(thursdayOff, def, null, 'inspection', entered), null);
  assert.equal(dueAt(thursdayOff, def, null, 'correction', entered), null);
  assert.equal(dueAt(thursdayOff, def, null, 'payment', entered), null);
  assert.equal(dueAt(thursdayOff, def, null, 'granted', entered), null);
  assert.equal(dueAt(thursdayOff, def, overridesSchema.parse({ sla: { inspection: '3d' } }), 'inspection', entered), tehran('2026-04-20T14:30'));
});

test('citizenDueAt gives the citizen\'s deadline in states that wait for them', () => {
  const entered = tehran('2026-03-18T10:00'); // Wed 27 Esfand 1404
  assert.equal(citizenDueAt(thursdayOff, def, null, 'submitted', entered), null);
  // 10 business days, skipping Thursday-Friday weekends, Nowruz and 12-13 Farvardin.
  assert.equal(citizenDueAt(thursdayOff, def, null, 'correction', entered), thursdayOff.addBusinessDays(new Date(entered), 10).getTime());
  assert.equal(citizenDueAt(thursdayOff, def, null, 'correction', entered), tehran('2026-04-08T14:30'));
});

test('dueAt in business hours: 4h walks over the weekend and Nowruz within 07:30-14:30', () => {
  // Thursday 28 Esfand is off with thursday: off; Nowruz until Tuesday 4 Farvardin.
  assert.equal(dueAt(thursdayOff, def, null, 'quick', tehran('2026-03-19T10:00')), tehran('2026-03-25T11:30'));
  // Wednesday 13:00: 1.5 hours that day, 2.5 hours on the next business day.
  assert.equal(dueAt(thursdayOff, def, null, 'quick', tehran('2026-04-15T13:00')), tehran('2026-04-18T10:00'));
  assert.equal(dueAt(thursdayWork, def, null, 'quick', tehran('2026-04-15T13:00')), tehran('2026-04-16T10:00'));
  // Before opening counts from 07:30; after closing from the next business day.
  assert.equal(dueAt(thursdayOff, def, null, 'quick', tehran('2026-04-18T06:00')), tehran('2026-04-18T11:30'));
  assert.equal(dueAt(thursdayOff, def, null, 'quick', tehran('2026-04-18T20:00')), tehran('2026-04-19T11:30'));
});

test('addBusinessHours: whole workdays, half-day Thursdays and the calendar\'s own hours', () => {
  assert.equal(addBusinessHours(thursdayOff, tehran('2026-04-18T07:30'), 7), tehran('2026-04-18T14:30'));
  assert.equal(addBusinessHours(thursdayOff, tehran('2026-04-18T07:30'), 8), tehran('2026-04-19T08:30'));
  assert.equal(addBusinessHours(thursdayOff, tehran('2026-04-18T10:00'), 0), tehran('2026-04-18T10:00'));
  const halfDay = new BusinessCalendar({ thursday: 'work', thursdayEnd: '12:30' });
  // Thursday 16 April: 07:30-12:30 gives 5 hours; the 6th hour is Saturday 07:30-08:30.
  assert.equal(addBusinessHours(halfDay, tehran('2026-04-16T07:00'), 6), tehran('2026-04-18T08:30'));
  const long = new BusinessCalendar({ thursday: 'off', workdayStart: '08:00', workdayEnd: '16:00' });
  assert.equal(addBusinessHours(long, tehran('2026-04-18T15:00'), 2), tehran('2026-04-19T09:00'));
  assert.throws(() => addBusinessHours(thursdayOff, 0, -1), RangeError);
});

test('deadlineStatus: none, on time, at risk with less than a business day left, late', () => {
  const due = tehran('2026-03-28T14:30'); // Saturday 8 Farvardin 1405
  assert.equal(deadlineStatus(null, tehran('2026-03-28T10:00'), thursdayOff), 'none');
  assert.equal(deadlineStatus(due, tehran('2026-03-25T10:00'), thursdayOff), 'on_time'); // Wed: 4.5 h + a whole Saturday left
  assert.equal(deadlineStatus(due, tehran('2026-03-28T10:00'), thursdayOff), 'at_risk');
  assert.equal(deadlineStatus(due, due, thursdayOff), 'at_risk');
  assert.equal(deadlineStatus(due, due + 1, thursdayOff), 'late');
});

test('deadlineStatus counts business time: six calendar days over Nowruz can be less than a business day', () => {
  const due = tehran('2026-03-25T12:00'); // Wed 5 Farvardin, 4.5 business hours into the day
  assert.equal(deadlineStatus(due, tehran('2026-03-19T10:00'), thursdayOff), 'at_risk');
  // The same six calendar days outside the holidays leave several business days.
  assert.equal(deadlineStatus(tehran('2026-04-22T12:00'), tehran('2026-04-16T10:00'), thursdayOff), 'on_time');
});

test('deadlineStatus: with the start given, a short SLA is at risk only in its last quarter', () => {
  const entered = tehran('2026-04-18T08:00');
  const due = dueAt(thursdayOff, def, null, 'quick', entered);
  assert.equal(due, tehran('2026-04-18T12:00'));
  assert.equal(deadlineStatus(due, tehran('2026-04-18T09:00'), thursdayOff), 'at_risk'); // without the start: < 1 day
  assert.equal(deadlineStatus(due, tehran('2026-04-18T09:00'), thursdayOff, entered), 'on_time');
  assert.equal(deadlineStatus(due, tehran('2026-04-18T11:30'), thursdayOff, entered), 'at_risk');
  assert.equal(deadlineStatus(due, tehran('2026-04-18T12:01'), thursdayOff, entered), 'late');
  // A long SLA keeps the one-day threshold.
  const longDue = thursdayOff.addBusinessDays(new Date(entered), 10).getTime();
  assert.equal(deadlineStatus(longDue, longDue - 3 * 3_600_000, thursdayOff, entered), 'at_risk');
});

// ---------------------------------------------------------------------------------------------
// Forms

const validInput = {
  name: 'علي رضايي', // Arabic yeh, normalized
  note: 'خط اول\r\n\r\n\r\nخط دوم',
  floors: '۴',
  area: '۱۲۰٫۵',
  price: '۱۲٬۵۰۰٬۰۰۰',
  when: '۱۴۰۵/۹/۷',
  usage: 'shop',
  tags: 'a، c',
  urgent: 'on',
  agree: 'true',
  nid: '۰۴۹۹۳۷۰۸۹۹',
  mobile: '+98 912 123 4567',
  postal: '۴۸۱۶۹-۱۳۱۱۱',
  sheba: 'ir82 0540 1026 8002 0817 9090 02',
  where: '۳۶٫۵۶۵۹, ۵۳٫۰۵۸۶',
};

test('validateForm accepts every field type written with Persian digits and normalizes the values', () => {
  const { values, errors } = validateForm(def, validInput, { partial: false });
  assert.deepEqual(errors, {});
  assert.deepEqual(values, {
    name: 'علی رضایی',
    note: 'خط اول\n\nخط دوم',
    floors: 4,
    area: 120.5,
    price: 12_500_000,
    when: '1405-09-07',
    usage: 'shop',
    tags: ['a', 'c'],
    urgent: true,
    agree: true,
    nid: '0499370899',
    mobile: '09121234567',
    postal: '4816913111',
    sheba: 'IR820540102680020817909002',
    where: { lat: 36.5659, lng: 53.0586 },
  });
});

test('validateForm accepts JSON-typed values too', () => {
  const { values, errors } = validateForm(def, {
    name: 'Ali', floors: 3, area: 80, price: 0, usage: 'home', tags: ['b'], urgent: false, agree: true,
    nid: 499370899, where: { lat: 36.5, lng: 53 }, mobile: '09121234567',
  }, { partial: false });
  assert.deepEqual(errors, {});
  assert.equal(values.nid, '0499370899');
  assert.equal(values.urgent, false);
  assert.equal(values.price, 0);
  assert.equal(values.when, null);
  assert.deepEqual(values.where, { lat: 36.5, lng: 53 });
});

test('validateForm: each invalid value gets its message key and parameters', () => {
  const cases: [string, unknown, string, Record<string, number>?][] = [
    ['name', 'ع', 'field.min_length', { min: 2 }],
    ['name', 'الف'.repeat(10), 'field.max_length', { max: 20 }],
    ['name', { x: 1 }, 'field.invalid'],
    ['note', 'ا'.repeat(5001), 'field.max_length', { max: 5000 }],
    ['floors', '۳٫۵', 'field.integer'],
    ['floors', 'سه', 'field.integer'],
    ['floors', '۰', 'field.min', { min: 1 }],
    ['floors', '31', 'field.max', { max: 30 }],
    ['area', '12abc', 'field.number'],
    ['area', '0.2', 'field.min', { min: 0.5 }],
    ['area', Infinity, 'field.number'],
    ['price', '-5', 'field.money'],
    ['price', '10.5', 'field.money'],
    ['when', '1405/13/01', 'field.date'],
    ['when', '1404/12/30', 'field.date'], // 1404 is not a leap year
    ['when', 'فردا', 'field.date'],
    ['usage', 'farm', 'field.option'],
    ['usage', ['home'], 'field.option'],
    ['tags', 'a,z', 'field.option'],
    ['tags', ['a', 'b', 'c'], 'field.max_choices', { max: 2 }],
    ['tags', [1], 'field.option'],
    ['urgent', 'maybe', 'field.checkbox'],
    ['nid', '۰۴۹۹۳۷۰۸۹۸', 'field.national_code'],
    ['nid', '1111111111', 'field.national_code'],
    ['nid', '12345', 'field.national_code'],
    ['mobile', '02112345678', 'field.mobile'],
    ['postal', '0816913111', 'field.postal_code'],
    ['postal', '4826913111', 'field.postal_code'],
    ['postal', '481691311', 'field.postal_code'],
    ['postal', '3333333333', 'field.postal_code'],
    ['sheba', 'IR820540102680020817909003', 'field.sheba'],
    ['sheba', 'DE89370400440532013000', 'field.sheba'],
    ['where', '48.85, 2.35', 'field.location'], // Paris
    ['where', { lat: 'x', lng: 1 }, 'field.location'],
    ['where', '36.5', 'field.location'],
  ];
  for (const [key, value, error, params] of cases) {
    const { errors, values } = validateForm(def, { ...validInput, [key]: value }, { partial: false });
    assert.deepEqual(errors, { [key]: params ? { key: error, params } : { key: error } }, `${key} = ${JSON.stringify(value)}`);
    assert.equal(values[key], key === 'urgent' ? false : null);
  }
});

test('validateForm: required fields and checkboxes; blank strings and empty lists count as missing', () => {
  const { errors, values } = validateForm(def, { name: '  ', tags: [], agree: '' }, { partial: false });
  assert.deepEqual(errors, { name: { key: 'field.required' }, agree: { key: 'field.required' } });
  assert.equal(values.name, null);
  assert.equal(values.tags, null);
  assert.equal(values.urgent, false);
  // Text that normalizes to nothing (only invisible characters) is missing too.
  assert.deepEqual(validateForm(def, { ...validInput, name: '\u200c\u200f' }, { partial: false }).errors, { name: { key: 'field.required' } });
});

test('validateForm partial (a draft) skips required checks but still validates given values', () => {
  assert.deepEqual(validateForm(def, {}, { partial: true }).errors, {});
  assert.deepEqual(validateForm(def, { floors: '99' }, { partial: true }).errors, { floors: { key: 'field.max', params: { max: 30 } } });
  const { values } = validateForm(def, { floors: '۲', unknown_key: 'x' }, { partial: true });
  assert.equal(values.floors, 2);
  assert.equal('unknown_key' in values, false);
  assert.equal(Object.keys(values).length, def.fields.length);
});

test('field error keys exist in Persian and English and fill their parameters', () => {
  const { errors } = validateForm(def, { ...validInput, floors: '40' }, { partial: false });
  const e = errors.floors;
  assert.ok(e);
  assert.equal(t('fa', e.key, e.params), 'مقدار باید حداکثر ۳۰ باشد.');
  assert.equal(t('en', e.key, e.params), 'The value must be at most 30.');
  for (const key of ['field.required', 'field.national_code', 'field.sheba', 'field.postal_code', 'field.location', 'field.date']) {
    assert.notEqual(t('fa', key), key);
    assert.notEqual(t('en', key), key);
  }
});

test('number input: separators, signs and decimal marks', () => {
  assert.equal(parseNumberInput('1,250,000'), 1_250_000);
  assert.equal(parseNumberInput('۱٬۲۵۰٬۰۰۰'), 1_250_000);
  assert.equal(parseNumberInput(' 12 500 '), 12_500);
  assert.equal(parseNumberInput('−3'), -3);
  assert.equal(parseNumberInput('٫۵'), 0.5);
  assert.equal(parseNumberInput('1e5'), null);
  assert.equal(parseNumberInput('0x10'), null);
  assert.equal(parseNumberInput(''), null);
  assert.equal(parseNumberInput(true), null);
});

test('postal codes: ten digits, no 0 or 2 in the first five', () => {
  assert.equal(isValidPostalCode('4816913111'), true);
  assert.equal(isValidPostalCode('1136713111'), true);
  assert.equal(isValidPostalCode('1036713111'), false);
  assert.equal(isValidPostalCode('48169131110'), false);
});

// ---------------------------------------------------------------------------------------------
// Fees

test('computeFees: params, when, rounding to whole Rials, never negative, missing values as 0', () => {
  const { values } = validateForm(def, validInput, { partial: false });
  const fees = computeFees(def, null, values);
  assert.deepEqual(fees.items.map((i) => [i.key, i.amount]), [
    ['levy', Math.round(120.5 * 1000.4 * 3)],
    ['urgent_fee', 500_000],
    ['discount', 0],
    ['per_floor', 225],
  ]);
  assert.equal(fees.total, Math.round(120.5 * 1000.4 * 3) + 500_000 + 225);
  assert.ok(fees.items.every((i) => Number.isInteger(i.amount) && i.amount >= 0));
  assert.equal(fees.items[0]?.title.fa, 'عوارض');
  // Not urgent: that fee is left out.
  const calm = computeFees(def, null, { ...values, urgent: false });
  assert.deepEqual(calm.items.map((i) => i.key), ['levy', 'discount', 'per_floor']);
});

test('computeFees: the organization\'s fee params override the definition\'s', () => {
  const { values } = validateForm(def, validInput, { partial: false });
  const overrides = overridesSchema.parse({ fee_params: { levy: { rate: 2000 }, urgent_fee: { amount: 750000 } } });
  const fees = computeFees(def, overrides, values);
  assert.equal(fees.items.find((i) => i.key === 'levy')?.amount, 120.5 * 2000 * 3);
  assert.equal(fees.items.find((i) => i.key === 'urgent_fee')?.amount, 750_000);
  assert.equal(fees.total, 723_000 + 750_000 + 225);
});

test('computeFees: a formula that fails on these values names the fee', () => {
  // floors missing counts as 0, and per_floor divides by it.
  assert.throws(() => computeFees(def, null, { area: 10, usage: 'home' }), (e: unknown) => {
    assert.ok(e instanceof FeeComputationError);
    assert.equal(e.feeKey, 'per_floor');
    assert.match(e.message, /fee 'per_floor': division by zero/);
    return true;
  });
});

test('computeFees: a select with factors reads the chosen factor, 0 when none is chosen', () => {
  const fees = computeFees(def, null, { area: 10, floors: 1, usage: null });
  assert.equal(fees.items.find((i) => i.key === 'levy')?.amount, 0);
});

// ---------------------------------------------------------------------------------------------
// Display and letters

test('displayValue shows labels, Jalali dates, grouped numbers, Rials and yes/no', () => {
  const { values } = validateForm(def, validInput, { partial: false });
  const field = (k: string) => def.fields.find((f) => f.key === k)!;
  assert.equal(displayValue(field('usage'), values.usage ?? null, 'fa'), 'تجاری');
  assert.equal(displayValue(field('when'), values.when ?? null, 'fa'), '۱۴۰۵/۰۹/۰۷');
  assert.equal(displayValue(field('when'), values.when ?? null, 'en'), '1405/09/07');
  assert.equal(displayValue(field('price'), values.price ?? null, 'fa'), '۱۲٬۵۰۰٬۰۰۰ ریال');
  assert.equal(displayValue(field('tags'), values.tags ?? null, 'fa'), 'الف، پ');
  assert.equal(displayValue(field('urgent'), true, 'en'), 'Yes');
  assert.equal(displayValue(field('nid'), values.nid ?? null, 'fa'), '۰۴۹۹۳۷۰۸۹۹');
  assert.equal(displayValue(field('name'), null, 'fa'), '');
});

test('resultLetter fills placeholders from the context and the displayed values', () => {
  const { values } = validateForm(def, validInput, { partial: false });
  const ctx = { tracking_code: 'SARI-1405-000123', org: 'شهرداری ساری', date: '۱۴۰۵/۰۹/۰۷' };
  assert.equal(
    resultLetter(def, 'granted', values, ctx, 'fa'),
    'مجوز علی رضایی برای ۴ طبقه (تجاری) با شماره SARI-1405-000123 در شهرداری ساری به تاریخ ۱۴۰۵/۰۹/۰۷ صادر شد.',
  );
  assert.equal(resultLetter(def, 'granted', { ...values, usage: 'home' }, ctx, 'en'), 'Every field: علی رضایی, Home, 1405/09/07');
  assert.equal(resultLetter(def, 'refused', values, ctx, 'fa'), null);
  assert.equal(resultLetter(def, 'withdrawn', values, ctx, 'fa'), null);
});
