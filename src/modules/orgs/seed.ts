import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor, type Role } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import type { IdentityService } from '../identity/service.js';
import { seedCatalog } from '../catalog/seed.js';
import { seedDemoLevies } from '../payments/levies-seed.js';
import { seedReportCategories } from '../grievances/seed.js';
import { seedDemoAreas } from '../grievances/areas.js';
import { seedCouncil } from '../council/seed.js';
import { seedNews } from '../news/seed.js';
import { seedDemoAgencies } from '../integration/agencies-seed.js';
import { generateDemoActivity, type DemoActivityResult } from '../transparency/demo-activity.js';
import { rebuildRollups } from '../transparency/rollup.js';
import { BusinessCalendar } from '../../platform/calendar/business.js';
import { DEMO_MUNICIPALITIES, DEMO_PROVINCE, DEMO_REFERENCE_ORG, DEMO_STAFF, type DemoOrg } from './demo-data.js';
import * as q from './queries.js';

export interface SeedResult {
  seeded: boolean;
  orgs: number;
  /** Demo accounts and their passwords: shown once, never stored in clear. */
  accounts: { username: string; org: string; roles: string[]; password: string }[];
  /** The generated year of activity, when asked for (opts.activity). */
  activity?: DemoActivityResult;
}

/**
 * Seeds the demo province once; a second call changes nothing and returns seeded=false. With
 * opts.activity (config.demoActivity, never in production) the first seeding also generates a
 * year of applications and reports, so the transparency dashboards show something.
 */
export async function seedDemo(db: DB, identity: IdentityService, now = Date.now(), opts: { activity?: boolean; calendar?: BusinessCalendar } = {}): Promise<SeedResult> {
  if (await q.orgByCode(db, DEMO_PROVINCE.code)) {
    // A province seeded before the catalog existed gets the demo catalog now (once).
    await seedCatalog(db, now);
    await seedReportCategories(db, now);
    await seedDemoAreas(db, now);
    await seedCouncil(db, now);
    await seedNews(db, now);
    await seedDemoAgencies(db, now);
    return { seeded: false, orgs: 0, accounts: [] };
  }
  const all: DemoOrg[] = [DEMO_PROVINCE, ...DEMO_MUNICIPALITIES, DEMO_REFERENCE_ORG];
  const ids = new Map<string, string>();
  await inTransaction(db, async (tx) => {
    for (const o of all) {
      const id = newId();
      ids.set(o.code, id);
      await q.insertOrg(tx, {
        id, code: o.code, kind: o.kind, parent_id: o.parent ? ids.get(o.parent)! : null, name_fa: o.fa, name_en: o.en,
        is_reference: o.isReference ? 1 : 0, lat: o.lat, lng: o.lng, population: o.population ?? null, created_at: now,
      });
    }
    await appendAudit(tx, systemActor, { action: 'demo.seeded', entity: 'org', data: { orgs: all.length } }, now);
  });
  const accounts: SeedResult['accounts'] = [];
  for (const s of DEMO_STAFF) {
    const { password } = await identity.createStaff(systemActor, {
      username: s.username, displayName: s.fa, memberships: s.roles.map((role) => ({ orgId: ids.get(s.org)!, role: role as Role })),
    });
    accounts.push({ username: s.username, org: s.org, roles: s.roles, password });
  }
  await seedCatalog(db, now);
  await seedDemoLevies(db, now);
  await seedReportCategories(db, now);
  await seedDemoAreas(db, now);
  await seedCouncil(db, now);
  await seedNews(db, now);
  await seedDemoAgencies(db, now);
  let activity: DemoActivityResult | undefined;
  if (opts.activity) {
    const calendar = opts.calendar ?? new BusinessCalendar({ thursday: 'off' });
    activity = await generateDemoActivity(db, { now, calendar });
    await rebuildRollups(db, calendar);
  }
  return { seeded: true, orgs: all.length, accounts, activity };
}
