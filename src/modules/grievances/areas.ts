import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { pointOnFeature } from '@turf/point-on-feature';
import { area as areaM2 } from '@turf/area';
import type { Tx } from '../../platform/db/index.js';
import { systemActor } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import { AppError } from '../../platform/http/errors.js';
import { extendMessages } from '../../platform/i18n/messages.js';
import * as q from './areas-queries.js';

// Which municipality's area contains a point. Boundaries are GeoJSON polygons kept in
// municipality_areas: the bounding box picks candidates in SQL, turf decides exactly (holes
// and multi-part cities included). The demo cities get generated areas (demo-areas.geojson).

export const DEMO_AREA_RADIUS_M = 4000;
const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** A boundary as stored: positions are [lng, lat], the first ring of a polygon is its outline, the others its holes. */
export type AreaGeometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** The code of the municipality whose area contains the point; the smallest such area when imports overlap; null outside all. */
export async function municipalityAtPoint(db: Tx, lat: number, lng: number): Promise<string | null> {
  const containing = (await q.areasWithBoxAround(db, lat, lng))
    .map((c) => ({ code: c.code, geometry: JSON.parse(c.geojson) as AreaGeometry }))
    .filter((c) => booleanPointInPolygon([lng, lat], c.geometry));
  if (containing.length <= 1) return containing[0]?.code ?? null;
  return containing.map((c) => ({ code: c.code, m2: areaM2(c.geometry) })).sort((a, b) => a.m2 - b.m2)[0]!.code;
}

/** A point inside the organization's area (its centroid when that is inside), or null when it has no area. */
export async function areaCentre(db: Tx, orgId: string): Promise<{ lat: number; lng: number } | null> {
  const stored = await q.areaGeometry(db, orgId);
  if (!stored) return null;
  const [lng, lat] = pointOnFeature(JSON.parse(stored) as AreaGeometry).geometry.coordinates as [number, number];
  return { lat, lng };
}

export interface AreaFeature {
  type: 'Feature';
  properties: { code: string; name_fa: string; name_en: string };
  geometry: AreaGeometry;
}
export interface AreaCollection { type: 'FeatureCollection'; features: AreaFeature[] }

/** The areas (of these municipality codes, or all) as a FeatureCollection with public names only. */
export async function areasGeoJson(db: Tx, orgCodes?: string[]): Promise<AreaCollection> {
  const rows = await q.areasWithNames(db, orgCodes);
  return {
    type: 'FeatureCollection',
    features: rows.map((r) => ({ type: 'Feature', properties: { code: r.code, name_fa: r.name_fa, name_en: r.name_en }, geometry: JSON.parse(r.geojson) as AreaGeometry })),
  };
}

// ---------- import ----------

const MAX_FIELD_ERRORS = 20;

const position = z.array(z.number()).min(2).max(3).superRefine((p, ctx) => {
  if (!(Math.abs(p[0]!) <= 180)) ctx.addIssue({ code: 'custom', message: 'area.lng_range', path: [0] });
  if (!(Math.abs(p[1]!) <= 90)) ctx.addIssue({ code: 'custom', message: 'area.lat_range', path: [1] });
});
const ring = z.array(position).superRefine((r, ctx) => {
  if (r.length < 4) ctx.addIssue({ code: 'custom', message: 'area.ring_too_short' });
  else if (r[0]![0] !== r.at(-1)![0] || r[0]![1] !== r.at(-1)![1]) ctx.addIssue({ code: 'custom', message: 'area.ring_open' });
});
const polygon = z.array(ring).min(1);
const geometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: polygon }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygon).min(1) }),
]);
const featureCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.object({ type: z.literal('Feature'), geometry, properties: z.record(z.string(), z.unknown()).nullable() })).min(1),
});

