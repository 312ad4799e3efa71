// The demo province seed and the organizations service on a real database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, signInStaff, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/core/index.js';
import { seedDemo, type SeedResult } from './seed.js';
import { DEMO_MUNICIPALITIES, DEMO_STAFF } from './demo-data.js';

let t: TestApp;
let seed: SeedResult;
before(async () => {
  t = await makeTestApp();
  seed = await seedDemo(t.deps.db, t.deps.services.identity, t.clock.now());
});
after(async () => { await t?.close(); });

const orgs = () => t.deps.services.orgs;

test('the demo seed creates the province, its municipalities and the reference organization', async () => {
  assert.equal(seed.seeded, true);
  const all = await orgs().list();
  // The demo agencies (issue 8: their e-services are listed in the single window) come with it.
  assert.deepEqual(all.filter((o) => o.kind === 'agency').map((o) => o.code).sort(), ['abfa-mazandaran', 'sabt-mazandaran']);
  const list = all.filter((o) => o.kind !== 'agency');
  assert.equal(list.length, seed.orgs);
  assert.equal(list.length, DEMO_MUNICIPALITIES.length + 2);
  assert.equal(list[0]!.code, 'mazandaran', 'the province comes first');
  assert.equal(list[0]!.kind, 'province');
  const reference = list.filter((o) => o.is_reference);
  assert.deepEqual(reference.map((o) => [o.code, o.kind, o.parent]), [['sari-ict', 'ict', 'sari']]);
  const municipalities = list.filter((o) => o.kind === 'municipality');
  assert.ok(municipalities.every((o) => o.parent === 'mazandaran'));
  const populations = municipalities.map((o) => o.population ?? -1);
  assert.deepEqual(populations, [...populations].sort((a, b) => b - a), 'municipalities by population, largest first');
  assert.equal(municipalities[0]!.code, 'sari');
});

test('demo accounts get random passwords that are shown once and work', async () => {
  assert.deepEqual(seed.accounts.map((a) => a.username).sort(), DEMO_STAFF.map((s) => s.username).sort());
  const passwords = seed.accounts.map((a) => a.password);
  assert.equal(new Set(passwords).size, passwords.length, 'every account has its own password');
  for (const p of passwords) assert.match(p, /^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$/);
  const stored = await t.deps.db.selectFrom('staff').select(['username', 'password_hash']).execute();
  for (const row of stored) {
    const account = seed.accounts.find((a) => a.username === row.username)!;
    assert.ok(!row.password_hash.includes(account.password), `${row.username}'s password is not stored in clear`);
    assert.match(row.password_hash, /^\$argon2id\$/);
  }
  const admin = seed.accounts.find((a) => a.username === 'sari.admin')!;
  const token = await signInStaff(t, 'sari.admin', admin.password);
  const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(me.json().staff.memberships, [{ org: 'sari', role: 'org_admin' }]);
});

test('seeding a second time changes nothing and reveals no password', async () => {
  const countOrgs = async () => (await t.deps.db.selectFrom('orgs').select('id').execute()).length;
  const hashes = async () => (await t.deps.db.selectFrom('staff').select(['username', 'password_hash']).orderBy('username').execute());
  const before = { orgs: await countOrgs(), staff: await hashes() };
  const again = await seedDemo(t.deps.db, t.deps.services.identity, t.clock.now());
  assert.deepEqual(again, { seeded: false, orgs: 0, accounts: [] });
  assert.equal(await countOrgs(), before.orgs);
  assert.deepEqual(await hashes(), before.staff);
});

test('staff lists come only through the access check; refusals look like a missing organization', async () => {
  const sari = (await orgs().idOf('sari'))!;
  const babol = (await orgs().idOf('babol'))!;
  const sariAdmin: Actor = { kind: 'staff', id: 'x', memberships: [{ orgId: sari, orgCode: 'sari', role: 'org_admin' }] };
  const staff = await orgs().staff(sariAdmin, 'sari');
  assert.deepEqual(staff.map((s) => s.username).sort(), DEMO_STAFF.filter((s) => s.org === 'sari').map((s) => s.username).sort());

  const refusals: [Actor, string][] = [
    [sariAdmin, 'babol'],
    [sariAdmin, 'nowhere'],
    [{ kind: 'staff', id: 'y', memberships: [{ orgId: babol, orgCode: 'babol', role: 'clerk' }] }, 'babol'],
    [{ kind: 'citizen', id: 'z' }, 'sari'],
    [{ kind: 'anonymous', id: null }, 'sari'],
  ];
  for (const [actor, code] of refusals) {
    await assert.rejects(orgs().staff(actor, code), (e) => e instanceof AppError && e.status === 404 && e.code === 'common.not_found', `${actor.kind} ${code}`);
  }
});

test('an unknown organization code is not found', async () => {
  await assert.rejects(orgs().byCode('atlantis'), (e) => e instanceof AppError && e.status === 404);
  assert.equal(await orgs().idOf('atlantis'), null);
  assert.equal((await orgs().byCode('babol')).parent, 'mazandaran');
});
