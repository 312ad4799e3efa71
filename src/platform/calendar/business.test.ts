import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusinessCalendar } from './business.js';
import { OFFICIAL_HOLIDAYS, solarHolidays } from './holidays.js';
import { parseJalaliYmd } from '../i18n/format.js';

/** An instant given as a Tehran wall-clock time, 'YYYY-MM-DDTHH:mm' (UTC+03:30 since 2023). */
function tehran(local: string): Date {
  return new Date(`${local}:00+03:30`);
}

const thursdayOff = new BusinessCalendar({ thursday: 'off' });
const thursdayWork = new BusinessCalendar({ thursday: 'work' });

test('Fridays are never business days; Thursdays follow the configuration', () => {
  const friday = tehran('2026-04-17T10:00'); // 1405/01/28
  const thursday = tehran('2026-04-16T10:00'); // 1405/01/27
  const wednesday = tehran('2026-04-15T10:00');
  assert.equal(thursdayOff.isBusinessDay(friday), false);
  assert.equal(thursdayWork.isBusinessDay(friday), false);
  assert.equal(thursdayOff.isBusinessDay(thursday), false);
  assert.equal(thursdayWork.isBusinessDay(thursday), true);
  assert.equal(thursdayOff.isBusinessDay(wednesday), true);
});

test('the business day is the day in Tehran, not in UTC', () => {
  // 2026-04-16T21:00Z is 00:30 on Friday 17 April in Tehran.
  assert.equal(thursdayWork.isBusinessDay(new Date('2026-04-16T20:29:00Z')), true);
  assert.equal(thursdayWork.isBusinessDay(new Date('2026-04-16T21:00:00Z')), false);
});

test('Nowruz, 12-13 Farvardin and other official holidays are not business days', () => {
  for (const day of ['2026-03-20', '2026-03-21', '2026-03-22', '2026-03-23', '2026-03-24', '2026-04-01', '2026-04-02', '2027-02-11']) {
    assert.equal(thursdayWork.isBusinessDay(tehran(`${day}T10:00`)), false, day);
  }
  assert.equal(thursdayWork.isBusinessDay(tehran('2026-03-25T10:00')), true); // 5 Farvardin
});

test('holidayName gives the official name in Persian or English, or null', () => {
  assert.equal(thursdayOff.holidayName(tehran('2026-02-11T10:00'), 'fa'), 'پیروزی انقلاب اسلامی'); // 22 Bahman 1404
  assert.equal(thursdayOff.holidayName(tehran('2026-02-11T10:00'), 'en'), 'Victory of the Islamic Revolution');
  assert.equal(thursdayOff.holidayName(tehran('2026-04-01T10:00'), 'fa'), 'روز جمهوری اسلامی'); // 12 Farvardin 1405
  assert.equal(thursdayOff.holidayName(tehran('2026-03-22T10:00'), 'fa'), 'عید نوروز؛ تعطیل به مناسبت عید سعید فطر');
  assert.equal(thursdayOff.holidayName(tehran('2026-04-17T10:00'), 'fa'), null); // an ordinary Friday
  assert.equal(thursdayOff.holidayName(tehran('2026-04-15T10:00'), 'en'), null);
});

test('a request on Thursday 28 Esfand 1404 with a 2-day SLA is due after Nowruz', () => {
  const request = tehran('2026-03-19T10:00'); // 1404/12/28, a Thursday
  // Thursday off: 29 Esfand (Friday), 1-4 Farvardin off; counts Wed 5 Farvardin, then Sat 8 Farvardin.
  assert.deepEqual(thursdayOff.addBusinessDays(request, 2), tehran('2026-03-28T14:30'));
  // Thursday a working day: the request day has started, so Wed 5 then Thu 6 Farvardin.
  assert.deepEqual(thursdayWork.addBusinessDays(request, 2), tehran('2026-03-26T14:30'));
});

