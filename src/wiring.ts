import type { Config } from './config.js';
import { migrateToLatest, openDatabase, openReadReplica, type DB, type Dialect, type ReadReplica } from './platform/db/index.js';
import { systemClock, type Clock } from './platform/core/index.js';
import { OutboxWorker } from './platform/outbox/index.js';
import { createEmailChannel, createSmsChannel, type EmailChannel, type SmsChannel } from './platform/notify/index.js';
import { BusinessCalendar } from './platform/calendar/business.js';
import { createIdentityService } from './modules/identity/service.js';
import { createOrgsService } from './modules/orgs/service.js';
import { createCatalogService } from './modules/catalog/service.js';
import { messageHandlers } from './modules/messages/handlers.js';
import { createApplicationsService } from './modules/applications/service.js';
import { createCaseworkService } from './modules/casework/service.js';
import { EscalationScanner, escalationHandlers } from './modules/casework/escalation.js';
import { createLocalFileStore, type FileStore } from './platform/files/index.js';
import { FileSweeper } from './platform/files/sweep.js';
import { createPaymentGateway, type PaymentGateway } from './platform/payments/index.js';
import { createPaymentsService } from './modules/payments/service.js';
import { PaymentReconciler } from './modules/payments/reconciler.js';
import { createLeviesService } from './modules/payments/levies.js';
import { createClearanceService } from './modules/payments/clearance.js';
import { createReportsService } from './modules/payments/reports.js';
import { ReportEscalationScanner, createGrievancesService } from './modules/grievances/service.js';
import { createCategoryAdmin } from './modules/grievances/category-admin.js';
import { OverdueResolutionScanner, councilHandlers, createCouncilService } from './modules/council/service.js';
import { kpis, warmKpis } from './modules/transparency/kpi.js';
import { RollupWorker } from './modules/transparency/rollup.js';
import { NewsScheduler, createNewsService } from './modules/news/service.js';
import { createAgenciesService } from './modules/integration/agencies.js';
import { createExternalService, installExternalForwarding } from './modules/integration/external.js';
import { webhookHandlers } from './platform/webhooks/deliver.js';
import { join } from 'node:path';

export interface Adapters {
  clock: Clock;
  sms: SmsChannel;
  email: EmailChannel;
  /** Where uploaded documents are stored (local disk under DATA_DIR/files by default). */
  files: FileStore;
  /** The payment gateway (PAYMENT_GATEWAY: the built-in sandbox bank, or Zarinpal). */
  paymentGateway: PaymentGateway;
}

/** Everything the app is built from; tests build it with their own adapters. */
export interface AppDeps extends Adapters {
  config: Config;
  db: DB;
  dialect: Dialect;
  /** For lag-tolerant public reads only (transparency dashboards, open data): the replica of READ_DATABASE_URL, or the primary. */
  readDb: DB;
  /** The read replica when READ_DATABASE_URL is set (readyz reports it). */
  readReplica: ReadReplica | null;
  worker: OutboxWorker;
  /** Escalates deadline breaches to managers; main starts it with the outbox worker. */
  escalations: EscalationScanner;
  /** Escalates city problem reports past their due date; main starts it with the outbox worker. */
  reportEscalations: ReportEscalationScanner;
  /** Verifies payments whose payer never came back; main starts it with the outbox worker. */
  reconciler: PaymentReconciler;
  /** Flags the council's overdue resolutions and notifies the responsible organization; main starts it with the outbox worker. */
  councilOverdue: OverdueResolutionScanner;
  /** Keeps the transparency rollups (kpi_daily, kpi_durations) up to date from the event logs; main starts it. */
  rollups: RollupWorker;
  /** Publishes scheduled news articles when their time comes; main starts it with the outbox worker. */
  newsScheduler: NewsScheduler;
  /** Removes stored files no row references and stale upload parts (what a crash leaves); main starts it. */
  fileSweeper: FileSweeper;
  calendar: BusinessCalendar;
  services: ReturnType<typeof buildServices>;
  close(): Promise<void>;
}

