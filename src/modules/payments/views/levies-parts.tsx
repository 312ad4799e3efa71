import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { Layout } from '../../../platform/views/components.js';
import { formatDate, formatDateTime, formatNumber, formatRials } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';

// Small pieces shared by the levy, clearance and staff billing pages.

type Localizable = { fa: string; en?: string | null } | null | undefined;

export const loc = (ctx: ViewContext, l: Localizable): string => (!l ? '' : ctx.locale === 'en' && l.en ? l.en : l.fa);
export const digits = (ctx: ViewContext, s: string | number | null | undefined): string => (s == null ? '' : ctx.locale === 'fa' ? toPersianDigits(String(s)) : String(s));
export const rials = (ctx: ViewContext, n: number): string => formatRials(n, ctx.locale);
export const num = (ctx: ViewContext, n: number): string => formatNumber(n, ctx.locale);
export const dateOf = (ctx: ViewContext, ms: number | null | undefined): string => (ms == null ? '—' : formatDate(ms, ctx.locale));
export const dateTimeOf = (ctx: ViewContext, ms: number | null | undefined): string => (ms == null ? '—' : formatDateTime(ms, ctx.locale));
/** A due instant (the end of the due day) as the due date itself. */
export const dueDateOf = (ctx: ViewContext, dueAt: number | null | undefined): string => (dueAt == null ? '—' : formatDate(dueAt - 1, ctx.locale));

/**
 * Message parameters for the page's language: in Persian, digits of text parameters (years,
 * bill codes) become Persian digits, as everywhere else on the page; what the user typed stays as typed.
 */
export function localParams(ctx: ViewContext, params: Record<string, string | number> | undefined): Record<string, string | number> | undefined {
  if (!params || ctx.locale !== 'fa') return params;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' && k !== 'value' && k !== 'name' ? ltr(toPersianDigits(v)) : v]));
}

/**
 * A code (12-34-567-8, SARI-B-1405-000042, an address) inside running right-to-left text, isolated
 * so that it reads left to right: without the isolate the bidi algorithm shows «۱-۵۶۷-۳۴-۱۲».
 */
export const ltr = (s: string): string => `\u2066${s}\u2069`;
/** Text of either direction (a file name) inside running text, isolated so it does not reorder its neighbours. */
export const isolate = (s: string): string => `\u2068${s}\u2069`;

/** A code that reads left to right (bill codes, property codes) inside right-to-left text. */
export function Code(props: { ctx: ViewContext; value: string | null | undefined }) {
  if (!props.value) return <span class="text-secondary">—</span>;
  return <span dir="ltr" class="text-nowrap">{digits(props.ctx, props.value)}</span>;
}

/** A page in a centred column of the site layout. */
export function Page(props: { ctx: ViewContext; title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <div class={props.wide ? 'container-xl py-4' : 'container py-4'}>
        {props.wide ? props.children : (
          <div class="row justify-content-center"><div class="col-12 col-xl-10">{props.children}</div></div>
        )}
      </div>
    </Layout>
  );
}

const BILL_BADGE: Record<string, string> = {
  unpaid: 'text-bg-warning',
  overdue: 'text-bg-danger',
  paid: 'text-bg-success',
  cancelled: 'text-bg-secondary',
  expired: 'text-bg-light border',
};

/** A bill's state as a badge whose text says it (an unpaid bill past its due date says so). */
export function BillState(props: { ctx: ViewContext; status: string; overdue?: boolean }) {
  const key = props.overdue ? 'overdue' : props.status;
  return <span class={`badge ${BILL_BADGE[key] ?? 'text-bg-light border'}`} data-state={key}>{props.ctx.t(`revenue.bill_state.${key}`)}</span>;
}

const PAYMENT_BADGE: Record<string, string> = {
  pending: 'text-bg-info',
  paid: 'text-bg-success',
  failed: 'text-bg-danger',
  cancelled: 'text-bg-secondary',
  expired: 'text-bg-light border',
  refund_due: 'text-bg-warning',
  refunded: 'text-bg-dark',
};

export function PaymentState(props: { ctx: ViewContext; status: string }) {
  return <span class={`badge ${PAYMENT_BADGE[props.status] ?? 'text-bg-light border'}`} data-state={props.status}>{props.ctx.t(`revenue.payment_state.${props.status}`)}</span>;
}

/** The kind of a bill: a levy's name, or «fees of an application». */
export const kindTitle = (ctx: ViewContext, kind: string, applicationId?: string | null): string =>
  ctx.t(`revenue.kind.${applicationId ? 'application' : kind}`);

/** The staff billing pages' tabs; each keeps the organization chosen. */
export function StaffBillingNav(props: { ctx: ViewContext; active: 'bills' | 'payments' | 'revenue' | 'import' | 'new'; org: string; canManage: boolean; canReport: boolean }) {
  const { ctx } = props;
  const q = `?org=${encodeURIComponent(props.org)}`;
  const tabs: { key: typeof props.active; href: string; show: boolean }[] = [
    { key: 'bills', href: `/staff/bills${q}`, show: true },
    { key: 'payments', href: `/staff/bills/payments${q}`, show: true },
    { key: 'revenue', href: `/staff/bills/revenue${q}`, show: props.canReport },
    { key: 'import', href: `/staff/bills/import${q}`, show: props.canManage },
    { key: 'new', href: `/staff/bills/new${q}`, show: props.canManage },
  ];
  return (
    <nav aria-label={ctx.t('revenue.nav_label')} class="mb-3">
      <ul class="nav nav-tabs">
        {tabs.filter((tab) => tab.show).map((tab) => (
          <li class="nav-item">
            <a class={`nav-link${tab.key === props.active ? ' active' : ''}`} href={tab.href} aria-current={tab.key === props.active ? 'page' : undefined}>{ctx.t(`revenue.tab.${tab.key}`)}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A list of the problems of a form at its top, each linking to its field. */
export function ErrorSummary(props: { ctx: ViewContext; message?: string; errors?: Record<string, string>; labelOf: (key: string) => string }) {
  const keys = Object.keys(props.errors ?? {});
  if (!props.message && !keys.length) return null;
  return (
    <div class="alert alert-danger" role="alert">
      {props.message ? <p class={keys.length ? 'mb-2' : 'mb-0'}>{props.message}</p> : null}
      {keys.length ? <ul class="mb-0">{keys.map((k) => <li><a class="alert-link" href={`#f-${k}`}>{props.labelOf(k)}</a>: {props.errors![k]}</li>)}</ul> : null}
    </div>
  );
}

/** A municipality picker: a labelled select of the organizations given. */
export function OrgSelect(props: { ctx: ViewContext; name?: string; id?: string; label: string; value?: string; orgs: { code: string; name: { fa: string; en?: string } }[]; error?: string; required?: boolean; small?: boolean; any?: string }) {
  const id = props.id ?? `f-${props.name ?? 'org'}`;
  return (
    <div class={props.small ? '' : 'mb-3'}>
      <label class={props.small ? 'form-label small' : 'form-label'} for={id}>{props.label}{props.required ? <span aria-hidden="true"> *</span> : null}</label>
      <select id={id} name={props.name ?? 'org'} class={`form-select${props.small ? ' form-select-sm' : ''}${props.error ? ' is-invalid' : ''}`} required={props.required}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={props.error ? `${id}-error` : undefined}>
        {props.any !== undefined ? <option value="">{props.any}</option> : null}
        {props.orgs.map((o) => <option value={o.code} selected={o.code === props.value}>{loc(props.ctx, o.name)}</option>)}
      </select>
      {props.error ? <div id={`${id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}
