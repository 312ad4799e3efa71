import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDate,
  formatDateTime,
  formatNumber,
  formatRials,
  formatTime,
  jalaliParts,
  parseJalaliDate,
  parseJalaliYmd,
  tehranDayKey,
} from './format.js';

const SAT_AZAR = new Date('2026-11-28T09:00:00Z'); // 12:30 in Tehran

function intlPersianParts(d: Date): { year: number; month: number; day: number } {
  const f = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', {
    timeZone: 'Asia/Tehran',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  });
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day) };
}

test('jalaliParts agrees with Intl: 2026-11-28 is Saturday 7 Azar 1405', () => {
  const want = intlPersianParts(SAT_AZAR);
  assert.deepEqual(want, { year: 1405, month: 9, day: 7 });
  assert.deepEqual(jalaliParts(SAT_AZAR), { ...want, weekday: 6 });
});

test('Persian dates are Jalali with Persian digits', () => {
  assert.equal(formatDate(SAT_AZAR, 'fa', 'long'), 'شنبه ۷ آذر ۱۴۰۵');
  assert.equal(formatDate(SAT_AZAR, 'fa', 'short'), '۱۴۰۵/۰۹/۰۷');
  assert.equal(formatDate(SAT_AZAR, 'fa'), '۱۴۰۵/۰۹/۰۷');
  assert.equal(formatTime(SAT_AZAR, 'fa'), '۱۲:۳۰');
  assert.equal(formatDateTime(SAT_AZAR, 'fa'), '۱۴۰۵/۰۹/۰۷ ۱۲:۳۰');
  assert.equal(formatDateTime(SAT_AZAR, 'fa', 'long'), 'شنبه ۷ آذر ۱۴۰۵، ساعت ۱۲:۳۰');
});

test('English dates are Gregorian, day first', () => {
  assert.equal(formatDate(SAT_AZAR, 'en', 'long'), 'Saturday 28 November 2026');
  assert.equal(formatDate(SAT_AZAR.getTime(), 'en', 'short'), '28/11/2026');
  assert.equal(formatTime(SAT_AZAR, 'en'), '12:30');
  assert.equal(formatDateTime(SAT_AZAR, 'en', 'long'), 'Saturday 28 November 2026, 12:30');
});

test('dates and times are those of Tehran, 24-hour', () => {
  const justAfterMidnight = new Date('2026-11-27T20:35:00Z'); // 00:05 on 28 Nov in Tehran
  assert.equal(formatTime(justAfterMidnight, 'en'), '00:05');
  assert.equal(formatTime(justAfterMidnight, 'fa'), '۰۰:۰۵');
  assert.equal(formatDate(justAfterMidnight, 'en'), '28/11/2026');
  assert.equal(formatTime(new Date('2026-11-28T14:15:00Z'), 'en'), '17:45');
});

test('Nowruz 1405 is Saturday 21 March 2026', () => {
  const nowruz = parseJalaliDate('1405/01/01');
  assert.ok(nowruz);
  assert.equal(nowruz.toISOString(), '2026-03-20T20:30:00.000Z');
  assert.equal(tehranDayKey(nowruz), '2026-03-21');
  assert.equal(formatDate(nowruz, 'fa', 'long'), 'شنبه ۱ فروردین ۱۴۰۵');
  assert.equal(formatDate(nowruz, 'en', 'long'), 'Saturday 21 March 2026');
  assert.deepEqual(jalaliParts(nowruz), { year: 1405, month: 1, day: 1, weekday: 6 });
});

test('parseJalaliDate accepts Persian digits and -, / or . separators', () => {
  const want = '2026-11-28T20:30:00.000Z'; // 8 Azar 1405 = 29 Nov 2026, 00:00 in Tehran
  assert.equal(parseJalaliDate('۱۴۰۵-۰۹-۰۸')?.toISOString(), want);
  assert.equal(parseJalaliDate('1405/9/8')?.toISOString(), want);
  assert.equal(parseJalaliDate(' 1405.09.08 ')?.toISOString(), want);
  assert.deepEqual(parseJalaliYmd('۱۴۰۳/۱۲/۳۰'), { year: 1403, month: 12, day: 30 });
});

test('parseJalaliDate rejects impossible dates and other text', () => {
  for (const input of ['1404/12/30', '1405/13/01', '1405/07/31', '1405/01/00', '1405/1/32', '05/01/01', 'abc', '', '1405/01/01 10:00']) {
    assert.equal(parseJalaliDate(input), null, input);
  }
});

test('parseJalaliDate uses the DST offset Iran observed before 2023', () => {
  assert.equal(parseJalaliDate('1400/01/03')?.toISOString(), '2021-03-22T19:30:00.000Z'); // +04:30
  assert.equal(parseJalaliDate('1400/07/01')?.toISOString(), '2021-09-22T20:30:00.000Z'); // +03:30
  const dstStartDay = parseJalaliDate('1400/01/02'); // 00:00 was skipped: the day starts at 01:00
  assert.ok(dstStartDay);
  assert.equal(tehranDayKey(dstStartDay), '2021-03-22');
  assert.equal(tehranDayKey(dstStartDay.getTime() - 1), '2021-03-21');
});

test('tehranDayKey switches at midnight Tehran time', () => {
  assert.equal(tehranDayKey(new Date('2026-03-20T20:29:59Z')), '2026-03-20');
  assert.equal(tehranDayKey(new Date('2026-03-20T20:30:00Z')), '2026-03-21');
});

test('numbers group with Persian digits and separator in Persian', () => {
  assert.equal(formatNumber(12_500_000, 'fa'), '۱۲٬۵۰۰٬۰۰۰');
  assert.equal(formatNumber(12_500_000, 'en'), '12,500,000');
  assert.equal(formatNumber(12_500_000n, 'en'), '12,500,000');
  assert.equal(formatNumber(0, 'fa'), '۰');
});

test('Rials read naturally in each language', () => {
  assert.equal(formatRials(12_500_000, 'fa'), '۱۲٬۵۰۰٬۰۰۰ ریال');
  assert.equal(formatRials(12_500_000, 'en'), '12,500,000 IRR');
});

test('an invalid date is an error, not a wrong string', () => {
  assert.throws(() => formatDate(new Date(NaN), 'fa'), RangeError);
  assert.throws(() => jalaliParts(new Date(NaN)), RangeError);
});
