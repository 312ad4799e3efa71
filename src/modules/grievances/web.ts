import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import * as s from './schemas.js';
import { ReportFormPage, ReportListPage } from './views/pages.js';
import './messages.js';

/** City problem reports (۱۳۷): the citizen's and the public's pages. */
export function grievancesWeb(deps: AppDeps) {
  const { grievances } = deps.services;
  const isProduction = deps.config.isProduction;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const categoryOptions = async () => {
    // One entry per code: every demo municipality takes the same categories; the place decides the municipality.
    const seen = new Map<string, { code: string; title: { fa: string; en: string } }>();
    for (const c of await grievances.categories()) if (!seen.has(c.code)) seen.set(c.code, { code: c.code, title: { fa: c.title_fa, en: c.title_en } });
    return [...seen.values()];
  };

  return async function plugin(app: FastifyInstance) {
    // ---------- Pages ----------

    app.get('/report', { schema: { hide: true } }, async (req, reply) => {
      const filed = (req.query as { filed?: string }).filed;
      return sendPage(reply, h(ReportFormPage, { ctx: ctxOf(req, reply), categories: await categoryOptions(), filed: filed && /^[A-Z0-9-]{1,40}$/.test(filed) ? filed : undefined }));
    });

    app.post('/report', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      const values = formValues(req);
      const ctx = ctxOf(req, reply);
      const parsed = s.fileReportBody.safeParse({ ...values, address: values.address || undefined });
      try {
        if (!parsed.success) {
          const errors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'body'), ctx.t('common.invalid_value')]));
          return sendPage(reply, h(ReportFormPage, { ctx, categories: await categoryOptions(), values, errors, error: ctx.t('common.invalid_input') }), 400);
        }
        const filed = await grievances.file(req.actor, parsed.data);
        return seeOther(reply, `/report?filed=${encodeURIComponent(filed.tracking_code)}`);
      } catch (err) {
        const f = formFailure(ctx, err);
        return sendPage(reply, h(ReportFormPage, { ctx, categories: await categoryOptions(), values, errors: f.errors, error: f.error }), f.status);
      }
    });

    app.get('/my/reports', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return seeOther(reply, `/login?next=${encodeURIComponent(req.url)}`);
      const ctx = ctxOf(req, reply);
      return sendPage(reply, h(ReportListPage, { ctx, title: ctx.t('report.my_title'), rows: await grievances.mine(req.actor) }));
    });

    app.get('/reports', { schema: { hide: true } }, async (req, reply) => {
      const query = s.publicListQuery.safeParse(req.query);
      const ctx = ctxOf(req, reply);
      return sendPage(reply, h(ReportListPage, { ctx, title: ctx.t('report.public_title'), rows: await grievances.publicList(query.success ? query.data : {}) }));
    });

  };
}
