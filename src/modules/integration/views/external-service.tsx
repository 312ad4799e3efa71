import type { ViewContext } from '../../../platform/views/context.js';
import { Layout } from '../../../platform/views/components.js';
import { Maturity } from '../../catalog/views/sheet.js';
import type { ExternalServiceView, Text } from '../agencies.js';
import '../../catalog/messages-catalog.js';
import '../messages-external.js';

export const txt = (ctx: ViewContext, t: Text) => (ctx.locale === 'en' && t.en ? t.en : t.fa);
/** Demo placeholders live under example.org (see the demo seed); their pages say so. */
export const isDemoUrl = (url: string) => /^https:\/\/(www\.)?example\.org\//.test(url);

/** The outbound link to where an external service is done, with the note that it is done there. */
export function ExternalLink(props: { ctx: ViewContext; service: ExternalServiceView; class?: string }) {
  const { ctx, service } = props;
  const agency = txt(ctx, service.agency.name);
  return (
    <a class={props.class ?? 'btn btn-primary'} href={service.url} rel="noopener noreferrer external" target="_blank" data-testid="external-link">
      {ctx.t('external.go', { agency })} <span aria-hidden="true">↗</span><span class="visually-hidden"> {ctx.t('external.new_window_hint')}</span>
    </a>
  );
}

/** The public page of an agency's external service: description, documents, maturity, and the way out. */
export function ExternalServicePage(props: { ctx: ViewContext; service: ExternalServiceView }) {
  const { ctx, service } = props;
  const agency = txt(ctx, service.agency.name);
  const title = txt(ctx, service.title);
  return (
    <Layout ctx={ctx} title={title} description={txt(ctx, service.description).slice(0, 160)}>
      <div class="container py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb">
          <li class="breadcrumb-item"><a href="/">{ctx.t('nav.home')}</a></li>
          <li class="breadcrumb-item"><a href="/services">{ctx.t('catalog.title')}</a></li>
          <li class="breadcrumb-item active" aria-current="page">{title}</li>
        </ol></nav>
        <p class="mb-1"><span class="badge text-bg-warning border" data-testid="external-badge">{ctx.t('external.badge')}</span></p>
        <h1 class="h3">{title}</h1>
        <p class="text-secondary">{ctx.t('external.offered_by', { agency })}</p>
        {!service.active ? <div class="alert alert-secondary" role="status">{ctx.t('external.inactive')}</div> : null}
        <div class="row g-3">
          <div class="col-12 col-lg-8">
            <section aria-labelledby="desc-h" class="pk-card p-3 p-md-4 mb-3">
              <h2 id="desc-h" class="h5 mb-3">{ctx.t('external.description')}</h2>
              <p class="mb-0" style="white-space: pre-line">{txt(ctx, service.description)}</p>
            </section>
            <section aria-labelledby="docs-h" class="pk-card p-3 p-md-4 mb-3">
              <h2 id="docs-h" class="h5 mb-3">{ctx.t('external.documents')}</h2>
              {service.documents.length
                ? <ul class="mb-0">{service.documents.map((d) => <li>{txt(ctx, d)}</li>)}</ul>
                : <p class="mb-0">{ctx.t('external.documents_none')}</p>}
            </section>
          </div>
          <div class="col-12 col-lg-4">
            <section aria-labelledby="go-h" class="pk-card p-3 p-md-4 mb-3">
              <h2 id="go-h" class="h5 mb-3">{agency}</h2>
              <p class="small" data-testid="external-note">{ctx.t('external.done_on_site', { agency })}</p>
              <ExternalLink ctx={ctx} service={service} class="btn btn-primary w-100" />
              <p class="small text-secondary mt-2 mb-0 pk-ltr" dir="ltr">{service.url}</p>
              {isDemoUrl(service.url) ? <p class="small text-warning-emphasis mt-2 mb-0">{ctx.t('external.demo_note')}</p> : null}
            </section>
            <section aria-labelledby="mat-h" class="pk-card p-3 p-md-4 mb-3">
              <h2 id="mat-h" class="h6">{ctx.t('catalog.maturity_label')}</h2>
              <Maturity ctx={ctx} level={service.maturity} />
              <h2 class="h6 mt-3">{ctx.t('catalog.category_label')}</h2>
              <p class="mb-0">{ctx.t(`catalog.category.${service.category}`)}</p>
            </section>
          </div>
        </div>
      </div>
    </Layout>
  );
}
