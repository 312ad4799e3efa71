import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout } from '../../../platform/views/components.js';
import { formatDate, formatDateTime } from '../../../platform/i18n/format.js';
import { hasMessage } from '../../../platform/i18n/messages.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import type { CategoryAttribute } from '../../../platform/db/schema.js';
import type { PublicReport, PublicReportDetail, ReportState } from '../service.js';
import { REPORT_GROUPS } from '../messages-web.js';

// The citizen's report form with its map, the confirmation, the public map and list, the public
// page of one report. Maps are a progressive enhancement: every page works without JavaScript.

export interface FormCategory {
  code: string;
  group: string;
  title: { fa: string; en: string };
  attributes: CategoryAttribute[];
}

export interface Municipality {
  code: string;
  name: { fa: string; en: string };
  lat: number;
  lng: number;
}

/** The tile server and the boundaries every map starts from (config MAP_TILE_URL / MAP_TILE_ATTRIBUTION). */
export interface MapSettings {
  tileUrl: string;
  tileAttribution: string;
  areasUrl: string;
}

export const OPEN_STATES: readonly ReportState[] = ['received', 'in_progress', 'scheduled', 'reopened'];
export const isOpen = (state: ReportState) => OPEN_STATES.includes(state);

/** A report state's name (the lead's catalogue first; 'reopened' may only be in ours). */
export function stateLabel(ctx: ViewContext, state: string): string {
  return hasMessage(`report.state.${state}`) ? ctx.t(`report.state.${state}`) : ctx.t(`rweb.state.${state}`);
}

/** Digits as the reader's language writes them (tracking codes, counts inside codes). */
export const digits = (ctx: ViewContext, s: string) => (ctx.locale === 'fa' ? toPersianDigits(s) : s);

const BADGE: Record<ReportState, string> = {
  received: 'text-bg-primary', in_progress: 'text-bg-info', scheduled: 'text-bg-info', reopened: 'text-bg-warning',
  resolved: 'text-bg-success', transferred: 'text-bg-secondary', duplicate: 'text-bg-secondary', rejected: 'text-bg-danger',
};

export function StateBadge(props: { ctx: ViewContext; state: ReportState }) {
  return <span class={`badge ${BADGE[props.state] ?? 'text-bg-secondary'}`}>{stateLabel(props.ctx, props.state)}</span>;
}

/** A tracking code: left to right, Persian digits in Persian. */
export function Code(props: { ctx: ViewContext; code: string }) {
  return <bdi class="pk-code" dir="ltr">{digits(props.ctx, props.code)}</bdi>;
}

/**
 * A map container the script /static/report-map.js turns into a Leaflet map: `kind` picker (the
 * form), point (one report) or reports (the public map). Without JavaScript it says how to do without.
 */
export function MapBox(props: {
  ctx: ViewContext; map: MapSettings; kind: 'picker' | 'point' | 'reports'; label: string; municipalities: Municipality[];
  id?: string; lat?: number | null; lng?: number | null; approximate?: boolean; reports?: unknown[]; small?: boolean;
}) {
  const { ctx } = props;
  const centres = props.municipalities.map((m) => ({ code: m.code, name: m.name[ctx.locale], lat: m.lat, lng: m.lng }));
  return (
    <div
      id={props.id ?? 'pk-map'}
      class={`pk-map${props.small ? ' pk-map-small' : ''}`}
      dir="ltr"
      role="region"
      aria-label={props.label}
      data-pk-map={props.kind}
      data-tiles={props.map.tileUrl}
      data-attribution={props.map.tileAttribution}
      data-areas={props.map.areasUrl}
      data-centres={JSON.stringify(centres)}
      data-lat={props.lat ?? undefined}
      data-lng={props.lng ?? undefined}
      data-approximate={props.approximate ? '1' : undefined}
      data-reports={props.reports ? JSON.stringify(props.reports) : undefined}
      data-locale={ctx.locale}
      data-open-label={ctx.t('rweb.public.legend_open')}
      data-closed-label={ctx.t('rweb.public.legend_closed')}
    >
      <p class="pk-map-nojs small text-secondary p-3 m-0" dir={ctx.dir}>{ctx.t('rweb.no_js_map')}</p>
    </div>
  );
}

