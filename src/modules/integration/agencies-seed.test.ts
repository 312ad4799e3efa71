// The demo agencies: seeded once, listed in the catalog as external services with placeholder addresses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migratedDb } from '../../../test/helpers.js';
import type { DB } from '../../platform/db/index.js';
import { createCatalogService } from '../catalog/service.js';
import { seedDemoAgencies } from './agencies-seed.js';

let handle: Awaited<ReturnType<typeof migratedDb>>;
let db: DB;
before(async () => { handle = await migratedDb(); db = handle.db; });
after(async () => { await handle.drop(); });

test('seeded once; the single window lists and finds them, every address a marked placeholder', async () => {
  assert.equal(await seedDemoAgencies(db, 1), 5);
  assert.equal(await seedDemoAgencies(db, 2), 0);
  const catalog = createCatalogService({ db, clock: { now: () => 3 } });
  const all = await catalog.catalog({ perPage: 100 });
  assert.equal(all.items.filter((i) => i.external).length, 5);
  assert.ok(all.items.every((i) => i.external?.url.startsWith('https://example.org/demo/')));
  const found = await catalog.catalog({ q: 'سند تك برگ' });
  assert.deepEqual(found.items.map((i) => [i.code, i.external?.agency.code]), [['single-sheet-deed', 'sabt-mazandaran']]);
});
