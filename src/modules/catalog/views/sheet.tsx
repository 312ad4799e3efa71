import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, Layout } from '../../../platform/views/components.js';
import { formatNumber } from '../../../platform/i18n/format.js';
import type { Overrides } from '../definition.js';
import type { OrgRef, ServiceSheet } from '../service.js';
import { deadlineText, feeSentence, loc, slaText } from './describe.js';
import '../messages-catalog.js';

/** The maturity level with its name, and what it means for the citizen. */
export function Maturity(props: { ctx: ViewContext; level: number }) {
  const { ctx, level } = props;
  return (
    <>
      <span>{ctx.t('catalog.maturity_value', { level, name: ctx.t(`catalog.maturity.${level}`) })}</span>
      <span class="ms-2 text-nowrap" aria-hidden="true"><span class="text-success">{'●'.repeat(level)}</span><span class="text-body-tertiary">{'●'.repeat(5 - level)}</span></span>
      <div class="small text-secondary">{ctx.t(`catalog.maturity_help.${level}`)}</div>
    </>
  );
}

function Section(props: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={props.id} class="pk-card p-3 p-md-4 mb-3">
      <h2 id={props.id} class="h5 mb-3">{props.title}</h2>
      {props.children}
    </section>
  );
}

/** The body of a service page (شناسنامه خدمت), for the province, for one organization, or as a preview. */
export function ServiceSheetView(props: { ctx: ViewContext; sheet: ServiceSheet; org?: OrgRef; office?: Overrides['office']; offeredBy: OrgRef[] }) {
  const { ctx, sheet, org } = props;
  const l = ctx.locale;
  const list = (xs: string[]) => xs.join(l === 'fa' ? '، ' : ', ');
  const others = props.offeredBy.filter((o) => o.code !== org?.code);
  return (
    <div class="row g-3">
      <div class="col-12 col-lg-8">
        <Section id="docs-h" title={ctx.t('catalog.documents')}>
          {sheet.documents.length ? (
            <ul class="list-group list-group-flush mb-0">
              {sheet.documents.map((d) => (
                <li class="list-group-item px-0">
                  <strong>{loc(d.title, l)}</strong>{' '}
                  <span class={`badge ${d.required ? 'text-bg-primary' : 'text-bg-light'}`}>{ctx.t(d.required ? 'catalog.required' : 'catalog.optional')}</span>
                  <div class="small text-secondary">{ctx.t('catalog.doc_types', { types: list(d.accept.map((a) => a.toUpperCase())), mb: d.maxMb })}</div>
                  {d.help ? <div class="small">{loc(d.help, l)}</div> : null}
                </li>
              ))}
            </ul>
          ) : <p class="mb-0">{ctx.t('catalog.documents_none')}</p>}
        </Section>

        <Section id="fees-h" title={ctx.t('catalog.fees')}>
          {sheet.fees.length ? (
            <>
              <ul class="list-group list-group-flush mb-2">
                {sheet.fees.map((f) => (
                  <li class="list-group-item px-0" data-fee={f.key}>
                    <strong>{loc(f.title, l)}</strong>
                    <div>{feeSentence(f, sheet, l)}</div>
                    {f.params.length ? (
                      <div class="small text-secondary">
                        {ctx.t('catalog.fee_params')}:{' '}
                        {f.params.map((p, i) => (
                          <>
                            {i ? (l === 'fa' ? '، ' : ', ') : ''}
                            <code dir="ltr" class="pk-ltr">{p.name}</code> = {formatNumber(p.value, l)}
                            {p.own ? <span class="badge text-bg-warning ms-1">{ctx.t('catalog.param_own_rate')}</span> : null}
                          </>
                        ))}
                      </div>
                    ) : null}
                  </li>
                ))}
              </ul>
              <p class="small text-secondary mb-0">{org ? ctx.t('catalog.fee_org_note', { org: loc({ fa: org.name.fa, en: org.name.en }, l) }) : ctx.t('catalog.fee_reference_note')}</p>
            </>
          ) : <p class="mb-0">{ctx.t('catalog.fees_none')}</p>}
        </Section>

        <Section id="steps-h" title={ctx.t('catalog.steps')}>
          <ol class="list-group list-group-numbered mb-3">
            {sheet.steps.map((s) => (
              <li class="list-group-item" data-step={s.key}>
                <strong>{s.title ? loc(s.title, l) : s.key}</strong>{' '}
                <span class="badge text-bg-light border">{slaText(s.hours, s.sla, l)}</span>
                {s.own ? <span class="badge text-bg-warning ms-1">{ctx.t('catalog.param_own_rate')}</span> : null}
                {s.usual ? null : <span class="badge text-bg-light border ms-1">{ctx.t('catalog.step_if_needed')}</span>}
                {s.waitsFor === 'citizen' ? <div class="small text-secondary">{ctx.t('catalog.step_waits_citizen')}</div> : null}
              </li>
            ))}
          </ol>
          {sheet.outcomes.length ? (
            <p class="mb-0"><span class="text-secondary">{ctx.t('catalog.outcomes')}:</span> {list(sheet.outcomes.map((o) => (o.title ? loc(o.title, l) : ctx.t(`catalog.outcome.${o.outcome}`))))}</p>
          ) : null}
        </Section>

        <Section id="fields-h" title={ctx.t('catalog.fields')}>
          {sheet.fields.length ? (
            <ul class="mb-0">
              {sheet.fields.map((f) => <li>{loc(f.label, l)}{f.required ? '' : ` (${ctx.t('catalog.optional')})`}</li>)}
            </ul>
          ) : <p class="mb-0">{ctx.t('catalog.fields_none')}</p>}
        </Section>
      </div>

      <div class="col-12 col-lg-4">
        <section aria-labelledby="sheet-h" class="pk-card p-3 p-md-4 mb-3">
          <h2 id="sheet-h" class="h5">{ctx.t('catalog.sheet')}</h2>
          <dl class="mb-0">
            <dt>{ctx.t('catalog.deadline')}</dt>
            <dd data-testid="deadline">{deadlineText(sheet.deadlineHours, l)}<div class="small text-secondary">{ctx.t('catalog.deadline_note')}</div></dd>
            <dt>{ctx.t('catalog.maturity_label')}</dt>
            <dd><Maturity ctx={ctx} level={sheet.maturity} /></dd>
            <dt>{ctx.t('catalog.category_label')}</dt>
            <dd><a href={`/services?category=${sheet.category}`}>{ctx.t(`catalog.category.${sheet.category}`)}</a></dd>
            <dt>{ctx.t('catalog.audience_label')}</dt>
            <dd>{ctx.t(`catalog.audience.${sheet.audience}`)}</dd>
            <dt>{ctx.t('catalog.version_label')}</dt>
            <dd>{ctx.t('catalog.version_n', { n: sheet.version })}</dd>
          </dl>
        </section>

        <section aria-labelledby="savings-h" class="pk-card p-3 p-md-4 mb-3">
          <h2 id="savings-h" class="h5">{ctx.t('catalog.savings')}</h2>
          <ul class="list-unstyled mb-2">
            <li>{ctx.t('catalog.sheet_baseline', { visits: sheet.baseline.officeVisits, days: sheet.baseline.days })}</li>
            <li>{ctx.t('catalog.sheet_online', { visits: sheet.online.officeVisits, days: sheet.online.days })}</li>
          </ul>
          <p class="mb-0" data-testid="savings">
            {sheet.saves.officeVisits ? <span class="badge text-bg-success me-1">{ctx.t('catalog.visits_saved', { n: sheet.saves.officeVisits })}</span> : null}
            {sheet.saves.days ? <span class="badge text-bg-success">{ctx.t('catalog.days_saved', { n: sheet.saves.days })}</span> : null}
          </p>
        </section>

        {org ? (
          <section aria-labelledby="office-h" class="pk-card p-3 p-md-4 mb-3">
            <h2 id="office-h" class="h5">{ctx.t('catalog.office')}</h2>
            {props.office && (props.office.address || props.office.hours || props.office.phone || props.office.email) ? (
              <dl class="mb-0">
                {props.office.address ? <><dt>{ctx.t('catalog.office_address')}</dt><dd>{props.office.address}</dd></> : null}
                {props.office.hours ? <><dt>{ctx.t('catalog.office_hours')}</dt><dd>{props.office.hours}</dd></> : null}
                {props.office.phone ? <><dt>{ctx.t('catalog.office_phone')}</dt><dd><a href={`tel:${props.office.phone.replace(/[^\d+]/g, '')}`} dir="ltr">{props.office.phone}</a></dd></> : null}
                {props.office.email ? <><dt>{ctx.t('catalog.office_email')}</dt><dd><a href={`mailto:${props.office.email}`} dir="ltr">{props.office.email}</a></dd></> : null}
              </dl>
            ) : <p class="mb-0">{ctx.t('catalog.office_none')}</p>}
          </section>
        ) : null}

        <section aria-labelledby="orgs-h" class="pk-card p-3 p-md-4 mb-3">
          <h2 id="orgs-h" class="h5">{org ? ctx.t('catalog.other_orgs') : ctx.t('catalog.offered_by')}</h2>
          {others.length ? (
            <ul class="list-unstyled d-flex flex-wrap gap-2 mb-0">
              {others.map((o) => (
                <li><a class="btn btn-sm btn-outline-secondary" href={`/orgs/${o.code}/services/${sheet.code}`}>{loc({ fa: o.name.fa, en: o.name.en }, l)}</a></li>
              ))}
            </ul>
          ) : <p class="mb-0">{ctx.t(org ? 'catalog.offered_by_none_other' : 'catalog.offered_by_none')}</p>}
        </section>
      </div>
    </div>
  );
}

