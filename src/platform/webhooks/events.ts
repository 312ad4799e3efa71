/**
 * Domain events that organizations can subscribe to. A service calls emitEvent in the same
 * transaction as the change it announces: one delivery per active subscription of the org to
 * that event type is written with it (so a rolled-back change announces nothing), and the
 * listeners registered with onEvent run inside that transaction too.
 */
import type { Tx } from '../db/index.js';
import { newId } from '../core/index.js';
import { enqueueDelivery } from './deliver.js';

export const EVENT_TYPES = [
  'application.submitted',
  'application.state_changed',
  'payment.verified',
  'report.created',
  'report.updated',
  'article.published',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(v: unknown): v is EventType {
  return typeof v === 'string' && (EVENT_TYPES as readonly string[]).includes(v);
}

export interface DomainEvent {
  orgId: string;
  type: EventType;
  /** ids, tracking codes, states, ISO times; no citizen personal data. */
  payload: Record<string, unknown>;
  /** Deliveries with the same key (an application's or a report's id) reach each receiver in order. */
  orderingKey?: string;
}

/** What a receiver gets as the JSON body. */
export interface EventEnvelope {
  id: string;
  type: EventType;
  created_at: string;
  org: string;
  data: Record<string, unknown>;
}

export type EventListener = (tx: Tx, event: DomainEvent & { id: string; orgCode: string; at: number }) => Promise<void>;

const listeners = new Map<EventType, EventListener[]>();

/** Registers a listener run inside emitEvent's transaction (e.g. forwarding to back-office connections). */
export function onEvent(type: EventType, listener: EventListener): () => void {
  const list = listeners.get(type) ?? [];
  list.push(listener);
  listeners.set(type, list);
  return () => {
    const l = listeners.get(type);
    if (l) listeners.set(type, l.filter((x) => x !== listener));
  };
}

/** Enqueues the event for every active subscription of its org to its type and runs the listeners, in the caller's transaction; returns the event id. */
export async function emitEvent(tx: Tx, event: DomainEvent, now = Date.now()): Promise<string> {
  const id = newId();
  const org = await tx.selectFrom('orgs').select('code').where('id', '=', event.orgId).executeTakeFirst();
  const orgCode = org?.code ?? '';
  const subs = await tx.selectFrom('webhook_subscriptions').select(['id', 'url', 'secret', 'event_types'])
    .where('org_id', '=', event.orgId).where('active', '=', 1).where('deleted_at', 'is', null)
    .orderBy('created_at').execute();
  const envelope: EventEnvelope = { id, type: event.type, created_at: new Date(now).toISOString(), org: orgCode, data: event.payload };
  for (const s of subs) {
    let types: unknown;
    try {
      types = JSON.parse(s.event_types);
    } catch {
      types = [];
    }
    if (!Array.isArray(types) || !types.includes(event.type)) continue;
    await enqueueDelivery(tx, {
      orgId: event.orgId, url: s.url, secret: s.secret, eventType: event.type, payload: envelope as unknown as Record<string, unknown>,
      subscriptionId: s.id, ...(event.orderingKey ? { orderingKey: event.orderingKey } : {}),
    }, now);
  }
  for (const l of listeners.get(event.type) ?? []) await l(tx, { ...event, id, orgCode, at: now });
  return id;
}
