// Kept from the form fuzz run (test/fuzz/forms.test.ts): a state change posted to a report that
// is already closed (another officer closed it, or a second tab) answered 409 with a page that
// said nothing: the state form, which holds the error alert, is not drawn for a closed report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormBrowser, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { makeMunicipalities, PLACES } from './test-factories.js';

let t: TestApp;
let clerk: string;
let reportId: string;
before(async () => {
  t = await makeTestApp();
  const org = await makeMunicipalities(t, ['sari']);
  const s = await makeStaff(t, 'sari.clerk', [{ orgId: org.sari!, role: 'clerk' }]);
  clerk = await signInStaff(t, 'sari.clerk', s.password);
  const citizen = await signInCitizen(t, '09121234567');
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${citizen}` }, payload: { category: 'pothole', description: 'چاله بزرگ وسط خیابان فرهنگ', ...PLACES.sari } });
  assert.equal(r.statusCode, 201, r.body);
  reportId = r.json().id;
});
after(async () => { await t?.close(); });

test('a state change on a report closed meanwhile answers 409 and says why, in Persian', async () => {
  const b = new FormBrowser(t, clerk);
  const csrf = await b.csrf(`/staff/reports/${reportId}`);
  const first = await b.post(`/staff/reports/${reportId}/state`, { _csrf: csrf, state: 'rejected', comment: 'خارج از حوزه شهرداری است' });
  assert.equal(first.statusCode, 303, first.body.slice(0, 300));
  const again = await b.post(`/staff/reports/${reportId}/state`, { _csrf: csrf, state: 'in_progress', comment: 'دوباره' });
  assert.equal(again.statusCode, 409);
  assert.match(again.body, /role="alert"[^>]*>[^<]*[\u0600-\u06FF]/);
});
