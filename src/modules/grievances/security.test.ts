// Adversarial tests of city problem reports: one municipality's staff, another citizen or an
// anonymous visitor never reads or changes what is not theirs; public surfaces carry no personal
// data, no internal note, no moderated original and no exact point; stored text is escaped
// everywhere it is shown; odd input (NUL bytes, arrays, huge numbers, broken multipart) answers
// 4xx, never a 5xx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CookieJar, csrfFrom, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const MOBILE = '09131119901';
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';
const ADDRESS = 'کوچه یاس پلاک ۹۹ واحد ۷';
const ORIGINAL = 'شماره من ۰۹۱۲۳۴۵۶۷۸۹ است و همسایه دزد است';
const INTERNAL = 'internal: contractor invoice 4711';
/** A real 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** A point with more precision than the public may see (about 1 m). */
const EXACT = { lat: PLACES.babol.lat + 0.001234, lng: PLACES.babol.lng + 0.004321 };
const report: { id: string; code: string; hiddenPhoto: string; sariId: string; sariCode: string } = { id: '', code: '', hiddenPhoto: '', sariId: '', sariCode: '' };

const bearer = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
const session = (who: string) => {
  const jar = new CookieJar();
  if (who !== 'anonymous') jar.take({ headers: { 'set-cookie': `pk_session=${tokens[who]}; Path=/` } });
  return jar;
};
const get = (url: string, who = 'anonymous') => t.app.inject({ method: 'GET', url, headers: { cookie: session(who).header() } });
const apiGet = (url: string, who?: string) => t.app.inject({ method: 'GET', url, headers: who ? bearer(who) : {} });
async function form(who: string, url: string, fields: Record<string, string | string[]>, from: string) {
  const jar = session(who);
  const token = await csrfFrom(t, jar, from);
  const body = new URLSearchParams({ _csrf: token });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
}
function multipartBody(parts: ({ name: string; value: string } | { name: string; filename: string; content: Buffer; type?: string })[]) {
  const boundary = `----pk${randomBytes(6).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('filename' in p) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'image/png'}\r\n\r\n`), p.content, Buffer.from('\r\n'));
    else chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
/** Collects the answers that were 5xx or showed a stack trace; the test asserts the list is empty. */
let serverErrors: string[] = [];
const notServerError = (r: { statusCode: number; body: string }, what: string) => {
  if (r.statusCode >= 500 || /at \S+ \(.*:\d+:\d+\)|node:internal/.test(r.body)) serverErrors.push(`${what}: ${r.statusCode}`);
};
const noServerErrors = () => {
  const found = serverErrors;
  serverErrors = [];
  assert.deepEqual(found, []);
};

