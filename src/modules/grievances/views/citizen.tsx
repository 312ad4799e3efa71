import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout } from '../../../platform/views/components.js';
import { formatDate } from '../../../platform/i18n/format.js';
import type { ReportDetail, ReportView } from '../service.js';
import { Code, MapBox, MapScripts, Photos, StateBadge, Timeline, digits, type MapSettings, type Municipality } from './pages.js';

// The citizen's own reports: the list, and one report with its progress, reopening and rating.

export function MyReportsPage(props: { ctx: ViewContext; rows: ReportView[]; orgNames: Map<string, string> }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('report.my_title')}>
      <div class="container py-4">
        <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2">
          <h1 class="h3 m-0">{ctx.t('report.my_title')}</h1>
          <a class="btn btn-primary" href="/report">{ctx.t('rweb.my.new')}</a>
        </div>
        <p class="text-secondary">{ctx.t('rweb.my.lead')}</p>
        {props.rows.length === 0 ? <p class="text-muted">{ctx.t('report.none')}</p> : (
          <ul class="list-unstyled pk-report-list">
            {props.rows.map((r) => (
              <li class="pk-card p-3 mb-2">
                <div class="d-flex flex-wrap justify-content-between align-items-start gap-2">
                  <a class="fw-bold" href={`/my/reports/${encodeURIComponent(r.id)}`}>{r.category.title[ctx.locale]}</a>
                  <span>
                    <StateBadge ctx={ctx} state={r.state} />
                    {r.overdue ? <> <span class="badge text-bg-danger">{ctx.t('rweb.my.overdue')}</span></> : null}
                  </span>
                </div>
                <div class="small text-secondary mt-1">
                  <span class="visually-hidden">{ctx.t('report.col.tracking')}: </span><Code ctx={ctx} code={r.tracking_code} />
                  {' · '}{props.orgNames.get(r.org) ?? r.org}
                </div>
                <div class="small text-secondary">
                  {ctx.t('report.col.created')}: <time dateTime={new Date(r.created_at).toISOString()}>{formatDate(r.created_at, ctx.locale)}</time>
                  {r.due_at && !r.resolved_at ? <>{' · '}{ctx.t('rweb.col.due')}: <time dateTime={new Date(r.due_at).toISOString()}>{formatDate(r.due_at, ctx.locale)}</time></> : null}
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Layout>
  );
}

export interface MyReportFailure {
  form: 'reopen' | 'rate';
  error: string;
  errors: Record<string, string>;
  values: Record<string, string>;
}

/** One of the citizen's reports: where, what, the photos, the progress; reopen or rate when the service allows it. */
export function MyReportPage(props: {
  ctx: ViewContext; map: MapSettings; report: ReportDetail; orgName: string; municipalities: Municipality[];
  done?: 'reopen' | 'rate'; failure?: MyReportFailure;
}) {
  const { ctx, report: r } = props;
  const f = props.failure;
  const fe = (form: MyReportFailure['form'], name: string) => (f?.form === form ? f.errors[name] : undefined);
  const fv = (form: MyReportFailure['form'], name: string) => (f?.form === form ? f.values[name] ?? '' : '');
  const attributeRows = Object.entries(r.attributes ?? {}).map(([code, value]) => {
    const def = r.category_attributes.find((a) => a.code === code);
    const label = def ? (ctx.locale === 'fa' ? def.description_fa : def.description_en) : code;
    const names = (Array.isArray(value) ? value : [value]).map((x) => {
      const opt = def?.values?.find((o) => o.key === x);
      return opt ? (ctx.locale === 'fa' ? opt.name_fa : opt.name_en) : digits(ctx, String(x));
    });
    return { label, value: names.join('، ') };
  });
  return (
    <Layout ctx={ctx} title={ctx.t('rweb.detail.title', { code: digits(ctx, r.tracking_code) })}>
      <div class="container py-4">
        <p><a href="/my/reports">{ctx.t('rweb.detail.back_mine')}</a></p>
        <h1 class="h3 mb-3">{r.category.title[ctx.locale]} <small class="text-secondary fs-6"><Code ctx={ctx} code={r.tracking_code} /></small></h1>
        {props.done ? <Alert kind="success">{ctx.t(props.done === 'reopen' ? 'rweb.reopen.done' : 'rweb.rate.done')}</Alert> : null}
        {f ? <Alert kind="danger">{f.error}</Alert> : null}
        <div class="row g-4">
          <div class="col-12 col-lg-7">
            <dl class="pk-card p-3 row mb-3 mx-0">
              <dt class="col-5 col-sm-4">{ctx.t('rweb.detail.state')}</dt>
              <dd class="col-7 col-sm-8"><StateBadge ctx={ctx} state={r.state} />{r.overdue ? <> <span class="badge text-bg-danger">{ctx.t('rweb.my.overdue')}</span></> : null}</dd>
              <dt class="col-5 col-sm-4">{ctx.t('rweb.detail.org')}</dt><dd class="col-7 col-sm-8">{props.orgName}</dd>
              <dt class="col-5 col-sm-4">{ctx.t('rweb.detail.filed')}</dt><dd class="col-7 col-sm-8">{formatDate(r.created_at, ctx.locale)}</dd>
              {r.due_at ? <><dt class="col-5 col-sm-4">{ctx.t('rweb.detail.due')}</dt><dd class="col-7 col-sm-8">{formatDate(r.due_at, ctx.locale)}</dd></> : null}
              {r.resolved_at ? <><dt class="col-5 col-sm-4">{ctx.t('rweb.detail.resolved')}</dt><dd class="col-7 col-sm-8">{formatDate(r.resolved_at, ctx.locale)}</dd></> : null}
              {r.address ? <><dt class="col-5 col-sm-4">{ctx.t('rweb.detail.address')}</dt><dd class="col-7 col-sm-8">{r.address}</dd></> : null}
              {r.rating ? <><dt class="col-5 col-sm-4">{ctx.t('rweb.rate.legend')}</dt><dd class="col-7 col-sm-8">{ctx.t('rweb.detail.your_rating', { n: r.rating })}</dd></> : null}
            </dl>
            <section class="mb-3">
              <h2 class="h5">{ctx.t('rweb.detail.description')}</h2>
              <p class="pk-message-body">{r.description}</p>
            </section>
            {attributeRows.length ? (
              <section class="mb-3">
                <h2 class="h5">{ctx.t('rweb.detail.attributes')}</h2>
                <dl class="row">{attributeRows.map((a) => <><dt class="col-6">{a.label}</dt><dd class="col-6">{a.value}</dd></>)}</dl>
              </section>
            ) : null}
            <Photos ctx={ctx} photos={r.photos} />
            <section class="mb-3">
              <h2 class="h5">{ctx.t('rweb.detail.timeline')}</h2>
              <Timeline ctx={ctx} updates={r.updates.filter((u) => !u.internal)} />
            </section>
            {r.can_reopen ? (
              <section class="pk-card p-3 mb-3" aria-labelledby="reopen-title">
                <h2 class="h5" id="reopen-title">{ctx.t('rweb.reopen.title')}</h2>
                <p class="small text-secondary">{ctx.t('rweb.reopen.lead')}</p>
                <form method="post" action={`/my/reports/${encodeURIComponent(r.id)}/reopen`} novalidate>
                  <CsrfInput ctx={ctx} />
                  <label class="form-label" for="f-reopen-comment">{ctx.t('rweb.reopen.comment')}<span aria-hidden="true"> *</span></label>
                  <textarea id="f-reopen-comment" name="comment" rows={3} maxLength={2000} required aria-required="true" class={`form-control${fe('reopen', 'comment') ? ' is-invalid' : ''}`} aria-invalid={fe('reopen', 'comment') ? 'true' : undefined} aria-describedby={fe('reopen', 'comment') ? 'f-reopen-comment-error' : undefined}>{fv('reopen', 'comment')}</textarea>
                  {fe('reopen', 'comment') ? <div id="f-reopen-comment-error" class="invalid-feedback d-block">{fe('reopen', 'comment')}</div> : null}
                  <button type="submit" class="btn btn-outline-primary mt-2">{ctx.t('rweb.reopen.submit')}</button>
                </form>
              </section>
            ) : null}
            {r.can_rate ? (
              <section class="pk-card p-3 mb-3" aria-labelledby="rate-title">
                <h2 class="h5" id="rate-title">{ctx.t('rweb.rate.title')}</h2>
                <form method="post" action={`/my/reports/${encodeURIComponent(r.id)}/rate`} novalidate>
                  <CsrfInput ctx={ctx} />
                  <fieldset class="mb-2" aria-invalid={fe('rate', 'rating') ? 'true' : undefined} aria-describedby={fe('rate', 'rating') ? 'f-rating-error' : undefined}>
                    <legend class="form-label fs-6">{ctx.t('rweb.rate.legend')}</legend>
                    <div class="pk-stars" dir="ltr">
                      {[1, 2, 3, 4, 5].map((n) => (
                        <>
                          <input type="radio" class="btn-check" name="rating" id={`f-rating-${n}`} value={String(n)} checked={fv('rate', 'rating') === String(n)} />
                          <label class="btn btn-outline-warning" for={`f-rating-${n}`} title={ctx.t('rweb.rate.star', { n })}>
                            <span aria-hidden="true">{'★'.repeat(n)}</span><span class="visually-hidden">{ctx.t('rweb.rate.star', { n })}</span>
                          </label>
                        </>
                      ))}
                    </div>
                    {fe('rate', 'rating') ? <div id="f-rating-error" class="invalid-feedback d-block">{fe('rate', 'rating')}</div> : null}
                  </fieldset>
                  <label class="form-label" for="f-rate-comment">{ctx.t('rweb.rate.comment')}</label>
                  <textarea id="f-rate-comment" name="comment" rows={2} maxLength={2000} class={`form-control${fe('rate', 'comment') ? ' is-invalid' : ''}`}>{fv('rate', 'comment')}</textarea>
                  {fe('rate', 'comment') ? <div class="invalid-feedback d-block">{fe('rate', 'comment')}</div> : null}
                  <button type="submit" class="btn btn-primary mt-2">{ctx.t('rweb.rate.submit')}</button>
                </form>
              </section>
            ) : null}
          </div>
          <div class="col-12 col-lg-5">
            <MapBox ctx={ctx} map={props.map} kind="point" label={ctx.t('rweb.detail.map_label')} municipalities={props.municipalities} lat={r.lat} lng={r.lng} small />
            <p class="mt-2"><a href={`/reports/${encodeURIComponent(r.tracking_code)}`}>{ctx.t('rweb.detail.public_link')}</a></p>
          </div>
        </div>
      </div>
      <MapScripts />
    </Layout>
  );
}
