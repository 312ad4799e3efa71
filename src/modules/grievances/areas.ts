import { DEMO_MUNICIPALITIES } from '../orgs/demo-data.js';

// Which municipality's area contains a point. For the demo an area is a circle around each
// city's centre; GeoJSON boundaries replace this one function later, nothing else changes.

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

/** The code of the municipality whose area contains the point (the nearest centre when circles overlap), or null. */
export function municipalityAt(lat: number, lng: number): string | null {
  let best: { code: string; d: number } | null = null;
  for (const city of DEMO_MUNICIPALITIES) {
    const d = distanceMeters({ lat, lng }, city);
    if (d <= DEMO_AREA_RADIUS_M && (!best || d < best.d)) best = { code: city.code, d };
  }
  return best?.code ?? null;
}
