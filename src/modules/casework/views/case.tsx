import type { ComponentChild } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout, SummaryCard } from '../../../platform/views/components.js';
import type { ActionDef } from '../../catalog/definition.js';
import { actionTitle, type ApplicationView, type EventView } from '../../applications/service.js';
import { Answers, DocumentList, FeesTable } from '../../applications/views/parts.js';
import type { CaseExtras } from '../service.js';
import { DeadlineBadge, TextArea, dateOf, dateTimeOf, digits, loc } from './parts.js';

export interface CasePageProps {
  ctx: ViewContext;
  app: ApplicationView;
  extras: CaseExtras;
  /** A success message after a redirect. */
  flash?: string;
  /** A failure of the last form, with the form it came from (an action name, 'note', 'assign', 'claim'). */
  failure?: { form: string; message: string; errors: Record<string, string>; values: Record<string, string> };
  /** The action forms need multipart/form-data when an attachment can be sent. */
  attachmentField: string;
}

function Summary(props: CasePageProps) {
  const { ctx, app, extras } = props;
  const c = app.citizen;
  const name = [c?.firstName, c?.lastName].filter(Boolean).join(' ');
  const rows: [string, ComponentChild][] = [
    [ctx.t('casework.case_org'), loc(ctx, app.org.name)],
    [ctx.t('casework.case_service'), loc(ctx, app.service.title)],
    [ctx.t('casework.case_citizen'), name || '—'],
    [ctx.t('casework.case_mobile'), <span dir="ltr">{digits(ctx, c?.mobile ?? '')}</span>],
    [ctx.t('casework.case_national_code'), <span dir="ltr">{digits(ctx, c?.nationalCode ?? '—')}</span>],
    [ctx.t('casework.case_channel'), ctx.t(`casework.channel.${app.channel}`)],
    [ctx.t('casework.case_submitted'), dateTimeOf(ctx, app.submittedAt)],
    [ctx.t('casework.case_state'), loc(ctx, app.state.title)],
    [ctx.t('casework.case_deadline'), (
      <span>
        {app.dueAt != null ? `${dateTimeOf(ctx, app.dueAt)} ` : app.citizenDueAt != null ? `${dateTimeOf(ctx, app.citizenDueAt)} ` : ''}
        {app.phase === 'open' ? <DeadlineBadge ctx={ctx} status={app.deadlineStatus} waiting={app.state.waitsFor} /> : null}
        {extras.escalated ? <span class="badge text-bg-dark ms-1">{ctx.t('casework.escalated_badge')}</span> : null}
      </span>
    )],
    [ctx.t('casework.case_assignee'), extras.assignee?.name ?? ctx.t('casework.nobody')],
  ];
  return (
    <SummaryCard title={ctx.t('casework.case_summary')} rows={rows} />
  );
}

function eventTitle(ctx: ViewContext, e: EventView, extras: CaseExtras): string {
  const mine = extras.events.get(e.id);
  switch (e.type) {
    case 'submitted': return ctx.t('casework.event.submitted');
    case 'note': return ctx.t('casework.event.note');
    case 'claimed': return ctx.t('casework.event.claimed');
    case 'assigned': return ctx.t('casework.event.assigned', { name: mine?.assigneeName ?? '—' });
    case 'unassigned': return ctx.t('casework.event.unassigned');
    case 'escalated': return ctx.t('casework.event.escalated');
    case 'rated': return ctx.t('application.event.rated', { rating: Number((e as EventView & { rating?: number }).rating ?? 0) });
    default: return loc(ctx, e.actionTitle) || e.action || e.type;
  }
}

