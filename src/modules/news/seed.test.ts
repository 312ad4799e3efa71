// The demo newsroom: published articles of the demo organizations, article 4565 with the date
// line of 12 Bahman 1393 23:15 in Tehran, and a counter that continues after the highest code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeStaff, makeTestApp, signInStaff, type TestApp } from '../../../test/helpers.js';
import { formatDateTime } from '../../platform/i18n/format.js';
import { searchKey } from '../../platform/i18n/persian.js';
import { DEMO_ARTICLES, seedNews } from './seed.js';
import { publicArticles } from './visibility.js';
import { dangerous } from './xss-fixtures.js';

let t: TestApp;
const ids: Record<string, string> = {};
before(async () => {
  t = await makeTestApp();
  ids.sari = await makeOrg(t, 'sari');
  for (const code of ['babol', 'amol']) ids[code] = await makeOrg(t, code);
  ids['sari-ict'] = await makeOrg(t, 'sari-ict', 'ict', ids.sari);
});
after(async () => { await t.close(); });

test('every demo article is publicly visible, sanitized and tagged; 4565 is Sari ICT\'s of 12 Bahman 1393 23:15', async () => {
  assert.equal(await seedNews(t.deps.db, t.clock.now()), DEMO_ARTICLES.length);
  assert.equal(await seedNews(t.deps.db, t.clock.now()), 0, 'once');
  const visible = await publicArticles(t.deps.db, t.clock.now()).selectAll().orderBy('code').execute();
  assert.equal(visible.length, DEMO_ARTICLES.length);
  assert.ok(new Set(visible.map((a) => a.org_id)).size >= 4, 'several organizations');
  for (const a of visible) {
    assert.equal(dangerous(a.body_html), null);
    assert.ok(JSON.parse(a.tags).length > 0);
    assert.ok(Number(a.published_at) <= t.clock.now());
  }
  const a = visible.find((r) => Number(r.code) === 4565)!;
  assert.equal(a.org_id, ids['sari-ict']);
  assert.equal(Number(a.published_at), Date.parse('2015-02-01T19:45:00Z'));
  assert.equal(formatDateTime(Number(a.published_at), 'fa', 'long'), 'یکشنبه ۱۲ بهمن ۱۳۹۳، ساعت ۲۳:۱۵');
  assert.match(a.title, /سازمان فاوای شهرداری ساری/);
  assert.match(a.body_html, /سازمان مرجع شهرداری‌های استان/);
  assert.ok(a.search_text.includes(searchKey('شورای عالی توسعه خدمات الکترونیک')));
  // Written in our own words: the source's long sentences are not there.
  for (const phrase of ['از سوي مسئولان فناوري اطلاعات و مديران كل استانداري مازندران', 'بر موارد مهم و قابل اجراي زير تاكيد شد']) {
    assert.ok(!a.search_text.includes(searchKey(phrase)), phrase);
  }
  const tags = await t.deps.db.selectFrom('news_tags').select('tag').where('article_id', '=', a.id).execute();
  assert.ok(tags.some((r) => r.tag === 'دولت الکترونیک'));
});

test('the next article an editor writes gets the code after the highest demo code', async () => {
  const { password } = await makeStaff(t, 'sari.pr', [{ orgId: ids.sari!, role: 'pr_editor' }]);
  const token = await signInStaff(t, 'sari.pr', password);
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/orgs/sari/news', headers: { authorization: `Bearer ${token}` }, payload: { title: 'تازه', body: 'متن' } });
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().code, Math.max(...DEMO_ARTICLES.map((d) => d.code)) + 1);
});
