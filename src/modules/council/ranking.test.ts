// The ranking's method on known values, computed by hand: min-max per indicator across the
// municipalities with a value (flipped when lower is better), weighted mean over the indicators
// a municipality has, times 100; too little data means listed without a rank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankMunicipalities } from './ranking.js';

const indicators = [
  { code: 'x', weight: 0.5, higher_is_better: true },
  { code: 'y', weight: 0.3, higher_is_better: false },
  { code: 'z', weight: 0.2, higher_is_better: true },
  { code: 'shown', weight: 0, higher_is_better: true },
];

test('scores, ranks and coverage match the hand computation', () => {
  const rows = rankMunicipalities([
    { org: 'a', values: { x: 10, y: 5, z: 1, shown: 1e12 } },
    { org: 'b', values: { x: 20, y: 1, z: null } },
    { org: 'c', values: { x: 30, y: 3, z: 3 } },
    { org: 'd', values: { z: 2 } },
  ], indicators);
  // x: a 0, b 0.5, c 1.  y (lower is better, 1..5): a 0, b 1, c 0.5.  z (1..3): a 0, c 1, d 0.5.
  // a = 0; b = (0.5*0.5 + 0.3*1) / 0.8 = 0.6875 -> 68.8; c = 0.5 + 0.15 + 0.2 = 0.85 -> 85; d = 0.5 -> 50 but 20% coverage.
  assert.deepEqual(rows.map((r) => [r.org, r.rank, r.score, r.coverage]), [
    ['c', 1, 85, 1],
    ['b', 2, 68.8, 0.8],
    ['a', 3, 0, 1],
    ['d', 0, 50, 0.2],
  ]);
  assert.deepEqual(rows[1]!.normalised, { x: 0.5, y: 1, z: null });
  assert.equal('shown' in rows[0]!.normalised, false, 'an indicator of weight 0 does not take part');
});

test('equal values count as the best; equal scores share a rank', () => {
  const rows = rankMunicipalities([
    { org: 'p', values: { x: 7, y: 2, z: 4 } },
    { org: 'q', values: { x: 7, y: 2, z: 4 } },
    { org: 'r', values: { x: 6, y: 2, z: 4 } },
  ], indicators);
  assert.deepEqual(rows.map((r) => [r.org, r.rank, r.score]), [['p', 1, 100], ['q', 1, 100], ['r', 3, 50]]);
});
