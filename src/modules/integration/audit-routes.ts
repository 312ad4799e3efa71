/**
 * The audit chain check for council members and the province admin: GET /api/v1/audit/verify
 * and the page /staff/audit. Both run the same verification as `pishkhan audit verify`.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import type { Actor } from '../../platform/core/index.js';
import { verifyAudit, type AuditVerification } from '../../platform/audit/index.js';
import { mayAct } from '../../platform/auth/access.js';
import { forbidden } from '../../platform/http/errors.js';
import { routeKit } from '../../platform/http/route-kit.js';
import { sendPage } from '../../platform/http/context.js';
import { errorReply } from '../identity/schemas.js';
import { AuditCheckPage } from './views/audit.js';
import './messages-clients.js';

/** True for council members and the province admin (the audit log spans every organization). */
export function mayVerifyAudit(actor: Actor): boolean {
  return actor.kind === 'staff' && actor.memberships.some((m) => mayAct(actor, m.orgId, 'audit.verify'));
}

export const auditVerifyReply = z.object({
  ok: z.boolean(),
  entries: z.number().int().meta({ description: 'Entries checked (intact ones, before the first bad entry if any)' }),
  first_bad_entry: z.object({ seq: z.number().int(), reason: z.enum(['edited', 'missing_before', 'reordered']) }).optional(),
}).meta({ example: { ok: false, entries: 41, first_bad_entry: { seq: 42, reason: 'edited' } } });

const toJson = (r: AuditVerification) => ({ ok: r.ok, entries: r.checked, ...(r.problem ? { first_bad_entry: r.problem } : {}) });

export function integrationAuditRoutes(deps: AppDeps) {
  const kit = routeKit({ isProduction: deps.config.isProduction, clock: deps.clock });
  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    api.get('/api/v1/audit/verify', {
      schema: {
        tags: ['audit'], security: [{ bearer: [] }, { session: [] }],
        summary: 'Recompute the audit hash chain and name the first edited, deleted or reordered entry',
        description: 'For council members and the province admin (403 for other staff). The same check as the command `pishkhan audit verify`.',
        response: { 200: auditVerifyReply, 401: errorReply, 403: errorReply },
      },
    }, async (req) => {
      const actor = kit.apiActor(req);
      if (!mayVerifyAudit(actor)) throw forbidden();
      return toJson(await verifyAudit(deps.db));
    });

    app.get('/staff/audit', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return kit.signInFirst(req, reply, '/staff/login');
      if (!mayVerifyAudit(req.actor)) throw forbidden();
      const result = await verifyAudit(deps.db);
      return sendPage(reply, h(AuditCheckPage, { ctx: kit.ctxOf(req, reply), result }));
    });
  };
}
