import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import multipart from '@fastify/multipart';
import { h } from 'preact';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther, checkMultipartCsrf } from '../../platform/http/forms.js';
import { AppError, notFound, unauthorized } from '../../platform/http/errors.js';
import { mayAct } from '../../platform/auth/access.js';
import { t } from '../../platform/i18n/messages.js';
import type { Actor } from '../../platform/core/index.js';
import type { ViewContext } from '../../platform/views/context.js';
import { validateForm } from '../catalog/workflow.js';
import { ApplicationFormError, STAFF_ATTACHMENT_KEY, type ApplicationView } from '../applications/service.js';
import { applicationJson } from '../applications/routes.js';
import { applicationReply } from '../applications/schemas.js';
import { problemMessages } from '../applications/views/parts.js';
import type { InboxInput } from './service.js';
import * as s from './schemas.js';
import { InboxPage } from './views/inbox.js';
import { CasePage, type CasePageProps } from './views/case.js';
import { CounterPage } from './views/counter.js';
import './messages.js';

// The file field of an action form; its other fields come first, so the CSRF token is checked
// before the file is read.
const ATTACHMENT_FIELD = 'attachment';
const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024 + 1;

const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());

/** The inbox filters of a page's query string: what parses is kept, anything else is ignored. */
function pageFilters(query: unknown): InboxInput {
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(s.inboxQuery.shape)) {
    const v = raw[key];
    if (v === undefined || v === '') continue;
    const r = (schema as z.ZodType).safeParse(v);
    if (r.success) out[key] = r.data;
  }
  return { ...out, escalated: out.escalated === 'true' } as InboxInput;
}

function apiFilters(q: s.InboxQuery): InboxInput {
  return { ...q, escalated: q.escalated === 'true' };
}


/** A failure in a page's language: per-field messages (with each problem's own parameters), a message for the form, the status. */
function pageFailure(ctx: ViewContext, err: unknown): { status: number; errors: Record<string, string>; error: string } {
  if (err instanceof ApplicationFormError) return { status: err.status, errors: problemMessages(ctx, err.problems), error: ctx.t(err.code) };
  return formFailure(ctx, err);
}

