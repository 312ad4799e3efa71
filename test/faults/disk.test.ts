// Faults of the file store. The disk that holds uploads fills up: a real small tmpfs (2 MB) is
// mounted as DATA_DIR (this runs as root); where mounting is not permitted the uploads are written
// through a store whose writes go to /dev/full, which fails them with a real ENOSPC from the
// kernel. With the disk full, a citizen's document upload and a PR editor's news image get a
// clear localized 507 naming the field, nothing is half-written (no row, no file, no temporary
// file), the draft and its answers are kept; once space returns the same uploads work. And what
// a crash leaves there: a process killed between a stored file's rename into place and its row's
// commit leaves a file no row names; one killed while a file streams in leaves a temporary part.
// The file sweep (started with the other background jobs) removes those once they are older than
// their grace period, and never a file a row references, nor a recent one whose row may still be
// committing, nor a part still being written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, appendFileSync, existsSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type FormPart, type TestApp } from '../helpers.js';
import type { FileStore } from '../../src/platform/files/index.js';
import { adoptDefinition, buildingPermitAnswers, makeCitizen, samplePdf, shippedDefinition } from '../../src/modules/applications/test-factories.js';
import { SWEEP_POLICY, sweepFiles } from '../../src/platform/files/sweep.js';

let t: TestApp;
let dir: string;
let mounted = false;
let filesDir: string;
const tokens: Record<string, string> = {};

/** Fills the disk: appends to a filler file until the kernel answers ENOSPC (tmpfs), or flips the /dev/full switch. */
let devFull = false;
function fillDisk(): void {
  if (!mounted) { devFull = true; return; }
  const chunk = Buffer.alloc(64 * 1024, 1);
  const filler = join(dir, 'filler');
  for (;;) {
    try {
      appendFileSync(filler, chunk);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
      break;
    }
  }
  // The last partial chunk may have fit: take small ones until nothing fits at all.
  for (;;) {
    try { appendFileSync(filler, Buffer.alloc(512, 1)); } catch { break; }
  }
}
function freeDisk(): void {
  devFull = false;
  rmSync(join(dir, 'filler'), { force: true });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pishkhan-disk-'));
  try {
    execFileSync(process.env.PK_NO_MOUNT ? 'false' : 'mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
  t = await makeTestApp({ DATA_DIR: dir });
  filesDir = join(dir, 'files');
  if (!mounted) {
    // No tmpfs here: the same store, except that while the disk is "full" its writes go to /dev/full.
    const { writeFile } = await import('node:fs/promises');
    const { createLocalFileStore, StorageFull } = await import('../../src/platform/files/index.js');
    const full = createLocalFileStore(filesDir);
    Object.assign(t.deps.files, {
      async put(content: Parameters<FileStore['put']>[0], opts: Parameters<FileStore['put']>[1]) {
        if (!devFull) return full.put(content, opts);
        const chunks: Buffer[] = [];
        if (Buffer.isBuffer(content)) chunks.push(content);
        else for await (const c of content) chunks.push(c as Buffer);
        // The kernel's ENOSPC, turned into what the local store turns it into.
        const err = await writeFile('/dev/full', Buffer.concat(chunks)).then(() => new Error('/dev/full accepted a write'), (e: NodeJS.ErrnoException) => e);
        throw (err as NodeJS.ErrnoException).code === 'ENOSPC' ? new StorageFull('ENOSPC') : err;
      },
    });
  }
  const sari = await makeOrg(t, 'sari');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: shippedDefinition('building-permit') });
  tokens.owner = await signInCitizen(t, '09121239001');
  const { password } = await makeStaff(t, 'sari.pr', [{ orgId: sari, role: 'pr_editor' }]);
  tokens.pr = await signInStaff(t, 'sari.pr', password);
});

