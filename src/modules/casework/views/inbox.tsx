import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout } from '../../../platform/views/components.js';
import type { InboxInput, InboxPage as InboxData, NoticeView, OrgLoad } from '../service.js';
import { DeadlineBadge, Select, dateOf, dateTimeOf, digits, loc, num } from './parts.js';

export interface InboxPageProps {
  ctx: ViewContext;
  data: InboxData;
  filters: InboxInput;
  loads: OrgLoad[];
  notices: NoticeView[];
  orgNames: Map<string, string>;
  /** Organizations the actor may pick (their own; every municipality for the province admin). */
  orgChoices: string[];
  canCounter: boolean;
}

const FILTER_KEYS = ['org', 'state', 'service', 'deadline', 'assigned', 'channel', 'q', 'phase', 'escalated', 'sort'] as const;

/** The inbox URL for these filters (and page), keeping only what is set. */
export function inboxHref(filters: InboxInput, change: Partial<Record<(typeof FILTER_KEYS)[number] | 'page', string | number | undefined>> = {}): string {
  const params = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = k in change ? change[k] : k === 'escalated' ? (filters.escalated ? 'true' : undefined) : filters[k];
    if (v !== undefined && v !== '') params.set(k, String(v));
  }
  const page = 'page' in change ? change.page : undefined;
  if (page !== undefined && page !== 1) params.set('page', String(page));
  const s = params.toString();
  return s ? `/staff/inbox?${s}` : '/staff/inbox';
}

function Filters(props: InboxPageProps) {
  const { ctx, data, filters } = props;
  const t = ctx.t;
  return (
    <form method="get" action="/staff/inbox" class="pk-card p-3 mb-3" aria-label={t('casework.filters')}>
      <div class="row g-2 align-items-end">
        {props.orgChoices.length > 1 ? (
          <Select ctx={ctx} name="org" label={t('casework.filter.org')} value={filters.org}
            options={props.orgChoices.map((code) => ({ value: code, label: props.orgNames.get(code) ?? code }))} />
        ) : null}
        <div class="col-12 col-sm-6 col-lg-3">
          <label class="form-label small" for="f-q">{t('casework.filter.q')}</label>
          <input class="form-control form-control-sm" id="f-q" name="q" type="search" value={filters.q ?? ''} maxLength={100} aria-describedby="f-q-hint" />
          <div id="f-q-hint" class="form-text small">{t('casework.filter.q_hint')}</div>
        </div>
        <Select ctx={ctx} name="state" label={t('casework.filter.state')} value={filters.state} options={data.states.map((s) => ({ value: s.key, label: loc(ctx, s.title) }))} />
        <Select ctx={ctx} name="service" label={t('casework.filter.service')} value={filters.service} options={data.services.map((s) => ({ value: s.code, label: loc(ctx, s.title) }))} />
        <Select ctx={ctx} name="deadline" label={t('casework.filter.deadline')} value={filters.deadline}
          options={(['late', 'at_risk', 'on_time', 'none'] as const).map((d) => ({ value: d, label: t(`casework.deadline.${d}`) }))} />
        <Select ctx={ctx} name="assigned" label={t('casework.filter.assigned')} value={filters.assigned}
          options={[{ value: 'me', label: t('casework.assigned.me') }, { value: 'unassigned', label: t('casework.assigned.unassigned') }]} />
        <Select ctx={ctx} name="channel" label={t('casework.filter.channel')} value={filters.channel}
          options={(['web', 'counter', 'api'] as const).map((c) => ({ value: c, label: t(`casework.channel.${c}`) }))} />
        <Select ctx={ctx} name="phase" label={t('casework.filter.phase')} value={filters.phase ?? 'open'} any={false}
          options={(['open', 'closed', 'all'] as const).map((p) => ({ value: p, label: t(`casework.phase.${p}`) }))} />
        <Select ctx={ctx} name="sort" label={t('casework.filter.sort')} value={filters.sort ?? 'deadline'} any={false}
          options={(['deadline', 'submitted', '-submitted'] as const).map((s) => ({ value: s, label: t(`casework.sort.${s}`) }))} />
        <div class="col-12 col-sm-6 col-lg-3">
          <div class="form-check mb-1">
            <input class="form-check-input" type="checkbox" id="f-escalated" name="escalated" value="true" checked={filters.escalated === true} />
            <label class="form-check-label small" for="f-escalated">{t('casework.filter.escalated')}</label>
          </div>
          <div class="d-flex gap-2">
            <button type="submit" class="btn btn-primary btn-sm">{t('casework.filter.apply')}</button>
            <a class="btn btn-link btn-sm" href="/staff/inbox">{t('casework.filter.clear')}</a>
          </div>
        </div>
      </div>
    </form>
  );
}

