/**
 * Webhook subscriptions of an organization: its admins (and the province admin) add receivers,
 * choose event types, pause, delete, rotate the signing secret (shown once), read the delivery
 * log with every attempt and send a delivery again. Every change writes an audit entry in the
 * same transaction. Anyone else gets 404, exactly as if the organization had no webhooks.
 */
import { randomBytes } from 'node:crypto';
import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { mayAct, orgScope, type OrgScope } from '../../platform/auth/access.js';
import { appendAudit } from '../../platform/audit/index.js';
import { AppError, badInput, notFound, unauthorized } from '../../platform/http/errors.js';
import { normalizePersian } from '../../platform/i18n/persian.js';
import { destinationProblem, requeueDelivery } from '../../platform/webhooks/deliver.js';
import { EVENT_TYPES, isEventType, type EventType } from '../../platform/webhooks/events.js';
import * as q from './webhooks-queries.js';
import './messages-webhooks.js';

export const MAX_SUBSCRIPTIONS_PER_ORG = 20;
export const DELIVERY_PAGE = 50;

export interface SubscriptionView {
  id: string;
  url: string;
  description: string;
  event_types: EventType[];
  active: boolean;
  created_at: number;
  updated_at: number;
  secret_rotated_at: number | null;
  /** Deliveries now pending / finally failed, and when the latest was made. */
  pending: number;
  failed: number;
  last_delivery_at: number | null;
}

export interface AttemptView { at: number; status_code: number | null; duration_ms: number; error: string | null }

export interface DeliveryView {
  id: string;
  event_type: string;
  event_id: string | null;
  ordering_key: string | null;
  state: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  created_at: number;
  settled_at: number | null;
  payload: unknown;
  attempt_log: AttemptView[];
}

export interface SubscriptionInput {
  url?: unknown;
  description?: unknown;
  event_types?: unknown;
  active?: unknown;
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

function eventTypesOf(json: string): EventType[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter(isEventType) : [];
  } catch {
    return [];
  }
}

function viewOf(row: q.SubscriptionRow, counts: Awaited<ReturnType<typeof q.deliveryCounts>> = []): SubscriptionView {
  const mine = counts.filter((c) => c.subscription_id === row.id);
  const n = (state: string) => Number(mine.find((c) => c.state === state)?.n ?? 0);
  const last = mine.reduce<number | null>((m, c) => (c.last_at === null ? m : Math.max(m ?? 0, Number(c.last_at))), null);
  return {
    id: row.id, url: row.url, description: row.description, event_types: eventTypesOf(row.event_types), active: row.active === 1,
    created_at: Number(row.created_at), updated_at: Number(row.updated_at), secret_rotated_at: row.secret_rotated_at === null ? null : Number(row.secret_rotated_at),
    pending: n('pending'), failed: n('failed'), last_delivery_at: last,
  };
}

function deliveryOf(row: q.DeliveryRow, attempts: AttemptView[]): DeliveryView {
  let payload: unknown = null;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    payload = row.payload;
  }
  const eventId = payload && typeof payload === 'object' && typeof (payload as { id?: unknown }).id === 'string' ? (payload as { id: string }).id : null;
  return {
    id: row.id, event_type: row.event_type, event_id: eventId, ordering_key: row.ordering_key, state: row.state, attempts: row.attempts,
    last_status_code: row.last_status_code, last_error: row.last_error, next_attempt_at: row.state === 'pending' ? Number(row.next_attempt_at) : null,
    created_at: Number(row.created_at), settled_at: row.settled_at === null ? null : Number(row.settled_at), payload, attempt_log: attempts,
  };
}

export interface WebhooksDeps {
  db: DB;
  clock: Clock;
  isProduction: boolean;
  /** Called after a commit that wrote to the outbox (the worker then runs at once). */
  onOutbox?: () => void;
}

