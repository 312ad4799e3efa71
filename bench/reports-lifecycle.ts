// `npm run bench:reports`: the whole life of a city problem report (۱۳۷) per second on
// PostgreSQL with a large table (1,000,000 reports by default), over real HTTP:
//
//   citizen  POST /api/v1/reports                      file a pothole in Babol
//   manager  POST /api/v1/reports/:id/assign           assign it (department and officer)
//   manager  POST /api/v1/reports/:id/state            resolve it, with a comment
//   anyone   GET  /api/v1/public/reports/:code         look it up by tracking code
//
// As in bench/run.ts, the figures are read against baselines measured in the same run on the same
// machine: a single-row indexed select on the same table through pg at the same concurrency, and a
// bare Fastify "hello" route through the same HTTP client. Servers run in child processes (the app
// and the bare route, one core each on a small box); the load runs in this process.
//
//   --reports N          reports to preload (default 1000000)
//   --concurrency C      concurrent workers (default 8), each looping one lifecycle
//   --seconds D          measured seconds of lifecycles (default 30; 3 s warm-up before)
//   --baseline-seconds B measured seconds of each baseline (default 10; 2 s warm-up before)
//   --sql-stats          time every SQL statement of the app process (by text) and print the top ones
//   --keep               keep the database (its URL is printed) instead of dropping it
//   --pg-url URL         where to create the database (default postgres://postgres@127.0.0.1:5432/postgres)
//   --out FILE           the JSON results (default bench/results/reports-lifecycle-<date>.json)
//
// Method and figures: docs/performance.md, "City problem reports: lifecycle at 1M reports".
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { preloadReports, type PreloadResult } from './reports-preload.js';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const SESSION_SECRET = 'bench-secret-'.padEnd(48, 'x');

/** Where the bench's reports are filed: Babol, within 2 km of its centre (its demo area is 4 km). */
const BABOL = { lat: 36.5513, lng: 52.679 };
const POTHOLE_DEPARTMENT = 'معاونت فنی و عمرانی';

// ---------- the servers (child processes) ----------

type ServerKind = 'bare' | 'app';

/** Per-statement timing inside the app process (--sql-stats): total and count by SQL text. */
function installSqlStats(): { take(): { sql: string; count: number; totalMs: number; meanMs: number }[]; reset(): void } {
  const stats = new Map<string, { count: number; totalMs: number }>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = (typeof first === 'string' ? first : first?.text ?? '?').replace(/\s+/g, ' ').slice(0, 400);
    const started = performance.now();
    const result = original.apply(this, args);
    const done = () => {
      const s = stats.get(text) ?? { count: 0, totalMs: 0 };
      s.count += 1;
      s.totalMs += performance.now() - started;
      stats.set(text, s);
    };
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done);
    return result;
  };
  return {
    take: () => [...stats].map(([sql, s]) => ({ sql, count: s.count, totalMs: s.totalMs, meanMs: s.totalMs / s.count })).sort((a, b) => b.totalMs - a.totalMs),
    reset: () => stats.clear(),
  };
}

