import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { CapturingEmail, CapturingSms, dbKind, drainOutbox, makeTestApp, testDb, TestClock, type TestApp } from '../../../test/helpers.js';
import { loadConfig } from '../../config.js';
import { buildDeps } from '../../wiring.js';
import { buildApp } from '../../app.js';

const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://x.example',
  SMS_PROVIDER: 'kavenegar',
  KAVENEGAR_API_KEY: 'k',
  KAVENEGAR_OTP_TEMPLATE: 'otp',
  PISHKHAN_DEMO: '0',
  SESSION_SECRET: 'p'.repeat(40),
  PAYMENT_GATEWAY: 'zarinpal',
  ZARINPAL_MERCHANT_ID: '1344b5d4-0048-11e8-94db-005056a205be',
};

let t: TestApp;
before(async () => {
  t = await makeTestApp();
});
after(async () => {
  await t.close();
});

/** The whole app on a fresh database, with extra routes registered before it is ready. */
async function appWith(extra: (app: FastifyInstance) => void, env: Record<string, string> = {}) {
  const tdb = await testDb();
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-'.padEnd(40, 'x'),
    DATABASE_URL: tdb.config.kind === 'postgres' ? tdb.config.url : `sqlite:${tdb.config.file}`,
    ...env,
  });
  const deps = await buildDeps(config, { clock: new TestClock(), sms: new CapturingSms(), email: new CapturingEmail() });
  const app = await buildApp(deps, { logger: false });
  extra(app);
  await app.ready();
  return { app, async close() { await app.close(); await deps.close(); await tdb.drop(); } };
}

const cspOf = (res: { headers: Record<string, unknown> }) => {
  const csp = String(res.headers['content-security-policy'] ?? '');
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name!, values] as const;
  }));
};

