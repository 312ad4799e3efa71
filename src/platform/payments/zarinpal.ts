/**
 * Zarinpal (زرین‌پال), REST API v4, as documented at zarinpal.com/docs/paymentGateway:
 *
 *   POST {base}/pg/v4/payment/request.json  {merchant_id, amount, currency, description, callback_url, metadata{mobile,email,order_id}}
 *        -> data.code 100, data.authority; the payer goes to {base}/pg/StartPay/{authority}
 *   the payer comes back to callback_url?Authority=...&Status=OK|NOK
 *   POST {base}/pg/v4/payment/verify.json   {merchant_id, amount, authority}
 *        -> data.code 100 (verified now) or 101 (verified before), data.ref_id, data.card_pan
 *   POST {base}/pg/v4/payment/inquiry.json  {merchant_id, authority} -> data.status VERIFIED|PAID|IN_BANK|FAILED|REVERSED
 *   POST {base}/pg/v4/payment/unVerified.json {merchant_id} -> data.authorities[] (paid, not yet verified)
 *
 * Failures come as `{ data: [], errors: { code, message } }` (with a 4xx status): -9 validation,
 * -10 bad merchant or IP, -11 merchant inactive, -12 too many attempts, -15 suspended,
 * -50 amount differs from the session's, -51 not paid, -52 gateway fault, -53 another merchant's
 * session, -54 invalid authority, -55 unknown session. The sandbox is the same API at
 * https://sandbox.zarinpal.com. Every call has a timeout; a timeout, a network failure, a 5xx,
 * -12 and -52 are retryable GatewayErrors.
 */
import { GatewayError, fromGatewayAmount, toGatewayAmount, type GatewayCurrency, type InquiryResult, type PaymentGateway, type PaymentRequest, type PaymentStart, type VerifyResult } from './types.js';

export const ZARINPAL_DEFAULT_BASE_URL = 'https://payment.zarinpal.com';

export interface ZarinpalOptions {
  merchantId: string;
  /** https://payment.zarinpal.com (default), https://sandbox.zarinpal.com, or a fake server in tests. */
  baseUrl?: string;
  currency?: GatewayCurrency;
  /** Per call (default 10 s). */
  timeoutMs?: number;
}

/** Result codes of a session that exists but is not (or not for this amount) paid: verification answers "failed". */
const NOT_PAID = new Set([-50, -51, -53, -54, -55]);
/** Codes worth asking again for later. */
const RETRYABLE = new Set([-12, -52]);
const DESCRIPTION_MAX = 500;

interface ZarinpalReply {
  data?: Record<string, unknown> | unknown[];
  errors?: { code?: number | string; message?: string } | unknown[];
  /** The HTTP status it came with (not part of Zarinpal's body). */
  httpStatus: number;
}

export class ZarinpalGateway implements PaymentGateway {
  readonly name = 'zarinpal';
  readonly currency: GatewayCurrency;
  readonly redirectOrigin: string;
  private readonly base: string;
  private readonly merchantId: string;
  private readonly timeoutMs: number;

