// Open311 writes and what follows them: POST requests (form and multipart with a photo) with an
// API key, tokens, and FixMyStreet's servicerequestupdates after a staff state change; every
// error in the spec's format, in JSON and XML; a Babol key never reaches Sari.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeStaff, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, north, PLACES } from '../grievances/test-factories.js';
import { createApiClient, revokeApiClient } from '../../platform/auth/api-keys.js';
import type { Actor } from '../../platform/core/index.js';
import { newId } from '../../platform/core/index.js';
import { assertJson, assertValid, assertXml, parseXml } from './test-support.js';

let t: TestApp;
let orgs: Record<string, string> = {};
const keys: Record<string, string> = {};
let clerk: Actor;
const DAY = 86_400_000;

/** A 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

type Params = [string, string][] | Record<string, string>;
const form = (p: Params) => new URLSearchParams(Array.isArray(p) ? p : Object.entries(p)).toString();
const post = (format: 'json' | 'xml', p: Params) => t.app.inject({
  method: 'POST', url: `/open311/v2/requests.${format}`, payload: form(p), headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
const get = (url: string) => t.app.inject({ method: 'GET', url });

function multipart(fields: [string, string][], file?: { name: string; filename: string; type: string; bytes: Buffer }) {
  const boundary = '----pishkhan311';
  const parts: Buffer[] = fields.map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A valid POST of a pothole in Babol, with overrides. */
const pothole = (over: Record<string, string> = {}): Record<string, string> => ({
  api_key: keys.babol!, jurisdiction_id: 'babol', service_code: 'pothole', lat: String(PLACES.babol.lat), long: String(PLACES.babol.lng),
  description: 'چاله عمیق جلوی مدرسه', ...over,
});

/** Asserts a spec error in both formats: status and the one (first) description. */
async function assertError(p: Params, status: number, description: RegExp) {
  const j = await post('json', p);
  assertJson(j, status);
  assertValid('errors.json', j.json());
  assert.match(j.json()[0].description, description);
  assert.ok(j.json().every((e: { code: number }) => e.code === status));
  const x = await post('xml', p);
  assertXml(x, 'errors', status);
  const errs = (parseXml(x.body) as { errors: { error: { code: string; description: string }[] } }).errors.error;
  assert.deepEqual(errs, j.json().map((e: { code: number; description: string }) => ({ code: String(e.code), description: e.description })));
}

before(async () => {
  t = await makeTestApp();
  orgs = await makeMunicipalities(t, ['babol', 'sari']);
  orgs.province = await makeOrg(t, 'mazandaran', 'province');
  const now = t.clock.now();
  const make = async (org: string, scopes: string[]) => (await createApiClient(t.deps.db, { orgId: orgs[org]!, name: `${org} client`, scopes, now })).key;
  keys.babol = await make('babol', ['reports.write', 'reports.read']);
  keys.sari = await make('sari', ['reports.write']);
  keys.province = await make('province', ['reports.write']);
  keys.readOnly = await make('babol', ['reports.read']);
  const revoked = await createApiClient(t.deps.db, { orgId: orgs.babol!, name: 'old', scopes: ['reports.write'], now });
  await revokeApiClient(t.deps.db, revoked.id, { now });
  keys.revoked = revoked.key;
  // A question with several answers (multivaluelist), for attribute[CODE][].
  await t.deps.db.insertInto('report_categories').values({
    id: newId(), org_id: orgs.babol!, code: 'park-damage', group: 'beautification', title_fa: 'خرابی پارک', title_en: 'Park damage', deadline_days: 5,
    department_fa: 'سازمان پارک‌ها', department_en: 'Parks', allow_anonymous: 1, created_at: now,
    attributes: JSON.stringify([{ code: 'items', datatype: 'multivaluelist', required: true, order: 1, description_fa: 'چه چیزی', description_en: 'What',
      values: [{ key: 'bench', name_fa: 'نیمکت', name_en: 'Bench' }, { key: 'swing', name_fa: 'تاب', name_en: 'Swing' }, { key: 'lamp', name_fa: 'چراغ', name_en: 'Lamp' }] }]),
  }).execute();
  const staff = await makeStaff(t, 'babol.clerk', [{ orgId: orgs.babol!, role: 'clerk' }]);
  clerk = { kind: 'staff', id: staff.id, memberships: [{ orgId: orgs.babol!, orgCode: 'babol', role: 'clerk' }] };
});
after(async () => { await t?.close(); });

