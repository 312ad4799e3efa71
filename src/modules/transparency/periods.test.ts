import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  currentPeriod,
  formatPeriod,
  isValidPeriod,
  parsePeriod,
  periodLabel,
  periodOfDay,
  periodRange,
  previousPeriods,
} from './periods.js';

test('parsePeriod reads years, seasons and months and formatPeriod writes them back', () => {
  assert.deepEqual(parsePeriod('1404'), { kind: 'year', year: 1404, index: 1 });
  assert.deepEqual(parsePeriod('1404-s2'), { kind: 'season', year: 1404, index: 2 });
  assert.deepEqual(parsePeriod('1404-07'), { kind: 'month', year: 1404, index: 7 });
  assert.deepEqual(parsePeriod('۱۴۰۴-۰۷'), { kind: 'month', year: 1404, index: 7 });
  for (const s of ['1404', '1404-s1', '1404-s4', '1404-01', '1404-12']) assert.equal(formatPeriod(parsePeriod(s)!), s);
  for (const bad of ['', '14', '1404-s5', '1404-s0', '1404-13', '1404-00', '1404-7', 'x1404', '1404-07-01', '0999']) {
    assert.equal(parsePeriod(bad), null, bad);
  }
});

test('periodRange gives the Tehran days of the Jalali period (Gregorian ISO, inclusive)', () => {
  // 1 Mehr 1404 = 23 Sep 2025; Mehr has 30 days -> 30 Mehr = 22 Oct 2025.
  assert.deepEqual(periodRange(parsePeriod('1404-07')!), { from: '2025-09-23', to: '2025-10-22' });
  // Autumn = Mehr..Azar; 30 Azar 1404 = 21 Dec 2025.
  assert.deepEqual(periodRange(parsePeriod('1404-s3')!), { from: '2025-09-23', to: '2025-12-21' });
  // Spring 1404 starts at Nowruz (21 Mar 2025); Farvardin..Khordad have 31 days each -> 31 Khordad = 21 Jun 2025.
  assert.deepEqual(periodRange(parsePeriod('1404-s1')!), { from: '2025-03-21', to: '2025-06-21' });
  // 1403 is a leap year (30 Esfand 1403 = 20 Mar 2025); 1404 is not (29 Esfand 1404 = 20 Mar 2026).
  assert.deepEqual(periodRange(parsePeriod('1403-12')!), { from: '2025-02-19', to: '2025-03-20' });
  assert.deepEqual(periodRange(parsePeriod('1404')!), { from: '2025-03-21', to: '2026-03-20' });
});

test('periodLabel names the period in Persian and English', () => {
  assert.equal(periodLabel(parsePeriod('1404-07')!, 'fa'), 'مهر ۱۴۰۴');
  assert.equal(periodLabel(parsePeriod('1404-s3')!, 'fa'), 'پاییز ۱۴۰۴');
  assert.equal(periodLabel(parsePeriod('1404')!, 'fa'), '۱۴۰۴');
  assert.equal(periodLabel(parsePeriod('1404-07')!, 'en'), 'Mehr 1404');
  assert.equal(periodLabel(parsePeriod('1404-s3')!, 'en'), 'Autumn 1404');
  assert.equal(periodLabel(parsePeriod('1404')!, 'en'), '1404');
});

test('currentPeriod uses the Tehran day: 20:29 UTC on 20 Mar 2026 is already 1 Farvardin 1405 in Tehran', () => {
  // Tehran is UTC+03:30; 2026-03-20T20:29Z = 2026-03-20 23:59 Tehran = 29 Esfand 1404.
  const lastMinute = Date.UTC(2026, 2, 20, 20, 29);
  assert.deepEqual(currentPeriod('month', lastMinute), { kind: 'month', year: 1404, index: 12 });
  assert.deepEqual(currentPeriod('season', lastMinute), { kind: 'season', year: 1404, index: 4 });
  const nowruz = Date.UTC(2026, 2, 20, 20, 30); // 00:00 on 1 Farvardin 1405 in Tehran
  assert.deepEqual(currentPeriod('month', nowruz), { kind: 'month', year: 1405, index: 1 });
  assert.deepEqual(currentPeriod('year', nowruz), { kind: 'year', year: 1405, index: 1 });
  assert.deepEqual(periodOfDay('season', '2025-12-21'), { kind: 'season', year: 1404, index: 3 });
  assert.deepEqual(periodOfDay('season', '2025-12-22'), { kind: 'season', year: 1404, index: 4 });
});

test('previousPeriods lists n periods ending with p, oldest first, across year boundaries', () => {
  assert.deepEqual(previousPeriods(parsePeriod('1405-02')!, 3).map(formatPeriod), ['1404-12', '1405-01', '1405-02']);
  assert.deepEqual(previousPeriods(parsePeriod('1405-s1')!, 5).map(formatPeriod), ['1404-s1', '1404-s2', '1404-s3', '1404-s4', '1405-s1']);
  assert.deepEqual(previousPeriods(parsePeriod('1404')!, 2).map(formatPeriod), ['1403', '1404']);
  assert.deepEqual(previousPeriods(parsePeriod('1404')!, 0), []);
  assert.equal(isValidPeriod({ kind: 'month', year: 1404, index: 13 }), false);
  assert.equal(isValidPeriod({ kind: 'season', year: 1404, index: 4 }), true);
});