/** A service page: the province-wide one, an organization's one (with its Apply link), or an author's preview. */
export function ServicePage(props: {
  ctx: ViewContext; sheet: ServiceSheet; offeredBy: OrgRef[]; org?: OrgRef; office?: Overrides['office'];
  preview?: { publishAction: string | null };
}) {
  const { ctx, sheet, org } = props;
  const l = ctx.locale;
  const title = loc(sheet.title, l);
  const orgName = org ? loc({ fa: org.name.fa, en: org.name.en }, l) : '';
  return (
    <Layout ctx={ctx} title={org ? `${title} | ${orgName}` : title} description={sheet.summary ? loc(sheet.summary, l) : undefined}>
      <div class="container py-4">
        {props.preview ? (
          <Alert kind="warning">
            {ctx.t('catalog.preview_banner', { n: sheet.version, status: ctx.t(`catalog.status.${sheet.status}`) })}
            {props.preview.publishAction ? (
              <form method="post" action={props.preview.publishAction} class="mt-2">
                <input type="hidden" name="_csrf" value={ctx.csrf} />
                <button type="submit" class="btn btn-primary btn-sm">{ctx.t('catalog.publish', { n: sheet.version })}</button>
              </form>
            ) : null}
          </Alert>
        ) : null}
        <nav aria-label="breadcrumb">
          <ol class="breadcrumb">
            <li class="breadcrumb-item"><a href="/">{ctx.t('nav.home')}</a></li>
            <li class="breadcrumb-item"><a href="/services">{ctx.t('catalog.title')}</a></li>
            {org ? <li class="breadcrumb-item"><a href={`/services?org=${org.code}`}>{ctx.t('catalog.org_services', { org: orgName })}</a></li> : null}
            <li class="breadcrumb-item active" aria-current="page">{title}</li>
          </ol>
        </nav>
        <div class="d-flex flex-wrap justify-content-between align-items-start gap-3 mb-3">
          <div>
            <h1 class="h3 mb-1">{title}</h1>
            {org ? <p class="mb-1 fw-medium">{orgName}</p> : null}
            {sheet.summary ? <p class="lead mb-0">{loc(sheet.summary, l)}</p> : null}
          </div>
          {org && !props.preview ? (
            <a class="btn btn-primary btn-lg" href={`/apply/${org.code}/${sheet.code}`}>{ctx.t('catalog.apply')}</a>
          ) : null}
          {!org && !props.preview && props.offeredBy.length ? (
            <form method="get" action={`/services/${sheet.code}/in`} class="pk-card p-3" data-testid="choose-org">
              <label class="form-label" for="choose-org">{ctx.t('catalog.choose_org')}</label>
              <div class="d-flex gap-2">
                <select id="choose-org" name="org" class="form-select" required>
                  {props.offeredBy.map((o) => <option value={o.code}>{loc({ fa: o.name.fa, en: o.name.en }, l)}</option>)}
                </select>
                <button type="submit" class="btn btn-primary text-nowrap">{ctx.t('common.submit')}</button>
              </div>
            </form>
          ) : null}
        </div>
        <ServiceSheetView ctx={ctx} sheet={sheet} org={org} office={props.office} offeredBy={props.offeredBy} />
      </div>
    </Layout>
  );
}
