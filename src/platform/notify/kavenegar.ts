import { DeliveryError } from './types.js';
import type { OtpMessage, SendResult, SmsChannel, SmsMessage } from './types.js';

/*
 * Kavenegar REST API v1 (https://kavenegar.com/rest.html and the official SDKs
 * kavenegar-node, kavenegar-php, kavenegar-go):
 *   POST {base}/v1/{API-KEY}/sms/send.json       receptor, message, sender?, localid?
 *   POST {base}/v1/{API-KEY}/verify/lookup.json  receptor, token, template
 * Body is form-urlencoded UTF-8. Every answer is JSON
 *   { "return": { "status": 200, "message": "تایید شد" }, "entries": [ { "messageid": 8792343, ... } ] }
 * and on failure the HTTP status repeats return.status (e.g. 411 with a JSON body).
 */

export interface KavenegarOptions {
  apiKey: string;
  /** Sender line; when absent Kavenegar uses the account's default line. */
  sender?: string;
  /** Name of the verify/lookup template approved in the Kavenegar panel; must contain %token%. */
  otpTemplate: string;
  baseUrl?: string;
  timeoutMs?: number;
}

/*
 * Kavenegar statuses that a later retry of the same request may get past. Everything else
 * below 500 (bad receptor 411, bad sender 412, empty/long text 413, bad key 403, disabled
 * account 401, missing template 424, bad token 431/432, ...) fails again until a person
 * changes the input or the configuration, so the outbox should stop and show it.
 *   402 operation failed, 409 server cannot answer now, 429 IP limited, 451 too many calls.
 *   418 insufficient credit: an operator tops the account up and the waiting messages then
 *       go out; dropping every notification during a credit outage would be worse. The outbox
 *       should alert on repeated 418s rather than give up on them.
 * At or above 500 the server failed, except two documented account answers that do not heal:
 *   501 test accounts may only send to the owner's number, 607 invalid tag name.
 */
const RETRYABLE_STATUSES = new Set([402, 409, 418, 429, 451]);
const PERMANENT_SERVER_STATUSES = new Set([501, 607]);

/** Whether Kavenegar's return.status (or the bare HTTP status) is worth retrying. */
export function isRetryableKavenegarStatus(status: number): boolean {
  if (RETRYABLE_STATUSES.has(status)) return true;
  if (PERMANENT_SERVER_STATUSES.has(status)) return false;
  return status >= 500 || status === 408;
}

const RECEPTOR = /^09\d{9}$/;

interface KavenegarEntry {
  messageid?: number | string;
  status?: number;
}

interface KavenegarBody {
  return?: { status?: number; message?: string };
  entries?: KavenegarEntry[] | KavenegarEntry | null;
}

/** Sends SMS and OTP codes through Kavenegar; throws DeliveryError that never contains the API key. */
export class KavenegarSmsChannel implements SmsChannel {
  readonly name = 'kavenegar';
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: KavenegarOptions) {
    if (!options.apiKey) throw new Error('Kavenegar: apiKey is required');
    if (!options.otpTemplate) throw new Error('Kavenegar: otpTemplate is required');
    this.baseUrl = (options.baseUrl ?? 'https://api.kavenegar.com').replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Sends free text; localId goes to Kavenegar as `localid` so the message can be traced to its outbox row. */
  async send(msg: SmsMessage): Promise<SendResult> {
    const params: Record<string, string> = { receptor: checkReceptor(msg.to), message: msg.text };
    if (this.options.sender) params.sender = this.options.sender;
    if (msg.localId) params.localid = msg.localId;
    return this.call('sms/send', params);
  }

  /** Sends a code through the configured verify/lookup template (the route Iranian operators deliver fastest). */
  async sendOtp(msg: OtpMessage): Promise<SendResult> {
    // verify/lookup takes no localid; the code itself must be one token without spaces (status 431).
    return this.call('verify/lookup', { receptor: checkReceptor(msg.to), token: msg.code, template: this.options.otpTemplate });
  }

  private async call(method: string, params: Record<string, string>): Promise<SendResult> {
    const url = `${this.baseUrl}/v1/${encodeURIComponent(this.options.apiKey)}/${method}.json`;
    let httpStatus: number;
    let text: string;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      httpStatus = res.status;
      text = await res.text();
    } catch (err) {
      throw new DeliveryError(`Kavenegar ${method}: ${this.describeFailure(err)}`, true);
    }

    const body = parseJson(text);
    const returned = body?.return?.status;
    if (returned === 200 && httpStatus === 200) {
      // Accepted: never retry from here on, or the citizen gets the message twice.
      const entries = body?.entries;
      const entry = Array.isArray(entries) ? entries[0] : entries;
      return { provider: this.name, providerRef: entry?.messageid != null ? String(entry.messageid) : null };
    }
    if (!body || returned === undefined) {
      // Not Kavenegar speaking (a proxy, a gateway page): judge by the HTTP status alone.
      const retryable = httpStatus < 400 || isRetryableKavenegarStatus(httpStatus);
      throw new DeliveryError(`Kavenegar ${method}: HTTP ${httpStatus} without a Kavenegar answer`, retryable, httpStatus);
    }
    const status = returned !== 200 ? returned : httpStatus;
    const detail = body.return?.message ? ` (${this.redact(body.return.message)})` : '';
    throw new DeliveryError(`Kavenegar ${method}: status ${status}${detail}`, isRetryableKavenegarStatus(status), status);
  }

  private describeFailure(err: unknown): string {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return `no answer within ${this.timeoutMs} ms`;
    }
    const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
    const reason = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    return `network error (${this.redact(reason)})`;
  }

  private redact(text: string): string {
    const key = this.options.apiKey;
    return text.split(key).join('***').split(encodeURIComponent(key)).join('***');
  }
}

function checkReceptor(to: string): string {
  if (!RECEPTOR.test(to)) throw new DeliveryError('Kavenegar: receptor is not a mobile number of the form 09XXXXXXXXX', false);
  return to;
}

function parseJson(text: string): KavenegarBody | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as KavenegarBody) : null;
  } catch {
    return null;
  }
}
