import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { loadConfig, ConfigError } from './config.js';
import { migrateToLatest, openDatabase } from './platform/db/index.js';
import { buildDeps } from './wiring.js';
import { verifyAudit } from './platform/audit/index.js';
import { ROLES, systemActor, type Role } from './platform/core/index.js';
import { seedDemo } from './modules/orgs/seed.js';
import { importBoundaries } from './modules/grievances/areas.js';
import { printDemoAccounts } from './print.js';
import { AppError } from './platform/http/errors.js';
import { t } from './platform/i18n/messages.js';
import './modules/catalog/messages-catalog.js';
import { BackupError, backupInstance, restoreInstance } from './platform/db/backup.js';
import { API_SCOPES, createApiClient, listApiClients, revokeApiClient, rotateApiClient } from './platform/auth/api-keys.js';

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
  const seed = await seedDemo(deps.db, deps.services.identity, Date.now(), { activity: config.demoActivity, calendar: deps.calendar });
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

const catalog = program.command('catalog').description('service definitions of the reference organization');
/** Prints why a catalog command failed: each problem of a definition by path, or the error. */
const catalogFailure = (err: unknown, what: string): never => {
  if (!(err instanceof AppError)) throw err;
  if (err.status === 404) return fail(`${what}: not found (is there a reference organization, and such a service and version?)`);
  const fields = Object.entries(err.fields).map(([path, key]) => `  ${path}: ${t('en', key)}`);
  return fail([`${what}: ${t('en', err.code, err.params)}`, ...fields].join('\n'));
};

catalog.command('import').description('import a definition (YAML or JSON) as the draft of its service, as the reference organization')
  .argument('<file>', 'a .yaml, .yml or .json file')
  .option('--publish', 'publish the new version at once')
  .option('--format <format>', 'yaml or json (default: from the file name)')
  .action(async (file: string, opts: { publish?: boolean; format?: string }) => {
    const format = opts.format ?? (/\.json$/i.test(file) ? 'json' : 'yaml');
    if (format !== 'yaml' && format !== 'json') fail('--format must be yaml or json');
    let source = '';
    try { source = readFileSync(file, 'utf8'); } catch { fail(`cannot read ${file}`); }
    const deps = await buildDeps(loadConfig());
    try {
      const v = await deps.services.catalog.importDefinition(systemActor, { source, format: format as 'yaml' | 'json', publish: Boolean(opts.publish) });
      process.stdout.write(`${v.code}: version ${v.version} ${v.status === 'published' ? 'published' : 'saved as a draft (publish it with --publish or on /staff/catalog)'}\n`);
    } catch (err) {
      catalogFailure(err, file);
    } finally {
      await deps.close();
    }
  });

catalog.command('export').description('print a version of a service definition as YAML or JSON')
  .argument('<code>', 'the service code, e.g. building-permit')
  .option('--version <n>', 'the version number (default: the newest published)')
  .option('--format <format>', 'yaml or json', 'yaml')
  .action(async (code: string, opts: { version?: string; format: string }) => {
    if (opts.format !== 'yaml' && opts.format !== 'json') fail('--format must be yaml or json');
    const version = opts.version === undefined ? undefined : Number(opts.version);
    if (version !== undefined && !(Number.isInteger(version) && version > 0)) fail('--version must be a positive whole number');
    const deps = await buildDeps(loadConfig());
    try {
      const file = await deps.services.catalog.exportVersion(systemActor, code, version, opts.format as 'yaml' | 'json');
      process.stdout.write(file.body);
    } catch (err) {
      catalogFailure(err, code);
    } finally {
      await deps.close();
    }
  });

const payments = program.command('payments').description('online payments');
payments.command('reconcile').description('verify pending payments whose payer never came back with the gateway, and settle or expire them (the server also does it every minute)').action(async () => {
  const deps = await buildDeps(loadConfig());
  try {
    const r = await deps.services.payments.reconcile();
    process.stdout.write(`checked ${r.checked} pending payments: ${r.settled} settled, ${r.failed} failed, ${r.expired} expired, ${r.stillPending} still pending; ${r.advanced} applications moved on\n`);
  } finally {
    await deps.close();
  }
});

const apiClient = program.command('api-client').description('API keys other systems call with (Open311 api_key)');
apiClient.command('create').description('create an API client of an organization; prints its key once')
  .requiredOption('--org <code>', 'organization code, e.g. babol')
  .requiredOption('--name <name>', 'who uses the key, e.g. "FixMyStreet Babol"')
  .option('--scopes <list>', `comma-separated, of ${API_SCOPES.join(', ')}`, 'reports.write,reports.read')
  .option('--rate <n>', 'requests a minute this client may make (1-10000)', '120')
  .action(async (opts: { org: string; name: string; scopes: string; rate: string }) => {
    const deps = await buildDeps(loadConfig());
    try {
      const orgId = await deps.services.orgs.idOf(opts.org);
      if (!orgId) fail(`no organization with code ${opts.org}`);
      const scopes = opts.scopes.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
      if (unknown.length || !scopes.length) fail(`--scopes: use some of ${API_SCOPES.join(', ')}`);
      const c = await createApiClient(deps.db, { orgId: orgId!, name: opts.name, scopes, ratePerMinute: Number(opts.rate), createdBy: null, now: deps.clock.now() });
      process.stdout.write(`${c.id}\n${c.key}\n(the key is shown once; only its SHA-256 is stored)\n`);
    } catch (err) {
      if (err instanceof AppError) fail(`cannot create: ${Object.keys(err.fields).join(', ') || err.code} is not valid`);
      throw err;
    } finally {
      await deps.close();
    }
  });
