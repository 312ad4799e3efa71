import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { Layout } from '../../../platform/views/components.js';
import type { Locale } from '../../../platform/i18n/format.js';
import { KPI_DEFINITIONS, type KpiDefinition } from '../definitions.js';
import type { KpiSet } from '../kpi-types.js';
import { formatPeriod, periodLabel, type Period } from '../periods.js';
import { barChart, formatValue, trendChart, type TrendSeries, type ValueUnit } from '../charts.js';

// The public transparency dashboards: the province, one municipality, one service of a
// municipality. Everything works without JavaScript: the scope and period form is a GET form,
// the charts are server-drawn SVG, each chart has a table of the same numbers beside it.

export interface Named { code: string; name: { fa: string; en: string } }
export interface PeriodOption { value: string; label: string; kind: Period['kind'] }

export interface DashboardData {
  level: 'province' | 'org' | 'service';
  org?: Named;
  service?: Named;
  period: Period;
  periodOptions: PeriodOption[];
  orgs: Named[];
  /** The services offered in the org (for the service switch); only on org and service pages. */
  services?: Named[];
  kpis: KpiSet;
  trend: { period: Period; kpis: KpiSet }[];
  league?: { org: { code: string; name: { fa: string; en: string } }; kpis: KpiSet; rank: number; score: number }[];
  breakdown?: { service: { code: string; title: { fa: string; en: string } }; kpis: KpiSet }[];
  csvHref: string;
}

const DEFINITIONS = new Map(KPI_DEFINITIONS.map((d) => [d.key, d]));
const definitionOf = (key: string): KpiDefinition | undefined => DEFINITIONS.get(key);

/** A headline figure: its KpiSet path (which is also its definition's key) and how to read it. */
interface Figure { key: string; unit: ValueUnit; value: (k: KpiSet) => number | null }

const fig = (key: string, value: (k: KpiSet) => number | null, unit?: ValueUnit): Figure => ({ key, value, unit: unit ?? definitionOf(key)?.unit ?? 'count' });

export const FIGURE_SECTIONS: { id: string; title: string; figures: Figure[] }[] = [
  {
    id: 'applications', title: 'tdash.section.applications', figures: [
      fig('applications.received', (k) => k.applications.received),
      fig('applications.completed', (k) => k.applications.completed),
      fig('applications.started', (k) => k.applications.started),
      fig('applications.completion_rate', (k) => k.applications.completion_rate),
      fig('applications.median_days', (k) => k.applications.median_days),
      fig('applications.p90_days', (k) => k.applications.p90_days),
      fig('applications.within_deadline', (k) => k.applications.within_deadline),
      fig('applications.digital_share', (k) => k.applications.digital_share),
      fig('applications.online', (k) => k.applications.online),
      fig('applications.counter', (k) => k.applications.counter),
    ],
  },
  {
    id: 'satisfaction', title: 'tdash.section.satisfaction', figures: [
      fig('applications.satisfaction', (k) => k.applications.satisfaction.mean, 'score'),
    ],
  },
  {
    id: 'savings', title: 'tdash.section.savings', figures: [
      fig('applications.cost_per_transaction', (k) => k.applications.cost_per_transaction),
      fig('applications.visits_saved', (k) => k.applications.visits_saved),
      fig('applications.days_saved', (k) => k.applications.days_saved),
      fig('applications.citizen_cost_saved', (k) => k.applications.citizen_cost_saved),
    ],
  },
  {
    id: 'reports', title: 'tdash.section.reports', figures: [
      fig('reports.received', (k) => k.reports.received),
      fig('reports.resolved', (k) => k.reports.resolved),
      fig('reports.resolved_within_deadline', (k) => k.reports.resolved_within_deadline),
      fig('reports.reopened', (k) => k.reports.reopened),
      fig('reports.median_days', (k) => k.reports.median_days),
    ],
  },
];

const nameOf = (n: { fa: string; en: string }, locale: Locale) => (locale === 'en' && n.en ? n.en : n.fa);
const titleOf = (key: string, ctx: ViewContext) => { const d = definitionOf(key); return d ? d.title[ctx.locale] : key; };
/** A figure as a machine reads it (data-value): the number, or 'null' when unknown. */
const raw = (v: number | null | undefined) => (v === null || v === undefined ? 'null' : String(v));
const fmt = (ctx: ViewContext, v: number | null | undefined, unit: ValueUnit) => formatValue(v, unit, ctx.locale);

