/**
 * Online backup and restore of a whole instance: the database and the stored files
 * (DATA_DIR/files: application documents, report photos, news images).
 *
 * A backup is a directory: manifest.json, database.sqlite (SQLite online backup API: a
 * consistent copy while the server writes) or database.pgdump (pg_dump -Fc: one consistent
 * snapshot), and files/ (a copy of DATA_DIR/files taken after the database snapshot, so every
 * file a backed-up row names is there; files uploaded meanwhile are harmless extras).
 * Restore refuses a target database or files directory that already holds data unless forced,
 * then brings the schema to the newest migration.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { migrateToLatest, openDatabase, type DatabaseConfig } from './index.js';

export interface BackupManifest {
  format: 'pishkhan-backup';
  version: 1;
  engine: 'sqlite' | 'postgres';
  created_at: string;
  database_file: string;
  files: number;
}

export interface InstanceTarget {
  database: DatabaseConfig;
  dataDir: string;
}

export class BackupError extends Error {}

const isEmptyDir = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  return n;
}

/** Runs a PostgreSQL client program; a missing program is a clear error. */
function run(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT'
      ? new BackupError(`${program} was not found: install the PostgreSQL client programs of the server's major version (Debian: postgresql-client-15) or put them on PATH`)
      : err));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BackupError(`${program} failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`))));
  });
}

/** Takes a consistent online backup of the instance into a new directory `out`. */
export async function backupInstance(source: InstanceTarget, out: string): Promise<BackupManifest> {
  if (!isEmptyDir(out)) throw new BackupError(`${out} already exists and is not empty; choose a new directory`);
  await mkdir(out, { recursive: true });
  let databaseFile: string;
  if (source.database.kind === 'sqlite') {
    if (!existsSync(source.database.file)) throw new BackupError(`no database at ${source.database.file}`);
    databaseFile = 'database.sqlite';
    const db = new SQLite(source.database.file, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      // Copy everything in one step: the copy is then one consistent snapshot even while others write.
      await db.backup(join(out, databaseFile), { progress: () => 1_000_000_000 });
    } finally {
      db.close();
    }
  } else {
    databaseFile = 'database.pgdump';
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${join(out, databaseFile)}`, `--dbname=${source.database.url}`]);
  }
  const filesDir = join(source.dataDir, 'files');
  if (existsSync(filesDir)) await cp(filesDir, join(out, 'files'), { recursive: true });
  else await mkdir(join(out, 'files'));
  const manifest: BackupManifest = {
    format: 'pishkhan-backup', version: 1, engine: source.database.kind, created_at: new Date().toISOString(),
    database_file: databaseFile, files: countFiles(join(out, 'files')),
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function pgHasTables(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
    return (r.rows[0] as { n: number }).n > 0;
  } finally {
    await c.end();
  }
}

function sqliteHasTables(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new SQLite(file, { readonly: true });
  try {
    return (db.prepare(`select count(*) as n from sqlite_master where type = 'table'`).get() as { n: number }).n > 0;
  } finally {
    db.close();
  }
}

/** Restores a backup directory into the target instance, then migrates it; returns what was restored. */
export async function restoreInstance(backupDir: string, target: InstanceTarget, opts: { force?: boolean } = {}): Promise<{ manifest: BackupManifest; migrations: string[] }> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(backupDir, 'manifest.json'), 'utf8')) as BackupManifest;
  } catch {
    throw new BackupError(`${backupDir} is not a Pishkhan backup (no readable manifest.json)`);
  }
  if (manifest.format !== 'pishkhan-backup') throw new BackupError(`${backupDir} is not a Pishkhan backup`);
  if (manifest.engine !== target.database.kind) {
    throw new BackupError(`this backup is of a ${manifest.engine} database; the target is ${target.database.kind} (set DATABASE_URL to a ${manifest.engine} database)`);
  }
  // Check everything before changing anything.
  const filesDir = join(target.dataDir, 'files');
  if (!opts.force) {
    const full = target.database.kind === 'sqlite' ? sqliteHasTables(target.database.file) : await pgHasTables(target.database.url);
    if (full) throw new BackupError('the target database already holds tables; restore into a fresh database, or pass --force to replace it');
    if (!isEmptyDir(filesDir)) throw new BackupError(`${filesDir} is not empty; restore into a fresh DATA_DIR, or pass --force to replace its files`);
  }
  const dump = join(backupDir, manifest.database_file);
  if (target.database.kind === 'sqlite') {
    const file = target.database.file;
    await mkdir(join(file, '..'), { recursive: true });
    await copyFile(dump, `${file}.restoring`);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) await rm(f, { force: true });
    await rename(`${file}.restoring`, file);
  } else {
    await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', ...(opts.force ? ['--clean', '--if-exists'] : []), `--dbname=${target.database.url}`, dump]);
  }
  if (opts.force) await rm(filesDir, { recursive: true, force: true });
  await mkdir(target.dataDir, { recursive: true });
  await cp(join(backupDir, 'files'), filesDir, { recursive: true });
  const handle = openDatabase(target.database);
  try {
    return { manifest, migrations: await migrateToLatest(handle.db) };
  } finally {
    await handle.close();
  }
}