after(async () => {
  await t?.close();
  if (mounted) execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

const bearer = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

function multipart(parts: FormPart[]) {
  const boundary = `----pishkhan${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('filename' in p) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`), p.content, Buffer.from('\r\n'));
    else chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Every stored file (and temporary part) under DATA_DIR/files. */
function storedFiles(): string[] {
  if (!existsSync(filesDir)) return [];
  return readdirSync(filesDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('a document upload on a full disk: a clear localized 507 naming the document, nothing half-written, the draft kept; it works once space returns', async () => {
  const draft = await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: bearer('owner'), payload: { org: 'sari', service: 'building-permit' } });
  assert.equal(draft.statusCode, 201, draft.body);
  const id = draft.json().id as string;
  const answers = buildingPermitAnswers();
  assert.equal((await t.app.inject({ method: 'PATCH', url: `/api/v1/applications/${id}`, headers: bearer('owner'), payload: { values: answers } })).statusCode, 200);
  const before = (await t.app.inject({ method: 'GET', url: `/api/v1/applications/${id}`, headers: bearer('owner') })).json();
  // A PDF of some size, so that a full disk cannot take it even in its last blocks.
  const pdf = Buffer.concat([samplePdf(), Buffer.alloc(200 * 1024, 0x20)]);
  const filesBefore = storedFiles();

  fillDisk();
  // The citizen's page: 507, the message in Persian next to the document, and at the top.
  const b = new FormBrowser(t, tokens.owner);
  const csrf = await b.csrf(`/applications/${id}/documents`);
  const page = await b.multipart(`/applications/${id}/documents`, [{ name: '_csrf', value: csrf }, { name: 'doc_key', value: 'deed' }, { name: 'file', filename: 'سند.pdf', content: pdf }]);
  assert.equal(page.statusCode, 507, page.body.slice(0, 300));
  assert.match(page.body, /<section class="pk-card p-3 mb-3 border-danger" aria-labelledby="doc-deed-title">/, 'the deed\'s section is marked');
  assert.match(page.body, /فایل «سند مالکیت» ذخیره نشد/, 'the message names the document');
  assert.match(page.body, /پیش‌نویس و پاسخ‌های شما محفوظ است/, 'and says the draft is kept');
  assert.doesNotMatch(page.body, /کد پیگیری:/, 'not the generic server error');

  // The API, in English: 507 with the field's message.
  const m = multipart([{ name: 'doc_key', value: 'national_card' }, { name: 'file', filename: 'card.pdf', content: pdf }]);
  const apiRes = await t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/documents`, headers: { ...bearer('owner'), ...m.headers, 'accept-language': 'en' }, payload: m.payload });
  assert.equal(apiRes.statusCode, 507, apiRes.body);
  const body = apiRes.json();
  assert.match(body.error.fields.national_card, /^The file for "Owner's national card" could not be stored: the server's storage is full\./);

  // Nothing half-written: no document row, no audit entry, no stored or temporary file.
  assert.equal((await t.deps.db.selectFrom('documents').select('id').where('application_id', '=', id).execute()).length, 0);
  assert.equal((await t.deps.db.selectFrom('audit_log').select('seq').where('action', '=', 'application.document_uploaded').execute()).length, 0);
  assert.deepEqual(storedFiles(), filesBefore);
  // The draft and its answers are as they were.
  const kept = (await t.app.inject({ method: 'GET', url: `/api/v1/applications/${id}`, headers: bearer('owner') })).json();
  assert.equal(kept.phase, 'draft');
  assert.deepEqual(kept.values, before.values);

  // Space returns: the same uploads work, each stored once with its bytes.
  freeDisk();
  const again = await b.multipart(`/applications/${id}/documents`, [{ name: '_csrf', value: await b.csrf(`/applications/${id}/documents`) }, { name: 'doc_key', value: 'deed' }, { name: 'file', filename: 'سند.pdf', content: pdf }]);
  assert.equal(again.statusCode, 303, again.body.slice(0, 300));
  const m2 = multipart([{ name: 'doc_key', value: 'national_card' }, { name: 'file', filename: 'card.pdf', content: pdf }]);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/documents`, headers: { ...bearer('owner'), ...m2.headers }, payload: m2.payload })).statusCode, 201);
  const docs = await t.deps.db.selectFrom('documents').select(['doc_key', 'size', 'storage_key']).where('application_id', '=', id).orderBy('doc_key').execute();
  assert.deepEqual(docs.map((d) => [d.doc_key, Number(d.size)]), [['deed', pdf.length], ['national_card', pdf.length]]);
  assert.equal(storedFiles().filter((f) => !f.includes(`${join('files', 'tmp')}`)).length, filesBefore.length + 2);
});

test('a news image on a full disk: a clear localized 507 on the image field, no image row or file; it works once space returns', async () => {
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/orgs/sari/news', headers: bearer('pr'), payload: { title: 'خبر با تصویر', lead: 'خلاصه', body: 'متن', body_format: 'markdown', tags: 'ساری', lang: 'fa' } });
  assert.equal(created.statusCode, 201, created.body);
  const code = created.json().code as number;
  // Noise does not compress: the resized image is too big for the last free blocks.
  const raw = randomBytes(1200 * 900 * 3);
  const image = await sharp(raw, { raw: { width: 1200, height: 900, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
  const filesBefore = storedFiles();

  fillDisk();
  const m = multipart([{ name: 'caption', value: 'عکس' }, { name: 'image', filename: 'a.jpg', content: image }]);
  const r = await t.app.inject({ method: 'POST', url: `/api/v1/orgs/sari/news/${code}/images`, headers: { ...bearer('pr'), ...m.headers }, payload: m.payload });
  assert.equal(r.statusCode, 507, r.body);
  assert.equal(r.json().error.code, 'news.storage_full');
  assert.match(r.json().error.fields.image, /^تصویر ذخیره نشد: فضای ذخیره‌سازی سرور پر است/);
  assert.equal((await t.deps.db.selectFrom('news_images').select('id').execute()).length, 0);
  assert.deepEqual(storedFiles(), filesBefore);

  freeDisk();
  const m2 = multipart([{ name: 'caption', value: 'عکس' }, { name: 'image', filename: 'a.jpg', content: image }]);
  const ok = await t.app.inject({ method: 'POST', url: `/api/v1/orgs/sari/news/${code}/images`, headers: { ...bearer('pr'), ...m2.headers }, payload: m2.payload });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal((await t.deps.db.selectFrom('news_images').select('id').execute()).length, 1);
});

test('the file sweep removes old files no row names and old upload parts, and nothing else', async () => {
  const root = filesDir;
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
