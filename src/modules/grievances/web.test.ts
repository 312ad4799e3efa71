// The citizen's and the public's report pages over HTTP: the form (map container, no inline
// script), filing with photos, a refused photo keeping what was typed, an address with a
// municipality instead of a point, reopening and rating only by the owner, public pages without
// personal data, and RSS feeds that are XML and follow their filters.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FormBrowser, makeStaff, makeTestApp, signInCitizen, signInStaff, type FormPart, type TestApp } from '../../../test/helpers.js';
import { toPersianDigits } from '../../platform/i18n/persian.js';
import { t as translate } from '../../platform/i18n/messages.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';
import './messages-web.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const OWNER_MOBILE = '09131110001';
const OWNER = { first_name: 'شیرین', last_name: 'حسینی‌نژاد' };
const PRIVATE_ADDRESS = 'کوچه ارغوان، پلاک ۴۷، واحد ۳';
/** A real 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

before(async () => {
  t = await makeTestApp();
  const org = await makeMunicipalities(t, ['babol', 'sari']);
  const { password } = await makeStaff(t, 'babol.clerk', [{ orgId: org.babol!, role: 'clerk' }]);
  tokens.clerk = await signInStaff(t, 'babol.clerk', password);
  tokens.owner = await signInCitizen(t, OWNER_MOBILE);
  tokens.other = await signInCitizen(t, '09131110002');
  const p = await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: { authorization: `Bearer ${tokens.owner}` }, payload: { national_code: '0012345679', ...OWNER } });
  assert.equal(p.statusCode, 200, p.body);
});
after(async () => { await t?.close(); });

type Part = FormPart;

/** A browser signed in as one of the test's people (or no one). */
class Browser extends FormBrowser {
  constructor(who?: string) {
    super(t, who ? tokens[who] : undefined);
  }
}

const fa = (key: string, params?: Record<string, string | number>) => translate('fa', key, params);
const bearer = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
const myReports = async (who: string) => (await t.app.inject({ method: 'GET', url: '/api/v1/my/reports', headers: bearer(who) })).json().items as { id: string; tracking_code: string; state: string; address: string | null; lat: number; lng: number }[];
const fields = (f: Record<string, string>): Part[] => Object.entries(f).map(([name, value]) => ({ name, value }));
/** The HTML-escaped form of a text, as it appears in a page. */
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

async function fileByApi(who: string, category: string, place: { lat: number; lng: number }, extra: Record<string, unknown> = {}) {
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer(who), payload: { category, description: 'چاله عمیق جلوی مدرسه', ...place, ...extra } });
  assert.equal(r.statusCode, 201, r.body);
  const code = r.json().tracking_code as string;
  const id = (await myReports(who)).find((x) => x.tracking_code === code)!.id;
  return { code, id };
}

async function resolve(id: string) {
  const r = await t.app.inject({ method: 'POST', url: `/api/v1/reports/${id}/state`, headers: bearer('clerk'), payload: { state: 'resolved', comment: 'ترمیم شد' } });
  assert.equal(r.statusCode, 200, r.body);
}

test('the form has a map container, the category groups and questions, a photo input, and no inline script', async () => {
  const res = await new Browser('owner').get('/report');
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /data-pk-map="picker"/);
  assert.match(res.body, /<link rel="stylesheet" href="\/static\/vendor\/leaflet\/leaflet.css"/);
  assert.match(res.body, /enctype="multipart\/form-data"/);
  assert.match(res.body, /<input[^>]*type="file"[^>]*accept="[^"]*image\/\*[^"]*"[^>]*multiple/);
  assert.ok(res.body.includes(`label="${fa('rweb.group.urban-services')}"`), 'categories grouped by the 137 groups');
  assert.match(res.body, /name="attr\.pothole\.size"/);
  assert.match(res.body, /name="org"/);
  assert.doesNotMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script is a file');
  assert.doesNotMatch(res.body, /\son[a-z]+="/, 'no inline event handlers');
  assert.doesNotMatch(String(res.headers['content-security-policy']), /unsafe-inline/);
  for (const asset of ['/static/vendor/leaflet/leaflet.js', '/static/vendor/leaflet/leaflet.css', '/static/report-map.js', '/static/report-form.js', '/static/report-map.css']) {
    assert.equal((await t.app.inject({ method: 'GET', url: asset })).statusCode, 200, asset);
  }
  const en = await new Browser('owner').get('/report?lang=en');
  assert.match(en.body, /Report a city problem/);
  assert.match(en.body, /<html lang="en" dir="ltr"/);
});

