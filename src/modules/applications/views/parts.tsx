import type { ViewContext } from '../../../platform/views/context.js';
import { formatDate, formatDateTime, formatNumber, formatRials } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import type { FieldDef, Localized, ServiceDefinition } from '../../catalog/definition.js';
import { displayValue, type FieldValue } from '../../catalog/workflow.js';
import type { ApplicationView, DocumentView, EventView, FormProblems } from '../service.js';

/** A definition's text in the page's language (English falls back to Persian). */
export const loc = (ctx: ViewContext, l: Localized | null | undefined): string => (l ? (ctx.locale === 'en' && l.en ? l.en : l.fa) : '');

/** Digits as the page's language writes them. */
export const digits = (ctx: ViewContext, s: string | number): string => (ctx.locale === 'fa' ? toPersianDigits(String(s)) : String(s));

/** Localized messages for form problems (field or document key -> sentence). */
export function problemMessages(ctx: ViewContext, problems: FormProblems | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(problems ?? {}).map(([k, p]) => [k, ctx.t(p.key, p.params)]));
}

export function FormError(props: { message?: string }) {
  return props.message ? <div class="alert alert-danger" role="alert">{props.message}</div> : null;
}

export function Notice(props: { message?: string | null }) {
  return props.message ? <div class="alert alert-success" role="status">{props.message}</div> : null;
}

