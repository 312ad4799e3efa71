// A pothole's whole life in the browser: a citizen places it on the map in Babol and files it;
// it lands in Babol's queue (and not in Sari's); a Babol clerk resolves it with a message; the
// citizen gets the SMS; the public page and the public map show it resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toAsciiDigits, toPersianDigits } from '../../src/platform/i18n/persian.js';
import { t as translate } from '../../src/platform/i18n/messages.js';
import '../../src/modules/grievances/messages.js';
import '../../src/modules/grievances/messages-web.js';
import '../../src/modules/grievances/messages-staff.js';
import { checkA11y, DESKTOP, journey, launchBrowser, openPage, randomMobile, screenshot, skipBrowser, startApp } from './support.js';
import { CitizenLoginPage, ProfileFormPage, StaffLoginPage, VerifyPage } from './pages.js';

const m = (key: string) => translate('fa', key);

test('a pothole reported on the map in Babol is resolved by Babol staff and shows resolved on the public map', { skip: skipBrowser, timeout: 240_000 }, async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.close(); });
  const citizen = await openPage(browser, DESKTOP);
  const page = citizen.page;
  const step = journey(t, page);
  const mobile = randomMobile();
  let code = '';

  await step('the citizen signs in and places a pothole in Babol on the map', 'lifecycle-file', async () => {
    await page.goto(`${app.url}/login?next=${encodeURIComponent('/report')}`);
    await new CitizenLoginPage(page, 'fa').requestCode(mobile);
    await new VerifyPage(page, 'fa').enterCode(toPersianDigits(await app.otpFor(mobile)));
    await page.waitForURL(/\/(report|profile\/edit)/);
    if (page.url().includes('/profile/edit')) {
      await new ProfileFormPage(page, 'fa').complete({ nationalCode: '0499370899', firstName: 'مهدی', lastName: 'کریمی' });
      await page.waitForURL(/\/report$/);
    }
    const map = page.getByRole('region', { name: m('rweb.form.map_label') });
    await map.locator('.leaflet-overlay-pane svg path').first().waitFor({ state: 'attached' });
    await page.getByLabel(m('rweb.form.municipality'), { exact: true }).selectOption('babol');
    await page.waitForTimeout(600);
    const box = (await map.boundingBox())!;
    await map.click({ position: { x: box.width / 2, y: box.height / 2 } });
    await map.locator('.leaflet-marker-icon').waitFor();
    await page.getByLabel(new RegExp(`^${m('report.field.category')}`)).selectOption('pothole');
    await page.getByLabel(new RegExp(`^${m('report.field.description')}`)).fill('چاله بزرگ جلوی ایستگاه اتوبوس');
    await Promise.all([page.waitForURL(/\/report\/filed\//), page.getByRole('button', { name: m('report.submit') }).click()]);
    code = toAsciiDigits((await page.locator('#pk-tracking-code').innerText()).trim());
    assert.match(code, /^BABOL-137-\d{4}-\d{6}$/);
  });

  const staff = await openPage(browser, DESKTOP);
  const desk = staff.page;
  t.after(() => staff.context.close());
  const row = () => desk.locator('main tr, main li').filter({ hasText: new RegExp(`${code}|${toPersianDigits(code)}`) });

  await step("it is not in Sari's queue", 'lifecycle-sari', async () => {
    await new StaffLoginPage(desk, 'fa').goto(app.url);
    await new StaffLoginPage(desk, 'fa').signIn('sari.admin', app.passwordOf('sari.admin'));
    await desk.waitForURL(/\/staff$/);
    await desk.goto(`${app.url}/staff/reports`);
    assert.equal(await row().count(), 0);
    const res = await desk.goto(`${app.url}/staff/reports?q=${code}`);
    assert.equal(res?.status(), 200);
    assert.equal(await row().count(), 0);
    await desk.context().clearCookies();
  });

  await step("it lands in Babol's queue; a Babol clerk resolves it with a message to the citizen", 'lifecycle-resolve', async () => {
    await new StaffLoginPage(desk, 'fa').goto(app.url);
    await new StaffLoginPage(desk, 'fa').signIn('babol.clerk', app.passwordOf('babol.clerk'));
    await desk.waitForURL(/\/staff$/);
    await desk.goto(`${app.url}/staff/reports`);
    await row().first().waitFor();
    await checkA11y(desk, 'lifecycle-01-babol-queue');
    await Promise.all([desk.waitForURL(/\/staff\/reports\/[\w-]+$/), row().first().getByRole('link').first().click()]);
    await desk.locator('#f-state').selectOption('resolved');
    await desk.locator('#f-state-comment').fill('چاله با آسفالت گرم ترمیم شد');
    await Promise.all([desk.waitForLoadState('load'), desk.locator('form[data-form="state"] button[type="submit"]').click()]);
    await desk.waitForURL(/\/staff\/reports\/[\w-]+/);
    assert.match(await desk.locator('main').innerText(), new RegExp(m('report.state.resolved')));
    await screenshot(desk, 'lifecycle-02-resolved-staff');
  });

  await step('the citizen gets the SMS; the public page and map show it resolved, without the citizen', 'lifecycle-public', async () => {
    await app.waitForMessage(mobile, new RegExp(`${code}[\\s\\S]*برطرف`), { channel: 'sms' });
    await page.goto(`${app.url}/reports/${code}`);
    const text = await page.locator('main').innerText();
    assert.match(text, new RegExp(m('report.state.resolved')));
    assert.match(text, /آسفالت گرم/);
    assert.ok(!text.includes('کریمی') && !text.includes(mobile), 'no personal data');
    await page.goto(`${app.url}/reports?org=babol&status=closed`);
    await page.locator('.pk-map .leaflet-overlay-pane svg path').first().waitFor({ state: 'attached' });
    assert.ok(await page.locator('main').filter({ hasText: new RegExp(`${code}|${toPersianDigits(code)}`) }).count() > 0 || await page.getByRole('link', { name: 'چاله و خرابی آسفالت' }).count() > 0);
    // The public map carries the report as closed and draws it as a green (closed) marker.
    const data = JSON.parse((await page.locator('[data-reports]').first().getAttribute('data-reports')) ?? '[]') as { code: string; open: boolean; state: string }[];
    const ours = data.find((r) => r.code === code);
    assert.ok(ours && ours.open === false, `the map data has the report as closed: ${JSON.stringify(ours)}`);
    await page.locator('.pk-map .leaflet-overlay-pane path[fill="#15803d"]').first().waitFor({ state: 'attached' });
    await screenshot(page, 'lifecycle-03-public-map');
    await checkA11y(page, 'lifecycle-03-public-closed');
    await page.goto(`${app.url}/reports?org=babol&status=open`);
    assert.equal(await page.locator('main').filter({ hasText: toPersianDigits(code) }).count(), 0, 'no longer among the open ones');
  });

  assert.deepEqual(citizen.problems.list, []);
  assert.deepEqual(staff.problems.list, []);
});
