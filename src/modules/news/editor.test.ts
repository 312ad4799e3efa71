// The PR editors' newsroom: drafts, schedule, publish, unpublish, corrections, images, news
// codes, audit entries, bad input, and the pages (CSRF, values kept, escaped output).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { t as msg } from '../../platform/i18n/messages.js';
import { publicArticles } from './visibility.js';

let t: TestApp;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
const api = (method: 'GET' | 'POST' | 'PUT', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const SARI = '/api/v1/orgs/sari/news';
const row = (code: number) => t.deps.db.selectFrom('news_articles').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
const audits = (action: string) => t.deps.db.selectFrom('audit_log').select(['action', 'data', 'org_id', 'actor_kind']).where('action', '=', action).orderBy('seq').execute();
const article = { title: 'افتتاح پيشخوان الكترونيك', lead: 'شهروندان از امروز خدمات را برخط می‌گیرند.', body: '## جزئیات\n\nمتن **خبر**.', body_format: 'markdown', tags: 'پیشخوان، دولت الکترونیک, ساری', lang: 'fa' };

before(async () => {
  t = await makeTestApp();
  ids.sari = await makeOrg(t, 'sari');
  ids.babol = await makeOrg(t, 'babol');
  ids['sari-ict'] = await makeOrg(t, 'sari-ict', 'ict', ids.sari);
  for (const [u, memberships] of [
    ['sari.pr', [{ orgId: ids.sari!, role: 'pr_editor' }]],
    ['babol.pr', [{ orgId: ids.babol!, role: 'pr_editor' }]],
    ['sari.admin', [{ orgId: ids.sari!, role: 'org_admin' }]],
    ['sari.clerk', [{ orgId: ids.sari!, role: 'clerk' }]],
    ['two.pr', [{ orgId: ids.sari!, role: 'pr_editor' }, { orgId: ids['sari-ict']!, role: 'pr_editor' }]],
  ] as const) {
    const { password } = await makeStaff(t, u, [...memberships]);
    tokens[u] = await signInStaff(t, u, password);
  }
  tokens.citizen = await signInCitizen(t, '09121234567');
});
after(async () => { await t.close(); });

test('a draft gets the next news code, normalized text, tags and a search key; it is not public', async () => {
  const r = await api('POST', SARI, 'sari.pr', article);
  assert.equal(r.statusCode, 201, r.body);
  const a = r.json();
  assert.equal(a.state, 'draft');
  assert.equal(a.visible, false);
  assert.equal(a.title, 'افتتاح پیشخوان الکترونیک', 'Arabic ي/ك became Persian');
  assert.deepEqual(a.tags, ['پیشخوان', 'دولت الکترونیک', 'ساری']);
  assert.match(a.body_html, /<h2>جزئیات<\/h2>/);
  const db = await row(a.code);
  assert.match(db.search_text, /پیشخوان/);
  assert.match(db.search_text, /جزییات|جزئیات/);
  const tags = await t.deps.db.selectFrom('news_tags').select(['tag', 'tag_key']).where('article_id', '=', db.id).execute();
  assert.equal(tags.length, 3);
  assert.equal((await publicArticles(t.deps.db, t.clock.now()).select('code').execute()).length, 0);
  const second = await api('POST', SARI, 'sari.admin', { ...article, title: 'دومی' });
  assert.equal(second.json().code, a.code + 1, 'codes are sequential; the org admin writes news too');
  assert.equal((await audits('news.created')).length, 2);
});

test('bad input is a 400 naming each field, in Persian and English; nothing is written', async () => {
  const before = await t.deps.db.selectFrom('news_articles').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const r = await api('POST', SARI, 'sari.pr', { title: '   ', body: '', body_format: 'markdown', tags: 'x'.repeat(41) });
  assert.equal(r.statusCode, 400, r.body);
  assert.deepEqual(Object.keys(r.json().error.fields).sort(), ['body', 'tags', 'title']);
  assert.equal(r.json().error.fields.title, msg('fa', 'common.required'));
  const en = await t.app.inject({ method: 'POST', url: SARI, headers: { authorization: `Bearer ${tokens['sari.pr']}`, 'accept-language': 'en' }, payload: { title: ' ', body: 'y' } });
  assert.equal(en.statusCode, 400);
  assert.equal(en.json().error.fields.title, msg('en', 'common.required'), 'named in English for an English client');
  const format = await api('POST', SARI, 'sari.pr', { title: 'x', body: 'y', body_format: 'pdf' });
  assert.equal(format.statusCode, 400);
  assert.ok(format.json().error.fields.body_format, format.body);
  const code = (await api('POST', SARI, 'sari.pr', article)).json().code as number;
  const sched = await api('POST', `${SARI}/${code}/schedule`, 'sari.pr', { publish_date: '1405/13/01', publish_time: '25:00' });
  assert.equal(sched.statusCode, 400);
  assert.deepEqual(Object.keys(sched.json().error.fields).sort(), ['publish_date', 'publish_time']);
  const past = await api('POST', `${SARI}/${code}/schedule`, 'sari.pr', { publish_date: '1400/01/01', publish_time: '10:00' });
  assert.equal(past.statusCode, 400);
  assert.equal(past.json().error.fields.publish_date, msg('fa', 'news.schedule_past'));
  assert.equal((await row(code)).state, 'draft');
  const after = await t.deps.db.selectFrom('news_articles').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(after.n), Number(before.n) + 1);
});

