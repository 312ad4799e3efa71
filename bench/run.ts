// `npm run bench`: how fast the real app answers, measured against a bare Fastify "hello world"
// on the same machine in the same run, so the figures can be read as ratios that travel
// between machines. Each server runs in its own child process (one core each on a small box);
// autocannon runs in this process and loads one target at a time.
//
// The app runs twice: on SQLite (a temp file) and on PostgreSQL (a fresh database created for
// the run and dropped after it). On each, e-services are measured: the public service page, a
// tracking lookup and a citizen's submission through the JSON API; the submission is compared
// with a plain single-row INSERT into a scratch table on the same database, through the same
// driver, by a tiny Fastify route in the same process.
//
//   BENCH_DURATION=5      seconds per target (after a 1 s warm-up)
//   BENCH_CONNECTIONS=16  concurrent connections
//   BENCH_OUT=file.json   also write the results as JSON
//   BENCH_CPU_PROF=dir    write a V8 CPU profile of the SQLite app process to dir (open it in Chrome DevTools)
//   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres
//                         where to create the PostgreSQL database; BENCH_PG=0 skips PostgreSQL
//
// Method and figures: docs/performance.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');

type ServerKind = 'bare' | 'app' | 'app-pg';
type DbName = 'SQLite' | 'PostgreSQL';
const dbOf: Record<Exclude<ServerKind, 'bare'>, DbName> = { app: 'SQLite', 'app-pg': 'PostgreSQL' };

// ---------- the servers (child processes) ----------

/** The scratch table of the plain-insert baseline: one row per request. */
const SCRATCH_TABLE = 'bench_scratch';

