// Test support for city problem reports: the two demo municipalities with their categories.
import { makeOrg, type TestApp } from '../../../test/helpers.js';
import { DEMO_MUNICIPALITIES } from '../orgs/demo-data.js';
import { seedReportCategories } from './seed.js';
import { seedDemoAreas } from './areas.js';

/** Points inside each demo municipality's area (their centres) and one outside the province. */
export const PLACES = {
  babol: { lat: DEMO_MUNICIPALITIES.find((c) => c.code === 'babol')!.lat, lng: DEMO_MUNICIPALITIES.find((c) => c.code === 'babol')!.lng },
  sari: { lat: DEMO_MUNICIPALITIES.find((c) => c.code === 'sari')!.lat, lng: DEMO_MUNICIPALITIES.find((c) => c.code === 'sari')!.lng },
  tehran: { lat: 35.6892, lng: 51.389 },
};

/** Makes the municipalities (by their demo codes) and gives them the demo categories and areas; returns their ids. */
export async function makeMunicipalities(t: TestApp, codes: string[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const code of codes) ids[code] = await makeOrg(t, code);
  await seedReportCategories(t.deps.db, t.clock.now());
  await seedDemoAreas(t.deps.db, t.clock.now());
  return ids;
}

/** A point about `metres` north of another. */
export const north = (p: { lat: number; lng: number }, metres: number) => ({ lat: p.lat + metres / 111_195, lng: p.lng });
