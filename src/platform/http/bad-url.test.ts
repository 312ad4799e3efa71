// Kept from the fuzz run (test/fuzz/api.test.ts): a path the router cannot decode (`%ZZ`, an
// overlong UTF-8 `%C0%AF`) or a parameter past its length answered Fastify's own English JSON,
// echoing the path, on the API and on pages alike; now the localized problem of any bad input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../../../test/helpers.js';

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
