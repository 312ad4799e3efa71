import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { CsrfInput, Layout } from '../../../platform/views/components.js';
import { formatDate, formatDateTime } from '../../../platform/i18n/format.js';
import type { Localized, ServiceDefinition } from '../../catalog/definition.js';
import { groupResultCode, type ApplicationSummary, type ApplicationView, type PublicStatus, type ResultVerification } from '../service.js';
import { DefinitionFields } from './form.js';
import { Answers, DeadlineBadge, DocumentList, FeesTable, FormError, History, Notice, StateBadge, Steps, When, digits, kb, loc } from './parts.js';

type Errors = Record<string, string>;

function Page(props: { ctx: ViewContext; title: string; children: ComponentChildren; narrow?: boolean }) {
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <div class="container py-4">
        <div class="row justify-content-center">
          <div class={props.narrow ? 'col-12 col-lg-8' : 'col-12 col-xl-10'}>{props.children}</div>
        </div>
      </div>
    </Layout>
  );
}

function Card(props: { title?: string; children: ComponentChildren; class?: string; headingId?: string }) {
  return (
    <section class={`pk-card p-3 p-md-4 mb-3 ${props.class ?? ''}`} aria-labelledby={props.headingId}>
      {props.title ? <h2 class="h5 mb-3" id={props.headingId}>{props.title}</h2> : null}
      {props.children}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Applying

/** The form's problems at the top, each linking to its field (then each error is shown beside its field too). */
function ErrorSummary(props: { ctx: ViewContext; message?: string; errors?: Errors; labelOf: (key: string) => string }) {
  const keys = Object.keys(props.errors ?? {});
  if (!props.message && !keys.length) return null;
  return (
    <div class="alert alert-danger" role="alert">
      {props.message ? <p class={keys.length ? 'mb-2' : 'mb-0'}>{props.message}</p> : null}
      {keys.length ? (
        <ul class="mb-0">
          {keys.map((k) => <li><a class="alert-link" href={`#f-${k}`}>{props.labelOf(k)}</a>: {props.errors![k]}</li>)}
        </ul>
      ) : null}
    </div>
  );
}

export interface ApplyFormProps {
  ctx: ViewContext;
  /** Where the form posts: /apply/:org/:service for a new draft, /applications/:id/edit for one that exists. */
  action: string;
  orgName: Localized;
  serviceTitle: Localized;
  def: ServiceDefinition;
  values: Record<string, unknown>;
  errors?: Errors;
  error?: string;
  notice?: string | null;
  applicationId?: string;
  drafts?: { id: string; updatedAt: number }[];
  /** Set when correcting an application returned to the citizen. */
  correction?: { trackingCode: string | null };
  counterFor?: string | null;
}

export function ApplyFormPage(props: ApplyFormProps) {
  const { ctx, def } = props;
  const service = loc(ctx, props.serviceTitle);
  const title = props.correction ? ctx.t('apply.correction_title', { code: props.correction.trackingCode ?? '' }) : ctx.t('apply.title', { service });
  return (
    <Page ctx={ctx} title={title} narrow>
      <p class="text-secondary mb-1">{loc(ctx, props.orgName)}</p>
      <h1 class="h3 mb-3">{title}</h1>
      {props.correction ? null : <Steps ctx={ctx} current={1} id={props.applicationId} />}
      <Notice message={props.notice} />
      <ErrorSummary ctx={ctx} message={props.error} errors={props.errors} labelOf={(k) => loc(ctx, def.fields.find((f) => f.key === k)?.label) || k} />
      {props.counterFor ? <div class="alert alert-info">{ctx.t('apply.counter_for', { mobile: digits(ctx, props.counterFor) })}</div> : null}
      {props.drafts?.length ? (
        <div class="alert alert-warning">
          <p class="mb-2">{ctx.t('apply.drafts_exist')}</p>
          <ul class="mb-0">
            {props.drafts.map((d) => <li><a href={`/applications/${d.id}/edit`}>{ctx.t('apply.continue_draft', { date: formatDateTime(d.updatedAt, ctx.locale) })}</a></li>)}
          </ul>
        </div>
      ) : null}
      <p class="text-secondary">{props.correction ? ctx.t('apply.correction_lead') : ctx.t('apply.lead')}</p>
      <form method="post" action={props.action} novalidate class="pk-card p-3 p-md-4">
        <CsrfInput ctx={ctx} />
        <p class="small text-secondary">{ctx.t('apply.required_note')}</p>
        <DefinitionFields ctx={ctx} def={def} values={props.values} errors={props.errors ?? {}} />
        <div class="d-flex flex-wrap gap-2 justify-content-between mt-4">
          <button type="submit" name="intent" value="continue" class="btn btn-primary px-4">{ctx.t('apply.continue')}</button>
          <button type="submit" name="intent" value="save" class="btn btn-outline-secondary">{ctx.t('apply.save_draft')}</button>
        </div>
      </form>
    </Page>
  );
}

export function DocumentsPage(props: { ctx: ViewContext; app: ApplicationView; errors?: Errors; error?: string; notice?: string | null; nextHref: string }) {
  const { ctx, app } = props;
  const def = app.definition;
  const correcting = app.phase !== 'draft';
  const title = ctx.t('apply.docs_title');
  return (
    <Page ctx={ctx} title={`${title} — ${loc(ctx, def.title)}`} narrow>
      <p class="text-secondary mb-1">{loc(ctx, app.org.name)} · {loc(ctx, def.title)}</p>
      <h1 class="h3 mb-3">{title}</h1>
      {correcting ? null : <Steps ctx={ctx} current={2} id={app.id} />}
      <Notice message={props.notice} />
      <FormError message={props.error} />
      <p class="text-secondary">{def.documents.length ? ctx.t('apply.docs_lead') : ctx.t('apply.docs_none_needed')}</p>
      {def.documents.map((d) => {
        const mine = app.documents.filter((x) => x.docKey === d.key);
        const id = `doc-${d.key}`;
        const error = props.errors?.[d.key];
        return (
          <section class={`pk-card p-3 mb-3${error ? ' border-danger' : ''}`} aria-labelledby={`${id}-title`}>
            <div class="d-flex flex-wrap justify-content-between gap-2">
              <h2 class="h6 mb-1" id={`${id}-title`}>{loc(ctx, d.title)}</h2>
              <span class={`badge ${d.required ? 'text-bg-danger' : 'text-bg-light border'}`}>{ctx.t(d.required ? 'apply.docs_required' : 'apply.docs_optional')}</span>
            </div>
            {d.help ? <p class="small text-secondary mb-1">{loc(ctx, d.help)}</p> : null}
            <p class="small text-secondary mb-2" id={`${id}-hint`}>{ctx.t('apply.docs_accept', { types: d.accept.map((a) => a.toUpperCase()).join('، '), mb: d.max_mb })}</p>
            {mine.length ? (
              <ul class="list-unstyled mb-2">
                {mine.map((x) => (
                  <li class="d-flex flex-wrap align-items-center gap-2 mb-1">
                    <a href={`/applications/${app.id}/documents/${x.id}`}>{x.filename}</a>
                    <span class="small text-secondary">({kb(ctx, x.size)})</span>
                    {app.editable ? (
                      <form method="post" action={`/applications/${app.id}/documents/${x.id}/remove`} class="d-inline">
                        <CsrfInput ctx={ctx} />
                        <button type="submit" class="btn btn-link btn-sm text-danger p-0" aria-label={ctx.t('apply.docs_remove_label', { name: x.filename })}>{ctx.t('apply.docs_remove')}</button>
                      </form>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : <p class="small mb-2">{ctx.t('apply.docs_empty')}</p>}
            {app.editable ? (
              <form method="post" action={`/applications/${app.id}/documents`} enctype="multipart/form-data" class="row g-2 align-items-end">
                <CsrfInput ctx={ctx} />
                <input type="hidden" name="doc_key" value={d.key} />
                <div class="col-sm-8">
                  <label class="form-label small" for={`${id}-file`}>{ctx.t('apply.docs_file', { title: loc(ctx, d.title) })}</label>
                  <input id={`${id}-file`} type="file" name="file" class={`form-control${error ? ' is-invalid' : ''}`}
                    accept={d.accept.map((a) => `.${a}${a === 'jpg' ? ',.jpeg' : a === 'tif' ? ',.tiff' : ''}`).join(',')}
                    aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`} aria-invalid={error ? 'true' : undefined} />
                  {error ? <div id={`${id}-error`} class="invalid-feedback d-block">{error}</div> : null}
                </div>
                <div class="col-sm-4">
                  <button type="submit" class="btn btn-outline-primary w-100">{ctx.t('apply.docs_upload')}</button>
                </div>
              </form>
            ) : null}
          </section>
        );
      })}
      <div class="d-flex flex-wrap gap-2 justify-content-between mt-3">
        <a class="btn btn-primary px-4" href={props.nextHref}>{ctx.t('apply.continue')}</a>
        {correcting ? null : <a class="btn btn-outline-secondary" href={`/applications/${app.id}/edit`}>{ctx.t('apply.back')}</a>}
      </div>
    </Page>
  );
}

export function ReviewPage(props: { ctx: ViewContext; app: ApplicationView; problems: Errors; submitKey: string; error?: string }) {
  const { ctx, app } = props;
  const def = app.definition;
  const problemKeys = Object.keys(props.problems);
  const docTitle = (key: string) => loc(ctx, def.documents.find((d) => d.key === key)?.title);
  const fieldTitle = (key: string) => loc(ctx, def.fields.find((f) => f.key === key)?.label) || docTitle(key) || key;
  return (
    <Page ctx={ctx} title={ctx.t('apply.review_title')} narrow>
      <p class="text-secondary mb-1">{loc(ctx, app.org.name)} · {loc(ctx, def.title)}</p>
      <h1 class="h3 mb-3">{ctx.t('apply.review_title')}</h1>
      <Steps ctx={ctx} current={3} id={app.id} />
      <FormError message={props.error} />
      {problemKeys.length ? (
        <div class="alert alert-danger" role="alert">
          <p class="mb-2">{ctx.t('apply.review_problems')}</p>
          <ul class="mb-0">
            {problemKeys.map((k) => {
              const isDoc = def.documents.some((d) => d.key === k);
              return <li><a class="alert-link" href={isDoc ? `/applications/${app.id}/documents#doc-${k}-title` : `/applications/${app.id}/edit#f-${k}`}>{fieldTitle(k)}</a>: {props.problems[k]}</li>;
            })}
          </ul>
        </div>
      ) : null}
      <p class="text-secondary">{ctx.t('apply.review_lead')}</p>
      <Card title={ctx.t('apply.review_answers')} headingId="answers">
        <Answers ctx={ctx} def={def} values={app.values} changeHref={(k) => `/applications/${app.id}/edit#f-${k}`} problems={props.problems} />
      </Card>
      <Card title={ctx.t('apply.review_documents')} headingId="documents">
        <dl class="mb-0">
          {def.documents.map((d) => {
            const mine = app.documents.filter((x) => x.docKey === d.key);
            return (
              <div class={`row py-2 border-bottom${props.problems[d.key] ? ' bg-danger-subtle' : ''}`}>
                <dt class="col-sm-5 fw-medium">{loc(ctx, d.title)}</dt>
                <dd class="col-sm-5 mb-0">
                  {mine.length ? mine.map((x) => <span class="d-block">{x.filename} <span class="small text-secondary">({kb(ctx, x.size)})</span></span>) : <span class="text-secondary">{ctx.t('apply.review_empty')}</span>}
                  {props.problems[d.key] ? <span class="d-block text-danger small">{props.problems[d.key]}</span> : null}
                </dd>
                <dd class="col-sm-2 mb-0 text-sm-end">
                  <a href={`/applications/${app.id}/documents#doc-${d.key}-title`}>{ctx.t('apply.review_change')}<span class="visually-hidden"> {loc(ctx, d.title)}</span></a>
                </dd>
              </div>
            );
          })}
        </dl>
      </Card>
      <Card title={ctx.t('apply.fees_title')} headingId="fees">
        <FeesTable ctx={ctx} fees={app.fees} />
        {app.fees.items.length ? <p class="small text-secondary mb-0">{ctx.t('apply.fees_note')}</p> : null}
      </Card>
      <form method="post" action={`/applications/${app.id}/submit`} class="pk-card p-3 p-md-4">
        <CsrfInput ctx={ctx} />
        <input type="hidden" name="submit_key" value={props.submitKey} />
        <p>{ctx.t('apply.review_declaration')}</p>
        <button type="submit" class="btn btn-primary btn-lg px-4">{ctx.t('apply.review_submit')}</button>
      </form>
    </Page>
  );
}

export function SubmittedPage(props: { ctx: ViewContext; app: ApplicationView }) {
  const { ctx, app } = props;
  const due = app.dueAt ?? app.citizenDueAt;
  return (
    <Page ctx={ctx} title={ctx.t('apply.submitted_title')} narrow>
      <div class="pk-card p-4 mb-3 text-center border-success">
        <h1 class="h3 text-success mb-3">{ctx.t('apply.submitted_title')}</h1>
        <p class="mb-1">{ctx.t('apply.submitted_code')}</p>
        <p class="display-6 fw-bold pk-ltr mb-3" dir="ltr">{app.trackingCode}</p>
        <p class="mb-0 text-secondary">{loc(ctx, app.org.name)} · {loc(ctx, app.service.title)}</p>
        {app.viewer === 'citizen' ? <p class="mb-0 mt-2">{ctx.t('apply.submitted_sms')}</p> : null}
      </div>
      <Card title={ctx.t('apply.submitted_next')} headingId="next">
        <p>{ctx.t('apply.submitted_state', { state: loc(ctx, app.state.title) })}</p>
        <p>{due ? ctx.t('apply.submitted_deadline', { date: formatDateTime(due, ctx.locale, 'long') }) : ctx.t('apply.submitted_no_deadline')}</p>
        <p class="mb-0">{ctx.t('apply.submitted_track')}</p>
      </Card>
      <div class="d-flex flex-wrap gap-2">
        {app.viewer === 'citizen' ? <a class="btn btn-primary" href={`/my/applications/${app.id}`}>{ctx.t('apply.submitted_mine')}</a> : null}
        <a class="btn btn-outline-secondary" href={`/track/${app.trackingCode ?? ''}`}>{ctx.t('apply.submitted_track_link')}</a>
      </div>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------
// My applications

export function MyApplicationsPage(props: { ctx: ViewContext; items: ApplicationSummary[] }) {
  const { ctx } = props;
  return (
    <Page ctx={ctx} title={ctx.t('mine.title')}>
      <h1 class="h3 mb-3">{ctx.t('mine.title')}</h1>
      {props.items.length === 0 ? <p class="text-secondary">{ctx.t('mine.empty')}</p> : (
        <div class="table-responsive pk-card position-relative">
          <table class="table align-middle mb-0">
            <caption class="visually-hidden">{ctx.t('mine.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{ctx.t('mine.service')}</th>
                <th scope="col">{ctx.t('mine.code')}</th>
                <th scope="col">{ctx.t('mine.state')}</th>
                <th scope="col">{ctx.t('mine.date')}</th>
                <th scope="col"><span class="visually-hidden">{ctx.t('mine.open')}</span></th>
              </tr>
            </thead>
            <tbody>
              {props.items.map((a) => (
                <tr>
                  {/* The title is the link, so it is reachable on a phone without scrolling the table. */}
                  <td><a href={a.phase === 'draft' ? `/applications/${a.id}/edit` : `/my/applications/${a.id}`}>{loc(ctx, a.service.title)}</a><span class="d-block small text-secondary">{loc(ctx, a.org.name)}</span></td>
                  <td class="pk-ltr" dir="ltr">{a.trackingCode ?? '—'}</td>
                  <td><StateBadge ctx={ctx} phase={a.phase} state={a.state} outcome={a.outcome} /></td>
                  <td><When ctx={ctx} at={a.submittedAt ?? a.updatedAt} /></td>
                  <td class="text-end">
                    {a.phase === 'draft'
                      ? <a href={`/applications/${a.id}/edit`}>{ctx.t('mine.continue_draft')}</a>
                      : <a href={`/my/applications/${a.id}`}>{ctx.t('mine.open')}<span class="visually-hidden"> {a.trackingCode}</span></a>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

export function MyApplicationPage(props: { ctx: ViewContext; app: ApplicationView; errors?: Errors; error?: string; notice?: string | null; values?: Record<string, string> }) {
  const { ctx, app } = props;
  const def = app.definition;
  const title = app.trackingCode ? ctx.t('mine.detail_title', { code: app.trackingCode }) : ctx.t('mine.draft_title', { service: loc(ctx, def.title) });
  const waiting = app.phase === 'open' && app.state.waitsFor === 'citizen';
  // A state left by a verified payment: its bill is paid from the bill's page.
  const awaitsPayment = app.phase === 'open' && def.workflow.actions.some((a) => a.from === app.state.key && a.by === 'payment');
  // Once a payment step was passed, its bill and receipt stay one click away.
  const paidStep = app.history.some((e) => e.action !== null && def.workflow.actions.some((a) => a.by === 'payment' && a.name === e.action));
  return (
    <Page ctx={ctx} title={title}>
      <p class="text-secondary mb-1">{loc(ctx, app.org.name)} · {loc(ctx, def.title)}</p>
      <h1 class="h3 mb-3"><span dir="ltr">{app.trackingCode ?? ''}</span> <StateBadge ctx={ctx} phase={app.phase} state={app.state} outcome={app.outcome} /></h1>
      <Notice message={props.notice} />
      <FormError message={props.error} />
      <div class="row g-3">
        <div class="col-lg-8">
          {waiting && (app.actions.length || awaitsPayment) ? (
            <Card title={ctx.t('mine.waiting_you')} headingId="waiting" class="border-warning">
              {awaitsPayment ? (
                <div class="mb-3">
                  <p class="mb-2">{ctx.t('mine.pay_lead')}</p>
                  <a class="btn btn-primary btn-lg" href={`/applications/${app.id}/bill`}>{ctx.t('mine.pay')}</a>
                </div>
              ) : null}
              {app.editable ? <p><a class="btn btn-outline-primary" href={`/applications/${app.id}/edit`}>{ctx.t('mine.edit')}</a></p> : null}
              {app.actions.map((a) => {
                const needsComment = a.requires.includes('comment');
                const id = `act-${a.name}`;
                return (
                  <form method="post" action={`/my/applications/${app.id}/actions`} class="border-top pt-3 mt-3" novalidate>
                    <CsrfInput ctx={ctx} />
                    <input type="hidden" name="action" value={a.name} />
                    <div class="mb-2">
                      <label class="form-label" for={`${id}-comment`}>{ctx.t(needsComment ? 'mine.comment_required' : 'mine.comment')}{needsComment ? <span aria-hidden="true" class="text-danger"> *</span> : null}</label>
                      <textarea id={`${id}-comment`} name="comment" rows={2} maxLength={2000} class={`form-control${props.errors?.comment && props.values?.action === a.name ? ' is-invalid' : ''}`}>{props.values?.action === a.name ? props.values.comment ?? '' : ''}</textarea>
                      {props.errors?.comment && props.values?.action === a.name ? <div class="invalid-feedback d-block">{props.errors.comment}</div> : null}
                    </div>
                    <button type="submit" class={`btn ${a.name === 'withdraw' ? 'btn-outline-danger' : 'btn-primary'}`}>{loc(ctx, a.title) || a.name}</button>
                  </form>
                );
              })}
            </Card>
          ) : null}
          {app.phase === 'closed' ? (
            <Card title={ctx.t('mine.outcome')} headingId="outcome" class={app.outcome === 'granted' ? 'border-success' : ''}>
              <p class="fs-5">{ctx.t(`catalog.outcome.${app.outcome}`)} — {loc(ctx, app.state.title)}</p>
              {app.resultCode ? <p><a class="btn btn-outline-primary" href={`/applications/${app.id}/letter`}>{ctx.t('mine.letter_link')}</a></p> : null}
              {paidStep ? <p><a href={`/applications/${app.id}/bill`}>{ctx.t('mine.bills_link')}</a></p> : null}
              {app.rating ? <p class="mb-0">{ctx.t('mine.rated', { n: app.rating })}</p> : (
                <form method="post" action={`/my/applications/${app.id}/rating`} class="border-top pt-3" novalidate>
                  <CsrfInput ctx={ctx} />
                  <fieldset class="mb-2" aria-describedby={props.errors?.rating ? 'rating-error' : undefined}>
                    <legend class="h6">{ctx.t('mine.rate_title')}</legend>
                    {[1, 2, 3, 4, 5].map((n) => (
                      <div class="form-check form-check-inline">
                        <input class="form-check-input" type="radio" name="rating" id={`rating-${n}`} value={String(n)} checked={props.values?.rating === String(n)} />
                        <label class="form-check-label" for={`rating-${n}`}>{ctx.t('mine.rating_n', { n })}</label>
                      </div>
                    ))}
                    {props.errors?.rating ? <div id="rating-error" class="invalid-feedback d-block">{props.errors.rating}</div> : null}
                  </fieldset>
                  <div class="mb-2">
                    <label class="form-label" for="rating-comment">{ctx.t('mine.rating_comment')}</label>
                    <textarea id="rating-comment" name="comment" rows={2} maxLength={2000} class="form-control">{props.values?.comment ?? ''}</textarea>
                  </div>
                  <button type="submit" class="btn btn-primary">{ctx.t('mine.rate_submit')}</button>
                </form>
              )}
            </Card>
          ) : null}
          <Card title={ctx.t('mine.history')} headingId="history">
            <History ctx={ctx} events={app.history} />
          </Card>
          <Card title={ctx.t('mine.answers')} headingId="answers">
            <Answers ctx={ctx} def={def} values={app.values} />
          </Card>
        </div>
        <div class="col-lg-4">
          <Card title={ctx.t('mine.summary')} headingId="summary">
            <dl class="mb-0">
              <dt>{ctx.t('mine.state')}</dt>
              <dd>{loc(ctx, app.state.title)}</dd>
              {app.submittedAt ? <><dt>{ctx.t('mine.submitted_at')}</dt><dd><When ctx={ctx} at={app.submittedAt} time /></dd></> : null}
              <dt>{ctx.t('mine.channel')}</dt>
              <dd>{ctx.t(`application.channel.${app.channel}`)}</dd>
              {app.phase === 'open' && (app.dueAt ?? app.citizenDueAt) ? (
                <>
                  <dt>{ctx.t('mine.due')}</dt>
                  <dd><When ctx={ctx} at={app.dueAt ?? app.citizenDueAt} style="long" time /> <DeadlineBadge ctx={ctx} status={app.deadlineStatus} /></dd>
                </>
              ) : null}
            </dl>
          </Card>
          <Card title={ctx.t('mine.documents')} headingId="documents">
            <DocumentList ctx={ctx} app={app} />
          </Card>
          <Card title={ctx.t('apply.fees_title')} headingId="fees">
            <FeesTable ctx={ctx} fees={app.fees} />
          </Card>
        </div>
      </div>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------
// Public tracking, result letters and their verification

export function TrackPage(props: { ctx: ViewContext; code?: string; error?: string }) {
  const { ctx } = props;
  return (
    <Page ctx={ctx} title={ctx.t('track.title')} narrow>
      <h1 class="h3 mb-3">{ctx.t('track.title')}</h1>
      <p class="text-secondary">{ctx.t('track.lead')}</p>
      <form method="get" action="/track" class="pk-card p-3 p-md-4" novalidate>
        <div class="mb-3">
          <label class="form-label" for="f-code">{ctx.t('track.code')}</label>
          <input id="f-code" name="code" type="text" dir="ltr" class={`form-control pk-ltr${props.error ? ' is-invalid' : ''}`} value={props.code ?? ''} maxLength={80}
            autocomplete="off" aria-describedby={`f-code-hint${props.error ? ' f-code-error' : ''}`} aria-invalid={props.error ? 'true' : undefined} />
          <div id="f-code-hint" class="form-text">{ctx.t('track.code_hint')}</div>
          {props.error ? <div id="f-code-error" class="invalid-feedback d-block">{props.error}</div> : null}
        </div>
        <button type="submit" class="btn btn-primary">{ctx.t('track.submit')}</button>
      </form>
    </Page>
  );
}

export function TrackStatusPage(props: { ctx: ViewContext; status: PublicStatus }) {
  const { ctx, status } = props;
  return (
    <Page ctx={ctx} title={ctx.t('track.status_title', { code: status.trackingCode })} narrow>
      <h1 class="h3 mb-3">{ctx.t('track.status_title', { code: status.trackingCode })}</h1>
      <Card>
        <dl class="row mb-0">
          <dt class="col-sm-4">{ctx.t('track.service')}</dt><dd class="col-sm-8">{loc(ctx, status.service.title)}</dd>
          <dt class="col-sm-4">{ctx.t('track.org')}</dt><dd class="col-sm-8">{loc(ctx, status.org.name)}</dd>
          <dt class="col-sm-4">{ctx.t('track.state')}</dt>
          <dd class="col-sm-8"><StateBadge ctx={ctx} phase={status.phase} state={status.state} outcome={status.outcome} /> {status.phase === 'open' ? <span class="small text-secondary">({ctx.t(`catalog.waits_for.${status.state.waitsFor}`)})</span> : null}</dd>
          {status.outcome ? <><dt class="col-sm-4">{ctx.t('track.outcome')}</dt><dd class="col-sm-8">{ctx.t(`catalog.outcome.${status.outcome}`)}</dd></> : null}
          <dt class="col-sm-4">{ctx.t('track.submitted')}</dt><dd class="col-sm-8"><When ctx={ctx} at={status.submittedAt} style="long" /></dd>
          <dt class="col-sm-4">{ctx.t('track.updated')}</dt><dd class="col-sm-8"><When ctx={ctx} at={status.lastUpdateAt} style="long" time /></dd>
          {status.external ? <><dt class="col-sm-4">{ctx.t('track.external_status')}</dt><dd class="col-sm-8" data-testid="external-status"><strong>{status.external.status}</strong>{status.external.note ? <p class="mb-0 small pk-message-body">{status.external.note}</p> : null}</dd></> : null}
          {status.dueAt ? <><dt class="col-sm-4">{ctx.t('track.due')}</dt><dd class="col-sm-8 mb-0"><When ctx={ctx} at={status.dueAt} style="long" time /></dd></> : null}
        </dl>
      </Card>
      <a href="/track">{ctx.t('track.another')}</a>
    </Page>
  );
}

export function VerifyPage(props: { ctx: ViewContext; code?: string; result?: ResultVerification; invalid?: boolean }) {
  const { ctx, result } = props;
  return (
    <Page ctx={ctx} title={ctx.t('verify.title')} narrow>
      <h1 class="h3 mb-3">{ctx.t('verify.title')}</h1>
      {result ? (
        <div class="pk-card p-3 p-md-4 mb-3 border-success">
          <p class="alert alert-success" role="status">{ctx.t('verify.valid')}</p>
          <dl class="row mb-0">
            <dt class="col-sm-4">{ctx.t('verify.service')}</dt><dd class="col-sm-8">{loc(ctx, result.service.title)}</dd>
            <dt class="col-sm-4">{ctx.t('verify.org')}</dt><dd class="col-sm-8">{loc(ctx, result.org.name)}</dd>
            <dt class="col-sm-4">{ctx.t('verify.outcome')}</dt><dd class="col-sm-8">{ctx.t(`catalog.outcome.${result.outcome}`)}</dd>
            <dt class="col-sm-4">{ctx.t('verify.date')}</dt><dd class="col-sm-8"><When ctx={ctx} at={result.closedAt} style="long" /></dd>
            <dt class="col-sm-4">{ctx.t('verify.tracking')}</dt><dd class="col-sm-8"><span dir="ltr">{result.trackingCode}</span></dd>
            {result.holder ? <><dt class="col-sm-4">{ctx.t('verify.holder')}</dt><dd class="col-sm-8 mb-0">{result.holder}</dd></> : null}
          </dl>
        </div>
      ) : null}
      {props.invalid ? <div class="alert alert-danger" role="alert">{ctx.t('verify.invalid')}</div> : null}
      <form method="get" action="/verify" class="pk-card p-3 p-md-4" novalidate>
        <p class="text-secondary">{ctx.t('verify.lead')}</p>
        <div class="mb-3">
          <label class="form-label" for="f-code">{ctx.t('verify.code')}</label>
          <input id="f-code" name="code" type="text" dir="ltr" class="form-control pk-ltr" value={props.code ?? ''} maxLength={40} autocomplete="off" />
        </div>
        <button type="submit" class="btn btn-primary">{ctx.t('verify.submit')}</button>
      </form>
    </Page>
  );
}

/** The printable result letter: its own document with print styles (no site header or footer on paper). */
export function LetterDocument(props: { ctx: ViewContext; app: ApplicationView; holder: string; text: string; comment: string | null; verifyUrl: string }) {
  const { ctx, app } = props;
  const code = groupResultCode(app.resultCode ?? '');
  return (
    <html lang={ctx.locale} dir={ctx.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${ctx.t('letter.title')} ${app.trackingCode ?? ''} | ${ctx.t('app.name')}`}</title>
        <link rel="stylesheet" href={ctx.dir === 'rtl' ? '/static/vendor/bootstrap/bootstrap.rtl.min.css' : '/static/vendor/bootstrap/bootstrap.min.css'} />
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="stylesheet" href="/applications/assets/letter.css" />
      </head>
      <body class="pk-letter-body">
        <nav class="d-print-none container py-3 d-flex flex-wrap gap-3 align-items-center">
          <a href={app.viewer === 'citizen' ? `/my/applications/${app.id}` : '/'}>{ctx.t('apply.back')}</a>
          <span class="text-secondary small">{ctx.t('letter.print')}: Ctrl+P</span>
        </nav>
        <main id="main" class="pk-letter container bg-white p-4 p-md-5 mb-4">
          <header class="d-flex justify-content-between flex-wrap gap-3 border-bottom pb-3 mb-4">
            <div>
              <p class="h5 mb-1">{loc(ctx, app.org.name)}</p>
              <p class="mb-0 text-secondary">{ctx.t('app.name')}</p>
            </div>
            <div class="text-end small">
              <p class="mb-1">{ctx.t('letter.date', { date: formatDate(app.closedAt ?? 0, ctx.locale, 'long') })}</p>
              <p class="mb-0">{ctx.t('letter.number', { code: app.trackingCode ?? '' })}</p>
            </div>
          </header>
          <h1 class="h4 mb-4">{ctx.t('letter.title')}</h1>
          <p>{ctx.t('letter.to', { name: props.holder })}</p>
          <p class="fw-medium">{ctx.t('letter.subject', { service: loc(ctx, app.service.title) })}</p>
          <p class="pk-message-body lh-lg">{props.text}</p>
          {props.comment ? <><p class="fw-medium mb-1">{ctx.t('letter.reason')}</p><p class="pk-message-body">{props.comment}</p></> : null}
          <footer class="border-top pt-3 mt-5 small">
            <p class="mb-1">{ctx.t('letter.issued_by', { org: loc(ctx, app.org.name) })}</p>
            <p class="mb-0">{ctx.t('letter.verify', { code, url: props.verifyUrl })}</p>
            <p class="mb-0 mt-2 fs-5 fw-bold" dir="ltr">{code}</p>
          </footer>
        </main>
      </body>
    </html>
  );
}
