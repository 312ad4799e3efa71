// Browser-test support: the real app listening on an ephemeral port (fresh SQLite database,
// demo province seeded, outbox worker running), Chromium through playwright-core, an axe-core
// accessibility check, screenshots, and a watcher that fails a test on console errors, CSP
// violations and broken sub-resources.
//
// Page code is passed to the browser as strings: the project compiles without the DOM lib.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { TestContext } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { buildDeps, type AppDeps } from '../../src/wiring.js';
import { buildApp } from '../../src/app.js';
import { seedDemo, type SeedResult } from '../../src/modules/orgs/seed.js';
import { toAsciiDigits } from '../../src/platform/i18n/persian.js';
import { SESSION_COOKIE } from '../../src/platform/http/context.js';
import type { Actor } from '../../src/platform/core/index.js';

const require = createRequire(import.meta.url);

export const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
/** A reason to skip the browser suites, or false when Chromium is there. */
export const skipBrowser: string | false = chromiumPath ? false : 'Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)';

export const screenshotDir = join('test-artifacts', 'screenshots');

/** A message as /dev/outbox.json lists it. */
export interface OutboxMessage { channel: string; to: string; subject?: string | null; body: string; created_at: string }

export interface RunningApp {
  url: string;
  app: FastifyInstance;
  deps: AppDeps;
  accounts: SeedResult['accounts'];
  /** The password the demo seed gave this account. */
  passwordOf(username: string): string;
  /** Waits for the newest SMS code sent to this mobile to appear at /dev/outbox.json, as a developer would read it. */
  otpFor(mobile: string, opts?: { after?: number; timeoutMs?: number }): Promise<string>;
  /** Every message sent to this address so far, newest first, as /dev/outbox.json lists them. */
  messagesTo(to: string, channel?: string): Promise<OutboxMessage[]>;
  /** Waits for a message to this address whose body matches, as a developer would read it at /dev/outbox.json. */
  waitForMessage(to: string, body: RegExp, opts?: { channel?: string; timeoutMs?: number }): Promise<OutboxMessage>;
  close(): Promise<void>;
}

/** Starts the whole app on 127.0.0.1 and an ephemeral port, on a fresh SQLite database with the demo province; env adds configuration (e.g. SMTP_URL). */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const dir = mkdtempSync(join(tmpdir(), 'pishkhan-browser-'));
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'browser-test-secret-'.padEnd(48, 'x'),
    DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'pishkhan.db')}`, PISHKHAN_DEMO: '1', OUTBOX_POLL_MS: '100', ...env,
  });
  const deps = await buildDeps(config);
  const seed = await seedDemo(deps.db, deps.services.identity);
  const app = await buildApp(deps, { logger: false });
  deps.worker.start();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
  const url = `http://127.0.0.1:${address.port}`;
  const messagesTo = async (to: string, channel?: string): Promise<OutboxMessage[]> => {
    const res = await fetch(`${url}/dev/outbox.json?limit=500`);
    if (!res.ok) throw new Error(`/dev/outbox.json answered ${res.status}`);
    const { items } = (await res.json()) as { items: OutboxMessage[] };
    return items.filter((m) => m.to === to && (channel === undefined || m.channel === channel));
  };

  return {
    url, app, deps, accounts: seed.accounts,
    passwordOf(username) {
      const a = seed.accounts.find((x) => x.username === username);
      if (!a) throw new Error(`no demo account ${username}`);
      return a.password;
    },
    async otpFor(mobile, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
      const after = opts.after ?? 0;
      for (;;) {
        const res = await fetch(`${url}/dev/outbox.json?limit=50`);
        if (res.ok) {
          const { items } = (await res.json()) as { items: { channel: string; to: string; body: string; created_at: string }[] };
          const sms = items.find((m) => m.channel === 'sms' && m.to === mobile && Date.parse(m.created_at) >= after);
          const code = sms ? /[0-9۰-۹]{4,8}/.exec(sms.body)?.[0] : undefined;
          if (code) return toAsciiDigits(code);
        }
        if (Date.now() > deadline) throw new Error(`no SMS code for ${mobile} at /dev/outbox.json after ${opts.timeoutMs ?? 10_000} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    messagesTo,
    async waitForMessage(to, body, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
      for (;;) {
        const found = (await messagesTo(to, opts.channel ?? 'sms')).find((m) => body.test(m.body));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no ${opts.channel ?? 'sms'} to ${to} matching ${body} at /dev/outbox.json after ${opts.timeoutMs ?? 10_000} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await app.close();
      await deps.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches the Chromium given by CHROMIUM_PATH (Debian's, by default). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * What went wrong in a page that a user would not see in the test's assertions: console errors
 * (CSP violations included), uncaught exceptions, sub-resources (CSS, fonts, images) that failed.
 */
export class PageProblems {
  readonly list: string[] = [];
  constructor(page: Page) {
    page.on('console', (m) => {
      // Chromium logs every non-2xx document as "Failed to load resource"; responses are checked below.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) this.list.push(`console error on ${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.list.push(`uncaught exception on ${page.url()}: ${e.message}`));
    // A sub-resource cancelled because the page was left while it loaded (an image still coming
    // when the test moves on) is not broken: such aborts are held until the next main-frame
    // navigation, which forgives them; an abort no navigation follows stays in the list.
    let aborted: string[] = [];
    page.on('framenavigated', (f) => {
      if (f !== page.mainFrame() || aborted.length === 0) return;
      for (const a of aborted) this.list.splice(this.list.indexOf(a), 1);
      aborted = [];
    });
    page.on('requestfailed', (r) => {
      const reason = r.failure()?.errorText ?? '?';
      // A newer navigation cancels the one in flight (a double click on submit) and the favicon
      // fetch of the page being left; neither is a broken page, and the steps check where they land.
      if (reason === 'net::ERR_ABORTED' && (r.isNavigationRequest() || r.url().endsWith('/static/favicon.svg'))) return;
      const problem = `request failed: ${r.method()} ${r.url()} (${reason})`;
      this.list.push(problem);
      if (reason === 'net::ERR_ABORTED') aborted.push(problem);
    });
    page.on('response', (r) => {
      if (r.request().resourceType() !== 'document' && r.status() >= 400) this.list.push(`sub-resource ${r.url()} answered ${r.status()}`);
    });
  }
}

export interface BrowserPage { context: BrowserContext; page: Page; problems: PageProblems }

/**
 * A fresh browser context (its own cookies) and page. The page keeps the app's real CSP:
 * axe is injected through the DevTools protocol, which CSP does not govern.
 */
export async function openPage(browser: Browser, viewport = DESKTOP, opts: { isMobile?: boolean } = {}): Promise<BrowserPage> {
  const context = await browser.newContext({
    viewport, isMobile: opts.isMobile ?? false, hasTouch: opts.isMobile ?? false, deviceScaleFactor: 1,
    locale: 'fa-IR', timezoneId: 'Asia/Tehran',
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return { context, page, problems: new PageProblems(page) };
}

function safeName(label: string): string {
  return label.replace(/[^\w.-]+/g, '-').replace(/^-|-$/g, '');
}

/** Saves a full-page screenshot to test-artifacts/screenshots/<label>.png. */
export async function screenshot(page: Page, label: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${safeName(label)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Runs fn; if it throws, saves a screenshot named failure-<label> before rethrowing. */
export async function withFailureScreenshot<T>(page: Page, label: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    try {
      const path = await screenshot(page, `failure-${label}`);
      process.stderr.write(`  screenshot of the failure: ${path} (at ${page.url()})\n`);
    } catch { /* the page may be gone */ }
    throw err;
  }
}

interface AxeNode { target: string[]; html: string; failureSummary?: string }
interface AxeViolation { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] }

let axeSource: string | null = null;

/**
 * Saves a screenshot of the page, then runs axe-core (WCAG 2.x A/AA and best practices) on it.
 * Prints every violation; throws when any is serious or critical.
 */
export async function checkA11y(page: Page, label: string): Promise<void> {
  await screenshot(page, label);
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html.slice(0, 200), failureSummary: n.failureSummary })) })))`);
  if (violations.length === 0) return;
  const describe = (v: AxeViolation) =>
    `  [${v.impact ?? '?'}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}  ${n.html}\n        ${(n.failureSummary ?? '').replace(/\n/g, '\n        ')}`).join('\n')}`;
  process.stderr.write(`axe on "${label}" (${page.url()}): ${violations.length} violation(s)\n${violations.map(describe).join('\n')}\n`);
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length) {
    throw new Error(`accessibility: ${blocking.length} serious/critical axe violation(s) on "${label}" (${page.url()}):\n${blocking.map(describe).join('\n')}`);
  }
}

