/**
 * The webhook delivery engine. A delivery (one event to one receiver) is a row of
 * webhook_deliveries written in the caller's transaction together with an outbox message; the
 * outbox worker runs the handler below, which POSTs the signed body, records the attempt and,
 * on failure, schedules the next attempt as a new delayed outbox message (the outbox's own
 * retry is kept for crashes: a handler that dies mid-attempt is run again after its lease).
 *
 * Order: deliveries of one receiver (lane) with the same ordering key (an application's or a
 * report's id) go out in the order they were written; a later one waits while an earlier one is
 * still pending, and is woken when the earlier one succeeds or finally fails.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DB, Tx } from '../db/index.js';
import { enqueue, type OutboxHandler } from '../outbox/index.js';
import { newId, type Clock } from '../core/index.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './sign.js';

export const DELIVERY_TOPIC = 'webhook.deliver';

/** Waits before the 2nd, 3rd, ... attempt; after the last one fails the delivery is 'failed' (6 attempts in ~7 h 12 min). */
export const RETRY_SCHEDULE_MS = [30_000, 2 * 60_000, 10 * 60_000, 60 * 60_000, 6 * 60 * 60_000] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How long an attempt holds its delivery (longer than the timeout), so two workers never send it at once. */
const ATTEMPT_LEASE_MS = 60_000;

export interface DeliveryInput {
  orgId: string;
  url: string;
  secret: string;
  eventType: string;
  /** The JSON body, sent (and signed) exactly as JSON.stringify gives it. */
  payload: Record<string, unknown>;
  subscriptionId?: string | null;
  connectionId?: string | null;
  /** Deliveries to the same receiver with the same key arrive in the order they were enqueued. */
  orderingKey?: string;
}

// Order inside one millisecond of one process; across processes the milliseconds order them.
let lastSeq = 0;
function nextSeq(now: number): number {
  lastSeq = Math.max(lastSeq + 1, now * 1000);
  return lastSeq;
}

function laneOf(input: Pick<DeliveryInput, 'subscriptionId' | 'connectionId' | 'url'>): string {
  if (input.subscriptionId) return `s:${input.subscriptionId}`;
  if (input.connectionId) return `c:${input.connectionId}`;
  return `u:${input.url}`;
}

/** Writes the delivery row and its outbox message in the caller's transaction; returns the delivery id. */
export async function enqueueDelivery(tx: Tx, input: DeliveryInput, now = Date.now()): Promise<string> {
  const id = newId();
  await tx.insertInto('webhook_deliveries').values({
    id,
    org_id: input.orgId,
    subscription_id: input.subscriptionId ?? null,
    connection_id: input.connectionId ?? null,
    event_type: input.eventType,
    payload: JSON.stringify(input.payload),
    url: input.url,
    // A subscription's deliveries are signed with its secret of the moment (rotation applies to retries).
    secret: input.subscriptionId ? null : input.secret,
    lane: laneOf(input),
    ordering_key: input.orderingKey ?? null,
    seq: nextSeq(now),
    state: 'pending',
    attempts: 0,
    next_attempt_at: now,
    last_status_code: null,
    last_error: null,
    created_at: now,
    settled_at: null,
  }).execute();
  await enqueue(tx, { topic: DELIVERY_TOPIC, orgId: input.orgId, payload: { deliveryId: id } }, now);
  return id;
}

/**
 * Sends a delivery again from its first attempt (manual redeliver): pending, attempts counted
 * from zero, due now. Its earlier attempts stay in the log. Returns false when there is no such delivery.
 */
export async function requeueDelivery(tx: Tx, deliveryId: string, now = Date.now()): Promise<boolean> {
  const res = await tx.updateTable('webhook_deliveries')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, settled_at: null, last_error: null })
    .where('id', '=', deliveryId).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  const d = await tx.selectFrom('webhook_deliveries').select('org_id').where('id', '=', deliveryId).executeTakeFirstOrThrow();
  await enqueue(tx, { topic: DELIVERY_TOPIC, orgId: d.org_id, payload: { deliveryId } }, now);
  return true;
}

