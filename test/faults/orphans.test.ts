// Faults: what a crash leaves in the file store. A process killed between a stored file's rename
// into place and its row's commit leaves a file no row names; one killed while a file streams in
// leaves a temporary part. The file sweep (started with the other background jobs) removes those
// once they are older than their grace period, and never a file a row references, nor a recent
// one whose row may still be committing, nor a part still being written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeOrg, makeTestApp, type TestApp } from '../helpers.js';
import { adoptDefinition, makeCitizen, samplePdf, shippedDefinition } from '../../src/modules/applications/test-factories.js';
import { SWEEP_POLICY, sweepFiles } from '../../src/platform/files/sweep.js';

let t: TestApp;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pishkhan-sweep-'));
  t = await makeTestApp({ DATA_DIR: dir });
});
after(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the file sweep removes old files no row names and old upload parts, and nothing else', async () => {
  const root = join(dir, 'files');
  const sari = await makeOrg(t, 'sari');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: shippedDefinition('building-permit'), now: t.clock.now() });
  const citizen = { kind: 'citizen' as const, id: await makeCitizen(t.deps.db, '09121270001') };
  const draft = await t.deps.services.applications.startDraft(citizen, 'sari', 'building-permit', 'web');
  const doc = await t.deps.services.applications.uploadDocument(citizen, draft.id, 'deed', { filename: 'deed.pdf', content: samplePdf() });
  const kept = (await t.deps.db.selectFrom('documents').select('storage_key').where('id', '=', doc.id).executeTakeFirstOrThrow()).storage_key;
  // Files stored whose rows never committed (the process died in between), and one just stored.
  const orphan = (await t.deps.files.put(samplePdf(), { maxBytes: 1e6 })).key;
  const orphanThumb = (await t.deps.files.put(samplePdf(), { maxBytes: 1e6, key: `${orphan}.thumb` })).key;
  const recent = (await t.deps.files.put(samplePdf(), { maxBytes: 1e6 })).key;
  // Temporary parts: one abandoned long ago, one still being written.
  mkdirSync(join(root, 'tmp'), { recursive: true });
  writeFileSync(join(root, 'tmp', `${'a'.repeat(64)}.part`), 'half');
  writeFileSync(join(root, 'tmp', `${'b'.repeat(64)}.part`), 'streaming');
  const now = Date.now();
  const age = (path: string, ms: number) => utimesSync(path, new Date(now - ms), new Date(now - ms));
  const path = (key: string) => join(root, ...key.split('/'));
  for (const k of [kept, orphan, orphanThumb]) age(path(k), SWEEP_POLICY.graceMs + 60_000);
  age(join(root, 'tmp', `${'a'.repeat(64)}.part`), SWEEP_POLICY.partGraceMs + 60_000);
  age(join(root, 'tmp', `${'b'.repeat(64)}.part`), SWEEP_POLICY.graceMs + 60_000);

  assert.deepEqual(await sweepFiles(t.deps.db, root, now), { orphans: 2, parts: 1 });
  assert.equal(existsSync(path(kept)), true, 'a document\'s file stays');
  assert.equal(existsSync(path(recent)), true, 'a file whose row may still be committing stays');
  assert.equal(existsSync(path(orphan)), false);
  assert.equal(existsSync(path(orphanThumb)), false);
  assert.equal(existsSync(join(root, 'tmp', `${'a'.repeat(64)}.part`)), false);
  assert.equal(existsSync(join(root, 'tmp', `${'b'.repeat(64)}.part`)), true, 'an upload still being written stays');
  // The document still opens with its bytes; a second pass finds nothing.
  const chunks: Buffer[] = [];
  for await (const c of await t.deps.files.open(kept)) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), samplePdf());
  assert.deepEqual(await sweepFiles(t.deps.db, root, now), { orphans: 0, parts: 0 });
});
