// The public side over what the editor side really writes: an article created, illustrated and
// published through the editors' service appears with its sanitized body, its resized image and
// thumbnail, its tags and search text; a correction shows its "updated" time; scheduling keeps
// it hidden until due; unpublishing takes it off every public path (page, API, feed, images).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { makeOrg, makeStaff, makeTestApp, type TestApp } from '../../../test/helpers.js';
import type { Actor } from '../../platform/core/index.js';

const BASE = 'https://pishkhan.example.ir';
let t: TestApp;
let editor: Actor;

before(async () => {
  t = await makeTestApp({ PUBLIC_URL: BASE });
  const orgId = await makeOrg(t, 'sari');
  const { password } = await makeStaff(t, 'sari.pr', [{ orgId, role: 'pr_editor' }]);
  const { session } = await t.deps.services.identity.staffSignIn({ username: 'sari.pr', password }, { ip: '127.0.0.1', userAgent: 'test', locale: 'fa' });
  const resolved = await t.deps.services.identity.resolveSession(session.token);
  editor = resolved!.actor;
});
after(async () => { await t?.close(); });

const get = (url: string) => t.app.inject({ method: 'GET', url });

test('published through the editor service: body, image and thumbnail, tags, search; corrected; unpublished', async () => {
  const news = t.deps.services.news;
  const created = await news.create(editor, 'sari', {
    title: 'بازگشایي پارك جنگلي ساري',
    lead: 'پارک جنگلی شهر پس از بازسازی باز شد.',
    body: 'متن **خبر** با <script>alert(1)</script> و [پیوند](javascript:alert(1)).',
    body_format: 'markdown', tags: 'پارک، فضای سبز', lang: 'fa',
  }, 'draft');
  const code = created.code;
  const png = await sharp({ create: { width: 2400, height: 1200, channels: 3, background: '#0b6e4f' } }).png().toBuffer();
  const img = await news.addImage(editor, null, code, png, 'نمای ورودی پارک');
  assert.equal((await get(`/news/${code}`)).statusCode, 404, 'a draft is not public');
  assert.equal((await get(`/news/images/${img.id}`)).statusCode, 404, "a draft's image is not public");

  await news.act(editor, null, code, 'publish');
  const page = await get(`/news/${code}`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('<strong>خبر</strong>'), 'the Markdown body as HTML');
  assert.ok(!/<script>alert|javascript:alert/.test(page.body.slice(page.body.indexOf('pk-news-body'))), 'the sanitizer kept no script');
  assert.ok(page.body.includes('نمای ورودی پارک'));
  assert.ok(page.body.includes(`href="/news/tags/${encodeURIComponent('فضای سبز')}"`));

  const main = await get(`/news/images/${img.id}`);
  const thumb = await get(`/news/images/${img.id}/thumb`);
  assert.equal(main.statusCode, 200);
  assert.equal(thumb.statusCode, 200);
  assert.equal(main.headers['content-type'], img.mime);
  const [m, th] = [await sharp(main.rawPayload).metadata(), await sharp(thumb.rawPayload).metadata()];
  assert.equal(Math.max(m.width!, m.height!), 1600, 'the main image, resized');
  assert.ok(Math.max(th.width!, th.height!) <= 400, 'the thumbnail');

  const found = (await get(`/api/v1/news?q=${encodeURIComponent('پارك جنگلي')}`)).json().items as { code: number }[];
  assert.deepEqual(found.map((a) => a.code), [code], 'search with Arabic letters');

  t.clock.advance(60_000);
  await news.save(editor, null, code, { title: 'بازگشایی پارک جنگلی ساری (اصلاح)', lead: 'پارک جنگلی شهر پس از بازسازی باز شد.', body: 'متن اصلاح‌شده', body_format: 'markdown', tags: 'پارک' }, 'draft');
  const corrected = await get(`/news/${code}`);
  assert.ok(corrected.body.includes('data-testid="news-updated"'), 'the "updated" time of the correction');
  assert.ok(corrected.body.includes('(اصلاح)'));
  assert.equal((await get(`/api/v1/news/${code}`)).json().corrected_at, new Date(t.clock.now()).toISOString());

  await news.act(editor, null, code, 'unpublish');
  for (const url of [`/news/${code}`, `/news/${code}/print`, `/api/v1/news/${code}`, `/news/images/${img.id}`, `/news/images/${img.id}/thumb`]) {
    assert.equal((await get(url)).statusCode, 404, url);
  }
  assert.ok(!(await get('/news/feed.rss')).body.includes(`/news/${code}<`));
  assert.deepEqual((await get(`/api/v1/news?q=${encodeURIComponent('پارک')}`)).json().items, []);
});

test('scheduled through the editor service: hidden until its time, then public', async () => {
  const news = t.deps.services.news;
  const a = await news.create(editor, 'sari', { title: 'خبر زمان‌بندی‌شده', lead: 'خلاصه', body: 'متن', body_format: 'markdown' }, 'draft');
  // Tomorrow at 10:00 Tehran, as the editor types it (Jalali date and time).
  const tomorrow = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', { timeZone: 'Asia/Tehran', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(t.clock.now() + 86_400_000).reduce((o, p) => ({ ...o, [p.type]: p.value }), {} as Record<string, string>);
  await news.act(editor, null, a.code, 'schedule', { date: `${tomorrow.year!.replace(/\D/g, '')}/${tomorrow.month}/${tomorrow.day}`, time: '10:00' });
  assert.equal((await get(`/news/${a.code}`)).statusCode, 404);
  assert.ok(!(await get('/news/feed.atom')).body.includes(`/news/${a.code}<`));
  t.clock.advance(2 * 86_400_000);
  assert.equal((await get(`/news/${a.code}`)).statusCode, 200, 'visible once due, even before the scheduler flips its state');
});