const reportRow = (trackingCode: string) => t.deps.db.selectFrom('reports').selectAll().where('tracking_code', '=', trackingCode).executeTakeFirstOrThrow();

test('a form POST in JSON files the report and answers 201 with its id and token (valid); personal fields are not stored', async () => {
  const r = await post('json', pothole({ 'attribute[size]': 'large', email: 'ali@example.com', phone: '09121234567', first_name: 'علی', last_name: 'رضایی', device_id: 'dev-1', account_id: 'acc-1', address_string: 'خیابان شریعتی' }));
  assertJson(r, 201);
  assertValid('post-response.json', r.json());
  const [created] = r.json();
  assert.match(created.service_request_id, /^BABOL-137-\d{4}-\d{6}$/);
  assert.equal(typeof created.token, 'string');
  assert.equal(created.account_id, null);
  const row = await reportRow(created.service_request_id);
  assert.equal(row.source, 'open311');
  assert.equal(row.citizen_id, null);
  assert.equal(row.address, 'خیابان شریعتی');
  assert.equal(Number(row.lat), PLACES.babol.lat);
  assert.deepEqual(JSON.parse(row.attributes!), { size: 'large' });
  const everything = JSON.stringify([row, await t.deps.db.selectFrom('audit_log').selectAll().execute(), await t.deps.db.selectFrom('outbox').selectAll().execute()]);
  for (const personal of ['ali@example.com', '09121234567', 'رضایی', 'dev-1', 'acc-1']) assert.ok(!everything.includes(personal), personal);
  const listed = await get(`/open311/v2/requests/${created.service_request_id}.json?jurisdiction_id=babol`);
  assertValid('requests.json', listed.json());
  assert.equal(listed.json()[0].description, 'چاله عمیق جلوی مدرسه');
  assert.equal(listed.json()[0].status, 'open');
  assert.equal(listed.json()[0].service_code, 'pothole');
});

test('a form POST in XML answers the same shape as XML; the token finds the request in both formats', async () => {
  const r = await post('xml', pothole({ lat: String(north(PLACES.babol, 300).lat) }));
  assertXml(r, 'service_requests', 201);
  const [req] = (parseXml(r.body) as { service_requests: { request: Record<string, string>[] } }).service_requests.request;
  assert.deepEqual(Object.keys(req!), ['service_request_id', 'token', 'service_notice', 'account_id']);
  assert.match(req!.service_request_id!, /^BABOL-137-/);
  const tj = await get(`/open311/v2/tokens/${req!.token}.json?jurisdiction_id=babol`);
  assertJson(tj);
  assertValid('tokens.json', tj.json());
  assert.deepEqual(tj.json(), [{ token: req!.token, service_request_id: req!.service_request_id }]);
  const tx = await get(`/open311/v2/tokens/${req!.token}.xml?jurisdiction_id=babol`);
  assertXml(tx, 'service_requests');
  assert.deepEqual(parseXml(tx.body), { service_requests: { request: [{ token: req!.token, service_request_id: req!.service_request_id }] } });
  // Unknown tokens, and a Babol token asked of Sari, are 404 in both formats.
  for (const url of ['/open311/v2/tokens/nope.json?jurisdiction_id=babol', `/open311/v2/tokens/${req!.token}.json?jurisdiction_id=sari`]) {
    const nf = await get(url);
    assertJson(nf, 404);
    assertValid('errors.json', nf.json());
    assert.deepEqual(nf.json(), [{ code: 404, description: 'token not found' }]);
  }
  assertXml(await get('/open311/v2/tokens/nope.xml?jurisdiction_id=babol'), 'errors', 404);
  assertJson(await get(`/open311/v2/tokens/${req!.token}.json`), 400);
});

