import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor, type Actor, type Clock } from '../../platform/core/index.js';
import { AppError, badInput, forbidden, notFound, unauthorized } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import { emitEvent } from '../../platform/webhooks/events.js';
import { enqueue } from '../../platform/outbox/index.js';
import { mayAct, orgScope } from '../../platform/auth/access.js';
import { safeNext } from '../../platform/http/context.js';
import { formatRials, type Locale } from '../../platform/i18n/format.js';
import { t } from '../../platform/i18n/messages.js';
import { GatewayError, toGatewayAmount, type PaymentGateway, type VerifyResult } from '../../platform/payments/types.js';
import type { Localized } from '../catalog/definition.js';
import { definitionOfVersion } from '../catalog/lookup.js';
import type { ApplicationsService } from '../applications/service.js';
import { paymentActionOf } from './bills.js';
import * as q from './queries.js';
import type { BillRow, PaymentRow } from './queries.js';
import './messages.js';

// ---------------------------------------------------------------------------------------------
// Policy

export const PAYMENT_POLICY = {
  /** A pending payment for exactly the same bills is reused (same bank session) this long: a second tab or a double click never opens a second charge. */
  reuseWindowMs: 15 * 60_000,
  /** The reconciliation job verifies payments still pending this long after they started (PAYMENT_RECONCILE_AFTER_MINUTES). */
  reconcileAfterMs: 20 * 60_000,
  /** A payment whose payer is still "at the bank" this long after it started is given up (expired). */
  abandonAfterMs: 24 * 60 * 60_000,
  /** How long a second request waits for the first one's bank session to open. */
  authorityWaitMs: 15_000,
  maxBillsPerPayment: 20,
  reconcileBatch: 100,
};
export type PaymentPolicy = typeof PAYMENT_POLICY;

/** Payment states after which nothing more happens to a payment (except a refund by hand). */
const SETTLED: PaymentRow['status'][] = ['paid', 'refund_due', 'refunded'];
/** States a verified payment may still be settled from: a failed or cancelled return, or an expiry, never outranks the bank's word. */
const SETTLEABLE: PaymentRow['status'][] = ['pending', 'failed', 'cancelled', 'expired'];

// ---------------------------------------------------------------------------------------------
// What the service returns

export interface BillItemView {
  key: string;
  title: Localized;
  amount: number;
}

/** A bill as its owner or the staff of its organization see it. */
export interface BillView {
  id: string;
  billCode: string;
  orgId: string;
  org: { code: string; name: Localized };
  kind: string;
  title: Localized;
  period: string | null;
  /** Rials. */
  amount: number;
  status: BillRow['status'];
  /** True when it can be paid now: unpaid and, for an application's bill, the application still waits for this payment. */
  payable: boolean;
  dueAt: number | null;
  createdAt: number;
  paidAt: number | null;
  paymentId: string | null;
  application: { id: string; trackingCode: string | null } | null;
  nationalCode: string | null;
  propertyCode: string | null;
  businessCode: string | null;
  items: BillItemView[];
}

export interface PaymentBillView {
  id: string;
  billCode: string;
  title: Localized;
  amount: number;
  status: BillRow['status'];
  /** True when this payment paid the bill (false: it was paid otherwise first, so this payment is to be refunded). */
  paidByThis: boolean;
  applicationId: string | null;
}

export interface PaymentView {
  id: string;
  orgId: string;
  org: { code: string; name: Localized };
  gateway: string;
  /** Rials. */
  amount: number;
  gatewayAmount: number;
  gatewayCurrency: string;
  status: PaymentRow['status'];
  refId: string | null;
  cardMask: string | null;
  returnTo: string;
  createdAt: number;
  updatedAt: number;
  verifiedAt: number | null;
  bills: PaymentBillView[];
  /** Staff only: what went wrong last (a gateway that did not answer, a refusal). */
  lastError: string | null;
}

export interface ReceiptView {
  payment: PaymentView;
  /** The bills this payment paid, with their items. */
  bills: BillView[];
  payer: { name: string | null; mobile: string } | null;
}

/** What the payer's return from the bank came to. */
export interface CallbackOutcome {
  result: 'paid' | 'refund_due' | 'pending' | 'failed' | 'cancelled' | 'expired' | 'refunded';
  payment: PaymentView;
}

export interface ReconcileReport {
  checked: number;
  settled: number;
  failed: number;
  expired: number;
  stillPending: number;
  /** Applications moved on after a payment whose transition had not happened (a crash in between). */
  advanced: number;
}

