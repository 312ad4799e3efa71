// API keys: shown once and stored as a hash; verified to an api_client actor; malformed, unknown
// and revoked keys answer null alike; last use noted at most once a minute; audit entries.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migratedDb } from '../../../test/helpers.js';
import { newId } from '../core/index.js';
import { verifyAudit } from '../audit/index.js';
import { createApiClient, listApiClients, revokeApiClient, verifyApiKey } from './api-keys.js';
import { tokenHash } from './tokens.js';

const T0 = Date.parse('2026-11-28T09:00:00Z');
let handle: Awaited<ReturnType<typeof migratedDb>>;
let babol = '';
let sari = '';

async function org(code: string): Promise<string> {
  const id = newId();
  await handle.db.insertInto('orgs').values({ id, code, kind: 'municipality', parent_id: null, name_fa: code, name_en: code, is_reference: 0, lat: 36.5, lng: 53, population: null, created_at: T0 }).execute();
  return id;
}

before(async () => {
  handle = await migratedDb();
  babol = await org('babol');
  sari = await org('sari');
});
after(async () => { await handle?.drop(); });

test('a new key has the documented shape, is stored only as its hash, and verifies to an api_client actor', async () => {
  const c = await createApiClient(handle.db, { orgId: babol, name: 'FixMyStreet Babol', scopes: ['reports.write', 'reports.read'], createdBy: null, now: T0 });
  assert.match(c.key, /^pk_[0-9a-f]{8}_[A-Za-z0-9_-]{32}$/);
  assert.ok(c.key.startsWith(`pk_${c.prefix}_`));
  const row = await handle.db.selectFrom('api_clients').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
  assert.equal(row.key_hash, tokenHash(c.key));
  assert.ok(!Object.values(row).some((v) => String(v).includes(c.key.slice(12))), 'the secret is not stored');
  const actor = await verifyApiKey(handle.db, c.key, T0 + 1000, '10.1.2.3');
  assert.deepEqual(actor, { kind: 'api_client', id: c.id, orgId: babol, scopes: ['reports.write', 'reports.read'], ip: '10.1.2.3' });
});

test('malformed, unknown, tampered and revoked keys all answer null', async () => {
  const c = await createApiClient(handle.db, { orgId: sari, name: 'Sari app', scopes: ['reports.write'], now: T0 });
  const tampered = c.key.slice(0, -1) + (c.key.endsWith('A') ? 'B' : 'A');
  for (const bad of ['', 'nonsense', 'pk_zzzzzzzz_' + 'a'.repeat(32), `pk_00000000_${'a'.repeat(32)}`, tampered, `${c.key}x`]) {
    assert.equal(await verifyApiKey(handle.db, bad, T0), null, bad);
  }
  assert.ok(await verifyApiKey(handle.db, c.key, T0));
  assert.equal(await revokeApiClient(handle.db, c.id, { now: T0 + 5000 }), true);
  assert.equal(await revokeApiClient(handle.db, c.id, { now: T0 + 6000 }), false, 'revoking twice changes nothing');
  assert.equal(await revokeApiClient(handle.db, 'no-such-id', { now: T0 }), false);
  assert.equal(await verifyApiKey(handle.db, c.key, T0 + 7000), null);
});

test('last_used_at is written at most once a minute', async () => {
  const c = await createApiClient(handle.db, { orgId: babol, name: 'busy client', scopes: ['reports.read'], now: T0 });
  const lastUsed = async () => (await handle.db.selectFrom('api_clients').select('last_used_at').where('id', '=', c.id).executeTakeFirstOrThrow()).last_used_at;
  assert.equal(await lastUsed(), null);
  await verifyApiKey(handle.db, c.key, T0 + 1000);
  assert.equal(Number(await lastUsed()), T0 + 1000);
  await verifyApiKey(handle.db, c.key, T0 + 30_000);
  assert.equal(Number(await lastUsed()), T0 + 1000);
  await verifyApiKey(handle.db, c.key, T0 + 61_000);
  assert.equal(Number(await lastUsed()), T0 + 61_000);
});

test('bad names and unknown scopes are refused with field errors', async () => {
  await assert.rejects(createApiClient(handle.db, { orgId: babol, name: '  ', scopes: ['reports.write'], now: T0 }), (e: { fields: Record<string, string> }) => 'name' in e.fields);
  await assert.rejects(createApiClient(handle.db, { orgId: babol, name: 'x', scopes: ['admin.everything'], now: T0 }), (e: { fields: Record<string, string> }) => 'scopes' in e.fields);
  await assert.rejects(createApiClient(handle.db, { orgId: babol, name: 'x', scopes: [], now: T0 }), (e: { fields: Record<string, string> }) => 'scopes' in e.fields);
});

