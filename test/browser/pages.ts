// Page objects: one per screen, finding things by role and label as a user sees the page.
// The words come from the app's message catalogue, so a change of wording is one edit there;
// a page that shows a raw message key fails assertNoRawKeys.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { t } from '../../src/platform/i18n/messages.js';
import type { Locale } from '../../src/platform/i18n/format.js';

type Role = Parameters<Page['getByRole']>[0];

/** A label's text, which may end with the required-field star (hidden from screen readers, not from getByLabel). */
function labelText(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s*\\*)?$`);
}

/** The frame every page shares: skip link, header navigation, language switch, footer. */
export class Layout {
  constructor(readonly page: Page, public locale: Locale = 'fa') {}
  m(key: string, params?: Record<string, string | number>): string { return t(this.locale, key, params); }
  role(role: Role, name: string, exact = true): Locator { return this.page.getByRole(role, { name, exact }); }

  get skipLink(): Locator { return this.role('link', this.m('nav.skip')); }
  get main(): Locator { return this.page.getByRole('main'); }
  get nav(): Locator { return this.page.getByRole('navigation', { name: this.m('nav.main') }); }
  get heading(): Locator { return this.page.getByRole('heading', { level: 1 }); }
  /** The link that switches to the other language: its accessible name is in that language. */
  get languageSwitch(): Locator { return this.nav.getByRole('link', { name: this.m('nav.language_label'), exact: true }); }
  get citizenSignIn(): Locator { return this.nav.getByRole('link', { name: this.m('nav.sign_in'), exact: true }); }
  get staffSignIn(): Locator { return this.nav.getByRole('link', { name: this.m('nav.staff_sign_in'), exact: true }); }
  get signOut(): Locator { return this.nav.getByRole('button', { name: this.m('nav.sign_out'), exact: true }); }
  get profileLink(): Locator { return this.nav.getByRole('link', { name: new RegExp(`^${this.m('nav.profile')}`) }); }
  get deskLink(): Locator { return this.nav.getByRole('link', { name: new RegExp(`^${this.m('nav.staff_home')}`) }); }
  get alert(): Locator { return this.page.getByRole('alert'); }
  get status(): Locator { return this.page.getByRole('status'); }

  /** Follows the language switch and waits for the page to come back in the other language. */
  async switchLanguage(): Promise<void> {
    const other: Locale = this.locale === 'fa' ? 'en' : 'fa';
    await this.languageSwitch.click();
    // A locator, not waitForFunction: that evaluates a string in the page, which the CSP forbids.
    await this.page.locator(`html[lang="${other}"]`).waitFor({ state: 'attached' });
    await this.page.waitForLoadState('load');
    this.locale = other;
  }

  async assertNoRawKeys(): Promise<void> {
    const text = await this.page.locator('body').innerText();
    const raw = text.match(/\b(app|nav|home|auth|profile|staff|role|common|org|dev)\.[a-z_]+(\.[a-z_]+)?\b/g);
    assert.equal(raw, null, `message keys shown instead of text on ${this.page.url()}: ${raw?.join(', ')}`);
  }
}

export class HomePage extends Layout {
  async goto(base: string): Promise<this> {
    await this.page.goto(`${base}/`);
    return this;
  }
  /** The date shown after «امروز:» / "Today:" in the hero. */
  get today(): Locator { return this.main.locator('time').first(); }
  get search(): Locator { return this.page.getByRole('searchbox', { name: this.m('home.search_label') }); }
  get municipalities(): Locator { return this.page.getByRole('region', { name: new RegExp(this.m('home.orgs')) }).getByRole('listitem'); }
}

export class CitizenLoginPage extends Layout {
  get mobile(): Locator { return this.role('textbox', this.m('auth.mobile')); }
  get sendCode(): Locator { return this.role('button', this.m('auth.send_code')); }
  async requestCode(mobile: string): Promise<void> {
    await this.mobile.fill('');
    await this.mobile.pressSequentially(mobile);
    await this.sendCode.click();
    await this.page.waitForURL(/\/login\/verify\?/);
  }
}

export class VerifyPage extends Layout {
  get code(): Locator { return this.role('textbox', this.m('auth.code')); }
  get submit(): Locator { return this.role('button', this.m('auth.verify')); }
  get resend(): Locator { return this.role('button', this.m('auth.resend')); }
  async enterCode(code: string): Promise<void> {
    await this.code.pressSequentially(code);
    await this.submit.click();
  }
}

export class ProfileFormPage extends Layout {
  get nationalCode(): Locator { return this.role('textbox', this.m('profile.national_code')); }
  get firstName(): Locator { return this.role('textbox', this.m('profile.first_name')); }
  get lastName(): Locator { return this.role('textbox', this.m('profile.last_name')); }
  get email(): Locator { return this.role('textbox', this.m('profile.email')); }
  get save(): Locator { return this.role('button', this.m('common.save')); }
  async complete(v: { nationalCode: string; firstName: string; lastName: string }): Promise<void> {
    await this.nationalCode.fill(v.nationalCode);
    await this.firstName.fill(v.firstName);
    await this.lastName.fill(v.lastName);
    await this.save.click();
  }
}

export class ProfilePage extends Layout {
  /** The value shown for a labelled row of the profile («کد ملی» -> «۰۴۹۹۳۷۰۸۹۹»). */
  value(labelKey: string): Locator {
    return this.main.getByRole('term').filter({ hasText: new RegExp(`^${this.m(labelKey)}$`) }).locator('xpath=following-sibling::dd[1]');
  }
}

export class StaffLoginPage extends Layout {
  async goto(base: string): Promise<this> {
    await this.page.goto(`${base}/staff/login`);
    return this;
  }
  get username(): Locator { return this.role('textbox', this.m('auth.username')); }
  /** Password inputs have no ARIA role; users find them by their label. */
  get password(): Locator { return this.page.getByLabel(labelText(this.m('auth.password'))); }
  get submit(): Locator { return this.main.getByRole('button', { name: this.m('auth.sign_in'), exact: true }); }
  async signIn(username: string, password: string): Promise<void> {
    await this.username.fill(username);
    await this.password.fill(password);
    await this.submit.click();
    await this.page.waitForLoadState('load');
  }
  /** The error text a screen reader announces with the password field (its aria-describedby). */
  async passwordDescription(): Promise<string> {
    const ids = (await this.password.getAttribute('aria-describedby')) ?? '';
    const parts: string[] = [];
    for (const id of ids.split(/\s+/).filter(Boolean)) parts.push((await this.page.locator(`[id="${id}"]`).innerText()).trim());
    return parts.join(' ');
  }
}

export class StaffDeskPage extends Layout {
  welcome(name: string): Locator { return this.main.getByText(this.m('staff.welcome', { name }), { exact: true }); }
  get roles(): Locator { return this.main.getByRole('list').getByRole('listitem'); }
  staffListLink(orgName: string): Locator { return this.main.getByRole('link', { name: this.m('staff.org_staff', { org: orgName }), exact: true }); }
}

export class OrgStaffPage extends Layout {
  get table(): Locator { return this.main.getByRole('table'); }
  get columnHeaders(): Locator { return this.table.getByRole('columnheader'); }
  get rows(): Locator { return this.table.getByRole('row'); }
  row(username: string): Locator { return this.rows.filter({ has: this.page.getByRole('cell', { name: username, exact: true }) }); }
}

// ---------------------------------------------------------------------------------------------
// E-services: the single window, applying, my applications, tracking, letters; the staff inbox
// and case page.

/** Message-key prefixes of the e-services modules, for assertNoRawKeys on their pages. */
export const ESERVICE_KEY_PREFIXES = ['catalog', 'apply', 'application', 'mine', 'track', 'verify', 'letter', 'casework'];

/** What a raw message key of these prefixes looks like in a page's text. */
export async function assertNoRawKeysOf(page: Page, prefixes: string[] = ESERVICE_KEY_PREFIXES): Promise<void> {
  const text = await page.locator('body').innerText();
  const raw = text.match(new RegExp(`\\b(${prefixes.join('|')})\\.[a-z_]+(\\.[a-z_]+)?\\b`, 'g'));
  assert.equal(raw, null, `message keys shown instead of text on ${page.url()}: ${raw?.join(', ')}`);
}

/** The catalog of services (/services), e.g. after a search from the home page. */
export class CatalogPage extends Layout {
  get resultCount(): Locator { return this.main.getByRole('status'); }
  get results(): Locator { return this.main.getByTestId('service-list').getByRole('listitem'); }
  serviceLink(title: string): Locator { return this.main.getByRole('link', { name: title, exact: true }); }
}

/** A service page (شناسنامه خدمت): the province-wide one (choose a municipality) or an organization's (Apply). */
export class ServicePage extends Layout {
  get chooseOrg(): Locator { return this.page.getByLabel(this.m('catalog.choose_org')); }
  get chooseOrgSubmit(): Locator { return this.main.getByTestId('choose-org').getByRole('button', { name: this.m('common.submit'), exact: true }); }
  get apply(): Locator { return this.main.getByRole('link', { name: this.m('catalog.apply'), exact: true }); }
  section(titleKey: string): Locator { return this.main.getByRole('region', { name: this.m(titleKey), exact: true }); }
  async chooseMunicipality(name: string): Promise<void> {
    await this.chooseOrg.selectOption({ label: name });
    await this.chooseOrgSubmit.click();
  }
}

/** The application form generated from a service definition. */
export class ApplyFormPage extends Layout {
  /** A field by its label (the required star is allowed after it). */
  field(label: string): Locator { return this.main.getByLabel(labelText(label), { exact: false }); }
  /** A fieldset (location, multi-select) by its legend. */
  group(legend: string): Locator { return this.main.getByRole('group', { name: labelText(legend) }); }
  get continue(): Locator { return this.main.getByRole('button', { name: this.m('apply.continue'), exact: true }); }
  get saveDraft(): Locator { return this.main.getByRole('button', { name: this.m('apply.save_draft'), exact: true }); }
  get steps(): Locator { return this.main.getByRole('navigation', { name: this.m('apply.steps_label') }); }
}

/** The documents step: one region per document of the definition, each with its own upload form. */
export class DocumentsPage extends Layout {
  document(title: string): Locator { return this.main.getByRole('region', { name: title, exact: true }); }
  /** Uploads a file for one document and waits for the page to come back. */
  async upload(title: string, file: string): Promise<void> {
    const region = this.document(title);
    await region.getByLabel(this.m('apply.docs_file', { title }), { exact: true }).setInputFiles(file);
    await Promise.all([
      this.page.waitForURL(/\/documents\?uploaded=1/),
      region.getByRole('button', { name: this.m('apply.docs_upload'), exact: true }).click(),
    ]);
  }
  /** The file names listed under a document. */
  files(title: string): Locator { return this.document(title).getByRole('listitem'); }
  get continue(): Locator { return this.main.getByRole('link', { name: this.m('apply.continue'), exact: true }); }
}

/** Check your answers: the answers, the documents, the fees, the submit button. */
export class ReviewPage extends Layout {
  get answers(): Locator { return this.main.getByRole('region', { name: this.m('apply.review_answers'), exact: true }); }
  get documents(): Locator { return this.main.getByRole('region', { name: this.m('apply.review_documents'), exact: true }); }
  get fees(): Locator { return this.main.getByRole('table', { name: this.m('apply.fees_title') }); }
  feeRow(title: string): Locator { return this.fees.getByRole('row').filter({ has: this.page.getByRole('rowheader', { name: title, exact: true }) }); }
  get total(): Locator { return this.feeRow(this.m('apply.fees_total')); }
  get submit(): Locator { return this.main.getByRole('button', { name: this.m('apply.review_submit'), exact: true }); }
}

/** The confirmation after submitting: the tracking code and what happens next. */
export class SubmittedPage extends Layout {
  get trackingCode(): Locator { return this.main.locator('p[dir="ltr"]').first(); }
  get myApplications(): Locator { return this.main.getByRole('link', { name: this.m('apply.submitted_mine'), exact: true }); }
}

/** My applications: a table of the citizen's applications. */
export class MyApplicationsPage extends Layout {
  async goto(base: string): Promise<this> {
    await this.page.goto(`${base}/my/applications`);
    return this;
  }
  get table(): Locator { return this.main.getByRole('table', { name: this.m('mine.title') }); }
  /** Data rows (the header row excluded). */
  get rows(): Locator { return this.table.locator('tbody').getByRole('row'); }
  open(trackingCode: string): Locator { return this.main.getByRole('link', { name: `${this.m('mine.open')} ${trackingCode}`, exact: true }); }
}

/** One of my applications: summary, outcome (with the letter), history, answers. */
export class MyApplicationPage extends Layout {
  card(titleKey: string): Locator { return this.main.getByRole('region', { name: this.m(titleKey), exact: true }); }
  get outcome(): Locator { return this.card('mine.outcome'); }
  get history(): Locator { return this.card('mine.history'); }
  get letter(): Locator { return this.main.getByRole('link', { name: this.m('mine.letter_link'), exact: true }); }
}

/** The printable result letter, with its verification code. */
export class LetterPage extends Layout {
  /** The verification code, grouped as XXXX-XXXX-XXXX. */
  async verificationCode(): Promise<string> {
    const text = await this.main.innerText();
    const m = /\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b/.exec(text);
    assert.ok(m, `no verification code in the letter: ${text.slice(-300)}`);
    return m[0];
  }
}

/** The public check of a result letter (/verify/:code). */
export class LetterCheckPage extends Layout {
  get valid(): Locator { return this.main.getByRole('status'); }
  /** The value shown for a labelled row («خدمت» -> «صدور پروانه ساختمانی»). */
  value(labelKey: string): Locator {
    return this.main.getByRole('term').filter({ hasText: new RegExp(`^${this.m(labelKey)}$`) }).locator('xpath=following-sibling::dd[1]');
  }
}

/** The public status of an application by tracking code (/track/:code). */
export class TrackStatusPage extends Layout {
  value(labelKey: string): Locator {
    return this.main.getByRole('term').filter({ hasText: new RegExp(`^${this.m(labelKey)}$`) }).locator('xpath=following-sibling::dd[1]');
  }
}

/** The staff inbox: filters and a table of applications. */
export class InboxPage extends Layout {
  get inboxLink(): Locator { return this.nav.getByRole('link', { name: this.m('nav.inbox'), exact: true }); }
  get table(): Locator { return this.main.getByRole('table'); }
  row(trackingCode: string): Locator { return this.table.getByRole('row').filter({ has: this.page.getByRole('link', { name: trackingCode, exact: true }) }); }
  open(trackingCode: string): Locator { return this.table.getByRole('link', { name: trackingCode, exact: true }); }
}

/** A case page: summary, answers, documents, fees, history and one form per action the staff member may take. */
export class CasePage extends Layout {
  section(titleKey: string): Locator { return this.main.getByRole('region', { name: this.m(titleKey), exact: true }); }
  /** The form of a workflow action, named by the action's title. */
  actionForm(title: string): Locator { return this.main.getByRole('form', { name: title, exact: true }); }
  get flash(): Locator { return this.main.getByRole('status').filter({ hasText: this.m('casework.case_done') }); }
  /** Fills an action's comment (when given) and records the action; waits for the case page to come back. */
  async act(title: string, comment?: string): Promise<void> {
    const form = this.actionForm(title);
    if (comment !== undefined) await form.getByRole('textbox').fill(comment);
    await Promise.all([
      this.page.waitForURL(/\/staff\/applications\/[^/?]+\?done=act$/),
      form.getByRole('button', { name: this.m('casework.do_action', { action: title }), exact: true }).click(),
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Payments: the bill, the sandbox bank, the bank's return, the receipt.

/** Message-key prefixes of the payments pages, for assertNoRawKeysOf. */
export const PAYMENT_KEY_PREFIXES = ['bill', 'payment', 'receipt', 'sandbox', 'mine'];

/** The value shown for a term of a description list («شماره مرجع بانک» -> «۱۲۳۴۵۶۷۸۹۰»). */
function described(scope: Locator, term: string): Locator {
  return scope.getByRole('term').filter({ hasText: new RegExp(`^\\s*${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).locator('xpath=following-sibling::dd[1]');
}