export interface PaymentsDeps {
  db: DB;
  clock: Clock;
  gateway: PaymentGateway;
  /** The site's address: callback URL and links in the SMS receipt. */
  publicUrl: string;
  applications: Pick<ApplicationsService, 'act'>;
  /** Called after a commit that enqueued outbox messages. */
  onOutbox?: () => void;
  policy?: Partial<PaymentPolicy>;
  /** Where to report a problem that is handled but worth knowing (an application that could not be moved on). */
  warn?: (message: string, details: Record<string, unknown>) => void;
}

const errorText = (err: unknown) => String((err as Error)?.message ?? err).slice(0, 500);

/** Moves the payment to a settled state once; the claim, bills, audit and SMS are written by the caller's transaction. */
type Advance = { applicationId: string; action: string };

/**
 * Builds the payments core: paying bills through the configured gateway, the gateway's
 * callback, verification and settlement (exactly once), reconciliation of payments whose payer
 * never came back, receipts, and reads of bills and payments for their owners and staff.
 */
export function createPaymentsService(deps: PaymentsDeps) {
  const { db, clock, gateway } = deps;
  const policy: PaymentPolicy = { ...PAYMENT_POLICY, ...(deps.policy ?? {}) };
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const kick = () => deps.onOutbox?.();
  const warn = deps.warn ?? (() => undefined);

  // ---------- who may see what ----------

  /** Staff of the organization who work applications or bills may see its bills and payments. */
  const staffMaySee = (actor: Actor, orgId: string) => mayAct(actor, orgId, 'bills.read') || mayAct(actor, orgId, 'applications.read');

  async function citizenOwnsBill(tx: Tx, actor: Actor, bill: BillRow): Promise<boolean> {
    if (actor.kind !== 'citizen') return false;
    if (bill.citizen_id === actor.id) return true;
    if (!bill.national_code) return false;
    const me = await q.citizenById(tx, actor.id);
    return Boolean(me?.national_code && me.national_code === bill.national_code);
  }

  /** The bill for its owner or staff of its organization; anyone else gets 404, as if it did not exist. */
  async function reachBill(tx: Tx, actor: Actor, id: string): Promise<BillRow> {
    if (actor.kind === 'anonymous') throw unauthorized();
    if (typeof id !== 'string' || id.length > 64) throw notFound('bill.not_found');
    const bill = await q.billById(tx, id);
    if (!bill) throw notFound('bill.not_found');
    if (actor.kind === 'system' || (await citizenOwnsBill(tx, actor, bill))) return bill;
    if (actor.kind === 'staff' && staffMaySee(actor, bill.org_id)) return bill;
    throw notFound('bill.not_found');
  }

  /** The payment for its payer, the owner of one of its bills, or staff of its organization; others get 404. */
  async function reachPayment(tx: Tx, actor: Actor, id: string): Promise<PaymentRow> {
    if (actor.kind === 'anonymous') throw unauthorized();
    if (typeof id !== 'string' || id.length > 64) throw notFound('payment.not_found');
    const payment = await q.paymentById(tx, id);
    if (!payment) throw notFound('payment.not_found');
    if (actor.kind === 'system') return payment;
    if (actor.kind === 'staff') {
      if (staffMaySee(actor, payment.org_id)) return payment;
      throw notFound('payment.not_found');
    }
    if (payment.citizen_id === actor.id) return payment;
    for (const bill of await q.billsByIds(tx, await q.billIdsOfPayment(tx, payment.id))) {
      if (await citizenOwnsBill(tx, actor, bill)) return payment;
    }
    throw notFound('payment.not_found');
  }

  // ---------- views ----------

  async function billViews(tx: Tx, rows: BillRow[]): Promise<BillView[]> {
    const items = await q.itemsOfBills(tx, rows.map((b) => b.id));
    const orgs = new Map((await q.orgsByIds(tx, [...new Set(rows.map((b) => b.org_id))])).map((o) => [o.id, o]));
    const codes = new Map((await q.trackingCodes(tx, [...new Set(rows.map((b) => b.application_id).filter((x): x is string => Boolean(x)))])).map((a) => [a.id, a.tracking_code]));
    const out: BillView[] = [];
    for (const b of rows) {
      const org = orgs.get(b.org_id);
      const payable = b.status === 'unpaid' && (b.kind !== 'application' || (await q.applicationAtEntry(tx, b)));
      out.push({
        id: b.id, billCode: b.bill_code, orgId: b.org_id, org: { code: org?.code ?? '', name: { fa: org?.name_fa ?? '', en: org?.name_en ?? '' } },
        kind: b.kind, title: { fa: b.title_fa, en: b.title_en }, period: b.period, amount: Number(b.amount), status: b.status, payable,
        dueAt: b.due_at === null ? null : Number(b.due_at), createdAt: Number(b.created_at), paidAt: b.paid_at === null ? null : Number(b.paid_at), paymentId: b.payment_id,
        application: b.application_id ? { id: b.application_id, trackingCode: codes.get(b.application_id) ?? null } : null,
        nationalCode: b.national_code, propertyCode: b.property_code, businessCode: b.business_code,
        items: items.filter((i) => i.bill_id === b.id).map((i) => ({ key: i.item_key, title: { fa: i.title_fa, en: i.title_en }, amount: Number(i.amount) })),
      });
    }
    return out;
  }

  async function paymentView(tx: Tx, p: PaymentRow, viewer: 'owner' | 'staff'): Promise<PaymentView> {
    const org = await q.orgById(tx, p.org_id);
    const bills = await q.billsByIds(tx, await q.billIdsOfPayment(tx, p.id));
    return {
      id: p.id, orgId: p.org_id, org: { code: org?.code ?? '', name: { fa: org?.name_fa ?? '', en: org?.name_en ?? '' } },
      gateway: p.gateway, amount: Number(p.amount), gatewayAmount: Number(p.gateway_amount), gatewayCurrency: p.gateway_currency, status: p.status,
      refId: p.ref_id, cardMask: p.card_mask, returnTo: p.return_to, createdAt: Number(p.created_at), updatedAt: Number(p.updated_at),
      verifiedAt: p.verified_at === null ? null : Number(p.verified_at),
      bills: bills.map((b) => ({ id: b.id, billCode: b.bill_code, title: { fa: b.title_fa, en: b.title_en }, amount: Number(b.amount), status: b.status, paidByThis: b.payment_id === p.id && b.status === 'paid', applicationId: b.application_id })),
      lastError: viewer === 'staff' ? p.last_error : null,
    };
  }

  const viewerOf = (actor: Actor): 'owner' | 'staff' => (actor.kind === 'staff' || actor.kind === 'system' ? 'staff' : 'owner');

  // ---------- settlement ----------

  /**
   * Records a payment the gateway verified, in one transaction: the claim (pending, or a failed,
   * cancelled or expired return, becomes paid, for exactly one caller), each bill paid unless it
   * was paid otherwise first or its application moved on (then the payment is due for a refund),
   * the audit entries and the payer's SMS receipt. Answers whether this caller settled it and
   * which applications to move on.
   */
  async function settle(actor: Actor, payment: PaymentRow, verified: VerifyResult, source: 'callback' | 'reconcile' | 'start'): Promise<{ settled: boolean; advance: Advance[] }> {
    const now = clock.now();
    return inTransaction(db, async (tx) => {
      const claimed = await q.claimPayment(tx, payment.id, SETTLEABLE, {
        status: 'paid', ref_id: verified.refId ?? null, card_mask: verified.cardMask ?? null, verified_at: now, updated_at: now, last_error: null,
      });
      if (!claimed) return { settled: false, advance: [] };
      const bills = await q.billsByIds(tx, await q.billIdsOfPayment(tx, payment.id), { lock: true });
      const paid: BillRow[] = [];
      const refused: { bill: BillRow; reason: string }[] = [];
      const advance: Advance[] = [];
      for (const bill of bills) {
        let action: string | undefined;
        if (bill.kind === 'application' && bill.application_id) {
          if (!(await q.applicationAtEntry(tx, bill))) {
            refused.push({ bill, reason: 'application_moved' });
            continue;
          }
          const app = await q.applicationForBilling(tx, bill.application_id);
          const def = app ? (await definitionOfVersion(tx, app.version_id))?.definition : undefined;
          action = def ? paymentActionOf(def, bill.application_state ?? '')?.name : undefined;
        }
        if (!(await q.markBillPaid(tx, bill.id, payment.id, now))) {
          refused.push({ bill, reason: bill.status === 'paid' ? 'paid_otherwise' : `bill_${bill.status}` });
          continue;
        }
        paid.push(bill);
        await appendAudit(tx, actor, { orgId: bill.org_id, action: 'bill.paid', entity: 'bill', entityId: bill.id, data: { bill_code: bill.bill_code, payment: payment.id, amount: Number(bill.amount) } }, now);
        if (action && bill.application_id) advance.push({ applicationId: bill.application_id, action });
      }
      await appendAudit(tx, actor, {
        orgId: payment.org_id, action: 'payment.paid', entity: 'payment', entityId: payment.id,
        data: { amount: Number(payment.amount), gateway: payment.gateway, ref_id: verified.refId ?? null, code: verified.code ?? null, bills: paid.map((b) => b.bill_code), source, from: payment.status },
      }, now);
      await emitEvent(tx, { orgId: payment.org_id, type: 'payment.verified', orderingKey: paid.find((b) => b.application_id)?.application_id ?? payment.id, payload: { payment_id: payment.id, amount_rials: Number(payment.amount), gateway: payment.gateway, ref_id: verified.refId ?? null, bills: paid.map((b) => b.bill_code), application_ids: [...new Set(paid.flatMap((b) => (b.application_id ? [b.application_id] : [])))], verified_at: new Date(now).toISOString() } }, now);
      if (refused.length) {
        const refund = refused.reduce((sum, r) => sum + Number(r.bill.amount), 0);
        const why = refused.map((r) => `${r.bill.bill_code}: ${r.reason}`).join('; ');
        await q.claimPayment(tx, payment.id, ['paid'], { status: 'refund_due', last_error: `refund ${refund} IRR (${why})`.slice(0, 500), updated_at: now });
        await appendAudit(tx, actor, { orgId: payment.org_id, action: 'payment.refund_due', entity: 'payment', entityId: payment.id, data: { refund, bills: refused.map((r) => ({ bill_code: r.bill.bill_code, reason: r.reason })) } }, now);
      }
      await sendReceipt(tx, payment, paid, verified.refId ?? null, now);
      return { settled: true, advance };
    });
  }

  /** Writes the payer's SMS receipt to the outbox in the caller's transaction (once per payment). */
  async function sendReceipt(tx: Tx, payment: PaymentRow, paid: BillRow[], refId: string | null, now: number) {
    if (!payment.citizen_id || !paid.length) return;
    const citizen = await q.citizenById(tx, payment.citizen_id);
    if (!citizen) return;
    const locale: Locale = citizen.locale === 'en' ? 'en' : 'fa';
    const org = await q.orgById(tx, payment.org_id);
    const text = t(locale, 'payment.sms_receipt', {
      org: org ? (locale === 'en' ? org.name_en : org.name_fa) : '',
      amount: formatRials(paid.reduce((sum, b) => sum + Number(b.amount), 0), locale),
      bills: paid.map((b) => (locale === 'en' ? b.bill_code : `\u2066${b.bill_code}\u2069`)).join(locale === 'en' ? ', ' : '، '),
      ref: refId ?? '—',
      url: `${publicUrl}/payments/${payment.id}/receipt`,
    });
    await enqueue(tx, { topic: 'sms.send', orgId: payment.org_id, payload: { to: citizen.mobile, text }, dedupeKey: `payment:${payment.id}:receipt:sms` }, now);
  }

  /** Moves each paid application on by its payment action, after the settlement committed; a transition that already happened (or cannot any more) is left alone. */
  async function advanceApplications(advance: Advance[]): Promise<number> {
    let moved = 0;
    for (const a of advance) {
      try {
        await deps.applications.act(systemActor, a.applicationId, { action: a.action });
        moved += 1;
      } catch (err) {
        if (err instanceof AppError && (err.status === 409 || err.status === 404)) continue;
        // Left for the reconciliation job, which finds paid bills whose application still waits.
        warn('application not moved on after its payment', { application: a.applicationId, error: errorText(err) });
      }
    }
    return moved;
  }

  /**
   * Asks the gateway about a payment (for the amount we stored, never one from a request) and
   * acts on the answer: settles it when paid, marks it failed (or expired, for the reconciliation
   * job) when the gateway says it was not, and leaves it pending when the gateway cannot answer.
   */
  async function verifyAndSettle(actor: Actor, payment: PaymentRow, source: 'callback' | 'reconcile' | 'start', onNotPaid: 'failed' | 'expired'): Promise<CallbackOutcome['result']> {
    if (!payment.authority) return payment.status as CallbackOutcome['result'];
    let verified: VerifyResult;
    try {
      verified = await gateway.verify({ authority: payment.authority, amountRials: Number(payment.amount) });
    } catch (err) {
      await inTransaction(db, (tx) => q.noteError(tx, payment.id, `verify: ${errorText(err)}`, clock.now()));
      if (!(err instanceof GatewayError)) throw err;
      return 'pending';
    }
    if ((verified.status === 'paid' || verified.status === 'already_verified') && verified.amountRials !== undefined && verified.amountRials !== Number(payment.amount)) {
      // The gateway charged another amount than this payment's: never settle it; staff look into it.
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        await q.noteError(tx, payment.id, `gateway reported ${verified.amountRials} IRR, expected ${payment.amount}`, now);
        await appendAudit(tx, actor, { orgId: payment.org_id, action: 'payment.amount_mismatch', entity: 'payment', entityId: payment.id, data: { expected: Number(payment.amount), reported: verified.amountRials, ref_id: verified.refId ?? null } }, now);
      });
      return 'pending';
    }
    if (verified.status === 'paid' || verified.status === 'already_verified') {
      const done = await settle(actor, payment, verified, source);
      if (done.settled) {
        kick();
        await advanceApplications(done.advance);
      }
      return resultOf(await q.paymentById(db, payment.id));
    }
    if (verified.status === 'failed' && payment.status === 'pending') {
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        if (!(await q.claimPayment(tx, payment.id, ['pending'], { status: onNotPaid, last_error: `gateway code ${verified.code ?? '?'}`, updated_at: now }))) return;
        await appendAudit(tx, actor, { orgId: payment.org_id, action: `payment.${onNotPaid}`, entity: 'payment', entityId: payment.id, data: { code: verified.code ?? null, source } }, now);
      });
    }
    return resultOf(await q.paymentById(db, payment.id));
  }

  const resultOf = (p: PaymentRow | null): CallbackOutcome['result'] => (p?.status ?? 'failed') as CallbackOutcome['result'];

  // ---------- starting a payment ----------

  type Phase1 = { kind: 'reuse'; payment: PaymentRow } | { kind: 'wait'; paymentId: string } | { kind: 'new'; payment: PaymentRow; bills: BillRow[]; mobile: string; email: string | null };

  /** Waits for a concurrent request's bank session to open; its redirect, or 409 when it takes too long, 503 when it failed. */
  async function awaitAuthority(paymentId: string): Promise<string> {
    const until = Date.now() + policy.authorityWaitMs;
    for (;;) {
      const p = await q.paymentById(db, paymentId);
      if (p?.authority && p.status === 'pending') return gateway.redirectUrlFor(p.authority);
      if (!p || p.status !== 'pending') throw new AppError('payment.gateway_unavailable', 503);
      if (Date.now() > until) throw new AppError('payment.in_progress', 409);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const service = {
    /**
     * Starts paying one or several bills of the signed-in citizen (all of one organization, all
     * payable now) and answers where to send the payer. A pending payment for exactly these bills
     * started less than 15 minutes ago is reused with its bank session, so a second tab or a double
     * click never opens a second charge. Otherwise the payment row (pending) and its audit entry
     * are written before the gateway is asked; the gateway's authority is stored after.
     * `opts.anyPayer`: the caller (e.g. a levy found by property code) has already decided that
     * this citizen may pay these bills although they are not theirs.
     */
    async startPayment(actor: Actor, billIds: string[], returnTo: string, opts: { anyPayer?: boolean } = {}): Promise<{ paymentId: string; redirectUrl: string; reused: boolean }> {
      if (actor.kind === 'anonymous') throw unauthorized();
      if (actor.kind !== 'citizen') throw forbidden('payment.citizen_only');
      const ids = [...new Set((Array.isArray(billIds) ? billIds : []).map((x) => String(x ?? '').trim()).filter(Boolean))].sort();
      if (!ids.length) throw badInput({ bill_ids: 'payment.no_bills' });
      if (ids.length > policy.maxBillsPerPayment || ids.some((id) => id.length > 64)) throw badInput({ bill_ids: 'payment.too_many_bills' }, 'payment.too_many_bills');
      const now = clock.now();
      const phase1 = await inTransaction(db, async (tx): Promise<Phase1> => {
        const bills = await q.billsByIds(tx, ids, { lock: true });
        if (bills.length !== ids.length) throw notFound('bill.not_found');
        for (const b of bills) {
          if (!opts.anyPayer && !(await citizenOwnsBill(tx, actor, b))) throw notFound('bill.not_found');
        }
        if (new Set(bills.map((b) => b.org_id)).size > 1) throw badInput({ bill_ids: 'payment.one_org' }, 'payment.one_org');
        for (const b of bills) {
          if (b.status === 'paid') throw new AppError('payment.bill_paid', 409, {}, { code: b.bill_code });
          if (b.status !== 'unpaid' || (b.kind === 'application' && !(await q.applicationAtEntry(tx, b)))) throw new AppError('payment.bill_not_payable', 409, {}, { code: b.bill_code });
        }
        const amount = bills.reduce((sum, b) => sum + Number(b.amount), 0);
        let gatewayAmount: number;
        try {
          gatewayAmount = toGatewayAmount(amount, gateway.currency);
        } catch {
          throw new AppError('payment.amount_unsupported', 409);
        }
        // The same bills, the same payer, a session opened a moment ago: the same payment.
        for (const p of await q.pendingPaymentsTouching(tx, ids, actor.id, now - policy.reuseWindowMs)) {
          const covered = await q.billIdsOfPayment(tx, p.id);
          if (covered.length !== ids.length || covered.some((id, i) => id !== ids[i])) continue;
          if (p.authority) return { kind: 'reuse', payment: p };
          if (Number(p.created_at) >= now - policy.authorityWaitMs) return { kind: 'wait', paymentId: p.id };
        }
        const citizen = await q.citizenById(tx, actor.id);
        const payment: PaymentRow = {
          id: newId(), org_id: bills[0]!.org_id, gateway: gateway.name, amount, gateway_amount: gatewayAmount, gateway_currency: gateway.currency,
          status: 'pending', authority: null, ref_id: null, card_mask: null, citizen_id: actor.id, return_to: safeNext(returnTo, defaultReturn(bills)),
          last_error: null, created_at: now, updated_at: now, verified_at: null,
        };
        await q.insertPayment(tx, payment);
        await q.linkBills(tx, payment.id, ids);
        await appendAudit(tx, actor, { orgId: payment.org_id, action: 'payment.started', entity: 'payment', entityId: payment.id, data: { amount, gateway: gateway.name, bills: bills.map((b) => b.bill_code) } }, now);
        return { kind: 'new', payment, bills, mobile: citizen?.mobile ?? '', email: citizen?.email ?? null };
      });
      if (phase1.kind === 'reuse') return { paymentId: phase1.payment.id, redirectUrl: gateway.redirectUrlFor(phase1.payment.authority!), reused: true };
      if (phase1.kind === 'wait') return { paymentId: phase1.paymentId, redirectUrl: await awaitAuthority(phase1.paymentId), reused: true };

      const { payment, bills } = phase1;
      const org = await q.orgById(db, payment.org_id);
      let start: { authority: string; redirectUrl: string };
      try {
        start = await gateway.request({
          amountRials: Number(payment.amount), callbackUrl: `${publicUrl}/payments/callback`, orderId: payment.id,
          // Each Latin bill code is isolated (LRI…PDI) so it keeps its order inside the Persian sentence.
          description: t('fa', 'payment.gateway_description', { org: org?.name_fa ?? '', bills: bills.map((b) => `\u2066${b.bill_code}\u2069`).join('، ') }),
          mobile: phase1.mobile || undefined, email: phase1.email ?? undefined,
        });
      } catch (err) {
        const at = clock.now();
        await inTransaction(db, async (tx) => {
          if (!(await q.claimPayment(tx, payment.id, ['pending'], { status: 'failed', last_error: `request: ${errorText(err)}`, updated_at: at }))) return;
          await appendAudit(tx, actor, { orgId: payment.org_id, action: 'payment.failed', entity: 'payment', entityId: payment.id, data: { stage: 'request', error: errorText(err), code: err instanceof GatewayError ? err.code ?? null : null } }, at);
        });
        if (err instanceof GatewayError) throw new AppError('payment.gateway_unavailable', 503);
        throw err;
      }
      const at = clock.now();
      await inTransaction(db, async (tx) => {
        await q.setAuthority(tx, payment.id, start.authority, at);
        await appendAudit(tx, actor, { orgId: payment.org_id, action: 'payment.redirected', entity: 'payment', entityId: payment.id, data: { authority: start.authority } }, at);
      });
      return { paymentId: payment.id, redirectUrl: start.redirectUrl, reused: false };
    },

    /**
     * The payer's return from the bank (`Authority`, `Status`). Unknown authorities are 404. A
     * payment already settled is answered as it is (a replay changes nothing). Status other than
     * OK: a pending payment is marked cancelled (its bills stay payable). Status OK: the gateway
     * is asked to verify the stored amount; only its word settles the payment, exactly once
     * however many returns race; a gateway that does not answer leaves it pending for the
     * reconciliation job.
     */
    async handleCallback(actor: Actor, input: { authority: string; status: string }): Promise<CallbackOutcome> {
      const authority = String(input?.authority ?? '').trim();
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(authority)) throw notFound('payment.unknown');
      const found = await q.paymentByAuthority(db, authority);
      if (!found) throw notFound('payment.unknown');
      const outcome = async (): Promise<CallbackOutcome> => {
        const p = (await q.paymentById(db, found.id))!;
        return { result: resultOf(p), payment: await paymentView(db, p, 'owner') };
      };
      if (SETTLED.includes(found.status)) return outcome();
      if (String(input?.status ?? '').toUpperCase() !== 'OK') {
        if (found.status === 'pending') {
          const now = clock.now();
          await inTransaction(db, async (tx) => {
            if (!(await q.claimPayment(tx, found.id, ['pending'], { status: 'cancelled', last_error: `returned with Status=${String(input?.status ?? '').slice(0, 20)}`, updated_at: now }))) return;
            await appendAudit(tx, actor, { orgId: found.org_id, action: 'payment.cancelled', entity: 'payment', entityId: found.id, data: { status: String(input?.status ?? '').slice(0, 20) } }, now);
          });
        }
        return outcome();
      }
      await verifyAndSettle(actor, found, 'callback', 'failed');
      return outcome();
    },

    /**
     * Settles what the payers' returns did not: payments still pending `reconcileAfter` after they
     * started (and any the gateway lists as paid but unverified) are asked about and settled,
     * failed or expired; a payer still at the bank is waited for up to a day. Also moves on
     * applications whose bill was paid but whose transition did not happen. Safe to run from
     * several processes at once: every change is a claim.
     */
    async reconcile(): Promise<ReconcileReport> {
      const report: ReconcileReport = { checked: 0, settled: 0, failed: 0, expired: 0, stillPending: 0, advanced: 0 };
      const now = clock.now();
      const due = new Map((await q.pendingPaymentsBefore(db, now - policy.reconcileAfterMs, policy.reconcileBatch)).map((p) => [p.id, p]));
      const listing = (gateway as { unverified?: () => Promise<{ authority: string }[]> }).unverified;
      if (listing && (await q.anyPending(db))) {
        try {
          const paid = await listing.call(gateway);
          for (const p of await q.pendingPaymentsWithAuthorities(db, paid.map((x) => x.authority))) due.set(p.id, p);
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
        }
      }
      for (const p of due.values()) {
        report.checked += 1;
        const age = now - Number(p.created_at);
        let result: CallbackOutcome['result'];
        if (!p.authority) {
          // The gateway was never reached (or its answer was lost): nothing can have been charged.
          result = 'expired';
          await inTransaction(db, async (tx) => {
            if (!(await q.claimPayment(tx, p.id, ['pending'], { status: 'expired', last_error: 'no bank session', updated_at: now }))) return;
            await appendAudit(tx, systemActor, { orgId: p.org_id, action: 'payment.expired', entity: 'payment', entityId: p.id, data: { reason: 'no_authority' } }, now);
          });
        } else {
          let atBank = false;
          if (gateway.inquire) {
            try {
              const state = await gateway.inquire(p.authority);
              atBank = state.status === 'in_bank';
            } catch (err) {
              if (!(err instanceof GatewayError)) throw err;
            }
          }
          result = atBank && age < policy.abandonAfterMs ? 'pending' : await verifyAndSettle(systemActor, p, 'reconcile', 'expired');
          if (result === 'pending' && age >= policy.abandonAfterMs) {
            const at = clock.now();
            await inTransaction(db, async (tx) => {
              if (!(await q.claimPayment(tx, p.id, ['pending'], { status: 'expired', last_error: 'abandoned at the bank', updated_at: at }))) return;
              await appendAudit(tx, systemActor, { orgId: p.org_id, action: 'payment.expired', entity: 'payment', entityId: p.id, data: { reason: 'abandoned' } }, at);
            });
            result = 'expired';
          }
        }
        if (result === 'paid' || result === 'refund_due') report.settled += 1;
        else if (result === 'failed') report.failed += 1;
        else if (result === 'expired') report.expired += 1;
        else if (result === 'pending') report.stillPending += 1;
      }
      // A crash between a settlement and its application's transition: move those applications on.
      const waiting = await q.paidBillsAwaitingTransition(db, policy.reconcileBatch);
      const advance: Advance[] = [];
      for (const b of waiting) {
        const app = await q.applicationForBilling(db, b.application_id!);
        const def = app ? (await definitionOfVersion(db, app.version_id))?.definition : undefined;
        const action = def ? paymentActionOf(def, b.application_state ?? '') : undefined;
        if (action) advance.push({ applicationId: b.application_id!, action: action.name });
      }
      report.advanced = await advanceApplications(advance);
      return report;
    },

    /** A bill with its items, for its owner (by citizen or national code) or staff of its organization; others get 404. */
    async bill(actor: Actor, id: string): Promise<BillView> {
      const row = await reachBill(db, actor, id);
      return (await billViews(db, [row]))[0]!;
    },

    /** The bills of an application (newest first), for its owner or staff of its organization; others get 404. */
    async billsForApplication(actor: Actor, applicationId: string): Promise<BillView[]> {
      if (actor.kind === 'anonymous') throw unauthorized();
      const app = typeof applicationId === 'string' && applicationId.length <= 64 ? await q.applicationForBilling(db, applicationId) : null;
      const allowed = app && (actor.kind === 'system' || (actor.kind === 'citizen' && app.citizen_id === actor.id) || (actor.kind === 'staff' && staffMaySee(actor, app.org_id)));
      if (!allowed) throw notFound();
      return billViews(db, await q.billsOfApplication(db, app.id));
    },

    /** A payment with its bills, for its payer, an owner of its bills, or staff of its organization; others get 404. */
    async payment(actor: Actor, id: string): Promise<PaymentView> {
      const row = await reachPayment(db, actor, id);
      return paymentView(db, row, viewerOf(actor));
    },

    /** The payments of a bill, newest first (same access as the bill). */
    async paymentsOfBill(actor: Actor, billId: string): Promise<PaymentView[]> {
      const bill = await reachBill(db, actor, billId);
      const rows = await q.paymentsOfBill(db, bill.id);
      return Promise.all(rows.map((p) => paymentView(db, p, viewerOf(actor))));
    },

    /** The receipt of a settled payment: the bills it paid with their items, the payer, the bank's reference and card; 404 before it is paid. */
    async receipt(actor: Actor, id: string): Promise<ReceiptView> {
      const row = await reachPayment(db, actor, id);
      if (!SETTLED.includes(row.status)) throw notFound('payment.no_receipt');
      const payment = await paymentView(db, row, viewerOf(actor));
      const paidIds = payment.bills.filter((b) => b.paidByThis).map((b) => b.id);
      const bills = await billViews(db, await q.billsByIds(db, paidIds));
      const citizen = row.citizen_id ? await q.citizenById(db, row.citizen_id) : null;
      const name = [citizen?.first_name, citizen?.last_name].filter(Boolean).join(' ') || null;
      return { payment, bills, payer: citizen ? { name, mobile: citizen.mobile } : null };
    },

    /** Records that staff refunded a payment that was due for a refund (by hand, at the bank); audited. */
    async markRefunded(actor: Actor, id: string, note: string): Promise<PaymentView> {
      if (actor.kind !== 'staff') throw actor.kind === 'anonymous' ? unauthorized() : notFound('payment.not_found');
      const now = clock.now();
      const text = String(note ?? '').trim().slice(0, 500);
      if (!text) throw badInput({ note: 'common.required' });
      await inTransaction(db, async (tx) => {
        const found = await q.paymentById(tx, String(id ?? ''));
        if (!found) throw notFound('payment.not_found');
        const scope = orgScope(actor, found.org_id, 'payments.refund');
        const row = await q.paymentInScope(tx, scope, found.id);
        if (!row) throw notFound('payment.not_found');
        if (!(await q.claimPayment(tx, row.id, ['refund_due'], { status: 'refunded', last_error: `refunded: ${text}`.slice(0, 500), updated_at: now }))) throw new AppError('payment.not_refund_due', 409);
        await appendAudit(tx, actor, { orgId: row.org_id, action: 'payment.refunded', entity: 'payment', entityId: row.id, data: { note: text } }, now);
      });
      return service.payment(actor, id);
    },

    /** The gateway's name and its unit, for pages. */
    gatewayName(): string {
      return gateway.name;
    },
  };
  return service;

  /** Where the payer returns when the caller gave no place: the application, or the bill. */
  function defaultReturn(bills: BillRow[]): string {
    const app = bills.length === 1 ? bills[0]!.application_id : null;
    return app ? `/my/applications/${app}` : `/bills/${bills[0]!.id}`;
  }
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
