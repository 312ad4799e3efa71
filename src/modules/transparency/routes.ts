import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { viewContext } from '../../platform/http/context.js';
import { AppError, notFound } from '../../platform/http/errors.js';
import type { Locale } from '../../platform/i18n/format.js';
import { currentPeriod, formatPeriod, isValidPeriod, parsePeriod, periodLabel, previousPeriods, type Period, type PeriodKind } from './periods.js';
import { TREND_LENGTH, figuresVersion, kpis, league, serviceBreakdown, trend } from './kpi.js';
import { KeptPages, keptPage, sendKept } from '../../platform/http/kept-page.js';
import type { ViewContext } from '../../platform/views/context.js';
import { renderPage } from '../../platform/views/render.js';
import { tehranDayKey } from '../../platform/i18n/format.js';
import type { VNode } from 'preact';
import { DashboardPage, dashboardHref, type DashboardData, type Named, type PeriodOption } from './views/dashboard.js';
import './messages-dashboard.js';

const CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** How many periods of each kind the period list offers, ending with the current one. */
const OPTIONS: Record<PeriodKind, number> = { month: 12, season: 8, year: 5 };

/** The period asked for (default: the current season), or a localized 400 naming the field. */
function periodOf(query: unknown, now: number): Period {
  const raw = (query as { period?: unknown } | undefined)?.period;
  if (raw === undefined || raw === '') return currentPeriod('season', now);
  const p = typeof raw === 'string' && raw.length <= 16 ? parsePeriod(raw) : null;
  if (!p || !isValidPeriod(p)) throw new AppError('tdash.bad_period', 400, { period: 'tdash.bad_period_field' }, { period: String(raw).slice(0, 16) });
  return p;
}

function periodOptions(selected: Period, now: number, locale: Locale): PeriodOption[] {
  const out: PeriodOption[] = [];
  for (const kind of ['month', 'season', 'year'] as const) {
    const periods = previousPeriods(currentPeriod(kind, now), OPTIONS[kind]).reverse();
    if (kind === selected.kind && !periods.some((p) => formatPeriod(p) === formatPeriod(selected))) periods.push(selected);
    for (const p of periods) out.push({ value: formatPeriod(p), label: periodLabel(p, locale), kind });
  }
  return out;
}

/** The CSV of the same figures, from the open-data downloads. */
function csvHref(period: Period, org?: string, service?: string): string {
  const q = new URLSearchParams({ period: formatPeriod(period) });
  if (org) q.set('org', org);
  if (service) q.set('service', service);
  return `/open-data/kpis.csv?${q.toString()}`;
}

/**
 * The public transparency dashboards (no sign-in): the province, a municipality, one service of
 * a municipality, for a Jalali month, season or year. They read only the KPI rollups.
 */