async function serve(kind: ServerKind): Promise<void> {
  const { default: Fastify } = await import('fastify');
  let close: () => Promise<void>;
  let port: number;
  let insertPort = 0;
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    app.get('/hello', async () => ({ hello: 'world' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    close = () => app.close();
  } else {
    const { sql } = await import('kysely');
    const { loadConfig } = await import('../src/config.js');
    const { buildDeps } = await import('../src/wiring.js');
    const { buildApp } = await import('../src/app.js');
    const { seedDemo } = await import('../src/modules/orgs/seed.js');
    const dir = mkdtempSync(join(os.tmpdir(), 'pishkhan-bench-'));
    const config = loadConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir,
      DATABASE_URL: kind === 'app-pg' ? process.env.BENCH_DATABASE_URL! : `sqlite:${join(dir, 'pishkhan.db')}`,
      SESSION_SECRET: 'bench-secret-'.padEnd(48, 'x'), PISHKHAN_DEMO: '1',
      // The load comes from one address; behind a proxy, as in production, X-Forwarded-For
      // gives each simulated visitor their own address for the per-address rate limits.
      TRUST_PROXY: '1',
    });
    const deps = await buildDeps(config);
    await seedDemo(deps.db, deps.services.identity);
    const app = await buildApp(deps, { logger: false });
    deps.worker.start();
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;

    // The baseline of a write: a bare Fastify route inserting one row through the app's own
    // database handle (same driver, same pool or connection, same pragmas).
    await sql`create table if not exists ${sql.table(SCRATCH_TABLE)} (id text primary key, payload text not null, created_at bigint not null)`.execute(deps.db);
    const scratch = Fastify({ logger: false });
    scratch.post('/insert', async (req, reply) => {
      const payload = String((req.body as { payload?: unknown } | null)?.payload ?? '').slice(0, 200);
      const id = randomUUID();
      await sql`insert into ${sql.table(SCRATCH_TABLE)} (id, payload, created_at) values (${id}, ${payload}, ${Date.now()})`.execute(deps.db);
      return reply.status(201).send({ id });
    });
    await scratch.listen({ port: 0, host: '127.0.0.1' });
    insertPort = (scratch.server.address() as { port: number }).port;
    close = async () => { await scratch.close(); await app.close(); await deps.close(); rmSync(dir, { recursive: true, force: true }); };
  }
  process.stdout.write(`LISTENING ${port} ${insertPort}\n`);
  const stop = () => void close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

interface Child { kind: ServerKind; proc: ChildProcess; url: string; insertUrl: string }

function startChild(kind: ServerKind, env: Record<string, string> = {}): Promise<Child> {
  const prof = kind === 'app' && process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', self, '--serve', kind], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the ${kind} server did not start within 90 s`)), 90_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /LISTENING (\d+) (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ kind, proc, url: `http://127.0.0.1:${m[1]}`, insertUrl: `http://127.0.0.1:${m[2]}` });
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the ${kind} server exited with ${code} before listening`)); });
  });
}

function stopChild(c: Child): Promise<void> {
  return new Promise((resolve) => {
    if (c.proc.exitCode !== null) return resolve();
    const kill = setTimeout(() => c.proc.kill('SIGKILL'), 5000);
    c.proc.once('exit', () => { clearTimeout(kill); resolve(); });
    c.proc.kill('SIGTERM');
  });
}

/** Resident memory of a process in MiB (Linux), or null. */
function rssMiB(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

// ---------- PostgreSQL: a fresh database for the run ----------

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    s.setTimeout(1500);
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
    s.on('timeout', () => { s.destroy(); resolve(false); });
  });
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** Creates an empty database next to adminUrl's; returns its URL and how to drop it. */
async function createPgDatabase(adminUrl: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `pishkhan_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`) };
}

// ---------- a citizen and an application, made through the API as a client would ----------

/** The service a submission files: Sari's waste-management fee (بهای خدمات پسماند), which has no required document. */
const SUBMIT_SERVICE = { org: 'sari', service: 'waste-management-fee', channel: 'api' };
const SUBMIT_VALUES = {
  values: { parcel_code: '12-345-678-9', owner_national_code: '0499370899', owner_mobile: '09121234567', property_type: 'residential', units: '2', area_m2: '140', years: '2', postal_code: '4817893111' },
};

async function json(res: Response, expected: number, what: string): Promise<Record<string, unknown>> {
  const body = await res.text();
  if (res.status !== expected) throw new Error(`${what}: expected ${expected}, got ${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as Record<string, unknown>;
}

/** Signs a new citizen in through the API (the SMS code read at /dev/outbox.json) and returns the session token. */
async function citizenToken(base: string): Promise<string> {
  const mobile = `0912${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await json(await post('/api/v1/auth/otp', { mobile }), 202, 'request an OTP');
  for (let i = 0; i < 100; i++) {
    const { items } = (await json(await fetch(`${base}/dev/outbox.json?limit=20`), 200, 'read the outbox')) as { items: { to: string; body: string }[] };
    const code = items.find((m) => m.to === mobile)?.body.match(/\d{4,8}/)?.[0];
    if (code) return (await json(await post('/api/v1/auth/otp/verify', { mobile, code }), 200, 'verify the OTP')).token as string;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no OTP SMS at /dev/outbox.json');
}

/** One citizen submission through the JSON API: start a draft, answer the form, submit. Returns the tracking code. */
async function submitOnce(base: string, token: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const draft = await json(await fetch(`${base}/api/v1/applications`, { method: 'POST', headers, body: JSON.stringify(SUBMIT_SERVICE) }), 201, 'start a draft');
  await json(await fetch(`${base}/api/v1/applications/${draft.id}`, { method: 'PATCH', headers, body: JSON.stringify(SUBMIT_VALUES) }), 200, 'answer the form');
  const done = await json(await fetch(`${base}/api/v1/applications/${draft.id}/submit`, { method: 'POST', headers, body: JSON.stringify({ submit_key: randomBytes(12).toString('hex') }) }), 200, 'submit');
  if (typeof done.tracking_code !== 'string') throw new Error(`submit: no tracking code in ${JSON.stringify(done).slice(0, 200)}`);
  return done.tracking_code;
}

// ---------- the load (this process) ----------

interface Prepared { token: string; trackingCode: string }

interface Target {
  name: string;
  server: ServerKind;
  db?: DbName;
  /** What one operation is: one request, or a submission of `requests` requests. */
  unit?: { name: string; requests: number };
  /** The autocannon options of the load (url, method, headers, body or a request sequence). */
  load(child: Child, prepared: Prepared | undefined, counter: { ops: number }): Partial<autocannon.Options> & { url: string };
  /** Sends one operation and checks the answer before loading. */
  check(child: Child, prepared: Prepared | undefined): Promise<void>;
  /** Which row of the same run this one is also compared with ('vs insert'). */
  versus?: string;
}

/** Rotating client addresses, one per request (4,096 of them, so none nears the 60-a-minute limit of the public routes). */
let ipCounter = 0;
const nextIp = () => { const i = ipCounter++ % 4096; return `10.77.${i >> 8}.${i & 255}`; };

async function expectGet(url: string, ok: (status: number, body: string) => boolean, what: string): Promise<void> {
  const res = await fetch(url);
  const body = await res.text();
  if (!ok(res.status, body)) throw new Error(`${what}: unexpected answer ${res.status}: ${body.slice(0, 200)}`);
}

const simpleGet = (name: string, server: ServerKind, path: string, ok: (status: number, body: string) => boolean): Target => ({
  name, server, load: (c) => ({ url: `${c.url}${path}` }), check: (c) => expectGet(`${c.url}${path}`, ok, name),
});

function eservicesTargets(server: 'app' | 'app-pg'): Target[] {
  const db = dbOf[server];
  const insertName = `scratch POST /insert: one-row INSERT (${db})`;
  const jsonHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  return [
    {
      ...simpleGet(`app GET /services/building-permit (${db})`, server, '/services/building-permit', (s, b) => s === 200 && b.includes('صدور پروانه ساختمانی') && b.includes('choose-org')),
      db,
    },
    {
      name: `app GET /track/<code> (${db})`, server, db,
      load: (c, p) => ({
        url: `${c.url}/track/${p!.trackingCode}`,
        requests: [{ method: 'GET', path: `/track/${p!.trackingCode}`, setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-forwarded-for': nextIp() } }) }],
      }),
      check: (c, p) => expectGet(`${c.url}/track/${p!.trackingCode}`, (s, b) => s === 200 && b.includes(p!.trackingCode), 'tracking'),
    },
    {
      name: insertName, server, db,
      load: (c) => ({ url: `${c.insertUrl}/insert`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload: 'x'.repeat(64) }) }),
      check: async (c) => { await json(await fetch(`${c.insertUrl}/insert`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload: 'check' }) }), 201, 'insert'); },
    },
    {
      name: `app submission: draft + answers + submit (${db})`, server, db, unit: { name: 'submission', requests: 3 }, versus: insertName,
      load: (c, p, counter) => {
        const headers = jsonHeaders(p!.token);
        type Ctx = { id?: string };
        return {
          url: c.url,
          requests: [
            {
              method: 'POST', path: '/api/v1/applications', headers, body: JSON.stringify(SUBMIT_SERVICE),
              onResponse: (status, body, context) => { (context as Ctx).id = status === 201 ? (JSON.parse(body) as { id: string }).id : undefined; },
            },
            {
              method: 'PATCH', headers, body: JSON.stringify(SUBMIT_VALUES),
              setupRequest: (req, context) => ({ ...req, path: `/api/v1/applications/${(context as Ctx).id ?? 'none'}` }),
            },
            {
              method: 'POST', headers,
              setupRequest: (req, context) => ({ ...req, path: `/api/v1/applications/${(context as Ctx).id ?? 'none'}/submit`, body: JSON.stringify({ submit_key: randomBytes(12).toString('hex') }) }),
              onResponse: (status, body) => { if (status === 200 && body.includes('"tracking_code":"SARI-')) counter.ops += 1; },
            },
          ],
        };
      },
      check: async (c, p) => { await submitOnce(c.url, p!.token); },
    },
  ];
}

const targets: Target[] = [
  simpleGet('bare Fastify GET /hello', 'bare', '/hello', (s, b) => s === 200 && b.includes('"hello":"world"')),
  simpleGet('app GET /healthz', 'app', '/healthz', (s, b) => s === 200 && b.includes('ok')),
  simpleGet('app GET / (home page)', 'app', '/', (s, b) => s === 200 && b.includes('dir="rtl"')),
  simpleGet('app GET /api/v1/orgs', 'app', '/api/v1/orgs', (s, b) => s === 200 && b.includes('"sari"')),
  ...eservicesTargets('app'),
  ...eservicesTargets('app-pg'),
];

/** A ratio with enough digits to compare small ones (0.0021x), and no more. */
const ratioText = (x: number) => `${x.toFixed(x >= 0.1 ? 2 : x >= 0.01 ? 3 : 4)}x`;

interface Row {
  name: string; db: DbName | null; unit: string;
  /** Operations per second: requests, or submissions for a submission target. */
  opsPerSec: number; reqPerSec: number; p50: number; p99: number; non2xx: number; errors: number; bytesPerReq: number;
  ratio: number; versus: string | null; ratioVersus: number | null;
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
  const warmup = Number(process.env.BENCH_WARMUP ?? 1);
  if (!(duration > 0) || !(connections > 0) || !(warmup >= 0)) throw new Error('BENCH_DURATION, BENCH_CONNECTIONS and BENCH_WARMUP must be positive numbers');
  const pgAdminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

  const machine = {
    cpus: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  console.log(`Pishkhan bench: ${connections} connections, ${warmup} s warm-up + ${duration} s per target`);
  console.log(`machine: ${machine.cpus} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`);

  const started = Date.now();
  let pgDb: Awaited<ReturnType<typeof createPgDatabase>> | null = null;
  let pgNote: string | null = null;
  if (process.env.BENCH_PG === '0') pgNote = 'PostgreSQL skipped (BENCH_PG=0).';
  else if (!(await reachable(pgAdminUrl))) pgNote = `PostgreSQL skipped: no server answers at ${new URL(pgAdminUrl).host} (set BENCH_PG_URL).`;
  else {
    pgDb = await createPgDatabase(pgAdminUrl);
    console.log(`PostgreSQL: fresh database ${pgDb.name} at ${new URL(pgAdminUrl).host} (dropped after the run)`);
  }
  if (pgNote) console.log(pgNote);
  console.log('');

  const rows: Row[] = [];
  let failures = 0;
  const children: Child[] = [];
  try {
    const kinds: ServerKind[] = ['bare', 'app', ...(pgDb ? ['app-pg' as const] : [])];
    children.push(...(await Promise.all(kinds.map((k) => startChild(k, k === 'app-pg' ? { BENCH_DATABASE_URL: pgDb!.url } : {})))));
    const byKind = new Map(children.map((c) => [c.kind, c]));

    // A signed-in citizen and one real application per app server, made through the API.
    const prepared = new Map<ServerKind, Prepared>();
    for (const c of children.filter((x) => x.kind !== 'bare')) {
      const token = await citizenToken(c.url);
      prepared.set(c.kind, { token, trackingCode: await submitOnce(c.url, token) });
    }

    for (const target of targets) {
      const child = byKind.get(target.server);
      if (!child) continue;
      const p = prepared.get(target.server);
      await target.check(child, p);
      const counter = { ops: 0 };
      const opts = target.load(child, p, counter);
      if (warmup > 0) await autocannon({ ...opts, connections, duration: warmup, pipelining: 1 });
      counter.ops = 0;
      const r = await autocannon({ ...opts, connections, duration, pipelining: 1 });
      const seconds = r.duration || duration;
      const reqPerSec = r.requests.average;
      const row: Row = {
        name: target.name, db: target.db ?? null, unit: target.unit?.name ?? 'request',
        opsPerSec: target.unit ? counter.ops / seconds : reqPerSec, reqPerSec,
        p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts,
        bytesPerReq: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
        ratio: 0, versus: target.versus ?? null, ratioVersus: null,
      };
      if (row.non2xx || row.errors || (target.unit && counter.ops === 0)) failures += 1;
      rows.push(row);
      process.stdout.write(`  measured ${target.name}\n`);
    }
    const appRss = rssMiB(byKind.get('app')?.proc.pid);
    const pgRss = rssMiB(byKind.get('app-pg')?.proc.pid);
    const baseline = rows[0]!.opsPerSec;
    for (const r of rows) {
      r.ratio = r.opsPerSec / baseline;
      const other = r.versus ? rows.find((x) => x.name === r.versus) : undefined;
      r.ratioVersus = other ? r.opsPerSec / other.opsPerSec : null;
    }

    const header = ['target', 'ops/s', 'req/s', 'p50 ms', 'p99 ms', 'bytes/req', 'vs bare', 'vs insert'];
    const table = rows.map((r) => [
      r.name, r.opsPerSec.toFixed(r.opsPerSec < 100 ? 1 : 0), r.reqPerSec.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), String(r.bytesPerReq),
      ratioText(r.ratio),
      `${r.ratioVersus === null ? '' : ratioText(r.ratioVersus)}${r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${table.map(line).join('\n')}`);
    console.log('\nops/s: requests per second, except submissions per second for a submission (3 requests: start a draft, answer, submit).');
    console.log('p50/p99 are per request. vs bare: ops/s over the bare route\'s; vs insert: submissions/s over one-row inserts/s on the same database.');
    for (const r of rows.filter((x) => x.ratioVersus !== null)) {
      console.log(`${r.db}: one submission costs as much as ${(1 / r.ratioVersus!).toFixed(0)} plain one-row inserts (${(connections / r.opsPerSec * 1000).toFixed(0)} ms per submission at ${connections} connections).`);
    }
    if (appRss !== null) console.log(`\napp process resident memory after the run: ${appRss} MiB (SQLite)${pgRss !== null ? `, ${pgRss} MiB (PostgreSQL)` : ''}`);
    if (pgNote) console.log(pgNote);
    console.log(`total time ${((Date.now() - started) / 1000).toFixed(1)} s`);

    if (process.env.BENCH_OUT) {
      writeFileSync(process.env.BENCH_OUT, JSON.stringify({ at: new Date().toISOString(), machine, connections, duration, warmup, appRssMiB: appRss, appPgRssMiB: pgRss, postgres: pgNote ?? 'measured', rows }, null, 2));
      console.log(`results written to ${process.env.BENCH_OUT}`);
    }
  } finally {
    await Promise.all(children.map(stopChild));
    if (pgDb) await pgDb.drop();
  }
  if (failures) {
    console.error(`\n${failures} target(s) answered with errors or non-2xx statuses: the figures above are not valid.`);
    process.exit(1);
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as ServerKind);
else await main();
