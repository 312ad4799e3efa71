import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Clock } from '../../platform/core/index.js';
import { enqueue } from '../../platform/outbox/index.js';
import { AppError, badInput, notFound } from '../../platform/http/errors.js';
import { t } from '../../platform/i18n/messages.js';
import type { Locale } from '../../platform/i18n/format.js';
import { normalizePersian, toPersianDigits } from '../../platform/i18n/persian.js';
import * as q from './public-queries.js';
import './messages-public.js';

// "Send to a friend": the visitor gives a name and one address; the e-mail is a fixed template
// (the article's title, lead and link, the name as a name) so the form cannot relay free text.

export const SENDER_NAME_MAX = 60;
const EMAIL_MAX = 254;
const LEAD_MAX = 600;

/** How many shares are allowed; the per-address burst is also limited by @fastify/rate-limit. */
export interface ShareLimits {
  /** Shares per minute from one address (route rate limit). */
  perIpPerMinute: number;
  /** Shares per hour from one address (counted in news_shares, across processes). */
  perIpPerHour: number;
  perRecipientPerHour: number;
  perRecipientPerDay: number;
}
export const DEFAULT_SHARE_LIMITS: ShareLimits = { perIpPerMinute: 10, perIpPerHour: 20, perRecipientPerHour: 3, perRecipientPerDay: 10 };

export interface ShareInput { sender_name?: unknown; recipient_email?: unknown }

// A link in any usual spelling: a scheme, www., an e-mail-like @, or a dotted host name with
// a top-level domain of letters ("example.com", "bit.ly/x").
const LINK_LIKE = /(\b[a-z][a-z0-9+.-]*:\/\/|\bwww\.|@|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}\b|[\\/<>{}[\]|`])/i;
// Internationalized host names ("پیشخوان.ایران", "xn--...") and Persian-dotted ones written with the Arabic full stop.
const IDN_LIKE = /(\p{L}[\p{L}\p{N}-]*[.\u06D4]\s?(ایران|ir|com)(?![\p{L}\p{N}])|xn--)/iu;
// eslint-disable-next-line no-control-regex -- control characters (newlines included) are refused
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;
// Deliberately plain: local@domain.tld, ASCII, no spaces, quotes, or angle brackets.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The sender's name as a name: trimmed, normalized, no links, no line breaks; or the field's error key. */
export function checkSenderName(raw: unknown): { name: string } | { error: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { error: 'newsp.share.name_required' };
  if (CONTROL.test(raw)) return { error: 'newsp.share.name_plain' };
  const name = normalizePersian(raw);
  if (name.length < 2) return { error: 'newsp.share.name_short' };
  if (name.length > SENDER_NAME_MAX) return { error: 'newsp.share.name_long' };
  if (LINK_LIKE.test(name) || IDN_LIKE.test(name)) return { error: 'newsp.share.name_plain' };
  return { name };
}

/** One recipient address, lower-cased; or the field's error key. */
export function checkRecipient(raw: unknown): { email: string } | { error: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { error: 'newsp.share.email_required' };
  const email = raw.trim();
  if (email.length > EMAIL_MAX || !EMAIL.test(email) || email.includes('..')) return { error: 'newsp.share.email_invalid' };
  return { email: email.toLowerCase() };
}

/** The link to send: absolute, from PUBLIC_URL. */
export const articleUrl = (publicUrl: string, code: number) => `${publicUrl}/news/${code}`;

/** The fixed e-mail: subject and text from the article and the sender's name only. */
export function shareEmail(locale: Locale, a: { title: string; lead: string; code: number }, senderName: string, publicUrl: string) {
  const lead = a.lead.length > LEAD_MAX ? `${a.lead.slice(0, LEAD_MAX - 1)}…` : a.lead;
  const code = locale === 'fa' ? toPersianDigits(String(a.code)) : String(a.code);
  return {
    subject: t(locale, 'newsp.share.email_subject', { title: a.title.slice(0, 150) }),
    text: t(locale, 'newsp.share.email_text', { name: senderName, title: a.title, lead, link: articleUrl(publicUrl, a.code), code }),
  };
}

/** The key the route rate limit counts shares under: the client's address. */
export const shareRateLimit = (perMinute: number) => ({
  rateLimit: { max: perMinute, timeWindow: '1 minute', hook: 'preHandler' as const, keyGenerator: (req: FastifyRequest) => `news-share:${req.ip}` },
});

/** Sends articles to friends through the outbox, within the per-address and per-recipient limits. */
export function createNewsShare(deps: { db: DB; clock: Clock; secret: string; publicUrl: string; limits?: ShareLimits; onOutbox?: () => void }) {
  const limits = deps.limits ?? DEFAULT_SHARE_LIMITS;
  const hash = (kind: string, v: string) => createHmac('sha256', deps.secret).update(`news-share:${kind}:${v}`).digest('hex');
  return {
    limits,
    /**
     * Checks the form, the limits (per recipient per hour and day, per address per hour: 429),
     * then writes the share row and the e-mail to the outbox in one transaction. Errors name the field.
     */
    async share(code: number, input: ShareInput, from: { ip: string; locale: Locale }): Promise<{ to: string }> {
      const name = checkSenderName(input.sender_name);
      const to = checkRecipient(input.recipient_email);
      const errors: Record<string, string> = {};
      if ('error' in name) errors.sender_name = name.error;
      if ('error' in to) errors.recipient_email = to.error;
      if ('error' in name || 'error' in to) throw badInput(errors);
      const now = deps.clock.now();
      const article = await q.articleByCode(deps.db, now, code);
      if (!article) throw notFound('newsp.not_found');
      const recipientHash = hash('to', to.email);
      const ipHash = hash('ip', from.ip);
      const hour = 3_600_000;
      const [lastHour, lastDay, fromIp] = await Promise.all([
        q.sharesToRecipientSince(deps.db, recipientHash, now - hour),
        q.sharesToRecipientSince(deps.db, recipientHash, now - 24 * hour),
        q.sharesFromIpSince(deps.db, ipHash, now - hour),
      ]);
      if (lastHour >= limits.perRecipientPerHour || lastDay >= limits.perRecipientPerDay) {
        throw new AppError('newsp.share.too_many_recipient', 429, { recipient_email: 'newsp.share.too_many_recipient' }, { seconds: lastHour >= limits.perRecipientPerHour ? 3600 : 86_400 });
      }
      if (fromIp >= limits.perIpPerHour) throw new AppError('newsp.share.too_many_ip', 429, {}, { seconds: 3600 });
      const mail = shareEmail(from.locale, article, name.name, deps.publicUrl);
      await inTransaction(deps.db, async (tx) => {
        await q.insertShare(tx, { id: newId(), article_id: article.id, recipient_hash: recipientHash, ip_hash: ipHash, created_at: now });
        await enqueue(tx, { topic: 'email.send', orgId: article.org_id, payload: { to: to.email, subject: mail.subject, text: mail.text } }, now);
      });
      deps.onOutbox?.();
      return { to: to.email };
    },
  };
}

export type NewsShare = ReturnType<typeof createNewsShare>;
