// Open311 GeoReport v2 over HTTP, JSON and XML: discovery, services, service definitions,
// requests and one request; the spec's errors (400/404) in both formats; the status mapping;
// date filters and the 90-day limit; no personal data; one jurisdiction never shows another's.
// JSON answers are checked against the Open311 project's schemas when ../shared/open311 exists.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, north, PLACES } from '../grievances/test-factories.js';
import { assertJson, assertValid, assertXml, haveSchemas, parseXml, schemaDir } from './test-support.js';

const skipSchemas = haveSchemas ? false : `Open311 schemas not found at ${schemaDir}`;

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

before(async () => {
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
  assert.ok(haveSchemas);
});

test('discovery in JSON and XML (GeoReport v2 and FixMyStreet\'s extension)', async () => {
  const j = await get('/open311/v2/discovery.json');
  assertJson(j);
  const d = j.json();
  assert.equal(d.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.match(d.endpoints[1].specification, /fixmystreet/);
  assert.deepEqual(d.endpoints[0].formats, ['application/json', 'text/xml']);
  assert.match(d.endpoints[0].url, /^http:\/\/.+\/open311\/v2\/$/);
  assert.match(d.key_service, /api_key/);
  const x = await get('/open311/v2/discovery.xml');
  assertXml(x, 'discovery');
  const doc = parseXml(x.body) as { discovery: { changeset: string; endpoints: { endpoint: { specification: string; url: string; formats: { format: string[] } }[] } } };
  assert.equal(doc.discovery.changeset, d.changeset);
  assert.deepEqual(doc.discovery.endpoints.endpoint.map((e) => e.specification), d.endpoints.map((e: { specification: string }) => e.specification));
  assert.deepEqual(doc.discovery.endpoints.endpoint[0]!.formats.format, ['application/json', 'text/xml']);
});

test('services of the jurisdiction in JSON (valid) and XML; metadata says which have attributes', async () => {
  const j = await get('/open311/v2/services.json?jurisdiction_id=babol');
  assertJson(j);
  assertValid('services.json', j.json());
  const list = j.json() as { service_code: string; metadata: boolean }[];
  const pothole = list.find((s) => s.service_code === 'pothole');
  assert.deepEqual({ ...pothole, keywords: undefined }, { service_code: 'pothole', service_name: 'چاله و خرابی آسفالت', description: 'Pothole', metadata: true, type: 'realtime', group: 'urban-services', keywords: undefined });
  assert.equal(list.find((s) => s.service_code === 'flooding')!.metadata, false);
  assert.equal(list.length, 10);
  const x = await get('/open311/v2/services.xml?jurisdiction_id=babol');
  assertXml(x, 'services');
  const xs = (parseXml(x.body) as { services: { service: Record<string, string>[] } }).services.service;
  assert.equal(xs.length, 10);
  for (const [i, s] of xs.entries()) {
    const js = list[i] as unknown as Record<string, unknown>;
    for (const k of ['service_code', 'service_name', 'description', 'type', 'keywords', 'group']) assert.equal(s[k], js[k], k);
    assert.equal(s.metadata, String(js.metadata));
  }
});

test('a service definition with its attributes in JSON (valid) and XML; an unknown one is 404 in both', async () => {
  const j = await get('/open311/v2/services/pothole.json?jurisdiction_id=babol');
  assertJson(j);
  assertValid('service-definition.json', j.json());
  assert.deepEqual(j.json(), {
    service_code: 'pothole',
    attributes: [{
      variable: true, code: 'size', datatype: 'singlevaluelist', required: false, datatype_description: 'One key of values', order: 1, description: 'اندازه تقریبی',
      values: [{ key: 'small', name: 'کوچک (کمتر از نیم متر)' }, { key: 'medium', name: 'متوسط' }, { key: 'large', name: 'بزرگ (بیش از دو متر)' }],
    }],
  });
  const animals = await get('/open311/v2/services/stray-animals.json?jurisdiction_id=babol');
  assertValid('service-definition.json', animals.json());
  assert.deepEqual(animals.json().attributes[0], { variable: true, code: 'count', datatype: 'number', required: false, datatype_description: 'A number, e.g. 3', order: 1, description: 'تعداد حیوانات', values: [] });
  const none = await get('/open311/v2/services/flooding.json?jurisdiction_id=babol');
  assert.deepEqual(none.json(), { service_code: 'flooding', attributes: [] });
  const x = await get('/open311/v2/services/pothole.xml?jurisdiction_id=babol');
  assertXml(x, 'service_definition');
  const def = (parseXml(x.body) as { service_definition: { service_code: string; attributes: { attribute: Record<string, unknown>[] } } }).service_definition;
  assert.equal(def.service_code, 'pothole');
  const attr = def.attributes.attribute[0]!;
  assert.deepEqual({ ...attr, values: undefined }, { variable: 'true', code: 'size', datatype: 'singlevaluelist', required: 'false', datatype_description: 'One key of values', order: '1', description: 'اندازه تقریبی', values: undefined });
  assert.deepEqual((attr.values as { value: { key: string; name: string }[] }).value.map((v) => v.key), ['small', 'medium', 'large']);
  const emptyX = await get('/open311/v2/services/flooding.xml?jurisdiction_id=babol');
  assert.match(emptyX.body, /<service_code>flooding<\/service_code><attributes><\/attributes>/);
  const nj = await get('/open311/v2/services/nope.json?jurisdiction_id=babol');
  assertJson(nj, 404);
  assertValid('errors.json', nj.json());
  assert.deepEqual(nj.json(), [{ code: 404, description: 'service_code not found' }]);
  const nx = await get('/open311/v2/services/nope.xml?jurisdiction_id=babol');
  assertXml(nx, 'errors', 404);
  assert.deepEqual(parseXml(nx.body), { errors: { error: [{ code: '404', description: 'service_code not found' }] } });
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

test('requests in XML are escaped, shaped like the spec and say what JSON says, field by field', async () => {
  const x = await get('/open311/v2/requests.xml?jurisdiction_id=babol&status=open');
  assertXml(x, 'service_requests');
  assert.match(x.body, /<service_requests><request><service_request_id>/);
  assert.ok(x.body.includes('چاله بزرگ &lt;خطرناک&gt; &amp; عمیق'), x.body);
  assert.ok(!x.body.includes('<address>'));
  const j = (await get('/open311/v2/requests.json?jurisdiction_id=babol&status=open')).json() as Record<string, unknown>[];
  const xs = (parseXml(x.body) as { service_requests: { request: Record<string, string>[] } }).service_requests.request;
  assert.equal(xs.length, j.length);
  for (const [i, r] of xs.entries()) {
    assert.deepEqual(Object.keys(r), Object.keys(j[i]!));
    for (const [k, v] of Object.entries(j[i]!)) assert.equal(r[k], v === null ? '' : String(v), k);
  }
});

test('media_url is the absolute address of the first visible photo; null without one', async () => {
  const report = await t.deps.db.selectFrom('reports').select(['id', 'org_id']).where('tracking_code', '=', codes.progress!).executeTakeFirstOrThrow();
  const photo = (id: string, hidden: 0 | 1, at: number) => ({ id, report_id: report.id, org_id: report.org_id, file_key: `k-${id}`, content_type: 'image/png', size: 10, sha256: '0'.repeat(64), hidden, created_at: at });
  await t.deps.db.insertInto('report_photos').values([photo('p-hidden', 1, 1), photo('p-first', 0, 2), photo('p-second', 0, 3)]).execute();
  const j = await get(`/open311/v2/requests/${codes.progress}.json?jurisdiction_id=babol`);
  assertValid('requests.json', j.json());
  assert.equal(j.json()[0].media_url, `${t.deps.config.publicUrl}/reports/photos/p-first`);
  const x = await get(`/open311/v2/requests/${codes.progress}.xml?jurisdiction_id=babol`);
  assert.equal((parseXml(x.body) as { service_requests: { request: { media_url: string }[] } }).service_requests.request[0]!.media_url, `${t.deps.config.publicUrl}/reports/photos/p-first`);
  assert.equal((await get(`/open311/v2/requests/${codes.open}.json?jurisdiction_id=babol`)).json()[0].media_url, null);
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
