// A building permit in Sari, end to end, in the Persian UI. A citizen on a phone finds the
// service by a search typed with an Arabic yeh, opens Sari's service page, applies (signing in
// by SMS code on the way), fills the form in Persian digits, uploads a real PDF for each required
// document, sees the fees, submits with a double click (one application, one tracking code, one
// SMS). Then Sari's clerk accepts it from the inbox, the inspector approves the plans, the clerk
// confirms the payment by bank receipt (online payment comes later), and the citizen sees the
// outcome, opens the result letter, whose code verifies for anyone; public tracking shows the
// status and nothing personal. Every actor has their own browser context; axe runs on every page
// visited and a screenshot of each goes to test-artifacts/screenshots/eservices-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { formatRials, jalaliParts } from '../../src/platform/i18n/format.js';
import { toPersianDigits } from '../../src/platform/i18n/persian.js';
import { adoptedService } from '../../src/modules/catalog/lookup.js';
import { computeFees } from '../../src/modules/catalog/workflow.js';
import { DEMO_MUNICIPALITIES, DEMO_STAFF } from '../../src/modules/orgs/demo-data.js';
import {
  checkA11y, DESKTOP, journey, launchBrowser, openPage, PHONE, randomMobile, skipBrowser, startApp, writeSamplePdf, type BrowserPage,
} from './support.js';
import {
  ApplyFormPage, assertNoRawKeysOf, CasePage, CatalogPage, CitizenLoginPage, DocumentsPage, HomePage, InboxPage, LetterCheckPage, LetterPage,
  MyApplicationPage, MyApplicationsPage, ProfileFormPage, ReviewPage, ServicePage, StaffLoginPage, SubmittedPage, TrackStatusPage, VerifyPage,
} from './pages.js';

const SERVICE = 'building-permit';
const SERVICE_TITLE = 'صدور پروانه ساختمانی';
/** «پروانه ساختمانی» as many Iranian keyboards and documents type it: with an Arabic yeh (U+064A). */
const SEARCH_WITH_ARABIC_YEH = 'پروانه ساختمان\u064A';
const SARI = DEMO_MUNICIPALITIES.find((o) => o.code === 'sari')!.fa;
const CITIZEN = { nationalCode: '0499370899', firstName: 'زهرا', lastName: 'حسینی' };

// The workflow of definitions/building-permit.yaml, as its titles read.
const STATE = { submitted: 'بررسی اولیه مدارک', inspection: 'بازدید میدانی و کنترل نقشه', payment: 'در انتظار پرداخت عوارض', approved: 'پروانه صادر شد' };
const ACTION = { accept: 'تأیید مدارک و ارجاع به بازدید', approve: 'تأیید نقشه و محاسبه عوارض', confirmPayment: 'تأیید پرداخت (فیش بانکی)' };
const DOCUMENTS = [
  { title: 'سند مالکیت', file: 'sanad-malekiyat.pdf' },
  { title: 'تصویر کارت ملی مالک', file: 'kart-melli.pdf' },
  { title: 'نقشه‌های معماری ممهور به مهر نظام مهندسی', file: 'naghshe-memari.pdf' },
  { title: 'نقشه‌ها و دفترچه محاسبات سازه', file: 'mohasebat-saze.pdf' },
  { title: 'قرارداد نظارت مهندس ناظر', file: 'gharardad-nezarat.pdf' },
];

