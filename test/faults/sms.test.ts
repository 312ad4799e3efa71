// Faults: the SMS provider fails. The real Kavenegar adapter talks to a local fake of its REST
// API that answers 5xx pages, Kavenegar error statuses, or nothing at all. A sign-in code that
// could not be sent is never sent late (it would be a stale code): the citizen is told, in their
// language, that the SMS was not sent and to ask again, may ask again at once, and failed sends
// never count against the per-number limit, so an outage cannot lock anyone out. Notifications
// (the submission SMS) wait and are retried with backoff; a number the provider refuses for good
// is dead at once; once the provider is back each arrives exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDb, makeOrg, type TestDatabase } from '../helpers.js';
import { KavenegarSmsChannel } from '../../src/platform/notify/kavenegar.js';
import { adoptDefinition, buildingPermitAnswers, nationalCode, samplePdf, shippedDefinition } from '../../src/modules/applications/test-factories.js';
import { FakeKavenegar, drain, faultApp, type FaultApp } from './support.js';

let db: TestDatabase;
let t: FaultApp;
const sms = new FakeKavenegar();
const HOUR = 3_600_000;

before(async () => {
  db = await testDb();
  await sms.start();
  // The configured adapter, with a short wait for an answer so the "no answer" case is quick.
  t = await faultApp(db.config, sms.env(), { sms: new KavenegarSmsChannel({ apiKey: sms.apiKey, sender: '10004346', otpTemplate: 'pishkhan-otp', baseUrl: sms.baseUrl, timeoutMs: 1500 }) });
  const sari = await makeOrg(t as never, 'sari');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: shippedDefinition('building-permit'), now: t.clock.now() });
});

after(async () => {
  await t?.close();
  await sms.stop();
  await db?.drop();
});

const requestCode = (mobile: string, lang = 'fa') => t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', headers: { 'accept-language': lang }, payload: { mobile } });
const verify = (mobile: string, code: string, lang = 'fa') => t.app.inject({ method: 'POST', url: '/api/v1/auth/otp/verify', headers: { 'accept-language': lang }, payload: { mobile, code } });
const lookups = (mobile: string) => sms.delivered.filter((c) => c.method === 'verify/lookup' && c.params.receptor === mobile);

test('sign-in codes while the provider fails (5xx, error status, no answer): told to ask again, never locked out, no stale code sent later', async () => {
  const mobile = '09121250001';
  for (const [mode, status] of [['http500', 0], ['status', 418], ['hang', 0], ['http500', 0], ['status', 402], ['hang', 0], ['http500', 0]] as const) {
    sms.mode = mode;
    sms.status = status || 418;
    const r = await requestCode(mobile);
    assert.equal(r.statusCode, 202, `each request is taken (${mode}): ${r.body}`);
    await drain(t);
    // The citizen is told the SMS was not sent and to ask again, whatever code they type.
    const v = await verify(mobile, '123456');
    assert.equal(v.statusCode, 503, v.body);
    assert.equal(v.json().error.code, 'auth.otp_not_sent');
    assert.match(v.json().error.message, /پیامک کد ورود ارسال نشد/);
    // The web page says it too, with the way to ask again.
    const page = await t.app.inject({ method: 'GET', url: `/login/verify?mobile=${mobile}` });
    assert.match(page.body, /پیامک کد ورود ارسال نشد/);
  }
  assert.equal((await verify(mobile, '123456', 'en')).json().error.message.includes('could not be sent'), true);
  // Seven failed sends in a few seconds: neither the resend wait nor the per-number limit (5 an hour) holds the citizen back.
  sms.mode = 'ok';
  const ok = await requestCode(mobile);
  assert.equal(ok.statusCode, 202, ok.body);
  await drain(t);
  assert.equal(lookups(mobile).length, 1);
  const signed = await verify(mobile, lookups(mobile)[0]!.params.token!);
  assert.equal(signed.statusCode, 200, signed.body);

  // The failed codes are not retried later: the provider only ever delivered the one that worked.
  t.clock.advance(2 * HOUR);
  await drain(t);
  assert.equal(lookups(mobile).length, 1);
  const failed = await t.deps.db.selectFrom('outbox').select(['status', 'payload', 'last_error']).where('topic', '=', 'sms.otp').where('status', '!=', 'done').execute();
  assert.equal(failed.length, 7);
  for (const f of failed) {
    assert.equal(f.status, 'dead');
    assert.equal(f.payload, '{"scrubbed":true}', 'an unsent code is not kept');
    assert.match(f.last_error ?? '', /Kavenegar verify\/lookup/);
  }
});

