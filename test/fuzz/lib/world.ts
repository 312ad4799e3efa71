// The world the fuzz tests run in: the whole app on a fresh database (SQLite or PostgreSQL,
// TEST_DB) with the demo province, a citizen with applications and reports, an API key per
// municipality, and a session for each kind of actor. Sessions and keys a fuzzed request ends
// (sign-out, revoke, rotate, disable) are put back between operations, so later runs still act as
// who they say. Unhandled errors the app logs are captured (not printed), to explain a 500.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/wiring.js';
import { buildApp } from '../../../src/app.js';
import { seedDemo } from '../../../src/modules/orgs/seed.js';
import { createApiClient, API_SCOPES } from '../../../src/platform/auth/api-keys.js';
import { randomToken, tokenHash } from '../../../src/platform/auth/tokens.js';
import { makeCitizen } from '../../../src/modules/applications/test-factories.js';
import { CapturingEmail, CapturingSms, TestClock, testDb, drainOutbox, type TestApp } from '../../helpers.js';

/** Who sends a request: no credentials, a bearer session token, or an API key. */
export interface FuzzActor {
  name: string;
  group: ActorGroup;
  kind: 'anonymous' | 'citizen' | 'staff' | 'api_key';
  /** The session token (citizen, staff) or the API key. */
  token: string | null;
  subjectId: string | null;
  org: string | null;
}
/** The kinds the brief asks each operation to be run as. */
export type ActorGroup = 'anonymous' | 'citizen' | 'staff-own-org' | 'staff-other-org' | 'api-key';
export const ACTOR_GROUPS: ActorGroup[] = ['anonymous', 'citizen', 'staff-own-org', 'staff-other-org', 'api-key'];

export interface FuzzWorld {
  t: TestApp;
  actors: FuzzActor[];
  /** Errors the app logged as unhandled, newest last (an explanation for a 500). */
  errors: string[];
  /** Puts back sessions, staff accounts and API keys a fuzzed request ended. */
  restoreActors(): Promise<void>;
  /** Real values for path parameters, read from the database now. */
  pools(): Promise<Record<string, string[]>>;
  close(): Promise<void>;
}

// The app logs an unhandled error as one JSON line at level 50 on stdout; keep those lines.
function captureErrorLog(errors: string[]): () => void {
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const s = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    if (s.startsWith('{"level":')) {
      if (/"level":(50|60)/.test(s)) errors.push(s.slice(0, 4000));
      return true;
    }
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  return () => { process.stdout.write = original; };
}

const STAFF: { name: string; username: string; group: ActorGroup; org: string }[] = [
  { name: 'sari.admin', username: 'sari.admin', group: 'staff-own-org', org: 'sari' },
  { name: 'sari.clerk', username: 'sari.clerk', group: 'staff-own-org', org: 'sari' },
  { name: 'sari.manager', username: 'sari.manager', group: 'staff-own-org', org: 'sari' },
  { name: 'sari.pr', username: 'sari.pr', group: 'staff-own-org', org: 'sari' },
  { name: 'sari-ict.author', username: 'sari-ict.author', group: 'staff-own-org', org: 'sari-ict' },
  { name: 'province.admin', username: 'province.admin', group: 'staff-own-org', org: 'mazandaran' },
  { name: 'council.member', username: 'council.member', group: 'staff-own-org', org: 'mazandaran' },
  { name: 'babol.admin', username: 'babol.admin', group: 'staff-other-org', org: 'babol' },
  { name: 'babol.clerk', username: 'babol.clerk', group: 'staff-other-org', org: 'babol' },
];

