import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { validatorCompiler } from 'fastify-type-provider-zod';
import multipart from '@fastify/multipart';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { AppError, badInput, notFound } from '../../platform/http/errors.js';
import { routeKit } from '../../platform/http/route-kit.js';
import { sendPage } from '../../platform/http/context.js';
import { checkMultipartCsrf, formFailure, seeOther } from '../../platform/http/forms.js';
import { jalaliParts } from '../../platform/i18n/format.js';
import { tehranWallClock } from '../../platform/i18n/tehran.js';
import { toAsciiDigits, toPersianDigits } from '../../platform/i18n/persian.js';
import type { ViewContext } from '../../platform/views/context.js';
import { BODY_MAX, type ArticleView, type EditorAction } from './service.js';
import { MAX_IMAGE_BYTES } from './images.js';
import { NewsFormPage, NewsListPage, type ArticleFormValues } from './views/staff.js';
import * as s from './schemas.js';
import './messages-staff.js';

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());
const summaryJson = (a: ArticleView) => ({
  code: a.code, org: a.org.code, lang: a.lang, title: a.title, lead: a.lead, body_format: a.body_format, tags: a.tags, state: a.state, visible: a.visible,
  public_url: `/news/${a.code}`, publish_at: iso(a.publish_at), published_at: iso(a.published_at), corrected_at: iso(a.corrected_at),
  created_at: new Date(a.created_at).toISOString(), updated_at: new Date(a.updated_at).toISOString(),
});
const articleJson = (a: ArticleView) => ({ ...summaryJson(a), body_source: a.body_source, body_html: a.body_html, images: a.images });

const ACTIONS: readonly EditorAction[] = ['draft', 'publish', 'schedule', 'unpublish'];
const DONE = ['created', 'saved', 'published', 'scheduled', 'unpublished', 'image', 'images'] as const;
const doneOf = (action: EditorAction, created: boolean) => (action === 'publish' ? 'published' : action === 'schedule' ? 'scheduled' : action === 'unpublish' ? 'unpublished' : created ? 'created' : 'saved');

/** The string fields of the article form (urlencoded), the body with its own, larger limit. */
function articleForm(req: FastifyRequest): ArticleFormValues & { action: string } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const str = (k: string, max = 4000) => (typeof body[k] === 'string' ? (body[k] as string).replaceAll('\u0000', '').slice(0, max) : '');
  return {
    title: str('title'), lead: str('lead'), body: str('body', BODY_MAX + 1), body_format: str('body_format') || 'markdown', tags: str('tags'),
    lang: str('lang') || 'fa', org: str('org', 64), publish_date: str('publish_date', 40), publish_time: str('publish_time', 20), action: str('action', 20),
  };
}

/** The form's values of a saved article (the schedule as Jalali date and Tehran time). */
function valuesOf(ctx: ViewContext, a?: ArticleView): ArticleFormValues {
  const digits = (x: string) => (ctx.locale === 'fa' ? toPersianDigits(x) : x);
  let publishDate = '';
  let publishTime = '';
  if (a?.state === 'scheduled' && a.publish_at) {
    const j = jalaliParts(a.publish_at);
    const w = tehranWallClock(a.publish_at);
    publishDate = digits(`${j.year}/${String(j.month).padStart(2, '0')}/${String(j.day).padStart(2, '0')}`);
    publishTime = digits(`${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`);
  }
  return {
    title: a?.title ?? '', lead: a?.lead ?? '', body: a?.body_source ?? '', body_format: a?.body_format ?? 'markdown', tags: (a?.tags ?? []).join('، '),
    lang: a?.lang ?? ctx.locale, org: a?.org.code ?? '', publish_date: publishDate, publish_time: publishTime,
  };
}

const codeParam = (req: FastifyRequest) => {
  const raw = toAsciiDigits(String((req.params as { code?: string }).code ?? ''));
  return /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
};

