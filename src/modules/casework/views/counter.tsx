import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field, Layout } from '../../../platform/views/components.js';
import type { Localized } from '../../catalog/definition.js';
import { loc } from './parts.js';

export interface CounterPageProps {
  ctx: ViewContext;
  options: { orgs: string[]; org: string; services: { code: string; title: Localized }[] };
  orgNames: Map<string, string>;
  values: Record<string, string>;
  errors: Record<string, string>;
  error?: string;
}

/** The first step of filing at the counter: who the citizen is and which service; the form itself is the applying form. */
export function CounterPage(props: CounterPageProps) {
  const { ctx, options, values, errors } = props;
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t('casework.counter_title')}>
      <div class="container py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/staff/inbox">{t('casework.inbox_title')}</a></li><li class="breadcrumb-item active" aria-current="page">{t('casework.counter_title')}</li></ol></nav>
        <div class="row justify-content-center">
          <div class="col-12 col-md-9 col-lg-7">
            <div class="pk-card p-4">
              <h1 class="h3 mb-2">{t('casework.counter_title')}</h1>
              <p class="text-secondary">{t('casework.counter_lead')}</p>
              {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
              {options.orgs.length > 1 ? (
                <form method="get" action="/staff/counter" class="d-flex gap-2 align-items-end mb-3">
                  <div class="flex-grow-1">
                    <label class="form-label" for="f-org-pick">{t('casework.filter.org')}</label>
                    <select class="form-select" id="f-org-pick" name="org">
                      {options.orgs.map((o) => <option value={o} selected={o === options.org}>{props.orgNames.get(o) ?? o}</option>)}
                    </select>
                  </div>
                  <button type="submit" class="btn btn-outline-secondary">{t('casework.filter.apply')}</button>
                </form>
              ) : null}
              {options.services.length === 0 ? <Alert kind="info">{t('casework.counter_no_services')}</Alert> : (
                <form method="post" action="/staff/counter" novalidate>
                  <CsrfInput ctx={ctx} />
                  <input type="hidden" name="org" value={options.org} />
                  <fieldset class="mb-3">
                    <legend class="h5">{t('casework.counter_citizen')}</legend>
                    <p class="small text-secondary">{t('casework.counter_citizen_hint')}</p>
                    <Field ctx={ctx} name="mobile" label={t('auth.mobile')} hint={t('auth.mobile_hint')} type="tel" inputMode="tel" ltr required maxLength={20} value={values.mobile} error={errors.mobile} autofocus />
                    <Field ctx={ctx} name="national_code" label={t('profile.national_code')} inputMode="numeric" ltr maxLength={14} value={values.national_code} error={errors.national_code} />
                    <div class="row g-2">
                      <div class="col-sm-6"><Field ctx={ctx} name="first_name" label={t('profile.first_name')} maxLength={60} value={values.first_name} error={errors.first_name} /></div>
                      <div class="col-sm-6"><Field ctx={ctx} name="last_name" label={t('profile.last_name')} maxLength={60} value={values.last_name} error={errors.last_name} /></div>
                    </div>
                  </fieldset>
                  <div class="mb-3">
                    <label class="form-label" for="f-service">{t('casework.counter_service')}<span aria-hidden="true"> *</span></label>
                    <select class={`form-select${errors.service ? ' is-invalid' : ''}`} id="f-service" name="service" required aria-required="true"
                      aria-invalid={errors.service ? 'true' : undefined} aria-describedby={errors.service ? 'f-service-error' : undefined}>
                      <option value="">{t('apply.select')}</option>
                      {options.services.map((sv) => <option value={sv.code} selected={sv.code === values.service}>{loc(ctx, sv.title)}</option>)}
                    </select>
                    {errors.service ? <div id="f-service-error" class="invalid-feedback d-block">{errors.service}</div> : null}
                  </div>
                  <button type="submit" class="btn btn-primary w-100">{t('casework.counter_start')}</button>
                </form>
              )}
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}
