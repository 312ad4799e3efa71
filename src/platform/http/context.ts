import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Actor } from '../core/index.js';
import type { Locale } from '../i18n/format.js';
import { makeViewContext, type ViewContext } from '../views/context.js';
import { renderPage } from '../views/render.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    locale: Locale;
    sessionToken: string | null;
    sessionInfo: { kind: 'citizen' | 'staff'; stage: 'full' | 'totp'; displayName: string } | null;
  }
}

export const SESSION_COOKIE = 'pk_session';
export const LANG_COOKIE = 'pk_lang';

/** What a CSRF token is bound to: a digest of the session cookie the browser sent ('-' when none). */
export function csrfUserInfo(req: FastifyRequest): string {
  const session = req.cookies[SESSION_COOKIE];
  return session ? createHash('sha256').update(session).digest('base64url') : '-';
}

/** The view context of this request: locale, user, a CSRF token for its forms. */
export function viewContext(req: FastifyRequest, reply: FastifyReply, opts: { isProduction: boolean; now?: number }): ViewContext {
  const user = req.sessionInfo?.stage === 'full' ? { kind: req.sessionInfo.kind, name: req.sessionInfo.displayName } : null;
  return makeViewContext({
    locale: req.locale,
    path: req.url,
    user,
    csrf: reply.generateCsrf({ userInfo: csrfUserInfo(req) }),
    isProduction: opts.isProduction,
    now: opts.now ?? Date.now(),
  });
}

/** Sends a rendered page with the given status. */
export function sendPage<P>(reply: FastifyReply, vnode: VNode<P>, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(renderPage(vnode));
}

/** True when the client wants JSON rather than a page (API paths, or an Accept header asking for JSON). */
export function wantsJson(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  if (path.startsWith('/api/') || path.startsWith('/open311/') || path.endsWith('.json')) return true;
  const accept = String(req.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** A path on this site to go to after sign-in; anything else (other hosts, schemes) becomes '/'. */
export function safeNext(next: unknown, fallback = '/'): string {
  // Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"), so any control
  // character, a backslash or a second leading slash sends the user home instead.
  if (typeof next !== 'string' || next.length > 2000 || !next.startsWith('/') || next.includes('\\')) return fallback;
  const hasControl = [...next].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
  if (hasControl || next.startsWith('//')) return fallback;
  // A Location header takes only ASCII: other characters (a Persian tag, a look-alike slash such
  // as U+2215) are percent-encoded, which also keeps them from reading as a second slash.
  try {
    return next.replace(/[^\x21-\x7e]/gu, (ch) => encodeURIComponent(ch));
  } catch {
    return fallback; // a lone surrogate cannot be encoded
  }
}
