// `npm run bench`: how fast the real app answers at 1, 16 and 64 concurrent connections, on
// SQLite and on PostgreSQL, each figure read as a ratio to two baselines measured in the same run
// at the same connection count:
//
//   hello   a bare Fastify GET /hello in its own process (the ceiling of the machine and HTTP stack)
//   select  a plain select by primary key, through the app's own database handle (same driver,
//           same pool), behind a bare Fastify route in the app process: the baseline of reads
//   insert  a plain single-row INSERT the same way: the baseline of writes
//
// Targets (BENCH_TARGETS picks some by id, comma-separated):
//
//   services        GET /services                         the single window, page 1
//   services-q      GET /services?q=پسماند                the single window, a Persian search
//   service-page    GET /services/building-permit         a public service page
//   track-page      GET /track/<code>                     tracking, the page
//   track-api       GET /api/v1/track/<code>              tracking, the JSON API
//   submit          draft + answers + submit (3 requests)  a citizen's submission through the JSON API
//   staff-action    POST /api/v1/applications/:id/actions  the Sari clerk confirms and bills a submitted application
//   report-create   POST /api/v1/reports                  a citizen files a city problem report (Babol)
//   report-resolve  POST /api/v1/reports/:id/state        the Babol clerk resolves a received report
//
// A staff action needs a fresh application (or report) in the right state per request: pools are
// prepared through the API before each measured window (and fed by the submit / report-create
// targets), larger than the previous level's rate can consume; a row says so if one ran out.
//
// Memory: the app child reports process.memoryUsage() every 250 ms over IPC; the table gives the
// peak RSS and heap used under each target, and the run prints both at rest (after start, seed
// and a full GC).
//
//   BENCH_CONNECTIONS=1,16,64   connection levels
//   BENCH_DURATION=5            measured seconds per target (after BENCH_WARMUP=1 s of warm-up)
//   BENCH_TARGETS=submit,track-api   only these targets (the baselines always run)
//   BENCH_ENGINES=sqlite,postgres    which databases
//   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   where to create the PostgreSQL database
//                               (a fresh one, dropped after the run); BENCH_PG=0 skips PostgreSQL
//   BENCH_OUT=file.json         also write the results as JSON
//   BENCH_MD=file.md            also write the Markdown tables
//   BENCH_CPU_PROF=dir          a V8 CPU profile of the SQLite app process
//
// Method and figures: docs/performance.md, "Load at 1, 16 and 64 connections".
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import {
  createPgDatabase, engineName, mib, reachable, SCRATCH_ROWS, startServer, stopServer, type Engine, type Mem, type Server,
} from './lib/server.js';
import {
  citizenToken, fileReport, inParallel, json, jsonHeaders, measure, nextIp, reportBody, RESOLVE, staffToken, STAFF_ACTION,
  SUBMIT_SERVICE, SUBMIT_VALUES, submitOnce, type LoadOptions, type Measured,
} from './lib/client.js';

interface Pools { submitted: string[]; reports: string[] }

interface Ctx {
  app: Server;
  citizen: string;
  clerk: string;
  reportStaff: string;
  trackingCode: string;
  pools: Pools;
  /** Requests that found their pool empty in the current window. */
  exhausted: number;
}

interface Target {
  id: string;
  name: string;
  kind: 'read' | 'write';
  /** What one operation is when it is not one request. */
  unit?: { name: string; requests: number };
  pool?: keyof Pools;
  load(ctx: Ctx, counter: { ops: number }): LoadOptions;
  check(ctx: Ctx): Promise<void>;
}

async function expectGet(url: string, ok: (status: number, body: string) => boolean, what: string): Promise<void> {
  const res = await fetch(url, { headers: { 'x-forwarded-for': nextIp() } });
  const body = await res.text();
  if (!ok(res.status, body)) throw new Error(`${what}: unexpected answer ${res.status}: ${body.slice(0, 200)}`);
}

