// `npm run bench`: how fast the real app answers, measured against a bare Fastify "hello world"
// on the same machine in the same run, so the figures can be read as ratios that travel
// between machines. Each server runs in its own child process (one core each on a small box);
// autocannon runs in this process and loads one target at a time.
//
//   BENCH_DURATION=5      seconds per target (after a 1 s warm-up)
//   BENCH_CONNECTIONS=16  concurrent connections
//   BENCH_OUT=file.json   also write the results as JSON
//   BENCH_CPU_PROF=dir    write a V8 CPU profile of the app process to dir (open it in Chrome DevTools)
//
// Method and figures: docs/performance.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');

type ServerKind = 'bare' | 'app';

// ---------- the servers (child processes) ----------

async function serve(kind: ServerKind): Promise<void> {
  let close: () => Promise<void>;
  let port: number;
  if (kind === 'bare') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false });
    app.get('/hello', async () => ({ hello: 'world' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    close = () => app.close();
  } else {
    const { loadConfig } = await import('../src/config.js');
    const { buildDeps } = await import('../src/wiring.js');
    const { buildApp } = await import('../src/app.js');
    const { seedDemo } = await import('../src/modules/orgs/seed.js');
    const dir = mkdtempSync(join(os.tmpdir(), 'pishkhan-bench-'));
    const config = loadConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'pishkhan.db')}`,
      SESSION_SECRET: 'bench-secret-'.padEnd(48, 'x'), PISHKHAN_DEMO: '1',
    });
    const deps = await buildDeps(config);
    await seedDemo(deps.db, deps.services.identity);
    const app = await buildApp(deps, { logger: false });
    deps.worker.start();
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    close = async () => { await app.close(); await deps.close(); rmSync(dir, { recursive: true, force: true }); };
  }
  process.stdout.write(`LISTENING ${port}\n`);
  const stop = () => void close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

interface Child { kind: ServerKind; proc: ChildProcess; url: string }

function startChild(kind: ServerKind): Promise<Child> {
  const prof = kind === 'app' && process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', self, '--serve', kind], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the ${kind} server did not start within 60 s`)), 60_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ kind, proc, url: `http://127.0.0.1:${m[1]}` });
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

// ---------- the load (this process) ----------

interface Target { name: string; server: ServerKind; path: string; check: (status: number, body: string) => boolean }

const targets: Target[] = [
  { name: 'bare Fastify GET /hello', server: 'bare', path: '/hello', check: (s, b) => s === 200 && b.includes('"hello":"world"') },
  { name: 'app GET /healthz', server: 'app', path: '/healthz', check: (s, b) => s === 200 && b.includes('ok') },
  { name: 'app GET / (home page)', server: 'app', path: '/', check: (s, b) => s === 200 && b.includes('dir="rtl"') },
  { name: 'app GET /api/v1/orgs', server: 'app', path: '/api/v1/orgs', check: (s, b) => s === 200 && b.includes('"sari"') },
];

interface Row { name: string; reqPerSec: number; p50: number; p99: number; non2xx: number; errors: number; bytesPerReq: number; ratio: number }

function load(url: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration, pipelining: 1 });
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
  const warmup = Number(process.env.BENCH_WARMUP ?? 1);
  if (!(duration > 0) || !(connections > 0) || !(warmup >= 0)) throw new Error('BENCH_DURATION, BENCH_CONNECTIONS and BENCH_WARMUP must be positive numbers');

  const machine = {
    cpus: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  console.log(`Pishkhan bench: ${connections} connections, ${warmup} s warm-up + ${duration} s per target`);
  console.log(`machine: ${machine.cpus} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}\n`);

  const started = Date.now();
  const children = await Promise.all([startChild('bare'), startChild('app')]);
  const byKind = new Map(children.map((c) => [c.kind, c]));
  const rows: Row[] = [];
  let failures = 0;
  try {
    for (const target of targets) {
      const url = `${byKind.get(target.server)!.url}${target.path}`;
      const res = await fetch(url);
      const body = await res.text();
      if (!target.check(res.status, body)) throw new Error(`${target.name}: unexpected answer ${res.status}: ${body.slice(0, 200)}`);
      if (warmup > 0) await load(url, connections, warmup);
      const r = await load(url, connections, duration);
      const row: Row = {
        name: target.name, reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99,
        non2xx: r.non2xx, errors: r.errors + r.timeouts, bytesPerReq: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0, ratio: 0,
      };
      if (row.non2xx || row.errors) failures += 1;
      rows.push(row);
      process.stdout.write(`  measured ${target.name}\n`);
    }
    const appRss = rssMiB(byKind.get('app')!.proc.pid);
    const baseline = rows[0]!.reqPerSec;
    for (const r of rows) r.ratio = r.reqPerSec / baseline;

    const header = ['target', 'req/s', 'p50 ms', 'p99 ms', 'bytes/req', 'vs bare'];
    const table = rows.map((r) => [
      r.name, r.reqPerSec.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), String(r.bytesPerReq),
      `${r.ratio.toFixed(2)}x${r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${table.map(line).join('\n')}`);
    if (appRss !== null) console.log(`\napp process resident memory after the run: ${appRss} MiB`);
    console.log(`total time ${((Date.now() - started) / 1000).toFixed(1)} s`);

    if (process.env.BENCH_OUT) {
      writeFileSync(process.env.BENCH_OUT, JSON.stringify({ at: new Date().toISOString(), machine, connections, duration, warmup, appRssMiB: appRss, rows }, null, 2));
      console.log(`results written to ${process.env.BENCH_OUT}`);
    }
  } finally {
    await Promise.all(children.map(stopChild));
  }
  if (failures) {
    console.error(`\n${failures} target(s) answered with errors or non-2xx statuses: the figures above are not valid.`);
    process.exit(1);
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as ServerKind);
else await main();
