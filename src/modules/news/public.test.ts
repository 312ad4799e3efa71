// The public newsroom over HTTP: the article page as the reference page shows it (date line,
// news code, org, tags, related and latest titles, short URL, print view, Open Graph and
// JSON-LD with absolute URLs), lists by organization, tag and Jalali month, Persian search
// across letter, digit and ZWNJ variants, RSS and Atom feeds, images, the JSON API, and that
// nothing unpublished, draft or not yet due is reachable publicly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { makeOrg, makeStaff, makeTestApp, signInStaff, type TestApp } from '../../../test/helpers.js';
import { makeArticle, makeImage, PNG_1X1 } from './public-fixtures.js';

const BASE = 'https://pishkhan.example.ir';
const HOUR = 3_600_000;
let t: TestApp;
const org: Record<string, string> = {};
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
/** 12 Bahman 1393 23:15 Tehran = 2015-02-01 19:45 UTC, a Sunday. */
const BAHMAN_12 = Date.parse('2015-02-01T19:45:00Z');

before(async () => {
  t = await makeTestApp({ PUBLIC_URL: BASE });
  const now = t.clock.now();
  org.ict = await makeOrg(t, 'sari-ict', 'ict');
  org.babol = await makeOrg(t, 'babol');
  org.amol = await makeOrg(t, 'amol');
  ids.a4565 = await makeArticle(t.deps.db, {
    orgId: org.ict, code: 4565, publishedAt: BAHMAN_12,
    title: 'معرفي سازمان فاواي شهرداري ساري به عنوان سازمان مرجع',
    lead: 'سازمان فاوای شهرداری ساری سازمان مرجع شهرداری‌های استان شد.',
    bodyHtml: '<p>متن <strong>کامل</strong> خبر درباره دولت الکترونیک و ۱۲ پروژه.</p>',
    tags: ['دولت الکترونیک', 'فاوا'],
  });
  ids.img1 = await makeImage(t.deps.db, t.deps.files, { articleId: ids.a4565, orgId: org.ict, caption: 'نشست مشترک در ساختمان فاوا', position: 0 });
  // Related by two tags, by one tag, and by organization only.
  ids.rel2 = await makeArticle(t.deps.db, { orgId: org.babol, code: 4600, title: 'دو برچسب مشترک', tags: ['دولت الکترونیک', 'فاوا'], publishedAt: BAHMAN_12 + HOUR });
  ids.rel1 = await makeArticle(t.deps.db, { orgId: org.babol, code: 4601, title: 'یک برچسب مشترک', tags: ['فاوا'], publishedAt: BAHMAN_12 + 2 * HOUR });
  ids.sameOrg = await makeArticle(t.deps.db, { orgId: org.ict, code: 4602, title: 'خبر دیگر همان سازمان', publishedAt: BAHMAN_12 - HOUR, correctedAt: BAHMAN_12 + 5 * HOUR });
  // Not public: draft, unpublished, scheduled for later.
  ids.draft = await makeArticle(t.deps.db, { orgId: org.ict, code: 5001, title: 'پیش‌نویس محرمانه فاوا', state: 'draft', publishedAt: null, tags: ['فاوا'] });
  ids.unpublished = await makeArticle(t.deps.db, { orgId: org.ict, code: 5002, title: 'خبر برداشته‌شده فاوا', state: 'unpublished', publishedAt: BAHMAN_12, tags: ['فاوا'] });
  ids.future = await makeArticle(t.deps.db, { orgId: org.ict, code: 5003, title: 'خبر زمان‌بندی‌شده فاوا', state: 'scheduled', publishedAt: now + 24 * HOUR, tags: ['فاوا'] });
  ids.due = await makeArticle(t.deps.db, { orgId: org.amol, code: 5004, title: 'خبر زمان‌بندی‌شده‌ای که وقتش رسیده', state: 'scheduled', publishedAt: now - HOUR });
  ids.draftImg = await makeImage(t.deps.db, t.deps.files, { articleId: ids.draft, orgId: org.ict, caption: 'عکس پیش‌نویس' });
  ids.futureImg = await makeImage(t.deps.db, t.deps.files, { articleId: ids.future, orgId: org.ict });
  // Amol: enough articles for pages, in Azar 1405.
  for (let i = 0; i < 23; i++) {
    await makeArticle(t.deps.db, { orgId: org.amol, code: 6000 + i, title: `خبر آمل شماره ${i}`, publishedAt: Date.parse('2026-11-25T08:00:00Z') + i * 60_000, tags: i % 2 ? ['آمل'] : [] });
  }
  const ictEditor = await makeStaff(t, 'ict.pr', [{ orgId: org.ict, role: 'pr_editor' }]);
  tokens.ictEditor = await signInStaff(t, 'ict.pr', ictEditor.password);
  const babolEditor = await makeStaff(t, 'babol.pr', [{ orgId: org.babol, role: 'pr_editor' }]);
  tokens.babolEditor = await signInStaff(t, 'babol.pr', babolEditor.password);
});
after(async () => { await t?.close(); });

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
/** The codes of the articles a list page links to, in order. */
const listed = (body: string) => [...body.matchAll(/<h2 class="h5 mb-1" id="n-(\d+)"/g)].map((m) => Number(m[1]));
const apiCodes = async (query: string) => {
  const r = await get(`/api/v1/news${query}`);
  assert.equal(r.statusCode, 200, r.body);
  return (r.json().items as { code: number }[]).map((i) => i.code);
};