test('schedule (Jalali date, Tehran time), visible when due, published by the worker; publish, correct, unpublish, republish; all audited', async () => {
  const code = (await api('POST', SARI, 'sari.pr', { ...article, title: 'زمان‌بندی' })).json().code as number;
  // The test clock is 2026-11-28 09:00 UTC = 1405/09/07 12:30 in Tehran; schedule for 12:45 Tehran that day.
  const s = await api('POST', `${SARI}/${code}/schedule`, 'sari.pr', { publish_date: '۱۴۰۵/۰۹/۰۷', publish_time: '۱۲:۴۵' });
  assert.equal(s.statusCode, 200, s.body);
  const at = Date.parse('2026-11-28T09:15:00Z');
  assert.equal(s.json().state, 'scheduled');
  assert.equal(s.json().publish_at, new Date(at).toISOString());
  assert.equal(s.json().visible, false);
  assert.equal(await t.deps.newsScheduler.runOnce(), 0, 'not due yet');
  t.clock.t = at + 1000;
  assert.ok((await publicArticles(t.deps.db, t.clock.now()).select('code').execute()).some((r) => Number(r.code) === code), 'visible from its time on');
  assert.equal(await t.deps.newsScheduler.runOnce(), 1);
  assert.equal(await t.deps.newsScheduler.runOnce(), 0, 'once');
  const published = await row(code);
  assert.equal(published.state, 'published');
  assert.equal(Number(published.published_at), at);
  const byWorker = (await audits('news.published')).map((a) => ({ ...a, data: JSON.parse(a.data) })).find((a) => a.data.code === code);
  assert.equal(byWorker?.actor_kind, 'system');

  t.clock.advance(60_000);
  const fix = await api('PUT', `${SARI}/${code}`, 'sari.pr', { ...article, title: 'زمان‌بندی (اصلاح‌شده)' });
  assert.equal(fix.statusCode, 200, fix.body);
  assert.equal(fix.json().corrected_at, new Date(t.clock.now()).toISOString(), 'a visible "updated" time');
  assert.equal(fix.json().published_at, new Date(at).toISOString(), 'the date line stays');
  const corrected = (await audits('news.corrected')).map((a) => JSON.parse(a.data)).find((d) => d.code === code);
  assert.deepEqual(corrected?.changed, ['title']);
  assert.equal(corrected?.before.title, 'زمان‌بندی');

  const again = await api('POST', `${SARI}/${code}/schedule`, 'sari.pr', { publish_date: '1406/01/01', publish_time: '10:00' });
  assert.equal(again.statusCode, 409, 'a published article is not rescheduled');

  const off = await api('POST', `${SARI}/${code}/unpublish`, 'sari.pr');
  assert.equal(off.json().state, 'unpublished');
  assert.equal(off.json().visible, false);
  assert.equal(Number((await row(code)).published_at), at, 'keeps its date line');
  assert.equal((await api('POST', `${SARI}/${code}/unpublish`, 'sari.pr')).statusCode, 409);
  const back = await api('POST', `${SARI}/${code}/publish`, 'sari.pr');
  assert.equal(back.json().state, 'published');
  assert.equal(back.json().published_at, new Date(at).toISOString(), 'republished with its first date line');

  const draft = (await api('POST', SARI, 'sari.pr', { ...article, title: 'فوری' })).json().code as number;
  const now = await api('POST', `${SARI}/${draft}/publish`, 'sari.pr');
  assert.equal(now.json().published_at, new Date(t.clock.now()).toISOString());
  assert.equal(now.json().visible, true);
  for (const action of ['news.created', 'news.scheduled', 'news.published', 'news.corrected', 'news.unpublished']) {
    assert.ok((await audits(action)).every((a) => a.org_id === ids.sari), action);
    assert.ok((await audits(action)).length > 0, action);
  }
});

