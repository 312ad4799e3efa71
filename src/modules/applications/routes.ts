import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import multipart from '@fastify/multipart';
import { h } from 'preact';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import { routeKit } from '../../platform/http/route-kit.js';
import { sendPage } from '../../platform/http/context.js';
import { formFailure, seeOther, checkMultipartCsrf } from '../../platform/http/forms.js';
import { AppError, badInput, unauthorized } from '../../platform/http/errors.js';
import { t } from '../../platform/i18n/messages.js';
import { formatDate, type Locale } from '../../platform/i18n/format.js';
import type { ViewContext } from '../../platform/views/context.js';
import { DOCUMENT_TYPES } from '../catalog/definition.js';
import { resultLetter } from '../catalog/workflow.js';
import { errorReply } from '../identity/schemas.js';
import {
  ApplicationFormError, actionTitle, groupResultCode, newSubmitKey, normalizeResultCode, normalizeTrackingCode,
  type ApplicationSummary, type ApplicationView, type DocumentView, type EventView, type FormProblems,
} from './service.js';
import * as s from './schemas.js';
import { formInput } from './views/form.js';
import { ApplyFormPage, DocumentsPage, LetterDocument, MyApplicationPage, MyApplicationsPage, ReviewPage, SubmittedPage, TrackPage, TrackStatusPage, VerifyPage } from './views/pages.js';
import { problemMessages } from './views/parts.js';
import './messages.js';

// The largest document a definition may allow (max_mb <= 50); each document's own limit is
// checked by the service while the file streams in, so this is only the outer bound.
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024 + 1;
const publicLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } };

const LETTER_CSS = `body.pk-letter-body { background: #eef1f0; }
.pk-letter { max-width: 48rem; border: 1px solid #dde6e1; border-radius: .5rem; }
@media print {
  @page { size: A4; margin: 2cm; }
  body.pk-letter-body { background: #fff; }
  .pk-letter { border: 0; max-width: none; padding: 0 !important; margin: 0 !important; }
}
`;

const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());

/** The API's view of an application (snake_case, ISO times); staff see the applicant. */
export function applicationJson(a: ApplicationView) {
  return {
    id: a.id,
    tracking_code: a.trackingCode,
    org: a.org,
    service: { code: a.service.code, title: a.service.title, version: a.service.version },
    channel: a.channel,
    phase: a.phase,
    state: { key: a.state.key, title: a.state.title, waits_for: a.state.waitsFor, final: a.state.final },
    outcome: a.outcome,
    values: a.values as Record<string, unknown>,
    fees: a.fees,
    due_at: iso(a.dueAt),
    citizen_due_at: iso(a.citizenDueAt),
    deadline_status: a.deadlineStatus,
    created_at: iso(a.createdAt)!,
    submitted_at: iso(a.submittedAt),
    closed_at: iso(a.closedAt),
    updated_at: iso(a.updatedAt)!,
    rating: a.rating,
    rating_comment: a.ratingComment,
    result_code: a.resultCode ? groupResultCode(a.resultCode) : null,
    letter_url: a.resultCode ? `/applications/${a.id}/letter` : null,
    editable: a.editable,
    actions: a.actions.map((x) => ({ name: x.name, title: actionTitle(x, x.name), to: x.to, by: x.by, requires: x.requires, to_citizen: x.to_citizen })),
    documents: a.documents.map((d) => documentJson(a.id, d)),
    history: a.history.map(eventJson),
    citizen: a.citizen ? { id: a.citizen.id, mobile: a.citizen.mobile, national_code: a.citizen.nationalCode, first_name: a.citizen.firstName, last_name: a.citizen.lastName } : null,
    assignee_id: a.assigneeId,
  };
}

function documentJson(appId: string, d: DocumentView) {
  return { id: d.id, doc_key: d.docKey, filename: d.filename, mime: d.mime, size: d.size, sha256: d.sha256, uploaded_by: d.uploadedBy, created_at: iso(d.createdAt)!, url: `/api/v1/applications/${appId}/documents/${d.id}` };
}

