// The sandbox test bank on a real database (SQLite, or PostgreSQL with TEST_DB=postgres): its
// sessions are rows, so a bank page served by one process is verified by another; verification
// answers from the bank's record, for the session's own amount only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/helpers.js';
import { migrateToLatest, openDatabase, type DbHandle } from '../db/index.js';
import { SandboxGateway, sandboxDecide, sandboxTransaction } from './sandbox.js';

let one: DbHandle & { drop(): Promise<void> };
let two: DbHandle;
let dropTwo: () => Promise<void>;

before(async () => {
  // Two handles on one database stand for two app processes.
  const t = await testDb();
  const a = openDatabase(t.config);
  await migrateToLatest(a.db);
  one = { ...a, async drop() { await a.close(); } };
  two = openDatabase(t.config);
  dropTwo = async () => { await two.close(); await t.drop(); };
});
after(async () => {
  await one?.drop();
  await dropTwo?.();
});

const now = () => Date.parse('2026-11-28T09:00:00Z');
const bank = () => new SandboxGateway({ db: one.db });
const otherProcess = () => new SandboxGateway({ db: two.db });
const open = (amountRials = 2_500_000) => bank().request({ amountRials, description: 'پرداخت قبض SARI-B-1405-000001', callbackUrl: 'http://127.0.0.1:3000/payments/callback', orderId: 'p-1' });

test('a session opens on the app\'s own bank page and returns to the callback with Authority and Status like Zarinpal', async () => {
  const start = await open();
  assert.match(start.authority, /^S[A-Z0-9]{35}$/);
  assert.equal(start.redirectUrl, `/sandbox-bank/${start.authority}`, 'a page of this site, whatever address the payer uses');
  const tx = await sandboxTransaction(two.db, start.authority);
  assert.equal(tx?.status, 'pending');
  assert.equal(Number(tx?.amount), 2_500_000);
  const back = await sandboxDecide(two.db, start.authority, 'pay', now());
  assert.match(back!, /^\/payments\/callback\?/);
  const url = new URL(back!, 'http://x');
  assert.equal(url.searchParams.get('Authority'), start.authority);
  assert.equal(url.searchParams.get('Status'), 'OK');
  // Decided once: another button afterwards returns with the same outcome.
  assert.equal(new URL((await sandboxDecide(one.db, start.authority, 'cancel', now()))!, 'http://x').searchParams.get('Status'), 'OK');
  assert.equal(await sandboxDecide(one.db, 'S-not-an-authority', 'pay', now()), null);
});

test('verification is real: paid once, then already verified, from any process; another amount is refused', async () => {
  const start = await open();
  assert.deepEqual(await otherProcess().verify({ authority: start.authority, amountRials: 2_500_000 }), { status: 'pending' });
  assert.equal((await bank().inquire(start.authority)).status, 'in_bank');
  await sandboxDecide(one.db, start.authority, 'pay', now());
  assert.equal((await bank().inquire(start.authority)).status, 'paid');
  assert.deepEqual(await otherProcess().verify({ authority: start.authority, amountRials: 2_000_000 }), { status: 'failed', code: -50 });
  const first = await otherProcess().verify({ authority: start.authority, amountRials: 2_500_000 });
  assert.equal(first.status, 'paid');
  assert.equal(first.amountRials, 2_500_000);
  assert.match(first.refId!, /^\d{10}$/);
  assert.match(first.cardMask!, /^603799\*{6}\d{4}$/);
  const again = await bank().verify({ authority: start.authority, amountRials: 2_500_000 });
  assert.equal(again.status, 'already_verified');
  assert.equal(again.refId, first.refId);
  assert.equal((await bank().inquire(start.authority)).status, 'verified');
});

test('a failed or cancelled session, or an unknown authority, verifies as failed', async () => {
  for (const choice of ['fail', 'cancel'] as const) {
    const start = await open();
    const back = new URL((await sandboxDecide(one.db, start.authority, choice, now()))!, 'http://x');
    assert.equal(back.searchParams.get('Status'), 'NOK');
    assert.deepEqual(await bank().verify({ authority: start.authority, amountRials: 2_500_000 }), { status: 'failed', code: -51 });
  }
  assert.deepEqual(await bank().verify({ authority: `S${'0'.repeat(35)}`, amountRials: 1000 }), { status: 'failed', code: -54 });
});

test('concurrent verifications of one paid session: exactly one is "paid", the others "already verified"', async () => {
  const start = await open();
  await sandboxDecide(one.db, start.authority, 'pay', now());
  const results = await Promise.all([bank(), otherProcess(), bank(), otherProcess(), bank()].map((g) => g.verify({ authority: start.authority, amountRials: 2_500_000 })));
  assert.equal(results.filter((r) => r.status === 'paid').length, 1);
  assert.equal(results.filter((r) => r.status === 'already_verified').length, 4);
});
