import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field } from '../../../platform/views/components.js';
import { formatDate } from '../../../platform/i18n/format.js';
import { groupResultCode } from '../../applications/service.js';
import type { ClearanceView, UnpaidLevy } from '../clearance.js';
import { Code, ErrorSummary, OrgSelect, Page, digits, dueDateOf, loc, ltr, rials } from './levies-parts.js';

type OrgOption = { code: string; name: { fa: string; en?: string } };

export interface ClearancePageProps {
  ctx: ViewContext;
  municipalities: OrgOption[];
  values: Record<string, string>;
  errors?: Record<string, string>;
  error?: string;
  /** The renewal levies that stand in the way of a certificate. */
  unpaid?: UnpaidLevy[] | null;
}

/** Asking for a clearance certificate: municipality and property code; a refusal names the unpaid levies and links to paying them. */
export function ClearancePage(props: ClearancePageProps) {
  const { ctx, values } = props;
  const t = ctx.t;
  const errors = props.errors ?? {};
  const payHref = `/bills?${new URLSearchParams({ org: values.org ?? '', property_code: values.property_code ?? '' }).toString()}`;
  return (
    <Page ctx={ctx} title={t('clearance.title')}>
      <div class="row justify-content-center">
        <div class="col-12 col-lg-8">
          <h1 class="h3 mb-2">{t('clearance.title')}</h1>
          <p class="text-secondary">{t('clearance.lead')}</p>
          {props.unpaid?.length ? (
            <section class="alert alert-warning" role="alert" aria-labelledby="unpaid-title">
              <h2 class="h6" id="unpaid-title">{t('clearance.refused_title', { n: props.unpaid.length })}</h2>
              <ul class="mb-2">
                {props.unpaid.map((b) => (
                  <li data-bill={b.billCode}>
                    {t('clearance.unpaid_line', { period: digits(ctx, b.period ?? ''), amount: rials(ctx, b.amount), due: dueDateOf(ctx, b.dueAt) })} — <Code ctx={ctx} value={b.billCode} />
                  </li>
                ))}
              </ul>
              <a class="btn btn-warning btn-sm" href={payHref}>{t('clearance.pay_them')}</a>
            </section>
          ) : (
            <ErrorSummary ctx={ctx} message={props.error} errors={errors} labelOf={(k) => t(`levies.field.${k}`)} />
          )}
          <form method="post" action="/clearance" class="pk-card p-3 p-md-4 mb-3" novalidate>
            <CsrfInput ctx={ctx} />
            <OrgSelect ctx={ctx} label={t('levies.municipality')} value={values.org} orgs={props.municipalities} error={errors.org} required any={t('levies.choose_municipality')} />
            <Field ctx={ctx} name="property_code" label={t('levies.property_code')} value={values.property_code} error={errors.property_code} hint={t('levies.property_code_hint')} required ltr maxLength={60} />
            <button type="submit" class="btn btn-primary">{t('clearance.submit')}</button>
          </form>
          <p><a href="/clearance/verify">{t('clearance.verify_link')}</a></p>
        </div>
      </div>
    </Page>
  );
}

