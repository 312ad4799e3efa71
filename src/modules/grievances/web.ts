import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { h, type VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import { viewContext } from '../../platform/http/context.js';
import { checkMultipartCsrf, formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { AppError, notFound } from '../../platform/http/errors.js';
import { renderPage } from '../../platform/views/render.js';
import type { ViewContext } from '../../platform/views/context.js';
import { hasMessage, t as translate } from '../../platform/i18n/messages.js';
import { toAsciiDigits } from '../../platform/i18n/persian.js';
import { escapeXml } from '../open311/xml.js';
import { refuseNulBytes } from './input.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, parseAttributes, type NewReport, type StoredPhoto } from './service.js';
import { PublicReportPage, PublicReportsPage, ReportFiledPage, ReportFormPage, stateLabel, type FormCategory, type MapSettings, type Municipality } from './views/pages.js';
import { MyReportPage, MyReportsPage, type MyReportFailure } from './views/citizen.js';
import { filingLimit } from './limits.js';
import './messages.js';
import './messages-web.js';

const PHOTO_MB = Math.round(MAX_PHOTO_BYTES / (1024 * 1024));
const orgCode = z.string().max(64).regex(/^[a-z0-9-]+$/);
const categoryCode = z.string().min(1).max(64).regex(/^[a-z][a-z0-9-]*$/);
const trackingCode = z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/);

/** The public list's and the feed's filters; a value that does not parse is dropped (a hand-edited URL still gets a list). */
const publicFilters = (query: unknown) => {
  const q = (query ?? {}) as Record<string, unknown>;
  const pick = <T>(schema: z.ZodType<T>, v: unknown): T | undefined => {
    const r = schema.safeParse(v);
    return r.success ? r.data : undefined;
  };
  return {
    org: pick(orgCode, q.org),
    category: pick(categoryCode, q.category),
    status: pick(z.enum(['open', 'closed']), q.status),
  };
};

const reopenBody = z.object({ comment: z.string().trim().min(1, 'rweb.error.comment_required').max(2000, 'common.too_long') });
const rateBody = z.object({
  rating: z.coerce.number({ error: 'rweb.error.rating' }).int('rweb.error.rating').min(1, 'rweb.error.rating').max(5, 'rweb.error.rating'),
  comment: z.string().trim().max(2000, 'common.too_long').optional(),
});

/** A zod failure as field -> localized message (the schema's messages are message keys). */
function zodErrors(ctx: ViewContext, error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of error.issues) {
    const field = String(i.path[0] ?? 'body');
    out[field] ??= hasMessage(i.message) ? ctx.t(i.message) : ctx.t('common.invalid_value');
  }
  return out;
}

/** The service's photo message keys, with the limits the form states. */
function photoMessage(ctx: ViewContext, key: string): string {
  if (key === 'report.photo_type') return ctx.t('rweb.error.photo_type');
  if (key === 'report.photo_too_large') return ctx.t('rweb.error.photo_too_large', { mb: PHOTO_MB });
  return hasMessage(key) ? ctx.t(key) : ctx.t('rweb.error.photo_type');
}

/** Why a photo was refused, as a message key, or null when the error is not about the photo. */
function photoRefusal(err: unknown): string | null {
  if (err instanceof AppError && err.fields.photos) return err.fields.photos;
  if ((err as { code?: string } | null)?.code === 'FST_REQ_FILE_TOO_LARGE') return 'report.photo_too_large';
  return null;
}