/** Why an address may not receive webhooks, or null when it may. */
export type DestinationProblem = 'scheme' | 'private' | 'invalid';

const PRIVATE_V4: [number, number][] = [
  [0x00000000, 8], [0x0a000000, 8], [0x64400000, 10], [0x7f000000, 8], [0xa9fe0000, 16], [0xac100000, 12],
  [0xc0000000, 24], [0xc0a80000, 16], [0xc6120000, 15], [0xe0000000, 4], [0xf0000000, 4],
];

/** True for loopback, private, link-local, shared, multicast and reserved addresses (v4 and v6). */
export function isPrivateAddress(ip: string): boolean {
  const kind = isIP(ip);
  if (kind === 4) {
    const n = ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
    return PRIVATE_V4.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
  }
  if (kind === 6) {
    const a = ip.toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (mapped) return isPrivateAddress(mapped[1]!);
    // The URL parser writes an IPv4-mapped address in hex (::ffff:a00:1 for 10.0.0.1).
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
    if (hex) {
      const hi = parseInt(hex[1]!, 16);
      const lo = parseInt(hex[2]!, 16);
      return isPrivateAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return a === '::' || a === '::1' || /^f[cd]/.test(a) || /^fe[89ab]/.test(a) || a.startsWith('ff');
  }
  return true;
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a receiver address as written (no DNS): https always; outside production also plain
 * http to this machine (localhost, 127.0.0.1, [::1]) for development. In production a literal
 * private or loopback address, or a name like localhost, is refused.
 */
export function destinationProblem(raw: string, isProduction: boolean): DestinationProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  if (url.username || url.password || raw.length > 2000) return 'invalid';
  const host = url.hostname.toLowerCase();
  if (url.protocol === 'http:') {
    if (!isProduction && LOCAL_NAMES.has(host)) return null;
    return 'scheme';
  }
  if (url.protocol !== 'https:') return 'scheme';
  if (!host) return 'invalid';
  if (isProduction) {
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    if (isIP(bare) ? isPrivateAddress(bare) : (bare === 'localhost' || bare.endsWith('.localhost') || bare.endsWith('.local') || !bare.includes('.'))) return 'private';
  }
  return null;
}

export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  ok: boolean;
}

export interface DeliveryDeps {
  db: DB;
  clock: Clock;
  /** Production refuses receivers that resolve to private or loopback addresses. */
  isProduction: boolean;
  timeoutMs?: number;
  /** Resolves a host name to its addresses (tests may replace it). */
  resolve?: (host: string) => Promise<string[]>;
}

async function send(deps: DeliveryDeps, d: { id: string; event_type: string; payload: string }, url: string, secret: string): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const problem = destinationProblem(url, deps.isProduction);
    if (problem) return { statusCode: null, durationMs: 0, error: `refused address (${problem})`, ok: false };
    if (deps.isProduction) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      const addresses = isIP(host) ? [host] : await (deps.resolve ?? (async (h) => (await lookup(h, { all: true })).map((a) => a.address)))(host);
      if (addresses.length === 0 || addresses.some(isPrivateAddress)) return { statusCode: null, durationMs: elapsed(), error: 'refused address (private)', ok: false };
    }
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Pishkhan-Webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(secret, d.payload, deps.clock.now()),
        [EVENT_HEADER]: d.event_type,
        [DELIVERY_HEADER]: d.id,
      },
      body: d.payload,
    });
    // The answer's body is not kept; reading it lets the connection be reused.
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { statusCode: res.status, durationMs: elapsed(), error: ok ? null : `HTTP ${res.status}`, ok };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
    const error = timedOut ? `timeout after ${deps.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms` : String(e?.cause?.code ?? e?.message ?? err);
    return { statusCode: null, durationMs: elapsed(), error: error.slice(0, 300), ok: false };
  }
}

