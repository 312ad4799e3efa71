// Uploads that lie: HTML, SVG with script, an executable and polyglots named .pdf/.jpg/.png and
// sent as image/jpeg or application/pdf are refused by their content (application documents,
// report photos, news images) and nothing is kept; served files carry their sniffed type,
// nosniff and (documents) Content-Disposition: attachment; hostile file names (../, ..\, %2e%2e,
// NUL, absolute paths, CRLF, quotes, very long, Persian) never reach the file system outside
// the storage directory and are stored and served safe; path traversal in static and file
// routes answers 404 without the file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { makeWorld, multipart, type World } from './lib/world.js';
import { samplePdf, samplePng } from '../../src/modules/applications/test-factories.js';

let w: World;
let dataDir = '';
let appId = '';

/** Every file under a directory (relative paths). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dataDir, p));
    }
  };
  walk(dir);
  return out.sort();
}

before(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'pk-sec-up-')), 'data');
  w = await makeWorld({ env: { DATA_DIR: dataDir } });
  // A fresh draft of Alice's to upload to.
  const d = await w.api('POST', '/api/v1/applications', 'alice', { org: 'sari', service: 'building-permit', channel: 'web' });
  assert.equal(d.statusCode, 201, d.body);
  appId = d.json().id;
});
after(async () => w?.t.close());

const LIES: { name: string; content: Buffer; filename: string; type: string }[] = [
  { name: 'HTML as PDF', content: Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>'), filename: 'deed.pdf', type: 'application/pdf' },
  { name: 'HTML as JPEG', content: Buffer.from('<html><body onload=alert(1)>x</body></html>'), filename: 'photo.jpg', type: 'image/jpeg' },
  { name: 'SVG with script as JPEG', content: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'), filename: 'photo.jpg', type: 'image/jpeg' },
  { name: 'SVG as PNG', content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'), filename: 'a.png', type: 'image/png' },
  { name: 'Windows executable as PDF', content: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0'), Buffer.alloc(200)]), filename: 'deed.pdf', type: 'application/pdf' },
  { name: 'ELF executable as JPEG', content: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200)]), filename: 'a.jpg', type: 'image/jpeg' },
  { name: 'GIF/HTML polyglot as JPEG', content: Buffer.from('GIF89a/*<html><script>alert(1)</script>*/=1;'), filename: 'a.jpg', type: 'image/jpeg' },
  { name: 'ZIP (office/jar) as PDF', content: Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]), filename: 'deed.pdf', type: 'application/pdf' },
  { name: 'empty', content: Buffer.alloc(0), filename: 'deed.pdf', type: 'application/pdf' },
];