/** City problem reports (۱۳۷): the citizen's and the public's pages, and the RSS feeds. */
export function grievancesWeb(deps: AppDeps) {
  const { grievances, orgs } = deps.services;
  const { config } = deps;
  const map: MapSettings = { tileUrl: config.map.tileUrl, tileAttribution: config.map.tileAttribution, areasUrl: '/api/v1/public/areas' };
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction: config.isProduction, now: deps.clock.now() });

  /** A page with Leaflet's stylesheet and, for lists, the RSS feed linked in its head. */
  const send = <P>(reply: FastifyReply, vnode: VNode<P>, status = 200, rss?: { href: string; title: string }) => {
    const head = render(h('link', { rel: 'stylesheet', href: '/static/vendor/leaflet/leaflet.css' }))
      + render(h('link', { rel: 'stylesheet', href: '/static/report-map.css' }))
      + (rss ? render(h('link', { rel: 'alternate', type: 'application/rss+xml', title: rss.title, href: rss.href })) : '');
    return reply.status(status).type('text/html; charset=utf-8').send(renderPage(vnode).replace('</head>', `${head}</head>`));
  };

  const municipalities = async (): Promise<Municipality[]> =>
    (await orgs.list()).filter((o) => o.kind === 'municipality' && o.location).map((o) => ({ code: o.code, name: o.name, lat: o.location!.lat, lng: o.location!.lng }));
  const orgNames = async (ctx: ViewContext) => new Map((await orgs.list()).map((o) => [o.code, o.name[ctx.locale]]));

  const formCategories = async (): Promise<FormCategory[]> => {
    // One entry per code: every municipality takes the same ۱۳۷ categories; the place decides the municipality.
    const seen = new Map<string, FormCategory>();
    for (const c of await grievances.categories()) {
      if (!seen.has(c.code)) seen.set(c.code, { code: c.code, group: c.group, title: { fa: c.title_fa, en: c.title_en }, attributes: parseAttributes(c.attributes) });
    }
    return [...seen.values()];
  };

  const renderForm = async (req: FastifyRequest, reply: FastifyReply, extra: { values?: Record<string, string | string[]>; errors?: Record<string, string>; error?: string; photosDropped?: boolean } = {}, status = 200) =>
    send(reply, h(ReportFormPage, {
      ctx: ctxOf(req, reply), map, categories: await formCategories(), municipalities: await municipalities(),
      signedIn: req.actor.kind === 'citizen', maxPhotos: MAX_PHOTOS, maxPhotoMb: PHOTO_MB, ...extra,
    }), status);

  /**
   * The form's answers as a report, or the field errors. The place is the point on the map (lat,
   * lng), or else the municipality's centre with the typed address.
   */
  const readForm = async (ctx: ViewContext, fields: Record<string, string[]>, categories: FormCategory[]): Promise<{ input: NewReport } | { errors: Record<string, string> }> => {
    const one = (k: string) => (fields[k]?.[0] ?? '').trim();
    const errors: Record<string, string> = {};
    const category = categories.find((c) => c.code === one('category'));
    if (!category) errors.category = ctx.t('rweb.error.category_required');
    const description = one('description');
    if (description.length < 5) errors.description = ctx.t('rweb.error.description_short');
    else if (description.length > 2000) errors.description = ctx.t('rweb.error.description_long');
    const address = one('address').slice(0, 300);
    const latText = toAsciiDigits(one('lat')).replace('٫', '.');
    const lngText = toAsciiDigits(one('lng')).replace('٫', '.');
    let point: { lat: number; lng: number } | null = null;
    if (latText || lngText) {
      const lat = Number(latText);
      const lng = Number(lngText);
      if (!latText || !Number.isFinite(lat) || lat < -90 || lat > 90) errors.lat = ctx.t('rweb.error.coordinate');
      if (!lngText || !Number.isFinite(lng) || lng < -180 || lng > 180) errors.lng = ctx.t('rweb.error.coordinate');
      if (!errors.lat && !errors.lng) point = { lat, lng };
    } else if (one('org')) {
      const centre = orgCode.safeParse(one('org')).success ? await grievances.jurisdictionCentre(one('org')) : null;
      if (!centre) errors.org = ctx.t('rweb.error.municipality_unknown');
      else if (!address) errors.address = ctx.t('rweb.error.address_required');
      else point = centre;
    } else {
      errors.place = ctx.t('rweb.error.place_required');
    }
    const attributes: Record<string, string | string[]> = {};
    for (const a of category?.attributes ?? []) {
      const given = (fields[`attr.${category!.code}.${a.code}`] ?? []).map((x) => x.trim()).filter(Boolean);
      if (given.length === 0) continue;
      attributes[a.code] = a.datatype === 'multivaluelist' ? given : a.datatype === 'number' ? toAsciiDigits(given[0]!).replace('٫', '.') : given[0]!;
    }
    if (Object.keys(errors).length || !point || !category) return { errors };
    return { input: { category: category.code, description, lat: point.lat, lng: point.lng, address: address || undefined, attributes } };
  };

  return async function plugin(app: FastifyInstance) {
    // One more file than allowed is read (and refused) so the form can say how many it takes.
    await app.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: MAX_PHOTOS + 5, fields: 80, parts: 100, fieldSize: 4096 } });
    app.addHook('preValidation', refuseNulBytes);

    // ---------- Filing a report ----------

    app.get('/report', { schema: { hide: true } }, async (req, reply) => {
      const filed = (req.query as { filed?: string }).filed;
      if (filed && trackingCode.safeParse(filed).success) return seeOther(reply, `/report/filed/${encodeURIComponent(filed)}`);
      return renderForm(req, reply);
    });

    // The form is multipart (photos); each photo is stored as it streams in, after the CSRF token
    // (the form's first field) has been checked, and removed again if the report is not filed.
    app.post('/report', { schema: { hide: true }, config: filingLimit(deps.config.reportsPerMinute) }, async (req, reply) => {
      const ctx = ctxOf(req, reply);
      const fields: Record<string, string[]> = {};
      // The multipart fields are read here, after the NUL check of the hook: a NUL is dropped.
      const add = (k: string, v: string) => (fields[k] ??= []).push(v.replaceAll('\u0000', '').slice(0, 4000));
      const photos: StoredPhoto[] = [];
      let photoError: string | null = null;
      let chosen = 0;
      let csrfChecked = false;
      try {
        if (req.isMultipart()) {
          for await (const part of req.parts()) {
            if (part.type === 'field') {
              add(part.fieldname, String(part.value ?? ''));
              continue;
            }
            if (part.fieldname !== 'photos' || !part.filename) {
              part.file.resume();
              continue;
            }
            if (!csrfChecked) {
              await checkMultipartCsrf(app, req, reply, fields._csrf?.[0]);
              csrfChecked = true;
            }
            chosen += 1;
            if (photoError || chosen > MAX_PHOTOS) {
              if (chosen > MAX_PHOTOS) photoError = ctx.t('rweb.error.photo_count', { max: MAX_PHOTOS });
              part.file.resume();
              continue;
            }
            try {
              photos.push(await grievances.acceptPhoto(part.file));
            } catch (err) {
              part.file.resume();
              const key = photoRefusal(err);
              if (!key) throw err;
              photoError = photoMessage(ctx, key);
            }
          }
        } else {
          for (const [k, v] of Object.entries(formValues(req))) add(k, v);
          // A urlencoded body may repeat a name (the checkboxes of a multi-choice question).
          for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
            if (Array.isArray(v)) fields[k] = v.filter((x): x is string => typeof x === 'string').map((x) => x.slice(0, 4000));
          }
        }
        if (!csrfChecked) await checkMultipartCsrf(app, req, reply, fields._csrf?.[0]);
      } catch (err) {
        await grievances.discardPhotos(photos);
        throw err;
      }

      const { _csrf: _ignored, ...values } = fields;
      const shown = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.length > 1 ? v : v[0] ?? '']));
      const categories = await formCategories();
      const parsed = await readForm(ctx, fields, categories);
      if ('errors' in parsed || photoError) {
        await grievances.discardPhotos(photos);
        const errors = { ...('errors' in parsed ? parsed.errors : {}), ...(photoError ? { photos: photoError } : {}) };
        return renderForm(req, reply, { values: shown, errors, error: ctx.t('common.invalid_input'), photosDropped: chosen > 0 }, 400);
      }
      try {
        const filed = await grievances.file(req.actor, parsed.input, { photos });
        return seeOther(reply, `/report/filed/${encodeURIComponent(filed.tracking_code)}`);
      } catch (err) {
        await grievances.discardPhotos(photos);
        const f = formFailure(ctx, err);
        const errors = { ...f.errors };
        if (errors.photos) errors.photos = photoMessage(ctx, (err as AppError).fields.photos!);
        // A point outside every municipality is a problem of the place, whichever way it was given.
        if ((errors.lat || errors.lng) && !parsed.input.address) errors.place = errors.lat ?? errors.lng!;
        return renderForm(req, reply, { values: shown, errors, error: f.error, photosDropped: chosen > 0 }, f.status);
      }
    });

    app.get('/report/filed/:code', { schema: { hide: true } }, async (req, reply) => {
      const code = trackingCode.safeParse((req.params as { code: string }).code);
      if (!code.success) throw notFound();
      const report = await grievances.publicGet(code.data);
      const mine = req.actor.kind === 'citizen' ? (await grievances.mine(req.actor)).find((r) => r.tracking_code === report.tracking_code) : undefined;
      return send(reply, h(ReportFiledPage, { ctx: ctxOf(req, reply), report, mineId: mine?.id ?? null }));
    });

    // ---------- The citizen's reports ----------

    const signInFirst = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/login?next=${encodeURIComponent(req.url)}`);
    const idOf = (req: FastifyRequest) => {
      const id = (req.params as { id: string }).id;
      if (!/^[\w-]{1,64}$/.test(id)) throw notFound();
      return id;
    };

    app.get('/my/reports', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      return send(reply, h(MyReportsPage, { ctx, rows: await grievances.mine(req.actor), orgNames: await orgNames(ctx) }));
    });

    const renderMine = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { done?: 'reopen' | 'rate'; failure?: MyReportFailure } = {}, status = 200) => {
      const ctx = ctxOf(req, reply);
      const report = await grievances.mineOne(req.actor, id);
      const names = await orgNames(ctx);
      return send(reply, h(MyReportPage, { ctx, map, report, orgName: names.get(report.org) ?? report.org, municipalities: await municipalities(), ...extra }), status);
    };

    app.get('/my/reports/:id', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return signInFirst(req, reply);
      const done = (req.query as { done?: string }).done;
      return renderMine(req, reply, idOf(req), { done: done === 'reopen' || done === 'rate' ? done : undefined });
    });

    app.post('/my/reports/:id/reopen', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return signInFirst(req, reply);
      const id = idOf(req);
      const ctx = ctxOf(req, reply);
      const values = formValues(req);
      const parsed = reopenBody.safeParse(values);
      try {
        if (!parsed.success) return await renderMine(req, reply, id, { failure: { form: 'reopen', error: ctx.t('common.invalid_input'), errors: zodErrors(ctx, parsed.error), values } }, 400);
        await grievances.reopen(req.actor, id, parsed.data);
        return seeOther(reply, `/my/reports/${encodeURIComponent(id)}?done=reopen`);
      } catch (err) {
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        return renderMine(req, reply, id, { failure: { form: 'reopen', error: f.error, errors: f.errors, values } }, f.status);
      }
    });

    app.post('/my/reports/:id/rate', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return signInFirst(req, reply);
      const id = idOf(req);
      const ctx = ctxOf(req, reply);
      const values = formValues(req);
      const parsed = rateBody.safeParse({ rating: values.rating ? toAsciiDigits(values.rating) : undefined, comment: values.comment || undefined });
      try {
        if (!parsed.success) return await renderMine(req, reply, id, { failure: { form: 'rate', error: ctx.t('common.invalid_input'), errors: zodErrors(ctx, parsed.error), values } }, 400);
        await grievances.rate(req.actor, id, parsed.data);
        return seeOther(reply, `/my/reports/${encodeURIComponent(id)}?done=rate`);
      } catch (err) {
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        return renderMine(req, reply, id, { failure: { form: 'rate', error: f.error, errors: f.errors, values } }, f.status);
      }
    });

    // ---------- The public's pages and feeds ----------

    const feedQuery = (f: { org?: string; category?: string }, locale: string) => {
      const p = new URLSearchParams();
      if (f.org) p.set('org', f.org);
      if (f.category) p.set('category', f.category);
      if (locale === 'en') p.set('lang', 'en');
      const s = p.toString();
      return s ? `?${s}` : '';
    };

    app.get('/reports', { schema: { hide: true } }, async (req, reply) => {
      const ctx = ctxOf(req, reply);
      const filters = publicFilters(req.query);
      const categories = (await formCategories()).map((c) => ({ code: c.code, title: c.title }));
      const rows = await grievances.publicList({ ...filters, limit: 200 });
      const rssHref = `/reports/rss${feedQuery(filters, ctx.locale)}`;
      return send(reply, h(PublicReportsPage, { ctx, map, rows, filters, municipalities: await municipalities(), categories, rssHref, orgNames: await orgNames(ctx) }), 200, { href: rssHref, title: ctx.t('rweb.rss.title') });
    });

    app.get('/reports/rss', { schema: { hide: true } }, async (req, reply) => {
      const filters = publicFilters(req.query);
      const locale = req.locale;
      const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params);
      const rows = await grievances.publicList({ org: filters.org, category: filters.category, limit: 50 });
      const names = new Map((await orgs.list()).map((o) => [o.code, o.name[locale]]));
      const base = config.publicUrl;
      const categoryTitle = filters.category ? (await formCategories()).find((c) => c.code === filters.category)?.title[locale] : undefined;
      const title = [t('rweb.rss.title'), filters.org ? names.get(filters.org) ?? filters.org : null, categoryTitle ?? filters.category ?? null].filter(Boolean).join(' — ');
      const self = `${base}/reports/rss${feedQuery(filters, locale)}`;
      const ctxLike = { t, locale } as ViewContext;
      const items = rows.map((r) => [
        '<item>',
        `<title>${escapeXml(`${r.category.title[locale]} — ${r.tracking_code}`)}</title>`,
        `<link>${escapeXml(`${base}/reports/${encodeURIComponent(r.tracking_code)}`)}</link>`,
        `<description>${escapeXml(t('rweb.rss.item_description', { state: stateLabel(ctxLike, r.state), category: r.category.title[locale], org: names.get(r.org) ?? r.org }))}</description>`,
        `<category>${escapeXml(r.category.title[locale])}</category>`,
        `<pubDate>${new Date(r.created_at).toUTCString()}</pubDate>`,
        `<guid isPermaLink="false">${escapeXml(r.tracking_code)}</guid>`,
        '</item>',
      ].join(''));
      const xml = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>',
        `<title>${escapeXml(title)}</title>`,
        `<link>${escapeXml(`${base}/reports${feedQuery(filters, locale)}`)}</link>`,
        `<description>${escapeXml(t('rweb.rss.description'))}</description>`,
        `<language>${locale === 'fa' ? 'fa-IR' : 'en'}</language>`,
        `<atom:link href="${escapeXml(self)}" rel="self" type="application/rss+xml"/>`,
        rows[0] ? `<lastBuildDate>${new Date(Math.max(...rows.map((r) => r.updated_at ?? r.created_at))).toUTCString()}</lastBuildDate>` : '',
        ...items,
        '</channel></rss>',
      ].join('\n');
      return reply.type('application/rss+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(xml);
    });

    app.get('/reports/:code', { schema: { hide: true } }, async (req, reply) => {
      const code = trackingCode.safeParse((req.params as { code: string }).code);
      if (!code.success) throw notFound();
      const report = await grievances.publicGet(code.data);
      return send(reply, h(PublicReportPage, { ctx: ctxOf(req, reply), map, report, municipalities: await municipalities() }));
    });
  };
}