function buildServices(config: Config, db: DB, clock: Clock, onOutbox: () => void, calendar: BusinessCalendar, files: FileStore, paymentGateway: PaymentGateway) {
  // Applications of services processed in an external back-office system are forwarded there (issue 8).
  installExternalForwarding();
  const applications = createApplicationsService({ db, clock, calendar, files, onOutbox, publicUrl: config.publicUrl });
  const payments = createPaymentsService({ db, clock, gateway: paymentGateway, publicUrl: config.publicUrl, applications, onOutbox, policy: { reconcileAfterMs: config.paymentReconcileAfterMinutes * 60_000 } });
  return {
    identity: createIdentityService({ db, clock, secret: config.sessionSecret, onOutbox, issuer: 'Pishkhan' }),
    orgs: createOrgsService(db, clock),
    applications,
    catalog: createCatalogService({ db, clock, workdaysPerWeek: config.businessThursday === 'work' ? 6 : 5 }),
    casework: createCaseworkService({ db, clock, calendar, applications }),
    payments,
    levies: createLeviesService({ db, clock, payments }),
    clearance: createClearanceService({ db, clock }),
    paymentReports: createReportsService({ db, clock }),
    grievances: createGrievancesService({ db, clock, calendar, files, onOutbox }),
    reportCategories: createCategoryAdmin({ db, clock }),
    council: createCouncilService({ db, clock, kpis, onOutbox }),
    news: createNewsService({ db, clock, files }),
    agencies: createAgenciesService({ db, clock }),
    external: createExternalService({ db, clock, isProduction: config.isProduction, onOutbox }),
  };
}

/** The one wiring function: opens the database, migrates it, builds adapters, services and the outbox worker. */
export async function buildDeps(config: Config, overrides: Partial<Adapters> = {}): Promise<AppDeps> {
  const handle = openDatabase(config.database);
  await migrateToLatest(handle.db);
  const clock = overrides.clock ?? systemClock;
  const sms = overrides.sms ?? createSmsChannel(config.sms.provider === 'kavenegar'
    ? { provider: 'kavenegar', kavenegar: { apiKey: config.sms.apiKey, sender: config.sms.sender, otpTemplate: config.sms.otpTemplate, baseUrl: config.sms.baseUrl } }
    : { provider: 'local' });
  const email = overrides.email ?? createEmailChannel({ smtpUrl: config.mail.smtpUrl, from: config.mail.from });
  const files = overrides.files ?? createLocalFileStore(join(config.dataDir, 'files'));
  const calendar = new BusinessCalendar({ thursday: config.businessThursday });
  const paymentGateway = overrides.paymentGateway ?? createPaymentGateway(
    config.zarinpal ? { gateway: 'zarinpal', zarinpal: config.zarinpal } : { gateway: 'sandbox' },
    { db: handle.db, clock },
  );
  let worker: OutboxWorker | null = null;
  const services = buildServices(config, handle.db, clock, () => worker?.kick(), calendar, files, paymentGateway);
  const handlers = { ...messageHandlers({ db: handle.db, sms, email, clock, redactSecrets: config.isProduction }), ...escalationHandlers({ db: handle.db, clock }), ...councilHandlers({ db: handle.db, clock }), ...webhookHandlers({ db: handle.db, clock, isProduction: config.isProduction }) };
  worker = new OutboxWorker(handle.db, handlers, { pollMs: config.outboxPollMs, clock });
  const escalations = new EscalationScanner({ db: handle.db, clock, onOutbox: () => worker?.kick() });
  const reconciler = new PaymentReconciler({ run: () => services.payments.reconcile() });
  const reportEscalations = new ReportEscalationScanner({ db: handle.db, clock });
  const rollups = new RollupWorker({
    db: handle.db, calendar, clock, dialect: handle.dialect,
    afterChange: () => warmKpis(handle.db, clock.now(), { costPerVisitRials: config.costPerVisitRials }),
  });
  const councilOverdue = new OverdueResolutionScanner({ db: handle.db, clock, onOutbox: () => worker?.kick() });
  const newsScheduler = new NewsScheduler({ db: handle.db, clock });
  const fileSweeper = new FileSweeper({ db: handle.db, root: join(config.dataDir, 'files'), clock });
  const readReplica = config.readDatabaseUrl && handle.pool ? openReadReplica(config.readDatabaseUrl, handle.pool) : null;
  return {
    config, db: handle.db, dialect: handle.dialect, readDb: readReplica?.db ?? handle.db, readReplica, clock, sms, email, files, paymentGateway, worker, escalations, reportEscalations, rollups, reconciler, councilOverdue, newsScheduler, fileSweeper, calendar, services,
    async close() {
      await reconciler.stop();
      await reportEscalations.stop();
      await rollups.stop();
      await councilOverdue.stop();
      await newsScheduler.stop();
      await fileSweeper.stop();
      await escalations.stop();
      await worker?.stop();
      await readReplica?.close();
      await handle.close();
    },
  };
}
