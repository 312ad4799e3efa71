import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeriodicJob } from './periodic.js';

test('a periodic job runs at once, keeps running after a failure, and stop() waits for the run in progress', async () => {
  const errors: unknown[] = [];
  let runs = 0;
  let inFlight = 0;
  let overlapped = false;
  const job = new PeriodicJob(async () => {
    runs += 1;
    inFlight += 1;
    if (inFlight > 1) overlapped = true;
    await sleep(5);
    inFlight -= 1;
    if (runs === 1) throw new Error('first run fails');
  }, 1);
  job.start((err) => errors.push(err));
  while (runs < 4) await sleep(2);
  await job.stop();
  const after = runs;
  assert.equal(inFlight, 0, 'stop() returned only after the run in progress ended');
  await sleep(20);
  assert.equal(runs, after, 'no run after stop()');
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as Error).message, 'first run fails');
  assert.equal(overlapped, false);
});