test('a half-day Thursday ends the deadline at its own closing time', () => {
  const halfDay = new BusinessCalendar({ thursday: 'work', thursdayEnd: '12:30' });
  assert.deepEqual(halfDay.addBusinessDays(tehran('2026-03-19T10:00'), 2), tehran('2026-03-26T12:30'));
});

test('deadlines skip 12 and 13 Farvardin and the Friday after them', () => {
  const tuesday = tehran('2026-03-31T10:00'); // 1405/01/11
  assert.deepEqual(thursdayOff.addBusinessDays(tuesday, 1), tehran('2026-04-04T14:30')); // Sat 15 Farvardin
  assert.deepEqual(thursdayOff.addBusinessDays(tuesday, 2), tehran('2026-04-05T14:30'));
});

test('the request day counts only when the request comes before the workday starts', () => {
  const saturday = '2026-03-28'; // 1405/01/08
  assert.deepEqual(thursdayOff.addBusinessDays(tehran(`${saturday}T07:00`), 1), tehran(`${saturday}T14:30`));
  assert.deepEqual(thursdayOff.addBusinessDays(tehran(`${saturday}T07:30`), 1), tehran(`${saturday}T14:30`));
  assert.deepEqual(thursdayOff.addBusinessDays(tehran(`${saturday}T07:31`), 1), tehran('2026-03-29T14:30'));
  assert.deepEqual(thursdayOff.addBusinessDays(tehran(`${saturday}T16:00`), 1), tehran('2026-03-29T14:30'));
});

test('a request after hours on Wednesday counts from the next business day', () => {
  const wednesdayEvening = tehran('2026-04-15T15:00');
  assert.deepEqual(thursdayOff.addBusinessDays(wednesdayEvening, 1), tehran('2026-04-18T14:30')); // Saturday
  assert.deepEqual(thursdayWork.addBusinessDays(wednesdayEvening, 1), tehran('2026-04-16T14:30')); // Thursday
});

test('a zero-day SLA ends with the workday in progress or the next one', () => {
  assert.deepEqual(thursdayOff.addBusinessDays(tehran('2026-03-28T10:00'), 0), tehran('2026-03-28T14:30'));
  assert.deepEqual(thursdayOff.addBusinessDays(tehran('2026-03-28T14:30'), 0), tehran('2026-03-29T14:30'));
  assert.deepEqual(thursdayOff.addBusinessDays(tehran('2026-03-20T10:00'), 0), tehran('2026-03-25T14:30'));
});

test('addBusinessDays rejects negative and fractional day counts', () => {
  assert.throws(() => thursdayOff.addBusinessDays(tehran('2026-03-28T10:00'), -1), RangeError);
  assert.throws(() => thursdayOff.addBusinessDays(tehran('2026-03-28T10:00'), 1.5), RangeError);
});

test('custom working hours move the deadline', () => {
  const cal = new BusinessCalendar({ thursday: 'off', workdayStart: '08:00', workdayEnd: '16:00' });
  assert.deepEqual(cal.addBusinessDays(tehran('2026-03-28T07:45'), 1), tehran('2026-03-28T16:00'));
});

test('businessDaysBetween counts only working hours, a workday as 1', () => {
  assert.equal(thursdayOff.businessDaysBetween(tehran('2026-03-28T07:30'), tehran('2026-03-28T11:00')), 0.5);
  assert.equal(thursdayOff.businessDaysBetween(tehran('2026-03-28T06:00'), tehran('2026-03-28T20:00')), 1);
  assert.equal(thursdayOff.businessDaysBetween(tehran('2026-03-28T11:00'), tehran('2026-03-28T07:30')), 0);
  assert.equal(thursdayOff.businessDaysBetween(tehran('2026-03-28T11:00'), tehran('2026-03-28T11:00')), 0);
});

test('businessDaysBetween skips the weekend', () => {
  const wednesday = tehran('2026-04-08T10:00'); // 4.5 of 7 working hours left
  const saturday = tehran('2026-04-11T10:00'); // 2.5 of 7 working hours gone
  assert.equal(thursdayOff.businessDaysBetween(wednesday, saturday), 1);
  assert.equal(thursdayWork.businessDaysBetween(wednesday, saturday), 2);
});