/** `features[3].geometry.coordinates[0][5]` */
const pathText = (path: PropertyKey[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || 'file';

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') return issue.message;
  const p = issue.path;
  if (p.length === 0 || (p.length === 1 && p[0] === 'type') || (p.length === 1 && p[0] === 'features' && issue.code !== 'too_small')) return 'area.not_feature_collection';
  if (p.length === 1 && p[0] === 'features') return 'area.no_features';
  if (p.at(-1) === 'type' && p.at(-2) === 'geometry') return 'area.geometry_type';
  return 'area.malformed';
}

const invalid = (fields: Record<string, string>) => new AppError('area.invalid', 400, fields);

/**
 * Imports municipality boundaries from a GeoJSON FeatureCollection of Polygon/MultiPolygon
 * features, each naming a municipality's code in properties[codeProperty] (features with the
 * same code are one multi-part area). Replaces those municipalities' areas and writes an audit
 * entry for each, in one transaction; invalid input (400, fields named by feature) changes nothing.
 */
export async function importBoundaries(
  db: Tx, input: unknown, opts: { source: string; now: number; codeProperty?: string },
): Promise<{ imported: string[] }> {
  const parsed = featureCollection.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues.slice(0, MAX_FIELD_ERRORS)) fields[pathText(issue.path)] ??= messageOf(issue);
    throw invalid(fields);
  }
  const prop = opts.codeProperty ?? 'code';
  const features = parsed.data.features;
  const codes = features.map((f) => f.properties?.[prop]);
  const known = new Map((await q.municipalitiesByCode(db, [...new Set(codes.filter((c): c is string => typeof c === 'string'))])).map((o) => [o.code, o.id]));
  const fields: Record<string, string> = {};
  codes.forEach((code, i) => {
    if (typeof code !== 'string' || code === '') fields[`features[${i}].properties.${prop}`] = 'area.code_missing';
    else if (!known.has(code)) fields[`features[${i}].properties.${prop}`] = 'area.code_unknown';
  });
  if (Object.keys(fields).length) throw invalid(Object.fromEntries(Object.entries(fields).slice(0, MAX_FIELD_ERRORS)));

  const polygonsByCode = new Map<string, number[][][][]>();
  features.forEach((f, i) => {
    const parts = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    polygonsByCode.set(codes[i] as string, [...(polygonsByCode.get(codes[i] as string) ?? []), ...parts]);
  });

  const write = async (tx: Tx) => {
    for (const [code, polygons] of polygonsByCode) {
      const orgId = known.get(code)!;
      const shape: AreaGeometry = polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
      const outline = polygons.flatMap((p) => p[0]!);
      const lats = outline.map((pt) => pt[1]!);
      const lngs = outline.map((pt) => pt[0]!);
      await q.upsertArea(tx, {
        org_id: orgId, geojson: JSON.stringify(shape), source: opts.source, updated_at: opts.now,
        min_lat: Math.min(...lats), max_lat: Math.max(...lats), min_lng: Math.min(...lngs), max_lng: Math.max(...lngs),
      });
      await appendAudit(tx, systemActor, { orgId, action: 'area.imported', entity: 'org', entityId: orgId, data: { source: opts.source, parts: polygons.length } }, opts.now);
    }
  };
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
  return { imported: [...polygonsByCode.keys()] };
}

const DEMO_AREAS_FILE = new URL('./demo-areas.geojson', import.meta.url);

/** Gives the demo municipalities that exist and have no area yet their demo area; a second call changes nothing. */
export async function seedDemoAreas(db: Tx, now = Date.now()): Promise<number> {
  const demo = JSON.parse(readFileSync(DEMO_AREAS_FILE, 'utf8')) as { type: string; features: { properties: { code: string } }[] };
  const missing = new Set(await q.codesWithoutArea(db, demo.features.map((f) => f.properties.code)));
  if (missing.size === 0) return 0;
  const r = await importBoundaries(db, { ...demo, features: demo.features.filter((f) => missing.has(f.properties.code)) }, { source: 'demo', now });
  return r.imported.length;
}

extendMessages({
  fa: {
    'area.invalid': 'فایل مرزها پذیرفته نشد؛ هیچ مرزی تغییر نکرد.',
    'area.not_feature_collection': 'فایل باید یک FeatureCollection از GeoJSON باشد.',
    'area.no_features': 'فایل هیچ عارضه‌ای (Feature) ندارد.',
    'area.geometry_type': 'هندسه باید Polygon یا MultiPolygon باشد.',
    'area.malformed': 'این بخش GeoJSON معتبر نیست.',
    'area.ring_too_short': 'هر حلقه دست‌کم چهار نقطه دارد.',
    'area.ring_open': 'حلقه بسته نیست: نقطه آخر باید همان نقطه اول باشد.',
    'area.lng_range': 'طول جغرافیایی باید بین ‎-180 و 180 باشد.',
    'area.lat_range': 'عرض جغرافیایی باید بین ‎-90 و 90 باشد.',
    'area.code_missing': 'کد شهرداری در ویژگی‌های این عارضه نیامده است.',
    'area.code_unknown': 'شهرداری‌ای با این کد وجود ندارد.',
  },
  en: {
    'area.invalid': 'The boundary file was not accepted; no boundary changed.',
    'area.not_feature_collection': 'The file must be a GeoJSON FeatureCollection.',
    'area.no_features': 'The file has no features.',
    'area.geometry_type': 'The geometry must be a Polygon or a MultiPolygon.',
    'area.malformed': 'This part is not valid GeoJSON.',
    'area.ring_too_short': 'A ring needs at least four positions.',
    'area.ring_open': 'The ring is not closed: its last position must equal its first.',
    'area.lng_range': 'Longitude must be between -180 and 180.',
    'area.lat_range': 'Latitude must be between -90 and 90.',
    'area.code_missing': 'The feature has no municipality code in its properties.',
    'area.code_unknown': 'No municipality has this code.',
  },
});
