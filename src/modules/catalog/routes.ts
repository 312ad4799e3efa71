import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { notFound, unauthorized } from '../../platform/http/errors.js';
import { mayAct } from '../../platform/auth/access.js';
import type { Actor } from '../../platform/core/index.js';
import type { Locale } from '../../platform/i18n/format.js';
import { t } from '../../platform/i18n/messages.js';
import type { AdoptionDetail, CatalogItem, DiffEntry, OrgRef, ServiceSheet, VersionView } from './service.js';
import * as s from './schemas.js';
import { deadlineText, diffLine, feeSentence } from './views/describe.js';
import { ServicePage } from './views/sheet.js';
import { CatalogPage, itemUrl } from './views/catalog.js';
import { CatalogHubPage, DefinitionFormPage, TemplatesPage, VersionsPage } from './views/author.js';
import { AdoptionListPage, AdoptionPage, overridesFormValues } from './views/adopt.js';
import './messages-catalog.js';

// ---------- JSON shapes ----------

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function versionJson(v: VersionView) {
  return { code: v.code, version: v.version, status: v.status, title: v.title, maturity: v.maturity, created_at: iso(v.createdAt)!, published_at: iso(v.publishedAt) };
}

function catalogItemJson(i: CatalogItem) {
  return { code: i.code, version: i.version, title: i.title, summary: i.summary, category: i.category as (typeof s.CATEGORIES)[number], maturity: i.maturity, offered_by: i.offeredBy, org: i.org, url: itemUrl(i), external: i.external ?? null };
}

const orgJson = (o: OrgRef) => ({ code: o.code, name: o.name });

function sheetJson(sheet: ServiceSheet, offeredBy: OrgRef[], locale: Locale) {
  return {
    code: sheet.code, version: sheet.version, title: sheet.title, summary: sheet.summary, category: sheet.category as (typeof s.CATEGORIES)[number],
    maturity: sheet.maturity, audience: sheet.audience, keywords: sheet.keywords, fields: sheet.fields,
    documents: sheet.documents.map((d) => ({ key: d.key, title: d.title, help: d.help, required: d.required, accept: d.accept, max_mb: d.maxMb })),
    fees: sheet.fees.map((f) => ({ key: f.key, title: f.title, formula: f.formula, when: f.when, description: feeSentence(f, sheet, locale), params: f.params, fields: f.fields, fixed: f.fixed })),
    steps: sheet.steps.map((st) => ({ key: st.key, title: st.title, sla: st.sla, business_hours: st.hours, waits_for: st.waitsFor, roles: st.roles, own: st.own, usual: st.usual })),
    outcomes: sheet.outcomes,
    deadline: { business_hours: sheet.deadlineHours, text: deadlineText(sheet.deadlineHours, locale) },
    baseline: { office_visits: sheet.baseline.officeVisits, days: sheet.baseline.days },
    online: { office_visits: sheet.online.officeVisits, days: sheet.online.days },
    saves: { office_visits: sheet.saves.officeVisits, days: sheet.saves.days },
    offered_by: offeredBy.map(orgJson),
  };
}

function diffJson(entries: DiffEntry[], locale: Locale) {
  return entries.map((e) => {
    const line = diffLine(e, locale);
    return { ...e, text: `${line.what}: ${line.change}${line.details.length ? ` — ${line.details.join('؛ ')}` : ''}` };
  });
}

function adoptionJson(d: AdoptionDetail, locale: Locale) {
  const def = d.adopted?.definition ?? d.latest.definition;
  const text = (l: { fa: string; en?: string }) => ({ fa: l.fa, en: l.en ?? null });
  return {
    org: orgJson(d.org), code: d.code, title: text(def.title), latest_version: d.latest.version,
    adopted: d.adopted ? { version: d.adopted.version, enabled: d.adopted.enabled, overrides: d.adopted.overrides, adopted_at: iso(d.adopted.adoptedAt)!, updated_at: iso(d.adopted.updatedAt)! } : null,
    upgrade: d.upgrade ? { from: d.upgrade.from, to: d.upgrade.to, changes: diffJson(d.upgrade.diff, locale), dropped: d.upgrade.dropped } : null,
    settable: {
      fees: def.fees.map((f) => ({ key: f.key, title: text(f.title), params: f.params })),
      states: Object.entries(def.workflow.states).filter(([, st]) => !st.final).map(([key, st]) => ({ key, title: st.title ? text(st.title) : null, sla: st.sla ?? null })),
    },
  };
}