before(async () => {
  t = await makeTestApp();
  const org = await makeMunicipalities(t, ['babol', 'sari']);
  for (const [username, code, role] of [['babol.manager', 'babol', 'manager'], ['sari.manager', 'sari', 'manager'], ['sari.clerk', 'sari', 'clerk']] as const) {
    const { password } = await makeStaff(t, username, [{ orgId: org[code]!, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  tokens.owner = await signInCitizen(t, MOBILE);
  tokens.other = await signInCitizen(t, '09131119902');
  const p = await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: bearer('owner'), payload: { national_code: '0012345679', first_name: 'شیرین', last_name: 'حسینی‌نژاد' } });
  assert.equal(p.statusCode, 200, p.body);

  const filed = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('owner'), payload: { category: 'pothole', description: `${ORIGINAL} ${XSS}`, ...EXACT, address: `${ADDRESS} ${XSS}` } });
  assert.equal(filed.statusCode, 201, filed.body);
  report.id = filed.json().id;
  report.code = filed.json().tracking_code;
  const up = multipartBody([{ name: 'photos', filename: 'a.png', content: PNG }, { name: 'photos', filename: 'b.png', content: PNG }]);
  const photos = await t.app.inject({ method: 'POST', url: `/api/v1/my/reports/${report.id}/photos`, headers: { ...bearer('owner'), ...up.headers }, payload: up.payload });
  assert.equal(photos.statusCode, 201, photos.body);
  report.hiddenPhoto = photos.json().items[1].id;
  const moderated = await t.app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/moderate`, headers: bearer('babol.manager'), payload: { description: `چاله بزرگ ${XSS}`, hide_photos: [report.hiddenPhoto] } });
  assert.equal(moderated.statusCode, 200, moderated.body);
  const note = await t.app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/comment`, headers: bearer('babol.manager'), payload: { comment: INTERNAL, internal: true } });
  assert.equal(note.statusCode, 200, note.body);
  const message = await t.app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/comment`, headers: bearer('babol.manager'), payload: { comment: `در دست اقدام ${XSS}`, internal: false } });
  assert.equal(message.statusCode, 200, message.body);
  const sari = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('other'), payload: { category: 'pothole', description: 'چاله در ساری', ...north(PLACES.sari, 50) } });
  assert.equal(sari.statusCode, 201, sari.body);
  report.sariId = sari.json().id;
  report.sariCode = sari.json().tracking_code;
});
after(async () => { await t?.close(); });

test("another municipality's staff, another citizen and anonymous callers get 404 for a report, and change nothing", async () => {
  const before = await t.deps.db.selectFrom('reports').selectAll().where('id', '=', report.id).executeTakeFirstOrThrow();
  for (const url of [`/api/v1/staff/reports/${report.id}`, `/api/v1/my/reports/${report.id}`]) {
    for (const who of ['sari.manager', 'other']) assert.ok([401, 404].includes((await apiGet(url, who)).statusCode), `${who} ${url}`);
  }
  assert.equal((await get(`/staff/reports/${report.id}`, 'sari.manager')).statusCode, 404);
  assert.equal((await get(`/my/reports/${report.id}`, 'other')).statusCode, 404);
  for (const [path, payload] of [['assign', { department: 'x' }], ['comment', { comment: 'hi', internal: false }], ['moderate', { hide_description: true }], ['state', { state: 'rejected', comment: 'no' }]] as const) {
    const r = await t.app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/${path}`, headers: bearer('sari.manager'), payload });
    assert.equal(r.statusCode, 404, `${path}: ${r.body}`);
  }
  for (const path of ['state', 'assign', 'comment', 'moderate']) {
    const r = await form('sari.manager', `/staff/reports/${report.id}/${path}`, { state: 'rejected', comment: 'x', audience: 'public', hide_description: 'on' }, '/staff/reports');
    assert.equal(r.statusCode, 404, `${path}: ${r.statusCode}`);
  }
  for (const path of ['reopen', 'rate']) {
    const r = await form('other', `/my/reports/${report.id}/${path}`, { comment: 'بازگشایی لطفا', rating: '1' }, '/my/reports');
    assert.equal(r.statusCode, 404, `${path}: ${r.statusCode}`);
  }
  const up = multipartBody([{ name: 'photos', filename: 'c.png', content: PNG }]);
  const photo = await t.app.inject({ method: 'POST', url: `/api/v1/my/reports/${report.id}/photos`, headers: { ...bearer('other'), ...up.headers }, payload: up.payload });
  assert.equal(photo.statusCode, 404, photo.body);
  // Sari's manager may not mark Babol's report as the original of a Sari duplicate.
  const dup = await t.app.inject({ method: 'POST', url: `/api/v1/reports/${report.sariId}/state`, headers: bearer('sari.manager'), payload: { state: 'duplicate', duplicate_of: report.id } });
  assert.equal(dup.statusCode, 400, dup.body);
  const after = await t.deps.db.selectFrom('reports').selectAll().where('id', '=', report.id).executeTakeFirstOrThrow();
  assert.deepEqual(after, before);
});

test('a hidden photo is shown to no one but the staff of its municipality; a visible one to anyone', async () => {
  assert.equal((await get(`/reports/photos/${report.hiddenPhoto}`)).statusCode, 404);
  assert.equal((await get(`/reports/photos/${report.hiddenPhoto}`, 'sari.manager')).statusCode, 404);
  assert.equal((await get(`/reports/photos/${report.hiddenPhoto}`, 'other')).statusCode, 404);
  assert.equal((await get(`/reports/photos/${report.hiddenPhoto}`, 'babol.manager')).statusCode, 200);
  const visible = (await apiGet(`/api/v1/public/reports/${report.code}`)).json().photos as { id: string; url: string }[];
  assert.equal(visible.length, 1);
  assert.ok(!visible.some((p) => p.id === report.hiddenPhoto));
  const r = await get(visible[0]!.url);
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], 'image/png');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
});

