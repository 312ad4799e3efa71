// Computed indicators on known rows, by hand: the share of enabled adopted services at maturity 3
// or above (with the spread over levels 1-5), and the KPIs of the transparency module (here a
// stand-in with fixed figures) feeding the ranking.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migratedDb } from '../../../test/helpers.js';
import { newId } from '../../platform/core/index.js';
import type { DB } from '../../platform/db/index.js';
import { createCouncilService, type KpiSource } from './service.js';

let handle: Awaited<ReturnType<typeof migratedDb>>;
let db: DB;
const org: Record<string, string> = {};

const figures: Record<string, { digital: number | null; within: number | null; mean: number | null }> = {
  '': { digital: 0.5, within: 0.8, mean: 4 },
  sari: { digital: 0.6, within: 0.9, mean: 4.5 },
  babol: { digital: 0.4, within: 0.7, mean: 3.5 },
};
const kpis: KpiSource = async (_db, scope) => {
  const f = figures[scope.org ?? ''] ?? { digital: null, within: null, mean: null };
  return { applications: { digital_share: f.digital, within_deadline: f.within, satisfaction: { mean: f.mean } } };
};

async function adopt(orgCode: string, maturity: number, enabled: 0 | 1) {
  const templateId = newId();
  const versionId = newId();
  await db.insertInto('service_templates').values({ id: templateId, code: `svc-${templateId.slice(0, 8)}`, owner_org_id: org.sari!, category: 'urban-development', created_at: 1 }).execute();
  await db.insertInto('service_template_versions').values({
    id: versionId, template_id: templateId, version: 1, status: 'published', definition: '{}', title_fa: 'خدمت', title_en: 'Service', search_text: 'خدمت', maturity, created_by: null, created_at: 1, published_at: 1,
  }).execute();
  await db.insertInto('org_services').values({ id: newId(), org_id: org[orgCode]!, template_id: templateId, version_id: versionId, enabled, overrides: '{}', adopted_at: 1, updated_at: 1 }).execute();
}

before(async () => {
  handle = await migratedDb();
  db = handle.db;
  for (const [code, kind] of [['mazandaran', 'province'], ['sari', 'municipality'], ['babol', 'municipality']] as const) {
    org[code] = newId();
    await db.insertInto('orgs').values({ id: org[code]!, code, kind, parent_id: null, name_fa: code, name_en: code, is_reference: 0, lat: null, lng: null, population: null, created_at: 1 }).execute();
  }
  // Sari: levels 1, 3, 4 enabled and a level-5 one disabled -> 2 of 3 online. Babol: levels 2, 3 -> 1 of 2.
  await adopt('sari', 1, 1);
  await adopt('sari', 3, 1);
  await adopt('sari', 4, 1);
  await adopt('sari', 5, 0);
  await adopt('babol', 2, 1);
  await adopt('babol', 3, 1);
});
after(async () => { await handle.drop(); });

test('computed indicators per municipality and for the province', async () => {
  const council = createCouncilService({ db, kpis });
  const table = await council.indicators('1405-s3');
  const row = (code: string | null) => table.rows.find((r) => (r.org?.code ?? null) === code)!;
  assert.equal(row('sari').values.services_online!.value, 2 / 3);
  assert.deepEqual(row('sari').maturity_levels, [1, 0, 1, 1, 0]);
  assert.equal(row('babol').values.services_online!.value, 1 / 2);
  assert.equal(row(null).values.services_online!.value, 3 / 5, 'the province counts every municipality\'s services');
  assert.deepEqual(row(null).maturity_levels, [1, 1, 2, 1, 0]);
  assert.equal(row('babol').values.digital_take_up!.value, 0.4);
  assert.equal(row('sari').values.satisfaction!.value, 4.5);
  assert.equal(row('sari').values.deadline_compliance!.source, 'pishkhan');
});

test('the ranking of these two municipalities, by hand', async () => {
  const council = createCouncilService({ db, kpis });
  const system = { kind: 'staff' as const, id: 'x', memberships: [{ orgId: org.mazandaran!, orgCode: 'mazandaran', role: 'council_member' as const }] };
  await council.enterValue(system, { indicator: 'broadband_coverage', org: 'sari', period: '1405-s3', value: 70, source: 'test' });
  await council.enterValue(system, { indicator: 'broadband_coverage', org: 'babol', period: '1405-s3', value: 90, source: 'test' });
  // Sari is best on services_online, take-up, compliance, satisfaction (0.25+0.2+0.2+0.15 = 0.8) and worst on broadband (0.1 of 0.9 present):
  // 100 x 0.8 / 0.9 = 88.9. Babol: 100 x 0.1 / 0.9 = 11.1. staff_trained (0.1) is missing for both: coverage 0.9.
  const r = await council.ranking('1405-s3');
  assert.deepEqual(r.rows.map((x) => [x.org, x.rank, x.score, Math.round(x.coverage * 100) / 100]), [['sari', 1, 88.9, 0.9], ['babol', 2, 11.1, 0.9]]);
});
