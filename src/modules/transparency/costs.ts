/**
 * What an organization spent delivering its services in a period (for cost per transaction):
 * entered by its admins, one amount per org x period x service (or the whole org when no service).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { orgScope } from '../../platform/auth/access.js';
import { appendAudit } from '../../platform/audit/index.js';
import { badInput, notFound, unauthorized } from '../../platform/http/errors.js';
import { errorReply } from '../identity/schemas.js';
import { formatPeriod, parsePeriod } from './periods.js';
import './messages-costs.js';

export interface OrgCost {
  period: string;
  service: string | null;
  cost_rials: number;
  note: string | null;
  created_at: number;
}

export interface CostInput {
  period: string;
  service?: string | null;
  cost_rials: number;
  note?: string | null;
}

/**
 * Sets (replaces) the org's cost for the period and service; org admins only (others: 404).
 * Writes the row and the audit entry in one transaction.
 */
export async function setOrgCost(db: DB, clock: Clock, actor: Actor, orgCode: string, input: CostInput): Promise<OrgCost> {
  if (actor.kind !== 'staff') throw unauthorized();
  const org = await db.selectFrom('orgs').select(['id']).where('code', '=', orgCode).executeTakeFirst();
  if (!org) throw notFound();
  orgScope(actor, org.id, 'org.staff.manage');
  const period = parsePeriod(String(input.period ?? ''));
  if (!period) throw badInput({ period: 'transparency.period_invalid' });
  if (!Number.isSafeInteger(input.cost_rials) || input.cost_rials < 0) throw badInput({ cost_rials: 'transparency.cost_invalid' });
  const service = input.service ? String(input.service) : null;
  if (service && !(await db.selectFrom('service_templates').select('id').where('code', '=', service).executeTakeFirst())) {
    throw badInput({ service: 'transparency.service_unknown' });
  }
  const now = clock.now();
  const row = { period: formatPeriod(period), service, cost_rials: input.cost_rials, note: input.note?.trim() || null, created_at: now };
  await inTransaction(db, async (tx) => {
    let del = tx.deleteFrom('org_costs').where('org_id', '=', org.id).where('period', '=', row.period);
    del = service === null ? del.where('service_code', 'is', null) : del.where('service_code', '=', service);
    await del.execute();
    await tx.insertInto('org_costs').values({ id: newId(), org_id: org.id, period: row.period, service_code: service, cost_rials: row.cost_rials, note: row.note, entered_by: actor.id, created_at: now }).execute();
    await appendAudit(tx, actor, { orgId: org.id, action: 'transparency.cost_set', entity: 'org', entityId: org.id, data: { period: row.period, service, cost_rials: row.cost_rials } }, now);
  });
  return row;
}

/** The org's entered costs, newest period first; public (they are published as cost per transaction). */
export async function orgCosts(db: DB, orgCode: string): Promise<OrgCost[]> {
  const org = await db.selectFrom('orgs').select(['id']).where('code', '=', orgCode).executeTakeFirst();
  if (!org) throw notFound();
  const rows = await db.selectFrom('org_costs').select(['period', 'service_code', 'cost_rials', 'note', 'created_at']).where('org_id', '=', org.id).orderBy('period', 'desc').execute();
  return rows.map((r) => ({ period: r.period, service: r.service_code, cost_rials: Number(r.cost_rials), note: r.note, created_at: Number(r.created_at) }));
}

const costJson = z.object({ period: z.string(), service: z.string().nullable(), cost_rials: z.number().int(), note: z.string().nullable(), created_at: z.string() });
const toJson = (c: OrgCost) => ({ ...c, created_at: new Date(c.created_at).toISOString() });

/** PUT/GET /api/v1/orgs/:org/costs. Register with app.register(costRoutes, { db, clock }). */
export async function costRoutes(app: FastifyInstance, opts: { db: DB; clock: Clock }): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const params = z.object({ org: z.string().min(1).max(64) });
  api.put('/api/v1/orgs/:org/costs', {
    schema: {
      tags: ['transparency'], summary: 'Set the organization\'s cost of delivering its services (or one service) in a period, for cost per transaction (org admins)',
      params, body: z.object({ period: z.string(), service: z.string().nullable().optional(), cost_rials: z.number().int().min(0), note: z.string().max(500).nullable().optional() }),
      response: { 200: costJson, 400: errorReply, 401: errorReply, 404: errorReply },
    },
  }, async (req) => toJson(await setOrgCost(opts.db, opts.clock, req.actor, req.params.org, req.body)));
  api.get('/api/v1/orgs/:org/costs', {
    schema: { tags: ['transparency'], summary: 'The costs the organization entered, by period', params, response: { 200: z.object({ items: z.array(costJson) }), 404: errorReply } },
  }, async (req) => ({ items: (await orgCosts(opts.db, req.params.org)).map(toJson) }));
}
