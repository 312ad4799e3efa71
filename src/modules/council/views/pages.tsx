import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout } from '../../../platform/views/components.js';
import { formatDate, formatNumber, formatRials } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import type { ResolutionView } from '../service.js';

// The council's pages: the public resolutions, the public indicators and ranking, and the staff
// page where the council records meetings and organizations report progress and values.

type Localized = { fa: string; en: string };
const loc = (ctx: ViewContext, l: Localized) => (ctx.locale === 'en' && l.en ? l.en : l.fa);
const digits = (ctx: ViewContext, s: string) => (ctx.locale === 'fa' ? toPersianDigits(s) : s);
const num = (ctx: ViewContext, n: number) => formatNumber(n, ctx.locale);
/** A deadline is stored as the start of the day after its last day; show that last day. */
const deadlineDay = (ctx: ViewContext, ms: number | null) => (ms == null ? ctx.t('council.no_deadline') : formatDate(ms - 1, ctx.locale));

export interface MeetingView { number: number; held_at: number; title: Localized; orgs_present: string[]; summary: Localized }

function StateBadge(props: { ctx: ViewContext; r: ResolutionView }) {
  const { ctx, r } = props;
  const cls = r.state === 'done' ? 'text-bg-success' : r.state === 'cancelled' ? 'text-bg-secondary' : 'text-bg-primary';
  return (
    <span>
      <span class={`badge ${cls}`}>{ctx.t(`council.state.${r.state}`)}</span>
      {r.overdue ? <> <span class="badge text-bg-danger">{ctx.t('council.overdue')}</span></> : null}
      {r.internal ? <> <span class="badge text-bg-warning">{ctx.t('council.internal')}</span></> : null}
    </span>
  );
}

