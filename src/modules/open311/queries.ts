import type { Tx } from '../../platform/db/index.js';

// SQL of Open311 only: the organization behind a jurisdiction or an API client (with its kind,
// for the province-wide keys), and the first visible photo of each listed request.

export async function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'kind']).where('code', '=', code).executeTakeFirst();
}

export async function orgById(tx: Tx, id: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'kind']).where('id', '=', id).executeTakeFirst();
}

/** The first visible photo of each report of one municipality, by tracking code. */
export async function firstVisiblePhotos(tx: Tx, orgId: string, trackingCodes: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (trackingCodes.length === 0) return out;
  const rows = await tx.selectFrom('report_photos as p').innerJoin('reports as r', 'r.id', 'p.report_id')
    .select(['r.tracking_code', 'p.id'])
    .where('r.org_id', '=', orgId).where('p.org_id', '=', orgId).where('r.tracking_code', 'in', trackingCodes).where('p.hidden', '=', 0)
    .orderBy('p.created_at').orderBy('p.id').execute();
  for (const r of rows) if (!out.has(r.tracking_code)) out.set(r.tracking_code, r.id);
  return out;
}