describe('the article page', () => {
  test('shows the date line, news code, title, lead, body, image with caption, organization and tags', async () => {
    const r = await get('/news/4565');
    assert.equal(r.statusCode, 200);
    const b = r.body;
    assert.ok(b.includes('یکشنبه ۱۲ بهمن ۱۳۹۳ - ۲۳:۱۵'), 'the Persian date line with weekday, Jalali date and time');
    assert.ok(b.includes('کد خبر: ۴۵۶۵'));
    assert.ok(b.includes('معرفي سازمان فاواي شهرداري ساري به عنوان سازمان مرجع'));
    assert.ok(b.includes('سازمان فاوای شهرداری ساری سازمان مرجع شهرداری‌های استان شد.'));
    assert.ok(b.includes('<p>متن <strong>کامل</strong> خبر درباره دولت الکترونیک و ۱۲ پروژه.</p>'), 'the sanitized body as HTML');
    assert.ok(b.includes(`src="/news/images/${ids.img1}"`));
    assert.ok(b.includes('<figcaption class="figure-caption">نشست مشترک در ساختمان فاوا</figcaption>'));
    assert.ok(b.includes('href="/news?org=sari-ict"'), 'the organization links to its news');
    assert.ok(b.includes(`href="/news/tags/${encodeURIComponent('دولت الکترونیک')}"`), 'tags link to their lists');
    assert.ok(b.includes(`${BASE}/n/4565`), 'the short URL is shown');
    assert.ok(b.includes('href="/news/4565/print"'));
    assert.ok(!b.includes('به‌روزرسانی</span>'), 'no update time without a correction');
  });

  test('the English page uses Gregorian dates and ASCII digits', async () => {
    const r = await get('/news/4565?lang=en');
    assert.ok(r.body.includes('Sunday 1 February 2015 - 23:15'), 'Gregorian date line');
    assert.ok(r.body.includes('News code: 4565'));
  });

  test('a corrected article shows its update time', async () => {
    const r = await get('/news/4602');
    assert.ok(r.body.includes('به‌روزرسانی</span>'));
    assert.ok(r.body.includes('data-testid="news-updated">دوشنبه ۱۳ بهمن ۱۳۹۳ - ۰۴:۱۵</time>'), r.body.match(/news-updated">[^<]*/)?.[0]);
  });

  test('related titles share tags first (most shared first), then the same organization; latest titles are the newest', async () => {
    const b = (await get('/news/4565')).body;
    const related = b.slice(b.indexOf('id="news-related-h"'));
    const at = (title: string) => related.indexOf(title);
    assert.ok(at('دو برچسب مشترک') > 0 && at('یک برچسب مشترک') > at('دو برچسب مشترک'), 'two shared tags before one');
    assert.ok(at('خبر دیگر همان سازمان') > at('یک برچسب مشترک'), 'then the same organization');
    for (const hidden of ['پیش‌نویس محرمانه', 'خبر برداشته‌شده', 'خبر زمان‌بندی‌شده فاوا']) assert.ok(!b.includes(hidden), hidden);
    const latest = b.slice(b.indexOf('id="news-latest-h"'), b.indexOf('id="news-related-h"'));
    assert.ok(latest.includes('آخرین عناوین'));
    assert.ok(latest.indexOf('خبر زمان‌بندی‌شده‌ای که وقتش رسیده') >= 0, 'a scheduled article whose time has come is visible');
    assert.ok(latest.indexOf('خبر آمل شماره 22') > 0 && latest.indexOf('خبر آمل شماره 22') < latest.indexOf('خبر آمل شماره 21'), 'newest first');
  });

  test('Open Graph, Twitter card, canonical link and JSON-LD NewsArticle carry absolute URLs', async () => {
    const b = (await get('/news/4565')).body;
    assert.ok(b.includes(`<link rel="canonical" href="${BASE}/news/4565"`));
    assert.ok(b.includes(`<meta property="og:url" content="${BASE}/news/4565"`));
    assert.ok(b.includes(`<meta property="og:title" content="${html('معرفي سازمان فاواي شهرداري ساري به عنوان سازمان مرجع')}"`));
    assert.ok(b.includes(`<meta property="og:image" content="${BASE}/news/images/${ids.img1}"`));
    assert.ok(b.includes('<meta property="og:type" content="article"'));
    assert.ok(b.includes('<meta name="twitter:card" content="summary_large_image"'));
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(b)![1]!);
    assert.equal(ld['@type'], 'NewsArticle');
    assert.equal(ld.url, `${BASE}/news/4565`);
    assert.equal(ld.datePublished, '2015-02-01T19:45:00.000Z');
    assert.equal(ld.identifier, '4565');
    assert.deepEqual(ld.image, [`${BASE}/news/images/${ids.img1}`]);
    assert.equal(ld.author.name, 'شهرداری sari-ict');
  });

  test('a title cannot break out of the JSON-LD script or the meta tags', async () => {
    await makeArticle(t.deps.db, { orgId: org.babol!, code: 7001, title: '</script><script>alert(1)</script> "quoted"', lead: '<img src=x onerror=alert(1)>', publishedAt: BAHMAN_12 - 30 * 24 * HOUR });
    const b = (await get('/news/7001')).body;
    assert.ok(!b.includes('<script>alert(1)'));
    assert.ok(!b.includes('<img src=x'));
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(b)![1]!);
    assert.equal(ld.headline, '</script><script>alert(1)</script> "quoted"');
  });

  test('the short URL redirects to the article; the print view has the article without navigation', async () => {
    const r = await get('/n/4565');
    assert.equal(r.statusCode, 301);
    assert.equal(r.headers.location, '/news/4565');
    assert.equal((await get('/n/۴۵۶۵')).headers.location, '/news/4565', 'Persian digits in a typed short URL');
    const p = await get('/news/4565/print');
    assert.equal(p.statusCode, 200);
    assert.ok(p.body.includes('یکشنبه ۱۲ بهمن ۱۳۹۳ - ۲۳:۱۵') && p.body.includes('کد خبر: ۴۵۶۵'));
    assert.ok(p.body.includes('<strong>کامل</strong>'));
    assert.ok(!p.body.includes('pk-header'), 'no site navigation');
    assert.ok(p.body.includes('/static/news.css'));
    const css = await get('/static/news.css');
    assert.equal(css.statusCode, 200);
    assert.match(css.body, /@media print/);
  });

  test('bad and unknown codes are 404, never 500', async () => {
    for (const url of ['/news/abc', '/news/0', '/news/99999999999999', '/news/4565x', '/n/abc', '/news/123456/print', '/news/%00', '/api/v1/news/abc', '/api/v1/news/99999']) {
      const r = await get(url);
      assert.equal(r.statusCode, 404, url);
    }
  });
});

