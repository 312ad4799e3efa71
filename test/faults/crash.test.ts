// Faults: kill -9 in the middle of bursts. The real app runs as a child process (crash-entry.ts,
// built as src/main.ts builds it, its outbox worker and payment reconciler running) on this
// file's database, with SMS going to a fake Kavenegar. Concurrent citizens submit applications,
// upload documents and pay bills (start -> the sandbox bank pays -> the bank's callback; some
// payers never come back from the bank); the process is killed with SIGKILL while a third of the
// requests are answered and the rest are in flight. It is started again on the same database
// "ten minutes later" (its clock moved on, so the dead worker's leases have ended and the
// reconciler considers the pending payments); citizens whose submission got no answer send it
// again with the same key. Then, once the background work is done:
//   - applications: a submitted one has its tracking code (unique), exactly one submission event,
//     audit entry and SMS; a draft has none of them; every submission sent is submitted once;
//   - documents: every row has its file, with its size and SHA-256, and its audit entry;
//   - payments: every transaction the bank verified is recorded once as paid, its bills paid by
//     it, its receipt SMS once, its application moved on; none the bank confirmed is left
//     unrecorded (those whose payer never returned are settled by the reconciler); nothing is
//     paid that the bank did not verify;
//   - outbox: nothing is left pending; each SMS reached the provider exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { TestClock, makeOrg, testDb, type TestApp, type TestDatabase } from '../helpers.js';
import { buildingPermitAnswers, nationalCode, samplePdf } from '../../src/modules/applications/test-factories.js';
import { adoptBuildingPermit, applicationAwaitingPayment, staffActor } from '../../src/modules/payments/test-factories.js';
import { openDatabase, type DbHandle } from '../../src/platform/db/index.js';
import type { Actor } from '../../src/platform/core/index.js';
import { FakeKavenegar, drain, faultApp, signInByOutbox } from './support.js';

const N_SUBMIT = 8;
const N_UPLOAD = 4;
const N_PAY = 4;
const N_ABANDON = 2;
const SECRET = 'crash-test-secret-'.padEnd(40, 'x');
const DOCS = ['deed', 'national_card', 'architectural_plans', 'structural_plans', 'supervision_contract'];

let db: TestDatabase;
let dataDir: string;
let handle: DbHandle;
const sms = new FakeKavenegar();
let child: ChildProcess | null = null;
let first: AppProcess;
let second: AppProcess;

interface Citizen { id: string; mobile: string; token: string; ip: string }
const submitters: (Citizen & { appId: string; key: string })[] = [];
const uploaders: (Citizen & { appId: string })[] = [];
const payers: (Citizen & { appId: string; billId: string })[] = [];

const env = (): Record<string, string> => ({
  NODE_ENV: 'test', LOG_LEVEL: process.env.PK_CRASH_LOG ?? 'silent', SESSION_SECRET: SECRET, DATA_DIR: dataDir, TRUST_PROXY: '1',
  DATABASE_URL: db.config.kind === 'postgres' ? db.config.url : `sqlite:${db.config.file}`,
  PUBLIC_URL: 'http://127.0.0.1:4299', PAYMENT_RECONCILE_AFTER_MINUTES: '1', OUTBOX_POLL_MS: '50',
  ...sms.env(),
});

