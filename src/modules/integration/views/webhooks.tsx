import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout, OrgChoice } from '../../../platform/views/components.js';
import { formatDate, formatDateTime, formatNumber, formatTime } from '../../../platform/i18n/format.js';
import { EVENT_TYPES } from '../../../platform/webhooks/events.js';
import type { DeliveryView, SubscriptionView } from '../webhooks-service.js';

// The staff pages of an organization's webhooks: /staff/webhooks (subscriptions and a form for a
// new one) and /staff/webhooks/:id (settings, pause, secret, delete, and the delivery log).

type Localized = { fa: string; en: string };
const twoDigits = { fa: new Intl.NumberFormat('fa-IR', { minimumIntegerDigits: 2 }), en: new Intl.NumberFormat('en-GB', { minimumIntegerDigits: 2 }) };
/** Date and Tehran time with seconds: retries 30 s apart must not look simultaneous. */
const withSeconds = (ctx: ViewContext, ms: number) => `${formatDate(ms, ctx.locale)} ${formatTime(ms, ctx.locale)}:${twoDigits[ctx.locale].format(Math.floor(ms / 1000) % 60)}`;
const loc = (ctx: ViewContext, l: Localized) => (ctx.locale === 'en' && l.en ? l.en : l.fa);
type Org = { code: string; name: Localized };

export interface FormState {
  values: { url?: string; description?: string; event_types?: string[] };
  errors?: Record<string, string>;
  error?: string;
  flash?: string;
  /** A secret just made (creation or rotation), shown this once. */
  secret?: string;
}

function SecretOnce(props: { ctx: ViewContext; secret: string }) {
  const { ctx } = props;
  return (
    <section class="alert alert-warning" aria-labelledby="wh-secret-title">
      <h2 class="h6" id="wh-secret-title">{ctx.t('webhooks.secret_title')}</h2>
      <p class="mb-2">{ctx.t('webhooks.secret_once')}</p>
      <code class="d-block p-2 bg-body border rounded user-select-all" dir="ltr" data-testid="webhook-secret">{props.secret}</code>
    </section>
  );
}

function SubscriptionFields(props: { ctx: ViewContext; state: FormState; idPrefix: string }) {
  const { ctx, state, idPrefix } = props;
  const errors = state.errors ?? {};
  const invalid = (f: string) => (errors[f] ? ' is-invalid' : '');
  const feedback = (f: string) => (errors[f] ? <div id={`${idPrefix}-${f}-error`} class="invalid-feedback d-block">{errors[f]}</div> : null);
  const chosen = state.values.event_types ?? [];
  return (
    <div class="row g-3">
      <div class="col-md-6">
        <label class="form-label" for={`${idPrefix}-url`}>{ctx.t('webhooks.url')}</label>
        <input id={`${idPrefix}-url`} name="url" type="url" class={`form-control pk-ltr${invalid('url')}`} dir="ltr" value={state.values.url ?? ''} required
          aria-invalid={errors.url ? 'true' : undefined} aria-describedby={[`${idPrefix}-url-hint`, errors.url ? `${idPrefix}-url-error` : ''].filter(Boolean).join(' ')} />
        <div id={`${idPrefix}-url-hint`} class="form-text">{ctx.t('webhooks.url_hint')}</div>
        {feedback('url')}
      </div>
      <div class="col-md-6">
        <label class="form-label" for={`${idPrefix}-description`}>{ctx.t('webhooks.description')}</label>
        <input id={`${idPrefix}-description`} name="description" class={`form-control${invalid('description')}`} maxLength={200} value={state.values.description ?? ''}
          aria-invalid={errors.description ? 'true' : undefined} aria-describedby={errors.description ? `${idPrefix}-description-error` : undefined} />
        {feedback('description')}
      </div>
      <fieldset class="col-12" aria-describedby={errors.event_types ? `${idPrefix}-event_types-error` : undefined}>
        <legend class="form-label fs-6">{ctx.t('webhooks.events')}</legend>
        <div class="d-flex flex-wrap gap-3">
          {EVENT_TYPES.map((t) => (
            <div class="form-check">
              <input class={`form-check-input${invalid('event_types')}`} type="checkbox" name="event_types" value={t} id={`${idPrefix}-ev-${t}`} checked={chosen.includes(t)} />
              <label class="form-check-label" for={`${idPrefix}-ev-${t}`} dir="ltr">{t}</label>
            </div>
          ))}
        </div>
        {feedback('event_types')}
      </fieldset>
    </div>
  );
}

function WebhooksOrgChoice(props: { ctx: ViewContext; org: Org; choices: Org[] }) {
  const { ctx } = props;
  return <OrgChoice action="/staff/webhooks" id="wh-org-choice" label={ctx.t('webhooks.org')} button={ctx.t('webhooks.choose_org')}
    choices={props.choices.map((o) => ({ code: o.code, name: loc(ctx, o.name) }))} current={props.org.code} />;
}

