import type { DB } from '../../platform/db/index.js';
import { newId, type Clock } from '../../platform/core/index.js';
import { PermanentFailure, type OutboxHandler } from '../../platform/outbox/index.js';
import { markOtpSendFailed } from '../identity/queries.js';
import type { EmailChannel, SmsChannel } from '../../platform/notify/index.js';
import { t } from '../../platform/i18n/messages.js';
import type { Locale } from '../../platform/i18n/format.js';
import * as q from './queries.js';

export interface MessageHandlerDeps {
  db: DB;
  sms: SmsChannel;
  email: EmailChannel;
  clock: Clock;
  /** In production one-time codes are not kept in the message record. */
  redactSecrets: boolean;
}

/**
 * Outbox handlers for SMS and email. Delivery is at least once: a message already recorded
 * for this outbox row is not sent again, and the provider gets the outbox id as its local id.
 */
export function messageHandlers(deps: MessageHandlerDeps): Record<string, OutboxHandler> {
  const alreadySent = async (outboxId: string) => Boolean(await q.messageForOutbox(deps.db, outboxId));
  const record = (outboxId: string, orgId: string | null, channel: 'sms' | 'email', recipient: string, subject: string | null, body: string, provider: string, providerRef: string | null) =>
    q.recordMessage(deps.db, { id: newId(), outbox_id: outboxId, org_id: orgId, channel, recipient, subject, body, provider, provider_ref: providerRef, created_at: deps.clock.now() });

  return {
    'sms.otp': async (msg) => {
      if (await alreadySent(msg.id)) return;
      const p = msg.payload as { to: string; code: string; locale?: Locale; challenge?: string; expires_at?: number };
      // A sign-in code lives two minutes and the citizen is waiting for it: one that cannot be
      // sent now (the provider failing, or the worker reaching it too late) is never sent later
      // as a stale code. Its challenge is marked, so the citizen is told to ask again, may do so
      // at once, and the failure counts against no limit.
      const undeliverable = async (why: string): Promise<never> => {
        if (p.challenge) await markOtpSendFailed(deps.db, p.challenge, deps.clock.now());
        throw new PermanentFailure(why);
      };
      if (p.expires_at !== undefined && deps.clock.now() >= p.expires_at) await undeliverable('the code expired before it could be sent');
      // The record shows the text the citizen got; in production with the code masked.
      const body = t(p.locale ?? 'fa', 'auth.otp_sms', { code: deps.redactSecrets ? '******' : p.code });
      let res: Awaited<ReturnType<SmsChannel['sendOtp']>>;
      try {
        res = await deps.sms.sendOtp({ to: p.to, code: p.code, localId: msg.id });
      } catch (err) {
        return undeliverable(String((err as Error)?.message ?? err));
      }
      await record(msg.id, msg.orgId, 'sms', p.to, null, body, res.provider, res.providerRef);
    },
    'sms.send': async (msg) => {
      if (await alreadySent(msg.id)) return;
      const p = msg.payload as { to: string; text: string };
      const res = await deps.sms.send({ to: p.to, text: p.text, localId: msg.id });
      await record(msg.id, msg.orgId, 'sms', p.to, null, p.text, res.provider, res.providerRef);
    },
    'email.send': async (msg) => {
      if (await alreadySent(msg.id)) return;
      const p = msg.payload as { to: string; subject: string; text: string; html?: string };
      const res = await deps.email.send({ to: p.to, subject: p.subject, text: p.text, html: p.html, localId: msg.id });
      await record(msg.id, msg.orgId, 'email', p.to, p.subject, p.text, res.provider, res.providerRef);
    },
  };
}
