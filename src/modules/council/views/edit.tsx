import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout } from '../../../platform/views/components.js';
import { formatDate } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import { formatValue, type IndicatorDef } from './pages.js';

// The council's correction forms (a recorded meeting, a resolution) and its targets page. Each
// form shows what was typed again, with the message beside the field, when it is refused.

type Localized = { fa: string; en: string };
type Values = Record<string, string>;
const loc = (ctx: ViewContext, l: Localized) => (ctx.locale === 'en' && l.en ? l.en : l.fa);

interface FormState { values: Values; errors?: Record<string, string>; error?: string; flash?: string }

/** A labelled text input or textarea with its hint and error, tied together for screen readers. */
function Input(props: { ctx: ViewContext; id: string; name: string; label: string; state: FormState; hint?: string; ltr?: boolean; area?: boolean; required?: boolean; col?: string }) {
  const { state, id } = props;
  const error = state.errors?.[props.name];
  const describedBy = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name: props.name, class: `form-control${props.ltr ? ' pk-ltr' : ''}${error ? ' is-invalid' : ''}`, dir: props.ltr ? 'ltr' : undefined,
    required: props.required, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy,
  } as const;
  return (
    <div class={props.col ?? 'col-12'}>
      <label class="form-label" for={id}>{props.label}</label>
      {props.area ? <textarea {...common} rows={3} value={state.values[props.name] ?? ''} /> : <input {...common} value={state.values[props.name] ?? ''} />}
      {props.hint ? <div id={`${id}-hint`} class="form-text">{props.hint}</div> : null}
      {error ? <div id={`${id}-error`} class="invalid-feedback d-block">{error}</div> : null}
    </div>
  );
}

function Messages(props: { state: FormState }) {
  return (
    <>
      {props.state.flash ? <Alert kind="success">{props.state.flash}</Alert> : null}
      {props.state.error ? <Alert kind="danger">{props.state.error}</Alert> : null}
    </>
  );
}

const fieldError = (state: FormState, name: string, id: string) => (state.errors?.[name] ? <div id={`${id}-error`} class="invalid-feedback d-block">{state.errors[name]}</div> : null);

export function MeetingEditPage(props: { ctx: ViewContext; number: number; orgs: { code: string; name: Localized }[]; present: string[]; state: FormState }) {
  const { ctx, state } = props;
  const title = ctx.t('council.edit_meeting', { n: props.number });
  return (
    <Layout ctx={ctx} title={title}>
      <div class="container py-4">
        <p><a href="/staff/council">{ctx.t('council.back')}</a></p>
        <h1 class="h3">{title}</h1>
        <p class="text-body-secondary">{ctx.t('council.edit_lead')}</p>
        <Messages state={state} />
        <form method="post" action={`/staff/council/meetings/${props.number}/edit`} class="card card-body" novalidate>
          <CsrfInput ctx={ctx} />
          <div class="row g-3">
            <Input ctx={ctx} id="m-held" name="held_on" label={ctx.t('council.form.held_on')} state={state} ltr required col="col-md-3" />
            <Input ctx={ctx} id="m-title" name="title_fa" label={ctx.t('council.form.title')} state={state} required col="col-md-5" />
            <Input ctx={ctx} id="m-title-en" name="title_en" label={ctx.t('council.form.title_en')} state={state} ltr col="col-md-4" />
            <fieldset class="col-12" aria-describedby={state.errors?.orgs_present ? 'm-orgs-error' : undefined}>
              <legend class="form-label fs-6">{ctx.t('council.form.orgs_present')}</legend>
              <div class="row row-cols-2 row-cols-md-4 g-1 border rounded p-2 mx-0">
                {props.orgs.map((o) => (
                  <div class="col form-check ps-4">
                    <input id={`m-org-${o.code}`} name="orgs_present" type="checkbox" value={o.code} class="form-check-input" checked={props.present.includes(o.code)} />
                    <label class="form-check-label" for={`m-org-${o.code}`}>{loc(ctx, o.name)}</label>
                  </div>
                ))}
              </div>
              {fieldError(state, 'orgs_present', 'm-orgs')}
            </fieldset>
            <Input ctx={ctx} id="m-summary" name="summary_fa" label={ctx.t('council.form.summary')} state={state} area />
            <Input ctx={ctx} id="m-summary-en" name="summary_en" label={ctx.t('council.form.summary_en')} state={state} area ltr />
          </div>
          <div class="mt-3"><button class="btn btn-primary" type="submit">{ctx.t('common.save')}</button></div>
        </form>
      </div>
    </Layout>
  );
}

