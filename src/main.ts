import cluster from 'node:cluster';
import { loadConfig, ConfigError, type Config } from './config.js';
import { buildDeps } from './wiring.js';
import { runPrimary } from './cluster.js';
import { migrateToLatest, openDatabase } from './platform/db/index.js';
import { systemClock } from './platform/core/index.js';
import { BusinessCalendar } from './platform/calendar/business.js';
import { createIdentityService } from './modules/identity/service.js';
import { buildApp } from './app.js';
import { seedDemo } from './modules/orgs/seed.js';
import { generateDemoActivity } from './modules/transparency/demo-activity.js';
import { printDemoAccounts } from './print.js';

/** Prepares the database once for WORKERS > 1: migrations, and the demo seed with its activity, before any worker starts. */
async function prepareOnce(config: Config): Promise<void> {
  const handle = openDatabase(config.database);
  try {
    await migrateToLatest(handle.db);
    if (!config.demo) return;
    const identity = createIdentityService({ db: handle.db, clock: systemClock, secret: config.sessionSecret, onOutbox: () => undefined, issuer: 'Pishkhan' });
    const seed = await seedDemo(handle.db, identity, Date.now());
    if (seed.seeded) printDemoAccounts(seed, config.publicUrl);
    if (seed.seeded && config.demoActivity) {
      process.stdout.write('generating a year of demo activity for the transparency dashboards before the workers start\n');
      await generateDemoActivity(handle.db, { now: Date.now(), calendar: new BusinessCalendar({ thursday: config.businessThursday }) });
    }
  } finally {
    await handle.close();
  }
}

async function start(config: Config): Promise<void> {
  const deps = await buildDeps(config);
  // A first demo start also generates a year of activity for the dashboards: after the server is
  // up (it takes some seconds), with the rollups started once it is there. Under WORKERS > 1 the
  // primary did both before forking this worker.
  let generateActivity = false;
  if (config.demo && !cluster.isWorker) {
    const seed = await seedDemo(deps.db, deps.services.identity, Date.now());
    if (seed.seeded) printDemoAccounts(seed, config.publicUrl);
    generateActivity = seed.seeded && config.demoActivity;
  }
  const app = await buildApp(deps);
  deps.worker.start((err) => app.log.error({ err }, 'outbox worker pass failed; backing off'));
  deps.escalations.start((err) => app.log.error({ err }, 'escalation scan failed'));
  deps.reportEscalations.start((err) => app.log.error({ err }, 'report escalation scan failed'));
  deps.reconciler.start((err) => app.log.error({ err }, 'payment reconciliation failed'));
  deps.councilOverdue.start((err) => app.log.error({ err }, 'council overdue scan failed'));
  deps.newsScheduler.start((err) => app.log.error({ err }, 'news scheduler failed'));
  deps.fileSweeper.start((err) => app.log.error({ err }, 'file sweep failed'));
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ url: config.publicUrl, database: deps.dialect, ...(cluster.isWorker ? { worker: cluster.worker?.id } : {}) }, 'Pishkhan is serving');
  const startRollups = () => deps.rollups.start((err) => app.log.error({ err }, 'transparency rollup failed'));
  if (generateActivity) {
    app.log.info('generating a year of demo activity for the transparency dashboards (in the background)');
    const started = Date.now();
    generateDemoActivity(deps.db, { now: Date.now(), calendar: deps.calendar })
      .then((r) => app.log.info({ ms: Date.now() - started, ...r }, 'demo activity generated'))
      .catch((err: unknown) => app.log.error({ err }, 'demo activity generation failed'))
      .finally(startRollups);
  } else {
    startRollups();
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await deps.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

try {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    await runPrimary({ workers: config.workers, logLevel: config.logLevel, prepare: () => prepareOnce(config) });
  } else {
    await start(config);
  }
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\nPishkhan did not start. See README.md, section Configuration.\n`);
    process.exit(1);
  }
  process.stderr.write(`Pishkhan failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
}
