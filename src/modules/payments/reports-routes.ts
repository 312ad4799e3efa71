import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, seeOther } from '../../platform/http/forms.js';
import { AppError, unauthorized } from '../../platform/http/errors.js';
import { mayAct } from '../../platform/auth/access.js';
import type { Actor } from '../../platform/core/index.js';
import type { RevenueReport, StaffBillItem, StaffFilterInput, StaffFilters, StaffPaymentItem } from './reports.js';
import * as s from './levies-schemas.js';
import { RevenuePage, StaffBillsPage, StaffPaymentsPage } from './views/reports.js';
import { localParams } from './views/levies-parts.js';
import './messages-levies.js';

const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());

/** The filters of a page's query string; numbers parsed, anything unreadable left out. */
function pageInput(query: unknown): StaffFilterInput {
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string).slice(0, 64) : undefined);
  const int = (k: string) => (str(k) && /^\d{1,6}$/.test(str(k)!) ? Number(str(k)) : undefined);
  return { org: str('org'), from: str('from'), to: str('to'), kind: str('kind'), service: str('service'), state: str('state'), q: str('q'), page: int('page'), per_page: int('per_page') };
}

const filtersJson = (f: StaffFilters) => ({ org: f.org, from: f.from, to: f.to, kind: f.kind, service: f.service, state: f.state, q: f.q, page: f.page, per_page: f.perPage });

const billJson = (b: StaffBillItem) => ({
  id: b.id, bill_code: b.billCode, kind: b.kind, application_id: b.applicationId, tracking_code: b.trackingCode, service: b.service, title: b.title,
  national_code: b.nationalCode, property_code: b.propertyCode, business_code: b.businessCode, period: b.period, amount: b.amount, status: b.status, overdue: b.overdue,
  due_at: iso(b.dueAt), payment_id: b.paymentId, import_batch: b.importBatch, created_at: iso(b.createdAt)!, paid_at: iso(b.paidAt),
});

const paymentJson = (p: StaffPaymentItem) => ({
  id: p.id, gateway: p.gateway, amount: p.amount, status: p.status, authority: p.authority, ref_id: p.refId, card_mask: p.cardMask, last_error: p.lastError,
  payer: p.payer, bills: p.bills.map((b) => ({ bill_code: b.billCode, kind: b.kind })), created_at: iso(p.createdAt)!, updated_at: iso(p.updatedAt)!, verified_at: iso(p.verifiedAt),
});

export const revenueJson = (r: RevenueReport) => ({
  org: r.org, from: r.from, to: r.to,
  columns: r.columns.map((c) => ({ key: c.key, kind: c.kind, service_code: c.serviceCode, title: c.title })),
  days: r.days.map((d) => ({ date: d.date, day: d.day, payments: d.payments, total: d.total, by_column: d.byColumn })),
  totals: { payments: r.totals.payments, total: r.totals.total, by_column: r.totals.byColumn },
});

/** A CSV download: never cached by others, named for the organization and what it holds. */
function sendCsv(reply: FastifyReply, name: string, csv: string) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).header('cache-control', 'private, no-store').send(csv);
}