/** Where the same page is for another period, org or service. */
export function dashboardHref(org: string | undefined, service: string | undefined, period: Period): string {
  const path = org ? (service ? `/transparency/${org}/${service}` : `/transparency/${org}`) : '/transparency';
  return `${path}?period=${formatPeriod(period)}`;
}

function Definition(props: { ctx: ViewContext; def: KpiDefinition | undefined }) {
  const { ctx, def } = props;
  if (!def) return null;
  return (
    <details class="small mt-2">
      <summary>{ctx.t('tdash.definition')}</summary>
      <p class="mb-1 mt-1">{def.definition[ctx.locale]}</p>
      <p class="text-secondary mb-0"><bdi>{ctx.t('tdash.source', { source: def.source })}</bdi></p>
    </details>
  );
}

function FigureCard(props: { ctx: ViewContext; figure: Figure; kpis: KpiSet }) {
  const { ctx, figure, kpis } = props;
  const def = definitionOf(figure.key);
  const value = figure.value(kpis);
  let note: string | null = null;
  if (figure.key === 'applications.digital_share') note = ctx.t('tdash.online_counter', { online: kpis.applications.online, counter: kpis.applications.counter });
  if (figure.key === 'applications.satisfaction') note = `${ctx.t('tdash.mean_rating')} · ${ctx.t('tdash.respondents', { n: kpis.applications.satisfaction.respondents })}`;
  return (
    <div class="col-6 col-lg-4">
      <div class="pk-card p-3 h-100">
        <h4 class="h6 mb-1">{def ? def.title[ctx.locale] : figure.key}</h4>
        <p class="fs-4 fw-bold mb-0 text-break">{value === null ? <span class="text-secondary">{ctx.t('tdash.unknown')}</span> : fmt(ctx, value, figure.unit)}</p>
        {note ? <p class="small text-secondary mb-0">{note}</p> : null}
        <Definition ctx={ctx} def={def} />
      </div>
    </div>
  );
}

/** A chart (an <svg role="img">) and, under it, a table of the same numbers. */
/**
 * A chart drawn twice: wide for tablets and desktops, narrow for phones (shown by Bootstrap's
 * display classes, no script), so that its text stays readable at either size.
 */
function ChartSvg(props: { draw: (size: { width: number; height?: number }) => string; wide?: { width: number; height?: number }; narrow?: { width: number; height?: number } }) {
  return (
    <>
      <div class="d-none d-md-block" dangerouslySetInnerHTML={{ __html: props.draw(props.wide ?? { width: 640 }) }} />
      <div class="d-md-none" dangerouslySetInnerHTML={{ __html: props.draw(props.narrow ?? { width: 360 }) }} />
    </>
  );
}

function Chart(props: { ctx: ViewContext; id: string; title: string; draw: (size: { width: number; height?: number }) => string; wide?: { width: number; height?: number }; narrow?: { width: number; height?: number }; table: ComponentChildren; open?: boolean }) {
  return (
    <figure class="pk-card p-3 mb-3" aria-labelledby={`${props.id}-cap`}>
      <figcaption id={`${props.id}-cap`} class="h6">{props.title}</figcaption>
      <ChartSvg draw={props.draw} wide={props.wide} narrow={props.narrow} />
      <details class="mt-2" open={props.open}>
        <summary>{props.ctx.t('tdash.chart_table')}</summary>
        <div class="table-responsive mt-2">{props.table}</div>
      </details>
    </figure>
  );
}

