import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../wiring.js';
import multipart from '@fastify/multipart';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { badInput, notFound, unauthorized } from '../../platform/http/errors.js';
import { MAX_PHOTOS, MAX_PHOTO_BYTES, type PublicReport, type PublicReportDetail, type ReportDetail, type ReportView, type StoredPhoto } from './service.js';
import * as s from './schemas.js';
import { filingLimit } from './limits.js';
import { refuseNulBytes } from './input.js';
import './messages.js';

const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());
const reportJson = (r: ReportView) => ({ ...r, due_at: iso(r.due_at), created_at: iso(r.created_at)!, updated_at: iso(r.updated_at)!, resolved_at: iso(r.resolved_at) });
const publicJson = <T extends PublicReport>(r: T) => ({ ...r, created_at: iso(r.created_at)!, updated_at: iso(r.updated_at)!, resolved_at: iso(r.resolved_at) });
const detailJson = (r: ReportDetail) => ({
  ...reportJson(r), updates: r.updates.map((u) => ({ ...u, created_at: iso(u.created_at)! })), photos: r.photos, can_reopen: r.can_reopen, can_rate: r.can_rate,
});
const publicDetailJson = (r: PublicReportDetail) => ({ ...publicJson(r), updates: r.updates.map((u) => ({ ...u, created_at: iso(u.created_at)! })), photos: r.photos });