test('filing with photos creates the report, shows the tracking code in Persian digits, and serves the photo', async () => {
  const b = new Browser('owner');
  const csrf = await b.csrf('/report');
  const res = await b.multipart('/report', [
    ...fields({ _csrf: csrf, lat: String(PLACES.babol.lat), lng: String(PLACES.babol.lng), org: '', address: '', category: 'pothole', 'attr.pothole.size': 'large', description: 'چاله بزرگ وسط خیابان' }),
    { name: 'photos', filename: 'pothole.png', content: PNG, type: 'image/png' },
    { name: 'photos', filename: 'pothole-2.png', content: PNG, type: 'image/png' },
  ]);
  assert.equal(res.statusCode, 303, res.body);
  const location = String(res.headers.location);
  assert.match(location, /^\/report\/filed\/BABOL-137-\d{4}-\d{6}$/);
  const code = decodeURIComponent(location.split('/').pop()!);
  const filed = await b.get(location);
  assert.equal(filed.statusCode, 200);
  assert.ok(filed.body.includes(toPersianDigits(code)), 'the tracking code in Persian digits');
  const mine = (await myReports('owner')).find((r) => r.tracking_code === code)!;
  assert.ok(mine);
  assert.ok(filed.body.includes(`/my/reports/${mine.id}`), 'a link to the report');

  const detail = await b.get(`/my/reports/${mine.id}`);
  assert.equal(detail.statusCode, 200);
  const urls = [...detail.body.matchAll(/<img src="(\/reports\/photos\/[^"]+)"/g)].map((m) => m[1]!);
  assert.equal(urls.length, 2, 'both photos are shown');
  const photo = await t.app.inject({ method: 'GET', url: urls[0]! });
  assert.equal(photo.statusCode, 200);
  assert.match(String(photo.headers['content-type']), /^image\/png/);
  assert.deepEqual(photo.rawPayload, PNG);
  assert.match(detail.body, /data-pk-map="point"/);

  const list = await b.get('/my/reports');
  assert.ok(list.body.includes(toPersianDigits(code)));
  assert.match(list.body, /class="badge text-bg-primary"/);
  assert.match(list.body, /۱۴۰۵\/۰۹\/۰۷/, 'the Jalali date in Persian digits');
});

test('a photo that is not an image re-renders the form with the field error and everything typed', async () => {
  const before = (await myReports('owner')).length;
  const b = new Browser('owner');
  const csrf = await b.csrf('/report');
  const description = 'زباله‌ها سه روز است جمع نشده <b>فوری</b>';
  const res = await b.multipart('/report', [
    ...fields({ _csrf: csrf, lat: String(PLACES.babol.lat), lng: String(PLACES.babol.lng), category: 'pothole', 'attr.pothole.size': 'medium', address: 'خیابان گنج‌افروز', description }),
    { name: 'photos', filename: 'notes.txt', content: Buffer.from('not a picture at all, just text'), type: 'text/plain' },
  ]);
  assert.equal(res.statusCode, 400, res.body);
  assert.ok(res.body.includes(html(description)), 'the description is kept');
  assert.ok(res.body.includes(fa('rweb.error.photo_type')), 'the photo error is named');
  assert.match(res.body, /id="f-photos"[^>]*class="form-control is-invalid"/);
  assert.match(res.body, /<option value="medium" selected/);
  assert.ok(res.body.includes('value="خیابان گنج‌افروز"'));
  assert.equal((await myReports('owner')).length, before, 'nothing was filed');

  const en = await b.multipart('/report?lang=en', [
    ...fields({ _csrf: csrf, lat: String(PLACES.babol.lat), lng: String(PLACES.babol.lng), category: 'pothole', description: 'x' }),
  ]);
  assert.equal(en.statusCode, 400);
  assert.ok(en.body.includes(translate('en', 'rweb.error.description_short')));
});

test('an address with a municipality places the report at the municipality, keeping the address', async () => {
  const b = new Browser('owner');
  const csrf = await b.csrf('/report');
  const res = await b.post('/report', { _csrf: csrf, lat: '', lng: '', org: 'sari', address: 'میدان ساعت، جنب بانک ملی', category: 'street-light', description: 'چراغ‌های میدان خاموش است' });
  assert.equal(res.statusCode, 303, res.body);
  const code = decodeURIComponent(String(res.headers.location).split('/').pop()!);
  assert.match(code, /^SARI-137-/);
  const r = (await myReports('owner')).find((x) => x.tracking_code === code)!;
  assert.equal(r.address, 'میدان ساعت، جنب بانک ملی');
  assert.equal(r.lat, PLACES.sari.lat);

  const noAddress = await b.post('/report', { _csrf: csrf, org: 'sari', category: 'street-light', description: 'چراغ‌های میدان خاموش است' });
  assert.equal(noAddress.statusCode, 400);
  assert.ok(noAddress.body.includes(fa('rweb.error.address_required')));
  const nowhere = await b.post('/report', { _csrf: csrf, category: 'street-light', description: 'چراغ‌های میدان خاموش است' });
  assert.equal(nowhere.statusCode, 400);
  assert.ok(nowhere.body.includes(fa('rweb.error.place_required')));
  const outside = await b.post('/report', { _csrf: csrf, lat: String(PLACES.tehran.lat), lng: String(PLACES.tehran.lng), category: 'street-light', description: 'چراغ‌های میدان خاموش است' });
  assert.equal(outside.statusCode, 400);
  assert.ok(outside.body.includes(fa('report.outside_area')));
  const noCsrf = await b.post('/report', { org: 'sari', address: 'x', category: 'street-light', description: 'چراغ‌های میدان خاموش است' });
  assert.equal(noCsrf.statusCode, 403);
});