test('publishing a scheduled article that is already due keeps its scheduled date line; one due later goes out now', async () => {
  const due = (await api('POST', SARI, 'sari.pr', { ...article, title: 'سررسیده' })).json().code as number;
  const later = (await api('POST', SARI, 'sari.pr', { ...article, title: 'بعدی' })).json().code as number;
  const wall = new Date(t.clock.now() + 3.5 * 3_600_000 + 5 * 60_000); // Tehran wall clock 5 minutes from now
  const hhmm = `${String(wall.getUTCHours()).padStart(2, '0')}:${String(wall.getUTCMinutes()).padStart(2, '0')}`;
  const { toJalaali } = await import('jalaali-js');
  const j = toJalaali(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate());
  const date = `${j.jy}/${j.jm}/${j.jd}`;
  for (const c of [due, later]) assert.equal((await api('POST', `${SARI}/${c}/schedule`, 'sari.pr', { publish_date: date, publish_time: hhmm })).statusCode, 200);
  const at = Number((await row(due)).published_at);
  const nowLater = await api('POST', `${SARI}/${later}/publish`, 'sari.pr');
  assert.equal(nowLater.json().published_at, new Date(t.clock.now()).toISOString(), 'published before its time: now');
  t.clock.advance(10 * 60_000);
  const r = await api('POST', `${SARI}/${due}/publish`, 'sari.pr');
  assert.equal(r.json().state, 'published');
  assert.equal(r.json().published_at, new Date(at).toISOString());
});

