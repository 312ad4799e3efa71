import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout, OrgChoice } from '../../../platform/views/components.js';
import { formatDateTime, formatNumber } from '../../../platform/i18n/format.js';
import { API_SCOPES, type ApiClientInfo } from '../../../platform/auth/api-keys.js';
import type { OrgRef } from '../clients.js';

// The org admins' page of API clients (/staff/api-clients): the list with rotate and revoke,
// the form to create one, and, right after a create or a rotation, the key shown this once.

export interface ClientsPageProps {
  ctx: ViewContext;
  org: OrgRef;
  choices: OrgRef[];
  clients: ApiClientInfo[];
  values: { name?: string; scopes?: string[]; rate_per_minute?: string };
  errors?: Record<string, string>;
  error?: string;
  flash?: string;
  /** The key just made, shown once. */
  newKey?: { name: string; key: string };
}

export function ClientsPage(props: ClientsPageProps) {
  const { ctx, org, values } = props;
  const errors = props.errors ?? {};
  const loc = (l: { fa: string; en: string }) => (ctx.locale === 'en' ? l.en : l.fa);
  const invalid = (f: string) => (errors[f] ? ' is-invalid' : '');
  const feedback = (f: string) => (errors[f] ? <div id={`ac-${f}-error`} class="invalid-feedback d-block">{errors[f]}</div> : null);
  const described = (f: string, hint?: boolean) => [hint ? `ac-${f}-hint` : '', errors[f] ? `ac-${f}-error` : ''].filter(Boolean).join(' ') || undefined;
  const checked = new Set(values.scopes ?? []);
  return (
    <Layout ctx={ctx} title={ctx.t('api_clients.title')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('api_clients.title')}: {loc(org.name)}</h1>
        <p class="lead">{ctx.t('api_clients.lead')}</p>
        {props.flash ? <Alert kind="success">{props.flash}</Alert> : null}
        {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
        {props.newKey ? (
          <section class="alert alert-warning" aria-labelledby="ac-key-title" role="status">
            <h2 class="h5" id="ac-key-title">{ctx.t('api_clients.key_once', { name: props.newKey.name })}</h2>
            <label class="form-label" for="ac-key">{ctx.t('api_clients.key_label')}</label>
            <input id="ac-key" class="form-control font-monospace pk-ltr" dir="ltr" readOnly value={props.newKey.key} aria-describedby="ac-key-hint" />
            <div id="ac-key-hint" class="form-text">{ctx.t('api_clients.copy_hint')} {ctx.t('api_clients.usage')}</div>
          </section>
        ) : null}
        <OrgChoice action="/staff/api-clients" id="ac-org-choice" label={ctx.t('api_clients.org')} button={ctx.t('api_clients.choose_org')}
          choices={props.choices.map((o) => ({ code: o.code, name: loc(o.name) }))} current={org.code} />
        <section class="mb-4" aria-labelledby="ac-list-title">
          <h2 class="h5" id="ac-list-title">{ctx.t('api_clients.title')}</h2>
          {props.clients.length === 0 ? <p>{ctx.t('api_clients.none')}</p> : (
            <div class="table-responsive">
              <table class="table align-middle">
                <thead><tr>
                  <th scope="col">{ctx.t('api_clients.col.name')}</th><th scope="col">{ctx.t('api_clients.col.prefix')}</th><th scope="col">{ctx.t('api_clients.col.scopes')}</th>
                  <th scope="col">{ctx.t('api_clients.col.rate')}</th><th scope="col">{ctx.t('api_clients.col.last_used')}</th><th scope="col">{ctx.t('api_clients.col.state')}</th><th scope="col">{ctx.t('api_clients.col.actions')}</th>
                </tr></thead>
                <tbody>
                  {props.clients.map((c) => (
                    <tr>
                      <th scope="row">{c.name}</th>
                      <td><code dir="ltr">pk_{c.key_prefix}_…</code></td>
                      <td><ul class="list-unstyled mb-0 small">{c.scopes.map((s) => <li>{ctx.t(`scope.${s}`)} <code dir="ltr">{s}</code></li>)}</ul></td>
                      <td>{formatNumber(c.rate_per_minute, ctx.locale)}</td>
                      <td>{c.last_used_at === null ? ctx.t('api_clients.never_used') : formatDateTime(c.last_used_at, ctx.locale)}</td>
                      <td>{c.revoked_at === null ? <span class="badge text-bg-success">{ctx.t('api_clients.active')}</span> : <span class="badge text-bg-secondary">{ctx.t('api_clients.revoked_on', { date: formatDateTime(c.revoked_at, ctx.locale) })}</span>}</td>
                      <td>
                        {c.revoked_at === null ? (
                          <div class="d-flex gap-1 flex-wrap">
                            <form method="post" action={`/staff/api-clients/${c.id}/rotate`}>
                              <CsrfInput ctx={ctx} />
                              <input type="hidden" name="org" value={org.code} />
                              <button class="btn btn-outline-primary btn-sm" type="submit" aria-label={ctx.t('api_clients.rotate_label', { name: c.name })}>{ctx.t('api_clients.rotate')}</button>
                            </form>
                            <form method="post" action={`/staff/api-clients/${c.id}/revoke`}>
                              <CsrfInput ctx={ctx} />
                              <input type="hidden" name="org" value={org.code} />
                              <button class="btn btn-outline-danger btn-sm" type="submit" aria-label={ctx.t('api_clients.revoke_label', { name: c.name })}>{ctx.t('api_clients.revoke')}</button>
                            </form>
                          </div>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section class="card card-body mb-4" aria-labelledby="ac-form-title" id="ac-form">
          <h2 class="h5" id="ac-form-title">{ctx.t('api_clients.form_title')}</h2>
          <form method="post" action="/staff/api-clients" novalidate>
            <CsrfInput ctx={ctx} />
            <input type="hidden" name="org" value={org.code} />
            <div class="row g-3">
              <div class="col-md-6">
                <label class="form-label" for="ac-name">{ctx.t('api_clients.name')}</label>
                <input id="ac-name" name="name" class={`form-control${invalid('name')}`} maxLength={100} value={values.name ?? ''} required aria-invalid={errors.name ? 'true' : undefined} aria-describedby={described('name', true)} />
                <div id="ac-name-hint" class="form-text">{ctx.t('api_clients.name_hint')}</div>
                {feedback('name')}
              </div>
              <div class="col-md-6">
                <label class="form-label" for="ac-rate_per_minute">{ctx.t('api_clients.rate')}</label>
                <input id="ac-rate_per_minute" name="rate_per_minute" class={`form-control pk-ltr${invalid('rate_per_minute')}`} dir="ltr" inputMode="numeric" value={values.rate_per_minute ?? ''} aria-invalid={errors.rate_per_minute ? 'true' : undefined} aria-describedby={described('rate_per_minute', true)} />
                <div id="ac-rate_per_minute-hint" class="form-text">{ctx.t('api_clients.rate_hint')}</div>
                {feedback('rate_per_minute')}
              </div>
              <fieldset class="col-12" aria-describedby={errors.scopes ? 'ac-scopes-error' : undefined}>
                <legend class="form-label fs-6">{ctx.t('api_clients.scopes')}</legend>
                <div class="row">
                  {API_SCOPES.map((s) => (
                    <div class="col-md-4 form-check">
                      <input class={`form-check-input${invalid('scopes')}`} type="checkbox" name="scopes" value={s} id={`ac-scope-${s}`} checked={checked.has(s)} />
                      <label class="form-check-label" for={`ac-scope-${s}`}>{ctx.t(`scope.${s}`)} <code dir="ltr">{s}</code></label>
                    </div>
                  ))}
                </div>
                {feedback('scopes')}
              </fieldset>
            </div>
            <button class="btn btn-primary mt-3" type="submit">{ctx.t('api_clients.create')}</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}
