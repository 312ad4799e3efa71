// The servers of `npm run bench` and `npm run bench:soak`, each in its own child process:
//
//   bare     a Fastify app with one route, GET /hello (the ceiling of this machine and HTTP stack)
//   app      the real Pishkhan app (loadConfig -> buildDeps -> buildApp, the outbox worker running),
//            seeded with the demo province, on SQLite (a temp file) or PostgreSQL (BENCH_DATABASE_URL)
//
// Next to the app, in the same process, a bare Fastify "scratch" app gives the plain-database
// baselines through the app's own Kysely handle (same driver, same pool or connection, same
// pragmas): POST /insert (one autocommit single-row INSERT) and GET /select/:n (one select by
// primary key of a 1,000-row table).
//
// The app child reports its memory over IPC every 250 ms ({ type: 'mem', rss, heapUsed } in
// bytes), runs a full GC when asked ({ cmd: 'gc' }; it starts with --expose-gc), and gives the
// event-loop delay since the last ask ({ cmd: 'eld' }, from monitorEventLoopDelay).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..', '..');

export type Engine = 'sqlite' | 'postgres';
export const engineName: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** The scratch table of the plain-database baselines. */
const SCRATCH_TABLE = 'bench_scratch';
export const SCRATCH_ROWS = 1000;

export interface Account { username: string; org: string; roles: string[]; password: string }
export interface Mem { rss: number; heapUsed: number }
export interface Eld { p50: number; p99: number; max: number; mean: number }

type ChildMessage =
  | { type: 'ready'; port: number; scratchPort: number; accounts: Account[] }
  | { type: 'mem'; rss: number; heapUsed: number }
  | { type: 'gc'; rss: number; heapUsed: number }
  | { type: 'eld'; p50: number; p99: number; max: number; mean: number }
  | { type: 'cpu'; micros: number };

/** Answers { cmd: 'cpu' } with the process's CPU time so far (user + system, µs). */
function answerCpu(): void {
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'cpu') { const u = process.cpuUsage(); process.send!({ type: 'cpu', micros: u.user + u.system }); }
  });
}

// ---------- the child side ----------

async function serveBare(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  answerCpu();
  process.send!({ type: 'ready', port: (app.server.address() as { port: number }).port, scratchPort: 0, accounts: [] });
  const stop = () => void app.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function serveApp(engine: Engine): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { sql } = await import('kysely');
  const { loadConfig } = await import('../../src/config.js');
  const { buildDeps } = await import('../../src/wiring.js');
  const { buildApp } = await import('../../src/app.js');
  const { seedDemo } = await import('../../src/modules/orgs/seed.js');
  const dir = mkdtempSync(join(os.tmpdir(), 'pishkhan-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir,
    DATABASE_URL: engine === 'postgres' ? process.env.BENCH_DATABASE_URL! : `sqlite:${join(dir, 'pishkhan.db')}`,
    SESSION_SECRET: 'bench-secret-'.padEnd(48, 'x'), PISHKHAN_DEMO: '1',
    // The load comes from one address; behind a proxy, as in production, X-Forwarded-For
    // gives each simulated visitor their own address for the per-address rate limits.
    TRUST_PROXY: '1',
    // One bench citizen files reports many times a second, far above a citizen's limit (20 a minute).
    REPORTS_PER_MINUTE: '100000',
  });
  const deps = await buildDeps(config);
  const seeded = await seedDemo(deps.db, deps.services.identity);
  const app = await buildApp(deps, { logger: false });
  deps.worker.start();
  await app.listen({ port: 0, host: '127.0.0.1' });

  // The plain-database baselines, through the app's own database handle.
  await sql`create table if not exists ${sql.table(SCRATCH_TABLE)} (id text primary key, payload text not null, created_at bigint not null)`.execute(deps.db);
  for (let i = 0; i < SCRATCH_ROWS; i++) {
    await sql`insert into ${sql.table(SCRATCH_TABLE)} (id, payload, created_at) values (${`row-${i}`}, ${randomBytes(24).toString('hex')}, ${Date.now()})`.execute(deps.db);
  }
  const scratch = Fastify({ logger: false });
  scratch.post('/insert', async (req, reply) => {
    const payload = String((req.body as { payload?: unknown } | null)?.payload ?? '').slice(0, 200);
    const id = randomUUID();
    await sql`insert into ${sql.table(SCRATCH_TABLE)} (id, payload, created_at) values (${id}, ${payload}, ${Date.now()})`.execute(deps.db);
    return reply.status(201).send({ id });
  });
  scratch.get('/select/:n', async (req, reply) => {
    const id = `row-${Number((req.params as { n: string }).n) % SCRATCH_ROWS}`;
    const { rows } = await sql<{ id: string; payload: string }>`select id, payload from ${sql.table(SCRATCH_TABLE)} where id = ${id}`.execute(deps.db);
    if (!rows[0]) return reply.status(404).send({ error: 'no row' });
    return rows[0];
  });
  await scratch.listen({ port: 0, host: '127.0.0.1' });

  answerCpu();
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const memTimer = setInterval(() => {
    const m = process.memoryUsage();
    process.send!({ type: 'mem', rss: m.rss, heapUsed: m.heapUsed });
  }, 250);
  memTimer.unref();
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'gc') {
      (globalThis as { gc?: () => void }).gc?.();
      const u = process.memoryUsage();
      process.send!({ type: 'gc', rss: u.rss, heapUsed: u.heapUsed });
    } else if (m.cmd === 'eld') {
      const ms = (ns: number) => ns / 1e6;
      process.send!({ type: 'eld', p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), mean: ms(eld.mean) });
      eld.reset();
    }
  });
  process.send!({ type: 'ready', port: (app.server.address() as { port: number }).port, scratchPort: (scratch.server.address() as { port: number }).port, accounts: seeded.accounts });
  const close = async () => { clearInterval(memTimer); await scratch.close(); await app.close(); await deps.close(); rmSync(dir, { recursive: true, force: true }); };
  const stop = () => void close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// ---------- the parent side ----------

