// `npm run bench:scale`: Pishkhan as 1, 2 and 4 app processes behind one port on one PostgreSQL
// (`WORKERS=N npm start`: node:cluster), in production mode, then what must stay true with 4.
//
// Throughput: a mixed load (each connection repeats: the home page, a service page, a tracking
// page, then a submission through the JSON API: start a draft, answer, submit) per process
// count, as req/s, p50 and p95, each as a ratio to 1 process and to a bare Fastify "hello"
// (one process) measured in the same run.
//
// Correctness with 4 processes:
//   - many concurrent submissions: every tracking code returned and stored is unique;
//   - every outbox message of the whole run (SMS codes, submission SMS and e-mails) reached its
//     provider exactly once: SMS at a Kavenegar stand-in (counted by localid; codes by number),
//     e-mail at a real SMTP server (smtp-server, counted by the X-Pishkhan-Id header);
//   - applications past their deadline, with the escalation scanner running in all 4 processes
//     (restarted together, so their first scans race): each escalated exactly once, each
//     manager notified exactly once.
//
//   BENCH_DURATION=10     seconds of load per process count (after BENCH_WARMUP=2 s)
//   BENCH_CONNECTIONS=32  concurrent connections
//   BENCH_COUNTS=1,2,4    process counts to measure
//   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   where the fresh database is made
//   BENCH_FIGURES=file    also write the tables as Markdown (default /tmp/notes/B-figures.md)
// Ports 4110-4119. Method and figures: docs/performance.md, docs/operations.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.js';
import { systemClock } from '../src/platform/core/index.js';
import { createIdentityService } from '../src/modules/identity/service.js';
import { seedDemo } from '../src/modules/orgs/seed.js';
import { isValidNationalCode } from '../src/platform/i18n/persian.js';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const APP_PORT = 4110;
const BARE_PORT = 4111;
const SMS_PORT = 4116;
const SMTP_PORT = 4117;
const base = `http://127.0.0.1:${APP_PORT}`;

// ---------- the bare baseline (a child process) ----------

async function serveBare(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.listen({ port: BARE_PORT, host: '127.0.0.1' });
  process.stdout.write('LISTENING\n');
  process.on('SIGTERM', () => void app.close().finally(() => process.exit(0)));
}

// ---------- the providers the app delivers to (in this process) ----------

/** What the SMS provider stand-in and the SMTP server were given. */
const delivered = { smsByLocalId: new Map<string, number>(), otp: 0, otpByCode: new Map<string, number>(), mailById: new Map<string, number>(), mailWithoutId: 0 };
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

function startSms(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const p = new URLSearchParams(body);
      if (req.url?.endsWith('/verify/lookup.json')) {
        delivered.otp += 1;
        bump(delivered.otpByCode, `${p.get('receptor')}:${p.get('token')}`);
      } else if (req.url?.endsWith('/sms/send.json')) {
        bump(delivered.smsByLocalId, p.get('localid') ?? '(none)');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ return: { status: 200, message: 'ok' }, entries: [{ messageid: 1 }] }));
    });
  });
  return new Promise((resolve) => server.listen(SMS_PORT, '127.0.0.1', () => resolve(server)));
}

function startSmtp(): Promise<SMTPServer> {
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const id = /^X-Pishkhan-Id:\s*(\S+)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
        if (id) bump(delivered.mailById, id);
        else delivered.mailWithoutId += 1;
        callback();
      });
    },
  });
  return new Promise((resolve) => server.listen(SMTP_PORT, '127.0.0.1', () => resolve(server)));
}

// ---------- the app: WORKERS=n npm start ----------

interface Cluster { proc: ChildProcess; log: string; n: number }