test('a code the outbox could only send after it expired is not sent', async () => {
  const mobile = '09121250002';
  sms.mode = 'ok';
  assert.equal((await requestCode(mobile)).statusCode, 202);
  // The worker was busy (or down) past the code's two minutes.
  t.clock.advance(3 * 60_000);
  await drain(t);
  assert.equal(lookups(mobile).length, 0, 'no stale code reaches the citizen');
  const v = await verify(mobile, '123456');
  assert.equal(v.json().error.code, 'auth.otp_not_sent');
  assert.equal((await requestCode(mobile)).statusCode, 202, 'and a new one may be asked for at once');
  await drain(t);
  assert.equal(lookups(mobile).length, 1);
});

let serial = 0;
/** A citizen submits a building permit; answers the submission SMS's outbox row id. */
async function submit(mobile: string): Promise<string> {
  sms.mode = 'ok';
  const r = await requestCode(mobile);
  assert.equal(r.statusCode, 202);
  await drain(t);
  const code = lookups(mobile).at(-1)!.params.token!;
  const token = (await verify(mobile, code)).json().token as string;
  const auth = { authorization: `Bearer ${token}` };
  serial += 1;
  assert.equal((await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: auth, payload: { national_code: nationalCode(`00765432${serial}`), first_name: 'رضا', last_name: 'کریمی' } })).statusCode, 200);
  const id = (await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: auth, payload: { org: 'sari', service: 'building-permit' } })).json().id as string;
  assert.equal((await t.app.inject({ method: 'PATCH', url: `/api/v1/applications/${id}`, headers: auth, payload: { values: buildingPermitAnswers() } })).statusCode, 200);
  const citizen = { kind: 'citizen' as const, id: (await t.deps.db.selectFrom('citizens').select('id').where('mobile', '=', mobile).executeTakeFirstOrThrow()).id };
  for (const key of ['deed', 'national_card', 'architectural_plans', 'structural_plans', 'supervision_contract']) {
    await t.deps.services.applications.uploadDocument(citizen as never, id, key, { filename: `${key}.pdf`, content: samplePdf() });
  }
  const sent = await t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/submit`, headers: auth, payload: { submit_key: randomBytes(12).toString('hex') } });
  assert.equal(sent.statusCode, 200, `the submission succeeds whatever the provider does: ${sent.body}`);
  return (await t.deps.db.selectFrom('outbox').select('id').where('dedupe_key', '=', `application:${id}:submitted:sms`).executeTakeFirstOrThrow()).id;
}

test('notifications while the provider fails are retried with backoff and delivered exactly once; a refused number is dead at once', async () => {
  const mobile = '09121250003';
  const outboxId = await submit(mobile);
  const row = () => t.deps.db.selectFrom('outbox').selectAll().where('id', '=', outboxId).executeTakeFirstOrThrow();
  // The submission is taken; its SMS is still waiting in the outbox when the provider starts failing.
  let attempts = 0;
  for (const [mode, status, error] of [['http500', 0, /HTTP 502 without a Kavenegar answer/], ['status', 418, /status 418/], ['hang', 0, /no answer within 1500 ms/], ['status', 429, /status 429/]] as const) {
    sms.mode = mode;
    sms.status = status || 418;
    t.clock.t = Math.max(t.clock.t, Number((await row()).available_at));
    await drain(t);
    const r = await row();
    attempts += 1;
    assert.equal(r.status, 'pending', `${mode} ${status}: waits for another attempt`);
    assert.equal(Number(r.attempts), attempts);
    assert.match(r.last_error ?? '', error);
    assert.ok(Number(r.available_at) > t.clock.now());
  }
  assert.equal(sms.delivered.filter((c) => c.params.localid === outboxId).length, 0);
  sms.mode = 'ok';
  t.clock.t = Number((await row()).available_at);
  await drain(t);
  assert.equal((await row()).status, 'done');
  t.clock.advance(2 * HOUR);
  await drain(t);
  const accepted = sms.calls.filter((c) => c.params.localid === outboxId);
  assert.equal(sms.delivered.filter((c) => c.params.localid === outboxId).length, 1, 'delivered once');
  assert.equal(accepted.length, 5, 'four failed tries and one that worked; nothing after');
  assert.equal(accepted.at(-1)!.params.receptor, mobile);
  assert.match(accepted.at(-1)!.params.message ?? '', /SARI-/);

  // A number the provider refuses for good (411: invalid receptor): dead at once, with the reason.
  const other = await submit('09121250004');
  sms.mode = 'status';
  sms.status = 411;
  await drain(t);
  const dead = await t.deps.db.selectFrom('outbox').selectAll().where('id', '=', other).executeTakeFirstOrThrow();
  assert.equal(dead.status, 'dead');
  assert.match(dead.last_error ?? '', /status 411/);
  sms.mode = 'ok';
});
