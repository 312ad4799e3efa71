import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field, Layout } from '../../../platform/views/components.js';
import { CATEGORIES } from '../../catalog/schemas.js';
import type { AgencyView, ExternalServiceView } from '../agencies.js';
import { txt } from './external-service.js';
import '../../catalog/messages-catalog.js';
import '../messages-external.js';

type Values = Record<string, string>;
type Errors = Record<string, string>;

function FormErrors(props: { error?: string }) {
  return props.error ? <Alert kind="danger">{props.error}</Alert> : null;
}

function TextArea(props: { ctx: ViewContext; name: string; label: string; value?: string; error?: string; hint?: string; required?: boolean; rows?: number; ltr?: boolean }) {
  const id = `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="mb-3">
      <label class="form-label" for={id}>{props.label}{props.required ? <span aria-hidden="true"> *</span> : null}</label>
      <textarea id={id} name={props.name} rows={props.rows ?? 3} class={`form-control${props.error ? ' is-invalid' : ''}`} required={props.required}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={describedBy} dir={props.ltr ? 'ltr' : undefined}>{props.value ?? ''}</textarea>
      {props.hint ? <div id={`${id}-hint`} class="form-text">{props.hint}</div> : null}
      {props.error ? <div id={`${id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}

function Select(props: { ctx: ViewContext; name: string; label: string; value?: string; error?: string; options: [string, string][] }) {
  const id = `f-${props.name}`;
  return (
    <div class="mb-3">
      <label class="form-label" for={id}>{props.label} <span aria-hidden="true">*</span></label>
      <select id={id} name={props.name} class={`form-select${props.error ? ' is-invalid' : ''}`} aria-invalid={props.error ? 'true' : undefined} aria-describedby={props.error ? `${id}-error` : undefined}>
        {props.options.map(([v, label]) => <option value={v} selected={props.value === v}>{label}</option>)}
      </select>
      {props.error ? <div id={`${id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}

function AgencyFields(props: { ctx: ViewContext; values: Values; errors: Errors; creating: boolean }) {
  const { ctx, values, errors } = props;
  return (
    <>
      {props.creating ? <Field ctx={ctx} name="code" label={ctx.t('external.agency_code')} value={values.code} error={errors.code} hint={ctx.t('external.agency_code_hint')} required ltr maxLength={40} /> : null}
      <Field ctx={ctx} name="name_fa" label={ctx.t('external.name_fa')} value={values.name_fa} error={errors.name_fa} required maxLength={200} />
      <Field ctx={ctx} name="name_en" label={ctx.t('external.name_en')} value={values.name_en} error={errors.name_en} required maxLength={200} ltr />
      <Field ctx={ctx} name="website" label={ctx.t('external.website')} value={values.website} error={errors.website} hint={ctx.t('external.website_hint')} type="url" ltr maxLength={500} />
    </>
  );
}

/** /staff/agencies: the agencies, and the form to register one. */
export function AgenciesPage(props: { ctx: ViewContext; agencies: AgencyView[]; values?: Values; errors?: Errors; error?: string; notice?: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('external.agencies_title')}>
      <div class="container py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/staff">{ctx.t('nav.staff_home')}</a></li><li class="breadcrumb-item active" aria-current="page">{ctx.t('external.agencies_title')}</li></ol></nav>
        <h1 class="h3">{ctx.t('external.agencies_title')}</h1>
        <p class="text-secondary">{ctx.t('external.agencies_lead')}</p>
        {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
        {props.agencies.length ? (
          <div class="table-responsive pk-card mb-4">
            <table class="table align-middle mb-0">
              <caption class="visually-hidden">{ctx.t('external.agencies_title')}</caption>
              <thead><tr><th scope="col">{ctx.t('external.name_fa')}</th><th scope="col">{ctx.t('external.agency_code')}</th><th scope="col">{ctx.t('external.services')}</th><th scope="col">{ctx.t('external.website')}</th></tr></thead>
              <tbody>
                {props.agencies.map((a) => (
                  <tr>
                    <td><a href={`/staff/agencies/${a.code}`}>{txt(ctx, a.name)}</a></td>
                    <td class="pk-ltr" dir="ltr">{a.code}</td>
                    <td>{ctx.t('external.services_n', { n: a.activeServices })}</td>
                    <td class="pk-ltr small" dir="ltr">{a.website ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <p>{ctx.t('external.no_agencies')}</p>}
        <section class="pk-card p-3 p-md-4" aria-labelledby="new-agency-h" style="max-width: 40rem">
          <h2 id="new-agency-h" class="h5">{ctx.t('external.agency_new')}</h2>
          <FormErrors error={props.error} />
          <form method="post" action="/staff/agencies" novalidate>
            <CsrfInput ctx={ctx} />
            <AgencyFields ctx={ctx} values={props.values ?? {}} errors={props.errors ?? {}} creating />
            <button type="submit" class="btn btn-primary">{ctx.t('external.agency_new')}</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}

export function serviceFormValues(s: ExternalServiceView): Values {
  return {
    code: s.code, title_fa: s.title.fa, title_en: s.title.en, description_fa: s.description.fa, description_en: s.description.en,
    documents: s.documents.map((d) => (d.en ? `${d.fa} | ${d.en}` : d.fa)).join('\n'), maturity: String(s.maturity), url: s.url, category: s.category, active: s.active ? 'on' : '',
  };
}

function ServiceFields(props: { ctx: ViewContext; values: Values; errors: Errors; creating: boolean }) {
  const { ctx, values, errors } = props;
  return (
    <>
      {props.creating ? <Field ctx={ctx} name="code" label={ctx.t('external.service_code')} value={values.code} error={errors.code} hint={ctx.t('external.agency_code_hint')} required ltr maxLength={40} /> : null}
      <Field ctx={ctx} name="title_fa" label={ctx.t('external.title_fa')} value={values.title_fa} error={errors.title_fa} required maxLength={200} />
      <Field ctx={ctx} name="title_en" label={ctx.t('external.title_en')} value={values.title_en} error={errors.title_en} maxLength={200} ltr />
      <TextArea ctx={ctx} name="description_fa" label={ctx.t('external.description_fa')} value={values.description_fa} error={errors.description_fa} required />
      <TextArea ctx={ctx} name="description_en" label={ctx.t('external.description_en')} value={values.description_en} error={errors.description_en} ltr />
      <TextArea ctx={ctx} name="documents" label={ctx.t('external.documents_field')} value={values.documents} error={errors.documents} hint={ctx.t('external.documents_hint')} rows={4} />
      <div class="row">
        <div class="col-sm-6"><Select ctx={ctx} name="maturity" label={ctx.t('external.maturity')} value={values.maturity ?? '2'} error={errors.maturity}
          options={[1, 2, 3, 4, 5].map((n) => [String(n), ctx.t('catalog.maturity_value', { level: n, name: ctx.t(`catalog.maturity.${n}`) })])} /></div>
        <div class="col-sm-6"><Select ctx={ctx} name="category" label={ctx.t('external.category')} value={values.category} error={errors.category}
          options={CATEGORIES.map((c) => [c, ctx.t(`catalog.category.${c}`)])} /></div>
      </div>
      <Field ctx={ctx} name="url" label={ctx.t('external.url')} value={values.url} error={errors.url} hint={ctx.t('external.url_hint')} type="url" required ltr maxLength={500} />
      <div class="form-check mb-3">
        <input class="form-check-input" type="checkbox" id="f-active" name="active" value="on" checked={values.active === 'on'} />
        <label class="form-check-label" for="f-active">{ctx.t('external.active')}</label>
      </div>
    </>
  );
}

/** /staff/agencies/:code: the agency's details, its external services, and the form to add one. */
export function AgencyPage(props: {
  ctx: ViewContext; agency: AgencyView; services: ExternalServiceView[]; notice?: string;
  agencyForm?: { values: Values; errors: Errors; error?: string }; serviceForm?: { values: Values; errors: Errors; error?: string };
}) {
  const { ctx, agency } = props;
  const name = txt(ctx, agency.name);
  const agencyValues = props.agencyForm?.values ?? { name_fa: agency.name.fa, name_en: agency.name.en, website: agency.website ?? '' };
  return (
    <Layout ctx={ctx} title={name}>
      <div class="container py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb">
          <li class="breadcrumb-item"><a href="/staff">{ctx.t('nav.staff_home')}</a></li>
          <li class="breadcrumb-item"><a href="/staff/agencies">{ctx.t('external.agencies_title')}</a></li>
          <li class="breadcrumb-item active" aria-current="page">{name}</li>
        </ol></nav>
        <h1 class="h3">{name}</h1>
        {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
        <h2 class="h5 mt-4">{ctx.t('external.services')}</h2>
        {props.services.length ? (
          <div class="table-responsive pk-card mb-4">
            <table class="table align-middle mb-0" data-testid="agency-services">
              <caption class="visually-hidden">{ctx.t('external.services')}</caption>
              <thead><tr><th scope="col">{ctx.t('external.title_fa')}</th><th scope="col">{ctx.t('external.maturity')}</th><th scope="col">{ctx.t('external.state')}</th><th scope="col"><span class="visually-hidden">{ctx.t('external.edit')}</span></th></tr></thead>
              <tbody>
                {props.services.map((s) => (
                  <tr>
                    <td>{txt(ctx, s.title)}<span class="d-block small text-secondary pk-ltr" dir="ltr">{s.url}</span></td>
                    <td>{ctx.t('catalog.maturity_value', { level: s.maturity, name: ctx.t(`catalog.maturity.${s.maturity}`) })}</td>
                    <td>{s.active ? <span class="badge text-bg-success">{ctx.t('external.active').split(' (')[0]}</span> : <span class="badge text-bg-secondary">{ctx.t('external.inactive')}</span>}</td>
                    <td class="text-end text-nowrap">
                      <a href={`/staff/agencies/${agency.code}/services/${s.code}`}>{ctx.t('external.edit')}<span class="visually-hidden"> {txt(ctx, s.title)}</span></a>
                      {s.active ? <> · <a href={`/services/external/${agency.code}/${s.code}`}>{ctx.t('external.view_public')}</a></> : null}
                      <form method="post" action={`/staff/agencies/${agency.code}/services/${s.code}/${s.active ? 'deactivate' : 'activate'}`} class="d-inline ms-2">
                        <CsrfInput ctx={ctx} />
                        <button type="submit" class="btn btn-sm btn-outline-secondary">{ctx.t(s.active ? 'external.deactivate' : 'external.activate')}<span class="visually-hidden"> {txt(ctx, s.title)}</span></button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <p>{ctx.t('external.no_services')}</p>}
        <div class="row g-4">
          <section class="col-lg-7" aria-labelledby="new-svc-h">
            <div class="pk-card p-3 p-md-4">
              <h2 id="new-svc-h" class="h5">{ctx.t('external.service_new')}</h2>
              <FormErrors error={props.serviceForm?.error} />
              <form method="post" action={`/staff/agencies/${agency.code}/services`} novalidate>
                <CsrfInput ctx={ctx} />
                <ServiceFields ctx={ctx} values={props.serviceForm?.values ?? { active: 'on' }} errors={props.serviceForm?.errors ?? {}} creating />
                <button type="submit" class="btn btn-primary">{ctx.t('external.service_new')}</button>
              </form>
            </div>
          </section>
          <section class="col-lg-5" aria-labelledby="edit-agency-h">
            <div class="pk-card p-3 p-md-4">
              <h2 id="edit-agency-h" class="h5">{ctx.t('external.agency_edit')}</h2>
              <FormErrors error={props.agencyForm?.error} />
              <form method="post" action={`/staff/agencies/${agency.code}`} novalidate>
                <CsrfInput ctx={ctx} />
                <AgencyFields ctx={ctx} values={agencyValues} errors={props.agencyForm?.errors ?? {}} creating={false} />
                <button type="submit" class="btn btn-outline-primary">{ctx.t('external.save')}</button>
              </form>
            </div>
          </section>
        </div>
      </div>
    </Layout>
  );
}

/** /staff/agencies/:code/services/:service: edit one external service. */
export function ExternalServiceEditPage(props: { ctx: ViewContext; agency: AgencyView; service: ExternalServiceView; values: Values; errors?: Errors; error?: string }) {
  const { ctx, agency, service } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('external.service_edit')}>
      <div class="container py-4" style="max-width: 48rem">
        <nav aria-label="breadcrumb"><ol class="breadcrumb">
          <li class="breadcrumb-item"><a href="/staff/agencies">{ctx.t('external.agencies_title')}</a></li>
          <li class="breadcrumb-item"><a href={`/staff/agencies/${agency.code}`}>{txt(ctx, agency.name)}</a></li>
          <li class="breadcrumb-item active" aria-current="page">{txt(ctx, service.title)}</li>
        </ol></nav>
        <h1 class="h3">{ctx.t('external.service_edit')}</h1>
        <p class="text-secondary pk-ltr" dir="ltr">{service.code}</p>
        <FormErrors error={props.error} />
        <form method="post" action={`/staff/agencies/${agency.code}/services/${service.code}`} novalidate class="pk-card p-3 p-md-4">
          <CsrfInput ctx={ctx} />
          <ServiceFields ctx={ctx} values={props.values} errors={props.errors ?? {}} creating={false} />
          <button type="submit" class="btn btn-primary">{ctx.t('external.save')}</button>
        </form>
      </div>
    </Layout>
  );
}
