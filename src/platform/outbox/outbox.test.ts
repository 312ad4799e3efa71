import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { dbKind, migratedDb, TestClock } from '../../../test/helpers.js';
import { inTransaction, openDatabase } from '../db/index.js';
import { DeliveryError } from '../notify/index.js';
import { backoffMs, enqueue, OutboxWorker, PermanentFailure, type ClaimedMessage, type OutboxHandler, type WorkerOptions } from './index.js';

let handle: Awaited<ReturnType<typeof migratedDb>>;

before(async () => {
  handle = await migratedDb();
});
after(async () => {
  await handle.drop();
});
beforeEach(async () => {
  await handle.db.deleteFrom('outbox').execute();
});

const row = (id: string) => handle.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** A handler that records every message it is given, and optionally fails. */
function recorder(behaviour: (msg: ClaimedMessage, call: number) => void | Promise<void> = () => undefined) {
  const calls: ClaimedMessage[] = [];
  const handler: OutboxHandler = async (msg) => {
    calls.push(msg);
    await behaviour(msg, calls.length);
  };
  return { calls, handler };
}

function worker(handlers: Record<string, OutboxHandler>, clock: TestClock, opts: WorkerOptions = {}, db = handle.db): OutboxWorker {
  return new OutboxWorker(db, handlers, { clock, baseBackoffMs: 1_000, maxBackoffMs: 3_600_000, ...opts });
}

test('a message enqueued in a transaction that rolls back is never delivered', async () => {
  const clock = new TestClock();
  const sms = recorder();
  await assert.rejects(inTransaction(handle.db, async (tx) => {
    await enqueue(tx, { topic: 'sms.send', payload: { to: '09121234567', text: 'سلام' } }, clock.now());
    throw new Error('the change it announced failed');
  }));
  assert.equal((await handle.db.selectFrom('outbox').select('id').execute()).length, 0);
  assert.equal(await worker({ 'sms.send': sms.handler }, clock).runOnce(), 0);
  assert.equal(sms.calls.length, 0);
});

test('a committed message is delivered once, with its topic, org and payload, and marked done', async () => {
  const clock = new TestClock();
  const sms = recorder();
  const ids = await inTransaction(handle.db, async (tx) => [
    await enqueue(tx, { topic: 'sms.send', orgId: 'org-sari', payload: { to: '09121234567', text: 'اول' } }, clock.now()),
    await enqueue(tx, { topic: 'sms.send', payload: { to: '09121234568', text: 'دوم' } }, clock.now()),
  ]);
  clock.advance(500);
  const w = worker({ 'sms.send': sms.handler }, clock);

  assert.equal(await w.runOnce(), 2);
  assert.deepEqual(sms.calls.map((m) => m.id).sort(), [...ids].sort());
  const first = sms.calls.find((m) => m.id === ids[0])!;
  assert.deepEqual(first, { id: ids[0], topic: 'sms.send', orgId: 'org-sari', payload: { to: '09121234567', text: 'اول' }, attempts: 0 });
  for (const id of ids) {
    const r = await row(id);
    assert.equal(r.status, 'done');
    assert.equal(r.attempts, 1);
    assert.equal(r.done_at, clock.now());
    assert.equal(r.locked_by, null);
    assert.equal(r.locked_until, null);
    assert.equal(r.last_error, null);
  }

  // Nothing is delivered a second time.
  clock.advance(24 * 3600_000);
  assert.equal(await w.runOnce(), 0);
  assert.equal(sms.calls.length, 2);
});

test('a message scheduled for later waits until it is due', async () => {
  const clock = new TestClock();
  const esc = recorder();
  const id = await enqueue(handle.db, { topic: 'application.escalate', payload: { application: 'a-1' }, availableAt: clock.now() + 3600_000 }, clock.now());
  const w = worker({ 'application.escalate': esc.handler }, clock);
  assert.equal(await w.runOnce(), 0);
  clock.advance(3600_000 - 1);
  assert.equal(await w.runOnce(), 0);
  clock.advance(1);
  assert.equal(await w.runOnce(), 1);
  assert.equal(esc.calls[0]!.id, id);
});