describe('what is not public stays unreachable', () => {
  test('draft, unpublished and future-scheduled articles are 404 on every public path', async () => {
    for (const code of [5001, 5002, 5003]) {
      for (const url of [`/news/${code}`, `/news/${code}/print`, `/api/v1/news/${code}`]) assert.equal((await get(url)).statusCode, 404, url);
      assert.equal((await get(`/n/${code}`)).statusCode, 301, 'the short URL only redirects');
    }
    const list = (await get('/news?org=sari-ict')).body;
    assert.ok(!list.includes('پیش‌نویس محرمانه') && !list.includes('برداشته‌شده') && !list.includes('زمان‌بندی‌شده فاوا'));
    assert.deepEqual((await apiCodes('?q=فاوا')).filter((c) => c >= 5000), [], 'search does not find them');
    assert.deepEqual((await apiCodes(`?tag=${encodeURIComponent('فاوا')}`)).sort(), [4565, 4600, 4601]);
    for (const feed of ['/news/feed.rss', '/news/feed.atom', '/news/feed.rss?org=sari-ict']) {
      const b = (await get(feed)).body;
      assert.ok(!b.includes('/news/5001') && !b.includes('/news/5002') && !b.includes('/news/5003'), feed);
    }
    const months = (await get('/news?org=sari-ict')).body;
    assert.ok(months.includes('href="/news/archive/1393/11?org=sari-ict"'));
    assert.ok(!months.includes('href="/news/archive/1405/09?org=sari-ict"') && !months.includes('href="/news/archive/1405/10?org=sari-ict"'), 'the future article makes no archive month');
  });

  test("the organization's own editor does not see a draft on public paths either (the staff pages preview it)", async () => {
    const own = { authorization: `Bearer ${tokens.ictEditor}` };
    for (const url of ['/news/5001', '/news/5001/print', '/api/v1/news/5001', '/news/5003']) assert.equal((await get(url, own)).statusCode, 404, url);
    const list = (await get('/api/v1/news?org=sari-ict', own)).json().items as { code: number }[];
    assert.deepEqual(list.map((a) => a.code).sort(), [4565, 4602]);
  });

  test('a scheduled article appears once its time comes', async () => {
    assert.equal((await get('/news/5003')).statusCode, 404);
    t.clock.advance(25 * HOUR);
    try {
      assert.equal((await get('/news/5003')).statusCode, 200);
    } finally {
      t.clock.advance(-25 * HOUR);
    }
  });

  test('images: public with caching while visible; a draft\'s only for its organization\'s editors', async () => {
    const r = await get(`/news/images/${ids.img1}`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'image/png');
    assert.match(String(r.headers['cache-control']), /public, max-age=\d+/);
    assert.ok(r.rawPayload.equals(PNG_1X1));
    const thumb = await get(`/news/images/${ids.img1}/thumb`);
    assert.equal(thumb.statusCode, 200, 'falls back to the main image when no thumbnail was stored');
    assert.equal(thumb.headers['content-type'], 'image/png');
    const again = await get(`/news/images/${ids.img1}`, { 'if-none-match': String(r.headers.etag) });
    assert.equal(again.statusCode, 304);
    for (const id of [ids.draftImg, ids.futureImg]) {
      assert.equal((await get(`/news/images/${id}`)).statusCode, 404, 'anonymous');
      assert.equal((await get(`/news/images/${id}/thumb`)).statusCode, 404, 'anonymous thumb');
      assert.equal((await get(`/news/images/${id}`, { authorization: `Bearer ${tokens.babolEditor}` })).statusCode, 404, "another organization's editor");
      const own = await get(`/news/images/${id}`, { authorization: `Bearer ${tokens.ictEditor}` });
      assert.equal(own.statusCode, 200, "the organization's own editor");
      assert.equal(own.headers['cache-control'], 'private, no-store');
    }
    for (const id of ['nope', '../../etc/passwd', 'x'.repeat(90)]) assert.equal((await get(`/news/images/${encodeURIComponent(id)}`)).statusCode, 404, id);
  });
});

