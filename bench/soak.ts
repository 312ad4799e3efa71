// `npm run bench:soak`: one app process under a steady mixed load for SOAK_MINUTES, sampled every
// SOAK_SAMPLE_SECONDS, to see whether memory or latency drift over time.
//
// The mix, as several autocannon instances running side by side against the same app (each
// connection loops its own sequence; the proportions follow from the connections and the cost of
// each request, and are printed at the end):
//
//   reads        8 connections  /services, /services?q=پسماند, /services/building-permit, /track/<code>,
//                               /api/v1/track/<code> in turn, each from its own client address
//   submissions  2 connections  a citizen's draft + answers + submit through the JSON API
//   staff        1 connection   the Sari clerk accepts the next submitted application (the ids the
//                               submissions made); none waiting: the clerk reads the inbox instead
//   reports      2 connections  a citizen files a city problem report in Babol
//   resolutions  1 connection   the Babol clerk resolves the next received report; none waiting: reads
//                               the staff report list instead
//
// (A request whose method changes gets a fresh headers object: autocannon writes Content-Length into
// the headers it is given, and a GET carrying the previous POST's Content-Length is a broken request.)
//
// Each sample: RSS and heap used (latest of the 250 ms reports; then after a full GC in the child),
// event-loop delay p99 over the window (monitorEventLoopDelay), requests/s, p50/p95 latency,
// non-2xx and errors of the window. The verdict: memory slope (least squares, MB/min) over the
// second half of the samples, on RSS and on heap used after GC, and p95 of the last window over
// p95 of the first; a growth is flagged.
//
//   SOAK_MINUTES=10            length
//   SOAK_ENGINE=postgres       or sqlite
//   SOAK_SAMPLE_SECONDS=30     window
//   SOAK_SCALE=1               multiplies every connection count above
//   SOAK_OUT=file.json         also write the samples as JSON; SOAK_MD=file.md the Markdown
//   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   where to create the database (dropped after)
//
// Method and figures: docs/performance.md, "Soak".
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import autocannon from 'autocannon';
import { createPgDatabase, engineName, mib, reachable, startServer, stopServer, type Engine, type Server } from './lib/server.js';
import {
  citizenToken, fileReport, jsonHeaders, nextIp, percentile, reportBody, RESOLVE, staffToken, STAFF_ACTION, SUBMIT_SERVICE, SUBMIT_VALUES, submitOnce,
} from './lib/client.js';

interface Sample {
  minute: number;
  rssMiB: number; heapMiB: number; rssAfterGcMiB: number; heapAfterGcMiB: number;
  eldP99: number; eldMax: number;
  reqPerSec: number; p50: number; p95: number; p99: number;
  non2xx: number; errors: number;
  byKind: Record<string, number>;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) { num += (xs[i]! - mx) * (ys[i]! - my); den += (xs[i]! - mx) ** 2; }
  return den ? num / den : NaN;
}

