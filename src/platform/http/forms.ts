import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';
import { toAppError } from './error-handler.js';
import type { ViewContext } from '../views/context.js';

export interface FormFailure {
  status: number;
  /** Field name -> localized message. */
  errors: Record<string, string>;
  /** A message for the whole form. */
  error: string;
}

/**
 * Turns a service error into what a form page shows beside its fields; rethrows bugs so they
 * reach the error handler as 500s.
 */
export function formFailure(ctx: ViewContext, err: unknown): FormFailure {
  const appErr = err instanceof AppError ? err : toAppError(err);
  if (!appErr || appErr.status >= 500) throw err;
  const errors = Object.fromEntries(Object.entries(appErr.fields).map(([f, key]) => [f, ctx.t(key, appErr.params)]));
  return { status: appErr.status, errors, error: ctx.t(appErr.code, appErr.params) };
}

/** The string fields of a urlencoded body (anything else is treated as absent). */
export function formValues(req: FastifyRequest): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, (v as string).slice(0, 2000)]));
}

/** A 303 redirect after a successful POST. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.redirect(location, 303);
}

/**
 * Checks a form's CSRF token for a multipart request. A multipart body is read as a stream
 * inside the handler, so the site's CSRF check runs there (on the token field, sent first)
 * before any file is stored, instead of in preValidation. Rejects with the plugin's error.
 */
export function checkMultipartCsrf(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, token: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const saved = req.body;
    req.body = { _csrf: token ?? '' };
    // The plugin answers a bad token through reply.send; this stand-in turns that into a rejection.
    const probe = Object.create(reply, { send: { value: (err: unknown) => { reject(err); return probe; } } }) as FastifyReply;
    try {
      app.csrfProtection(req, probe, () => resolve());
    } finally {
      req.body = saved;
    }
  });
}
