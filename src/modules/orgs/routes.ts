import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { seeOther } from '../../platform/http/forms.js';
import { unauthorized } from '../../platform/http/errors.js';
import { errorReply } from '../identity/schemas.js';
import { OrgPage, OrgStaffPage } from './views/org.js';

const orgSchema = z.object({
  code: z.string().meta({ example: 'sari' }),
  kind: z.enum(['province', 'municipality', 'agency', 'ict']),
  name: z.object({ fa: z.string(), en: z.string() }),
  parent: z.string().nullable(),
  is_reference: z.boolean(),
  location: z.object({ lat: z.number(), lng: z.number() }).nullable(),
  population: z.number().nullable(),
}).meta({ example: { code: 'sari', kind: 'municipality', name: { fa: 'شهرداری ساری', en: 'Sari Municipality' }, parent: 'mazandaran', is_reference: false, location: { lat: 36.5633, lng: 53.0601 }, population: 309800 } });
const codeParams = z.object({ code: z.string().max(64).regex(/^[a-z0-9-]+$/).meta({ example: 'sari', description: 'The organization\'s code' }) });
const staffSchema = z.object({ id: z.string(), username: z.string(), display_name: z.string(), role: z.string(), totp_enabled: z.boolean(), disabled: z.boolean() })
  .meta({ example: { id: '0193a5c2-8a40-7d11-b2c4-51e0f3a9d7e8', username: 'a.karimi', display_name: 'علی کریمی', role: 'manager', totp_enabled: true, disabled: false } });

/** The public directory of organizations, and each organization's staff for its admins. */
export function orgsRoutes(deps: AppDeps) {
  const { orgs } = deps.services;
  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    api.get('/api/v1/orgs', { schema: { tags: ['orgs'], summary: 'All organizations of the platform', response: { 200: z.object({ items: z.array(orgSchema) }) } } },
      async () => ({ items: await orgs.list() }));
    api.get('/api/v1/orgs/:code', { schema: { tags: ['orgs'], summary: 'One organization by code', params: codeParams, response: { 200: orgSchema, 400: errorReply, 404: errorReply } } },
      async (req) => orgs.byCode(req.params.code));
    api.get('/api/v1/orgs/:code/staff', {
      schema: { tags: ['orgs'], summary: 'Staff of an organization (its admins and managers, and the province admin)', params: codeParams, security: [{ bearer: [] }, { session: [] }], response: { 200: z.object({ items: z.array(staffSchema) }), 400: errorReply, 401: errorReply, 404: errorReply } },
    }, async (req) => {
      if (req.actor.kind === 'anonymous' || req.actor.kind === 'system') throw unauthorized();
      return { items: await orgs.staff(req.actor, req.params.code) };
    });

    app.get('/orgs/:code', { schema: { hide: true } }, async (req, reply) => {
      const org = await orgs.byCode(String((req.params as { code: string }).code));
      return sendPage(reply, h(OrgPage, { ctx: viewContext(req, reply, { isProduction: deps.config.isProduction, now: deps.clock.now() }), org }));
    });
    app.get('/staff/orgs/:code', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
      const code = String((req.params as { code: string }).code);
      const staff = await orgs.staff(req.actor, code);
      const org = await orgs.byCode(code);
      return sendPage(reply, h(OrgStaffPage, { ctx: viewContext(req, reply, { isProduction: deps.config.isProduction, now: deps.clock.now() }), org, staff }));
    });
  };
}