export function ResolutionEditPage(props: { ctx: ViewContext; id: string; meeting: number; number: number; orgs: { code: string; name: Localized }[]; state: FormState }) {
  const { ctx, state } = props;
  const title = ctx.t('council.edit_resolution', { number: props.number, meeting: props.meeting });
  const v = state.values;
  return (
    <Layout ctx={ctx} title={title}>
      <div class="container py-4">
        <p><a href="/staff/council">{ctx.t('council.back')}</a></p>
        <h1 class="h3">{title}</h1>
        <p class="text-body-secondary">{ctx.t('council.edit_lead')}</p>
        <Messages state={state} />
        <form method="post" action={`/staff/council/resolutions/${props.id}/edit`} class="card card-body mb-3" novalidate>
          <CsrfInput ctx={ctx} />
          <div class="row g-3">
            <Input ctx={ctx} id="r-text" name="text_fa" label={ctx.t('council.form.text')} state={state} area required col="col-md-6" />
            <Input ctx={ctx} id="r-text-en" name="text_en" label={ctx.t('council.form.text_en')} state={state} area ltr col="col-md-6" />
            <Input ctx={ctx} id="r-output" name="expected_output_fa" label={ctx.t('council.form.output')} state={state} required col="col-md-6" />
            <Input ctx={ctx} id="r-output-en" name="expected_output_en" label={ctx.t('council.form.output_en')} state={state} ltr col="col-md-6" />
            <div class="col-md-4">
              <label class="form-label" for="r-org">{ctx.t('council.col.org')}</label>
              <select id="r-org" name="responsible_org" class={`form-select${state.errors?.responsible_org ? ' is-invalid' : ''}`} aria-describedby={state.errors?.responsible_org ? 'r-org-error' : undefined}>
                {props.orgs.map((o) => <option value={o.code} selected={v.responsible_org === o.code}>{loc(ctx, o.name)}</option>)}
              </select>
              {fieldError(state, 'responsible_org', 'r-org')}
            </div>
            <Input ctx={ctx} id="r-deadline" name="deadline" label={ctx.t('council.form.deadline')} state={state} ltr hint={ctx.t('council.form.deadline_hint')} col="col-md-4" />
            <div class="col-md-4">
              <label class="form-label" for="r-state">{ctx.t('council.col.state')}</label>
              <select id="r-state" name="state" class={`form-select${state.errors?.state ? ' is-invalid' : ''}`}>
                {(['open', 'done', 'cancelled'] as const).map((s) => <option value={s} selected={v.state === s}>{ctx.t(`council.state.${s}`)}</option>)}
              </select>
              {fieldError(state, 'state', 'r-state')}
            </div>
            <div class="col-12 form-check ms-2">
              <input id="r-internal" name="internal" type="checkbox" class="form-check-input" checked={v.internal === 'on'} aria-describedby="r-internal-hint" />
              <label class="form-check-label" for="r-internal">{ctx.t('council.form.internal')}</label>
              <div id="r-internal-hint" class="form-text">{ctx.t('council.form.internal_hint')}</div>
            </div>
          </div>
          <div class="mt-3"><button class="btn btn-primary" type="submit">{ctx.t('common.save')}</button></div>
        </form>
        {v.state !== 'cancelled' ? (
          <form method="post" action={`/staff/council/resolutions/${props.id}/state`}>
            <CsrfInput ctx={ctx} />
            <input type="hidden" name="state" value="cancelled" />
            <button class="btn btn-outline-danger" type="submit">{ctx.t('council.form.cancel_resolution')}</button>
          </form>
        ) : null}
      </div>
    </Layout>
  );
}

export interface TargetRow { indicator: string; org: { code: string; name: Localized } | null; target: number; set_at: number }

