// Support for the fault tests (crash, SMTP, SMS, disk): the app built as src/main.ts builds it,
// with the real notification channels the configuration selects (SMTP, Kavenegar) and a clock
// the test moves; a real smtp-server; a local fake of Kavenegar's REST API; signing a citizen in
// without depending on the SMS channel under test.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildDeps, type Adapters, type AppDeps } from '../../src/wiring.js';
import { buildApp } from '../../src/app.js';
import { TestClock } from '../helpers.js';

export interface FaultApp {
  app: FastifyInstance;
  deps: AppDeps;
  clock: TestClock;
  close(): Promise<void>;
}

/** The whole app on an existing database, with the channels the environment configures. */
export async function faultApp(database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }, env: Record<string, string> = {}, overrides: Partial<Adapters> = {}): Promise<FaultApp> {
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'fault-secret-'.padEnd(40, 'x'),
    DATABASE_URL: database.kind === 'postgres' ? database.url : `sqlite:${database.file}`,
    ...env,
  });
  const clock = overrides.clock instanceof TestClock ? overrides.clock : new TestClock();
  const deps = await buildDeps(config, { ...overrides, clock });
  const app = await buildApp(deps, { logger: false });
  await app.ready();
  return { app, deps, clock, async close() { await app.close(); await deps.close(); } };
}

/** Runs the outbox worker by hand until nothing is due now. */
export async function drain(t: { deps: AppDeps }): Promise<void> {
  while ((await t.deps.worker.runOnce()) > 0) { /* keep going */ }
}

/**
 * Signs a citizen in through the API. The code is read from the outbox row the request wrote
 * (before any channel delivers it), so this works whatever the SMS channel does.
 */
export async function signInByOutbox(t: { app: FastifyInstance; deps: AppDeps }, mobile: string, ip?: string): Promise<string> {
  // With TRUST_PROXY, `ip` is the client's address as a proxy in front would give it.
  const headers = ip ? { 'x-forwarded-for': ip } : {};
  const r1 = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', headers, payload: { mobile } });
  if (r1.statusCode !== 202) throw new Error(`otp request failed: ${r1.statusCode} ${r1.body}`);
  const row = await t.deps.db.selectFrom('outbox').select('payload').where('topic', '=', 'sms.otp').orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  const code = row.map((x) => JSON.parse(x.payload) as { to?: string; code?: string }).find((p) => p.to === r1.json().mobile)?.code;
  if (!code) throw new Error('no OTP in the outbox');
  const r2 = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp/verify', headers, payload: { mobile, code } });
  if (r2.statusCode !== 200) throw new Error(`otp verify failed: ${r2.body}`);
  return r2.json().token;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  messageId: string | null;
}

/**
 * A real SMTP server on a fixed loopback port that can be stopped and started again (stopped:
 * connections are refused), or told to refuse every session with a reply code (421 transient,
 * 554 permanent).
 */
export class MailServer {
  received: ReceivedMail[] = [];
  /** When set, each connection is answered with this reply code and closed. */
  refuseWith: number | null = null;
  /** When set, every recipient is refused with this reply code. */
  rejectRecipientsWith: number | null = null;
  private server: SMTPServer | null = null;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onConnect: (_session, cb) => {
        if (this.refuseWith) return cb(Object.assign(new Error('Service not available, try again later'), { responseCode: this.refuseWith }));
        cb();
      },
      onRcptTo: (_address, _session, cb) => {
        if (this.rejectRecipientsWith) return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: this.rejectRecipientsWith }));
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            messageId: /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? null,
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export interface KavenegarCall {
  method: 'sms/send' | 'verify/lookup';
  params: Record<string, string>;
}

/**
 * A local stand-in for api.kavenegar.com speaking its REST API v1 (the same answers as
 * src/platform/notify/kavenegar.test.ts): `mode` says how it answers. Messages it accepted are
 * in `delivered`; a `localid` it has already accepted is answered with the first entry and not
 * delivered again, as Kavenegar documents.
 */
export class FakeKavenegar {
  calls: KavenegarCall[] = [];
  delivered: KavenegarCall[] = [];
  mode: 'ok' | 'http500' | 'status' | 'hang' = 'ok';
  /** The Kavenegar status answered in mode 'status' (e.g. 418 no credit, 411 bad receptor). */
  status = 418;
  readonly apiKey = 'FAKE-KAVENEGAR-KEY';
  private server: Server | null = null;
  private hanging: ServerResponse[] = [];
  private nextId = 1000;
  private byLocalId = new Map<string, number>();
  baseUrl = '';

  async start(): Promise<void> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, res, Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private answer(req: IncomingMessage, res: ServerResponse, params: Record<string, string>): void {
    const json = (status: number, message: string, entries: unknown = null) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ return: { status, message }, entries }));
    };
    const m = /^\/v1\/([^/]+)\/(sms\/send|verify\/lookup)\.json$/.exec(req.url ?? '');
    if (!m) return json(404, 'متد نامشخص است');
    if (decodeURIComponent(m[1]!) !== this.apiKey) return json(403, 'کد شناسائی API-Key معتبر نمی‌باشد');
    const call: KavenegarCall = { method: m[2] as KavenegarCall['method'], params };
    this.calls.push(call);
    if (this.mode === 'hang') { this.hanging.push(res); return; }
    if (this.mode === 'http500') { res.writeHead(502, { 'content-type': 'text/html' }); res.end('<html><body>502 Bad Gateway</body></html>'); return; }
    if (this.mode === 'status') return json(this.status, 'خطا');
    const seen = params.localid ? this.byLocalId.get(params.localid) : undefined;
    if (seen !== undefined) return json(200, 'تایید شد', [{ messageid: seen, receptor: params.receptor, status: 1 }]);
    const id = this.nextId++;
    if (params.localid) this.byLocalId.set(params.localid, id);
    this.delivered.push(call);
    json(200, 'تایید شد', [{ messageid: id, receptor: params.receptor, status: 1, statustext: 'در صف ارسال' }]);
  }

  /** The environment that points the app at this fake. */
  env(): Record<string, string> {
    return { SMS_PROVIDER: 'kavenegar', KAVENEGAR_API_KEY: this.apiKey, KAVENEGAR_OTP_TEMPLATE: 'pishkhan-otp', KAVENEGAR_SENDER: '10004346', KAVENEGAR_BASE_URL: this.baseUrl };
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.hanging = [];
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }
}
