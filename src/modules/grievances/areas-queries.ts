// Every SQL statement about municipality boundaries (the municipality_areas table).
import type { Tx } from '../../platform/db/index.js';
import type { MunicipalityAreasTable } from '../../platform/db/schema.js';

/** Areas whose bounding box contains the point, with their municipality's code: candidates to test exactly. */
export function areasWithBoxAround(tx: Tx, lat: number, lng: number) {
  return tx.selectFrom('municipality_areas as a').innerJoin('orgs as o', 'o.id', 'a.org_id')
    .select(['a.org_id', 'o.code', 'a.geojson'])
    .where('a.min_lat', '<=', lat).where('a.max_lat', '>=', lat)
    .where('a.min_lng', '<=', lng).where('a.max_lng', '>=', lng)
    .orderBy('o.code')
    .execute();
}

/** The stored boundary (a GeoJSON geometry) of one organization, if it has one. */
export async function areaGeometry(tx: Tx, orgId: string): Promise<string | null> {
  const row = await tx.selectFrom('municipality_areas').select('geojson').where('org_id', '=', orgId).executeTakeFirst();
  return row?.geojson ?? null;
}

/** Boundaries with the public names of their municipalities, by code; all of them when codes is undefined. */
export function areasWithNames(tx: Tx, codes?: string[]) {
  let q = tx.selectFrom('municipality_areas as a').innerJoin('orgs as o', 'o.id', 'a.org_id')
    .select(['o.code', 'o.name_fa', 'o.name_en', 'a.geojson']);
  if (codes) {
    if (codes.length === 0) return Promise.resolve([]);
    q = q.where('o.code', 'in', codes);
  }
  return q.orderBy('o.code').execute();
}

/** Ids of the municipalities with these codes (unknown codes and other kinds of org are left out). */
export function municipalitiesByCode(tx: Tx, codes: string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return tx.selectFrom('orgs').select(['id', 'code']).where('kind', '=', 'municipality').where('code', 'in', codes).execute();
}

/** Codes of the municipalities among these that have no boundary yet. */
export async function codesWithoutArea(tx: Tx, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const rows = await tx.selectFrom('orgs as o').leftJoin('municipality_areas as a', 'a.org_id', 'o.id')
    .select('o.code').where('o.kind', '=', 'municipality').where('o.code', 'in', codes).where('a.org_id', 'is', null)
    .execute();
  return rows.map((r) => r.code);
}

/** Writes an organization's boundary, replacing the one it had. */
export async function upsertArea(tx: Tx, row: MunicipalityAreasTable): Promise<void> {
  const { org_id: _id, ...rest } = row;
  await tx.insertInto('municipality_areas').values(row).onConflict((oc) => oc.column('org_id').doUpdateSet(rest)).execute();
}
