import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { CsrfInput, Layout } from '../../../platform/views/components.js';
import { formatDateTime, formatRials } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import type { Localized } from '../../catalog/definition.js';
import type { BillItemView, BillView, CallbackOutcome, PaymentView, ReceiptView } from '../service.js';
import { rialsInWords } from '../words.js';

const loc = (ctx: ViewContext, l: Localized | null | undefined): string => (l ? (ctx.locale === 'en' && l.en ? l.en : l.fa) : '');
const digits = (ctx: ViewContext, s: string | number): string => (ctx.locale === 'fa' ? toPersianDigits(String(s)) : String(s));

function Page(props: { ctx: ViewContext; title: string; children: ComponentChildren }) {
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <div class="container py-4">
        <div class="row justify-content-center">
          <div class="col-12 col-lg-9 col-xl-8">{props.children}</div>
        </div>
      </div>
    </Layout>
  );
}

function Alerts(props: { error?: string | null; notice?: string | null }) {
  return (
    <>
      {props.error ? <div class="alert alert-danger" role="alert">{props.error}</div> : null}
      {props.notice ? <div class="alert alert-success" role="status">{props.notice}</div> : null}
    </>
  );
}

/** A bill's state as a badge: unpaid, paid, cancelled, expired. */
export function BillStatus(props: { ctx: ViewContext; status: BillView['status'] }) {
  const kind = props.status === 'paid' ? 'success' : props.status === 'unpaid' ? 'warning' : 'secondary';
  return <span class={`badge text-bg-${kind}`}>{props.ctx.t(`bill.status.${props.status}`)}</span>;
}

/** A payment's state as a badge. */
export function PaymentStatus(props: { ctx: ViewContext; status: PaymentView['status'] }) {
  const kind = props.status === 'paid' || props.status === 'refunded' ? 'success' : props.status === 'pending' ? 'info' : props.status === 'refund_due' ? 'warning' : 'secondary';
  return <span class={`badge text-bg-${kind}`}>{props.ctx.t(`payment.status.${props.status}`)}</span>;
}

