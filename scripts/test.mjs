#!/usr/bin/env node
// Runs every test suite: all suites on SQLite, the database suites again on a fresh
// PostgreSQL database per file when a server answers, and the browser suites when Chromium
// is installed. Missing PostgreSQL or Chromium skips those suites and says so, unless
// PISHKHAN_REQUIRE_ALL=1 (set by .ci/run), where a skip is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';

const args = process.argv.slice(2);
const browserOnly = args.includes('--browser-only');
const requireAll = process.env.PISHKHAN_REQUIRE_ALL === '1';
const pgUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const all = [...walk('src'), ...walk('test')].sort();
const browserFiles = all.filter((f) => f.startsWith(join('test', 'browser')));
const unitFiles = all.filter((f) => !browserFiles.includes(f));
const dbFiles = unitFiles.filter((f) => /testDb\(|makeTestApp\(|migratedDb\(/.test(readFileSync(f, "utf8")));

function canReach(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    s.setTimeout(1500);
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
    s.on('timeout', () => { s.destroy(); resolve(false); });
  });
}

mkdirSync('test-artifacts', { recursive: true });
const totals = { pass: 0, fail: 0, skipped: 0 };
const notes = [];

function run(label, files, env) {
  if (files.length === 0) return;
  console.log(`\n=== ${label}: ${files.length} files ===`);
  const tap = join('test-artifacts', `${label.replace(/\W+/g, '-')}.tap`);
  const r = spawnSync(process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ], { stdio: 'inherit', env: { ...process.env, ...env } });
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  totals.pass += count('pass');
  totals.skipped += count('skipped');
  const failed = count('fail') + count('cancelled');
  totals.fail += failed || (r.status === 0 ? 0 : 1);
}

if (!browserOnly) run('sqlite', unitFiles, { TEST_DB: 'sqlite' });

if (!browserOnly) {
  if (await canReach(pgUrl)) run('postgres', dbFiles, { TEST_DB: 'postgres', TEST_PG_URL: pgUrl });
  else {
    notes.push(`PostgreSQL suites skipped: no server answers at ${new URL(pgUrl).host} (set TEST_PG_URL).`);
    totals.skipped += dbFiles.length;
    if (requireAll) totals.fail += 1;
  }
}

if (chromium) run('browser', browserFiles, { TEST_DB: 'sqlite', CHROMIUM_PATH: chromium });
else {
  notes.push('Browser suites skipped: Chromium not found (apt-get install chromium, or set CHROMIUM_PATH).');
  totals.skipped += browserFiles.length;
  if (requireAll) totals.fail += 1;
}

console.log('');
for (const n of notes) console.log(n);
console.log(`${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(totals.fail > 0 ? 1 : 0);
