import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { routeKit } from '../../platform/http/route-kit.js';
import { safeNext, sendPage } from '../../platform/http/context.js';
import { formFailure, seeOther } from '../../platform/http/forms.js';
import { AppError, notFound } from '../../platform/http/errors.js';
import { fromGatewayAmount, sandboxDecide, sandboxTransaction, type GatewayCurrency, type SandboxChoice } from '../../platform/payments/index.js';
import { errorReply } from '../identity/schemas.js';
import type { BillView, PaymentView, ReceiptView } from './service.js';
import * as s from './schemas.js';
import { rialsInWords } from './words.js';
import { BillPage, NoBillPage, PAYMENTS_CSS, PaymentResultPage, ReceiptDocument, SandboxBankPage } from './views/pages.js';
import './messages.js';

const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());
const publicLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } };
const payLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };

/** The API's view of a bill (snake_case, ISO times, the amount in words in both languages). */
export function billJson(b: BillView) {
  return {
    id: b.id, bill_code: b.billCode, org: b.org, kind: b.kind, title: b.title, period: b.period, amount: b.amount,
    amount_in_words: { fa: rialsInWords(b.amount, 'fa'), en: rialsInWords(b.amount, 'en') },
    status: b.status, payable: b.payable, due_at: iso(b.dueAt), created_at: iso(b.createdAt)!, paid_at: iso(b.paidAt), payment_id: b.paymentId,
    application: b.application ? { id: b.application.id, tracking_code: b.application.trackingCode } : null,
    national_code: b.nationalCode, property_code: b.propertyCode, business_code: b.businessCode, items: b.items, url: `/bills/${b.id}`,
  };
}

/** The API's view of a payment. */
export function paymentJson(p: PaymentView) {
  return {
    id: p.id, org: p.org, gateway: p.gateway, amount: p.amount, gateway_amount: p.gatewayAmount, gateway_currency: p.gatewayCurrency, status: p.status,
    ref_id: p.refId, card_mask: p.cardMask, return_to: p.returnTo, created_at: iso(p.createdAt)!, updated_at: iso(p.updatedAt)!, verified_at: iso(p.verifiedAt),
    bills: p.bills.map((b) => ({ id: b.id, bill_code: b.billCode, title: b.title, amount: b.amount, status: b.status, paid_by_this: b.paidByThis, application_id: b.applicationId })),
    last_error: p.lastError, receipt_url: ['paid', 'refund_due', 'refunded'].includes(p.status) ? `/payments/${p.id}/receipt` : null,
  };
}

function receiptJson(r: ReceiptView) {
  const amount = r.bills.reduce((sum, b) => sum + b.amount, 0);
  return { payment: paymentJson(r.payment), amount, amount_in_words: { fa: rialsInWords(amount, 'fa'), en: rialsInWords(amount, 'en') }, bills: r.bills.map(billJson), payer: r.payer };
}

