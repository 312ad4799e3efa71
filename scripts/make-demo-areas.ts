// Writes src/modules/grievances/demo-areas.geojson: a demo boundary for every demo municipality.
// Each is a 4 km-radius 48-gon around the city's centre, cut back (with a 10 m gap) where it
// would reach a point nearer another demo centre, so neighbouring areas never overlap and each
// centre lies inside its own city. Real boundaries replace these with `pishkhan areas import`.
// Run: npx tsx scripts/make-demo-areas.ts
import { writeFileSync } from 'node:fs';
import { DEMO_MUNICIPALITIES } from '../src/modules/orgs/demo-data.js';

const RADIUS_M = 4000;
const SIDES = 48;
const GAP_M = 10;
const M_PER_DEG = 111_195;
// One flat projection for the whole province, so that every city's cut uses the same bisectors.
const cosLat = Math.cos((36.5 * Math.PI) / 180);
const toXY = (c: { lat: number; lng: number }) => ({ x: c.lng * cosLat * M_PER_DEG, y: c.lat * M_PER_DEG });
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

const features = DEMO_MUNICIPALITIES.map((city) => {
  const c = toXY(city);
  const others = DEMO_MUNICIPALITIES.filter((o) => o.code !== city.code).map(toXY).map((o) => ({ x: o.x - c.x, y: o.y - c.y }));
  const ring: [number, number][] = [];
  for (let k = 0; k < SIDES; k++) {
    const a = (2 * Math.PI * k) / SIDES; // counter-clockwise from east, as RFC 7946 wants exterior rings
    const u = { x: Math.cos(a), y: Math.sin(a) };
    let r = RADIUS_M;
    for (const d of others) {
      const along = d.x * u.x + d.y * u.y;
      // Along this ray the half-way line to that centre is at |d|² / (2 d·u).
      if (along > 0) r = Math.min(r, (d.x * d.x + d.y * d.y) / (2 * along) - GAP_M);
    }
    ring.push([round6(city.lng + (r * u.x) / (cosLat * M_PER_DEG)), round6(city.lat + (r * u.y) / M_PER_DEG)]);
  }
  ring.push(ring[0]!);
  return { type: 'Feature', properties: { code: city.code, name_fa: city.fa, name_en: city.en }, geometry: { type: 'Polygon', coordinates: [ring] } };
});

const target = new URL('../src/modules/grievances/demo-areas.geojson', import.meta.url);
// One feature per line: a regenerated file diffs city by city.
writeFileSync(target, `{"type":"FeatureCollection","features":[\n${features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`);
process.stdout.write(`wrote ${features.length} demo areas to src/modules/grievances/demo-areas.geojson\n`);