test('a citizen applies in Sari for a building permit; the clerk accepts, the inspector approves, the payment is confirmed; the citizen gets the letter, which verifies', { skip: skipBrowser, timeout: 240_000 }, async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  const files = mkdtempSync(join(tmpdir(), 'pishkhan-eservices-'));
  t.after(async () => { await browser.close(); await app.close(); rmSync(files, { recursive: true, force: true }); });

  const citizen = await openPage(browser, PHONE, { isMobile: true });
  const contexts: BrowserPage[] = [citizen];
  let current: Page = citizen.page;
  const step = journey(t, () => current);
  const mobile = randomMobile();
  const pdfs = DOCUMENTS.map((d) => ({ ...d, path: writeSamplePdf(files, d.file, d.file.replace('.pdf', '')) }));

  // What the form will be filled with, as typed (Persian digits), and what the fees must come to.
  const values = {
    parcel_code: '۱۲-۳۴-۵۶۷-۸۹-۱', registration_plate: '۱۲۳ فرعی از ۴۵ اصلی بخش ۲', owner_national_code: toPersianDigits(CITIZEN.nationalCode),
    owner_mobile: toPersianDigits(mobile), postal_code: '۴۸۱۷۸۹۳۱۱۱', address: 'ساری، خیابان فرهنگ، کوچه نسترن ۱۲، پلاک ۷',
    permit_type: 'احداث بنا', usage: 'مسکونی', land_area_m2: '۳۰۰', building_area_m2: '۲۵۰٫۵', floors: '۳', units: '۲', parking_spaces: '۲',
    supervisor_license: '۱-۲۳-۴۵۶۷۸', lat: '۳۶٫۵۶۳', lng: '۵۳٫۰۶۰',
  };
  const sariOrg = await app.deps.db.selectFrom('orgs').select('id').where('code', '=', 'sari').executeTakeFirstOrThrow();
  const adopted = await adoptedService(app.deps.db, sariOrg.id, SERVICE);
  assert.ok(adopted, 'the demo seed has Sari adopt the building permit');
  const expectedFees = computeFees(adopted.definition, adopted.overrides, {
    permit_type: 'new_building', usage: 'residential', building_area_m2: 250.5, floors: 3, units: 2, parking_spaces: 2,
  });
  const year = jalaliParts(Date.now()).year;
  const expectedCode = `SARI-${year}-000001`;

  let applicationId = '';
  let trackingCode = '';
  let verificationCode = '';

  const home = new HomePage(citizen.page, 'fa');

  await step('the citizen searches the home page for «پروانه ساختماني» typed with an Arabic yeh and finds the building permit', 'eservices-search', async () => {
    await home.goto(app.url);
    await home.search.fill(SEARCH_WITH_ARABIC_YEH);
    await Promise.all([citizen.page.waitForURL(/\/services\?q=/), home.search.press('Enter')]);
    const catalog = new CatalogPage(citizen.page, 'fa');
    assert.match(await catalog.resultCount.innerText(), new RegExp(SEARCH_WITH_ARABIC_YEH), 'the query is shown as typed');
    await catalog.serviceLink(SERVICE_TITLE).first().waitFor();
    assert.ok((await catalog.results.count()) >= 1);
    await assertNoRawKeysOf(citizen.page);
    await checkA11y(citizen.page, 'eservices-01-search-results');
  });

  await step('the province-wide service page lets the citizen choose Sari, whose page has the documents, fees and an Apply button', 'eservices-service-page', async () => {
    const catalog = new CatalogPage(citizen.page, 'fa');
    await Promise.all([citizen.page.waitForURL(new RegExp(`/services/${SERVICE}$`)), catalog.serviceLink(SERVICE_TITLE).first().click()]);
    const sheet = new ServicePage(citizen.page, 'fa');
    assert.equal(await sheet.heading.innerText(), SERVICE_TITLE);
    await checkA11y(citizen.page, 'eservices-02-service-province');

    await Promise.all([citizen.page.waitForURL(new RegExp(`/orgs/sari/services/${SERVICE}$`)), sheet.chooseMunicipality(SARI)]);
    assert.equal(await sheet.heading.innerText(), SERVICE_TITLE);
    for (const d of DOCUMENTS) assert.match(await sheet.section('catalog.documents').innerText(), new RegExp(d.title));
    assert.match(await sheet.section('catalog.fees').innerText(), /عوارض صدور پروانه/);
    await sheet.apply.waitFor();
    await assertNoRawKeysOf(citizen.page);
    await checkA11y(citizen.page, 'eservices-03-service-sari');
  });

  await step('Apply asks the citizen to sign in: a code by SMS, typed in Persian digits, then the profile, then back to the form', 'eservices-sign-in', async () => {
    const sheet = new ServicePage(citizen.page, 'fa');
    await Promise.all([citizen.page.waitForURL(/\/login\?next=/), sheet.apply.click()]);
    const login = new CitizenLoginPage(citizen.page, 'fa');
    await checkA11y(citizen.page, 'eservices-04-login');
    await login.requestCode(toPersianDigits(mobile));
    await checkA11y(citizen.page, 'eservices-05-verify-code');
    const code = await app.otpFor(mobile);
    await new VerifyPage(citizen.page, 'fa').enterCode(toPersianDigits(code));
    await citizen.page.waitForURL(/\/profile\/edit\?next=/);
    await checkA11y(citizen.page, 'eservices-06-profile');
    await new ProfileFormPage(citizen.page, 'fa').complete({ ...CITIZEN, nationalCode: toPersianDigits(CITIZEN.nationalCode) });
    await citizen.page.waitForURL(new RegExp(`/apply/sari/${SERVICE}$`));
    const form = new ApplyFormPage(citizen.page, 'fa');
    assert.equal(await form.heading.innerText(), form.m('apply.title', { service: SERVICE_TITLE }));
  });

  await step('the citizen fills the form in Persian digits and goes on to the documents', 'eservices-form', async () => {
    const form = new ApplyFormPage(citizen.page, 'fa');
    await checkA11y(citizen.page, 'eservices-07-form-empty');
    await form.field('کد نوسازی ملک').fill(values.parcel_code);
    await form.field('پلاک ثبتی').fill(values.registration_plate);
    await form.field('کد ملی مالک').fill(values.owner_national_code);
    await form.field('شماره همراه مالک').fill(values.owner_mobile);
    await form.field('کد پستی ملک').fill(values.postal_code);
    await form.field('نشانی ملک').fill(values.address);
    await form.field('نوع پروانه').selectOption({ label: values.permit_type });
    await form.field('کاربری').selectOption({ label: values.usage });
    await form.field('مساحت زمین طبق سند (متر مربع)').fill(values.land_area_m2);
    await form.field('زیربنای کل درخواستی (متر مربع)').fill(values.building_area_m2);
    await form.field('تعداد طبقات روی همکف').fill(values.floors);
    await form.field('تعداد واحدها').fill(values.units);
    await form.field('تعداد پارکینگ تأمین‌شده').fill(values.parking_spaces);
    await form.field('شماره پروانه اشتغال مهندس ناظر').fill(values.supervisor_license);
    const location = form.group('موقعیت ملک روی نقشه');
    await location.getByLabel(form.m('apply.location_lat'), { exact: true }).fill(values.lat);
    await location.getByLabel(form.m('apply.location_lng'), { exact: true }).fill(values.lng);
    await checkA11y(citizen.page, 'eservices-08-form-filled');
    await Promise.all([citizen.page.waitForURL(/\/applications\/[^/]+\/documents$/), form.continue.click()]);
    applicationId = /\/applications\/([^/]+)\/documents$/.exec(citizen.page.url())![1]!;
  });

  await step('the citizen uploads a PDF for each required document', 'eservices-documents', async () => {
    const docs = new DocumentsPage(citizen.page, 'fa');
    assert.equal(await docs.heading.innerText(), docs.m('apply.docs_title'));
    await checkA11y(citizen.page, 'eservices-09-documents-empty');
    for (const pdf of pdfs) {
      await docs.upload(pdf.title, pdf.path);
      assert.match(await docs.document(pdf.title).innerText(), new RegExp(pdf.file.replace('.', '\\.')), `${pdf.title} lists ${pdf.file}`);
    }
    await assertNoRawKeysOf(citizen.page);
    await checkA11y(citizen.page, 'eservices-10-documents-uploaded');
    await Promise.all([citizen.page.waitForURL(/\/review$/), docs.continue.click()]);
  });

  await step('the review page shows the answers, the documents and the fees before submitting', 'eservices-review', async () => {
    const review = new ReviewPage(citizen.page, 'fa');
    assert.equal(await review.heading.innerText(), review.m('apply.review_title'));
    assert.equal(await citizen.page.getByRole('alert').count(), 0, 'nothing is missing');
    const answers = await review.answers.innerText();
    for (const v of [values.parcel_code, values.address, values.permit_type, values.usage, values.owner_national_code]) assert.ok(answers.includes(v), `the answers show ${v}: ${answers}`);
    assert.match(answers, /۲۵۰٫۵/, 'the floor area in Persian digits with the Persian decimal separator');
    const documents = await review.documents.innerText();
    for (const pdf of pdfs) assert.ok(documents.includes(pdf.file), `the review lists ${pdf.file}`);
    // The fees: each item and the total, in Rials with Persian digits, as the tariff computes them.
    assert.ok(expectedFees.total > 0);
    for (const item of expectedFees.items) {
      assert.match(await review.feeRow(item.title.fa).innerText(), new RegExp(formatRials(item.amount, 'fa')), `fee ${item.key}`);
    }
    assert.match(await review.total.innerText(), new RegExp(formatRials(expectedFees.total, 'fa')));
    await assertNoRawKeysOf(citizen.page);
    await checkA11y(citizen.page, 'eservices-11-review');
  });

  await step('a double click on submit (and replays of the same form) files one application, with one tracking code sent by one SMS', 'eservices-submit', async () => {
    const review = new ReviewPage(citizen.page, 'fa');
    const submitUrl = `${app.url}/applications/${applicationId}/submit`;
    const posts: string[] = [];
    const record = (r: Request) => { if (r.method() === 'POST' && r.url() === submitUrl) posts.push(r.postData() ?? ''); };
    citizen.page.on('request', record);
    // When Chromium does send both clicks, the second navigation aborts the first; wait for the
    // one that lands (the server answers both with the same application).
    const landed = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await citizen.page.waitForURL(/\/submitted$/);
        } catch (err) {
          if (attempt >= 3 || !String(err).includes('ERR_ABORTED')) throw err;
        }
      }
    };
    await Promise.all([landed(), review.submit.dblclick()]);
    await citizen.page.waitForLoadState('load');
    citizen.page.off('request', record);
    t.diagnostic(`the double click sent ${posts.length} submission request(s)`);
    assert.ok(posts.length >= 1);
    // Chromium drops a second submission of a form whose navigation is still pending, so the
    // server may have seen one request. A browser without that guard, or a retry after a lost
    // answer, sends the same form again: replay it twice at once, with the citizen's cookies.
    const replays = await Promise.all([1, 2].map(() => citizen.page.request.post(submitUrl, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: posts[0]!, maxRedirects: 0,
    })));
    for (const r of replays) {
      assert.equal(r.status(), 303, 'a replayed submission is answered with a redirect, not an error');
      assert.match(r.headers().location ?? '', new RegExp(`/applications/${applicationId}/submitted$`));
    }

    const done = new SubmittedPage(citizen.page, 'fa');
    assert.equal(await done.heading.innerText(), done.m('apply.submitted_title'));
    trackingCode = (await done.trackingCode.innerText()).trim();
    assert.equal(trackingCode, expectedCode);
    assert.match(await done.main.innerText(), new RegExp(STATE.submitted));
    await assertNoRawKeysOf(citizen.page);
    await checkA11y(citizen.page, 'eservices-12-submitted');

    const sms = await app.waitForMessage(mobile, new RegExp(trackingCode));
    assert.match(sms.body, new RegExp(SERVICE_TITLE));
    const mine = await new MyApplicationsPage(citizen.page, 'fa').goto(app.url);
    assert.equal(await mine.rows.count(), 1, 'my applications lists exactly one application');
    assert.match(await mine.rows.first().innerText(), new RegExp(trackingCode));
    await checkA11y(citizen.page, 'eservices-13-my-applications');
    assert.equal((await app.messagesTo(mobile, 'sms')).filter((m) => m.body.includes('کد رهگیری')).length, 1, 'one submission SMS');
  });

  /** Signs a Sari staff member in, in a browser context of their own, and opens the case from the inbox. */
  async function openCaseAs(username: string, label: string, state: string): Promise<CasePage> {
    const staff = await openPage(browser, DESKTOP);
    contexts.push(staff);
    current = staff.page;
    const login = await new StaffLoginPage(staff.page, 'fa').goto(app.url);
    await login.signIn(username, app.passwordOf(username));
    await staff.page.waitForURL(/\/staff$/);
    const inbox = new InboxPage(staff.page, 'fa');
    await Promise.all([staff.page.waitForURL(/\/staff\/inbox$/), inbox.inboxLink.click()]);
    const row = inbox.row(trackingCode);
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(state), `${username}'s inbox shows the state`);
    await assertNoRawKeysOf(staff.page);
    await checkA11y(staff.page, `${label}-inbox`);
    await Promise.all([staff.page.waitForURL(new RegExp(`/staff/applications/${applicationId}$`)), inbox.open(trackingCode).click()]);
    const kase = new CasePage(staff.page, 'fa');
    assert.match(await kase.heading.innerText(), new RegExp(trackingCode));
    assert.match(await kase.section('casework.case_summary').innerText(), new RegExp(`${CITIZEN.firstName} ${CITIZEN.lastName}`), 'staff see the applicant');
    await checkA11y(staff.page, `${label}-case`);
    return kase;
  }

  await step('Sari\'s clerk finds the application in the inbox, opens it and accepts it for inspection', 'eservices-clerk-accept', async () => {
    const kase = await openCaseAs('sari.clerk', 'eservices-14-clerk', STATE.submitted);
    const docs = await kase.section('casework.case_documents').innerText();
    for (const pdf of pdfs) assert.ok(docs.includes(pdf.file), `the clerk sees ${pdf.file}`);
    await kase.act(ACTION.accept);
    await kase.flash.waitFor();
    assert.match(await kase.section('casework.case_summary').innerText(), new RegExp(STATE.inspection));
    await checkA11y(kase.page, 'eservices-15-clerk-accepted');
  });

  await step('Sari\'s inspector approves the plans; the application waits for payment', 'eservices-inspector-approve', async () => {
    const kase = await openCaseAs('sari.inspector', 'eservices-16-inspector', STATE.inspection);
    await kase.act(ACTION.approve);
    await kase.flash.waitFor();
    assert.match(await kase.section('casework.case_summary').innerText(), new RegExp(STATE.payment));
    await checkA11y(kase.page, 'eservices-17-inspector-approved');
    await app.waitForMessage(mobile, new RegExp(`${trackingCode}[\\s\\S]*${STATE.payment}`));
  });

  await step('the clerk confirms the payment by its bank receipt, with a comment; the permit is issued', 'eservices-clerk-payment', async () => {
    const kase = await openCaseAs('sari.clerk', 'eservices-18-clerk-payment', STATE.payment);
    await kase.act(ACTION.confirmPayment, 'فیش واریزی شماره ۴۵۶۷۸۹ بانک ملی به مبلغ کل عوارض دریافت و تطبیق شد.');
    await kase.flash.waitFor();
    assert.match(await kase.section('casework.case_summary').innerText(), new RegExp(STATE.approved));
    assert.equal(await kase.main.getByRole('form', { name: ACTION.confirmPayment }).count(), 0, 'a closed application has no actions');
    assert.match(await kase.section('casework.case_history').innerText(), /فیش واریزی شماره ۴۵۶۷۸۹/);
    await checkA11y(kase.page, 'eservices-19-clerk-issued');
  });

  await step('the citizen is told by SMS, sees the outcome in my applications and opens the result letter', 'eservices-outcome', async () => {
    current = citizen.page;
    await app.waitForMessage(mobile, new RegExp(`${trackingCode}[\\s\\S]*${new MyApplicationPage(citizen.page).m('catalog.outcome.granted')}`));
    const mine = await new MyApplicationsPage(citizen.page, 'fa').goto(app.url);
    assert.match(await mine.rows.first().innerText(), new RegExp(STATE.approved));
    await Promise.all([citizen.page.waitForURL(new RegExp(`/my/applications/${applicationId}$`)), mine.open(trackingCode).click()]);
    const detail = new MyApplicationPage(citizen.page, 'fa');
    const outcome = await detail.outcome.innerText();
    assert.match(outcome, new RegExp(`${detail.m('catalog.outcome.granted')} — ${STATE.approved}`));
    const history = await detail.history.innerText();
    for (const title of [ACTION.accept, ACTION.approve, ACTION.confirmPayment]) assert.match(history, new RegExp(title.replace(/[()]/g, '\\$&')), `the history shows ${title}`);
    assert.match(history, /فیش واریزی شماره ۴۵۶۷۸۹/, 'the comment sent to the citizen is in the history');
    for (const s of DEMO_STAFF.filter((x) => x.org === 'sari')) assert.ok(!history.includes(s.fa), `staff names are not shown to the citizen: ${s.fa}`);
    await assertNoRawKeysOf(citizen.page);
    await checkA11y(citizen.page, 'eservices-20-my-application-granted');

    await Promise.all([citizen.page.waitForURL(new RegExp(`/applications/${applicationId}/letter$`)), detail.letter.click()]);
    const letter = new LetterPage(citizen.page, 'fa');
    const text = await letter.main.innerText();
    assert.ok(text.includes(`${CITIZEN.firstName} ${CITIZEN.lastName}`), 'the letter names the holder');
    assert.ok(text.includes(trackingCode), 'the letter carries the tracking code');
    assert.ok(text.includes(values.parcel_code), 'the letter names the property');
    verificationCode = await letter.verificationCode();
    await assertNoRawKeysOf(citizen.page);
    await checkA11y(citizen.page, 'eservices-21-letter');
  });

  await step('anyone can check the letter\'s code on /verify/:code', 'eservices-verify', async () => {
    const anon = await openPage(browser, PHONE, { isMobile: true });
    contexts.push(anon);
    current = anon.page;
    await anon.page.goto(`${app.url}/verify/${verificationCode}`);
    const check = new LetterCheckPage(anon.page, 'fa');
    assert.equal((await check.valid.innerText()).trim(), check.m('verify.valid'));
    assert.equal((await check.value('verify.service').innerText()).trim(), SERVICE_TITLE);
    assert.equal((await check.value('verify.tracking').innerText()).trim(), trackingCode);
    assert.equal((await check.value('verify.holder').innerText()).trim(), `${[...CITIZEN.firstName][0]}. ${CITIZEN.lastName}`);
    await assertNoRawKeysOf(anon.page);
    await checkA11y(anon.page, 'eservices-22-verify');
  });

  await step('public tracking shows the status and nothing personal', 'eservices-track', async () => {
    const anon = contexts.at(-1)!;
    await anon.page.goto(`${app.url}/track/${trackingCode}`);
    const track = new TrackStatusPage(anon.page, 'fa');
    assert.match(await track.heading.innerText(), new RegExp(trackingCode));
    assert.match(await track.value('track.state').innerText(), new RegExp(STATE.approved));
    assert.equal((await track.value('track.service').innerText()).trim(), SERVICE_TITLE);
    const body = await anon.page.locator('body').innerText();
    for (const personal of [CITIZEN.firstName, CITIZEN.lastName, mobile, toPersianDigits(mobile), CITIZEN.nationalCode, toPersianDigits(CITIZEN.nationalCode), values.address, values.parcel_code]) {
      assert.ok(!body.includes(personal), `public tracking shows ${personal}`);
    }
    await assertNoRawKeysOf(anon.page);
    await checkA11y(anon.page, 'eservices-23-track');
  });

  for (const c of contexts) assert.deepEqual(c.problems.list, [], 'console errors, CSP violations or failed sub-resources');
});
