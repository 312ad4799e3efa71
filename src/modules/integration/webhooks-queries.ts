// Every SQL statement of webhook subscriptions and their delivery log; each takes the org scope
// (or the org id behind it), so another organization's rows are never read or changed.
import type { DB, Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { WebhookDeliveriesTable, WebhookSubscriptionsTable } from '../../platform/db/schema.js';

export type SubscriptionRow = WebhookSubscriptionsTable;
export type DeliveryRow = Omit<WebhookDeliveriesTable, 'secret'>;

export async function orgByCode(db: DB | Tx, code: string) {
  return db.selectFrom('orgs').select(['id', 'code', 'kind', 'name_fa', 'name_en']).where('code', '=', code).executeTakeFirst();
}

export async function subscriptions(db: DB | Tx, scope: OrgScope): Promise<SubscriptionRow[]> {
  return db.selectFrom('webhook_subscriptions').selectAll().where('org_id', '=', scope.orgId).where('deleted_at', 'is', null).orderBy('created_at').execute();
}

export async function subscription(db: DB | Tx, scope: OrgScope, id: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('webhook_subscriptions').selectAll().where('org_id', '=', scope.orgId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

export async function insertSubscription(tx: Tx, row: SubscriptionRow): Promise<void> {
  await tx.insertInto('webhook_subscriptions').values(row).execute();
}

export async function updateSubscription(tx: Tx, scope: OrgScope, id: string, set: Partial<Omit<SubscriptionRow, 'id' | 'org_id'>>): Promise<boolean> {
  const res = await tx.updateTable('webhook_subscriptions').set(set).where('org_id', '=', scope.orgId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

const deliveryColumns = ['id', 'org_id', 'subscription_id', 'connection_id', 'event_type', 'payload', 'url', 'lane', 'ordering_key', 'seq', 'state', 'attempts', 'next_attempt_at', 'last_status_code', 'last_error', 'created_at', 'settled_at'] as const;

/** A subscription's deliveries, newest first. */
export async function deliveries(db: DB | Tx, scope: OrgScope, subscriptionId: string, f: { state?: DeliveryRow['state']; limit: number; before?: number }): Promise<DeliveryRow[]> {
  let q = db.selectFrom('webhook_deliveries').select(deliveryColumns).where('org_id', '=', scope.orgId).where('subscription_id', '=', subscriptionId);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.before !== undefined) q = q.where('seq', '<', f.before);
  return q.orderBy('seq', 'desc').limit(f.limit).execute();
}

export async function delivery(db: DB | Tx, scope: OrgScope, subscriptionId: string, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').select(deliveryColumns).where('org_id', '=', scope.orgId).where('subscription_id', '=', subscriptionId).where('id', '=', id).executeTakeFirst();
}

/** The attempts of the given deliveries (of the scope's org), oldest first. */
export async function attempts(db: DB | Tx, scope: OrgScope, deliveryIds: string[]) {
  if (deliveryIds.length === 0) return [];
  return db.selectFrom('webhook_attempts').select(['delivery_id', 'at', 'status_code', 'duration_ms', 'error'])
    .where('org_id', '=', scope.orgId).where('delivery_id', 'in', deliveryIds).orderBy('at').orderBy('id').execute();
}

/** Per subscription: how many deliveries are pending and failed, and when the last one was made. */
export async function deliveryCounts(db: DB | Tx, scope: OrgScope) {
  return db.selectFrom('webhook_deliveries').select((eb) => ['subscription_id', 'state', eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('last_at')])
    .where('org_id', '=', scope.orgId).where('subscription_id', 'is not', null).groupBy(['subscription_id', 'state']).execute();
}

/** Fails the subscription's deliveries still waiting (it was paused or deleted); returns how many. */
export async function failPending(tx: Tx, scope: OrgScope, subscriptionId: string, reason: string, now: number): Promise<number> {
  const res = await tx.updateTable('webhook_deliveries').set({ state: 'failed', last_error: reason, settled_at: now })
    .where('org_id', '=', scope.orgId).where('subscription_id', '=', subscriptionId).where('state', '=', 'pending').executeTakeFirst();
  return Number(res.numUpdatedRows);
}
