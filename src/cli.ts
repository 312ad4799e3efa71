import { Command } from 'commander';
import { loadConfig, ConfigError } from './config.js';
import { migrateToLatest, openDatabase } from './platform/db/index.js';
import { buildDeps } from './wiring.js';
import { verifyAudit } from './platform/audit/index.js';
import { ROLES, systemActor, type Role } from './platform/core/index.js';
import { seedDemo } from './modules/orgs/seed.js';
import { printDemoAccounts } from './print.js';

const program = new Command('pishkhan').description('Pishkhan operator commands. Configuration comes from the same environment variables as the server.');

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

program.command('migrate').description('bring the database schema to the newest version').action(async () => {
  const handle = openDatabase(loadConfig().database);
  const done = await migrateToLatest(handle.db);
  process.stdout.write(done.length ? `applied: ${done.join(', ')}\n` : 'schema is up to date\n');
  await handle.close();
});

program.command('seed-demo').description('seed the demo province (once) and print its staff accounts').action(async () => {
  const config = loadConfig();
  if (config.isProduction) fail('seed-demo refuses to run in production');
  const deps = await buildDeps(config);
  const seed = await seedDemo(deps.db, deps.services.identity);
  if (seed.seeded) printDemoAccounts(seed, config.publicUrl);
  else process.stdout.write('the demo province is already seeded; use reset-password to get a new password for an account\n');
  await deps.close();
});

program.command('create-admin').description('create (or update) a staff account with a role in an organization; prints its password once')
  .requiredOption('--username <name>', 'login name (a-z, 0-9, dot, dash, underscore)')
  .requiredOption('--org <code>', 'organization code, e.g. sari or mazandaran')
  .option('--role <role>', `one of ${ROLES.join(', ')}`, 'org_admin')
  .option('--name <display>', 'display name')
  .action(async (opts: { username: string; org: string; role: string; name?: string }) => {
    if (!(ROLES as readonly string[]).includes(opts.role)) fail(`unknown role ${opts.role}; use one of ${ROLES.join(', ')}`);
    const deps = await buildDeps(loadConfig());
    const orgId = await deps.services.orgs.idOf(opts.org);
    if (!orgId) fail(`no organization with code ${opts.org}`);
    const r = await deps.services.identity.createStaff(systemActor, { username: opts.username, displayName: opts.name ?? opts.username, memberships: [{ orgId: orgId!, role: opts.role as Role }] });
    process.stdout.write(`${opts.username}: ${r.password}\n(shown once; stored only as an argon2id hash)\n`);
    await deps.close();
  });

program.command('reset-password').description('give a staff account a new random password, unlock it and end its sessions')
  .argument('<username>')
  .action(async (username: string) => {
    const deps = await buildDeps(loadConfig());
    try {
      const password = await deps.services.identity.resetPassword(systemActor, username);
      process.stdout.write(`${username}: ${password}\n`);
    } catch {
      fail(`no staff account named ${username}`);
    } finally {
      await deps.close();
    }
  });

const audit = program.command('audit').description('the hash-chained audit log');
audit.command('verify').description('recompute the chain; exit 1 and name the first broken entry if any was edited or deleted').action(async () => {
  const handle = openDatabase(loadConfig().database);
  await migrateToLatest(handle.db);
  const r = await verifyAudit(handle.db);
  await handle.close();
  if (r.ok) process.stdout.write(`audit chain intact: ${r.checked} entries\n`);
  else fail(`audit chain BROKEN at entry ${r.problem!.seq} (${r.problem!.reason}); ${r.checked} entries before it are intact`);
});

program.parseAsync().catch((err) => {
  if (err instanceof ConfigError) fail(err.message);
  fail(String((err as Error)?.message ?? err));
});