const signedIn = (actor: Actor) => {
  if (actor.kind !== 'staff' && actor.kind !== 'citizen') throw unauthorized();
  return actor;
};

/** The catalog: reference authoring, adoption by each organization, and the public single window. */
export function catalogRoutes(deps: AppDeps) {
  const { catalog } = deps.services;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction: deps.config.isProduction, now: deps.clock.now() });
  const staffOnly = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (req.actor.kind === 'staff') return true;
    void seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
    return false;
  };
  const params = <T>(req: FastifyRequest) => req.params as T;
  const versionOf = (raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw notFound();
    return n;
  };

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

    // ================= the public single window: JSON =================
    api.get('/api/v1/services', {
      config: { apiScope: 'catalog.read' },
      schema: { tags: ['services'], summary: 'The catalog: services offered in the province, by municipality, category and search', querystring: s.catalogQuery, response: { 200: s.catalogReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const r = await catalog.catalog({ org: req.query.org, category: req.query.category, q: req.query.q, page: req.query.page, perPage: req.query.per_page, locale: req.locale });
      return { items: r.items.map(catalogItemJson), total: r.total, page: r.page, per_page: r.perPage };
    });

    api.get('/api/v1/services/:code', {
      config: { apiScope: 'catalog.read' },
      schema: { tags: ['services'], summary: 'A service sheet: documents, fees, steps, deadline, maturity, what it saves, who offers it', params: s.codeParams, response: { 200: s.sheetReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const r = await catalog.serviceSheet(req.params.code);
      return sheetJson(r.sheet, r.offeredBy, req.locale);
    });

    api.get('/api/v1/orgs/:org/services', {
      config: { apiScope: 'catalog.read' },
      schema: { tags: ['services'], summary: 'The services one organization offers', params: s.orgParams, querystring: s.orgCatalogQuery, response: { 200: s.catalogReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const r = await catalog.catalog({ org: req.params.org, category: req.query.category, q: req.query.q, page: req.query.page, perPage: req.query.per_page, locale: req.locale });
      return { items: r.items.map(catalogItemJson), total: r.total, page: r.page, per_page: r.perPage };
    });

    api.get('/api/v1/orgs/:org/services/:code', {
      config: { apiScope: 'catalog.read' },
      schema: { tags: ['services'], summary: 'A service as one organization offers it: its rates, deadlines, office and where to apply', params: s.orgServiceParams, response: { 200: s.orgSheetReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const r = await catalog.orgServiceSheet(req.params.org, req.params.code);
      return { ...sheetJson(r.sheet, r.offeredBy, req.locale), org: orgJson(r.org), office: r.office, apply_url: `/apply/${r.org.code}/${r.sheet.code}` };
    });

    // ================= authoring (the reference organization): JSON =================
    const authorTags = ['catalog authoring'];
    api.get('/api/v1/catalog/templates', {
      schema: { tags: authorTags, summary: 'Every service template with its versions, drafts included (reference authors)', security, response: { 200: s.templatesReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => ({ items: (await catalog.templates(signedIn(req.actor))).map((tpl) => ({ ...tpl, versions: tpl.versions.map(versionJson) })) }));

    api.post('/api/v1/catalog/templates', {
      schema: {
        tags: authorTags, summary: 'Import a definition (YAML or JSON) as the draft of its service; optionally publish it', security, body: s.importBody,
        description: 'Creates the service on first import. A service has at most one draft: importing again replaces it. Errors answer 400 with `fields` naming each path of the definition and what is wrong there.',
        response: { 201: s.versionReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply },
      },
    }, async (req, reply) => reply.status(201).send(versionJson(await catalog.importDefinition(signedIn(req.actor), req.body))));

    api.get('/api/v1/catalog/templates/:code/versions', {
      schema: { tags: authorTags, summary: 'The versions of a service (drafts only for reference authors)', params: s.codeParams, response: { 200: s.versionsReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => ({ items: (await catalog.versions(req.actor, req.params.code)).map(versionJson) }));

    api.get('/api/v1/catalog/templates/:code/versions/:version', {
      schema: { tags: authorTags, summary: 'One version with its whole definition (drafts only for reference authors)', params: s.versionParams, response: { 200: s.versionDetailReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const v = await catalog.version(req.actor, req.params.code, req.params.version);
      return { ...versionJson(v), definition: v.definition as unknown as Record<string, unknown> };
    });

    api.put('/api/v1/catalog/templates/:code/versions/:version', {
      schema: { tags: authorTags, summary: 'Replace a draft; a published version never changes (409)', security, params: s.versionParams, body: s.replaceBody, response: { 200: s.versionReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply } },
    }, async (req) => versionJson(await catalog.replaceDraft(signedIn(req.actor), req.params.code, req.params.version, req.body)));

    api.post('/api/v1/catalog/templates/:code/versions/:version/publish', {
      schema: { tags: authorTags, summary: 'Publish a draft: from then on it is immutable and organizations may adopt it', security, params: s.versionParams, response: { 200: s.versionReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply } },
    }, async (req) => versionJson(await catalog.publish(signedIn(req.actor), req.params.code, req.params.version)));

    api.delete('/api/v1/catalog/templates/:code/versions/:version', {
      schema: { tags: authorTags, summary: 'Discard a draft (published versions stay)', security, params: s.versionParams, response: { 204: z.null().meta({ description: 'Discarded' }), 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply } },
    }, async (req, reply) => {
      await catalog.discardDraft(signedIn(req.actor), req.params.code, req.params.version);
      return reply.status(204).send(null);
    });

    api.get('/api/v1/catalog/templates/:code/versions/:version/export', {
      schema: { tags: authorTags, summary: 'A version as YAML or JSON text, ready to import again', params: s.versionParams, querystring: s.exportQuery, response: { 200: s.exportReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req, reply) => {
      const file = await catalog.exportVersion(req.actor, req.params.code, req.params.version, req.query.format);
      return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
    });

    api.get('/api/v1/catalog/templates/:code/diff', {
      schema: { tags: authorTags, summary: 'What changed between two versions: fields, documents, fees, states and actions added, removed or changed', params: s.codeParams, querystring: s.diffQuery, response: { 200: s.diffReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => ({ items: diffJson(await catalog.diff(req.actor, req.params.code, req.query.from, req.query.to), req.locale) }));

    // ================= adoption (each organization's admins): JSON =================
    const adoptTags = ['adoption'];
    api.get('/api/v1/orgs/:org/adoptions', {
      schema: { tags: adoptTags, summary: 'The reference services with their newest version and which version the organization adopted', security, params: s.orgParams, response: { 200: s.adoptionsReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const r = await catalog.adoptions(signedIn(req.actor), req.params.org);
      return {
        org: orgJson(r.org),
        items: r.items.map((i) => ({ code: i.code, title: i.title, category: i.category, latest_version: i.latestVersion, adopted_version: i.adoptedVersion, enabled: i.enabled, upgrade_available: i.adoptedVersion !== null && i.adoptedVersion < i.latestVersion })),
      };
    });

    api.get('/api/v1/orgs/:org/adoptions/:code', {
      schema: { tags: adoptTags, summary: 'One service in the organization: its adoption, what it may set, and what a newer version changes', security, params: s.orgServiceParams, response: { 200: s.adoptionReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => adoptionJson(await catalog.adoption(signedIn(req.actor), req.params.org, req.params.code), req.locale));

    api.post('/api/v1/orgs/:org/adoptions/:code', {
      schema: { tags: adoptTags, summary: 'Adopt the newest published version with the organization\'s overrides', security, params: s.orgServiceParams, body: s.overridesBody, response: { 201: s.adoptionReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply } },
    }, async (req, reply) => reply.status(201).send(adoptionJson(await catalog.adopt(signedIn(req.actor), req.params.org, req.params.code, req.body ?? {}), req.locale)));

    api.put('/api/v1/orgs/:org/adoptions/:code', {
      schema: { tags: adoptTags, summary: 'Replace the overrides of an adopted service', security, params: s.orgServiceParams, body: s.overridesBody, response: { 200: s.adoptionReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => adoptionJson(await catalog.setOverrides(signedIn(req.actor), req.params.org, req.params.code, req.body ?? {}), req.locale));

    api.post('/api/v1/orgs/:org/adoptions/:code/upgrade', {
      schema: { tags: adoptTags, summary: 'Move to the newest published version; applications already filed keep theirs', security, params: s.orgServiceParams, response: { 200: s.upgradeReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply } },
    }, async (req) => {
      const r = await catalog.upgrade(signedIn(req.actor), req.params.org, req.params.code);
      return { ...adoptionJson(r, req.locale), dropped: r.dropped };
    });

    // ================= the public single window: pages =================
    app.get('/services', { schema: { hide: true } }, async (req, reply) => {
      const query = req.query as Record<string, unknown>;
      const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined);
      const category = (s.CATEGORIES as readonly string[]).includes(String(query.category)) ? String(query.category) : undefined;
      const filter = { org: str(query.org), category, q: str(query.q) };
      const page = Math.max(1, Math.min(1000, Number.parseInt(String(query.page ?? '1'), 10) || 1));
      const r = await catalog.catalog({ ...filter, page, perPage: 24, locale: req.locale });
      return sendPage(reply, h(CatalogPage, { ctx: ctxOf(req, reply), items: r.items, total: r.total, page: r.page, perPage: r.perPage, filter, org: r.org, municipalities: await catalog.municipalities() }));
    });

    app.get('/services/:code', { schema: { hide: true } }, async (req, reply) => {
      const r = await catalog.serviceSheet(params<{ code: string }>(req).code);
      return sendPage(reply, h(ServicePage, { ctx: ctxOf(req, reply), sheet: r.sheet, offeredBy: r.offeredBy }));
    });

    // The province-wide page's "choose your municipality" form (a GET form cannot build a path).
    app.get('/services/:code/in', { schema: { hide: true } }, async (req, reply) => {
      const org = String((req.query as { org?: unknown }).org ?? '');
      const code = params<{ code: string }>(req).code;
      if (!/^[a-z0-9-]{1,64}$/.test(org) || !/^[a-z0-9-]{1,64}$/.test(code)) throw notFound();
      return seeOther(reply, `/orgs/${org}/services/${code}`);
    });

    app.get('/orgs/:org/services', { schema: { hide: true } }, async (req, reply) => seeOther(reply, `/services?org=${encodeURIComponent(params<{ org: string }>(req).org)}`));

    app.get('/orgs/:org/services/:code', { schema: { hide: true } }, async (req, reply) => {
      const p = params<{ org: string; code: string }>(req);
      const r = await catalog.orgServiceSheet(p.org, p.code);
      return sendPage(reply, h(ServicePage, { ctx: ctxOf(req, reply), sheet: r.sheet, offeredBy: r.offeredBy, org: r.org, office: r.office }));
    });

    // ================= staff pages =================
    app.get('/staff/catalog', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply) || req.actor.kind !== 'staff') return reply;
      const actor = req.actor;
      const all = await deps.services.orgs.list();
      const isProvinceAdmin = actor.memberships.some((m) => m.role === 'province_admin');
      const orgs = all.filter((o) => o.kind === 'municipality' || actor.memberships.some((m) => m.orgCode === o.code))
        .filter((o) => (isProvinceAdmin && o.kind === 'municipality') || actor.memberships.some((m) => m.orgCode === o.code && mayAct(actor, m.orgId, 'catalog.adopt')))
        .map((o) => ({ code: o.code, name: o.name }));
      return sendPage(reply, h(CatalogHubPage, { ctx: ctxOf(req, reply), author: await catalog.mayAuthor(actor), orgs }));
    });

    const notice = (req: FastifyRequest) => {
      const q = req.query as { done?: string; n?: string };
      const keys: Record<string, string> = { saved: 'catalog.saved_ok', published: 'catalog.published_ok', discarded: 'catalog.discarded_ok', adopted: 'catalog.adopted_ok', settings: 'catalog.settings_ok', upgraded: 'catalog.upgraded_ok' };
      const key = q.done ? keys[q.done] : undefined;
      return key ? t(req.locale, key, { n: Number(q.n) || 0 }) : undefined;
    };
    const requireAuthor = async (req: FastifyRequest) => {
      if (!(await catalog.mayAuthor(req.actor))) throw notFound();
    };

    app.get('/staff/catalog/templates', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      return sendPage(reply, h(TemplatesPage, { ctx: ctxOf(req, reply), templates: await catalog.templates(req.actor), notice: notice(req) }));
    });

    app.get('/staff/catalog/import', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      await requireAuthor(req);
      const ctx = ctxOf(req, reply);
      return sendPage(reply, h(DefinitionFormPage, { ctx, action: '/staff/catalog/import', title: ctx.t('catalog.import_title'), values: {}, allowPublish: true, back: '/staff/catalog/templates' }));
    });

    // The definition text can be long: it is read whole, not through formValues (which cuts at 2000).
    const sourceOf = (req: FastifyRequest) => {
      const v = (req.body as Record<string, unknown> | undefined)?.source;
      return typeof v === 'string' ? v : '';
    };
    const formatOf = (v: string | undefined) => (v === 'json' ? 'json' as const : 'yaml' as const);

    app.post('/staff/catalog/import', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const values = formValues(req);
      const source = sourceOf(req);
      try {
        const v = await catalog.importDefinition(req.actor, { source, format: formatOf(values.format), publish: values.publish === 'on' });
        return seeOther(reply, `/staff/catalog/templates/${v.code}?done=${v.status === 'published' ? 'published' : 'saved'}&n=${v.version}`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        return sendPage(reply, h(DefinitionFormPage, { ctx, action: '/staff/catalog/import', title: ctx.t('catalog.import_title'), values: { source, format: values.format, publish: values.publish === 'on' }, allowPublish: true, error: f.error, errors: f.errors, back: '/staff/catalog/templates' }), f.status);
      }
    });

    app.get('/staff/catalog/templates/:code', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      await requireAuthor(req);
      const code = params<{ code: string }>(req).code;
      return sendPage(reply, h(VersionsPage, { ctx: ctxOf(req, reply), code, versions: await catalog.versions(req.actor, code), notice: notice(req) }));
    });

    app.get('/staff/catalog/templates/:code/versions/:version', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      await requireAuthor(req);
      const p = params<{ code: string; version: string }>(req);
      const sheet = await catalog.previewSheet(req.actor, p.code, versionOf(p.version));
      const publishAction = sheet.status === 'draft' ? `/staff/catalog/templates/${p.code}/versions/${sheet.version}/publish` : null;
      return sendPage(reply, h(ServicePage, { ctx: ctxOf(req, reply), sheet, offeredBy: [], preview: { publishAction } }));
    });

    app.get('/staff/catalog/templates/:code/versions/:version/edit', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      await requireAuthor(req);
      const p = params<{ code: string; version: string }>(req);
      const v = await catalog.version(req.actor, p.code, versionOf(p.version));
      if (v.status !== 'draft') return seeOther(reply, `/staff/catalog/templates/${p.code}/versions/${v.version}`);
      const ctx = ctxOf(req, reply);
      const file = await catalog.exportVersion(req.actor, p.code, v.version, 'yaml');
      return sendPage(reply, h(DefinitionFormPage, {
        ctx, action: `/staff/catalog/templates/${p.code}/versions/${v.version}/edit`, title: ctx.t('catalog.edit_title', { n: v.version, title: v.title[ctx.locale] ?? v.title.fa }),
        values: { source: file.body, format: 'yaml' }, allowPublish: false, back: `/staff/catalog/templates/${p.code}`,
      }));
    });

    app.post('/staff/catalog/templates/:code/versions/:version/edit', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const p = params<{ code: string; version: string }>(req);
      const values = formValues(req);
      const source = sourceOf(req);
      try {
        const v = await catalog.replaceDraft(req.actor, p.code, versionOf(p.version), { source, format: formatOf(values.format) });
        return seeOther(reply, `/staff/catalog/templates/${p.code}?done=saved&n=${v.version}`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        return sendPage(reply, h(DefinitionFormPage, {
          ctx, action: `/staff/catalog/templates/${p.code}/versions/${p.version}/edit`, title: ctx.t('catalog.edit_title', { n: Number(p.version), title: p.code }),
          values: { source, format: values.format }, allowPublish: false, error: f.error, errors: f.errors, back: `/staff/catalog/templates/${p.code}`,
        }), f.status);
      }
    });

    const versionAction = (action: 'publish' | 'discard') => async (req: FastifyRequest, reply: FastifyReply) => {
      if (!staffOnly(req, reply)) return reply;
      const p = params<{ code: string; version: string }>(req);
      const n = versionOf(p.version);
      try {
        if (action === 'publish') {
          await catalog.publish(req.actor, p.code, n);
          return seeOther(reply, `/staff/catalog/templates/${p.code}?done=published&n=${n}`);
        }
        await catalog.discardDraft(req.actor, p.code, n);
        return seeOther(reply, '/staff/catalog/templates?done=discarded');
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        return sendPage(reply, h(VersionsPage, { ctx, code: p.code, versions: await catalog.versions(req.actor, p.code), error: f.error }), f.status);
      }
    };
    app.post('/staff/catalog/templates/:code/versions/:version/publish', { schema: { hide: true }, preValidation: app.csrfProtection }, versionAction('publish'));
    app.post('/staff/catalog/templates/:code/versions/:version/discard', { schema: { hide: true }, preValidation: app.csrfProtection }, versionAction('discard'));

    app.get('/staff/catalog/templates/:code/versions/:version/export', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const p = params<{ code: string; version: string }>(req);
      const format = (req.query as { format?: string }).format === 'json' ? 'json' : 'yaml';
      const file = await catalog.exportVersion(req.actor, p.code, versionOf(p.version), format);
      return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
    });

    // ---------- adoption pages ----------
    app.get('/staff/orgs/:org/services', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const r = await catalog.adoptions(req.actor, params<{ org: string }>(req).org);
      return sendPage(reply, h(AdoptionListPage, { ctx: ctxOf(req, reply), org: r.org, items: r.items }));
    });

    app.get('/staff/orgs/:org/services/:code', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const p = params<{ org: string; code: string }>(req);
      const detail = await catalog.adoption(req.actor, p.org, p.code);
      return sendPage(reply, h(AdoptionPage, { ctx: ctxOf(req, reply), detail, values: overridesFormValues(detail), notice: notice(req) }));
    });

    app.post('/staff/orgs/:org/services/:code', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const p = params<{ org: string; code: string }>(req);
      const values = formValues(req);
      const current = await catalog.adoption(req.actor, p.org, p.code);
      try {
        const overrides = s.overridesFromForm(values);
        if (current.adopted) await catalog.setOverrides(req.actor, p.org, p.code, overrides);
        else await catalog.adopt(req.actor, p.org, p.code, overrides);
        const done = current.adopted ? 'settings' : 'adopted';
        return seeOther(reply, `/staff/orgs/${p.org}/services/${p.code}?done=${done}&n=${current.adopted?.version ?? current.latest.version}`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        return sendPage(reply, h(AdoptionPage, { ctx, detail: current, values, errors: f.errors, error: f.error }), f.status);
      }
    });

    app.post('/staff/orgs/:org/services/:code/upgrade', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const p = params<{ org: string; code: string }>(req);
      try {
        const r = await catalog.upgrade(req.actor, p.org, p.code);
        return seeOther(reply, `/staff/orgs/${p.org}/services/${p.code}?done=upgraded&n=${r.adopted?.version ?? 0}`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        const detail = await catalog.adoption(req.actor, p.org, p.code);
        return sendPage(reply, h(AdoptionPage, { ctx, detail, values: overridesFormValues(detail), error: f.error }), f.status);
      }
    });
  };
}
