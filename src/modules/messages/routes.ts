import type { FastifyInstance } from 'fastify';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import * as q from './queries.js';
import { DevOutboxPage, type OutboxItem } from './views/outbox.js';

/** Outside production: /dev/outbox (HTML) and /dev/outbox.json list what was sent. In production these routes do not exist. */
export function messagesRoutes(deps: AppDeps) {
  return async function plugin(app: FastifyInstance) {
    if (deps.config.isProduction) return;
    const items = async (limit: number): Promise<OutboxItem[]> => (await q.recentMessages(deps.db, limit)).map((m) => ({
      channel: m.channel, to: m.recipient, subject: m.subject, body: m.body, created_at: new Date(Number(m.created_at)).toISOString(),
    }));
    const limitOf = (raw: unknown) => Math.min(500, Math.max(1, Number.parseInt(String(raw ?? '100'), 10) || 100));
    app.get('/dev/outbox.json', { schema: { hide: true } }, async (req) => ({ items: await items(limitOf((req.query as { limit?: string }).limit)) }));
    app.get('/dev/outbox', { schema: { hide: true } }, async (req, reply) =>
      sendPage(reply, h(DevOutboxPage, { ctx: viewContext(req, reply, { isProduction: false, now: deps.clock.now() }), items: await items(limitOf((req.query as { limit?: string }).limit)) })));
  };
}
