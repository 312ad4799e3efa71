import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { AppError } from '../../platform/http/errors.js';
import { t } from '../../platform/i18n/messages.js';
import { groupResultCode, normalizeResultCode } from '../applications/service.js';
import { ClearanceRefused, type ClearanceView } from './clearance.js';
import * as s from './levies-schemas.js';
import { CertificateDocument, ClearancePage, ClearanceVerifyPage } from './views/clearance.js';
import './messages-levies.js';

const publicLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } };
// Issuing writes a row: fewer per address than reading.
const issueLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };
const iso = (n: number) => new Date(n).toISOString();

const CERTIFICATE_CSS = `body.pk-cert-body { background: #eef1f0; }
.pk-cert { max-width: 48rem; border: 3px double #1f5f4a; border-radius: .5rem; }
@media print {
  @page { size: A4; margin: 2cm; }
  body.pk-cert-body { background: #fff; }
  .pk-cert { max-width: none; margin: 0 !important; }
}
`;

/** Clearance certificates (مفاصاحساب): asking for one, the printable certificate, public verification; and their API. */
export function clearanceRoutes(deps: AppDeps) {
  const { clearance, orgs } = deps.services;
  const isProduction = deps.config.isProduction;
  const publicUrl = deps.config.publicUrl.replace(/\/$/, '');
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const municipalities = async () => (await orgs.list()).filter((o) => o.kind === 'municipality').map((o) => ({ code: o.code, name: o.name }));
  const verifyPath = (c: ClearanceView) => `/clearance/verify/${groupResultCode(c.verifyCode)}`;
  const certificatePath = (c: ClearanceView) => `/clearance/certificate/${groupResultCode(c.verifyCode)}`;
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);

  const certificateJson = (c: ClearanceView) => ({
    number: c.number, verify_code: groupResultCode(c.verifyCode), verify_url: `${publicUrl}${verifyPath(c)}`, certificate_url: `${publicUrl}${certificatePath(c)}`,
    org: c.org, property_code: c.propertyCode, periods_through: c.periodsThrough, bills_checked: c.billsChecked,
    issued_at: iso(c.issuedAt), valid_until: iso(c.validUntil), current: c.current,
  });

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();

    const renderForm = async (req: FastifyRequest, reply: FastifyReply, extra: { values?: Record<string, string>; errors?: Record<string, string>; error?: string; unpaid?: ClearanceRefused['unpaid'] } = {}, status = 200) =>
      sendPage(reply, h(ClearancePage, { ctx: ctxOf(req, reply), municipalities: await municipalities(), values: extra.values ?? {}, errors: extra.errors, error: extra.error, unpaid: extra.unpaid }), status);

    app.get('/clearance', { schema: { hide: true } }, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      return renderForm(req, reply, { values: { org: str(q.org) ?? '', property_code: str(q.property_code) ?? '' } });
    });

    app.post('/clearance', { schema: { hide: true }, preValidation: app.csrfProtection, config: issueLimit }, async (req, reply) => {
      const values = formValues(req);
      try {
        const cert = await clearance.issue(req.actor, { org: values.org ?? '', property_code: values.property_code ?? '' });
        return seeOther(reply, certificatePath(cert));
      } catch (err) {
        const ctx = ctxOf(req, reply);
        if (err instanceof ClearanceRefused) return renderForm(req, reply, { values, unpaid: err.unpaid }, 409);
        const f = formFailure(ctx, err);
        // An unknown property is a problem of the property code field, not a missing page.
        const errors = f.status === 404 ? { property_code: f.error } : f.errors;
        return renderForm(req, reply, { values, errors, error: f.status === 404 ? ctx.t('common.invalid_input') : f.error }, f.status);
      }
    });

    app.get('/clearance/certificate/:code', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
      const cert = await clearance.verify(String((req.params as { code?: string }).code ?? '').slice(0, 40));
      return sendPage(reply, h(CertificateDocument, { ctx: ctxOf(req, reply), cert, verifyUrl: `${publicUrl}${verifyPath(cert)}` }));
    });

    app.get('/clearance/assets/certificate.css', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CERTIFICATE_CSS));

    app.get('/clearance/verify', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
      const raw = str((req.query as Record<string, unknown>).code);
      if (raw === undefined || raw.trim() === '') return sendPage(reply, h(ClearanceVerifyPage, { ctx: ctxOf(req, reply) }));
      const code = normalizeResultCode(raw);
      if (code) return seeOther(reply, `/clearance/verify/${groupResultCode(code)}`);
      return sendPage(reply, h(ClearanceVerifyPage, { ctx: ctxOf(req, reply), code: raw, invalid: true }), 404);
    });

    app.get('/clearance/verify/:code', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
      const code = String((req.params as { code?: string }).code ?? '').slice(0, 40);
      try {
        const cert = await clearance.verify(code);
        return sendPage(reply, h(ClearanceVerifyPage, { ctx: ctxOf(req, reply), code: groupResultCode(cert.verifyCode), cert }));
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 404) throw err;
        return sendPage(reply, h(ClearanceVerifyPage, { ctx: ctxOf(req, reply), code, invalid: true }), 404);
      }
    });

    // ---------- JSON API ----------
    const tags = ['levies'];

    api.post('/api/v1/clearance', {
      config: issueLimit,
      schema: {
        tags, summary: 'Issue a clearance certificate (مفاصاحساب) for a property when none of its renewal levies is unpaid; 409 names the unpaid ones',
        description: 'Anyone may ask (the certificate carries no personal data). Asked again the same day with nothing changed, the same certificate is returned. 404 when the municipality has no renewal levy on record for the property.',
        body: s.clearanceBody, response: { 201: s.clearanceReply, 400: s.errorReply, 404: s.errorReply, 409: s.clearanceRefusedReply, 429: s.errorReply },
      },
    }, async (req, reply) => {
      try {
        return reply.status(201).send(certificateJson(await clearance.issue(req.actor, req.body)));
      } catch (err) {
        if (!(err instanceof ClearanceRefused)) throw err;
        return reply.status(409).send({
          error: { code: err.code, message: t(req.locale, err.code, err.params), fields: { property_code: t(req.locale, 'clearance.unpaid_field', err.params) }, request_id: req.id },
          unpaid: err.unpaid.map((b) => ({ bill_id: b.id, bill_code: b.billCode, period: b.period, amount: b.amount, due_at: b.dueAt === null ? null : iso(b.dueAt) })),
        });
      }
    });

    api.get('/api/v1/clearance/verify/:code', {
      config: publicLimit,
      schema: { tags, summary: 'Check a clearance certificate by its verification code', params: s.codeParams, response: { 200: s.clearanceReply, 404: s.errorReply, 429: s.errorReply } },
    }, async (req) => certificateJson(await clearance.verify(req.params.code)));
  };
}
