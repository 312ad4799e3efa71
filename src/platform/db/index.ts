import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';

export type Dialect = 'sqlite' | 'postgres';
export type DB = Kysely<Database>;
export type Tx = Transaction<Database> | Kysely<Database>;
export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; max?: number };

export interface DbHandle {
  db: DB;
  dialect: Dialect;
  /** The PostgreSQL pool (absent on SQLite). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

// node-postgres returns int8 and numeric as strings; our bigints are epoch ms and Rials,
// well inside Number.MAX_SAFE_INTEGER, so parse them once here.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format);
  },
};

/** Opens the configured database (SQLite in WAL mode, or a PostgreSQL pool). */
export function openDatabase(cfg: DatabaseConfig): DbHandle {
  if (cfg.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: cfg.url, max: cfg.max ?? 10, types: pgTypes as pg.CustomTypesConfig, connectionTimeoutMillis: 5000 });
    // A client losing its connection (server restart, network cut) must not crash the process:
    // an idle one is reported on the pool; one checked out (a query in flight) emits 'error' on
    // itself, where nobody listens while it is in use, which would throw. Its query fails with
    // the error anyway (answered 503), and the pool drops the broken client when it is released.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => { client.on('error', () => undefined); });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', pool, close: () => db.destroy() };
  }
  if (cfg.file !== ':memory:') mkdirSync(dirname(cfg.file), { recursive: true });
  const sqlite = new SQLite(cfg.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Brings the schema to the newest migration; throws with the failing migration's name. */
export async function migrateToLatest(db: DB): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? error}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Work registered by onBeforeCommit, per open transaction of inTransaction. */
const beforeCommit = new WeakMap<object, Array<() => Promise<void>>>();

/**
 * Runs fn in one transaction: everything it writes commits together or not at all. Work
 * registered with onBeforeCommit runs after fn, inside the same transaction, just before it commits.
 */
export function inTransaction<T>(db: DB, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    const hooks: Array<() => Promise<void>> = [];
    beforeCommit.set(tx, hooks);
    try {
      const result = await fn(tx);
      for (const hook of hooks) await hook();
      return result;
    } finally {
      beforeCommit.delete(tx);
    }
  });
}

/**
 * Has work done at the end of a transaction opened by inTransaction, just before it commits
 * (the audit chain is appended there, so its lock is held briefly). Returns false, doing
 * nothing, when tx is not such a transaction: the caller then does the work at once.
 */
export function onBeforeCommit(tx: Tx, hook: () => Promise<void>): boolean {
  const hooks = beforeCommit.get(tx);
  if (!hooks) return false;
  hooks.push(hook);
  return true;
}

export type { Database };

/** A read replica with its fallback: the state /readyz reports. */
export interface ReadReplica {
  db: DB;
  /** Asks the replica itself (not the fallback) whether it answers; a refusal also starts the fallback. */
  probe(): Promise<'up' | 'down'>;
  close(): Promise<void>;
}

/**
 * A Kysely instance for lag-tolerant public reads on a PostgreSQL replica. A connection the
 * replica refuses (or does not give within 2 s) is taken from the primary's pool instead, and the
 * replica is tried again 10 s later; a query must never be a write (a hot standby refuses them).
 */
export function openReadReplica(url: string, primary: pg.Pool, opts: { retryMs?: number } = {}): ReadReplica {
  const replica = new pg.Pool({ connectionString: url, max: 10, types: pgTypes as pg.CustomTypesConfig, connectionTimeoutMillis: 2000 });
  replica.on('error', () => undefined);
  replica.on('connect', (client) => { client.on('error', () => undefined); });
  let downUntil = 0;
  const retryMs = opts.retryMs ?? 10_000;
  const pool = {
    async connect() {
      if (Date.now() >= downUntil) {
        try {
          return await replica.connect();
        } catch {
          downUntil = Date.now() + retryMs;
        }
      }
      return primary.connect();
    },
    end: () => replica.end(),
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const probe = async (): Promise<'up' | 'down'> => {
    try {
      await replica.query('select 1');
      downUntil = 0;
      return 'up';
    } catch {
      downUntil = Date.now() + retryMs;
      return 'down';
    }
  };
  return { db, probe, close: () => db.destroy() };
}