function TrendSection(props: { ctx: ViewContext; trend: DashboardData['trend'] }) {
  const { ctx, trend } = props;
  if (trend.length === 0) return null;
  const labels = trend.map((t) => periodLabel(t.period, ctx.locale));
  const from = labels[0]!;
  const to = labels[labels.length - 1]!;
  const charts: { id: string; title: string; unit: ValueUnit; series: (TrendSeries & { key: string })[] }[] = [
    { id: 'volume', title: ctx.t('tdash.trend.volume'), unit: 'count', series: [
      { key: 'applications.received', name: titleOf('applications.received', ctx), kind: 'bar', values: trend.map((t) => t.kpis.applications.received) },
      { key: 'applications.completed', name: titleOf('applications.completed', ctx), kind: 'bar', values: trend.map((t) => t.kpis.applications.completed) },
    ] },
    { id: 'time', title: ctx.t('tdash.trend.time'), unit: 'days', series: [
      { key: 'applications.median_days', name: titleOf('applications.median_days', ctx), values: trend.map((t) => t.kpis.applications.median_days) },
      { key: 'applications.p90_days', name: titleOf('applications.p90_days', ctx), values: trend.map((t) => t.kpis.applications.p90_days) },
    ] },
    { id: 'shares', title: ctx.t('tdash.trend.shares'), unit: 'share', series: [
      { key: 'applications.within_deadline', name: titleOf('applications.within_deadline', ctx), values: trend.map((t) => t.kpis.applications.within_deadline) },
      { key: 'applications.digital_share', name: titleOf('applications.digital_share', ctx), values: trend.map((t) => t.kpis.applications.digital_share) },
    ] },
    { id: 'reports', title: ctx.t('tdash.trend.reports'), unit: 'count', series: [
      { key: 'reports.received', name: titleOf('reports.received', ctx), kind: 'bar', values: trend.map((t) => t.kpis.reports.received) },
      { key: 'reports.resolved', name: titleOf('reports.resolved', ctx), kind: 'bar', values: trend.map((t) => t.kpis.reports.resolved) },
    ] },
  ];
  return (
    <section aria-labelledby="pk-trends" class="mt-4">
      <h2 id="pk-trends" class="h4 mb-3">{ctx.t('tdash.trends', { n: trend.length })}</h2>
      <div class="row g-3">
        {charts.map((c) => (
          <div class="col-12 col-xl-6" key={c.id}>
            <Chart
              ctx={ctx}
              id={`pk-trend-${c.id}`}
              title={c.title}
              draw={(size) => trendChart({ locale: ctx.locale, title: c.title, desc: ctx.t('tdash.trend_desc', { title: c.title, from, to }), periods: labels, series: c.series, unit: c.unit, ...size })}
              narrow={{ width: 360, height: 300 }}
              table={
                <table class="table table-sm table-striped mb-0" data-trend={c.id}>
                  <caption class="visually-hidden">{c.title}</caption>
                  <thead><tr><th scope="col">{ctx.t('tdash.period_col')}</th>{c.series.map((s) => <th scope="col" key={s.key}>{s.name}</th>)}</tr></thead>
                  <tbody>
                    {trend.map((t, i) => (
                      <tr key={formatPeriod(t.period)} data-period={formatPeriod(t.period)}>
                        <th scope="row">{labels[i]}</th>
                        {c.series.map((s) => <td key={s.key} data-kpi={s.key} data-value={raw(s.values[i])}>{fmt(ctx, s.values[i], c.unit)}</td>)}
                      </tr>
                    ))}
                  </tbody>
                </table>
              }
            />
          </div>
        ))}
      </div>
    </section>
  );
}

function SatisfactionChart(props: { ctx: ViewContext; kpis: KpiSet; period: Period }) {
  const { ctx, kpis } = props;
  const dist = kpis.applications.satisfaction.distribution;
  const labels = [1, 2, 3, 4, 5].map((n) => ctx.t('tdash.rating', { n }));
  const title = ctx.t('tdash.distribution_title', { period: periodLabel(props.period, ctx.locale) });
  const values = labels.map((l, i) => `${l}: ${formatValue(dist[i] ?? 0, 'count', ctx.locale)}`).join(ctx.locale === 'fa' ? '، ' : ', ');
  return (
    <Chart
      ctx={ctx}
      id="pk-satisfaction"
      title={title}
      open
      draw={(size) => barChart({ locale: ctx.locale, title, desc: ctx.t('tdash.distribution_desc', { values }), labels, values: [...dist], unit: 'count', color: '#0b7a53', ...size })}
      wide={{ width: 640, height: 240 }}
      narrow={{ width: 360, height: 240 }}
      table={
        <table class="table table-sm mb-0" id="pk-satisfaction-table">
          <caption class="visually-hidden">{title}</caption>
          <thead><tr><th scope="col">{ctx.t('tdash.rating_col')}</th><th scope="col">{ctx.t('tdash.respondents_col')}</th></tr></thead>
          <tbody>
            {dist.map((n, i) => <tr key={i} data-rating={i + 1}><th scope="row">{fmt(ctx, i + 1, 'count')}</th><td data-value={n}>{fmt(ctx, n, 'count')}</td></tr>)}
          </tbody>
        </table>
      }
    />
  );
}

