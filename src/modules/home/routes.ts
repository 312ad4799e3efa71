import type { FastifyInstance } from 'fastify';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { LANG_COOKIE, safeNext, sendPage, viewContext } from '../../platform/http/context.js';
import { normalizePersian } from '../../platform/i18n/persian.js';
import { createPublicNews } from '../news/public-service.js';
import { HomePage } from './views/home.js';

/** The single-window home page and the language switch. */
export function homeRoutes(deps: AppDeps) {
  const news = createPublicNews({ db: deps.db, clock: deps.clock, files: deps.files });
  return async function plugin(app: FastifyInstance) {
    app.get('/', { schema: { hide: true } }, async (req, reply) => {
      const raw = (req.query as { q?: unknown }).q;
      const q = typeof raw === 'string' ? normalizePersian(raw).slice(0, 200) : '';
      const all = await deps.services.orgs.list();
      const services = (await deps.services.catalog.catalog({ q, perPage: 100, locale: req.locale })).items;
      const ctx = viewContext(req, reply, { isProduction: deps.config.isProduction, now: deps.clock.now() });
      return sendPage(reply, h(HomePage, {
        ctx, q, services, news: await news.latest(6),
        municipalities: all.filter((o) => o.kind === 'municipality'),
        province: all.find((o) => o.kind === 'province') ?? null,
        reference: all.find((o) => o.is_reference) ?? null,
      }));
    });

    app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/static/favicon.svg', 301));

    app.get('/lang/:locale', { schema: { hide: true } }, async (req, reply) => {
      const { locale } = req.params as { locale: string };
      const next = safeNext((req.query as { next?: string }).next);
      if (locale === 'fa' || locale === 'en') {
        reply.setCookie(LANG_COOKIE, locale, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600, httpOnly: false, secure: deps.config.isProduction });
      }
      return reply.redirect(next, 303);
    });
  };
}