test('a failing handler is retried with growing backoff and succeeds later', async () => {
  const clock = new TestClock();
  const errors: unknown[] = [];
  const sms = recorder((_m, call) => {
    if (call <= 2) throw new DeliveryError(`provider timeout #${call}`, true);
  });
  const id = await enqueue(handle.db, { topic: 'sms.send', payload: { to: '09121234567', text: 'x' } }, clock.now());
  const w = worker({ 'sms.send': sms.handler }, clock, { onError: (err) => errors.push(err) });

  // Attempt 1 fails: back in the queue for about the base backoff (up to 20% jitter).
  assert.equal(await w.runOnce(), 1);
  let r = await row(id);
  assert.equal(r.status, 'pending');
  assert.equal(r.attempts, 1);
  assert.equal(r.last_error, 'provider timeout #1');
  assert.equal(r.locked_by, null);
  let wait = r.available_at - clock.now();
  assert.ok(wait >= 1_000 && wait <= 1_200, `first backoff ${wait} ms`);

  // Not before it is due.
  clock.advance(wait - 1);
  assert.equal(await w.runOnce(), 0);
  clock.advance(1);

  // Attempt 2 fails: the wait doubles.
  assert.equal(await w.runOnce(), 1);
  r = await row(id);
  assert.equal(r.status, 'pending');
  assert.equal(r.attempts, 2);
  assert.equal(r.last_error, 'provider timeout #2');
  wait = r.available_at - clock.now();
  assert.ok(wait >= 2_000 && wait <= 2_400, `second backoff ${wait} ms`);

  // Attempt 3 succeeds.
  clock.advance(wait);
  assert.equal(await w.runOnce(), 1);
  r = await row(id);
  assert.equal(r.status, 'done');
  assert.equal(r.attempts, 3);
  assert.equal(r.done_at, clock.now());
  assert.deepEqual(sms.calls.map((m) => m.attempts), [0, 1, 2]);
  assert.equal(errors.length, 2);
  assert.ok(errors[0] instanceof DeliveryError);
});

test('an error that says retrying cannot help (retryable=false) makes the message dead at once', async () => {
  const clock = new TestClock();
  const sms = recorder(() => {
    throw new DeliveryError('Kavenegar: receptor is not a mobile number', false);
  });
  const id = await enqueue(handle.db, { topic: 'sms.send', payload: { to: '123', text: 'x' } }, clock.now());
  const w = worker({ 'sms.send': sms.handler }, clock);
  assert.equal(await w.runOnce(), 1);
  const r = await row(id);
  assert.equal(r.status, 'dead');
  assert.equal(r.attempts, 1);
  assert.match(r.last_error!, /receptor is not a mobile number/);
  clock.advance(30 * 24 * 3600_000);
  assert.equal(await w.runOnce(), 0);
  assert.equal(sms.calls.length, 1);
});

test('PermanentFailure, and a topic without a handler, make the message dead at once', async () => {
  const clock = new TestClock();
  const bad = recorder(() => {
    throw new PermanentFailure('template removed');
  });
  const a = await enqueue(handle.db, { topic: 'webhook.send', payload: {} }, clock.now());
  const b = await enqueue(handle.db, { topic: 'no.such.topic', payload: {} }, clock.now());
  assert.equal(await worker({ 'webhook.send': bad.handler }, clock).runOnce(), 2);
  assert.equal((await row(a)).status, 'dead');
  assert.equal((await row(a)).last_error, 'template removed');
  assert.equal((await row(b)).status, 'dead');
  assert.match((await row(b)).last_error!, /no handler for topic no\.such\.topic/);
});

test('after maxAttempts failures the message is dead and no longer tried', async () => {
  const clock = new TestClock();
  const sms = recorder(() => {
    throw new Error('connect ECONNREFUSED');
  });
  const id = await enqueue(handle.db, { topic: 'sms.send', payload: { to: '09121234567', text: 'x' } }, clock.now());
  const w = worker({ 'sms.send': sms.handler }, clock, { maxAttempts: 3 });
  for (let i = 1; i <= 3; i++) {
    assert.equal(await w.runOnce(), 1, `attempt ${i}`);
    assert.equal((await row(id)).status, i < 3 ? 'pending' : 'dead');
    clock.advance(3_600_000 * 2);
  }
  assert.equal(await w.runOnce(), 0);
  const r = await row(id);
  assert.equal(r.attempts, 3);
  assert.equal(r.last_error, 'connect ECONNREFUSED');
  assert.equal(sms.calls.length, 3);
});