function LeagueSection(props: { ctx: ViewContext; data: DashboardData }) {
  const { ctx, data } = props;
  const league = data.league ?? [];
  const period = periodLabel(data.period, ctx.locale);
  const method = definitionOf('league.score');
  const chartTitle = ctx.t('tdash.league_chart', { period });
  // The chart shows the municipalities with any figure; the table lists every one.
  const charted = league.filter((r) => r.score > 0 || r.kpis.applications.received > 0 || r.kpis.reports.received > 0);
  const values = charted.map((r) => `${nameOf(r.org.name, ctx.locale)}: ${formatValue(r.score, 'score', ctx.locale)}`).join(ctx.locale === 'fa' ? '، ' : ', ');
  return (
    <section aria-labelledby="pk-league" class="mt-4">
      <h2 id="pk-league" class="h4 mb-3">{ctx.t('tdash.league', { period })}</h2>
      <p><a href="#league-method">{ctx.t('tdash.method')}</a></p>
      <div class="table-responsive pk-card mb-3">
        <table class="table table-sm align-middle mb-0" id="pk-league-table">
          <caption class="visually-hidden">{ctx.t('tdash.league', { period })}</caption>
          <thead>
            <tr>
              <th scope="col">{ctx.t('tdash.rank')}</th>
              <th scope="col">{ctx.t('tdash.field.org')}</th>
              <th scope="col">{ctx.t('tdash.score')}</th>
              <th scope="col">{titleOf('applications.within_deadline', ctx)}</th>
              <th scope="col">{titleOf('applications.digital_share', ctx)}</th>
              <th scope="col">{titleOf('applications.satisfaction', ctx)}</th>
              <th scope="col">{titleOf('reports.resolved_within_deadline', ctx)}</th>
            </tr>
          </thead>
          <tbody>
            {league.map((r) => (
              <tr key={r.org.code} data-org={r.org.code}>
                <td data-value={r.rank}>{fmt(ctx, r.rank, 'count')}</td>
                <th scope="row"><a href={dashboardHref(r.org.code, undefined, data.period)}>{nameOf(r.org.name, ctx.locale)}</a></th>
                <td data-kpi="league.score" data-value={r.score}>{fmt(ctx, r.score, 'score')}</td>
                <td data-kpi="applications.within_deadline" data-value={raw(r.kpis.applications.within_deadline)}>{fmt(ctx, r.kpis.applications.within_deadline, 'share')}</td>
                <td data-kpi="applications.digital_share" data-value={raw(r.kpis.applications.digital_share)}>{fmt(ctx, r.kpis.applications.digital_share, 'share')}</td>
                <td data-kpi="applications.satisfaction" data-value={raw(r.kpis.applications.satisfaction.mean)}>{fmt(ctx, r.kpis.applications.satisfaction.mean, 'score')}</td>
                <td data-kpi="reports.resolved_within_deadline" data-value={raw(r.kpis.reports.resolved_within_deadline)}>{fmt(ctx, r.kpis.reports.resolved_within_deadline, 'share')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {charted.length > 0 ? (
        <div class="row"><div class="col-12 col-lg-9">
        <figure class="pk-card p-3 mb-3" aria-labelledby="pk-league-chart-cap">
          <figcaption id="pk-league-chart-cap" class="h6">{chartTitle}</figcaption>
          <ChartSvg draw={(size) => barChart({ locale: ctx.locale, title: chartTitle, desc: ctx.t('tdash.league_desc', { values }), labels: charted.map((r) => nameOf(r.org.name, ctx.locale)), values: charted.map((r) => r.score), unit: 'score', horizontal: true, ...size })} />
          <p class="small text-secondary mb-0">{ctx.t('tdash.chart_table')}: <a href="#pk-league-table">{ctx.t('tdash.league', { period })}</a></p>
        </figure>
        </div></div>
      ) : null}
      {method ? (
        <div id="league-method" class="pk-card p-3">
          <h3 class="h6">{ctx.t('tdash.method')}</h3>
          <p class="mb-1">{method.definition[ctx.locale]}</p>
          <p class="small text-secondary mb-0"><bdi>{ctx.t('tdash.source', { source: method.source })}</bdi></p>
        </div>
      ) : null}
    </section>
  );
}

function BreakdownSection(props: { ctx: ViewContext; data: DashboardData }) {
  const { ctx, data } = props;
  const rows = data.breakdown ?? [];
  const period = periodLabel(data.period, ctx.locale);
  const cols: { key: string; unit: ValueUnit; value: (k: KpiSet) => number | null }[] = [
    { key: 'applications.received', unit: 'count', value: (k) => k.applications.received },
    { key: 'applications.completed', unit: 'count', value: (k) => k.applications.completed },
    { key: 'applications.median_days', unit: 'days', value: (k) => k.applications.median_days },
    { key: 'applications.within_deadline', unit: 'share', value: (k) => k.applications.within_deadline },
    { key: 'applications.digital_share', unit: 'share', value: (k) => k.applications.digital_share },
    { key: 'applications.satisfaction', unit: 'score', value: (k) => k.applications.satisfaction.mean },
  ];
  return (
    <section aria-labelledby="pk-services" class="mt-4">
      <h2 id="pk-services" class="h4 mb-3">{ctx.t('tdash.services', { period })}</h2>
      {rows.length === 0 ? <p class="text-secondary">{ctx.t('tdash.no_services')}</p> : (
        <div class="table-responsive pk-card">
          <table class="table table-sm align-middle mb-0" id="pk-services-table">
            <caption class="visually-hidden">{ctx.t('tdash.services', { period })}</caption>
            <thead><tr><th scope="col">{ctx.t('tdash.service_col')}</th>{cols.map((c) => <th scope="col" key={c.key}>{titleOf(c.key, ctx)}</th>)}</tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.service.code} data-service={r.service.code}>
                  <th scope="row"><a href={dashboardHref(data.org?.code, r.service.code, data.period)}>{nameOf(r.service.title, ctx.locale)}</a></th>
                  {cols.map((c) => <td key={c.key} data-kpi={c.key} data-value={raw(c.value(r.kpis))}>{fmt(ctx, c.value(r.kpis), c.unit)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The GET form that chooses the municipality (or the province), the service and the period. */
function ScopeForm(props: { ctx: ViewContext; data: DashboardData }) {
  const { ctx, data } = props;
  const current = formatPeriod(data.period);
  const groups: [Period['kind'], string][] = [['month', 'tdash.group.months'], ['season', 'tdash.group.seasons'], ['year', 'tdash.group.years']];
  return (
    <form method="get" action="/transparency" class="pk-card p-3 mb-4" aria-labelledby="pk-scope-title">
      <h2 id="pk-scope-title" class="h6 mb-3">{ctx.t('tdash.choose')}</h2>
      {data.org ? <input type="hidden" name="from_org" value={data.org.code} /> : null}
      <div class="row g-2 align-items-end">
        <div class="col-12 col-md-4">
          <label class="form-label" for="f-org">{ctx.t('tdash.field.org')}</label>
          <select id="f-org" name="org" class="form-select">
            <option value="" selected={!data.org}>{ctx.t('tdash.province')}</option>
            {data.orgs.map((o) => <option key={o.code} value={o.code} selected={data.org?.code === o.code}>{nameOf(o.name, ctx.locale)}</option>)}
          </select>
        </div>
        {data.services ? (
          <div class="col-12 col-md-3">
            <label class="form-label" for="f-service">{ctx.t('tdash.field.service')}</label>
            <select id="f-service" name="service" class="form-select">
              <option value="" selected={!data.service}>{ctx.t('tdash.all_services')}</option>
              {data.services.map((s) => <option key={s.code} value={s.code} selected={data.service?.code === s.code}>{nameOf(s.name, ctx.locale)}</option>)}
            </select>
          </div>
        ) : null}
        <div class="col-12 col-md-3">
          <label class="form-label" for="f-period">{ctx.t('tdash.field.period')}</label>
          <select id="f-period" name="period" class="form-select">
            {groups.map(([kind, label]) => (
              <optgroup key={kind} label={ctx.t(label)}>
                {data.periodOptions.filter((o) => o.kind === kind).map((o) => <option key={o.value} value={o.value} selected={o.value === current}>{o.label}</option>)}
              </optgroup>
            ))}
          </select>
        </div>
        <div class="col-12 col-md-2">
          <button type="submit" class="btn btn-primary w-100">{ctx.t('tdash.show')}</button>
        </div>
      </div>
    </form>
  );
}

function FiguresTable(props: { ctx: ViewContext; kpis: KpiSet; period: Period }) {
  const { ctx, kpis } = props;
  return (
    <details class="pk-card p-3 mt-3">
      <summary class="h6 d-inline">{ctx.t('tdash.all_figures')}</summary>
      <div class="table-responsive mt-2">
        <table class="table table-sm mb-0" id="pk-figures">
          <caption class="visually-hidden">{ctx.t('tdash.all_figures')}: {periodLabel(props.period, ctx.locale)}</caption>
          <thead><tr><th scope="col">{ctx.t('tdash.figure_col')}</th><th scope="col">{ctx.t('tdash.value_col')}</th></tr></thead>
          <tbody>
            {FIGURE_SECTIONS.flatMap((s) => s.figures).map((f) => {
              const v = f.value(kpis);
              return <tr key={f.key} data-kpi={f.key}><th scope="row">{titleOf(f.key, ctx)}</th><td data-value={raw(v)}>{fmt(ctx, v, f.unit)}</td></tr>;
            })}
            <tr data-kpi="applications.satisfaction.respondents"><th scope="row">{ctx.t('tdash.respondents_col')}</th><td data-value={kpis.applications.satisfaction.respondents}>{fmt(ctx, kpis.applications.satisfaction.respondents, 'count')}</td></tr>
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function DashboardPage(props: { ctx: ViewContext; data: DashboardData }) {
  const { ctx, data } = props;
  const period = periodLabel(data.period, ctx.locale);
  const orgName = data.org ? nameOf(data.org.name, ctx.locale) : '';
  const title = data.level === 'province' ? ctx.t('tdash.province_title')
    : data.level === 'org' ? ctx.t('tdash.org_title', { org: orgName })
    : ctx.t('tdash.service_title', { service: nameOf(data.service!.name, ctx.locale), org: orgName });
  return (
    <Layout ctx={ctx} title={`${title} · ${period}`} description={ctx.t('tdash.lead', { period })}>
      <div class="container py-4">
        <nav aria-label={ctx.t('tdash.breadcrumb')}>
          <ol class="breadcrumb">
            <li class={`breadcrumb-item${data.level === 'province' ? ' active' : ''}`} aria-current={data.level === 'province' ? 'page' : undefined}>
              {data.level === 'province' ? ctx.t('tdash.province') : <a href={dashboardHref(undefined, undefined, data.period)}>{ctx.t('tdash.province')}</a>}
            </li>
            {data.org ? (
              <li class={`breadcrumb-item${data.level === 'org' ? ' active' : ''}`} aria-current={data.level === 'org' ? 'page' : undefined}>
                {data.level === 'org' ? orgName : <a href={dashboardHref(data.org.code, undefined, data.period)}>{orgName}</a>}
              </li>
            ) : null}
            {data.service ? <li class="breadcrumb-item active" aria-current="page">{nameOf(data.service.name, ctx.locale)}</li> : null}
          </ol>
        </nav>
        <h1 class="h2">{title}</h1>
        <p class="lead">{ctx.t('tdash.lead', { period })}</p>

        <ScopeForm ctx={ctx} data={data} />

        <div class="d-flex flex-wrap gap-2 mb-3" role="group" aria-label={ctx.t('tdash.downloads')}>
          <a class="btn btn-outline-primary" href={data.csvHref} download>{ctx.t('tdash.csv')}</a>
          <a class="btn btn-outline-secondary" href="/open-data">{ctx.t('tdash.open_data')}</a>
        </div>

        <section aria-labelledby="pk-headline" class="mt-4">
          <h2 id="pk-headline" class="h4 mb-3">{ctx.t('tdash.headline')}: {period}</h2>
          {FIGURE_SECTIONS.map((s) => (
            <section key={s.id} aria-labelledby={`pk-sec-${s.id}`} class="mb-4">
              <h3 id={`pk-sec-${s.id}`} class="h5 mb-2">{ctx.t(s.title)}</h3>
              <div class="row g-3">
                {s.figures.map((f) => <FigureCard key={f.key} ctx={ctx} figure={f} kpis={data.kpis} />)}
                {s.id === 'satisfaction' ? <div class="col-12 col-lg-8"><SatisfactionChart ctx={ctx} kpis={data.kpis} period={data.period} /></div> : null}
              </div>
            </section>
          ))}
          <FiguresTable ctx={ctx} kpis={data.kpis} period={data.period} />
        </section>

        <TrendSection ctx={ctx} trend={data.trend} />
        {data.level === 'province' ? <LeagueSection ctx={ctx} data={data} /> : null}
        {data.level === 'org' ? <BreakdownSection ctx={ctx} data={data} /> : null}

        {data.level !== 'province' ? (
          <p class="mt-4 d-flex flex-wrap gap-3">
            <a href={dashboardHref(undefined, undefined, data.period)}>{ctx.t('tdash.back_province')}</a>
            {data.level === 'service' && data.org ? <a href={dashboardHref(data.org.code, undefined, data.period)}>{ctx.t('tdash.back_org', { org: orgName })}</a> : null}
          </p>
        ) : null}
      </div>
    </Layout>
  );
}
