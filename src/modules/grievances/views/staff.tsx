import type { ComponentChild } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout, SummaryCard } from '../../../platform/views/components.js';
import { formatDate, formatDateTime, formatNumber } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import type { ReportDetail, ReportState, ReportUpdateView, ReportView } from '../service.js';

// The staff pages of city problem reports (۱۳۷): the queue and one report's page. They follow
// the look of the casework inbox and case pages.

/** The queue's filters as the page understands them (what does not parse is dropped). */
export interface QueueFilters {
  org?: string;
  status?: 'open' | 'closed';
  state?: ReportState;
  category?: string;
  overdue?: boolean;
  assigned?: 'me' | 'none';
  q?: string;
}

export interface QueuePageProps {
  ctx: ViewContext;
  rows: ReportView[];
  filters: QueueFilters;
  /** Open reports past their deadline in the organizations shown. */
  overdueCount: number;
  /** Organizations the actor triages in: code and name. */
  orgChoices: { code: string; name: string }[];
  categories: { code: string; title: { fa: string; en: string } }[];
  states: ReportState[];
  orgNames: Map<string, string>;
  departmentName: DepartmentName;
  /** The report categories page, given only when the actor may manage categories (reports.categories). */
  categoriesHref?: string;
}

const loc = (ctx: ViewContext, l: { fa: string; en?: string | null } | null | undefined) => (!l ? '' : ctx.locale === 'en' && l.en ? l.en : l.fa);
const digits = (ctx: ViewContext, s: string) => (ctx.locale === 'fa' ? toPersianDigits(s) : s);
const dateOf = (ctx: ViewContext, ms: number | null) => (ms == null ? '—' : formatDate(ms, ctx.locale));
const dateTimeOf = (ctx: ViewContext, ms: number | null) => (ms == null ? '—' : formatDateTime(ms, ctx.locale));

const STATE_BADGE: Record<ReportState, string> = {
  received: 'text-bg-secondary',
  in_progress: 'text-bg-primary',
  scheduled: 'text-bg-info',
  reopened: 'text-bg-warning',
  resolved: 'text-bg-success',
  transferred: 'text-bg-dark',
  duplicate: 'text-bg-light border',
  rejected: 'text-bg-danger',
};

/** The state as a badge whose text names it. */
export function StateBadge(props: { ctx: ViewContext; state: ReportState }) {
  return <span class={`badge ${STATE_BADGE[props.state] ?? 'text-bg-light border'}`} data-state={props.state}>{props.ctx.t(`report.state.${props.state}`)}</span>;
}

/** Overdue and escalated flags; the text says it, the colour only repeats it. */
function Flags(props: { ctx: ViewContext; r: ReportView }) {
  const { ctx, r } = props;
  return (
    <>
      {r.overdue ? <span class="badge text-bg-danger ms-1" data-flag="overdue">{ctx.t('report_staff.overdue')}</span> : null}
      {r.escalated ? <span class="badge text-bg-dark ms-1" data-flag="escalated">{ctx.t('report_staff.escalated')}</span> : null}
    </>
  );
}

/** A short place: the address's first part, or the point. */
function placeOf(ctx: ViewContext, r: Pick<ReportView, 'address' | 'lat' | 'lng'>): ComponentChild {
  if (r.address) {
    const a = r.address.trim();
    return a.length > 40 ? `${a.slice(0, 39)}…` : a;
  }
  return <span dir="ltr">{digits(ctx, `${r.lat.toFixed(4)}, ${r.lng.toFixed(4)}`)}</span>;
}

/** A department's name in the page's language (reports store the Persian name). */
export type DepartmentName = (stored: string) => string;

function ageOf(ctx: ViewContext, createdAt: number): string {
  const hours = Math.max(0, Math.floor((ctx.now - createdAt) / 3_600_000));
  return hours < 48 ? ctx.t('report_staff.age_hours', { n: hours }) : ctx.t('report_staff.age_days', { n: Math.floor(hours / 24) });
}

function assigneeOf(ctx: ViewContext, r: ReportView, departmentName: DepartmentName): ComponentChild {
  if (!r.assigned_department && !r.assigned_to_name) return <span class="text-secondary">{ctx.t('report_staff.nobody')}</span>;
  return (
    <>
      {r.assigned_department ? <div>{departmentName(r.assigned_department)}</div> : null}
      {r.assigned_to_name ? <div class="small text-secondary">{r.assigned_to_name}</div> : null}
    </>
  );
}

