// Test support: a fresh database per test file on SQLite or PostgreSQL (TEST_DB), the real
// migrations, factories for real rows, a controllable clock and a capturing SMS channel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../src/config.js';
import { buildDeps, type AppDeps } from '../src/wiring.js';
import { buildApp } from '../src/app.js';
import { migrateToLatest, openDatabase, type DbHandle } from '../src/platform/db/index.js';
import { newId, type Clock, type Role } from '../src/platform/core/index.js';
import type { OtpMessage, SendResult, SmsChannel, SmsMessage, EmailChannel, EmailMessage } from '../src/platform/notify/index.js';

export const dbKind = (process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite') as 'sqlite' | 'postgres';
const pgAdminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  config: Config['database'];
  drop(): Promise<void>;
}

/** A new empty database for one test file: a temp SQLite file, or a fresh PostgreSQL database. */
export async function testDb(): Promise<TestDatabase> {
  if (dbKind === 'postgres') {
    const name = `pk_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgAdminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(pgAdminUrl);
    url.pathname = `/${name}`;
    return {
      kind: 'postgres',
      config: { kind: 'postgres', url: url.toString() },
      async drop() {
        const c = new pg.Client({ connectionString: pgAdminUrl });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'pishkhan-test-'));
  return { kind: 'sqlite', config: { kind: 'sqlite', file: join(dir, 'test.db') }, async drop() { rmSync(dir, { recursive: true, force: true }); } };
}

/** A migrated database handle on a fresh test database. */
export async function migratedDb(): Promise<DbHandle & { config: TestDatabase['config']; drop(): Promise<void> }> {
  const t = await testDb();
  const handle = openDatabase(t.config);
  await migrateToLatest(handle.db);
  return { ...handle, config: t.config, async drop() { await handle.close(); await t.drop(); } };
}

/** A clock tests move by hand. */
export class TestClock implements Clock {
  constructor(public t = Date.parse('2026-11-28T09:00:00Z')) {}
  now(): number { return this.t; }
  advance(ms: number): void { this.t += ms; }
}

/** An SMS channel that keeps what it was asked to send. */
export class CapturingSms implements SmsChannel {
  readonly name = 'capture';
  sent: (SmsMessage | (OtpMessage & { otp: true }))[] = [];
  async send(msg: SmsMessage): Promise<SendResult> { this.sent.push(msg); return { provider: 'capture', providerRef: null }; }
  async sendOtp(msg: OtpMessage): Promise<SendResult> { this.sent.push({ ...msg, otp: true }); return { provider: 'capture', providerRef: null }; }
  lastCodeFor(mobile: string): string | undefined {
    const m = [...this.sent].reverse().find((s) => s.to === mobile && 'otp' in s) as OtpMessage | undefined;
    return m?.code;
  }
}

export class CapturingEmail implements EmailChannel {
  readonly name = 'capture';
  sent: EmailMessage[] = [];
  async send(msg: EmailMessage): Promise<SendResult> { this.sent.push(msg); return { provider: 'capture', providerRef: null }; }
  async close(): Promise<void> {}
}

export interface TestApp {
  app: FastifyInstance;
  deps: AppDeps;
  clock: TestClock;
  sms: CapturingSms;
  email: CapturingEmail;
  close(): Promise<void>;
}

/** The whole app on a fresh database, with test adapters; env overrides the configuration. */
export async function makeTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await testDb();
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-'.padEnd(40, 'x'),
    DATABASE_URL: t.config.kind === 'postgres' ? t.config.url : `sqlite:${t.config.file}`,
    ...env,
  });
  const clock = new TestClock();
  const sms = new CapturingSms();
  const email = new CapturingEmail();
  const deps = await buildDeps(config, { clock, sms, email });
  const app = await buildApp(deps, { logger: false });
  await app.ready();
  return {
    app, deps, clock, sms, email,
    async close() { await app.close(); await deps.close(); await t.drop(); },
  };
}

/** Delivers everything the outbox holds now (tests run the worker by hand). */
export async function drainOutbox(t: TestApp): Promise<void> {
  while ((await t.deps.worker.runOnce()) > 0) { /* keep going */ }
}

export async function makeOrg(t: TestApp, code: string, kind: 'province' | 'municipality' | 'ict' = 'municipality', parentId: string | null = null): Promise<string> {
  const id = newId();
  await t.deps.db.insertInto('orgs').values({ id, code, kind, parent_id: parentId, name_fa: `شهرداری ${code}`, name_en: `${code} Municipality`, is_reference: 0, lat: 36.5, lng: 53, population: null, created_at: t.clock.now() }).execute();
  t.deps.services.orgs.invalidate();
  return id;
}

/** A staff account with the given roles; returns its id and its password. */
export async function makeStaff(t: TestApp, username: string, memberships: { orgId: string; role: Role }[]): Promise<{ id: string; password: string }> {
  return t.deps.services.identity.createStaff({ kind: 'system', id: null }, { username, displayName: username, memberships });
}

/** Parses set-cookie headers into a Cookie header value, merging with earlier cookies. */
export class CookieJar {
  private jar = new Map<string, string>();
  take(res: { headers: Record<string, unknown> }): void {
    const raw = res.headers['set-cookie'];
    const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
    for (const c of list) {
      const [pair] = String(c).split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(String(c))) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  header(): string { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  get(name: string): string | undefined { return this.jar.get(name); }
}

/** GETs a page as a browser would and returns its CSRF token (from the first _csrf input). */
export async function csrfFrom(t: TestApp, jar: CookieJar, url: string): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
  jar.take(res);
  const m = res.body.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error(`no CSRF token on ${url} (status ${res.statusCode})`);
  return m[1]!;
}

/** Signs a citizen in through the API; returns the bearer token. */
export async function signInCitizen(t: TestApp, mobile: string): Promise<string> {
  const r1 = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { mobile } });
  if (r1.statusCode !== 202) throw new Error(`otp request failed: ${r1.body}`);
  await drainOutbox(t);
  const code = t.sms.lastCodeFor(r1.json().mobile);
  const r2 = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp/verify', payload: { mobile, code } });
  if (r2.statusCode !== 200) throw new Error(`otp verify failed: ${r2.body}`);
  return r2.json().token;
}

/** Signs a staff member in through the API (no TOTP); returns the bearer token. */
export async function signInStaff(t: TestApp, username: string, password: string): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', payload: { username, password } });
  if (r.statusCode !== 200) throw new Error(`staff sign-in failed: ${r.body}`);
  return r.json().token;
}

/** A part of a multipart form: a field, or a file. */
export type FormPart = { name: string; value: string } | { name: string; filename: string; content: Buffer; type?: string };

/**
 * A browser for page tests: keeps the session and CSRF cookies, reads a page's CSRF token, posts
 * forms urlencoded or multipart, through app.inject.
 */
export class FormBrowser {
  jar = new CookieJar();
  constructor(protected readonly t: TestApp, sessionToken?: string) {
    if (sessionToken) this.jar.take({ headers: { 'set-cookie': `pk_session=${sessionToken}; Path=/` } });
  }
  async get(url: string) {
    const res = await this.t.app.inject({ method: 'GET', url, headers: { cookie: this.jar.header() } });
    this.jar.take(res);
    return res;
  }
  async csrf(url: string): Promise<string> {
    const res = await this.get(url);
    const m = res.body.match(/name="_csrf" value="([^"]+)"/);
    assert.ok(m, `a CSRF token on ${url} (${res.statusCode})`);
    return m[1]!;
  }
  async post(url: string, fields: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.send(url, { 'content-type': 'application/x-www-form-urlencoded' }, body.toString());
  }
  async multipart(url: string, parts: FormPart[]) {
    const boundary = `----pishkhan${randomBytes(8).toString('hex')}`;
    const chunks: Buffer[] = [];
    for (const p of parts) {
      if ('filename' in p) {
        chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`), p.content, Buffer.from('\r\n'));
      } else {
        chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
      }
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return this.send(url, { 'content-type': `multipart/form-data; boundary=${boundary}` }, Buffer.concat(chunks));
  }
  /** Posts a body with these headers and the cookies, keeping the cookies the answer sets. */
  async send(url: string, headers: Record<string, string>, payload: string | Buffer) {
    const res = await this.t.app.inject({ method: 'POST', url, headers: { cookie: this.jar.header(), ...headers }, payload });
    this.jar.take(res);
    return res;
  }
}