/** A GET, each request from its own client address (the public routes allow 60 a minute per address). */
const getTarget = (id: string, name: string, path: (c: Ctx) => string, ok: (status: number, body: string, c: Ctx) => boolean): Target => ({
  id, name, kind: 'read',
  load: (c) => ({
    url: c.app.url,
    requests: [{ method: 'GET', path: path(c), setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-forwarded-for': nextIp() } }) }],
  }),
  check: (c) => expectGet(`${c.app.url}${path(c)}`, (s, b) => ok(s, b, c), name),
});

const SEARCH = 'پسماند';

const targets: Target[] = [
  getTarget('services', 'GET /services (single window)', () => '/services', (s, b) => s === 200 && b.includes('dir="rtl"') && b.includes('/services/')),
  getTarget('services-q', `GET /services?q=${SEARCH}`, () => `/services?q=${encodeURIComponent(SEARCH)}`, (s, b) => s === 200 && b.includes('waste-management-fee')),
  getTarget('service-page', 'GET /services/building-permit', () => '/services/building-permit', (s, b) => s === 200 && b.includes('صدور پروانه ساختمانی')),
  getTarget('track-page', 'GET /track/<code> (page)', (c) => `/track/${c.trackingCode}`, (s, b, c) => s === 200 && b.includes(c.trackingCode)),
  getTarget('track-api', 'GET /api/v1/track/<code>', (c) => `/api/v1/track/${c.trackingCode}`, (s, b, c) => s === 200 && b.includes(c.trackingCode)),
  {
    id: 'submit', name: 'submission: draft + answers + submit', kind: 'write', unit: { name: 'submission', requests: 3 },
    load: (c, counter) => {
      const headers = jsonHeaders(c.citizen);
      type Ctx2 = { id?: string };
      return {
        url: c.app.url,
        requests: [
          {
            method: 'POST', path: '/api/v1/applications', headers, body: JSON.stringify(SUBMIT_SERVICE),
            onResponse: (status, body, context) => { (context as Ctx2).id = status === 201 ? (JSON.parse(body) as { id: string }).id : undefined; },
          },
          {
            method: 'PATCH', headers, body: JSON.stringify(SUBMIT_VALUES),
            setupRequest: (req, context) => ({ ...req, path: `/api/v1/applications/${(context as Ctx2).id ?? 'none'}` }),
          },
          {
            method: 'POST', headers,
            setupRequest: (req, context) => ({ ...req, path: `/api/v1/applications/${(context as Ctx2).id ?? 'none'}/submit`, body: JSON.stringify({ submit_key: randomBytes(12).toString('hex') }) }),
            onResponse: (status, body, context) => {
              if (status === 200 && body.includes('"tracking_code":"SARI-')) {
                counter.ops += 1;
                if ((context as Ctx2).id) c.pools.submitted.push((context as Ctx2).id!);
              }
            },
          },
        ],
      };
    },
    check: async (c) => { c.pools.submitted.push((await submitOnce(c.app.url, c.citizen)).id); },
  },
  {
    id: 'staff-action', name: 'staff action: clerk accepts (API)', kind: 'write', pool: 'submitted',
    load: (c, counter) => ({
      url: c.app.url,
      requests: [{
        method: 'POST', headers: jsonHeaders(c.clerk), body: JSON.stringify(STAFF_ACTION),
        setupRequest: (req) => {
          const id = c.pools.submitted.pop();
          if (!id) c.exhausted += 1;
          return { ...req, path: `/api/v1/applications/${id ?? '00000000-0000-0000-0000-000000000000'}/actions` };
        },
        onResponse: (status) => { if (status === 200) counter.ops += 1; },
      }],
    }),
    check: async (c) => {
      const id = c.pools.submitted.pop()!;
      const r = await json(await fetch(`${c.app.url}/api/v1/applications/${id}/actions`, { method: 'POST', headers: jsonHeaders(c.clerk), body: JSON.stringify(STAFF_ACTION) }), 200, 'clerk accepts');
      if ((r.state as { code?: string } | string | undefined) === undefined) throw new Error('clerk accepts: no state in the answer');
    },
  },
  {
    id: 'report-create', name: 'report: citizen files (API)', kind: 'write',
    load: (c, counter) => ({
      url: c.app.url,
      requests: [{
        method: 'POST', path: '/api/v1/reports', headers: jsonHeaders(c.citizen),
        setupRequest: (req) => ({ ...req, body: reportBody() }),
        onResponse: (status, body) => { if (status === 201) { counter.ops += 1; c.pools.reports.push((JSON.parse(body) as { id: string }).id); } },
      }],
    }),
    check: async (c) => { c.pools.reports.push((await fileReport(c.app.url, c.citizen)).id); },
  },
  {
    id: 'report-resolve', name: 'report: staff resolves (API)', kind: 'write', pool: 'reports',
    load: (c, counter) => ({
      url: c.app.url,
      requests: [{
        method: 'POST', headers: jsonHeaders(c.reportStaff), body: JSON.stringify(RESOLVE),
        setupRequest: (req) => {
          const id = c.pools.reports.pop();
          if (!id) c.exhausted += 1;
          return { ...req, path: `/api/v1/reports/${id ?? '00000000-0000-0000-0000-000000000000'}/state` };
        },
        onResponse: (status) => { if (status === 200) counter.ops += 1; },
      }],
    }),
    check: async (c) => {
      const id = c.pools.reports.pop()!;
      const r = await json(await fetch(`${c.app.url}/api/v1/reports/${id}/state`, { method: 'POST', headers: jsonHeaders(c.reportStaff), body: JSON.stringify(RESOLVE) }), 200, 'resolve a report');
      if (r.state !== 'resolved') throw new Error(`resolve a report: state ${String(r.state)}`);
    },
  },
];

interface Row {
  connections: number;
  engine: Engine | null;
  id: string;
  name: string;
  unit: string;
  baseline: 'hello' | 'select' | 'insert' | null;
  opsPerSec: number;
  reqPerSec: number;
  p50: number; p95: number; p99: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  poolExhausted: number;
  peakRssMiB: number | null;
  peakHeapMiB: number | null;
  /** CPU time of the serving process per operation (ms): what an operation costs, whatever else the machine runs. */
  cpuMsPerOp: number;
  /** Ratios: throughput (ops/s) and p95 to the hello baseline and to the database baseline of the same level and engine; CPU per op too. */
  opsVsHello: number | null; opsVsDb: number | null; p95VsHello: number | null; p95VsDb: number | null; cpuVsHello: number | null; cpuVsDb: number | null;
}

/**
 * Waits until the server is idle: less than 8% of a core over 250 ms, at most 60 s. When a window
 * ends, the requests still in flight are abandoned by the client but the server finishes them (a
 * write is never cut in half), and the outbox worker sends their SMS: without this, that work
 * would be charged to the next window, which at 64 connections on a busy machine is all of it.
 */
async function settle(server: Server): Promise<void> {
  const until = Date.now() + 60_000;
  let last = await server.cpuMs();
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await server.cpuMs();
    if (now - last < 20) return;
    last = now;
  }
}

/** One measured window with the serving process's CPU time around it (the server settled first). */
async function window(server: Server, opts: LoadOptions, connections: number, duration: number): Promise<Measured & { cpuMs: number }> {
  await settle(server);
  const before = await server.cpuMs();
  const m = await measure(opts, connections, duration);
  return { ...m, cpuMs: (await server.cpuMs()) - before };
}

const list = (v: string | undefined, dflt: string[]) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : dflt);
const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? '' : x.toFixed(x < 1 ? 3 : x < 10 ? 2 : x < 100 ? 1 : 0));
const ratio = (x: number | null) => (x === null || !Number.isFinite(x) ? '' : `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x >= 0.01 ? x.toFixed(3) : x.toFixed(4)}x`);

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 5);
  const warmup = Number(process.env.BENCH_WARMUP ?? 1);
  const levels = list(process.env.BENCH_CONNECTIONS, ['1', '16', '64']).map(Number);
  if (!(duration > 0) || !(warmup >= 0) || !levels.every((l) => Number.isInteger(l) && l > 0)) throw new Error('BENCH_DURATION, BENCH_WARMUP and BENCH_CONNECTIONS (a list) must be positive numbers');
  const wanted = list(process.env.BENCH_TARGETS, targets.map((t) => t.id));
  const unknown = wanted.filter((w) => !targets.some((t) => t.id === w));
  if (unknown.length) throw new Error(`unknown BENCH_TARGETS ${unknown.join(', ')}; known: ${targets.map((t) => t.id).join(', ')}`);
  const chosen = targets.filter((t) => wanted.includes(t.id));
  let engines = list(process.env.BENCH_ENGINES, ['sqlite', 'postgres']) as Engine[];
  const pgAdminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

  const machine = {
    cpus: os.availableParallelism(), cpu: os.cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
  console.log(`Pishkhan bench: connections ${levels.join(', ')}; ${warmup} s warm-up + ${duration} s per target; targets ${chosen.map((t) => t.id).join(', ')}`);
  console.log(`machine: ${machine.cpus} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage.join(' ')}`);

  const started = Date.now();
  let pgDb: Awaited<ReturnType<typeof createPgDatabase>> | null = null;
  const notes: string[] = [];
  if (engines.includes('postgres')) {
    if (process.env.BENCH_PG === '0') notes.push('PostgreSQL skipped (BENCH_PG=0).');
    else if (!(await reachable(pgAdminUrl))) notes.push(`PostgreSQL skipped: no server answers at ${new URL(pgAdminUrl).host} (set BENCH_PG_URL).`);
    else {
      pgDb = await createPgDatabase(pgAdminUrl);
      console.log(`PostgreSQL: fresh database ${pgDb.name} at ${new URL(pgAdminUrl).host} (dropped after the run)`);
    }
    if (!pgDb) engines = engines.filter((e) => e !== 'postgres');
  }
  for (const n of notes) console.log(n);

  const rows: Row[] = [];
  const atRest: Partial<Record<Engine, Mem>> = {};
  const servers: Server[] = [];
  let failures = 0;
  try {
    const bare = await startServer('bare');
    servers.push(bare);
    const ctxs = new Map<Engine, Ctx>();
    for (const engine of engines) {
      const app = await startServer(engine, engine === 'postgres' ? { BENCH_DATABASE_URL: pgDb!.url } : {});
      servers.push(app);
      const account = (username: string) => {
        const a = app.accounts.find((x) => x.username === username);
        if (!a) throw new Error(`no demo account ${username}`);
        return a;
      };
      const citizen = await citizenToken(app.url);
      const clerk = await staffToken(app.url, 'sari.clerk', account('sari.clerk').password);
      const reportStaff = await staffToken(app.url, 'babol.clerk', account('babol.clerk').password);
      const { trackingCode } = await submitOnce(app.url, citizen);
      ctxs.set(engine, { app, citizen, clerk, reportStaff, trackingCode, pools: { submitted: [], reports: [] }, exhausted: 0 });
      atRest[engine] = await app.gc();
      console.log(`${engineName[engine]} app at rest (after start, seed and a full GC): RSS ${mib(atRest[engine]!.rss).toFixed(0)} MiB, heap used ${mib(atRest[engine]!.heapUsed).toFixed(0)} MiB`);
    }

    /** The previous level's ops/s of each target and engine: how large a pool must be. */
    const lastRate = new Map<string, number>();
    const row = (connections: number, engine: Engine | null, id: string, name: string, unit: string, baseline: Row['baseline'], m: Measured & { cpuMs: number }, ops: number, peak: Mem | null, exhausted: number): Row => ({
      connections, engine, id, name, unit, baseline, opsPerSec: ops / m.seconds, reqPerSec: m.reqPerSec, p50: m.p50, p95: m.p95, p99: m.p99,
      non2xx: m.non2xx, errors: m.errors, statuses: m.statuses, poolExhausted: exhausted,
      peakRssMiB: peak ? mib(peak.rss) : null, peakHeapMiB: peak ? mib(peak.heapUsed) : null,
      cpuMsPerOp: m.cpuMs / ops,
      opsVsHello: null, opsVsDb: null, p95VsHello: null, p95VsDb: null, cpuVsHello: null, cpuVsDb: null,
    });

    for (const connections of levels) {
      console.log(`\n== ${connections} connection${connections > 1 ? 's' : ''}`);
      if (warmup) await measure({ url: `${bare.url}/hello` }, connections, warmup);
      const hm = await window(bare, { url: `${bare.url}/hello` }, connections, duration);
      const hello = row(connections, null, 'hello', 'bare Fastify GET /hello', 'request', 'hello', hm, hm.requests, null, 0);
      rows.push(hello);
      console.log(`  hello ${hm.reqPerSec.toFixed(0)} req/s, p95 ${hm.p95.toFixed(2)} ms`);
      for (const engine of engines) {
        const c = ctxs.get(engine)!;
        const app = c.app;
        let n = 0;
        const baselines: Record<'select' | 'insert', { opts: LoadOptions; name: string }> = {
          select: { name: 'plain select by primary key', opts: { url: app.scratchUrl, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/select/${n++ % SCRATCH_ROWS}` }) }] } },
          insert: { name: 'plain single-row INSERT', opts: { url: `${app.scratchUrl}/insert`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload: 'x'.repeat(64) }) } },
        };
        const base: Partial<Record<'select' | 'insert', Row>> = {};
        for (const kind of ['select', 'insert'] as const) {
          if (warmup) await measure(baselines[kind].opts, connections, warmup);
          app.resetPeak();
          const m = await window(app, baselines[kind].opts, connections, duration);
          base[kind] = row(connections, engine, kind, baselines[kind].name, 'request', kind, m, m.requests, app.peak, 0);
          rows.push(base[kind]!);
          if (m.non2xx || m.errors) failures += 1;
        }
        console.log(`  ${engineName[engine]}: select ${base.select!.reqPerSec.toFixed(0)} req/s, insert ${base.insert!.reqPerSec.toFixed(0)} req/s`);
        for (const t of chosen) {
          if (t.pool) {
            // Enough fresh applications (reports) for the warm-up and the window at the previous level's rate, and a margin.
            const rate = lastRate.get(`${engine}:${t.id}`);
            const need = Math.ceil(rate === undefined ? 1200 : Math.max(1000, rate * (warmup + duration) * 2)) + 1;
            const missing = need - c.pools[t.pool].length;
            if (missing > 0) {
              const t0 = Date.now();
              const made = t.pool === 'submitted'
                ? await inParallel(missing, 16, () => submitOnce(app.url, c.citizen))
                : await inParallel(missing, 16, () => fileReport(app.url, c.citizen));
              c.pools[t.pool].unshift(...made.map((x) => x.id));
              console.log(`  (prepared ${missing} ${t.pool === 'submitted' ? 'submitted applications' : 'received reports'} in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
            }
          }
          await t.check(c);
          const counter = { ops: 0 };
          const opts = t.load(c, counter);
          app.resetPeak();
          if (warmup) await measure(opts, connections, warmup);
          counter.ops = 0;
          c.exhausted = 0;
          const m = await window(app, opts, connections, duration);
          const r = row(connections, engine, t.id, t.name, t.unit?.name ?? 'request', null, m, t.unit ? counter.ops : t.kind === 'write' ? counter.ops : m.requests, app.peak, c.exhausted);
          const db = t.kind === 'read' ? base.select! : base.insert!;
          r.opsVsDb = r.opsPerSec / db.opsPerSec;
          r.p95VsDb = r.p95 / db.p95;
          r.cpuVsDb = r.cpuMsPerOp / db.cpuMsPerOp;
          rows.push(r);
          lastRate.set(`${engine}:${t.id}`, r.opsPerSec);
          if (m.non2xx || m.errors || (t.unit && counter.ops === 0)) failures += 1;
          const bad = m.non2xx || m.errors ? `  ${m.non2xx} non-2xx (${Object.entries(m.statuses).filter(([k]) => !k.startsWith('2')).map(([k, v]) => `${k}: ${v}`).join(', ')}), ${m.errors} errors` : '';
          console.log(`  ${engineName[engine]} ${t.id}: ${r.opsPerSec.toFixed(1)} ${r.unit}s/s, p50/p95/p99 ${m.p50.toFixed(1)}/${m.p95.toFixed(1)}/${m.p99.toFixed(1)} ms, CPU ${r.cpuMsPerOp.toFixed(2)} ms/op, peak RSS ${r.peakRssMiB?.toFixed(0)} MiB${bad}${c.exhausted ? `, pool exhausted (${c.exhausted} requests)` : ''}`);
        }
      }
      for (const r of rows.filter((x) => x.connections === connections)) {
        r.opsVsHello = r.opsPerSec / hello.opsPerSec;
        r.p95VsHello = r.p95 / hello.p95;
        r.cpuVsHello = r.cpuMsPerOp / hello.cpuMsPerOp;
        if (r.baseline === 'select' || r.baseline === 'insert') { r.opsVsDb = 1; r.p95VsDb = 1; r.cpuVsDb = 1; }
      }
    }
    for (const engine of engines) {
      const c = ctxs.get(engine)!;
      console.log(`${engineName[engine]}: left in the pools ${c.pools.submitted.length} submitted applications, ${c.pools.reports.length} received reports`);
    }

    const md = markdown(rows, engines, levels, atRest, machine, duration, warmup);
    console.log(`\n${md}`);
    for (const n of notes) console.log(n);
    console.log(`total time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (process.env.BENCH_MD) writeFileSync(process.env.BENCH_MD, md);
    if (process.env.BENCH_OUT) {
      writeFileSync(process.env.BENCH_OUT, JSON.stringify({
        at: new Date().toISOString(), machine, levels, duration, warmup, notes,
        atRest: Object.fromEntries(Object.entries(atRest).map(([k, v]) => [k, { rssMiB: mib(v.rss), heapUsedMiB: mib(v.heapUsed) }])), rows,
      }, null, 2));
      console.log(`results written to ${process.env.BENCH_OUT}`);
    }
  } finally {
    await Promise.all(servers.map(stopServer));
    if (pgDb) await pgDb.drop();
  }
  if (failures) {
    console.error(`\n${failures} measurement(s) had errors or non-2xx statuses (see the rows marked above).`);
    process.exit(1);
  }
}

function markdown(rows: Row[], engines: Engine[], levels: number[], atRest: Partial<Record<Engine, Mem>>, machine: Record<string, unknown>, duration: number, warmup: number): string {
  const out: string[] = [];
  out.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${String(machine.cpus)} CPUs (${String(machine.cpu)}), ${String(machine.memoryGiB)} GiB, Node ${String(machine.node)}; ${warmup} s warm-up + ${duration} s per target; load average at start ${(machine.loadAverage as number[]).join(' ')}.`);
  out.push('');
  out.push('Ratios are to the baselines of the same connection count (and engine) in the same run: ops/s ÷ baseline ops/s (higher is better), p95 ÷ baseline p95 (lower is better). Reads are compared with the plain select by primary key, writes with the plain single-row INSERT. A submission is 3 requests (ops/s = submissions/s; latencies per request). CPU ms/op: CPU time (user + system) of the serving process during the window over the operations completed: on a machine shared with other work it is the steadiest figure.');
  for (const engine of engines) {
    out.push('');
    out.push(`**${engineName[engine]}** (app at rest: RSS ${mib(atRest[engine]!.rss).toFixed(0)} MiB, heap used ${mib(atRest[engine]!.heapUsed).toFixed(0)} MiB)`);
    out.push('');
    out.push('| conns | target | ops/s | ÷ hello | ÷ db | p50 ms | p95 ms | p99 ms | p95 ÷ hello | p95 ÷ db | CPU ms/op | CPU ÷ hello | CPU ÷ db | non-2xx / errors | peak RSS / heap MiB |');
    out.push('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
    for (const level of levels) {
      const hello = rows.find((r) => r.connections === level && r.id === 'hello');
      const mine = rows.filter((r) => r.connections === level && r.engine === engine);
      for (const r of [...(hello ? [hello] : []), ...mine]) {
        const bad = `${r.non2xx} / ${r.errors}${r.non2xx ? ` (${Object.entries(r.statuses).filter(([k]) => !k.startsWith('2')).map(([k, v]) => `${k}×${v}`).join(' ')})` : ''}${r.poolExhausted ? `, pool ran out (${r.poolExhausted})` : ''}`;
        const name = r.baseline ? `*${r.name}*` : r.name;
        out.push(`| ${level} | ${name} | ${r.opsPerSec.toFixed(r.opsPerSec < 100 ? 1 : 0)} | ${ratio(r.opsVsHello)} | ${r.baseline === 'hello' ? '' : ratio(r.opsVsDb)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${ratio(r.p95VsHello)} | ${r.baseline === 'hello' ? '' : ratio(r.p95VsDb)} | ${fmt(r.cpuMsPerOp)} | ${ratio(r.cpuVsHello)} | ${r.baseline === 'hello' ? '' : ratio(r.cpuVsDb)} | ${bad} | ${r.peakRssMiB === null ? '' : `${r.peakRssMiB.toFixed(0)} / ${r.peakHeapMiB!.toFixed(0)}`} |`);
      }
    }
  }
  return out.join('\n');
}

await main();
