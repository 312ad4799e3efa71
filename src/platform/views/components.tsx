import type { ComponentChildren } from 'preact';
import type { ViewContext } from './context.js';
import { formatDate } from '../i18n/format.js';
import { toPersianDigits } from '../i18n/persian.js';

/** The page frame: skip link, header with navigation and language switch, main, footer. */
export function Layout(props: { ctx: ViewContext; title: string; children: ComponentChildren; description?: string }) {
  const { ctx } = props;
  const other = ctx.locale === 'fa' ? 'en' : 'fa';
  return (
    <html lang={ctx.locale} dir={ctx.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} | ${ctx.t('app.name')}`}</title>
        {props.description ? <meta name="description" content={props.description} /> : null}
        <link rel="stylesheet" href={ctx.dir === 'rtl' ? '/static/vendor/bootstrap/bootstrap.rtl.min.css' : '/static/vendor/bootstrap/bootstrap.min.css'} />
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="pk-skip" href="#main">{ctx.t('nav.skip')}</a>
        <header class="pk-header">
          <nav class="navbar navbar-expand" aria-label={ctx.t('nav.main')}>
            <div class="container flex-wrap gap-2">
            <a class="navbar-brand pk-brand-mark" href="/">{ctx.t('app.name')}</a>
            <ul class="navbar-nav ms-auto flex-wrap align-items-center gap-1">
              <li class="nav-item"><a class="nav-link" href="/services">{ctx.t('nav.services')}</a></li>
              <li class="nav-item"><a class="nav-link" href="/transparency">{ctx.t('tdash.nav')}</a></li>
              <li class="nav-item"><a class="nav-link" href="/news">{ctx.t('newsp.nav')}</a></li>
              {ctx.user?.kind !== 'staff' ? <li class="nav-item"><a class="nav-link" href="/track">{ctx.t('nav.track')}</a></li> : null}
              {ctx.user?.kind !== 'staff' ? <li class="nav-item"><a class="nav-link" href="/bills">{ctx.t('nav.bills')}</a></li> : null}
              {ctx.user?.kind === 'citizen' ? <li class="nav-item"><a class="nav-link" href="/my/applications">{ctx.t('nav.my_applications')}</a></li> : null}
              {ctx.user?.kind === 'staff' ? <li class="nav-item"><a class="nav-link" href="/staff/inbox">{ctx.t('nav.inbox')}</a></li> : null}
              {ctx.user?.kind === 'citizen' ? (
                <li class="nav-item"><a class="nav-link" href="/profile">{ctx.t('nav.profile')}: {ctx.locale === 'fa' ? toPersianDigits(ctx.user.name) : ctx.user.name}</a></li>
              ) : null}
              {ctx.user?.kind === 'staff' ? (
                <li class="nav-item"><a class="nav-link" href="/staff">{ctx.t('nav.staff_home')}: {ctx.user.name}</a></li>
              ) : null}
              {ctx.user ? (
                <li class="nav-item">
                  <form method="post" action="/logout" class="d-inline">
                    <input type="hidden" name="_csrf" value={ctx.csrf} />
                    <button type="submit" class="btn btn-link nav-link">{ctx.t('nav.sign_out')}</button>
                  </form>
                </li>
              ) : (
                <>
                  <li class="nav-item"><a class="nav-link" href="/login">{ctx.t('nav.sign_in')}</a></li>
                  <li class="nav-item"><a class="nav-link" href="/staff/login">{ctx.t('nav.staff_sign_in')}</a></li>
                </>
              )}
              <li class="nav-item">
                <a class="nav-link" href={`/lang/${other}?next=${encodeURIComponent(ctx.path)}`} lang={other} hreflang={other} aria-label={ctx.t('nav.language_label')}>
                  {ctx.t('nav.language')}
                </a>
              </li>
            </ul>
            </div>
          </nav>
        </header>
        <main id="main" tabIndex={-1}>{props.children}</main>
        <footer class="pk-footer mt-5 py-3">
          <div class="container d-flex flex-wrap justify-content-between gap-2 small">
            <span>{ctx.t('app.tagline')}</span>
            <span>
              <time dateTime={new Date(ctx.now).toISOString()}>{formatDate(ctx.now, ctx.locale, 'long')}</time>
              {' · '}
              <a href="/api/docs">{ctx.t('nav.api_docs')}</a>
            </span>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** A labelled form field with its hint and error, wired for screen readers. */
export function Field(props: {
  ctx: ViewContext; name: string; label: string; value?: string; error?: string; hint?: string;
  type?: string; required?: boolean; autocomplete?: string; inputMode?: 'numeric' | 'tel' | 'email' | 'text';
  ltr?: boolean; maxLength?: number; autofocus?: boolean; class?: string; pattern?: string;
}) {
  const id = `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="mb-3">
      <label class="form-label" for={id}>{props.label}{props.required ? <span aria-hidden="true"> *</span> : null}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        class={`form-control${props.error ? ' is-invalid' : ''}${props.ltr ? ' pk-ltr' : ''}${props.class ? ` ${props.class}` : ''}`}
        required={props.required}
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        autofocus={props.autofocus}
        dir={props.ltr ? 'ltr' : undefined}
      />
      {props.hint ? <div id={`${id}-hint`} class="form-text">{props.hint}</div> : null}
      {props.error ? <div id={`${id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}

/** A message box; errors are announced to screen readers. */
export function Alert(props: { kind: 'danger' | 'success' | 'info' | 'warning'; children: ComponentChildren }) {
  return <div class={`alert alert-${props.kind}`} role={props.kind === 'danger' ? 'alert' : 'status'}>{props.children}</div>;
}

export function CsrfInput(props: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={props.ctx.csrf} />;
}

/** A narrow card for sign-in and similar one-form pages. */
export function FormCard(props: { title: string; lead?: string; children: ComponentChildren }) {
  return (
    <div class="container py-4">
      <div class="row justify-content-center">
        <div class="col-12 col-sm-10 col-md-7 col-lg-5">
          <div class="pk-card p-4">
            <h1 class="h3 mb-3">{props.title}</h1>
            {props.lead ? <p class="text-secondary">{props.lead}</p> : null}
            {props.children}
          </div>
        </div>
      </div>
    </div>
  );
}

/** A card of label/value pairs (a case's or a report's summary), as a description list. */
export function SummaryCard(props: { title: string; rows: [ComponentChildren, ComponentChildren][] }) {
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="summary-title">
      <h2 class="h5" id="summary-title">{props.title}</h2>
      <dl class="row mb-0">
        {props.rows.map(([k, v]) => (
          <>
            <dt class="col-sm-4 fw-medium">{k}</dt>
            <dd class="col-sm-8">{v}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

/** A GET form that shows the page for another organization (staff of several, e.g. the province admin); nothing when there is one. */
export function OrgChoice(props: { action: string; id: string; label: string; button: string; choices: { code: string; name: string }[]; current: string }) {
  if (props.choices.length < 2) return null;
  return (
    <form method="get" action={props.action} class="row g-2 align-items-end mb-4">
      <div class="col-auto">
        <label class="form-label" for={props.id}>{props.label}</label>
        <select id={props.id} name="org" class="form-select">
          {props.choices.map((o) => <option value={o.code} selected={o.code === props.current}>{o.name}</option>)}
        </select>
      </div>
      <div class="col-auto"><button class="btn btn-outline-primary" type="submit">{props.button}</button></div>
    </form>
  );
}
