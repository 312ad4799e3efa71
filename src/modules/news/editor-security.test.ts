// The newsroom's editor side against the two attacks that matter: script stored through any
// editor field, and one organization's editor (or a citizen, or nobody) reaching another's
// articles. Also: concurrent creation gets distinct, sequential news codes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { XSS_PAYLOADS, dangerous } from './xss-fixtures.js';

let t: TestApp;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
const api = (method: 'GET' | 'POST' | 'PUT', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const SARI = '/api/v1/orgs/sari/news';
const png = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366aa' } }).png().toBuffer();
function multipart(url: string, who: string | undefined, caption: string, content: Buffer) {
  const boundary = '----sec';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\n${caption}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`), content, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return t.app.inject({ method: 'POST', url, headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
}
/** A page is safe when no tag carries a script, an event handler or a javascript: URL. */
function unsafePage(page: string): string | null {
  // Attribute values are quoted and their quotes escaped, so what is inside one is text: look at the tags without them.
  const html = page.replace(/="[^"]*"/g, '=""');
  if (/(href|src|action)\s*=\s*"\s*(javascript|data):/i.test(page)) return 'javascript/data URL';
  if (/<script/i.test(html)) return 'script tag';
  if (/<[a-z][^>]*\son[a-z]+\s*=/i.test(html)) return 'event handler';
  if (/<(iframe|svg|object|embed|math|details|base)\b/i.test(html)) return 'foreign tag';
  return null;
}

before(async () => {
  t = await makeTestApp();
  ids.sari = await makeOrg(t, 'sari');
  ids.babol = await makeOrg(t, 'babol');
  for (const [u, org, role] of [['sari.pr', 'sari', 'pr_editor'], ['babol.pr', 'babol', 'pr_editor'], ['sari.clerk', 'sari', 'clerk'], ['babol.admin', 'babol', 'org_admin']] as const) {
    const { password } = await makeStaff(t, u, [{ orgId: ids[org]!, role }]);
    tokens[u] = await signInStaff(t, u, password);
  }
  tokens.citizen = await signInCitizen(t, '09121112233');
});
after(async () => { await t.close(); });

test('script typed in every editor field is stored harmlessly and shown escaped on the staff pages', async () => {
  const b = new FormBrowser(t, tokens['sari.pr']);
  for (const [i, p] of XSS_PAYLOADS.entries()) {
    for (const format of ['markdown', 'html'] as const) {
      const r = await api('POST', SARI, 'sari.pr', { title: `t${i} ${p}`, lead: `l ${p}`, body: `b ${p}\n\n${p}`, body_format: format, tags: [`tag${i}`, p.slice(0, 40)], lang: 'fa' });
      assert.equal(r.statusCode, 201, `${p}: ${r.body}`);
      const a = r.json() as { code: number; body_html: string; title: string };
      assert.equal(dangerous(a.body_html), null, `${format} ${p} -> ${a.body_html}`);
      const db = await t.deps.db.selectFrom('news_articles').select(['body_html']).where('code', '=', a.code).executeTakeFirstOrThrow();
      assert.equal(dangerous(db.body_html), null);
      if (format === 'html' && i % 5 === 0) {
        const img = await multipart(`${SARI}/${a.code}/images`, 'sari.pr', p, await png());
        assert.equal(img.statusCode, 201, img.body);
        const page = await b.get(`/staff/news/${a.code}`);
        assert.equal(page.statusCode, 200);
        assert.equal(unsafePage(page.body), null, `edit page of ${p}`);
        if (p.includes('<')) assert.ok(page.body.includes('&lt;'), 'the typed markup is shown as text');
      }
    }
  }
  // Publishing and correcting keep the body sanitized too.
  const code = (await api('POST', SARI, 'sari.pr', { title: 'x', body: 'safe', body_format: 'html' })).json().code as number;
  await api('POST', `${SARI}/${code}/publish`, 'sari.pr');
  const fixed = await api('PUT', `${SARI}/${code}`, 'sari.pr', { title: 'x', body: XSS_PAYLOADS.join('\n'), body_format: 'html' });
  assert.equal(dangerous(fixed.json().body_html), null);
  const list = await b.get('/staff/news');
  assert.equal(unsafePage(list.body), null, 'the list page');
  const rows = await t.deps.db.selectFrom('news_articles').select('body_html').execute();
  assert.ok(rows.every((r) => dangerous(r.body_html) === null));
});

test("Babol's editor, Sari's clerk, a citizen and nobody cannot list, read, edit, publish or upload to Sari's articles; nothing changes", async () => {
  const code = (await api('POST', SARI, 'sari.pr', { title: 'خبر ساری', body: 'متن', tags: 'ساری' })).json().code as number;
  const published = (await api('POST', SARI, 'sari.pr', { title: 'منتشرشده ساری', body: 'متن' })).json().code as number;
  await api('POST', `${SARI}/${published}/publish`, 'sari.pr');
  const imageId = (await multipart(`${SARI}/${code}/images`, 'sari.pr', 'c', await png())).json().id as string;
  const snapshot = async () => JSON.stringify([
    await t.deps.db.selectFrom('news_articles').selectAll().where('org_id', '=', ids.sari!).orderBy('code').execute(),
    await t.deps.db.selectFrom('news_images').selectAll().orderBy('id').execute(),
    (await t.deps.db.selectFrom('audit_log').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
  ]);
  const before = await snapshot();
  const body = { title: 'hacked', body: 'hacked' };
  const attempts = (c: number) => [
    ['GET', SARI, undefined], ['POST', SARI, body],
    ['GET', `${SARI}/${c}`, undefined], ['PUT', `${SARI}/${c}`, body],
    ['POST', `${SARI}/${c}/publish`, undefined], ['POST', `${SARI}/${c}/unpublish`, undefined],
    ['POST', `${SARI}/${c}/schedule`, { publish_date: '1406/01/01', publish_time: '10:00' }],
    ['PUT', `${SARI}/${c}/images`, { remove: [imageId] }],
    // Through their own organization's path too.
    ['GET', `/api/v1/orgs/babol/news/${c}`, undefined], ['PUT', `/api/v1/orgs/babol/news/${c}`, body],
    ['POST', `/api/v1/orgs/babol/news/${c}/publish`, undefined], ['POST', `/api/v1/orgs/babol/news/${c}/unpublish`, undefined],
  ] as const;
  for (const who of ['babol.pr', 'babol.admin', 'sari.clerk', 'citizen', undefined]) {
    for (const c of [code, published]) {
      for (const [method, url, payload] of attempts(c)) {
        const r = await api(method, url, who, payload);
        assert.equal(r.statusCode, who === undefined ? 401 : 404, `${who ?? 'anonymous'} ${method} ${url}: ${r.body}`);
      }
      const up = await multipart(`${SARI}/${c}/images`, who, 'x', await png());
      assert.equal(up.statusCode, who === undefined ? 401 : 404, `${who} upload`);
      const up2 = await multipart(`/api/v1/orgs/babol/news/${c}/images`, who, 'x', await png());
      assert.equal(up2.statusCode, who === undefined ? 401 : 404, `${who} upload via own org`);
    }
  }

  // The pages: Babol's editor gets 404 (with a valid CSRF token of their own); citizen and nobody are sent to sign in.
  const babol = new FormBrowser(t, tokens['babol.pr']);
  const csrf = await babol.csrf('/staff/news/new');
  assert.equal((await babol.get(`/staff/news/${code}`)).statusCode, 404);
  assert.equal((await babol.post(`/staff/news/${code}`, { _csrf: csrf, ...body, action: 'publish' })).statusCode, 404);
  assert.equal((await babol.post(`/staff/news/${published}`, { _csrf: csrf, ...body, action: 'unpublish' })).statusCode, 404);
  assert.equal((await babol.post(`/staff/news/${code}/images/edit`, { _csrf: csrf, [`remove_${imageId}`]: 'on' })).statusCode, 404);
  assert.equal((await babol.multipart(`/staff/news/${code}/images`, [{ name: '_csrf', value: csrf }, { name: 'image', filename: 'a.png', content: await png(), type: 'image/png' }])).statusCode, 404);
  assert.equal((await babol.post('/staff/news', { _csrf: csrf, org: 'sari', ...body, action: 'publish' })).statusCode, 404, 'cannot write as Sari');
  const babolList = await babol.get('/staff/news');
  assert.ok(!babolList.body.includes('خبر ساری'), "Sari's articles are not in Babol's list");
  assert.equal((await new FormBrowser(t, tokens['sari.clerk']).get('/staff/news')).statusCode, 404, 'a clerk has no newsroom');
  for (const who of [tokens.citizen, undefined]) {
    const b = new FormBrowser(t, who);
    for (const url of ['/staff/news', '/staff/news/new', `/staff/news/${code}`]) {
      const r = await b.get(url);
      assert.equal(r.statusCode, 303, url);
      assert.match(String(r.headers.location), /^\/staff\/login/);
    }
  }
  // A cross-site form cannot use the editor's session cookie on the API (multipart is not JSON).
  const sariPage = new FormBrowser(t, tokens['sari.pr']);
  const crossSite = await sariPage.multipart(`${SARI}/${code}/images`, [{ name: 'image', filename: 'a.png', content: await png(), type: 'image/png' }]);
  assert.equal(crossSite.statusCode, 403);
  const crossPublish = await sariPage.post(`${SARI}/${code}/publish`, {});
  assert.equal(crossPublish.statusCode, 403);
  assert.equal(await snapshot(), before, 'nothing changed');
});

test('concurrent creation gives distinct, sequential news codes (real parallel connections on PostgreSQL)', async () => {
  const start = Number((await t.deps.db.selectFrom('counters').select('value').where('org_id', '=', '').where('name', '=', 'news').executeTakeFirstOrThrow()).value);
  const results = await Promise.all(Array.from({ length: 24 }, (_, i) => api('POST', i % 2 ? SARI : '/api/v1/orgs/babol/news', i % 2 ? 'sari.pr' : 'babol.pr', { title: `هم‌زمان ${i}`, body: 'x' })));
  assert.ok(results.every((r) => r.statusCode === 201), results.map((r) => r.body).join('\n'));
  const codes = results.map((r) => r.json().code as number).sort((a, b) => a - b);
  assert.deepEqual(codes, Array.from({ length: 24 }, (_, i) => start + 1 + i));
});