test('the owner reopens a resolved report and rates a closed one; another citizen gets 404', async () => {
  const a = await fileByApi('owner', 'rubble', north(PLACES.babol, 900));
  const c = await fileByApi('owner', 'garbage', north(PLACES.babol, 1300));
  await resolve(a.id);
  await resolve(c.id);
  const owner = new Browser('owner');
  const page = await owner.get(`/my/reports/${a.id}`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(`action="/my/reports/${a.id}/reopen"`), 'a reopen form');
  assert.ok(page.body.includes(`action="/my/reports/${a.id}/rate"`), 'a rate form');
  assert.equal([...page.body.matchAll(/type="radio"[^>]*name="rating"/g)].length, 5, 'five stars');

  const csrf = await owner.csrf(`/my/reports/${a.id}`);
  const empty = await owner.post(`/my/reports/${a.id}/reopen`, { _csrf: csrf, comment: ' ' });
  assert.equal(empty.statusCode, 400);
  assert.ok(empty.body.includes(fa('rweb.error.comment_required')));
  const reopened = await owner.post(`/my/reports/${a.id}/reopen`, { _csrf: csrf, comment: 'نخاله‌ها هنوز کنار خیابان است' });
  assert.equal(reopened.statusCode, 303, reopened.body);
  assert.equal((await myReports('owner')).find((r) => r.id === a.id)!.state, 'reopened');
  const after = await owner.get(String(reopened.headers.location));
  assert.ok(after.body.includes(fa('rweb.reopen.done')));
  assert.ok(after.body.includes('نخاله‌ها هنوز کنار خیابان است'), 'the comment is in the timeline');

  const badRating = await owner.post(`/my/reports/${c.id}/rate`, { _csrf: csrf, rating: '9' });
  assert.equal(badRating.statusCode, 400);
  assert.ok(badRating.body.includes(fa('rweb.error.rating')));
  const rated = await owner.post(`/my/reports/${c.id}/rate`, { _csrf: csrf, rating: '۴', comment: 'سریع رسیدگی شد' });
  assert.equal(rated.statusCode, 303, rated.body);
  const ratedPage = await owner.get(`/my/reports/${c.id}`);
  assert.ok(ratedPage.body.includes(fa('rweb.detail.your_rating', { n: 4 })));
  assert.ok(!ratedPage.body.includes(`action="/my/reports/${c.id}/rate"`), 'rated once');

  const other = new Browser('other');
  const otherCsrf = await other.csrf('/report');
  assert.equal((await other.get(`/my/reports/${a.id}`)).statusCode, 404);
  assert.equal((await other.post(`/my/reports/${a.id}/reopen`, { _csrf: otherCsrf, comment: 'من هم' })).statusCode, 404);
  assert.equal((await other.post(`/my/reports/${c.id}/rate`, { _csrf: otherCsrf, rating: '1' })).statusCode, 404);
  const anonymous = await new Browser().get(`/my/reports/${a.id}`);
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/login\?next=/);
});

test('public pages and feeds never show the citizen\'s mobile, name or address', async () => {
  const r = await fileByApi('owner', 'pothole', north(PLACES.babol, -700), { address: PRIVATE_ADDRESS });
  const anon = new Browser();
  const pages = [
    await anon.get('/reports'),
    await anon.get('/reports?org=babol&category=pothole&status=open'),
    await anon.get(`/reports/${r.code}`),
    await anon.get('/reports/rss'),
    await anon.get('/reports/rss?org=babol'),
  ];
  for (const p of pages) {
    assert.equal(p.statusCode, 200);
    for (const secret of [OWNER_MOBILE, toPersianDigits(OWNER_MOBILE), OWNER_MOBILE.slice(1), OWNER.first_name, OWNER.last_name, PRIVATE_ADDRESS, html(PRIVATE_ADDRESS), 'پلاک ۴۷']) {
      assert.ok(!p.body.includes(secret), `"${secret}" must not be public`);
    }
  }
  const detail = pages[2]!;
  assert.ok(detail.body.includes(toPersianDigits(r.code)));
  assert.match(detail.body, /data-pk-map="point"[^>]*data-approximate="1"/);
  const list = pages[0]!;
  assert.match(list.body, /data-pk-map="reports"/);
  assert.match(list.body, /<link rel="alternate" type="application\/rss\+xml"[^>]*href="\/reports\/rss"/);
  assert.ok(list.body.includes(`/reports/${r.code}`));
  assert.equal((await anon.get('/reports/NOPE-137-1405-000001')).statusCode, 404);
});