/** The items of a bill with their total, in Rials with the page's digits and separators, and the total in words. */
export function ItemsTable(props: { ctx: ViewContext; items: BillItemView[]; total: number; caption: string; words?: boolean }) {
  const { ctx } = props;
  return (
    <>
      <table class="table align-middle mb-2">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{ctx.t('bill.item')}</th>
            <th scope="col" class="text-end">{ctx.t('bill.amount')}</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((i) => (
            <tr>
              <td>{loc(ctx, i.title)}</td>
              <td class="text-end text-nowrap">{formatRials(i.amount, ctx.locale)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr class="fw-bold">
            <th scope="row">{ctx.t('bill.total')}</th>
            <td class="text-end text-nowrap" data-testid="bill-total">{formatRials(props.total, ctx.locale)}</td>
          </tr>
        </tfoot>
      </table>
      {props.words === false ? null : <p class="mb-0"><span class="text-secondary">{ctx.t('bill.in_words')}:</span> <span class="fw-medium">{rialsInWords(props.total, ctx.locale)}</span></p>}
    </>
  );
}

function Facts(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="row mb-0">
      {props.rows.map(([k, v]) => (
        <>
          <dt class="col-sm-4 fw-medium">{k}</dt>
          <dd class="col-sm-8">{v}</dd>
        </>
      ))}
    </dl>
  );
}

const ltr = (text: string) => <span dir="ltr" class="pk-ltr">{text}</span>;

/** The itemized bill with its Pay button (for its owner, while it can be paid). */
export function BillPage(props: { ctx: ViewContext; bill: BillView; canPay: boolean; returnTo: string; error?: string | null; notice?: string | null; payments?: PaymentView[] }) {
  const { ctx, bill } = props;
  const title = ctx.t('bill.title', { code: bill.billCode });
  const facts: [string, ComponentChildren][] = [
    [ctx.t('bill.code'), ltr(bill.billCode)],
    [ctx.t('bill.org'), loc(ctx, bill.org.name)],
    [ctx.t('bill.subject'), loc(ctx, bill.title)],
  ];
  if (bill.application) facts.push([ctx.t('bill.application'), bill.application.trackingCode ? <a href={`/my/applications/${bill.application.id}`}>{ltr(bill.application.trackingCode)}</a> : '—']);
  if (bill.period) facts.push([ctx.t('bill.period'), digits(ctx, bill.period)]);
  if (bill.propertyCode) facts.push([ctx.t('bill.property_code'), ltr(bill.propertyCode)]);
  if (bill.businessCode) facts.push([ctx.t('bill.business_code'), ltr(bill.businessCode)]);
  facts.push([ctx.t('bill.issued_at'), <time dateTime={new Date(bill.createdAt).toISOString()}>{formatDateTime(bill.createdAt, ctx.locale, 'long')}</time>]);
  if (bill.dueAt) facts.push([ctx.t('bill.due_at'), <time dateTime={new Date(bill.dueAt).toISOString()}>{formatDateTime(bill.dueAt, ctx.locale, 'long')}</time>]);
  if (bill.paidAt) facts.push([ctx.t('bill.paid_at'), <time dateTime={new Date(bill.paidAt).toISOString()}>{formatDateTime(bill.paidAt, ctx.locale, 'long')}</time>]);
  return (
    <Page ctx={ctx} title={title}>
      <p class="text-secondary mb-1">{loc(ctx, bill.org.name)}</p>
      <h1 class="h3 mb-3">{ctx.t('bill.heading')} {ltr(bill.billCode)} <BillStatus ctx={ctx} status={bill.status} /></h1>
      <Alerts error={props.error} notice={props.notice} />
      <section class="pk-card p-3 p-md-4 mb-3" aria-labelledby="bill-facts">
        <h2 class="h5 mb-3" id="bill-facts">{loc(ctx, bill.title)}</h2>
        <Facts rows={facts} />
      </section>
      <section class="pk-card p-3 p-md-4 mb-3" aria-labelledby="bill-items">
        <h2 class="h5 mb-3" id="bill-items">{ctx.t('bill.items')}</h2>
        <ItemsTable ctx={ctx} items={bill.items} total={bill.amount} caption={ctx.t('bill.items')} />
      </section>
      {props.canPay ? (
        <section class="pk-card p-3 p-md-4 mb-3 border-warning" aria-labelledby="bill-pay">
          <h2 class="h5 mb-2" id="bill-pay">{ctx.t('bill.pay_heading')}</h2>
          <p class="text-secondary">{ctx.t('bill.pay_lead')}</p>
          <form method="post" action="/bills/pay" novalidate>
            <CsrfInput ctx={ctx} />
            <input type="hidden" name="bill_id" value={bill.id} />
            <input type="hidden" name="return_to" value={props.returnTo} />
            <button type="submit" class="btn btn-primary btn-lg">{ctx.t('bill.pay', { amount: formatRials(bill.amount, ctx.locale) })}</button>
          </form>
        </section>
      ) : bill.status === 'unpaid' && !bill.payable ? (
        <div class="alert alert-secondary" role="status">{ctx.t('bill.not_payable_now')}</div>
      ) : null}
      {bill.status === 'paid' && bill.paymentId ? (
        <p><a class="btn btn-outline-primary" href={`/payments/${bill.paymentId}/receipt`}>{ctx.t('bill.receipt_link')}</a></p>
      ) : null}
      {props.payments?.length ? (
        <section class="pk-card p-3 p-md-4 mb-3" aria-labelledby="bill-payments">
          <h2 class="h6 mb-2" id="bill-payments">{ctx.t('bill.payments')}</h2>
          <ul class="list-unstyled mb-0">
            {props.payments.map((p) => (
              <li class="py-1 border-bottom">
                <time dateTime={new Date(p.createdAt).toISOString()}>{formatDateTime(p.createdAt, ctx.locale)}</time>{' '}
                <PaymentStatus ctx={ctx} status={p.status} />{' '}
                <a href={`/payments/${p.id}`}>{ctx.t('bill.payment_details')}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Page>
  );
}

/** What came of a payment: shown on the bank's return (the callback) and on /payments/:id. */
export function PaymentResultPage(props: { ctx: ViewContext; outcome: CallbackOutcome; signedIn: boolean }) {
  const { ctx, outcome } = props;
  const p = outcome.payment;
  const ok = outcome.result === 'paid';
  const kind = ok || outcome.result === 'refunded' ? 'success' : outcome.result === 'pending' ? 'info' : outcome.result === 'failed' ? 'danger' : 'warning';
  const retry = p.bills.find((b) => b.status === 'unpaid');
  return (
    <Page ctx={ctx} title={ctx.t(`payment.result.${outcome.result}.title`)}>
      <h1 class="h3 mb-3">{ctx.t(`payment.result.${outcome.result}.title`)}</h1>
      <div class={`alert alert-${kind}`} role={ok ? 'status' : 'alert'}>{ctx.t(`payment.result.${outcome.result}.lead`)}</div>
      <section class="pk-card p-3 p-md-4 mb-3" aria-labelledby="payment-facts">
        <h2 class="h5 mb-3" id="payment-facts">{ctx.t('payment.details')}</h2>
        <Facts rows={[
          [ctx.t('payment.amount'), <span class="fw-bold">{formatRials(p.amount, ctx.locale)}</span>],
          [ctx.t('payment.state'), <PaymentStatus ctx={ctx} status={p.status} />],
          [ctx.t('payment.bills'), <ul class="list-unstyled mb-0">{p.bills.map((b) => <li>{ltr(b.billCode)} — {loc(ctx, b.title)}</li>)}</ul>],
          ...(p.refId ? [[ctx.t('payment.ref_id'), ltr(digits(ctx, p.refId))] as [string, ComponentChildren]] : []),
          [ctx.t('payment.when'), <time dateTime={new Date(p.verifiedAt ?? p.updatedAt).toISOString()}>{formatDateTime(p.verifiedAt ?? p.updatedAt, ctx.locale, 'long')}</time>],
        ]} />
      </section>
      <p class="d-flex flex-wrap gap-2">
        {ok || outcome.result === 'refund_due' ? <a class="btn btn-primary" href={`/payments/${p.id}/receipt`}>{ctx.t('payment.receipt_link')}</a> : null}
        {!ok && retry && outcome.result !== 'pending' ? <a class="btn btn-primary" href={`/bills/${retry.id}`}>{ctx.t('payment.try_again')}</a> : null}
        <a class={`btn ${ok ? 'btn-outline-primary' : 'btn-outline-secondary'}`} href={p.returnTo}>{ctx.t(p.returnTo.startsWith('/my/applications/') ? 'payment.back_to_application' : 'payment.back')}</a>
      </p>
      {!props.signedIn ? <p class="text-secondary small">{ctx.t('payment.sign_in_for_receipt')}</p> : null}
    </Page>
  );
}

export const PAYMENTS_CSS = `body.pk-receipt-body { background: #eef1f0; }
.pk-receipt { max-width: 48rem; border: 1px solid #dde6e1; border-radius: .5rem; }
.pk-bank-body { background: #fff8e1; }
.pk-bank-banner { background: repeating-linear-gradient(135deg, #ffcd38 0 18px, #1f2328 18px 36px); padding: .35rem 0; }
.pk-bank-banner p { background: #ffcd38; color: #1f2328; display: inline-block; padding: .25rem .75rem; margin: 0; font-weight: 700; border-radius: .25rem; }
.pk-bank { max-width: 34rem; border: 2px dashed #b58100; border-radius: .75rem; background: #fff; }
.pk-bank .pk-ltr { overflow-wrap: anywhere; } /* Bootstrap's RTL build has no .text-break: the 36-character authority would widen the page on a phone */
@media print {
  @page { size: A4; margin: 1.5cm; }
  body.pk-receipt-body { background: #fff; }
  .pk-receipt { border: 0; max-width: none; padding: 0 !important; margin: 0 !important; }
}
`;

function Document(props: { ctx: ViewContext; title: string; bodyClass: string; children: ComponentChildren }) {
  const { ctx } = props;
  return (
    <html lang={ctx.locale} dir={ctx.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} | ${ctx.t('app.name')}`}</title>
        <link rel="stylesheet" href={ctx.dir === 'rtl' ? '/static/vendor/bootstrap/bootstrap.rtl.min.css' : '/static/vendor/bootstrap/bootstrap.min.css'} />
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="stylesheet" href="/payments/assets/payments.css" />
      </head>
      <body class={props.bodyClass}>{props.children}</body>
    </html>
  );
}

/** The printable receipt: its own document (no site header or footer on paper). */
export function ReceiptDocument(props: { ctx: ViewContext; receipt: ReceiptView; backHref: string }) {
  const { ctx, receipt } = props;
  const p = receipt.payment;
  const paid = receipt.bills.reduce((sum, b) => sum + b.amount, 0);
  const at = p.verifiedAt ?? p.updatedAt;
  return (
    <Document ctx={ctx} title={ctx.t('receipt.title')} bodyClass="pk-receipt-body">
      <nav class="d-print-none container py-3 d-flex flex-wrap gap-3 align-items-center">
        <a href={props.backHref}>{ctx.t('receipt.back')}</a>
        <span class="text-secondary small">{ctx.t('receipt.print')}: Ctrl+P</span>
      </nav>
      <main id="main" class="pk-receipt container bg-white p-4 p-md-5 mb-4">
        <header class="d-flex justify-content-between flex-wrap gap-3 border-bottom pb-3 mb-4">
          <div>
            <p class="h5 mb-1">{loc(ctx, p.org.name)}</p>
            <p class="mb-0 text-secondary">{ctx.t('app.name')}</p>
          </div>
          <div class="text-end small">
            <p class="mb-1">{formatDateTime(at, ctx.locale, 'long')}</p>
            <p class="mb-0"><PaymentStatus ctx={ctx} status={p.status} /></p>
          </div>
        </header>
        <h1 class="h4 mb-4">{ctx.t('receipt.title')}</h1>
        <Facts rows={[
          ...(receipt.payer ? [[ctx.t('receipt.payer'), receipt.payer.name ?? ltr(digits(ctx, receipt.payer.mobile))] as [string, ComponentChildren]] : []),
          [ctx.t('receipt.ref_id'), <span class="fw-bold">{ltr(digits(ctx, p.refId ?? '—'))}</span>],
          [ctx.t('receipt.card'), p.cardMask ? ltr(p.cardMask) : '—'],
          [ctx.t('receipt.gateway'), ctx.t(`payment.gateway.${p.gateway}`)],
          [ctx.t('receipt.when'), <time dateTime={new Date(at).toISOString()}>{formatDateTime(at, ctx.locale, 'long')}</time>],
          [ctx.t('receipt.payment_id'), ltr(p.id)],
        ]} />
        {receipt.bills.map((b) => (
          <section class="mt-4" aria-labelledby={`bill-${b.id}`}>
            <h2 class="h6 mb-2" id={`bill-${b.id}`}>{ctx.t('receipt.bill', { code: b.billCode })} — {loc(ctx, b.title)}{b.application?.trackingCode ? <> ({ctx.t('bill.application')} {ltr(b.application.trackingCode)})</> : null}</h2>
            <ItemsTable ctx={ctx} items={b.items} total={b.amount} caption={ctx.t('receipt.bill', { code: b.billCode })} words={false} />
          </section>
        ))}
        <section class="border-top pt-3 mt-4">
          <p class="fs-5 fw-bold mb-1">{ctx.t('receipt.total')}: <span data-testid="receipt-total">{formatRials(paid, ctx.locale)}</span></p>
          <p class="mb-0">{ctx.t('bill.in_words')}: {rialsInWords(paid, ctx.locale)}</p>
          {p.status === 'refund_due' || p.status === 'refunded' ? (
            <p class="mt-2 mb-0 text-warning-emphasis">{ctx.t(p.status === 'refund_due' ? 'receipt.refund_due' : 'receipt.refunded', { amount: formatRials(p.amount - paid, ctx.locale) })}</p>
          ) : null}
        </section>
      </main>
    </Document>
  );
}

/** The built-in test bank's page: unmistakably a test, with the amount, the merchant and the three outcomes. */
export function SandboxBankPage(props: { ctx: ViewContext; authority: string; amountRials: number; description: string; decided: string | null }) {
  const { ctx } = props;
  const choice = (name: 'pay' | 'fail' | 'cancel', cls: string) => (
    <form method="post" action={`/sandbox-bank/${props.authority}`} class="d-inline">
      <CsrfInput ctx={ctx} />
      <input type="hidden" name="choice" value={name} />
      <button type="submit" class={`btn ${cls}`}>{ctx.t(`sandbox.${name}`)}</button>
    </form>
  );
  return (
    <Document ctx={ctx} title={ctx.t('sandbox.title')} bodyClass="pk-bank-body">
      <header class="pk-bank-banner text-center"><p>{ctx.t('sandbox.banner')}</p></header>
      <main id="main" class="container py-4">
        <div class="pk-bank mx-auto p-4">
          <h1 class="h4 mb-1">{ctx.t('sandbox.title')}</h1>
          <p class="text-danger fw-bold">{ctx.t('sandbox.warning')}</p>
          <dl class="row mb-3">
            <dt class="col-5">{ctx.t('sandbox.merchant')}</dt>
            <dd class="col-7">{props.description}</dd>
            <dt class="col-5">{ctx.t('sandbox.amount')}</dt>
            <dd class="col-7 fs-5 fw-bold" data-testid="bank-amount">{formatRials(props.amountRials, ctx.locale)}</dd>
            <dt class="col-5">{ctx.t('sandbox.authority')}</dt>
            <dd class="col-7"><span dir="ltr" class="pk-ltr small text-break">{props.authority}</span></dd>
          </dl>
          {props.decided ? <p class="alert alert-secondary">{ctx.t('sandbox.decided')}</p> : null}
          <div class="d-flex flex-wrap gap-2">
            {choice('pay', 'btn-success')}
            {choice('fail', 'btn-outline-danger')}
            {choice('cancel', 'btn-outline-secondary')}
          </div>
        </div>
      </main>
    </Document>
  );
}

/** A page that says an application has no bill to pay. */
export function NoBillPage(props: { ctx: ViewContext; applicationId: string }) {
  const { ctx } = props;
  return (
    <Page ctx={ctx} title={ctx.t('bill.none_title')}>
      <h1 class="h3 mb-3">{ctx.t('bill.none_title')}</h1>
      <p>{ctx.t('bill.none_lead')}</p>
      <p><a href={`/my/applications/${props.applicationId}`}>{ctx.t('payment.back_to_application')}</a></p>
    </Page>
  );
}
