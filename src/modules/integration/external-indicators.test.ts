// The council's "share of services online by maturity" counts the agencies' active external
// services in the province's row (not in any municipality's), by hand on known rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migratedDb } from '../../../test/helpers.js';
import { newId } from '../../platform/core/index.js';
import type { DB } from '../../platform/db/index.js';
import { createCouncilService } from '../council/service.js';

let handle: Awaited<ReturnType<typeof migratedDb>>;
let db: DB;
const org: Record<string, string> = {};

async function external(agency: string, maturity: number, active: 0 | 1) {
  const id = newId();
  await db.insertInto('external_services').values({
    id, org_id: org[agency]!, code: `s-${id.slice(0, 8)}`, title_fa: 'خدمت', title_en: 'Service', description_fa: 'شرح', description_en: '', documents: '[]',
    maturity, url: 'https://example.org/x', category: 'property', active, search_text: '', created_at: 1, updated_at: 1,
  }).execute();
}

before(async () => {
  handle = await migratedDb();
  db = handle.db;
  for (const [code, kind] of [['mazandaran', 'province'], ['sari', 'municipality'], ['abfa', 'agency']] as const) {
    org[code] = newId();
    await db.insertInto('orgs').values({ id: org[code]!, code, kind, parent_id: null, name_fa: code, name_en: code, is_reference: 0, lat: null, lng: null, population: null, created_at: 1 }).execute();
  }
  // Sari adopts one level-2 service.
  const templateId = newId();
  const versionId = newId();
  await db.insertInto('service_templates').values({ id: templateId, code: 'svc-a', owner_org_id: org.sari!, category: 'property', created_at: 1 }).execute();
  await db.insertInto('service_template_versions').values({ id: versionId, template_id: templateId, version: 1, status: 'published', definition: '{}', title_fa: 'خ', title_en: 'S', search_text: '', maturity: 2, created_by: null, created_at: 1, published_at: 1 }).execute();
  await db.insertInto('org_services').values({ id: newId(), org_id: org.sari!, template_id: templateId, version_id: versionId, enabled: 1, overrides: '{}', adopted_at: 1, updated_at: 1 }).execute();
});
after(async () => { await handle.drop(); });

test('active external services count in the province row by maturity; inactive ones do not; municipalities are unchanged', async () => {
  const council = createCouncilService({ db });
  let table = await council.indicators('1405-s3');
  const row = (code: string | null) => table.rows.find((r) => (r.org?.code ?? null) === code)!;
  assert.equal(row(null).values.services_online!.value, 0);
  assert.deepEqual(row(null).maturity_levels, [0, 1, 0, 0, 0]);

  await external('abfa', 4, 1);
  await external('abfa', 3, 1);
  await external('abfa', 1, 1);
  await external('abfa', 5, 0);
  table = await council.indicators('1405-s3');
  // Province: levels 2 (Sari), 4, 3, 1 (water company) -> 2 of 4 at level 3 or above.
  assert.equal(row(null).values.services_online!.value, 2 / 4);
  assert.deepEqual(row(null).maturity_levels, [1, 1, 1, 1, 0]);
  assert.equal(row('sari').values.services_online!.value, 0);
  assert.deepEqual(row('sari').maturity_levels, [0, 1, 0, 0, 0]);
  assert.equal(table.rows.some((r) => r.org?.code === 'abfa'), false, 'an agency is not ranked as a municipality');
});
