import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field } from '../../../platform/views/components.js';
import type { ImportProblem, ImportResult, LevyBillGroup, LevyBillView, LevyLookup } from '../levies.js';
import { LEVY_COLUMNS, LEVY_KINDS } from '../levies-rows.js';
import { BillState, Code, ErrorSummary, isolate, localParams, ltr, OrgSelect, Page, StaffBillingNav, dateTimeOf, digits, dueDateOf, kindTitle, loc, num, rials } from './levies-parts.js';

type OrgOption = { code: string; name: { fa: string; en?: string } };
type Errors = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Citizens and the public: /bills

export interface BillsPageProps {
  ctx: ViewContext;
  /** The signed-in citizen's own levies (null for anyone else). */
  mine: { nationalCode: string | null; groups: LevyBillGroup[] } | null;
  /** The result of a lookup, if one was made. */
  found: { lookup: LevyLookup; groups: LevyBillGroup[] } | null;
  municipalities: OrgOption[];
  /** What was typed in the lookup forms, and their problems. */
  values: Record<string, string>;
  errors?: Errors;
  error?: string;
  notice?: string | null;
}

/** A table of one organization's levies with a checkbox per unpaid one (checked: pay them all by default), and the pay button. */
function BillGroupForm(props: { ctx: ViewContext; group: LevyBillGroup; audience: 'owner' | 'public'; lookup: LevyLookup | null; index: number }) {
  const { ctx, group } = props;
  const t = ctx.t;
  const headingId = `org-${props.audience}-${props.index}`;
  const unpaid = group.bills.filter((b) => b.status === 'unpaid');
  const hidden = props.lookup ? lookupHidden(props.lookup) : [];
  return (
    <section class="pk-card p-3 p-md-4 mb-3" aria-labelledby={headingId} data-org={group.org.code}>
      <div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2 mb-2">
        <h3 class="h5 mb-0" id={headingId}>{loc(ctx, group.org.name)}</h3>
        {group.unpaidCount ? <p class="mb-0">{t('levies.due_total')}: <strong>{rials(ctx, group.dueTotal)}</strong></p> : <p class="mb-0 text-success">{t('levies.nothing_due')}</p>}
      </div>
      <form method="post" action="/bills/levies/pay">
        <CsrfInput ctx={ctx} />
        {hidden.map(([name, value]) => <input type="hidden" name={name} value={value} />)}
        <div class="table-responsive">
          <table class="table table-sm align-middle mb-2">
            <caption class="visually-hidden">{t('levies.table_caption', { org: loc(ctx, group.org.name) })}</caption>
            <thead>
              <tr>
                <th scope="col"><span class="visually-hidden">{t('levies.col.select')}</span></th>
                <th scope="col">{t('levies.col.bill')}</th>
                <th scope="col">{t('levies.col.kind')}</th>
                <th scope="col">{t('levies.col.code')}</th>
                <th scope="col">{t('levies.col.period')}</th>
                <th scope="col">{t('levies.col.due')}</th>
                <th scope="col" class="text-end">{t('levies.col.amount')}</th>
                <th scope="col">{t('levies.col.state')}</th>
              </tr>
            </thead>
            <tbody>
              {group.bills.map((b) => <BillRow ctx={ctx} bill={b} audience={props.audience} />)}
            </tbody>
          </table>
        </div>
        {unpaid.length ? (
          <div class="d-flex flex-wrap align-items-center gap-3">
            <button type="submit" class="btn btn-primary">{t('levies.pay_selected')}</button>
            <span class="small text-secondary">{t('levies.pay_hint')}</span>
          </div>
        ) : null}
      </form>
    </section>
  );
}