/** One of my applications, as it waits for payment: the link to its bill. */
export class AwaitingPaymentPage extends MyApplicationPage {
  get payLink(): Locator { return this.main.getByRole('link', { name: this.m('mine.pay'), exact: true }); }
  get summary(): Locator { return this.card('mine.summary'); }
}

/** A bill (/bills/:id): its facts, the items with their total and the amount in words, the Pay button, earlier attempts. */
export class BillPage extends Layout {
  get items(): Locator { return this.main.getByRole('table', { name: this.m('bill.items'), exact: true }); }
  itemRow(title: string): Locator { return this.items.locator('tbody').getByRole('row').filter({ has: this.page.getByRole('cell', { name: title, exact: true }) }); }
  get itemRows(): Locator { return this.items.locator('tbody').getByRole('row'); }
  get totalRow(): Locator { return this.items.locator('tfoot').getByRole('row'); }
  /** «به حروف: ...» under the items. */
  get inWords(): Locator { return this.main.locator('p').filter({ hasText: new RegExp(`^${this.m('bill.in_words')}:`) }); }
  /** The Pay button; its name carries the amount («پرداخت ۱٬۲۰۰ ریال»). */
  get pay(): Locator { return this.main.getByRole('button', { name: new RegExp(`^${this.m('bill.pay', { amount: '' }).trim()} `) }); }
  get attempts(): Locator { return this.main.getByRole('region', { name: this.m('bill.payments'), exact: true }).getByRole('listitem'); }
  get receiptLink(): Locator { return this.main.getByRole('link', { name: this.m('bill.receipt_link'), exact: true }); }
  value(termKey: string): Locator { return described(this.main, this.m(termKey)); }
}

