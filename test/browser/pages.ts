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
