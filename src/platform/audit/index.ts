import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { onBeforeCommit, type DB, type Tx } from '../db/index.js';
import { isPostgres } from '../db/dialect.js';
import type { Actor } from '../core/index.js';
import type { AuditLogTable } from '../db/schema.js';

export interface AuditEntry {
  orgId?: string | null;
  action: string; // e.g. 'citizen.signed_in'
  entity: string; // e.g. 'citizen'
  entityId?: string | null;
  data?: Record<string, unknown>;
}

const GENESIS = '0'.repeat(64);
// Any constant works; it only has to be the same in every process that appends.
const AUDIT_LOCK_KEY = 7_461_001;

function hashOf(row: Omit<AuditLogTable, 'hash'>): string {
  const canonical = JSON.stringify([
    row.seq, row.org_id, row.actor_kind, row.actor_id, row.action, row.entity, row.entity_id, row.data, row.ip, row.created_at, row.prev_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends one entry to the hash chain inside the caller's transaction, so the entry exists
 * exactly when the change it records commits. In a transaction opened by inTransaction the
 * entries are held and chained just before it commits: on PostgreSQL the chain is serialized by
 * a transaction-scoped advisory lock, taken last so that it is held for the few statements of
 * the append and the commit rather than for the rest of the caller's work (a lock taken in the
 * middle was what kept more app processes from writing faster). SQLite serializes writers itself.
 */
export async function appendAudit(tx: Tx, actor: Actor, entry: AuditEntry, now = Date.now()): Promise<void> {
  // Outside a transaction the lock would end with its own statement (and the read and the
  // insert could run on different pooled connections): give the entry a transaction of its own.
  if (!tx.isTransaction) return tx.transaction().execute((own) => writeAudit(own, [{ actor, entry, now }]));
  let held = pendingAudit.get(tx);
  if (!held) {
    held = [];
    if (onBeforeCommit(tx, () => writeAudit(tx, pendingAudit.get(tx) ?? []))) pendingAudit.set(tx, held);
    else return writeAudit(tx, [{ actor, entry, now }]);
  }
  held.push({ actor, entry, now });
}

interface HeldEntry { actor: Actor; entry: AuditEntry; now: number }
/** Entries appended in a transaction that has not committed yet, in the order they were made. */
const pendingAudit = new WeakMap<Tx, HeldEntry[]>();

async function writeAudit(tx: Tx, entries: HeldEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
  const last = await tx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  let seq = last ? Number(last.seq) : 0;
  let prev = last?.hash ?? GENESIS;
  const rows: AuditLogTable[] = [];
  for (const { actor, entry, now } of entries) {
    const row: Omit<AuditLogTable, 'hash'> = {
      seq: ++seq,
      org_id: entry.orgId ?? null,
      actor_kind: actor.kind === 'anonymous' ? 'system' : actor.kind === 'api_client' ? 'api' : actor.kind,
      actor_id: actor.id,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId ?? null,
      data: JSON.stringify(entry.data ?? {}),
      ip: actor.ip ?? null,
      created_at: now,
      prev_hash: prev,
    };
    prev = hashOf(row);
    rows.push({ ...row, hash: prev });
  }
  // In slices, well below the bound parameters either engine takes in one statement.
  for (let i = 0; i < rows.length; i += 500) await tx.insertInto('audit_log').values(rows.slice(i, i + 500)).execute();
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** The first sequence number where the chain breaks, and why. */
  problem?: { seq: number; reason: 'edited' | 'missing_before' | 'reordered' };
}

/** Recomputes the whole chain; reports the first edited, deleted or reordered entry. */
export async function verifyAudit(db: DB, batch = 5000): Promise<AuditVerification> {
  let prevHash = GENESIS;
  let expectedSeq = 1;
  let checked = 0;
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(batch).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expectedSeq) return { ok: false, checked, problem: { seq, reason: 'missing_before' } };
      if (r.prev_hash !== prevHash) return { ok: false, checked, problem: { seq, reason: 'reordered' } };
      const { hash, ...rest } = r;
      if (hashOf({ ...rest, seq }) !== hash) return { ok: false, checked, problem: { seq, reason: 'edited' } };
      prevHash = hash;
      expectedSeq = seq + 1;
      checked += 1;
      after = seq;
    }
  }
  return { ok: true, checked };
}