/** The newsroom's staff JSON API and the PR editors' pages (/staff/news). */
export function newsRoutes(deps: AppDeps) {
  const news = deps.services.news;
  const kit = routeKit({ isProduction: deps.config.isProduction, clock: deps.clock });

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['news'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
    const errors = { 401: s.errorReply, 404: s.errorReply };
    const base = '/api/v1/orgs/:org/news';

    api.get(base, {
      config: { apiScope: 'news.write' },
      schema: { tags, security, summary: "An organization's news articles in every state, newest first (its PR editors and admins)", params: s.orgParams, querystring: s.listQuery, response: { 200: s.listReply, ...errors } },
    }, async (req) => ({ items: (await news.list(kit.apiActor(req), req.params.org, { state: req.query.state })).map(summaryJson) }));

    api.post(base, {
      config: { apiScope: 'news.write' },
      schema: {
        tags, security, summary: 'Write a new article (a draft) with the next news code',
        description: 'The news code is platform-wide, sequential and never reused. Bad values answer 400 naming each field.',
        params: s.orgParams, body: s.articleBody, response: { 201: s.article, 400: s.errorReply, ...errors },
      },
    }, async (req, reply) => reply.status(201).send(articleJson(await news.create(kit.apiActor(req), req.params.org, req.body))));

    api.get(`${base}/:code`, {
      config: { apiScope: 'news.write' },
      schema: { tags, security, summary: 'One article with its source, sanitized body and images', params: s.articleParams, response: { 200: s.article, ...errors } },
    }, async (req) => articleJson(await news.get(kit.apiActor(req), req.params.org, req.params.code)));

    api.put(`${base}/:code`, {
      config: { apiScope: 'news.write' },
      schema: {
        tags, security, summary: "Replace an article's title, lead, body, tags and language",
        description: 'On an article the public sees, this is a correction: corrected_at (the visible "updated" time) is set and the audit log records what changed.',
        params: s.articleParams, body: s.articleBody, response: { 200: s.article, 400: s.errorReply, ...errors },
      },
    }, async (req) => articleJson(await news.save(kit.apiActor(req), req.params.org, req.params.code, req.body)));

    api.post(`${base}/:code/publish`, {
      config: { apiScope: 'news.write' },
      schema: { tags, security, summary: 'Publish now (a republished article keeps its first date line)', params: s.articleParams, response: { 200: s.article, ...errors } },
    }, async (req) => articleJson(await news.publish(kit.apiActor(req), req.params.org, req.params.code)));

    api.post(`${base}/:code/schedule`, {
      config: { apiScope: 'news.write' },
      schema: {
        tags, security, summary: 'Schedule publication at a Jalali date and Tehran time in the future',
        description: 'The public sees the article from that moment; a worker then marks it published. 409 when it is already published.',
        params: s.articleParams, body: s.scheduleBody, response: { 200: s.article, 400: s.errorReply, 409: s.errorReply, ...errors },
      },
    }, async (req) => articleJson(await news.schedule(kit.apiActor(req), req.params.org, req.params.code, req.body.publish_date, req.body.publish_time)));

    api.post(`${base}/:code/unpublish`, {
      config: { apiScope: 'news.write' },
      schema: { tags, security, summary: 'Take a published or scheduled article off the public pages (its code stays taken)', params: s.articleParams, response: { 200: s.article, 409: s.errorReply, ...errors } },
    }, async (req) => articleJson(await news.unpublish(kit.apiActor(req), req.params.org, req.params.code)));

    api.put(`${base}/:code/images`, {
      config: { apiScope: 'news.write' },
      schema: { tags, security, summary: "Set images' captions and order, remove images", params: s.articleParams, body: s.imagesBody, response: { 200: s.imagesReply, 400: s.errorReply, ...errors } },
    }, async (req) => ({ items: await news.updateImages(kit.apiActor(req), req.params.org, req.params.code, req.body) }));

    // ---------- multipart: image uploads (API and page) ----------
    await app.register(async (scoped) => {
      await scoped.register(multipart, { limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 4, parts: 6, fieldSize: 4000 } });

      /** The upload's image bytes and caption; a file over the limit is a 400 on the image field. */
      async function readUpload(req: FastifyRequest, onCsrf?: (token: string | undefined) => Promise<void>) {
        const fields: Record<string, string> = {};
        let image: Buffer | null = null;
        if (!req.isMultipart()) throw badInput({ image: 'news.image_required' });
        for await (const part of req.parts()) {
          if (part.type === 'field') { fields[part.fieldname] = String(part.value ?? '').replaceAll('\u0000', ''); continue; }
          if (onCsrf) { await onCsrf(fields._csrf); onCsrf = undefined; }
          if (part.fieldname !== 'image' || image) { part.file.resume(); continue; }
          try {
            image = await part.toBuffer();
          } catch (err) {
            if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw badInput({ image: 'news.image_too_large' });
            // The parser stopped the part (too many fields before it, a body cut short): bad input, not a bug.
            if ((err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') throw badInput({ image: 'common.invalid_value' });
            throw err;
          }
        }
        if (onCsrf) await onCsrf(fields._csrf);
        if (!image || image.length === 0) throw badInput({ image: 'news.image_required' });
        return { image, caption: fields.caption ?? '' };
      }

      scoped.withTypeProvider<ZodTypeProvider>().post(`${base}/:code/images`, {
        schema: {
          tags, security, summary: 'Add an image (multipart/form-data: part "image", field "caption")',
          description: 'JPEG, PNG or WebP, checked by content, up to 10 MB; stored re-encoded without metadata at most 1600 px (thumbnail 400 px).',
          params: s.articleParams, consumes: ['multipart/form-data'], response: { 201: s.image, 400: s.errorReply, 507: s.errorReply, ...errors },
        },
        validatorCompiler: ({ httpPart, schema }) => (httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler({ schema: schema as never, method: 'POST', url: '', httpPart })),
      }, async (req, reply) => {
        const actor = kit.apiActor(req);
        await news.get(actor, req.params.org, req.params.code); // 404 before reading a file for an article the caller may not touch
        const { image, caption } = await readUpload(req);
        return reply.status(201).send(await news.addImage(actor, req.params.org, req.params.code, image, caption));
      });

      scoped.post('/staff/news/:code/images', { schema: { hide: true } }, async (req, reply) => {
        if (req.actor.kind !== 'staff') return kit.signInFirst(req, reply, '/staff/login');
        const ctx = kit.ctxOf(req, reply);
        const code = codeParam(req);
        const article = await news.get(req.actor, null, code);
        try {
          const { image, caption } = await readUpload(req, (token) => checkMultipartCsrf(scoped, req, reply, token));
          await news.addImage(req.actor, null, code, image, caption);
          return seeOther(reply, `/staff/news/${code}?done=image#images`);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          const f = formFailure(ctx, err);
          if (f.status === 404 || f.status === 401 || f.status === 403) throw err;
          return sendPage(reply, h(NewsFormPage, { ctx, values: valuesOf(ctx, article), orgChoices: [], article, errors: f.errors, error: f.error }), f.status);
        }
      });
    });

    // ---------- staff pages ----------

    const orgChoicesOf = async (req: FastifyRequest, ctx: ViewContext) =>
      (await news.writableOrgs(req.actor)).map((o) => ({ code: o.code, name: ctx.locale === 'en' ? o.name.en : o.name.fa }));
    const flashOf = (req: FastifyRequest, ctx: ViewContext) => {
      const done = (req.query as { done?: string }).done;
      return (DONE as readonly string[]).includes(done ?? '') ? ctx.t(`news_staff.done.${done}`) : undefined;
    };
    const staffOnly = (req: FastifyRequest, reply: FastifyReply) => (req.actor.kind !== 'staff' ? kit.signInFirst(req, reply, '/staff/login') : null);

    app.get('/staff/news', { schema: { hide: true } }, async (req, reply) => {
      const away = staffOnly(req, reply);
      if (away) return away;
      const ctx = kit.ctxOf(req, reply);
      const choices = await orgChoicesOf(req, ctx);
      if (choices.length === 0) throw notFound();
      return sendPage(reply, h(NewsListPage, { ctx, articles: await news.list(req.actor), flash: flashOf(req, ctx) }));
    });

    app.get('/staff/news/new', { schema: { hide: true } }, async (req, reply) => {
      const away = staffOnly(req, reply);
      if (away) return away;
      const ctx = kit.ctxOf(req, reply);
      const choices = await orgChoicesOf(req, ctx);
      if (choices.length === 0) throw notFound();
      const asked = (req.query as { org?: string }).org;
      const values = { ...valuesOf(ctx), org: choices.find((o) => o.code === asked)?.code ?? choices[0]!.code };
      return sendPage(reply, h(NewsFormPage, { ctx, values, orgChoices: choices }));
    });

    app.post('/staff/news', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      const away = staffOnly(req, reply);
      if (away) return away;
      const ctx = kit.ctxOf(req, reply);
      const choices = await orgChoicesOf(req, ctx);
      if (choices.length === 0) throw notFound();
      const { action, ...values } = articleForm(req);
      const act = (ACTIONS as readonly string[]).includes(action) ? (action as EditorAction) : 'draft';
      const org = values.org || choices[0]!.code;
      try {
        // The select offers only the editor's organizations: another one is answered as missing.
        if (!choices.some((o) => o.code === org)) throw notFound();
        const created = await news.create(req.actor, org, values, act, { date: values.publish_date, time: values.publish_time });
        return seeOther(reply, `/staff/news/${created.code}?done=${doneOf(act, true)}`);
      } catch (err) {
        const f = formFailure(ctx, err);
        if (f.status === 404 || f.status === 401) throw err;
        return sendPage(reply, h(NewsFormPage, { ctx, values: { ...values, org }, orgChoices: choices, errors: f.errors, error: f.error }), f.status);
      }
    });

    app.get('/staff/news/:code', { schema: { hide: true } }, async (req, reply) => {
      const away = staffOnly(req, reply);
      if (away) return away;
      const ctx = kit.ctxOf(req, reply);
      const article = await news.get(req.actor, null, codeParam(req));
      return sendPage(reply, h(NewsFormPage, { ctx, values: valuesOf(ctx, article), orgChoices: [], article, flash: flashOf(req, ctx) }));
    });

    app.post('/staff/news/:code', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      const away = staffOnly(req, reply);
      if (away) return away;
      const ctx = kit.ctxOf(req, reply);
      const code = codeParam(req);
      const article = await news.get(req.actor, null, code);
      const { action, ...values } = articleForm(req);
      const act = (ACTIONS as readonly string[]).includes(action) ? (action as EditorAction) : 'draft';
      try {
        await news.save(req.actor, null, code, values, act, { date: values.publish_date, time: values.publish_time });
        return seeOther(reply, `/staff/news/${code}?done=${doneOf(act, false)}`);
      } catch (err) {
        const f = formFailure(ctx, err);
        if (f.status === 404 || f.status === 401) throw err;
        return sendPage(reply, h(NewsFormPage, { ctx, values: { ...values, org: article.org.code }, orgChoices: [], article, errors: f.errors, error: f.error }), f.status);
      }
    });

    app.post('/staff/news/:code/images/edit', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      const away = staffOnly(req, reply);
      if (away) return away;
      const ctx = kit.ctxOf(req, reply);
      const code = codeParam(req);
      const article = await news.get(req.actor, null, code);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
      const order = article.images.map((img, i) => {
        const typed = toAsciiDigits(str(`position_${img.id}`) ?? '').trim();
        return { id: img.id, caption: (str(`caption_${img.id}`) ?? img.caption).slice(0, 4000), pos: /^\d{1,3}$/.test(typed) ? Number(typed) : i + 1, i };
      }).sort((a, b) => a.pos - b.pos || a.i - b.i);
      const remove = article.images.filter((img) => str(`remove_${img.id}`) === 'on').map((img) => img.id);
      try {
        await news.updateImages(req.actor, null, code, { items: order.map(({ id, caption }) => ({ id, caption })), remove });
        return seeOther(reply, `/staff/news/${code}?done=images#images`);
      } catch (err) {
        const f = formFailure(ctx, err);
        if (f.status === 404 || f.status === 401) throw err;
        return sendPage(reply, h(NewsFormPage, { ctx, values: valuesOf(ctx, article), orgChoices: [], article, errors: f.errors, error: f.error }), f.status);
      }
    });
  };
}