export function transparencyRoutes(deps: AppDeps) {
  // Public, lag-tolerant reads: on the read replica when there is one.
  const { readDb: db, config } = deps;
  const options = { costPerVisitRials: config.costPerVisitRials };
  const { orgs, catalog } = deps.services;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction: config.isProduction, now: deps.clock.now() });

  const municipalities = async (locale: Locale): Promise<Named[]> => {
    const collator = new Intl.Collator(locale);
    return (await orgs.list()).filter((o) => o.kind === 'municipality')
      .map((o) => ({ code: o.code, name: o.name }))
      .sort((a, b) => collator.compare(a.name[locale] || a.name.fa, b.name[locale] || b.name.fa));
  };

  /** The services of an org: those it offers now and those with figures in the period. */
  const servicesOf = async (org: string, breakdown: { service: { code: string; title: { fa: string; en: string } } }[], locale: Locale): Promise<Named[]> => {
    const offered = (await catalog.catalog({ org, perPage: 100, locale })).items.map((i) => ({ code: i.code, name: { fa: i.title.fa, en: i.title.en ?? i.title.fa } }));
    const seen = new Set(offered.map((s) => s.code));
    return [...offered, ...breakdown.filter((b) => !seen.has(b.service.code)).map((b) => ({ code: b.service.code, name: b.service.title }))];
  };

  // A page as an anonymous visitor sees it depends only on its address, the language, the day (the
  // footer's date) and the figures' version: it is kept for a minute as encoded bytes (compressed
  // copies made on first demand), so a busy dashboard costs a lookup and a write. Browsers get an
  // ETag and revalidate (304). Signed-in visitors (their name in the header) get it drawn anew.
  const PAGE_TTL_MS = 60_000;
  const pages = new KeptPages(PAGE_TTL_MS);
  async function sendDashboard<P>(req: FastifyRequest, reply: FastifyReply, build: (ctx: ViewContext) => Promise<VNode<P>>) {
    const now = deps.clock.now();
    if (req.actor.kind !== 'anonymous') return reply.type('text/html; charset=utf-8').send(renderPage(await build(ctxOf(req, reply))));
    const key = `${req.locale}|${req.url}|${tehranDayKey(now)}|${await figuresVersion(db)}`;
    const kept = pages.get(key, now) ?? pages.set(key, keptPage(renderPage(await build(ctxOf(req, reply))), now));
    return sendKept(req, reply, kept);
  }

  return async function plugin(app: FastifyInstance) {
    app.get('/transparency', { schema: { hide: true } }, async (req, reply) => {
      const now = deps.clock.now();
      const period = periodOf(req.query, now);
      const q = req.query as Record<string, unknown>;
      // The scope form (GET, works without JavaScript) lands here: on to the page it chose.
      if (typeof q.org === 'string' && q.org !== '') {
        if (!CODE.test(q.org)) throw notFound();
        const keepService = typeof q.service === 'string' && CODE.test(q.service) && q.from_org === q.org;
        return reply.redirect(dashboardHref(q.org, keepService ? (q.service as string) : undefined, period), 303);
      }
      return sendDashboard(req, reply, async (ctx) => {
        const periods = previousPeriods(period, TREND_LENGTH[period.kind]);
        const [set, series, table, orgList] = await Promise.all([kpis(db, {}, period, options), trend(db, {}, periods, options), league(db, period, options), municipalities(ctx.locale)]);
        const data: DashboardData = {
          level: 'province', period, periodOptions: periodOptions(period, now, ctx.locale), orgs: orgList,
          kpis: set, trend: series, league: table, csvHref: csvHref(period),
        };
        return h(DashboardPage, { ctx, data });
      });
    });

    app.get('/transparency/:org', { schema: { hide: true } }, async (req, reply) => {
      const { org } = req.params as { org: string };
      const now = deps.clock.now();
      return sendDashboard(req, reply, async (ctx) => {
        const orgList = await municipalities(ctx.locale);
        const current = orgList.find((o) => o.code === org);
        if (!current) throw notFound();
        const period = periodOf(req.query, now);
        const periods = previousPeriods(period, TREND_LENGTH[period.kind]);
        const [set, series, breakdown] = await Promise.all([kpis(db, { org }, period, options), trend(db, { org }, periods, options), serviceBreakdown(db, { org }, period, options)]);
        const data: DashboardData = {
          level: 'org', org: current, period, periodOptions: periodOptions(period, now, ctx.locale), orgs: orgList,
          services: await servicesOf(org, breakdown, ctx.locale), kpis: set, trend: series, breakdown, csvHref: csvHref(period, org),
        };
        return h(DashboardPage, { ctx, data });
      });
    });

    app.get('/transparency/:org/:service', { schema: { hide: true } }, async (req, reply) => {
      const { org, service } = req.params as { org: string; service: string };
      const now = deps.clock.now();
      return sendDashboard(req, reply, async (ctx) => {
        const orgList = await municipalities(ctx.locale);
        const current = orgList.find((o) => o.code === org);
        if (!current || !CODE.test(service)) throw notFound();
        const period = periodOf(req.query, now);
        const breakdown = await serviceBreakdown(db, { org }, period, options);
        const services = await servicesOf(org, breakdown, ctx.locale);
        const chosen = services.find((s) => s.code === service);
        if (!chosen) throw notFound();
        const periods = previousPeriods(period, TREND_LENGTH[period.kind]);
        const [set, series] = await Promise.all([kpis(db, { org, service }, period, options), trend(db, { org, service }, periods, options)]);
        const data: DashboardData = {
          level: 'service', org: current, service: chosen, period, periodOptions: periodOptions(period, now, ctx.locale), orgs: orgList,
          services, kpis: set, trend: series, csvHref: csvHref(period, org, service),
        };
        return h(DashboardPage, { ctx, data });
      });
    });
  };
}
