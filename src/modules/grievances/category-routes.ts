import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import type { Actor } from '../../platform/core/index.js';
import { mayAct } from '../../platform/auth/access.js';
import { notFound } from '../../platform/http/errors.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { toAsciiDigits } from '../../platform/i18n/persian.js';
import { CATEGORY_GROUPS, DEADLINE_MAX_DAYS, DEADLINE_MIN_DAYS, type CategoryAdminView } from './category-admin.js';
import { CategoryFormPage, CategoryListPage, formValuesOf } from './views/categories.js';
import { errorReply } from './schemas.js';
import './messages-categories.js';

// ---------- wire shapes ----------

const orgCode = z.string().max(64).regex(/^[a-z0-9-]+$/).meta({ description: 'The municipality code', example: 'babol' });
const categoryCode = z.string().min(1).max(64).regex(/^[a-z0-9-]+$/).meta({ example: 'pothole' });
const orgParams = z.object({ org: orgCode });
const categoryParams = z.object({ org: orgCode, code: categoryCode });

const fields = {
  group: z.enum(CATEGORY_GROUPS).meta({ description: 'The ۱۳۷ group: urban services and works, transport and traffic, public places, beautification, social affairs and nuisances.', example: 'urban-services' }),
  title_fa: z.string().max(200).meta({ example: 'چاله و خرابی آسفالت' }),
  title_en: z.string().max(200).meta({ description: 'May be empty; pages in English then show the Persian title.', example: 'Pothole' }),
  deadline_days: z.number().int().min(DEADLINE_MIN_DAYS).max(DEADLINE_MAX_DAYS)
    .meta({ description: 'Business days the department has to resolve a report. A change applies to reports filed afterwards; filed reports keep their due date.', example: 5 }),
  department_fa: z.string().max(200).meta({ example: 'معاونت فنی و عمرانی' }),
  department_en: z.string().max(200).meta({ example: 'Public works' }),
  allow_anonymous: z.boolean().meta({ description: 'Whether reports are taken without sign-in.', example: true }),
  active: z.boolean().meta({ description: 'An inactive category is not offered to citizens (report form, Open311 services) and refuses new reports; its reports stay.', example: true }),
};
const createBody = z.object({
  code: z.string().max(64).meta({ description: 'Lowercase slug, unique in the municipality, fixed once created.', example: 'broken-bench' }),
  ...fields,
  allow_anonymous: fields.allow_anonymous.default(false),
  active: fields.active.default(true),
}).meta({ example: { code: 'broken-bench', group: 'public-places', title_fa: 'نیمکت شکسته', title_en: 'Broken bench', deadline_days: 7, department_fa: 'سازمان پارک‌ها و فضای سبز', department_en: 'Parks and green spaces', allow_anonymous: true, active: true } });
const updateBody = z.object(fields).meta({ example: { group: 'urban-services', title_fa: 'چاله و خرابی آسفالت', title_en: 'Pothole', deadline_days: 3, department_fa: 'معاونت فنی و عمرانی', department_en: 'Public works', allow_anonymous: true, active: false } });
const categoryReply = z.object({
  code: z.string(), ...fields,
  open_reports: z.number().int().meta({ description: 'Reports of this category not closed yet.' }),
  created_at: z.string().meta({ description: 'ISO 8601 (UTC).' }),
});
const listReply = z.object({ org: z.string(), items: z.array(categoryReply) });

const json = (c: CategoryAdminView) => ({ ...c, created_at: new Date(c.created_at).toISOString() });

// ---------- form input ----------

/** A submitted form as the service's input: checkboxes become booleans, Persian digits ASCII; empty stays absent. */
function inputOf(v: Record<string, string>, withCode: boolean): Record<string, unknown> {
  const days = toAsciiDigits(v.deadline_days ?? '').trim();
  return {
    ...(withCode ? { code: v.code } : {}),
    group: v.group || undefined,
    title_fa: v.title_fa ?? '', title_en: v.title_en ?? '', department_fa: v.department_fa ?? '', department_en: v.department_en ?? '',
    deadline_days: days === '' ? undefined : /^\d{1,4}$/.test(days) ? Number(days) : Number.NaN,
    allow_anonymous: v.allow_anonymous === 'on', active: v.active === 'on',
  };
}