function eventJson(e: EventView) {
  return {
    id: e.id, type: e.type, action: e.action, action_title: e.actionTitle, from_state: e.fromState, to_state: e.toState, to_state_title: e.toStateTitle,
    actor_kind: e.actorKind, actor_name: e.actorName, comment: e.comment, internal: e.internal, document_ids: e.documentIds, rating: e.rating, created_at: iso(e.createdAt)!,
  };
}

function summaryJson(a: ApplicationSummary) {
  return {
    id: a.id, tracking_code: a.trackingCode, org: a.org, service: a.service, phase: a.phase,
    state: { key: a.state.key, title: a.state.title, waits_for: a.state.waitsFor, final: a.state.final },
    outcome: a.outcome, channel: a.channel, due_at: iso(a.dueAt), created_at: iso(a.createdAt)!, submitted_at: iso(a.submittedAt), updated_at: iso(a.updatedAt)!,
  };
}

/** A form error whose field messages are rendered in the request's language (each with its own parameters). */
function localizedFormError(err: unknown, locale: Locale): unknown {
  if (!(err instanceof ApplicationFormError)) return err;
  const fields = Object.fromEntries(Object.entries(err.problems).map(([k, p]) => [k, t(locale, p.key, p.params)]));
  return new AppError(err.code, err.status, fields);
}

/** Runs a service call for the API, answering form problems with precise per-field messages. */
async function precise<T>(req: FastifyRequest, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw localizedFormError(err, req.locale);
  }
}

/** What a page shows for a failed call: per-field messages, a message for the whole form, the status. */
function pageFailure(ctx: ViewContext, err: unknown): { status: number; errors: Record<string, string>; error: string } {
  if (err instanceof ApplicationFormError) return { status: err.status, errors: problemMessages(ctx, err.problems), error: ctx.t(err.code) };
  return formFailure(ctx, err);
}

function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'file';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}


