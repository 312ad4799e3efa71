// The newsroom in the browser: a PR editor of Sari publishes an article with the editor form;
// the public finds it at /news by searching a phrase typed with Arabic ي and ك; opens it (date
// line, news code, short URL), checks it with axe at desktop and phone widths, and sends it to
// a friend; the e-mail arrives at a real SMTP server with the article's link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { t as translate } from '../../src/platform/i18n/messages.js';
import { toPersianDigits } from '../../src/platform/i18n/persian.js';
import { readMail, startSmtp } from '../../src/modules/news/public-fixtures.js';
import '../../src/modules/news/messages-public.js';
import { StaffLoginPage } from './pages.js';
import { checkA11y, DESKTOP, journey, launchBrowser, openPage, PHONE, screenshot, skipBrowser, startApp } from './support.js';

const m = (key: string, params?: Record<string, string | number>) => translate('fa', key, params);

const TITLE = 'افتتاح کتابخانه الکترونیکی شهرداری ساری برای شهروندان';
const LEAD = 'شهروندان ساری از این هفته کتاب‌های کتابخانه الکترونیکی شهرداری را بی‌هزینه و برخط امانت می‌گیرند.';
const BODY = 'به گزارش روابط عمومی شهرداری ساری، **کتابخانه الکترونیکی** با ۱۲۰۰ عنوان کتاب آغاز به کار کرد.\n\nثبت‌نام با کد ملی انجام می‌شود.';
/** The same words as a visitor with an Arabic keyboard types them: Arabic kaf (ك) and yeh (ي). */
const TYPED_WITH_ARABIC_LETTERS = 'كتابخانه الكترونيكي شهرداري';

