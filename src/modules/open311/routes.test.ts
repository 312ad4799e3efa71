// Open311 GeoReport v2 over HTTP, JSON and XML: discovery, services, service definitions,
// requests and one request; the spec's errors (400/404) in both formats; the status mapping;
// date filters and the 90-day limit; no personal data; one jurisdiction never shows another's.
// JSON answers are checked against the Open311 project's schemas when ../shared/open311 exists.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { makeTestApp, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, north, PLACES } from '../grievances/test-factories.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const schemaDir = resolve(repoRoot, '../shared/open311/georeport-v2');
const haveSchemas = existsSync(join(schemaDir, 'requests.json'));
const skipSchemas = haveSchemas ? false : `Open311 schemas not found at ${schemaDir}`;

let validators: Record<string, ValidateFunction> = {};
let t: TestApp;
const codes: Record<string, string> = {};
const DAY = 86_400_000;

const get = (url: string) => t.app.inject({ method: 'GET', url });
const file = async (category: string, place: { lat: number; lng: number }, description: string) => {
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/reports', payload: { category, description, ...place, address: 'کوچه شهید رجایی پلاک ۱۲' } });
  assert.equal(r.statusCode, 201, r.body);
  t.clock.advance(60_000);
  return r.json().tracking_code as string;
};
const setRow = (trackingCode: string, set: Record<string, unknown>) =>
  t.deps.db.updateTable('reports').set(set).where('tracking_code', '=', trackingCode).execute();

function assertValid(name: string, body: unknown) {
  if (!haveSchemas) return;
  const v = validators[name]!;
  assert.ok(v(body), `${name}: ${JSON.stringify(v.errors)}`);
}
function assertJson(r: { statusCode: number; headers: Record<string, unknown>; body: string }, status = 200) {
  assert.equal(r.statusCode, status, r.body);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
}
function assertXml(r: { statusCode: number; headers: Record<string, unknown>; body: string }, root: string, status = 200) {
  assert.equal(r.statusCode, status, r.body);
  assert.equal(r.headers['content-type'], 'text/xml; charset=utf-8');
  assert.ok(r.body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n'), r.body);
  assert.match(r.body, new RegExp(`<${root}(/>|>[\\s\\S]*</${root}>)$`));
}

before(async () => {
  if (haveSchemas) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
    addFormats(ajv);
    for (const name of ['request.json', 'service.json']) ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, name), 'utf8')), name);
    validators = Object.fromEntries(['services.json', 'service-definition.json', 'requests.json', 'request.json'].map((n) => [n, ajv.getSchema(n) ?? ajv.compile(JSON.parse(readFileSync(join(schemaDir, n), 'utf8')))]));
  }
  t = await makeTestApp();
  await makeMunicipalities(t, ['babol', 'sari']);
  codes.open = await file('pothole', PLACES.babol, 'چاله بزرگ <خطرناک> & عمیق');
  codes.progress = await file('street-light', north(PLACES.babol, 500), 'چراغ خاموش است');
  codes.resolved = await file('pothole', north(PLACES.babol, 1000), 'چاله کوچک');
  codes.hidden = await file('garbage', north(PLACES.babol, 1500), 'متن توهین‌آمیز با شماره ۰۹۱۲۰۰۰۰۰۰۰');
  codes.sari = await file('pothole', PLACES.sari, 'چاله در ساری');
  codes.old = await file('pothole', north(PLACES.babol, 2000), 'چاله قدیمی');
  await setRow(codes.progress, { state: 'in_progress' });
  await setRow(codes.resolved, { state: 'resolved', resolved_at: t.clock.now() });
  const resolvedId = (await t.deps.db.selectFrom('reports').select(['id', 'org_id']).where('tracking_code', '=', codes.resolved).executeTakeFirstOrThrow());
  for (const [comment, internal] of [['Patched on 2026-11-28', 0], ['internal: contractor invoice 42', 1]] as const) {
    await t.deps.db.insertInto('report_updates').values({ id: `u-${internal}`, report_id: resolvedId.id, org_id: resolvedId.org_id, state: 'resolved', comment, internal, actor_kind: 'staff', actor_id: null, created_at: t.clock.now() + internal }).execute();
  }
  await setRow(codes.hidden, { hidden: 1, state: 'rejected' });
  await setRow(codes.old, { created_at: t.clock.now() - 120 * DAY, updated_at: t.clock.now() - 120 * DAY });
});
after(async () => { await t?.close(); });

test('the Open311 schemas are there to check against', { skip: skipSchemas }, () => {
  assert.ok(validators['requests.json']);
});

