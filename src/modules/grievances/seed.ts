import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId } from '../../platform/core/index.js';
import { DEMO_REPORT_CATEGORIES } from './categories.js';
import * as q from './queries.js';

/** Gives every municipality without report categories the demo ones; a second call changes nothing. */
export async function seedReportCategories(db: DB, now = Date.now()): Promise<number> {
  return inTransaction(db, async (tx) => {
    const orgIds = await q.municipalitiesWithoutCategories(tx);
    for (const orgId of orgIds) {
      for (const c of DEMO_REPORT_CATEGORIES) await q.insertCategory(tx, { ...c, attributes: JSON.stringify(c.attributes), id: newId(), org_id: orgId, created_at: now });
    }
    return orgIds.length;
  });
}
