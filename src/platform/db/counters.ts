import { sql } from 'kysely';
import type { Tx } from './index.js';

/**
 * The next value of a per-organization sequence (1, 2, 3, ...), atomically: one upsert that
 * both engines serialize on the row, so concurrent callers never get the same number.
 */
export async function nextCounter(tx: Tx, orgId: string, name: string): Promise<number> {
  const row = await tx.insertInto('counters').values({ org_id: orgId, name, value: 1 })
    .onConflict((oc) => oc.columns(['org_id', 'name']).doUpdateSet({ value: sql`counters.value + 1` }))
    .returning('value').executeTakeFirstOrThrow();
  return Number(row.value);
}
