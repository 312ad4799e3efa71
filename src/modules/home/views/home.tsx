import type { ViewContext } from '../../../platform/views/context.js';
import { Layout } from '../../../platform/views/components.js';
import { formatDate } from '../../../platform/i18n/format.js';
import type { OrgView } from '../../orgs/service.js';
import type { CatalogItem } from '../../catalog/service.js';
import { CATEGORIES } from '../../catalog/schemas.js';
import { ServiceCards, itemUrl } from '../../catalog/views/catalog.js';
import { loc } from '../../catalog/views/describe.js';
import type { NewsSummary } from '../../news/public-service.js';
import { TitleList } from '../../news/views/public.js';

/** The services of the catalog by category: a directory of links, each with how many municipalities offer it. */
function CatalogDirectory(props: { ctx: ViewContext; services: CatalogItem[] }) {
  const { ctx } = props;
  const groups = CATEGORIES.map((c) => ({ category: c, items: props.services.filter((s) => s.category === c) })).filter((g) => g.items.length);
  return (
    <div class="row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3" data-testid="catalog">
      {groups.map((g) => (
        <div class="col">
          <div class="pk-card p-3 h-100">
            <h3 class="h6 fw-bold"><a href={`/services?category=${g.category}`}>{ctx.t(`catalog.category.${g.category}`)}</a></h3>
            <ul class="list-unstyled mb-0">
              {g.items.map((s) => (
                <li class="py-1 d-flex justify-content-between gap-2">
                  <a href={itemUrl(s)}>{loc(s.title, ctx.locale)}</a>
                  <span class="small text-secondary text-nowrap">{ctx.t('catalog.offered_by_n', { n: s.offeredBy })}</span>
                </li>
              ))}
            </ul>
          </div>
        </div>
      ))}
    </div>
  );
}

/** The province's single window: search, the catalog of services, the municipalities. */
export function HomePage(props: { ctx: ViewContext; q: string; services: CatalogItem[]; municipalities: OrgView[]; province: OrgView | null; reference: OrgView | null; news?: NewsSummary[] }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('home.title')} description={ctx.t('app.tagline')}>
      <section class="pk-hero py-4 py-md-5">
        <div class="container">
          <p class="text-secondary mb-1">
            {ctx.t('home.today')}: <time dateTime={new Date(ctx.now).toISOString()}>{formatDate(ctx.now, ctx.locale, 'long')}</time>
          </p>
          <h1 class="h2 fw-bold">{ctx.t('home.title')}</h1>
          <p class="lead">{ctx.t('home.lead')}</p>
          <form method="get" action="/services" role="search" class="row g-2 mt-2">
            <div class="col-12 col-md-8 col-lg-6">
              <label class="form-label visually-hidden" for="q">{ctx.t('home.search_label')}</label>
              <input id="q" name="q" type="search" class="form-control form-control-lg" value={props.q} placeholder={ctx.t('home.search_placeholder')} maxLength={200} />
            </div>
            <div class="col-12 col-md-auto">
              <button type="submit" class="btn btn-primary btn-lg w-100">{ctx.t('home.search_button')}</button>
            </div>
          </form>
          <p class="mt-3 mb-0 d-flex flex-wrap gap-2">
            <a class="btn btn-outline-primary" href="/report">{ctx.t('home.report_problem')}</a>
            <a class="btn btn-outline-primary" href="/bills">{ctx.t('nav.bills')}</a>
            <a class="btn btn-outline-primary" href="/track">{ctx.t('nav.track')}</a>
          </p>
        </div>
      </section>
      <div class="container py-4">
        <section aria-labelledby="catalog-h" class="mb-5">
          <div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2 mb-3">
            <h2 id="catalog-h" class="h4 mb-0">{ctx.t('home.catalog')}</h2>
            {props.services.length ? <a href="/services">{ctx.t('catalog.view_all')}</a> : null}
          </div>
          {props.services.length === 0 ? (
            <p class="text-secondary" data-testid="catalog-empty">
              {props.q ? ctx.t('home.search_no_result', { q: props.q }) : ctx.t('home.catalog_empty')}
            </p>
          ) : props.q ? (
            <ServiceCards ctx={ctx} items={props.services} />
          ) : (
            <CatalogDirectory ctx={ctx} services={props.services} />
          )}
        </section>
        {props.news?.length ? (
          <section aria-labelledby="news-h" class="mb-5" data-testid="home-news">
            <div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2 mb-2">
              <h2 id="news-h" class="h4 mb-0">{ctx.t('newsp.home_latest')}</h2>
              <a href="/news">{ctx.t('newsp.all_news')}</a>
            </div>
            <div class="pk-card px-3 py-1">
              <div class="row gx-4">
                <div class="col-12 col-md-6"><TitleList ctx={ctx} items={props.news.slice(0, Math.ceil(props.news.length / 2))} /></div>
                <div class="col-12 col-md-6"><TitleList ctx={ctx} items={props.news.slice(Math.ceil(props.news.length / 2))} /></div>
              </div>
            </div>
          </section>
        ) : null}
        <section aria-labelledby="orgs-h">
          <h2 id="orgs-h" class="h4">{ctx.t('home.orgs')} <span class="badge text-bg-light fw-normal">{ctx.t('home.orgs_count', { n: props.municipalities.length })}</span></h2>
          {props.reference ? (
            <p class="small text-secondary">{ctx.t('home.reference_org')}: {props.reference.name[ctx.locale]}</p>
          ) : null}
          <ul class="pk-org-list mt-3">
            {props.municipalities.map((o) => (
              <li lang={ctx.locale}>
                <a href={`/orgs/${o.code}`}>{o.name[ctx.locale]}</a>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </Layout>
  );
}
