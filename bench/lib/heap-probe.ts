// A probe for the soak's memory question: the app in this process, requests through app.inject,
// heap used after a full GC after each batch of one kind of request. Growth that stops is a
// bounded cache filling; growth that goes on per request is a leak.
//
//   node --expose-gc --import tsx bench/lib/heap-probe.ts [batches=6] [perBatch=2000]
//   PROBE_KINDS=track,report   only the kinds whose name contains one of these
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/wiring.js';
import { buildApp } from '../../src/app.js';
import { seedDemo } from '../../src/modules/orgs/seed.js';
import { SUBMIT_SERVICE, SUBMIT_VALUES, STAFF_ACTION, RESOLVE, reportBody } from './client.js';

const batches = Number(process.argv[2] ?? 6);
const perBatch = Number(process.argv[3] ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const dir = mkdtempSync(join(os.tmpdir(), 'pishkhan-heap-'));
const config = loadConfig({
  NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'p.db')}`,
  SESSION_SECRET: 'bench-secret-'.padEnd(48, 'x'), PISHKHAN_DEMO: '1', TRUST_PROXY: '1', REPORTS_PER_MINUTE: '100000',
});
const deps = await buildDeps(config);
const seeded = await seedDemo(deps.db, deps.services.identity);
const app = await buildApp(deps, { logger: false });
await app.ready();
deps.worker.start();
const inj = async (method: string, url: string, body?: unknown, token?: string, ip?: string) => {
  const r = await app.inject({ method: method as 'GET', url, payload: body === undefined ? undefined : JSON.stringify(body), headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...(ip ? { 'x-forwarded-for': ip } : {}) } });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
  return r.json() as Record<string, unknown>;
};
const mobile = '09121112233';
await inj('POST', '/api/v1/auth/otp', { mobile });
await new Promise((r) => setTimeout(r, 300));
const { items } = (await inj('GET', '/dev/outbox.json?limit=50')) as { items: { to: string; body: string }[] };
const code = items.find((m) => m.to === mobile)!.body.match(/\d{4,8}/)![0];
const citizen = (await inj('POST', '/api/v1/auth/otp/verify', { mobile, code })).token as string;
const pw = (u: string) => seeded.accounts.find((a) => a.username === u)!.password;
const clerk = (await inj('POST', '/api/v1/auth/staff', { username: 'sari.clerk', password: pw('sari.clerk') })).token as string;
const babol = (await inj('POST', '/api/v1/auth/staff', { username: 'babol.clerk', password: pw('babol.clerk') })).token as string;
const submit = async () => {
  const d = await inj('POST', '/api/v1/applications', SUBMIT_SERVICE, citizen);
  await inj('PATCH', `/api/v1/applications/${d.id}`, SUBMIT_VALUES, citizen);
  const s = await inj('POST', `/api/v1/applications/${d.id}/submit`, { submit_key: randomBytes(8).toString('hex') }, citizen);
  return { id: String(d.id), code: String(s.tracking_code) };
};
const first = await submit();
let ip = 0;
const nextIp = () => { const i = ip++ % 65536; return `10.77.${i >> 8}.${i & 255}`; };
const kinds: Record<string, () => Promise<unknown>> = {
  'track API (rotating addresses)': () => inj('GET', `/api/v1/track/${first.code}`, undefined, undefined, nextIp()),
  'track page (rotating addresses)': () => inj('GET', `/track/${first.code}`, undefined, undefined, nextIp()),
  'services?q': () => inj('GET', `/services?q=${encodeURIComponent('پسماند')}`, undefined, undefined, nextIp()),
  'submission + clerk accepts': async () => { const a = await submit(); await inj('POST', `/api/v1/applications/${a.id}/actions`, STAFF_ACTION, clerk); },
  'report filed + resolved': async () => { const r = await inj('POST', '/api/v1/reports', JSON.parse(reportBody()), citizen); await inj('POST', `/api/v1/reports/${r.id}/state`, RESOLVE, babol); },
};
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed / 2 ** 20; };
console.log(`start: heap after GC ${heap().toFixed(2)} MiB`);
for (const [name, f] of Object.entries(kinds).filter(([k]) => !process.env.PROBE_KINDS || process.env.PROBE_KINDS.split(',').some((w) => k.includes(w)))) {
  const n = name.startsWith('submission') || name.startsWith('report') ? Math.ceil(perBatch / 5) : perBatch;
  const line: string[] = [];
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < n; i++) await f();
    await new Promise((r) => setTimeout(r, 200));
    line.push(heap().toFixed(2));
  }
  console.log(`${name}, ${batches} x ${n}: heap after GC MiB ${line.join(' -> ')}`);
}
await app.close();
await deps.close();
rmSync(dir, { recursive: true, force: true });
