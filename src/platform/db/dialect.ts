import { PostgresAdapter } from 'kysely';

/** True when this Kysely instance or transaction talks to PostgreSQL. */
export function isPostgres(db: { getExecutor(): { adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