test('the public list filters by municipality, category and status', async () => {
  const open = await fileByApi('other', 'flooding', north(PLACES.sari, 300));
  const closed = await fileByApi('other', 'flooding', north(PLACES.babol, 300));
  await resolve(closed.id);
  const anon = new Browser();
  const sari = await anon.get('/reports?org=sari&category=flooding');
  assert.ok(sari.body.includes(`/reports/${open.code}`));
  assert.ok(!sari.body.includes(`/reports/${closed.code}`));
  const closedOnly = await anon.get('/reports?category=flooding&status=closed');
  assert.ok(closedOnly.body.includes(`/reports/${closed.code}`));
  assert.ok(!closedOnly.body.includes(`/reports/${open.code}`));
  assert.match(closedOnly.body, /<option value="closed" selected/);
  assert.match(sari.body, /href="\/reports\/rss\?org=sari&amp;category=flooding"/);
});

test('RSS feeds are well-formed RSS 2.0 and follow the municipality and category', async () => {
  await fileByApi('owner', 'pothole', north(PLACES.sari, -400));
  await fileByApi('owner', 'street-light', north(PLACES.babol, -300), { description: 'چراغ <خاموش> & "شکسته"' });
  const feed = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/rss\+xml/);
    assert.equal(XMLValidator.validate(res.body), true, 'well-formed XML');
    const doc = new XMLParser({ ignoreAttributes: false }).parse(res.body);
    assert.equal(doc.rss['@_version'], '2.0');
    const items = doc.rss.channel.item ? [].concat(doc.rss.channel.item) as { title: string; link: string; guid: { '#text': string }; pubDate: string; description: string }[] : [];
    return { channel: doc.rss.channel, items };
  };
  const all = await feed('/reports/rss');
  assert.ok(all.items.length >= 3);
  for (const i of all.items) {
    assert.match(i.link, /^http:\/\/127\.0\.0\.1:3000\/reports\/[A-Z]+-137-/);
    assert.match(i.pubDate, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    assert.ok(i.link.endsWith(i.guid['#text']), 'the guid is the tracking code');
  }
  const babol = await feed('/reports/rss?org=babol');
  assert.ok(babol.items.length > 0 && babol.items.every((i) => i.guid['#text'].startsWith('BABOL-')));
  const potholes = await feed('/reports/rss?org=babol&category=pothole');
  assert.ok(potholes.items.length > 0);
  assert.ok(potholes.items.every((i) => i.guid['#text'].startsWith('BABOL-') && i.title.startsWith('چاله و خرابی آسفالت')), JSON.stringify(potholes.items.map((i) => i.title)));
  assert.ok(potholes.items.every((i) => i.description.includes(fa('report.state.received')) || i.description.includes(fa('report.state.resolved')) || i.description.includes(fa('rweb.state.reopened'))));
  assert.match(String(potholes.channel.title), /بابل|babol/);
  const english = await feed('/reports/rss?org=babol&category=pothole&lang=en');
  assert.ok(english.items.every((i) => i.title.startsWith('Pothole')));
  assert.equal((await t.app.inject({ method: 'GET', url: '/reports/rss?org=nowhere' })).statusCode, 404);
});

test('a configured tile server reaches the maps and the CSP allows its images, nothing else', async () => {
  const tiles = await makeTestApp({ MAP_TILE_URL: 'https://{s}.tile.example.org/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: '© Example contributors' });
  try {
    const res = await tiles.app.inject({ method: 'GET', url: '/report' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /data-tiles="https:\/\/\{s\}\.tile\.example\.org\/\{z\}\/\{x\}\/\{y\}\.png"/);
    assert.match(res.body, /data-attribution="© Example contributors"/);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /img-src 'self' data: https:\/\/\*\.tile\.example\.org(;|$)/);
    assert.match(csp, /script-src 'self'(;|$)/);
    // Without the setting there are no tiles and no other image origin.
    const plain = await t.app.inject({ method: 'GET', url: '/report' });
    assert.doesNotMatch(plain.body, /data-tiles="http/);
    assert.match(String(plain.headers['content-security-policy']), /img-src 'self' data:(;|$)/);
  } finally {
    await tiles.close();
  }
});
