// A citizen on a phone: the Persian home page, the skip link, the language switch, signing in
// with an SMS code typed in Persian digits, completing the profile, signing out. axe runs on
// every page visited; a screenshot of each is saved under test-artifacts/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { formatDate } from '../../src/platform/i18n/format.js';
import { toPersianDigits } from '../../src/platform/i18n/persian.js';
import { checkA11y, inPage, launchBrowser, openPage, PHONE, randomMobile, skipBrowser, startApp, journey } from './support.js';
import { CitizenLoginPage, HomePage, Layout, ProfileFormPage, ProfilePage, VerifyPage } from './pages.js';

const ASCII_DIGIT = /[0-9]/;
const PERSIAN_DIGIT = /[۰-۹]/;

/** The fonts Chromium actually used to draw the text of the first element matching selector. */
async function renderedFonts(page: Page, selector: string): Promise<{ familyName: string; isCustomFont: boolean; glyphCount: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    return fonts;
  } finally {
    await cdp.detach();
  }
}

async function htmlLangDir(page: Page): Promise<{ lang: string | null; dir: string | null }> {
  const html = page.locator('html');
  return { lang: await html.getAttribute('lang'), dir: await html.getAttribute('dir') };
}

/** True when the locator's element has the keyboard focus. */
const isFocused = (page: Page, selector: string) => inPage<boolean>(page, `document.activeElement === document.querySelector(${JSON.stringify(selector)})`);