/** Staff pages and API of e-services: the inbox and its load, the case page (claim, assign, act, notes), escalation notices, the counter. */
export function caseworkRoutes(deps: AppDeps) {
  const { casework, applications, orgs } = deps.services;
  const isProduction = deps.config.isProduction;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const signInFirst = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
  const idOf = (req: FastifyRequest) => String((req.params as { id?: string }).id ?? '').slice(0, 64);
  const orgNames = async (ctx: ViewContext) => new Map((await orgs.list()).map((o) => [o.code, o.name[ctx.locale]]));
  const mayFileCounter = (actor: Actor) => actor.kind === 'staff' && actor.memberships.some((m) => mayAct(actor, m.orgId, 'applications.file_counter'));

  /** The case page, with a success message or the failure of one of its forms. */
  async function renderCase(req: FastifyRequest, reply: FastifyReply, id: string, extra: Pick<CasePageProps, 'flash' | 'failure'> = {}, status = 200) {
    const app: ApplicationView = await applications.getForStaff(req.actor, id);
    // A counter draft is finished on the applying pages; a citizen's unsent draft is nobody's case yet.
    if (app.phase === 'draft') {
      if (app.channel === 'counter') return seeOther(reply, `/applications/${app.id}/edit`);
      throw notFound();
    }
    const extras = await casework.caseExtras(req.actor, app);
    return sendPage(reply, h(CasePage, { ctx: ctxOf(req, reply), app, extras, attachmentField: ATTACHMENT_FIELD, ...extra }), status);
  }

  const flashOf = (ctx: ViewContext, done: string | undefined, code: string | null) =>
    done === 'filed' ? ctx.t('casework.case_filed', { code: code ?? '' }) : done ? ctx.t('casework.case_done') : undefined;

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    await app.register(multipart, { limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 10, parts: 12, fieldSize: 8192 } });

    // ---------- Pages ----------

    app.get('/staff/inbox', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      const filters = pageFilters(req.query);
      const data = await casework.inbox(req.actor, filters);
      const overseen = data.orgs.filter((o) => o.all).map((o) => o.code);
      const loads = overseen.length ? (await casework.summary(req.actor, { org: filters.org })).filter((l) => l.all) : [];
      const notices = overseen.length ? await casework.notices(req.actor, { org: filters.org }) : [];
      const all = await orgs.list();
      const orgChoices = req.actor.memberships.some((m) => m.role === 'province_admin')
        ? all.filter((o) => o.kind === 'municipality').map((o) => o.code)
        : [...new Set(req.actor.memberships.filter((m) => mayAct(req.actor, m.orgId, 'casework.inbox')).map((m) => m.orgCode))];
      return sendPage(reply, h(InboxPage, {
        ctx, data, filters, loads, notices, orgNames: new Map(all.map((o) => [o.code, o.name[ctx.locale]])), orgChoices, canCounter: mayFileCounter(req.actor),
      }));
    });

    app.get('/staff/applications/:id', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const id = idOf(req);
      const done = (req.query as { done?: string }).done;
      const ctx = ctxOf(req, reply);
      const app = await applications.getForStaff(req.actor, id);
      return renderCase(req, reply, id, { flash: flashOf(ctx, done, app.trackingCode) });
    });

    app.post('/staff/applications/:id/claim', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const id = idOf(req);
      try {
        await casework.claim(req.actor, id);
        return seeOther(reply, `/staff/applications/${id}?done=claimed`);
      } catch (err) {
        const f = pageFailure(ctxOf(req, reply), err);
        if (f.status === 404) throw err;
        return renderCase(req, reply, id, { failure: { form: 'claim', message: f.error, errors: f.errors, values: {} } }, f.status);
      }
    });

    app.post('/staff/applications/:id/assign', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const id = idOf(req);
      const values = formValues(req);
      try {
        await casework.assign(req.actor, id, values.staff_id ? values.staff_id : null);
        return seeOther(reply, `/staff/applications/${id}?done=assigned`);
      } catch (err) {
        const f = pageFailure(ctxOf(req, reply), err);
        if (f.status === 404) throw err;
        return renderCase(req, reply, id, { failure: { form: 'assign', message: f.error, errors: f.errors, values } }, f.status);
      }
    });

    app.post('/staff/applications/:id/notes', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const id = idOf(req);
      const values = formValues(req);
      try {
        await applications.addNote(req.actor, id, values.text ?? '');
        return seeOther(reply, `/staff/applications/${id}?done=note#history-title`);
      } catch (err) {
        const f = pageFailure(ctxOf(req, reply), err);
        if (f.status === 404) throw err;
        return renderCase(req, reply, id, { failure: { form: 'note', message: f.error, errors: f.errors, values } }, f.status);
      }
    });

    // An action form is multipart (it may carry an attachment); a plain urlencoded post works too.
    app.post('/staff/applications/:id/act', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const actor = req.actor;
      const id = idOf(req);
      const fields: Record<string, string> = {};
      const documentIds: string[] = [];
      let failure: unknown = null;
      let csrfChecked = false;
      if (req.isMultipart()) {
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            fields[part.fieldname] = String(part.value ?? '').slice(0, 4000);
            continue;
          }
          if (failure || part.fieldname !== ATTACHMENT_FIELD || !part.filename) {
            part.file.resume();
            continue;
          }
          await checkMultipartCsrf(app, req, reply, fields._csrf);
          csrfChecked = true;
          try {
            // A required comment missing is found before anything is stored.
            const found = (await applications.getForStaff(actor, id)).actions.find((a) => a.name === fields.action);
            if (found?.requires.includes('comment') && !(fields.comment ?? '').trim()) {
              throw new ApplicationFormError({ comment: { key: 'common.required' } }, 'common.invalid_input');
            }
            documentIds.push((await applications.uploadDocument(actor, id, STAFF_ATTACHMENT_KEY, { filename: part.filename, content: part.file })).id);
          } catch (err) {
            part.file.resume();
            failure = err;
          }
        }
      } else {
        Object.assign(fields, formValues(req));
      }
      if (!csrfChecked) await checkMultipartCsrf(app, req, reply, fields._csrf);
      const action = fields.action ?? '';
      try {
        if (failure) throw failure;
        await applications.act(actor, id, { action, comment: fields.comment, internal: fields.internal === 'on', documentIds });
        return seeOther(reply, `/staff/applications/${id}?done=act`);
      } catch (err) {
        const f = pageFailure(ctxOf(req, reply), err);
        if (f.status === 404) throw err;
        // Problems with the file come back under its document key; the form shows them at its file input.
        const errors = { ...f.errors };
        const fileProblem = errors[STAFF_ATTACHMENT_KEY];
        if (fileProblem && !errors.documents) errors.documents = fileProblem;
        return renderCase(req, reply, id, { failure: { form: `action:${action}`, message: f.error, errors, values: fields } }, f.status);
      }
    });

    app.post('/staff/notices/:id/read', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      await casework.readNotice(req.actor, idOf(req));
      return seeOther(reply, '/staff/inbox');
    });

    const renderCounter = async (req: FastifyRequest, reply: FastifyReply, orgCode: string | undefined, extra: { values?: Record<string, string>; errors?: Record<string, string>; error?: string } = {}, status = 200) => {
      const ctx = ctxOf(req, reply);
      const options = await casework.counterOptions(req.actor, orgCode);
      return sendPage(reply, h(CounterPage, { ctx, options, orgNames: await orgNames(ctx), values: extra.values ?? {}, errors: extra.errors ?? {}, error: extra.error }), status);
    };

    app.get('/staff/counter', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const org = (req.query as { org?: string }).org;
      return renderCounter(req, reply, typeof org === 'string' && org ? org.slice(0, 64) : undefined);
    });

    app.post('/staff/counter', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const values = formValues(req);
      try {
        const r = await casework.startCounter(req.actor, { org: values.org ?? '', service: values.service ?? '', mobile: values.mobile ?? '', national_code: values.national_code, first_name: values.first_name, last_name: values.last_name });
        return seeOther(reply, `/applications/${r.id}/edit`);
      } catch (err) {
        const f = pageFailure(ctxOf(req, reply), err);
        if (f.status === 404) throw err;
        return renderCounter(req, reply, values.org, { values, errors: f.errors, error: f.error }, f.status);
      }
    });

    // ---------- JSON API ----------
    const tags = ['staff'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
    const staffOnly = (req: FastifyRequest) => {
      if (req.actor.kind !== 'staff') throw unauthorized();
      return req.actor;
    };

    api.get('/api/v1/inbox', {
      schema: {
        tags, summary: 'The inbox: applications of your organizations that your roles handle (all of them for org admins and managers), filtered and sorted', security,
        description: 'Clerks and inspectors see applications in the states their roles handle and those assigned to them; org admins and managers see every application of their organization. Deadline statuses are computed in business time (Iranian week, official holidays).',
        querystring: s.inboxQuery, response: { 200: s.inboxReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply },
      },
    }, async (req) => {
      const page = await casework.inbox(staffOnly(req), apiFilters(req.query));
      return {
        items: page.items.map((i) => ({ ...i, submitted_at: iso(i.submitted_at), due_at: iso(i.due_at) })),
        total: page.total, page: page.page, per_page: page.per_page, orgs: page.orgs,
      };
    });

    api.get('/api/v1/inbox/summary', {
      schema: { tags, summary: 'The load of each organization of your inbox: open applications by state, deadline status and case officer', security, querystring: s.summaryQuery, response: { 200: s.summaryReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => ({ orgs: await casework.summary(staffOnly(req), req.query) }));

    api.get('/api/v1/inbox/notices', {
      schema: { tags, summary: 'Your unread escalations: applications of organizations you manage whose deadline passed', security, querystring: s.summaryQuery, response: { 200: s.noticesReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const items = await casework.notices(staffOnly(req), req.query);
      return { items: items.map((n) => ({ ...n, due_at: iso(n.due_at), created_at: iso(n.created_at)! })) };
    });

    api.post('/api/v1/inbox/notices/:id/read', {
      schema: { tags, summary: 'Mark one of your notices as seen', security, params: s.idParams, response: { 204: z.null().meta({ description: 'Seen' }), 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req, reply) => {
      await casework.readNotice(req.actor, req.params.id);
      return reply.status(204).send(null);
    });

    api.post('/api/v1/applications/:id/claim', {
      schema: { tags, summary: 'Take an unassigned application for yourself (your role handles its state, or you manage the organization)', security, params: s.idParams, response: { 200: s.assignmentReply, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply, 409: s.errorReply } },
    }, async (req) => casework.claim(req.actor, req.params.id));

    api.post('/api/v1/applications/:id/assign', {
      schema: { tags, summary: 'Assign an application to a colleague of its organization, or to nobody (org admins and managers)', security, params: s.idParams, body: s.assignBody, response: { 200: s.assignmentReply, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply, 409: s.errorReply } },
    }, async (req) => casework.assign(req.actor, req.params.id, req.body.staff_id));

    api.post('/api/v1/counter/applications', {
      schema: {
        tags, summary: 'File at the counter for a walk-in citizen (channel counter): registers them by mobile when new, opens the draft, and with values and submit_key submits it at once', security, body: s.counterBody,
        description: 'Without submit_key the draft stays open: upload documents and submit it with the applications API (POST /api/v1/applications/{id}/documents, /submit). Everything is checked before anything is written. The citizen gets the tracking code by SMS on submission.',
        response: { 201: applicationReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply },
      },
    }, async (req, reply) => {
      const actor = staffOnly(req);
      const b = req.body;
      try {
        if (b.values || b.submit_key) {
          // The answers (and, to submit now, the documents) are checked before anything is written.
          const info = await applications.applyInfo(actor, b.org, b.service);
          const { errors } = validateForm(info.definition, b.values ?? {}, { partial: !b.submit_key });
          const problems = Object.fromEntries(Object.entries(errors).map(([k, e]) => [k, { key: e.key as string, params: e.params }]));
          if (b.submit_key) for (const d of info.definition.documents) if (d.required) problems[d.key] = { key: 'application.document_required', params: undefined };
          if (Object.keys(problems).length) throw new ApplicationFormError(problems, 'common.invalid_input');
        }
        const started = await casework.startCounter(actor, { org: b.org, service: b.service, mobile: b.citizen.mobile, national_code: b.citizen.national_code, first_name: b.citizen.first_name, last_name: b.citizen.last_name });
        let view = b.values ? (await applications.saveDraft(actor, started.id, b.values, { mode: 'merge', strict: true })).application : await applications.getForStaff(actor, started.id);
        if (b.submit_key) view = await applications.submit(actor, started.id, b.submit_key);
        return reply.status(201).send(applicationJson(view));
      } catch (err) {
        if (!(err instanceof ApplicationFormError)) throw err;
        throw new AppError(err.code, err.status, Object.fromEntries(Object.entries(err.problems).map(([k, p]) => [k, t(req.locale, p.key, p.params)])));
      }
    });
  };
}
