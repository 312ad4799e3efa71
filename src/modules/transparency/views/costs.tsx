import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout, OrgChoice } from '../../../platform/views/components.js';
import { formatDate, formatRials } from '../../../platform/i18n/format.js';
import { parsePeriod, periodLabel } from '../periods.js';
import type { OrgCost } from '../costs.js';

// The staff page where an organization's admins enter what delivering its services cost, per
// period and optionally per service: the list with edit and remove, and one form to add or change.

type Localized = { fa: string; en: string };
const loc = (ctx: ViewContext, l: Localized) => (ctx.locale === 'en' && l.en ? l.en : l.fa);

export interface CostsPageProps {
  ctx: ViewContext;
  org: { code: string; name: Localized };
  choices: { code: string; name: Localized }[];
  costs: OrgCost[];
  services: { code: string; title: Localized }[];
  /** What the form shows: typed values after an error, or the cost being edited. */
  values: { period?: string; service?: string; cost_rials?: string; note?: string };
  errors?: Record<string, string>;
  error?: string;
  flash?: string;
}

export function CostsPage(props: CostsPageProps) {
  const { ctx, org, values } = props;
  const errors = props.errors ?? {};
  const serviceName = (code: string | null) => (code === null ? ctx.t('costs.all_services') : loc(ctx, props.services.find((s) => s.code === code)?.title ?? { fa: code, en: code }));
  const periodText = (p: string) => {
    const parsed = parsePeriod(p);
    return parsed ? periodLabel(parsed, ctx.locale) : p;
  };
  const invalid = (f: string) => (errors[f] ? ' is-invalid' : '');
  const feedback = (f: string) => (errors[f] ? <div id={`c-${f}-error`} class="invalid-feedback d-block">{errors[f]}</div> : null);
  const described = (f: string, hint?: boolean) => [hint ? `c-${f}-hint` : '', errors[f] ? `c-${f}-error` : ''].filter(Boolean).join(' ') || undefined;
  const orgName = loc(ctx, org.name);
  return (
    <Layout ctx={ctx} title={ctx.t('costs.title')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('costs.title')}: {orgName}</h1>
        <p class="lead">{ctx.t('costs.lead')}</p>
        {props.flash ? <Alert kind="success">{props.flash}</Alert> : null}
        {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
        <p>{ctx.t('costs.formula')} <a href={`/transparency/${org.code}`}>{ctx.t('costs.dashboard_link', { org: orgName })}</a></p>
        <OrgChoice action="/staff/costs" id="c-org-choice" label={ctx.t('costs.org')} button={ctx.t('costs.choose_org')}
          choices={props.choices.map((o) => ({ code: o.code, name: loc(ctx, o.name) }))} current={org.code} />
        <section class="mb-4" aria-labelledby="costs-list-title">
          <h2 class="h5" id="costs-list-title">{ctx.t('costs.list_title')}</h2>
          {props.costs.length === 0 ? <p>{ctx.t('costs.none')}</p> : (
            <div class="table-responsive">
              <table class="table align-middle">
                <thead><tr>
                  <th scope="col">{ctx.t('costs.col.period')}</th><th scope="col">{ctx.t('costs.col.service')}</th><th scope="col">{ctx.t('costs.col.amount')}</th>
                  <th scope="col">{ctx.t('costs.col.note')}</th><th scope="col">{ctx.t('costs.col.entered')}</th><th scope="col">{ctx.t('costs.col.actions')}</th>
                </tr></thead>
                <tbody>
                  {props.costs.map((c) => {
                    const editHref = `/staff/costs?${new URLSearchParams({ org: org.code, period: c.period, ...(c.service ? { service: c.service } : {}) }).toString()}#cost-form`;
                    return (
                      <tr>
                        <th scope="row">{periodText(c.period)} <span class="text-body-secondary small">(<span dir="ltr">{c.period}</span>)</span></th>
                        <td>{serviceName(c.service)}</td>
                        <td>{formatRials(c.cost_rials, ctx.locale)}</td>
                        <td>{c.note ?? ''}</td>
                        <td>{formatDate(c.created_at, ctx.locale)}</td>
                        <td class="d-flex gap-1 flex-wrap">
                          <a class="btn btn-outline-secondary btn-sm" href={editHref}>{ctx.t('costs.edit')}</a>
                          <form method="post" action="/staff/costs/remove">
                            <CsrfInput ctx={ctx} />
                            <input type="hidden" name="org" value={org.code} />
                            <input type="hidden" name="period" value={c.period} />
                            <input type="hidden" name="service" value={c.service ?? ''} />
                            <button class="btn btn-outline-danger btn-sm" type="submit" aria-label={ctx.t('costs.remove_label', { period: periodText(c.period), service: serviceName(c.service) })}>{ctx.t('costs.remove')}</button>
                          </form>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section class="card card-body mb-4" aria-labelledby="cost-form-title" id="cost-form">
          <h2 class="h5" id="cost-form-title">{ctx.t('costs.form_title')}</h2>
          <p class="text-body-secondary small">{ctx.t('costs.form_lead')}</p>
          <form method="post" action="/staff/costs" novalidate>
            <CsrfInput ctx={ctx} />
            <input type="hidden" name="org" value={org.code} />
            <div class="row g-3">
              <div class="col-md-3">
                <label class="form-label" for="c-period">{ctx.t('costs.period')}</label>
                <input id="c-period" name="period" class={`form-control pk-ltr${invalid('period')}`} dir="ltr" value={values.period ?? ''} required aria-invalid={errors.period ? 'true' : undefined} aria-describedby={described('period', true)} />
                <div id="c-period-hint" class="form-text">{ctx.t('costs.period_hint')}</div>
                {feedback('period')}
              </div>
              <div class="col-md-3">
                <label class="form-label" for="c-service">{ctx.t('costs.service')}</label>
                <select id="c-service" name="service" class={`form-select${invalid('service')}`} aria-invalid={errors.service ? 'true' : undefined} aria-describedby={described('service')}>
                  <option value="" selected={!values.service}>{ctx.t('costs.all_services')}</option>
                  {props.services.map((s) => <option value={s.code} selected={values.service === s.code}>{loc(ctx, s.title)}</option>)}
                </select>
                {feedback('service')}
              </div>
              <div class="col-md-3">
                <label class="form-label" for="c-amount">{ctx.t('costs.amount')}</label>
                <input id="c-amount" name="cost_rials" class={`form-control pk-ltr${invalid('cost_rials')}`} dir="ltr" inputMode="numeric" value={values.cost_rials ?? ''} required aria-invalid={errors.cost_rials ? 'true' : undefined} aria-describedby={described('cost_rials', true)} />
                <div id="c-cost_rials-hint" class="form-text">{ctx.t('costs.amount_hint')}</div>
                {feedback('cost_rials')}
              </div>
              <div class="col-md-3">
                <label class="form-label" for="c-note">{ctx.t('costs.note')}</label>
                <input id="c-note" name="note" class={`form-control${invalid('note')}`} maxLength={500} value={values.note ?? ''} />
                {feedback('note')}
              </div>
            </div>
            <button class="btn btn-primary mt-3" type="submit">{ctx.t('common.save')}</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}
