import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { DB, Tx } from '../db/index.js';
import { isPostgres } from '../db/dialect.js';
import { newId, type Clock, systemClock } from '../core/index.js';
import type { OutboxTable } from '../db/schema.js';

export interface OutboxMessage {
  topic: string;
  payload: Record<string, unknown>;
  orgId?: string | null;
  /** A second enqueue with the same key is ignored (e.g. one escalation per deadline). */
  dedupeKey?: string;
  availableAt?: number;
}

/**
 * Writes a side effect to the outbox inside the caller's transaction; returns its id (with a
 * dedupeKey already used, the id of the message enqueued first, and nothing new is written).
 */
export async function enqueue(tx: Tx, msg: OutboxMessage, now = Date.now()): Promise<string> {
  const id = newId();
  const inserted = await tx.insertInto('outbox').values({
    id,
    org_id: msg.orgId ?? null,
    topic: msg.topic,
    payload: JSON.stringify(msg.payload),
    dedupe_key: msg.dedupeKey ?? null,
    status: 'pending',
    attempts: 0,
    available_at: msg.availableAt ?? now,
    locked_by: null,
    locked_until: null,
    last_error: null,
    created_at: now,
    done_at: null,
  }).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
  if (msg.dedupeKey && Number(inserted.numInsertedOrUpdatedRows ?? 1) === 0) {
    const first = await tx.selectFrom('outbox').select('id').where('dedupe_key', '=', msg.dedupeKey).executeTakeFirst();
    if (first) return first.id;
  }
  return id;
}

const SCRUBBED = '{"scrubbed":true}';

export interface ClaimedMessage {
  id: string;
  topic: string;
  orgId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

/** A handler must be idempotent: a message is delivered at least once. */
export type OutboxHandler = (msg: ClaimedMessage) => Promise<void>;

/** A handler throws this to say that retrying cannot help. */
export class PermanentFailure extends Error {}

export interface WorkerOptions {
  batchSize?: number;
  pollMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  clock?: Clock;
  onError?: (err: unknown, msg: ClaimedMessage) => void;
}

/** Backoff before attempt n+1: exponential from the base, capped, with up to 20% jitter. */
export function backoffMs(attempts: number, base: number, max: number, random = Math.random): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (1 + random() * 0.2));
}

/**
 * Delivers outbox messages to their topic's handler. Several workers (in one or many
 * processes) may run against one database: a claim takes rows nobody holds (PostgreSQL
 * `FOR UPDATE SKIP LOCKED`; on SQLite one atomic UPDATE), with a lease so a crashed worker's
 * rows are taken again after the lease ends.
 */