export function WebhooksPage(props: { ctx: ViewContext; org: Org; choices: Org[]; items: SubscriptionView[]; state: FormState }) {
  const { ctx, org, state } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('webhooks.title')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('webhooks.title')}: {loc(ctx, org.name)}</h1>
        <p class="lead">{ctx.t('webhooks.lead')}</p>
        <p><a href="/api/docs">{ctx.t('webhooks.docs')}</a></p>
        {state.flash ? <Alert kind="success">{state.flash}</Alert> : null}
        {state.error ? <Alert kind="danger">{state.error}</Alert> : null}
        {state.secret ? <SecretOnce ctx={ctx} secret={state.secret} /> : null}
        <WebhooksOrgChoice ctx={ctx} org={org} choices={props.choices} />
        <section class="mb-4" aria-labelledby="wh-list-title">
          <h2 class="h5" id="wh-list-title">{ctx.t('webhooks.list_title')}</h2>
          {props.items.length === 0 ? <p>{ctx.t('webhooks.none')}</p> : (
            <div class="table-responsive">
              <table class="table align-middle">
                <thead><tr>
                  <th scope="col">{ctx.t('webhooks.col.url')}</th><th scope="col">{ctx.t('webhooks.col.events')}</th>
                  <th scope="col">{ctx.t('webhooks.col.status')}</th><th scope="col">{ctx.t('webhooks.col.deliveries')}</th>
                </tr></thead>
                <tbody>
                  {props.items.map((s) => (
                    <tr>
                      <th scope="row">
                        <a href={`/staff/webhooks/${s.id}?org=${encodeURIComponent(org.code)}`} aria-label={`${ctx.t('webhooks.open')}: ${s.url}`}><span dir="ltr" class="text-break">{s.url}</span></a>
                        {s.description ? <div class="small text-body-secondary">{s.description}</div> : null}
                      </th>
                      <td><ul class="list-unstyled mb-0 small" dir="ltr">{s.event_types.map((t) => <li>{t}</li>)}</ul></td>
                      <td>{s.active ? <span class="badge text-bg-success">{ctx.t('webhooks.active')}</span> : <span class="badge text-bg-secondary">{ctx.t('webhooks.paused_label')}</span>}</td>
                      <td class="small">{ctx.t('webhooks.counts', { pending: formatNumber(s.pending, ctx.locale), failed: formatNumber(s.failed, ctx.locale) })}
                        {s.last_delivery_at ? <div class="text-body-secondary">{formatDateTime(s.last_delivery_at, ctx.locale)}</div> : null}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section class="card card-body mb-4" aria-labelledby="wh-form-title" id="webhook-form">
          <h2 class="h5" id="wh-form-title">{ctx.t('webhooks.form_title')}</h2>
          <form method="post" action="/staff/webhooks" novalidate>
            <CsrfInput ctx={ctx} />
            <input type="hidden" name="org" value={org.code} />
            <SubscriptionFields ctx={ctx} state={state} idPrefix="wh" />
            <button class="btn btn-primary mt-3" type="submit">{ctx.t('webhooks.create')}</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}

const STATE_BADGE = { pending: 'text-bg-warning', succeeded: 'text-bg-success', failed: 'text-bg-danger' } as const;

export function WebhookDetailPage(props: {
  ctx: ViewContext; org: Org; sub: SubscriptionView; deliveries: DeliveryView[]; nextBefore: number | null; stateFilter: string; state: FormState;
}) {
  const { ctx, org, sub, state } = props;
  const action = (path: string) => `/staff/webhooks/${sub.id}/${path}`;
  const hidden = (<><CsrfInput ctx={ctx} /><input type="hidden" name="org" value={org.code} /></>);
  const settings: FormState = { ...state, values: state.errors ? state.values : { url: sub.url, description: sub.description, event_types: sub.event_types } };
  return (
    <Layout ctx={ctx} title={`${ctx.t('webhooks.title')}: ${sub.url}`}>
      <div class="container py-4">
        <p><a href={`/staff/webhooks?org=${encodeURIComponent(org.code)}`}>{ctx.t('webhooks.back')}</a></p>
        <h1 class="h4 text-break"><span dir="ltr">{sub.url}</span> {sub.active ? <span class="badge text-bg-success">{ctx.t('webhooks.active')}</span> : <span class="badge text-bg-secondary">{ctx.t('webhooks.paused_label')}</span>}</h1>
        <p class="text-body-secondary">{loc(ctx, org.name)}{sub.secret_rotated_at ? ` · ${ctx.t('webhooks.secret_rotated_at', { at: formatDateTime(sub.secret_rotated_at, ctx.locale) })}` : ''}</p>
        {state.flash ? <Alert kind="success">{state.flash}</Alert> : null}
        {state.error ? <Alert kind="danger">{state.error}</Alert> : null}
        {state.secret ? <SecretOnce ctx={ctx} secret={state.secret} /> : null}
        <div class="d-flex flex-wrap gap-2 mb-4">
          <form method="post" action={action(sub.active ? 'pause' : 'resume')}>{hidden}<button class="btn btn-outline-secondary" type="submit">{ctx.t(sub.active ? 'webhooks.pause' : 'webhooks.resume')}</button></form>
          <form method="post" action={action('rotate')}>{hidden}<button class="btn btn-outline-warning" type="submit">{ctx.t('webhooks.rotate')}</button></form>
          <form method="post" action={action('delete')}>{hidden}<button class="btn btn-outline-danger" type="submit" aria-describedby="wh-delete-hint">{ctx.t('webhooks.delete')}</button></form>
        </div>
        <p id="wh-delete-hint" class="small text-body-secondary">{ctx.t('webhooks.delete_hint')}</p>
        <section class="mb-4" aria-labelledby="wh-log-title">
          <h2 class="h5" id="wh-log-title">{ctx.t('webhooks.log_title')}</h2>
          <form method="get" action={`/staff/webhooks/${sub.id}`} class="row g-2 align-items-end mb-3">
            <input type="hidden" name="org" value={org.code} />
            <div class="col-auto">
              <label class="form-label" for="wh-filter">{ctx.t('webhooks.filter')}</label>
              <select id="wh-filter" name="state" class="form-select">
                <option value="" selected={!props.stateFilter}>{ctx.t('webhooks.filter_all')}</option>
                {(['pending', 'succeeded', 'failed'] as const).map((s) => <option value={s} selected={props.stateFilter === s}>{ctx.t(`webhooks.state.${s}`)}</option>)}
              </select>
            </div>
            <div class="col-auto"><button class="btn btn-outline-primary" type="submit">{ctx.t('webhooks.choose_org')}</button></div>
          </form>
          {props.deliveries.length === 0 ? <p>{ctx.t('webhooks.log_none')}</p> : (
            <div class="table-responsive">
              <table class="table align-middle">
                <thead><tr>
                  <th scope="col">{ctx.t('webhooks.col.event')}</th><th scope="col">{ctx.t('webhooks.col.created')}</th><th scope="col">{ctx.t('webhooks.col.state')}</th>
                  <th scope="col">{ctx.t('webhooks.col.attempts')}</th><th scope="col">{ctx.t('webhooks.col.actions')}</th>
                </tr></thead>
                <tbody>
                  {props.deliveries.map((d) => (
                    <tr id={`delivery-${d.id}`}>
                      <th scope="row"><span dir="ltr">{d.event_type}</span><div class="small text-body-secondary font-monospace" dir="ltr">{d.id}</div></th>
                      <td>{withSeconds(ctx, d.created_at)}</td>
                      <td>
                        <span class={`badge ${STATE_BADGE[d.state]}`}>{ctx.t(`webhooks.state.${d.state}`)}</span>
                        {d.next_attempt_at !== null ? <div class="small">{ctx.t('webhooks.next_attempt', { at: withSeconds(ctx, d.next_attempt_at) })}</div> : null}
                      </td>
                      <td>
                        <ol class="small mb-0 ps-3">
                          {d.attempt_log.map((a) => (
                            <li>{ctx.t('webhooks.attempt_line', { at: withSeconds(ctx, a.at), status: a.status_code === null ? ctx.t('webhooks.no_status') : String(a.status_code), ms: formatNumber(a.duration_ms, ctx.locale) })}
                              {a.error && a.status_code === null ? <span class="text-body-secondary" dir="ltr"> ({a.error})</span> : null}</li>
                          ))}
                        </ol>
                      </td>
                      <td>
                        {sub.active && d.state !== 'pending' ? (
                          <form method="post" action={action(`deliveries/${d.id}/redeliver`)}>{hidden}
                            <button class="btn btn-outline-primary btn-sm" type="submit" aria-label={ctx.t('webhooks.redeliver_label', { event: d.event_type, at: formatDateTime(d.created_at, ctx.locale) })}>{ctx.t('webhooks.redeliver')}</button>
                          </form>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {props.nextBefore !== null ? <a class="btn btn-outline-secondary btn-sm" href={`/staff/webhooks/${sub.id}?${new URLSearchParams({ org: org.code, before: String(props.nextBefore), ...(props.stateFilter ? { state: props.stateFilter } : {}) }).toString()}`}>{ctx.t('webhooks.older')}</a> : null}
        </section>
        <section class="card card-body mb-4" aria-labelledby="wh-settings-title">
          <h2 class="h5" id="wh-settings-title">{ctx.t('webhooks.settings')}</h2>
          <form method="post" action={`/staff/webhooks/${sub.id}`} novalidate>
            {hidden}
            <SubscriptionFields ctx={ctx} state={settings} idPrefix="whs" />
            <button class="btn btn-primary mt-3" type="submit">{ctx.t('webhooks.save')}</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}
