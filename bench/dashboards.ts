// `npm run bench:dashboards`: every transparency dashboard page, open-data file and council page
// on PostgreSQL with 1,000,000 applications (and their events) and 1,000,000 city problem reports,
// read against a single-row indexed select (`select … from applications where tracking_code = $1`)
// through pg at the same concurrency, on the same database, in the same run (docs/performance.md).
// The rollups are built once (rebuildRollups) after the preload, as the RollupWorker keeps them.
//
//   --applications N   applications to preload (default 1000000)
//   --reports N        reports to preload (default 1000000)
//   --concurrency C    concurrent requests (default 8)
//   --seconds D        measured seconds per page (default 5; 1 s warm-up before)
//   --keep             keep the database (its URL is printed)
//   --pg-url URL       where to create the database (default postgres://postgres@127.0.0.1:5432/postgres)
//   --out FILE         the JSON results (default bench/results/dashboards-<date>.json)
//
// The pages measured are PAGES below: add a path there when a new page or file exists; a path that
// does not answer 200 is reported as missing, not measured.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { preloadReports } from './reports-preload.js';
import { preloadApplications } from './applications-preload.js';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const SESSION_SECRET = 'bench-secret-'.padEnd(48, 'x');

/** Every public dashboard page and open-data file; {period} is the current Jalali year. */
export const PAGES: string[] = [
  '/transparency',
  '/transparency?period={period}',
  '/transparency/sari',
  '/transparency/babol?period={period}',
  '/transparency/sari/building-permit',
  '/transparency/babol/house-number-certificate?period={period}',
  '/open-data',
  '/open-data/catalog.json',
  '/open-data/kpis.csv',
  '/open-data/kpis.json',
  '/api/v1/open-data/catalog',
  '/api/v1/open-data/kpis',
  '/api/v1/open-data/kpis?org=sari',
  '/council',
  '/council/indicators',
];

/** The per-record files: streamed, so their time grows with the rows of the period (measured apart, rows per second). */
export const RECORD_FILES: string[] = [
  '/open-data/applications.csv?period={month}&org=sari',
  '/open-data/reports.csv?period={month}&org=sari',
  '/open-data/applications.csv?period={month}',
];

