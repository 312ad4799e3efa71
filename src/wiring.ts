import type { Config } from './config.js';
import { migrateToLatest, openDatabase, type DB, type Dialect } from './platform/db/index.js';
import { systemClock, type Clock } from './platform/core/index.js';
import { OutboxWorker } from './platform/outbox/index.js';
import { createEmailChannel, createSmsChannel, type EmailChannel, type SmsChannel } from './platform/notify/index.js';
import { BusinessCalendar } from './platform/calendar/business.js';
import { createIdentityService } from './modules/identity/service.js';
import { createOrgsService } from './modules/orgs/service.js';
import { messageHandlers } from './modules/messages/handlers.js';

export interface Adapters {
  clock: Clock;
  sms: SmsChannel;
  email: EmailChannel;
}

/** Everything the app is built from; tests build it with their own adapters. */
export interface AppDeps extends Adapters {
  config: Config;
  db: DB;
  dialect: Dialect;
  worker: OutboxWorker;
  calendar: BusinessCalendar;
  services: ReturnType<typeof buildServices>;
  close(): Promise<void>;
}

function buildServices(config: Config, db: DB, clock: Clock, onOutbox: () => void) {
  return {
    identity: createIdentityService({ db, clock, secret: config.sessionSecret, onOutbox, issuer: 'Pishkhan' }),
    orgs: createOrgsService(db),
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
  let worker: OutboxWorker | null = null;
  const services = buildServices(config, handle.db, clock, () => worker?.kick());
  worker = new OutboxWorker(handle.db, messageHandlers({ db: handle.db, sms, email, clock, redactSecrets: config.isProduction }), { pollMs: config.outboxPollMs, clock });
  const calendar = new BusinessCalendar({ thursday: config.businessThursday });
  return {
    config, db: handle.db, dialect: handle.dialect, clock, sms, email, worker, calendar, services,
    async close() {
      await worker?.stop();
      await handle.close();
    },
  };
}