test('the list shows one organization\'s clients without hashes; creation and revocation are audited', async () => {
  const list = await listApiClients(handle.db, babol);
  assert.ok(list.length >= 2);
  assert.ok(list.every((c) => c.org_id === babol));
  assert.ok(list.every((c) => !('key_hash' in c)));
  assert.ok(list.every((c) => Array.isArray(c.scopes) && typeof c.created_at === 'number'));
  const sariList = await listApiClients(handle.db, sari);
  assert.equal(sariList.length, 1);
  assert.equal(typeof sariList[0]!.revoked_at, 'number');
  const audit = await handle.db.selectFrom('audit_log').select(['action', 'entity_id', 'org_id', 'data']).where('entity', '=', 'api_client').execute();
  assert.ok(audit.some((a) => a.action === 'api_client.created' && a.org_id === babol));
  assert.ok(audit.some((a) => a.action === 'api_client.revoked' && a.entity_id === sariList[0]!.id));
  assert.ok(audit.every((a) => !a.data.includes('pk_')), 'keys never reach the audit log');
  assert.equal((await verifyAudit(handle.db)).ok, true);
});

test('the CLI creates a key (printed once), lists keys without them, rotates and revokes', async () => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const url = handle.config.kind === 'postgres' ? handle.config.url : `sqlite:${handle.config.file}`;
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'api-client', ...args], {
    cwd: root, env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', PISHKHAN_DEMO: '0', DATABASE_URL: url }, encoding: 'utf8', timeout: 120_000,
  });
  const created = cli(['create', '--org', 'babol', '--name', 'CLI client', '--scopes', 'reports.write']);
  assert.equal(created.status, 0, created.stderr);
  const [id, key] = created.stdout.split('\n');
  assert.match(key!, /^pk_[0-9a-f]{8}_[A-Za-z0-9_-]{32}$/);
  assert.deepEqual((await verifyApiKey(handle.db, key!, T0))?.kind, 'api_client');
  const listed = cli(['list', '--org', 'babol']);
  assert.equal(listed.status, 0, listed.stderr);
  assert.ok(listed.stdout.includes(id!) && listed.stdout.includes('CLI client') && !listed.stdout.includes(key!));
  assert.equal(cli(['create', '--org', 'babol', '--name', 'x', '--scopes', 'everything']).status, 1);
  assert.equal(cli(['create', '--org', 'tehran', '--name', 'x']).status, 1);
  const rotated = cli(['rotate', id!]);
  assert.equal(rotated.status, 0, rotated.stderr);
  const newKey = rotated.stdout.split('\n')[0]!;
  assert.match(newKey, /^pk_[0-9a-f]{8}_[A-Za-z0-9_-]{32}$/);
  assert.equal(await verifyApiKey(handle.db, key!, T0), null, 'the old key stops at once');
  assert.equal((await verifyApiKey(handle.db, newKey, T0))?.id, id);
  assert.equal(cli(['revoke', id!]).status, 0);
  assert.equal(await verifyApiKey(handle.db, newKey, T0), null);
  assert.equal(cli(['revoke', id!]).status, 1);
  assert.equal(cli(['rotate', id!]).status, 1, 'a revoked client gets no new key');
});

test('rate limits: default 120, 1 to 10000 accepted, anything else a field error', async () => {
  const c = await createApiClient(handle.db, { orgId: babol, name: 'rate default', scopes: ['catalog.read'], now: T0 });
  assert.equal((await listApiClients(handle.db, babol)).find((x) => x.id === c.id)?.rate_per_minute, 120);
  for (const bad of [0, -1, 10_001, 1.5, Number.NaN]) {
    await assert.rejects(createApiClient(handle.db, { orgId: babol, name: 'x', scopes: ['catalog.read'], ratePerMinute: bad, now: T0 }), (e: { fields: Record<string, string> }) => 'rate_per_minute' in e.fields, String(bad));
  }
  const fast = await createApiClient(handle.db, { orgId: babol, name: 'fast', scopes: ['catalog.read'], ratePerMinute: 10_000, now: T0 });
  assert.equal((await listApiClients(handle.db, babol)).find((x) => x.id === fast.id)?.rate_per_minute, 10_000);
});
