// READ_DATABASE_URL routing (PostgreSQL): a second plain database stands in for the replica.
// The public dashboards and open data read there; writes never go there; when the replica does
// not answer they read the primary, and /readyz reports the replica without failing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbKind, makeOrg, testDb, type TestApp, type TestDatabase } from '../helpers.js';
import { migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { newId } from '../../src/platform/core/index.js';
import { adoptDefinition, shippedDefinition } from '../../src/modules/applications/test-factories.js';
import { CuttableProxy } from './db-outage-proxy.js';
import { appOn, citizenToken, permitDraft, submit } from './backup-support.js';

const skip = dbKind !== 'postgres';
let primary: TestDatabase;
let replica: TestDatabase;
let proxy: CuttableProxy;
let t: TestApp;
let dataDir: string;

before(async () => {
  if (skip) return;
  primary = await testDb();
  replica = await testDb();
  dataDir = mkdtempSync(join(tmpdir(), 'pishkhan-replica-'));
  // The stand-in replica: the same schema, and a municipality only it has (so a page shows where it read).
  const r = openDatabase(replica.config);
  await migrateToLatest(r.db);
  await r.db.insertInto('orgs').values({ id: newId(), code: 'onlyreplica', kind: 'municipality', parent_id: null, name_fa: 'شهرداری فقط‌رونوشت', name_en: 'Only-replica Municipality', is_reference: 0, lat: 36.5, lng: 53, population: null, created_at: Date.now() }).execute();
  await r.close();
  const target = new URL((replica.config as { url: string }).url);
  proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
  target.port = String(await proxy.start());
  t = await appOn({ DATABASE_URL: (primary.config as { url: string }).url, READ_DATABASE_URL: target.toString(), DATA_DIR: dataDir });
  const sari = await makeOrg(t, 'sari');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: shippedDefinition('building-permit') });
});
after(async () => {
  if (skip) return;
  await proxy.restore();
  await t?.close();
  await primary?.drop();
  await replica?.drop();
  // The proxy's listening socket would keep this file's process alive after its tests.
  await proxy.cut();
  rmSync(dataDir, { recursive: true, force: true });
});

test('public dashboards and open data read the replica, writes stay on the primary, a replica that is down falls back', { skip }, async () => {
  // The open data page names the organizations it reads: the replica's.
  const fromReplica = await t.app.inject({ method: 'GET', url: '/open-data/kpis.csv?org=onlyreplica' });
  assert.equal(fromReplica.statusCode, 200, fromReplica.body.slice(0, 300));
  assert.equal((await t.app.inject({ method: 'GET', url: '/open-data/kpis.csv?org=sari' })).statusCode, 404);
  // The dashboards' figures come from the replica (the organizations themselves from the primary's cached list).
  assert.equal((await t.app.inject({ method: 'GET', url: '/transparency/sari' })).statusCode, 200);
  const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.equal(ready.json().read_replica, 'up');

  // Writes go to the primary only.
  const token = await citizenToken(t, '09121237001');
  const sent = await submit(t, token, await permitDraft(t, token));
  assert.equal(sent.statusCode, 200, sent.body);
  const r = openDatabase(replica.config);
  assert.equal((await r.db.selectFrom('applications').select('id').execute()).length, 0);
  assert.equal((await r.db.selectFrom('citizens').select('id').execute()).length, 0);
  await r.close();

  // The replica goes away: the public pages read the primary, readyz stays ready and says so.
  await proxy.cut();
  const down = await t.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(down.statusCode, 200);
  assert.equal(down.json().read_replica, 'down');
  assert.equal((await t.app.inject({ method: 'GET', url: '/open-data/kpis.csv?org=sari' })).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'GET', url: '/transparency/sari' })).statusCode, 200);
  await proxy.restore();
  assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).json().read_replica, 'up');
  assert.equal((await t.app.inject({ method: 'GET', url: '/open-data/kpis.csv?org=onlyreplica' })).statusCode, 200);
});
