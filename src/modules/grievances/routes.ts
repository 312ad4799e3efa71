import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../wiring.js';
import { unauthorized } from '../../platform/http/errors.js';
import type { PublicReport, ReportView } from './service.js';
import * as s from './schemas.js';
import './messages.js';

const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());
const reportJson = (r: ReportView) => ({ ...r, due_at: iso(r.due_at), created_at: iso(r.created_at)!, updated_at: iso(r.updated_at)!, resolved_at: iso(r.resolved_at) });
const publicJson = <T extends PublicReport>(r: T) => ({ ...r, created_at: iso(r.created_at)!, resolved_at: iso(r.resolved_at) });

/** City problem reports (۱۳۷): the JSON API for citizens, the public and staff. */
export function grievancesRoutes(deps: AppDeps) {
  const { grievances } = deps.services;

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();

    // ---------- JSON API ----------
    const tags = ['reports'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

    api.post('/api/v1/reports', {
      schema: {
        tags, summary: 'File a city problem report; it goes to the municipality whose area contains the point', security,
        description: 'Signed-in citizens; anonymous callers only in categories the municipality allows. The citizen gets the tracking code by SMS. A point outside every municipality answers 400 with field errors on lat and lng.',
        body: s.fileReportBody, response: { 201: s.fileReportReply, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply },
      },
    }, async (req, reply) => {
      const r = await grievances.file(req.actor, req.body);
      return reply.status(201).send({ tracking_code: r.tracking_code, org: r.org, state: r.state });
    });

    api.get('/api/v1/reports/nearby', {
      schema: { tags, summary: 'Open reports of the same category within 250 m of a point: possible duplicates to follow instead', querystring: s.nearbyQuery, response: { 200: s.nearbyReply, 400: s.errorReply } },
    }, async (req) => ({ items: (await grievances.nearby(req.query.lat, req.query.lng, req.query.category)).map(publicJson) }));

    api.get('/api/v1/my/reports', {
      schema: { tags, summary: 'Your reports', security, response: { 200: s.reportListReply, 401: s.errorReply } },
    }, async (req) => ({ items: (await grievances.mine(req.actor)).map(reportJson) }));

    api.get('/api/v1/public/reports', {
      schema: { tags, summary: 'Reports of a municipality and category with their state, without personal data', querystring: s.publicListQuery, response: { 200: s.publicListReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => ({ items: (await grievances.publicList(req.query)).map(publicJson) }));

    api.get('/api/v1/staff/reports', {
      schema: { tags, summary: 'Reports of the organizations where you triage reports', security, querystring: s.staffListQuery, response: { 200: s.reportListReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      if (req.actor.kind !== 'staff') throw unauthorized();
      return { items: (await grievances.staffList(req.actor, req.query)).map(reportJson) };
    });

    api.post('/api/v1/reports/:id/state', {
      schema: {
        tags, summary: 'Move a report to another state, with a comment to the citizen or an internal note', security,
        description: 'Allowed: received -> in_progress, scheduled, resolved, transferred, duplicate, rejected; in_progress -> scheduled, resolved, transferred, duplicate, rejected; scheduled -> in_progress, resolved, rejected. rejected requires a comment; duplicate requires duplicate_of (a report of the same municipality). Another municipality\'s report answers 404.',
        params: s.idParams, body: s.stateBody, response: { 200: s.report, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply },
      },
    }, async (req) => reportJson(await grievances.changeState(req.actor, req.params.id, req.body)));
  };
}
