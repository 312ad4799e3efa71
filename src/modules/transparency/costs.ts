/**
 * What an organization spent delivering its services in a period (for cost per transaction):
 * entered by its admins, one amount per org x period x service (or the whole org when no service).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { mayAct, orgScope } from '../../platform/auth/access.js';
import { appendAudit } from '../../platform/audit/index.js';
import { badInput, notFound, unauthorized } from '../../platform/http/errors.js';
import { errorReply } from '../identity/schemas.js';
import { normalizePersian } from '../../platform/i18n/persian.js';
import { formatPeriod, parsePeriod } from './periods.js';
import { forgetKpis } from './kpi.js';
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

/** The organization of a code, if the actor may manage its costs (org admins, the province admin); otherwise 404. */
async function managedOrg(db: DB, actor: Actor, orgCode: string): Promise<{ id: string; code: string }> {
  if (actor.kind !== 'staff') throw unauthorized();
  const org = await db.selectFrom('orgs').select(['id', 'code']).where('code', '=', String(orgCode)).executeTakeFirst();
  if (!org) throw notFound();
  orgScope(actor, org.id, 'org.staff.manage');
  return org;
}

/** The services an organization adopted (enabled or not, so past costs stay editable), with their titles. */
export async function adoptedServices(db: DB, orgId: string): Promise<{ code: string; title: { fa: string; en: string } }[]> {
  const rows = await db.selectFrom('org_services as s').innerJoin('service_templates as t', 't.id', 's.template_id').innerJoin('service_template_versions as v', 'v.id', 's.version_id')
    .select(['t.code', 'v.title_fa', 'v.title_en']).where('s.org_id', '=', orgId).orderBy('t.code').execute();
  return rows.map((r) => ({ code: r.code, title: { fa: r.title_fa, en: r.title_en || r.title_fa } }));
}

function costPeriod(input: unknown): string {
  const period = parsePeriod(String(input ?? ''));
  if (!period) throw badInput({ period: 'transparency.period_invalid' });
  return formatPeriod(period);
}

function costsOf(tx: Tx | DB, orgId: string, period: string, service: string | null) {
  const q = tx.selectFrom('org_costs').select(['id', 'cost_rials', 'note']).where('org_id', '=', orgId).where('period', '=', period);
  return (service === null ? q.where('service_code', 'is', null) : q.where('service_code', '=', service)).execute();
}

/**
 * Sets (replaces) the org's cost for the period and service; org admins only (others: 404). The
 * service must be one the org adopted. Writes the row and the audit entry (before and after) in
 * one transaction; the dashboards' kept figures are dropped, so they show the new cost at once.
 */
export async function setOrgCost(db: DB, clock: Clock, actor: Actor, orgCode: string, input: CostInput): Promise<OrgCost> {
  const org = await managedOrg(db, actor, orgCode);
  const period = costPeriod(input.period);
  const errors: Record<string, string> = {};
  if (!Number.isSafeInteger(input.cost_rials) || input.cost_rials < 0) errors.cost_rials = 'transparency.cost_invalid';
  const service = input.service ? String(input.service) : null;
  if (service && !(await adoptedServices(db, org.id)).some((s) => s.code === service)) errors.service = 'transparency.service_unknown';
  if (Object.keys(errors).length) throw badInput(errors);
  const now = clock.now();
  const row = { period, service, cost_rials: input.cost_rials, note: normalizePersian(String(input.note ?? '')).slice(0, 500) || null, created_at: now };
  await inTransaction(db, async (tx) => {
    const before = await costsOf(tx, org.id, period, service);
    let del = tx.deleteFrom('org_costs').where('org_id', '=', org.id).where('period', '=', row.period);
    del = service === null ? del.where('service_code', 'is', null) : del.where('service_code', '=', service);
    await del.execute();
    await tx.insertInto('org_costs').values({ id: newId(), org_id: org.id, period: row.period, service_code: service, cost_rials: row.cost_rials, note: row.note, entered_by: actor.id, created_at: now }).execute();
    await appendAudit(tx, actor, {
      orgId: org.id, action: 'transparency.cost_set', entity: 'org', entityId: org.id,
      data: { period: row.period, service, cost_rials: row.cost_rials, note: row.note, before: before[0] ? { cost_rials: Number(before[0].cost_rials), note: before[0].note } : null },
    }, now);
  });
  forgetKpis(db);
  return row;
}

/** Removes the org's cost for the period and service (404 when there is none, or for anyone but its admins), with its audit entry. */
export async function removeOrgCost(db: DB, clock: Clock, actor: Actor, orgCode: string, input: { period: string; service?: string | null }): Promise<void> {
  const org = await managedOrg(db, actor, orgCode);
  const period = costPeriod(input.period);
  const service = input.service ? String(input.service) : null;
  const now = clock.now();
  await inTransaction(db, async (tx) => {
    const before = await costsOf(tx, org.id, period, service);
    if (before.length === 0) throw notFound();
    await tx.deleteFrom('org_costs').where('id', 'in', before.map((b) => b.id)).execute();
    await appendAudit(tx, actor, {
      orgId: org.id, action: 'transparency.cost_removed', entity: 'org', entityId: org.id,
      data: { period, service, before: { cost_rials: Number(before[0]!.cost_rials), note: before[0]!.note } },
    }, now);
  });
  forgetKpis(db);
}

