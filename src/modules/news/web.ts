import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { render } from 'preact-render-to-string';
import type { AppDeps } from '../../wiring.js';
import { AppError, notFound } from '../../platform/http/errors.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { routeKit } from '../../platform/http/route-kit.js';
import { renderPage } from '../../platform/views/render.js';
import type { ViewContext } from '../../platform/views/context.js';
import { t as translate } from '../../platform/i18n/messages.js';
import type { Locale } from '../../platform/i18n/format.js';
import { createPublicNews, monthKey, parseCode, parseMonth, type ListQuery, type NewsArticle, type NewsImage, type NewsSummary } from './public-service.js';
import { articleUrl, createNewsShare, shareRateLimit } from './share.js';
import { atomFeed, rssFeed } from './feeds.js';
import { ArticlePage, monthLabel, NewsListPage, PrintPage, type ShareState } from './views/public.js';
import * as s from './public-schemas.js';
import './messages-public.js';

const FEED_ITEMS = 30;

/** The query strings of a list: the filters (for the pager) and the feed's (org and language only). */
function listQueries(r: { q: string; org?: { code: string }; tag?: { key: string }; month?: { year: number; month: number } }, locale: Locale) {
  const p = new URLSearchParams();
  if (r.q) p.set('q', r.q);
  if (r.org) p.set('org', r.org.code);
  if (r.tag) p.set('tag', r.tag.key);
  if (r.month) p.set('month', monthKey(r.month));
  const f = new URLSearchParams();
  if (r.org) f.set('org', r.org.code);
  if (locale === 'en') f.set('lang', 'en');
  return { base: p.toString(), feed: f.toString() ? `?${f.toString()}` : '' };
}

