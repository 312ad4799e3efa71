/**
 * Known fixtures -> hand-computed figures for every KPI definition, on the rollups built from
 * the event logs. Rows are written straight into the source tables (applications,
 * application_events, reports, report_updates) at chosen Tehran times, exactly as the services
 * record them. Tehran is UTC+03:30; the workday is 07:30-14:30 (7 hours); Thursday is off.
 *
 * Weekdays: 2025-09-27 Sat (5 Mehr 1404), 28 Sun, 29 Mon, 30 Tue, 10-01 Wed, 10-02 Thu (off),
 * 10-03 Fri, 10-04 Sat ... 10-22 Wed = 30 Mehr (last day of Mehr), 10-23 Thu = 1 Aban.
 * Mehr 1404 has no official holiday. Nowruz 1405: 2026-03-20 Fri (29 Esfand, Oil Nationalization
 * Day), 03-21..03-24 Sat-Tue = 1-4 Farvardin (Nowruz; Eid al-Fitr on 1-2 Farvardin too).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migratedDb } from '../../../test/helpers.js';
import { newId } from '../../platform/core/index.js';
import { BusinessCalendar } from '../../platform/calendar/business.js';
import type { DB } from '../../platform/db/index.js';
import { kpis, league, serviceBreakdown, trend, quantiles, leagueScore } from './kpi.js';
import { RollupWorker, rebuildRollups } from './rollup.js';
import { parsePeriod } from './periods.js';

const at = (local: string): number => Date.parse(`${local}:00+03:30`);
const MEHR = parsePeriod('1404-07')!;
const ABAN = parsePeriod('1404-08')!;
const FARVARDIN_1405 = parsePeriod('1405-01')!;
const calendar = new BusinessCalendar({ thursday: 'off' });
const clock = { t: at('2026-04-30T12:00'), now() { return this.t; } };
const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${a} != ${b}`);

let handle: Awaited<ReturnType<typeof migratedDb>>;
let db: DB;
const ids: Record<string, string> = {};

async function insertService(code: string, baseline: { office_visits: number; days: number }) {
  const t = newId();
  const v = newId();
  await db.insertInto('service_templates').values({ id: t, code, owner_org_id: ids.babol!, category: 'x', created_at: 0 }).execute();
  await db.insertInto('service_template_versions').values({
    id: v, template_id: t, version: 1, status: 'published', definition: JSON.stringify({ code, baseline }), title_fa: `خدمت ${code}`, title_en: `Service ${code}`,
    search_text: code, maturity: 4, created_by: null, created_at: 0, published_at: 0,
  }).execute();
  for (const org of ['babol', 'amol']) {
    const os = newId();
    await db.insertInto('org_services').values({ id: os, org_id: ids[org]!, template_id: t, version_id: v, enabled: 1, overrides: '{}', adopted_at: 0, updated_at: 0 }).execute();
    ids[`${org}:${code}`] = os;
  }
  ids[`v:${code}`] = v;
}

interface AppFixture {
  org?: string; service: string; channel: 'web' | 'counter'; created: number; submitted?: number;
  actions?: { at: number; fromDueAt: number | null; closes?: boolean }[]; rating?: { at: number; n: number };
}

async function insertApplication(f: AppFixture): Promise<string> {
  const id = newId();
  const org = f.org ?? 'babol';
  const last = f.actions?.at(-1);
  const closedAt = last?.closes ? last.at : null;
  await db.insertInto('applications').values({
    id, org_id: ids[org]!, org_service_id: ids[`${org}:${f.service}`]!, version_id: ids[`v:${f.service}`]!, tracking_code: null, citizen_id: ids.citizen!,
    channel: f.channel, state: closedAt ? 'approved' : 'submitted', phase: closedAt ? 'closed' : f.submitted ? 'open' : 'draft', form_data: '{}', fees_total: 0, fees: '{}',
    assignee_id: null, due_at: null, state_entered_at: f.created, submit_key: null, outcome: null, result_code: null, rating: f.rating?.n ?? null, rating_comment: null,
    created_by: null, created_at: f.created, submitted_at: f.submitted ?? null, closed_at: closedAt, updated_at: f.created, escalated_due_at: null,
  }).execute();
  const event = (type: string, when: number, data: object) => db.insertInto('application_events').values({
    id: newId(), application_id: id, org_id: ids[org]!, type, action: type === 'action' ? 'go' : null, from_state: null, to_state: null,
    actor_kind: 'staff', actor_id: null, comment: null, internal: 0, data: JSON.stringify(data), created_at: when,
  }).execute();
  if (f.submitted) await event('submitted', f.submitted, { channel: f.channel });
  for (const a of f.actions ?? []) await event('action', a.at, { by: 'staff', from_due_at: a.fromDueAt });
  if (f.rating) await event('rated', f.rating.at, { rating: f.rating.n });
  return id;
}

async function insertReport(filed: number, updates: { at: number; kind: 'state' | 'reopen'; state: 'resolved' | 'reopened'; dueAt?: number }[]): Promise<void> {
  const id = newId();
  await db.insertInto('reports').values({
    id, org_id: ids.babol!, category_id: ids.category!, tracking_code: `B-137-${id}`, citizen_id: null, description: 'چاله', lat: 36.5, lng: 52.6, address: null,
    state: 'received', duplicate_of: null, due_at: null, created_at: filed, updated_at: filed, resolved_at: null, hidden: 0, assigned_department: null, assigned_to: null,
    rating: null, rating_comment: null, rated_at: null, escalated_due_at: null, token: null, api_client_id: null, attributes: null, moderated_at: null,
  }).execute();
  const rows: { at: number; kind: string; state: 'received' | 'resolved' | 'reopened'; dueAt?: number }[] = [{ at: filed, kind: 'state', state: 'received' }, ...updates];
  for (const u of rows) {
    await db.insertInto('report_updates').values({ id: newId(), report_id: id, org_id: ids.babol!, state: u.state, kind: u.kind, comment: null, internal: 0, actor_kind: 'staff', actor_id: null, due_at: u.dueAt ?? null, created_at: u.at }).execute();
  }
}

async function dump() {
  const daily = await db.selectFrom('kpi_daily').selectAll().orderBy('day').orderBy('org_id').orderBy('service_code').orderBy('kind').execute();
  const durations = await db.selectFrom('kpi_durations').selectAll().orderBy('day').orderBy('org_id').orderBy('service_code').orderBy('kind').orderBy('centi_days').execute();
  const norm = (rows: object[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])));
  return { daily: norm(daily), durations: norm(durations) };
}

before(async () => {
  handle = await migratedDb();
  db = handle.db;
  for (const code of ['babol', 'amol']) {
    ids[code] = newId();
    await db.insertInto('orgs').values({ id: ids[code]!, code, kind: 'municipality', parent_id: null, name_fa: `شهرداری ${code}`, name_en: `${code} Municipality`, is_reference: 0, lat: null, lng: null, population: null, created_at: 0 }).execute();
  }
  ids.citizen = newId();
  await db.insertInto('citizens').values({ id: ids.citizen, mobile: '09120000000', national_code: null, first_name: null, last_name: null, email: null, locale: 'fa', created_at: 0, updated_at: 0 }).execute();
  await insertService('permit', { office_visits: 4, days: 30 });
  await insertService('certificate', { office_visits: 2, days: 5 });
  ids.category = newId();
  await db.insertInto('report_categories').values({
    id: ids.category, org_id: ids.babol!, code: 'pothole', group: 'urban-services', title_fa: 'چاله', title_en: 'Pothole', deadline_days: 2,
    department_fa: 'عمران', department_en: 'Civil works', allow_anonymous: 1, created_at: 0,
  }).execute();
});

after(async () => handle?.drop());

test('rollups give the hand-computed figures of Mehr 1404, incrementally and after a rebuild', async () => {
  const worker = new RollupWorker({ db, calendar, clock, batchSize: 3 });
  // A1 web permit: Sat 07:00 -> closed Tue 14:30. Business days: Sat 1 + Sun 1 + Mon 1 + Tue 1 = 4.00.
  // Both actions left their states before their deadlines -> within. Calendar days 30/09 - 27/09 = 3 -> saved 30 - 3 = 27 days, 4 visits. Rated 5.
  await insertApplication({ service: 'permit', channel: 'web', created: at('2025-09-27T07:00'), submitted: at('2025-09-27T07:00'),
    actions: [{ at: at('2025-09-28T10:00'), fromDueAt: at('2025-09-29T14:30') }, { at: at('2025-09-30T14:30'), fromDueAt: at('2025-10-08T14:30'), closes: true }],
    rating: { at: at('2025-10-01T09:00'), n: 5 } });
  // A2 counter permit: Wed 11:00 -> closed Sat 11:00, leaving its state 2 hours after its deadline (Sat 09:00) -> late.
  // Business days: Wed 11:00-14:30 = 3.5/7 = 0.5; Thu (off), Fri: 0; Sat 07:30-11:00 = 0.5 -> 1.00. Counter: no visits saved. Rated 2.
  await insertApplication({ service: 'permit', channel: 'counter', created: at('2025-10-01T11:00'), submitted: at('2025-10-01T11:00'),
    actions: [{ at: at('2025-10-04T11:00'), fromDueAt: at('2025-10-04T09:00'), closes: true }], rating: { at: at('2025-10-05T09:00'), n: 2 } });
  // First incremental run part way through the fixtures.
  await worker.runOnce();
  // A3 web permit: Mon 14:30 (workday over) -> closed Sat 07:30 (workday not begun), from a state that waits for the citizen (no deadline).
  // Business days: Mon 0 + Tue 1 + Wed 1 + Thu/Fri 0 + Sat 0 = 2.00. Calendar days 11 - 6 = 5 -> saved 25 days, 4 visits. Rated 4.
  await insertApplication({ service: 'permit', channel: 'web', created: at('2025-10-06T14:30'), submitted: at('2025-10-06T14:30'),
    actions: [{ at: at('2025-10-11T07:30'), fromDueAt: null, closes: true }], rating: { at: at('2025-10-12T09:00'), n: 4 } });
  // A4: a draft started and never submitted. A5: submitted, still open.
  await insertApplication({ service: 'permit', channel: 'web', created: at('2025-10-07T09:00') });
  await insertApplication({ service: 'permit', channel: 'web', created: at('2025-10-07T09:00'), submitted: at('2025-10-08T09:00') });
  // Period boundary: A6 at 23:59 on 30 Mehr counts in Mehr; A7 at 00:00 on 1 Aban counts in Aban.
  await insertApplication({ service: 'permit', channel: 'web', created: at('2025-10-22T23:59'), submitted: at('2025-10-22T23:59') });
  await insertApplication({ service: 'permit', channel: 'web', created: at('2025-10-23T00:00'), submitted: at('2025-10-23T00:00') });
  // R1 (deadline 2 business days): filed Sat 08:00 -> due Mon 14:30 (Sun 1, Mon 2); resolved Sun 12:00 -> within.
  //   Business days Sat 08:00-14:30 = 6.5/7 + Sun 07:30-12:00 = 4.5/7 -> 11/7 = 1.5714 -> 1.57.
  //   Reopened Mon 09:00 -> new due Wed 14:30 (Tue 1, Wed 2); resolved again Sat 10-04 10:00 -> late.
  //   Business days from filing: 6.5/7 + Sun, Mon, Tue, Wed (4) + Sat 07:30-10:00 = 2.5/7 -> 4 + 9/7 = 5.2857 -> 5.29.
  await insertReport(at('2025-09-27T08:00'), [
    { at: at('2025-09-28T12:00'), kind: 'state', state: 'resolved' },
    { at: at('2025-09-29T09:00'), kind: 'reopen', state: 'reopened' },
    { at: at('2025-10-04T10:00'), kind: 'state', state: 'resolved' },
  ]);
  // R2: filed, not resolved.
  await insertReport(at('2025-10-01T09:00'), []);
  await db.insertInto('org_costs').values({ id: newId(), org_id: ids.babol!, period: '1404-07', service_code: 'permit', cost_rials: 9_000_000, note: null, entered_by: null, created_at: 0 }).execute();
  await worker.runOnce();
  await worker.runOnce(); // idempotent: nothing new is counted twice

  const k = await kpis(db, { org: 'babol' }, MEHR);
  const a = k.applications;
  assert.equal(a.received, 5); // A1, A2, A3, A5, A6
  assert.equal(a.online, 4); // all but A2
  assert.equal(a.counter, 1);
  close(a.digital_share, 4 / 5); // 0.8
  assert.equal(a.started, 6); // A1..A6 (A7 started in Aban)
  close(a.completion_rate, 5 / 6); // all started in Mehr were submitted but A4
  assert.equal(a.completed, 3); // A1, A2, A3
  assert.equal(a.median_days, 2); // sorted [1.00, 2.00, 4.00] -> 2.00
  assert.equal(a.p90_days, 4); // nearest rank ceil(0.9 x 3) = 3rd -> 4.00
  close(a.within_deadline, 2 / 3); // A1, A3; A2 left late
  assert.deepEqual(a.satisfaction, { distribution: [0, 1, 0, 1, 1], respondents: 3, mean: 11 / 3 }); // (2 + 4 + 5) / 3
  assert.equal(a.visits_saved, 8); // A1 4 + A3 4 (A2 was at the counter)
  assert.equal(a.days_saved, 52); // 27 + 25
  assert.equal(a.citizen_cost_saved, 4_000_000); // 8 x 500,000
  assert.equal(a.cost_per_transaction, 3_000_000); // 9,000,000 / 3
  assert.deepEqual(k.reports, { received: 2, resolved: 2, resolved_within_deadline: 0.5, reopened: 1, median_days: 3.43 }); // (1.57 + 5.29) / 2
  assert.equal((await kpis(db, { org: 'babol' }, MEHR, { costPerVisitRials: 1000 })).applications.citizen_cost_saved, 8000);

  const aban = await kpis(db, { org: 'babol' }, ABAN);
  assert.equal(aban.applications.received, 1); // A7 only
  assert.equal(aban.applications.started, 1);
  assert.equal(aban.applications.median_days, null);
  assert.equal(aban.applications.cost_per_transaction, null);

  // The season and year contain Mehr: the same counts; the month's cost counts for them too.
  const autumn = await kpis(db, { org: 'babol' }, parsePeriod('1404-s3')!);
  assert.equal(autumn.applications.received, 6);
  assert.equal(autumn.applications.cost_per_transaction, 3_000_000);
  // Province = every org; Amol has nothing. A service scope has no reports.
  assert.deepEqual(await kpis(db, {}, MEHR), k);
  assert.equal((await kpis(db, { org: 'amol' }, MEHR)).applications.received, 0);
  assert.equal((await kpis(db, { org: 'nowhere' }, MEHR)).applications.received, 0);
  const permit = await kpis(db, { org: 'babol', service: 'permit' }, MEHR);
  assert.deepEqual(permit.applications, a);
  assert.equal(permit.reports.received, 0);

  const tr = await trend(db, { org: 'babol' }, [MEHR, ABAN]);
  assert.deepEqual(tr.map((x) => x.kpis.applications.received), [5, 1]);

  const breakdown = await serviceBreakdown(db, { org: 'babol' }, MEHR);
  assert.deepEqual(breakdown.map((b) => [b.service.code, b.service.title.en, b.kpis.applications.received]), [['permit', 'Service permit', 5]]);

  // League: Babol 0.3 x 2/3 + 0.3 x 0.8 + 0.2 x (11/3 - 1)/4 + 0.2 x 0.5 = 0.2 + 0.24 + 0.1333 + 0.1 = 0.6733 -> 67.33; Amol knows nothing -> 0.
  const l = await league(db, MEHR);
  assert.deepEqual(l.map((r) => [r.rank, r.org.code, r.score]), [[1, 'babol', 67.33], [2, 'amol', 0]]);

  // A rebuild from scratch gives the very same rows.
  const incremental = await dump();
  await rebuildRollups(db, calendar, { clock });
  assert.deepEqual(await dump(), incremental);
});

test('processing time across Nowruz skips Friday, the Thursday off and the holidays; a Thursday worked counts', async () => {
  // B1 web certificate: Tue 2026-03-17 (26 Esfand 1404) 09:00 -> closed Sat 2026-03-28 (8 Farvardin 1405) 10:00.
  // Tue 09:00-14:30 = 5.5/7; Wed 03-18 = 1; Thu 03-19 off; Fri 03-20 off (and 29 Esfand holiday);
  // Sat 03-21 .. Tue 03-24 = 1-4 Farvardin, Nowruz: 0; Wed 03-25 = 1; Thu 03-26 off; Fri 03-27 off; Sat 07:30-10:00 = 2.5/7.
  // Total 2 + 8/7 = 3.142857 -> 3.14. Calendar days 11 > baseline 5 -> 0 days saved; 2 visits saved.
  await insertApplication({ service: 'certificate', channel: 'web', created: at('2026-03-17T09:00'), submitted: at('2026-03-17T09:00'),
    actions: [{ at: at('2026-03-28T10:00'), fromDueAt: at('2026-03-29T14:30'), closes: true }] });
  await new RollupWorker({ db, calendar, clock }).runOnce();
  const f = (await kpis(db, { org: 'babol', service: 'certificate' }, FARVARDIN_1405)).applications;
  assert.equal(f.completed, 1);
  assert.equal(f.received, 0); // submitted in Esfand 1404
  assert.equal(f.median_days, 3.14);
  assert.equal(f.p90_days, 3.14);
  assert.equal(f.within_deadline, 1);
  assert.equal(f.visits_saved, 2);
  assert.equal(f.days_saved, 0);
  assert.equal((await kpis(db, { org: 'babol', service: 'certificate' }, parsePeriod('1404-12')!)).applications.received, 1);
  // With Thursday a working day, Thu 03-19 and Thu 03-26 count a whole day each: 3.14 + 2 = 5.14.
  await rebuildRollups(db, new BusinessCalendar({ thursday: 'work' }), { clock });
  assert.equal((await kpis(db, { org: 'babol', service: 'certificate' }, FARVARDIN_1405)).applications.median_days, 5.14);
  await rebuildRollups(db, calendar, { clock });
});

test('a resolution is judged by the deadline recorded with it, so a later change of the category deadline re-judges nothing', async () => {
  const AZAR = parsePeriod('1404-09')!;
  // Filed Sat 22 Nov 2025 (1 Azar) 08:00; the deadline in force then (recorded with the resolution) was
  // Sun 14:30; resolved Mon 12:00 -> late. The category's deadline today (2 business days: Mon 14:30)
  // would call it within.
  await insertReport(at('2025-11-22T08:00'), [{ at: at('2025-11-24T12:00'), kind: 'state', state: 'resolved', dueAt: at('2025-11-23T14:30') }]);
  clock.t = at('2026-04-30T12:00');
  await rebuildRollups(db, calendar, { clock });
  const k = await kpis(db, { org: 'babol' }, AZAR);
  assert.equal(k.reports.resolved, 1);
  assert.equal(k.reports.resolved_within_deadline, 0);
  await db.updateTable('report_categories').set({ deadline_days: 10 }).where('id', '=', ids.category!).execute();
  await rebuildRollups(db, calendar, { clock });
  assert.equal((await kpis(db, { org: 'babol' }, AZAR)).reports.resolved_within_deadline, 0);
  await db.updateTable('report_categories').set({ deadline_days: 2 }).where('id', '=', ids.category!).execute();
  await rebuildRollups(db, calendar, { clock });
});

test('rows younger than the settle time wait for a later run', async () => {
  const worker = new RollupWorker({ db, calendar, clock });
  const id = await insertApplication({ service: 'permit', channel: 'web', created: clock.t - 1_000, submitted: clock.t - 1_000 });
  assert.ok(id);
  const before = await worker.runOnce();
  assert.equal(before.application_events, 0);
  clock.t += 60_000;
  const later = await worker.runOnce();
  assert.equal(later.application_events, 1);
  assert.equal(later.applications, 1);
});

test('the periodic run calls afterChange after a run that counted rows, not after an empty one', async () => {
  let calls = 0;
  let resolveFirst!: () => void;
  const first = new Promise<void>((r) => { resolveFirst = r; });
  const worker = new RollupWorker({ db, calendar, clock, intervalMs: 10, afterChange: async () => { calls++; resolveFirst(); } });
  clock.t += 120_000;
  await insertApplication({ service: 'permit', channel: 'web', created: clock.t - 61_000, submitted: clock.t - 61_000 });
  worker.start();
  // The job's timers do not keep the process alive; this one does, and fails the test if nothing comes.
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([first, new Promise((_, reject) => { guard = setTimeout(() => reject(new Error('afterChange was not called')), 10_000); })]);
  clearTimeout(guard);
  // Several more runs find nothing new.
  await new Promise((r) => setTimeout(r, 100));
  await worker.stop();
  assert.equal(calls, 1);
});

test('quantiles: median of an even count is the mean of the middle two; p90 by nearest rank; league score rescales missing parts', () => {
  // values 1,2,3,...,10 -> median (5 + 6)/2 = 5.5; p90 = ceil(9) = 9th = 9.
  assert.deepEqual(quantiles(new Map(Array.from({ length: 10 }, (_, i) => [i + 1, 1]))), { median: 5.5, p90: 9 });
  assert.deepEqual(quantiles(new Map()), { median: null, p90: null });
  // 100 x 1 day and 1 x 50 days -> median 1, p90 = 91st = 1.
  assert.deepEqual(quantiles(new Map([[1, 100], [50, 1]])), { median: 1, p90: 1 });
  const k = { applications: { within_deadline: 1, digital_share: null, satisfaction: { mean: null } }, reports: { resolved_within_deadline: 0 } };
  // (0.3 x 1 + 0.2 x 0) / 0.5 = 0.6 -> 60
  assert.equal(leagueScore(k as never), 60);
});