before(async () => {
  db = await testDb();
  dataDir = mkdtempSync(join(tmpdir(), 'pishkhan-crash-'));
  await sms.start();
  // Both app processes load their modules while the world is built (a supervisor's restart
  // would find its code loaded as well); neither opens the database before it is told to.
  first = loadApp();
  second = loadApp();
  // The world before the bursts, built in this process on the same database and files.
  const t = await faultApp(db.config, env(), { clock: new TestClock(Date.now() - 3_600_000) });
  const sari = await makeOrg(t as unknown as TestApp, 'sari');
  await adoptBuildingPermit(t as unknown as TestApp, sari);
  const clerk = await staffActor(t as unknown as TestApp, sari, 'sari', ['clerk']);
  const inspector = await staffActor(t as unknown as TestApp, sari, 'sari', ['inspector']);
  let n = 0;
  const citizen = async (): Promise<Citizen> => {
    const k = ++n;
    const mobile = `0912126${String(k).padStart(4, '0')}`;
    const ip = `10.9.${Math.floor(k / 200)}.${k % 200}`;
    const token = await signInByOutbox(t, mobile, ip);
    const auth = { authorization: `Bearer ${token}` };
    const p = await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: { ...auth, 'x-forwarded-for': ip }, payload: { national_code: nationalCode(`0055${String(k).padStart(5, '0')}`), first_name: 'نرگس', last_name: 'موسوی' } });
    assert.equal(p.statusCode, 200, p.body);
    const id = (await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', mobile).executeTakeFirstOrThrow()).id;
    return { id, mobile, token, ip };
  };
  const draft = async (c: Citizen, docs: string[]) => {
    const actor: Actor = { kind: 'citizen', id: c.id };
    const d = await t.deps.services.applications.startDraft(actor, 'sari', 'building-permit', 'web');
    await t.deps.services.applications.saveDraft(actor, d.id, buildingPermitAnswers(), { mode: 'replace', complete: true });
    for (const key of docs) await t.deps.services.applications.uploadDocument(actor, d.id, key, { filename: `${key}.pdf`, content: samplePdf() });
    return d.id;
  };
  // Built concurrently, as many citizens would.
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  await Promise.all([
    ...range(N_SUBMIT).map(async () => {
      const c = await citizen();
      submitters.push({ ...c, appId: await draft(c, DOCS), key: randomBytes(12).toString('hex') });
    }),
    ...range(N_UPLOAD).map(async () => {
      const c = await citizen();
      uploaders.push({ ...c, appId: await draft(c, []) });
    }),
    ...range(N_PAY + N_ABANDON).map(async () => {
      const c = await citizen();
      const appId = await applicationAwaitingPayment(t as unknown as TestApp, { citizen: { kind: 'citizen', id: c.id }, orgCode: 'sari', clerk, inspector });
      const bill = await t.deps.db.selectFrom('bills').select('id').where('application_id', '=', appId).where('status', '=', 'unpaid').executeTakeFirstOrThrow();
      payers.push({ ...c, appId, billId: bill.id });
    }),
  ]);
  await drain(t);
  await t.close();
  handle = openDatabase(db.config);
});

after(async () => {
  for (const p of [first?.proc, second?.proc]) if (p && p.exitCode === null) p.kill('SIGKILL');
  await handle?.close();
  await sms.stop();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An app process, loading its modules; `go` opens the database and serves (resolves with its base URL). */
interface AppProcess { proc: ChildProcess; go(offsetMs: number): Promise<string> }
function loadApp(): AppProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-entry.ts')], { env: { ...process.env, ...env() }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  if (process.env.PK_CRASH_LOG) proc.stdout!.on('data', (c: Buffer) => process.stderr.write(c));
  const lines = createInterface({ input: proc.stdout! });
  const listening = new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`the app exited (${code}) before serving:\n${stderr}`)));
    lines.on('line', (line) => {
      const m = /^LISTENING (\d+)$/.exec(line);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
  });
  listening.catch(() => {});
  return {
    proc,
    go(offsetMs) {
      child = proc;
      proc.stdin!.write(`GO ${offsetMs}\n`);
      return listening;
    },
  };
}