/** The next pending delivery after `seq` in the lane with the same key gets a message now, so it does not wait for its own poll. */
async function wakeNext(tx: Tx, d: { lane: string; ordering_key: string | null; seq: number; org_id: string }, now: number): Promise<void> {
  if (!d.ordering_key) return;
  const next = await tx.selectFrom('webhook_deliveries').select('id')
    .where('lane', '=', d.lane).where('ordering_key', '=', d.ordering_key).where('state', '=', 'pending').where('seq', '>', d.seq)
    .orderBy('seq').limit(1).executeTakeFirst();
  if (next) await enqueue(tx, { topic: DELIVERY_TOPIC, orgId: d.org_id, payload: { deliveryId: next.id } }, now);
}

/**
 * Makes one attempt at a delivery if it is pending, due and not behind an earlier pending one of
 * its key; records the attempt and settles or reschedules it. Safe to call twice for one
 * delivery (a second call finds it held or not due and does nothing).
 */
export async function attemptDelivery(deps: DeliveryDeps, deliveryId: string): Promise<void> {
  const { db, clock } = deps;
  const now = clock.now();
  const d = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
  if (!d || d.state !== 'pending' || Number(d.next_attempt_at) > now) return;
  if (d.ordering_key) {
    const earlier = await db.selectFrom('webhook_deliveries').select(['id', 'next_attempt_at'])
      .where('lane', '=', d.lane).where('ordering_key', '=', d.ordering_key).where('state', '=', 'pending').where('seq', '<', d.seq)
      .orderBy('seq').limit(1).executeTakeFirst();
    if (earlier) {
      // Woken by the earlier one when it settles; this later look is the safety net.
      await enqueue(db, { topic: DELIVERY_TOPIC, orgId: d.org_id, payload: { deliveryId } }, Math.max(now, Number(earlier.next_attempt_at)) + 1_000);
      return;
    }
  }
  const held = await db.updateTable('webhook_deliveries').set({ next_attempt_at: now + ATTEMPT_LEASE_MS })
    .where('id', '=', deliveryId).where('state', '=', 'pending').where('next_attempt_at', '<=', now).executeTakeFirst();
  if (Number(held.numUpdatedRows) === 0) return;

  let url = d.url;
  let secret = d.secret ?? '';
  let result: SendResult;
  if (d.subscription_id) {
    const sub = await db.selectFrom('webhook_subscriptions').select(['url', 'secret', 'active', 'deleted_at']).where('id', '=', d.subscription_id).executeTakeFirst();
    url = sub?.url ?? url;
    secret = sub?.secret ?? '';
    if (!sub || sub.deleted_at !== null) result = { statusCode: null, durationMs: 0, error: 'subscription deleted', ok: false };
    else if (!sub.active) result = { statusCode: null, durationMs: 0, error: 'subscription paused', ok: false };
    else result = await send(deps, d, url, secret);
  } else {
    result = await send(deps, d, url, secret);
  }
  // A paused or deleted subscription will not start accepting by itself: no retries.
  const hopeless = result.error === 'subscription deleted' || result.error === 'subscription paused';
  const at = clock.now();
  const attempts = d.attempts + 1;
  const finished = result.ok || hopeless || attempts >= MAX_ATTEMPTS;
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('webhook_attempts').values({ id: newId(), delivery_id: d.id, org_id: d.org_id, at, status_code: result.statusCode, duration_ms: result.durationMs, error: result.error }).execute();
    const nextAt = finished ? at : at + RETRY_SCHEDULE_MS[attempts - 1]!;
    await tx.updateTable('webhook_deliveries').set({
      state: result.ok ? 'succeeded' : finished ? 'failed' : 'pending',
      attempts,
      next_attempt_at: nextAt,
      last_status_code: result.statusCode,
      last_error: result.error,
      settled_at: finished ? at : null,
    }).where('id', '=', d.id).execute();
    if (finished) await wakeNext(tx, d, at);
    else await enqueue(tx, { topic: DELIVERY_TOPIC, orgId: d.org_id, payload: { deliveryId: d.id } }, nextAt);
  });
}

/** The outbox handler of webhook deliveries; register with the worker's other handlers. */
export function webhookHandlers(deps: DeliveryDeps): Record<string, OutboxHandler> {
  return {
    [DELIVERY_TOPIC]: async (msg) => {
      const id = msg.payload.deliveryId;
      if (typeof id === 'string') await attemptDelivery(deps, id);
    },
  };
}