/** What the costs page shows: the organization (one the actor manages), the others it may pick, its costs and adopted services. */
export async function staffCosts(db: DB, actor: Actor, orgCode: string | undefined) {
  if (actor.kind !== 'staff') throw unauthorized();
  const orgs = await db.selectFrom('orgs').select(['id', 'code', 'kind', 'name_fa', 'name_en']).orderBy('code').execute();
  const provinceAdmin = actor.memberships.some((m) => m.role === 'province_admin');
  const choices = orgs.filter((o) => (provinceAdmin ? o.kind === 'municipality' || actor.memberships.some((m) => m.orgId === o.id)
    : actor.memberships.some((m) => m.orgId === o.id) && mayAct(actor, o.id, 'org.staff.manage')));
  const wanted = orgCode ? orgs.find((o) => o.code === orgCode) : choices[0];
  if (!wanted) throw notFound();
  orgScope(actor, wanted.id, 'org.staff.manage');
  const ref = (o: (typeof orgs)[number]) => ({ code: o.code, name: { fa: o.name_fa, en: o.name_en || o.name_fa } });
  const [costs, services] = await Promise.all([orgCosts(db, wanted.code), adoptedServices(db, wanted.id)]);
  return { org: ref(wanted), choices: choices.map(ref), costs, services };
}

/** The org's entered costs, newest period first; public (they are published as cost per transaction). */
export async function orgCosts(db: DB, orgCode: string): Promise<OrgCost[]> {
  const org = await db.selectFrom('orgs').select(['id']).where('code', '=', orgCode).executeTakeFirst();
  if (!org) throw notFound();
  const rows = await db.selectFrom('org_costs').select(['period', 'service_code', 'cost_rials', 'note', 'created_at']).where('org_id', '=', org.id).orderBy('period', 'desc').execute();
  return rows.map((r) => ({ period: r.period, service: r.service_code, cost_rials: Number(r.cost_rials), note: r.note, created_at: Number(r.created_at) }));
}

const costExample = { period: '1405-s3', service: 'building-permit', cost_rials: 1850000000, note: 'حقوق دو کارشناس و سهم هزینه سامانه در پاییز ۱۴۰۵', created_at: '2026-11-28T08:20:00.000Z' };
const costJson = z.object({ period: z.string(), service: z.string().nullable(), cost_rials: z.number().int(), note: z.string().nullable(), created_at: z.string() }).meta({ example: costExample });
const toJson = (c: OrgCost) => ({ ...c, created_at: new Date(c.created_at).toISOString() });

/** PUT/GET/DELETE /api/v1/orgs/:org/costs (the staff page is costs-pages.ts). Register with app.register(costRoutes, { db, clock }). */
export async function costRoutes(app: FastifyInstance, opts: { db: DB; clock: Clock }): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const params = z.object({ org: z.string().min(1).max(64).meta({ description: 'The organization\'s code', example: 'sari' }) });
  api.put('/api/v1/orgs/:org/costs', {
    schema: {
      tags: ['transparency'], summary: 'Set the organization\'s cost of delivering its services (or one service) in a period, for cost per transaction (org admins)',
      params, body: z.object({
        period: z.string().meta({ description: 'A Jalali year (1405), season (1405-s3) or month (1405-09)' }), service: z.string().nullable().optional().meta({ description: 'An adopted service\'s code; absent or null: all services' }),
        cost_rials: z.number().int().min(0), note: z.string().max(500).nullable().optional(),
      }).meta({ example: { period: '1405-s3', service: 'building-permit', cost_rials: 1850000000, note: 'حقوق دو کارشناس و سهم هزینه سامانه در پاییز ۱۴۰۵' } }),
      response: { 200: costJson, 400: errorReply, 401: errorReply, 404: errorReply },
    },
  }, async (req) => toJson(await setOrgCost(opts.db, opts.clock, req.actor, req.params.org, req.body)));
  api.get('/api/v1/orgs/:org/costs', {
    schema: { tags: ['transparency'], summary: 'The costs the organization entered, by period', params, response: { 200: z.object({ items: z.array(costJson) }).meta({ example: { items: [costExample] } }), 400: errorReply, 404: errorReply } },
  }, async (req) => ({ items: (await orgCosts(opts.db, req.params.org)).map(toJson) }));
  api.delete('/api/v1/orgs/:org/costs', {
    schema: {
      tags: ['transparency'], summary: 'Remove the cost the organization entered for a period (and service); cost per transaction is then unknown unless another cost counts (org admins)',
      params, querystring: z.object({ period: z.string().max(16).meta({ example: '1405-s3' }), service: z.string().max(64).optional().meta({ description: 'Absent: the cost entered for all services.', example: 'building-permit' }) }),
      response: { 204: z.null().meta({ description: 'Removed' }), 400: errorReply, 401: errorReply, 404: errorReply },
    },
  }, async (req, reply) => {
    await removeOrgCost(opts.db, opts.clock, req.actor, req.params.org, { period: req.query.period, service: req.query.service || null });
    return reply.status(204).send(null);
  });
}