test('api_key: missing, malformed, revoked, without reports.write, or for another jurisdiction is 403', async () => {
  const { api_key: _drop, ...noKey } = pothole();
  await assertError(noKey, 403, /^api_key is required$/);
  await assertError(pothole({ api_key: '' }), 403, /^api_key is required$/);
  await assertError(pothole({ api_key: 'pk_12345678_nonsense' }), 403, /^api_key is not valid$/);
  await assertError(pothole({ api_key: keys.revoked! }), 403, /^api_key is not valid$/);
  await assertError(pothole({ api_key: keys.readOnly! }), 403, /reports\.write/);
  // A Babol key cannot post into Sari, even with a point in Sari.
  await assertError(pothole({ jurisdiction_id: 'sari', lat: String(PLACES.sari.lat), long: String(PLACES.sari.lng) }), 403, /not valid for this jurisdiction_id/);
  const sariCount = await t.deps.db.selectFrom('reports').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', orgs.sari!).executeTakeFirstOrThrow();
  assert.equal(Number(sariCount.n), 0);
});

test('a province key posts into any municipality; a municipality key into its own', async () => {
  const r = await post('json', pothole({ api_key: keys.province!, jurisdiction_id: 'sari', lat: String(PLACES.sari.lat), long: String(PLACES.sari.lng) }));
  assertJson(r, 201);
  assert.match(r.json()[0].service_request_id, /^SARI-137-/);
  const own = await post('json', pothole({ api_key: keys.sari!, jurisdiction_id: 'sari', lat: String(north(PLACES.sari, 200).lat), long: String(PLACES.sari.lng) }));
  assertJson(own, 201);
});

test('bad input is 400 (404 for an unknown jurisdiction) naming the field, in both formats', async () => {
  const { jurisdiction_id: _j, ...noJurisdiction } = pothole();
  await assertError(noJurisdiction, 400, /^jurisdiction_id is required$/);
  await assertError(pothole({ jurisdiction_id: 'tehran' }), 404, /^jurisdiction_id not found$/);
  await assertError(pothole({ service_code: '' }), 400, /^service_code is required$/);
  await assertError(pothole({ service_code: 'ufo-sighting' }), 400, /^service_code: not found/);
  await assertError(pothole({ description: '  ' }), 400, /^description is required$/);
  await assertError(pothole({ lat: '', long: '' }), 400, /^lat and long, or address_string, are required$/);
  await assertError(pothole({ long: '' }), 400, /^lat and long must be given together$/);
  await assertError(pothole({ lat: 'north' }), 400, /^lat: must be a number/);
  await assertError(pothole({ long: '200' }), 400, /^long: must be a number/);
  await assertError(pothole({ lat: String(PLACES.tehran.lat), long: String(PLACES.tehran.lng) }), 400, /^lat: .*outside/i);
  // A point in Sari posted for Babol: outside the named jurisdiction, both coordinates named.
  const inSari = await post('json', pothole({ lat: String(PLACES.sari.lat), long: String(PLACES.sari.lng) }));
  assertJson(inSari, 400);
  assert.deepEqual(inSari.json().map((e: { description: string }) => e.description.split(':')[0]), ['lat', 'long']);
  await assertError(pothole({ 'attribute[size]': 'enormous' }), 400, /^attribute\[size\]: /);
  await assertError(pothole({ service_code: 'noise' }), 400, /^attribute\[when\]: /);
  await assertError([...Object.entries(pothole()), ['description', 'twice']], 400, /^description must be given once$/);
  // Several problems at once are several errors.
  const many = await post('json', pothole({ service_code: '', description: '' }));
  assertJson(many, 400);
  assert.deepEqual(many.json().map((e: { description: string }) => e.description), ['service_code is required', 'description is required']);
});