/** The printable certificate: its own document with print styles (no site header or footer on paper). */
export function CertificateDocument(props: { ctx: ViewContext; cert: ClearanceView; verifyUrl: string }) {
  const { ctx, cert } = props;
  const t = ctx.t;
  const code = groupResultCode(cert.verifyCode);
  const org = loc(ctx, cert.org.name);
  return (
    <html lang={ctx.locale} dir={ctx.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${t('clearance.certificate_title')} ${cert.number} | ${t('app.name')}`}</title>
        <link rel="stylesheet" href={ctx.dir === 'rtl' ? '/static/vendor/bootstrap/bootstrap.rtl.min.css' : '/static/vendor/bootstrap/bootstrap.min.css'} />
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="stylesheet" href="/clearance/assets/certificate.css" />
      </head>
      <body class="pk-cert-body">
        <nav class="d-print-none container py-3 d-flex flex-wrap gap-3 align-items-center">
          <a href="/clearance">{t('clearance.back')}</a>
          <span class="text-secondary small">{t('clearance.print')}: Ctrl+P</span>
        </nav>
        <main id="main" class="pk-cert container bg-white p-4 p-md-5 mb-4">
          <header class="d-flex justify-content-between flex-wrap gap-3 border-bottom pb-3 mb-4">
            <div>
              <p class="h5 mb-1">{org}</p>
              <p class="mb-0 text-secondary">{t('app.name')}</p>
            </div>
            <div class="text-end small">
              <p class="mb-1">{t('clearance.date', { date: formatDate(cert.issuedAt, ctx.locale, 'long') })}</p>
              <p class="mb-0">{t('clearance.number')}: <span dir="ltr">{digits(ctx, cert.number)}</span></p>
            </div>
          </header>
          <h1 class="h4 mb-4 text-center">{t('clearance.certificate_title')}</h1>
          <p class="lh-lg">{t('clearance.body', { org, code: ltr(digits(ctx, cert.propertyCode)), date: formatDate(cert.issuedAt, ctx.locale, 'long') })}</p>
          <dl class="row mb-4">
            <dt class="col-sm-4">{t('levies.property_code')}</dt><dd class="col-sm-8"><Code ctx={ctx} value={cert.propertyCode} /></dd>
            <dt class="col-sm-4">{t('clearance.periods_through')}</dt><dd class="col-sm-8">{cert.periodsThrough ? digits(ctx, cert.periodsThrough) : '—'}</dd>
            <dt class="col-sm-4">{t('clearance.valid_until')}</dt><dd class="col-sm-8">{formatDate(cert.validUntil, ctx.locale, 'long')}</dd>
          </dl>
          <p class="small text-secondary">{t('clearance.scope_note')}</p>
          <footer class="border-top pt-3 mt-5 small">
            <p class="mb-1">{t('clearance.issued_by', { org })}</p>
            <p class="mb-0">{t('clearance.verify_note', { url: ltr(props.verifyUrl) })}</p>
            <p class="mb-0 mt-2 fs-5 fw-bold" dir="ltr">{code}</p>
          </footer>
        </main>
      </body>
    </html>
  );
}

/** Public verification of a certificate by its code. */
export function ClearanceVerifyPage(props: { ctx: ViewContext; code?: string; cert?: ClearanceView; invalid?: boolean }) {
  const { ctx, cert } = props;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('clearance.verify_title')}>
      <div class="row justify-content-center">
        <div class="col-12 col-lg-8">
          <h1 class="h3 mb-3">{t('clearance.verify_title')}</h1>
          {cert ? (
            <div class="pk-card p-3 p-md-4 mb-3">
              {cert.current
                ? <p class="alert alert-success" role="status">{t('clearance.verify_valid')}</p>
                : <p class="alert alert-warning" role="status">{t('clearance.verify_lapsed', { date: formatDate(cert.validUntil, ctx.locale, 'long') })}</p>}
              <dl class="row mb-0">
                <dt class="col-sm-4">{t('clearance.number')}</dt><dd class="col-sm-8"><Code ctx={ctx} value={cert.number} /></dd>
                <dt class="col-sm-4">{t('levies.municipality')}</dt><dd class="col-sm-8">{loc(ctx, cert.org.name)}</dd>
                <dt class="col-sm-4">{t('levies.property_code')}</dt><dd class="col-sm-8"><Code ctx={ctx} value={cert.propertyCode} /></dd>
                <dt class="col-sm-4">{t('clearance.issued_at')}</dt><dd class="col-sm-8">{formatDate(cert.issuedAt, ctx.locale, 'long')}</dd>
                <dt class="col-sm-4">{t('clearance.periods_through')}</dt><dd class="col-sm-8">{cert.periodsThrough ? digits(ctx, cert.periodsThrough) : '—'}</dd>
                <dt class="col-sm-4">{t('clearance.valid_until')}</dt><dd class="col-sm-8 mb-0">{formatDate(cert.validUntil, ctx.locale, 'long')}</dd>
              </dl>
            </div>
          ) : null}
          {props.invalid ? <Alert kind="danger">{t('clearance.verify_invalid')}</Alert> : null}
          <form method="get" action="/clearance/verify" class="pk-card p-3 p-md-4" novalidate>
            <p class="text-secondary">{t('clearance.verify_lead')}</p>
            <div class="mb-3">
              <label class="form-label" for="f-code">{t('clearance.verify_code')}</label>
              <input id="f-code" name="code" type="text" dir="ltr" class="form-control pk-ltr" value={props.code ?? ''} maxLength={40} autocomplete="off" />
            </div>
            <button type="submit" class="btn btn-primary">{t('clearance.verify_submit')}</button>
          </form>
        </div>
      </div>
    </Page>
  );
}
