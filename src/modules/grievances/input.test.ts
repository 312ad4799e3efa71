// Examples kept from the fuzz run (test/fuzz/api.test.ts): a JSON body nested thousands deep sent
// to a report route answered 500 (the NUL check recursed until the call stack overflowed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, signInCitizen, type TestApp } from '../../../test/helpers.js';
import { hasNulByte } from './input.js';

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

test('hasNulByte finds a NUL anywhere, in keys and values, and walks a value nested 100,000 deep', () => {
  assert.equal(hasNulByte({ a: ['x', { b: 'y\u0000' }] }), true);
  assert.equal(hasNulByte({ 'k\u0000': 1 }), true);
  assert.equal(hasNulByte({ a: ['x', { b: 'y' }], n: 1, z: null }), false);
  assert.equal(hasNulByte(JSON.parse(deep(100_000))), false);
  let v: unknown = 'end\u0000';
  for (let i = 0; i < 100_000; i++) v = [v];
  assert.equal(hasNulByte(v), true);
});

let t: TestApp;
let token: string;
before(async () => {
  t = await makeTestApp();
  token = await signInCitizen(t, '09121234567');
});
after(async () => { await t?.close(); });

test('a report body nested 5000 deep answers a localized 400, not a 500', async () => {
  for (const url of ['/api/v1/reports', '/api/v1/reports/0193b1e4-5c2a-7e90-8d4f-3a6b9c1e2f70/comment']) {
    const r = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': 'fa' }, payload: deep(5000) });
    assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    assert.match(r.json().error.message, /[\u0600-\u06FF]/);
  }
});