describe('lists, archive and search', () => {
  test('the province list is newest first and paged; each organization has its own list', async () => {
    const p1 = await get('/news');
    assert.equal(p1.statusCode, 200);
    const first = listed(p1.body);
    assert.equal(first.length, 20);
    assert.equal(first[0], 5004, 'the newest (due scheduled) first');
    const p2 = listed((await get('/news?page=2')).body);
    assert.equal(first.filter((c) => p2.includes(c)).length, 0, 'no article on both pages');
    assert.ok(p1.body.includes('href="/news?page=2"'));
    const amol = listed((await get('/news?org=amol')).body);
    assert.ok(amol.length === 20 && amol.every((c) => c >= 5004));
    const amol2 = listed((await get('/news?org=amol&page=2')).body);
    assert.equal(amol2.length, 4);
    assert.deepEqual(listed((await get('/news?org=babol')).body).sort(), [4600, 4601, 7001]);
  });

  test('by tag and by Jalali month, with the month list and its counts', async () => {
    assert.deepEqual(listed((await get(`/news/tags/${encodeURIComponent('فاوا')}`)).body).sort(), [4565, 4600, 4601]);
    assert.deepEqual(listed((await get(`/news?tag=${encodeURIComponent('دولت الکترونيک')}`)).body).sort(), [4565, 4600], 'an Arabic kaf/yeh spelling of the tag');
    const bahman = await get('/news/archive/1393/11');
    assert.equal(bahman.statusCode, 200);
    assert.deepEqual(listed(bahman.body).sort(), [4565, 4600, 4601, 4602]);
    assert.ok(bahman.body.includes('اخبار بهمن ۱۳۹۳'));
    assert.deepEqual(listed((await get('/news?month=۱۳۹۳-۱۱&org=babol')).body).sort(), [4600, 4601]);
    const b = (await get('/news')).body;
    assert.ok(b.includes('href="/news/archive/1393/11"'));
    assert.ok(b.includes('بهمن ۱۳۹۳ (۴)'), 'the month with its count');
    assert.ok(b.includes('آذر ۱۴۰۵ (۲۴)'), 'Azar 1405: 23 Amol articles and the due one');
    assert.deepEqual(await apiCodes('?month=1393-11&org=sari-ict'), [4565, 4602]);
  });

  test('search finds the same article whatever the Arabic/Persian letters, digits and ZWNJ', async () => {
    for (const q of ['شهرداري', 'شهرداری', 'شهرداري‌ها', 'شهرداریها', 'شهرداری ها', 'فاواي ساري', 'سازمان مرجع', 'الكترونيك', '12 پروژه', '۱۲ پروژه']) {
      const codes = await apiCodes(`?q=${encodeURIComponent(q)}`);
      assert.ok(codes.includes(4565), `«${q}» finds 4565 (${codes})`);
      const page = await get(`/news?q=${encodeURIComponent(q)}`);
      assert.ok(listed(page.body).includes(4565), `the page search for «${q}»`);
    }
    assert.deepEqual(await apiCodes(`?q=${encodeURIComponent('شهرداری کرمانشاه')}`), [], 'every word must occur');
    assert.deepEqual(await apiCodes(`?q=${encodeURIComponent('100%_')}`), [], 'LIKE wildcards match themselves');
    const none = await get(`/news?q=${encodeURIComponent('<b>نیست</b>')}`);
    assert.ok(none.body.includes('&lt;b') && !none.body.includes('<b>نیست</b>'));
  });

  test('a news code typed into the search box opens the article, if it is published', async () => {
    assert.equal((await get('/news?q=4565')).headers.location, '/news/4565');
    assert.equal((await get(`/news?q=${encodeURIComponent('۴۵۶۵')}`)).headers.location, '/news/4565');
    assert.equal((await get(`/news?q=${encodeURIComponent('کد خبر: ۴۵۶۵')}`)).headers.location, '/news/4565');
    const draft = await get('/news?q=5001');
    assert.equal(draft.statusCode, 200, 'a draft\'s code is just a search');
    assert.deepEqual(listed(draft.body), []);
  });

  test('bad parameters answer 400 naming the field; an unknown organization 404', async () => {
    const m = await get('/api/v1/news?month=1393-13');
    assert.equal(m.statusCode, 400);
    assert.ok(m.json().error.fields.month.includes('۱۴۰۵-۰۹'));
    const p = await get('/api/v1/news?page=0', { 'accept-language': 'en' });
    assert.equal(p.statusCode, 400);
    assert.match(p.json().error.fields.page, /page number/);
    assert.equal((await get('/api/v1/news?page=abc')).statusCode, 400);
    assert.equal((await get('/api/v1/news?org=nowhere')).statusCode, 404);
    assert.equal((await get('/api/v1/news?org=BAD%20ORG')).statusCode, 404);
    assert.equal((await get('/news?month=abc')).statusCode, 400);
    assert.equal((await get('/news?page=-1')).statusCode, 400);
    assert.equal((await get('/news?org=nowhere')).statusCode, 404);
    assert.equal((await get('/news/archive/1393/13')).statusCode, 404);
    assert.equal((await get('/news/archive/abcd/11')).statusCode, 404);
    assert.equal((await get(`/news?q=${'ا'.repeat(500)}`)).statusCode, 400);
    assert.equal((await get('/news?q=a&q=b')).statusCode, 200, 'a repeated parameter is ignored, not a 500');
    assert.equal((await get('/news/feed.rss?org=nowhere')).statusCode, 404);
  });
});

