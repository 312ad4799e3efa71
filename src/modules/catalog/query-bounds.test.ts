// Kept from the fuzz run (test/fuzz/api.test.ts): an integer query parameter past the range of
// a database integer answered 500 on PostgreSQL ("value out of range for type integer"); it is
// refused as bad input naming the parameter, the same on both databases.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../../../test/helpers.js';

let t: TestApp;
before(async () => { t = await makeTestApp(); });
after(async () => { await t?.close(); });

test('a template diff between versions past 2^31 answers 400 naming from and to', async () => {
  const r = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/templates/business-levy/diff?from=3147251093442344&to=266512160853579', headers: { 'accept-language': 'en' } });
  assert.equal(r.statusCode, 400, r.body);
  assert.deepEqual(Object.keys(r.json().error.fields).sort(), ['from', 'to']);
  const ok = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/templates/business-levy/diff?from=1&to=2147483647' });
  assert.equal(ok.statusCode, 404, 'in range, it is looked up (no such template here)');
});