async function serve(): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { buildDeps } = await import('../src/wiring.js');
  const { buildApp } = await import('../src/app.js');
  const dir = mkdtempSync(join(os.tmpdir(), 'pishkhan-bench-'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, DATABASE_URL: process.env.BENCH_DATABASE_URL!, SESSION_SECRET, TRUST_PROXY: '1' });
  const deps = await buildDeps(config);
  const app = await buildApp(deps, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`LISTENING ${(app.server.address() as { port: number }).port}\n`);
  const stop = () => void app.close().then(() => deps.close()).finally(() => { rmSync(dir, { recursive: true, force: true }); process.exit(0); });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function startApp(env: Record<string, string>): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', self, '--serve'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the app did not start within 120 s')), 120_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc, port: Number(m[1]) }); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the app exited with ${code} before listening`)); });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
/** A GET as a browser sends it when `browser` (accept-encoding br/gzip; `etag` to revalidate), else bare. */
function get(port: number, path: string, browser: { etag?: string } | null = null): Promise<{ status: number; bytes: number; etag?: string; body: string }> {
  const headers: Record<string, string> = { 'accept-language': 'fa' };
  if (browser) headers['accept-encoding'] = 'gzip, deflate, br, zstd';
  if (browser?.etag) headers['if-none-match'] = browser.etag;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path, agent, headers }, (res) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => { bytes += c.length; if (!browser) chunks.push(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, etag: res.headers.etag, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
interface Dist { n: number; perSec: number; p50: number; p95: number; p99: number }

async function load(concurrency: number, warmupS: number, seconds: number, op: () => Promise<void>): Promise<Dist> {
  const samples: number[] = [];
  const t0 = performance.now();
  const from = t0 + warmupS * 1000;
  const end = from + seconds * 1000;
  // Slow pages still get at least 2 measured requests per worker, whatever the window.
  await Promise.all(Array.from({ length: concurrency }, async () => {
    let mine = 0;
    while (performance.now() < end || mine < 2) {
      const started = performance.now();
      await op();
      if (started >= from || performance.now() >= end) { samples.push(performance.now() - started); mine++; }
    }
  }));
  samples.sort((a, b) => a - b);
  return { n: samples.length, perSec: samples.length / ((performance.now() - from) / 1000), p50: pct(samples, 50), p95: pct(samples, 95), p99: pct(samples, 99) };
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    args: process.argv.slice(2),
    options: {
      applications: { type: 'string', default: '1000000' }, reports: { type: 'string', default: '1000000' }, concurrency: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '5' }, keep: { type: 'boolean', default: false }, serve: { type: 'boolean', default: false },
      'pg-url': { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' }, out: { type: 'string' },
    },
  });
  if (a.serve) return serve();
  const nApps = Number(a.applications);
  const nReports = Number(a.reports);
  const concurrency = Number(a.concurrency);
  const seconds = Number(a.seconds);
  const adminUrl = a['pg-url'];
  const dbName = `pk_bench_dash_${randomBytes(4).toString('hex')}`;
  const admin = async (q: string) => { const c = new pg.Client({ connectionString: adminUrl }); await c.connect(); try { await c.query(q); } finally { await c.end(); } };
  await admin(`create database ${dbName}`);
  const dbUrl = (() => { const u = new URL(adminUrl); u.pathname = `/${dbName}`; return u.toString(); })();
  console.log(`fresh database ${dbName}${a.keep ? ` (kept: ${dbUrl})` : ' (dropped after the run)'}`);
  let app: { proc: ChildProcess; port: number } | null = null;
  const pool = new pg.Pool({ connectionString: dbUrl, max: concurrency });
  try {
    const { openDatabase, migrateToLatest } = await import('../src/platform/db/index.js');
    const { loadConfig } = await import('../src/config.js');
    const { buildDeps } = await import('../src/wiring.js');
    const { seedDemo } = await import('../src/modules/orgs/seed.js');
    const { rebuildRollups } = await import('../src/modules/transparency/rollup.js');
    const { jalaliParts } = await import('../src/platform/i18n/format.js');
    const handle = openDatabase({ kind: 'postgres', url: dbUrl });
    await migrateToLatest(handle.db);
    await handle.close();
    const deps = await buildDeps(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: dbUrl, SESSION_SECRET, DATA_DIR: mkdtempSync(join(os.tmpdir(), 'pishkhan-bench-')) }));
    await seedDemo(deps.db, deps.services.identity);

    const now = Date.now() - 10 * 60_000; // older than the rollups' settling time
    const loader = new pg.Client({ connectionString: dbUrl });
    await loader.connect();
    const t0 = Date.now();
    const reports = await preloadReports(loader, nReports, now, (s) => console.log(s));
    const apps = await preloadApplications(loader, nApps, now, reports.citizens, (s) => console.log(s));
    const codes = (await loader.query<{ tracking_code: string }>(`select tracking_code from applications tablesample system (0.1) where tracking_code is not null limit 1000`)).rows.map((r) => r.tracking_code);
    await loader.end();
    const preloadSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    const rolled = await rebuildRollups(deps.db, deps.calendar, { dialect: 'postgres', batchSize: 20_000 });
    const rollupSeconds = (Date.now() - t1) / 1000;
    console.log(`preload ${preloadSeconds.toFixed(0)} s; rollups rebuilt in ${rollupSeconds.toFixed(0)} s (${JSON.stringify(rolled)})`);
    await deps.close();

    app = await startApp({ BENCH_DATABASE_URL: dbUrl });
    const period = String(jalaliParts(Date.now()).year);
    let i = 0;
    const baseline = await load(concurrency, 1, seconds, async () => {
      await pool.query('select id, state, org_id from applications where tracking_code = $1', [codes[i++ % codes.length]]);
    });
    console.log(`baseline select by tracking_code: p50 ${baseline.p50.toFixed(2)} ms, p95 ${baseline.p95.toFixed(2)} ms, ${baseline.perSec.toFixed(0)}/s`);
    // The app's cheapest answer over the same HTTP client: what any page costs before its own work.
    const bare = await load(concurrency, 1, seconds, async () => { await get(app!.port, '/healthz'); });
    console.log(`baseline GET /healthz: p50 ${bare.p50.toFixed(2)} ms, p95 ${bare.p95.toFixed(2)} ms, ${bare.perSec.toFixed(0)}/s`);
    type Result = { path: string; status: number; bytes: number } & Partial<Dist> & { ratioP50?: number; ratioP95?: number; ratioP95Http?: number; browser?: Dist & { bytes: number; ratioP95: number }; revalidate?: Dist & { ratioP95: number } };
    const results: Result[] = [];
    for (const template of PAGES) {
      const path = template.replace('{period}', period);
      const probe = await get(app.port, path);
      if (probe.status !== 200) {
        results.push({ path, status: probe.status, bytes: probe.bytes });
        console.log(`${path}: ${probe.status}, not measured`);
        continue;
      }
      const d = await load(concurrency, 1, seconds, async () => {
        const r = await get(app!.port, path);
        if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      });
      // As a browser asks: compressed, and again with the ETag it kept (304).
      const first = await get(app.port, path, {});
      const b = await load(concurrency, 1, seconds, async () => { await get(app!.port, path, {}); });
      const r = first.etag ? await load(concurrency, 1, seconds, async () => {
        const res = await get(app!.port, path, { etag: first.etag });
        if (res.status !== 304 && res.status !== 200) throw new Error(`${path}: ${res.status}`);
      }) : null;
      const row: Result = {
        path, status: 200, bytes: probe.bytes, ...d, ratioP50: d.p50 / baseline.p50, ratioP95: d.p95 / baseline.p95, ratioP95Http: d.p95 / bare.p95,
        browser: { ...b, bytes: first.bytes, ratioP95: b.p95 / baseline.p95 }, ...(r ? { revalidate: { ...r, ratioP95: r.p95 / baseline.p95 } } : {}),
      };
      results.push(row);
      console.log(`${path}: p50 ${d.p50.toFixed(1)} ms (${row.ratioP50!.toFixed(1)}x), p95 ${d.p95.toFixed(1)} ms (${row.ratioP95!.toFixed(1)}x select, ${row.ratioP95Http!.toFixed(1)}x /healthz), ${d.perSec.toFixed(0)}/s, ${probe.bytes} bytes;`
        + ` compressed p95 ${b.p95.toFixed(1)} ms (${row.browser!.ratioP95.toFixed(1)}x, ${first.bytes} bytes)${r ? `; revalidated p95 ${r.p95.toFixed(1)} ms (${row.revalidate!.ratioP95.toFixed(1)}x)` : ''}`);
    }
    // The record files, one request at a time: seconds and rows per second.
    const month = (() => { const p = jalaliParts(Date.now() - 40 * 86_400_000); return `${p.year}-${String(p.month).padStart(2, '0')}`; })();
    const records: { path: string; status: number; rows: number; bytes: number; ms: number; rowsPerSec: number }[] = [];
    for (const template of RECORD_FILES) {
      const path = template.replace('{month}', month);
      const t = performance.now();
      const res = await get(app.port, path);
      const ms = performance.now() - t;
      const rows = Math.max(0, res.body.split('\n').filter(Boolean).length - 1);
      records.push({ path, status: res.status, rows, bytes: res.bytes, ms, rowsPerSec: rows / (ms / 1000) });
      console.log(`${path}: ${res.status}, ${rows} rows, ${(res.bytes / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms (${(rows / (ms / 1000)).toFixed(0)} rows/s)`);
    }
    const out = a.out ?? join(root, 'bench/results', `dashboards-${new Date().toISOString().slice(0, 10)}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({
      machine: { cpus: os.availableParallelism(), cpu: os.cpus()[0]?.model.trim(), node: process.version },
      applications: apps, reports: { n: reports.reports, seconds: reports.seconds }, rollupSeconds, concurrency, seconds, baseline, bare, results, records,
    }, null, 2));
    console.log(`results: ${out}`);
  } finally {
    await pool.end();
    if (app) { app.proc.kill('SIGTERM'); await new Promise((r) => app!.proc.once('exit', r)); }
    if (!a.keep) await admin(`drop database if exists ${dbName} with (force)`);
  }
}

await main();