test('businessDaysBetween skips Nowruz', () => {
  const from = tehran('2026-03-18T07:30'); // Wednesday 27 Esfand 1404
  const to = tehran('2026-03-25T14:30'); // Wednesday 5 Farvardin 1405
  assert.equal(thursdayOff.businessDaysBetween(from, to), 2);
  assert.equal(thursdayWork.businessDaysBetween(from, to), 3); // plus Thursday 28 Esfand
});

test('nextBusinessDay is the start of the first business day after the given day', () => {
  assert.deepEqual(thursdayOff.nextBusinessDay(tehran('2026-03-18T10:00')), tehran('2026-03-25T07:30'));
  assert.deepEqual(thursdayWork.nextBusinessDay(tehran('2026-03-18T10:00')), tehran('2026-03-19T07:30'));
  assert.deepEqual(thursdayOff.nextBusinessDay(tehran('2026-03-28T06:00')), tehran('2026-03-29T07:30'));
});

test('extra holidays, named or not, become days off', () => {
  const cal = new BusinessCalendar({
    thursday: 'off',
    extraHolidays: ['۱۴۰۵/۰۱/۰۸', { date: '1405/01/09', fa: 'تعطیل استانی', en: 'Provincial holiday' }],
  });
  assert.equal(cal.isBusinessDay(tehran('2026-03-28T10:00')), false);
  assert.equal(cal.holidayName(tehran('2026-03-28T10:00'), 'en'), 'Public holiday');
  assert.equal(cal.holidayName(tehran('2026-03-29T10:00'), 'fa'), 'تعطیل استانی');
  assert.deepEqual(cal.addBusinessDays(tehran('2026-03-25T10:00'), 1), tehran('2026-03-30T14:30'));
});

test('a replaced holiday table is used as given; uncovered years keep the solar holidays', () => {
  const cal = new BusinessCalendar({ thursday: 'off', holidays: { 1405: solarHolidays() } });
  assert.equal(cal.isBusinessDay(tehran('2026-04-01T10:00')), false); // 12 Farvardin 1405
  assert.equal(cal.isBusinessDay(tehran('2026-08-04T10:00')), true); // Arbaeen 1405 not in this table
  assert.equal(thursdayOff.isBusinessDay(tehran('2026-08-04T10:00')), false);
  assert.equal(cal.hasHolidayData(1405), true);
  assert.equal(cal.hasHolidayData(1406), false);
  assert.equal(thursdayOff.holidayName(tehran('2027-03-21T10:00'), 'fa'), 'عید نوروز'); // 1406/01/01
});

test('bad configuration stops construction with a clear message', () => {
  assert.throws(() => new BusinessCalendar({ thursday: 'off', workdayStart: '7:30' }), /workdayStart/);
  assert.throws(() => new BusinessCalendar({ thursday: 'off', workdayStart: '15:00' }), /end after it starts/);
  assert.throws(() => new BusinessCalendar({ thursday: 'off', extraHolidays: ['1404/12/30'] }), /1404\/12\/30/);
});

test('working hours follow the offset Iran used in a DST summer', () => {
  // 1400 is not in the table, so only solar holidays apply; Tehran was UTC+04:30 in June 2021.
  const tuesday = new Date('2021-06-01T10:00:00+04:30');
  assert.deepEqual(thursdayOff.addBusinessDays(tuesday, 1), new Date('2021-06-02T14:30:00+04:30'));
});

test('the shipped holiday table is well-formed', () => {
  for (const [year, list] of Object.entries(OFFICIAL_HOLIDAYS)) {
    assert.ok(list.length >= 25, `${year} lists ${list.length} holidays`);
    for (const h of list) {
      assert.ok(parseJalaliYmd(`${year}/${h.month}/${h.day}`), `${year}/${h.month}/${h.day}`);
      assert.ok(h.fa.length > 0 && h.en.length > 0);
      assert.doesNotMatch(h.fa, /[يك]/, 'names use Persian ی and ک');
    }
  }
});