test('only an address_string: placed at the jurisdiction\'s centre, the address kept; empty lat/long count as absent', async () => {
  const r = await post('json', pothole({ lat: '', long: '', address_string: 'میدان کشوری، بابل' }));
  assertJson(r, 201);
  const row = await reportRow(r.json()[0].service_request_id);
  assert.equal(row.address, 'میدان کشوری، بابل');
  const centre = await t.deps.services.grievances.jurisdictionCentre('babol');
  assert.deepEqual({ lat: Number(row.lat), lng: Number(row.lng) }, centre);
});

test('multivaluelist answers come as repeated attribute[CODE][]', async () => {
  const r = await post('json', [...Object.entries(pothole({ service_code: 'park-damage' })), ['attribute[items][]', 'bench'], ['attribute[items][]', 'lamp']]);
  assertJson(r, 201);
  assert.deepEqual(JSON.parse((await reportRow(r.json()[0].service_request_id)).attributes!), { items: ['bench', 'lamp'] });
  await assertError([...Object.entries(pothole({ service_code: 'park-damage' })), ['attribute[items][]', 'bench'], ['attribute[items][]', 'rocket']], 400, /^attribute\[items\]: /);
  const def = await get('/open311/v2/services/park-damage.json?jurisdiction_id=babol');
  assertValid('service-definition.json', def.json());
  assert.equal(def.json().attributes[0].datatype, 'multivaluelist');
});

