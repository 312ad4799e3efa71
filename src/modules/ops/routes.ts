import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppDeps } from '../../wiring.js';

/** Liveness, readiness (the database answers) and Prometheus metrics. */
export function opsRoutes(deps: AppDeps) {
  return async function plugin(app: FastifyInstance) {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
      try {
        await Promise.race([
          sql`select 1`.execute(deps.db),
          new Promise((_, reject) => setTimeout(() => reject(new Error('database timeout')), 2000).unref()),
        ]);
        // A replica that does not answer is reported, not a failure: its reads go to the primary.
        return { status: 'ready', database: deps.dialect, ...(deps.readReplica ? { read_replica: await deps.readReplica.probe() } : {}) };
      } catch {
        return reply.status(503).send({ status: 'unavailable', database: deps.dialect });
      }
    });
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
      reply.type(app.metricsRegistry.contentType).send(await app.metricsRegistry.metrics()));
  };
}
