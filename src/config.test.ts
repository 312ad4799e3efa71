import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.js';

const SECRET = 's'.repeat(40);
const PRODUCTION = {
  NODE_ENV: 'production',
  SESSION_SECRET: SECRET,
  PUBLIC_URL: 'https://pishkhan.example.ir',
  SMS_PROVIDER: 'kavenegar',
  KAVENEGAR_API_KEY: 'key',
  KAVENEGAR_OTP_TEMPLATE: 'pishkhan-otp',
  PAYMENT_GATEWAY: 'zarinpal',
  ZARINPAL_MERCHANT_ID: '1344b5d4-0048-11e8-94db-005056a205be',
};

/** The problems a bad environment is refused with (fails the test when it is accepted). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    for (const p of err.problems) assert.ok(err.message.includes(p), `the message lists "${p}"`);
    return err.problems;
  }
  assert.fail('expected the configuration to be refused');
}

const names = (problems: string[]) => problems.map((p) => p.slice(0, p.indexOf(':'))).sort();

test('with no environment at all, Pishkhan serves 127.0.0.1:3000 from SQLite under ./data with the demo province', () => {
  const c = loadConfig({}, () => 'generated-secret');
  assert.equal(c.env, 'development');
  assert.equal(c.isProduction, false);
  assert.equal(c.port, 3000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.dataDir, './data');
  assert.deepEqual(c.database, { kind: 'sqlite', file: './data/pishkhan.db' });
  assert.equal(c.demo, true);
  assert.equal(c.sessionSecret, 'generated-secret');
  assert.equal(c.publicUrl, 'http://127.0.0.1:3000');
  assert.deepEqual(c.sms, { provider: 'local' });
  assert.equal(c.mail.smtpUrl, undefined);
  assert.equal(c.paymentGateway, 'sandbox');
  assert.equal(c.trustProxy, false);
});

test('outside production a missing SESSION_SECRET gets a fresh random secret per start', () => {
  const a = loadConfig({});
  const b = loadConfig({});
  assert.ok(a.sessionSecret.length >= 32);
  assert.notEqual(a.sessionSecret, b.sessionSecret);
});

test('DATA_DIR moves the SQLite file', () => {
  assert.deepEqual(loadConfig({ DATA_DIR: '/var/lib/pishkhan' }).database, { kind: 'sqlite', file: '/var/lib/pishkhan/pishkhan.db' });
});

test('a postgres:// (or postgresql://) DATABASE_URL selects PostgreSQL with that URL', () => {
  const url = 'postgres://pishkhan:pw@db.internal:5432/pishkhan';
  assert.deepEqual(loadConfig({ DATABASE_URL: url }).database, { kind: 'postgres', url });
  assert.deepEqual(loadConfig({ DATABASE_URL: 'postgresql://db/pk' }).database, { kind: 'postgres', url: 'postgresql://db/pk' });
});

test('a sqlite: or file: DATABASE_URL names the SQLite file', () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:/tmp/pk.db' }).database, { kind: 'sqlite', file: '/tmp/pk.db' });
  assert.deepEqual(loadConfig({ DATABASE_URL: 'file:data/x.db' }).database, { kind: 'sqlite', file: 'data/x.db' });
});

test('an unsupported DATABASE_URL is refused, naming the variable', () => {
  assert.deepEqual(names(problemsOf({ DATABASE_URL: 'mysql://db/pk' })), ['DATABASE_URL']);
});

test('PORT, HOST and PUBLIC_URL are taken as given; PUBLIC_URL loses a trailing slash', () => {
  const c = loadConfig({ PORT: '8080', HOST: '0.0.0.0', PUBLIC_URL: 'https://sari.example.ir/' });
  assert.equal(c.port, 8080);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.publicUrl, 'https://sari.example.ir');
  assert.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://127.0.0.1:8080');
});

test('a complete production environment is accepted: no demo, the given secret, Kavenegar', () => {
  const c = loadConfig(PRODUCTION, () => assert.fail('no random secret in production'));
  assert.equal(c.isProduction, true);
  assert.equal(c.demo, false);
  assert.equal(c.sessionSecret, SECRET);
  assert.equal(c.publicUrl, 'https://pishkhan.example.ir');
  assert.deepEqual(c.sms, { provider: 'kavenegar', apiKey: 'key', sender: undefined, otpTemplate: 'pishkhan-otp', baseUrl: undefined });
});

test('production without SESSION_SECRET and PUBLIC_URL is refused, listing every problem at once', () => {
  const problems = problemsOf({ NODE_ENV: 'production' });
  assert.deepEqual(names(problems), ['PAYMENT_GATEWAY', 'PUBLIC_URL', 'SESSION_SECRET', 'SMS_PROVIDER']);
});

test('production refuses a SESSION_SECRET shorter than 32 characters', () => {
  assert.deepEqual(names(problemsOf({ ...PRODUCTION, SESSION_SECRET: 'short' })), ['SESSION_SECRET']);
});

test('production refuses PISHKHAN_DEMO=1 (demo accounts are never seeded there)', () => {
  for (const on of ['1', 'true', 'yes', 'on']) {
    assert.deepEqual(names(problemsOf({ ...PRODUCTION, PISHKHAN_DEMO: on })), ['PISHKHAN_DEMO'], on);
  }
  assert.equal(loadConfig({ ...PRODUCTION, PISHKHAN_DEMO: '0' }).demo, false);
});

test('PISHKHAN_DEMO turns the demo off outside production', () => {
  assert.equal(loadConfig({ PISHKHAN_DEMO: '0' }).demo, false);
  assert.equal(loadConfig({ PISHKHAN_DEMO: 'off' }).demo, false);
  assert.equal(loadConfig({ PISHKHAN_DEMO: 'yes' }).demo, true);
  assert.deepEqual(names(problemsOf({ PISHKHAN_DEMO: 'maybe' })), ['PISHKHAN_DEMO']);
});

test('a bad PORT is reported by name', () => {
  for (const port of ['abc', '70000', '-1', '80.5']) {
    const problems = problemsOf({ PORT: port });
    assert.deepEqual(names(problems), ['PORT'], port);
  }
});

test('an empty variable counts as unset (PORT= does not mean a random port)', () => {
  const c = loadConfig({ PORT: '', HOST: '', DATABASE_URL: '', PUBLIC_URL: '', SMS_PROVIDER: '', OUTBOX_POLL_MS: '' });
  assert.equal(c.port, 3000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.database.kind, 'sqlite');
  assert.equal(c.publicUrl, 'http://127.0.0.1:3000');
  assert.deepEqual(c.sms, { provider: 'local' });
  assert.equal(c.outboxPollMs, 1000);
});

test('a bad value and a missing production secret are reported together', () => {
  const problems = problemsOf({ ...PRODUCTION, PORT: 'eighty', SESSION_SECRET: '' });
  assert.deepEqual(names(problems), ['PORT', 'SESSION_SECRET']);
});

test('a variable that is malformed is reported once, not also as missing', () => {
  const problems = problemsOf({ ...PRODUCTION, PUBLIC_URL: 'not a url' });
  assert.deepEqual(names(problems), ['PUBLIC_URL']);
});

test('SMS_PROVIDER=kavenegar without its API key and template is reported', () => {
  assert.deepEqual(names(problemsOf({ SMS_PROVIDER: 'kavenegar' })), ['KAVENEGAR_API_KEY', 'KAVENEGAR_OTP_TEMPLATE']);
  assert.deepEqual(names(problemsOf({ SMS_PROVIDER: 'kavenegar', KAVENEGAR_OTP_TEMPLATE: 'otp' })), ['KAVENEGAR_API_KEY']);
});

test('production needs a real SMS provider', () => {
  assert.deepEqual(names(problemsOf({ ...PRODUCTION, SMS_PROVIDER: 'local' })), ['SMS_PROVIDER']);
});

test('unknown enum values are reported by name', () => {
  assert.deepEqual(names(problemsOf({ NODE_ENV: 'staging', SMS_PROVIDER: 'twilio', PAYMENT_GATEWAY: 'paypal' })), ['NODE_ENV', 'PAYMENT_GATEWAY', 'SMS_PROVIDER']);
});
