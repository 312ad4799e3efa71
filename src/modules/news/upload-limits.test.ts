// Kept from the form fuzz run (test/fuzz/forms.test.ts): an image upload on the article page with
// more fields than the parser allows before the image answered 500 ("Premature close": the parser
// stopped the image part); it answers the form again with the image field named, in Persian.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInStaff, type TestApp } from '../../../test/helpers.js';

let t: TestApp;
let token: string;
let code: number;
before(async () => {
  t = await makeTestApp();
  const sari = await makeOrg(t, 'sari');
  const s = await makeStaff(t, 'sari.pr', [{ orgId: sari, role: 'pr_editor' }]);
  token = await signInStaff(t, 'sari.pr', s.password);
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/orgs/sari/news', headers: { authorization: `Bearer ${token}` }, payload: { title: 'افتتاح پیشخوان', body: 'متن خبر' } });
  assert.equal(r.statusCode, 201, r.body);
  code = r.json().code;
});
after(async () => { await t?.close(); });

test('an image upload with too many fields before the image answers 400 naming the image, not 500', async () => {
  const b = new FormBrowser(t, token);
  const csrf = await b.csrf(`/staff/news/${code}`);
  const pdf = Buffer.from('%PDF-1.4\n%\u00e2\u00e3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
  const r = await b.multipart(`/staff/news/${code}/images`, [
    { name: '_csrf', value: csrf }, { name: 'caption', value: 'NaN' }, { name: 'caption', value: 'undefined' }, { name: 'caption', value: 'چفیع' },
    { name: 'org_id', value: 'file:///etc/passwd' }, { name: 'image', filename: '', content: pdf, type: 'application/pdf' },
  ]);
  assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${r.statusCode}`);
  assert.match(r.body, /invalid-feedback[^>]*>مقدار واردشده معتبر نیست/);
  assert.equal((await t.deps.db.selectFrom('news_images').select('id').execute()).length, 0);
});
