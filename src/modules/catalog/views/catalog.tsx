import type { ViewContext } from '../../../platform/views/context.js';
import { Layout } from '../../../platform/views/components.js';
import type { CatalogItem, OrgRef } from '../service.js';
import { CATEGORIES } from '../schemas.js';
import { loc } from './describe.js';
import '../messages-catalog.js';
import '../../integration/messages-external.js';

/** Where a catalog entry leads: an external service's page, the organization's page of the service, or the province-wide one. */
export const itemUrl = (i: CatalogItem) => (i.external ? `/services/external/${i.external.agency.code}/${i.code}` : i.org ? `/orgs/${i.org}/services/${i.code}` : `/services/${i.code}`);

/** Service cards: title, summary, category, maturity and who offers it. */
export function ServiceCards(props: { ctx: ViewContext; items: CatalogItem[]; headingLevel?: 'h2' | 'h3' }) {
  const { ctx } = props;
  const l = ctx.locale;
  const H = props.headingLevel ?? 'h3';
  return (
    <ul class="row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3 list-unstyled" data-testid="service-list">
      {props.items.map((i) => (
        <li class="col">
          <article class="pk-card p-3 h-100 d-flex flex-column">
            <H class="h6 mb-2"><a href={itemUrl(i)}>{loc(i.title, l)}</a></H>
            {i.summary ? <p class={`small text-secondary mb-2${i.external ? '' : ''}`}>{loc(i.summary, l)}</p> : null}
            {/* Issue 8: an agency's service done on the agency's own site, marked as such, with the way out. */}
            {i.external ? (
              <p class="small mb-2" data-testid="external-note">
                {ctx.t('external.done_on_site', { agency: loc({ fa: i.external.agency.name.fa, en: i.external.agency.name.en }, l) })}{' '}
                <a href={i.external.url} rel="noopener noreferrer external" target="_blank">{ctx.t('external.go', { agency: loc({ fa: i.external.agency.name.fa, en: i.external.agency.name.en }, l) })}<span aria-hidden="true"> ↗</span></a>
              </p>
            ) : null}
            <p class="mt-auto mb-0 small d-flex flex-wrap gap-1">
              {i.external ? <span class="badge text-bg-warning border" data-testid="external-badge">{ctx.t('external.badge')}</span> : null}
              {i.external ? <span class="badge text-bg-light border">{loc({ fa: i.external.agency.name.fa, en: i.external.agency.name.en }, l)}</span> : null}
              <span class="badge text-bg-light border">{ctx.t(`catalog.category.${i.category}`)}</span>
              <span class="badge text-bg-light border">{ctx.t('catalog.maturity_value', { level: i.maturity, name: ctx.t(`catalog.maturity.${i.maturity}`) })}</span>
              {i.org || i.external ? null : <span class="badge text-bg-light border">{ctx.t('catalog.offered_by_n', { n: i.offeredBy })}</span>}
            </p>
          </article>
        </li>
      ))}
    </ul>
  );
}

export interface CatalogPageProps {
  ctx: ViewContext;
  items: CatalogItem[];
  total: number;
  page: number;
  perPage: number;
  filter: { org?: string; category?: string; q?: string };
  org: OrgRef | null;
  municipalities: OrgRef[];
}

function pageUrl(filter: CatalogPageProps['filter'], page: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return `/services${qs ? `?${qs}` : ''}`;
}

/** The single window's catalog: search, filter by municipality and category, pages of cards. */
export function CatalogPage(props: CatalogPageProps) {
  const { ctx, filter } = props;
  const l = ctx.locale;
  const pages = Math.max(1, Math.ceil(props.total / props.perPage));
  const title = props.org ? ctx.t('catalog.org_services', { org: loc({ fa: props.org.name.fa, en: props.org.name.en }, l) }) : ctx.t('catalog.title');
  return (
    <Layout ctx={ctx} title={title} description={ctx.t('catalog.lead')}>
      <div class="container py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/">{ctx.t('nav.home')}</a></li><li class="breadcrumb-item active" aria-current="page">{ctx.t('catalog.title')}</li></ol></nav>
        <h1 class="h3">{title}</h1>
        <p class="text-secondary">{ctx.t('catalog.lead')}</p>
        <form method="get" action="/services" role="search" class="pk-card p-3 mb-4 row g-2 align-items-end mx-0">
          <div class="col-12 col-lg-5">
            <label class="form-label" for="q">{ctx.t('home.search_label')}</label>
            <input id="q" name="q" type="search" class="form-control" value={filter.q ?? ''} placeholder={ctx.t('home.search_placeholder')} maxLength={200} />
          </div>
          <div class="col-12 col-sm-6 col-lg-3">
            <label class="form-label" for="org">{ctx.t('catalog.filter_org')}</label>
            <select id="org" name="org" class="form-select">
              <option value="">{ctx.t('catalog.filter_org_all')}</option>
              {props.municipalities.map((o) => <option value={o.code} selected={filter.org === o.code}>{loc({ fa: o.name.fa, en: o.name.en }, l)}</option>)}
            </select>
          </div>
          <div class="col-12 col-sm-6 col-lg-2">
            <label class="form-label" for="category">{ctx.t('catalog.filter_category')}</label>
            <select id="category" name="category" class="form-select">
              <option value="">{ctx.t('catalog.filter_category_all')}</option>
              {CATEGORIES.map((c) => <option value={c} selected={filter.category === c}>{ctx.t(`catalog.category.${c}`)}</option>)}
            </select>
          </div>
          <div class="col-12 col-lg-2">
            <button type="submit" class="btn btn-primary w-100">{ctx.t('home.search_button')}</button>
          </div>
        </form>
        <p class="text-secondary" role="status" data-testid="result-count">
          {filter.q ? `${ctx.t('catalog.search_for', { q: filter.q })} · ` : ''}{ctx.t('catalog.results', { n: props.total })}
        </p>
        {props.items.length ? <ServiceCards ctx={ctx} items={props.items} headingLevel="h2" /> : <p>{ctx.t('catalog.no_results')}</p>}
        {pages > 1 ? (
          <nav aria-label={ctx.t('catalog.pagination')}>
            <ul class="pagination">
              <li class={`page-item${props.page <= 1 ? ' disabled' : ''}`}>
                {props.page > 1 ? <a class="page-link" href={pageUrl(filter, props.page - 1)} rel="prev">{ctx.t('catalog.page_prev')}</a> : <span class="page-link">{ctx.t('catalog.page_prev')}</span>}
              </li>
              <li class="page-item active" aria-current="page"><span class="page-link">{ctx.t('catalog.page_of', { page: props.page, pages })}</span></li>
              <li class={`page-item${props.page >= pages ? ' disabled' : ''}`}>
                {props.page < pages ? <a class="page-link" href={pageUrl(filter, props.page + 1)} rel="next">{ctx.t('catalog.page_next')}</a> : <span class="page-link">{ctx.t('catalog.page_next')}</span>}
              </li>
            </ul>
          </nav>
        ) : null}
      </div>
    </Layout>
  );
}