/** Leaflet and the page's scripts, deferred (the CSP allows no inline script). */
export function MapScripts(props: { form?: boolean }) {
  return (
    <>
      <script src="/static/vendor/leaflet/leaflet.js" defer />
      <script src="/static/report-map.js" defer />
      {props.form ? <script src="/static/report-form.js" defer /> : null}
    </>
  );
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function FieldError(props: { id: string; error?: string }) {
  return props.error ? <div id={props.id} class="invalid-feedback d-block">{props.error}</div> : null;
}

/** One extra question of a category, named attr.<category>.<code> so every category's answers can be on the page at once. */
function AttributeField(props: { ctx: ViewContext; category: string; attr: CategoryAttribute; values: Record<string, string | string[]>; error?: string }) {
  const { ctx, attr } = props;
  const name = `attr.${props.category}.${attr.code}`;
  const id = `f-attr-${props.category}-${attr.code}`;
  const label = ctx.locale === 'fa' ? attr.description_fa : attr.description_en;
  const value = props.values[name];
  const invalid = props.error ? ' is-invalid' : '';
  const errId = `${id}-error`;
  const aria = { 'aria-invalid': props.error ? 'true' : undefined, 'aria-describedby': props.error ? errId : undefined, 'aria-required': attr.required ? 'true' : undefined } as const;
  const labelText = <>{label}{attr.required ? <span aria-hidden="true"> *</span> : <span class="text-secondary small"> {ctx.t('rweb.form.optional')}</span>}</>;
  const valueName = (v: { name_fa: string; name_en: string }) => (ctx.locale === 'fa' ? v.name_fa : v.name_en);
  if (attr.datatype === 'multivaluelist') {
    const chosen = Array.isArray(value) ? value : value ? [value] : [];
    return (
      <fieldset class="mb-3" {...aria}>
        <legend class="form-label fs-6">{labelText}</legend>
        {(attr.values ?? []).map((v) => (
          <div class="form-check">
            <input class={`form-check-input${invalid}`} type="checkbox" id={`${id}-${v.key}`} name={name} value={v.key} checked={chosen.includes(v.key)} />
            <label class="form-check-label" for={`${id}-${v.key}`}>{valueName(v)}</label>
          </div>
        ))}
        <FieldError id={errId} error={props.error} />
      </fieldset>
    );
  }
  const v = first(value) ?? '';
  let control;
  if (attr.datatype === 'singlevaluelist') {
    control = (
      <select id={id} name={name} class={`form-select${invalid}`} {...aria}>
        <option value="">{ctx.t('rweb.form.choose')}</option>
        {(attr.values ?? []).map((o) => <option value={o.key} selected={v === o.key}>{valueName(o)}</option>)}
      </select>
    );
  } else if (attr.datatype === 'text') {
    control = <textarea id={id} name={name} class={`form-control${invalid}`} rows={2} maxLength={2000} {...aria}>{v}</textarea>;
  } else if (attr.datatype === 'datetime') {
    control = <input id={id} name={name} type="datetime-local" class={`form-control${invalid}`} value={v} {...aria} />;
  } else {
    control = <input id={id} name={name} type="text" inputMode={attr.datatype === 'number' ? 'decimal' : undefined} dir={attr.datatype === 'number' ? 'ltr' : undefined} class={`form-control${invalid}${attr.datatype === 'number' ? ' pk-ltr' : ''}`} value={v} maxLength={300} {...aria} />;
  }
  return (
    <div class="mb-3">
      <label class="form-label" for={id}>{labelText}</label>
      {control}
      <FieldError id={errId} error={props.error} />
    </div>
  );
}

export interface ReportFormProps {
  ctx: ViewContext;
  map: MapSettings;
  categories: FormCategory[];
  municipalities: Municipality[];
  signedIn: boolean;
  values?: Record<string, string | string[]>;
  errors?: Record<string, string>;
  error?: string;
  /** Photos were chosen in the failed submission: the citizen has to choose them again. */
  photosDropped?: boolean;
  maxPhotos: number;
  maxPhotoMb: number;
}

/** The citizen's form: the place (map, device position, or address + municipality), the category and its questions, the description, photos. */
export function ReportFormPage(props: ReportFormProps) {
  const { ctx } = props;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  const val = (k: string) => first(v[k]) ?? '';
  const chosen = val('category');
  const groups = [...REPORT_GROUPS, 'other'].map((g) => ({
    g, items: props.categories.filter((c) => (REPORT_GROUPS as readonly string[]).includes(c.group) ? c.group === g : g === 'other'),
  })).filter((x) => x.items.length > 0);
  const withAttributes = props.categories.filter((c) => c.attributes.length > 0);
  const described = (name: string, hint?: boolean) => [hint ? `f-${name}-hint` : '', e[name] ? `f-${name}-error` : ''].filter(Boolean).join(' ') || undefined;
  const placeError = e.place ?? e.lat ?? e.lng;
  return (
    <Layout ctx={ctx} title={ctx.t('report.page_title')}>
      <div class="container py-4">
        <h1 class="h3 mb-2">{ctx.t('report.page_title')}</h1>
        <p class="text-secondary">{ctx.t('rweb.form.lead')}</p>
        {props.signedIn ? null : (
          <Alert kind="info">
            {ctx.t('rweb.form.sign_in_hint')} <a href={`/login?next=${encodeURIComponent('/report')}`}>{ctx.t('rweb.form.sign_in')}</a>
          </Alert>
        )}
        {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
        <form method="post" action="/report" enctype="multipart/form-data" novalidate id="pk-report-form" class="pk-report-form" data-nearby-url="/api/v1/reports/nearby">
          <CsrfInput ctx={ctx} />
          <div class="row g-4">
            <div class="col-12 col-lg-7">
              <fieldset class="pk-card p-3 mb-3">
                <legend class="h5 float-none w-auto px-1">{ctx.t('rweb.form.step_place')}</legend>
                <MapBox ctx={ctx} map={props.map} kind="picker" label={ctx.t('rweb.form.map_label')} municipalities={props.municipalities} lat={Number(val('lat')) || null} lng={Number(val('lng')) || null} />
                <p class="form-text" id="f-map-hint">{ctx.t('rweb.form.map_hint')}</p>
                <div class="d-flex flex-wrap align-items-center gap-2 mb-3">
                  <button type="button" class="btn btn-outline-primary btn-sm" id="pk-locate" hidden data-locating={ctx.t('rweb.form.locating')} data-failed={ctx.t('rweb.form.location_failed')} data-done={ctx.t('rweb.form.location_set')}>
                    {ctx.t('rweb.form.use_location')}
                  </button>
                  <span id="pk-locate-status" class="small text-secondary" role="status" aria-live="polite" />
                </div>
                {placeError ? <div class="alert alert-danger py-2" id="f-place-error" role="alert">{placeError}</div> : null}
                <fieldset class="mb-2">
                  <legend class="form-label fs-6">{ctx.t('rweb.form.coordinates')}</legend>
                  <div class="row g-2">
                    <div class="col-6">
                      <label class="form-label small" for="f-lat">{ctx.t('report.field.lat')}</label>
                      <input id="f-lat" name="lat" type="text" inputMode="decimal" dir="ltr" class={`form-control pk-ltr${e.lat ? ' is-invalid' : ''}`} value={val('lat')} maxLength={20} aria-invalid={e.lat ? 'true' : undefined} aria-describedby={e.lat ? 'f-place-error' : undefined} />
                    </div>
                    <div class="col-6">
                      <label class="form-label small" for="f-lng">{ctx.t('report.field.lng')}</label>
                      <input id="f-lng" name="lng" type="text" inputMode="decimal" dir="ltr" class={`form-control pk-ltr${e.lng ? ' is-invalid' : ''}`} value={val('lng')} maxLength={20} aria-invalid={e.lng ? 'true' : undefined} aria-describedby={e.lng ? 'f-place-error' : undefined} />
                    </div>
                  </div>
                </fieldset>
                <fieldset>
                  <legend class="form-label fs-6 mt-2">{ctx.t('rweb.form.or_address')}</legend>
                  <div class="mb-3">
                    <label class="form-label" for="f-org">{ctx.t('rweb.form.municipality')}</label>
                    <select id="f-org" name="org" class={`form-select${e.org ? ' is-invalid' : ''}`} aria-invalid={e.org ? 'true' : undefined} aria-describedby={described('org')}>
                      <option value="">{ctx.t('rweb.form.municipality_choose')}</option>
                      {props.municipalities.map((m) => <option value={m.code} selected={val('org') === m.code} data-lat={m.lat} data-lng={m.lng}>{m.name[ctx.locale]}</option>)}
                    </select>
                    <FieldError id="f-org-error" error={e.org} />
                  </div>
                  <div class="mb-1">
                    <label class="form-label" for="f-address">{ctx.t('rweb.form.address')}</label>
                    <input id="f-address" name="address" type="text" class={`form-control${e.address ? ' is-invalid' : ''}`} value={val('address')} maxLength={300} autocomplete="street-address" aria-invalid={e.address ? 'true' : undefined} aria-describedby={described('address', true)} />
                    <div id="f-address-hint" class="form-text">{ctx.t('rweb.form.address_hint')}</div>
                    <FieldError id="f-address-error" error={e.address} />
                  </div>
                </fieldset>
              </fieldset>
            </div>
            <div class="col-12 col-lg-5">
              <fieldset class="pk-card p-3 mb-3">
                <legend class="h5 float-none w-auto px-1">{ctx.t('rweb.form.step_what')}</legend>
                <div class="mb-3">
                  <label class="form-label" for="f-category">{ctx.t('report.field.category')}<span aria-hidden="true"> *</span></label>
                  <select id="f-category" name="category" class={`form-select${e.category ? ' is-invalid' : ''}`} required aria-required="true" aria-invalid={e.category ? 'true' : undefined} aria-describedby={described('category')}>
                    <option value="">{ctx.t('rweb.form.category_choose')}</option>
                    {groups.map((grp) => (
                      <optgroup label={ctx.t(`rweb.group.${grp.g}`)}>
                        {grp.items.map((c) => <option value={c.code} selected={chosen === c.code}>{c.title[ctx.locale]}</option>)}
                      </optgroup>
                    ))}
                  </select>
                  <FieldError id="f-category-error" error={e.category} />
                </div>
                {withAttributes.length ? (
                  <div id="pk-attributes">
                    {withAttributes.map((c) => (
                      <fieldset class="pk-attrs border rounded p-2 mb-3" data-category={c.code}>
                        <legend class="form-label fs-6 float-none w-auto px-1 mb-1">{ctx.t('rweb.form.attributes_for', { category: c.title[ctx.locale] })}</legend>
                        {c.attributes.slice().sort((a, b) => a.order - b.order).map((a) => (
                          <AttributeField ctx={ctx} category={c.code} attr={a} values={v} error={chosen === c.code ? e[`attribute[${a.code}]`] : undefined} />
                        ))}
                      </fieldset>
                    ))}
                  </div>
                ) : null}
                <div class="mb-3">
                  <label class="form-label" for="f-description">{ctx.t('report.field.description')}<span aria-hidden="true"> *</span></label>
                  <textarea id="f-description" name="description" class={`form-control${e.description ? ' is-invalid' : ''}`} rows={4} maxLength={2000} required aria-required="true" aria-invalid={e.description ? 'true' : undefined} aria-describedby={described('description', true)}>{val('description')}</textarea>
                  <div id="f-description-hint" class="form-text">{ctx.t('rweb.form.description_hint')}</div>
                  <FieldError id="f-description-error" error={e.description} />
                </div>
                <section id="pk-nearby" class="alert alert-warning" hidden aria-live="polite" data-title={ctx.t('rweb.form.nearby_title')} data-lead={ctx.t('rweb.form.nearby_lead')} data-follow={ctx.t('rweb.form.nearby_follow')} data-distance={ctx.t('rweb.form.nearby_distance')} data-locale={ctx.locale} />
              </fieldset>
              <fieldset class="pk-card p-3 mb-3">
                <legend class="h5 float-none w-auto px-1">{ctx.t('rweb.form.step_photos')}</legend>
                <label class="form-label" for="f-photos">{ctx.t('rweb.form.photos')}</label>
                <input id="f-photos" name="photos" type="file" accept="image/jpeg,image/png,image/webp,image/*" multiple class={`form-control${e.photos ? ' is-invalid' : ''}`} aria-invalid={e.photos ? 'true' : undefined} aria-describedby={described('photos', true)} data-max={props.maxPhotos} data-too-many={ctx.t('rweb.error.photo_count', { max: props.maxPhotos })} />
                <div id="f-photos-hint" class="form-text">{ctx.t('rweb.form.photos_hint', { max: props.maxPhotos, mb: props.maxPhotoMb })}</div>
                <FieldError id="f-photos-error" error={e.photos} />
                {props.photosDropped && !e.photos ? <div class="form-text text-warning-emphasis">{ctx.t('rweb.form.photos_again')}</div> : null}
              </fieldset>
              <button type="submit" class="btn btn-primary btn-lg w-100">{ctx.t('report.submit')}</button>
            </div>
          </div>
        </form>
      </div>
      <MapScripts form />
    </Layout>
  );
}

/** After filing: the tracking code and where to follow the report. */
export function ReportFiledPage(props: { ctx: ViewContext; report: PublicReport & { org_name: { fa: string; en: string } }; mineId: string | null }) {
  const { ctx, report } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('rweb.filed.title')}>
      <div class="container py-4">
        <div class="row justify-content-center">
          <div class="col-12 col-md-9 col-lg-7">
            <div class="pk-card p-4 text-center">
              <h1 class="h3 mb-3">{ctx.t('rweb.filed.title')}</h1>
              <p>{ctx.t('rweb.filed.lead', { org: report.org_name[ctx.locale] })}</p>
              <p class="mb-1 text-secondary">{ctx.t('rweb.filed.code')}</p>
              <p class="display-6 fw-bold mb-3" id="pk-tracking-code"><Code ctx={ctx} code={report.tracking_code} /></p>
              <p class="mb-3"><StateBadge ctx={ctx} state={report.state} /> · {report.category.title[ctx.locale]}</p>
              {props.mineId ? <p class="small text-secondary">{ctx.t('rweb.filed.sms')}</p> : null}
              <div class="d-flex flex-wrap justify-content-center gap-2">
                {props.mineId ? <a class="btn btn-primary" href={`/my/reports/${encodeURIComponent(props.mineId)}`}>{ctx.t('rweb.filed.view_mine')}</a> : null}
                <a class={`btn ${props.mineId ? 'btn-outline-primary' : 'btn-primary'}`} href={`/reports/${encodeURIComponent(report.tracking_code)}`}>{ctx.t('rweb.filed.view_public')}</a>
                <a class="btn btn-outline-secondary" href="/report">{ctx.t('rweb.filed.another')}</a>
              </div>
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}

export interface PublicFilters { org?: string; category?: string; status?: 'open' | 'closed' }

/** The public list: filters, the map (from the rows of the list), the list itself, the RSS feed of the same filter. */
export function PublicReportsPage(props: {
  ctx: ViewContext; map: MapSettings; rows: PublicReport[]; filters: PublicFilters; municipalities: Municipality[];
  categories: { code: string; title: { fa: string; en: string } }[]; rssHref: string; orgNames: Map<string, string>;
}) {
  const { ctx, filters } = props;
  const points = props.rows.map((r) => ({ code: r.tracking_code, lat: r.lat, lng: r.lng, open: isOpen(r.state), title: r.category.title[ctx.locale], state: stateLabel(ctx, r.state), url: `/reports/${encodeURIComponent(r.tracking_code)}` }));
  return (
    <Layout ctx={ctx} title={ctx.t('report.public_title')}>
      <div class="container py-4">
        <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2">
          <h1 class="h3 m-0">{ctx.t('report.public_title')}</h1>
          <a class="btn btn-primary" href="/report">{ctx.t('rweb.public.report_problem')}</a>
        </div>
        <p class="text-secondary">{ctx.t('rweb.public.lead')}</p>
        <form method="get" action="/reports" class="pk-card p-3 mb-3" aria-label={ctx.t('rweb.public.filters')}>
          {ctx.locale === 'en' ? <input type="hidden" name="lang" value="en" /> : null}
          <div class="row g-2 align-items-end">
            <div class="col-12 col-md-4">
              <label class="form-label" for="q-org">{ctx.t('rweb.form.municipality')}</label>
              <select id="q-org" name="org" class="form-select">
                <option value="">{ctx.t('rweb.public.all_orgs')}</option>
                {props.municipalities.map((m) => <option value={m.code} selected={filters.org === m.code}>{m.name[ctx.locale]}</option>)}
              </select>
            </div>
            <div class="col-12 col-md-4">
              <label class="form-label" for="q-category">{ctx.t('report.field.category')}</label>
              <select id="q-category" name="category" class="form-select">
                <option value="">{ctx.t('rweb.public.all_categories')}</option>
                {props.categories.map((c) => <option value={c.code} selected={filters.category === c.code}>{c.title[ctx.locale]}</option>)}
              </select>
            </div>
            <div class="col-8 col-md-2">
              <label class="form-label" for="q-status">{ctx.t('rweb.public.status')}</label>
              <select id="q-status" name="status" class="form-select">
                <option value="">{ctx.t('rweb.public.all_status')}</option>
                <option value="open" selected={filters.status === 'open'}>{ctx.t('rweb.public.status_open')}</option>
                <option value="closed" selected={filters.status === 'closed'}>{ctx.t('rweb.public.status_closed')}</option>
              </select>
            </div>
            <div class="col-4 col-md-2"><button type="submit" class="btn btn-outline-primary w-100">{ctx.t('rweb.public.apply')}</button></div>
          </div>
        </form>
        <div class="row g-3">
          <div class="col-12 col-lg-6 order-lg-2">
            <MapBox ctx={ctx} map={props.map} kind="reports" label={ctx.t('rweb.public.map_label')} municipalities={props.municipalities} reports={points} />
            <p class="small mt-1 d-flex gap-3">
              <span><span class="pk-dot pk-dot-open" aria-hidden="true" /> {ctx.t('rweb.public.legend_open')}</span>
              <span><span class="pk-dot pk-dot-closed" aria-hidden="true" /> {ctx.t('rweb.public.legend_closed')}</span>
              <a class="ms-auto" href={props.rssHref} type="application/rss+xml">{ctx.t('rweb.public.rss')}</a>
            </p>
          </div>
          <div class="col-12 col-lg-6 order-lg-1">
            <p class="small text-secondary mb-2">{ctx.t('rweb.public.count', { n: props.rows.length })}</p>
            {props.rows.length === 0 ? <p class="text-muted">{ctx.t('report.none')}</p> : (
              <ul class="list-unstyled pk-report-list">
                {props.rows.map((r) => (
                  <li class="pk-card p-3 mb-2">
                    <div class="d-flex flex-wrap justify-content-between gap-2">
                      <a class="fw-bold" href={`/reports/${encodeURIComponent(r.tracking_code)}`}>{r.category.title[ctx.locale]}</a>
                      <StateBadge ctx={ctx} state={r.state} />
                    </div>
                    <div class="small text-secondary">
                      {props.orgNames.get(r.org) ?? r.org} · <time dateTime={new Date(r.created_at).toISOString()}>{formatDate(r.created_at, ctx.locale)}</time> · <Code ctx={ctx} code={r.tracking_code} />
                    </div>
                    {r.description ? <p class="mb-0 mt-1 pk-clamp">{r.description}</p> : null}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      </div>
      <MapScripts />
    </Layout>
  );
}

/** What happened to a report, oldest first: state changes and the municipality's public messages. */
export function Timeline(props: { ctx: ViewContext; updates: { state: ReportState | null; kind: string; comment: string | null; created_at: number }[] }) {
  const { ctx } = props;
  if (props.updates.length === 0) return <p class="text-muted">{ctx.t('rweb.detail.no_updates')}</p>;
  return (
    <ol class="pk-timeline list-unstyled">
      {props.updates.map((u) => (
        <li class="pk-timeline-item">
          <div class="small text-secondary"><time dateTime={new Date(u.created_at).toISOString()}>{formatDateTime(u.created_at, ctx.locale)}</time></div>
          <div class="fw-medium">
            {u.kind === 'state' && u.state ? ctx.t('rweb.update.state', { state: stateLabel(ctx, u.state) }) : hasMessage(`rweb.update.${u.kind}`) ? ctx.t(`rweb.update.${u.kind}`) : u.kind}
            {u.kind !== 'state' && u.state ? <> · <StateBadge ctx={ctx} state={u.state} /></> : null}
          </div>
          {u.comment ? <p class="mb-0 pk-message-body">{u.comment}</p> : null}
        </li>
      ))}
    </ol>
  );
}

export function Photos(props: { ctx: ViewContext; photos: { id: string; url: string; hidden?: boolean }[] }) {
  const { ctx } = props;
  if (props.photos.length === 0) return null;
  return (
    <section class="mb-3">
      <h2 class="h5">{ctx.t('rweb.detail.photos')}</h2>
      <div class="pk-photos">
        {props.photos.map((p, i) => (
          <a href={p.url}>
            <img src={p.url} alt={ctx.t('rweb.detail.photo_alt', { n: i + 1 })} loading="lazy" />
            {p.hidden ? <span class="small text-secondary d-block">{ctx.t('rweb.detail.photo_hidden')}</span> : null}
          </a>
        ))}
      </div>
    </section>
  );
}

/** One report as anyone sees it: no citizen, no address, no hidden description or photos; the point is already rounded. */
export function PublicReportPage(props: { ctx: ViewContext; map: MapSettings; report: PublicReportDetail; municipalities: Municipality[] }) {
  const { ctx, report: r } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('rweb.detail.title', { code: digits(ctx, r.tracking_code) })}>
      <div class="container py-4">
        <p><a href="/reports">{ctx.t('rweb.detail.back_public')}</a></p>
        <h1 class="h3 mb-3">{r.category.title[ctx.locale]} <small class="text-secondary fs-6"><Code ctx={ctx} code={r.tracking_code} /></small></h1>
        <div class="row g-4">
          <div class="col-12 col-lg-7">
            <dl class="pk-card p-3 row mb-3 mx-0">
              <dt class="col-5 col-sm-4">{ctx.t('rweb.detail.state')}</dt><dd class="col-7 col-sm-8"><StateBadge ctx={ctx} state={r.state} /></dd>
              <dt class="col-5 col-sm-4">{ctx.t('rweb.detail.org')}</dt><dd class="col-7 col-sm-8">{r.org_name[ctx.locale]}</dd>
              <dt class="col-5 col-sm-4">{ctx.t('rweb.detail.filed')}</dt><dd class="col-7 col-sm-8">{formatDate(r.created_at, ctx.locale)}</dd>
              {r.resolved_at ? <><dt class="col-5 col-sm-4">{ctx.t('rweb.detail.resolved')}</dt><dd class="col-7 col-sm-8">{formatDate(r.resolved_at, ctx.locale)}</dd></> : null}
            </dl>
            <section class="mb-3">
              <h2 class="h5">{ctx.t('rweb.detail.description')}</h2>
              {r.description ? <p class="pk-message-body">{r.description}</p> : <p class="text-secondary">{ctx.t('rweb.detail.description_hidden')}</p>}
            </section>
            <Photos ctx={ctx} photos={r.photos} />
            <section>
              <h2 class="h5">{ctx.t('rweb.detail.timeline')}</h2>
              <Timeline ctx={ctx} updates={r.updates} />
            </section>
          </div>
          <div class="col-12 col-lg-5">
            <h2 class="h6">{ctx.t('rweb.detail.approximate')}</h2>
            <MapBox ctx={ctx} map={props.map} kind="point" label={ctx.t('rweb.detail.map_label')} municipalities={props.municipalities} lat={r.lat} lng={r.lng} approximate small />
          </div>
        </div>
      </div>
      <MapScripts />
    </Layout>
  );
}