describe('the home page and the header', () => {
  test('the home page lists the latest province news titles; every page links to the news', async () => {
    const b = (await get('/')).body;
    const news = b.slice(b.indexOf('data-testid="home-news"'));
    assert.ok(b.includes('data-testid="home-news"'));
    assert.ok(news.includes('href="/news/5004"'), 'the newest');
    assert.ok(!b.includes('/news/5001') && !b.includes('/news/5003'), 'nothing unpublished');
    assert.ok(b.includes('<a class="nav-link" href="/news">اخبار</a>'));
    assert.ok((await get('/news/4565?lang=en')).body.includes('<a class="nav-link" href="/news">News</a>'));
  });
});

describe('feeds', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
  test('RSS 2.0 of the province and of an organization: valid XML, escaped, absolute links', async () => {
    const r = await get('/news/feed.rss');
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /application\/rss\+xml/);
    assert.equal(XMLValidator.validate(r.body), true);
    const doc = parser.parse(r.body);
    const items = doc.rss.channel.item as { title: string; link: string; guid: { '#text': string } }[];
    assert.equal(doc.rss['@version'], '2.0');
    assert.ok(items.length >= 20);
    assert.ok(items.every((i) => i.link.startsWith(`${BASE}/news/`)));
    const babol = await get('/news/feed.rss?org=babol');
    assert.equal(XMLValidator.validate(babol.body), true);
    const hostile = ([parser.parse(babol.body).rss.channel.item].flat() as { link: string; title: string }[]).find((i) => i.link === `${BASE}/news/7001`);
    assert.equal(hostile?.title, '</script><script>alert(1)</script> "quoted"', 'escaped in the XML, the same text once parsed');
    assert.ok(babol.body.includes('&lt;/script&gt;'));
    const org = parser.parse((await get('/news/feed.rss?org=sari-ict')).body);
    const orgItems = [org.rss.channel.item].flat() as { link: string; title: string }[];
    assert.deepEqual(orgItems.map((i) => i.link).sort(), [`${BASE}/news/4565`, `${BASE}/news/4602`]);
    assert.equal(org.rss.channel.link, `${BASE}/news?org=sari-ict`);
    assert.ok(String(org.rss.channel.title).includes('شهرداری sari-ict'));
  });

  test('Atom of the province and of an organization', async () => {
    const r = await get('/news/feed.atom?org=babol&lang=en');
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /application\/atom\+xml/);
    assert.equal(XMLValidator.validate(r.body), true);
    const doc = parser.parse(r.body);
    assert.equal(doc.feed['@xmlns'], 'http://www.w3.org/2005/Atom');
    const entries = [doc.feed.entry].flat() as { id: string; link: { '@href': string }; updated: string; author: { name: string } }[];
    assert.deepEqual(entries.map((e) => e.id).sort(), [`${BASE}/news/4600`, `${BASE}/news/4601`, `${BASE}/news/7001`]);
    assert.ok(entries.every((e) => e.link['@href'].startsWith(BASE) && !Number.isNaN(Date.parse(e.updated))));
    assert.equal(entries[0]!.author.name, 'babol Municipality');
    const self = [doc.feed.link].flat().find((l: { '@rel': string }) => l['@rel'] === 'self');
    assert.equal(self['@href'], `${BASE}/news/feed.atom?org=babol&lang=en`);
    assert.equal(XMLValidator.validate((await get('/news/feed.atom')).body), true);
  });

  test('list pages link their feeds', async () => {
    const b = (await get('/news?org=babol')).body;
    assert.ok(b.includes('<link rel="alternate" type="application/rss+xml"') && b.includes('href="/news/feed.rss?org=babol"'));
    assert.ok(b.includes('href="/news/feed.atom?org=babol"'));
  });
});

