import type { ViewContext } from '../../../platform/views/context.js';
import { Layout } from '../../../platform/views/components.js';
import { formatDate } from '../../../platform/i18n/format.js';
import type { OrgView } from '../../orgs/service.js';

/** The province's single window: search, the (for now empty) catalog, the municipalities. */
export function HomePage(props: { ctx: ViewContext; q: string; municipalities: OrgView[]; province: OrgView | null; reference: OrgView | null }) {
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
          <form method="get" action="/" role="search" class="row g-2 mt-2">
            <div class="col-12 col-md-8 col-lg-6">
              <label class="form-label visually-hidden" for="q">{ctx.t('home.search_label')}</label>
              <input id="q" name="q" type="search" class="form-control form-control-lg" value={props.q} placeholder={ctx.t('home.search_placeholder')} maxLength={200} />
            </div>
            <div class="col-12 col-md-auto">
              <button type="submit" class="btn btn-primary btn-lg w-100">{ctx.t('home.search_button')}</button>
            </div>
          </form>
        </div>
      </section>
      <div class="container py-4">
        <section aria-labelledby="catalog-h" class="mb-5">
          <h2 id="catalog-h" class="h4">{ctx.t('home.catalog')}</h2>
          <p class="text-secondary" data-testid="catalog-empty">
            {props.q ? ctx.t('home.search_no_result', { q: props.q }) : ctx.t('home.catalog_empty')}
          </p>
        </section>
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