async function serve(kind: ServerKind): Promise<void> {
  const { default: Fastify } = await import('fastify');
  let close: () => Promise<void>;
  let port: number;
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    app.get('/hello', async () => ({ hello: 'world' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    close = () => app.close();
  } else {
    const sqlStats = process.env.BENCH_SQL_STATS === '1' ? installSqlStats() : null;
    const { loadConfig } = await import('../src/config.js');
    const { buildDeps } = await import('../src/wiring.js');
    const { buildApp } = await import('../src/app.js');
    const dir = mkdtempSync(join(os.tmpdir(), 'pishkhan-bench-'));
    const config = loadConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, DATABASE_URL: process.env.BENCH_DATABASE_URL!,
      SESSION_SECRET, PISHKHAN_DEMO: '1',
      // The load comes from one address; X-Forwarded-For gives each request its own, as
      // production's proxy does for real visitors, so per-address rate limits do not trip.
      TRUST_PROXY: '1',
      // Each worker's citizen files several reports a second, far above a citizen's limit.
      REPORTS_PER_MINUTE: '100000',
    });
    const deps = await buildDeps(config);
    const app = await buildApp(deps, { logger: false });
    // The outbox worker delivers the SMS of filing and resolving in this process, as in
    // production; the escalation scanner and the payment reconciler are not started (bench/run.ts
    // does the same).
    deps.worker.start();
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    close = async () => { await app.close(); await deps.close(); rmSync(dir, { recursive: true, force: true }); };
    process.on('message', (m: { cmd?: string }) => {
      if (m.cmd === 'sql-stats') process.send?.({ sqlStats: sqlStats?.take() ?? null });
      if (m.cmd === 'sql-stats-reset') { sqlStats?.reset(); process.send?.({ reset: true }); }
    });
  }
  process.stdout.write(`LISTENING ${port}\n`);
  const stop = () => void close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

interface Child { kind: ServerKind; proc: ChildProcess; port: number }

function startChild(kind: ServerKind, env: Record<string, string> = {}): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', self, '--serve', kind], { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the ${kind} server did not start within 120 s`)), 120_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ kind, proc, port: Number(m[1]) }); }
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

function ask<T>(c: Child, cmd: string): Promise<T> {
  return new Promise((resolve) => {
    c.proc.once('message', (m) => resolve(m as T));
    c.proc.send({ cmd });
  });
}

function rssMiB(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

// ---------- HTTP client: node:http with keep-alive, one socket per worker ----------

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
let ipCounter = 0;
/** A different client address per request (X-Forwarded-For), 16,384 in turn. */
const nextIp = () => { const i = ipCounter++ % 16384; return `10.${77 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`; };

interface Reply { status: number; body: string }

function call(port: number, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { 'x-forwarded-for': nextIp(), accept: 'application/json' };
    if (payload !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = String(Buffer.byteLength(payload)); }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function expect(r: Reply, status: number, what: string): Record<string, unknown> {
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status}: ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

async function citizenToken(port: number, mobile: string): Promise<string> {
  expect(await call(port, 'POST', '/api/v1/auth/otp', { body: { mobile } }), 202, 'request an OTP');
  for (let i = 0; i < 100; i++) {
    const { items } = expect(await call(port, 'GET', '/dev/outbox.json?limit=50'), 200, 'read the outbox') as { items: { to: string; body: string }[] };
    const code = items.find((m) => m.to === mobile)?.body.match(/\d{4,8}/)?.[0];
    if (code) return expect(await call(port, 'POST', '/api/v1/auth/otp/verify', { body: { mobile, code } }), 200, 'verify the OTP').token as string;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no OTP SMS for ${mobile} at /dev/outbox.json`);
}

// ---------- measurement ----------

const now = () => performance.now();

/** Nearest-rank percentile of a sorted list, in ms. */
function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Dist { n: number; perSec: number; p50: number; p95: number; p99: number; max: number; mean: number }
function dist(samples: number[], seconds: number): Dist {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, perSec: s.length / seconds, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

/** Runs `concurrency` loops of `op` for warm-up then measured seconds; returns the measured latencies. */
async function load(concurrency: number, warmupS: number, seconds: number, op: (worker: number, record: boolean) => Promise<number | null>): Promise<{ samples: number[]; errors: number; seconds: number; firstError: string | null }> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const t0 = now();
  const measureFrom = t0 + warmupS * 1000;
  const end = measureFrom + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    while (now() < end) {
      const started = now();
      const record = started >= measureFrom;
      try {
        const ms = await op(w, record);
        if (record && ms !== null) samples.push(ms);
      } catch (e) {
        if (record) errors += 1;
        firstError ??= (e as Error).message;
        if (errors > 50) throw e;
      }
    }
  }));
  return { samples, errors, seconds: (now() - measureFrom) / 1000, firstError };
}

/** Samples what the database's active sessions are doing, every 100 ms, while `during` runs. */
async function sampleActivity<T>(url: string, dbName: string, during: () => Promise<T>): Promise<{ result: T; samples: number; activity: { what: string; share: number }[] }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const { rows } = await c.query<{ state: string; what: string; n: number }>(`
        select state, coalesce(wait_event_type || ':' || wait_event, 'on CPU') as what, count(*)::int as n
        from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend' and state <> 'idle'
        group by 1, 2`, [dbName]);
      samples += 1;
      for (const r of rows) { const k = `${r.state}: ${r.what}`; counts.set(k, (counts.get(k) ?? 0) + r.n); }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const result = await during();
    return { result, samples, activity: [...counts].map(([what, n]) => ({ what, share: n / Math.max(1, samples) })).sort((a, b) => b.share - a.share) };
  } finally {
    stop = true;
    await loop.catch(() => undefined);
    await c.end();
  }
}

// ---------- main ----------

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(x >= 10 ? 0 : 1)}x` : '—');

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    args: process.argv.slice(2),
    options: {
      reports: { type: 'string', default: '1000000' }, concurrency: { type: 'string', default: '8' }, seconds: { type: 'string', default: '30' },
      'baseline-seconds': { type: 'string', default: '10' }, 'sql-stats': { type: 'boolean', default: false }, keep: { type: 'boolean', default: false },
      'pg-url': { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' }, out: { type: 'string' },
    },
  });
  const nReports = Number(a.reports);
  const concurrency = Number(a.concurrency);
  const seconds = Number(a.seconds);
  const baselineSeconds = Number(a['baseline-seconds']);
  if (!(nReports >= 1000) || !(concurrency >= 1) || !(seconds > 0) || !(baselineSeconds > 0)) throw new Error('--reports ≥ 1000, --concurrency ≥ 1, --seconds and --baseline-seconds > 0');
  const machine = {
    cpus: os.availableParallelism(), cpu: os.cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version, platform: `${os.platform()} ${os.release()}`, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
  console.log(`Pishkhan bench: report lifecycles on PostgreSQL with ${nReports.toLocaleString('en')} preloaded reports, ${concurrency} workers, ${seconds} s`);
  console.log(`machine: ${machine.cpus} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}, load ${machine.loadavg.join(' ')}`);

  const adminUrl = a['pg-url']!;
  const dbName = `pk_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (text: string) => { const c = new pg.Client({ connectionString: adminUrl }); await c.connect(); try { return await c.query(text); } finally { await c.end(); } };
  const pgVersion = String((await admin('show server_version')).rows[0]?.server_version);
  await admin(`create database ${dbName}`);
  const dbUrl = (() => { const u = new URL(adminUrl); u.pathname = `/${dbName}`; return u.toString(); })();
  console.log(`PostgreSQL ${pgVersion}: fresh database ${dbName}${a.keep ? ' (kept after the run)' : ' (dropped after the run)'}`);

  const children: Child[] = [];
  const selectPool = new pg.Pool({ connectionString: dbUrl, max: concurrency });
  try {
    // 1. Schema, demo province, a Babol manager, and the preload.
    const started = Date.now();
    const { openDatabase, migrateToLatest } = await import('../src/platform/db/index.js');
    const handle = openDatabase({ kind: 'postgres', url: dbUrl });
    await migrateToLatest(handle.db);
    await handle.close();
    const { loadConfig } = await import('../src/config.js');
    const { buildDeps } = await import('../src/wiring.js');
    const { seedDemo } = await import('../src/modules/orgs/seed.js');
    const { systemActor } = await import('../src/platform/core/index.js');
    const seedDeps = await buildDeps(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: dbUrl, SESSION_SECRET, DATA_DIR: mkdtempSync(join(os.tmpdir(), 'pishkhan-bench-')) }));
    await seedDemo(seedDeps.db, seedDeps.services.identity);
    const babol = await seedDeps.db.selectFrom('orgs').select('id').where('code', '=', 'babol').executeTakeFirstOrThrow();
    const manager = { username: 'babol.manager', ...(await seedDeps.services.identity.createStaff(systemActor, { username: 'babol.manager', displayName: 'مدیر بابل', memberships: [{ orgId: babol.id, role: 'manager' }] })) };
    await seedDeps.close();
    const setupSeconds = (Date.now() - started) / 1000;
    console.log(`migrated and seeded the demo province in ${setupSeconds.toFixed(1)} s; preloading…`);

    const loader = new pg.Client({ connectionString: dbUrl });
    await loader.connect();
    let preload: PreloadResult;
    try {
      preload = await preloadReports(loader, nReports, Date.now(), (s) => console.log(s));
    } finally {
      await loader.end();
    }
    const sizes = (await selectPool.query<{ t: string; size: string }>(`
      select relname as t, pg_size_pretty(pg_total_relation_size(oid)) as size from pg_class where relname in ('reports', 'report_updates', 'citizens')`)).rows;
    console.log(`preload: ${preload.seconds.total.toFixed(1)} s in all (${sizes.map((s) => `${s.t} ${s.size}`).join(', ')})`);

    // 2. The servers.
    children.push(...(await Promise.all([
      startChild('bare'),
      startChild('app', { BENCH_DATABASE_URL: dbUrl, BENCH_SQL_STATS: a['sql-stats'] ? '1' : '0' }),
    ])));
    const [bare, app] = children as [Child, Child];

    // 3. Sign in: one citizen per worker (OTP read at /dev/outbox.json), the Babol manager.
    const citizens = await Promise.all(Array.from({ length: concurrency }, (_, i) => citizenToken(app.port, `0935${String(1_000_000 + i * 7919 + Math.floor(Math.random() * 1000)).slice(-7)}`)));
    const managerToken = expect(await call(app.port, 'POST', '/api/v1/auth/staff', { body: { username: manager.username, password: manager.password } }), 200, 'manager sign-in').token as string;

    // Which routes the app has (the assign and public lookup routes came with the lead's part two).
    const paths = Object.keys((expect(await call(app.port, 'GET', '/api/openapi.json'), 200, 'openapi') as { paths: Record<string, unknown> }).paths);
    const hasAssign = paths.includes('/api/v1/reports/{id}/assign');
    const hasLookup = paths.includes('/api/v1/public/reports/{code}');
    if (!hasAssign || !hasLookup) console.log(`note: ${!hasAssign ? 'no assign route (step skipped)' : ''}${!hasAssign && !hasLookup ? '; ' : ''}${!hasLookup ? 'no public lookup by code (GET /api/v1/public/reports?org=babol instead)' : ''}`);

    // 4. Baselines: the bare route through the same client, the indexed select through pg.
    console.log(`\nbaseline: bare Fastify GET /hello, ${concurrency} workers, 2 s + ${baselineSeconds} s`);
    const bareRun = await load(concurrency, 2, baselineSeconds, async () => {
      const t = now();
      const r = await call(bare.port, 'GET', '/hello');
      if (r.status !== 200) throw new Error(`hello: ${r.status}`);
      return now() - t;
    });
    const codes = (await selectPool.query<{ tracking_code: string }>(`select tracking_code from reports tablesample system (1) limit 20000`)).rows.map((r) => r.tracking_code);
    console.log(`baseline: select id from reports where tracking_code = $1 (pg, ${codes.length} codes in turn), ${concurrency} workers, 2 s + ${baselineSeconds} s`);
    let k = 0;
    const selectRun = await load(concurrency, 2, baselineSeconds, async () => {
      const t = now();
      const r = await selectPool.query('select id from reports where tracking_code = $1', [codes[k++ % codes.length]]);
      if (r.rowCount !== 1) throw new Error('select: no row');
      return now() - t;
    });

    // 5. The lifecycles.
    type Step = 'create' | 'assign' | 'resolve' | 'lookup';
    const steps: Record<Step, number[]> = { create: [], assign: [], resolve: [], lookup: [] };
    const lifecycles: number[] = [];
    const created: string[] = [];
    let idFromDb = 0;
    const timed = async (step: Step, record: boolean, f: () => Promise<Reply>, status: number, check?: (r: Reply) => boolean) => {
      const t = now();
      const r = await f();
      const ms = now() - t;
      if (r.status !== status || (check && !check(r))) throw new Error(`${step}: ${r.status} ${r.body.slice(0, 300)}`);
      if (record) steps[step].push(ms);
      return JSON.parse(r.body) as Record<string, unknown>;
    };
    const lifecycle = async (w: number, record: boolean): Promise<number> => {
      const t = now();
      const token = citizens[w]!;
      const r = Math.sqrt(Math.random()) * 2000;
      const th = Math.random() * 2 * Math.PI;
      const point = { lat: BABOL.lat + (r * Math.cos(th)) / 111_320, lng: BABOL.lng + (r * Math.sin(th)) / (111_320 * Math.cos((BABOL.lat * Math.PI) / 180)) };
      const filed = await timed('create', record, () => call(app.port, 'POST', '/api/v1/reports', { token, body: { category: 'pothole', description: `چاله در آسفالت، آزمون بار ${w}-${Date.now()}`, ...point } }), 201);
      const code = filed.tracking_code as string;
      created.push(code);
      let id = filed.id as string | undefined;
      let excluded = 0;
      if (!id) {
        // The create reply had no id yet: read it here, outside the measured steps.
        const t1 = now();
        id = (await selectPool.query<{ id: string }>('select id from reports where tracking_code = $1', [code])).rows[0]!.id;
        excluded = now() - t1;
        idFromDb += 1;
      }
      if (hasAssign) await timed('assign', record, () => call(app.port, 'POST', `/api/v1/reports/${id}/assign`, { token: managerToken, body: { department: POTHOLE_DEPARTMENT, officer: manager.id } }), 200);
      await timed('resolve', record, () => call(app.port, 'POST', `/api/v1/reports/${id}/state`, { token: managerToken, body: { state: 'resolved', comment: 'چاله ترمیم و آسفالت شد.' } }), 200);
      if (hasLookup) await timed('lookup', record, () => call(app.port, 'GET', `/api/v1/public/reports/${encodeURIComponent(code)}`), 200, (x) => x.body.includes('"resolved"'));
      else await timed('lookup', record, () => call(app.port, 'GET', '/api/v1/public/reports?org=babol'), 200);
      return now() - t - excluded;
    };
    if (a['sql-stats']) await ask(app, 'sql-stats-reset');
    console.log(`lifecycles: ${concurrency} workers, 3 s + ${seconds} s`);
    const lifeStarted = Date.now();
    const { result: lifeRun, activity, samples: activitySamples } = await sampleActivity(dbUrl, dbName, () => load(concurrency, 3, seconds, async (w, record) => {
      const ms = await lifecycle(w, record);
      if (record) lifecycles.push(ms);
      return ms;
    }));
    const sqlStats = a['sql-stats'] ? (await ask<{ sqlStats: { sql: string; count: number; totalMs: number; meanMs: number }[] | null }>(app, 'sql-stats')).sqlStats : null;
    const appRss = rssMiB(app.proc.pid);

    // 6. Checks: every report filed by the bench is resolved; tracking codes are unique.
    const check = (await selectPool.query<{ filed: number; resolved: number; total: number; distinct_codes: number; since: number }>(`
      select (select count(*)::int from reports where tracking_code = any($1)) as filed,
             (select count(*)::int from reports where tracking_code = any($1) and state = 'resolved') as resolved,
             (select count(*)::int from reports) as total,
             (select count(distinct tracking_code)::int from reports) as distinct_codes,
             (select count(*)::int from reports where created_at >= $2) as since`, [created, lifeStarted])).rows[0]!;
    // Lifecycles cut off by the end (or failed) leave their report unresolved: allow as many as workers plus errors.
    const unresolved = check.filed - check.resolved;
    const checks = {
      reportsFiledByBench: created.length, foundInDb: check.filed, resolved: check.resolved, unresolved, filedSinceStartInDb: check.since,
      totalReports: check.total, distinctTrackingCodes: check.distinct_codes, codesUnique: check.total === check.distinct_codes,
      ok: check.total === check.distinct_codes && check.filed === created.length && check.since === created.length && unresolved <= lifeRun.errors,
    };

    // Results.
    const bareD = dist(bareRun.samples, bareRun.seconds);
    const selectD = dist(selectRun.samples, selectRun.seconds);
    const lifeD = dist(lifecycles, lifeRun.seconds);
    const stepD = Object.fromEntries((Object.keys(steps) as Step[]).filter((s) => steps[s].length).map((s) => [s, dist(steps[s], lifeRun.seconds)])) as Partial<Record<Step, Dist>>;
    const stepNames: Record<Step, string> = {
      create: 'POST /api/v1/reports (citizen files)', assign: 'POST /api/v1/reports/:id/assign (manager)', resolve: 'POST /api/v1/reports/:id/state resolved (manager)',
      lookup: hasLookup ? 'GET /api/v1/public/reports/:code (public)' : 'GET /api/v1/public/reports?org=babol (public list)',
    };
    const results = {
      at: new Date().toISOString(), machine, postgres: pgVersion, database: dbName,
      options: { reports: nReports, concurrency, seconds, baselineSeconds, sqlStats: !!a['sql-stats'] },
      routes: { assign: hasAssign, publicLookupByCode: hasLookup, idFromDbLookups: idFromDb },
      setupSeconds, preload, tableSizes: Object.fromEntries(sizes.map((s) => [s.t, s.size])),
      baselines: { bareHello: { ...bareD, errors: bareRun.errors }, indexedSelect: { ...selectD, errors: selectRun.errors } },
      lifecycle: { ...lifeD, lifecyclesPerSec: lifeD.perSec, errors: lifeRun.errors, firstError: lifeRun.firstError },
      steps: stepD,
      ratios: {
        lifecycleP95OverSelectP95: lifeD.p95 / selectD.p95,
        stepP95OverBareP95: Object.fromEntries(Object.entries(stepD).map(([s, d]) => [s, d.p95 / bareD.p95])),
      },
      dbActivity: { samples: activitySamples, meanActiveSessions: activity },
      sqlStats: sqlStats?.slice(0, 25) ?? null,
      appRssMiB: appRss, checks,
    };

    const rows: string[][] = [
      ['bare Fastify GET /hello (same client)', fmt(bareD.perSec, 0) + ' req/s', fmt(bareD.p50, 2), fmt(bareD.p95, 2), fmt(bareD.p99, 2), '1x', ''],
      ['pg: select id from reports where tracking_code = $1', fmt(selectD.perSec, 0) + ' q/s', fmt(selectD.p50, 2), fmt(selectD.p95, 2), fmt(selectD.p99, 2), ratio(selectD.p95 / bareD.p95), '1x'],
      ...(Object.entries(stepD) as [Step, Dist][]).map(([s, d]) => [stepNames[s], fmt(d.perSec, 1) + ' req/s', fmt(d.p50), fmt(d.p95), fmt(d.p99), ratio(d.p95 / bareD.p95), '']),
      [`**whole lifecycle** (${Object.keys(stepD).length} requests)`, `**${fmt(lifeD.perSec, 1)} lifecycles/s**`, fmt(lifeD.p50), `**${fmt(lifeD.p95)}**`, fmt(lifeD.p99), ratio(lifeD.p95 / bareD.p95), `**${ratio(lifeD.p95 / selectD.p95)}**`],
    ];
    console.log(`\n| target | throughput | p50 ms | p95 ms | p99 ms | p95 / bare p95 | p95 / select p95 |\n| --- | --- | --- | --- | --- | --- | --- |`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\n${nReports.toLocaleString('en')} preloaded reports (preload ${fmt(preload.seconds.total)} s: reports ${fmt(preload.seconds.reports)} s, updates ${fmt(preload.seconds.updates)} s, vacuum+analyze ${fmt(preload.seconds.vacuumAnalyze)} s); ${concurrency} workers; ${lifeD.n} lifecycles in ${fmt(lifeRun.seconds)} s; ${lifeRun.errors} errors${lifeRun.firstError ? ` (first: ${lifeRun.firstError})` : ''}.`);
    console.log(`database sessions busy during the lifecycles (mean number, sampled every 100 ms): ${activity.slice(0, 6).map((x) => `${x.what} ${x.share.toFixed(2)}`).join('; ') || 'none'}`);
    if (sqlStats) {
      console.log('\nSQL statements of the app process during the lifecycles, by total time (ms):');
      for (const s of sqlStats.slice(0, 12)) console.log(`  ${fmt(s.totalMs, 0).padStart(7)} ms  ${String(s.count).padStart(6)}x  ${fmt(s.meanMs, 2).padStart(6)} ms avg  ${s.sql.slice(0, 150)}`);
    }
    console.log(`\nchecks: ${checks.ok ? 'OK' : 'FAILED'}: ${created.length} reports filed by the bench, ${check.resolved} resolved (${unresolved} left unresolved by cut-off or errors); ${check.total.toLocaleString('en')} reports, ${check.distinct_codes.toLocaleString('en')} distinct tracking codes.`);
    if (appRss !== null) console.log(`app process resident memory after the run: ${appRss} MiB`);
    const out = a.out ?? join(root, 'bench', 'results', `reports-lifecycle-${new Date().toISOString().slice(0, 16).replace(':', '')}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(results, null, 2));
    console.log(`results written to ${out}; total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (!checks.ok || lifeRun.errors || bareRun.errors || selectRun.errors) process.exitCode = 1;
  } finally {
    await Promise.all(children.map(stopChild));
    await selectPool.end();
    agent.destroy();
    if (a.keep) console.log(`kept: ${dbUrl}`);
    else await admin(`drop database if exists ${dbName} with (force)`);
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as ServerKind);
else await main();
