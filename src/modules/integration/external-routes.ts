import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { t } from '../../platform/i18n/messages.js';
import { verifyApiKey } from '../../platform/auth/api-keys.js';
import { errorReply } from '../identity/schemas.js';
import type { ConnectionView, ExternalService } from './external.js';
import { ConnectionsPage } from './views/external-connections.js';
import './messages-external.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const orgParams = z.object({ org: z.string().max(64).meta({ example: 'sari' }) });
const serviceParams = orgParams.extend({ service: z.string().max(64).meta({ example: 'building-permit' }) });
const trackingParams = orgParams.extend({ tracking: z.string().max(64).meta({ example: 'SARI-1405-000123' }) });
const connectionReply = z.object({
  service: z.object({ code: z.string(), title: z.object({ fa: z.string(), en: z.string() }), enabled: z.boolean() }),
  connection: z.object({ id: z.string(), url: z.string(), active: z.boolean(), created_at: z.string(), updated_at: z.string(), secret_rotated_at: z.string().nullable() }).nullable(),
});
const connectionsReply = z.object({ org: z.object({ code: z.string(), name: z.object({ fa: z.string(), en: z.string() }) }), items: z.array(connectionReply) });
const setBody = z.object({
  url: z.string().max(2000).meta({ description: 'The receiver of the signed webhooks (https; outside production also http://127.0.0.1).', example: 'https://backoffice.example.org/pishkhan' }),
  active: z.boolean().optional().meta({ description: 'Forward new applications (default true).' }),
});
const secretReply = connectionReply.extend({ secret: z.string().nullable().meta({ description: 'The signing secret, shown only when the connection is created or its secret rotated.' }) });
const statusBody = z.object({
  state: z.string().max(64).meta({ description: 'A state of the service\'s workflow (the application moves there; a final state closes it), or `external` with a free `status`.', example: 'inspection' }),
  status: z.string().max(200).optional().meta({ description: 'The external system\'s own status text, shown to the citizen (required with state `external`).', example: 'در انتظار بازدید کارشناس' }),
  note: z.string().max(2000).nullable().optional().meta({ description: 'A note for the citizen; shown on tracking, so no personal data.' }),
  at: z.string().max(40).optional().meta({ description: 'When it happened in the external system (ISO 8601; default now).', example: '2026-11-28T10:00:00Z' }),
});
const statusReply = z.object({ tracking_code: z.string(), state: z.string(), phase: z.enum(['open', 'closed']), status: z.string(), note: z.string().nullable(), at: z.string() });

const connectionJson = (v: ConnectionView) => ({
  service: v.service,
  connection: v.connection ? { id: v.connection.id, url: v.connection.url, active: v.connection.active, created_at: iso(v.connection.createdAt)!, updated_at: iso(v.connection.updatedAt)!, secret_rotated_at: iso(v.connection.secretRotatedAt) } : null,
});
// A variable (not a literal) so this compiles before and after the API-client gate's config type.
const actScope = { apiScope: 'applications.act' } as const;

