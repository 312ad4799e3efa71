import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { notFound } from '../../platform/http/errors.js';
import { t } from '../../platform/i18n/messages.js';
import type { AgenciesService, AgencyView, ExternalServiceView } from './agencies.js';
import * as s from './agencies-schemas.js';
import { ExternalServicePage } from './views/external-service.js';
import { AgenciesPage, AgencyPage, ExternalServiceEditPage, serviceFormValues } from './views/external-agencies.js';
import './messages-external.js';

const iso = (ms: number) => new Date(ms).toISOString();
export const externalPage = (x: { agency: { code: string }; code: string }) => `/services/external/${x.agency.code}/${x.code}`;
const agencyJson = (a: AgencyView) => ({ code: a.code, name: a.name, website: a.website, active_services: a.activeServices, created_at: iso(a.createdAt) });
const serviceJson = (x: ExternalServiceView) => ({
  id: x.id, agency: x.agency, code: x.code, title: x.title, description: x.description, documents: x.documents, maturity: x.maturity, url: x.url,
  category: x.category, active: x.active, page: externalPage(x), created_at: iso(x.createdAt), updated_at: iso(x.updatedAt),
});

/** Agencies and their external e-services: the JSON API, the province administrator's pages, and each service's public page. */
export function agenciesRoutes(deps: AppDeps & { services: { agencies: AgenciesService } }) {
  const { agencies } = deps.services;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction: deps.config.isProduction, now: deps.clock.now() });
  const params = <T>(req: FastifyRequest) => req.params as T;

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['agencies'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

    // ---------- JSON ----------
    api.get('/api/v1/agencies', {
      schema: { tags, summary: 'Agencies whose e-services the single window lists (done on the agencies\' own sites)', response: { 200: s.agenciesReply } },
    }, async () => ({ items: (await agencies.list()).map(agencyJson) }));

    api.post('/api/v1/agencies', {
      schema: { tags, summary: 'Register an agency (province administrator)', security, body: s.agencyBody, response: { 201: s.agencyReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req, reply) => reply.status(201).send(agencyJson(await agencies.createAgency(req.actor, req.body))));

    api.get('/api/v1/agencies/:agency', {
      schema: { tags, summary: 'An agency and its active external services (the province administrator also sees inactive ones)', params: s.agencyParams, response: { 200: s.agencyDetailReply, 404: s.errorReply } },
    }, async (req) => {
      const r = await agencies.get(req.actor, req.params.agency);
      return { agency: agencyJson(r.agency), services: r.services.map(serviceJson) };
    });

    api.put('/api/v1/agencies/:agency', {
      schema: { tags, summary: 'Change an agency\'s names and website (province administrator)', security, params: s.agencyParams, body: s.agencyBody, response: { 200: s.agencyReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => agencyJson(await agencies.updateAgency(req.actor, req.params.agency, req.body)));

    api.get('/api/v1/agencies/:agency/services', {
      schema: { tags, summary: 'An agency\'s external services', params: s.agencyParams, response: { 200: s.agencyDetailReply, 404: s.errorReply } },
    }, async (req) => {
      const r = await agencies.get(req.actor, req.params.agency);
      return { agency: agencyJson(r.agency), services: r.services.map(serviceJson) };
    });

    api.post('/api/v1/agencies/:agency/services', {
      schema: { tags, summary: 'Add an external service to an agency (province administrator)', security, params: s.agencyParams, body: s.externalServiceBody, response: { 201: s.externalServiceReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req, reply) => reply.status(201).send(serviceJson(await agencies.addService(req.actor, req.params.agency, req.body))));

    api.get('/api/v1/agencies/:agency/services/:code', {
      schema: { tags, summary: 'One external service: description, documents, maturity, where it is done', params: s.serviceParams, response: { 200: s.externalServiceReply, 404: s.errorReply } },
    }, async (req) => serviceJson(await agencies.service(req.actor, req.params.agency, req.params.code)));

    api.put('/api/v1/agencies/:agency/services/:code', {
      schema: { tags, summary: 'Replace an external service; active=false takes it off the single window (province administrator)', security, params: s.serviceParams, body: s.externalServiceBody, response: { 200: s.externalServiceReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => serviceJson(await agencies.updateService(req.actor, req.params.agency, req.params.code, req.body)));

    // ---------- the public page of an external service ----------
    app.get('/services/external/:agency/:code', { schema: { hide: true } }, async (req, reply) => {
      const p = params<{ agency: string; code: string }>(req);
      return sendPage(reply, h(ExternalServicePage, { ctx: ctxOf(req, reply), service: await agencies.service(req.actor, p.agency, p.code) }));
    });

    // ---------- the province administrator's pages ----------
    const adminOnly = (req: FastifyRequest, reply: FastifyReply): boolean => {
      if (req.actor.kind !== 'staff') {
        void seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
        return false;
      }
      if (!agencies.mayManage(req.actor)) throw notFound();
      return true;
    };
    const notice = (req: FastifyRequest) => ((req.query as { done?: string }).done ? t(req.locale, 'external.saved_ok') : undefined);

    app.get('/staff/agencies', { schema: { hide: true } }, async (req, reply) => {
      if (!adminOnly(req, reply)) return reply;
      return sendPage(reply, h(AgenciesPage, { ctx: ctxOf(req, reply), agencies: await agencies.list(), notice: notice(req) }));
    });

    app.post('/staff/agencies', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!adminOnly(req, reply)) return reply;
      const values = formValues(req);
      try {
        const a = await agencies.createAgency(req.actor, values);
        return seeOther(reply, `/staff/agencies/${a.code}?done=1`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        return sendPage(reply, h(AgenciesPage, { ctx, agencies: await agencies.list(), values, errors: f.errors, error: f.error }), f.status);
      }
    });

    const agencyPage = async (req: FastifyRequest, reply: FastifyReply, code: string, forms: { agencyForm?: { values: Record<string, string>; errors: Record<string, string>; error?: string }; serviceForm?: { values: Record<string, string>; errors: Record<string, string>; error?: string } } = {}, status = 200) => {
      const r = await agencies.get(req.actor, code);
      return sendPage(reply, h(AgencyPage, { ctx: ctxOf(req, reply), agency: r.agency, services: r.services, notice: notice(req), ...forms }), status);
    };

    app.get('/staff/agencies/:agency', { schema: { hide: true } }, async (req, reply) => {
      if (!adminOnly(req, reply)) return reply;
      return agencyPage(req, reply, params<{ agency: string }>(req).agency);
    });

    app.post('/staff/agencies/:agency', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!adminOnly(req, reply)) return reply;
      const code = params<{ agency: string }>(req).agency;
      const values = formValues(req);
      try {
        await agencies.updateAgency(req.actor, code, values);
        return seeOther(reply, `/staff/agencies/${code}?done=1`);
      } catch (err) {
        const f = formFailure(ctxOf(req, reply), err);
        if (f.status === 404) throw err;
        return agencyPage(req, reply, code, { agencyForm: { values, errors: f.errors, error: f.error } }, f.status);
      }
    });

    app.post('/staff/agencies/:agency/services', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!adminOnly(req, reply)) return reply;
      const code = params<{ agency: string }>(req).agency;
      const values = formValues(req);
      try {
        await agencies.addService(req.actor, code, { ...values, active: values.active === 'on' });
        return seeOther(reply, `/staff/agencies/${code}?done=1`);
      } catch (err) {
        const f = formFailure(ctxOf(req, reply), err);
        if (f.status === 404) throw err;
        return agencyPage(req, reply, code, { serviceForm: { values, errors: f.errors, error: f.error } }, f.status);
      }
    });

    app.get('/staff/agencies/:agency/services/:code', { schema: { hide: true } }, async (req, reply) => {
      if (!adminOnly(req, reply)) return reply;
      const p = params<{ agency: string; code: string }>(req);
      const r = await agencies.get(req.actor, p.agency);
      const svc = await agencies.service(req.actor, p.agency, p.code);
      return sendPage(reply, h(ExternalServiceEditPage, { ctx: ctxOf(req, reply), agency: r.agency, service: svc, values: serviceFormValues(svc) }));
    });

    app.post('/staff/agencies/:agency/services/:code', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!adminOnly(req, reply)) return reply;
      const p = params<{ agency: string; code: string }>(req);
      const values = formValues(req);
      try {
        await agencies.updateService(req.actor, p.agency, p.code, { ...values, active: values.active === 'on' });
        return seeOther(reply, `/staff/agencies/${p.agency}?done=1`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        const r = await agencies.get(req.actor, p.agency);
        const svc = await agencies.service(req.actor, p.agency, p.code);
        return sendPage(reply, h(ExternalServiceEditPage, { ctx, agency: r.agency, service: svc, values: { ...values, code: svc.code }, errors: f.errors, error: f.error }), f.status);
      }
    });

    for (const op of ['activate', 'deactivate'] as const) {
      app.post(`/staff/agencies/:agency/services/:code/${op}`, { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
        if (!adminOnly(req, reply)) return reply;
        const p = params<{ agency: string; code: string }>(req);
        await agencies.setActive(req.actor, p.agency, p.code, op === 'activate');
        return seeOther(reply, `/staff/agencies/${p.agency}?done=1`);
      });
    }
  };
}
