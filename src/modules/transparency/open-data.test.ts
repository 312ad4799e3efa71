// Open data: the files parse as CSV/JSON, the KPI file holds exactly kpis() for its scope and
// period, the records carry nothing personal, the Table Schemas match the files, the catalog's
// links answer, and bad periods or unknown scopes answer 400/404. Runs on SQLite and PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { makeOrg, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { newId } from '../../platform/core/index.js';
import { kpis } from './kpi.js';
import { parsePeriod } from './periods.js';
import { applicationRows, kpiEntries, tableSchema, DATASET_IDS } from './open-data.js';
import { loadConfig } from '../../config.js';

const at = (local: string): number => Date.parse(`${local}:00+03:30`);
const MEHR = parsePeriod('1404-07')!; // 2025-09-23 .. 2025-10-22
const PERSONAL = {
  mobile: '09121112233', first: 'زینب', last: 'Tabarsi-Personal', national: '1234567891', tracking: 'BABOL-1404-000777',
  reportTracking: 'B-137-SECRET-42', description: 'Leaky pipe behind house number 17', address: 'Kuche Golha 17',
  exactLat: 36.538412, exactLng: 52.676391, comment: 'private staff comment xyz',
};

let t: TestApp;
const ids: Record<string, string> = {};
const secretIds: string[] = [];
let serial = 0;

async function service(code: string) {
  const tpl = newId();
  const v = newId();
  await t.deps.db.insertInto('service_templates').values({ id: tpl, code, owner_org_id: ids.babol!, category: 'x', created_at: 0 }).execute();
  await t.deps.db.insertInto('service_template_versions').values({
    id: v, template_id: tpl, version: 1, status: 'published', definition: JSON.stringify({ code, baseline: { office_visits: 3, days: 20 } }), title_fa: `خدمت ${code}`, title_en: `Service ${code}`,
    search_text: code, maturity: 4, created_by: null, created_at: 0, published_at: 0,
  }).execute();
  for (const org of ['babol', 'amol']) {
    const os = newId();
    await t.deps.db.insertInto('org_services').values({ id: os, org_id: ids[org]!, template_id: tpl, version_id: v, enabled: 1, overrides: '{}', adopted_at: 0, updated_at: 0 }).execute();
    ids[`${org}:${code}`] = os;
  }
  ids[`v:${code}`] = v;
}

interface AppFixture { org: string; service: string; channel: 'web' | 'counter'; submitted: number; actions?: { at: number; fromDueAt: number | null; closes?: boolean }[]; outcome?: string }

/** An application with its events; `many` rows in one statement share the instants (keyset ties). */
async function applications(f: AppFixture, many = 1) {
  const last = f.actions?.at(-1);
  const closedAt = last?.closes ? last.at : null;
  const apps = [];
  const events = [];
  for (let i = 0; i < many; i++) {
    const id = newId();
    secretIds.push(id);
    apps.push({
      id, org_id: ids[f.org]!, org_service_id: ids[`${f.org}:${f.service}`]!, version_id: ids[`v:${f.service}`]!, tracking_code: `${PERSONAL.tracking}-${++serial}`, citizen_id: ids.citizen!,
      channel: f.channel, state: closedAt ? 'approved' : 'submitted', phase: closedAt ? 'closed' as const : 'open' as const, form_data: JSON.stringify({ owner_national_code: PERSONAL.national, mobile: PERSONAL.mobile }),
      fees_total: 0, fees: '{}', assignee_id: null, due_at: null, state_entered_at: f.submitted, submit_key: null, outcome: closedAt ? f.outcome ?? 'granted' : null, result_code: null,
      rating: null, rating_comment: PERSONAL.comment, created_by: null, created_at: f.submitted - 60_000, submitted_at: f.submitted, closed_at: closedAt, updated_at: f.submitted, escalated_due_at: null,
    });
    const event = (type: string, when: number, data: object) => ({
      id: newId(), application_id: id, org_id: ids[f.org]!, type, action: type === 'action' ? 'go' : null, from_state: null, to_state: null,
      actor_kind: 'staff', actor_id: null, comment: PERSONAL.comment, internal: 0 as const, data: JSON.stringify(data), created_at: when,
    });
    events.push(event('submitted', f.submitted, { channel: f.channel, tracking_code: PERSONAL.tracking }));
    for (const a of f.actions ?? []) events.push(event('action', a.at, { by: 'staff', from_due_at: a.fromDueAt }));
  }
  for (let i = 0; i < apps.length; i += 200) await t.deps.db.insertInto('applications').values(apps.slice(i, i + 200)).execute();
  for (let i = 0; i < events.length; i += 200) await t.deps.db.insertInto('application_events').values(events.slice(i, i + 200)).execute();
}

