/**
 * API clients: the org admins' JSON API (/api/v1/orgs/:org/api-clients) and page
 * (/staff/api-clients). Who may manage which organization's clients is decided in clients.ts;
 * keys are made, hashed and checked in platform/auth/api-keys.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { routeKit } from '../../platform/http/route-kit.js';
import { sendPage } from '../../platform/http/context.js';
import { formFailure, seeOther } from '../../platform/http/forms.js';
import { toAsciiDigits } from '../../platform/i18n/persian.js';
import { API_SCOPES, type ApiClientInfo } from '../../platform/auth/api-keys.js';
import { errorReply } from '../identity/schemas.js';
import { clientsOf, createClient, revokeClient, rotateClient } from './clients.js';
import { ClientsPage, type ClientsPageProps } from './views/clients.js';
import './messages-clients.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const clientJson = (c: ApiClientInfo) => ({
  id: c.id, name: c.name, key_prefix: c.key_prefix, scopes: c.scopes, rate_per_minute: c.rate_per_minute,
  created_at: new Date(c.created_at).toISOString(), last_used_at: iso(c.last_used_at), rotated_at: iso(c.rotated_at), revoked_at: iso(c.revoked_at),
  state: c.revoked_at === null ? ('active' as const) : ('revoked' as const),
});

const client = z.object({
  id: z.string(), name: z.string(), key_prefix: z.string().meta({ example: '3fa4c2d1' }), scopes: z.array(z.string()).meta({ example: ['reports.read'] }),
  rate_per_minute: z.number().int(), created_at: z.string(), last_used_at: z.string().nullable(), rotated_at: z.string().nullable(), revoked_at: z.string().nullable(),
  state: z.enum(['active', 'revoked']),
});
const withKey = z.object({ client, key: z.string().meta({ example: 'pk_3fa4c2d1_ZmFrZS1leGFtcGxlLWtleS1vbmx5LTAwMDAw', description: 'Shown this once; only its hash is kept.' }) });
const orgParams = z.object({ org: z.string().min(1).max(64) });
const idParams = orgParams.extend({ id: z.string().min(1).max(64) });
const createBody = z.object({
  name: z.string().max(400).meta({ example: 'Urban planning system' }),
  scopes: z.array(z.string().max(40)).max(20).meta({ example: ['applications.read', 'applications.act'], description: `Any of: ${API_SCOPES.join(', ')}` }),
  rate_per_minute: z.number().int().nullable().optional().meta({ example: 120, description: '1 to 10000 requests a minute; default 120' }),
});

/** The scopes a urlencoded form sent (one checkbox is a string, several an array). */
function formScopes(body: Record<string, unknown>): string[] {
  const v = body.scopes;
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((s): s is string => typeof s === 'string').slice(0, 20).map((s) => s.slice(0, 40));
}

/** The rate as typed (Persian digits too): null when empty, NaN when not a whole number. */
function formRate(v: unknown): number | null {
  const s = toAsciiDigits(typeof v === 'string' ? v : '').replace(/[\s,٬]/g, '');
  if (!s) return null;
  return /^\d{1,6}$/.test(s) ? Number(s) : Number.NaN;
}

