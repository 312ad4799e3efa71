/**
 * JSON API of webhook subscriptions: /api/v1/orgs/:org/webhooks (list, create, read, change,
 * delete, rotate the secret) and their delivery log (list, one delivery, send again). Org admins
 * and the province admin; the rules are in webhooks-service.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import type { Actor } from '../../platform/core/index.js';
import { unauthorized } from '../../platform/http/errors.js';
import { errorReply } from '../identity/schemas.js';
import { EVENT_TYPES } from '../../platform/webhooks/events.js';
import { createWebhooksService, type DeliveryView, type SubscriptionView } from './webhooks-service.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const orgCode = z.string().min(1).max(64).meta({ description: 'The organization code', example: 'sari' });
const orgParams = z.object({ org: orgCode });
const subParams = z.object({ org: orgCode, id: z.string().min(1).max(64).meta({ description: 'The subscription id' }) });
const deliveryParams = subParams.extend({ delivery: z.string().min(1).max(64).meta({ description: 'The delivery id (the Pishkhan-Delivery header)' }) });

const subscriptionExample = {
  id: '0b5f7c1e-3f0a-4d7e-9a51-6f1d2c3b4a59', url: 'https://backoffice.example.ir/pishkhan/hooks', description: 'Archive system',
  event_types: ['application.submitted', 'application.state_changed'], active: true, created_at: '2026-11-28T09:00:00.000Z', updated_at: '2026-11-28T09:00:00.000Z',
  secret_rotated_at: null, pending: 0, failed: 0, last_delivery_at: null,
};
const subscriptionJson = z.object({
  id: z.string(), url: z.string(), description: z.string(), event_types: z.array(z.enum(EVENT_TYPES)), active: z.boolean(),
  created_at: z.string(), updated_at: z.string(), secret_rotated_at: z.string().nullable(),
  pending: z.number().int().meta({ description: 'Deliveries waiting for their (next) attempt' }),
  failed: z.number().int().meta({ description: 'Deliveries that failed after every retry (send them again by hand)' }),
  last_delivery_at: z.string().nullable(),
}).meta({ example: subscriptionExample });
const withSecret = subscriptionJson.extend({ secret: z.string().meta({ description: 'The signing secret, shown only in this answer' }) })
  .meta({ example: { ...subscriptionExample, secret: 'whsec_3q2+7wSg1x0pG5B3ZlJ0m1fKc2Vd8yQe4hT9uX7rA6s' } });
const attemptJson = z.object({ at: z.string(), status_code: z.number().int().nullable(), duration_ms: z.number().int(), error: z.string().nullable() });
const deliveryExample = {
  id: '9d3c2b1a-0000-4000-8000-000000000001', event_type: 'application.submitted', event_id: '5e1f0c2d-0000-4000-8000-00000000000a', ordering_key: 'a7c1…',
  state: 'succeeded', attempts: 2, last_status_code: 200, last_error: null, next_attempt_at: null, created_at: '2026-11-28T09:00:00.000Z', settled_at: '2026-11-28T09:00:30.412Z',
  payload: { id: '5e1f0c2d-0000-4000-8000-00000000000a', type: 'application.submitted', created_at: '2026-11-28T09:00:00.000Z', org: 'sari', data: { application_id: 'a7c1…', tracking_code: 'SARI-1405-000123', service: 'building-permit' } },
  attempt_log: [{ at: '2026-11-28T09:00:00.120Z', status_code: 500, duration_ms: 41, error: 'HTTP 500' }, { at: '2026-11-28T09:00:30.380Z', status_code: 200, duration_ms: 32, error: null }],
};
const deliveryJson = z.object({
  id: z.string(), event_type: z.string(), event_id: z.string().nullable(), ordering_key: z.string().nullable(), state: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int().meta({ description: 'Attempts since it was last queued' }), last_status_code: z.number().int().nullable(), last_error: z.string().nullable(),
  next_attempt_at: z.string().nullable(), created_at: z.string(), settled_at: z.string().nullable(),
  payload: z.unknown().meta({ description: 'The JSON body that was signed and sent' }), attempt_log: z.array(attemptJson),
}).meta({ example: deliveryExample });

const subscriptionBody = z.object({
  url: z.string().max(2000).meta({ description: 'https:// (outside production also http://localhost or http://127.0.0.1); in production no private or loopback address', example: 'https://backoffice.example.ir/pishkhan/hooks' }),
  event_types: z.array(z.string().max(64)).max(20).meta({ description: `Any of: ${EVENT_TYPES.join(', ')}`, example: ['application.submitted', 'application.state_changed'] }),
  description: z.string().max(1000).optional().meta({ example: 'Archive system' }),
  active: z.boolean().optional(),
}).meta({ example: { url: 'https://backoffice.example.ir/pishkhan/hooks', event_types: ['application.submitted'], description: 'Archive system' } });
const patchBody = z.object({
  url: z.string().max(2000).optional(), event_types: z.array(z.string().max(64)).max(20).optional(), description: z.string().max(1000).optional(),
  active: z.boolean().optional().meta({ description: 'false pauses the subscription (no new deliveries; queued ones fail), true resumes it' }),
}).meta({ example: { active: false } });

const subJson = (s: SubscriptionView) => ({ ...s, created_at: iso(s.created_at)!, updated_at: iso(s.updated_at)!, secret_rotated_at: iso(s.secret_rotated_at), last_delivery_at: iso(s.last_delivery_at) });
const delJson = (d: DeliveryView) => ({
  ...d, next_attempt_at: iso(d.next_attempt_at), created_at: iso(d.created_at)!, settled_at: iso(d.settled_at),
  attempt_log: d.attempt_log.map((a) => ({ ...a, at: iso(a.at)! })),
});

export function webhooksRoutes(deps: AppDeps) {
  const webhooks = createWebhooksService({ db: deps.db, clock: deps.clock, isProduction: deps.config.isProduction, onOutbox: () => deps.worker.kick() });
  const actorOf = (req: FastifyRequest): Actor => {
    if (req.actor.kind === 'anonymous' || req.actor.kind === 'system') throw unauthorized();
    return req.actor;
  };
  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['webhooks'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
    const errors = { 401: errorReply, 404: errorReply };
    const base = '/api/v1/orgs/:org/webhooks';
    // API clients of the organization with the webhooks.manage scope may use every route.
    const config = { apiScope: 'webhooks.manage' as const };

    api.get(base, {
      config,
      schema: { tags, security, summary: "The organization's webhook subscriptions (org admins)", params: orgParams, response: { 200: z.object({ items: z.array(subscriptionJson) }), ...errors } },
    }, async (req) => ({ items: (await webhooks.list(actorOf(req), req.params.org)).items.map(subJson) }));

    api.post(base, {
      config,
      schema: {
        tags, security, summary: 'Subscribe a receiver to event types; the answer holds the signing secret, shown only this once',
        description: 'Bad values answer 400 naming the field (url, event_types, description). Every delivery is signed; see docs/api.md, "Webhooks".',
        params: orgParams, body: subscriptionBody, response: { 201: withSecret, 400: errorReply, 409: errorReply, ...errors },
      },
    }, async (req, reply) => {
      const made = await webhooks.create(actorOf(req), req.params.org, req.body);
      return reply.status(201).send({ ...subJson(made.subscription), secret: made.secret });
    });

    api.get(`${base}/:id`, {
      config,
      schema: { tags, security, summary: 'One subscription (never its secret)', params: subParams, response: { 200: subscriptionJson, ...errors } },
    }, async (req) => subJson(await webhooks.get(actorOf(req), req.params.org, req.params.id)));

    api.patch(`${base}/:id`, {
      config,
      schema: { tags, security, summary: 'Change the address, event types or description; pause (active false) or resume', params: subParams, body: patchBody, response: { 200: subscriptionJson, 400: errorReply, ...errors } },
    }, async (req) => subJson(await webhooks.update(actorOf(req), req.params.org, req.params.id, req.body)));

    api.delete(`${base}/:id`, {
      config,
      schema: { tags, security, summary: 'Delete a subscription (its queued deliveries fail; the delivery log is kept)', params: subParams, response: { 204: z.null().meta({ description: 'Deleted' }), ...errors } },
    }, async (req, reply) => {
      await webhooks.remove(actorOf(req), req.params.org, req.params.id);
      return reply.status(204).send(null);
    });

    api.post(`${base}/:id/rotate-secret`, {
      config,
      schema: { tags, security, summary: 'Replace the signing secret; the new one is in this answer only and the old one stops at once', params: subParams, response: { 200: withSecret, ...errors } },
    }, async (req) => {
      const r = await webhooks.rotateSecret(actorOf(req), req.params.org, req.params.id);
      return { ...subJson(r.subscription), secret: r.secret };
    });

    api.get(`${base}/:id/deliveries`, {
      config,
      schema: {
        tags, security, summary: 'The delivery log of a subscription, newest first, each delivery with its attempts (time, status code, duration)',
        params: subParams,
        querystring: z.object({
          state: z.string().max(20).optional().meta({ description: 'pending, succeeded or failed' }),
          limit: z.string().max(5).optional().meta({ description: '1-200, default 50' }),
          before: z.string().max(20).optional().meta({ description: 'next_before of the previous page' }),
        }),
        response: { 200: z.object({ items: z.array(deliveryJson), next_before: z.number().nullable() }), 400: errorReply, ...errors },
      },
    }, async (req) => {
      const r = await webhooks.deliveries(actorOf(req), req.params.org, req.params.id, req.query);
      return { items: r.items.map(delJson), next_before: r.next_before };
    });

    api.get(`${base}/:id/deliveries/:delivery`, {
      config,
      schema: { tags, security, summary: 'One delivery with its body and attempts', params: deliveryParams, response: { 200: deliveryJson, ...errors } },
    }, async (req) => delJson(await webhooks.delivery(actorOf(req), req.params.org, req.params.id, req.params.delivery)));

    api.post(`${base}/:id/deliveries/:delivery/redeliver`, {
      config,
      schema: {
        tags, security, summary: 'Send a delivery again now (its retry schedule starts over; earlier attempts stay in the log)',
        params: deliveryParams, response: { 202: deliveryJson, 409: errorReply, ...errors },
      },
    }, async (req, reply) => reply.status(202).send(delJson(await webhooks.redeliver(actorOf(req), req.params.org, req.params.id, req.params.delivery))));
  };
}
