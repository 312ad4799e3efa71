/**
 * Removes what a crash leaves in the local file store. A stored file is renamed into place just
 * before the transaction that writes its row commits; a process killed between the two leaves
 * a file no row names, and one killed while a file streams in leaves its temporary part. Files
 * older than a grace period (far longer than any rename-to-commit window) that no row references
 * (documents, news images and their thumbnails, report photos) are removed, as are temporary
 * parts older than a longer grace (a slow upload keeps its part's time fresh while it writes).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DB } from '../db/index.js';
import { PeriodicJob } from '../core/periodic.js';
import type { Clock } from '../core/index.js';

export const SWEEP_POLICY = { graceMs: 5 * 60_000, partGraceMs: 60 * 60_000, intervalMs: 60 * 60_000, batch: 500 };

const FAN = /^[0-9a-f]{2}$/;
const NAME = /^[0-9a-f]{64}(\.thumb)?$/;

/** The keys of these that some row references (a thumbnail is referenced through its image). */
async function referenced(db: DB, keys: string[]): Promise<Set<string>> {
  const base = [...new Set(keys.map((k) => k.replace(/\.thumb$/, '')))];
  const found = new Set<string>();
  for (let i = 0; i < base.length; i += SWEEP_POLICY.batch) {
    const part = base.slice(i, i + SWEEP_POLICY.batch);
    const [docs, images, photos] = await Promise.all([
      db.selectFrom('documents').select('storage_key as k').where('storage_key', 'in', part).execute(),
      db.selectFrom('news_images').select('storage_key as k').where('storage_key', 'in', part).execute(),
      db.selectFrom('report_photos').select('file_key as k').where('file_key', 'in', part).execute(),
    ]);
    for (const r of [...docs, ...images, ...photos]) found.add(r.k);
  }
  return new Set(keys.filter((k) => found.has(k.replace(/\.thumb$/, ''))));
}

/** One pass over the store's directory; answers what it removed. */
export async function sweepFiles(db: DB, root: string, now: number): Promise<{ orphans: number; parts: number }> {
  const out = { orphans: 0, parts: 0 };
  const list = async (dir: string) => readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  const mtime = async (path: string) => stat(path).then((s) => s.mtimeMs, () => null);
  for (const name of await list(join(root, 'tmp'))) {
    const path = join(root, 'tmp', name);
    const at = await mtime(path);
    if (name.endsWith('.part') && at !== null && at < now - SWEEP_POLICY.partGraceMs) {
      await rm(path, { force: true });
      out.parts += 1;
    }
  }
  for (const fan of (await list(root)).filter((d) => FAN.test(d))) {
    const old: string[] = [];
    for (const name of (await list(join(root, fan))).filter((n) => NAME.test(n))) {
      const at = await mtime(join(root, fan, name));
      if (at !== null && at < now - SWEEP_POLICY.graceMs) old.push(`${fan}/${name}`);
    }
    if (!old.length) continue;
    const keep = await referenced(db, old);
    for (const key of old) {
      if (keep.has(key)) continue;
      // The same bytes uploaded again meanwhile are renamed onto this name as a fresh file whose
      // row may not have committed yet: look at its time once more right before removing it.
      const at = await mtime(join(root, ...key.split('/')));
      if (at === null || at >= now - SWEEP_POLICY.graceMs) continue;
      await rm(join(root, ...key.split('/')), { force: true });
      out.orphans += 1;
    }
  }
  return out;
}

/** Runs sweepFiles every interval in the background (the first pass right away); main starts it with the other jobs. */
export class FileSweeper {
  private readonly job: PeriodicJob;
  constructor(opts: { db: DB; root: string; clock: Clock; onSwept?: (r: { orphans: number; parts: number }) => void }) {
    this.job = new PeriodicJob(async () => {
      const r = await sweepFiles(opts.db, opts.root, opts.clock.now());
      if (r.orphans || r.parts) opts.onSwept?.(r);
    }, SWEEP_POLICY.intervalMs);
  }

  start(onError?: (err: unknown) => void): void {
    this.job.start(onError);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }
}