test('a second enqueue with the same dedupeKey is a no-op, even after the first was delivered', async () => {
  const clock = new TestClock();
  const esc = recorder();
  const key = 'escalate:app-7:inspection';
  const first = await enqueue(handle.db, { topic: 'application.escalate', payload: { n: 1 }, dedupeKey: key }, clock.now());
  const second = await inTransaction(handle.db, (tx) => enqueue(tx, { topic: 'application.escalate', payload: { n: 2 }, dedupeKey: key }, clock.now()));
  assert.equal(second, first, 'the second enqueue answers with the id of the message already queued');
  const rows = await handle.db.selectFrom('outbox').selectAll().where('dedupe_key', '=', key).execute();
  assert.equal(rows.length, 1);
  assert.deepEqual(JSON.parse(rows[0]!.payload), { n: 1 });

  const w = worker({ 'application.escalate': esc.handler }, clock);
  assert.equal(await w.runOnce(), 1);
  assert.equal(await enqueue(handle.db, { topic: 'application.escalate', payload: { n: 3 }, dedupeKey: key }, clock.now()), first);
  assert.equal(await w.runOnce(), 0);
  assert.equal(esc.calls.length, 1);

  // Messages without a key are never merged.
  await enqueue(handle.db, { topic: 'application.escalate', payload: { n: 4 } }, clock.now());
  await enqueue(handle.db, { topic: 'application.escalate', payload: { n: 4 } }, clock.now());
  assert.equal(await w.runOnce(), 2);
});

for (const late of ['succeeds', 'fails'] as const) {
  test(`a claimed message whose lease expired (crashed worker) is delivered by another worker; the first worker's late result (${late}) changes nothing`, async () => {
    const clock = new TestClock();
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => { entered = resolve; });
    let finish!: (err?: Error) => void;
    const stuck = new Promise<void>((resolve, reject) => { finish = (err) => (err ? reject(err) : resolve()); });
    const crashed = worker({ 'sms.send': async () => { entered(); await stuck; } }, clock, { leaseMs: 60_000 });
    const healthy = recorder();
    const other = worker({ 'sms.send': healthy.handler }, clock, { leaseMs: 60_000 });

    const id = await enqueue(handle.db, { topic: 'sms.send', payload: { to: '09121234567', text: 'x' } }, clock.now());
    const crashedRun = crashed.runOnce();
    await inHandler;
    assert.equal((await row(id)).status, 'processing');

    // While the lease holds, nobody else takes the message.
    assert.equal(await other.runOnce(), 0);
    clock.advance(60_000);
    assert.equal(await other.runOnce(), 0);

    // Once it has run out, another worker does.
    clock.advance(1);
    assert.equal(await other.runOnce(), 1);
    assert.deepEqual(healthy.calls.map((m) => m.id), [id]);
    const delivered = await row(id);
    assert.equal(delivered.status, 'done');

    // The first worker wakes up: it no longer holds the lease, so it cannot settle the row.
    clock.advance(5_000);
    finish(late === 'fails' ? new Error('too late') : undefined);
    assert.equal(await crashedRun, 1);
    assert.deepEqual(await row(id), delivered);
  });
}

test('a one-time code (scrub: true) is removed from the outbox once delivered', async () => {
  const clock = new TestClock();
  const sms = recorder();
  const otp = await enqueue(handle.db, { topic: 'sms.otp', payload: { to: '09121234567', code: '482913', scrub: true } }, clock.now());
  const plain = await enqueue(handle.db, { topic: 'sms.otp', payload: { to: '09121234567', code: 'kept' } }, clock.now());
  assert.equal(await worker({ 'sms.otp': sms.handler }, clock).runOnce(), 2);
  assert.equal(sms.calls.find((m) => m.id === otp)!.payload.code, '482913', 'the handler saw the code');
  assert.deepEqual(JSON.parse((await row(otp)).payload), { scrubbed: true });
  assert.ok(!(await row(otp)).payload.includes('482913'));
  assert.deepEqual(JSON.parse((await row(plain)).payload), { to: '09121234567', code: 'kept' });
});

test('a one-time code is kept for a retry, and removed when the message dies', async () => {
  const clock = new TestClock();
  const sms = recorder((_m, call) => {
    throw new DeliveryError(call === 1 ? 'timeout' : 'number blocked', call === 1);
  });
  const id = await enqueue(handle.db, { topic: 'sms.otp', payload: { to: '09121234567', code: '111222', scrub: true } }, clock.now());
  const w = worker({ 'sms.otp': sms.handler }, clock);
  await w.runOnce();
  assert.equal(JSON.parse((await row(id)).payload).code, '111222', 'a retry needs the code');
  clock.advance(3_600_000);
  await w.runOnce();
  assert.equal((await row(id)).status, 'dead');
  assert.deepEqual(JSON.parse((await row(id)).payload), { scrubbed: true });
  assert.deepEqual(sms.calls.map((m) => m.payload.code), ['111222', '111222']);
});

test('an error reporter that throws does not keep the message from being rescheduled', async () => {
  const clock = new TestClock();
  const id = await enqueue(handle.db, { topic: 't', payload: {} }, clock.now());
  const w = worker({ t: async () => { throw new Error('down'); } }, clock, { onError: () => { throw new Error('logger broke'); } });
  await w.runOnce();
  const r = await row(id);
  assert.equal(r.status, 'pending');
  assert.equal(r.attempts, 1);
});

