import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { makeOrg, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import { DEMO_MUNICIPALITIES } from '../orgs/demo-data.js';
import { areaCentre, areasGeoJson, importBoundaries, municipalityAtPoint, seedDemoAreas, type AreaGeometry } from './areas.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let t: TestApp;
let ids: Record<string, string>;
let tmp: string;

before(async () => {
  t = await makeTestApp();
  ids = await makeMunicipalities(t, DEMO_MUNICIPALITIES.map((c) => c.code));
  for (const code of ['town-a', 'town-b', 'town-c', 'town-d', 'town-e', 'town-f']) ids[code] = await makeOrg(t, code);
  tmp = mkdtempSync(join(tmpdir(), 'pishkhan-areas-'));
});
after(async () => {
  await t.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A closed square ring [lng, lat] from its south-west corner, counter-clockwise. */
const square = (lat: number, lng: number, size: number): number[][] =>
  [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]];
const feature = (code: string, geometry: AreaGeometry, properties: Record<string, unknown> = { code }) => ({ type: 'Feature', properties, geometry });
const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features });
const importNow = (fc: unknown, codeProperty?: string) => importBoundaries(t.deps.db, fc, { source: 'test.geojson', now: t.clock.now(), codeProperty });
const at = (lat: number, lng: number) => municipalityAtPoint(t.deps.db, lat, lng);

/** The field errors of an import that must fail as bad input. */
async function importErrors(fc: unknown): Promise<Record<string, string>> {
  try {
    await importNow(fc);
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'area.invalid');
    return err.fields;
  }
  return assert.fail('the import should have failed');
}

test('a point in Babol goes to Babol, in Sari to Sari, and outside every municipality to none', async () => {
  assert.equal(await at(PLACES.babol.lat, PLACES.babol.lng), 'babol');
  assert.equal(await at(north(PLACES.babol, 2000).lat, PLACES.babol.lng), 'babol');
  assert.equal(await at(PLACES.sari.lat, PLACES.sari.lng), 'sari');
  assert.equal(await at(north(PLACES.sari, 3000).lat, PLACES.sari.lng), 'sari');
  assert.equal(await at(PLACES.tehran.lat, PLACES.tehran.lng), null);
});

test('the demo file puts every demo centre inside its own municipality and in no other', async () => {
  const file = JSON.parse(readFileSync(new URL('./demo-areas.geojson', import.meta.url), 'utf8')) as { features: { properties: { code: string }; geometry: AreaGeometry }[] };
  assert.deepEqual(file.features.map((f) => f.properties.code).sort(), DEMO_MUNICIPALITIES.map((c) => c.code).sort());
  for (const city of DEMO_MUNICIPALITIES) {
    const inside = file.features.filter((f) => booleanPointInPolygon([city.lng, city.lat], f.geometry)).map((f) => f.properties.code);
    assert.deepEqual(inside, [city.code], `${city.code}'s centre`);
    assert.equal(await at(city.lat, city.lng), city.code);
  }
});

test('the demo areas are seeded once: a second seed changes nothing', async () => {
  const before = await t.deps.db.selectFrom('municipality_areas').select(['org_id', 'updated_at']).orderBy('org_id').execute();
  assert.equal(before.length, DEMO_MUNICIPALITIES.length);
  assert.equal(await seedDemoAreas(t.deps.db, t.clock.now() + 1000), 0);
  assert.deepEqual(await t.deps.db.selectFrom('municipality_areas').select(['org_id', 'updated_at']).orderBy('org_id').execute(), before);
});

test('a point in a hole of the area belongs to no municipality', async () => {
  assert.deepEqual(await importNow(collection(feature('town-a', { type: 'Polygon', coordinates: [square(40, 50, 0.1), square(40.04, 50.04, 0.02)] }))), { imported: ['town-a'] });
  assert.equal(await at(40.02, 50.02), 'town-a');
  assert.equal(await at(40.05, 50.05), null);
  const centre = await areaCentre(t.deps.db, ids['town-a']!);
  assert.ok(centre);
  assert.equal(await at(centre.lat, centre.lng), 'town-a', 'the centre is a point inside the area, not in its hole');
});