export function integrationClientsRoutes(deps: AppDeps) {
  const { db, clock } = deps;
  const kit = routeKit({ isProduction: deps.config.isProduction, clock });

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['api-clients'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
    const errors = { 401: errorReply, 404: errorReply };
    const base = '/api/v1/orgs/:org/api-clients';

    api.get(base, {
      schema: { tags, security, summary: "An organization's API clients, newest first (never their keys)", description: 'For its org admins; the province admin for any organization. Another organization answers 404.', params: orgParams, response: { 200: z.object({ items: z.array(client) }), ...errors } },
    }, async (req) => ({ items: (await clientsOf(db, kit.apiActor(req), req.params.org)).clients.map(clientJson) }));

    api.post(base, {
      schema: {
        tags, security, summary: 'Create an API client; the answer holds its key, the only time it is readable',
        description: 'Bad values answer 400 naming the field (name, scopes, rate_per_minute). Writes an audit entry.',
        params: orgParams, body: createBody, response: { 201: withKey, 400: errorReply, ...errors },
      },
    }, async (req, reply) => {
      const made = await createClient(db, kit.apiActor(req), req.params.org, req.body, clock.now());
      return reply.status(201).header('cache-control', 'no-store').send({ client: clientJson(made.client), key: made.key });
    });

    api.post(`${base}/:id/rotate`, {
      schema: { tags, security, summary: "Replace a client's key; the old key stops working at once", params: idParams, response: { 200: withKey, 409: errorReply, ...errors } },
    }, async (req, reply) => {
      const r = await rotateClient(db, kit.apiActor(req), req.params.org, req.params.id, clock.now());
      return reply.header('cache-control', 'no-store').send({ client: clientJson(r.client), key: r.key });
    });

    const revokeSchema = { tags, security, summary: 'Revoke a client at once (revoking again changes nothing)', params: idParams, response: { 200: z.object({ client }), ...errors } };
    api.post(`${base}/:id/revoke`, { schema: revokeSchema }, async (req) => ({ client: clientJson((await revokeClient(db, kit.apiActor(req), req.params.org, req.params.id, clock.now())).client) }));
    api.delete(`${base}/:id`, { schema: { ...revokeSchema, summary: 'Revoke a client (as POST .../revoke)' } }, async (req) => ({ client: clientJson((await revokeClient(db, kit.apiActor(req), req.params.org, req.params.id, clock.now())).client) }));

    // ---------- page ----------
    const signIn = (req: FastifyRequest, reply: FastifyReply) => kit.signInFirst(req, reply, '/staff/login');
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 64) : undefined);

    async function render(req: FastifyRequest, reply: FastifyReply, orgCode: string | undefined, extra: Partial<Pick<ClientsPageProps, 'values' | 'errors' | 'error' | 'flash' | 'newKey'>> = {}, status = 200) {
      const ctx = kit.ctxOf(req, reply);
      const data = await clientsOf(db, req.actor, orgCode);
      if (extra.newKey) reply.header('cache-control', 'no-store');
      return sendPage(reply, h(ClientsPage, { ctx, ...data, values: extra.values ?? {}, errors: extra.errors, error: extra.error, flash: extra.flash, newKey: extra.newKey }), status);
    }
    async function failed(req: FastifyRequest, reply: FastifyReply, err: unknown, orgCode: string, values: ClientsPageProps['values']) {
      const f = formFailure(kit.ctxOf(req, reply), err);
      if (f.status === 404 || f.status === 401 || f.status === 403) throw err;
      return render(req, reply, orgCode, { values, errors: f.errors, error: f.error }, f.status);
    }

    app.get('/staff/api-clients', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const q = req.query as Record<string, unknown>;
      const ctx = kit.ctxOf(req, reply);
      // ?revoked=<id> names the client just revoked (looked up, so a link cannot make up the message).
      const revoked = str(q.revoked) ? (await clientsOf(db, req.actor, str(q.org))).clients.find((c) => c.id === str(q.revoked) && c.revoked_at !== null) : undefined;
      return render(req, reply, str(q.org), { flash: revoked ? ctx.t('api_clients.revoked_flash', { name: revoked.name }) : undefined });
    });

    app.post('/staff/api-clients', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const orgCode = str(body.org) ?? '';
      const values = { name: typeof body.name === 'string' ? body.name.slice(0, 400) : '', scopes: formScopes(body), rate_per_minute: typeof body.rate_per_minute === 'string' ? body.rate_per_minute.slice(0, 20) : '' };
      try {
        const made = await createClient(db, req.actor, orgCode, { name: values.name, scopes: values.scopes, rate_per_minute: formRate(values.rate_per_minute) }, clock.now());
        return await render(req, reply, orgCode, { newKey: { name: made.client.name, key: made.key } }, 201);
      } catch (err) {
        return failed(req, reply, err, orgCode, values);
      }
    });

    app.post('/staff/api-clients/:id/rotate', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const orgCode = str(((req.body ?? {}) as Record<string, unknown>).org) ?? '';
      try {
        const r = await rotateClient(db, req.actor, orgCode, String((req.params as { id: string }).id), clock.now());
        return await render(req, reply, orgCode, { newKey: { name: r.client.name, key: r.key } });
      } catch (err) {
        return failed(req, reply, err, orgCode, {});
      }
    });

    app.post('/staff/api-clients/:id/revoke', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const orgCode = str(((req.body ?? {}) as Record<string, unknown>).org) ?? '';
      try {
        const r = await revokeClient(db, req.actor, orgCode, String((req.params as { id: string }).id), clock.now());
        return seeOther(reply, `/staff/api-clients?${new URLSearchParams({ org: r.org.code, revoked: r.client.id }).toString()}`);
      } catch (err) {
        return failed(req, reply, err, orgCode, {});
      }
    });
  };
}
