// Filing is limited per citizen, per address when anonymous, and per API key on Open311: one
// over-eager client cannot flood a municipality's queue, and the others are not held back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, signInCitizen, type TestApp } from '../../../test/helpers.js';
import { createApiClient } from '../../platform/auth/api-keys.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';

let t: TestApp;
let orgs: Record<string, string>;
const tokens: Record<string, string> = {};

before(async () => {
  // Two reports a minute per citizen (twenty per minute per Open311 key).
  t = await makeTestApp({ REPORTS_PER_MINUTE: '2' });
  orgs = await makeMunicipalities(t, ['babol', 'sari']);
  tokens.maryam = await signInCitizen(t, '09351112233');
  tokens.reza = await signInCitizen(t, '09121234567');
});
after(async () => { await t.close(); });

const file = (who: string | undefined, metres: number) => t.app.inject({
  method: 'POST', url: '/api/v1/reports', headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
  payload: { category: 'pothole', description: 'چاله بزرگ در خیابان', ...north(PLACES.babol, metres) },
});

test('a citizen past the limit gets 429 with Retry-After; another citizen still files', async () => {
  assert.equal((await file('maryam', 100)).statusCode, 201);
  assert.equal((await file('maryam', 200)).statusCode, 201);
  const third = await file('maryam', 300);
  assert.equal(third.statusCode, 429);
  assert.ok(Number(third.headers['retry-after']) > 0);
  assert.equal(third.json().error.code, 'common.rate_limited');
  assert.equal((await file('reza', 400)).statusCode, 201);
  const filed = await t.deps.db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(filed.n), 3, 'the refused one stored nothing');
});

test('Open311: a key past its limit (posts in either format count) gets 429 in the spec error format; another key is not held back', async () => {
  const key = async (name: string) => (await createApiClient(t.deps.db, { orgId: orgs.babol!, name, scopes: ['reports.write'], now: t.clock.now() })).key;
  const [busy, calm] = [await key('busy'), await key('calm')];
  const post = (apiKey: string, format: 'json' | 'xml', i: number) => t.app.inject({
    method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ api_key: apiKey, jurisdiction_id: 'babol', service_code: 'pothole', description: `چاله شماره ${i}`, lat: String(north(PLACES.babol, 50 * i).lat), long: String(PLACES.babol.lng) }).toString(),
  });
  for (let i = 1; i <= 20; i++) assert.equal((await post(busy, i % 2 ? 'json' : 'xml', i)).statusCode, 201, `post ${i}`);
  const over = await post(busy, 'json', 21);
  assert.equal(over.statusCode, 429);
  assert.deepEqual(over.json(), [{ code: 429, description: 'too many requests; try again in a minute' }]);
  const overXml = await post(busy, 'xml', 22);
  assert.equal(overXml.statusCode, 429);
  assert.match(overXml.body, /^<\?xml version="1.0" encoding="utf-8"\?>\s*<errors>\s*<error>\s*<code>429<\/code>/i);
  assert.equal((await post(calm, 'json', 23)).statusCode, 201);
});