/** The app with the demo province and one session per actor; see the file comment. */
export async function makeFuzzWorld(): Promise<FuzzWorld> {
  const errors: string[] = [];
  const restoreLog = captureErrorLog(errors);
  const tdb = await testDb();
  const dataDir = mkdtempSync(join(tmpdir(), 'pishkhan-fuzz-'));
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'error', SESSION_SECRET: 'test-secret-'.padEnd(40, 'x'), DATA_DIR: dataDir,
    DATABASE_URL: tdb.config.kind === 'postgres' ? tdb.config.url : `sqlite:${tdb.config.file}`,
  });
  const clock = new TestClock();
  const sms = new CapturingSms();
  const email = new CapturingEmail();
  const deps = await buildDeps(config, { clock, sms, email });
  const app = await buildApp(deps);
  await app.ready();
  const t: TestApp = {
    app, deps, clock, sms, email,
    async close() { await app.close(); await deps.close(); await tdb.drop(); rmSync(dataDir, { recursive: true, force: true }); },
  };
  const db = deps.db;
  const now = clock.now();
  await seedDemo(db, deps.services.identity, now);
  const orgId = async (code: string) => (await db.selectFrom('orgs').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;

  const sessions = new Map<string, { token: string; kind: 'citizen' | 'staff'; subjectId: string }>();
  const putSession = async (s: { token: string; kind: 'citizen' | 'staff'; subjectId: string }) => {
    const id = tokenHash(s.token);
    const row = await db.selectFrom('sessions').select(['id', 'expires_at']).where('id', '=', id).executeTakeFirst();
    if (row && Number(row.expires_at) > clock.now()) return;
    if (row) await db.deleteFrom('sessions').where('id', '=', id).execute();
    const at = clock.now();
    await db.insertInto('sessions').values({
      id, kind: s.kind, subject_id: s.subjectId, stage: 'full', ip: '127.0.0.1', user_agent: 'fuzz', created_at: at, last_seen_at: at, expires_at: at + 365 * 86_400_000,
    }).execute();
  };

  const actors: FuzzActor[] = [{ name: 'anonymous', group: 'anonymous', kind: 'anonymous', token: null, subjectId: null, org: null }];
  const citizenId = await makeCitizen(db, '09121110000', { nationalCode: '0499370899' });
  const otherCitizenId = await makeCitizen(db, '09121110001');
  for (const [name, id] of [['citizen', citizenId], ['citizen.other', otherCitizenId]] as const) {
    const token = randomToken();
    sessions.set(name, { token, kind: 'citizen', subjectId: id });
    actors.push({ name, group: 'citizen', kind: 'citizen', token, subjectId: id, org: null });
  }
  for (const s of STAFF) {
    const row = await db.selectFrom('staff').select('id').where('username', '=', s.username).executeTakeFirstOrThrow();
    const token = randomToken();
    sessions.set(s.name, { token, kind: 'staff', subjectId: row.id });
    actors.push({ name: s.name, group: s.group, kind: 'staff', token, subjectId: row.id, org: s.org });
  }
  for (const s of sessions.values()) await putSession(s);

  // One API key with every scope per municipality: sari's acts on its own data, babol's on another org's.
  const keys = new Map<string, { id: string; key: string }>();
  const makeKey = async (org: string) => {
    const k = await createApiClient(db, { orgId: await orgId(org), name: `fuzz ${org}`, scopes: [...API_SCOPES], ratePerMinute: 10_000, now: clock.now() });
    keys.set(org, { id: k.id, key: k.key });
    return k.key;
  };
  for (const org of ['sari', 'babol']) actors.push({ name: `key.${org}`, group: 'api-key', kind: 'api_key', token: await makeKey(org), subjectId: null, org });

  // Records to aim at: applications (draft and submitted) and a report of the citizen in Sari.
  const asCitizen = { authorization: `Bearer ${sessions.get('citizen')!.token}` };
  const services = await db.selectFrom('org_services').innerJoin('service_templates', 'service_templates.id', 'org_services.template_id')
    .innerJoin('orgs', 'orgs.id', 'org_services.org_id').select(['service_templates.code']).where('orgs.code', '=', 'sari').where('org_services.enabled', '=', 1).execute();
  for (const [i, s] of services.slice(0, 4).entries()) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/applications', headers: asCitizen, payload: { org: 'sari', service: s.code } });
    if (r.statusCode !== 201 || i % 2 === 1) continue;
    await app.inject({ method: 'POST', url: `/api/v1/applications/${r.json().id}/submit`, headers: asCitizen, payload: { submit_key: `fuzz-submit-${i}` } });
  }
  const sari = await db.selectFrom('orgs').select(['lat', 'lng']).where('code', '=', 'sari').executeTakeFirstOrThrow();
  const cat = await db.selectFrom('report_categories').innerJoin('orgs', 'orgs.id', 'report_categories.org_id').select('report_categories.code').where('orgs.code', '=', 'sari').executeTakeFirst();
  if (cat) await app.inject({ method: 'POST', url: '/api/v1/reports', headers: asCitizen, payload: { category: cat.code, description: 'چاله بزرگ وسط خیابان فرهنگ', lat: Number(sari.lat), lng: Number(sari.lng) } });
  await drainOutbox(t);

  const staffActors = actors.filter((a) => a.kind === 'staff');
  return {
    t, actors, errors,
    async restoreActors() {
      for (const s of sessions.values()) await putSession(s);
      await db.updateTable('staff').set({ disabled: 0 }).where('id', 'in', staffActors.map((a) => a.subjectId!)).where('disabled', '=', 1).execute();
      for (const a of actors.filter((x) => x.kind === 'api_key')) {
        const k = keys.get(a.org!)!;
        const row = await db.selectFrom('api_clients').select(['key_hash', 'revoked_at']).where('id', '=', k.id).executeTakeFirst();
        if (!row || row.revoked_at !== null || row.key_hash !== tokenHash(k.key)) a.token = await makeKey(a.org!);
      }
    },
    async pools() {
      const col = async <T>(p: Promise<T[]>, f: (r: T) => unknown) => (await p).map((r) => String(f(r))).filter((v) => v && v !== 'null');
      const apps = db.selectFrom('applications').select(['id', 'tracking_code', 'result_code']).execute();
      return {
        org: ['sari', 'babol', 'mazandaran', 'sari-ict'],
        application: await col(apps, (r) => r.id),
        tracking: await col(apps, (r) => r.tracking_code),
        result: await col(apps, (r) => r.result_code),
        document: await col(db.selectFrom('documents').select('id').execute(), (r) => r.id),
        service: await col(db.selectFrom('service_templates').select('code').execute(), (r) => r.code),
        bill: await col(db.selectFrom('bills').select('id').limit(20).execute(), (r) => r.id),
        payment: await col(db.selectFrom('payments').select('id').limit(20).execute(), (r) => r.id),
        report: await col(db.selectFrom('reports').select('id').execute(), (r) => r.id),
        reportCode: await col(db.selectFrom('reports').select('tracking_code').execute(), (r) => r.tracking_code),
        category: await col(db.selectFrom('report_categories').select('code').limit(20).execute(), (r) => r.code),
        news: await col(db.selectFrom('news_articles').select('code').limit(20).execute(), (r) => r.code),
        webhook: await col(db.selectFrom('webhook_subscriptions').select('id').execute(), (r) => r.id),
        delivery: await col(db.selectFrom('webhook_deliveries').select('id').limit(20).execute(), (r) => r.id),
        apiClient: await col(db.selectFrom('api_clients').select('id').execute(), (r) => r.id),
        agency: await col(db.selectFrom('orgs').select('code').execute(), (r) => r.code),
        externalService: await col(db.selectFrom('external_services').select('code').execute(), (r) => r.code),
        indicator: await col(db.selectFrom('council_indicators').select('code').execute(), (r) => r.code),
        meeting: await col(db.selectFrom('council_meetings').select('number').execute(), (r) => r.number),
        resolution: await col(db.selectFrom('council_resolutions').select('id').execute(), (r) => r.id),
        notice: [
          ...await col(db.selectFrom('staff_notices').select('id').execute(), (r) => r.id),
          ...await col(db.selectFrom('council_notices').select('id').execute(), (r) => r.id),
        ],
        version: ['1', '2', '3'],
        dataset: ['applications', 'reports', 'kpis', 'catalog'],
        clearance: await col(db.selectFrom('clearance_certificates').select('verify_code').execute(), (r) => r.verify_code),
      };
    },
    async close() { restoreLog(); await t.close(); },
  };
}