function Notices(props: InboxPageProps) {
  const { ctx } = props;
  if (props.notices.length === 0) return null;
  return (
    <section class="mb-4" aria-labelledby="escalations-title">
      <h2 class="h5" id="escalations-title">{ctx.t('casework.escalations_title')} <span class="badge text-bg-danger">{num(ctx, props.notices.length)}</span></h2>
      <ul class="list-group">
        {props.notices.map((n) => (
          <li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2">
            <span>
              {n.application_id ? <a href={`/staff/applications/${n.application_id}`} dir="ltr" class="fw-medium">{n.tracking_code ?? n.application_id.slice(0, 8)}</a> : null}
              {' — '}
              {ctx.t('casework.escalation_line', { service: loc(ctx, n.service_title), state: loc(ctx, n.state?.title), due: dateTimeOf(ctx, n.due_at) })}
            </span>
            <form method="post" action={`/staff/notices/${n.id}/read`}>
              <CsrfInput ctx={ctx} />
              <button type="submit" class="btn btn-outline-secondary btn-sm">{ctx.t('casework.notice_read')}</button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Load(props: { ctx: ViewContext; load: OrgLoad; orgName: string; filters: InboxInput }) {
  const { ctx, load } = props;
  const t = ctx.t;
  const link = (change: Parameters<typeof inboxHref>[1]) => inboxHref({ org: load.org }, change);
  return (
    <section class="pk-card p-3 mb-4" aria-labelledby={`load-${load.org}`}>
      <h2 class="h5" id={`load-${load.org}`}>{t('casework.load_title', { org: props.orgName })}</h2>
      <div class="d-flex flex-wrap gap-3 mb-3">
        <span>{t('casework.load_open')}: <strong>{num(ctx, load.open)}</strong></span>
        <a href={link({ assigned: 'unassigned' })}>{t('casework.load_unassigned')}: <strong>{num(ctx, load.unassigned)}</strong></a>
        <a href={link({ escalated: 'true' })}>{t('casework.load_escalated')}: <strong>{num(ctx, load.escalated)}</strong></a>
      </div>
      <div class="row g-3">
        <div class="col-12 col-lg-4">
          <h3 class="h6">{t('casework.load_by_deadline')}</h3>
          <ul class="list-unstyled mb-0">
            {(['late', 'at_risk', 'on_time', 'none'] as const).map((d) => (
              <li class="d-flex justify-content-between py-1 border-bottom">
                <a href={link({ deadline: d })}><DeadlineBadge ctx={ctx} status={d} /></a>
                <strong>{num(ctx, load.by_deadline[d])}</strong>
              </li>
            ))}
          </ul>
        </div>
        <div class="col-12 col-lg-4">
          <h3 class="h6">{t('casework.load_by_state')}</h3>
          <table class="table table-sm mb-0">
            <thead><tr><th scope="col">{t('casework.col.state')}</th><th scope="col">{t('casework.load_open')}</th><th scope="col">{t('casework.deadline.late')}</th></tr></thead>
            <tbody>
              {load.by_state.map((s) => (
                <tr>
                  <td><a href={link({ service: s.service.code, state: s.key })}>{loc(ctx, s.title)}</a><div class="small text-secondary">{loc(ctx, s.service.title)}</div></td>
                  <td>{num(ctx, s.count)}</td><td>{num(ctx, s.late)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="col-12 col-lg-4">
          <h3 class="h6">{t('casework.load_by_assignee')}</h3>
          <table class="table table-sm mb-0">
            <thead><tr><th scope="col">{t('casework.col.assignee')}</th><th scope="col">{t('casework.load_open')}</th><th scope="col">{t('casework.deadline.late')}</th></tr></thead>
            <tbody>
              {load.by_assignee.map((a) => (
                <tr><td>{a.name ?? t('casework.nobody')}</td><td>{num(ctx, a.count)}</td><td>{num(ctx, a.late)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

export function InboxPage(props: InboxPageProps) {
  const { ctx, data, filters } = props;
  const t = ctx.t;
  const pages = Math.max(1, Math.ceil(data.total / data.per_page));
  const seesAll = data.orgs.length > 0 && data.orgs.every((o) => o.all);
  return (
    <Layout ctx={ctx} title={t('casework.inbox_title')}>
      <div class="container-xl py-4">
        <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2">
          <h1 class="h3 mb-0">{t('casework.inbox_title')}</h1>
          {props.canCounter ? <a class="btn btn-outline-primary" href="/staff/counter">{t('casework.counter_link')}</a> : null}
        </div>
        {data.orgs.length === 0 ? <Alert kind="info">{t('casework.no_org')}</Alert> : (
          <p class="text-secondary">{t(seesAll ? 'casework.inbox_lead_all' : 'casework.inbox_lead')}</p>
        )}
        <Notices {...props} />
        {props.loads.map((load) => <Load ctx={ctx} load={load} orgName={props.orgNames.get(load.org) ?? load.org} filters={filters} />)}
        <Filters {...props} />
        <p class="mb-2" role="status">{t('casework.total', { n: data.total })}</p>
        {data.items.length === 0 ? <Alert kind="info">{t('casework.empty')}</Alert> : (
          <div class="table-responsive pk-card">
            <table class="table table-hover align-middle mb-0">
              <thead>
                <tr>
                  <th scope="col">{t('casework.col.tracking')}</th>
                  <th scope="col">{t('casework.col.service')}</th>
                  <th scope="col">{t('casework.col.citizen')}</th>
                  <th scope="col">{t('casework.col.state')}</th>
                  <th scope="col">{t('casework.col.submitted')}</th>
                  <th scope="col">{t('casework.col.deadline')}</th>
                  <th scope="col">{t('casework.col.assignee')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((i) => (
                  <tr data-id={i.id}>
                    <td><a href={`/staff/applications/${i.id}`} dir="ltr" class="text-nowrap">{i.tracking_code ?? i.id.slice(0, 8)}</a>
                      {i.channel === 'counter' ? <div class="small text-secondary">{t('casework.channel.counter')}</div> : null}</td>
                    <td>{loc(ctx, i.service.title)}{data.orgs.length > 1 ? <div class="small text-secondary">{props.orgNames.get(i.org) ?? i.org}</div> : null}</td>
                    <td>{digits(ctx, i.citizen.name)}</td>
                    <td>{loc(ctx, i.state.title)}</td>
                    <td class="text-nowrap">{dateOf(ctx, i.submitted_at)}</td>
                    <td class="text-nowrap">
                      {i.due_at != null ? <div>{dateTimeOf(ctx, i.due_at)}</div> : null}
                      <DeadlineBadge ctx={ctx} status={i.deadline_status} waiting={i.waiting_for} />
                      {i.escalated ? <span class="badge text-bg-dark ms-1">{t('casework.escalated_badge')}</span> : null}
                    </td>
                    <td>{i.assignee?.name ?? <span class="text-secondary">{t('casework.nobody')}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 ? (
          <nav class="mt-3 d-flex justify-content-between align-items-center" aria-label={t('casework.pagination')}>
            {data.page > 1 ? <a class="btn btn-outline-secondary btn-sm" href={inboxHref(filters, { page: data.page - 1 })}>{t('casework.prev')}</a> : <span />}
            <span>{t('casework.page_of', { page: data.page, pages })}</span>
            {data.page < pages ? <a class="btn btn-outline-secondary btn-sm" href={inboxHref(filters, { page: data.page + 1 })}>{t('casework.next')}</a> : <span />}
          </nav>
        ) : null}
      </div>
    </Layout>
  );
}
