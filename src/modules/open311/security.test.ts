// Adversarial tests of Open311: no exact point, personal data, internal note or moderated original
// in any answer (JSON or XML); text that would break XML stays text; one jurisdiction's requests
// and tokens are not found through another; odd input (NUL characters, repeated or huge values,
// broken multipart) answers the spec's error format with a 4xx, never a 5xx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, PLACES } from '../grievances/test-factories.js';
import { createApiClient } from '../../platform/auth/api-keys.js';
import { assertJson, assertValid, assertXml, parseXml } from './test-support.js';

let t: TestApp;
const keys: Record<string, string> = {};
const tokens: Record<string, string> = {};
const MOBILE = '09131118801';
const ADDRESS = 'کوچه نرگس پلاک ۸۸';
const ORIGINAL = 'همسایه ما آقای کریمی مقصر است';
const INTERNAL = 'internal: contractor invoice 9931';
const NASTY = ']]><x>&amp;</x><![CDATA[ <script>alert(1)</script> \u0007';
const EXACT = { lat: PLACES.babol.lat + 0.001234, lng: PLACES.babol.lng + 0.004321 };
const codes: Record<string, string> = {};
const open311Token: Record<string, string> = {};

const get = (url: string) => t.app.inject({ method: 'GET', url });
const post = (format: 'json' | 'xml', fields: Record<string, string>) => t.app.inject({
  method: 'POST', url: `/open311/v2/requests.${format}`, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
/** The answers that were 5xx, not in the spec's error format, or showed a stack trace. */
let problems: string[] = [];
function check(r: { statusCode: number; body: string; headers: Record<string, unknown> }, what: string, format = true) {
  if (r.statusCode >= 500 || /at \S+ \(.*:\d+:\d+\)|node:internal/.test(r.body)) problems.push(`${what}: ${r.statusCode}`);
  else if (format && r.statusCode >= 400 && String(r.headers['content-type']).startsWith('application/json') && !Array.isArray(JSON.parse(r.body))) problems.push(`${what}: not the Open311 error format`);
}
const noProblems = () => {
  const found = problems;
  problems = [];
  assert.deepEqual(found, []);
};

before(async () => {
  t = await makeTestApp();
  const orgs = await makeMunicipalities(t, ['babol', 'sari']);
  const now = t.clock.now();
  keys.babol = (await createApiClient(t.deps.db, { orgId: orgs.babol!, name: 'babol client', scopes: ['reports.write'], now })).key;
  keys.sari = (await createApiClient(t.deps.db, { orgId: orgs.sari!, name: 'sari client', scopes: ['reports.write'], now })).key;
  const { password } = await makeStaff(t, 'babol.manager', [{ orgId: orgs.babol!, role: 'manager' }]);
  tokens.manager = await signInStaff(t, 'babol.manager', password);
  tokens.citizen = await signInCitizen(t, MOBILE);
  const filed = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${tokens.citizen}` }, payload: { category: 'pothole', description: ORIGINAL, ...EXACT, address: ADDRESS } });
  assert.equal(filed.statusCode, 201, filed.body);
  codes.citizen = filed.json().tracking_code;
  const id = filed.json().id as string;
  const staff = { authorization: `Bearer ${tokens.manager}` };
  for (const [url, payload] of [
    [`/api/v1/reports/${id}/moderate`, { description: 'چاله بزرگ' }],
    [`/api/v1/reports/${id}/comment`, { comment: `در دست اقدام ${NASTY}`, internal: false }],
    [`/api/v1/reports/${id}/state`, { state: 'in_progress', comment: INTERNAL, internal: true }],
  ] as const) {
    const r = await t.app.inject({ method: 'POST', url, headers: staff, payload });
    assert.equal(r.statusCode, 200, r.body);
  }
  const viaKey = await post('json', { api_key: keys.sari!, jurisdiction_id: 'sari', service_code: 'pothole', lat: String(PLACES.sari.lat), long: String(PLACES.sari.lng), description: `چاله ${NASTY}` });
  assert.equal(viaKey.statusCode, 201, viaKey.body);
  codes.sari = viaKey.json()[0].service_request_id;
  open311Token.sari = viaKey.json()[0].token;
});
after(async () => { await t?.close(); });

test('requests and updates carry no personal data, internal note, moderated original or exact point, in JSON and XML', async () => {
  for (const format of ['json', 'xml'] as const) {
    const answers = {
      requests: await get(`/open311/v2/requests.${format}?jurisdiction_id=babol`),
      one: await get(`/open311/v2/requests/${codes.citizen}.${format}?jurisdiction_id=babol`),
      updates: await get(`/open311/v2/servicerequestupdates.${format}?jurisdiction_id=babol`),
    };
    for (const [name, r] of Object.entries(answers)) {
      assert.equal(r.statusCode, 200, `${name}.${format}: ${r.body}`);
      for (const secret of [MOBILE, ADDRESS, 'کریمی', INTERNAL, 'contractor invoice', String(EXACT.lat), String(EXACT.lng)]) {
        assert.ok(!r.body.includes(secret), `${name}.${format} shows ${secret}`);
      }
    }
    if (format === 'json') {
      const [one] = answers.one.json();
      assert.equal(one.lat, Math.round(EXACT.lat * 1000) / 1000);
      assert.equal(one.long, Math.round(EXACT.lng * 1000) / 1000);
      assert.match(one.status_notes, /در دست اقدام/);
    }
  }
});

test('text that would break XML (CDATA ends, tags, control characters) stays text', async () => {
  for (const url of [`/open311/v2/requests.xml?jurisdiction_id=sari`, `/open311/v2/requests.xml?jurisdiction_id=babol`, `/open311/v2/servicerequestupdates.xml?jurisdiction_id=babol`]) {
    const r = await get(url);
    assertXml(r, url.includes('updates') ? 'service_request_updates' : 'service_requests');
    assert.ok(!r.body.includes('<script>') && !r.body.includes('<x>') && !r.body.includes(']]>') && !r.body.includes('\u0007'), url);
    const doc = parseXml(r.body);
    assert.ok(JSON.stringify(doc).includes('<script>alert(1)</script>'), `${url}: the text survives as text`);
  }
});

test("one jurisdiction's requests and tokens are not found through another's", async () => {
  for (const format of ['json', 'xml'] as const) {
    const one = await get(`/open311/v2/requests/${codes.sari}.${format}?jurisdiction_id=babol`);
    assert.equal(one.statusCode, 404, one.body);
    const token = await get(`/open311/v2/tokens/${open311Token.sari}.${format}?jurisdiction_id=babol`);
    assert.equal(token.statusCode, 404, token.body);
  }
  const list = await get(`/open311/v2/requests.json?jurisdiction_id=babol&service_request_id=${codes.sari}`);
  assertJson(list);
  assert.deepEqual(list.json(), []);
  // A Babol key may not post into Sari.
  const r = await post('json', { api_key: keys.babol!, jurisdiction_id: 'sari', service_code: 'pothole', lat: String(PLACES.sari.lat), long: String(PLACES.sari.lng), description: 'چاله' });
  assertJson(r, 403);
  assertValid('errors.json', r.json());
});

test('odd input on every Open311 route answers a 4xx in the spec\'s error format, never a 5xx', async () => {
  // A path the router cannot decode (%C0%AF) or that is too long for it is answered before Open311's
  // routes (the app's JSON error): only the absence of a 5xx is checked there.
  for (const w of ['%00', 'a%00b', '%C0%AF', '%E2%80%AE', 'x'.repeat(500)]) {
    const inPath = (url: string) => !['%C0%AF', 'x'.repeat(500)].includes(w) || url.includes('?jurisdiction_id=' + w) || !url.includes(`/${w}.`);
    for (const format of ['json', 'xml']) {
      for (const url of [
        `/open311/v2/services.${format}?jurisdiction_id=${w}`, `/open311/v2/services/${w}.${format}?jurisdiction_id=babol`, `/open311/v2/requests.${format}?jurisdiction_id=${w}`,
        `/open311/v2/requests.${format}?jurisdiction_id=babol&service_request_id=${w}`, `/open311/v2/requests.${format}?jurisdiction_id=babol&service_code=${w}`,
        `/open311/v2/requests/${w}.${format}?jurisdiction_id=babol`, `/open311/v2/tokens/${w}.${format}?jurisdiction_id=babol`,
        `/open311/v2/servicerequestupdates.${format}?jurisdiction_id=babol&start_date=${w}`, `/open311/v2/requests.${format}?jurisdiction_id=babol&status=${w}`,
      ]) check(await get(url), `GET ${url}`, inPath(url));
    }
  }
  for (const url of ['/open311/v2/requests.json?jurisdiction_id=babol&jurisdiction_id=sari', '/open311/v2/requests.json?jurisdiction_id[]=babol', '/open311/v2/requests.json?jurisdiction_id=babol&page_size=1e9&page=99999999999',
    '/open311/v2/requests.json?jurisdiction_id=babol&start_date=9999-99-99', '/open311/v2/requests.json?jurisdiction_id=babol&start_date=275760-09-13', '/open311/v2/services/.json', '/open311/v2/requests/x.exe']) {
    check(await get(url), `GET ${url}`);
  }
  const good = { api_key: keys.babol!, jurisdiction_id: 'babol', service_code: 'pothole', lat: String(PLACES.babol.lat), long: String(PLACES.babol.lng), description: 'چاله عمیق' };
  const odd: Record<string, string>[] = [{ description: 'چاله\u0000 عمیق' }, { address_string: 'a\u0000b' }, { 'attribute[size]': 'large\u0000' }, { service_code: 'pot\u0000hole' }, { jurisdiction_id: 'babol\u0000' },
    { api_key: `${keys.babol}\u0000` }, { lat: 'NaN', long: 'Infinity' }, { lat: '1e400', long: '1' }, { lat: '9'.repeat(400), long: '1' }];
  for (const over of odd) {
    for (const format of ['json', 'xml'] as const) check(await post(format, { ...good, ...over }), `POST ${format} ${JSON.stringify(over)}`);
  }
  for (const payload of ['--b--\r\n', '--b\r\nContent-Disposition: form-data; name="api_key"\r\n\r\npk_', `--b\r\nContent-Disposition: form-data; name="description"\r\n\r\na\u0000b\r\n--b--\r\n`]) {
    const r = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'multipart/form-data; boundary=b' }, payload });
    check(r, `multipart ${JSON.stringify(payload.slice(0, 30))}`);
  }
  const json = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: { ...good, description: ['a', 'b'], lat: { x: 1 } } });
  check(json, 'a JSON body with arrays and objects');
  noProblems();
});
