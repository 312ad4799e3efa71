// Faults: the mail server is down. A real smtp-server is stopped (connections refused), then
// refuses sessions with 421, then comes back. The citizen's submission succeeds all along; its
// e-mail waits in the outbox with its attempts, its last error and a growing backoff; once the
// server is back it arrives exactly once. A recipient the server refuses for good (550) is dead
// at once; a server that keeps answering 421 makes the mail dead after the outbox's maximum
// attempts, with the last error kept for the operator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDb, type TestDatabase, makeOrg } from '../helpers.js';
import { adoptDefinition, buildingPermitAnswers, nationalCode, samplePdf, shippedDefinition } from '../../src/modules/applications/test-factories.js';
import { MailServer, drain, faultApp, signInByOutbox, type FaultApp } from './support.js';

let db: TestDatabase;
let t: FaultApp;
const mail = new MailServer();
let mobiles = 0;

before(async () => {
  db = await testDb();
  // A port of our own for the server: start once to get one, then stop it (refused from now on).
  await mail.start();
  const port = mail.port;
  await mail.stop();
  mail.port = port;
  t = await faultApp(db.config, { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'پیشخوان ساری <no-reply@sari.ir>' });
  const sari = await makeOrg(t as never, 'sari');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: shippedDefinition('building-permit'), now: t.clock.now() });
});

after(async () => {
  await t?.close();
  await mail.stop();
  await db?.drop();
});

/** A citizen with an e-mail address submits a building permit through the API; returns the application id. */
async function submitWithEmail(email: string): Promise<string> {
  mobiles += 1;
  const token = await signInByOutbox(t, `0912124${String(mobiles).padStart(4, '0')}`);
  const auth = { authorization: `Bearer ${token}` };
  const profile = await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: auth, payload: { national_code: nationalCode(`00123450${mobiles}`), first_name: 'زهرا', last_name: 'احمدی', email } });
  assert.equal(profile.statusCode, 200, profile.body);
  const draft = await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: auth, payload: { org: 'sari', service: 'building-permit' } });
  const id = draft.json().id as string;
  assert.equal((await t.app.inject({ method: 'PATCH', url: `/api/v1/applications/${id}`, headers: auth, payload: { values: buildingPermitAnswers() } })).statusCode, 200);
  const citizen = { kind: 'citizen' as const, id: (await t.deps.db.selectFrom('citizens').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id };
  for (const key of ['deed', 'national_card', 'architectural_plans', 'structural_plans', 'supervision_contract']) {
    await t.deps.services.applications.uploadDocument(citizen as never, id, key, { filename: `${key}.pdf`, content: samplePdf() });
  }
  const sent = await t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/submit`, headers: auth, payload: { submit_key: randomBytes(12).toString('hex') } });
  assert.equal(sent.statusCode, 200, `the submission succeeds whatever the mail server does: ${sent.body}`);
  assert.match(sent.json().tracking_code, /^SARI-/);
  return id;
}

const mailRow = async (to: string) => {
  const rows = await t.deps.db.selectFrom('outbox').selectAll().where('topic', '=', 'email.send').execute();
  const mine = rows.filter((r) => (JSON.parse(r.payload) as { to: string }).to === to);
  assert.equal(mine.length, 1, `one e-mail queued for ${to}`);
  return mine[0]!;
};
const HOUR = 3_600_000;

test('SMTP down, then refusing, then back: the submission succeeds, its mail waits with attempts and backoff, then arrives exactly once', async () => {
  const to = 'zahra.ahmadi@example.ir';
  await submitWithEmail(to);

  // Server down (connection refused): the attempt fails, the mail waits with its error and a backoff.
  await drain(t);
  let row = await mailRow(to);
  assert.equal(row.status, 'pending');
  assert.equal(Number(row.attempts), 1);
  assert.match(row.last_error ?? '', /SMTP delivery failed \(ESOCKET\/ECONNREFUSED\)/);
  assert.ok(Number(row.available_at) > t.clock.now(), 'the next attempt waits');
  // The SMS of the same submission went out: one channel down does not hold back the other.
  assert.equal((await t.deps.db.selectFrom('outbox').select('status').where('topic', '=', 'sms.send').execute()).every((r) => r.status === 'done'), true);

  // Not yet due: nothing is tried.
  await drain(t);
  assert.equal(Number((await mailRow(to)).attempts), 1);

  // The server is up but refuses sessions with 421: retried later again, the wait grows.
  await mail.start(mail.port);
  mail.refuseWith = 421;
  const firstWait = Number(row.available_at) - Number(row.created_at);
  t.clock.t = Number(row.available_at);
  await drain(t);
  row = await mailRow(to);
  assert.equal(row.status, 'pending');
  assert.equal(Number(row.attempts), 2);
  assert.match(row.last_error ?? '', /421/);
  assert.ok(Number(row.available_at) - t.clock.now() > firstWait, 'the backoff grows');
  assert.equal(mail.received.length, 0);

  // The server is back: the mail arrives, once, with the Message-ID taken from its outbox row.
  mail.refuseWith = null;
  t.clock.t = Number(row.available_at);
  await drain(t);
  row = await mailRow(to);
  assert.equal(row.status, 'done');
  assert.equal(mail.received.length, 1);
  assert.deepEqual(mail.received[0]!.to, [to]);
  assert.equal(mail.received[0]!.messageId, `<${row.id.replace(/[^A-Za-z0-9._-]/g, '_')}.pishkhan@sari.ir>`);
  assert.match(mail.received[0]!.raw, new RegExp(`^X-Pishkhan-Id: ${row.id}\\r$`, 'im'));
  const recorded = await t.deps.db.selectFrom('messages').select(['channel', 'recipient']).where('outbox_id', '=', row.id).execute();
  assert.deepEqual(recorded, [{ channel: 'email', recipient: to }]);

  // Later runs send nothing again.
  t.clock.advance(2 * HOUR);
  await drain(t);
  assert.equal(mail.received.length, 1);
});

test('a mail the server refuses for good is dead at once; one it keeps deferring is dead after the maximum attempts, with its last error', async () => {
  const refused = 'nobody@example.ir';
  await submitWithEmail(refused);
  mail.rejectRecipientsWith = 550;
  await drain(t);
  const dead = await mailRow(refused);
  assert.equal(dead.status, 'dead');
  assert.equal(Number(dead.attempts), 1);
  assert.match(dead.last_error ?? '', /550/);
  mail.rejectRecipientsWith = null;

  const deferred = 'deferred@example.ir';
  await submitWithEmail(deferred);
  mail.refuseWith = 421;
  let attempts = 0;
  for (let i = 0; i < 20; i++) {
    await drain(t);
    const row = await mailRow(deferred);
    assert.ok(Number(row.attempts) >= attempts, 'attempts only grow');
    attempts = Number(row.attempts);
    if (row.status === 'dead') break;
    assert.equal(row.status, 'pending');
    t.clock.advance(2 * HOUR);
  }
  const last = await mailRow(deferred);
  assert.equal(last.status, 'dead');
  assert.equal(Number(last.attempts), 8, 'the outbox gives up after its maximum of attempts');
  assert.match(last.last_error ?? '', /421/);
  assert.equal(mail.received.filter((m) => m.to.includes(deferred) || m.to.includes(refused)).length, 0);
  mail.refuseWith = null;
});
