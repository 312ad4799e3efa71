import { KavenegarSmsChannel, type KavenegarOptions } from './kavenegar.js';
import { LocalEmailChannel, LocalSmsChannel } from './local.js';
import { SmtpEmailChannel } from './smtp.js';
import type { EmailChannel, SmsChannel } from './types.js';

export * from './types.js';
export { LocalEmailChannel, LocalSmsChannel } from './local.js';
export { KavenegarSmsChannel, isRetryableKavenegarStatus, type KavenegarOptions } from './kavenegar.js';
export { SmtpEmailChannel, type SmtpOptions } from './smtp.js';

export interface SmsChannelOptions {
  provider: 'local' | 'kavenegar';
  kavenegar?: KavenegarOptions;
}

export interface EmailChannelOptions {
  /** Without it mail is only recorded (local mode). */
  smtpUrl?: string;
  from: string;
  timeoutMs?: number;
}

/** Builds the configured SMS channel; throws at start-up when Kavenegar is chosen without its options. */
export function createSmsChannel(opts: SmsChannelOptions): SmsChannel {
  if (opts.provider === 'local') return new LocalSmsChannel();
  if (!opts.kavenegar) throw new Error('SMS provider "kavenegar" needs its options (apiKey, otpTemplate)');
  return new KavenegarSmsChannel(opts.kavenegar);
}

/** Builds the SMTP channel when an SMTP URL is given, otherwise the local (record-only) channel. */
export function createEmailChannel(opts: EmailChannelOptions): EmailChannel {
  if (!opts.smtpUrl) return new LocalEmailChannel();
  return new SmtpEmailChannel({ smtpUrl: opts.smtpUrl, from: opts.from, timeoutMs: opts.timeoutMs });
}