/** A string query value, or undefined (repeated or odd values are treated as absent). */
const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The public newsroom: articles, lists, archive, search, feeds, send to a friend, and its JSON API. */
export function newsWeb(deps: AppDeps) {
  const { config } = deps;
  const base = config.publicUrl;
  const news = createPublicNews({ db: deps.db, clock: deps.clock, files: deps.files });
  const sharing = createNewsShare({ db: deps.db, clock: deps.clock, secret: config.sessionSecret, publicUrl: base, onOutbox: () => deps.worker.kick() });
  const kit = routeKit({ isProduction: config.isProduction, clock: deps.clock });

  const abs = (path: string) => `${base}${path}`;
  const shortUrl = (code: number) => abs(`/n/${code}`);

  /** Sends a page with extra elements in its head (stylesheet, feeds, metadata). */
  const send = (reply: FastifyReply, page: string, head: string, status = 200) =>
    reply.status(status).type('text/html; charset=utf-8').send(page.replace('</head>', `${head}</head>`));
  const stylesheet = render(h('link', { rel: 'stylesheet', href: '/static/news.css' }));

  const feedLinks = (ctx: ViewContext, feedQuery: string, orgName?: string) => {
    const title = orgName ? ctx.t('newsp.feed_title_org', { org: orgName }) : ctx.t('newsp.feed_title_province');
    return render(h('link', { rel: 'alternate', type: 'application/rss+xml', title: `${title} (RSS)`, href: `/news/feed.rss${feedQuery}` }))
      + render(h('link', { rel: 'alternate', type: 'application/atom+xml', title: `${title} (Atom)`, href: `/news/feed.atom${feedQuery}` }));
  };

  /** Open Graph, Twitter card, canonical link and JSON-LD NewsArticle of an article page. */
  const articleHead = (ctx: ViewContext, a: NewsArticle) => {
    const canonical = abs(`/news/${a.code}`);
    const image = a.images[0];
    const modified = Math.max(a.publishedAt, a.correctedAt ?? 0);
    const meta = (property: string, content: string) => h('meta', { property, content });
    const named = (name: string, content: string) => h('meta', { name, content });
    const tags = [
      h('link', { rel: 'canonical', href: canonical }),
      h('link', { rel: 'shortlink', href: shortUrl(a.code) }),
      meta('og:type', 'article'),
      meta('og:site_name', ctx.t('app.name')),
      meta('og:title', a.title),
      meta('og:description', a.lead),
      meta('og:url', canonical),
      meta('og:locale', a.lang === 'fa' ? 'fa_IR' : 'en_GB'),
      ...(image ? [meta('og:image', abs(image.url)), meta('og:image:width', String(image.width)), meta('og:image:height', String(image.height)), meta('og:image:alt', image.caption || a.title)] : []),
      meta('article:published_time', new Date(a.publishedAt).toISOString()),
      meta('article:modified_time', new Date(modified).toISOString()),
      meta('article:section', a.org.name[a.lang]),
      ...a.tags.map((t) => meta('article:tag', t.tag)),
      named('twitter:card', image ? 'summary_large_image' : 'summary'),
      named('twitter:title', a.title),
      named('twitter:description', a.lead),
      ...(image ? [named('twitter:image', abs(image.url))] : []),
    ];
    const ld = {
      '@context': 'https://schema.org',
      '@type': 'NewsArticle',
      headline: a.title.slice(0, 110),
      description: a.lead,
      inLanguage: a.lang,
      identifier: String(a.code),
      url: canonical,
      mainEntityOfPage: { '@type': 'WebPage', '@id': canonical },
      datePublished: new Date(a.publishedAt).toISOString(),
      dateModified: new Date(modified).toISOString(),
      image: a.images.map((i) => abs(i.url)),
      keywords: a.tags.map((t) => t.tag),
      author: { '@type': 'Organization', name: a.org.name[a.lang], url: abs(`/news?org=${encodeURIComponent(a.org.code)}`) },
      publisher: { '@type': 'Organization', name: a.org.name[a.lang], url: abs(`/orgs/${encodeURIComponent(a.org.code)}`) },
    };
    // "<" escaped so no text of the article can close the script element.
    const json = JSON.stringify(ld).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
    return tags.map((v) => render(v as ReturnType<typeof h>)).join('')
      + render(h('script', { type: 'application/ld+json', dangerouslySetInnerHTML: { __html: json } }))
      + render(h('link', { rel: 'stylesheet', href: '/static/news.css', media: 'all' }));
  };

  const orgChoices = async () => (await deps.services.orgs.list()).map((o) => ({ code: o.code, name: o.name }));

  /** A list page (province, org, tag, month, search); bad parameters answer 400 on a page naming them. */
  async function listPage(req: FastifyRequest, reply: FastifyReply, query: ListQuery) {
    const ctx = kit.ctxOf(req, reply);
    const r = await news.list(query);
    const [months, tags, orgs] = await Promise.all([news.months(r.org?.code), news.tags(r.org?.code, 30), orgChoices()]);
    const orgName = r.org?.name[ctx.locale];
    const heading = r.q ? ctx.t('newsp.search_title', { q: r.q })
      : r.tag ? ctx.t('newsp.tag_title', { tag: r.tag.tag })
        : r.month ? ctx.t('newsp.month_title', { month: monthLabel(r.month, ctx.locale) })
          : orgName ? ctx.t('newsp.org_title', { org: orgName }) : ctx.t('newsp.province_title');
    const qs = listQueries(r, ctx.locale);
    const page = renderPage(h(NewsListPage, {
      ctx, heading, items: r.items, total: r.total, page: r.page, pages: r.pages, q: r.q, org: r.org, tag: r.tag, month: r.month,
      orgs, months, tags, baseQuery: qs.base, feedQuery: qs.feed,
    }));
    const canonical = render(h('link', { rel: 'canonical', href: abs(`/news${qs.base ? `?${qs.base}` : ''}${r.page > 1 ? `${qs.base ? '&' : '?'}page=${r.page}` : ''}`) }));
    return send(reply, page, stylesheet + canonical + feedLinks(ctx, qs.feed, orgName));
  }

  const codeOf = (req: FastifyRequest) => {
    const code = parseCode((req.params as { code?: string }).code);
    if (code === null) throw notFound('newsp.not_found');
    return code;
  };

  async function articlePage(req: FastifyRequest, reply: FastifyReply, code: number, share: ShareState, status = 200) {
    const ctx = kit.ctxOf(req, reply);
    const { article, related, latest } = await news.article(code);
    const page = renderPage(h(ArticlePage, { ctx, article, related, latest, shortUrl: shortUrl(article.code), share }));
    return send(reply, page, articleHead(ctx, article) + feedLinks(ctx, ctx.locale === 'en' ? '?lang=en' : ''), status);
  }

  /** A feed of the province or of ?org=; in the language of ?lang= (Persian by default). */
  async function feed(req: FastifyRequest, reply: FastifyReply, kind: 'rss' | 'atom') {
    const locale = req.locale;
    const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params);
    const org = one((req.query as Record<string, unknown>).org);
    const r = await news.list({ org });
    const items = r.items.slice(0, FEED_ITEMS);
    const orgName = r.org?.name[locale];
    const qs = listQueries({ q: '', org: r.org }, locale);
    const info = {
      title: orgName ? t('newsp.feed_title_org', { org: orgName }) : t('newsp.feed_title_province'),
      description: t('newsp.feed_description'), language: locale, base,
      pageUrl: abs(`/news${r.org ? `?org=${encodeURIComponent(r.org.code)}` : ''}`),
      selfUrl: abs(`/news/feed.${kind}${qs.feed}`),
      orgName: (a: NewsSummary) => a.org.name[locale],
    };
    const xml = kind === 'rss' ? rssFeed(items, info) : atomFeed(items, info);
    return reply.type(kind === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300').send(xml);
  }

  async function image(req: FastifyRequest, reply: FastifyReply, variant: 'main' | 'thumb') {
    const id = String((req.params as { id?: string }).id ?? '');
    const img = await news.image(req.actor, id, variant);
    if (img.public && req.headers['if-none-match'] === img.etag) {
      img.stream.destroy();
      return reply.status(304).header('etag', img.etag).header('cache-control', 'public, max-age=86400').send();
    }
    return reply.type(img.mime).header('etag', img.etag)
      .header('cache-control', img.public ? 'public, max-age=86400' : 'private, no-store')
      .header('content-disposition', 'inline')
      .send(img.stream);
  }

  const imageJson = (i: NewsImage) => ({ id: i.id, url: abs(i.url), thumb_url: abs(i.thumbUrl), caption: i.caption, width: i.width, height: i.height, mime: i.mime });
  const summaryJson = (a: NewsSummary) => ({
    code: a.code, url: abs(`/news/${a.code}`), short_url: shortUrl(a.code), lang: a.lang, title: a.title, lead: a.lead, tags: a.tags,
    org: a.org, published_at: new Date(a.publishedAt).toISOString(), corrected_at: a.correctedAt ? new Date(a.correctedAt).toISOString() : null,
    image: a.image ? imageJson(a.image) : null,
  });

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();

    // ---------- pages ----------
    app.get('/news', { schema: { hide: true } }, async (req, reply) => {
      const qy = req.query as Record<string, unknown>;
      // A news code typed into the search box opens that article when it is published.
      const asCode = parseCode(one(qy.q)?.replace(/^\s*(کد خبر|news code)[:：]?\s*/i, '') ?? '');
      if (asCode !== null && await news.article(asCode).then(() => true, () => false)) return seeOther(reply, `/news/${asCode}`);
      return listPage(req, reply, { q: one(qy.q), tag: one(qy.tag), org: one(qy.org) || undefined, month: one(qy.month) || undefined, page: one(qy.page) });
    });
    app.get('/news/tags/:tag', { schema: { hide: true } }, async (req, reply) => {
      const tag = String((req.params as { tag: string }).tag ?? '');
      return listPage(req, reply, { tag, org: one((req.query as Record<string, unknown>).org) || undefined, page: one((req.query as Record<string, unknown>).page) });
    });
    app.get('/news/archive/:year/:month', { schema: { hide: true } }, async (req, reply) => {
      const p = req.params as { year: string; month: string };
      const month = parseMonth(`${p.year}-${p.month}`);
      if (!month) throw notFound();
      const qy = req.query as Record<string, unknown>;
      return listPage(req, reply, { month: monthKey(month), org: one(qy.org) || undefined, page: one(qy.page) });
    });

    app.get('/news/feed.rss', { schema: { hide: true } }, (req, reply) => feed(req, reply, 'rss'));
    app.get('/news/feed.atom', { schema: { hide: true } }, (req, reply) => feed(req, reply, 'atom'));

    app.get('/news/images/:id', { schema: { hide: true } }, (req, reply) => image(req, reply, 'main'));
    app.get('/news/images/:id/thumb', { schema: { hide: true } }, (req, reply) => image(req, reply, 'thumb'));

    app.get('/n/:code', { schema: { hide: true } }, async (req, reply) => reply.redirect(`/news/${codeOf(req)}`, 301));

    app.get('/news/:code', { schema: { hide: true } }, async (req, reply) => {
      const shared = (req.query as { shared?: string }).shared === '1';
      return articlePage(req, reply, codeOf(req), { sent: shared });
    });

    app.get('/news/:code/print', { schema: { hide: true } }, async (req, reply) => {
      const ctx = kit.ctxOf(req, reply);
      const { article } = await news.article(codeOf(req));
      return reply.type('text/html; charset=utf-8').send(renderPage(h(PrintPage, { ctx, article, canonical: abs(`/news/${article.code}`), shortUrl: shortUrl(article.code) })));
    });

    app.post('/news/:code/share', { schema: { hide: true }, preValidation: app.csrfProtection, config: shareRateLimit(sharing.limits.perIpPerMinute) }, async (req, reply) => {
      const code = codeOf(req);
      const ctx = kit.ctxOf(req, reply);
      const values = formValues(req);
      const kept = { sender_name: values.sender_name ?? '', recipient_email: values.recipient_email ?? '' };
      try {
        await sharing.share(code, kept, { ip: req.ip, locale: ctx.locale });
        return seeOther(reply, `/news/${code}?shared=1#share`);
      } catch (err) {
        const f = formFailure(ctx, err);
        if (f.status === 404) throw err;
        if (f.status === 429 && err instanceof AppError && err.params.seconds) reply.header('retry-after', String(err.params.seconds));
        return articlePage(req, reply, code, { values: kept, errors: f.errors, error: f.error }, f.status);
      }
    });

    // ---------- JSON API ----------
    const tags = ['news'];
    api.get('/api/v1/news', {
      schema: {
        tags, summary: 'Published news of the province or one organization, newest first: search, tag, Jalali month, paged',
        querystring: s.listQuery, response: { 200: s.listReply, 400: s.errorReply, 404: s.errorReply },
      },
    }, async (req) => {
      const r = await news.list({ q: req.query.q, tag: req.query.tag, org: req.query.org || undefined, month: req.query.month || undefined, page: req.query.page });
      return { items: r.items.map(summaryJson), total: r.total, page: r.page, per_page: r.perPage, pages: r.pages };
    });

    api.get('/api/v1/news/:code', {
      schema: {
        tags, summary: 'One published article by its news code, with images, related and latest headlines',
        params: s.codeParams, response: { 200: s.articleReply, 404: s.errorReply },
      },
    }, async (req) => {
      const code = parseCode(req.params.code);
      if (code === null) throw notFound('newsp.not_found');
      const { article, related, latest } = await news.article(code);
      return { ...summaryJson(article), body_html: article.bodyHtml, images: article.images.map(imageJson), related: related.map(summaryJson), latest: latest.map(summaryJson) };
    });

    api.post('/api/v1/news/:code/share', {
      config: shareRateLimit(sharing.limits.perIpPerMinute),
      schema: {
        tags, summary: "Send an article to a friend: a fixed e-mail with the article's title, lead and link and the sender's name (rate-limited per address and per recipient)",
        params: s.codeParams, body: s.shareBody, response: { 202: s.shareReply, 400: s.errorReply, 404: s.errorReply, 429: s.errorReply },
      },
    }, async (req, reply) => {
      const code = parseCode(req.params.code);
      if (code === null) throw notFound('newsp.not_found');
      await sharing.share(code, req.body, { ip: req.ip, locale: req.locale });
      return reply.status(202).send({ sent: true as const });
    });
  };
}

export { articleUrl };