test('a MultiPolygon area contains points in each of its parts and none between them', async () => {
  await importNow(collection(feature('town-b', { type: 'MultiPolygon', coordinates: [[square(41, 50, 0.1)], [square(41.5, 50, 0.1)]] })));
  assert.equal(await at(41.05, 50.05), 'town-b');
  assert.equal(await at(41.55, 50.05), 'town-b');
  assert.equal(await at(41.3, 50.05), null);
  const centre = await areaCentre(t.deps.db, ids['town-b']!);
  assert.equal(await at(centre!.lat, centre!.lng), 'town-b');
});

test('features with the same code become one multi-part area', async () => {
  await importNow(collection(feature('town-f', { type: 'Polygon', coordinates: [square(44, 50, 0.1)] }), feature('town-f', { type: 'Polygon', coordinates: [square(44.5, 50, 0.1)] })));
  assert.equal(await at(44.05, 50.05), 'town-f');
  assert.equal(await at(44.55, 50.05), 'town-f');
  assert.equal((await areasGeoJson(t.deps.db, ['town-f'])).features[0]!.geometry.type, 'MultiPolygon');
});

test('where imported areas overlap, the smallest one that contains the point wins', async () => {
  await importNow(collection(
    feature('town-c', { type: 'Polygon', coordinates: [square(42, 50, 1)] }),
    feature('town-d', { type: 'Polygon', coordinates: [square(42.4, 50.4, 0.2)] }),
  ));
  assert.equal(await at(42.5, 50.5), 'town-d');
  assert.equal(await at(42.1, 50.1), 'town-c');
});

test('reimporting replaces the area, with an audit entry each time; the code may sit in another property', async () => {
  await importNow(collection(feature('town-e', { type: 'Polygon', coordinates: [square(43, 50, 0.1)] })));
  assert.equal(await at(43.05, 50.05), 'town-e');
  await importNow(collection(feature('x', { type: 'Polygon', coordinates: [square(43.5, 50, 0.1)] }, { ref: 'town-e', name: 'E' })), 'ref');
  assert.equal(await at(43.05, 50.05), null);
  assert.equal(await at(43.55, 50.05), 'town-e');
  const rows = await t.deps.db.selectFrom('municipality_areas').select(['source', 'min_lat', 'max_lat']).where('org_id', '=', ids['town-e']!).execute();
  assert.deepEqual(rows, [{ source: 'test.geojson', min_lat: 43.5, max_lat: 43.6 }]);
  const audit = await t.deps.db.selectFrom('audit_log').select(['actor_kind', 'entity_id']).where('action', '=', 'area.imported').where('org_id', '=', ids['town-e']!).execute();
  assert.deepEqual(audit, [{ actor_kind: 'system', entity_id: ids['town-e'] }, { actor_kind: 'system', entity_id: ids['town-e'] }]);
});