test('a started worker delivers on kick, and stop() waits for the delivery in progress', async () => {
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => { entered = resolve; });
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => { finish = resolve; });
  const w = new OutboxWorker(handle.db, { t: async () => { entered(); await gate; } }, { pollMs: 3_600_000 });
  w.start();
  const id = await enqueue(handle.db, { topic: 't', payload: {} });
  w.kick();
  await inHandler;

  let stopped = false;
  const stopping = w.stop().then(() => { stopped = true; });
  for (let i = 0; i < 20; i++) await tick();
  assert.equal(stopped, false, 'stop() returned while a message was still being delivered');
  finish();
  await stopping;
  assert.equal((await row(id)).status, 'done');
});

test('backoff doubles from the base, is capped, and adds at most 20% jitter', () => {
  assert.equal(backoffMs(1, 5_000, 3_600_000, () => 0), 5_000);
  assert.equal(backoffMs(2, 5_000, 3_600_000, () => 0), 10_000);
  assert.equal(backoffMs(4, 5_000, 3_600_000, () => 0), 40_000);
  assert.equal(backoffMs(30, 5_000, 3_600_000, () => 0), 3_600_000);
  assert.equal(backoffMs(1, 5_000, 3_600_000, () => 0.999999), 6_000);
  assert.equal(backoffMs(30, 5_000, 3_600_000, () => 0.5), 3_960_000);
});

/** Runs several workers at once until none finds work; returns who delivered each message how often. */
async function drainConcurrently(workers: OutboxWorker[], delivered: Map<string, number>): Promise<void> {
  await Promise.all(workers.map(async (w) => {
    while ((await w.runOnce()) > 0) { /* next batch */ }
  }));
  assert.ok(delivered.size > 0);
}

async function enqueueMany(n: number, now: number): Promise<string[]> {
  return inTransaction(handle.db, async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await enqueue(tx, { topic: 'sms.send', payload: { to: '09121234567', text: `#${i}` } }, now));
    return ids;
  });
}

function countingHandler(delivered: Map<string, number>, byWorker: Map<string, number>, name: string): OutboxHandler {
  return async (msg) => {
    delivered.set(msg.id, (delivered.get(msg.id) ?? 0) + 1);
    byWorker.set(name, (byWorker.get(name) ?? 0) + 1);
    await tick(); // let the other workers run between claim and settle
  };
}

test('4 workers on separate PostgreSQL pools deliver each of 200 messages exactly once', { skip: dbKind !== 'postgres' && 'needs PostgreSQL' }, async () => {
  const clock = new TestClock();
  const ids = await enqueueMany(200, clock.now());
  const delivered = new Map<string, number>();
  const byWorker = new Map<string, number>();
  const pools = Array.from({ length: 4 }, () => openDatabase({ ...(handle.config as { kind: 'postgres'; url: string }), max: 3 }));
  try {
    const workers = pools.map((p, i) => worker({ 'sms.send': countingHandler(delivered, byWorker, `w${i}`) }, clock, { batchSize: 5 }, p.db));
    await drainConcurrently(workers, delivered);
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  assert.equal(delivered.size, 200);
  assert.deepEqual([...delivered.entries()].filter(([, n]) => n !== 1), [], 'messages delivered more than once');
  assert.deepEqual([...delivered.keys()].sort(), [...ids].sort());
  assert.ok(byWorker.size >= 2, `the workers really ran side by side (${[...byWorker.entries()].join(' ')})`);
  const statuses = await handle.db.selectFrom('outbox').select('status').execute();
  assert.ok(statuses.every((s) => s.status === 'done'));
});

test('2 workers on separate SQLite connections to one file deliver each message exactly once', { skip: dbKind !== 'sqlite' && 'SQLite only' }, async () => {
  const clock = new TestClock();
  const ids = await enqueueMany(200, clock.now());
  const delivered = new Map<string, number>();
  const byWorker = new Map<string, number>();
  const conns = [openDatabase(handle.config), openDatabase(handle.config)];
  try {
    const workers = conns.map((c, i) => worker({ 'sms.send': countingHandler(delivered, byWorker, `w${i}`) }, clock, { batchSize: 5 }, c.db));
    await drainConcurrently(workers, delivered);
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
  assert.equal(delivered.size, 200);
  assert.deepEqual([...delivered.entries()].filter(([, n]) => n !== 1), [], 'messages delivered more than once');
  assert.deepEqual([...delivered.keys()].sort(), [...ids].sort());
  assert.equal(byWorker.size, 2, 'both workers delivered');
  const statuses = await handle.db.selectFrom('outbox').select('status').execute();
  assert.ok(statuses.every((s) => s.status === 'done'));
});