function ResolutionsTable(props: { ctx: ViewContext; rows: ResolutionView[]; actions?: (r: ResolutionView) => ComponentChildren }) {
  const { ctx } = props;
  return (
    <div class="table-responsive">
      <table class="table align-middle">
        <thead><tr>
          <th scope="col">{ctx.t('council.col.number')}</th><th scope="col">{ctx.t('council.col.text')}</th><th scope="col">{ctx.t('council.col.org')}</th>
          <th scope="col">{ctx.t('council.col.deadline')}</th><th scope="col">{ctx.t('council.col.output')}</th><th scope="col">{ctx.t('council.col.state')}</th>
          <th scope="col">{ctx.t('council.col.progress')}</th>
        </tr></thead>
        <tbody>
          {props.rows.map((r) => (
            <tr id={`resolution-${r.meeting}-${r.number}`}>
              <td>{num(ctx, r.number)}</td>
              <td>
                {loc(ctx, r.text)}
                {r.updates.length ? (
                  <details class="mt-1"><summary class="small">{ctx.t('council.updates')}</summary>
                    <ul class="small mb-0">{r.updates.map((u) => <li>{formatDate(u.created_at, ctx.locale)} — {digits(ctx, `${u.progress}%`)}: {u.note}</li>)}</ul>
                  </details>
                ) : null}
                {props.actions ? props.actions(r) : null}
              </td>
              <td>{loc(ctx, r.responsible_org.name)}</td>
              <td>{deadlineDay(ctx, r.deadline)}</td>
              <td>{loc(ctx, r.expected_output)}</td>
              <td><StateBadge ctx={ctx} r={r} /></td>
              <td>
                <div class="progress" role="progressbar" aria-label={ctx.t('council.col.progress')} aria-valuenow={r.progress} aria-valuemin={0} aria-valuemax={100} style="min-width:5rem">
                  <div class="progress-bar" style={`width:${r.progress}%`}>{digits(ctx, `${r.progress}%`)}</div>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Meetings(props: { ctx: ViewContext; meetings: MeetingView[]; resolutions: ResolutionView[]; orgNames: Map<string, string>; actions?: (r: ResolutionView) => ComponentChildren; meetingActions?: (m: MeetingView) => ComponentChildren }) {
  const { ctx } = props;
  if (props.meetings.length === 0) return <p>{ctx.t('council.no_meetings')}</p>;
  return (
    <>
      {props.meetings.map((m) => {
        const rows = props.resolutions.filter((r) => r.meeting === m.number);
        return (
          <section class="mb-5" aria-labelledby={`meeting-${m.number}`}>
            <h2 class="h4" id={`meeting-${m.number}`}>{ctx.t('council.meeting_heading', { n: m.number, date: formatDate(m.held_at, ctx.locale, 'long') })}: {loc(ctx, m.title)}</h2>
            {m.orgs_present.length ? <p class="text-body-secondary small">{ctx.t('council.orgs_present', { list: m.orgs_present.map((c) => props.orgNames.get(c) ?? c).join(ctx.locale === 'fa' ? '، ' : ', ') })}</p> : null}
            {loc(ctx, m.summary) ? <p>{loc(ctx, m.summary)}</p> : null}
            {props.meetingActions ? props.meetingActions(m) : null}
            {rows.length ? <ResolutionsTable ctx={ctx} rows={rows} actions={props.actions} /> : <p>{ctx.t('council.no_resolutions')}</p>}
          </section>
        );
      })}
    </>
  );
}

export function CouncilPublicPage(props: { ctx: ViewContext; meetings: MeetingView[]; resolutions: ResolutionView[]; orgNames: Map<string, string> }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('council.public_title')} description={ctx.t('council.public_lead')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('council.public_title')}</h1>
        <p class="lead">{ctx.t('council.public_lead')}</p>
        <p><a href="/council/indicators">{ctx.t('council.indicators_link')}</a></p>
        <Meetings ctx={ctx} meetings={props.meetings} resolutions={props.resolutions} orgNames={props.orgNames} />
      </div>
    </Layout>
  );
}

type Cell = { value: number | null; source: string | null; target: number | null };
export interface IndicatorDef { code: string; title_fa: string; title_en: string; unit: string; kind: 'computed' | 'entered'; description_fa: string; description_en: string; weight: number }
export interface RankingView {
  period: string;
  method: { min_coverage: number };
  rows: { org: string; name: Localized; rank: number; score: number; coverage: number; values: Record<string, Cell> }[];
}

export function formatValue(ctx: ViewContext, unit: string, v: number | null): string {
  if (v == null) return '—';
  if (unit === 'share') return digits(ctx, `${Math.round(v * 1000) / 10}%`);
  if (unit === 'percent') return digits(ctx, `${Math.round(v * 10) / 10}%`);
  if (unit === 'rials') return formatRials(Math.round(v), ctx.locale);
  if (unit === 'score') return num(ctx, Math.round(v * 100) / 100);
  return num(ctx, v);
}

export function IndicatorsPage(props: { ctx: ViewContext; period: string; indicators: IndicatorDef[]; ranking: RankingView; province: { values: Record<string, Cell>; maturity_levels: number[] } | null; error?: string }) {
  const { ctx, indicators } = props;
  const title = (i: IndicatorDef) => loc(ctx, { fa: i.title_fa, en: i.title_en });
  return (
    <Layout ctx={ctx} title={ctx.t('council.indicators_title')} description={ctx.t('council.indicators_lead')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('council.indicators_title')}</h1>
        <p class="lead">{ctx.t('council.indicators_lead')}</p>
        <form method="get" action="/council/indicators" class="row g-2 align-items-end mb-4">
          <div class="col-auto">
            <label class="form-label" for="period">{ctx.t('council.period')}</label>
            <input id="period" name="period" class="form-control pk-ltr" value={digits(ctx, props.period)} aria-describedby="period-hint" />
            <div id="period-hint" class="form-text">{ctx.t('council.period_hint')}</div>
          </div>
          <div class="col-auto"><button class="btn btn-primary" type="submit">{ctx.t('council.show')}</button></div>
        </form>
        {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
        {props.province ? (
          <section class="mb-4" aria-labelledby="province-title">
            <h2 class="h5" id="province-title">{ctx.t('council.province')}</h2>
            <ul>
              {indicators.map((i) => {
                const c = props.province!.values[i.code];
                return (
                  <li>
                    {title(i)}: <strong>{formatValue(ctx, i.unit, c?.value ?? null)}</strong>
                    {c?.target != null ? <> ({ctx.t('council.target', { v: formatValue(ctx, i.unit, c.target) })})</> : null}
                    {i.code === 'services_online' ? <> — {ctx.t('council.levels', { list: props.province!.maturity_levels.map((n) => num(ctx, n)).join('، ') })}</> : null}
                  </li>
                );
              })}
            </ul>
          </section>
        ) : null}
        <section class="mb-4" aria-labelledby="ranking-title">
          <h2 class="h5" id="ranking-title">{ctx.t('council.ranking_title')}</h2>
          <div class="table-responsive">
            <table class="table table-sm align-middle">
              <thead><tr>
                <th scope="col">{ctx.t('council.col.rank')}</th><th scope="col">{ctx.t('council.col.municipality')}</th><th scope="col">{ctx.t('council.col.score')}</th>
                {indicators.map((i) => <th scope="col">{title(i)}</th>)}
                <th scope="col">{ctx.t('council.col.coverage')}</th>
              </tr></thead>
              <tbody>
                {props.ranking.rows.map((r) => (
                  <tr>
                    <td>{r.rank > 0 ? num(ctx, r.rank) : ctx.t('council.unranked')}</td>
                    <th scope="row">{loc(ctx, r.name)}</th>
                    <td>{num(ctx, r.score)}</td>
                    {indicators.map((i) => {
                      const c = r.values[i.code];
                      return (
                        <td title={c?.source && i.kind === 'entered' ? ctx.t('council.source', { s: c.source }) : undefined}>
                          {formatValue(ctx, i.unit, c?.value ?? null)}
                          {c?.target != null ? <div class="small text-body-secondary">{ctx.t('council.target', { v: formatValue(ctx, i.unit, c.target) })}</div> : null}
                        </td>
                      );
                    })}
                    <td>{digits(ctx, `${Math.round(r.coverage * 100)}%`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section class="mb-4" aria-labelledby="method-title">
          <h2 class="h5" id="method-title">{ctx.t('council.method_title')}</h2>
          <p>{ctx.t('council.method_text', { min: digits(ctx, `${Math.round(props.ranking.method.min_coverage * 100)}%`) })}</p>
          <table class="table table-sm">
            <thead><tr><th scope="col">{ctx.t('council.col.indicator')}</th><th scope="col">{ctx.t('council.col.kind')}</th><th scope="col">{ctx.t('council.col.weight')}</th><th scope="col">{ctx.t('council.col.definition')}</th></tr></thead>
            <tbody>
              {indicators.map((i) => (
                <tr><th scope="row">{title(i)}</th><td>{ctx.t(`council.kind.${i.kind}`)}</td><td>{num(ctx, i.weight)}</td><td class="small">{loc(ctx, { fa: i.description_fa, en: i.description_en })}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </Layout>
  );
}

export interface StaffPageProps {
  ctx: ViewContext;
  council: boolean;
  meetings: MeetingView[];
  resolutions: ResolutionView[];
  /** Codes of organizations whose progress the actor reports (every one for the council). */
  reportsFor: Set<string> | 'all';
  orgs: { code: string; kind: string; name: Localized }[];
  enteredIndicators: IndicatorDef[];
  notices: { id: string; meeting: number; number: number; deadline: number }[];
  flash?: string;
  failure?: { message: string; errors: Record<string, string>; values?: Record<string, string> };
}

export function CouncilStaffPage(props: StaffPageProps) {
  const { ctx } = props;
  const orgNames = new Map(props.orgs.map((o) => [o.code, loc(ctx, o.name)]));
  const mayReport = (r: ResolutionView) => props.reportsFor === 'all' || props.reportsFor.has(r.responsible_org.code);
  const valueOrgs = props.orgs.filter((o) => props.reportsFor === 'all' || props.reportsFor.has(o.code));
  const actions = (r: ResolutionView) => (
    <>
      {r.state === 'open' && mayReport(r) ? (
        <form method="post" action={`/staff/council/resolutions/${r.id}/progress`} class="row g-1 mt-2">
          <CsrfInput ctx={ctx} />
          <div class="col-3"><label class="visually-hidden" for={`p-${r.id}`}>{ctx.t('council.form.percent')}</label><input id={`p-${r.id}`} name="progress" type="number" min="0" max="100" class="form-control form-control-sm" value={String(r.progress)} /></div>
          <div class="col-6"><label class="visually-hidden" for={`n-${r.id}`}>{ctx.t('council.form.note')}</label><input id={`n-${r.id}`} name="note" class="form-control form-control-sm" placeholder={ctx.t('council.form.note')} required /></div>
          <div class="col-3"><button class="btn btn-outline-primary btn-sm" type="submit">{ctx.t('council.form.progress')}</button></div>
        </form>
      ) : null}
      {props.council ? (
        <form method="post" action={`/staff/council/resolutions/${r.id}/state`} class="d-flex gap-1 mt-1 flex-wrap">
          <CsrfInput ctx={ctx} />
          <label class="visually-hidden" for={`s-${r.id}`}>{ctx.t('council.form.state')}</label>
          <select id={`s-${r.id}`} name="state" class="form-select form-select-sm w-auto">
            {(['open', 'done', 'cancelled'] as const).map((s) => <option value={s} selected={r.state === s}>{ctx.t(`council.state.${s}`)}</option>)}
          </select>
          <button class="btn btn-outline-secondary btn-sm" type="submit">{ctx.t('council.form.state')}</button>
          <a class="btn btn-outline-primary btn-sm" href={`/staff/council/resolutions/${r.id}/edit`} aria-label={ctx.t('council.edit_resolution', { number: r.number, meeting: r.meeting })}>{ctx.t('council.edit')}</a>
        </form>
      ) : null}
    </>
  );
  const err = (f: string) => props.failure?.errors[f] ? <div class="invalid-feedback d-block">{props.failure.errors[f]}</div> : null;
  /** What was typed into a form that was refused. */
  const typed = (f: string) => props.failure?.values?.[f];
  return (
    <Layout ctx={ctx} title={ctx.t('council.staff_title')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('council.staff_title')}</h1>
        {props.flash ? <Alert kind="success">{props.flash}</Alert> : null}
        {props.failure ? <Alert kind="danger">{props.failure.message}</Alert> : null}
        {props.notices.length ? (
          <section class="mb-4" aria-labelledby="notices-title">
            <h2 class="h5" id="notices-title">{ctx.t('council.notices_title')}</h2>
            <ul class="list-group">
              {props.notices.map((n) => (
                <li class="list-group-item d-flex justify-content-between align-items-center gap-2">
                  <a href={`#resolution-${n.meeting}-${n.number}`}>{ctx.t('council.notice_line', { number: n.number, meeting: n.meeting, deadline: deadlineDay(ctx, n.deadline) })}</a>
                  <form method="post" action={`/staff/council/notices/${n.id}/read`}><CsrfInput ctx={ctx} /><button class="btn btn-outline-secondary btn-sm" type="submit">{ctx.t('council.notice_read')}</button></form>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {props.council ? <p><a class="btn btn-outline-primary" href="/staff/council/targets">{ctx.t('council.targets_link')}</a></p> : null}
        <Meetings
          ctx={ctx} meetings={props.meetings} resolutions={props.resolutions} orgNames={orgNames} actions={actions}
          meetingActions={props.council ? (m) => <p><a class="btn btn-outline-secondary btn-sm" href={`/staff/council/meetings/${m.number}/edit`}>{ctx.t('council.edit_meeting', { n: m.number })}</a></p> : undefined}
        />
        {valueOrgs.length && props.enteredIndicators.length ? (
          <section class="mb-4 card card-body" aria-labelledby="value-title">
            <h2 class="h5" id="value-title">{ctx.t('council.form.value')}</h2>
            <form method="post" action="/staff/council/values" class="row g-2">
              <CsrfInput ctx={ctx} />
              <div class="col-md-3"><label class="form-label" for="v-indicator">{ctx.t('council.form.indicator')}</label>
                <select id="v-indicator" name="indicator" class="form-select">{props.enteredIndicators.map((i) => <option value={i.code} selected={typed('indicator') === i.code}>{loc(ctx, { fa: i.title_fa, en: i.title_en })}</option>)}</select></div>
              <div class="col-md-3"><label class="form-label" for="v-org">{ctx.t('council.form.org')}</label>
                <select id="v-org" name="org" class="form-select">{valueOrgs.map((o) => <option value={o.code} selected={typed('org') === o.code}>{loc(ctx, o.name)}</option>)}</select></div>
              <div class="col-md-2"><label class="form-label" for="v-period">{ctx.t('council.period')}</label><input id="v-period" name="period" class="form-control pk-ltr" value={typed('period') ?? ''} required />{err('period')}</div>
              <div class="col-md-2"><label class="form-label" for="v-value">{ctx.t('council.form.amount')}</label><input id="v-value" name="value" class="form-control pk-ltr" inputMode="decimal" value={typed('value') ?? ''} required aria-describedby="v-value-hint" /><div id="v-value-hint" class="form-text">{ctx.t('council.value_hint')}</div>{err('value')}</div>
              <div class="col-md-2"><label class="form-label" for="v-source">{ctx.t('council.form.source')}</label><input id="v-source" name="source" class="form-control" value={typed('source') ?? ''} required />{err('source')}</div>
              <div class="col-12"><button class="btn btn-primary" type="submit">{ctx.t('common.save')}</button></div>
            </form>
          </section>
        ) : null}
        {props.council ? (
          <section class="mb-4 card card-body" aria-labelledby="meeting-form-title">
            <h2 class="h5" id="meeting-form-title">{ctx.t('council.form.meeting')}</h2>
            <form method="post" action="/staff/council/meetings">
              <CsrfInput ctx={ctx} />
              <div class="row g-2">
                <div class="col-md-3"><label class="form-label" for="m-held">{ctx.t('council.form.held_on')}</label><input id="m-held" name="held_on" class="form-control pk-ltr" placeholder="1404/12/01" value={typed('held_on') ?? ''} required />{err('held_on')}</div>
                <div class="col-md-5"><label class="form-label" for="m-title">{ctx.t('council.form.title')}</label><input id="m-title" name="title_fa" class="form-control" value={typed('title_fa') ?? ''} required />{err('title_fa')}</div>
                <div class="col-md-4"><label class="form-label" for="m-title-en">{ctx.t('council.form.title_en')}</label><input id="m-title-en" name="title_en" class="form-control" dir="ltr" value={typed('title_en') ?? ''} /></div>
                <div class="col-12"><label class="form-label" for="m-orgs">{ctx.t('council.form.orgs_present')}</label>
                  <select id="m-orgs" name="orgs_present" class="form-select" multiple size={6}>{props.orgs.map((o) => <option value={o.code}>{loc(ctx, o.name)}</option>)}</select></div>
                <div class="col-12"><label class="form-label" for="m-summary">{ctx.t('council.form.summary')}</label><textarea id="m-summary" name="summary_fa" class="form-control" rows={2} value={typed('summary_fa') ?? ''} /></div>
              </div>
              {[1, 2, 3].map((n) => (
                <fieldset class="border rounded p-2 mt-3">
                  <legend class="h6">{ctx.t('council.form.resolution', { n })}</legend>
                  <div class="row g-2">
                    <div class="col-md-6"><label class="form-label" for={`r${n}-text`}>{ctx.t('council.form.text')}</label><textarea id={`r${n}-text`} name={`r${n}_text_fa`} class="form-control" rows={2} value={typed(`r${n}_text_fa`) ?? ''} />{err(`r${n}_text_fa`)}</div>
                    <div class="col-md-6"><label class="form-label" for={`r${n}-output`}>{ctx.t('council.form.output')}</label><input id={`r${n}-output`} name={`r${n}_expected_output_fa`} class="form-control" value={typed(`r${n}_expected_output_fa`) ?? ''} />{err(`r${n}_expected_output_fa`)}</div>
                    <div class="col-md-5"><label class="form-label" for={`r${n}-org`}>{ctx.t('council.col.org')}</label>
                      <select id={`r${n}-org`} name={`r${n}_responsible_org`} class="form-select">{props.orgs.map((o) => <option value={o.code} selected={typed(`r${n}_responsible_org`) === o.code}>{loc(ctx, o.name)}</option>)}</select></div>
                    <div class="col-md-3"><label class="form-label" for={`r${n}-deadline`}>{ctx.t('council.form.deadline')}</label><input id={`r${n}-deadline`} name={`r${n}_deadline`} class="form-control pk-ltr" placeholder="1405/03/31" value={typed(`r${n}_deadline`) ?? ''} />{err(`r${n}_deadline`)}</div>
                    <div class="col-md-4 form-check mt-4 ps-5"><input id={`r${n}-internal`} name={`r${n}_internal`} type="checkbox" class="form-check-input" checked={typed(`r${n}_internal`) === 'on'} /><label class="form-check-label" for={`r${n}-internal`}>{ctx.t('council.form.internal')}</label></div>
                  </div>
                </fieldset>
              ))}
              <button class="btn btn-primary mt-3" type="submit">{ctx.t('common.save')}</button>
            </form>
          </section>
        ) : null}
      </div>
    </Layout>
  );
}