/** Bills, paying them, the gateway's return, receipts; the sandbox bank's pages when it is the gateway; and their JSON API. */
export function paymentsRoutes(deps: AppDeps) {
  const { payments } = deps.services;
  const { ctxOf, signInFirst, signedIn, apiActor } = routeKit({ isProduction: deps.config.isProduction, clock: deps.clock });
  const params = (req: FastifyRequest) => req.params as Record<string, string>;
  const query = (req: FastifyRequest) => req.query as Record<string, unknown>;
  const body = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 2000) : undefined);
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string').slice(0, 50);
  const returnOf = (b: BillView) => (b.application ? `/my/applications/${b.application.id}` : `/bills/${b.id}`);

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();

    // ---------- Pages: the bill, paying, the bank's return, the receipt ----------

    const renderBill = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { error?: string; notice?: string } = {}, status = 200) => {
      const bill = await payments.bill(req.actor, id);
      const history = await payments.paymentsOfBill(req.actor, id);
      const returnTo = safeNext(text(query(req).return_to), returnOf(bill));
      return sendPage(reply, h(BillPage, { ctx: ctxOf(req, reply), bill, canPay: bill.payable && req.actor.kind === 'citizen', returnTo, payments: history, ...extra }), status);
    };

    app.get('/bills/:id', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      return renderBill(req, reply, params(req).id!);
    });

    app.post('/bills/pay', { schema: { hide: true }, config: payLimit, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!signedIn(req)) return seeOther(reply, '/login');
      const ids = list(body(req).bill_id);
      try {
        const started = await payments.startPayment(req.actor, ids, text(body(req).return_to) ?? '');
        return seeOther(reply, started.redirectUrl);
      } catch (err) {
        const f = formFailure(ctxOf(req, reply), err);
        if (ids.length === 1 && f.status !== 404 && f.status !== 401) return renderBill(req, reply, ids[0]!, { error: f.error }, f.status);
        throw err;
      }
    });

    /** From an application's page: its bill to pay (or the latest one). */
    app.get('/applications/:id/bill', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const id = params(req).id!;
      const bills = await payments.billsForApplication(req.actor, id);
      const bill = bills.find((b) => b.payable) ?? bills[0];
      if (!bill) return sendPage(reply, h(NoBillPage, { ctx: ctxOf(req, reply), applicationId: id }), 404);
      return seeOther(reply, `/bills/${bill.id}`);
    });

    // The gateway sends the payer back here with Authority and Status (Zarinpal's names).
    app.get('/payments/callback', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
      const q = query(req);
      const outcome = await payments.handleCallback(req.actor, { authority: text(q.Authority) ?? text(q.authority) ?? '', status: text(q.Status) ?? text(q.status) ?? '' });
      return sendPage(reply, h(PaymentResultPage, { ctx: ctxOf(req, reply), outcome, signedIn: signedIn(req) }));
    });

    app.get('/payments/:id', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const payment = await payments.payment(req.actor, params(req).id!);
      return sendPage(reply, h(PaymentResultPage, { ctx: ctxOf(req, reply), outcome: { result: payment.status, payment }, signedIn: true }));
    });

    app.get('/payments/:id/receipt', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const receipt = await payments.receipt(req.actor, params(req).id!);
      const back = req.actor.kind === 'citizen' ? receipt.payment.returnTo : `/payments/${receipt.payment.id}`;
      return sendPage(reply, h(ReceiptDocument, { ctx: ctxOf(req, reply), receipt, backHref: back }));
    });

    app.get('/payments/assets/payments.css', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PAYMENTS_CSS));

    // ---------- The sandbox bank (only when it is the configured gateway) ----------

    if (deps.config.paymentGateway === 'sandbox') {
      app.get('/sandbox-bank/:authority', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
        const tx = await sandboxTransaction(deps.db, params(req).authority ?? '');
        if (!tx) throw notFound();
        return sendPage(reply, h(SandboxBankPage, {
          ctx: ctxOf(req, reply), authority: tx.authority, amountRials: fromGatewayAmount(Number(tx.amount), tx.currency as GatewayCurrency), description: tx.description,
          decided: tx.status === 'pending' ? null : tx.status,
        }));
      });

      app.post('/sandbox-bank/:authority', { schema: { hide: true }, config: publicLimit, preValidation: app.csrfProtection }, async (req, reply) => {
        const choice = text(body(req).choice);
        if (choice !== 'pay' && choice !== 'fail' && choice !== 'cancel') throw new AppError('common.invalid_input', 400, { choice: 'common.invalid_value' });
        const next = await sandboxDecide(deps.db, params(req).authority ?? '', choice as SandboxChoice, deps.clock.now());
        if (!next) throw notFound();
        return seeOther(reply, next);
      });
    }

    // ---------- JSON API ----------
    const tags = ['payments'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

    api.get('/api/v1/bills/:id', {
      schema: { tags, summary: 'A bill with its items, for its owner (by citizen or national code) or staff of its organization', security, params: s.idParams, response: { 200: s.billReply, 401: errorReply, 404: errorReply } },
    }, async (req) => billJson(await payments.bill(apiActor(req), req.params.id)));

    api.get('/api/v1/applications/:id/bills', {
      schema: { tags, summary: 'The bills of an application, newest first (its owner, or staff of its organization)', security, params: s.idParams, response: { 200: s.billsReply, 401: errorReply, 404: errorReply } },
    }, async (req) => ({ items: (await payments.billsForApplication(apiActor(req), req.params.id)).map(billJson) }));

    api.post('/api/v1/payments', {
      config: payLimit,
      schema: {
        tags, summary: 'Start paying bills (citizen): answers where to send the payer; the same bills started moments ago reuse that payment', security, body: s.payBody,
        description: 'The bills must be the caller\'s, of one organization, and payable now. The payer goes to `redirect_url` (the bank), comes back to `/payments/callback`, and from there to `return_to`. Poll `GET /api/v1/payments/{id}` for the result.',
        response: { 201: s.startReply, 400: errorReply, 401: errorReply, 403: errorReply, 404: errorReply, 409: errorReply, 429: errorReply, 503: errorReply },
      },
    }, async (req, reply) => {
      const r = await payments.startPayment(apiActor(req), req.body.bill_ids, req.body.return_to ?? '');
      return reply.status(201).send({ payment_id: r.paymentId, redirect_url: r.redirectUrl, reused: r.reused });
    });

    api.get('/api/v1/payments/:id', {
      schema: { tags, summary: 'A payment and its state (pending, paid, failed, cancelled, expired, refund_due, refunded)', security, params: s.idParams, response: { 200: s.paymentReply, 401: errorReply, 404: errorReply } },
    }, async (req) => paymentJson(await payments.payment(apiActor(req), req.params.id)));

    api.get('/api/v1/payments/:id/receipt', {
      schema: { tags, summary: 'The receipt of a paid payment: the bills it paid with their items, the amount in words, the bank\'s reference and card', security, params: s.idParams, response: { 200: s.receiptReply, 401: errorReply, 404: errorReply } },
    }, async (req) => receiptJson(await payments.receipt(apiActor(req), req.params.id)));

    api.post('/api/v1/payments/:id/refunded', {
      schema: { tags, summary: 'Record that a payment due for a refund was refunded by hand (org admin)', security, params: s.idParams, body: s.refundedBody, response: { 200: s.paymentReply, 400: errorReply, 401: errorReply, 404: errorReply, 409: errorReply } },
    }, async (req) => paymentJson(await payments.markRefunded(apiActor(req), req.params.id, req.body.note)));
  };
}