async function main(): Promise<void> {
  const minutes = Number(process.env.SOAK_MINUTES ?? 10);
  const engine = (process.env.SOAK_ENGINE ?? 'postgres') as Engine;
  const sampleSeconds = Number(process.env.SOAK_SAMPLE_SECONDS ?? 30);
  const scale = Number(process.env.SOAK_SCALE ?? 1);
  if (!(minutes > 0) || !(sampleSeconds > 0) || !(scale > 0) || !['sqlite', 'postgres'].includes(engine)) throw new Error('SOAK_MINUTES, SOAK_SAMPLE_SECONDS, SOAK_SCALE must be positive; SOAK_ENGINE sqlite or postgres');
  const pgAdminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const conns = (n: number) => Math.max(1, Math.round(n * scale));

  console.log(`Pishkhan soak: ${minutes} min on ${engineName[engine]}, a sample every ${sampleSeconds} s`);
  console.log(`machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  let pgDb: Awaited<ReturnType<typeof createPgDatabase>> | null = null;
  if (engine === 'postgres') {
    if (!(await reachable(pgAdminUrl))) throw new Error(`no PostgreSQL at ${new URL(pgAdminUrl).host} (set BENCH_PG_URL)`);
    pgDb = await createPgDatabase(pgAdminUrl);
  }
  let app: Server | null = null;
  const instances: autocannon.Instance[] = [];
  try {
    app = await startServer(engine, pgDb ? { BENCH_DATABASE_URL: pgDb.url } : {});
    const a = app;
    const pw = (u: string) => a.accounts.find((x) => x.username === u)!.password;
    const citizen = await citizenToken(a.url);
    const clerk = await staffToken(a.url, 'sari.clerk', pw('sari.clerk'));
    const reportStaff = await staffToken(a.url, 'babol.clerk', pw('babol.clerk'));
    const { trackingCode } = await submitOnce(a.url, citizen);
    await fileReport(a.url, citizen);
    const rest = await a.gc();
    console.log(`at rest after a GC: RSS ${mib(rest.rss).toFixed(0)} MiB, heap used ${mib(rest.heapUsed).toFixed(0)} MiB`);

    const submitted: string[] = [];
    const reports: string[] = [];
    // The current window.
    let lat: number[] = [];
    let non2xx = 0;
    let errors = 0;
    let byKind: Record<string, number> = {};
    const totals: Record<string, number> = {};
    const statusTotals: Record<string, number> = {};
    const errorSamples: string[] = [];
    /** The first few non-2xx answers, by which kind of request got them. */
    const bad = (kind: string, status: number, body: string) => { if (errorSamples.length < 10 && (status < 200 || status >= 300)) errorSamples.push(`${kind} ${status}: ${body.slice(0, 200)}`); };
    const count = (kind: string) => { byKind[kind] = (byKind[kind] ?? 0) + 1; totals[kind] = (totals[kind] ?? 0) + 1; };

    const durationS = Math.round(minutes * 60);
    const start = (name: string, connections: number, opts: Partial<autocannon.Options> & { url: string }) => {
      const inst = autocannon({ ...opts, connections, duration: durationS, pipelining: 1, timeout: 30 }, () => {});
      inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
        lat.push(ms);
        statusTotals[status] = (statusTotals[status] ?? 0) + 1;
        if (status < 200 || status >= 300) non2xx += 1;
      });
      inst.on('reqError', (err: Error) => { errors += 1; if (errorSamples.length < 5) errorSamples.push(`${name}: ${err.message}`); });
      instances.push(inst);
      return name;
    };
    const ip = (req: autocannon.Request) => ({ ...req, headers: { ...req.headers, 'x-forwarded-for': nextIp() } });
    const readPaths = ['/services', `/services?q=${encodeURIComponent('پسماند')}`, '/services/building-permit', `/track/${trackingCode}`, `/api/v1/track/${trackingCode}`];
    start('reads', conns(8), {
      url: a.url,
      requests: readPaths.map((path) => ({ method: 'GET' as const, path, setupRequest: ip, onResponse: (st, b) => { if (st < 300) count('read'); else bad(`read ${path}`, st, b); } })),
    });
    type C = { id?: string };
    const headers = jsonHeaders(citizen);
    start('submissions', conns(2), {
      url: a.url,
      requests: [
        { method: 'POST', path: '/api/v1/applications', headers, body: JSON.stringify(SUBMIT_SERVICE), onResponse: (s, b, ctx) => { (ctx as C).id = s === 201 ? (JSON.parse(b) as { id: string }).id : undefined; bad('draft', s, b); } },
        { method: 'PATCH', headers, body: JSON.stringify(SUBMIT_VALUES), setupRequest: (req, ctx) => ({ ...req, path: `/api/v1/applications/${(ctx as C).id ?? 'none'}` }), onResponse: (s, b) => bad('answers', s, b) },
        {
          method: 'POST', headers,
          setupRequest: (req, ctx) => ({ ...req, path: `/api/v1/applications/${(ctx as C).id ?? 'none'}/submit`, body: JSON.stringify({ submit_key: randomBytes(12).toString('hex') }) }),
          onResponse: (s, b, ctx) => { bad('submit', s, b); if (s === 200 && (ctx as C).id) { submitted.push((ctx as C).id!); count('submission'); } },
        },
      ],
    });
    start('staff', conns(1), {
      url: a.url,
      requests: [{
        setupRequest: (req, ctx) => {
          const id = submitted.shift();
          (ctx as C).id = id;
          return id
            ? { ...req, method: 'POST', path: `/api/v1/applications/${id}/actions`, headers: jsonHeaders(clerk), body: JSON.stringify(STAFF_ACTION) }
            : { ...req, method: 'GET', path: '/api/v1/inbox?per_page=20', headers: { authorization: `Bearer ${clerk}` }, body: undefined };
        },
        onResponse: (s, b, ctx) => { bad((ctx as C).id ? 'staff action' : 'inbox read', s, b); if (s < 300) count((ctx as C).id ? 'staff action' : 'inbox read'); },
      }],
    });
    start('reports', conns(2), {
      url: a.url,
      requests: [{
        method: 'POST', path: '/api/v1/reports', headers,
        setupRequest: (req) => ({ ...req, body: reportBody() }),
        onResponse: (s, b) => { bad('report filed', s, b); if (s === 201) { reports.push((JSON.parse(b) as { id: string }).id); count('report filed'); } },
      }],
    });
    start('resolutions', conns(1), {
      url: a.url,
      requests: [{
        setupRequest: (req, ctx) => {
          const id = reports.shift();
          (ctx as C).id = id;
          return id
            ? { ...req, method: 'POST', path: `/api/v1/reports/${id}/state`, headers: jsonHeaders(reportStaff), body: JSON.stringify(RESOLVE) }
            : { ...req, method: 'GET', path: '/api/v1/staff/reports', headers: { authorization: `Bearer ${reportStaff}` }, body: undefined };
        },
        onResponse: (s, b, ctx) => { bad((ctx as C).id ? 'report resolved' : 'report list read', s, b); if (s < 300) count((ctx as C).id ? 'report resolved' : 'report list read'); },
      }],
    });

    const t0 = Date.now();
    const samples: Sample[] = [];
    await a.eld(); // reset the event-loop histogram
    a.resetPeak();
    const samplesWanted = Math.floor(durationS / sampleSeconds);
    console.log(`\n  min   RSS  heap  heap(GC)  ELD p99  req/s   p50    p95  non-2xx err`);
    for (let i = 1; i <= samplesWanted; i++) {
      const wait = t0 + i * sampleSeconds * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const windowLat = lat.sort((x, y) => x - y);
      const s: Partial<Sample> = {
        minute: (Date.now() - t0) / 60_000, reqPerSec: windowLat.length / sampleSeconds,
        p50: percentile(windowLat, 50), p95: percentile(windowLat, 95), p99: percentile(windowLat, 99), non2xx, errors, byKind,
        rssMiB: mib(a.mem.rss), heapMiB: mib(a.mem.heapUsed),
      };
      lat = []; non2xx = 0; errors = 0; byKind = {};
      const eld = await a.eld();
      const gc = await a.gc();
      const sample: Sample = { ...(s as Sample), eldP99: eld.p99, eldMax: eld.max, rssAfterGcMiB: mib(gc.rss), heapAfterGcMiB: mib(gc.heapUsed) };
      samples.push(sample);
      console.log(`${sample.minute.toFixed(1).padStart(5)} ${sample.rssMiB.toFixed(0).padStart(5)} ${sample.heapMiB.toFixed(0).padStart(5)} ${sample.heapAfterGcMiB.toFixed(1).padStart(9)} ${sample.eldP99.toFixed(1).padStart(8)} ${sample.reqPerSec.toFixed(0).padStart(6)} ${sample.p50.toFixed(1).padStart(5)} ${sample.p95.toFixed(1).padStart(6)} ${String(sample.non2xx).padStart(8)} ${String(sample.errors).padStart(3)}`);
    }
    for (const inst of instances) inst.stop();
    instances.length = 0;

    // The verdict.
    const second = samples.slice(Math.floor(samples.length / 2));
    const xs = second.map((s) => s.minute);
    const rssSlope = slope(xs, second.map((s) => s.rssMiB));
    const heapSlope = slope(xs, second.map((s) => s.heapAfterGcMiB));
    const p95Ratio = samples.length ? samples[samples.length - 1]!.p95 / samples[0]!.p95 : NaN;
    const totalErrors = samples.reduce((n, s) => n + s.errors, 0);
    const totalNon2xx = samples.reduce((n, s) => n + s.non2xx, 0);
    const flags: string[] = [];
    if (heapSlope > 0.5) flags.push(`heap used after GC grows ${heapSlope.toFixed(2)} MB/min over the second half`);
    if (rssSlope > 2) flags.push(`RSS grows ${rssSlope.toFixed(2)} MB/min over the second half`);
    if (p95Ratio > 1.5) flags.push(`p95 of the last window is ${p95Ratio.toFixed(2)}x the first's`);
    if (totalErrors || totalNon2xx) flags.push(`${totalNon2xx} non-2xx and ${totalErrors} errors`);

    const md: string[] = [];
    md.push(`Soak on ${engineName[engine]}: ${minutes} min, one app process, sample every ${sampleSeconds} s; ${new Date(t0).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.availableParallelism()} CPUs, Node ${process.version}. At rest (after seed and a GC): RSS ${mib(rest.rss).toFixed(0)} MiB, heap used ${mib(rest.heapUsed).toFixed(0)} MiB.`);
    md.push('');
    md.push('| min | RSS MiB | heap used MiB | heap after GC MiB | event-loop delay p99 ms | req/s | p50 ms | p95 ms | non-2xx | errors |');
    md.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of samples) md.push(`| ${s.minute.toFixed(1)} | ${s.rssMiB.toFixed(0)} | ${s.heapMiB.toFixed(0)} | ${s.heapAfterGcMiB.toFixed(1)} | ${s.eldP99.toFixed(1)} | ${s.reqPerSec.toFixed(0)} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.non2xx} | ${s.errors} |`);
    md.push('');
    const totalOps = Object.values(totals).reduce((x, y) => x + y, 0);
    md.push(`Mix over the run: ${Object.entries(totals).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v} (${((100 * v) / totalOps).toFixed(1)}%)`).join(', ')}. Statuses: ${Object.entries(statusTotals).map(([k, v]) => `${k}×${v}`).join(', ')}.`);
    md.push('');
    md.push(`**Verdict**: memory slope over the second half ${rssSlope.toFixed(2)} MB/min RSS, ${heapSlope.toFixed(2)} MB/min heap used after GC; p95 last window / first window ${p95Ratio.toFixed(2)}x. ${flags.length ? `FLAGGED: ${flags.join('; ')}.` : 'No growth flagged (limits: heap after GC 0.5 MB/min, RSS 2 MB/min, p95 1.5x, no errors).'}`);
    if (errorSamples.length) md.push('', `First failures: ${errorSamples.map((e) => `\`${e.replace(/`/g, "'")}\``).join('; ')}`);
    const text = md.join('\n');
    console.log(`\n${text}`);
    if (process.env.SOAK_MD) writeFileSync(process.env.SOAK_MD, text);
    if (process.env.SOAK_OUT) writeFileSync(process.env.SOAK_OUT, JSON.stringify({ engine, minutes, sampleSeconds, rest: { rssMiB: mib(rest.rss), heapUsedMiB: mib(rest.heapUsed) }, samples, totals, statusTotals, rssSlope, heapSlope, p95Ratio, flags }, null, 2));
    if (flags.length) process.exitCode = 1;
  } finally {
    for (const inst of instances) inst.stop();
    if (app) await stopServer(app);
    if (pgDb) await pgDb.drop();
  }
}

await main();