describe('the JSON API', () => {
  test('GET /api/v1/news/:code gives the article with absolute URLs, images, related and latest', async () => {
    const r = await get('/api/v1/news/4565');
    assert.equal(r.statusCode, 200);
    const a = r.json();
    assert.equal(a.code, 4565);
    assert.equal(a.url, `${BASE}/news/4565`);
    assert.equal(a.short_url, `${BASE}/n/4565`);
    assert.equal(a.published_at, '2015-02-01T19:45:00.000Z');
    assert.equal(a.org.code, 'sari-ict');
    assert.deepEqual(a.tags.map((x: { tag: string }) => x.tag), ['دولت الکترونیک', 'فاوا']);
    assert.equal(a.images[0].url, `${BASE}/news/images/${ids.img1}`);
    assert.equal(a.images[0].caption, 'نشست مشترک در ساختمان فاوا');
    assert.ok(a.body_html.includes('<strong>کامل</strong>'));
    assert.equal(a.related[0].code, 4600);
    assert.ok(a.latest.length > 0 && !a.latest.some((x: { code: number }) => x.code === 4565));
    assert.equal((await get('/api/v1/news/۴۵۶۵')).statusCode, 200, 'Persian digits');
  });

  test('GET /api/v1/news pages and filters', async () => {
    const r = (await get('/api/v1/news?org=amol&page=2')).json();
    assert.equal(r.total, 24);
    assert.equal(r.pages, 2);
    assert.equal(r.items.length, 4);
    assert.equal(r.per_page, 20);
  });

  test('the OpenAPI document lists the news API', async () => {
    const doc = (await get('/api/openapi.json')).json();
    assert.ok(doc.paths['/api/v1/news']?.get);
    assert.ok(doc.paths['/api/v1/news/{code}']?.get);
    assert.ok(doc.paths['/api/v1/news/{code}/share']?.post);
  });
});
