// Errors from text PostgreSQL cannot store are the caller's bad input (400), on every route and
// both databases, never a 500.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../../../test/helpers.js';
import { toAppError } from './error-handler.js';

let t: TestApp;
before(async () => { t = await makeTestApp(); });
after(async () => { await t.close(); });

test("PostgreSQL's invalid-text errors map to 400, other database errors stay unexpected", () => {
  assert.equal(toAppError(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))?.status, 400);
  assert.equal(toAppError(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }))?.status, 400);
  assert.equal(toAppError(Object.assign(new Error('syntax error'), { code: '42601' })), null);
});

test('a NUL character in a page address, a search, a tracking code or a sign-in field answers 4xx, not 500', async () => {
  // The service pages answered 500 on PostgreSQL before: their code went straight into a query.
  for (const url of ['/services/a%00', '/orgs/a%00/services/x', '/api/v1/services?q=a%00b', '/api/v1/track/AB%00CD', '/track?code=%00']) {
    const res = await t.app.inject({ method: 'GET', url });
    assert.ok((res.statusCode >= 400 && res.statusCode < 500) || res.statusCode === 200, `${url} answered ${res.statusCode}`);
    assert.ok(!/\bat .+:\d+:\d+/.test(res.body), 'no stack trace');
  }
  const otp = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { mobile: '0912\u0000' } });
  assert.equal(otp.statusCode, 400);
});
