// Preloads a bench database with city problem reports (۱۳۷) in a few set-based statements:
// citizens, N reports spread over the demo municipalities and their categories, one update each,
// and the per-organization tracking counters advanced past the preloaded numbers.
// Used by bench/reports-lifecycle.ts; needs a migrated database seeded with the demo province.
import type pg from 'pg';
import { DEMO_MUNICIPALITIES } from '../src/modules/orgs/demo-data.js';
import { DEMO_AREA_RADIUS_M, distanceMeters } from '../src/modules/grievances/areas.js';
import { jalaliParts } from '../src/platform/i18n/format.js';

const DAY_MS = 86_400_000;

/** The first instant of the current Jalali year (Tehran time), to the hour, found by walking back from now. */
export function jalaliYearStart(now: number): { year: number; start: number } {
  const year = jalaliParts(now).year;
  let t = now - (now % 3_600_000);
  while (jalaliParts(t - 3_600_000).year === year) t -= 3_600_000;
  // Tehran is UTC+3:30, so the new year starts on a half hour: step back by halves.
  if (jalaliParts(t - 1_800_000).year === year) t -= 1_800_000;
  return { year, start: t };
}

/**
 * How far from its centre a preloaded report of each municipality may lie: inside the demo area
 * (a circle, DEMO_AREA_RADIUS_M) and closer to its own centre than to any other, so that routing
 * by point (areas.ts) would send it to the same municipality.
 */
export function placementRadii(): Map<string, number> {
  const radii = new Map<string, number>();
  for (const c of DEMO_MUNICIPALITIES) {
    const nearest = Math.min(...DEMO_MUNICIPALITIES.filter((o) => o !== c).map((o) => distanceMeters(c, o)));
    radii.set(c.code, Math.max(300, Math.min(DEMO_AREA_RADIUS_M * 0.9, nearest / 2 * 0.95)));
  }
  return radii;
}

export interface PreloadResult {
  reports: number;
  citizens: number;
  seconds: { citizens: number; reports: number; updates: number; counters: number; vacuumAnalyze: number; total: number };
  counters: { org: string; name: string; value: number }[];
}

/**
 * Inserts the rows. States are those of a year of a ۱۳۷ system: mostly closed (resolved, some
 * rejected, duplicate or transferred), open ones mostly among the last three weeks; created_at
 * spread uniformly over the last 365 days; municipalities weighted by population; categories
 * uniform; 90% of reports by one of the preloaded citizens, the rest anonymous.
 */
