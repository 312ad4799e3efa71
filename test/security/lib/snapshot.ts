// Row counts of every table and the audit log's length: a refused request must leave them as they were.
import type { DB } from '../../../src/platform/db/index.js';

/** Tables whose counts move without any user's state change (sign-in bookkeeping, rate limits, metrics). */
const VOLATILE = new Set(['sessions', 'otp_challenges', 'kysely_migration', 'kysely_migration_lock', 'rollup_cursors', 'kpi_daily', 'kpi_durations']);

export async function snapshot(db: DB): Promise<Record<string, number>> {
  const tables = await db.introspection.getTables();
  const out: Record<string, number> = {};
  for (const t of tables) {
    if (VOLATILE.has(t.name)) continue;
    const r = await db.selectFrom(t.name as 'orgs').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    out[t.name] = Number(r.n);
  }
  return out;
}

/** The tables whose counts differ between two snapshots, with before -> after. */
export function changed(a: Record<string, number>, b: Record<string, number>): string[] {
  return Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} -> ${b[k]}`);
}