/** External back-office connections: the org admin's settings (page and API) and the status an external system reports back. */
export function externalRoutes(deps: AppDeps & { services: { external: ExternalService } }) {
  const { external } = deps.services;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction: deps.config.isProduction, now: deps.clock.now() });
  const params = <T>(req: FastifyRequest) => req.params as T;

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['external back-office'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

    api.get('/api/v1/orgs/:org/external/connections', {
      schema: { tags, summary: 'The organization\'s adopted services and which are processed in an external system (org admin)', security, params: orgParams, response: { 200: connectionsReply, 401: errorReply, 404: errorReply } },
    }, async (req) => {
      const r = await external.connections(req.actor, req.params.org);
      return { org: r.org, items: r.items.map(connectionJson) };
    });

    api.put('/api/v1/orgs/:org/external/connections/:service', {
      schema: {
        tags, summary: 'Mark an adopted service as processed in an external system, or change its address and active flag (org admin)', security, params: serviceParams, body: setBody,
        description: 'Each application of the service submitted in Pishkhan is then sent to `url` as a signed webhook (`application.submitted`, with the form and the documents\' metadata and `status_url`). The answer carries the signing secret once, when the connection is created (201).',
        response: { 200: secretReply, 201: secretReply, 400: errorReply, 401: errorReply, 404: errorReply },
      },
    }, async (req, reply) => {
      const r = await external.setConnection(req.actor, req.params.org, req.params.service, req.body);
      return reply.status(r.created ? 201 : 200).send({ ...connectionJson(r.view), secret: r.secret });
    });

    api.post('/api/v1/orgs/:org/external/connections/:service/rotate-secret', {
      schema: { tags, summary: 'Replace the connection\'s signing secret; the new one is shown this once (org admin)', security, params: serviceParams, response: { 200: secretReply, 401: errorReply, 404: errorReply } },
    }, async (req) => {
      const r = await external.rotateSecret(req.actor, req.params.org, req.params.service);
      return { ...connectionJson(r.view), secret: r.secret };
    });

    api.post('/api/v1/orgs/:org/external/applications/:tracking/status', {
      config: actScope,
      schema: {
        tags, summary: 'The external system reports an application\'s status (API client of the organization, scope applications.act)', security: [{ bearer: [] }], params: trackingParams, body: statusBody,
        description: 'Records an application event the citizen sees on /track and /my/applications and an audit entry. A workflow state moves the application (a final one closes it); `external` keeps the state and shows `status`. Another organization\'s key gets 404.',
        response: { 200: statusReply, 400: errorReply, 401: errorReply, 403: errorReply, 404: errorReply, 409: errorReply },
      },
    }, async (req) => {
      let actor = req.actor;
      // Until every API request is resolved centrally, the key is read here (Bearer pk_... or X-Api-Key).
      if (actor.kind !== 'api_client') {
        const auth = req.headers.authorization;
        const key = auth?.startsWith('Bearer pk_') ? auth.slice(7).trim() : typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : null;
        if (key) actor = (await verifyApiKey(deps.db, key, deps.clock.now(), req.ip)) ?? actor;
      }
      const r = await external.reportStatus(actor, req.params.org, req.params.tracking, req.body);
      return { tracking_code: r.trackingCode, state: r.state, phase: r.phase, status: r.status, note: r.note, at: r.at };
    });

    // ---------- the org admin's page ----------
    const page = async (req: FastifyRequest, reply: FastifyReply, extra: Partial<Parameters<typeof ConnectionsPage>[0]> = {}, status = 200) => {
      const r = await external.connections(req.actor, params<{ org: string }>(req).org);
      return sendPage(reply, h(ConnectionsPage, { ctx: ctxOf(req, reply), org: r.org, items: r.items, ...extra }), status);
    };
    const staffOnly = (req: FastifyRequest, reply: FastifyReply): boolean => {
      if (req.actor.kind === 'staff') return true;
      void seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
      return false;
    };

    app.get('/staff/orgs/:org/external', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      return page(req, reply, (req.query as { done?: string }).done ? { notice: t(req.locale, 'external.saved_ok') } : {});
    });

    app.post('/staff/orgs/:org/external/:service', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const p = params<{ org: string; service: string }>(req);
      const values = formValues(req);
      try {
        const r = await external.setConnection(req.actor, p.org, p.service, { url: values.url, active: values.active === 'on' });
        if (r.secret) return page(req, reply, { secret: { service: p.service, value: r.secret } });
        return seeOther(reply, `/staff/orgs/${p.org}/external?done=1`);
      } catch (err) {
        const f = formFailure(ctxOf(req, reply), err);
        if (f.status === 404 || f.status === 401) throw err;
        return page(req, reply, { error: { service: p.service, message: f.error, fields: f.errors, values } }, f.status);
      }
    });

    app.post('/staff/orgs/:org/external/:service/rotate', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const p = params<{ org: string; service: string }>(req);
      const r = await external.rotateSecret(req.actor, p.org, p.service);
      return page(req, reply, { secret: { service: p.service, value: r.secret } });
    });
  };
}