function killApp(): Promise<void> {
  const proc = child!;
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

function multipart(docKey: string, content: Buffer) {
  const boundary = `----crash${randomBytes(6).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="doc_key"\r\n\r\n${docKey}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${docKey}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    content, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** The payer's browser at the sandbox bank: its page (and CSRF token), then Pay; answers where the bank sends the payer back. */
async function payAtBank(base: string, authority: string, ip: string): Promise<string> {
  const page = await fetch(`${base}/sandbox-bank/${encodeURIComponent(authority)}`, { headers: { 'x-forwarded-for': ip } });
  const html = await page.text();
  assert.equal(page.status, 200, html.slice(0, 200));
  const token = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const paid = await fetch(`${base}/sandbox-bank/${encodeURIComponent(authority)}`, {
    method: 'POST', redirect: 'manual', headers: { cookie, 'x-forwarded-for': ip, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, choice: 'pay' }).toString(),
  });
  assert.equal(paid.status, 303, await paid.text());
  return paid.headers.get('location')!;
}

/** The stored files (keys like ab/abcd...) and temporary parts (tmp/...) under DATA_DIR/files. */
function filesOnDisk(): string[] {
  const root = join(dataDir, 'files');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
}
/** Stored files no document row names (every file in this test is a document). */
async function orphanFiles(): Promise<string[]> {
  const keys = new Set((await handle.db.selectFrom('documents').select('storage_key').execute()).map((r) => r.storage_key));
  return filesOnDisk().filter((f) => !f.startsWith('tmp/') && !keys.has(f));
}

const headers = (c: Citizen, more: Record<string, string> = {}) => ({ authorization: `Bearer ${c.token}`, 'x-forwarded-for': c.ip, ...more });

const phase = (t: { diagnostic(m: string): void }, what: string, since: number) => t.diagnostic(`${what}: ${Date.now() - since} ms`);

test('kill -9 during bursts of submissions, uploads and payments: after a restart nothing is half-written, lost or doubled', async (t) => {
  const t0 = Date.now();
  let base = await first.go(0);
  phase(t, 'first start', t0);
  const submitted = new Set<string>();
  const done = { submit: 0, upload: 0, bank: 0, callback: 0 };
  // The bursts: uploads (three files each) and payments run at once; a submission is released
  // each time one of their steps is answered, so the three kinds interleave. The process is
  // killed once each kind has been answered a few times, with the rest in flight.
  let killed: Promise<void> | null = null;
  let answered = 0;
  let failed = 0;
  const steps = N_UPLOAD * 3 + N_PAY * 2 + N_ABANDON + N_SUBMIT;
  const runs: Promise<void>[] = [];
  const run = (job: () => Promise<void>) => {
    runs.push((async () => {
      try {
        await job();
      } catch (err) {
        failed += 1;
        if (!killed) throw err;
      }
    })());
  };
  const queue = [...submitters];
  const step = (kind: keyof typeof done) => {
    done[kind] += 1;
    answered += 1;
    const next = queue.shift();
    if (next && !killed) run(() => submit(next));
    if (!killed && ((done.submit >= 3 && done.upload >= 4 && done.callback >= 2) || answered >= (steps * 2) / 3)) killed = killApp();
  };
  const submit = async (s: (typeof submitters)[number]) => {
    const r = await fetch(`${base}/api/v1/applications/${s.appId}/submit`, { method: 'POST', headers: headers(s, { 'content-type': 'application/json' }), body: JSON.stringify({ submit_key: s.key }) });
    assert.equal(r.status, 200, await r.text());
    submitted.add(s.appId);
    step('submit');
  };
  for (const u of uploaders) {
    run(async () => {
      for (const key of DOCS.slice(0, 3)) {
        // Files of some size, so that a write can be cut in the middle.
        const m = multipart(key, Buffer.concat([samplePdf(), randomBytes(300 * 1024)]));
        const r = await fetch(`${base}/api/v1/applications/${u.appId}/documents`, { method: 'POST', headers: headers(u, { 'content-type': m.type }), body: m.body });
        assert.equal(r.status, 201, await r.text());
        step('upload');
      }
    });
  }
  payers.forEach((p, i) => {
    run(async () => {
      const r = await fetch(`${base}/api/v1/payments`, { method: 'POST', headers: headers(p, { 'content-type': 'application/json' }), body: JSON.stringify({ bill_ids: [p.billId] }) });
      const body = await r.text();
      assert.equal(r.status, 201, body);
      const authority = decodeURIComponent(String(JSON.parse(body).redirect_url).split('/').pop()!);
      // The payer pays at the (sandbox) bank: its page, then its Pay button; the bank's decision is
      // committed before it sends the payer back, whatever happens to the app afterwards.
      const back = await payAtBank(base, authority, p.ip);
      step('bank');
      // Some payers close the browser at the bank: no callback ever comes for them.
      if (i >= N_PAY) return;
      const cb = await fetch(`${base}${back}`, { redirect: 'manual' });
      assert.equal(cb.status, 200);
      step('callback');
    });
  });
  run(() => submit(queue.shift()!));
  run(() => submit(queue.shift()!));
  // Every run ends, answered or cut (the runs list grows while they go).
  for (let i = 0; i < runs.length; i++) await runs[i];
  const killedAt = JSON.stringify(done);
  await killed;
  phase(t, 'burst and kill', t0);
  t.diagnostic(`answered before the kill: ${killedAt}`);
  assert.ok(killed, 'the process was killed mid-burst');
  assert.ok(failed > 0, `some requests were cut by the kill (${killedAt} answered)`);

  // Ten minutes later: the process comes back on the same database and files.
  base = await second.go(10 * 60_000);
  phase(t, 'restart', t0);
  // Citizens whose submission got no answer send it again, with the same key.
  for (const s of submitters) {
    const r = await fetch(`${base}/api/v1/applications/${s.appId}/submit`, { method: 'POST', headers: headers(s, { 'content-type': 'application/json' }), body: JSON.stringify({ submit_key: s.key }) });
    const body = await r.text();
    assert.equal(r.status, 200, body);
    assert.match(JSON.parse(body).tracking_code, /^SARI-/);
  }
  // Waits (polling the database, up to a deadline) until the background work is done.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const busy = await handle.db.selectFrom('outbox').select('id').where('status', 'in', ['pending', 'processing']).execute();
    const unrecorded = await handle.db.selectFrom('sandbox_transactions').select('authority').where('status', '=', 'paid').execute();
    const unsettled = await handle.db.selectFrom('payments').innerJoin('sandbox_transactions', 'sandbox_transactions.authority', 'payments.authority')
      .select('payments.id').where('payments.status', '=', 'pending').where('sandbox_transactions.status', 'in', ['paid', 'verified']).execute();
    const waiting = await handle.db.selectFrom('bills').innerJoin('applications', 'applications.id', 'bills.application_id')
      .select('bills.id').where('bills.status', '=', 'paid').where('applications.state', '=', 'payment').execute();
    const orphaned = (await orphanFiles()).length;
    if (!busy.length && !unrecorded.length && !unsettled.length && !waiting.length && !orphaned) break;
    assert.ok(Date.now() < deadline, `background work still not done: ${busy.length} outbox, ${unrecorded.length} bank-paid unverified, ${unsettled.length} unsettled, ${waiting.length} paid but not moved on, ${orphaned} files without a row`);
    await new Promise((r) => setTimeout(r, 100));
  }
  phase(t, 'background work done', t0);
  await killApp();
  phase(t, 'stopped', t0);
  const q = handle.db;

  // ---------- Applications ----------
  const apps = await q.selectFrom('applications').select(['id', 'phase', 'state', 'tracking_code', 'submitted_at']).execute();
  const events = await q.selectFrom('application_events').select(['application_id', 'type']).where('type', '=', 'submitted').execute();
  const audits = await q.selectFrom('audit_log').select(['action', 'entity_id', 'data']).execute();
  const outbox = await q.selectFrom('outbox').select(['id', 'topic', 'status', 'dedupe_key', 'payload']).execute();
  const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;
  for (const s of submitters) assert.equal(apps.find((a) => a.id === s.appId)?.phase === 'draft', false, 'every submission sent is submitted');
  const codes = new Set<string>();
  for (const a of apps) {
    if (a.phase === 'draft') {
      assert.equal(a.tracking_code, null);
      assert.equal(count(events, (e) => e.application_id === a.id), 0);
      assert.equal(count(audits, (x) => x.action === 'application.submitted' && x.entity_id === a.id), 0);
      continue;
    }
    assert.match(a.tracking_code ?? '', /^SARI-\d{4}-\d{6}$/);
    assert.ok(!codes.has(a.tracking_code!), `tracking code ${a.tracking_code} is unique`);
    codes.add(a.tracking_code!);
    assert.ok(a.submitted_at);
    assert.equal(count(events, (e) => e.application_id === a.id), 1, `one submission event for ${a.id}`);
    assert.equal(count(audits, (x) => x.action === 'application.submitted' && x.entity_id === a.id), 1, `one submission audit entry for ${a.id}`);
    assert.equal(count(outbox, (o) => o.dedupe_key === `application:${a.id}:submitted:sms`), 1, `one submission SMS for ${a.id}`);
  }

  phase(t, 'applications checked', t0);
  // ---------- Documents ----------
  const docs = await q.selectFrom('documents').select(['id', 'storage_key', 'size', 'sha256']).execute();
  const uploadAudits = new Set(audits.filter((x) => x.action === 'application.document_uploaded').map((x) => (JSON.parse(x.data) as { document: string }).document));
  for (const d of docs) {
    const path = join(dataDir, 'files', ...d.storage_key.split('/'));
    assert.ok(existsSync(path), `document ${d.id} has its file`);
    const bytes = readFileSync(path);
    assert.equal(bytes.length, Number(d.size));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), d.sha256);
    assert.ok(uploadAudits.has(d.id), `document ${d.id} has its audit entry`);
  }
  assert.equal(uploadAudits.size, docs.length, 'no audit entry of an upload without its row');
  const orphans = await orphanFiles();
  const parts = filesOnDisk().filter((f) => f.startsWith('tmp/'));
  // A file renamed into place whose row never committed (killed in between) is removed by the
  // restarted process's file sweep (the files are "ten minutes" old by its clock).
  assert.deepEqual(orphans, [], 'no stored file without its row');
  t.diagnostic(`temporary upload parts left (removed after an hour): ${parts.length}`);

  phase(t, 'documents checked', t0);
  // ---------- Payments ----------
  const bank = await q.selectFrom('sandbox_transactions').selectAll().execute();
  const payments = await q.selectFrom('payments').selectAll().execute();
  const links = await q.selectFrom('payment_bills').selectAll().execute();
  const bills = await q.selectFrom('bills').selectAll().execute();
  assert.equal(count(bank, (b) => b.status === 'paid'), 0, 'nothing the bank confirmed is left unrecorded');
  const verified = bank.filter((b) => b.status === 'verified');
  assert.equal(verified.length + count(bank, (b) => b.status === 'pending'), bank.length, 'every payment made at the bank was verified (the rest never reached a decision)');
  for (const b of verified) {
    const recorded = payments.filter((p) => p.authority === b.authority);
    assert.equal(recorded.length, 1, `bank transaction ${b.authority} recorded once`);
    const p = recorded[0]!;
    assert.equal(p.status, 'paid');
    assert.equal(p.ref_id, b.ref_id);
    assert.equal(count(audits, (x) => x.action === 'payment.paid' && x.entity_id === p.id), 1, 'one payment.paid audit entry');
    assert.equal(count(outbox, (o) => o.dedupe_key === `payment:${p.id}:receipt:sms`), 1, 'one receipt SMS');
    for (const l of links.filter((x) => x.payment_id === p.id)) {
      const bill = bills.find((x) => x.id === l.bill_id)!;
      assert.equal(bill.status, 'paid');
      assert.equal(bill.payment_id, p.id, 'the bill is paid by this payment');
      assert.notEqual(apps.find((a) => a.id === bill.application_id)?.state, 'payment', 'its application moved on');
    }
  }
  for (const p of payments.filter((x) => x.status === 'paid' || x.status === 'refund_due')) {
    assert.ok(verified.some((b) => b.authority === p.authority), `payment ${p.id} is paid only because the bank verified it`);
  }
  for (const b of bills.filter((x) => x.status === 'paid')) {
    assert.equal(count(payments, (p) => p.status === 'paid' && links.some((l) => l.payment_id === p.id && l.bill_id === b.id)), 1, `bill ${b.bill_code} paid once`);
  }
  // The payers who never came back were settled by the reconciler.
  const abandoned = payers.slice(N_PAY);
  for (const a of abandoned) {
    const bill = bills.find((b) => b.id === a.billId)!;
    if (bill.status !== 'paid') continue; // killed before this payer reached the bank
    const p = payments.find((x) => x.id === bill.payment_id)!;
    const paidAudit = audits.find((x) => x.action === 'payment.paid' && x.entity_id === p.id)!;
    assert.equal((JSON.parse(paidAudit.data) as { source: string }).source, 'reconcile');
  }

  // ---------- Outbox and SMS ----------
  assert.deepEqual(outbox.filter((o) => o.status !== 'done').map((o) => `${o.topic} ${o.status}`), [], 'every message delivered');
  const sentSms = outbox.filter((o) => o.topic === 'sms.send');
  const deliveries = new Map<string, number>();
  for (const d of sms.delivered) if (d.params.localid) deliveries.set(d.params.localid, (deliveries.get(d.params.localid) ?? 0) + 1);
  for (const o of sentSms) assert.equal(deliveries.get(o.id), 1, `SMS ${o.dedupe_key ?? o.id} reached the provider exactly once`);
  const recorded = await q.selectFrom('messages').select('outbox_id').execute();
  assert.equal(new Set(recorded.map((r) => r.outbox_id)).size, recorded.length, 'one message record per outbox row');

  phase(t, 'all checked', t0);
  const resent = sms.calls.filter((c) => c.params.localid).length - sms.delivered.filter((c) => c.params.localid).length;
  t.diagnostic(`${answered} requests answered before the kill, ${failed} cut; ${codes.size} submitted, ${docs.length} documents, ${verified.length} payments verified of ${payments.length} started; ${resent} SMS sent again after the crash and recognized by the provider's localid`);
});
