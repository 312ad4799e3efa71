// Preloads a bench database with N e-service applications and their events in a few set-based
// statements (the approach of bench/reports-preload.ts): municipalities by population, services
// of each municipality's adoptions (popular ones more often), web share rising over the year,
// about 5% still open, granted along each definition's shortest path to a granted final state or
// refused at the first step, about 30% of the closed ones rated. The events are written exactly
// as applications/service.ts writes them ('submitted', 'action' with data.by / outcome /
// from_due_at, 'rated'), so the transparency rollups count them like real ones.
// Needs a migrated database seeded with the demo province and preloadReports' citizens.
import type pg from 'pg';
import { DEMO_MUNICIPALITIES } from '../src/modules/orgs/demo-data.js';
import { definitionSchema, type ServiceDefinition } from '../src/modules/catalog/definition.js';
import { jalaliYearStart } from './reports-preload.js';

const DAY_MS = 86_400_000;

/** The staff/system/payment actions from the start state to a final state with this outcome, fewest first. */
function pathTo(def: ServiceDefinition, outcome: 'granted' | 'refused'): { action: string; from: string; to: string; by: string }[] {
  const wf = def.workflow;
  const queue: { state: string; path: { action: string; from: string; to: string; by: string }[] }[] = [{ state: wf.start, path: [] }];
  const seen = new Set([wf.start]);
  while (queue.length) {
    const { state, path } = queue.shift()!;
    for (const a of wf.actions.filter((x) => x.from === state && x.by !== 'citizen')) {
      const next = [...path, { action: a.name, from: a.from, to: a.to, by: a.by }];
      if (wf.states[a.to]?.final) {
        if (wf.states[a.to]!.outcome === outcome) return next;
        continue;
      }
      if (!seen.has(a.to)) { seen.add(a.to); queue.push({ state: a.to, path: next }); }
    }
  }
  return [];
}

export interface ApplicationsPreloadResult { applications: number; events: number; seconds: { applications: number; events: number; vacuumAnalyze: number; total: number } }