function History(props: CasePageProps) {
  const { ctx, app, extras } = props;
  const docName = new Map(app.documents.map((d) => [d.id, d.filename]));
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="history-title">
      <h2 class="h5" id="history-title">{ctx.t('casework.case_history')}</h2>
      {app.history.length === 0 ? <p class="text-secondary mb-0">{ctx.t('casework.case_no_history')}</p> : (
        <ol class="list-unstyled mb-0">
          {[...app.history].reverse().map((e) => (
            <li class={`border-start border-3 ps-3 pb-3 ${e.internal ? 'border-warning' : 'border-success'}`} data-event={e.type}>
              <div class="d-flex flex-wrap gap-2 align-items-baseline">
                <strong>{eventTitle(ctx, e, extras)}</strong>
                {e.toStateTitle && (e.type === 'action' || e.type === 'submitted') ? <span class="text-secondary">← {loc(ctx, e.toStateTitle)}</span> : null}
                {e.internal ? <span class="badge text-bg-warning">{ctx.t('casework.internal')}</span> : null}
              </div>
              <div class="small text-secondary">
                <time dateTime={new Date(e.createdAt).toISOString()}>{dateTimeOf(ctx, e.createdAt)}</time>
                {' · '}
                {e.actorName ?? (e.actorKind === 'citizen' ? ctx.t('casework.event.by_citizen') : ctx.t('casework.event.by_system'))}
              </div>
              {e.comment ? <p class="pk-message-body mb-0 mt-1">{e.comment}</p> : null}
              {e.documentIds.length ? (
                <ul class="list-unstyled small mb-0 mt-1">
                  {e.documentIds.map((d) => <li><a href={`/applications/${app.id}/documents/${d}`}>{docName.get(d) ?? ctx.t('casework.attachment')}</a></li>)}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ActionForm(props: CasePageProps & { action: ActionDef }) {
  const { ctx, app, action, failure } = props;
  const title = loc(ctx, actionTitle(action, action.name));
  const needsComment = action.requires.includes('comment');
  const needsFile = action.requires.includes('attachment');
  const mine = failure?.form === `action:${action.name}` ? failure : undefined;
  const id = `act-${action.name}`;
  const mayBeInternal = action.by === 'staff' && !action.to_citizen;
  return (
    <form method="post" action={`/staff/applications/${app.id}/act`} enctype="multipart/form-data" class="border rounded p-3 mb-3" aria-labelledby={`${id}-title`} data-action={action.name}>
      <CsrfInput ctx={ctx} />
      <input type="hidden" name="action" value={action.name} />
      <h3 class="h6" id={`${id}-title`}>{title}</h3>
      {mine?.message ? <Alert kind="danger">{mine.message}</Alert> : null}
      {action.to_citizen ? <p class="small text-secondary mb-2">{ctx.t('casework.to_citizen_hint')}</p> : null}
      <TextArea ctx={ctx} id={`${id}-comment`} name="comment" label={ctx.t(needsComment ? 'casework.comment_required' : 'casework.comment')}
        required={needsComment} value={mine?.values.comment} error={mine?.errors.comment} rows={2} />
      {mayBeInternal ? (
        <div class="form-check mb-2">
          <input class="form-check-input" type="checkbox" id={`${id}-internal`} name="internal" value="on" checked={mine?.values.internal === 'on'} />
          <label class="form-check-label small" for={`${id}-internal`}>{ctx.t('casework.internal_comment')}</label>
        </div>
      ) : null}
      <div class="mb-3">
        <label class="form-label" for={`${id}-file`}>{ctx.t(needsFile ? 'casework.attachment_required' : 'casework.attachment')}</label>
        <input class={`form-control${mine?.errors.documents ? ' is-invalid' : ''}`} type="file" id={`${id}-file`} name={props.attachmentField} required={needsFile}
          accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" aria-invalid={mine?.errors.documents ? 'true' : undefined}
          aria-describedby={mine?.errors.documents ? `${id}-file-error` : undefined} />
        {mine?.errors.documents ? <div id={`${id}-file-error`} class="invalid-feedback d-block">{mine.errors.documents}</div> : null}
      </div>
      <button type="submit" class={`btn ${action.to.includes('reject') || action.name.includes('reject') ? 'btn-outline-danger' : 'btn-primary'}`}>
        {ctx.t('casework.do_action', { action: title })}
      </button>
    </form>
  );
}

function Assignment(props: CasePageProps) {
  const { ctx, app, extras, failure } = props;
  if (!extras.canClaim && !extras.canAssign) return null;
  const mine = failure && (failure.form === 'claim' || failure.form === 'assign') ? failure : undefined;
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="assign-title">
      <h2 class="h5" id="assign-title">{ctx.t('casework.case_assignee')}</h2>
      <p class="mb-2">{extras.assignee?.name ?? ctx.t('casework.nobody')}</p>
      {mine ? <Alert kind="danger">{mine.message}</Alert> : null}
      {extras.canClaim ? (
        <form method="post" action={`/staff/applications/${app.id}/claim`} class="mb-3">
          <CsrfInput ctx={ctx} />
          <button type="submit" class="btn btn-primary">{ctx.t('casework.claim')}</button>
          <div class="form-text">{ctx.t('casework.claim_hint')}</div>
        </form>
      ) : null}
      {extras.canAssign ? (
        <form method="post" action={`/staff/applications/${app.id}/assign`}>
          <CsrfInput ctx={ctx} />
          <label class="form-label" for="f-staff_id">{ctx.t('casework.assign_to')}</label>
          <div class="input-group">
            <select class={`form-select${mine?.errors.staff_id ? ' is-invalid' : ''}`} id="f-staff_id" name="staff_id">
              <option value="">{ctx.t('casework.unassign')}</option>
              {extras.colleagues.map((c) => (
                <option value={c.id} selected={c.id === extras.assignee?.id}>{`${c.name} (${c.roles.map((r) => ctx.t(`role.${r}`)).join('، ')})`}</option>
              ))}
            </select>
            <button type="submit" class="btn btn-outline-primary">{ctx.t('casework.assign')}</button>
          </div>
          {mine?.errors.staff_id ? <div class="invalid-feedback d-block">{mine.errors.staff_id}</div> : null}
        </form>
      ) : null}
    </section>
  );
}

function NoteForm(props: CasePageProps) {
  const { ctx, app, failure } = props;
  const mine = failure?.form === 'note' ? failure : undefined;
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby="note-title">
      <h2 class="h5" id="note-title">{ctx.t('casework.note_title')}</h2>
      {mine?.message && !mine.errors.text ? <Alert kind="danger">{mine.message}</Alert> : null}
      <form method="post" action={`/staff/applications/${app.id}/notes`}>
        <CsrfInput ctx={ctx} />
        <TextArea ctx={ctx} id="f-note" name="text" label={ctx.t('casework.note_text')} hint={ctx.t('casework.note_hint')} required value={mine?.values.text} error={mine?.errors.text} />
        <button type="submit" class="btn btn-outline-primary">{ctx.t('casework.note_add')}</button>
      </form>
    </section>
  );
}

export function CasePage(props: CasePageProps) {
  const { ctx, app } = props;
  const code = app.trackingCode ?? ctx.t('casework.case_draft');
  const actions = app.actions.filter((a) => a.by === 'staff' || a.by === 'citizen');
  const generalFailure = props.failure && !props.failure.form.startsWith('action:') && !['note', 'claim', 'assign'].includes(props.failure.form) ? props.failure : undefined;
  return (
    <Layout ctx={ctx} title={ctx.t('casework.case_title', { code })}>
      <div class="container-xl py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/staff/inbox">{ctx.t('casework.inbox_title')}</a></li><li class="breadcrumb-item active" aria-current="page"><span dir="ltr">{code}</span></li></ol></nav>
        <h1 class="h3">{ctx.t('casework.case_title', { code: '' })}<span dir="ltr">{code}</span></h1>
        <p class="text-secondary">{loc(ctx, app.service.title)} · {dateOf(ctx, app.submittedAt)}</p>
        {props.flash ? <Alert kind="success">{props.flash}</Alert> : null}
        {generalFailure ? <Alert kind="danger">{generalFailure.message}</Alert> : null}
        <div class="row g-3">
          <div class="col-12 col-lg-8">
            <Summary {...props} />
            <section class="pk-card p-3 mb-3" aria-labelledby="form-title">
              <h2 class="h5" id="form-title">{ctx.t('casework.case_form')}</h2>
              <Answers ctx={ctx} def={app.definition} values={app.values} />
            </section>
            <section class="pk-card p-3 mb-3" aria-labelledby="docs-title">
              <h2 class="h5" id="docs-title">{ctx.t('casework.case_documents')}</h2>
              <DocumentList ctx={ctx} app={app} />
            </section>
            <section class="pk-card p-3 mb-3" aria-labelledby="fees-title">
              <h2 class="h5" id="fees-title">{ctx.t('casework.case_fees')}</h2>
              <FeesTable ctx={ctx} fees={app.fees} />
            </section>
            <History {...props} />
          </div>
          <div class="col-12 col-lg-4">
            <Assignment {...props} />
            {app.phase === 'open' ? (
              <section class="pk-card p-3 mb-3" aria-labelledby="actions-title">
                <h2 class="h5" id="actions-title">{ctx.t('casework.case_actions')}</h2>
                {actions.length === 0 ? <p class="text-secondary mb-0">{ctx.t('casework.case_no_actions')}</p> : actions.map((a) => <ActionForm {...props} action={a} />)}
              </section>
            ) : null}
            <NoteForm {...props} />
            <a href="/staff/inbox">{ctx.t('casework.back_to_inbox')}</a>
          </div>
        </div>
      </div>
    </Layout>
  );
}
