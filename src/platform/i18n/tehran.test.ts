// Tehran wall-clock arithmetic against the tz database that ships with Node's Intl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tehranWallClock } from './tehran.js';

test('the memoized wall clock equals the tz database at every minute around DST changes and at random instants', () => {
  const intl = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tehran', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const expected = (ms: number) => {
    const p = Object.fromEntries(intl.formatToParts(ms).filter((x) => x.type !== 'literal').map((x) => [x.type, Number(x.value)]));
    return { year: p.year, month: p.month, day: p.day, hour: p.hour! % 24, minute: p.minute, second: p.second };
  };
  // The DST starts and ends of 1401 (the last year Iran observed it), minute by minute, and 2,000 random instants 1980-2040.
  const around = [Date.parse('2022-03-21T20:00:00Z'), Date.parse('2022-09-21T19:00:00Z')];
  for (const start of around) for (let m = 0; m < 180; m++) assert.deepEqual(tehranWallClock(start + m * 60_000 + 17_000), expected(start + m * 60_000 + 17_000));
  let seed = 7;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 2000; i++) {
    const ms = Math.floor(Date.parse('1980-01-01T00:00:00Z') + rand() * 60 * 365.25 * 86_400_000);
    assert.deepEqual(tehranWallClock(ms), expected(ms), new Date(ms).toISOString());
  }
  assert.throws(() => tehranWallClock(new Date(NaN)), RangeError);
});