test('a citizen on a phone reads the home page in Persian, switches language, signs in with an SMS code, completes the profile and signs out', { skip: skipBrowser, timeout: 120_000 }, async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.close(); });
  const { page, problems } = await openPage(browser, PHONE, { isMobile: true });
  const step = journey(t, page);
  const home = new HomePage(page, 'fa');
  const mobile = randomMobile();

  await step('the home page is Persian, right-to-left, set in Vazirmatn, dated on the Jalali calendar', 'citizen-home', async () => {
    const before = Date.now();
    await home.goto(app.url);
    assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
    await home.heading.waitFor();
    assert.equal(await home.heading.innerText(), home.m('home.title'));

    // The font: the @font-face loaded, the body asks for it, and Chromium drew the heading with it.
    await inPage(page, 'document.fonts.ready.then(() => true)');
    assert.equal(await inPage<boolean>(page, `document.fonts.check('16px Vazirmatn')`), true, 'document.fonts.check(16px Vazirmatn)');
    const loaded = await inPage<number>(page, `[...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'Vazirmatn' && f.status === 'loaded').length`);
    assert.ok(loaded >= 1, 'no Vazirmatn font face was loaded');
    const family = await inPage<string>(page, 'getComputedStyle(document.body).fontFamily');
    assert.match(family, /^"?Vazirmatn"?,/, `body font-family is ${family}`);
    const used = await renderedFonts(page, 'main h1');
    assert.ok(used.some((f) => f.familyName === 'Vazirmatn' && f.isCustomFont), `the heading was drawn with ${JSON.stringify(used)}`);

    // Today's date: Jalali, Persian digits, as the server formats it for Tehran.
    const today = (await home.today.innerText()).trim();
    const expected = [formatDate(before, 'fa', 'long'), formatDate(Date.now(), 'fa', 'long')];
    assert.ok(expected.includes(today), `date shown: ${today}; expected ${expected[1]}`);
    assert.match(today, /۱۴[۰-۹]{2}/, 'a Jalali year in Persian digits');
    assert.doesNotMatch(today, ASCII_DIGIT);
    assert.ok(await home.today.isVisible(), 'the date is visible');
    assert.ok((await home.municipalities.count()) > 20, 'the municipalities of the province are listed');
    await home.assertNoRawKeys();
    await checkA11y(page, 'citizen-01-home-fa');
  });

  await step('the skip link is the first thing Tab reaches, it shows, and it moves the focus to the main content', 'citizen-skip-link', async () => {
    await home.goto(app.url);
    await page.keyboard.press('Tab');
    assert.equal(await isFocused(page, 'a.pk-skip'), true, 'the first Tab does not reach the skip link');
    assert.equal(await home.skipLink.innerText(), home.m('nav.skip'));
    assert.ok(await home.skipLink.isVisible(), 'skip link hidden when focused');
    const box = await home.skipLink.boundingBox();
    assert.ok(box && box.y >= 0 && box.x >= 0 && box.x + box.width <= PHONE.width && box.y + box.height <= PHONE.height, `skip link off screen: ${JSON.stringify(box)}`);
    await page.screenshot({ path: 'test-artifacts/screenshots/citizen-02-skip-link-focused.png' });
    await page.keyboard.press('Enter');
    await page.waitForURL(/#main$/);
    assert.equal(await isFocused(page, 'main'), true, 'focus did not move to <main>');
  });

  await step('switching to English gives a left-to-right page with a Gregorian date, and switching back restores Persian', 'citizen-language', async () => {
    await home.goto(app.url);
    await home.switchLanguage();
    assert.deepEqual(await htmlLangDir(page), { lang: 'en', dir: 'ltr' });
    assert.equal(await home.heading.innerText(), home.m('home.title'));
    const today = (await home.today.innerText()).trim();
    assert.ok([formatDate(Date.now() - 5000, 'en', 'long'), formatDate(Date.now(), 'en', 'long')].includes(today), `English date shown: ${today}`);
    assert.match(today, /\b20\d\d$/, 'a Gregorian year');
    assert.doesNotMatch(today, PERSIAN_DIGIT);
    assert.equal(await inPage<string>(page, 'getComputedStyle(document.body).direction'), 'ltr');
    await home.assertNoRawKeys();
    await checkA11y(page, 'citizen-03-home-en');

    await home.switchLanguage();
    assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
    assert.equal(await inPage<string>(page, 'getComputedStyle(document.body).direction'), 'rtl');
    assert.equal(await home.heading.innerText(), home.m('home.title'));
  });

  await step('the citizen types the mobile number in Persian digits and gets a code by SMS', 'citizen-login', async () => {
    await home.citizenSignIn.click();
    await page.waitForURL(/\/login$/);
    const login = new CitizenLoginPage(page, 'fa');
    assert.equal(await login.heading.innerText(), login.m('auth.citizen_title'));
    await checkA11y(page, 'citizen-04-login');
    await login.requestCode(toPersianDigits(mobile));
    const verify = new VerifyPage(page, 'fa');
    assert.equal(await verify.heading.innerText(), verify.m('auth.code'));
    const notice = await verify.status.first().innerText();
    assert.ok(notice.includes(toPersianDigits(mobile)), `the notice names the number in Persian digits: ${notice}`);
    await checkA11y(page, 'citizen-05-verify');
  });

  await step('the citizen types the code from the SMS, in Persian digits, and is asked to complete the profile', 'citizen-verify', async () => {
    const code = await app.otpFor(mobile);
    const verify = new VerifyPage(page, 'fa');
    await verify.enterCode(toPersianDigits(code));
    await page.waitForURL(/\/profile\/edit/);
    const form = new ProfileFormPage(page, 'fa');
    assert.equal(await form.heading.innerText(), form.m('profile.complete_title'));
    await checkA11y(page, 'citizen-06-profile-form');
  });

  await step('a wrong national code is refused next to its field; a valid one completes the profile', 'citizen-profile', async () => {
    const form = new ProfileFormPage(page, 'fa');
    await form.complete({ nationalCode: '۱۲۳۴۵۶۷۸۹۰', firstName: 'زهرا', lastName: 'حسینی' });
    await page.waitForLoadState('load');
    assert.equal(await form.nationalCode.getAttribute('aria-invalid'), 'true');
    const describedBy = (await form.nationalCode.getAttribute('aria-describedby')) ?? '';
    assert.ok(describedBy.includes('f-national_code-error'), `the error is not tied to the field: ${describedBy}`);
    assert.equal((await page.locator('#f-national_code-error').innerText()).trim(), form.m('profile.national_code_invalid'));
    assert.equal(await form.firstName.inputValue(), 'زهرا', 'the names typed are kept');
    await checkA11y(page, 'citizen-07-profile-form-error');

    await form.complete({ nationalCode: toPersianDigits('0499370899'), firstName: 'زهرا', lastName: 'حسینی' });
    await page.waitForURL(/\/profile\?saved=1$/);
    const profile = new ProfilePage(page, 'fa');
    assert.equal(await profile.heading.innerText(), profile.m('profile.title'));
    assert.equal((await profile.status.innerText()).trim(), profile.m('profile.saved'));
    assert.equal((await profile.value('profile.national_code').innerText()).trim(), '۰۴۹۹۳۷۰۸۹۹');
    assert.equal((await profile.value('profile.mobile').innerText()).trim(), toPersianDigits(mobile));
    assert.equal((await profile.value('profile.first_name').innerText()).trim(), 'زهرا');
    assert.equal((await profile.value('profile.last_name').innerText()).trim(), 'حسینی');
    const since = (await profile.value('profile.member_since').innerText()).trim();
    assert.match(since, /۱۴[۰-۹]{2}$/, `member since: ${since}`);
    assert.doesNotMatch(await profile.main.innerText(), ASCII_DIGIT, 'the Persian profile shows only Persian digits');
    assert.match(await profile.profileLink.innerText(), /زهرا/);
    await profile.assertNoRawKeys();
    await checkA11y(page, 'citizen-08-profile');
  });

  await step('signing out ends the session', 'citizen-sign-out', async () => {
    const layout = new Layout(page, 'fa');
    await layout.signOut.click();
    await page.waitForURL(`${app.url}/`);
    await layout.citizenSignIn.waitFor();
    assert.equal(await layout.profileLink.count(), 0);
    await checkA11y(page, 'citizen-09-signed-out');
    await page.goto(`${app.url}/profile`);
    assert.match(page.url(), /\/login\?next=%2Fprofile$/, 'the profile is no longer reachable');
  });

  assert.deepEqual(problems.list, [], 'console errors, CSP violations or failed sub-resources');
});
