// Backup and restore through the CLI, on either engine: a backup taken while submissions are being
// written (the CLI in another process), restored into a fresh database and data directory, then an
// app started on it: each application whole (events, documents and their files, equal bytes), the
// audit chain intact, the citizen signs in and sees their applications, and new submissions get
// tracking codes of their own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeOrg, testDb, type TestApp, type TestDatabase } from '../helpers.js';
import { adoptDefinition, shippedDefinition } from '../../src/modules/applications/test-factories.js';
import { verifyAudit } from '../../src/platform/audit/index.js';
import { restoreInstance } from '../../src/platform/db/backup.js';
import { appOn, citizenToken, permitDraft, submit, PERMIT_DOCS } from './backup-support.js';

const dbs: TestDatabase[] = [];
const dirs: string[] = [];
const apps: TestApp[] = [];
const tmp = (p: string) => { const d = mkdtempSync(join(tmpdir(), p)); dirs.push(d); return d; };
const urlOf = (d: TestDatabase) => (d.config.kind === 'postgres' ? d.config.url : `sqlite:${d.config.file}`);

after(async () => {
  for (const a of apps) await a.close();
  for (const d of dbs) await d.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the operator CLI in its own process; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
  });
}

let source: { db: TestDatabase; dataDir: string; t: TestApp; token: string };

before(async () => {
  const db = await testDb();
  dbs.push(db);
  const dataDir = tmp('pishkhan-backup-src-');
  const t = await appOn({ DATABASE_URL: urlOf(db), DATA_DIR: dataDir });
  apps.push(t);
  const sari = await makeOrg(t, 'sari');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: shippedDefinition('building-permit') });
  source = { db, dataDir, t, token: await citizenToken(t, '09121238001') };
});

test('a backup taken during submissions restores into a fresh instance, whole and working', async () => {
  const { t, token, dataDir, db } = source;
  for (let i = 0; i < 3; i++) assert.equal((await submit(t, token, await permitDraft(t, token))).statusCode, 200);

  // Submissions keep being written while the backup runs in another process.
  const backupDir = join(tmp('pishkhan-backup-out-'), 'backup');
  let backupDone = false;
  const backup = cli(['backup', backupDir], { DATABASE_URL: urlOf(db), DATA_DIR: dataDir }).finally(() => { backupDone = true; });
  let during = 0;
  const writer = (async () => {
    do {
      const id = await permitDraft(t, token);
      assert.equal((await submit(t, token, id)).statusCode, 200);
      during++;
    } while (!backupDone);
  })();
  const b = await backup;
  await writer;
  assert.equal(b.code, 0, b.out);
  assert.ok(during >= 1);
  assert.ok(existsSync(join(backupDir, 'manifest.json')));

  // A non-empty target is refused.
  await assert.rejects(restoreInstance(backupDir, { database: db.config, dataDir }), /already holds tables/);

  const fresh = await testDb();
  dbs.push(fresh);
  const freshDir = tmp('pishkhan-backup-dst-');
  const r = await cli(['restore', backupDir, '--database', urlOf(fresh), '--data-dir', freshDir], {});
  assert.equal(r.code, 0, r.out);

  const t2 = await appOn({ DATABASE_URL: urlOf(fresh), DATA_DIR: freshDir });
  apps.push(t2);
  const restored = await t2.deps.db.selectFrom('applications').select(['id', 'tracking_code']).where('tracking_code', 'is not', null).execute();
  const sourceCount = (await t.deps.db.selectFrom('applications').select('id').where('tracking_code', 'is not', null).execute()).length;
  assert.ok(restored.length >= 3 && restored.length <= sourceCount, `${restored.length} of ${sourceCount}`);
  // Each application whole: its submission event, its documents, each document's file with the same bytes.
  for (const a of restored) {
    const events = await t2.deps.db.selectFrom('application_events').select('id').where('application_id', '=', a.id).where('type', '=', 'submitted').execute();
    assert.equal(events.length, 1, `submitted event of ${a.tracking_code}`);
    const docs = await t2.deps.db.selectFrom('documents').select(['storage_key', 'sha256', 'size']).where('application_id', '=', a.id).execute();
    assert.equal(docs.length, PERMIT_DOCS.length);
    for (const d of docs) {
      const bytes = readFileSync(join(freshDir, 'files', d.storage_key));
      assert.equal(bytes.length, d.size);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), d.sha256);
    }
  }
  assert.ok((await verifyAudit(t2.deps.db)).ok);

  // The citizen signs in on the restored instance and sees their applications.
  const token2 = await citizenToken(t2, '09121238001');
  const mine = await t2.app.inject({ method: 'GET', url: '/api/v1/my/applications', headers: { authorization: `Bearer ${token2}` } });
  assert.equal(mine.statusCode, 200, mine.body);
  const listed = JSON.stringify(mine.json());
  for (const a of restored) assert.ok(listed.includes(a.tracking_code!), a.tracking_code!);

  // New submissions on the restored instance get tracking codes of their own.
  const codes = new Set(restored.map((a) => a.tracking_code));
  for (let i = 0; i < 2; i++) {
    const sent = await submit(t2, token2, await permitDraft(t2, token2));
    assert.equal(sent.statusCode, 200, sent.body);
    assert.ok(!codes.has(sent.json().tracking_code), sent.json().tracking_code);
    codes.add(sent.json().tracking_code);
  }
});
