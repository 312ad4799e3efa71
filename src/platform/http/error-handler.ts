import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { AppError } from './errors.js';
import { UploadCutShort } from '../files/index.js';
import { sendPage, viewContext, wantsJson } from './context.js';
import { t } from '../i18n/messages.js';
import { ErrorPage } from '../views/error-page.js';

const DB_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

const BAD_TEXT = new Set(['22021', '22P05']);
const MULTIPART_BROKEN = /^(Multipart: Boundary not found|Boundary required|Unexpected end of multipart data|Malformed part header|Unsupported Content-Type\.|\w+ terminated early due to unexpected end of multipart data)$/;

/** Maps anything thrown to an expected error, or null when it is a bug (answered as a 500). */
export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const e = err as FastifyError & { code?: string; validation?: unknown };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const fields: Record<string, string> = {};
    for (const v of e.validation) {
      const path = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || String((v.params as { issue?: { path?: unknown[] } })?.issue?.path?.join('.') ?? '');
      const issue = (v.params as { issue?: { code?: string; input?: unknown } })?.issue;
      fields[path || 'body'] = issue?.input === undefined && issue?.code === 'invalid_type' ? 'common.required' : 'common.invalid_value';
    }
    return new AppError('common.invalid_input', 400, fields);
  }
  if (e?.code === 'FST_CSRF_INVALID_TOKEN' || e?.code === 'FST_CSRF_MISSING_SECRET') return new AppError('common.csrf', 403);
  if (e?.code && DB_DOWN.has(e.code)) return new AppError('common.unavailable', 503);
  // Text PostgreSQL cannot store (a NUL character, an invalid byte sequence) is bad input, not a bug.
  if (e?.code && BAD_TEXT.has(e.code)) return new AppError('common.invalid_input', 400);
  // A multipart body the parser cannot read (no boundary, cut short) is bad input, not a bug.
  if (err instanceof UploadCutShort || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || MULTIPART_BROKEN.test(String(e?.message))) return new AppError('common.invalid_input', 400, { body: 'common.invalid_value' });
  if (/Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(String(e?.message))) return new AppError('common.unavailable', 503);
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 429) return new AppError('common.rate_limited', 429, {}, { seconds: 60 });
    if (e.statusCode === 404) return new AppError('common.not_found', 404);
    return new AppError('common.invalid_input', e.statusCode, e.statusCode === 400 ? { body: 'common.invalid_value' } : {});
  }
  return null;
}

/** Sends an error the way the client understands: JSON with field messages, or a localized page. */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: AppError | null, isProduction: boolean): FastifyReply {
  const status = err?.status ?? 500;
  const code = err?.code ?? 'common.server_error';
  const message = t(req.locale ?? 'fa', code, { id: req.id, ...(err?.params ?? {}) });
  if (status === 429 && err?.params.seconds) reply.header('retry-after', String(err.params.seconds));
  if (status === 503) reply.header('retry-after', '5');
  if (wantsJson(req)) {
    const fields = Object.fromEntries(Object.entries(err?.fields ?? {}).map(([f, key]) => [f, t(req.locale ?? 'fa', key, err?.params ?? {})]));
    return reply.status(status).send({ error: { code, message, fields, request_id: req.id } });
  }
  const ctx = viewContext(req, reply, { isProduction });
  return sendPage(reply, h(ErrorPage, { ctx, status, message }), status);
}

/** Installs the error and not-found handlers: no stack trace ever reaches a client. */
export function installErrorHandlers(app: FastifyInstance, isProduction: boolean): void {
  app.setErrorHandler((error, req, reply) => {
    const appErr = toAppError(error);
    if (!appErr) req.log.error({ err: error }, 'unhandled error');
    else if (appErr.status >= 500) req.log.warn({ err: error }, 'service unavailable');
    return sendError(req, reply, appErr, isProduction);
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, new AppError('common.not_found', 404), isProduction));
}
