// A citizen reports a pothole in Babol: signs in with an SMS code, places the problem on the map
// (no tile server: the map shows the municipalities' boundaries), picks the category and its
// question, attaches a photo, files, sees the tracking code in Persian digits, and finds the
// report under "My reports"; the public map and list show it. Screenshots at 1280 px and 390 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { toAsciiDigits, toPersianDigits } from '../../src/platform/i18n/persian.js';
import '../../src/modules/grievances/messages-web.js';
import { checkA11y, DESKTOP, inPage, journey, launchBrowser, openPage, PHONE, randomMobile, screenshot, skipBrowser, startApp } from './support.js';
import { CitizenLoginPage, Layout, ProfileFormPage, VerifyPage } from './pages.js';

/** A real 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const BABOL = { lat: 36.5513, lng: 52.679 };

/** The report form as a citizen sees it. */
class ReportFormPage extends Layout {
  get map() { return this.page.getByRole('region', { name: this.m('rweb.form.map_label') }); }
  get municipality() { return this.page.getByLabel(this.m('rweb.form.municipality'), { exact: true }); }
  get category() { return this.page.getByLabel(new RegExp(`^${this.m('report.field.category')}`)); }
  get description() { return this.page.getByLabel(new RegExp(`^${this.m('report.field.description')}`)); }
  get photos() { return this.page.getByLabel(this.m('rweb.form.photos'), { exact: true }); }
  get lat() { return this.page.getByLabel(this.m('report.field.lat'), { exact: true }); }
  get lng() { return this.page.getByLabel(this.m('report.field.lng'), { exact: true }); }
  get submit() { return this.role('button', this.m('report.submit')); }
  /** Waits until Leaflet drew the municipalities' boundaries on the map. */
  async mapReady(): Promise<void> {
    await this.map.locator('.leaflet-overlay-pane svg path').first().waitFor({ state: 'attached' });
  }
}

async function assertRtl(page: Page) {
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  // The header's brand sits at the right edge of a right-to-left page.
  const brand = await page.locator('.navbar-brand').boundingBox();
  const width = page.viewportSize()!.width;
  assert.ok(brand && brand.x + brand.width > width / 2, `the brand is on the right (${JSON.stringify(brand)})`);
}