test('an editor publishes an article; the public finds it by an Arabic-letter search and sends it to a friend by e-mail', { skip: skipBrowser, timeout: 240_000 }, async (t) => {
  const smtp = await startSmtp();
  const app = await startApp({ SMTP_URL: smtp.url, MAIL_FROM: 'پیشخوان <no-reply@pishkhan.example.ir>' });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.close(); await smtp.close(); });
  const editor = await openPage(browser, DESKTOP);
  const visitor = await openPage(browser, DESKTOP);
  let current = editor.page;
  const step = journey(t, () => current);
  let code = 0;

  await step('the PR editor signs in and publishes an article with the editor form', 'news-editor', async () => {
    const page = editor.page;
    const login = await new StaffLoginPage(page, 'fa').goto(app.url);
    await login.signIn('sari.pr', app.passwordOf('sari.pr'));
    await page.goto(`${app.url}/staff/news/new`);
    const form = page.locator('#article-form');
    await form.locator('[name="title"]').fill(TITLE);
    await form.locator('[name="lead"]').fill(LEAD);
    await form.locator('[name="body_format"]').selectOption('markdown');
    await form.locator('[name="body"]').fill(BODY);
    await form.locator('[name="tags"]').fill('کتابخانه، شهروند الکترونیک');
    if (await form.locator('select[name="org"]').count()) await form.locator('select[name="org"]').selectOption('sari');
    await Promise.all([page.waitForURL(/\/staff\/news\/\d+/), form.locator('button[name="action"][value="publish"]').click()]);
    const link = page.locator('a.public-link');
    await link.waitFor();
    const href = await link.getAttribute('href');
    assert.match(href ?? '', /^\/news\/\d+$/);
    code = Number(href!.split('/').pop());
    assert.deepEqual(editor.problems.list, []);
  });

  await step('the public finds it at /news by searching with Arabic ي and ك', 'news-search', async () => {
    current = visitor.page;
    const page = visitor.page;
    await page.goto(app.url);
    await Promise.all([page.waitForURL(/\/news$/), page.getByRole('navigation', { name: m('nav.main') }).getByRole('link', { name: m('newsp.nav'), exact: true }).click()]);
    await page.getByRole('heading', { level: 1, name: m('newsp.province_title') }).waitFor();
    await page.getByRole('searchbox', { name: m('newsp.search_label') }).fill(TYPED_WITH_ARABIC_LETTERS);
    await Promise.all([page.waitForURL(/\/news\?q=/), page.getByRole('button', { name: m('newsp.search_button') }).click()]);
    const result = page.getByRole('link', { name: TITLE, exact: true });
    await result.waitFor();
    await screenshot(page, 'news-search-1280');
    await Promise.all([page.waitForURL(new RegExp(`/news/${code}$`)), result.click()]);
  });

  await step('the article page shows the date line, news code and short URL, and passes axe at 1280 and 390 px', 'news-article', async () => {
    const page = visitor.page;
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    const main = await page.locator('main').innerText();
    assert.ok(main.includes(m('newsp.code', { code: toPersianDigits(String(code)) })), 'کد خبر');
    assert.match(main, /(شنبه|یکشنبه|دوشنبه|سه‌شنبه|چهارشنبه|پنجشنبه|جمعه) [۰-۹]+ [^\s]+ [۰-۹]{4} - [۰-۹]{2}:[۰-۹]{2}/, 'the Persian date line');
    assert.ok(main.includes('کتابخانه الکترونیکی'), 'the body');
    assert.equal(await page.locator('.pk-news-body strong').innerText(), 'کتابخانه الکترونیکی', 'Markdown rendered');
    assert.ok(main.includes(`/n/${code}`), 'the short URL');
    assert.equal(await page.getAttribute('link[rel="canonical"]', 'href'), `${app.deps.config.publicUrl}/news/${code}`);
    await page.getByRole('heading', { name: m('newsp.latest') }).waitFor();
    await checkA11y(page, 'news-article-1280');
    const phone = await openPage(browser, PHONE, { isMobile: true });
    t.after(() => phone.context.close());
    await phone.page.goto(`${app.url}/news/${code}`);
    await phone.page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    const overflow = await phone.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await checkA11y(phone.page, 'news-article-390');
    assert.deepEqual(phone.problems.list, []);
  });

  await step('a bad address is refused naming the field and keeps what was typed; then the article is sent to a friend', 'news-share', async () => {
    const page = visitor.page;
    const name = page.getByLabel(new RegExp(`^${m('newsp.share.sender_name')}`));
    const email = page.getByLabel(new RegExp(`^${m('newsp.share.recipient_email')}`));
    await name.fill('نرگس');
    await email.fill('friend-at-example.com');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: m('newsp.share.send'), exact: true }).click()]);
    await page.getByText(m('newsp.share.email_invalid')).first().waitFor();
    assert.equal(await name.inputValue(), 'نرگس');
    assert.equal(await email.inputValue(), 'friend-at-example.com');
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    await checkA11y(page, 'news-share-error-1280');
    await email.fill('friend@example.com');
    await Promise.all([page.waitForURL(/shared=1/), page.getByRole('button', { name: m('newsp.share.send'), exact: true }).click()]);
    await page.getByText(m('newsp.share.sent_generic')).waitFor();
  });

  await step('the e-mail arrives at the test SMTP server with the link', 'news-mail', async () => {
    const deadline = Date.now() + 10_000;
    while (smtp.messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(smtp.messages.length, 1);
    assert.deepEqual(smtp.messages[0]!.rcpt, ['friend@example.com']);
    const mail = readMail(smtp.messages[0]!.raw);
    assert.ok(mail.subject.includes(TITLE), mail.subject);
    assert.ok(mail.text.includes(`${app.deps.config.publicUrl}/news/${code}`), mail.text);
    assert.ok(mail.text.includes(LEAD) && mail.text.includes('نرگس'));
  });

  await step('the demo article 4565 reads like the reference page: date line, news code, latest titles; printable', 'news-4565', async () => {
    const page = visitor.page;
    await page.goto(`${app.url}/n/4565`);
    assert.ok(page.url().endsWith('/news/4565'), 'the short link leads to the article');
    const head = await page.locator('.pk-news-dateline').innerText();
    assert.match(head, /یکشنبه ۱۲ بهمن ۱۳۹۳ - ۲۳:۱۵/);
    assert.match(head, /کد خبر: ۴۵۶۵/);
    assert.ok((await page.getByRole('region', { name: m('newsp.latest') }).getByRole('listitem').count()) > 0, 'آخرین عناوین beside it');
    await checkA11y(page, 'news-4565-1280');
    await Promise.all([page.waitForURL(/\/news\/4565\/print$/), page.getByRole('link', { name: m('newsp.print') }).click()]);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'news-4565-print');
    await page.emulateMedia({ media: 'screen' });
  });

  await step('no console errors, CSP violations or broken resources', 'news-problems', async () => {
    assert.deepEqual(visitor.problems.list, []);
  });
});