test('/healthz answers 200 while the process is alive', async () => {
  const res = await t.app.inject({ url: '/healthz' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok' });
});

test('/readyz answers 200 with the database engine when the database answers', async () => {
  const res = await t.app.inject({ url: '/readyz' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ready', database: dbKind });
});

test('/readyz answers 503 once the database handle is closed, while /healthz stays 200', async () => {
  const down = await makeTestApp();
  try {
    await down.deps.db.destroy();
    const res = await down.app.inject({ url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { status: 'unavailable', database: dbKind });
    assert.equal((await down.app.inject({ url: '/healthz' })).statusCode, 200);
  } finally {
    await down.close();
  }
});

test('/metrics exposes request durations by route and status, and process metrics, in Prometheus text format', async () => {
  await t.app.inject({ url: '/healthz' });
  await t.app.inject({ url: '/api/v1/orgs' });
  await t.app.inject({ url: '/no/such/path/12345' });
  const res = await t.app.inject({ url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const text = res.body;
  assert.match(text, /^# HELP pishkhan_http_request_duration_seconds /m);
  assert.match(text, /^# TYPE pishkhan_http_request_duration_seconds histogram$/m);
  assert.match(text, /^pishkhan_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/healthz",status="200"\} [1-9]\d*$/m);
  assert.match(text, /^pishkhan_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/orgs",status="200"\} [1-9]\d*$/m);
  assert.match(text, /^pishkhan_http_request_duration_seconds_sum\{method="GET",route="\/healthz",status="200"\} \d/m);
  // Unknown paths share one label, so scanners cannot blow up the series count.
  assert.ok(!text.includes('/no/such/path/12345'));
  assert.match(text, /route="unmatched",status="404"/);
  assert.match(text, /^pishkhan_process_cpu_user_seconds_total \d/m);
  assert.match(text, /^pishkhan_nodejs_heap_size_used_bytes \d/m);
});

test('/api/openapi.json is an OpenAPI 3 document with request and response schemas for the API', async () => {
  const res = await t.app.inject({ url: '/api/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.match(doc.openapi, /^3\./);
  assert.equal(typeof doc.info.title, 'string');
  assert.ok(doc.paths, 'has paths');

  const otp = doc.paths['/api/v1/auth/otp']?.post;
  assert.ok(otp, 'POST /api/v1/auth/otp is documented');
  const otpBody = otp.requestBody.content['application/json'].schema;
  assert.equal(otpBody.type, 'object');
  assert.ok(otpBody.properties.mobile, 'the request schema names mobile');
  assert.deepEqual(otpBody.required, ['mobile']);
  const accepted = otp.responses['202'].content['application/json'].schema;
  assert.ok(accepted.properties.expires_at, 'the 202 response has a schema');
  assert.ok(otp.responses['400'].content['application/json'].schema.properties.error, 'errors are documented');

  const me = doc.paths['/api/v1/me']?.get;
  assert.ok(me, 'GET /api/v1/me is documented');
  assert.ok(me.responses['200'].content['application/json'].schema.properties, 'GET /api/v1/me has a response schema');
  assert.ok(me.security?.length, 'GET /api/v1/me says how to authenticate');

  const orgs = doc.paths['/api/v1/orgs']?.get;
  assert.ok(orgs, 'GET /api/v1/orgs is documented');
  const list = orgs.responses['200'].content['application/json'].schema;
  assert.equal(list.properties.items.type, 'array');
  assert.ok(list.properties.items.items.properties.code);

  // Pages and operator endpoints are not part of the API document.
  for (const hidden of ['/healthz', '/readyz', '/metrics', '/dev/outbox', '/dev/outbox.json', '/login', '/api/openapi.json']) {
    assert.equal(doc.paths[hidden], undefined, `${hidden} is not in the API document`);
  }
  assert.ok(Object.keys(doc.paths).every((p) => p.startsWith('/api/v1/')));
});

test('/api/docs answers with the interactive documentation page', async () => {
  const res = await t.app.inject({ url: '/api/docs' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /swagger/i);
  const scripts = cspOf(res).get('script-src') ?? [];
  assert.ok(!scripts.includes("'unsafe-inline'"), `script-src ${scripts.join(' ')}`);
});

test('pages and API answers carry the security headers', async () => {
  for (const url of ['/', '/api/v1/orgs', '/healthz', '/no-such-page']) {
    const res = await t.app.inject({ url });
    const csp = cspOf(res);
    assert.ok(csp.has('script-src'), `${url}: CSP has script-src`);
    assert.ok(!csp.get('script-src')!.includes("'unsafe-inline'"), `${url}: no inline scripts`);
    assert.ok(!csp.get('script-src')!.includes("'unsafe-eval'"), `${url}: no eval`);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${url}: cannot be framed`);
    assert.deepEqual(csp.get('object-src'), ["'none'"], `${url}: no plugins`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    assert.ok(res.headers['referrer-policy'], `${url}: referrer policy`);
  }
  // HSTS only where the site is served over HTTPS (production).
  assert.equal((await t.app.inject({ url: '/' })).headers['strict-transport-security'], undefined);
});

test('every response carries an x-request-id; a well-formed one from the proxy is kept', async () => {
  const seen = new Set<string>();
  for (const url of ['/', '/healthz', '/api/v1/orgs', '/api/v1/nothing', '/nothing', '/static/app.css']) {
    const res = await t.app.inject({ url });
    const id = res.headers['x-request-id'];
    assert.equal(typeof id, 'string', `${url} has x-request-id`);
    assert.ok(String(id).length >= 8);
    seen.add(String(id));
  }
  assert.equal(seen.size, 6, 'each request gets its own id');

  const kept = await t.app.inject({ url: '/api/v1/nothing', headers: { 'x-request-id': 'lb-2f9a7c31-abc' } });
  assert.equal(kept.headers['x-request-id'], 'lb-2f9a7c31-abc');
  assert.equal(kept.json().error.request_id, 'lb-2f9a7c31-abc');

  const replaced = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id\twith spaces <script>' } });
  assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('an unknown route under /api/ answers 404 JSON', async () => {
  const res = await t.app.inject({ url: '/api/v1/no-such-thing' });
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const { error } = res.json();
  assert.equal(error.code, 'common.not_found');
  assert.equal(typeof error.message, 'string');
  assert.equal(error.request_id, res.headers['x-request-id']);

  const en = await t.app.inject({ url: '/api/v1/no-such-thing', headers: { 'accept-language': 'en-US,en;q=0.9' } });
  assert.notEqual(en.json().error.message, error.message, 'API errors follow Accept-Language');
});

test('an unknown page answers a localized 404 HTML page (Persian, right to left)', async () => {
  const res = await t.app.inject({ url: '/no-such-page' });
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /<html lang="fa" dir="rtl">/);
  assert.match(res.body, /پیشخوان/);

  const en = await t.app.inject({ url: '/no-such-page?lang=en' });
  assert.equal(en.statusCode, 404);
  assert.match(en.body, /<html lang="en" dir="ltr">/);
});

test('a malformed JSON body answers 400 JSON naming the body, not 500', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', headers: { 'content-type': 'application/json' }, payload: '{"mobile":' });
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const { error } = res.json();
  assert.equal(error.code, 'common.invalid_input');
  assert.ok(error.fields.body);
  assert.equal(error.request_id, res.headers['x-request-id']);
});

test('a body of the wrong type or size answers 4xx JSON, not 500', async () => {
  const wrongType = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', headers: { 'content-type': 'application/xml' }, payload: '<mobile/>' });
  assert.equal(wrongType.statusCode, 415);
  assert.ok(wrongType.json().error.code);
  const huge = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ mobile: 'x'.repeat(2 * 1024 * 1024) }) });
  assert.equal(huge.statusCode, 413);
  assert.ok(huge.json().error.code);
  const missing = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: {} });
  assert.equal(missing.statusCode, 400);
  assert.ok(missing.json().error.fields.mobile, 'the missing field is named');
});

test('an unexpected exception answers 500 with a request id and no stack trace or internal detail', async () => {
  const secret = 'relation "secret_table" at /srv/pishkhan/src/internal.ts:42';
  const broken = await appWith((app) => {
    app.get('/api/v1/boom', async () => { throw new TypeError(secret); });
    app.get('/boom', async () => { throw new Error(secret); });
  });
  try {
    const api = await broken.app.inject({ url: '/api/v1/boom' });
    assert.equal(api.statusCode, 500);
    assert.match(String(api.headers['content-type']), /^application\/json/);
    const { error } = api.json();
    assert.equal(error.code, 'common.server_error');
    assert.equal(error.request_id, api.headers['x-request-id']);
    assert.ok(error.message.includes(String(api.headers['x-request-id'])), 'the message gives the id to quote to support');
    assert.ok(!api.body.includes('secret_table') && !api.body.includes('internal.ts') && !/\bat \S+ \(/.test(api.body), api.body);

    const page = await broken.app.inject({ url: '/boom' });
    assert.equal(page.statusCode, 500);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<html lang="fa" dir="rtl">/);
    assert.ok(page.body.includes(String(page.headers['x-request-id'])));
    assert.ok(!page.body.includes('secret_table') && !page.body.includes('internal.ts'), 'no internal detail on the page');
  } finally {
    await broken.close();
  }
});

test('outside production /dev/outbox.json lists every SMS sent, newest first', async () => {
  const a = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { mobile: '09121110001' } });
  assert.equal(a.statusCode, 202);
  await drainOutbox(t);
  t.clock.advance(60_000);
  const b = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { mobile: '09121110002' } });
  assert.equal(b.statusCode, 202);
  await drainOutbox(t);

  const res = await t.app.inject({ url: '/dev/outbox.json' });
  assert.equal(res.statusCode, 200);
  const items = res.json().items as { channel: string; to: string; body: string; created_at: string }[];
  assert.deepEqual(items.slice(0, 2).map((i) => i.to), ['09121110002', '09121110001']);
  const newest = items[0]!;
  assert.equal(newest.channel, 'sms');
  assert.ok(newest.body.includes(t.sms.lastCodeFor('09121110002')!), 'outside production the code is shown');
  assert.equal(newest.created_at, new Date(t.clock.now()).toISOString());
  assert.ok(Date.parse(items[1]!.created_at) < Date.parse(newest.created_at));

  const one = await t.app.inject({ url: '/dev/outbox.json?limit=1' });
  assert.equal(one.json().items.length, 1);

  const page = await t.app.inject({ url: '/dev/outbox' });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.ok(page.body.indexOf('09121110002') < page.body.indexOf('09121110001'), 'newest first on the page too');
  assert.ok(page.body.indexOf('09121110002') > 0);
});

test('in production /dev/outbox and /dev/outbox.json do not exist, and HSTS is sent', async () => {
  const prod = await makeTestApp(PRODUCTION_ENV);
  try {
    assert.equal(prod.deps.config.isProduction, true);
    const json = await prod.app.inject({ url: '/dev/outbox.json' });
    assert.equal(json.statusCode, 404);
    assert.equal(json.json().error.code, 'common.not_found');
    const page = await prod.app.inject({ url: '/dev/outbox' });
    assert.equal(page.statusCode, 404);
    assert.match(String(page.headers['content-type']), /^text\/html/);

    const home = await prod.app.inject({ url: '/' });
    assert.match(String(home.headers['strict-transport-security']), /max-age=\d+/);
    assert.deepEqual(cspOf(home).get('frame-ancestors'), ["'none'"]);
    assert.equal((await prod.app.inject({ url: '/healthz' })).statusCode, 200);
  } finally {
    await prod.close();
  }
});
