// The public's transparency journey in the browser: the province dashboard in Persian (charts
// drawn on the server, no script needed, the CSP intact, accessible), a switch to Babol with the
// scope form, and the CSV download of the same figures, whose numbers match the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { toAsciiDigits } from '../../src/platform/i18n/persian.js';
import { t as translate } from '../../src/platform/i18n/messages.js';
import { generateDemoActivity } from '../../src/modules/transparency/demo-activity.js';
import { rebuildRollups } from '../../src/modules/transparency/rollup.js';
import { currentPeriod, formatPeriod, periodLabel, previousPeriods } from '../../src/modules/transparency/periods.js';
import '../../src/modules/transparency/messages-dashboard.js';
import { checkA11y, DESKTOP, journey, launchBrowser, openPage, PHONE, screenshot, skipBrowser, startApp } from './support.js';

const m = (key: string, params?: Record<string, string | number>) => translate('fa', key, params);

/** The figures table of the page: KpiSet path -> raw value (null when unknown). */
const FIGURES = `Object.fromEntries([...document.querySelectorAll('#pk-figures tr[data-kpi]')].map((tr) => {
  const v = tr.querySelector('td').getAttribute('data-value');
  return [tr.getAttribute('data-kpi'), v === 'null' ? null : Number(v)];
}))`;

/** A CSV line split into cells (quoted cells may hold commas and doubled quotes). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}

test('the public opens the province dashboard in Persian, switches to Babol and downloads the same figures as CSV', { skip: skipBrowser, timeout: 240_000 }, async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.close(); });
  const now = Date.now();
  await generateDemoActivity(app.deps.db, { days: 200, scale: 0.1, orgs: ['sari', 'babol', 'amol'], now, calendar: app.deps.calendar, seed: 1404 });
  await rebuildRollups(app.deps.db, app.deps.calendar, { dialect: 'sqlite' });
  // The last full season: the current one may have just begun.
  const period = previousPeriods(currentPeriod('season', now), 2)[0]!;
  const { page, problems } = await openPage(browser, DESKTOP);
  const step = journey(t, page);
  let figures: Record<string, number | null> = {};

  await step('the province dashboard opens from the header, in Persian, with charts and their tables', 'transparency-province', async () => {
    await page.goto(app.url);
    await Promise.all([page.waitForURL(/\/transparency$/), page.getByRole('link', { name: m('tdash.nav'), exact: true }).click()]);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    await page.getByRole('heading', { level: 1, name: m('tdash.province_title') }).waitFor();
    assert.ok(await page.locator('svg[role="img"]').count() >= 5, 'trend, satisfaction and league charts');
    await page.getByRole('table', { name: new RegExp(m('tdash.league', { period: '' }).trim().slice(0, 12)) }).waitFor();
    await checkA11y(page, 'transparency-province-1280');
  });

  await step('the public chooses Babol and the last full season with the form', 'transparency-switch', async () => {
    await page.getByLabel(m('tdash.field.org'), { exact: true }).selectOption({ label: 'شهرداری بابل' });
    await page.getByLabel(m('tdash.field.period'), { exact: true }).selectOption(formatPeriod(period));
    await Promise.all([page.waitForURL(/\/transparency\/babol\?period=/), page.getByRole('button', { name: m('tdash.show') }).click()]);
    assert.ok(page.url().endsWith(`/transparency/babol?period=${formatPeriod(period)}`), page.url());
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'بابل' }).waitFor();
    assert.ok((await page.locator('main').innerText()).includes(periodLabel(period, 'fa')));
    figures = await page.evaluate<Record<string, number | null>>(FIGURES);
    assert.ok((figures['applications.received'] ?? 0) > 0, 'Babol received applications in the season');
    // What is shown is what the table says, in Persian digits.
    const shown = await page.locator('#pk-figures tr[data-kpi="applications.received"] td').textContent();
    assert.equal(Number(toAsciiDigits(shown ?? '').replace(/[٬,]/g, '')), figures['applications.received']);
    await page.getByRole('table', { name: new RegExp(m('tdash.services', { period: '' }).trim().slice(0, 10)) }).waitFor();
    await checkA11y(page, 'transparency-babol-1280');
  });

  await step('the CSV of the same figures downloads and its numbers match the page', 'transparency-csv', async () => {
    const link = page.getByRole('link', { name: m('tdash.csv') });
    const href = await link.getAttribute('href');
    assert.equal(href, `/open-data/kpis.csv?period=${formatPeriod(period)}&org=babol`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const text = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const [head, ...lines] = text.trim().split(/\r?\n/);
    const cols = cells(head!);
    const at = (name: string) => { const i = cols.indexOf(name); assert.ok(i >= 0, `CSV column ${name} in ${head}`); return i; };
    const rows = lines.map(cells).filter((r) => r[at('org_code')] === 'babol' && r[at('service_code')] === '' && r[at('period')] === formatPeriod(period));
    const csv = new Map(rows.map((r) => [r[at('kpi')]!, r[at('value')] === '' ? null : Number(r[at('value')])]));
    let compared = 0;
    for (const [key, value] of Object.entries(figures)) {
      if (!csv.has(key)) continue;
      compared++;
      const other = csv.get(key)!;
      if (value === null || other === null) assert.equal(other, value, key);
      else assert.ok(Math.abs(other - value) < 1e-6, `${key}: CSV ${other}, page ${value}`);
    }
    for (const key of ['applications.received', 'applications.completed', 'applications.median_days', 'applications.within_deadline', 'reports.received']) {
      assert.ok(csv.has(key), `the CSV has ${key}`);
    }
    assert.ok(compared >= 15, `compared ${compared} figures`);
  });

  await step('on a phone the Babol dashboard reads in one column', 'transparency-phone', async () => {
    const phone = await openPage(browser, PHONE, { isMobile: true });
    t.after(() => phone.context.close());
    await phone.page.goto(`${app.url}/transparency/babol?period=${formatPeriod(period)}`);
    await phone.page.getByRole('heading', { level: 1 }).waitFor();
    const overflow = await phone.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await checkA11y(phone.page, 'transparency-babol-390');
    await phone.page.goto(`${app.url}/transparency`);
    await screenshot(phone.page, 'transparency-province-390');
    assert.deepEqual(phone.problems.list, []);
  });

  await step('no console errors, CSP violations or broken resources', 'transparency-problems', async () => {
    assert.deepEqual(problems.list, []);
  });
});