test('discovery in JSON and XML', async () => {
  const j = await get('/open311/v2/discovery.json');
  assertJson(j);
  assert.equal(j.json().endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.deepEqual(j.json().endpoints[0].formats, ['application/json', 'text/xml']);
  const x = await get('/open311/v2/discovery.xml');
  assertXml(x, 'discovery');
  assert.match(x.body, /<endpoints><endpoint><specification>http:\/\/wiki.open311.org\/GeoReport_v2<\/specification>/);
  assert.match(x.body, /<formats><format>application\/json<\/format><format>text\/xml<\/format><\/formats>/);
});

test('services of the jurisdiction in JSON (valid) and XML', async () => {
  const j = await get('/open311/v2/services.json?jurisdiction_id=babol');
  assertJson(j);
  assertValid('services.json', j.json());
  const pothole = j.json().find((s: { service_code: string }) => s.service_code === 'pothole');
  assert.deepEqual({ ...pothole, keywords: undefined }, { service_code: 'pothole', service_name: 'چاله و خرابی آسفالت', description: 'Pothole', metadata: false, type: 'realtime', group: 'urban-services', keywords: undefined });
  assert.equal(j.json().length, 10);
  const x = await get('/open311/v2/services.xml?jurisdiction_id=babol');
  assertXml(x, 'services');
  assert.match(x.body, /<service><service_code>pothole<\/service_code><service_name>چاله و خرابی آسفالت<\/service_name>/);
  assert.match(x.body, /<metadata>false<\/metadata><type>realtime<\/type>/);
});

test('a service definition in JSON (valid) and XML; an unknown one is 404 in both', async () => {
  const j = await get('/open311/v2/services/pothole.json?jurisdiction_id=babol');
  assertJson(j);
  assertValid('service-definition.json', j.json());
  assert.deepEqual(j.json(), { service_code: 'pothole', attributes: [] });
  const x = await get('/open311/v2/services/pothole.xml?jurisdiction_id=babol');
  assertXml(x, 'service_definition');
  assert.match(x.body, /<service_code>pothole<\/service_code><attributes><\/attributes>/);
  const nj = await get('/open311/v2/services/nope.json?jurisdiction_id=babol');
  assertJson(nj, 404);
  assert.deepEqual(nj.json(), [{ code: 404, description: 'service_code not found' }]);
  const nx = await get('/open311/v2/services/nope.xml?jurisdiction_id=babol');
  assertXml(nx, 'errors', 404);
  assert.match(nx.body, /<errors><error><code>404<\/code><description>service_code not found<\/description><\/error><\/errors>$/);
});

test('a missing or unknown jurisdiction is 400 or 404 in the spec\'s error format; empty is absent', async () => {
  for (const path of ['services', 'requests', 'services/pothole', `requests/${codes.open}`]) {
    const missing = await get(`/open311/v2/${path}.json`);
    assertJson(missing, 400);
    assert.deepEqual(missing.json(), [{ code: 400, description: 'jurisdiction_id is required' }]);
    assertJson(await get(`/open311/v2/${path}.json?jurisdiction_id=`), 400);
    const unknown = await get(`/open311/v2/${path}.xml?jurisdiction_id=tehran`);
    assertXml(unknown, 'errors', 404);
    assert.match(unknown.body, /<code>404<\/code><description>jurisdiction_id not found<\/description>/);
  }
  assert.equal((await get('/open311/v2/services.yaml?jurisdiction_id=babol')).statusCode, 404);
});

test('requests: newest first, public fields only, status mapping, valid against the schema', async () => {
  const j = await get('/open311/v2/requests.json?jurisdiction_id=babol&service_code=&status=');
  assertJson(j);
  assertValid('requests.json', j.json());
  const list = j.json() as Record<string, unknown>[];
  assert.deepEqual(list.map((r) => r.service_request_id), [codes.hidden, codes.resolved, codes.progress, codes.open].map(String));
  const by = Object.fromEntries(list.map((r) => [r.service_request_id, r]));
  assert.equal(by[codes.open!]!.status, 'open');
  assert.equal(by[codes.progress!]!.status, 'open');
  assert.equal(by[codes.resolved!]!.status, 'closed');
  assert.equal(by[codes.hidden!]!.status, 'closed');
  assert.equal(by[codes.hidden!]!.description, null);
  assert.equal(by[codes.resolved!]!.status_notes, 'Patched on 2026-11-28', 'the latest public comment, never an internal one');
  assert.equal(by[codes.open!]!.status_notes, null);
  const one = by[codes.open!]!;
  assert.equal(one.service_code, 'pothole');
  assert.equal(one.agency_responsible, 'معاونت فنی و عمرانی');
  assert.equal(typeof one.lat, 'number');
  assert.equal(typeof one.long, 'number');
  assert.match(String(one.requested_datetime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  assert.match(String(one.expected_datetime), /\+00:00$/);
  for (const r of list) {
    assert.equal(r.address, undefined);
    assert.ok(!Object.keys(r).some((k) => /citizen|mobile|address/.test(k)), JSON.stringify(r));
  }
  assert.ok(!j.body.includes('رجایی') && !j.body.includes('۰۹۱۲'), 'no address, no hidden text');
  const open = (await get('/open311/v2/requests.json?jurisdiction_id=babol&status=open')).json() as { service_request_id: string }[];
  assert.deepEqual(open.map((r) => r.service_request_id).sort(), [codes.open, codes.progress].sort());
  const closed = (await get('/open311/v2/requests.json?jurisdiction_id=babol&status=closed&service_code=pothole')).json() as { service_request_id: string }[];
  assert.deepEqual(closed.map((r) => r.service_request_id), [codes.resolved]);
  assertJson(await get('/open311/v2/requests.json?jurisdiction_id=babol&status=pending'), 400);
});

test('requests in XML are escaped and shaped like the spec', async () => {
  const x = await get('/open311/v2/requests.xml?jurisdiction_id=babol&status=open');
  assertXml(x, 'service_requests');
  assert.match(x.body, /<service_requests><request><service_request_id>/);
  assert.ok(x.body.includes('چاله بزرگ &lt;خطرناک&gt; &amp; عمیق'), x.body);
  assert.ok(!x.body.includes('<address>'));
});

test('a Sari request never appears under Babol, by list or by id', async () => {
  const list = await get(`/open311/v2/requests.json?jurisdiction_id=babol&service_request_id=${codes.sari},${codes.open}`);
  assert.deepEqual((list.json() as { service_request_id: string }[]).map((r) => r.service_request_id), [codes.open]);
  assertJson(await get(`/open311/v2/requests/${codes.sari}.json?jurisdiction_id=babol`), 404);
  const sari = await get(`/open311/v2/requests/${codes.sari}.json?jurisdiction_id=sari`);
  assertJson(sari);
  assert.equal(sari.json()[0].service_request_id, codes.sari);
  const all = await get('/open311/v2/requests.json?jurisdiction_id=babol&page_size=200');
  assert.ok(!all.body.includes(codes.sari!));
});

test('one request as a one-item array in JSON (valid) and XML; unknown is 404 in both', async () => {
  const j = await get(`/open311/v2/requests/${codes.open}.json?jurisdiction_id=babol`);
  assertJson(j);
  assertValid('requests.json', j.json());
  assertValid('request.json', j.json()[0]);
  assert.equal(j.json().length, 1);
  const x = await get(`/open311/v2/requests/${codes.open}.xml?jurisdiction_id=babol`);
  assertXml(x, 'service_requests');
  assert.ok(x.body.includes(`<service_request_id>${codes.open}</service_request_id><status>open</status>`));
  const nj = await get('/open311/v2/requests/BABOL-137-1405-999999.json?jurisdiction_id=babol');
  assertJson(nj, 404);
  assert.deepEqual(nj.json(), [{ code: 404, description: 'service_request_id not found' }]);
  assertXml(await get('/open311/v2/requests/BABOL-137-1405-999999.xml?jurisdiction_id=babol'), 'errors', 404);
});

test('dates: the last 90 days by default, explicit windows, and at most 90 days (400 in both formats)', async () => {
  const now = t.clock.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const def = (await get('/open311/v2/requests.json?jurisdiction_id=babol')).json() as { service_request_id: string }[];
  assert.ok(!def.some((r) => r.service_request_id === codes.old));
  const oldWindow = await get(`/open311/v2/requests.json?jurisdiction_id=babol&start_date=${iso(now - 130 * DAY)}&end_date=${iso(now - 100 * DAY)}`);
  assertJson(oldWindow);
  assert.deepEqual((oldWindow.json() as { service_request_id: string }[]).map((r) => r.service_request_id), [codes.old]);
  const byId = await get(`/open311/v2/requests/${codes.old}.json?jurisdiction_id=babol`);
  assert.equal(byId.statusCode, 200);
  const tooLong = await get(`/open311/v2/requests.json?jurisdiction_id=babol&start_date=${iso(now - 91 * DAY)}&end_date=${iso(now)}`);
  assertJson(tooLong, 400);
  assert.match(tooLong.json()[0].description, /90 days/);
  assertXml(await get(`/open311/v2/requests.xml?jurisdiction_id=babol&start_date=${iso(now - 91 * DAY)}&end_date=${iso(now)}`), 'errors', 400);
  assertJson(await get('/open311/v2/requests.json?jurisdiction_id=babol&start_date=yesterday'), 400);
  assertJson(await get(`/open311/v2/requests.json?jurisdiction_id=babol&start_date=${iso(now)}&end_date=${iso(now - DAY)}`), 400);
  const offset = await get(`/open311/v2/requests.json?jurisdiction_id=babol&start_date=${encodeURIComponent('2026-11-01T00:00:00+03:30')}&end_date=`);
  assertJson(offset);
});

test('page and page_size; out-of-range paging is 400', async () => {
  const p1 = (await get('/open311/v2/requests.json?jurisdiction_id=babol&page_size=2')).json() as { service_request_id: string }[];
  const p2 = (await get('/open311/v2/requests.json?jurisdiction_id=babol&page_size=2&page=2')).json() as { service_request_id: string }[];
  assert.deepEqual([...p1, ...p2].map((r) => r.service_request_id), [codes.hidden, codes.resolved, codes.progress, codes.open]);
  assertJson(await get('/open311/v2/requests.json?jurisdiction_id=babol&page_size=0'), 400);
  assertJson(await get('/open311/v2/requests.json?jurisdiction_id=babol&page=x'), 400);
});