apiClient.command('list').description('list the API clients of an organization (never their keys)')
  .requiredOption('--org <code>', 'organization code')
  .action(async (opts: { org: string }) => {
    const deps = await buildDeps(loadConfig());
    try {
      const orgId = await deps.services.orgs.idOf(opts.org);
      if (!orgId) fail(`no organization with code ${opts.org}`);
      const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
      for (const c of await listApiClients(deps.db, orgId!)) {
        process.stdout.write(`${c.id}  pk_${c.key_prefix}_…  ${c.name}  [${c.scopes.join(',')}]  ${c.rate_per_minute}/min  created ${iso(c.created_at)}  last used ${iso(c.last_used_at)}${c.revoked_at === null ? '' : `  REVOKED ${iso(c.revoked_at)}`}\n`);
      }
    } finally {
      await deps.close();
    }
  });
apiClient.command('rotate').description('replace an API client\'s key (the old key stops at once); prints the new key once').argument('<id>')
  .action(async (id: string) => {
    const deps = await buildDeps(loadConfig());
    try {
      const r = await rotateApiClient(deps.db, id, { now: deps.clock.now() });
      if (!r) fail(`no active API client ${id}`);
      process.stdout.write(`${r!.key}\n(the key is shown once; only its SHA-256 is stored)\n`);
    } finally {
      await deps.close();
    }
  });
apiClient.command('revoke').description('revoke an API client at once').argument('<id>')
  .action(async (id: string) => {
    const deps = await buildDeps(loadConfig());
    try {
      if (!(await revokeApiClient(deps.db, id, { now: deps.clock.now() }))) fail(`no active API client ${id}`);
      process.stdout.write(`revoked ${id}\n`);
    } finally {
      await deps.close();
    }
  });

const areas = program.command('areas').description('municipality boundaries: a city problem report goes to the municipality whose area contains its point');
areas.command('import').description('import boundaries from a GeoJSON FeatureCollection of Polygon/MultiPolygon features; each replaces its municipality\'s area')
  .argument('<file>', 'a .geojson or .json file')
  .option('--code-property <name>', 'the feature property that holds the municipality code', 'code')
  .action(async (file: string, opts: { codeProperty: string }) => {
    let input: unknown;
    try { input = JSON.parse(readFileSync(file, 'utf8')); } catch (err) { fail(`cannot read ${file} as JSON: ${(err as Error).message}`); }
    const handle = openDatabase(loadConfig().database);
    try {
      await migrateToLatest(handle.db);
      const r = await importBoundaries(handle.db, input, { source: basename(file), now: Date.now(), codeProperty: opts.codeProperty });
      process.stdout.write(`imported ${r.imported.length} municipality areas from ${basename(file)}: ${r.imported.join(', ')}\n`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const fields = Object.entries(err.fields).map(([path, key]) => `  ${path}: ${t('en', key)}`);
      fail([`${file}: ${t('en', err.code, err.params)}`, ...fields].join('\n'));
    } finally {
      await handle.close();
    }
  });

program.command('backup').description('take a consistent online backup (database + stored files) into a new directory, while the server runs')
  .argument('<dir>', 'a new (or empty) directory: manifest.json, database.sqlite or database.pgdump, files/')
  .action(async (dir: string) => {
    const config = loadConfig();
    try {
      const m = await backupInstance({ database: config.database, dataDir: config.dataDir }, dir);
      process.stdout.write(`backup of the ${m.engine} database and ${m.files} stored files written to ${dir}\n`);
    } catch (err) {
      if (err instanceof BackupError) fail(err.message);
      throw err;
    }
  });

program.command('restore').description('restore a backup directory into a fresh instance (DATABASE_URL and DATA_DIR, or the options), then migrate it')
  .argument('<dir>', 'a directory written by backup')
  .option('--database <url>', 'the target database (postgres://... or sqlite:path); default DATABASE_URL')
  .option('--data-dir <dir>', 'the target data directory (its files/ receives the stored files); default DATA_DIR')
  .option('--force', 'replace a target database or files directory that already holds data')
  .action(async (dir: string, opts: { database?: string; dataDir?: string; force?: boolean }) => {
    const config = loadConfig({ ...process.env, ...(opts.database ? { DATABASE_URL: opts.database } : {}), ...(opts.dataDir ? { DATA_DIR: opts.dataDir } : {}) });
    try {
      const r = await restoreInstance(dir, { database: config.database, dataDir: config.dataDir }, { force: Boolean(opts.force) });
      process.stdout.write(`restored the ${r.manifest.engine} backup of ${r.manifest.created_at} (${r.manifest.files} stored files)${r.migrations.length ? `; applied: ${r.migrations.join(', ')}` : ''}\n`);
    } catch (err) {
      if (err instanceof BackupError) fail(err.message);
      throw err;
    }
  });

program.parseAsync().catch((err) => {
  if (err instanceof ConfigError) fail(err.message);
  fail(String((err as Error)?.message ?? err));
});