export async function preloadReports(c: pg.Client, n: number, now: number, log: (s: string) => void): Promise<PreloadResult> {
  const t0 = Date.now();
  const lap = (() => { let last = Date.now(); return () => { const x = (Date.now() - last) / 1000; last = Date.now(); return x; }; })();
  await c.query(`set maintenance_work_mem = '256MB'`);
  await c.query(`set synchronous_commit = off`);

  const citizens = Math.max(1000, Math.round(n / 20));
  await c.query(`
    insert into citizens (id, mobile, national_code, first_name, last_name, email, locale, created_at, updated_at)
    select md5('bench-citizen-' || g)::uuid::text, '0911' || lpad(g::text, 7, '0'), null, null, null, null,
           case when g % 20 = 0 then 'en' else 'fa' end, $2::bigint - 400 * ${DAY_MS}::bigint, $2::bigint - 400 * ${DAY_MS}::bigint
    from generate_series(1, $1::int) g`, [citizens, now]);
  const tCitizens = lap();
  log(`  ${citizens.toLocaleString('en')} citizens in ${tCitizens.toFixed(1)} s`);

  // The municipalities with their share (by population) and where their reports may lie.
  const radii = placementRadii();
  const { rows: orgRows } = await c.query<{ id: string; code: string }>(`select id, code from orgs where kind = 'municipality' order by code`);
  const cities = DEMO_MUNICIPALITIES.filter((m) => orgRows.some((o) => o.code === m.code));
  const total = cities.reduce((s, m) => s + (m.population ?? 10_000), 0);
  let acc = 0;
  const thresholds: number[] = [];
  await c.query(`create temp table bench_orgs (idx int primary key, org_id text, code text, lat float8, lng float8, radius_m float8)`);
  for (const [i, m] of cities.entries()) {
    if (i > 0) thresholds.push(acc / total);
    acc += m.population ?? 10_000;
    await c.query(`insert into bench_orgs values ($1, $2, $3, $4, $5, $6)`, [i + 1, orgRows.find((o) => o.code === m.code)!.id, m.code, m.lat, m.lng, radii.get(m.code)]);
  }
  await c.query(`create temp table bench_cats as
    select org_id, (row_number() over (partition by org_id order by code))::int - 1 as idx, id, deadline_days, department_fa
    from report_categories`);
  await c.query(`create index on bench_cats (org_id, idx)`);
  const catsPerOrg = (await c.query<{ k: number }>(`select min(k)::int as k from (select count(*) as k from bench_cats group by org_id) x`)).rows[0]!.k;
  const { year, start: yearStart } = jalaliYearStart(now);

  const descriptions = [
    'چاله بزرگ وسط خیابان، خطر برای موتورسواران',
    'نخاله ساختمانی کنار پیاده‌رو رها شده است',
    'چراغ‌های این کوچه چند شب است خاموش است',
    'مغازه‌دار اجناس را روی پیاده‌رو چیده است',
    'شاخه‌های درخت روی سیم برق افتاده است',
    'آب باران در تقاطع جمع شده و عبور ممکن نیست',
    'زباله‌ها از دیروز جمع‌آوری نشده است',
  ];
  // One pass: random draws per row, the municipality by its population share (width_bucket over
  // the cumulative thresholds), a category of it, a point in its area, an age and a state; the
  // tracking number is the row's rank by creation inside its municipality and Jalali year.
  await c.query(`
    insert into reports (id, org_id, category_id, tracking_code, citizen_id, description, lat, lng, address, state, duplicate_of,
                         due_at, created_at, updated_at, resolved_at, hidden, assigned_department, assigned_to, reopened_count,
                         rating, rating_comment, rated_at, escalated_due_at, source, token, api_client_id, attributes, moderated_at)
    with d as (
      select g, width_bucket(random(), $2::float8[]) + 1 as org_idx, random() as u_cat, random() as u_r, random() as u_t,
             random() as u_age, random() as u_open, random() as u_kind, random() as u_close, random() as u_cit, random() as u_rate
      from generate_series(1, $1::int) g
    ), p as (
      select d.*, o.org_id, upper(o.code) as org_code, c.id as category_id, c.deadline_days, c.department_fa,
             o.lat + (o.radius_m * sqrt(d.u_r) * cos(2 * pi() * d.u_t)) / 111320.0 as lat,
             o.lng + (o.radius_m * sqrt(d.u_r) * sin(2 * pi() * d.u_t)) / (111320.0 * cos(radians(o.lat))) as lng,
             $3::bigint - (d.u_age * 365 * ${DAY_MS})::bigint as created_at
      from d join bench_orgs o on o.idx = d.org_idx
             join bench_cats c on c.org_id = o.org_id and c.idx = least(floor(d.u_cat * $5)::int, $5 - 1)
    ), s as (
      select p.*,
             case when (p.u_age < 21.0 / 365 and p.u_open < 0.6) or p.u_open < 0.05 then
                  case when p.u_kind < 0.4 then 'received' when p.u_kind < 0.75 then 'in_progress' when p.u_kind < 0.9 then 'scheduled' else 'reopened' end
             else case when p.u_kind < 0.85 then 'resolved' when p.u_kind < 0.92 then 'rejected' when p.u_kind < 0.97 then 'duplicate' else 'transferred' end
             end as state,
             least($3::bigint, p.created_at + (p.u_close * p.deadline_days * 2 * ${DAY_MS})::bigint) as closed_at,
             case when p.created_at >= $4::bigint then $6::int else $6::int - 1 end as jy
      from p
    ), r as (
      select s.*, row_number() over (partition by s.org_id, s.jy order by s.created_at, s.g) as n,
             s.state in ('resolved', 'rejected', 'duplicate', 'transferred') as closed
      from s
    )
    select gen_random_uuid()::text, r.org_id, r.category_id,
           r.org_code || '-137-' || r.jy || '-' || lpad(r.n::text, 6, '0'),
           case when r.u_cit < 0.9 then md5('bench-citizen-' || (1 + floor(r.u_cit / 0.9 * $7)::int))::uuid::text end,
           ($8::text[])[1 + (r.g % ${descriptions.length})] || ' (' || r.g || ')',
           r.lat, r.lng, null, r.state, null,
           r.created_at + (r.deadline_days * 1.4 * ${DAY_MS})::bigint, r.created_at,
           case when r.closed then r.closed_at when r.state = 'received' then r.created_at else least($3::bigint, r.created_at + ${DAY_MS}) end,
           case when r.state = 'resolved' then r.closed_at end, 0,
           case when r.state <> 'received' then r.department_fa end, null,
           case when r.state = 'reopened' then 1 else 0 end,
           case when r.state = 'resolved' and r.u_rate < 0.3 then 1 + floor(r.u_rate / 0.3 * 5)::int end, null,
           case when r.state = 'resolved' and r.u_rate < 0.3 then r.closed_at + ${DAY_MS} end,
           null, 'web', null, null, null, null
    from r`, [n, thresholds, now, yearStart, catsPerOrg, year, citizens, descriptions]);
  const tReports = lap();
  log(`  ${n.toLocaleString('en')} reports in ${tReports.toFixed(1)} s`);

  // One update per report: the filing for a report still 'received', else its last change of state.
  await c.query(`
    insert into report_updates (id, report_id, org_id, state, kind, comment, internal, actor_kind, actor_id, created_at)
    select gen_random_uuid()::text, id, org_id, state, 'state',
           case when state <> 'received' then 'بررسی و اقدام شد' end, 0,
           case when state <> 'received' then 'staff' when citizen_id is null then 'anonymous' else 'citizen' end,
           case when state = 'received' then citizen_id end, updated_at
    from reports`);
  const tUpdates = lap();
  log(`  ${n.toLocaleString('en')} report updates in ${tUpdates.toFixed(1)} s`);

  // New reports take nextCounter(org, 'report:<year>') + 1: start them after the preloaded ones.
  await c.query(`
    insert into counters (org_id, name, value)
    select org_id, 'report:' || split_part(tracking_code, '-', 3), max(split_part(tracking_code, '-', 4)::int)
    from reports group by org_id, split_part(tracking_code, '-', 3)
    on conflict (org_id, name) do update set value = greatest(counters.value, excluded.value)`);
  const tCounters = lap();
  const { rows: counters } = await c.query<{ org: string; name: string; value: number }>(`
    select o.code as org, k.name, k.value::int as value from counters k join orgs o on o.id = k.org_id
    where k.name like 'report:%' order by k.value desc`);

  // Leave the tables as a running system has them: visibility map set, statistics fresh, so no
  // autovacuum of a million new rows starts in the middle of the measurement.
  for (const table of ['reports', 'report_updates', 'citizens', 'counters']) await c.query(`vacuum (analyze) ${table}`);
  const tVacuum = lap();
  log(`  vacuum (analyze) in ${tVacuum.toFixed(1)} s`);
  await c.query(`drop table bench_orgs; drop table bench_cats`);
  return {
    reports: n, citizens,
    seconds: { citizens: tCitizens, reports: tReports, updates: tUpdates, counters: tCounters, vacuumAnalyze: tVacuum, total: (Date.now() - t0) / 1000 },
    counters,
  };
}