function BillRow(props: { ctx: ViewContext; bill: LevyBillView; audience: 'owner' | 'public' }) {
  const { ctx, bill: b } = props;
  const id = `bill-${b.id}`;
  const code = b.kind === 'renewal_levy' ? b.propertyCode : b.businessCode;
  return (
    <tr data-bill={b.billCode} data-state={b.status}>
      <td>
        {b.status === 'unpaid' ? (
          <input class="form-check-input" type="checkbox" name="bill_ids" value={b.id} id={id} checked aria-label={ctx.t('levies.select_bill', { bill: b.billCode })} />
        ) : null}
      </td>
      <td>
        <label for={b.status === 'unpaid' ? id : undefined} class="mb-0">
          {props.audience === 'owner' ? <a href={`/bills/${b.id}`}><Code ctx={ctx} value={b.billCode} /></a> : <Code ctx={ctx} value={b.billCode} />}
        </label>
      </td>
      <td>
        {kindTitle(ctx, b.kind)}
        {props.audience === 'owner' && b.title ? <div class="small text-secondary">{loc(ctx, b.title)}</div> : null}
      </td>
      <td><Code ctx={ctx} value={code} /></td>
      <td>{digits(ctx, b.period)}</td>
      <td class="text-nowrap">{dueDateOf(ctx, b.dueAt)}</td>
      <td class="text-end text-nowrap">{rials(ctx, b.amount)}</td>
      <td><BillState ctx={ctx} status={b.status} overdue={b.overdue} />{b.paidAt ? <div class="small text-secondary">{dateTimeOf(ctx, b.paidAt)}</div> : null}</td>
    </tr>
  );
}

/** The hidden fields of a pay form that repeat the lookup it came from. */
function lookupHidden(l: LevyLookup): [string, string][] {
  if (l.by === 'national_code') return [['lookup_national_code', l.nationalCode]];
  return [['lookup_org', l.org], [l.by === 'property' ? 'lookup_property_code' : 'lookup_business_code', l.code]];
}

function LookupForms(props: BillsPageProps) {
  const { ctx, values } = props;
  const t = ctx.t;
  const errors = props.errors ?? {};
  return (
    <section class="pk-card p-3 p-md-4 mb-4" aria-labelledby="lookup-title">
      <h2 class="h5" id="lookup-title">{t('levies.lookup_title')}</h2>
      <p class="text-secondary">{t('levies.lookup_lead')}</p>
      <div class="row g-4">
        <form method="get" action="/bills" class="col-12 col-lg-7" novalidate aria-labelledby="lookup-code-title">
          <h3 class="h6" id="lookup-code-title">{t('levies.lookup_by_code')}</h3>
          <OrgSelect ctx={ctx} label={t('levies.municipality')} value={values.org} orgs={props.municipalities} error={errors.org} required any={t('levies.choose_municipality')} />
          <div class="row g-2">
            <div class="col-12 col-sm-6">
              <Field ctx={ctx} name="property_code" label={t('levies.property_code')} value={values.property_code} error={errors.property_code} hint={t('levies.property_code_hint')} ltr maxLength={60} />
            </div>
            <div class="col-12 col-sm-6">
              <Field ctx={ctx} name="business_code" label={t('levies.business_code')} value={values.business_code} error={errors.business_code} hint={t('levies.business_code_hint')} ltr maxLength={60} />
            </div>
          </div>
          <button type="submit" class="btn btn-outline-primary">{t('levies.lookup_submit')}</button>
        </form>
        <form method="get" action="/bills" class="col-12 col-lg-5" novalidate aria-labelledby="lookup-nc-title">
          <h3 class="h6" id="lookup-nc-title">{t('levies.lookup_by_national_code')}</h3>
          <Field ctx={ctx} name="national_code" label={t('levies.national_code')} value={values.national_code} error={errors.national_code} inputMode="numeric" ltr maxLength={20} hint={t('levies.national_code_hint')} />
          <button type="submit" class="btn btn-outline-primary">{t('levies.lookup_submit')}</button>
        </form>
      </div>
    </section>
  );
}

function lookupTitle(ctx: ViewContext, l: LevyLookup): string {
  if (l.by === 'national_code') return ctx.t('levies.found_national_code', { code: ltr(digits(ctx, l.nationalCode)) });
  return ctx.t(l.by === 'property' ? 'levies.found_property' : 'levies.found_business', { code: ltr(digits(ctx, l.code)) });
}