test('bad files are refused as bad input naming the feature and field, and change nothing', async () => {
  const good = feature('town-a', { type: 'Polygon', coordinates: [square(45, 50, 0.1)] });
  assert.deepEqual(await importErrors({ type: 'Feature', properties: {}, geometry: null }), { type: 'area.not_feature_collection', features: 'area.not_feature_collection' });
  assert.deepEqual(await importErrors([1, 2]), { file: 'area.not_feature_collection' });
  assert.deepEqual(await importErrors(collection()), { features: 'area.no_features' });
  assert.deepEqual(await importErrors(collection(good, feature('atlantis', { type: 'Polygon', coordinates: [square(45, 51, 0.1)] }))), { 'features[1].properties.code': 'area.code_unknown' });
  assert.deepEqual(await importErrors(collection(good, feature('mazandaran', { type: 'Polygon', coordinates: [square(45, 51, 0.1)] }), { type: 'Feature', properties: null, geometry: { type: 'Polygon', coordinates: [square(45, 52, 0.1)] } })), {
    'features[1].properties.code': 'area.code_unknown', 'features[2].properties.code': 'area.code_missing',
  });
  const open = square(45, 51, 0.1).slice(0, 4);
  assert.deepEqual(await importErrors(collection(good, feature('town-b', { type: 'Polygon', coordinates: [open] }))), { 'features[1].geometry.coordinates[0]': 'area.ring_open' });
  const farNorth = square(45, 51, 0.1);
  farNorth[2] = [51.1, 95];
  assert.deepEqual(await importErrors(collection(feature('town-b', { type: 'Polygon', coordinates: [farNorth] }))), { 'features[0].geometry.coordinates[0][2][1]': 'area.lat_range' });
  assert.deepEqual(await importErrors(collection(feature('town-b', { type: 'MultiPolygon', coordinates: [[square(45, 200, 0.1)]] }))), {
    'features[0].geometry.coordinates[0][0][0][0]': 'area.lng_range', 'features[0].geometry.coordinates[0][0][1][0]': 'area.lng_range',
    'features[0].geometry.coordinates[0][0][2][0]': 'area.lng_range', 'features[0].geometry.coordinates[0][0][3][0]': 'area.lng_range',
    'features[0].geometry.coordinates[0][0][4][0]': 'area.lng_range',
  });
  assert.deepEqual(await importErrors(collection(good, { type: 'Feature', properties: { code: 'town-b' }, geometry: { type: 'Point', coordinates: [50, 45] } })), { 'features[1].geometry.type': 'area.geometry_type' });
  assert.deepEqual(await importErrors(collection(feature('town-b', { type: 'Polygon', coordinates: [[[50, 45], [51, 45], [50, 45]]] }))), { 'features[0].geometry.coordinates[0]': 'area.ring_too_short' });
  assert.equal(await at(45.05, 50.05), null, 'the valid feature of a refused file was not imported');
  assert.equal(await at(40.02, 50.02), 'town-a', 'town-a keeps its area');
});

test('GET /api/v1/public/areas answers public GeoJSON: codes, names and shapes only', async () => {
  const all = await t.app.inject({ method: 'GET', url: '/api/v1/public/areas' });
  assert.equal(all.statusCode, 200);
  const body = all.json() as { type: string; features: { type: string; properties: Record<string, unknown>; geometry: { type: string } }[] };
  assert.equal(body.type, 'FeatureCollection');
  const babol = body.features.find((f) => f.properties.code === 'babol')!;
  assert.deepEqual(babol.properties, { code: 'babol', name_fa: 'شهرداری babol', name_en: 'babol Municipality' });
  assert.equal(babol.geometry.type, 'Polygon');
  assert.equal(body.features.length, DEMO_MUNICIPALITIES.length + 6);
  for (const id of Object.values(ids)) assert.ok(!all.body.includes(id), 'no organization ids');
  assert.doesNotMatch(all.body, /source|updated_at|org_id|test\.geojson/);

  const one = await t.app.inject({ method: 'GET', url: '/api/v1/public/areas?org=sari' });
  assert.equal(one.statusCode, 200);
  assert.deepEqual(one.json().features.map((f: { properties: { code: string } }) => f.properties.code), ['sari']);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/public/areas?org=atlantis' })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/public/areas?org=NOT%20A%20CODE' })).statusCode, 400);
});

/** Runs `pishkhan <args>` as an operator would, against the test database. */
function cli(args: string[]) {
  const db = t.deps.config.database;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.kind === 'postgres' ? db.url : `sqlite:${db.file}` },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('pishkhan areas import imports a file and names what it imported; a bad file exits 1 naming the feature', async () => {
  const good = join(tmp, 'boundaries.geojson');
  writeFileSync(good, JSON.stringify(collection(feature('x', { type: 'Polygon', coordinates: [square(46, 50, 0.1)] }, { shahr: 'town-c' }))));
  const ok = cli(['areas', 'import', good, '--code-property', 'shahr']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /imported 1 municipality areas from boundaries\.geojson: town-c/);
  assert.equal(await at(46.05, 50.05), 'town-c');

  const bad = join(tmp, 'open.geojson');
  writeFileSync(bad, JSON.stringify(collection(feature('town-c', { type: 'Polygon', coordinates: [square(47, 50, 0.1).slice(0, 4)] }))));
  const refused = cli(['areas', 'import', bad]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /no boundary changed/);
  assert.match(refused.stderr, /features\[0\]\.geometry\.coordinates\[0\]: The ring is not closed/);
  assert.equal(await at(46.05, 50.05), 'town-c');

  const missing = cli(['areas', 'import', join(tmp, 'nothing.geojson')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*nothing\.geojson/);
});