test('public surfaces carry no personal data, no internal note, no moderated original and no exact point', async () => {
  const surfaces = {
    list: await get('/reports'), listOrg: await get('/reports?org=babol'), page: await get(`/reports/${report.code}`), rss: await get('/reports/rss'),
    filed: await get(`/report/filed/${report.code}`), apiList: await apiGet('/api/v1/public/reports?org=babol'), apiOne: await apiGet(`/api/v1/public/reports/${report.code}`),
    nearby: await apiGet(`/api/v1/reports/nearby?lat=${EXACT.lat}&lng=${EXACT.lng}&category=pothole`),
  };
  for (const [name, r] of Object.entries(surfaces)) {
    assert.equal(r.statusCode, 200, `${name}: ${r.body.slice(0, 200)}`);
    for (const secret of [MOBILE, '0012345679', 'شیرین', 'حسینی‌نژاد', 'کوچه یاس', 'همسایه دزد', '۰۹۱۲۳۴۵۶۷۸۹', INTERNAL, 'contractor invoice', report.hiddenPhoto, report.id]) {
      assert.ok(!r.body.includes(secret), `${name} shows ${secret}`);
    }
    for (const exact of [String(EXACT.lat), String(EXACT.lng), EXACT.lat.toFixed(6), EXACT.lng.toFixed(6)]) assert.ok(!r.body.includes(exact), `${name} shows the exact point ${exact}`);
  }
  const one = surfaces.apiOne.json();
  assert.equal(one.lat, Math.round(EXACT.lat * 1000) / 1000);
  assert.equal(one.lng, Math.round(EXACT.lng * 1000) / 1000);
  assert.match(surfaces.list.body, /<!DOCTYPE html>/i);
  assert.doesNotMatch(surfaces.page.body, /<!--(?!\s*-->)/, 'no HTML comment on the public page');
});

test('stored text is escaped on every page that shows it, and in the feed', async () => {
  const pages = {
    list: await get('/reports'), page: await get(`/reports/${report.code}`), mine: await get(`/my/reports/${report.id}`, 'owner'), myList: await get('/my/reports', 'owner'),
    queue: await get('/staff/reports', 'babol.manager'), staff: await get(`/staff/reports/${report.id}`, 'babol.manager'), rss: await get('/reports/rss?org=babol'),
  };
  for (const [name, r] of Object.entries(pages)) {
    assert.equal(r.statusCode, 200, name);
    assert.ok(!r.body.includes('<script>alert(1)'), `${name}: raw script`);
    assert.ok(!/<img src=x onerror/i.test(r.body), `${name}: raw img`);
  }
  assert.ok(pages.staff.body.includes('&lt;script>alert(1)&lt;/script>') || pages.staff.body.includes('&lt;script&gt;alert(1)'), 'the staff page shows the text, escaped');
});