export async function preloadApplications(c: pg.Client, n: number, now: number, citizens: number, log: (s: string) => void): Promise<ApplicationsPreloadResult> {
  const t0 = Date.now();
  const lap = (() => { let last = Date.now(); return () => { const x = (Date.now() - last) / 1000; last = Date.now(); return x; }; })();
  await c.query(`set maintenance_work_mem = '256MB'`);
  await c.query(`set synchronous_commit = off`);

  // Municipalities by population share; their adopted services; each service's two paths.
  const { rows: orgRows } = await c.query<{ id: string; code: string }>(`select id, code from orgs where kind = 'municipality' order by code`);
  const cities = DEMO_MUNICIPALITIES.filter((m) => orgRows.some((o) => o.code === m.code));
  const total = cities.reduce((s, m) => s + (m.population ?? 10_000), 0);
  let acc = 0;
  const thresholds: number[] = [];
  await c.query(`create temp table bench_app_orgs (idx int primary key, org_id text, code text)`);
  for (const [i, m] of cities.entries()) {
    if (i > 0) thresholds.push(acc / total);
    acc += m.population ?? 10_000;
    await c.query(`insert into bench_app_orgs values ($1, $2, $3)`, [i + 1, orgRows.find((o) => o.code === m.code)!.id, m.code]);
  }
  const { rows: svcRows } = await c.query<{ org_id: string; id: string; version_id: string; definition: string }>(`
    select s.org_id, s.id, s.version_id, v.definition from org_services s join service_template_versions v on v.id = s.version_id
    join service_templates t on t.id = s.template_id order by s.org_id, t.code`);
  await c.query(`create temp table bench_svcs (org_id text, idx int, org_service_id text, version_id text, start_state text, primary key (org_id, idx))`);
  await c.query(`create temp table bench_paths (version_id text, outcome text, step int, action text, from_state text, to_state text, by text, last boolean)`);
  const versions = new Set<string>();
  const perOrg = new Map<string, number>();
  for (const s of svcRows) {
    const def = definitionSchema.parse(JSON.parse(s.definition));
    const idx = perOrg.get(s.org_id) ?? 0;
    perOrg.set(s.org_id, idx + 1);
    await c.query(`insert into bench_svcs values ($1, $2, $3, $4, $5)`, [s.org_id, idx, s.id, s.version_id, def.workflow.start]);
    if (versions.has(s.version_id)) continue;
    versions.add(s.version_id);
    for (const outcome of ['granted', 'refused'] as const) {
      const path = pathTo(def, outcome);
      for (const [i, p] of path.entries()) {
        await c.query(`insert into bench_paths values ($1, $2, $3, $4, $5, $6, $7, $8)`, [s.version_id, outcome, i + 1, p.action, p.from, p.to, p.by, i === path.length - 1]);
      }
    }
  }
  const servicesPerOrg = Math.min(...perOrg.values());
  const { year, start: yearStart } = jalaliYearStart(now);

  // One pass: the org by population, a service (squared draw: the first ones more often), an age,
  // a channel (web share from 45% a year ago to 80% now), open or granted or refused, a rating.
  await c.query(`
    create temp table bench_apps as
    with d as (
      select g, width_bucket(random(), $2::float8[]) + 1 as org_idx, random() as u_svc, random() as u_age, random() as u_ch,
             random() as u_open, random() as u_out, random() as u_rate, random() as u_cit, random() as u_dur
      from generate_series(1, $1::int) g
    ), p as (
      select d.*, o.org_id, upper(o.code) as org_code, s.org_service_id, s.version_id, s.start_state,
             $3::bigint - (d.u_age * 365 * ${DAY_MS})::bigint as submitted_at
      from d join bench_app_orgs o on o.idx = d.org_idx
             join bench_svcs s on s.org_id = o.org_id and s.idx = least(floor(d.u_svc * d.u_svc * $4)::int, $4 - 1)
    )
    select p.*, case when p.u_ch < 0.8 - 0.35 * p.u_age then 'web' else 'counter' end as channel,
           case when (p.u_age < 14.0 / 365 and p.u_open < 0.5) or p.u_open < 0.02 then null when p.u_out < 0.9 then 'granted' else 'refused' end as outcome,
           (p.u_dur * 20 * ${DAY_MS})::bigint as duration,
           case when p.submitted_at >= $5::bigint then $6::int else $6::int - 1 end as jy,
           md5('bench-citizen-' || (1 + floor(p.u_cit * $7)::int))::uuid::text as citizen_id
    from p`, [n, thresholds, now, servicesPerOrg, yearStart, year, citizens]);
  await c.query(`
    insert into applications (id, org_id, org_service_id, version_id, tracking_code, citizen_id, channel, state, phase, form_data, fees_total, fees,
                              assignee_id, due_at, state_entered_at, submit_key, outcome, result_code, rating, rating_comment, created_by,
                              created_at, submitted_at, closed_at, updated_at, escalated_due_at)
    select md5('bench-app-' || a.g)::uuid::text, a.org_id, a.org_service_id, a.version_id,
           a.org_code || '-' || a.jy || '-' || lpad((row_number() over (partition by a.org_id, a.jy order by a.submitted_at, a.g))::text, 6, '0'),
           a.citizen_id, a.channel, coalesce(f.to_state, a.start_state), case when a.outcome is null then 'open' else 'closed' end,
           '{}', 0, '{"items":[],"total":0}', null, case when a.outcome is null then a.submitted_at + 2 * ${DAY_MS} end,
           least($1::bigint, a.submitted_at + a.duration), null, a.outcome,
           case when a.outcome is not null then upper(substr(md5('r' || a.g), 1, 12)) end,
           case when a.outcome is not null and a.u_rate < 0.3 then 1 + floor(a.u_rate / 0.3 * 5)::int end, null, a.citizen_id,
           a.submitted_at - 600000, a.submitted_at, case when a.outcome is not null then least($1::bigint, a.submitted_at + a.duration) end,
           least($1::bigint, a.submitted_at + a.duration), null
    from bench_apps a left join bench_paths f on f.version_id = a.version_id and f.outcome = a.outcome and f.last`, [now - 120_000]);
  const tApps = lap();
  log(`  ${n.toLocaleString('en')} applications in ${tApps.toFixed(1)} s`);

  // The submitted event, the actions of the path (spread over the duration), the rating.
  await c.query(`
    insert into application_events (id, application_id, org_id, type, action, from_state, to_state, actor_kind, actor_id, comment, internal, data, created_at)
    select md5('bench-ev-s-' || a.g)::uuid::text, md5('bench-app-' || a.g)::uuid::text, a.org_id, 'submitted', null, null, a.start_state,
           case when a.channel = 'web' then 'citizen' else 'staff' end, case when a.channel = 'web' then a.citizen_id end, null, 0,
           json_build_object('channel', a.channel, 'fees_total', 0)::text, a.submitted_at
    from bench_apps a`);
  await c.query(`
    insert into application_events (id, application_id, org_id, type, action, from_state, to_state, actor_kind, actor_id, comment, internal, data, created_at)
    select md5('bench-ev-a-' || a.g || '-' || p.step)::uuid::text, md5('bench-app-' || a.g)::uuid::text, a.org_id, 'action', p.action, p.from_state, p.to_state,
           case when p.by = 'staff' then 'staff' else 'system' end, null, null, 0,
           json_build_object('by', p.by, 'outcome', case when p.last then a.outcome end,
                             'from_due_at', a.submitted_at + (p.step * 2 + 1) * ${DAY_MS})::text,
           least($1::bigint, a.submitted_at + (a.duration * p.step / m.steps)) - (m.steps - p.step)
    from bench_apps a join bench_paths p on p.version_id = a.version_id and p.outcome = a.outcome
    join (select version_id, outcome, max(step) as steps from bench_paths group by 1, 2) m on m.version_id = a.version_id and m.outcome = a.outcome`, [now - 120_000]);
  await c.query(`
    insert into application_events (id, application_id, org_id, type, action, from_state, to_state, actor_kind, actor_id, comment, internal, data, created_at)
    select md5('bench-ev-r-' || a.g)::uuid::text, md5('bench-app-' || a.g)::uuid::text, a.org_id, 'rated', null, null, null, 'citizen', a.citizen_id, null, 0,
           json_build_object('rating', 1 + floor(a.u_rate / 0.3 * 5)::int)::text, least($1::bigint, a.submitted_at + a.duration) + 1
    from bench_apps a where a.outcome is not null and a.u_rate < 0.3`, [now - 120_000]);
  const tEvents = lap();
  const events = Number((await c.query<{ n: string }>(`select count(*) as n from application_events`)).rows[0]!.n);
  log(`  ${events.toLocaleString('en')} application events in ${tEvents.toFixed(1)} s`);
  await c.query(`
    insert into counters (org_id, name, value)
    select org_id, 'tracking:' || split_part(tracking_code, '-', 2), max(split_part(tracking_code, '-', 3)::int)
    from applications where tracking_code is not null group by org_id, split_part(tracking_code, '-', 2)
    on conflict (org_id, name) do update set value = greatest(counters.value, excluded.value)`);
  for (const table of ['applications', 'application_events', 'counters']) await c.query(`vacuum (analyze) ${table}`);
  const tVacuum = lap();
  await c.query(`drop table bench_apps; drop table bench_app_orgs; drop table bench_svcs; drop table bench_paths`);
  return { applications: n, events, seconds: { applications: tApps, events: tEvents, vacuumAnalyze: tVacuum, total: (Date.now() - t0) / 1000 } };
}
