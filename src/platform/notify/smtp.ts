import nodemailer from 'nodemailer';
import type { NodemailerError, SendMailOptions } from 'nodemailer';
import { DeliveryError } from './types.js';
import type { EmailChannel, EmailMessage, SendResult } from './types.js';

export interface SmtpOptions {
  /** e.g. smtp://user:pass@mail.example.ir:587 or smtps://...:465; never appears in errors. */
  smtpUrl: string;
  /** From address, e.g. "پیشخوان <no-reply@sari.ir>". */
  from: string;
  /** Longest wait for connecting, the greeting, and each reply; default 30 s. */
  timeoutMs?: number;
}

/* Failures without an SMTP reply that a later attempt may get past: the connection, not the message. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EPROXY', 'EPROTOCOL']);

/** Sends UTF-8 mail over SMTP; throws DeliveryError, retryable unless the server refused for good (5xx). */
export class SmtpEmailChannel implements EmailChannel {
  readonly name = 'smtp';
  private readonly transporter;
  private readonly domain: string;

  constructor(private readonly options: SmtpOptions) {
    const timeout = options.timeoutMs ?? 30_000;
    this.transporter = nodemailer.createTransport({
      url: options.smtpUrl,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.domain = /@([^\s>]+)>?\s*$/.exec(options.from)?.[1] ?? 'pishkhan.invalid';
  }

  /**
   * Sends one message; with a localId the Message-ID is derived from it and X-Pishkhan-Id carries
   * it, so a retried outbox row produces the same Message-ID and can be traced in server logs.
   */
  async send(msg: EmailMessage): Promise<SendResult> {
    const mail: SendMailOptions = { from: this.options.from, to: msg.to, subject: msg.subject, text: msg.text };
    if (msg.html !== undefined) mail.html = msg.html;
    if (msg.localId) {
      mail.messageId = `<${msg.localId.replace(/[^A-Za-z0-9._-]/g, '_')}.pishkhan@${this.domain}>`;
      mail.headers = { 'X-Pishkhan-Id': msg.localId };
    }
    try {
      const info = await this.transporter.sendMail(mail);
      return { provider: this.name, providerRef: info.messageId ?? null };
    } catch (err) {
      throw toDeliveryError(err as NodemailerError);
    }
  }

  /** Closes pooled connections, if any. */
  async close(): Promise<void> {
    this.transporter.close();
  }
}

function toDeliveryError(err: NodemailerError): DeliveryError {
  const code = err.code ?? 'EUNKNOWN';
  if (typeof err.responseCode === 'number') {
    // RFC 5321: 5yz is a permanent refusal (503 only means bad command order), 4yz is transient.
    const permanent = err.permanent ?? (err.responseCode >= 500 && err.responseCode < 600 && err.responseCode !== 503);
    const reply = (err.response ?? '').slice(0, 200);
    return new DeliveryError(`SMTP ${err.command ?? ''} refused: ${reply}`.replace(/\s+/g, ' ').trim(), !permanent, err.responseCode);
  }
  // No reply: a connection problem is worth retrying; bad credentials, envelope or message are not.
  const reason = err.originalCode ? `${code}/${err.originalCode}` : code;
  return new DeliveryError(`SMTP delivery failed (${reason})`, TRANSIENT_CODES.has(code), code);
}
