// A staff member of Sari (sari.admin from the demo seed) at a desktop browser: a wrong password
// is refused next to the field, the right one opens the desk with their role, and from there the
// Sari staff list. axe runs on every page visited; screenshots go to test-artifacts/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_MUNICIPALITIES, DEMO_STAFF } from '../../src/modules/orgs/demo-data.js';
import { checkA11y, DESKTOP, launchBrowser, openPage, skipBrowser, startApp, journey } from './support.js';
import { Layout, OrgStaffPage, StaffDeskPage, StaffLoginPage } from './pages.js';

const sari = DEMO_MUNICIPALITIES.find((o) => o.code === 'sari')!;
const admin = DEMO_STAFF.find((s) => s.username === 'sari.admin')!;

test('a Sari admin signs in with a password, sees the desk with their role and opens the Sari staff list', { skip: skipBrowser, timeout: 120_000 }, async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.close(); });
  const { page, problems } = await openPage(browser, DESKTOP);
  const step = journey(t, page);
  const login = new StaffLoginPage(page, 'fa');

  await step('a wrong password shows a clear error next to the password field', 'staff-wrong-password', async () => {
    await login.goto(app.url);
    assert.equal(await login.heading.innerText(), login.m('auth.staff_title'));
    await checkA11y(page, 'staff-01-login');

    await login.signIn(admin.username, 'not-the-password');
    assert.match(page.url(), /\/staff\/login$/);
    const message = login.m('auth.bad_credentials', { max: 5, minutes: 15 });
    assert.equal((await login.alert.innerText()).trim(), message, 'the form-level alert');
    assert.equal(await login.password.getAttribute('aria-invalid'), 'true');
    assert.equal(await login.passwordDescription(), message, 'the error a screen reader reads with the field');
    // Next to the field: the message sits right under the password box.
    const field = await login.password.boundingBox();
    const error = await page.getByText(message, { exact: true }).last().boundingBox();
    assert.ok(field && error, 'field and error are on screen');
    assert.ok(error.y >= field.y + field.height - 1 && error.y - (field.y + field.height) < 24, `error not under the field: field ${JSON.stringify(field)}, error ${JSON.stringify(error)}`);
    assert.equal(await login.username.inputValue(), admin.username, 'the username is kept');
    assert.equal(await login.password.inputValue(), '', 'the password is not echoed back');
    await login.assertNoRawKeys();
    await checkA11y(page, 'staff-02-login-wrong-password');
  });

  await step('the right password opens the desk, which shows the role in Sari', 'staff-desk', async () => {
    await login.signIn(admin.username, app.passwordOf(admin.username));
    await page.waitForURL(/\/staff$/);
    const desk = new StaffDeskPage(page, 'fa');
    assert.equal(await desk.heading.innerText(), desk.m('staff.title'));
    await desk.welcome(admin.fa).waitFor();
    const roles = (await desk.roles.allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    assert.ok(roles.some((r) => r.startsWith(`${sari.fa}: ${desk.m('role.org_admin')}`)), `roles shown: ${JSON.stringify(roles)}`);
    assert.match(await desk.deskLink.innerText(), new RegExp(admin.fa));
    await desk.assertNoRawKeys();
    await checkA11y(page, 'staff-03-desk');
  });

  await step('the desk links to the Sari staff list, which lists Sari\'s staff and no one else\'s', 'staff-org-staff', async () => {
    const desk = new StaffDeskPage(page, 'fa');
    await desk.staffListLink(sari.fa).click();
    await page.waitForURL(/\/staff\/orgs\/sari$/);
    const list = new OrgStaffPage(page, 'fa');
    assert.equal(await list.heading.innerText(), list.m('staff.org_staff', { org: sari.fa }));
    assert.ok((await list.columnHeaders.count()) >= 3);
    const adminRow = (await list.row('sari.admin').innerText()).replace(/\s+/g, ' ');
    assert.ok(adminRow.includes(list.m('role.org_admin')), `sari.admin row: ${adminRow}`);
    assert.equal(await list.row('sari.clerk').count(), 1, 'sari.clerk is listed');
    assert.equal(await list.row('babol.admin').count(), 0, 'Babol staff are not in Sari\'s list');
    await list.assertNoRawKeys();
    await checkA11y(page, 'staff-04-org-staff');
  });

  await step('signing out returns to the public home page', 'staff-sign-out', async () => {
    const layout = new Layout(page, 'fa');
    await layout.signOut.click();
    await page.waitForURL(`${app.url}/`);
    await layout.staffSignIn.waitFor();
    await page.goto(`${app.url}/staff`);
    assert.match(page.url(), /\/staff\/login\?next=%2Fstaff$/);
  });

  assert.deepEqual(problems.list, [], 'console errors, CSP violations or failed sub-resources');
});