const count = async (table: 'documents' | 'report_photos' | 'news_images') => Number((await w.t.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

test('files that lie about their type are refused by their content everywhere files are taken, and nothing is kept', async () => {
  const bad: string[] = [];
  const before = { documents: await count('documents'), report_photos: await count('report_photos'), news_images: await count('news_images') };
  const filesBefore = filesUnder(dataDir);
  for (const lie of LIES) {
    const targets: { url: string; who: string; field: string; fields: Record<string, string> }[] = [
      { url: `/api/v1/applications/${appId}/documents`, who: 'alice', field: 'file', fields: { doc_key: 'deed' } },
      { url: `/api/v1/applications/${appId}/documents`, who: 'alice', field: 'file', fields: { doc_key: 'site_photos' } },
      { url: `/api/v1/my/reports/${w.ids.report}/photos`, who: 'alice', field: 'photos', fields: {} },
      { url: `/api/v1/orgs/sari/news/${w.ids.news}/images`, who: 'sari.pr', field: 'image', fields: { caption: 'x' } },
    ];
    for (const tg of targets) {
      const m = multipart(tg.fields, { name: tg.field, filename: lie.filename, content: lie.content, type: lie.type });
      const res = await w.t.app.inject({ method: 'POST', url: tg.url, headers: { ...w.bearer(tg.who), ...m.headers }, payload: m.payload });
      if (res.statusCode < 400 || res.statusCode >= 500) bad.push(`${lie.name} -> ${tg.url}: ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.deepEqual({ documents: await count('documents'), report_photos: await count('report_photos'), news_images: await count('news_images') }, before);
  assert.deepEqual(filesUnder(dataDir).filter((f) => !f.includes('.tmp')), filesBefore);
});

test('a polyglot with a real JPEG signature and HTML after it is refused, or kept and served only as an image that is never sniffed', async () => {
  // Type detection reads the signature, so such a file can pass as image/jpeg where the image is
  // not decoded (documents, report photos; news images are re-encoded and refuse it). What keeps
  // it harmless is how it is served: image/jpeg, nosniff, and for documents attachment + sandbox.
  const content = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('<html><script>alert(1)</script>')]);
  const served: string[] = [];
  const polyTargets: { url: string; who: string; field: string; fields: Record<string, string>; get: (id: string) => string }[] = [
    { url: `/api/v1/applications/${appId}/documents`, who: 'alice', field: 'file', fields: { doc_key: 'deed' }, get: (id: string) => `/api/v1/applications/${appId}/documents/${id}` },
    { url: `/api/v1/my/reports/${w.ids.report}/photos`, who: 'alice', field: 'photos', fields: {}, get: (id: string) => `/reports/photos/${id}` },
    { url: `/api/v1/orgs/sari/news/${w.ids.news}/images`, who: 'sari.pr', field: 'image', fields: { caption: 'x' }, get: (id: string) => `/news/images/${id}` },
  ];
  for (const tg of polyTargets) {
    const m = multipart(tg.fields, { name: tg.field, filename: 'a.jpg', content, type: 'image/jpeg' });
    const res = await w.t.app.inject({ method: 'POST', url: tg.url, headers: { ...w.bearer(tg.who), ...m.headers }, payload: m.payload });
    assert.ok(res.statusCode < 500, `${tg.url}: ${res.statusCode}`);
    if (res.statusCode >= 400) continue;
    const j = res.json() as { id?: string; items?: { id: string }[] };
    const id = j.id ?? j.items![j.items!.length - 1]!.id;
    const r = await w.t.app.inject({ method: 'GET', url: tg.get(id), headers: { ...w.bearer(tg.who), cookie: `pk_session=${w.tokens[tg.who]}` } });
    served.push(tg.url);
    assert.equal(r.headers['content-type'], 'image/jpeg', tg.url);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', tg.url);
    if (tg.field === 'file') {
      assert.match(String(r.headers['content-disposition']), /^attachment/);
      assert.match(String(r.headers['content-security-policy']), /sandbox/);
    }
  }
  assert.ok(served.length <= 2, `accepted by: ${served.join(', ')}`);
});

test('served files carry their sniffed type and nosniff; documents download as attachments', async () => {
  const doc = await w.t.app.inject({ method: 'GET', url: `/api/v1/applications/${w.ids.app}/documents/${w.ids.doc}`, headers: w.bearer('alice') });
  assert.equal(doc.statusCode, 200);
  assert.equal(doc.headers['content-type'], 'application/pdf');
  assert.equal(doc.headers['x-content-type-options'], 'nosniff');
  assert.match(String(doc.headers['content-disposition']), /^attachment/);
  const page = await w.t.app.inject({ method: 'GET', url: `/applications/${w.ids.app}/documents/${w.ids.doc}`, headers: { cookie: `pk_session=${w.tokens.alice}` } });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-disposition']), /^attachment/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  for (const url of [`/reports/photos/${w.ids.reportPhoto}`, `/news/images/${w.ids.newsImage}`, `/news/images/${w.ids.newsImage}/thumb`]) {
    const r = await w.t.app.inject({ method: 'GET', url, headers: { cookie: `pk_session=${w.tokens['sari.manager']}` } });
    if (r.statusCode !== 200) continue; // a photo the public may not see answers 404; the staff view is checked elsewhere
    assert.match(String(r.headers['content-type']), /^image\/(png|jpeg|webp)$/, url);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
  }
});

test('hostile file names never escape the storage directory; the stored and served names are safe', async () => {
  const NAMES = ['../../../../etc/passwd.pdf', '..\\..\\..\\windows\\win.ini.pdf', '%2e%2e%2f%2e%2e%2fx.pdf', '....//....//x.pdf', 'a\u0000b.pdf', '/etc/passwd.pdf', 'C:\\Windows\\x.pdf',
    'x'.repeat(1000) + '.pdf', 'سند مالکیت ملک.pdf', 'a";filename=evil.html.pdf', 'a\r\nSet-Cookie: pk_session=evil.pdf', '\u202egpj.pdf', '.htaccess.pdf', 'CON.pdf'];
  const parent = join(dataDir, '..');
  const outsideBefore = readdirSync(parent).sort();
  const bad: string[] = [];
  for (const filename of NAMES) {
    const m = multipart({ doc_key: 'deed' }, { filename, content: samplePdf(), type: 'application/pdf' });
    const res = await w.t.app.inject({ method: 'POST', url: `/api/v1/applications/${appId}/documents`, headers: { ...w.bearer('alice'), ...m.headers }, payload: m.payload });
    if (res.statusCode >= 500) { bad.push(`${JSON.stringify(filename)}: ${res.statusCode}`); continue; }
    if (res.statusCode >= 400) continue; // refused is safe too
    const d = res.json() as { id: string; filename?: string };
    const row = await w.t.deps.db.selectFrom('documents').select(['filename']).where('id', '=', d.id).executeTakeFirstOrThrow();
    // eslint-disable-next-line no-control-regex -- control characters are what must not be there
    if (/[/\\\u0000-\u001f\u202e"]/.test(row.filename) || row.filename.length > 255 || row.filename.startsWith('.')) bad.push(`${JSON.stringify(filename)} stored as ${JSON.stringify(row.filename)}`);
    const served = await w.t.app.inject({ method: 'GET', url: `/api/v1/applications/${appId}/documents/${d.id}`, headers: w.bearer('alice') });
    const cd = String(served.headers['content-disposition']);
    if (served.statusCode !== 200 || /[\r\n]/.test(cd) || served.headers['set-cookie'] || !/^attachment; filename="[^"]*"(; filename\*=UTF-8''[^\s;"]+)?$/.test(cd)) bad.push(`${JSON.stringify(filename)} served with ${served.statusCode} ${cd}`);
  }
  assert.deepEqual(bad, []);
  // Nothing appeared beside the data directory, and every stored file sits under it by its random key.
  assert.deepEqual(readdirSync(parent).sort(), outsideBefore);
  for (const f of filesUnder(dataDir)) assert.ok(!f.startsWith('..') && !/passwd|win\.ini|evil|سند/.test(f), f);
});

test('path traversal in static and file routes answers 404 and never the file', async () => {
  const bad: string[] = [];
  const TRAVERSALS = ['/static/../package.json', '/static/..%2fpackage.json', '/static/%2e%2e/%2e%2e/%2e%2e/package.json', '/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
    '/static/vendor/bootstrap/..%2f..%2f..%2f..%2fpackage.json', '/static/vendor/leaflet/%2e%2e/%2e%2e/%2e%2e/package.json', '/static/..%5c..%5cpackage.json', '/static/%c0%ae%c0%ae/package.json',
    '/static/vendor/vazirmatn/..%252f..%252fpackage.json', '/news/images/..%2f..%2fpackage.json', '/news/images/..%2f..%2fpackage.json/thumb', '/reports/photos/..%2f..%2f..%2fpackage.json',
    `/applications/${w.ids.app}/documents/..%2f..%2fpackage.json`, '/open311/v2/requests/..%2f..%2fpackage.json', '/open311/v2/services/..%2fpackage.json', '/static/app.css%00.json', '/static//etc/passwd', '/static/%2fetc%2fpasswd'];
  for (const url of TRAVERSALS) {
    for (const who of ['anonymous', 'alice']) {
      const res = await w.t.app.inject({ method: 'GET', url, headers: who === 'anonymous' ? {} : { cookie: `pk_session=${w.tokens[who]}` } });
      if (res.body.includes('"name": "pishkhan"') || res.body.includes('root:x:0:0') || res.statusCode >= 500 || (res.statusCode < 400 && res.statusCode !== 303)) bad.push(`${who} ${url}: ${res.statusCode}`);
    }
  }
  assert.deepEqual(bad, []);
  // The static route itself works (the 404s above are the traversal's doing).
  assert.equal((await w.t.app.inject({ method: 'GET', url: '/static/app.css' })).statusCode, 200);
});

test('a real PNG is still taken as a report photo (the refusals above are the content\'s doing)', async () => {
  const m = multipart({}, { name: 'photos', filename: 'ok.png', content: samplePng(), type: 'image/png' });
  const res = await w.t.app.inject({ method: 'POST', url: `/api/v1/my/reports/${w.ids.report}/photos`, headers: { ...w.bearer('alice'), ...m.headers }, payload: m.payload });
  assert.ok(res.statusCode < 300 || res.statusCode === 409 || res.statusCode === 400, `${res.statusCode} ${res.body.slice(0, 200)}`);
});