test('multipart with a media photo: stored, shown as media_url, and served; a non-image is 400', async () => {
  const fields = Object.entries(pothole({ lat: String(north(PLACES.babol, 700).lat) }));
  const r = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', ...multipart(fields, { name: 'media', filename: 'p.png', type: 'image/png', bytes: PNG }) });
  assertJson(r, 201);
  const code = r.json()[0].service_request_id as string;
  const photos = await t.deps.db.selectFrom('report_photos').selectAll().where('report_id', '=', (await reportRow(code)).id).execute();
  assert.equal(photos.length, 1);
  assert.equal(photos[0]!.content_type, 'image/png');
  const listed = await get(`/open311/v2/requests/${code}.json?jurisdiction_id=babol`);
  assertValid('requests.json', listed.json());
  const mediaUrl = listed.json()[0].media_url as string;
  assert.equal(mediaUrl, `${t.deps.config.publicUrl}/reports/photos/${photos[0]!.id}`);
  const image = await get(new URL(mediaUrl).pathname);
  assert.equal(image.statusCode, 200);
  assert.deepEqual(image.rawPayload, PNG);
  const x = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', ...multipart(fields, { name: 'media', filename: 'p.txt', type: 'image/png', bytes: Buffer.from('not an image at all') }) });
  assertXml(x, 'errors', 400);
  assert.match(x.body, /<description>media: /);
  // A multipart POST without a file works too.
  assertJson(await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', ...multipart(Object.entries(pothole({ lat: String(north(PLACES.babol, 800).lat) }))) }), 201);
});

test('servicerequestupdates: a staff state change shows up (JSON valid, XML the same); internal comments never', async () => {
  t.clock.advance(60_000);
  const r = await post('json', pothole({ lat: String(north(PLACES.babol, 900).lat) }));
  const code = r.json()[0].service_request_id as string;
  const id = (await reportRow(code)).id;
  t.clock.advance(60_000);
  await t.deps.services.grievances.changeState(clerk, id, { state: 'in_progress', comment: 'internal: crew B', internal: true });
  t.clock.advance(60_000);
  await t.deps.services.grievances.changeState(clerk, id, { state: 'resolved', comment: 'آسفالت شد' });
  const j = await get('/open311/v2/servicerequestupdates.json?jurisdiction_id=babol&page_size=200');
  assertJson(j);
  assertValid('service-request-updates.json', j.json());
  const mine = (j.json() as Record<string, string>[]).filter((u) => u.service_request_id === code);
  assert.ok(mine.length >= 2, JSON.stringify(mine));
  const last = mine[mine.length - 1]!;
  assert.equal(last.status, 'closed');
  assert.equal(last.external_status_code, 'resolved');
  assert.equal(last.description, 'آسفالت شد');
  assert.match(last.updated_datetime!, /\+00:00$/);
  assert.ok(!j.body.includes('crew B'));
  assert.equal(mine[0]!.status, 'open');
  const x = await get('/open311/v2/servicerequestupdates.xml?jurisdiction_id=babol&page_size=200');
  assertXml(x, 'service_request_updates');
  const xs = (parseXml(x.body) as { service_request_updates: { request_update: Record<string, string>[] } }).service_request_updates.request_update;
  assert.equal(xs.length, j.json().length);
  for (const [i, u] of xs.entries()) assert.deepEqual(u, j.json()[i]);
  // The request itself now reads closed, with the public comment as status_notes.
  const req = (await get(`/open311/v2/requests/${code}.json?jurisdiction_id=babol`)).json()[0];
  assert.equal(req.status, 'closed');
  assert.equal(req.status_notes, 'آسفالت شد');
});

test('servicerequestupdates: dates, paging and errors; Sari\'s never under Babol', async () => {
  const now = t.clock.now();
  const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
  const all = (await get('/open311/v2/servicerequestupdates.json?jurisdiction_id=babol&page_size=200')).json() as Record<string, string>[];
  assert.ok(all.length >= 3);
  const p1 = (await get('/open311/v2/servicerequestupdates.json?jurisdiction_id=babol&page_size=2')).json() as Record<string, string>[];
  const p2 = (await get('/open311/v2/servicerequestupdates.json?jurisdiction_id=babol&page_size=2&page=2')).json() as Record<string, string>[];
  assert.deepEqual([...p1, ...p2].map((u) => u.update_id), all.slice(0, 4).map((u) => u.update_id));
  const future = await get(`/open311/v2/servicerequestupdates.json?jurisdiction_id=babol&start_date=${iso(now + DAY)}&end_date=${iso(now + 2 * DAY)}`);
  assertJson(future);
  assert.deepEqual(future.json(), []);
  const futureXml = await get(`/open311/v2/servicerequestupdates.xml?jurisdiction_id=babol&start_date=${iso(now + DAY)}&end_date=${iso(now + 2 * DAY)}`);
  assertXml(futureXml, 'service_request_updates');
  assert.match(futureXml.body, /<service_request_updates><\/service_request_updates>$/);
  for (const [q, status] of [
    [`start_date=${iso(now - 91 * DAY)}&end_date=${iso(now)}`, 400], ['start_date=yesterday', 400], [`start_date=${iso(now)}&end_date=${iso(now - DAY)}`, 400], ['page_size=0', 400],
  ] as const) {
    const e = await get(`/open311/v2/servicerequestupdates.json?jurisdiction_id=babol&${q}`);
    assertJson(e, status);
    assertValid('errors.json', e.json());
    assertXml(await get(`/open311/v2/servicerequestupdates.xml?jurisdiction_id=babol&${q}`), 'errors', status);
  }
  assertJson(await get('/open311/v2/servicerequestupdates.json'), 400);
  assertJson(await get('/open311/v2/servicerequestupdates.json?jurisdiction_id=tehran'), 404);
  const babol = await get('/open311/v2/servicerequestupdates.json?jurisdiction_id=babol&page_size=200');
  assert.ok(!babol.body.includes('SARI-'));
  const sari = (await get('/open311/v2/servicerequestupdates.json?jurisdiction_id=sari&page_size=200')).json() as Record<string, string>[];
  assert.ok(sari.length >= 2 && sari.every((u) => u.service_request_id!.startsWith('SARI-')));
  const requests = await get('/open311/v2/requests.json?jurisdiction_id=babol&page_size=200');
  assert.ok(!requests.body.includes('SARI-'));
});