test('the public map script never gives Leaflet a string to use as HTML', () => {
  const js = readFileSync(new URL('../../platform/views/static/report-map.js', import.meta.url), 'utf8');
  // Leaflet's bindTooltip/bindPopup/setContent take a string as HTML: only DOM nodes may be passed.
  for (const m of js.matchAll(/\.(bindTooltip|bindPopup|setContent)\(([^,)]+)/g)) {
    assert.match(m[2]!.trim(), /^(box|textNode\(.*|text\(.*)$/, `${m[1]}(${m[2]}) passes a string`);
  }
  assert.doesNotMatch(js, /innerHTML|insertAdjacentHTML|document\.write/);
});

test('every state-changing form refuses a post without its CSRF token', async () => {
  for (const [who, url] of [['babol.manager', `/staff/reports/${report.id}/comment`], ['babol.manager', `/staff/reports/${report.id}/state`], ['babol.manager', `/staff/reports/${report.id}/assign`], ['babol.manager', `/staff/reports/${report.id}/moderate`], ['owner', `/my/reports/${report.id}/reopen`], ['owner', `/my/reports/${report.id}/rate`]] as const) {
    const r = await t.app.inject({ method: 'POST', url, headers: { cookie: session(who).header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'comment=x&audience=public&state=in_progress&rating=5' });
    assert.equal(r.statusCode, 403, `${url}: ${r.statusCode}`);
  }
  const mp = multipartBody([{ name: 'category', value: 'pothole' }, { name: 'description', value: 'چاله بزرگ اینجا' }, { name: 'lat', value: String(PLACES.babol.lat) }, { name: 'lng', value: String(PLACES.babol.lng) }]);
  const r = await t.app.inject({ method: 'POST', url: '/report', headers: { cookie: session('owner').header(), ...mp.headers }, payload: mp.payload });
  assert.equal(r.statusCode, 403);
  // A cookie-authenticated JSON API write must be JSON (a cross-site form cannot send that).
  const updates = async () => (await t.deps.db.selectFrom('report_updates').select('id').where('report_id', '=', report.id).execute()).length;
  const n = await updates();
  const api = await t.app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/comment`, headers: { cookie: session('babol.manager').header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'comment=x&internal=false' });
  assert.ok([400, 403].includes(api.statusCode), api.body);
  assert.equal(await updates(), n);
});

test('a photo that is not an image, or a lying one, is refused and nothing is kept', async () => {
  for (const [filename, type, content] of [['x.png', 'image/png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')], ['../../etc/passwd.png', 'image/png', Buffer.from('GIF89a....')], ['a.html', 'text/html', Buffer.from('<html>')], ['empty.png', 'image/png', Buffer.alloc(0)]] as const) {
    const up = multipartBody([{ name: 'photos', filename, content, type }]);
    const r = await t.app.inject({ method: 'POST', url: `/api/v1/my/reports/${report.id}/photos`, headers: { ...bearer('owner'), ...up.headers }, payload: up.payload });
    assert.equal(r.statusCode, 400, `${filename}: ${r.body}`);
  }
  const photos = await t.deps.db.selectFrom('report_photos').select('id').where('report_id', '=', report.id).execute();
  assert.equal(photos.length, 2);
});

test('odd input on every report route answers 4xx, never 5xx', async () => {
  const weird = ['%00', 'a%00b', '%C0%AF', '%FF%FE', 'x'.repeat(300), '..%2F..%2Fetc%2Fpasswd', '%E2%80%AEABC'];
  for (const w of weird) {
    for (const [who, url] of [
      ['babol.manager', `/staff/reports/${w}`], ['owner', `/my/reports/${w}`], ['anonymous', `/reports/${w}`], ['anonymous', `/report/filed/${w}`],
      ['anonymous', `/reports/photos/${w}`], ['anonymous', `/api/v1/public/reports/${w}`], ['owner', `/api/v1/my/reports/${w}`], ['babol.manager', `/api/v1/staff/reports/${w}`],
      ['babol.manager', `/staff/reports?q=${w}`], ['babol.manager', `/staff/reports?org=${w}&category=${w}&state=${w}`], ['anonymous', `/reports?org=${w}&category=${w}`],
      ['anonymous', `/reports/rss?org=${w}&category=${w}`], ['anonymous', `/api/v1/public/reports?org=${w}`], ['anonymous', `/api/v1/public/areas?org=${w}`],
      ['babol.manager', `/api/v1/staff/reports?q=${w}`],
    ] as const) {
      notServerError(await get(url, who), `GET ${url}`);
    }
  }
  for (const url of ['/reports?org=babol&org=sari', '/reports?org[]=babol', '/reports/rss?category=a&category=b', '/staff/reports?q=a&q=b&org[x]=1', '/report?filed=a&filed=b',
    '/api/v1/reports/nearby?lat=NaN&lng=1&category=pothole', '/api/v1/reports/nearby?lat=1e400&lng=1&category=pothole', '/api/v1/reports/nearby?lat=36.5&lng=52.6&category=a%00',
    '/api/v1/reports/nearby?lat=36.5&lng=52.6&category=pothole&category=x', '/api/v1/public/areas?org=a&org=b', '/my/reports/x?done[]=1']) {
    notServerError(await get(url, url.startsWith('/staff') ? 'babol.manager' : url.startsWith('/my') ? 'owner' : 'anonymous'), `GET ${url}`);
  }
  // Staff forms with NUL bytes and arrays in every field.
  for (const path of ['state', 'assign', 'comment', 'moderate']) {
    for (const v of ['a\u0000b', ['a', 'b']]) {
      const r = await form('babol.manager', `/staff/reports/${report.id}/${path}`, { state: 'duplicate', duplicate_of: v, comment: v, audience: 'public', department: v, officer: v, description: v }, `/staff/reports/${report.id}`);
      notServerError(r, `POST ${path} ${JSON.stringify(v)}`);
    }
  }
  const nul = await t.app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/comment`, headers: bearer('babol.manager'), payload: { comment: 'a\u0000b', internal: true } });
  notServerError(nul, 'API comment with NUL');
  for (const path of ['reopen', 'rate']) {
    const r = await form('owner', `/my/reports/${report.id}/${path}`, { comment: 'a\u0000bcd', rating: ['1', '2'] }, `/my/reports/${report.id}`);
    notServerError(r, `POST my ${path}`);
  }
  noServerErrors();
});

test('odd input to the report form answers 4xx, never 5xx, and stores no report', async () => {
  const count = async () => (await t.deps.db.selectFrom('reports').select('id').execute()).length;
  const n = await count();
  const jar = session('owner');
  const token = await csrfFrom(t, jar, '/report');
  const post = (parts: Parameters<typeof multipartBody>[0]) => {
    const mp = multipartBody([{ name: '_csrf', value: token }, ...parts]);
    return t.app.inject({ method: 'POST', url: '/report', headers: { cookie: jar.header(), ...mp.headers }, payload: mp.payload });
  };
  const base = [{ name: 'category', value: 'pothole' }, { name: 'description', value: 'چاله بزرگ اینجا' }];
  const cases: [string, Parameters<typeof multipartBody>[0]][] = [
    ['NaN', [...base, { name: 'lat', value: 'NaN' }, { name: 'lng', value: 'NaN' }]],
    ['Infinity', [...base, { name: 'lat', value: 'Infinity' }, { name: 'lng', value: '-Infinity' }]],
    ['huge', [...base, { name: 'lat', value: '1e400' }, { name: 'lng', value: '9'.repeat(400) }]],
    ['hex', [...base, { name: 'lat', value: '0x24' }, { name: 'lng', value: '0x34' }]],
    ['duplicate fields', [...base, ...base, { name: 'lat', value: '36.5' }, { name: 'lat', value: '37' }, { name: 'lng', value: '52.6' }]],
    ['NUL description', [{ name: 'category', value: 'pothole' }, { name: 'description', value: 'چاله\u0000 بزرگ اینجا' }, { name: 'lat', value: 'a' }]],
    ['unknown org', [...base, { name: 'org', value: 'a\u0000' }, { name: 'address', value: 'x' }]],
    ['empty', []],
  ];
  for (const [name, parts] of cases) notServerError(await post(parts), name);
  // An empty multipart body, and one cut off in the middle.
  for (const payload of [Buffer.from('--b--\r\n'), Buffer.from('--b\r\nContent-Disposition: form-data; name="category"\r\n\r\npot')]) {
    const r = await t.app.inject({ method: 'POST', url: '/report', headers: { cookie: jar.header(), 'content-type': 'multipart/form-data; boundary=b' }, payload });
    notServerError(r, 'broken multipart');
  }
  const wrongType = await t.app.inject({ method: 'POST', url: '/report', headers: { cookie: jar.header(), 'content-type': 'text/plain' }, payload: 'hello' });
  notServerError(wrongType, 'text/plain');
  // Too many parts.
  const many = Array.from({ length: 150 }, (_, i) => ({ name: `f${i}`, value: 'x' }));
  notServerError(await post(many), 'too many parts');
  // Invalid UTF-8 in a field.
  const raw = Buffer.concat([Buffer.from(`--b\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--b\r\nContent-Disposition: form-data; name="description"\r\n\r\n`), Buffer.from([0xc0, 0xaf, 0xff, 0xfe, 0x00]), Buffer.from('\r\n--b--\r\n')]);
  notServerError(await t.app.inject({ method: 'POST', url: '/report', headers: { cookie: jar.header(), 'content-type': 'multipart/form-data; boundary=b' }, payload: raw }), 'invalid UTF-8');
  noServerErrors();
  assert.equal(await count(), n);
  // A NUL character in an otherwise good form is dropped, on both databases.
  const good = await post([...base.slice(0, 1), { name: 'description', value: 'چاله\u0000 عمیق کنار جوی' }, { name: 'lat', value: String(PLACES.babol.lat) }, { name: 'lng', value: String(PLACES.babol.lng) }]);
  assert.equal(good.statusCode, 303, good.body.slice(0, 300));
  const stored = await t.deps.db.selectFrom('reports').select('description').where('description', 'like', '%عمیق کنار جوی').executeTakeFirstOrThrow();
  assert.equal(stored.description, 'چاله عمیق کنار جوی');
});

test('the JSON API refuses odd report bodies with 400', async () => {
  for (const payload of [
    { category: 'pothole', description: 'چاله\u0000 بزرگ', ...PLACES.babol },
    { category: 'pothole', description: 'چاله بزرگ', lat: 'NaN', lng: 52 },
    { category: 'pothole', description: 'چاله بزرگ', lat: 1e308, lng: 52 },
    { category: ['pothole'], description: ['x'], lat: [1], lng: {} },
    { category: 'pothole', description: 'چاله بزرگ', ...PLACES.babol, address: 'a\u0000b' },
    { category: 'pothole', description: 'چاله بزرگ', ...PLACES.babol, attributes: { size: 'a\u0000' } },
  ]) {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('owner'), payload });
    notServerError(r, JSON.stringify(payload));
  }
  noServerErrors();
});