async function report(filed: number, resolved: number | null, dueAt: number | null) {
  const id = newId();
  secretIds.push(id);
  await t.deps.db.insertInto('reports').values({
    id, org_id: ids.babol!, category_id: ids.category!, tracking_code: `${PERSONAL.reportTracking}-${++serial}`, citizen_id: ids.citizen!, description: PERSONAL.description,
    lat: PERSONAL.exactLat, lng: PERSONAL.exactLng, address: PERSONAL.address, state: resolved ? 'resolved' : 'received', duplicate_of: null, due_at: dueAt, created_at: filed, updated_at: filed,
    resolved_at: resolved, hidden: 0, assigned_department: null, assigned_to: null, rating: null, rating_comment: PERSONAL.comment, rated_at: null, escalated_due_at: null, token: `tok-secret-${serial}`,
    api_client_id: null, attributes: null, moderated_at: null,
  }).execute();
  const ups = [{ at: filed, state: 'received' as const }, ...(resolved ? [{ at: resolved, state: 'resolved' as const }] : [])];
  for (const u of ups) {
    await t.deps.db.insertInto('report_updates').values({ id: newId(), report_id: id, org_id: ids.babol!, state: u.state, kind: 'state', comment: PERSONAL.comment, internal: 0, actor_kind: 'staff', actor_id: null, created_at: u.at }).execute();
  }
}

const csv = (body: string): Record<string, string>[] => {
  assert.ok(body.startsWith('\uFEFF'), 'a CSV starts with a BOM');
  return parse(body.slice(1), { columns: true, skip_empty_lines: true, record_delimiter: '\r\n' }) as Record<string, string>[];
};
const header = (body: string): string[] => (parse(body.slice(1), { to_line: 1 }) as string[][])[0]!;
const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

before(async () => {
  // Every record is published here; the threshold (default 5) has its own test below.
  t = await makeTestApp({ OPEN_DATA_MIN_GROUP: '1' });
  t.clock.t = Date.parse('2026-11-28T09:00:00Z');
  ids.babol = await makeOrg(t, 'babol');
  ids.amol = await makeOrg(t, 'amol');
  ids.citizen = newId();
  await t.deps.db.insertInto('citizens').values({ id: ids.citizen, mobile: PERSONAL.mobile, national_code: PERSONAL.national, first_name: PERSONAL.first, last_name: PERSONAL.last, email: 'zeynab@example.org', locale: 'fa', created_at: 0, updated_at: 0 }).execute();
  secretIds.push(ids.citizen);
  await service('permit');
  await service('certificate');
  ids.category = newId();
  await t.deps.db.insertInto('report_categories').values({
    id: ids.category, org_id: ids.babol!, code: 'pothole', group: 'urban-services', title_fa: 'چاله', title_en: 'Pothole', deadline_days: 2,
    department_fa: 'عمران', department_en: 'Civil works', allow_anonymous: 1, created_at: 0,
  }).execute();
  // Mehr 1404: one completed within its deadline, one late, one still open, one counter one in Amol,
  // and one submitted in Shahrivar but completed in Mehr (it belongs to Mehr's records too).
  await applications({ org: 'babol', service: 'permit', channel: 'web', submitted: at('2025-09-28T09:00'), actions: [{ at: at('2025-09-29T10:00'), fromDueAt: at('2025-09-30T14:30') }, { at: at('2025-10-01T11:00'), fromDueAt: null, closes: true }] });
  await applications({ org: 'babol', service: 'permit', channel: 'web', submitted: at('2025-10-04T09:00'), actions: [{ at: at('2025-10-15T10:00'), fromDueAt: at('2025-10-07T14:30'), closes: true }], outcome: 'refused' });
  await applications({ org: 'babol', service: 'certificate', channel: 'web', submitted: at('2025-10-05T09:00') });
  await applications({ org: 'amol', service: 'certificate', channel: 'counter', submitted: at('2025-10-06T09:00'), actions: [{ at: at('2025-10-06T12:00'), fromDueAt: at('2025-10-08T14:30'), closes: true }] });
  await applications({ org: 'babol', service: 'permit', channel: 'web', submitted: at('2025-09-15T09:00'), actions: [{ at: at('2025-09-25T10:00'), fromDueAt: at('2025-09-30T14:30'), closes: true }] });
  // Outside Mehr altogether.
  await applications({ org: 'babol', service: 'permit', channel: 'web', submitted: at('2025-11-01T09:00') });
  await report(at('2025-10-01T09:00'), at('2025-10-02T10:00'), at('2025-10-04T14:30'));
  await report(at('2025-10-10T09:00'), null, at('2025-10-13T14:30'));
  await report(at('2025-09-20T09:00'), at('2025-10-08T10:00'), at('2025-09-23T14:30'));
  await t.deps.rollups.runOnce();
});

