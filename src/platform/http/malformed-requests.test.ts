// Kept from the fuzz run (test/fuzz/api.test.ts): a path the router cannot decode (`%ZZ`, an
// overlong UTF-8 `%C0%AF`) or a parameter past its length answered Fastify's own English JSON,
// echoing the path, on the API and on pages alike; now the localized problem of any bad input.
// A multipart upload without a boundary (or cut short) answered 500; now 400 naming the body.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, signInCitizen, type TestApp } from '../../../test/helpers.js';

let t: TestApp;
before(async () => { t = await makeTestApp(); });
after(async () => { await t?.close(); });

test('the API answers a localized JSON problem for an undecodable path (400) and an overlong parameter (414)', async () => {
  for (const [url, status] of [['/api/v1/orgs/%ZZ', 400], ['/api/v1/applications/%C0%AF/bills', 400], [`/api/v1/orgs/${'x'.repeat(5000)}`, 414]] as const) {
    const fa = await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'fa' } });
    assert.equal(fa.statusCode, status, url);
    assert.equal(fa.json().error.code, 'common.invalid_input');
    assert.match(fa.json().error.message, /[\u0600-\u06FF]/);
    assert.ok(!fa.body.includes('FST_ERR') && !fa.body.includes('%ZZ') && !fa.body.includes('xxxxxxxxxx'), 'the path is not echoed');
    const en = await t.app.inject({ method: 'POST', url, headers: { 'accept-language': 'en' }, payload: { a: 1 } });
    assert.equal(en.statusCode, status);
    assert.match(en.json().error.message, /not valid/);
  }
});

test('a page answers the Persian error page for an undecodable path', async () => {
  for (const url of ['/news/%C0%AF', '/orgs/%ZZ', `/services/${'y'.repeat(500)}`]) {
    const r = await t.app.inject({ method: 'GET', url, headers: { cookie: 'pk_session=nothing' } });
    assert.ok(r.statusCode === 400 || r.statusCode === 414, `${url}: ${r.statusCode}`);
    assert.match(String(r.headers['content-type']), /text\/html/);
    assert.ok(r.body.includes('برخی از مقادیر'), 'the Persian message');
    assert.ok(!r.body.includes('FST_ERR'));
  }
});

test('an upload whose multipart body has no boundary, or is cut short, answers 400 naming the body', async () => {
  const token = await signInCitizen(t, '09121234567');
  const id = '0193b1e4-5c2a-7e90-8d4f-3a6b9c1e2f70';
  const bodies: [string, Buffer][] = [
    ['multipart/form-data', Buffer.from([133, 121])],
    ['multipart/form-data; boundary=', Buffer.from('--\r\n')],
    ['multipart/form-data; boundary=B', Buffer.from('--B\r\nContent-Disposition: form-data; name="photos"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG')],
  ];
  for (const url of [`/api/v1/my/reports/${id}/photos`, `/api/v1/applications/${id}/documents`]) {
    for (const [type, payload] of bodies) {
      const r = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': type, 'accept-language': 'en' }, payload });
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${url} ${type}: ${r.statusCode} ${r.body.slice(0, 200)}`);
      assert.ok(r.json().error.message);
    }
  }
});