/** The built-in test bank's page: banner, amount, and the three outcomes. */
export class SandboxBankPage extends Layout {
  get banner(): Locator { return this.page.getByRole('banner'); }
  get warning(): Locator { return this.main.getByText(this.m('sandbox.warning'), { exact: true }); }
  get amount(): Locator { return described(this.main, this.m('sandbox.amount')); }
  get payOk(): Locator { return this.main.getByRole('button', { name: this.m('sandbox.pay'), exact: true }); }
  get payFail(): Locator { return this.main.getByRole('button', { name: this.m('sandbox.fail'), exact: true }); }
  get cancel(): Locator { return this.main.getByRole('button', { name: this.m('sandbox.cancel'), exact: true }); }
}

/** What came of a payment: the page the bank returns the payer to (/payments/callback) and /payments/:id. */
export class PaymentResultPage extends Layout {
  /** The result in words: a status for success, an alert otherwise. */
  get message(): Locator { return this.main.locator('.alert').first(); }
  value(termKey: string): Locator { return described(this.main, this.m(termKey)); }
  get receiptLink(): Locator { return this.main.getByRole('link', { name: this.m('payment.receipt_link'), exact: true }); }
  get tryAgain(): Locator { return this.main.getByRole('link', { name: this.m('payment.try_again'), exact: true }); }
  get backToApplication(): Locator { return this.main.getByRole('link', { name: this.m('payment.back_to_application'), exact: true }); }
}

/** The printable receipt (/payments/:id/receipt): its own document, without the site's header. */
export class ReceiptPage extends Layout {
  value(termKey: string): Locator { return described(this.main, this.m(termKey)); }
  /** The section of one bill, named «قبض SARI-B-...». */
  bill(code: string): Locator { return this.main.getByRole('region', { name: new RegExp(`^${this.m('receipt.bill', { code })}`) }); }
  get total(): Locator { return this.main.locator('p').filter({ hasText: new RegExp(`^${this.m('receipt.total')}:`) }); }
  get inWords(): Locator { return this.main.locator('p').filter({ hasText: new RegExp(`^${this.m('bill.in_words')}:`) }); }
  get back(): Locator { return this.page.getByRole('link', { name: this.m('receipt.back'), exact: true }); }
}
