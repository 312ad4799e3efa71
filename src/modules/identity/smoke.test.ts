import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, signInCitizen } from '../../../test/helpers.js';

test('a citizen signs in with an SMS code and sees their profile', async () => {
  const t = await makeTestApp();
  try {
    const token = await signInCitizen(t, '۰۹۱۲ ۱۲۳ ۴۵۶۷');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().citizen.mobile, '09121234567');
    assert.equal(me.json().citizen.profile_complete, false);
  } finally {
    await t.close();
  }
});
