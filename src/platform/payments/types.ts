/**
 * The one interface every payment gateway adapter implements. Pishkhan counts money in integer
 * Rials everywhere; an adapter converts to its gateway's unit explicitly (Zarinpal may be set to
 * Tomans) and refuses an amount it cannot charge exactly.
 */

/** The unit a gateway charges in: Rials, or Tomans (1 Toman = 10 Rials). */
export type GatewayCurrency = 'IRR' | 'IRT';

export interface PaymentRequest {
  /** What to charge, in Rials (a positive integer). */
  amountRials: number;
  /** Shown to the payer on the bank page (the gateway may cut it to its limit). */
  description: string;
  /** Where the gateway sends the payer back to, with `Authority` and `Status` in the query. */
  callbackUrl: string;
  mobile?: string;
  email?: string;
  /** Our payment id, for the gateway's reports. */
  orderId: string;
}

export interface PaymentStart {
  /** The gateway's id of this payment session; the callback names it. */
  authority: string;
  /** Where to send the payer to pay: the gateway's address, or a path on this site (the sandbox bank). */
  redirectUrl: string;
}

/**
 * What the gateway says about a payment when asked to verify it: 'paid' (verified now),
 * 'already_verified' (verified before, e.g. by a concurrent callback), 'failed' (not paid, or
 * not for this amount), 'pending' (the payer is still at the bank).
 */
export interface VerifyResult {
  status: 'paid' | 'already_verified' | 'failed' | 'pending';
  /** The bank's reference number (shown on receipts). */
  refId?: string;
  /** The payer's card, masked by the gateway (e.g. 502229******5995). */
  cardMask?: string;
  /** The gateway's own result code (Zarinpal: 100, 101, -50, -51, ...). */
  code?: number;
  /** When the gateway reports the amount it charged, in Rials: the caller checks it. */
  amountRials?: number;
}

/** The state of a payment session without verifying it (Zarinpal's inquiry). */
export interface InquiryResult {
  status: 'verified' | 'paid' | 'in_bank' | 'failed' | 'reversed' | 'unknown';
  code?: number;
}

export interface PaymentGateway {
  /** 'sandbox', 'zarinpal'; stored on each payment. */
  readonly name: string;
  readonly currency: GatewayCurrency;
  /** The origin payers are redirected to (for the pages' CSP form-action); null when it is this site. */
  readonly redirectOrigin: string | null;
  /** Opens a payment session for the amount; throws GatewayError when the gateway refuses or does not answer. */
  request(req: PaymentRequest): Promise<PaymentStart>;
  /** Where to send the payer for a session opened before (a second tab reuses the session). */
  redirectUrlFor(authority: string): string;
  /** Verifies (and so settles with the bank) a session for the amount we stored; throws GatewayError when the gateway cannot be asked. */
  verify(input: { authority: string; amountRials: number }): Promise<VerifyResult>;
  /** Asks the state of a session without verifying it, when the gateway can. */
  inquire?(authority: string): Promise<InquiryResult>;
}

/**
 * The gateway could not be asked or refused the call. `retryable`: asking again later may
 * succeed (a timeout, a network failure, a 5xx, a rate limit); otherwise the request itself or
 * the merchant's set-up is wrong.
 */
export class GatewayError extends Error {
  readonly retryable: boolean;
  readonly code: number | undefined;
  constructor(message: string, opts: { retryable: boolean; code?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'GatewayError';
    this.retryable = opts.retryable;
    this.code = opts.code;
  }
}

/** An amount of Rials in the gateway's unit; throws (not retryable) when it is not a whole number of that unit. */
export function toGatewayAmount(amountRials: number, currency: GatewayCurrency): number {
  if (!Number.isSafeInteger(amountRials) || amountRials <= 0) throw new GatewayError(`amount must be a positive whole number of Rials, got ${amountRials}`, { retryable: false });
  if (currency === 'IRR') return amountRials;
  if (amountRials % 10 !== 0) throw new GatewayError(`${amountRials} Rials is not a whole number of Tomans`, { retryable: false });
  return amountRials / 10;
}

/** An amount in the gateway's unit as Rials. */
export function fromGatewayAmount(amount: number, currency: GatewayCurrency): number {
  return currency === 'IRR' ? amount : amount * 10;
}