  constructor(opts: ZarinpalOptions) {
    this.merchantId = opts.merchantId;
    this.base = (opts.baseUrl ?? ZARINPAL_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.currency = opts.currency ?? 'IRR';
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.redirectOrigin = new URL(this.base).origin;
  }

  async request(req: PaymentRequest): Promise<PaymentStart> {
    const amount = toGatewayAmount(req.amountRials, this.currency);
    const metadata: Record<string, string> = { order_id: req.orderId };
    if (req.mobile) metadata.mobile = req.mobile;
    if (req.email) metadata.email = req.email;
    const reply = await this.call('request.json', {
      merchant_id: this.merchantId, amount, currency: this.currency, description: [...req.description].slice(0, DESCRIPTION_MAX).join(''),
      callback_url: req.callbackUrl, metadata,
    });
    const { code, data } = resultOf(reply);
    const authority = typeof data.authority === 'string' ? data.authority : '';
    if (code !== 100 || !authority) throw failure('payment request', code, reply);
    return { authority, redirectUrl: this.redirectUrlFor(authority) };
  }

  redirectUrlFor(authority: string): string {
    return `${this.base}/pg/StartPay/${encodeURIComponent(authority)}`;
  }

  async verify(input: { authority: string; amountRials: number }): Promise<VerifyResult> {
    const amount = toGatewayAmount(input.amountRials, this.currency);
    const reply = await this.call('verify.json', { merchant_id: this.merchantId, amount, authority: input.authority });
    const { code, data } = resultOf(reply);
    if (code === 100 || code === 101) {
      const refId = data.ref_id === undefined || data.ref_id === null ? undefined : String(data.ref_id);
      const cardMask = typeof data.card_pan === 'string' && data.card_pan ? data.card_pan : undefined;
      return { status: code === 100 ? 'paid' : 'already_verified', refId, cardMask, code };
    }
    if (code !== undefined && NOT_PAID.has(code)) return { status: 'failed', code };
    throw failure('verification', code, reply);
  }

  async inquire(authority: string): Promise<InquiryResult> {
    const reply = await this.call('inquiry.json', { merchant_id: this.merchantId, authority });
    const { code, data } = resultOf(reply);
    if (code === 100) {
      const status = String(data.status ?? '').toUpperCase();
      const known: Record<string, InquiryResult['status']> = { VERIFIED: 'verified', PAID: 'paid', IN_BANK: 'in_bank', FAILED: 'failed', REVERSED: 'reversed' };
      return { status: known[status] ?? 'unknown', code };
    }
    if (code !== undefined && NOT_PAID.has(code)) return { status: 'unknown', code };
    throw failure('inquiry', code, reply);
  }

  /** The latest sessions that were paid but not verified (Zarinpal keeps the last 100), amounts in Rials. */
  async unverified(): Promise<{ authority: string; amountRials: number }[]> {
    const reply = await this.call('unVerified.json', { merchant_id: this.merchantId });
    const { code, data } = resultOf(reply);
    if (code !== 100) throw failure('unverified list', code, reply);
    const list = Array.isArray(data.authorities) ? data.authorities as { authority?: unknown; amount?: unknown }[] : [];
    return list
      .filter((a) => typeof a.authority === 'string' && Number.isFinite(Number(a.amount)))
      .map((a) => ({ authority: a.authority as string, amountRials: fromGatewayAmount(Number(a.amount), this.currency) }));
  }

  /** POSTs JSON to an endpoint of the v4 payment API; a reply that is not JSON, a 5xx, a timeout or a network failure is a retryable GatewayError. */
  private async call(endpoint: string, body: Record<string, unknown>): Promise<ZarinpalReply> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/pg/v4/payment/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError';
      throw new GatewayError(`zarinpal ${endpoint}: ${timedOut ? `no answer within ${this.timeoutMs} ms` : `unreachable (${(err as Error)?.message ?? err})`}`, { retryable: true, cause: err });
    }
    let text = '';
    try {
      text = await res.text();
      const parsed = JSON.parse(text) as Omit<ZarinpalReply, 'httpStatus'>;
      if (!parsed || typeof parsed !== 'object') throw new SyntaxError('not an object');
      return { ...parsed, httpStatus: res.status };
    } catch (err) {
      // A body cut off by the timeout, an HTML error page of a proxy, ...
      throw new GatewayError(`zarinpal ${endpoint}: HTTP ${res.status} without a JSON answer`, { retryable: res.status >= 500 || res.status === 429 || (err as Error)?.name === 'TimeoutError', cause: err });
    }
  }
}

/** The result code and data of a reply: data.code on success, errors.code on failure. */
function resultOf(reply: ZarinpalReply): { code: number | undefined; data: Record<string, unknown> } {
  const data = reply.data && !Array.isArray(reply.data) ? reply.data : {};
  const errors = reply.errors && !Array.isArray(reply.errors) ? reply.errors : undefined;
  const raw = data.code ?? errors?.code;
  const code = raw === undefined || raw === null || raw === '' ? undefined : Number(raw);
  return { code: Number.isFinite(code) ? code : undefined, data };
}

function failure(what: string, code: number | undefined, reply: ZarinpalReply): GatewayError {
  const errors = reply.errors && !Array.isArray(reply.errors) ? reply.errors : undefined;
  const message = errors?.message ?? (reply.data && !Array.isArray(reply.data) ? String(reply.data.message ?? '') : '');
  return new GatewayError(`zarinpal ${what} refused: code ${code ?? '?'}${message ? ` (${message})` : ''}`, { retryable: reply.httpStatus >= 500 || reply.httpStatus === 429 || (code !== undefined && RETRYABLE.has(code)), code });
}