/**
 * Runs the steps of one user journey as subtests, in order; once a step fails the later ones
 * are skipped (they would only fail for the same reason). A failing step's screenshot is of
 * `page` (or, for a journey through several browser contexts, of the page it returns then).
 */
export function journey(t: TestContext, page: Page | (() => Page)) {
  let failed: string | null = null;
  return (name: string, label: string, fn: () => Promise<void>) =>
    t.test(name, { skip: failed ? `an earlier step failed: ${failed}` : false }, async () => {
      try {
        // A journey with several actors names the page of the step that is running.
        await withFailureScreenshot(typeof page === 'function' ? page() : page, label, fn);
      } catch (err) {
        failed = name;
        throw err;
      }
    });
}

/** A random Iranian mobile number, as '09XXXXXXXXX'. */
export function randomMobile(): string {
  return `0912${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
}

/** Evaluates an expression in the page (a string: the project compiles without the DOM lib). */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/**
 * Writes a small but well-formed one-page PDF (header, catalog, page, content stream, cross-reference
 * table, trailer) to dir/name and returns its path: a real document in well under 1 KB.
 */
export function writeSamplePdf(dir: string, name: string, text = 'Pishkhan test document'): string {
  const stream = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, pdf, 'latin1');
  return path;
}

// ---------------------------------------------------------------------------------------------
// Actors for setting up a journey through the services (what staff would do in their own
// browsers, when that part is not what the test is about).

/** The actor signed in in this browser context: its session cookie, resolved as the app resolves every request. */
export async function actorOf(app: RunningApp, context: BrowserContext): Promise<Actor> {
  const token = (await context.cookies(app.url)).find((c) => c.name === SESSION_COOKIE)?.value;
  const resolved = token ? await app.deps.services.identity.resolveSession(token) : null;
  if (!resolved || resolved.actor.kind === 'anonymous') throw new Error('nobody is signed in in this browser context');
  return resolved.actor;
}

/** A demo staff account signed in with its password through the identity service (as the staff sign-in form does); its actor. */
export async function staffActor(app: RunningApp, username: string): Promise<Actor> {
  const { session } = await app.deps.services.identity.staffSignIn(
    { username, password: app.passwordOf(username) },
    { ip: '127.0.0.1', userAgent: 'pishkhan-browser-test', locale: 'fa' },
  );
  const resolved = await app.deps.services.identity.resolveSession(session.token);
  if (!resolved || resolved.actor.kind !== 'staff') throw new Error(`${username} did not get a full staff session (TOTP on?)`);
  return resolved.actor;
}
