import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeOrg, makeStaff, makeTestApp, type TestApp } from '../test/helpers.js';
import { appendAudit } from './platform/audit/index.js';
import { systemActor } from './platform/core/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));

let t: TestApp;
let databaseUrl: string;

before(async () => {
  t = await makeTestApp();
  const db = t.deps.config.database;
  databaseUrl = db.kind === 'postgres' ? db.url : `sqlite:${db.file}`;
});
after(async () => {
  await t.close();
});

/** Runs `pishkhan <args>` as an operator would, against the test database. */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The staff sign-in answer for a username and password, through the API. */
async function signIn(username: string, password: string): Promise<number> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/staff', payload: { username, password } });
  return res.statusCode;
}

test('audit verify on a good chain exits 0 and says it is intact', async () => {
  for (let i = 1; i <= 4; i++) await appendAudit(t.deps.db, systemActor, { action: 'test.step', entity: 'test', entityId: String(i), data: { i } }, t.clock.now() + i);
  const r = cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /intact/);
  assert.match(r.stdout, /\b4 entries/);
});

test('audit verify after tampering exits 1 and names the broken entry', async () => {
  await t.deps.db.updateTable('audit_log').set({ data: '{"i":99}' }).where('seq', '=', 3).execute();
  try {
    const r = cli(['audit', 'verify']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /BROKEN at entry 3\b/);
    assert.match(r.stderr, /edited/);
    assert.doesNotMatch(r.stdout, /intact/);
  } finally {
    await t.deps.db.updateTable('audit_log').set({ data: '{"i":3}' }).where('seq', '=', 3).execute();
  }
  assert.equal(cli(['audit', 'verify']).status, 0, 'restoring the entry makes the chain whole again');
});

test('audit verify after a deleted entry exits 1 and names where the gap is', async () => {
  const row = await t.deps.db.selectFrom('audit_log').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
  await t.deps.db.deleteFrom('audit_log').where('seq', '=', 2).execute();
  try {
    const r = cli(['audit', 'verify']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /BROKEN at entry 3\b/);
  } finally {
    await t.deps.db.insertInto('audit_log').values(row).execute();
  }
});

test('reset-password prints a new password that signs in; the old one stops working', async () => {
  const org = await makeOrg(t, 'sari');
  const { password: old } = await makeStaff(t, 'clerk.sari', [{ orgId: org, role: 'clerk' }]);
  assert.equal(await signIn('clerk.sari', old), 200);

  const r = cli(['reset-password', 'clerk.sari']);
  assert.equal(r.status, 0, r.stderr);
  const m = /^clerk\.sari: (\S+)$/m.exec(r.stdout);
  assert.ok(m, `the password is printed: ${r.stdout}`);
  const fresh = m[1]!;
  assert.notEqual(fresh, old);
  assert.equal(await signIn('clerk.sari', fresh), 200);
  assert.equal(await signIn('clerk.sari', old), 401);

  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'staff.password_reset').execute();
  assert.equal(audit.length, 1, 'the reset is audited');
  assert.equal(cli(['audit', 'verify']).status, 0, 'and the chain stays intact across processes');
});

test('reset-password for an unknown account fails with a clear message', () => {
  const r = cli(['reset-password', 'nobody.here']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no staff account named nobody\.here/);
  assert.equal(r.stdout, '');
});

test('create-admin for an unknown organization fails with a clear message and creates nothing', async () => {
  const r = cli(['create-admin', '--username', 'admin.atlantis', '--org', 'atlantis']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no organization with code atlantis/);
  assert.equal(r.stdout, '');
  const staff = await t.deps.db.selectFrom('staff').select('id').where('username', '=', 'admin.atlantis').executeTakeFirst();
  assert.equal(staff, undefined);
});

test('create-admin with an unknown role fails, listing the roles', () => {
  const r = cli(['create-admin', '--username', 'x.admin', '--org', 'sari', '--role', 'emperor']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown role emperor/);
  assert.match(r.stderr, /org_admin/);
});

test('create-admin for a known organization prints a password once that signs in with the role', async () => {
  const r = cli(['create-admin', '--username', 'admin.sari', '--org', 'sari', '--name', 'مدیر ساری']);
  assert.equal(r.status, 0, r.stderr);
  const m = /^admin\.sari: (\S+)$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(await signIn('admin.sari', m[1]!), 200);
  const role = await t.deps.db.selectFrom('memberships').innerJoin('staff', 'staff.id', 'memberships.staff_id')
    .innerJoin('orgs', 'orgs.id', 'memberships.org_id')
    .select(['memberships.role', 'orgs.code', 'staff.display_name']).where('staff.username', '=', 'admin.sari').execute();
  assert.deepEqual(role, [{ role: 'org_admin', code: 'sari', display_name: 'مدیر ساری' }]);
});

test('a bad configuration stops a command with the list of problems', () => {
  const r = cli(['audit', 'verify'], { PORT: 'eighty', NODE_ENV: 'production' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Invalid configuration/);
  assert.match(r.stderr, /PORT/);
  assert.match(r.stderr, /SESSION_SECRET/);
});