async function jpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg().withExif({ IFD0: { Copyright: 'secret-camera-owner', Make: 'TestCam' } }).toBuffer();
}
function upload(url: string, who: string, parts: { name: string; value?: string; filename?: string; content?: Buffer }[]) {
  const boundary = '----newsimg';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if (p.content) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: image/jpeg\r\n\r\n`), p.content, Buffer.from('\r\n'));
    else chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.concat(chunks) });
}
const readAll = async (key: string) => { const chunks: Buffer[] = []; for await (const c of await t.deps.files.open(key)) chunks.push(c as Buffer); return Buffer.concat(chunks); };

test('images: type checked by content, resized (1600/400 px), metadata stripped; captions, order and removal audited', async () => {
  const code = (await api('POST', SARI, 'sari.pr', { ...article, title: 'با تصویر' })).json().code as number;
  const big = await upload(`${SARI}/${code}/images`, 'sari.pr', [{ name: 'caption', value: 'نشست مشترك' }, { name: 'image', filename: 'a.jpg', content: await jpeg(2400, 1200) }]);
  assert.equal(big.statusCode, 201, big.body);
  assert.deepEqual([big.json().width, big.json().height, big.json().mime, big.json().caption], [1600, 800, 'image/jpeg', 'نشست مشترک']);
  const img = await t.deps.db.selectFrom('news_images').selectAll().where('id', '=', big.json().id).executeTakeFirstOrThrow();
  const main = await readAll(img.storage_key);
  const thumb = await readAll(`${img.storage_key}.thumb`);
  const mm = await sharp(main).metadata();
  const tm = await sharp(thumb).metadata();
  assert.deepEqual([mm.width, mm.height, tm.width, tm.height], [1600, 800, 400, 200]);
  assert.equal(mm.exif, undefined, 'no EXIF kept');
  assert.ok(!main.includes(Buffer.from('secret-camera-owner')));

  const fake = await upload(`${SARI}/${code}/images`, 'sari.pr', [{ name: 'image', filename: 'x.jpg', content: Buffer.from('<svg onload=alert(1)></svg>') }]);
  assert.equal(fake.statusCode, 400);
  assert.ok(fake.json().error.fields.image);
  const none = await upload(`${SARI}/${code}/images`, 'sari.pr', [{ name: 'caption', value: 'x' }]);
  assert.equal(none.statusCode, 400);
  const huge = await upload(`${SARI}/${code}/images`, 'sari.pr', [{ name: 'image', filename: 'h.jpg', content: Buffer.concat([await jpeg(10, 10), Buffer.alloc(10 * 1024 * 1024)]) }]);
  assert.equal(huge.statusCode, 400, huge.body);
  assert.equal(huge.json().error.fields.image, msg('fa', 'news.image_too_large'));
  for (const [format, mime] of [['png', 'image/png'], ['webp', 'image/webp']] as const) {
    const content = await sharp({ create: { width: 2000, height: 500, channels: 3, background: '#123456' } }).toFormat(format).toBuffer();
    const r = await upload(`${SARI}/${code}/images`, 'sari.pr', [{ name: 'image', filename: `x.${format}`, content }]);
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual([r.json().mime, r.json().width, r.json().height], [mime, 1600, 400]);
    await api('PUT', `${SARI}/${code}/images`, 'sari.pr', { remove: [r.json().id] });
  }

  const second = (await upload(`${SARI}/${code}/images`, 'sari.pr', [{ name: 'image', filename: 'b.jpg', content: await jpeg(300, 200) }])).json();
  assert.equal(second.width, 300, 'a small image is not enlarged');
  const reorder = await api('PUT', `${SARI}/${code}/images`, 'sari.pr', { items: [{ id: second.id, caption: 'دومی اول' }, { id: big.json().id }] });
  assert.equal(reorder.statusCode, 200, reorder.body);
  assert.deepEqual(reorder.json().items.map((i: { id: string; position: number; caption: string }) => [i.id, i.position, i.caption]), [[second.id, 0, 'دومی اول'], [big.json().id, 1, 'نشست مشترک']]);
  const removed = await api('PUT', `${SARI}/${code}/images`, 'sari.pr', { remove: [big.json().id] });
  assert.deepEqual(removed.json().items.map((i: { id: string }) => i.id), [second.id]);
  await assert.rejects(() => t.deps.files.open(img.storage_key), 'the file is deleted');
  await assert.rejects(() => t.deps.files.open(`${img.storage_key}.thumb`));
  assert.equal((await audits('news.image_added')).length, 4);
  assert.equal((await audits('news.images_changed')).length, 4);
});

test('the staff pages: list, new form with an org choice, values kept on error, publish shows the public link, CSRF required', async () => {
  const b = new FormBrowser(t, tokens['two.pr']);
  const list = await b.get('/staff/news');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /lang="fa" dir="rtl"/);
  const form = await b.get('/staff/news/new');
  assert.match(form.body, /id="article-form"/);
  assert.match(form.body, /<select id="f-org" name="org"/, 'an editor of two orgs chooses');
  for (const name of ['title', 'lead', 'body', 'body_format', 'tags', 'lang', 'publish_date', 'publish_time']) assert.match(form.body, new RegExp(`name="${name}"`), name);
  for (const v of ['draft', 'publish', 'schedule']) assert.match(form.body, new RegExp(`name="action" value="${v}"`));

  const csrf = await b.csrf('/staff/news/new');
  const bad = await b.post('/staff/news', { _csrf: csrf, org: 'sari-ict', title: 'عنوان نگه‌داشته', lead: 'لید', body: '', body_format: 'markdown', tags: 'الف', lang: 'fa', action: 'draft' });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.body.includes('value="عنوان نگه‌داشته"'), 'what was typed is kept');
  assert.ok(bad.body.includes(msg('fa', 'common.required')));
  assert.match(bad.body, /<option value="sari-ict" selected/);

  const noToken = await b.post('/staff/news', { org: 'sari-ict', title: 'بی‌توکن', body: 'x', action: 'publish' });
  assert.equal(noToken.statusCode, 403);
  const ok = await b.post('/staff/news', { _csrf: csrf, org: 'sari-ict', title: 'خبر فاوا', lead: 'لید', body: 'متن', body_format: 'markdown', tags: 'فاوا', lang: 'fa', action: 'publish' });
  assert.equal(ok.statusCode, 303, ok.body);
  const code = Number(/\/staff\/news\/(\d+)\?done=published/.exec(String(ok.headers.location))?.[1]);
  const saved = await row(code);
  assert.equal(saved.org_id, ids['sari-ict']);
  assert.equal(saved.state, 'published');
  const page = await b.get(`/staff/news/${code}?done=published`);
  assert.match(page.body, new RegExp(`<a class="public-link" href="/news/${code}"`));
  assert.ok(page.body.includes(msg('fa', 'news_staff.done.published')));
  assert.ok(page.body.includes('۱۴۰۵/'), 'dates in Jalali with Persian digits');

  const edit = await b.post(`/staff/news/${code}`, { _csrf: csrf, title: 'خبر فاوا (اصلاح)', lead: 'لید', body: 'متن', body_format: 'markdown', tags: 'فاوا', lang: 'fa', action: 'draft' });
  assert.equal(edit.statusCode, 303);
  assert.ok((await row(code)).corrected_at, 'saving a published article is a correction');
  const sched = await b.post(`/staff/news/${code}`, { _csrf: csrf, title: 'x', body: 'y', action: 'unpublish' });
  assert.equal(sched.statusCode, 303);
  assert.equal((await row(code)).state, 'unpublished');
  const badDate = await b.post(`/staff/news/${code}`, { _csrf: csrf, title: 'تاریخ بد', body: 'y', publish_date: 'فردا', publish_time: '10:00', action: 'schedule' });
  assert.equal(badDate.statusCode, 400);
  assert.ok(badDate.body.includes(msg('fa', 'news.date_invalid')));
  assert.ok(badDate.body.includes('value="فردا"'));
  assert.equal((await row(code)).state, 'unpublished', 'a refused form changes nothing');
  assert.equal((await row(code)).title, 'x', 'the content saved with the unpublish stays');

  const upload = await b.multipart(`/staff/news/${code}/images`, [{ name: '_csrf', value: csrf }, { name: 'caption', value: 'زیرنویس' }, { name: 'image', filename: 'p.jpg', content: await jpeg(500, 500), type: 'image/jpeg' }]);
  assert.equal(upload.statusCode, 303, upload.body);
  const img = await t.deps.db.selectFrom('news_images').select('id').where('article_id', '=', saved.id).executeTakeFirstOrThrow();
  const noTokenUpload = await b.multipart(`/staff/news/${code}/images`, [{ name: 'image', filename: 'p.jpg', content: await jpeg(50, 50), type: 'image/jpeg' }]);
  assert.equal(noTokenUpload.statusCode, 403);
  const captions = await b.post(`/staff/news/${code}/images/edit`, { _csrf: csrf, [`caption_${img.id}`]: 'زیرنویس تازه', [`position_${img.id}`]: '۱' });
  assert.equal(captions.statusCode, 303, captions.body);
  assert.equal((await t.deps.db.selectFrom('news_images').select('caption').where('id', '=', img.id).executeTakeFirstOrThrow()).caption, 'زیرنویس تازه');
});

test('the staff desk links to the newsroom for PR editors and admins only', async () => {
  const pr = await new FormBrowser(t, tokens['sari.pr']).get('/staff');
  assert.match(pr.body, /href="\/staff\/news"/);
  const clerk = await new FormBrowser(t, tokens['sari.clerk']).get('/staff');
  assert.doesNotMatch(clerk.body, /href="\/staff\/news"/);
});
