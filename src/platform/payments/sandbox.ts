/**
 * The built-in test bank (PAYMENT_GATEWAY=sandbox, the default outside production). It behaves
 * like Zarinpal: a session with an authority, a bank page (/sandbox-bank/:authority, clearly
 * marked as a test) where the payer pays, fails or cancels, a return to the callback URL with
 * `Authority` and `Status=OK|NOK`, and a verification that answers from the bank's own record.
 * Its transactions are rows of the database, so every app process sees the same bank. Being
 * part of this site, it sends the payer to paths on it (whatever address they reached it by).
 * No money moves.
 */
import { randomInt } from 'node:crypto';
import type { DB } from '../db/index.js';
import type { SandboxTransactionsTable } from '../db/schema.js';
import { systemClock, type Clock } from '../core/index.js';
import { fromGatewayAmount, toGatewayAmount, type InquiryResult, type PaymentGateway, type PaymentRequest, type PaymentStart, type VerifyResult } from './types.js';

export type SandboxTransaction = SandboxTransactionsTable;
export type SandboxChoice = 'pay' | 'fail' | 'cancel';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const randomString = (n: number, alphabet = ALPHABET) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

/** A sandbox authority: 'S' and 35 letters or digits (Zarinpal's are 36 characters too). */
export const SANDBOX_AUTHORITY = /^S[A-Z0-9]{35}$/;

export class SandboxGateway implements PaymentGateway {
  readonly name = 'sandbox';
  readonly currency = 'IRR' as const;
  readonly redirectOrigin = null;
  private readonly db: DB;
  private readonly clock: Clock;

  constructor(opts: { db: DB; clock?: Clock }) {
    this.db = opts.db;
    this.clock = opts.clock ?? systemClock;
  }

  async request(req: PaymentRequest): Promise<PaymentStart> {
    const amount = toGatewayAmount(req.amountRials, this.currency);
    const authority = `S${randomString(35)}`;
    const now = this.clock.now();
    await this.db.insertInto('sandbox_transactions').values({
      authority, amount, currency: this.currency, description: [...req.description].slice(0, 500).join(''), callback_url: req.callbackUrl,
      order_id: req.orderId, status: 'pending', ref_id: null, card_mask: null, created_at: now, updated_at: now,
    }).execute();
    return { authority, redirectUrl: this.redirectUrlFor(authority) };
  }

  redirectUrlFor(authority: string): string {
    return `/sandbox-bank/${encodeURIComponent(authority)}`;
  }

  async verify(input: { authority: string; amountRials: number }): Promise<VerifyResult> {
    const tx = await sandboxTransaction(this.db, input.authority);
    if (!tx) return { status: 'failed', code: -54 };
    const amount = Number(tx.amount);
    // Like Zarinpal, the session is verified only for the amount it was opened for.
    if (!Number.isSafeInteger(input.amountRials) || toGatewayAmount(input.amountRials, this.currency) !== amount) return { status: 'failed', code: -50 };
    const paid = { refId: tx.ref_id ?? undefined, cardMask: tx.card_mask ?? undefined, amountRials: fromGatewayAmount(amount, this.currency) };
    if (tx.status === 'paid') {
      const r = await this.db.updateTable('sandbox_transactions').set({ status: 'verified', updated_at: this.clock.now() })
        .where('authority', '=', tx.authority).where('status', '=', 'paid').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1 ? { status: 'paid', code: 100, ...paid } : { status: 'already_verified', code: 101, ...paid };
    }
    if (tx.status === 'verified') return { status: 'already_verified', code: 101, ...paid };
    if (tx.status === 'pending') return { status: 'pending' };
    return { status: 'failed', code: -51 };
  }

  async inquire(authority: string): Promise<InquiryResult> {
    const tx = await sandboxTransaction(this.db, authority);
    if (!tx) return { status: 'unknown', code: -54 };
    const map: Record<SandboxTransaction['status'], InquiryResult['status']> = { pending: 'in_bank', paid: 'paid', verified: 'verified', failed: 'failed', cancelled: 'failed' };
    return { status: map[tx.status], code: 100 };
  }
}

/** A test-bank transaction by its authority, or null. */
export async function sandboxTransaction(db: DB, authority: string): Promise<SandboxTransaction | null> {
  if (typeof authority !== 'string' || !SANDBOX_AUTHORITY.test(authority)) return null;
  return (await db.selectFrom('sandbox_transactions').selectAll().where('authority', '=', authority).executeTakeFirst()) ?? null;
}

/**
 * The payer's choice on the test bank's page: pay (a reference number and a masked test card are
 * made up), fail or cancel. Decided once: pressing another button afterwards (the back button, a
 * second tab) returns to the callback with what was decided first. Answers where to send the
 * payer: the callback's path on this site with Authority and Status=OK|NOK; null for an unknown
 * authority.
 */
export async function sandboxDecide(db: DB, authority: string, choice: SandboxChoice, now: number): Promise<string | null> {
  const tx = await sandboxTransaction(db, authority);
  if (!tx) return null;
  if (tx.status === 'pending') {
    const decided = choice === 'pay'
      ? { status: 'paid' as const, ref_id: String(randomInt(1_000_000_000, 9_999_999_999)), card_mask: `603799******${randomString(4, '0123456789')}` }
      : { status: choice === 'fail' ? 'failed' as const : 'cancelled' as const };
    await db.updateTable('sandbox_transactions').set({ ...decided, updated_at: now }).where('authority', '=', tx.authority).where('status', '=', 'pending').execute();
  }
  const final = (await sandboxTransaction(db, authority))!;
  const url = new URL(final.callback_url);
  url.searchParams.set('Authority', final.authority);
  url.searchParams.set('Status', final.status === 'paid' || final.status === 'verified' ? 'OK' : 'NOK');
  return `${url.pathname}${url.search}`;
}
