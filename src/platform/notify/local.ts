import type { EmailChannel, EmailMessage, OtpMessage, SendResult, SmsChannel, SmsMessage } from './types.js';

const LOCAL_RESULT: SendResult = { provider: 'local', providerRef: null };

/** Delivers nowhere and always succeeds: the outbox row itself is the record, shown at /dev/outbox. */
export class LocalSmsChannel implements SmsChannel {
  readonly name = 'local';

  async send(_msg: SmsMessage): Promise<SendResult> {
    return { ...LOCAL_RESULT };
  }

  async sendOtp(_msg: OtpMessage): Promise<SendResult> {
    return { ...LOCAL_RESULT };
  }
}

/** Delivers nowhere and always succeeds: the outbox row itself is the record, shown at /dev/outbox. */
export class LocalEmailChannel implements EmailChannel {
  readonly name = 'local';

  async send(_msg: EmailMessage): Promise<SendResult> {
    return { ...LOCAL_RESULT };
  }

  async close(): Promise<void> {}
}
