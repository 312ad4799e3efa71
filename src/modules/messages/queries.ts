import type { Tx } from '../../platform/db/index.js';
import type { MessagesTable } from '../../platform/db/schema.js';

// The record of every SMS and email handed to a channel (one row per outbox message).

/** Records a sent message once per outbox message, whatever the number of deliveries. */
export function recordMessage(tx: Tx, row: MessagesTable) {
  return tx.insertInto('messages').values(row).onConflict((oc) => oc.column('outbox_id').doNothing()).execute();
}

export function messageForOutbox(tx: Tx, outboxId: string) {
  return tx.selectFrom('messages').select(['id']).where('outbox_id', '=', outboxId).executeTakeFirst();
}

export function recentMessages(tx: Tx, limit: number) {
  return tx.selectFrom('messages').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