async function startCluster(n: number, env: Record<string, string>, dir: string): Promise<Cluster> {
  const log = join(dir, `app-${n}-${Date.now()}.log`);
  writeFileSync(log, '');
  const fd = openSync(log, 'a');
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, stdio: ['ignore', fd, fd], env: { ...process.env, ...env, WORKERS: String(n) } });
  const until = Date.now() + 180_000;
  // Up when every worker has logged that it serves.
  for (;;) {
    const serving = (readFileSync(log, 'utf8').match(/"msg":"Pishkhan is serving"/g) ?? []).length;
    if (serving >= n) break;
    if (proc.exitCode !== null) throw new Error(`WORKERS=${n} exited with ${proc.exitCode}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
    if (Date.now() > until) throw new Error(`WORKERS=${n}: only ${serving} workers serving after 180 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { proc, log, n };
}

function stopCluster(c: Cluster): Promise<number | null> {
  return new Promise((resolve) => {
    if (c.proc.exitCode !== null) return resolve(c.proc.exitCode);
    const kill = setTimeout(() => c.proc.kill('SIGKILL'), 45_000);
    c.proc.once('exit', (code) => { clearTimeout(kill); resolve(code); });
    c.proc.kill('SIGTERM');
  });
}

// ---------- citizens and submissions through the API ----------

let ipCounter = 0;
const nextIp = () => { const i = ipCounter++ % 60000; return `10.${80 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`; };

/** A valid Iranian national code (9 digits and the check digit). */
function nationalCode(): string {
  for (;;) {
    const d = Array.from({ length: 9 }, () => Math.floor(Math.random() * 10));
    if (new Set(d).size < 2) continue;
    const s = d.reduce((acc, x, i) => acc + x * (10 - i), 0) % 11;
    const code = d.join('') + String(s < 2 ? s : 11 - s);
    if (isValidNationalCode(code)) return code;
  }
}

async function call(method: string, path: string, body: unknown, token: string | null, expected: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': nextIp(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A citizen signed in by SMS code (read at the stand-in), with an e-mail address so each submission also mails. */
async function citizen(i: number): Promise<{ token: string; mobile: string }> {
  const mobile = `0913${String(i).padStart(3, '0')}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  const before = new Set(delivered.otpByCode.keys());
  await call('POST', '/api/v1/auth/otp', { mobile }, null, 202);
  let code: string | undefined;
  for (let k = 0; k < 300 && !code; k++) {
    code = [...delivered.otpByCode.keys()].find((key) => key.startsWith(`${mobile}:`) && !before.has(key))?.split(':')[1];
    if (!code) await new Promise((r) => setTimeout(r, 50));
  }
  if (!code) throw new Error(`no SMS code for ${mobile}`);
  const { token } = await call('POST', '/api/v1/auth/otp/verify', { mobile, code }, null, 200) as { token: string };
  await call('PUT', '/api/v1/me/profile', { national_code: nationalCode(), first_name: 'آزمون', last_name: ['احمدی', 'رضایی', 'کریمی', 'حسینی', 'موسوی'][i % 5]!, email: `citizen${i}.${mobile}@bench.example` }, token, 200);
  return { token, mobile };
}

const SUBMIT_SERVICE = { org: 'sari', service: 'waste-management-fee', channel: 'api' };
const answers = (mobile: string) => ({ values: { parcel_code: '12-345-678-9', owner_national_code: '0499370899', owner_mobile: mobile, property_type: 'residential', units: '2', area_m2: '140', years: '2', postal_code: '4817893111' } });

async function submit(token: string, mobile: string): Promise<{ id: string; code: string }> {
  const draft = await call('POST', '/api/v1/applications', SUBMIT_SERVICE, token, 201);
  await call('PATCH', `/api/v1/applications/${draft.id}`, answers(mobile), token, 200);
  const done = await call('POST', `/api/v1/applications/${draft.id}/submit`, { submit_key: randomBytes(12).toString('hex') }, token, 200);
  return { id: String(draft.id), code: String(done.tracking_code) };
}

// ---------- load ----------

interface Measure { label: string; reqPerSec: number; p50: number; p95: number; submissionsPerSec: number; non2xx: number; errors: number }

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);

async function measure(label: string, opts: autocannon.Options, counter: { ops: number }): Promise<Measure> {
  const lat: number[] = [];
  counter.ops = 0;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => { lat.push(ms); });
  });
  lat.sort((a, b) => a - b);
  const seconds = (r.duration || Number(opts.duration)) as number;
  return { label, reqPerSec: lat.length / seconds, p50: percentile(lat, 50), p95: percentile(lat, 95), submissionsPerSec: counter.ops / seconds, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

function mixedLoad(tokens: { token: string; mobile: string }[], trackingCode: string, connections: number, duration: number, counter: { ops: number }): autocannon.Options {
  let next = 0;
  type Ctx = { token?: string; mobile?: string; id?: string; ip?: string };
  const who = (context: unknown) => {
    const c = context as Ctx;
    if (!c.token) { const t = tokens[next++ % tokens.length]!; c.token = t.token; c.mobile = t.mobile; c.ip = nextIp(); }
    return c;
  };
  const headers = (c: Ctx, json = false) => ({ 'x-forwarded-for': c.ip!, authorization: `Bearer ${c.token}`, ...(json ? { 'content-type': 'application/json' } : {}) });
  const read = (path: string): autocannon.Request => ({ method: 'GET', path, setupRequest: (req) => ({ ...req, headers: { 'x-forwarded-for': nextIp() } }) });
  return {
    url: base, connections, duration, pipelining: 1,
    requests: [
      read('/'),
      read('/services/building-permit'),
      read(`/track/${trackingCode}`),
      {
        method: 'POST', path: '/api/v1/applications',
        setupRequest: (req, context) => { const c = who(context); return { ...req, headers: headers(c, true), body: JSON.stringify(SUBMIT_SERVICE) }; },
        onResponse: (status, body, context) => { (context as Ctx).id = status === 201 ? (JSON.parse(body) as { id: string }).id : 'none'; },
      },
      {
        method: 'PATCH',
        setupRequest: (req, context) => { const c = who(context); return { ...req, path: `/api/v1/applications/${c.id}`, headers: headers(c, true), body: JSON.stringify(answers(c.mobile!)) }; },
      },
      {
        method: 'POST',
        setupRequest: (req, context) => { const c = who(context); return { ...req, path: `/api/v1/applications/${c.id}/submit`, headers: headers(c, true), body: JSON.stringify({ submit_key: randomBytes(12).toString('hex') }) }; },
        onResponse: (status) => { if (status === 200) counter.ops += 1; },
      },
    ],
  };
}

// ---------- the run ----------

async function adminQuery(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(text); } finally { await c.end(); }
}

async function waitFor(what: string, ms: number, ok: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const fmt = (x: number, d = 0) => x.toFixed(d);
const ratio = (x: number) => `${x.toFixed(x >= 0.1 ? 2 : 3)}x`;

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 10);
  const warmup = Number(process.env.BENCH_WARMUP ?? 2);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const counts = (process.env.BENCH_COUNTS ?? '1,2,4').split(',').map(Number);
  const pgAdmin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const figuresFile = process.env.BENCH_FIGURES ?? '/tmp/notes/B-figures.md';
  const machine = `${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at start`;
  console.log(`Pishkhan scale-out bench: ${connections} connections, ${warmup} s warm-up + ${duration} s per process count\nmachine: ${machine}`);
  const started = Date.now();

  const name = `pishkhan_scale_${randomBytes(5).toString('hex')}`;
  await adminQuery(pgAdmin, `create database ${name}`);
  const url = new URL(pgAdmin);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  console.log(`PostgreSQL: fresh database ${name} (dropped after the run)`);
  const dir = mkdtempSync(join(os.tmpdir(), 'pishkhan-scale-'));
  const handle = openDatabase({ kind: 'postgres', url: dbUrl, max: 4 });
  const sms = await startSms();
  const smtp = await startSmtp();
  let bare: ChildProcess | null = null;
  let cluster: Cluster | null = null;
  const problems: string[] = [];
  const out: string[] = [];
  try {
    await migrateToLatest(handle.db);
    const identity = createIdentityService({ db: handle.db, clock: systemClock, secret: 'x'.repeat(40), onOutbox: () => undefined, issuer: 'Pishkhan' });
    await seedDemo(handle.db, identity, Date.now());
    const env: Record<string, string> = {
      NODE_ENV: 'production', PORT: String(APP_PORT), HOST: '127.0.0.1', DATABASE_URL: dbUrl, DATA_DIR: dir,
      SESSION_SECRET: randomBytes(36).toString('base64'), PUBLIC_URL: base, TRUST_PROXY: '1', LOG_LEVEL: 'info',
      SMS_PROVIDER: 'kavenegar', KAVENEGAR_API_KEY: 'bench', KAVENEGAR_OTP_TEMPLATE: 'pishkhan-otp', KAVENEGAR_BASE_URL: `http://127.0.0.1:${SMS_PORT}`,
      SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`, MAIL_FROM: 'Pishkhan <no-reply@bench.example>',
      PAYMENT_GATEWAY: 'zarinpal', ZARINPAL_MERCHANT_ID: '00000000-0000-4000-8000-000000000000',
    };

    // The bare baseline.
    bare = spawn(process.execPath, ['--import', 'tsx', self, '--bare'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      bare!.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('LISTENING')) resolve(); });
      bare!.on('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
    });
    const bareOpts: autocannon.Options = { url: `http://127.0.0.1:${BARE_PORT}/hello`, connections, duration, pipelining: 1 };
    await autocannon({ ...bareOpts, duration: warmup });
    const bareM = await measure('bare Fastify GET /hello (1 process)', bareOpts, { ops: 0 });
    bare.kill('SIGTERM');
    bare = null;
    console.log(`  measured the bare baseline: ${fmt(bareM.reqPerSec)} req/s`);

    // Throughput per process count.
    const rows: Measure[] = [];
    const tokens: { token: string; mobile: string }[] = [];
    let trackingCode = '';
    for (const n of counts) {
      cluster = await startCluster(n, env, dir);
      if (!tokens.length) {
        for (let i = 0; i < 16; i++) tokens.push(await citizen(i));
        trackingCode = (await submit(tokens[0]!.token, tokens[0]!.mobile)).code;
      }
      const counter = { ops: 0 };
      if (warmup > 0) await autocannon({ ...mixedLoad(tokens, trackingCode, connections, warmup, counter), duration: warmup });
      const m = await measure(`WORKERS=${n}`, mixedLoad(tokens, trackingCode, connections, duration, counter), counter);
      rows.push(m);
      console.log(`  measured ${n} process(es): ${fmt(m.reqPerSec)} req/s, p95 ${fmt(m.p95)} ms, ${fmt(m.submissionsPerSec, 1)} submissions/s${m.non2xx || m.errors ? ` (${m.non2xx} non-2xx, ${m.errors} errors)` : ''}`);
      if (m.non2xx || m.errors) problems.push(`WORKERS=${n}: ${m.non2xx} non-2xx answers and ${m.errors} errors under load`);
      if (n !== 4 || counts.at(-1) !== n) {
        const code = await stopCluster(cluster);
        cluster = null;
        if (code !== 0) problems.push(`WORKERS=${n} exited with ${code} after SIGTERM`);
      }
    }
    const one = rows[0]!;
    const throughput = table(
      ['app processes', 'req/s', 'submissions/s', 'p50 ms', 'p95 ms', 'req/s vs 1 process', 'req/s vs bare', 'non-2xx / errors'],
      [
        ...rows.map((r) => [r.label.replace('WORKERS=', ''), fmt(r.reqPerSec), fmt(r.submissionsPerSec, 1), fmt(r.p50, 1), fmt(r.p95, 1), ratio(r.reqPerSec / one.reqPerSec), ratio(r.reqPerSec / bareM.reqPerSec), `${r.non2xx} / ${r.errors}`]),
        ['bare Fastify /hello', fmt(bareM.reqPerSec), '', fmt(bareM.p50, 1), fmt(bareM.p95, 1), '', '1.00x', `${bareM.non2xx} / ${bareM.errors}`],
      ],
    );
    out.push(`### Scale-out: 1, 2, 4 app processes behind one port (WORKERS=N, PostgreSQL)\n`, `Mixed load, ${connections} connections, ${duration} s per row after ${warmup} s warm-up: each connection repeats GET /, GET /services/building-permit, GET /track/<code>, then a submission through the JSON API (start a draft, answer, submit: 3 requests), so 6 requests per round, half of them writes. Production mode, LOG_LEVEL=info to a file, SMS to a Kavenegar stand-in and e-mail to a real SMTP server (both in the load generator's process). Machine: ${machine}.\n`, throughput, '');
    console.log(`\n${throughput}\n`);

    // ---------- correctness with 4 processes ----------
    if (!cluster || cluster.n !== 4) {
      if (cluster) await stopCluster(cluster);
      cluster = await startCluster(4, env, dir);
    }
    console.log('correctness with 4 processes:');
    const citizens = await Promise.all(Array.from({ length: 40 }, (_, i) => citizen(100 + i)));
    const perCitizen = 10;
    const t0 = Date.now();
    const submitted = (await Promise.all(citizens.map(async (c) => {
      const mine: { id: string; code: string }[] = [];
      for (let k = 0; k < perCitizen; k++) mine.push(await submit(c.token, c.mobile));
      return mine;
    }))).flat();
    const submitSeconds = (Date.now() - t0) / 1000;
    const codes = new Set(submitted.map((s) => s.code));
    const stored = await handle.db.selectFrom('applications').select((eb) => [eb.fn.countAll<number>().as('n'), sql<number>`count(distinct tracking_code)`.as('distinct_codes')])
      .where('id', 'in', submitted.map((s) => s.id)).executeTakeFirstOrThrow();
    const allApps = await handle.db.selectFrom('applications').select((eb) => [eb.fn.countAll<number>().as('n'), sql<number>`count(distinct tracking_code)`.as('d')]).where('tracking_code', 'is not', null).executeTakeFirstOrThrow();
    const uniqueOk = codes.size === submitted.length && Number(stored.n) === submitted.length && Number(stored.distinct_codes) === submitted.length && Number(allApps.n) === Number(allApps.d);
    if (!uniqueOk) problems.push(`tracking codes: ${submitted.length} submissions, ${codes.size} distinct codes returned, ${stored.distinct_codes} distinct stored; ${allApps.n} codes in the database, ${allApps.d} distinct`);
    console.log(`  ${submitted.length} concurrent submissions (40 citizens x ${perCitizen}) in ${submitSeconds.toFixed(1)} s: ${codes.size} distinct tracking codes; all ${allApps.n} codes in the database distinct: ${uniqueOk ? 'yes' : 'NO'}`);

    // Deadlines passed: the four processes are restarted together and their scanners race.
    await stopCluster(cluster);
    cluster = null;
    const past = Date.now() - 3_600_000;
    const breached = await handle.db.updateTable('applications').set({ due_at: past })
      .where('id', 'in', submitted.map((s) => s.id)).where('phase', '=', 'open').where('due_at', 'is not', null).executeTakeFirst();
    const nBreached = Number(breached.numUpdatedRows);
    const breachedIds = (await handle.db.selectFrom('applications').select('id').where('id', 'in', submitted.map((s) => s.id)).where('due_at', '=', past).execute()).map((r) => r.id);
    cluster = await startCluster(4, env, dir);
    const escalatedEvents = async () => Number((await handle.db.selectFrom('application_events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'escalated').where('application_id', 'in', breachedIds).executeTakeFirstOrThrow()).n);
    await waitFor('every breach to be escalated', 120_000, async () => (await escalatedEvents()) >= nBreached);
    const drained = async () => Number((await handle.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'processing']).executeTakeFirstOrThrow()).n) === 0;
    await waitFor('the outbox to drain', 120_000, drained);
    const recipients = await handle.db.selectFrom('memberships').innerJoin('orgs', 'orgs.id', 'memberships.org_id').innerJoin('staff', 'staff.id', 'memberships.staff_id')
      .select('staff.id').where('orgs.code', '=', 'sari').where('memberships.role', '=', 'manager').where('staff.disabled', '=', 0).execute();
    const perApp = await handle.db.selectFrom('application_events').select(['application_id', (eb) => eb.fn.countAll<number>().as('n')]).where('type', '=', 'escalated').where('application_id', 'in', breachedIds).groupBy('application_id').execute();
    const escAudit = Number((await handle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'application.escalated').where('entity_id', 'in', breachedIds).executeTakeFirstOrThrow()).n);
    const escOutbox = await handle.db.selectFrom('outbox').select(['status']).where('topic', '=', 'casework.escalation').execute();
    const notices = await handle.db.selectFrom('staff_notices').select(['application_id', 'staff_id', (eb) => eb.fn.countAll<number>().as('n')]).where('kind', '=', 'escalation').where('application_id', 'in', breachedIds).groupBy(['application_id', 'staff_id']).execute();
    const expectedRecipients = Math.max(1, recipients.length);
    const escOk = perApp.length === nBreached && perApp.every((r) => Number(r.n) === 1) && escAudit === nBreached && escOutbox.length === nBreached && escOutbox.every((r) => r.status === 'done')
      && notices.length === nBreached * expectedRecipients && notices.every((r) => Number(r.n) === 1);
    if (!escOk) problems.push(`escalations: ${nBreached} breaches; events per application ${JSON.stringify([...new Set(perApp.map((r) => Number(r.n)))])} over ${perApp.length}; ${escAudit} audit entries; ${escOutbox.length} outbox messages; ${notices.length} notices (expected ${nBreached * expectedRecipients}), most per application and manager ${Math.max(0, ...notices.map((r) => Number(r.n)))}`);
    console.log(`  ${nBreached} applications past their deadline, 4 scanners: ${perApp.length} escalated, ${escAudit} audit entries, ${escOutbox.length} escalation messages, ${notices.length} manager notices (${expectedRecipients} manager(s) each), exactly once: ${escOk ? 'yes' : 'NO'}`);

    // Every outbox message of the run, against what the providers got.
    const rowsByTopic = await handle.db.selectFrom('outbox').select(['id', 'topic', 'status']).where('topic', 'in', ['sms.send', 'sms.otp', 'email.send']).execute();
    const smsRows = rowsByTopic.filter((r) => r.topic === 'sms.send');
    const otpRows = rowsByTopic.filter((r) => r.topic === 'sms.otp');
    const mailRows = rowsByTopic.filter((r) => r.topic === 'email.send');
    const notDone = rowsByTopic.filter((r) => r.status !== 'done').length;
    const smsTwice = [...delivered.smsByLocalId.values()].filter((n) => n > 1).length;
    const smsMissing = smsRows.filter((r) => !delivered.smsByLocalId.has(r.id)).length;
    const smsStray = [...delivered.smsByLocalId.keys()].filter((k) => !smsRows.some((r) => r.id === k)).length;
    const mailTwice = [...delivered.mailById.values()].filter((n) => n > 1).length;
    const mailMissing = mailRows.filter((r) => !delivered.mailById.has(r.id)).length;
    const otpTwice = [...delivered.otpByCode.values()].filter((n) => n > 1).length;
    const outboxOk = notDone === 0 && smsTwice === 0 && smsMissing === 0 && smsStray === 0 && mailTwice === 0 && mailMissing === 0 && delivered.mailWithoutId === 0
      && delivered.otp === otpRows.length && otpTwice === 0 && delivered.smsByLocalId.size === smsRows.length && delivered.mailById.size === mailRows.length;
    if (!outboxOk) problems.push(`outbox: ${notDone} not done; SMS ${smsRows.length} rows, ${delivered.smsByLocalId.size} delivered ids, ${smsTwice} twice, ${smsMissing} missing, ${smsStray} unknown; codes ${otpRows.length} rows, ${delivered.otp} sent, ${otpTwice} twice; mail ${mailRows.length} rows, ${delivered.mailById.size} delivered ids, ${mailTwice} twice, ${mailMissing} missing, ${delivered.mailWithoutId} without id`);
    console.log(`  outbox of the whole run: ${smsRows.length} SMS, ${otpRows.length} SMS codes, ${mailRows.length} e-mails; delivered exactly once each: ${outboxOk ? 'yes' : 'NO'}`);

    const correctness = table(['check (4 app processes, one PostgreSQL)', 'expected', 'found', 'ok'], [
      [`concurrent submissions (40 citizens x ${perCitizen}, ${submitSeconds.toFixed(1)} s)`, `${submitted.length} distinct tracking codes`, `${codes.size} returned, ${stored.distinct_codes} stored; ${allApps.d}/${allApps.n} distinct in the database`, uniqueOk ? 'yes' : 'NO'],
      ['SMS (sms.send) at the Kavenegar stand-in, by localid = outbox id', `${smsRows.length} once each`, `${delivered.smsByLocalId.size} ids, ${smsTwice} twice, ${smsMissing} missing`, smsTwice || smsMissing || smsStray ? 'NO' : 'yes'],
      ['SMS codes (sms.otp, verify/lookup)', `${otpRows.length}`, `${delivered.otp} sent, ${otpTwice} twice`, delivered.otp === otpRows.length && !otpTwice ? 'yes' : 'NO'],
      ['e-mails at the SMTP server, by X-Pishkhan-Id = outbox id', `${mailRows.length} once each`, `${delivered.mailById.size} ids, ${mailTwice} twice, ${mailMissing} missing`, mailTwice || mailMissing ? 'NO' : 'yes'],
      ['outbox rows left pending, processing or dead', '0', String(notDone), notDone ? 'NO' : 'yes'],
      [`deadlines passed, scanner in all 4 processes (restarted together)`, `${nBreached} escalations, ${nBreached * expectedRecipients} notices`, `${perApp.length} escalated (max ${Math.max(0, ...perApp.map((r) => Number(r.n)))} each), ${escAudit} audit, ${escOutbox.length} messages, ${notices.length} notices`, escOk ? 'yes' : 'NO'],
    ]);
    out.push('### Scale-out correctness with 4 app processes\n', correctness, '');
    console.log(`\n${correctness}\n`);
    const code = await stopCluster(cluster);
    cluster = null;
    if (code !== 0) problems.push(`WORKERS=4 exited with ${code} after SIGTERM`);
  } finally {
    if (cluster) await stopCluster(cluster);
    bare?.kill('SIGTERM');
    sms.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    await handle.close();
    await adminQuery(pgAdmin, `drop database if exists ${name} with (force)`);
    rmSync(dir, { recursive: true, force: true });
  }
  const total = `total time ${((Date.now() - started) / 1000).toFixed(0)} s; ${problems.length ? `PROBLEMS:\n- ${problems.join('\n- ')}` : 'no problems'}`;
  console.log(total);
  mkdirSync(dirname(figuresFile), { recursive: true });
  writeFileSync(figuresFile, `<!-- written by npm run bench:scale at ${new Date().toISOString()} -->\n${out.join('\n')}\n${total}\n`);
  console.log(`tables written to ${figuresFile}`);
  if (problems.length) process.exit(1);
}

if (process.argv[2] === '--bare') await serveBare();
else await main();