export function createWebhooksService(deps: WebhooksDeps) {
  const { db, clock } = deps;

  /** The organization and the proof that the actor manages it (its org admins, the province admin); 401 anonymous, 404 anyone else. */
  async function managed(tx: DB | Tx, actor: Actor, orgCode: string): Promise<{ org: NonNullable<Awaited<ReturnType<typeof q.orgByCode>>>; scope: OrgScope }> {
    if (actor.kind === 'anonymous') throw unauthorized();
    const org = await q.orgByCode(tx, String(orgCode ?? ''));
    if (!org) throw notFound();
    return { org, scope: orgScope(actor, org.id, 'webhooks.manage') };
  }

  /** Checks the fields given (all of them when `full`); returns the clean values or throws 400 naming each bad field. */
  function checked(input: SubscriptionInput, full: boolean): { url?: string; description?: string; event_types?: EventType[]; active?: boolean } {
    const errors: Record<string, string> = {};
    const out: { url?: string; description?: string; event_types?: EventType[]; active?: boolean } = {};
    if (full || input.url !== undefined) {
      const url = typeof input.url === 'string' ? input.url.trim() : '';
      const problem = url ? destinationProblem(url, deps.isProduction) : 'required';
      if (problem === 'required') errors.url = 'common.required';
      else if (problem === 'scheme') errors.url = deps.isProduction ? 'webhooks.url_scheme_production' : 'webhooks.url_scheme';
      else if (problem === 'private') errors.url = 'webhooks.url_private';
      else if (problem === 'invalid') errors.url = 'webhooks.url_invalid';
      else out.url = url;
    }
    if (full || input.event_types !== undefined) {
      const list = Array.isArray(input.event_types) ? input.event_types : typeof input.event_types === 'string' ? [input.event_types] : null;
      if (!list || list.length === 0) errors.event_types = 'webhooks.events_required';
      else if (!list.every(isEventType)) errors.event_types = 'webhooks.event_unknown';
      else out.event_types = EVENT_TYPES.filter((t) => (list as string[]).includes(t));
    }
    if (input.description !== undefined && input.description !== null) {
      const d = normalizePersian(String(input.description)).trim();
      if (d.length > 200) errors.description = 'webhooks.description_long';
      else out.description = d;
    }
    if (input.active !== undefined) {
      if (typeof input.active !== 'boolean') errors.active = 'common.invalid_value';
      else out.active = input.active;
    }
    if (Object.keys(errors).length) throw badInput(errors);
    return out;
  }

  const service = {
    /** The organizations whose webhooks the actor manages (for the staff page's choice), by code. */
    async managedOrgs(actor: Actor): Promise<{ code: string; name: { fa: string; en: string } }[]> {
      if (actor.kind !== 'staff') return [];
      const orgs = await db.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).orderBy('code').execute();
      const provinceAdmin = actor.memberships.some((m) => m.role === 'province_admin');
      return orgs.filter((o) => (provinceAdmin || actor.memberships.some((m) => m.orgId === o.id)) && mayAct(actor, o.id, 'webhooks.manage'))
        .map((o) => ({ code: o.code, name: { fa: o.name_fa, en: o.name_en || o.name_fa } }));
    },

    /** The organization's subscriptions (not deleted), oldest first, with their delivery counts. */
    async list(actor: Actor, orgCode: string) {
      const { org, scope } = await managed(db, actor, orgCode);
      const [rows, counts] = await Promise.all([q.subscriptions(db, scope), q.deliveryCounts(db, scope)]);
      return { org: { code: org.code, name: { fa: org.name_fa, en: org.name_en || org.name_fa } }, items: rows.map((r) => viewOf(r, counts)) };
    },

    async get(actor: Actor, orgCode: string, id: string): Promise<SubscriptionView> {
      const { scope } = await managed(db, actor, orgCode);
      const row = await q.subscription(db, scope, String(id));
      if (!row) throw notFound();
      return viewOf(row, await q.deliveryCounts(db, scope));
    },

    /** Adds a subscription (active) with a new secret, returned this once; writes the audit entry (without the secret). */
    async create(actor: Actor, orgCode: string, input: SubscriptionInput): Promise<{ subscription: SubscriptionView; secret: string }> {
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { scope } = await managed(tx, actor, orgCode);
        const v = checked(input, true);
        if ((await q.subscriptions(tx, scope)).length >= MAX_SUBSCRIPTIONS_PER_ORG) throw new AppError('webhooks.too_many', 409, {}, { max: MAX_SUBSCRIPTIONS_PER_ORG });
        const secret = newSecret();
        const row: q.SubscriptionRow = {
          id: newId(), org_id: scope.orgId, url: v.url!, description: v.description ?? '', secret, event_types: JSON.stringify(v.event_types),
          active: v.active === false ? 0 : 1, created_by: actor.id, created_at: now, updated_at: now, secret_rotated_at: null, deleted_at: null,
        };
        await q.insertSubscription(tx, row);
        await appendAudit(tx, actor, { orgId: scope.orgId, action: 'webhook.created', entity: 'webhook_subscription', entityId: row.id, data: { url: row.url, event_types: v.event_types, active: row.active === 1 } }, now);
        return { subscription: viewOf(row), secret };
      });
    },

    /** Changes the URL, description, event types or active flag (pause fails the waiting deliveries; resume); the audit entry keeps what was before. */
    async update(actor: Actor, orgCode: string, id: string, input: SubscriptionInput): Promise<SubscriptionView> {
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { scope } = await managed(tx, actor, orgCode);
        const before = await q.subscription(tx, scope, String(id));
        if (!before) throw notFound();
        const v = checked(input, false);
        const set: Partial<q.SubscriptionRow> = { updated_at: now };
        if (v.url !== undefined) set.url = v.url;
        if (v.description !== undefined) set.description = v.description;
        if (v.event_types !== undefined) set.event_types = JSON.stringify(v.event_types);
        if (v.active !== undefined) set.active = v.active ? 1 : 0;
        await q.updateSubscription(tx, scope, before.id, set);
        // Paused: what still waits fails now (it can be sent again by hand after resuming), so nothing is held behind it.
        if (v.active === false && before.active === 1) await q.failPending(tx, scope, before.id, 'subscription paused', now);
        const after = { ...before, ...set };
        const changed = (['url', 'description', 'event_types', 'active'] as const).filter((k) => before[k] !== after[k]);
        const action = changed.length === 1 && changed[0] === 'active' ? (after.active ? 'webhook.resumed' : 'webhook.paused') : 'webhook.updated';
        await appendAudit(tx, actor, {
          orgId: scope.orgId, action, entity: 'webhook_subscription', entityId: before.id,
          data: { changed, before: Object.fromEntries(changed.map((k) => [k, before[k]])), after: Object.fromEntries(changed.map((k) => [k, after[k]])) },
        }, now);
        return viewOf(after, await q.deliveryCounts(tx, scope));
      });
    },

    /** Deletes a subscription: it receives nothing more (its waiting deliveries fail at once), its secret is erased, its delivery log stays for the audit. */
    async remove(actor: Actor, orgCode: string, id: string): Promise<void> {
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const { scope } = await managed(tx, actor, orgCode);
        const row = await q.subscription(tx, scope, String(id));
        if (!row) throw notFound();
        await q.updateSubscription(tx, scope, row.id, { deleted_at: now, updated_at: now, active: 0, secret: '' });
        await q.failPending(tx, scope, row.id, 'subscription deleted', now);
        await appendAudit(tx, actor, { orgId: scope.orgId, action: 'webhook.deleted', entity: 'webhook_subscription', entityId: row.id, data: { url: row.url, event_types: eventTypesOf(row.event_types) } }, now);
      });
    },

    /** Replaces the signing secret (the old one stops working at once, pending retries included); returns the new one this once. */
    async rotateSecret(actor: Actor, orgCode: string, id: string): Promise<{ secret: string; subscription: SubscriptionView }> {
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const { scope } = await managed(tx, actor, orgCode);
        const row = await q.subscription(tx, scope, String(id));
        if (!row) throw notFound();
        const secret = newSecret();
        await q.updateSubscription(tx, scope, row.id, { secret, secret_rotated_at: now, updated_at: now });
        await appendAudit(tx, actor, { orgId: scope.orgId, action: 'webhook.secret_rotated', entity: 'webhook_subscription', entityId: row.id, data: {} }, now);
        return { secret, subscription: viewOf({ ...row, secret, secret_rotated_at: now, updated_at: now }, await q.deliveryCounts(tx, scope)) };
      });
    },

    /** The subscription's deliveries, newest first (a page of `limit`, older ones with `before` = the last one's cursor), each with its attempts. */
    async deliveries(actor: Actor, orgCode: string, id: string, f: { state?: unknown; limit?: unknown; before?: unknown } = {}) {
      const { scope } = await managed(db, actor, orgCode);
      const sub = await q.subscription(db, scope, String(id));
      if (!sub) throw notFound();
      const errors: Record<string, string> = {};
      const state = f.state === undefined || f.state === '' ? undefined : f.state;
      if (state !== undefined && state !== 'pending' && state !== 'succeeded' && state !== 'failed') errors.state = 'webhooks.state_unknown';
      const limit = f.limit === undefined || f.limit === '' ? DELIVERY_PAGE : Number(f.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) errors.limit = 'common.invalid_value';
      const before = f.before === undefined || f.before === '' ? undefined : Number(f.before);
      if (before !== undefined && !Number.isSafeInteger(before)) errors.before = 'common.invalid_value';
      if (Object.keys(errors).length) throw badInput(errors);
      const rows = await q.deliveries(db, scope, sub.id, { state: state as q.DeliveryRow['state'] | undefined, limit: limit + 1, before });
      const page = rows.slice(0, limit);
      const attempts = await q.attempts(db, scope, page.map((r) => r.id));
      const items = page.map((r) => deliveryOf(r, attempts.filter((a) => a.delivery_id === r.id).map(({ delivery_id: _d, ...a }) => ({ ...a, at: Number(a.at), duration_ms: Number(a.duration_ms) }))));
      return { items, next_before: rows.length > limit ? Number(page[page.length - 1]!.seq) : null };
    },

    async delivery(actor: Actor, orgCode: string, id: string, deliveryId: string): Promise<DeliveryView> {
      const { scope } = await managed(db, actor, orgCode);
      const sub = await q.subscription(db, scope, String(id));
      const row = sub ? await q.delivery(db, scope, sub.id, String(deliveryId)) : undefined;
      if (!row) throw notFound();
      const attempts = await q.attempts(db, scope, [row.id]);
      return deliveryOf(row, attempts.map(({ delivery_id: _d, ...a }) => ({ ...a, at: Number(a.at), duration_ms: Number(a.duration_ms) })));
    },

    /** Sends a delivery again by hand (due now, its retry schedule from the start); 409 while the subscription is paused. */
    async redeliver(actor: Actor, orgCode: string, id: string, deliveryId: string): Promise<DeliveryView> {
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const { scope } = await managed(tx, actor, orgCode);
        const sub = await q.subscription(tx, scope, String(id));
        const row = sub ? await q.delivery(tx, scope, sub.id, String(deliveryId)) : undefined;
        if (!sub || !row) throw notFound();
        if (!sub.active) throw new AppError('webhooks.paused', 409);
        await requeueDelivery(tx, row.id, now);
        await appendAudit(tx, actor, { orgId: scope.orgId, action: 'webhook.redelivered', entity: 'webhook_delivery', entityId: row.id, data: { subscription: sub.id, event_type: row.event_type, previous_state: row.state } }, now);
      });
      deps.onOutbox?.();
      return service.delivery(actor, orgCode, id, deliveryId);
    },
  };
  return service;
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