/** Citizen pages of applying, my applications, tracking, letters; and the JSON API of every citizen and staff action. */
export function applicationsRoutes(deps: AppDeps) {
  const { applications } = deps.services;
  const { ctxOf, signInFirst, signedIn, apiActor } = routeKit({ isProduction: deps.config.isProduction, clock: deps.clock });
  const params = (req: FastifyRequest) => req.params as Record<string, string>;
  const query = (req: FastifyRequest) => req.query as Record<string, string | undefined>;
  const bodyOf = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 4000) : Array.isArray(v) && typeof v[0] === 'string' ? String(v[0]).slice(0, 4000) : undefined);

  /** Where to go after the form: documents (if any), then the review for a draft or the application's page for a correction. */
  const afterForm = (a: ApplicationView) =>
    a.definition.documents.length ? `/applications/${a.id}/documents` : a.phase === 'draft' ? `/applications/${a.id}/review` : `/my/applications/${a.id}`;
  const notEditableGoTo = (a: ApplicationView) => (a.viewer === 'citizen' ? `/my/applications/${a.id}` : `/applications/${a.id}/submitted`);

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, parts: 12, fieldSize: 4096 } });

    // ---------- Applying: the form, documents, review, submission ----------

    const renderForm = (req: FastifyRequest, reply: FastifyReply, a: ApplicationView, extra: { values?: Record<string, unknown>; errors?: Record<string, string>; error?: string; notice?: string | null }, status = 200) =>
      sendPage(reply, h(ApplyFormPage, {
        ctx: ctxOf(req, reply), action: `/applications/${a.id}/edit`, orgName: a.org.name, serviceTitle: a.definition.title, def: a.definition,
        values: extra.values ?? a.values, errors: extra.errors, error: extra.error, notice: extra.notice, applicationId: a.id,
        correction: a.phase === 'draft' ? undefined : { trackingCode: a.trackingCode }, counterFor: a.channel === 'counter' && a.viewer === 'staff' ? a.citizen?.mobile : null,
      }), status);

    /** Saves the whole form page; on problems shows it again with everything typed, else moves on. */
    async function saveForm(req: FastifyRequest, reply: FastifyReply, id: string, input: Record<string, unknown>) {
      const intent = text(bodyOf(req).intent) === 'save' ? 'save' : 'continue';
      const r = await applications.saveDraft(req.actor, id, input, { mode: 'replace', complete: intent === 'continue' });
      if (Object.keys(r.errors).length) {
        const ctx = ctxOf(req, reply);
        return renderForm(req, reply, r.application, { values: r.input, errors: problemMessages(ctx, r.errors as FormProblems), error: ctx.t(intent === 'save' ? 'common.invalid_input' : 'application.incomplete') }, 400);
      }
      if (intent === 'save') return seeOther(reply, `/applications/${id}/edit?saved=1`);
      return seeOther(reply, afterForm(r.application));
    }

    app.get('/apply/:org/:service', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind === 'anonymous') return signInFirst(req, reply);
      if (req.actor.kind !== 'citizen') throw new AppError('application.channel_invalid', 403);
      const { org, service } = params(req);
      const info = await applications.applyInfo(req.actor, org!, service!);
      return sendPage(reply, h(ApplyFormPage, {
        ctx: ctxOf(req, reply), action: `/apply/${info.org.code}/${info.service.code}`, orgName: info.org.name, serviceTitle: info.service.title,
        def: info.definition, values: {}, drafts: info.drafts,
      }));
    });

    app.post('/apply/:org/:service', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind === 'anonymous') return signInFirst(req, reply);
      const { org, service } = params(req);
      const info = await applications.applyInfo(req.actor, org!, service!);
      const draft = await applications.startDraft(req.actor, info.org.code, info.service.code, 'web');
      return saveForm(req, reply, draft.id, formInput(info.definition, req.body));
    });

    app.get('/applications/:id/edit', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const a = await applications.get(req.actor, params(req).id!);
      if (!a.editable) return seeOther(reply, notEditableGoTo(a));
      return renderForm(req, reply, a, { notice: query(req).saved === '1' ? ctxOf(req, reply).t('apply.draft_saved') : null });
    });

    app.post('/applications/:id/edit', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const a = await applications.get(req.actor, params(req).id!);
      try {
        return await saveForm(req, reply, a.id, formInput(a.definition, req.body));
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = pageFailure(ctx, err);
        return renderForm(req, reply, a, { values: formInput(a.definition, req.body), errors: f.errors, error: f.error }, f.status);
      }
    });

    const renderDocuments = (req: FastifyRequest, reply: FastifyReply, a: ApplicationView, extra: { errors?: Record<string, string>; error?: string; notice?: string | null }, status = 200) =>
      sendPage(reply, h(DocumentsPage, { ctx: ctxOf(req, reply), app: a, ...extra, nextHref: a.phase === 'draft' ? `/applications/${a.id}/review` : `/my/applications/${a.id}` }), status);

    app.get('/applications/:id/documents', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const a = await applications.get(req.actor, params(req).id!);
      if (!a.editable) return seeOther(reply, notEditableGoTo(a));
      const ctx = ctxOf(req, reply);
      const notice = query(req).uploaded === '1' ? ctx.t('apply.docs_uploaded') : query(req).removed === '1' ? ctx.t('apply.docs_removed') : null;
      return renderDocuments(req, reply, a, { notice });
    });

    app.post('/applications/:id/documents', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const id = params(req).id!;
      if (!req.isMultipart()) throw badInput({ file: 'application.file_required' });
      const fields: Record<string, string> = {};
      let csrfError: unknown = null;
      let uploadError: unknown = null;
      let uploaded = false;
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = String(part.value ?? '').slice(0, 200);
          continue;
        }
        if (uploaded || uploadError || csrfError || part.fieldname !== 'file') {
          part.file.resume();
          continue;
        }
        try {
          await checkMultipartCsrf(app, req, reply, fields._csrf);
        } catch (err) {
          csrfError = err;
          part.file.resume();
          continue;
        }
        if (!part.filename) {
          part.file.resume();
          uploadError = new ApplicationFormError({ [fields.doc_key ?? 'file']: { key: 'application.file_required' } }, 'common.invalid_input');
          continue;
        }
        try {
          await applications.uploadDocument(req.actor, id, fields.doc_key ?? '', { filename: part.filename, content: part.file });
          uploaded = true;
        } catch (err) {
          uploadError = err;
        }
      }
      if (csrfError) throw csrfError;
      if (!uploaded && !uploadError) {
        await checkMultipartCsrf(app, req, reply, fields._csrf);
        uploadError = new ApplicationFormError({ [fields.doc_key ?? 'file']: { key: 'application.file_required' } }, 'common.invalid_input');
      }
      if (uploadError) {
        const a = await applications.get(req.actor, id);
        const f = pageFailure(ctxOf(req, reply), uploadError);
        if (!a.editable) return seeOther(reply, notEditableGoTo(a));
        return renderDocuments(req, reply, a, { errors: f.errors, error: f.error }, f.status);
      }
      return seeOther(reply, `/applications/${id}/documents?uploaded=1#doc-${encodeURIComponent(fields.doc_key ?? '')}-title`);
    });

    app.post('/applications/:id/documents/:docId/remove', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const { id, docId } = params(req);
      await applications.removeDocument(req.actor, id!, docId!);
      return seeOther(reply, `/applications/${id}/documents?removed=1`);
    });

    /** Sends a stored document as a download: never rendered inline, never sniffed, never cached by others. */
    async function sendDocument(req: FastifyRequest, reply: FastifyReply, id: string, docId: string) {
      const file = await applications.openDocument(apiActor(req), id, docId);
      return reply
        .header('content-type', file.mime)
        .header('content-length', String(file.size))
        .header('content-disposition', contentDisposition(file.filename))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(file.stream);
    }

    app.get('/applications/:id/documents/:docId', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      return sendDocument(req, reply, params(req).id!, params(req).docId!);
    });

    const renderReview = async (req: FastifyRequest, reply: FastifyReply, a: ApplicationView, error?: string, status = 200) => {
      const ctx = ctxOf(req, reply);
      const problems = problemMessages(ctx, await applications.problems(req.actor, a.id));
      return sendPage(reply, h(ReviewPage, { ctx, app: a, problems, submitKey: newSubmitKey(), error }), status);
    };

    app.get('/applications/:id/review', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const a = await applications.get(req.actor, params(req).id!);
      if (a.phase !== 'draft' || !a.editable) return seeOther(reply, notEditableGoTo(a));
      return renderReview(req, reply, a);
    });

    app.post('/applications/:id/submit', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const id = params(req).id!;
      try {
        await applications.submit(req.actor, id, text(bodyOf(req).submit_key) ?? '');
        return seeOther(reply, `/applications/${id}/submitted`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = pageFailure(ctx, err);
        const a = await applications.get(req.actor, id);
        if (a.phase !== 'draft') return seeOther(reply, notEditableGoTo(a));
        return renderReview(req, reply, a, f.error, f.status);
      }
    });

    app.get('/applications/:id/submitted', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const a = await applications.get(req.actor, params(req).id!);
      if (a.phase === 'draft') return seeOther(reply, `/applications/${a.id}/review`);
      return sendPage(reply, h(SubmittedPage, { ctx: ctxOf(req, reply), app: a }));
    });

    app.get('/applications/:id/letter', { schema: { hide: true } }, async (req, reply) => {
      if (!signedIn(req)) return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      const { application: a, holder, comment } = await applications.letter(req.actor, params(req).id!);
      const org = ctx.locale === 'en' && a.org.name.en ? a.org.name.en : a.org.name.fa;
      const facts = { tracking_code: a.trackingCode ?? '', org, date: formatDate(a.closedAt ?? 0, ctx.locale, 'long') };
      const body = resultLetter(a.definition, a.outcome as 'granted' | 'refused' | 'withdrawn', a.values, facts, ctx.locale) ?? ctx.t(`letter.default_${a.outcome}`, { tracking_code: facts.tracking_code });
      return sendPage(reply, h(LetterDocument, { ctx, app: a, holder, text: body, comment, verifyUrl: `${deps.config.publicUrl}/verify/${groupResultCode(a.resultCode!)}` }));
    });

    app.get('/applications/assets/letter.css', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(LETTER_CSS));

    // ---------- My applications ----------

    app.get('/my/applications', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return signInFirst(req, reply);
      return sendPage(reply, h(MyApplicationsPage, { ctx: ctxOf(req, reply), items: await applications.listForCitizen(req.actor) }));
    });

    const renderMine = (req: FastifyRequest, reply: FastifyReply, a: ApplicationView, extra: { errors?: Record<string, string>; error?: string; notice?: string | null; values?: Record<string, string> } = {}, status = 200) =>
      sendPage(reply, h(MyApplicationPage, { ctx: ctxOf(req, reply), app: a, ...extra }), status);

    app.get('/my/applications/:id', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return signInFirst(req, reply);
      const a = await applications.getForCitizen(req.actor, params(req).id!);
      if (a.phase === 'draft') return seeOther(reply, `/applications/${a.id}/edit`);
      const ctx = ctxOf(req, reply);
      const q = query(req);
      return renderMine(req, reply, a, { notice: q.done === '1' ? ctx.t('mine.acted') : q.saved === '1' ? ctx.t('apply.draft_saved') : null });
    });

    app.post('/my/applications/:id/actions', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return signInFirst(req, reply);
      const id = params(req).id!;
      const values = { action: text(bodyOf(req).action) ?? '', comment: text(bodyOf(req).comment) ?? '' };
      try {
        await applications.act(req.actor, id, { action: values.action, comment: values.comment });
        return seeOther(reply, `/my/applications/${id}?done=1`);
      } catch (err) {
        const f = pageFailure(ctxOf(req, reply), err);
        return renderMine(req, reply, await applications.getForCitizen(req.actor, id), { errors: f.errors, error: f.error, values }, f.status);
      }
    });

    app.post('/my/applications/:id/rating', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'citizen') return signInFirst(req, reply);
      const id = params(req).id!;
      const values = { rating: text(bodyOf(req).rating) ?? '', comment: text(bodyOf(req).comment) ?? '' };
      try {
        await applications.rate(req.actor, id, values.rating === '' ? Number.NaN : Number(values.rating.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d)))), values.comment);
        return seeOther(reply, `/my/applications/${id}`);
      } catch (err) {
        const f = pageFailure(ctxOf(req, reply), err);
        return renderMine(req, reply, await applications.getForCitizen(req.actor, id), { errors: f.errors, error: f.error, values }, f.status);
      }
    });

    // ---------- Public: tracking and letter verification ----------

    app.get('/track', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
      const raw = text(query(req).code);
      if (raw === undefined || raw.trim() === '') return sendPage(reply, h(TrackPage, { ctx: ctxOf(req, reply) }));
      const code = normalizeTrackingCode(raw);
      if (code) return seeOther(reply, `/track/${encodeURIComponent(code)}`);
      const ctx = ctxOf(req, reply);
      return sendPage(reply, h(TrackPage, { ctx, code: raw, error: ctx.t('track.not_found') }), 404);
    });

    app.get('/track/:code', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
      const code = params(req).code ?? '';
      try {
        const status = await applications.trackPublic(code);
        return sendPage(reply, h(TrackStatusPage, { ctx: ctxOf(req, reply), status }));
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 404) throw err;
        const ctx = ctxOf(req, reply);
        return sendPage(reply, h(TrackPage, { ctx, code: code.slice(0, 80), error: ctx.t('track.not_found') }), 404);
      }
    });

    app.get('/verify', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
      const raw = text(query(req).code);
      if (raw === undefined || raw.trim() === '') return sendPage(reply, h(VerifyPage, { ctx: ctxOf(req, reply) }));
      const code = normalizeResultCode(raw);
      if (code) return seeOther(reply, `/verify/${groupResultCode(code)}`);
      return sendPage(reply, h(VerifyPage, { ctx: ctxOf(req, reply), code: raw, invalid: true }), 404);
    });

    app.get('/verify/:code', { schema: { hide: true }, config: publicLimit }, async (req, reply) => {
      const code = params(req).code ?? '';
      try {
        const result = await applications.verifyResult(code);
        return sendPage(reply, h(VerifyPage, { ctx: ctxOf(req, reply), code: groupResultCode(result.resultCode), result }));
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 404) throw err;
        return sendPage(reply, h(VerifyPage, { ctx: ctxOf(req, reply), code: code.slice(0, 40), invalid: true }), 404);
      }
    });

    // ---------- JSON API ----------
    const tags = ['applications'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
    const errors = { 400: errorReply, 401: errorReply, 403: errorReply, 404: errorReply, 409: errorReply };

    api.post('/api/v1/applications', {
      schema: { tags, summary: 'Start a draft application of an adopted service (citizen: web/api; counter clerk: counter, for a walk-in citizen)', security, body: s.startBody, response: { 201: s.applicationReply, ...errors } },
    }, async (req, reply) => {
      const actor = apiActor(req);
      const b = req.body;
      const a = await precise(req, () => applications.startDraft(actor, b.org, b.service, b.channel, b.channel === 'counter' ? { citizenId: b.citizen?.id, mobile: b.citizen?.mobile } : undefined));
      return reply.status(201).send(applicationJson(a));
    });

    api.get('/api/v1/applications/:id', {
      config: { apiScope: ['applications.read', 'applications.act'] },
      schema: { tags, summary: 'An application: the owner sees it without internal notes; staff of its organization see everything', security, params: s.idParams, response: { 200: s.applicationReply, 400: errorReply, 401: errorReply, 404: errorReply } },
    }, async (req) => applicationJson(await applications.get(apiActor(req), req.params.id)));

    api.patch('/api/v1/applications/:id', {
      schema: { tags, summary: 'Change form values of a draft (or of an application returned for correction)', security, params: s.idParams, body: s.patchBody, response: { 200: s.applicationReply, ...errors } },
    }, async (req) => {
      const actor = apiActor(req);
      const r = await precise(req, () => applications.saveDraft(actor, req.params.id, req.body.values, { mode: 'merge', strict: true }));
      return applicationJson(r.application);
    });

    api.get('/api/v1/applications/:id/fees', {
      schema: { tags, summary: 'The fees the current answers come to, in Rials, with the municipality\'s tariff', security, params: s.idParams, response: { 200: s.feesReply, 400: errorReply, 401: errorReply, 404: errorReply } },
    }, async (req) => applications.feePreview(apiActor(req), req.params.id));

    api.get('/api/v1/applications/:id/problems', {
      schema: { tags, summary: 'What still stops the application from being submitted (missing or invalid answers and documents)', security, params: s.idParams, response: { 200: s.problemsReply, 400: errorReply, 401: errorReply, 404: errorReply } },
    }, async (req) => {
      const problems = await applications.problems(apiActor(req), req.params.id);
      return { problems: Object.fromEntries(Object.entries(problems).map(([k, p]) => [k, t(req.locale, p.key, p.params)])) };
    });

    api.post('/api/v1/applications/:id/documents', {
      schema: {
        tags, summary: 'Upload a document (multipart/form-data: the field doc_key first, then the file in "file"); its type is checked by content', security, params: s.idParams,
        consumes: ['multipart/form-data'], body: s.uploadBody,
        description: `Accepted types are those of the document in the service definition (${DOCUMENT_TYPES.join(', ')}); staff attach files to actions with doc_key "staff_attachment". Send it with a Bearer token.`,
        response: { 201: s.documentReply, ...errors, 413: errorReply, 507: errorReply },
      },
      // The body is a stream read below; its schema is there for the API documentation only.
      validatorCompiler: ({ httpPart, schema }) => (httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler({ schema: schema as never, method: 'POST', url: '', httpPart })),
    }, async (req, reply) => {
      const actor = apiActor(req);
      if (!req.isMultipart()) throw badInput({ file: 'application.file_required' });
      let docKey = '';
      let doc: DocumentView | null = null;
      let failure: unknown = null;
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === 'doc_key') docKey = String(part.value ?? '').slice(0, 64);
          continue;
        }
        if (doc || failure || part.fieldname !== 'file') {
          part.file.resume();
          continue;
        }
        try {
          doc = await applications.uploadDocument(actor, req.params.id, docKey, { filename: part.filename ?? '', content: part.file });
        } catch (err) {
          failure = err;
        }
      }
      if (failure) throw localizedFormError(failure, req.locale);
      if (!doc) throw localizedFormError(new ApplicationFormError({ file: { key: 'application.file_required' } }, 'common.invalid_input'), req.locale);
      return reply.status(201).send(documentJson(req.params.id, doc));
    });

    api.get('/api/v1/applications/:id/documents/:docId', {
      schema: { tags, summary: 'Download a document (its owner and staff of its organization only)', security, params: s.documentParams, response: { 200: s.documentFile, 400: errorReply, 401: errorReply, 404: errorReply } },
    }, async (req, reply) => sendDocument(req, reply, req.params.id, req.params.docId));

    api.delete('/api/v1/applications/:id/documents/:docId', {
      schema: { tags, summary: 'Remove an uploaded document of a draft (or of an application returned for correction)', security, params: s.documentParams, response: { 204: z.null().meta({ description: 'Removed' }), ...errors } },
    }, async (req, reply) => {
      await applications.removeDocument(apiActor(req), req.params.id, req.params.docId);
      return reply.status(204).send(null);
    });

    api.post('/api/v1/applications/:id/submit', {
      schema: { tags, summary: 'Submit a draft: checks every answer and document, assigns the tracking code, sends an SMS; repeating it returns the same application', security, params: s.idParams, body: s.submitBody, response: { 200: s.applicationReply, ...errors } },
    }, async (req) => {
      const actor = apiActor(req);
      return applicationJson(await precise(req, () => applications.submit(actor, req.params.id, req.body.submit_key)));
    });

    api.post('/api/v1/applications/:id/actions', {
      config: { apiScope: 'applications.act' },
      schema: { tags, summary: 'Take a workflow action (staff by their roles in the organization; the citizen their own actions such as resubmit); 409 when the application moved meanwhile', security, params: s.idParams, body: s.actionBody, response: { 200: s.applicationReply, ...errors } },
    }, async (req) => {
      const actor = apiActor(req);
      const b = req.body;
      return applicationJson(await precise(req, () => applications.act(actor, req.params.id, { action: b.action, comment: b.comment, internal: b.internal, documentIds: b.document_ids })));
    });

    api.post('/api/v1/applications/:id/notes', {
      schema: { tags, summary: 'Add an internal note (staff; never shown to the citizen)', security, params: s.idParams, body: s.noteBody, response: { 201: s.eventReply, ...errors } },
    }, async (req, reply) => {
      const actor = apiActor(req);
      const e = await precise(req, () => applications.addNote(actor, req.params.id, req.body.text));
      return reply.status(201).send(eventJson(e));
    });

    api.post('/api/v1/applications/:id/rating', {
      schema: { tags, summary: 'Rate a closed application once, 1-5 with an optional comment (its owner)', security, params: s.idParams, body: s.ratingBody, response: { 200: s.applicationReply, ...errors } },
    }, async (req) => {
      const actor = apiActor(req);
      return applicationJson(await precise(req, () => applications.rate(actor, req.params.id, req.body.rating, req.body.comment)));
    });

    api.get('/api/v1/my/applications', {
      schema: { tags, summary: 'The signed-in citizen\'s applications, drafts included, newest first', security, response: { 200: z.object({ items: z.array(s.summaryReply) }), 401: errorReply } },
    }, async (req) => {
      if (req.actor.kind !== 'citizen') throw unauthorized();
      return { items: (await applications.listForCitizen(req.actor)).map(summaryJson) };
    });

    api.get('/api/v1/track/:code', {
      config: publicLimit,
      schema: { tags, summary: 'Public status of an application by tracking code (no personal data)', params: s.codeParams, response: { 200: s.trackReply, 400: errorReply, 404: errorReply, 429: errorReply } },
    }, async (req) => {
      const st = await applications.trackPublic(req.params.code);
      return {
        tracking_code: st.trackingCode, org: st.org, service: st.service, phase: st.phase, state: { title: st.state.title, waits_for: st.state.waitsFor, final: st.state.final },
        outcome: st.outcome, due_at: iso(st.dueAt), submitted_at: iso(st.submittedAt)!, last_update_at: iso(st.lastUpdateAt)!,
      };
    });

    api.get('/api/v1/verify/:code', {
      config: publicLimit,
      schema: { tags, summary: 'Check a result letter by its verification code', params: s.codeParams, response: { 200: s.verifyReply, 400: errorReply, 404: errorReply, 429: errorReply } },
    }, async (req) => {
      const v = await applications.verifyResult(req.params.code);
      return {
        valid: true as const, result_code: groupResultCode(v.resultCode), tracking_code: v.trackingCode, org: v.org, service: v.service,
        outcome: v.outcome, closed_at: iso(v.closedAt)!, holder: v.holder,
      };
    });
  };
}
