import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migratedDb } from '../../../test/helpers.js';
import { newId, type Actor } from '../../platform/core/index.js';
import { AppError } from '../../platform/http/errors.js';
import { orgCosts, setOrgCost } from './costs.js';
import { kpis } from './kpi.js';
import { parsePeriod } from './periods.js';

let handle: Awaited<ReturnType<typeof migratedDb>>;
const clock = { now: () => Date.parse('2026-01-01T00:00:00Z') };
const orgs: Record<string, string> = {};
const admin = (code: string): Actor => ({ kind: 'staff', id: newId(), memberships: [{ orgId: orgs[code]!, orgCode: code, role: 'org_admin' }] });

before(async () => {
  handle = await migratedDb();
  for (const code of ['sari', 'babol']) {
    orgs[code] = newId();
    await handle.db.insertInto('orgs').values({ id: orgs[code]!, code, kind: 'municipality', parent_id: null, name_fa: code, name_en: code, is_reference: 0, lat: null, lng: null, population: null, created_at: 0 }).execute();
  }
});
after(async () => handle?.drop());

test('an org admin sets a period cost, which replaces the earlier one; another org\'s admin gets 404; bad input names the field', async () => {
  const db = handle.db;
  await setOrgCost(db, clock, admin('sari'), 'sari', { period: '1404-07', cost_rials: 1_000 });
  const row = await setOrgCost(db, clock, admin('sari'), 'sari', { period: '۱۴۰۴-۰۷', cost_rials: 2_000, note: ' salaries ' });
  assert.deepEqual({ ...row, created_at: 0 }, { period: '1404-07', service: null, cost_rials: 2_000, note: 'salaries', created_at: 0 });
  assert.deepEqual((await orgCosts(db, 'sari')).map((c) => c.cost_rials), [2_000]);
  await assert.rejects(setOrgCost(db, clock, admin('babol'), 'sari', { period: '1404-07', cost_rials: 5 }), (e: AppError) => e.status === 404);
  await assert.rejects(setOrgCost(db, clock, admin('sari'), 'sari', { period: '1404-13', cost_rials: 5 }), (e: AppError) => e.status === 400 && 'period' in e.fields);
  await assert.rejects(setOrgCost(db, clock, admin('sari'), 'sari', { period: '1404', cost_rials: -1 }), (e: AppError) => e.status === 400 && 'cost_rials' in e.fields);
  await assert.rejects(setOrgCost(db, clock, admin('sari'), 'sari', { period: '1404', cost_rials: 1, service: 'nope' }), (e: AppError) => e.status === 400 && 'service' in e.fields);
  // Nothing completed in the period: the cost per transaction is unknown, not infinite.
  assert.equal((await kpis(db, { org: 'sari' }, parsePeriod('1404-07')!)).applications.cost_per_transaction, null);
});
