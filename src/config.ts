import { z } from 'zod';

/** Every environment variable Pishkhan reads, validated once at start-up. */
const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().optional(),
  READ_DATABASE_URL: z.string().optional(),
  PISHKHAN_DEMO: boolish.optional(),
  PISHKHAN_DEMO_ACTIVITY: boolish.optional(),
  SESSION_SECRET: z.string().optional(),
  PUBLIC_URL: z.string().url().optional(),
  SMS_PROVIDER: z.enum(['local', 'kavenegar']).default('local'),
  KAVENEGAR_API_KEY: z.string().optional(),
  KAVENEGAR_SENDER: z.string().optional(),
  KAVENEGAR_OTP_TEMPLATE: z.string().optional(),
  KAVENEGAR_BASE_URL: z.string().url().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().optional(),
  PAYMENT_GATEWAY: z.enum(['sandbox', 'zarinpal']).default('sandbox'),
  ZARINPAL_MERCHANT_ID: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'the 36-character merchant code Zarinpal gave (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)').optional(),
  ZARINPAL_BASE_URL: z.string().url().optional(),
  ZARINPAL_CURRENCY: z.enum(['IRR', 'IRT']).default('IRR'),
  PAYMENT_RECONCILE_AFTER_MINUTES: z.coerce.number().int().min(1).max(1440).default(20),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BUSINESS_THURSDAY: z.enum(['off', 'work']).default('off'),
  TRUST_PROXY: boolish.optional(),
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  REPORTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  COST_PER_VISIT_RIALS: z.coerce.number().int().min(0).max(1_000_000_000_000).default(500_000),
  OPEN_DATA_MIN_GROUP: z.coerce.number().int().min(1).max(100).default(5),
  MAP_TILE_URL: z.string().regex(/^https?:\/\/[^\s]*\{z\}[^\s]*\{x\}[^\s]*\{y\}/, 'a tile URL template such as https://tile.example.org/{z}/{x}/{y}.png').optional(),
  MAP_TILE_ATTRIBUTION: z.string().max(300).optional(),
});
const BOOLISH_KEYS = new Set(['PISHKHAN_DEMO', 'PISHKHAN_DEMO_ACTIVITY', 'TRUST_PROXY']);

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  dataDir: string;
  /** `postgres://...` selects PostgreSQL; otherwise a SQLite file path. */
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  /** A PostgreSQL read replica for the public dashboards and open data (READ_DATABASE_URL), or null: they read the primary. */
  readDatabaseUrl: string | null;
  demo: boolean;
  /** With the demo seed: a year of generated applications and reports, so the dashboards show something (development only by default). */
  demoActivity: boolean;
  sessionSecret: string;
  publicUrl: string;
  sms: { provider: 'local' } | { provider: 'kavenegar'; apiKey: string; sender?: string; otpTemplate: string; baseUrl?: string };
  mail: { smtpUrl?: string; from: string };
  paymentGateway: 'sandbox' | 'zarinpal';
  /** Zarinpal's settings when PAYMENT_GATEWAY=zarinpal (amounts are sent in `currency`: IRR Rials or IRT Tomans). */
  zarinpal: { merchantId: string; baseUrl: string; currency: 'IRR' | 'IRT' } | null;
  /** A payment still pending this long after it started is verified with the gateway by the reconciliation job. */
  paymentReconcileAfterMinutes: number;
  logLevel: string;
  businessThursday: 'off' | 'work';
  trustProxy: boolean;
  outboxPollMs: number;
  /** App processes `npm start` runs behind its one port (node:cluster); more than one needs PostgreSQL. */
  workers: number;
  /** How many city problem reports one citizen (or one address, anonymously; or one API key) may file per minute. */
  reportsPerMinute: number;
  /** What one office visit costs a citizen (Rials): the transparency figure citizen_cost_saved = visits saved x this. */
  costPerVisitRials: number;
  /** Per-application open-data records are published only for groups (org x service x Jalali month) of at least this many. */
  openDataMinGroup: number;
  /** Map tiles for the report pages: a {z}/{x}/{y} URL template ('' = no tiles; the maps then draw boundaries only), its attribution and the origin the CSP allows images from. */
  map: { tileUrl: string; tileAttribution: string; tileOrigin: string | null };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Builds the validated configuration from an environment; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env, randomSecret = (): string => crypto.randomUUID() + crypto.randomUUID()): Config {
  // An empty variable counts as unset (compose files and shells pass `PORT=` for unset ones);
  // the on/off switches keep their explicit meaning of '' (off).
  const given = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== '' || BOOLISH_KEYS.has(k)));
  const parsed = envSchema.safeParse(given);
  const problems: string[] = [];
  const bad = new Set<string>();
  let e: z.infer<typeof envSchema>;
  if (parsed.success) {
    e = parsed.data;
  } else {
    // Report every problem at once: the rules below still run on the values that did parse,
    // and a variable that failed to parse is not reported a second time by a rule.
    for (const i of parsed.error.issues) {
      bad.add(String(i.path[0]));
      problems.push(`${i.path.join('.')}: ${i.message}`);
    }
    e = envSchema.parse(Object.fromEntries(Object.entries(given).filter(([k]) => !bad.has(k))));
  }
  const problem = (name: string, message: string) => {
    if (!bad.has(name)) problems.push(`${name}: ${message}`);
  };
  const isProduction = e.NODE_ENV === 'production';

  if (isProduction) {
    if (!e.SESSION_SECRET || e.SESSION_SECRET.length < 32) problem('SESSION_SECRET', 'required in production, at least 32 characters');
    if (!e.PUBLIC_URL) problem('PUBLIC_URL', 'required in production (the address citizens use)');
    if (e.PISHKHAN_DEMO) problem('PISHKHAN_DEMO', 'demo data is never seeded in production');
    if (e.PISHKHAN_DEMO_ACTIVITY) problem('PISHKHAN_DEMO_ACTIVITY', 'demo activity is never generated in production');
    if (e.SMS_PROVIDER === 'local') problem('SMS_PROVIDER', 'production needs a real SMS provider (kavenegar)');
  }
  if (isProduction && e.PAYMENT_GATEWAY === 'sandbox') problem('PAYMENT_GATEWAY', 'production takes real payments: set zarinpal (the sandbox test bank moves no money)');
  if (e.PAYMENT_GATEWAY === 'zarinpal') {
    if (!e.ZARINPAL_MERCHANT_ID) problem('ZARINPAL_MERCHANT_ID', 'required when PAYMENT_GATEWAY=zarinpal');
    if (isProduction && e.ZARINPAL_BASE_URL && !e.ZARINPAL_BASE_URL.startsWith('https://')) problem('ZARINPAL_BASE_URL', 'must be an https:// address in production');
  }
  if (e.SMS_PROVIDER === 'kavenegar') {
    if (!e.KAVENEGAR_API_KEY) problem('KAVENEGAR_API_KEY', 'required when SMS_PROVIDER=kavenegar');
    if (!e.KAVENEGAR_OTP_TEMPLATE) problem('KAVENEGAR_OTP_TEMPLATE', 'required when SMS_PROVIDER=kavenegar (the verify/lookup template name)');
  }
  if (e.DATABASE_URL && !/^(postgres|postgresql):\/\//.test(e.DATABASE_URL) && !/^(sqlite:|file:)/.test(e.DATABASE_URL)) {
    problem('DATABASE_URL', 'use postgres://user@host:port/db, or sqlite:path/to/file.db');
  }
  if (e.WORKERS > 1 && !(e.DATABASE_URL && /^postgres/.test(e.DATABASE_URL))) {
    problem('WORKERS', 'more than one app process needs PostgreSQL (DATABASE_URL=postgres://...); a SQLite file serves one process');
  }
  if (e.READ_DATABASE_URL && !/^(postgres|postgresql):\/\//.test(e.READ_DATABASE_URL)) problem('READ_DATABASE_URL', 'a read replica is a PostgreSQL database: postgres://user@host:port/db');
  if (e.READ_DATABASE_URL && !(e.DATABASE_URL && /^postgres/.test(e.DATABASE_URL))) problem('READ_DATABASE_URL', 'a read replica needs DATABASE_URL to be PostgreSQL too');
  if (problems.length) throw new ConfigError(problems);

  const dataDir = e.DATA_DIR;
  const database: Config['database'] = e.DATABASE_URL && /^postgres/.test(e.DATABASE_URL)
    ? { kind: 'postgres', url: e.DATABASE_URL }
    : { kind: 'sqlite', file: e.DATABASE_URL ? e.DATABASE_URL.replace(/^(sqlite:|file:)/, '') : `${dataDir}/pishkhan.db` };

  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    readDatabaseUrl: e.READ_DATABASE_URL ?? null,
    demo: e.PISHKHAN_DEMO ?? !isProduction,
    demoActivity: !isProduction && (e.PISHKHAN_DEMO_ACTIVITY ?? e.NODE_ENV === 'development'),
    // Outside production a missing secret is replaced per start: sessions simply do not survive a restart.
    sessionSecret: e.SESSION_SECRET ?? randomSecret(),
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    sms: e.SMS_PROVIDER === 'kavenegar'
      ? { provider: 'kavenegar', apiKey: e.KAVENEGAR_API_KEY!, sender: e.KAVENEGAR_SENDER, otpTemplate: e.KAVENEGAR_OTP_TEMPLATE!, baseUrl: e.KAVENEGAR_BASE_URL }
      : { provider: 'local' },
    mail: { smtpUrl: e.SMTP_URL || undefined, from: e.MAIL_FROM ?? 'Pishkhan <no-reply@pishkhan.local>' },
    paymentGateway: e.PAYMENT_GATEWAY,
    zarinpal: e.PAYMENT_GATEWAY === 'zarinpal'
      ? { merchantId: e.ZARINPAL_MERCHANT_ID!, baseUrl: (e.ZARINPAL_BASE_URL ?? 'https://payment.zarinpal.com').replace(/\/+$/, ''), currency: e.ZARINPAL_CURRENCY }
      : null,
    paymentReconcileAfterMinutes: e.PAYMENT_RECONCILE_AFTER_MINUTES,
    logLevel: e.LOG_LEVEL,
    businessThursday: e.BUSINESS_THURSDAY,
    trustProxy: e.TRUST_PROXY ?? false,
    outboxPollMs: e.OUTBOX_POLL_MS,
    workers: e.WORKERS,
    reportsPerMinute: e.REPORTS_PER_MINUTE,
    costPerVisitRials: e.COST_PER_VISIT_RIALS,
    openDataMinGroup: e.OPEN_DATA_MIN_GROUP,
    map: { tileUrl: e.MAP_TILE_URL ?? '', tileAttribution: e.MAP_TILE_ATTRIBUTION ?? '', tileOrigin: e.MAP_TILE_URL ? tileOrigin(e.MAP_TILE_URL) : null },
  };
}

/** The scheme and host of a tile URL template for the CSP; a {s} subdomain becomes a wildcard. */
function tileOrigin(template: string): string {
  const m = /^(https?:\/\/)([^/?#]+)/.exec(template)!;
  return `${m[1]}${m[2]!.replace(/\{s\}/g, '*').replace(/\{[^}]*\}/g, '*')}`;
}