/** The three steps of applying, with the current one marked for screen readers too. */
export function Steps(props: { ctx: ViewContext; current: 1 | 2 | 3; id?: string }) {
  const { ctx } = props;
  const names = ['apply.step.form', 'apply.step.documents', 'apply.step.review'];
  return (
    <nav aria-label={ctx.t('apply.steps_label')} class="mb-3">
      <ol class="list-inline mb-0 small">
        {names.map((n, i) => {
          const step = (i + 1) as 1 | 2 | 3;
          const here = step === props.current;
          const href = props.id ? [`/applications/${props.id}/edit`, `/applications/${props.id}/documents`, `/applications/${props.id}/review`][i] : undefined;
          const label = `${digits(ctx, step)}. ${ctx.t(n)}`;
          return (
            <li class={`list-inline-item px-2 py-1 rounded-pill ${here ? 'text-bg-success fw-bold' : 'bg-white border'}`} aria-current={here ? 'step' : undefined}>
              {href && !here && (step < props.current) ? <a href={href}>{label}</a> : <span>{label}</span>}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

export function FeesTable(props: { ctx: ViewContext; fees: { items: { key: string; title: Localized; amount: number }[]; total: number } }) {
  const { ctx, fees } = props;
  if (!fees.items.length) return <p class="text-secondary">{ctx.t('apply.fees_none')}</p>;
  return (
    <table class="table table-sm align-middle mb-2">
      <caption class="visually-hidden">{ctx.t('apply.fees_title')}</caption>
      <tbody>
        {fees.items.map((i) => (
          <tr>
            <th scope="row" class="fw-normal">{loc(ctx, i.title)}</th>
            <td class="text-end text-nowrap">{formatRials(i.amount, ctx.locale)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr class="fw-bold">
          <th scope="row">{ctx.t('apply.fees_total')}</th>
          <td class="text-end text-nowrap">{formatRials(fees.total, ctx.locale)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

/** The state of an application as a short badge: draft, the current step, or the outcome. */
export function StateBadge(props: { ctx: ViewContext; phase: string; state: { title: Localized; waitsFor: string }; outcome: string | null }) {
  const { ctx } = props;
  if (props.phase === 'draft') return <span class="badge text-bg-secondary">{ctx.t('application.phase.draft')}</span>;
  if (props.phase === 'closed') {
    const kind = props.outcome === 'granted' ? 'success' : props.outcome === 'refused' ? 'danger' : 'secondary';
    return <span class={`badge text-bg-${kind}`}>{loc(ctx, props.state.title)}</span>;
  }
  return <span class={`badge ${props.state.waitsFor === 'citizen' ? 'text-bg-warning' : 'text-bg-primary'}`}>{loc(ctx, props.state.title)}</span>;
}

export function DeadlineBadge(props: { ctx: ViewContext; status: string }) {
  const { ctx } = props;
  if (props.status === 'none') return null;
  const kind = props.status === 'late' ? 'danger' : props.status === 'at_risk' ? 'warning' : 'success';
  return <span class={`badge text-bg-${kind}`}>{ctx.t(`catalog.deadline.${props.status}`)}</span>;
}

export function When(props: { ctx: ViewContext; at: number | null; style?: 'short' | 'long'; time?: boolean }) {
  if (props.at === null) return <span>—</span>;
  const text = props.time ? formatDateTime(props.at, props.ctx.locale, props.style ?? 'short') : formatDate(props.at, props.ctx.locale, props.style ?? 'short');
  return <time dateTime={new Date(props.at).toISOString()}>{text}</time>;
}

/** A field's answer as read by a person; empty answers say so. */
export function answerText(ctx: ViewContext, field: FieldDef, value: FieldValue | undefined): string {
  if (field.type === 'location' && value && typeof value === 'object' && !Array.isArray(value)) {
    const coordinate = (n: number) => (ctx.locale === 'fa' ? digits(ctx, n).replace('.', '٫') : String(n));
    return `${ctx.t('apply.location_lat')} ${coordinate(value.lat)}${ctx.locale === 'fa' ? '، ' : ', '}${ctx.t('apply.location_lng')} ${coordinate(value.lng)}`;
  }
  const shown = displayValue(field, value ?? null, ctx.locale);
  return shown === '' ? ctx.t('apply.review_empty') : shown;
}

/** The answers as a description list, each with an optional "change" link to its field. */
export function Answers(props: { ctx: ViewContext; def: ServiceDefinition; values: Record<string, FieldValue>; changeHref?: (key: string) => string; problems?: Record<string, string> }) {
  const { ctx, def } = props;
  return (
    <dl class="mb-0">
      {def.fields.map((f) => (
        <div class={`row py-2 border-bottom${props.problems?.[f.key] ? ' bg-danger-subtle' : ''}`}>
          <dt class="col-sm-5 fw-medium">{loc(ctx, f.label)}</dt>
          <dd class={`${props.changeHref ? 'col-sm-5' : 'col-sm-7'} mb-0 pk-message-body`}>
            {answerText(ctx, f, props.values[f.key])}
            {props.problems?.[f.key] ? <span class="d-block text-danger small">{props.problems[f.key]}</span> : null}
          </dd>
          {props.changeHref ? (
            <dd class="col-sm-2 mb-0 text-sm-end">
              <a href={props.changeHref(f.key)}>{ctx.t('apply.review_change')}<span class="visually-hidden"> {loc(ctx, f.label)}</span></a>
            </dd>
          ) : null}
        </div>
      ))}
    </dl>
  );
}

export function kb(ctx: ViewContext, size: number): string {
  return ctx.t('apply.docs_size', { kb: Math.max(1, Math.round(size / 1024)) });
}

/** The documents grouped under the definition's titles, each a download link. */
export function DocumentList(props: { ctx: ViewContext; app: ApplicationView; docs?: DocumentView[] }) {
  const { ctx, app } = props;
  const docs = props.docs ?? app.documents;
  if (!docs.length) return <p class="text-secondary">{ctx.t('apply.docs_empty')}</p>;
  const titleOf = (key: string) => loc(ctx, app.definition.documents.find((d) => d.key === key)?.title) || ctx.t('mine.documents');
  return (
    <ul class="list-unstyled mb-0">
      {docs.map((d) => (
        <li class="mb-1">
          <span class="text-secondary">{titleOf(d.docKey)}: </span>
          <a href={`/applications/${app.id}/documents/${d.id}`}>{d.filename}</a>
          <span class="text-secondary small"> ({kb(ctx, d.size)})</span>
        </li>
      ))}
    </ul>
  );
}

export function History(props: { ctx: ViewContext; events: EventView[] }) {
  const { ctx } = props;
  if (!props.events.length) return <p class="text-secondary">{ctx.t('mine.history_empty')}</p>;
  return (
    <ol class="list-unstyled mb-0">
      {props.events.map((e) => {
        const title = e.type === 'submitted' ? ctx.t('application.event.submitted')
          : e.type === 'note' ? ctx.t('application.event.note')
            : e.type === 'rated' ? ctx.t('application.event.rated', { rating: e.rating ?? 0 })
              : e.type === 'external_status' ? ctx.t('application.event.external_status', { status: e.action ?? loc(ctx, e.toStateTitle) })
              : loc(ctx, e.actionTitle) || e.action || e.type;
        return (
          <li class={`border-start border-3 ps-3 pb-3 ${e.internal ? 'border-warning' : 'border-success'}`}>
            <div class="d-flex flex-wrap gap-2 align-items-baseline">
              <strong>{title}</strong>
              {e.toStateTitle && (e.type === 'action' || (e.type === 'external_status' && e.action)) ? <span class="text-secondary">← {loc(ctx, e.toStateTitle)}</span> : null}
              {e.internal ? <span class="badge text-bg-warning">{ctx.t('application.internal')}</span> : null}
            </div>
            <div class="small text-secondary">
              <When ctx={ctx} at={e.createdAt} time /> · {e.actorName ?? ctx.t(`application.actor.${e.actorKind}`)}
            </div>
            {e.comment ? <p class="pk-message-body mb-0 mt-1">{e.comment}</p> : null}
          </li>
        );
      })}
    </ol>
  );
}

export const rials = (ctx: ViewContext, n: number) => formatRials(n, ctx.locale);
export const number = (ctx: ViewContext, n: number) => formatNumber(n, ctx.locale);
