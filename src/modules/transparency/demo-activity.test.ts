// The generated demo activity: a year for every demo municipality, shaped like what the real
// services write (valid workflow paths, report transitions), deterministic for a seed, nothing
// in the future, and fast (the time is printed, not asserted).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../../../test/helpers.js';
import { seedDemo } from '../orgs/seed.js';
import { adoptedServiceById, definitionOfVersion } from '../catalog/lookup.js';
import { dueAt } from '../catalog/workflow.js';
import { TRANSITIONS } from '../grievances/service.js';
import type { ReportState } from '../../platform/db/schema.js';
import { fakeNationalCode, generateDemoActivity, type DemoActivityResult } from './demo-activity.js';
import { isValidNationalCode } from '../../platform/i18n/persian.js';

const DAY_MS = 86_400_000;
let t: TestApp;
let result: DemoActivityResult;
let now: number;
before(async () => {
  t = await makeTestApp();
  now = t.clock.now();
  await seedDemo(t.deps.db, t.deps.services.identity, now);
  result = await generateDemoActivity(t.deps.db, { seed: 7, now, days: 365, calendar: t.deps.calendar });
  process.stdout.write(`# demo activity (${process.env.TEST_DB ?? 'sqlite'}): ${JSON.stringify(result)}\n`);
});
after(async () => { await t?.close(); });

test('a year for the demo municipalities has realistic volumes', async () => {
  assert.ok(result.applications > 25_000 && result.applications < 55_000, `applications ${result.applications}`);
  assert.ok(result.drafts / (result.applications + result.drafts) > 0.04 && result.drafts / (result.applications + result.drafts) < 0.15, 'some drafts are abandoned');
  assert.ok(result.reports > 14_000 && result.reports < 32_000, `reports ${result.reports}`);
  assert.ok(result.events > result.applications * 2.5, 'several events per application');
  const db = t.deps.db;
  // Larger towns make more applications.
  const perOrg = await db.selectFrom('applications').innerJoin('orgs', 'orgs.id', 'applications.org_id')
    .select(['orgs.code', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('orgs.code').execute();
  const n = (code: string) => Number(perOrg.find((r) => r.code === code)?.n ?? 0);
  assert.ok(n('sari') > 5 * n('surak'), 'Sari (310,000) files far more than Surak (8,800)');
  // Online take-up rises over the year.
  const share = async (a: number, b: number) => {
    const rows = await db.selectFrom('applications').select(['channel', (eb) => eb.fn.countAll<number>().as('n')])
      .where('submitted_at', '>=', a).where('submitted_at', '<', b).groupBy('channel').execute();
    const web = Number(rows.find((r) => r.channel === 'web')?.n ?? 0);
    return web / rows.reduce((s, r) => s + Number(r.n), 0);
  };
  const first = await share(now - 365 * DAY_MS, now - 275 * DAY_MS);
  const last = await share(now - 90 * DAY_MS, now);
  assert.ok(first > 0.3 && last > first + 0.15, `online share ${first.toFixed(2)} -> ${last.toFixed(2)}`);
  // About 30% of finished applications are rated; about 3% of reports reopened.
  const closed = await db.selectFrom('applications').select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.count<number>('rating').as('rated')])
    .where('phase', '=', 'closed').where('outcome', '<>', 'withdrawn').executeTakeFirstOrThrow();
  const rated = Number(closed.rated) / Number(closed.n);
  assert.ok(rated > 0.22 && rated < 0.35, `rated ${rated}`);
  const outcomes = await db.selectFrom('applications').select(['outcome', (eb) => eb.fn.countAll<number>().as('n')]).where('phase', '=', 'closed').groupBy('outcome').execute();
  assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['granted', 'refused', 'withdrawn']);
  const reopened = await db.selectFrom('report_updates').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'reopen').executeTakeFirstOrThrow();
  const reopenedShare = Number(reopened.n) / result.reports;
  assert.ok(reopenedShare > 0.01 && reopenedShare < 0.05, `reopened ${reopenedShare}`);
  const late = await db.selectFrom('application_events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'escalated').executeTakeFirstOrThrow();
  assert.ok(Number(late.n) > result.applications * 0.02, 'some steps are late (escalated)');
  // Citizens are clearly fake but valid.
  const c = await db.selectFrom('citizens').select(['mobile', 'national_code']).limit(50).execute();
  for (const x of c) {
    assert.match(x.mobile, /^09999\d{6}$/);
    assert.match(x.national_code!, /^555/);
    assert.ok(isValidNationalCode(x.national_code!), x.national_code!);
  }
  assert.ok(isValidNationalCode(fakeNationalCode(1)));
});