/** Staff pages and API of the organization's bills and payments (lists, CSV exports) and the daily revenue report. */
export function reportsRoutes(deps: AppDeps) {
  const { paymentReports: reports } = deps.services;
  const isProduction = deps.config.isProduction;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const signInFirst = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
  const tabs = async (actor: Actor, orgCode: string) => {
    const { orgId } = await reports.staffOrg(actor, orgCode, 'bills.read');
    return { canManage: mayAct(actor, orgId, 'bills.manage'), canReport: mayAct(actor, orgId, 'payments.report') };
  };
  const staffOnly = (req: FastifyRequest) => {
    if (req.actor.kind !== 'staff') throw unauthorized();
    return req.actor;
  };

  /** Runs a list for a page: a filter that does not parse (a bad date) shows the list unfiltered by it, with the field's message. */
  async function listWithErrors<T>(req: FastifyRequest, reply: FastifyReply, input: StaffFilterInput, list: (i: StaffFilterInput) => Promise<T>): Promise<{ data: T; errors?: Record<string, string>; status: number }> {
    try {
      return { data: await list(input), status: 200 };
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const f = formFailure(ctxOf(req, reply), err);
      return { data: await list({ ...input, from: f.errors.from ? undefined : input.from, to: f.errors.to || f.errors.from ? undefined : input.to }), errors: f.errors, status: 400 };
    }
  }

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();

    app.get('/staff/bills', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const actor = req.actor;
      const input = pageInput(req.query);
      const { data, errors, status } = await listWithErrors(req, reply, input, (i) => reports.listBills(actor, i));
      const ctx = ctxOf(req, reply);
      const recorded = (req.query as { recorded?: string }).recorded;
      return sendPage(reply, h(StaffBillsPage, {
        ctx, data, errors, ...(await tabs(actor, data.org.code)),
        notice: typeof recorded === 'string' && recorded ? ctx.t('levies.recorded', localParams(ctx, { bill: recorded.slice(0, 40) })) : null,
      }), status);
    });

    app.get('/staff/bills/export.csv', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const r = await reports.billsCsv(req.actor, pageInput(req.query), req.locale);
      return sendCsv(reply, `bills-${r.org}`, r.csv);
    });

    app.get('/staff/bills/payments', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const actor = req.actor;
      const { data, errors, status } = await listWithErrors(req, reply, pageInput(req.query), (i) => reports.listPayments(actor, i));
      return sendPage(reply, h(StaffPaymentsPage, { ctx: ctxOf(req, reply), data, errors, ...(await tabs(actor, data.org.code)) }), status);
    });

    app.get('/staff/bills/payments.csv', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const r = await reports.paymentsCsv(req.actor, pageInput(req.query), req.locale);
      return sendCsv(reply, `payments-${r.org}`, r.csv);
    });

    app.get('/staff/bills/revenue', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const actor = req.actor;
      const input = pageInput(req.query);
      const { data, errors, status } = await listWithErrors(req, reply, input, (i) => reports.revenue(actor, { org: i.org, from: i.from, to: i.to }));
      const { canManage } = await tabs(actor, data.org.code);
      return sendPage(reply, h(RevenuePage, { ctx: ctxOf(req, reply), report: data, canManage, errors, values: errors ? { from: input.from, to: input.to } : undefined }), status);
    });

    app.get('/staff/bills/revenue.csv', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const input = pageInput(req.query);
      const r = await reports.revenueCsv(req.actor, { org: input.org, from: input.from, to: input.to }, req.locale);
      return sendCsv(reply, `revenue-${r.org}-${r.report.from.replace(/\//g, '')}-${r.report.to.replace(/\//g, '')}`, r.csv);
    });

    // ---------- JSON API ----------
    const tags = ['staff'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
    const errors = { 400: s.errorReply, 401: s.errorReply, 404: s.errorReply };

    api.get('/api/v1/staff/bills', {
      schema: {
        tags, summary: 'Bills of your organization (levies and application fees) with their states, filtered; org admins, managers and clerks', security,
        description: 'CSV for Excel (UTF-8 with BOM, amounts in Rials, Jalali dates): GET /staff/bills/export.csv with the same query.',
        querystring: s.staffListQuery, response: { 200: s.staffBillsReply, ...errors },
      },
    }, async (req) => {
      const r = await reports.listBills(staffOnly(req), req.query);
      return { org: r.org, filters: filtersJson(r.filters), total: r.total, amount: r.amount, items: r.items.map(billJson) };
    });

    api.get('/api/v1/staff/payments', {
      schema: {
        tags, summary: 'Payments of your organization with their states (pending, paid, failed, cancelled, expired, refund_due, refunded), filtered', security,
        description: 'CSV: GET /staff/bills/payments.csv with the same query.',
        querystring: s.staffListQuery, response: { 200: s.staffPaymentsReply, ...errors },
      },
    }, async (req) => {
      const r = await reports.listPayments(staffOnly(req), req.query);
      return { org: r.org, filters: filtersJson(r.filters), total: r.total, amount: r.amount, items: r.items.map(paymentJson) };
    });

    api.get('/api/v1/staff/revenue', {
      schema: {
        tags, summary: 'Daily revenue of your organization: per Jalali day, the Rials of paid payments per levy kind and per service (org admins and managers)', security,
        description: 'Days are Tehran days; only payments in state paid count (refunds do not). CSV: GET /staff/bills/revenue.csv with the same query.',
        querystring: s.revenueQuery, response: { 200: s.revenueReply, ...errors },
      },
    }, async (req) => revenueJson(await reports.revenue(staffOnly(req), req.query)));
  };
}
