// Property-based fuzzing of every operation of the OpenAPI document (docs/openapi.json), on a real
// database (SQLite or PostgreSQL, TEST_DB): each operation is run as anonymous, a citizen, staff of
// the right organization, staff of another organization and with an API key (sari's and babol's),
// with bodies shaped by the operation's schema and broken in every way test/fuzz/lib/arbitraries
// lists. Properties: never a 5xx; no stack trace, path or SQL in a 4xx; a localized JSON problem;
// and after each operation no half-record (test/fuzz/lib/invariants.ts), the audit chain at the end.
// FUZZ_SEED replays a run, FUZZ_RUNS multiplies the runs, FUZZ_ONLY picks operations by name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { makeFuzzWorld, ACTOR_GROUPS, type FuzzActor, type FuzzWorld } from './lib/world.js';
import { operationsOf, requestFor } from './lib/requests.js';
import { assertProperty, checkAnswer, fuzzOnly, fuzzScale, fuzzSeed } from './lib/checks.js';
import { brokenInvariants } from './lib/invariants.js';
import type { JsonSchema } from './lib/arbitraries.js';

const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
const defs = (doc.components?.schemas ?? {}) as Record<string, JsonSchema>;
const operations = operationsOf(doc).filter((op) => !fuzzOnly || fuzzOnly.test(`${op.method} ${op.path}`));
const RUNS_PER_GROUP = Math.round(Number(process.env.FUZZ_API_RUNS ?? 3) * fuzzScale);

let w: FuzzWorld;
const counts = { requests: 0, byStatus: new Map<number, number>(), byBody: new Map<string, number>() };
const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

before(async () => {
  process.stderr.write(`# fuzz seed ${fuzzSeed} (rerun with FUZZ_SEED=${fuzzSeed}); ${operations.length} operations x ${ACTOR_GROUPS.length} actor groups x ${RUNS_PER_GROUP} runs\n`);
  w = await makeFuzzWorld();
  assert.deepEqual(await brokenInvariants(w.t.deps.db, w.t.deps.files, { full: true }), [], 'the invariants hold before fuzzing');
});
after(async () => {
  process.stderr.write(`# fuzzed ${counts.requests} requests; status ${JSON.stringify(Object.fromEntries([...counts.byStatus].sort()))}; bodies ${JSON.stringify(Object.fromEntries(counts.byBody))}\n`);
  await w?.close();
});

function authHeaders(actor: FuzzActor, viaXApiKey: boolean): Record<string, string> {
  if (!actor.token) return {};
  if (actor.kind === 'api_key' && viaXApiKey) return { 'x-api-key': actor.token };
  return { authorization: `Bearer ${actor.token}` };
}

test('every operation of the OpenAPI document is fuzzed', () => {
  assert.ok(operations.length >= (fuzzOnly ? 1 : 140), `${operations.length} operations`);
});

for (const op of operations) {
  const name = `${op.method} ${op.path}`;
  test(`fuzz ${name}`, async () => {
    const pools = await w.pools();
    const reqArb = requestFor(op, pools, defs);
    for (const group of ACTOR_GROUPS) {
      const actors = w.actors.filter((a) => a.group === group);
      await assertProperty(`${name} as ${group}`, fc.asyncProperty(reqArb, fc.constantFrom(...actors), fc.boolean(), async (req, actor, viaXApiKey) => {
        const errorsBefore = w.errors.length;
        const res = await w.t.app.inject({ method: op.method as 'GET', url: req.url, headers: { ...req.headers, ...authHeaders(actor, viaXApiKey) }, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
        counts.requests += 1;
        bump(counts.byStatus, res.statusCode);
        bump(counts.byBody, req.bodyKind);
        checkAnswer(res, { method: op.method, url: req.url, lang: req.lang }, w.errors.slice(errorsBefore));
      }), RUNS_PER_GROUP);
      if (op.method !== 'GET') await w.restoreActors();
    }
    const broken = await brokenInvariants(w.t.deps.db, w.t.deps.files);
    assert.deepEqual(broken, [], `no half-record after ${name}`);
  });
}

test('after the whole run: the invariants hold, stored files exist and the audit chain verifies', async () => {
  assert.deepEqual(await brokenInvariants(w.t.deps.db, w.t.deps.files, { full: true }), []);
});