function Select(props: { ctx: ViewContext; name: string; label: string; value?: string; options: { value: string; label: string }[]; any?: boolean }) {
  const id = `f-${props.name}`;
  return (
    <div class="col-12 col-sm-6 col-lg-3">
      <label class="form-label small" for={id}>{props.label}</label>
      <select class="form-select form-select-sm" id={id} name={props.name}>
        {props.any === false ? null : <option value="">{props.ctx.t('report_staff.any')}</option>}
        {props.options.map((o) => <option value={o.value} selected={o.value === props.value}>{o.label}</option>)}
      </select>
    </div>
  );
}

function QueueFiltersForm(props: QueuePageProps) {
  const { ctx, filters } = props;
  const t = ctx.t;
  return (
    <form method="get" action="/staff/reports" class="pk-card p-3 mb-3" aria-label={t('report_staff.filters')}>
      <div class="row g-2 align-items-end">
        {props.orgChoices.length > 1 ? (
          <Select ctx={ctx} name="org" label={t('report_staff.filter.org')} value={filters.org} options={props.orgChoices.map((o) => ({ value: o.code, label: o.name }))} />
        ) : null}
        <div class="col-12 col-sm-6 col-lg-3">
          <label class="form-label small" for="f-q">{t('report_staff.filter.q')}</label>
          <input class="form-control form-control-sm pk-ltr" dir="ltr" id="f-q" name="q" type="search" value={filters.q ?? ''} maxLength={60} aria-describedby="f-q-hint" />
          <div id="f-q-hint" class="form-text small">{t('report_staff.filter.q_hint')}</div>
        </div>
        <Select ctx={ctx} name="status" label={t('report_staff.filter.status')} value={filters.status}
          options={(['open', 'closed'] as const).map((s) => ({ value: s, label: t(`report_staff.status.${s}`) }))} />
        <Select ctx={ctx} name="state" label={t('report_staff.filter.state')} value={filters.state} options={props.states.map((s) => ({ value: s, label: t(`report.state.${s}`) }))} />
        <Select ctx={ctx} name="category" label={t('report_staff.filter.category')} value={filters.category} options={props.categories.map((c) => ({ value: c.code, label: loc(ctx, c.title) }))} />
        <Select ctx={ctx} name="assigned" label={t('report_staff.filter.assigned')} value={filters.assigned}
          options={[{ value: 'me', label: t('report_staff.assigned.me') }, { value: 'none', label: t('report_staff.assigned.none') }]} />
        <div class="col-12 col-sm-6 col-lg-3">
          <div class="form-check mb-1">
            <input class="form-check-input" type="checkbox" id="f-overdue" name="overdue" value="true" checked={filters.overdue === true} />
            <label class="form-check-label small" for="f-overdue">{t('report_staff.filter.overdue')}</label>
          </div>
          <div class="d-flex gap-2">
            <button type="submit" class="btn btn-primary btn-sm">{t('report_staff.filter.apply')}</button>
            <a class="btn btn-link btn-sm" href="/staff/reports">{t('report_staff.filter.clear')}</a>
          </div>
        </div>
      </div>
    </form>
  );
}

