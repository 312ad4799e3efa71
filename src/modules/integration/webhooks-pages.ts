/**
 * The staff pages of webhooks: /staff/webhooks (an organization's subscriptions and a form for a
 * new one) and /staff/webhooks/:id (settings, pause/resume, new secret, delete, delivery log with
 * redeliver). A new secret is shown in the answer to the POST itself, never put in an address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { notFound } from '../../platform/http/errors.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { createWebhooksService } from './webhooks-service.js';
import { WebhookDetailPage, WebhooksPage, type FormState } from './views/webhooks.js';
import './messages-webhooks.js';

const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);

/** The checked boxes of event_types (one value arrives as a string, several as a list). */
function eventTypesOf(req: FastifyRequest): string[] {
  const raw = (req.body as Record<string, unknown> | undefined)?.event_types;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is string => typeof v === 'string').map((v) => v.slice(0, 64)).slice(0, 20);
}

export function webhooksPages(deps: AppDeps) {
  const webhooks = createWebhooksService({ db: deps.db, clock: deps.clock, isProduction: deps.config.isProduction, onOutbox: () => deps.worker.kick() });
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction: deps.config.isProduction, now: deps.clock.now() });
  const signIn = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
  const idOf = (req: FastifyRequest) => String((req.params as { id?: string }).id ?? '').slice(0, 64);
  const detailUrl = (id: string, org: string, flag?: string) => `/staff/webhooks/${id}?${new URLSearchParams({ org, ...(flag ? { [flag]: '1' } : {}) }).toString()}`;

  async function list(req: FastifyRequest, reply: FastifyReply, orgCode: string | undefined, state: FormState, status = 200) {
    const ctx = ctxOf(req, reply);
    const choices = await webhooks.managedOrgs(req.actor);
    const code = orgCode || choices[0]?.code;
    if (!code) throw notFound();
    const data = await webhooks.list(req.actor, code);
    return sendPage(reply, h(WebhooksPage, { ctx, org: data.org, choices, items: data.items, state }), status);
  }

  async function detail(req: FastifyRequest, reply: FastifyReply, orgCode: string, id: string, state: FormState, status = 200) {
    const ctx = ctxOf(req, reply);
    const q = req.query as Record<string, unknown>;
    const data = await webhooks.list(req.actor, orgCode);
    const sub = await webhooks.get(req.actor, orgCode, id);
    const stateFilter = ['pending', 'succeeded', 'failed'].includes(str(q.state) ?? '') ? str(q.state)! : '';
    const before = /^\d{1,17}$/.test(str(q.before) ?? '') ? str(q.before) : undefined;
    const log = await webhooks.deliveries(req.actor, orgCode, id, { state: stateFilter || undefined, before, limit: 50 });
    return sendPage(reply, h(WebhookDetailPage, { ctx, org: data.org, sub, deliveries: log.items, nextBefore: log.next_before, stateFilter, state }), status);
  }

  /** A refused form: the page again with the typed values and each error beside its field; 401/403/404 stay what they are. */
  function failed(req: FastifyRequest, reply: FastifyReply, err: unknown, again: (s: FormState, status: number) => Promise<unknown>, values: FormState['values']) {
    const f = formFailure(ctxOf(req, reply), err);
    if (f.status === 404 || f.status === 401 || f.status === 403) throw err;
    return again({ values, errors: f.errors, error: f.error }, f.status);
  }

  return async function plugin(app: FastifyInstance) {
    app.get('/staff/webhooks', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const q = req.query as Record<string, unknown>;
      const ctx = ctxOf(req, reply);
      return list(req, reply, str(q.org), { values: {}, flash: q.deleted ? ctx.t('webhooks.deleted') : undefined });
    });

    app.post('/staff/webhooks', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const v = formValues(req);
      const orgCode = v.org ?? '';
      const values = { url: v.url ?? '', description: v.description ?? '', event_types: eventTypesOf(req) };
      try {
        const made = await webhooks.create(req.actor, orgCode, values);
        // The secret is shown in this answer only (a redirect would need it in the address or a session).
        return await detail(req, reply, orgCode, made.subscription.id, { values: {}, flash: ctxOf(req, reply).t('webhooks.created'), secret: made.secret }, 201);
      } catch (err) {
        return failed(req, reply, err, (s, status) => list(req, reply, orgCode, s, status), values);
      }
    });

    app.get('/staff/webhooks/:id', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const q = req.query as Record<string, unknown>;
      const ctx = ctxOf(req, reply);
      const flash = q.saved ? ctx.t('webhooks.saved') : q.paused ? ctx.t('webhooks.paused_done') : q.resumed ? ctx.t('webhooks.resumed_done') : q.redelivered ? ctx.t('webhooks.redelivered') : undefined;
      return detail(req, reply, str(q.org) ?? '', idOf(req), { values: {}, flash });
    });

    app.post('/staff/webhooks/:id', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const v = formValues(req);
      const orgCode = v.org ?? '';
      const id = idOf(req);
      const values = { url: v.url ?? '', description: v.description ?? '', event_types: eventTypesOf(req) };
      try {
        await webhooks.update(req.actor, orgCode, id, values);
        return seeOther(reply, detailUrl(id, orgCode, 'saved'));
      } catch (err) {
        return failed(req, reply, err, (s, status) => detail(req, reply, orgCode, id, s, status), values);
      }
    });

    for (const [path, active] of [['pause', false], ['resume', true]] as const) {
      app.post(`/staff/webhooks/:id/${path}`, { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
        if (req.actor.kind !== 'staff') return signIn(req, reply);
        const orgCode = formValues(req).org ?? '';
        await webhooks.update(req.actor, orgCode, idOf(req), { active });
        return seeOther(reply, detailUrl(idOf(req), orgCode, active ? 'resumed' : 'paused'));
      });
    }

    app.post('/staff/webhooks/:id/rotate', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const orgCode = formValues(req).org ?? '';
      const r = await webhooks.rotateSecret(req.actor, orgCode, idOf(req));
      return detail(req, reply, orgCode, idOf(req), { values: {}, flash: ctxOf(req, reply).t('webhooks.rotated'), secret: r.secret });
    });

    app.post('/staff/webhooks/:id/delete', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const orgCode = formValues(req).org ?? '';
      await webhooks.remove(req.actor, orgCode, idOf(req));
      return seeOther(reply, `/staff/webhooks?${new URLSearchParams({ org: orgCode, deleted: '1' }).toString()}`);
    });

    app.post('/staff/webhooks/:id/deliveries/:delivery/redeliver', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signIn(req, reply);
      const orgCode = formValues(req).org ?? '';
      const deliveryId = String((req.params as { delivery?: string }).delivery ?? '').slice(0, 64);
      try {
        await webhooks.redeliver(req.actor, orgCode, idOf(req), deliveryId);
        return seeOther(reply, detailUrl(idOf(req), orgCode, 'redelivered'));
      } catch (err) {
        return failed(req, reply, err, (s, status) => detail(req, reply, orgCode, idOf(req), s, status), {});
      }
    });
  };
}