export interface Server {
  kind: 'bare' | Engine;
  proc: ChildProcess;
  url: string;
  scratchUrl: string;
  accounts: Account[];
  /** The latest memory report of the child, and the peak since the last resetPeak(). */
  mem: Mem;
  peak: Mem;
  resetPeak(): void;
  /** Full GC in the child, then its memory. */
  gc(): Promise<Mem>;
  /** Event-loop delay (ms) since the previous call. */
  eld(): Promise<Eld>;
  /** CPU time of the child so far (user + system, ms): robust to a shared machine, unlike wall-clock rates. */
  cpuMs(): Promise<number>;
}

export function startServer(kind: 'bare' | Engine, env: Record<string, string> = {}): Promise<Server> {
  const prof = kind === 'sqlite' && process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc = spawn(process.execPath, ['--expose-gc', ...prof, '--import', 'tsx', self, '--serve', kind], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  const waiting: { type: string; resolve: (m: ChildMessage) => void }[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${kind} server did not start within 180 s`)), 180_000);
    let server: Server | null = null;
    proc.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        const zero = { rss: 0, heapUsed: 0 };
        server = {
          kind, proc, url: `http://127.0.0.1:${m.port}`, scratchUrl: `http://127.0.0.1:${m.scratchPort}`, accounts: m.accounts,
          mem: { ...zero }, peak: { ...zero },
          resetPeak() { this.peak = { ...this.mem }; },
          gc: () => ask('gc').then((r) => r as Mem),
          eld: () => ask('eld').then((r) => r as Eld),
          cpuMs: () => ask('cpu').then((r) => (r as { micros: number }).micros / 1000),
        };
        resolve(server);
      } else if (m.type === 'mem' && server) {
        server.mem = { rss: m.rss, heapUsed: m.heapUsed };
        server.peak = { rss: Math.max(server.peak.rss, m.rss), heapUsed: Math.max(server.peak.heapUsed, m.heapUsed) };
      } else {
        const i = waiting.findIndex((w) => w.type === m.type);
        if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
      }
    });
    const ask = (cmd: 'gc' | 'eld' | 'cpu') => new Promise<ChildMessage>((res) => { waiting.push({ type: cmd, resolve: res }); proc.send({ cmd }); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the ${kind} server exited with ${code} before listening`)); });
  });
}

export function stopServer(s: Server): Promise<void> {
  return new Promise((resolve) => {
    if (s.proc.exitCode !== null) return resolve();
    const kill = setTimeout(() => s.proc.kill('SIGKILL'), 5000);
    s.proc.once('exit', () => { clearTimeout(kill); resolve(); });
    s.proc.kill('SIGTERM');
  });
}

/** Resident memory of a process in bytes from /proc (Linux), or null. */
export function procRss(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export const mib = (bytes: number) => bytes / 2 ** 20;

// ---------- PostgreSQL: a fresh database for the run ----------

export function reachable(url: string): Promise<boolean> {
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
export async function createPgDatabase(adminUrl: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `pishkhan_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`) };
}

if (process.argv[1] === self && process.argv[2] === '--serve') {
  const kind = process.argv[3] as 'bare' | Engine;
  if (kind === 'bare') await serveBare();
  else await serveApp(kind);
}