export function BillsPage(props: BillsPageProps) {
  const { ctx, mine, found } = props;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('levies.title')}>
      <h1 class="h3 mb-2">{t('levies.title')}</h1>
      <p class="text-secondary">{t('levies.lead')}</p>
      {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
      {props.error && !Object.keys(props.errors ?? {}).length ? <Alert kind="danger">{props.error}</Alert> : null}
      {mine ? (
        <section class="mb-4" aria-labelledby="mine-title">
          <h2 class="h4" id="mine-title">{t('levies.mine_title')}</h2>
          {mine.nationalCode === null ? (
            <Alert kind="info">{t('levies.mine_no_national_code')} <a href="/profile">{t('levies.complete_profile')}</a></Alert>
          ) : mine.groups.length === 0 ? (
            <Alert kind="info">{t('levies.mine_none', { code: digits(ctx, mine.nationalCode) })}</Alert>
          ) : (
            <>
              <p class="text-secondary">{t('levies.mine_lead', { code: digits(ctx, mine.nationalCode) })}</p>
              {mine.groups.map((g, i) => <BillGroupForm ctx={ctx} group={g} audience="owner" lookup={null} index={i} />)}
            </>
          )}
        </section>
      ) : (
        <p><a href="/login?next=%2Fbills">{t('levies.sign_in_for_mine')}</a></p>
      )}
      {found ? (
        <section class="mb-4" aria-labelledby="found-title" aria-live="polite">
          <h2 class="h4" id="found-title">{lookupTitle(ctx, found.lookup)}</h2>
          {found.groups.length === 0 ? <Alert kind="info">{t('levies.found_none')}</Alert> : (
            <>
              <p class="small text-secondary">{t('levies.found_public_note')}</p>
              {found.groups.map((g, i) => <BillGroupForm ctx={ctx} group={g} audience="public" lookup={found.lookup} index={i} />)}
              {found.lookup.by === 'property' && found.groups.every((g) => g.unpaidCount === 0) ? (
                <p><a class="btn btn-outline-success" href={`/clearance?${new URLSearchParams({ org: found.lookup.org, property_code: found.lookup.code }).toString()}`}>{t('levies.clearance_for_property')}</a></p>
              ) : null}
            </>
          )}
        </section>
      ) : null}
      {props.error && Object.keys(props.errors ?? {}).length ? <ErrorSummary ctx={ctx} message={props.error} errors={props.errors} labelOf={(k) => t(`levies.field.${k}`)} /> : null}
      <LookupForms {...props} />
      <p><a href="/clearance">{t('levies.clearance_link')}</a></p>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------
// Staff: import a file, record one levy

export interface StaffOrgProps {
  ctx: ViewContext;
  org: OrgOption;
  orgChoices: OrgOption[];
  canManage: boolean;
  canReport: boolean;
}

function OrgSwitch(props: StaffOrgProps & { action: string }) {
  const { ctx } = props;
  if (props.orgChoices.length < 2) return null;
  return (
    <form method="get" action={props.action} class="d-flex flex-wrap align-items-end gap-2 mb-3">
      <OrgSelect ctx={ctx} label={ctx.t('revenue.org')} value={props.org.code} orgs={props.orgChoices} small />
      <button type="submit" class="btn btn-outline-secondary btn-sm">{ctx.t('revenue.switch_org')}</button>
    </form>
  );
}

export interface ImportPageProps extends StaffOrgProps {
  result?: ImportResult | null;
  error?: string;
  recent: { id: string; filename: string; rows: number; totalAmount: number; createdAt: number; createdBy: string | null }[];
}

function ProblemTable(props: { ctx: ViewContext; problems: ImportProblem[] }) {
  const { ctx } = props;
  const t = ctx.t;
  return (
    <div class="table-responsive pk-card">
      <table class="table table-sm align-middle mb-0" id="import-problems">
        <caption class="px-2">{t('levies.import_problems_caption', { n: props.problems.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('levies.import_col.line')}</th>
            <th scope="col">{t('levies.import_col.column')}</th>
            <th scope="col">{t('levies.import_col.value')}</th>
            <th scope="col">{t('levies.import_col.problem')}</th>
          </tr>
        </thead>
        <tbody>
          {props.problems.map((p) => (
            <tr data-line={p.line} data-column={p.column}>
              <td>{num(ctx, p.line)}</td>
              <td>{p.column ? <><code dir="ltr">{p.column}</code> <span class="small text-secondary">{t(`levies.field.${p.column}`)}</span></> : '—'}</td>
              <td>{p.value ? <span dir="auto">{p.value}</span> : <span class="text-secondary">—</span>}</td>
              <td>{t(p.key, localParams(ctx, p.params))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImportOutcome(props: { ctx: ViewContext; result: ImportResult }) {
  const { ctx, result } = props;
  const t = ctx.t;
  if (result.status === 'rejected') {
    return (
      <section class="mb-4" aria-labelledby="report-title">
        <h2 class="h5" id="report-title">{t('levies.import_report_title')}</h2>
        <div class="alert alert-danger" role="alert">{t('levies.import_rejected', { rows: result.rows, n: result.problems.length, lines: new Set(result.problems.map((p) => p.line)).size })}</div>
        <ProblemTable ctx={ctx} problems={result.problems} />
      </section>
    );
  }
  const b = result.batch;
  return (
    <div class={`alert ${result.status === 'imported' ? 'alert-success' : 'alert-info'}`} role="status">
      <p class="mb-1">{t(result.status === 'imported' ? 'levies.import_done' : 'levies.import_already', { rows: b.rows, total: rials(ctx, b.totalAmount), file: isolate(b.filename), date: dateTimeOf(ctx, b.createdAt) })}</p>
      {b.firstBillCode ? <p class="mb-0 small">{t('levies.import_codes')}: <Code ctx={ctx} value={b.firstBillCode} /> … <Code ctx={ctx} value={b.lastBillCode} /></p> : null}
      <p class="mb-0 small"><a href={`/staff/bills?org=${encodeURIComponent(b.org)}`}>{t('levies.import_see_bills')}</a></p>
    </div>
  );
}

export function ImportPage(props: ImportPageProps) {
  const { ctx } = props;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('levies.import_title')} wide>
      <h1 class="h3 mb-1">{t('revenue.title')}</h1>
      <p class="text-secondary">{loc(ctx, props.org.name)}</p>
      <StaffBillingNav ctx={ctx} active="import" org={props.org.code} canManage={props.canManage} canReport={props.canReport} />
      <OrgSwitch {...props} action="/staff/bills/import" />
      {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
      {props.result ? <ImportOutcome ctx={ctx} result={props.result} /> : null}
      <div class="row g-4">
        <div class="col-12 col-lg-7">
          <form method="post" action={`/staff/bills/import?org=${encodeURIComponent(props.org.code)}`} enctype="multipart/form-data" class="pk-card p-3 p-md-4" aria-labelledby="import-title">
            <h2 class="h5" id="import-title">{t('levies.import_title')}</h2>
            <p class="text-secondary">{t('levies.import_lead')}</p>
            <CsrfInput ctx={ctx} />
            <input type="hidden" name="org" value={props.org.code} />
            <div class="mb-3">
              <label class="form-label" for="f-file">{t('levies.import_file')}</label>
              <input class="form-control" type="file" id="f-file" name="file" accept=".csv,text/csv" required aria-describedby="f-file-hint" />
              <div id="f-file-hint" class="form-text">{t('levies.import_file_hint')}</div>
            </div>
            <button type="submit" class="btn btn-primary">{t('levies.import_submit')}</button>
          </form>
        </div>
        <div class="col-12 col-lg-5">
          <section class="pk-card p-3 p-md-4 mb-3" aria-labelledby="format-title">
            <h2 class="h6" id="format-title">{t('levies.format_title')}</h2>
            <ul class="small mb-2">
              {LEVY_COLUMNS.map((c) => <li><code dir="ltr">{c}</code>: {t(`levies.format.${c}`)}</li>)}
            </ul>
            <p class="small mb-2">{t('levies.format_rules')}</p>
            <a class="btn btn-outline-secondary btn-sm" href="/staff/bills/import/template.csv" download>{t('levies.format_template')}</a>
          </section>
          <section class="pk-card p-3 p-md-4" aria-labelledby="recent-title">
            <h2 class="h6" id="recent-title">{t('levies.recent_imports')}</h2>
            {props.recent.length === 0 ? <p class="small text-secondary mb-0">{t('levies.recent_none')}</p> : (
              <ul class="list-unstyled small mb-0">
                {props.recent.map((r) => (
                  <li class="border-bottom py-1">
                    <span dir="auto">{r.filename}</span> — {t('levies.recent_line', { rows: r.rows, total: rials(ctx, r.totalAmount), date: dateTimeOf(ctx, r.createdAt), by: r.createdBy ?? '—' })}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </Page>
  );
}

export interface RecordPageProps extends StaffOrgProps {
  values: Record<string, string>;
  errors?: Errors;
  error?: string;
}

export function RecordPage(props: RecordPageProps) {
  const { ctx, values } = props;
  const t = ctx.t;
  const errors = props.errors ?? {};
  const kind = values.kind || 'renewal_levy';
  return (
    <Page ctx={ctx} title={t('levies.record_title')} wide>
      <h1 class="h3 mb-1">{t('revenue.title')}</h1>
      <p class="text-secondary">{loc(ctx, props.org.name)}</p>
      <StaffBillingNav ctx={ctx} active="new" org={props.org.code} canManage={props.canManage} canReport={props.canReport} />
      <OrgSwitch {...props} action="/staff/bills/new" />
      <div class="row justify-content-center">
        <div class="col-12 col-lg-8">
          <form method="post" action={`/staff/bills/new?org=${encodeURIComponent(props.org.code)}`} class="pk-card p-3 p-md-4" novalidate aria-labelledby="record-title">
            <h2 class="h5" id="record-title">{t('levies.record_title')}</h2>
            <ErrorSummary ctx={ctx} message={props.error} errors={errors} labelOf={(k) => t(`levies.field.${k}`)} />
            <CsrfInput ctx={ctx} />
            <input type="hidden" name="org" value={props.org.code} />
            <fieldset class="mb-3">
              <legend class="form-label fs-6">{t('levies.field.kind')} <span aria-hidden="true">*</span></legend>
              {LEVY_KINDS.map((k) => (
                <div class="form-check form-check-inline">
                  <input class="form-check-input" type="radio" name="kind" id={`f-kind-${k}`} value={k} checked={kind === k} />
                  <label class="form-check-label" for={`f-kind-${k}`}>{t(`revenue.kind.${k}`)}</label>
                </div>
              ))}
              {errors.kind ? <div id="f-kind" class="invalid-feedback d-block">{errors.kind}</div> : null}
            </fieldset>
            <div class="row g-2">
              <div class="col-12 col-sm-6"><Field ctx={ctx} name="national_code" label={t('levies.field.national_code')} value={values.national_code} error={errors.national_code} required inputMode="numeric" ltr maxLength={20} /></div>
              <div class="col-12 col-sm-6"><Field ctx={ctx} name="period" label={t('levies.field.period')} value={values.period} error={errors.period} required inputMode="numeric" ltr maxLength={4} hint={t('levies.period_hint')} /></div>
              <div class="col-12 col-sm-6"><Field ctx={ctx} name="property_code" label={t('levies.field.property_code')} value={values.property_code} error={errors.property_code} ltr maxLength={60} hint={t('levies.property_code_record_hint')} /></div>
              <div class="col-12 col-sm-6"><Field ctx={ctx} name="business_code" label={t('levies.field.business_code')} value={values.business_code} error={errors.business_code} ltr maxLength={60} hint={t('levies.business_code_record_hint')} /></div>
              <div class="col-12 col-sm-6"><Field ctx={ctx} name="amount_rials" label={t('levies.field.amount_rials')} value={values.amount_rials} error={errors.amount_rials} required inputMode="numeric" ltr maxLength={30} hint={t('levies.amount_hint')} /></div>
              <div class="col-12 col-sm-6"><Field ctx={ctx} name="due_date" label={t('levies.field.due_date')} value={values.due_date} error={errors.due_date} ltr maxLength={12} hint={t('levies.due_date_hint')} /></div>
              <div class="col-12"><Field ctx={ctx} name="title" label={t('levies.field.title')} value={values.title} error={errors.title} maxLength={200} hint={t('levies.title_hint')} /></div>
            </div>
            <button type="submit" class="btn btn-primary">{t('levies.record_submit')}</button>
          </form>
        </div>
      </div>
    </Page>
  );
}