/** The queue: filters, the overdue count, one row per report, overdue and newest first. */
export function ReportQueuePage(props: QueuePageProps) {
  const { ctx, rows } = props;
  const t = ctx.t;
  const overdueHref = `/staff/reports?${new URLSearchParams({ ...(props.filters.org ? { org: props.filters.org } : {}), status: 'open', overdue: 'true' }).toString()}`;
  return (
    <Layout ctx={ctx} title={t('report_staff.queue_title')}>
      <div class="container-xl py-4">
        <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2">
          <h1 class="h3 mb-0">{t('report_staff.queue_title')}</h1>
          {props.categoriesHref ? <a href={props.categoriesHref} class="btn btn-outline-secondary btn-sm ms-auto">{t('category_admin.manage_link')}</a> : null}
          <a href={overdueHref} class={`badge fs-6 text-decoration-none ${props.overdueCount > 0 ? 'text-bg-danger' : 'text-bg-light border'}`} data-overdue-count={props.overdueCount}>
            {t('report_staff.overdue_count', { n: props.overdueCount })}
          </a>
        </div>
        {props.orgChoices.length === 0 ? <Alert kind="info">{t('report_staff.no_org')}</Alert> : <p class="text-secondary">{t('report_staff.queue_lead')}</p>}
        <QueueFiltersForm {...props} />
        <p class="mb-2" role="status">{t('report_staff.total', { n: rows.length })}</p>
        {rows.length === 0 ? <Alert kind="info">{t('report_staff.empty')}</Alert> : (
          <div class="table-responsive pk-card">
            <table class="table table-hover align-middle mb-0">
              <thead>
                <tr>
                  <th scope="col">{t('report_staff.col.tracking')}</th>
                  <th scope="col">{t('report_staff.col.category')}</th>
                  <th scope="col">{t('report_staff.col.place')}</th>
                  <th scope="col">{t('report_staff.col.state')}</th>
                  <th scope="col">{t('report_staff.col.due')}</th>
                  <th scope="col">{t('report_staff.col.assignee')}</th>
                  <th scope="col">{t('report_staff.col.age')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr data-id={r.id} data-tracking={r.tracking_code}>
                    <td><a href={`/staff/reports/${r.id}`} dir="ltr" class="text-nowrap">{r.tracking_code}</a></td>
                    <td>{loc(ctx, r.category.title)}{props.orgChoices.length > 1 ? <div class="small text-secondary">{props.orgNames.get(r.org) ?? r.org}</div> : null}</td>
                    <td>{placeOf(ctx, r)}</td>
                    <td><StateBadge ctx={ctx} state={r.state} /></td>
                    <td class="text-nowrap">
                      <span class={r.overdue ? 'text-danger fw-bold' : undefined}>{dateOf(ctx, r.due_at)}</span>
                      <Flags ctx={ctx} r={r} />
                    </td>
                    <td>{assigneeOf(ctx, r, props.departmentName)}</td>
                    <td class="text-nowrap">{ageOf(ctx, r.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Layout>
  );
}

// ---------- One report ----------

export type StaffForm = 'state' | 'assign' | 'comment' | 'moderate';

export interface ReportPageProps {
  ctx: ViewContext;
  report: ReportDetail;
  orgName: string;
  /** States this report may move to now. */
  nextStates: ReportState[];
  canAssign: boolean;
  canModerate: boolean;
  departments: { fa: string; en: string }[];
  officers: { id: string; name: string; roles: string[] }[];
  /** The tracking code of the report this one duplicates, when known. */
  duplicateOfCode?: string | null;
  /** Whether the page may load the vendored Leaflet. */
  leaflet: boolean;
  /** Map tiles the site is configured with ({z}/{x}/{y} template), if any. */
  tiles?: { url: string; attribution: string };
  flash?: string;
  failure?: { form: StaffForm; message: string; errors: Record<string, string>; values: Record<string, string> };
}

/** A labelled textarea with its error, wired for screen readers. */
function TextArea(props: { id: string; name: string; label: string; value?: string; error?: string; hint?: string; required?: boolean; rows?: number; maxLength?: number }) {
  const describedBy = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="mb-3">
      <label class="form-label" for={props.id}>{props.label}</label>
      <textarea id={props.id} name={props.name} dir="auto" rows={props.rows ?? 3} maxLength={props.maxLength ?? 2000}
        class={`form-control${props.error ? ' is-invalid' : ''}`} required={props.required} aria-required={props.required ? 'true' : undefined}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={describedBy}>{props.value ?? ''}</textarea>
      {props.hint ? <div id={`${props.id}-hint`} class="form-text">{props.hint}</div> : null}
      {props.error ? <div id={`${props.id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}

/** The message of a failed form, above its fields (each field shows its own problem too). */
function FormAlert(props: { failure?: ReportPageProps['failure'] }) {
  return props.failure ? <Alert kind="danger">{props.failure.message}</Alert> : null;
}

function departmentName(ctx: ViewContext, departments: { fa: string; en: string }[], stored: string): string {
  const d = departments.find((x) => x.fa === stored || x.en === stored);
  return d ? loc(ctx, d) : stored;
}

function Summary(props: ReportPageProps) {
  const { ctx, report: r } = props;
  const rows: [string, ComponentChild][] = [
    [ctx.t('report_staff.field.org'), props.orgName],
    [ctx.t('report_staff.field.category'), loc(ctx, r.category.title)],
    [ctx.t('report_staff.field.state'), <StateBadge ctx={ctx} state={r.state} />],
    [ctx.t('report_staff.field.filed'), dateTimeOf(ctx, r.created_at)],
    [ctx.t('report_staff.field.due'), (
      <span>
        <span class={r.overdue ? 'text-danger fw-bold' : undefined}>{dateTimeOf(ctx, r.due_at)}</span>
        <Flags ctx={ctx} r={r} />
      </span>
    )],
    [ctx.t('report_staff.field.department'), (r.assigned_department ? departmentName(ctx, props.departments, r.assigned_department) : '') || (loc(ctx, r.department_default) ? <span class="text-secondary">{loc(ctx, r.department_default)}</span> : '—')],
    [ctx.t('report_staff.field.officer'), r.assigned_to_name ?? <span class="text-secondary">{ctx.t('report_staff.nobody')}</span>],
  ];
  if (r.source) rows.push([ctx.t('report_staff.field.source'), ['web', 'api', 'open311', 'phone'].includes(r.source) ? ctx.t(`report_staff.source.${r.source}`) : r.source]);
  if (r.duplicate_of) rows.push([ctx.t('report_staff.field.duplicate_of'), <a href={`/staff/reports/${r.duplicate_of}`} dir="ltr">{props.duplicateOfCode ?? r.duplicate_of.slice(0, 8)}</a>]);
  if (r.reopened_count > 0) rows.push([ctx.t('report_staff.field.reopened'), formatNumber(r.reopened_count, ctx.locale)]);
  if (r.rating != null) {
    rows.push([ctx.t('report_staff.field.rating'), (
      <span data-rating={r.rating}>{ctx.t('report_staff.rating_value', { n: r.rating })}{r.rating_comment ? <span class="d-block small text-secondary pk-message-body">{r.rating_comment}</span> : null}</span>
    )]);
  }
  return (
    <SummaryCard title={ctx.t('report_staff.summary')} rows={rows} />
  );
}

function Description(props: ReportPageProps) {
  const { ctx, report: r } = props;
  const answers = Object.entries(r.attributes ?? {});
  const defOf = (code: string) => r.category_attributes.find((a) => a.code === code);
  const labelOf = (code: string) => {
    const d = defOf(code);
    return d ? (ctx.locale === 'en' && d.description_en ? d.description_en : d.description_fa) || code : code;
  };
  const valueOf = (code: string, v: string) => {
    const o = defOf(code)?.values?.find((x) => x.key === v);
    return o ? (ctx.locale === 'en' && o.name_en ? o.name_en : o.name_fa) : digits(ctx, v);
  };
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="description-title">
      <h2 class="h5" id="description-title">{ctx.t('report_staff.description')}</h2>
      {r.hidden ? <p class="mb-2"><span class="badge text-bg-warning" data-marker="hidden">{ctx.t('report_staff.hidden_marker')}</span></p> : null}
      <p class="pk-message-body mb-0" dir="auto" data-description>{r.description}</p>
      {answers.length ? (
        <>
          <h3 class="h6 mt-3">{ctx.t('report_staff.attributes')}</h3>
          <dl class="row mb-0">
            {answers.map(([code, v]) => (
              <>
                <dt class="col-sm-4 fw-medium">{labelOf(code)}</dt>
                <dd class="col-sm-8">{(Array.isArray(v) ? v : [v]).map((x) => valueOf(code, String(x))).join('، ')}</dd>
              </>
            ))}
          </dl>
        </>
      ) : null}
    </section>
  );
}

function Place(props: ReportPageProps) {
  const { ctx, report: r } = props;
  const lat = r.lat.toFixed(5);
  const lng = r.lng.toFixed(5);
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="place-title">
      <h2 class="h5" id="place-title">{ctx.t('report_staff.place')}</h2>
      {r.address ? <p class="mb-1" dir="auto">{r.address}</p> : null}
      <p class="small text-secondary mb-2" dir={ctx.dir}>{ctx.t('report_staff.place_text', { lat: digits(ctx, lat), lng: digits(ctx, lng) })}</p>
      {props.leaflet ? (
        <>
          <link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css" />
          <div id="report-map" class="border rounded" role="img" aria-label={ctx.t('report_staff.map_label')} data-lat={String(r.lat)} data-lng={String(r.lng)}
            data-tiles={props.tiles?.url || undefined} data-attribution={props.tiles?.attribution || undefined} />
          <script src="/static/vendor/leaflet/leaflet.js" defer />
          <script src="/staff/reports/map.js" defer />
        </>
      ) : null}
    </section>
  );
}

function Photos(props: ReportPageProps) {
  const { ctx, report: r } = props;
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="photos-title">
      <h2 class="h5" id="photos-title">{ctx.t('report_staff.photos')}</h2>
      {r.photos.length === 0 ? <p class="text-secondary mb-0">{ctx.t('report_staff.no_photos')}</p> : (
        <ul class="list-unstyled d-flex flex-wrap gap-3 mb-0">
          {r.photos.map((p, i) => (
            <li data-photo={p.id} data-hidden={p.hidden ? 'true' : 'false'}>
              <a href={p.url}><img src={p.url} alt={ctx.t('report_staff.photo_alt', { n: i + 1 })} class={`img-thumbnail${p.hidden ? ' opacity-50' : ''}`} width={160} height={120} loading="lazy" /></a>
              {p.hidden ? <div><span class="badge text-bg-warning">{ctx.t('report_staff.photo_hidden')}</span></div> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function updateTitle(ctx: ViewContext, u: ReportUpdateView): string {
  if (u.kind === 'state') return ctx.t('report_staff.kind.state', { state: u.state ? ctx.t(`report.state.${u.state}`) : '' });
  return ctx.t(`report_staff.kind.${u.kind}`);
}

function Timeline(props: ReportPageProps) {
  const { ctx, report: r } = props;
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="timeline-title">
      <h2 class="h5" id="timeline-title">{ctx.t('report_staff.timeline')}</h2>
      {r.updates.length === 0 ? <p class="text-secondary mb-0">{ctx.t('report_staff.no_updates')}</p> : (
        <ol class="list-unstyled mb-0">
          {[...r.updates].sort((a, b) => b.created_at - a.created_at).map((u) => (
            <li class={`border-start border-3 ps-3 pb-3 ${u.internal ? 'border-warning' : 'border-success'}`} data-kind={u.kind} data-internal={u.internal ? 'true' : 'false'}>
              <div class="d-flex flex-wrap gap-2 align-items-baseline">
                <strong>{updateTitle(ctx, u)}</strong>
                {u.internal ? <span class="badge text-bg-warning">{ctx.t('report_staff.internal')}</span> : null}
              </div>
              <div class="small text-secondary">
                <time dateTime={new Date(u.created_at).toISOString()}>{dateTimeOf(ctx, u.created_at)}</time>
                {' · '}
                {u.actor_name ?? (u.actor_kind === 'citizen' ? ctx.t('report_staff.by_citizen') : ctx.t('report_staff.by_system'))}
              </div>
              {u.comment ? <p class="pk-message-body mb-0 mt-1" dir="auto">{u.comment}</p> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function StateForm(props: ReportPageProps) {
  const { ctx, report: r } = props;
  const mine = props.failure?.form === 'state' ? props.failure : undefined;
  const v = mine?.values ?? {};
  const e = mine?.errors ?? {};
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="state-title">
      <h2 class="h5" id="state-title">{ctx.t('report_staff.state_form')}</h2>
      {props.nextStates.length === 0 ? <><FormAlert failure={mine} /><p class="text-secondary mb-0">{ctx.t('report_staff.state_closed')}</p></> : (
        <form method="post" action={`/staff/reports/${r.id}/state`} data-form="state" novalidate>
          <CsrfInput ctx={ctx} />
          <FormAlert failure={mine} />
          <div class="mb-3">
            <label class="form-label" for="f-state">{ctx.t('report_staff.new_state')}</label>
            <select id="f-state" name="state" class={`form-select${e.state ? ' is-invalid' : ''}`} required aria-invalid={e.state ? 'true' : undefined} aria-describedby={e.state ? 'f-state-error' : undefined}>
              {props.nextStates.map((s) => <option value={s} selected={v.state === s}>{ctx.t(`report.state.${s}`)}</option>)}
            </select>
            {e.state ? <div id="f-state-error" class="invalid-feedback d-block">{e.state}</div> : null}
          </div>
          <TextArea id="f-state-comment" name="comment" label={ctx.t('report_staff.comment')} value={v.comment} error={e.comment} rows={2} />
          <div class="form-check mb-3">
            <input class="form-check-input" type="checkbox" id="f-state-internal" name="internal" value="on" checked={v.internal === 'on'} />
            <label class="form-check-label small" for="f-state-internal">{ctx.t('report_staff.internal_check')}</label>
          </div>
          {props.nextStates.includes('duplicate') ? (
            <div class="mb-3">
              <label class="form-label" for="f-duplicate_of">{ctx.t('report_staff.duplicate_of')}</label>
              <input id="f-duplicate_of" name="duplicate_of" type="text" dir="ltr" maxLength={64} value={v.duplicate_of ?? ''}
                class={`form-control pk-ltr${e.duplicate_of ? ' is-invalid' : ''}`} aria-invalid={e.duplicate_of ? 'true' : undefined}
                aria-describedby={`f-duplicate_of-hint${e.duplicate_of ? ' f-duplicate_of-error' : ''}`} />
              <div id="f-duplicate_of-hint" class="form-text">{ctx.t('report_staff.duplicate_hint')}</div>
              {e.duplicate_of ? <div id="f-duplicate_of-error" class="invalid-feedback d-block">{e.duplicate_of}</div> : null}
            </div>
          ) : null}
          <button type="submit" class="btn btn-primary">{ctx.t('report_staff.change_state')}</button>
        </form>
      )}
    </section>
  );
}

function AssignForm(props: ReportPageProps) {
  const { ctx, report: r } = props;
  if (!props.canAssign) return null;
  const mine = props.failure?.form === 'assign' ? props.failure : undefined;
  const e = mine?.errors ?? {};
  const department = mine ? mine.values.department ?? '' : r.assigned_department ?? '';
  const officer = mine ? mine.values.officer ?? '' : r.assigned_to ?? '';
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="assign-title">
      <h2 class="h5" id="assign-title">{ctx.t('report_staff.assign_form')}</h2>
      <form method="post" action={`/staff/reports/${r.id}/assign`} data-form="assign" novalidate>
        <CsrfInput ctx={ctx} />
        <FormAlert failure={mine} />
        <div class="mb-3">
          <label class="form-label" for="f-department">{ctx.t('report_staff.department')}</label>
          <select id="f-department" name="department" class={`form-select${e.department ? ' is-invalid' : ''}`} aria-invalid={e.department ? 'true' : undefined} aria-describedby={e.department ? 'f-department-error' : undefined}>
            <option value="">{ctx.t('report_staff.none_option')}</option>
            {props.departments.map((d) => <option value={d.fa} selected={d.fa === department || d.en === department}>{loc(ctx, d)}</option>)}
          </select>
          {e.department ? <div id="f-department-error" class="invalid-feedback d-block">{e.department}</div> : null}
        </div>
        <div class="mb-3">
          <label class="form-label" for="f-officer">{ctx.t('report_staff.officer')}</label>
          <select id="f-officer" name="officer" class={`form-select${e.officer ? ' is-invalid' : ''}`} aria-invalid={e.officer ? 'true' : undefined} aria-describedby={e.officer ? 'f-officer-error' : undefined}>
            <option value="">{ctx.t('report_staff.none_option')}</option>
            {props.officers.map((o) => <option value={o.id} selected={o.id === officer}>{`${o.name} (${o.roles.map((x) => ctx.t(`role.${x}`)).join('، ')})`}</option>)}
          </select>
          {e.officer ? <div id="f-officer-error" class="invalid-feedback d-block">{e.officer}</div> : null}
        </div>
        <button type="submit" class="btn btn-outline-primary">{ctx.t('report_staff.assign')}</button>
      </form>
    </section>
  );
}

function CommentForm(props: ReportPageProps) {
  const { ctx, report: r } = props;
  const mine = props.failure?.form === 'comment' ? props.failure : undefined;
  const v = mine?.values ?? {};
  const internal = v.audience === 'internal';
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="comment-title">
      <h2 class="h5" id="comment-title">{ctx.t('report_staff.comment_form')}</h2>
      <form method="post" action={`/staff/reports/${r.id}/comment`} data-form="comment" novalidate>
        <CsrfInput ctx={ctx} />
        <FormAlert failure={mine} />
        <TextArea id="f-comment-text" name="comment" label={ctx.t('report_staff.comment_text')} value={v.comment} error={mine?.errors.comment} required rows={3} />
        <fieldset class="mb-3">
          <legend class="form-label fs-6">{ctx.t('report_staff.comment_to')}</legend>
          <div class="form-check">
            <input class="form-check-input" type="radio" id="f-audience-internal" name="audience" value="internal" checked={!mine || internal} />
            <label class="form-check-label small" for="f-audience-internal">{ctx.t('report_staff.comment_internal')}</label>
          </div>
          <div class="form-check">
            <input class="form-check-input" type="radio" id="f-audience-public" name="audience" value="public" checked={!!mine && !internal} />
            <label class="form-check-label small" for="f-audience-public">{ctx.t('report_staff.comment_public')}</label>
          </div>
        </fieldset>
        <button type="submit" class="btn btn-outline-primary">{ctx.t('report_staff.send_comment')}</button>
      </form>
    </section>
  );
}

function ModerateForm(props: ReportPageProps) {
  const { ctx, report: r } = props;
  if (!props.canModerate) return null;
  const mine = props.failure?.form === 'moderate' ? props.failure : undefined;
  const v = mine?.values;
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="moderate-title">
      <h2 class="h5" id="moderate-title">{ctx.t('report_staff.moderate_form')}</h2>
      <p class="small text-secondary">{ctx.t('report_staff.moderate_lead')}</p>
      <form method="post" action={`/staff/reports/${r.id}/moderate`} data-form="moderate" novalidate>
        <CsrfInput ctx={ctx} />
        <FormAlert failure={mine} />
        <TextArea id="f-moderate-description" name="description" label={ctx.t('report_staff.moderate_description')} value={v ? v.description : r.description} error={mine?.errors.description} rows={4} />
        <div class="form-check mb-2">
          <input class="form-check-input" type="checkbox" id="f-hide_description" name="hide_description" value="on" checked={v ? v.hide_description === 'on' : r.hidden} />
          <label class="form-check-label small" for="f-hide_description">{ctx.t('report_staff.hide_description')}</label>
        </div>
        {r.photos.map((p, i) => (
          <div class="form-check mb-2">
            <input class="form-check-input" type="checkbox" id={`f-hide_photo_${i}`} name={`hide_photo_${p.id}`} value="on" checked={v ? v[`hide_photo_${p.id}`] === 'on' : p.hidden} />
            <label class="form-check-label small" for={`f-hide_photo_${i}`}>{ctx.t('report_staff.hide_photo', { n: i + 1 })}</label>
          </div>
        ))}
        {mine?.errors.photos ? <div class="invalid-feedback d-block mb-2">{mine.errors.photos}</div> : null}
        <button type="submit" class="btn btn-outline-danger">{ctx.t('report_staff.moderate')}</button>
      </form>
    </section>
  );
}

/** One report for staff: what was reported, its place and photos, its timeline, and the forms that move it on. */
export function ReportStaffPage(props: ReportPageProps) {
  const { ctx, report: r } = props;
  const title = ctx.t('report_staff.detail_title', { code: '' });
  return (
    <Layout ctx={ctx} title={ctx.t('report_staff.detail_title', { code: r.tracking_code })}>
      <div class="container-xl py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/staff/reports">{ctx.t('report_staff.queue_title')}</a></li><li class="breadcrumb-item active" aria-current="page"><span dir="ltr">{r.tracking_code}</span></li></ol></nav>
        <h1 class="h3">{title}<span dir="ltr">{r.tracking_code}</span></h1>
        <p class="text-secondary">{loc(ctx, r.category.title)} · {dateOf(ctx, r.created_at)} <StateBadge ctx={ctx} state={r.state} /><Flags ctx={ctx} r={r} /></p>
        {props.flash ? <Alert kind="success">{props.flash}</Alert> : null}
        <div class="row g-3">
          <div class="col-12 col-lg-8">
            <Summary {...props} />
            <Description {...props} />
            <Photos {...props} />
            <Place {...props} />
            <Timeline {...props} />
          </div>
          <div class="col-12 col-lg-4">
            <StateForm {...props} />
            <AssignForm {...props} />
            <CommentForm {...props} />
            <ModerateForm {...props} />
            <a href="/staff/reports">{ctx.t('report_staff.back')}</a>
          </div>
        </div>
      </div>
    </Layout>
  );
}