after(async () => t?.close());

test('the KPI CSV of a scope and period holds exactly kpis() for it, one row per indicator', async () => {
  for (const scope of [{}, { org: 'babol' }, { org: 'babol', service: 'permit' }, { service: 'certificate' }] as { org?: string; service?: string }[]) {
    const qs = new URLSearchParams({ period: '1404-07', ...scope }).toString();
    const res = await get(`/open-data/kpis.csv?${qs}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
    const rows = csv(res.body);
    const expected = kpiEntries(await kpis(t.deps.db, scope, MEHR, { costPerVisitRials: t.deps.config.costPerVisitRials }));
    const own = rows.filter((r) => r.kpi !== 'league.score');
    assert.deepEqual(own.map((r) => r.kpi), expected.map((e) => e.kpi), qs);
    for (const [i, r] of own.entries()) {
      const e = expected[i]!;
      assert.equal(r.value === '' ? null : Number(r.value), e.value, `${qs} ${e.kpi}`);
      assert.equal(r.unit, e.unit);
      assert.equal(r.period, '1404-07');
      assert.equal(r.period_start, '2025-09-23');
      assert.equal(r.period_end, '2025-10-22');
      assert.equal(r.org_code, scope.org ?? '');
      assert.equal(r.service_code, scope.service ?? '');
    }
    assert.equal(rows.some((r) => r.kpi === 'league.score'), scope.org !== undefined && scope.service === undefined, 'an org scope carries its league score');
    // The JSON file and the API hold the same rows.
    const json = (await get(`/open-data/kpis.json?${qs}`)).json();
    const apiRes = await get(`/api/v1/open-data/kpis?${qs}`);
    assert.equal(apiRes.statusCode, 200);
    assert.deepEqual(apiRes.json().rows, json.rows);
    assert.deepEqual(json.rows.map((r: { kpi: string; value: number | null }) => [r.kpi, r.value]), rows.map((r) => [r.kpi, r.value === '' ? null : Number(r.value)]));
  }
  // Sanity: the fixtures show in the figures.
  const babol = csv((await get('/open-data/kpis.csv?period=1404-07&org=babol')).body);
  assert.equal(babol.find((r) => r.kpi === 'applications.received')!.value, '3');
  assert.equal(babol.find((r) => r.kpi === 'applications.completed')!.value, '3');
});

test('breakdown=all adds every municipality and service; by=month splits a season into its months', async () => {
  const rows = csv((await get('/open-data/kpis.csv?period=1404-s3&by=month&breakdown=all')).body);
  const scopes = new Set(rows.map((r) => `${r.period}|${r.org_code}|${r.service_code}`));
  for (const s of ['1404-07||', '1404-07||permit', '1404-07|babol|', '1404-07|amol|certificate', '1404-07|babol|permit', '1404-09|babol|']) assert.ok(scopes.has(s), s);
  const one = rows.filter((r) => r.period === '1404-07' && r.org_code === 'amol' && r.service_code === 'certificate');
  const expected = kpiEntries(await kpis(t.deps.db, { org: 'amol', service: 'certificate' }, MEHR, { costPerVisitRials: t.deps.config.costPerVisitRials }));
  assert.deepEqual(one.map((r) => [r.kpi, r.value === '' ? null : Number(r.value)]), expected.map((e) => [e.kpi, e.value]));
  assert.equal((await get('/open-data/kpis.csv?period=1404-07&by=year')).statusCode, 400, 'a coarser split than the period is refused');
});

test('application records: submitted or completed in the period, with days, deadline and outcome, and nothing else', async () => {
  const rows = csv((await get('/open-data/applications.csv?period=1404-07')).body);
  assert.equal(rows.length, 5);
  const late = rows.find((r) => r.submitted_on === '2025-10-04')!;
  assert.deepEqual(late, { org_code: 'babol', service_code: 'permit', channel: 'web', submitted_on: '2025-10-04', completed_on: '2025-10-15', business_days: late.business_days, within_deadline: 'false', outcome: 'refused' });
  assert.equal(Number(late.business_days), Math.round(t.deps.calendar.businessDaysBetween(new Date(at('2025-10-04T09:00')), new Date(at('2025-10-15T10:00'))) * 100) / 100);
  const open = rows.find((r) => r.submitted_on === '2025-10-05')!;
  assert.deepEqual([open.completed_on, open.business_days, open.within_deadline, open.outcome], ['', '', '', '']);
  const earlier = rows.find((r) => r.submitted_on === '2025-09-15')!;
  assert.equal(earlier.completed_on, '2025-09-25');
  assert.equal(rows.find((r) => r.submitted_on === '2025-09-28')!.within_deadline, 'true');
  assert.equal(rows.find((r) => r.channel === 'counter')!.org_code, 'amol');
  // The medians agree with the KPI of the same scope: completed in Mehr in Babol.
  const done = rows.filter((r) => r.org_code === 'babol' && r.completed_on! >= '2025-09-23' && r.completed_on! <= '2025-10-22').map((r) => Number(r.business_days)).sort((a, b) => a - b);
  const k = await kpis(t.deps.db, { org: 'babol' }, MEHR);
  assert.equal(done[1], k.applications.median_days);
  assert.equal(rows.filter((r) => r.org_code === 'babol' && r.completed_on !== '').every((r) => r.within_deadline !== ''), true);
  // Filters.
  assert.equal(csv((await get('/open-data/applications.csv?period=1404-07&org=amol')).body).length, 1);
  assert.equal(csv((await get('/open-data/applications.csv?period=1404-07&service=certificate')).body).length, 2);
  const json = (await get('/api/v1/open-data/applications?period=1404-07')).json();
  assert.equal(json.rows.length, 5);
  assert.equal(json.licence, 'https://creativecommons.org/licenses/by/4.0/');
});

test('application records of small groups (org x service x Jalali month of submission) are left out', async () => {
  const rows = async (minGroup: number) => {
    const out: Record<string, unknown>[] = [];
    for await (const r of applicationRows(t.deps.db, t.deps.calendar, { period: MEHR, minGroup })) out.push(r);
    return out;
  };
  assert.equal((await rows(1)).length, 5);
  // Mehr's groups: Babol permit 2 (28 Sep = 6 Mehr, 4 Oct), Babol certificate 1, Amol certificate 1;
  // the application completed in Mehr was submitted in Shahrivar, where Babol permit had 1.
  assert.deepEqual((await rows(2)).map((r) => r.submitted_on).sort(), ['2025-09-28', '2025-10-04']);
  assert.equal((await rows(3)).length, 0);
  // The files follow the configured threshold (OPEN_DATA_MIN_GROUP, 5 unless set).
  assert.equal(loadConfig({ NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(40) }).openDataMinGroup, 5);
  const config = t.deps.config as { openDataMinGroup: number };
  config.openDataMinGroup = 2;
  try {
    assert.equal(csv((await get('/open-data/applications.csv?period=1404-07')).body).length, 2);
  } finally {
    config.openDataMinGroup = 1;
  }
});

test('report records: days, deadline, state and a place rounded to about a kilometre', async () => {
  const rows = csv((await get('/open-data/reports.csv?period=1404-07')).body);
  assert.equal(rows.length, 3);
  const first = rows.find((r) => r.filed_on === '2025-10-01')!;
  assert.equal(first.resolved_on, '2025-10-02');
  assert.equal(first.within_deadline, 'true');
  assert.equal(first.state, 'resolved');
  assert.equal(first.lat_1km, '36.54');
  assert.equal(first.lng_1km, '52.68');
  assert.equal(rows.find((r) => r.filed_on === '2025-09-20')!.within_deadline, 'false');
  assert.equal(rows.find((r) => r.filed_on === '2025-10-10')!.resolved_on, '');
  assert.equal(csv((await get('/open-data/reports.csv?period=1404-07&service=pothole&org=babol')).body).length, 3);
});

test('records page through more than one keyset page, ties on the same instant included, each once', async () => {
  await applications({ org: 'amol', service: 'permit', channel: 'web', submitted: at('2025-10-20T09:00'), actions: [{ at: at('2025-10-21T09:00'), fromDueAt: null, closes: true }] }, 1203);
  try {
    const res = await get('/open-data/applications.csv?period=1404-07&org=amol&service=permit');
    assert.equal(csv(res.body).length, 1203);
    const json = (await get('/open-data/applications.json?period=1404-07&org=amol&service=permit')).json();
    assert.equal(json.rows.length, 1203);
  } finally {
    const mass = await t.deps.db.selectFrom('applications').select('id').where('org_service_id', '=', ids['amol:permit']!).execute();
    const massIds = mass.map((r) => r.id);
    for (let i = 0; i < massIds.length; i += 300) {
      await t.deps.db.deleteFrom('application_events').where('application_id', 'in', massIds.slice(i, i + 300)).execute();
      await t.deps.db.deleteFrom('applications').where('id', 'in', massIds.slice(i, i + 300)).execute();
    }
  }
});

test('no file holds a personal field: mobile, name, national code, tracking codes, text, address, exact place or ids', async () => {
  const urls = [];
  for (const id of DATASET_IDS) {
    for (const f of ['csv', 'json']) {
      for (const q of ['period=1404-07', 'period=1404', 'period=1404-s3&org=babol', 'period=1404-07&breakdown=all&by=month']) urls.push(`/open-data/${id}.${f}?${q}`);
    }
    urls.push(`/api/v1/open-data/${id}?period=1404-07`);
  }
  const needles = [...Object.values(PERSONAL).map(String), 'tok-secret', 'zeynab@example.org', ...secretIds];
  for (const url of urls) {
    const res = await get(url);
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    for (const n of needles) assert.ok(!res.body.includes(n), `${url} contains ${n}`);
  }
});

test('each Table Schema names exactly the columns of its CSV and JSON files', async () => {
  for (const id of DATASET_IDS) {
    const schemaRes = await get(`/open-data/schemas/${id}.json`);
    assert.equal(schemaRes.statusCode, 200);
    const schema = schemaRes.json();
    assert.deepEqual(schema, tableSchema(id));
    const names = schema.fields.map((f: { name: string }) => f.name);
    assert.deepEqual(header((await get(`/open-data/${id}.csv?period=1404-07`)).body), names);
    const rows = (await get(`/open-data/${id}.json?period=1404-07`)).json().rows as Record<string, unknown>[];
    assert.ok(rows.length > 0);
    for (const r of rows) assert.deepEqual(Object.keys(r), names);
    // Types: dates are ISO days, numbers parse, booleans are true/false, enums hold.
    for (const r of csv((await get(`/open-data/${id}.csv?period=1404-07`)).body)) {
      for (const f of schema.fields as { name: string; type: string; constraints?: { required?: boolean; enum?: string[] } }[]) {
        const v = r[f.name]!;
        if (v === '') { assert.ok(!f.constraints?.required, `${id}.${f.name} is required`); continue; }
        if (f.type === 'date') assert.match(v, /^\d{4}-\d{2}-\d{2}$/);
        if (f.type === 'number' || f.type === 'integer') assert.ok(Number.isFinite(Number(v)), `${id}.${f.name}=${v}`);
        if (f.type === 'integer') assert.ok(Number.isInteger(Number(v)));
        if (f.type === 'boolean') assert.ok(v === 'true' || v === 'false');
        if (f.constraints?.enum) assert.ok(f.constraints.enum.includes(v), `${id}.${f.name}=${v}`);
      }
    }
    assert.equal((await get(`/api/v1/open-data/schemas/${id}`)).json().name, id);
  }
});

test('the catalog is DCAT JSON whose every download and schema link answers 200', async () => {
  const res = await get('/open-data/catalog.json');
  assert.equal(res.statusCode, 200);
  const cat = JSON.parse(res.body);
  assert.equal(cat.license, 'https://creativecommons.org/licenses/by/4.0/');
  assert.deepEqual(cat.dataset.map((d: { identifier: string }) => d.identifier.split('#')[1]), [...DATASET_IDS]);
  const base = t.deps.config.publicUrl.replace(/\/$/, '');
  let links = 0;
  for (const d of cat.dataset) {
    assert.ok(d.title && d['title@fa'] && d.description && d.publisher.name && d.modified && d.license);
    assert.equal((await get(d.describedBy.slice(base.length))).statusCode, 200);
    for (const dist of d.distribution) {
      assert.ok(dist.mediaType === 'text/csv' || dist.mediaType === 'application/json');
      assert.ok(dist.downloadURL.startsWith(base));
      const r = await get(dist.downloadURL.slice(base.length));
      assert.equal(r.statusCode, 200, dist.downloadURL);
      assert.ok(String(r.headers['content-type']).startsWith(dist.mediaType));
      links++;
    }
  }
  assert.ok(links >= 6);
  assert.deepEqual((await get('/api/v1/open-data/catalog')).json(), cat);
});

test('headers: file name, caching, ETag and 304; bad period 400; unknown org or service 404', async () => {
  const res = await get('/open-data/kpis.csv?period=1404-07&org=babol');
  assert.equal(res.headers['content-disposition'], 'attachment; filename="pishkhan-kpis-1404-07-babol.csv"');
  assert.match(String(res.headers['cache-control']), /^public, max-age=\d+$/);
  assert.ok(res.headers.etag);
  assert.equal((await get('/open-data/kpis.csv?period=1404-07&org=babol', { 'if-none-match': String(res.headers.etag) })).statusCode, 304);
  const rec = await get('/open-data/applications.csv?period=1404-07');
  assert.equal(rec.headers['content-disposition'], 'attachment; filename="pishkhan-application-timings-1404-07.csv"');
  assert.equal((await get('/open-data/applications.csv?period=1404-07', { 'if-none-match': String(rec.headers.etag) })).statusCode, 304);
  await report(at('2025-10-12T09:00'), null, null);
  assert.equal((await get('/open-data/applications.csv?period=1404-07', { 'if-none-match': String(rec.headers.etag) })).statusCode, 200, 'new data, new ETag');

  for (const url of ['/open-data/kpis.csv?period=1404-13', '/open-data/applications.csv?period=nope', '/api/v1/open-data/kpis?period=1404-s5', '/api/v1/open-data/reports?period=14040']) {
    assert.equal((await get(url)).statusCode, 400, url);
  }
  const bad = await get('/api/v1/open-data/kpis?period=1404-13', { 'accept-language': 'en' });
  assert.equal(bad.json().error.code, 'open_data.bad_period');
  for (const url of ['/open-data/kpis.csv?period=1404-07&org=tehran', '/api/v1/open-data/applications?org=nowhere', '/open-data/reports.json?service=no-such-thing']) {
    assert.equal((await get(url)).statusCode, 404, url);
  }
});

test('the /open-data page lists each dataset with its licence and download links, in Persian and English', async () => {
  for (const lang of ['fa', 'en']) {
    const res = await get(`/open-data?lang=${lang}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, new RegExp(`<html lang="${lang}"`));
    assert.match(res.body, /href="https:\/\/creativecommons.org\/licenses\/by\/4.0\/"/);
    assert.match(res.body, /href="\/open-data\/catalog.json"/);
    for (const id of DATASET_IDS) {
      assert.match(res.body, new RegExp(`href="/open-data/${id}.csv\\?period=`));
      assert.match(res.body, new RegExp(`href="/open-data/schemas/${id}.json"`));
    }
  }
  const chosen = await get('/open-data?period=1404-s2&lang=en');
  assert.match(chosen.body, /href="\/open-data\/kpis.csv\?period=1404-s2"/);
  assert.match((await get('/open-data?period=bad&lang=en')).body, /is-invalid/);
});