export class OutboxWorker {
  private readonly workerId = `${hostname()}:${process.pid}:${newId().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = true;
  private readonly opts: Required<Omit<WorkerOptions, 'onError'>> & Pick<WorkerOptions, 'onError'>;

  constructor(private readonly db: DB, private readonly handlers: Record<string, OutboxHandler>, opts: WorkerOptions = {}) {
    this.opts = {
      batchSize: opts.batchSize ?? 20,
      pollMs: opts.pollMs ?? 1000,
      // Longer than the slowest channel's worst case (SMTP: connect + greeting + reply timeouts).
      leaseMs: opts.leaseMs ?? 5 * 60_000,
      maxAttempts: opts.maxAttempts ?? 8,
      baseBackoffMs: opts.baseBackoffMs ?? 5_000,
      maxBackoffMs: opts.maxBackoffMs ?? 3_600_000,
      clock: opts.clock ?? systemClock,
      onError: opts.onError,
    };
  }

  /**
   * Starts polling. A pass that fails (the database is away) is reported to onPassError and the
   * next pass waits twice as long as the last, up to maxIdleBackoffMs; a pass that works resets it.
   */
  start(onPassError?: (err: unknown) => void): void {
    if (onPassError) this.onPassError = onPassError;
    this.stopped = false;
    this.schedule(0);
  }

  private onPassError: (err: unknown) => void = () => undefined;
  /** Passes that failed in a row (0 while the database answers). */
  failedPasses = 0;

  /** Asks for a run soon (after a commit that enqueued something). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) return this.schedule(this.opts.pollMs);
      this.running = this.drain()
        .then((n) => { this.failedPasses = 0; return n; })
        .catch((err: unknown) => {
          this.failedPasses++;
          try { this.onPassError(err); } catch { /* a failing reporter must not stop the worker */ }
          return 0;
        })
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.schedule(this.failedPasses ? Math.min(this.opts.pollMs * 2 ** this.failedPasses, 30_000) : this.opts.pollMs);
        });
    }, ms);
    this.timer.unref?.();
  }

  private async drain(): Promise<number> {
    let total = 0;
    for (let i = 0; i < 50 && !this.stopped; i++) {
      const n = await this.runOnce();
      total += n;
      if (n < this.opts.batchSize) break;
    }
    return total;
  }

  /** Claims one batch and delivers it; returns how many messages were claimed. */
  async runOnce(): Promise<number> {
    const batch = await this.claim();
    for (const msg of batch) await this.deliver(msg);
    return batch.length;
  }

  private async claim(): Promise<ClaimedMessage[]> {
    const now = this.opts.clock.now();
    const leaseUntil = now + this.opts.leaseMs;
    const due = (qb: typeof this.db) =>
      qb.selectFrom('outbox').select('id')
        .where((eb) => eb.or([
          eb.and([eb('status', '=', 'pending'), eb('available_at', '<=', now)]),
          eb.and([eb('status', '=', 'processing'), eb('locked_until', '<', now)]),
        ]))
        .orderBy('available_at').orderBy('created_at')
        .limit(this.opts.batchSize);
    const pg = isPostgres(this.db);
    const rows: OutboxTable[] = await this.db.updateTable('outbox')
      .set({
        status: 'processing', locked_by: this.workerId, locked_until: leaseUntil,
        // Taking over an expired lease counts the lost attempt, so a message that crashes its worker every time ends dead.
        attempts: sql`case when status = 'processing' then attempts + 1 else attempts end`,
      })
      .where('id', 'in', pg ? due(this.db).forUpdate().skipLocked() : due(this.db))
      .returningAll()
      .execute();
    return rows.map((r) => ({ id: r.id, topic: r.topic, orgId: r.org_id, payload: JSON.parse(r.payload) as Record<string, unknown>, attempts: r.attempts }));
  }

  private async deliver(msg: ClaimedMessage): Promise<void> {
    const handler = this.handlers[msg.topic];
    // Only the worker holding the lease settles the row.
    const mine = () => this.db.updateTable('outbox').where('id', '=', msg.id).where('locked_by', '=', this.workerId);
    try {
      if (!handler) throw new PermanentFailure(`no handler for topic ${msg.topic}`);
      await handler(msg);
      await mine()
        // Payloads marked `scrub` (one-time codes) are not kept once delivered.
        .set({ status: 'done', done_at: this.opts.clock.now(), locked_by: null, locked_until: null, attempts: sql`attempts + 1`, ...(msg.payload.scrub ? { payload: SCRUBBED } : {}) })
        .execute();
    } catch (err) {
      try {
        this.opts.onError?.(err, msg);
      } catch {
        // A failing error reporter must not leave the row held until its lease ends.
      }
      const attempts = msg.attempts + 1;
      const permanent = err instanceof PermanentFailure || (err as { retryable?: boolean })?.retryable === false;
      const dead = permanent || attempts >= this.opts.maxAttempts;
      await mine()
        .set({
          status: dead ? 'dead' : 'pending',
          attempts,
          last_error: String((err as Error)?.message ?? err).slice(0, 500),
          available_at: this.opts.clock.now() + backoffMs(attempts, this.opts.baseBackoffMs, this.opts.maxBackoffMs),
          locked_by: null,
          locked_until: null,
          // A message that will never be sent keeps no secret either.
          ...(dead && msg.payload.scrub ? { payload: SCRUBBED } : {}),
        })
        .execute();
    }
  }
}
