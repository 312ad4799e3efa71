/**
 * Webhook signatures (issue 8 contract).
 *
 * Header: `Pishkhan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${rawBody}`)>`.
 * Receivers recompute the HMAC over the exact raw body bytes and refuse the request when the
 * timestamp is more than `toleranceS` seconds away from their clock (replay protection).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Pishkhan-Signature';
export const EVENT_HEADER = 'Pishkhan-Event';
export const DELIVERY_HEADER = 'Pishkhan-Delivery';

function hmacHex(secret: string, t: number, body: string | Buffer): string {
  const h = createHmac('sha256', secret);
  h.update(`${t}.`);
  h.update(body);
  return h.digest('hex');
}

/** The value of the Pishkhan-Signature header for `body` signed at `nowMs`. */
export function signatureHeader(secret: string, body: string | Buffer, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/**
 * True when `header` carries a v1 signature of `body` made with `secret` and its timestamp is
 * within `toleranceS` seconds of `nowMs`. Comparison is constant-time; malformed headers are false.
 */
export function verifySignature(
  secret: string,
  body: string | Buffer,
  header: string | null | undefined,
  nowMs: number,
  toleranceS = 300,
): boolean {
  if (typeof header !== 'string' || header.length > 2000) return false;
  let t: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return false;
      t = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) {
      candidates.push(value.toLowerCase());
    }
  }
  if (t === null || candidates.length === 0) return false;
  if (Math.abs(nowMs / 1000 - t) > toleranceS) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  let ok = false;
  for (const c of candidates) {
    const got = Buffer.from(c, 'hex');
    if (got.length === expected.length && timingSafeEqual(got, expected)) ok = true;
  }
  return ok;
}
