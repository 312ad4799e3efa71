// Kept from the fuzz run (test/fuzz/api.test.ts): an integer query parameter past the range of
// a database integer answered 500 on PostgreSQL ("value out of range for type integer"); it is
// refused as bad input naming the parameter, the same on both databases.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../../../test/helpers.js';

let t: TestApp;
before(async () => { t = await makeTestApp(); });
after(async () => { await t?.close(); });

test('resolutions of a meeting number past 2^31 answer 400 naming meeting', async () => {
  const r = await t.app.inject({ method: 'GET', url: '/api/v1/council/resolutions?meeting=993121780795206&org=babol&state=open', headers: { 'accept-language': 'en' } });
  assert.equal(r.statusCode, 400, r.body);
  assert.deepEqual(Object.keys(r.json().error.fields), ['meeting']);
});