async function assertNoHorizontalScroll(page: Page) {
  const overflow = await inPage<number>(page, 'document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
}

test('a citizen reports a pothole in Babol on the map with a photo and finds it under My reports', { skip: skipBrowser, timeout: 180_000 }, async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.close(); });
  const { page, problems, context } = await openPage(browser, DESKTOP);
  const step = journey(t, page);
  const mobile = randomMobile();
  const form = new ReportFormPage(page, 'fa');
  let code = '';

  await step('the citizen signs in from the report page and comes back to the form', 'reports-sign-in', async () => {
    await page.goto(`${app.url}/login?next=${encodeURIComponent('/report')}`);
    await new CitizenLoginPage(page, 'fa').requestCode(mobile);
    await new VerifyPage(page, 'fa').enterCode(toPersianDigits(await app.otpFor(mobile)));
    await page.waitForURL(/\/(report|profile\/edit)/);
    if (page.url().includes('/profile/edit')) {
      await new ProfileFormPage(page, 'fa').complete({ nationalCode: '0499370899', firstName: 'نرگس', lastName: 'رحیمی' });
      await page.waitForURL(/\/report$/);
    }
    await form.heading.waitFor();
    assert.equal(await form.heading.innerText(), form.m('report.page_title'));
  });

  await step('the map renders without tiles: the boundaries of the municipalities, no tile images', 'reports-map', async () => {
    await form.mapReady();
    assert.equal(await form.map.locator('img.leaflet-tile').count(), 0, 'no tile server is configured');
    assert.ok(await form.map.locator('.leaflet-overlay-pane svg path').count() > 10, 'municipality boundaries are drawn');
    await assertRtl(page);
    await assertNoHorizontalScroll(page);
    await checkA11y(page, 'reports-01-form-1280');
  });

  await step('choosing Babol moves the map there; a click on the map sets the place', 'reports-place', async () => {
    await form.municipality.selectOption('babol');
    const box = (await form.map.boundingBox())!;
    await form.map.click({ position: { x: box.width / 2, y: box.height / 2 } });
    await form.map.locator('.leaflet-marker-icon').waitFor();
    const lat = Number(await form.lat.inputValue());
    const lng = Number(await form.lng.inputValue());
    assert.ok(Math.abs(lat - BABOL.lat) < 0.03 && Math.abs(lng - BABOL.lng) < 0.04, `the point ${lat},${lng} is in Babol`);
  });

  await step('the citizen picks pothole, answers its question, describes it and attaches a photo', 'reports-fill', async () => {
    await form.category.selectOption('pothole');
    const size = page.getByLabel('اندازه تقریبی', { exact: false });
    await size.first().waitFor();
    assert.equal(await page.locator('.pk-attrs[data-category="pothole"]').isVisible(), true, 'the pothole question shows');
    assert.equal(await page.locator('.pk-attrs[data-category="rubble"]').isVisible(), false, 'other categories\' questions are hidden');
    await page.locator('select[name="attr.pothole.size"]').selectOption('large');
    await form.description.fill('چاله عمیق وسط خیابان، خطرناک برای موتورسوارها');
    await form.photos.setInputFiles({ name: 'pothole.png', mimeType: 'image/png', buffer: PNG });
    await screenshot(page, 'reports-02-form-filled-1280');
  });

  await step('filing shows the tracking code in Persian digits and a link to the report', 'reports-filed', async () => {
    await Promise.all([page.waitForURL(/\/report\/filed\//), form.submit.click()]);
    const shown = (await page.locator('#pk-tracking-code').innerText()).trim();
    assert.match(shown, /^BABOL-[۰-۹]{3}-[۰-۹]{4}-[۰-۹]{6}$/);
    code = toAsciiDigits(shown);
    await checkA11y(page, 'reports-03-filed-1280');
  });

  await step('the report is under My reports, with its photo and map on its page', 'reports-mine', async () => {
    await page.goto(`${app.url}/my/reports`);
    const link = page.locator('main li', { hasText: toPersianDigits(code) }).getByRole('link', { name: 'چاله و خرابی آسفالت' });
    await link.waitFor();
    await checkA11y(page, 'reports-04-mine-1280');
    await Promise.all([page.waitForURL(/\/my\/reports\/[\w-]+$/), link.click()]);
    await page.locator('.pk-photos img').first().waitFor();
    assert.equal(await inPage<boolean>(page, `document.querySelector('.pk-photos img').naturalWidth === 1`), true, 'the photo loads');
    await page.locator('.pk-map .leaflet-marker-icon').waitFor();
    await checkA11y(page, 'reports-05-my-report-1280');
  });

  await step('reporting the same problem again at the same place offers the open report to follow instead', 'reports-nearby', async () => {
    await page.goto(`${app.url}/report`);
    await form.mapReady();
    await form.municipality.selectOption('babol');
    const box = (await form.map.boundingBox())!;
    await form.map.click({ position: { x: box.width / 2, y: box.height / 2 } });
    await form.map.locator('.leaflet-marker-icon').waitFor();
    await form.category.selectOption('pothole');
    const nearby = page.locator('#pk-nearby');
    await nearby.waitFor({ state: 'visible' });
    const follow = nearby.getByRole('link', { name: new RegExp(form.m('rweb.form.nearby_follow')) });
    assert.equal(await follow.getAttribute('href'), `/reports/${code}`);
    await screenshot(page, 'reports-06a-nearby-1280');
    await Promise.all([page.waitForURL(new RegExp(`/reports/${code}$`)), follow.click()]);
  });

  await step('the public map and list show the report without the citizen', 'reports-public', async () => {
    await page.goto(`${app.url}/reports?org=babol`);
    await page.locator('.pk-map .leaflet-overlay-pane svg path').first().waitFor({ state: 'attached' });
    assert.ok(await page.getByRole('link', { name: 'چاله و خرابی آسفالت' }).count() >= 1);
    assert.equal((await page.locator('main').innerText()).includes('رحیمی'), false, 'the citizen\'s name is not in the public list');
    await checkA11y(page, 'reports-06-public-1280');
  });

  await step('on a 390 px phone the form, my reports and the public list fit the screen, right to left', 'reports-phone', async () => {
    const phone = await openPage(browser, PHONE, { isMobile: true });
    t.after(() => phone.context.close());
    await phone.context.addCookies(await context.cookies(app.url));
    const p = phone.page;
    await p.goto(`${app.url}/report`);
    await new ReportFormPage(p, 'fa').mapReady();
    await assertRtl(p);
    await assertNoHorizontalScroll(p);
    await screenshot(p, 'reports-07-form-390');
    await p.goto(`${app.url}/my/reports`);
    await assertNoHorizontalScroll(p);
    await screenshot(p, 'reports-08-mine-390');
    await p.goto(`${app.url}/reports/${code}`);
    await p.locator('.pk-map .leaflet-overlay-pane svg path').first().waitFor({ state: 'attached' });
    await assertNoHorizontalScroll(p);
    await screenshot(p, 'reports-09-public-report-390');
    assert.deepEqual(phone.problems.list, []);
  });

  assert.deepEqual(problems.list, [], 'no console errors, CSP violations or broken resources');
});