export function TargetsPage(props: {
  ctx: ViewContext; period: string; indicators: IndicatorDef[]; orgs: { code: string; kind: string; name: Localized }[]; targets: TargetRow[]; state: FormState;
}) {
  const { ctx, state, indicators } = props;
  const title = (code: string) => {
    const i = indicators.find((x) => x.code === code);
    return i ? loc(ctx, { fa: i.title_fa, en: i.title_en }) : code;
  };
  const unitOf = (code: string) => indicators.find((x) => x.code === code)?.unit ?? 'count';
  const scope = (t: TargetRow) => (t.org ? loc(ctx, t.org.name) : ctx.t('council.province'));
  const digits = (s: string) => (ctx.locale === 'fa' ? toPersianDigits(s) : s);
  const municipalities = props.orgs.filter((o) => o.kind === 'municipality');
  return (
    <Layout ctx={ctx} title={ctx.t('council.targets_title')}>
      <div class="container py-4">
        <p><a href="/staff/council">{ctx.t('council.back')}</a></p>
        <h1 class="h3">{ctx.t('council.targets_title')}</h1>
        <p class="lead">{ctx.t('council.targets_lead')}</p>
        <Messages state={state} />
        <form method="get" action="/staff/council/targets" class="row g-2 align-items-end mb-3">
          <div class="col-auto">
            <label class="form-label" for="t-show-period">{ctx.t('council.period')}</label>
            <input id="t-show-period" name="period" class="form-control pk-ltr" dir="ltr" value={digits(props.period)} aria-describedby="t-show-period-hint" />
            <div id="t-show-period-hint" class="form-text">{ctx.t('council.period_hint')}</div>
          </div>
          <div class="col-auto"><button class="btn btn-outline-primary" type="submit">{ctx.t('council.show')}</button></div>
        </form>
        <p><a href={`/council/indicators?period=${encodeURIComponent(props.period)}`}>{ctx.t('council.targets_public')}</a></p>
        <section class="mb-4" aria-labelledby="targets-list">
          <h2 class="h5" id="targets-list">{ctx.t('council.targets_title')} — {digits(props.period)}</h2>
          {props.targets.length === 0 ? <p>{ctx.t('council.targets_none')}</p> : (
            <div class="table-responsive">
              <table class="table align-middle">
                <thead><tr>
                  <th scope="col">{ctx.t('council.col.indicator')}</th><th scope="col">{ctx.t('council.col.scope')}</th>
                  <th scope="col">{ctx.t('council.col.target')}</th><th scope="col">{ctx.t('council.col.set_at')}</th><th scope="col"><span class="visually-hidden">{ctx.t('council.target_remove')}</span></th>
                </tr></thead>
                <tbody>
                  {props.targets.map((t) => (
                    <tr>
                      <th scope="row">{title(t.indicator)}</th>
                      <td>{scope(t)}</td>
                      <td>{formatValue(ctx, unitOf(t.indicator), t.target)}</td>
                      <td>{formatDate(t.set_at, ctx.locale)}</td>
                      <td>
                        <form method="post" action="/staff/council/targets/remove">
                          <CsrfInput ctx={ctx} />
                          <input type="hidden" name="indicator" value={t.indicator} />
                          <input type="hidden" name="org" value={t.org?.code ?? ''} />
                          <input type="hidden" name="period" value={props.period} />
                          <button class="btn btn-outline-danger btn-sm" type="submit" aria-label={ctx.t('council.target_remove_label', { indicator: title(t.indicator), org: scope(t) })}>{ctx.t('council.target_remove')}</button>
                        </form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section class="card card-body mb-4" aria-labelledby="target-form-title">
          <h2 class="h5" id="target-form-title">{ctx.t('council.target_form')}</h2>
          <form method="post" action="/staff/council/targets" novalidate>
            <CsrfInput ctx={ctx} />
            <div class="row g-3">
              <div class="col-md-4">
                <label class="form-label" for="t-indicator">{ctx.t('council.form.indicator')}</label>
                <select id="t-indicator" name="indicator" class={`form-select${state.errors?.indicator ? ' is-invalid' : ''}`}>
                  {indicators.map((i) => <option value={i.code} selected={state.values.indicator === i.code}>{loc(ctx, { fa: i.title_fa, en: i.title_en })}</option>)}
                </select>
                {fieldError(state, 'indicator', 't-indicator')}
              </div>
              <div class="col-md-3">
                <label class="form-label" for="t-org">{ctx.t('council.col.scope')}</label>
                <select id="t-org" name="org" class={`form-select${state.errors?.org ? ' is-invalid' : ''}`}>
                  <option value="" selected={!state.values.org}>{ctx.t('council.province')}</option>
                  {municipalities.map((o) => <option value={o.code} selected={state.values.org === o.code}>{loc(ctx, o.name)}</option>)}
                </select>
                {fieldError(state, 'org', 't-org')}
              </div>
              <Input ctx={ctx} id="t-period" name="period" label={ctx.t('council.period')} state={state} ltr required hint={ctx.t('council.period_hint')} col="col-md-2" />
              <Input ctx={ctx} id="t-target" name="target" label={ctx.t('council.col.target')} state={state} ltr required hint={ctx.t('council.target_hint')} col="col-md-3" />
            </div>
            <div class="mt-3"><button class="btn btn-primary" type="submit">{ctx.t('common.save')}</button></div>
          </form>
        </section>
      </div>
    </Layout>
  );
}
