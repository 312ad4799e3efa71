import type { ViewContext } from '../../../platform/views/context.js';
import { Alert } from '../../../platform/views/components.js';
import { BILL_KIND_FILTERS, BILL_STATES, PAYMENT_STATES, type ListPage, type RevenueReport, type StaffBillItem, type StaffFilters, type StaffPaymentItem } from '../reports.js';
import { BillState, Code, OrgSelect, Page, PaymentState, StaffBillingNav, dateOf, dateTimeOf, digits, dueDateOf, kindTitle, loc, num, rials } from './levies-parts.js';

type Errors = Record<string, string>;

interface StaffListProps<T> {
  ctx: ViewContext;
  data: ListPage<T>;
  canManage: boolean;
  canReport: boolean;
  errors?: Errors;
  notice?: string | null;
}

const FILTER_KEYS = ['org', 'from', 'to', 'kind', 'service', 'state', 'q'] as const;

/** The URL of a list with these filters (and page), keeping only what is set. */
export function listHref(path: string, f: Partial<StaffFilters>, page?: number): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = f[k];
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  if (page && page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

function DateInput(props: { ctx: ViewContext; name: 'from' | 'to'; value: string | null; error?: string }) {
  const { ctx } = props;
  const id = `f-${props.name}`;
  return (
    <div class="col-6 col-md-3 col-lg-2">
      <label class="form-label small" for={id}>{ctx.t(`revenue.filter.${props.name}`)}</label>
      <input id={id} name={props.name} type="text" class={`form-control form-control-sm pk-ltr${props.error ? ' is-invalid' : ''}`} dir="ltr" inputMode="numeric"
        value={props.value ? digits(ctx, props.value) : ''} maxLength={12}
        aria-describedby={`${id}-hint${props.error ? ` ${id}-error` : ''}`} aria-invalid={props.error ? 'true' : undefined} />
      <div id={`${id}-hint`} class="form-text small">{ctx.t('revenue.filter.date_hint')}</div>
      {props.error ? <div id={`${id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}

function Choice(props: { ctx: ViewContext; name: string; label: string; value: string | null; options: { value: string; label: string }[] }) {
  const id = `f-${props.name}`;
  return (
    <div class="col-6 col-md-3 col-lg-2">
      <label class="form-label small" for={id}>{props.label}</label>
      <select id={id} name={props.name} class="form-select form-select-sm">
        <option value="">{props.ctx.t('revenue.filter.any')}</option>
        {props.options.map((o) => <option value={o.value} selected={o.value === props.value}>{o.label}</option>)}
      </select>
    </div>
  );
}

function Filters<T>(props: StaffListProps<T> & { path: string; states: readonly string[]; stateKey: 'bill_state' | 'payment_state'; exportHref: string; searchHint: string }) {
  const { ctx, data } = props;
  const t = ctx.t;
  const f = data.filters;
  const errors = props.errors ?? {};
  return (
    <form method="get" action={props.path} class="pk-card p-3 mb-3" aria-label={t('revenue.filters')} novalidate>
      <div class="row g-2 align-items-start">
        {data.orgChoices.length > 1 ? (
          <div class="col-12 col-md-3 col-lg-2"><OrgSelect ctx={ctx} label={t('revenue.org')} value={data.org.code} orgs={data.orgChoices} small /></div>
        ) : <input type="hidden" name="org" value={data.org.code} />}
        <DateInput ctx={ctx} name="from" value={f.from} error={errors.from} />
        <DateInput ctx={ctx} name="to" value={f.to} error={errors.to} />
        <Choice ctx={ctx} name="kind" label={t('revenue.filter.kind')} value={f.kind} options={BILL_KIND_FILTERS.map((k) => ({ value: k, label: t(`revenue.kind.${k}`) }))} />
        {data.services.length ? <Choice ctx={ctx} name="service" label={t('revenue.filter.service')} value={f.service} options={data.services.map((s) => ({ value: s.code, label: loc(ctx, s.title) }))} /> : null}
        <Choice ctx={ctx} name="state" label={t('revenue.filter.state')} value={f.state} options={props.states.map((s) => ({ value: s, label: t(`revenue.${props.stateKey}.${s}`) }))} />
        <div class="col-12 col-md-6 col-lg-3">
          <label class="form-label small" for="f-q">{t('revenue.filter.q')}</label>
          <input id="f-q" name="q" type="search" class="form-control form-control-sm" value={f.q ?? ''} maxLength={64} aria-describedby="f-q-hint" />
          <div id="f-q-hint" class="form-text small">{props.searchHint}</div>
        </div>
      </div>
      <div class="d-flex flex-wrap gap-2 mt-2">
        <button type="submit" class="btn btn-primary btn-sm">{t('revenue.filter.apply')}</button>
        <a class="btn btn-link btn-sm" href={listHref(props.path, { org: data.org.code })}>{t('revenue.filter.clear')}</a>
        <a class="btn btn-outline-secondary btn-sm ms-auto" href={props.exportHref} download>{t('revenue.export_csv')}</a>
      </div>
    </form>
  );
}

function Pager<T>(props: { ctx: ViewContext; data: ListPage<T>; path: string }) {
  const { ctx, data } = props;
  const pages = Math.max(1, Math.ceil(data.total / data.filters.perPage));
  if (pages < 2) return null;
  const page = data.filters.page;
  return (
    <nav aria-label={ctx.t('revenue.pages')} class="mt-3">
      <ul class="pagination pagination-sm">
        <li class={`page-item${page <= 1 ? ' disabled' : ''}`}><a class="page-link" href={page > 1 ? listHref(props.path, data.filters, page - 1) : undefined}>{ctx.t('revenue.prev')}</a></li>
        <li class="page-item disabled"><span class="page-link">{ctx.t('revenue.page_of', { page, pages })}</span></li>
        <li class={`page-item${page >= pages ? ' disabled' : ''}`}><a class="page-link" href={page < pages ? listHref(props.path, data.filters, page + 1) : undefined}>{ctx.t('revenue.next')}</a></li>
      </ul>
    </nav>
  );
}

function Header(props: { ctx: ViewContext; org: { name: { fa: string; en?: string } }; title: string }) {
  return (
    <>
      <h1 class="h3 mb-1">{props.title}</h1>
      <p class="text-secondary">{loc(props.ctx, props.org.name)}</p>
    </>
  );
}

export function StaffBillsPage(props: StaffListProps<StaffBillItem>) {
  const { ctx, data } = props;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('revenue.tab.bills')} wide>
      <Header ctx={ctx} org={data.org} title={t('revenue.title')} />
      <StaffBillingNav ctx={ctx} active="bills" org={data.org.code} canManage={props.canManage} canReport={props.canReport} />
      {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
      <Filters {...props} path="/staff/bills" states={BILL_STATES} stateKey="bill_state" exportHref={listHref('/staff/bills/export.csv', data.filters)} searchHint={t('revenue.filter.q_bills_hint')} />
      <p class="mb-2" role="status">{t('revenue.bills_total', { n: data.total, amount: rials(ctx, data.amount) })}</p>
      {data.items.length === 0 ? <Alert kind="info">{t('revenue.empty')}</Alert> : (
        <div class="table-responsive pk-card">
          <table class="table table-hover table-sm align-middle mb-0" id="bills-table">
            <thead>
              <tr>
                <th scope="col">{t('revenue.col.bill_code')}</th>
                <th scope="col">{t('revenue.col.kind')}</th>
                <th scope="col">{t('revenue.col.code')}</th>
                <th scope="col">{t('revenue.col.national_code')}</th>
                <th scope="col">{t('revenue.col.period')}</th>
                <th scope="col" class="text-end">{t('revenue.col.amount_rials')}</th>
                <th scope="col">{t('revenue.col.status')}</th>
                <th scope="col">{t('revenue.col.due_date')}</th>
                <th scope="col">{t('revenue.col.issued_at')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((b) => (
                <tr data-bill={b.billCode} data-state={b.overdue ? 'overdue' : b.status}>
                  <td><Code ctx={ctx} value={b.billCode} />{b.trackingCode ? <div class="small"><a href={`/staff/applications/${b.applicationId}`} dir="ltr">{b.trackingCode}</a></div> : null}</td>
                  <td>{b.service ? loc(ctx, b.service.title) : kindTitle(ctx, b.kind, b.applicationId)}<div class="small text-secondary">{loc(ctx, b.title)}</div></td>
                  <td><Code ctx={ctx} value={b.kind === 'business_levy' ? b.businessCode : b.propertyCode} /></td>
                  <td><Code ctx={ctx} value={b.nationalCode} /></td>
                  <td>{digits(ctx, b.period)}</td>
                  <td class="text-end text-nowrap">{num(ctx, b.amount)}</td>
                  <td><BillState ctx={ctx} status={b.status} overdue={b.overdue} />{b.paidAt ? <div class="small text-secondary text-nowrap">{dateTimeOf(ctx, b.paidAt)}</div> : null}</td>
                  <td class="text-nowrap">{dueDateOf(ctx, b.dueAt)}</td>
                  <td class="text-nowrap">{dateOf(ctx, b.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager ctx={ctx} data={data} path="/staff/bills" />
    </Page>
  );
}

export function StaffPaymentsPage(props: StaffListProps<StaffPaymentItem>) {
  const { ctx, data } = props;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('revenue.tab.payments')} wide>
      <Header ctx={ctx} org={data.org} title={t('revenue.title')} />
      <StaffBillingNav ctx={ctx} active="payments" org={data.org.code} canManage={props.canManage} canReport={props.canReport} />
      <Filters {...props} path="/staff/bills/payments" states={PAYMENT_STATES} stateKey="payment_state" exportHref={listHref('/staff/bills/payments.csv', data.filters)} searchHint={t('revenue.filter.q_payments_hint')} />
      <p class="mb-2" role="status">{t('revenue.payments_total', { n: data.total, amount: rials(ctx, data.amount) })}</p>
      {data.items.length === 0 ? <Alert kind="info">{t('revenue.empty')}</Alert> : (
        <div class="table-responsive pk-card">
          <table class="table table-hover table-sm align-middle mb-0" id="payments-table">
            <thead>
              <tr>
                <th scope="col">{t('revenue.col.started_at')}</th>
                <th scope="col">{t('revenue.col.bills')}</th>
                <th scope="col" class="text-end">{t('revenue.col.amount_rials')}</th>
                <th scope="col">{t('revenue.col.status')}</th>
                <th scope="col">{t('revenue.col.gateway')}</th>
                <th scope="col">{t('revenue.col.ref_id')}</th>
                <th scope="col">{t('revenue.col.payer')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((p) => (
                <tr data-payment={p.id} data-state={p.status}>
                  <td class="text-nowrap">{dateTimeOf(ctx, p.createdAt)}</td>
                  <td>{p.bills.map((b) => <div><Code ctx={ctx} value={b.billCode} /> <span class="small text-secondary">{kindTitle(ctx, b.kind)}</span></div>)}</td>
                  <td class="text-end text-nowrap">{num(ctx, p.amount)}</td>
                  <td><PaymentState ctx={ctx} status={p.status} />{p.verifiedAt ? <div class="small text-secondary text-nowrap">{dateTimeOf(ctx, p.verifiedAt)}</div> : null}</td>
                  <td>{p.gateway}</td>
                  <td><Code ctx={ctx} value={p.refId} />{p.cardMask ? <div class="small text-secondary" dir="ltr">{p.cardMask}</div> : null}</td>
                  <td>{p.payer ? <>{p.payer.name ? digits(ctx, p.payer.name) : null}<div class="small text-secondary"><Code ctx={ctx} value={p.payer.mobile} /></div></> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager ctx={ctx} data={data} path="/staff/bills/payments" />
    </Page>
  );
}

export function RevenuePage(props: { ctx: ViewContext; report: RevenueReport; canManage: boolean; errors?: Errors; values?: { from?: string; to?: string } }) {
  const { ctx, report } = props;
  const t = ctx.t;
  const errors = props.errors ?? {};
  const q = new URLSearchParams({ org: report.org.code, from: report.from, to: report.to }).toString();
  return (
    <Page ctx={ctx} title={t('revenue.tab.revenue')} wide>
      <Header ctx={ctx} org={report.org} title={t('revenue.title')} />
      <StaffBillingNav ctx={ctx} active="revenue" org={report.org.code} canManage={props.canManage} canReport />
      <form method="get" action="/staff/bills/revenue" class="pk-card p-3 mb-3" aria-label={t('revenue.filters')} novalidate>
        <div class="row g-2 align-items-start">
          {report.orgChoices.length > 1 ? (
            <div class="col-12 col-md-3 col-lg-2"><OrgSelect ctx={ctx} label={t('revenue.org')} value={report.org.code} orgs={report.orgChoices} small /></div>
          ) : <input type="hidden" name="org" value={report.org.code} />}
          <DateInput ctx={ctx} name="from" value={props.values?.from ?? report.from} error={errors.from} />
          <DateInput ctx={ctx} name="to" value={props.values?.to ?? report.to} error={errors.to} />
        </div>
        <div class="d-flex flex-wrap gap-2 mt-2">
          <button type="submit" class="btn btn-primary btn-sm">{t('revenue.filter.apply')}</button>
          <a class="btn btn-outline-secondary btn-sm ms-auto" href={`/staff/bills/revenue.csv?${q}`} download>{t('revenue.export_csv')}</a>
          <a class="btn btn-outline-secondary btn-sm" href={`/api/v1/staff/revenue?${q}`}>{t('revenue.export_json')}</a>
        </div>
      </form>
      <p role="status">{t('revenue.report_lead', { from: digits(ctx, report.from), to: digits(ctx, report.to), total: rials(ctx, report.totals.total), n: report.totals.payments })}</p>
      {report.days.length === 0 ? <Alert kind="info">{t('revenue.report_empty')}</Alert> : (
        <div class="table-responsive pk-card">
          <table class="table table-sm table-striped align-middle mb-0" id="revenue-table">
            <caption class="px-2">{t('revenue.report_caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('revenue.col.date')}</th>
                <th scope="col" class="text-end">{t('revenue.col.payments')}</th>
                {report.columns.map((c) => <th scope="col" class="text-end" data-column={c.key}>{loc(ctx, c.title)}</th>)}
                <th scope="col" class="text-end">{t('revenue.col.total')}</th>
              </tr>
            </thead>
            <tbody>
              {report.days.map((d) => (
                <tr data-day={d.date}>
                  <th scope="row" class="fw-normal text-nowrap">{digits(ctx, ctx.locale === 'fa' ? d.date : d.day)}</th>
                  <td class="text-end">{num(ctx, d.payments)}</td>
                  {report.columns.map((c) => <td class="text-end text-nowrap">{num(ctx, d.byColumn[c.key] ?? 0)}</td>)}
                  <td class="text-end text-nowrap fw-medium">{num(ctx, d.total)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr class="fw-bold">
                <th scope="row">{t('revenue.col.total')}</th>
                <td class="text-end">{num(ctx, report.totals.payments)}</td>
                {report.columns.map((c) => <td class="text-end text-nowrap">{num(ctx, report.totals.byColumn[c.key] ?? 0)}</td>)}
                <td class="text-end text-nowrap" data-total={report.totals.total}>{num(ctx, report.totals.total)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <p class="small text-secondary mt-2">{t('revenue.report_note')}</p>
    </Page>
  );
}
