import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field, Layout } from '../../../platform/views/components.js';
import { formatDate } from '../../../platform/i18n/format.js';
import type { PublicReport, ReportView } from '../service.js';

export interface CategoryOption {
  code: string;
  title: { fa: string; en: string };
}

/** The citizen's form: category, description, the place as latitude/longitude, an optional address. */
export function ReportFormPage(props: {
  ctx: ViewContext; categories: CategoryOption[]; values?: Record<string, string>; errors?: Record<string, string>; error?: string; filed?: string;
}) {
  const { ctx } = props;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  return (
    <Layout ctx={ctx} title={ctx.t('report.page_title')}>
      <div class="container py-4">
        <h1 class="h3 mb-3">{ctx.t('report.page_title')}</h1>
        {props.filed ? <Alert kind="success">{ctx.t('report.filed', { code: props.filed })}</Alert> : null}
        {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
        <form method="post" action="/report" novalidate>
          <CsrfInput ctx={ctx} />
          <div class="mb-3">
            <label class="form-label" for="f-category">{ctx.t('report.field.category')}</label>
            <select id="f-category" name="category" class={`form-select${e.category ? ' is-invalid' : ''}`} required aria-invalid={e.category ? 'true' : undefined}>
              {props.categories.map((c) => <option value={c.code} selected={v.category === c.code}>{c.title[ctx.locale]}</option>)}
            </select>
            {e.category ? <div class="invalid-feedback d-block">{e.category}</div> : null}
          </div>
          <div class="mb-3">
            <label class="form-label" for="f-description">{ctx.t('report.field.description')}</label>
            <textarea id="f-description" name="description" class={`form-control${e.description ? ' is-invalid' : ''}`} rows={4} maxLength={2000} required>{v.description ?? ''}</textarea>
            {e.description ? <div class="invalid-feedback d-block">{e.description}</div> : null}
          </div>
          <Field ctx={ctx} name="lat" label={ctx.t('report.field.lat')} value={v.lat} error={e.lat} required ltr inputMode="text" />
          <Field ctx={ctx} name="lng" label={ctx.t('report.field.lng')} value={v.lng} error={e.lng} required ltr inputMode="text" />
          <Field ctx={ctx} name="address" label={ctx.t('report.field.address')} value={v.address} error={e.address} maxLength={300} />
          <button type="submit" class="btn btn-primary">{ctx.t('report.submit')}</button>
        </form>
      </div>
    </Layout>
  );
}

function ReportsTable(props: { ctx: ViewContext; rows: (ReportView | PublicReport)[] }) {
  const { ctx } = props;
  if (props.rows.length === 0) return <p class="text-muted">{ctx.t('report.none')}</p>;
  return (
    <table class="table table-sm align-middle">
      <thead>
        <tr>
          <th scope="col">{ctx.t('report.col.tracking')}</th>
          <th scope="col">{ctx.t('report.col.org')}</th>
          <th scope="col">{ctx.t('report.col.category')}</th>
          <th scope="col">{ctx.t('report.col.state')}</th>
          <th scope="col">{ctx.t('report.col.created')}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr>
            <td class="pk-ltr" dir="ltr">{r.tracking_code}</td>
            <td>{r.org}</td>
            <td>{r.category.title[ctx.locale]}</td>
            <td>{ctx.t(`report.state.${r.state}`)}</td>
            <td>{formatDate(r.created_at, ctx.locale)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A list page: the citizen's own reports, or the public list. */
export function ReportListPage(props: { ctx: ViewContext; title: string; rows: (ReportView | PublicReport)[] }) {
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <div class="container py-4">
        <h1 class="h3 mb-3">{props.title}</h1>
        <ReportsTable ctx={props.ctx} rows={props.rows} />
      </div>
    </Layout>
  );
}