test("every application's events form a valid path through its definition", async () => {
  const db = t.deps.db;
  const apps = await db.selectFrom('applications').selectAll().execute();
  const events = await db.selectFrom('application_events').selectAll().orderBy('application_id').orderBy('created_at').execute();
  const byApp = new Map<string, typeof events>();
  for (const e of events) byApp.set(e.application_id, [...(byApp.get(e.application_id) ?? []), e]);
  const codes = new Set<string>();
  for (const a of apps) {
    const def = (await definitionOfVersion(db, a.version_id))!.definition;
    const evs = byApp.get(a.id) ?? [];
    if (a.phase === 'draft') {
      assert.equal(evs.length, 0, 'a draft has no events');
      assert.equal(a.tracking_code, null);
      continue;
    }
    assert.ok(a.tracking_code && !codes.has(a.tracking_code), 'a unique tracking code');
    codes.add(a.tracking_code);
    assert.equal(evs[0]!.type, 'submitted');
    assert.equal(evs[0]!.to_state, def.workflow.start);
    assert.equal(JSON.parse(evs[0]!.data).tracking_code, a.tracking_code);
    let state = def.workflow.start;
    let closedAt: number | null = null;
    for (const e of evs.slice(1)) {
      if (e.type === 'action') {
        assert.equal(e.from_state, state);
        assert.ok(def.workflow.actions.some((x) => x.from === state && x.name === e.action && x.to === e.to_state), `${def.code}: ${state} -${e.action}-> ${e.to_state}`);
        state = e.to_state!;
        if (def.workflow.states[state]!.final) closedAt = Number(e.created_at);
      } else if (e.type === 'rated') {
        assert.ok(closedAt !== null && Number(e.created_at) > closedAt, 'rated after the outcome');
      } else {
        assert.equal(e.type, 'escalated');
        assert.equal(JSON.parse(e.data).state, state);
      }
    }
    assert.equal(a.state, state);
    const final = def.workflow.states[state]!.final;
    assert.equal(a.phase, final ? 'closed' : 'open');
    if (final) assert.equal(a.outcome, def.workflow.states[state]!.outcome);
    else if (def.workflow.states[state]!.waits_for !== 'citizen' && def.workflow.states[state]!.sla) {
      // The deadline is the one the real services compute (workflow.dueAt on the calendar).
      const svc = (await adoptedServiceById(db, a.org_service_id))!;
      assert.equal(Number(a.due_at), dueAt(t.deps.calendar, def, svc.overrides, state, Number(a.state_entered_at)), `${def.code} ${state}`);
    }
  }
  const counters = await db.selectFrom('counters').select(['name', 'value']).where('name', 'like', 'tracking:%').execute();
  assert.ok(counters.length > 0 && counters.every((c) => Number(c.value) > 0));
});

test('report updates follow the allowed transitions', async () => {
  const db = t.deps.db;
  const reports = await db.selectFrom('reports').select(['id', 'state', 'reopened_count', 'resolved_at', 'citizen_id']).execute();
  const updates = await db.selectFrom('report_updates').select(['report_id', 'state', 'kind', 'created_at']).orderBy('report_id').orderBy('created_at').execute();
  const byReport = new Map<string, typeof updates>();
  for (const u of updates) byReport.set(u.report_id, [...(byReport.get(u.report_id) ?? []), u]);
  for (const r of reports) {
    const us = byReport.get(r.id)!;
    assert.equal(us[0]!.state, 'received');
    let state: ReportState = 'received';
    for (const u of us.slice(1)) {
      if (u.kind === 'state') {
        assert.ok(TRANSITIONS[state].includes(u.state), `${state} -> ${u.state}`);
        state = u.state;
      } else if (u.kind === 'reopen') {
        assert.equal(state, 'resolved');
        state = 'reopened';
      } else assert.ok(['escalation', 'rating'].includes(u.kind), u.kind);
    }
    assert.equal(r.state, state);
  }
});

test('nothing is dated after now', async () => {
  const db = t.deps.db;
  const max = async (table: 'applications' | 'application_events' | 'reports' | 'report_updates', column: string) =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a column name per table
    Number((await db.selectFrom(table).select((eb) => eb.fn.max(column as any).as('m')).executeTakeFirstOrThrow()).m ?? 0);
  for (const [table, column] of [['applications', 'created_at'], ['applications', 'updated_at'], ['applications', 'closed_at'], ['application_events', 'created_at'],
    ['reports', 'updated_at'], ['reports', 'resolved_at'], ['reports', 'rated_at'], ['report_updates', 'created_at']] as const) {
    assert.ok((await max(table, column)) < now, `${table}.${column}`);
  }
});

test('the same seed gives the same activity', async () => {
  const runs: string[] = [];
  for (let i = 0; i < 2; i++) {
    const other = await makeTestApp();
    try {
      await seedDemo(other.deps.db, other.deps.services.identity, now);
      await generateDemoActivity(other.deps.db, { seed: 42, now, days: 60, orgs: ['babol', 'nur'], calendar: other.deps.calendar });
      const apps = await other.deps.db.selectFrom('applications').select(['id', 'tracking_code', 'channel', 'state', 'created_at', 'closed_at', 'rating']).orderBy('id').execute();
      const events = await other.deps.db.selectFrom('application_events').select(['id', 'type', 'action', 'to_state', 'created_at']).orderBy('id').execute();
      const reports = await other.deps.db.selectFrom('reports').select(['id', 'tracking_code', 'state', 'created_at', 'lat']).orderBy('id').execute();
      runs.push(JSON.stringify({ apps, events, reports }));
      assert.ok(apps.length > 50);
    } finally {
      await other.close();
    }
  }
  assert.equal(runs[0], runs[1]);
});
