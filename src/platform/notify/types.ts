/** A text message to one mobile number. */
export interface SmsMessage {
  /** Canonical Iranian mobile number, 09XXXXXXXXX. */
  to: string;
  text: string;
  /** Idempotency key (the outbox row id); passed to the provider where it supports one. */
  localId?: string;
}

/** A one-time code, sent through the provider's template (verification) route. */
export interface OtpMessage {
  to: string;
  code: string;
  localId?: string;
}

/** What the provider said when it accepted a message. */
export interface SendResult {
  provider: string;
  /** The provider's id for the message, when it gives one. */
  providerRef: string | null;
}

/** Sends SMS; resolves only when the provider accepted the message, otherwise throws DeliveryError. */
export interface SmsChannel {
  readonly name: string;
  send(msg: SmsMessage): Promise<SendResult>;
  sendOtp(msg: OtpMessage): Promise<SendResult>;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Idempotency key (the outbox row id); becomes the Message-ID and the X-Pishkhan-Id header. */
  localId?: string;
}

/** Sends email; resolves only when the server accepted the message, otherwise throws DeliveryError. */
export interface EmailChannel {
  readonly name: string;
  send(msg: EmailMessage): Promise<SendResult>;
  /** Releases connections; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * A message was not delivered. `retryable` tells the outbox worker whether sending the same
 * message again later may succeed (network, timeout, provider outage) or never will (bad
 * number, rejected recipient, bad credentials). The message never contains secrets.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    message: string,
    readonly retryable: boolean,
    readonly providerStatus?: number | string,
  ) {
    super(message);
  }
}
