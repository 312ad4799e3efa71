import type { ViewContext } from '../../../platform/views/context.js';
import { formatDate, formatDateTime, formatNumber } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import type { Localized } from '../../catalog/definition.js';
import type { DeadlineStatus } from '../deadlines.js';

// Small pieces shared by the inbox, the case page and the counter.

export const loc = (ctx: ViewContext, l: Localized | { fa: string; en?: string | null } | null | undefined): string =>
  !l ? '' : ctx.locale === 'en' && l.en ? l.en : l.fa;

export const digits = (ctx: ViewContext, s: string | null | undefined): string => (s == null ? '' : ctx.locale === 'fa' ? toPersianDigits(s) : s);

export const dateOf = (ctx: ViewContext, ms: number | null | undefined): string => (ms == null ? '—' : formatDate(ms, ctx.locale));
export const dateTimeOf = (ctx: ViewContext, ms: number | null | undefined): string => (ms == null ? '—' : formatDateTime(ms, ctx.locale));
export const num = (ctx: ViewContext, n: number): string => formatNumber(n, ctx.locale);

const BADGE: Record<DeadlineStatus, string> = {
  on_time: 'text-bg-success',
  at_risk: 'text-bg-warning',
  late: 'text-bg-danger',
  none: 'text-bg-light border',
};

/** The deadline status as a coloured badge whose text says it (colour is never the only cue). */
export function DeadlineBadge(props: { ctx: ViewContext; status: DeadlineStatus; waiting?: 'office' | 'citizen' | null }) {
  const { ctx } = props;
  if (props.waiting === 'citizen') return <span class="badge text-bg-info" data-status="citizen">{ctx.t('casework.waiting_citizen')}</span>;
  return <span class={`badge ${BADGE[props.status]}`} data-status={props.status}>{ctx.t(`casework.deadline.${props.status}`)}</span>;
}

/** A <select> with a label; `value` picks the selected option. */
export function Select(props: { ctx: ViewContext; name: string; label: string; value?: string; options: { value: string; label: string }[]; any?: boolean; required?: boolean; class?: string }) {
  const id = `f-${props.name}`;
  return (
    <div class={props.class ?? 'col-12 col-sm-6 col-lg-3'}>
      <label class="form-label small" for={id}>{props.label}</label>
      <select class="form-select form-select-sm" id={id} name={props.name} required={props.required}>
        {props.any === false ? null : <option value="">{props.ctx.t('casework.any')}</option>}
        {props.options.map((o) => <option value={o.value} selected={o.value === props.value}>{o.label}</option>)}
      </select>
    </div>
  );
}

/** A labelled textarea with its hint and error, wired for screen readers. */
export function TextArea(props: { ctx: ViewContext; id: string; name: string; label: string; value?: string; error?: string; hint?: string; required?: boolean; rows?: number; maxLength?: number }) {
  const describedBy = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="mb-3">
      <label class="form-label" for={props.id}>{props.label}</label>
      <textarea id={props.id} name={props.name} rows={props.rows ?? 3} maxLength={props.maxLength ?? 2000}
        class={`form-control${props.error ? ' is-invalid' : ''}`} required={props.required} aria-required={props.required ? 'true' : undefined}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={describedBy}>{props.value ?? ''}</textarea>
      {props.hint ? <div id={`${props.id}-hint`} class="form-text">{props.hint}</div> : null}
      {props.error ? <div id={`${props.id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}