/** Report categories (۱۳۷) of a municipality, managed by its admin: the JSON API and the staff pages. */
export function categoryRoutes(deps: AppDeps) {
  const { reportCategories: admin, orgs } = deps.services;
  const isProduction = deps.config.isProduction;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const signInFirst = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);

  /** Municipalities whose categories the actor manages: their own (every municipality for the province admin). */
  async function managedOrgs(actor: Actor, locale: 'fa' | 'en') {
    if (actor.kind !== 'staff') return [];
    const isProvinceAdmin = actor.memberships.some((m) => m.role === 'province_admin');
    return (await orgs.list()).filter((o) => o.kind === 'municipality')
      .filter((o) => isProvinceAdmin || actor.memberships.some((m) => m.orgCode === o.code && mayAct(actor, m.orgId, 'reports.categories')))
      .map((o) => ({ code: o.code, name: o.name[locale] }));
  }

  const orgOf = (req: FastifyRequest) => {
    const org = (req.query as { org?: unknown }).org;
    return typeof org === 'string' && /^[a-z0-9-]{1,64}$/.test(org) ? org : undefined;
  };
  const codeOf = (req: FastifyRequest) => String((req.params as { code?: string }).code ?? '').slice(0, 64);

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['reports'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

    api.get('/api/v1/orgs/:org/report-categories', {
      schema: {
        tags, security, summary: "A municipality's report categories, inactive ones too, each with its open reports (its admins)",
        params: orgParams, response: { 200: listReply, 401: errorReply, 404: errorReply },
      },
    }, async (req) => ({ org: req.params.org, items: (await admin.list(req.actor, req.params.org)).map(json) }));

    api.post('/api/v1/orgs/:org/report-categories', {
      schema: {
        tags, security, summary: 'Add a report category to a municipality (its admins)',
        description: 'The code is unique in the municipality (409 with a field error on code) and cannot change later. Bad values answer 400 naming each field.',
        params: orgParams, body: createBody, response: { 201: categoryReply, 400: errorReply, 401: errorReply, 404: errorReply, 409: errorReply },
      },
    }, async (req, reply) => reply.status(201).send(json(await admin.create(req.actor, req.params.org, req.body))));

    api.put('/api/v1/orgs/:org/report-categories/:code', {
      schema: {
        tags, security, summary: "Replace a report category's group, titles, deadline, department, anonymity and active flag (its admins)",
        description: 'A new deadline applies to reports filed afterwards. An inactive category is no longer offered and refuses new reports.',
        params: categoryParams, body: updateBody, response: { 200: categoryReply, 400: errorReply, 401: errorReply, 404: errorReply },
      },
    }, async (req) => json(await admin.update(req.actor, req.params.org, req.params.code, req.body)));

    // ---------- staff pages ----------

    /** The org the page is about: the one asked for, else the first one the actor manages; none answers 404. */
    async function pageOrg(req: FastifyRequest, locale: 'fa' | 'en') {
      const choices = await managedOrgs(req.actor, locale);
      const org = orgOf(req) ?? choices[0]?.code;
      if (!org) throw notFound();
      const name = choices.find((o) => o.code === org)?.name ?? org;
      return { org, name, choices };
    }

    app.get('/staff/reports/categories', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      const { org, choices } = await pageOrg(req, ctx.locale);
      const categories = await admin.list(req.actor, org);
      const done = (req.query as { done?: string }).done;
      const flash = done === 'created' || done === 'updated' ? ctx.t(`category_admin.done.${done}`) : undefined;
      return sendPage(reply, h(CategoryListPage, { ctx, org, orgChoices: choices, categories, flash }));
    });

    app.get('/staff/reports/categories/new', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      const { org, name } = await pageOrg(req, ctx.locale);
      await admin.list(req.actor, org); // the access check: 404 for a municipality the actor does not manage
      return sendPage(reply, h(CategoryFormPage, { ctx, org, orgName: name, values: formValuesOf() }));
    });

    app.post('/staff/reports/categories/new', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      const { org, name } = await pageOrg(req, ctx.locale);
      const values = formValues(req);
      try {
        await admin.create(req.actor, org, inputOf(values, true));
        return seeOther(reply, `/staff/reports/categories?org=${encodeURIComponent(org)}&done=created`);
      } catch (err) {
        const f = formFailure(ctx, err);
        if (f.status === 404 || f.status === 401) throw err;
        return sendPage(reply, h(CategoryFormPage, { ctx, org, orgName: name, values, errors: f.errors, error: f.error }), f.status);
      }
    });

    app.get('/staff/reports/categories/:code', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      const { org, name } = await pageOrg(req, ctx.locale);
      const category = await admin.get(req.actor, org, codeOf(req));
      return sendPage(reply, h(CategoryFormPage, { ctx, org, orgName: name, category, values: formValuesOf(category) }));
    });

    app.post('/staff/reports/categories/:code', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      const { org, name } = await pageOrg(req, ctx.locale);
      const category = await admin.get(req.actor, org, codeOf(req));
      const values = formValues(req);
      try {
        await admin.update(req.actor, org, category.code, inputOf(values, false));
        return seeOther(reply, `/staff/reports/categories?org=${encodeURIComponent(org)}&done=updated`);
      } catch (err) {
        const f = formFailure(ctx, err);
        if (f.status === 404 || f.status === 401) throw err;
        return sendPage(reply, h(CategoryFormPage, { ctx, org, orgName: name, category, values, errors: f.errors, error: f.error }), f.status);
      }
    });
  };
}