/** City problem reports (۱۳۷): the JSON API for citizens, the public and staff. */
export function grievancesRoutes(deps: AppDeps) {
  const { grievances } = deps.services;

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    app.addHook('preValidation', refuseNulBytes);

    // ---------- JSON API ----------
    const tags = ['reports'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

    api.post('/api/v1/reports', {
      config: filingLimit(deps.config.reportsPerMinute),
      schema: {
        tags, summary: 'File a city problem report; it goes to the municipality whose area contains the point', security,
        description: 'Signed-in citizens; anonymous callers only in categories the municipality allows. The citizen gets the tracking code by SMS. A point outside every municipality answers 400 with field errors on lat and lng.',
        body: s.fileReportBody, response: { 201: s.fileReportReply, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 429: s.errorReply },
      },
    }, async (req, reply) => {
      const r = await grievances.file(req.actor, req.body);
      return reply.status(201).send({ id: r.id, tracking_code: r.tracking_code, org: r.org, state: r.state });
    });

    api.get('/api/v1/reports/nearby', {
      schema: { tags, summary: 'Open reports of the same category within 250 m of a point: possible duplicates to follow instead', querystring: s.nearbyQuery, response: { 200: s.nearbyReply, 400: s.errorReply } },
    }, async (req) => ({ items: (await grievances.nearby(req.query.lat, req.query.lng, req.query.category)).map(publicJson) }));

    api.get('/api/v1/my/reports', {
      schema: { tags, summary: 'Your reports', security, response: { 200: s.reportListReply, 401: s.errorReply } },
    }, async (req) => ({ items: (await grievances.mine(req.actor)).map(reportJson) }));

    api.get('/api/v1/my/reports/:id', {
      schema: { tags, summary: 'One of your reports with its public updates and photos', security, params: s.idParams, response: { 200: s.reportDetail, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => detailJson(await grievances.mineOne(req.actor, req.params.id)));

    await app.register(async (scoped) => {
      await scoped.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: MAX_PHOTOS, fields: 5, parts: MAX_PHOTOS + 5, fieldSize: 1024 } });
      scoped.withTypeProvider<ZodTypeProvider>().post('/api/v1/my/reports/:id/photos', {
        schema: {
          tags, summary: 'Add photos to your open report (multipart/form-data, parts named "photos")', security, params: s.idParams,
          consumes: ['multipart/form-data'], body: s.photoUploadBody,
          response: { 201: s.photosReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply, 413: s.errorReply },
        },
        // The body is a stream read below; its schema is there for the API documentation only.
        validatorCompiler: ({ httpPart, schema }) => (httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler({ schema: schema as never, method: 'POST', url: '', httpPart })),
      }, async (req, reply) => {
        if (req.actor.kind !== 'citizen') throw unauthorized();
        if (!req.isMultipart()) throw badInput({ photos: 'report.photo_required' });
        const stored: StoredPhoto[] = [];
        let failure: unknown = null;
        for await (const part of req.parts()) {
          if (part.type === 'field') continue;
          if (failure || part.fieldname !== 'photos') {
            part.file.resume();
            continue;
          }
          try {
            stored.push(await grievances.acceptPhoto(part.file));
          } catch (err) {
            failure = err;
          }
        }
        try {
          if (failure) throw failure;
          if (stored.length === 0) throw badInput({ photos: 'report.photo_required' });
          return reply.status(201).send({ items: await grievances.addPhotos(req.actor, req.params.id, stored) });
        } catch (err) {
          await grievances.discardPhotos(stored);
          throw err;
        }
      });
    });

    api.post('/api/v1/my/reports/:id/reopen', {
      schema: {
        tags, summary: 'Reopen your resolved report (within 10 days of its resolution)', security, params: s.idParams, body: s.reopenBody,
        description: 'The report becomes open again (state reopened) with a new deadline. 409 when it is not resolved or the 10 days have passed.',
        response: { 200: s.report, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply },
      },
    }, async (req) => reportJson(await grievances.reopen(req.actor, req.params.id, req.body)));

    api.post('/api/v1/my/reports/:id/rating', {
      schema: {
        tags, summary: 'Rate the result of your closed report, 1 to 5, once', security, params: s.idParams, body: s.ratingBody,
        response: { 200: s.report, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply },
      },
    }, async (req) => reportJson(await grievances.rate(req.actor, req.params.id, req.body)));

    api.get('/api/v1/public/reports/:code', {
      schema: { tags, summary: 'One report by tracking code, as the public sees it (no personal data)', params: s.codeParams, response: { 200: s.publicReportDetail, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => publicDetailJson(await grievances.publicGet(req.params.code)));

    app.get('/reports/photos/:id', { schema: { hide: true } }, async (req, reply) => {
      const id = (req.params as { id: string }).id;
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw notFound();
      const p = await grievances.photo(req.actor, id);
      return reply.header('content-type', p.content_type).header('content-length', p.size).header('cache-control', 'private, max-age=300')
        .header('x-content-type-options', 'nosniff').send(p.stream);
    });

    api.get('/api/v1/public/reports', {
      schema: { tags, summary: 'Reports of a municipality and category with their state, without personal data', querystring: s.publicListQuery, response: { 200: s.publicListReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => ({ items: (await grievances.publicList(req.query)).map(publicJson) }));

    api.get('/api/v1/staff/reports', {
      config: { apiScope: ['reports.read', 'reports.write'] },
      schema: { tags, summary: 'Reports of the organizations where you triage reports', security, querystring: s.staffListQuery, response: { 200: s.reportListReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      if (req.actor.kind !== 'staff' && req.actor.kind !== 'api_client') throw unauthorized();
      const { overdue, ...rest } = req.query;
      return { items: (await grievances.staffList(req.actor, { ...rest, overdue: overdue !== undefined })).map(reportJson) };
    });

    api.get('/api/v1/staff/reports/:id', {
      config: { apiScope: ['reports.read', 'reports.write'] },
      schema: { tags, summary: 'One report with every update (internal notes too) and every photo (hidden ones too)', security, params: s.idParams, response: { 200: s.reportDetail, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => detailJson(await grievances.staffGet(req.actor, req.params.id)));

    api.post('/api/v1/reports/:id/assign', {
      schema: {
        tags, summary: 'Assign a report to a department and/or an officer of its organization (managers, org admins)', security, params: s.idParams, body: s.assignBody,
        response: { 200: s.report, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply },
      },
    }, async (req) => reportJson(await grievances.assign(req.actor, req.params.id, req.body)));

    api.post('/api/v1/reports/:id/comment', {
      config: { apiScope: 'reports.write' },
      schema: {
        tags, summary: 'Comment on a report: to the citizen (by SMS, and shown publicly) or as an internal note', security, params: s.idParams, body: s.commentBody,
        response: { 200: s.report, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply },
      },
    }, async (req) => reportJson(await grievances.comment(req.actor, req.params.id, req.body)));

    api.post('/api/v1/reports/:id/moderate', {
      schema: {
        tags, summary: "Moderate a report: redact or hide its description, hide or show photos (managers, org admins); the original is kept in the audit log", security, params: s.idParams, body: s.moderateBody,
        response: { 200: s.report, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply },
      },
    }, async (req) => reportJson(await grievances.moderate(req.actor, req.params.id, req.body)));

    api.post('/api/v1/reports/:id/state', {
      config: { apiScope: 'reports.write' },
      schema: {
        tags, summary: 'Move a report to another state, with a comment to the citizen or an internal note', security,
        description: 'Allowed: received or reopened -> in_progress, scheduled, resolved, transferred, duplicate, rejected; in_progress -> scheduled, resolved, transferred, duplicate, rejected; scheduled -> in_progress, resolved, rejected. rejected and transferred require a comment (the reason; the organization transferred to); duplicate requires duplicate_of (a report of the same municipality). Another municipality\'s report answers 404.',
        params: s.idParams, body: s.stateBody, response: { 200: s.report, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply },
      },
    }, async (req) => reportJson(await grievances.changeState(req.actor, req.params.id, req.body)));
  };
}
