import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field, Layout } from '../../../platform/views/components.js';
import { formatNumber } from '../../../platform/i18n/format.js';
import type { AdoptionDetail, AdoptionRow, DiffEntry, OrgRef } from '../service.js';
import { diffLine, loc, slaText } from './describe.js';
import { WORKDAY_HOURS } from '../service.js';
import '../messages-catalog.js';

const orgName = (o: OrgRef, ctx: ViewContext) => loc({ fa: o.name.fa, en: o.name.en }, ctx.locale);

function Breadcrumb(props: { ctx: ViewContext; org: OrgRef; current?: string }) {
  const { ctx, org } = props;
  const list = ctx.t('catalog.adopt_title', { org: orgName(org, ctx) });
  return (
    <nav aria-label="breadcrumb">
      <ol class="breadcrumb">
        <li class="breadcrumb-item"><a href="/staff">{ctx.t('nav.staff_home')}</a></li>
        {props.current
          ? <><li class="breadcrumb-item"><a href={`/staff/orgs/${org.code}/services`}>{list}</a></li><li class="breadcrumb-item active" aria-current="page">{props.current}</li></>
          : <li class="breadcrumb-item active" aria-current="page">{list}</li>}
      </ol>
    </nav>
  );
}

/** An organization's view of the reference services: which it adopted, at which version, and what is newer. */
export function AdoptionListPage(props: { ctx: ViewContext; org: OrgRef; items: AdoptionRow[] }) {
  const { ctx, org } = props;
  const l = ctx.locale;
  const title = ctx.t('catalog.adopt_title', { org: orgName(org, ctx) });
  return (
    <Layout ctx={ctx} title={title}>
      <div class="container py-4">
        <Breadcrumb ctx={ctx} org={org} />
        <h1 class="h3">{title}</h1>
        <p class="text-secondary">{ctx.t('catalog.adopt_lead')}</p>
        <div class="table-responsive">
          <table class="table bg-white align-middle">
            <thead><tr>
              <th scope="col">{ctx.t('catalog.col_service')}</th><th scope="col">{ctx.t('catalog.category_label')}</th>
              <th scope="col">{ctx.t('catalog.col_latest')}</th><th scope="col">{ctx.t('catalog.col_adopted')}</th>
              <th scope="col">{ctx.t('catalog.col_offered')}</th><th scope="col">{ctx.t('catalog.col_actions')}</th>
            </tr></thead>
            <tbody>
              {props.items.map((i) => (
                <tr data-service={i.code}>
                  <td>{loc(i.title, l)}</td>
                  <td>{ctx.t(`catalog.category.${i.category}`)}</td>
                  <td>{formatNumber(i.latestVersion, l)}</td>
                  <td>
                    {i.adoptedVersion === null ? ctx.t('catalog.none') : formatNumber(i.adoptedVersion, l)}
                    {i.adoptedVersion !== null && i.adoptedVersion < i.latestVersion ? <span class="badge text-bg-info ms-1">{ctx.t('catalog.update_available', { n: i.latestVersion })}</span> : null}
                  </td>
                  <td>{i.adoptedVersion === null ? ctx.t('catalog.not_adopted') : ctx.t(i.enabled ? 'catalog.enabled' : 'catalog.disabled')}</td>
                  <td>
                    <a class={`btn btn-sm ${i.adoptedVersion === null ? 'btn-primary' : 'btn-outline-secondary'}`} href={`/staff/orgs/${org.code}/services/${i.code}`}
                      aria-label={`${ctx.t(i.adoptedVersion === null ? 'catalog.adopt' : 'catalog.manage')}: ${loc(i.title, l)}`}>
                      {ctx.t(i.adoptedVersion === null ? 'catalog.adopt' : 'catalog.manage')}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </Layout>
  );
}

/** The changes between two versions, by section, in words. */
export function DiffList(props: { ctx: ViewContext; entries: DiffEntry[] }) {
  const { ctx } = props;
  if (!props.entries.length) return <p>{ctx.t('catalog.diff_none')}</p>;
  const sections = [...new Set(props.entries.map((e) => e.section))];
  return (
    <div data-testid="diff">
      {sections.map((section) => (
        <>
          <h3 class="h6 mt-3">{ctx.t(`catalog.diff.section.${section}`)}</h3>
          <ul class="mb-2">
            {props.entries.filter((e) => e.section === section).map((e) => {
              const line = diffLine(e, ctx.locale);
              const badge = e.change === 'added' ? 'text-bg-success' : e.change === 'removed' ? 'text-bg-danger' : 'text-bg-warning';
              return (
                <li data-change={e.change} data-key={e.key}>
                  {line.what} <span class={`badge ${badge}`}>{line.change}</span>
                  {line.details.length ? <ul class="small">{line.details.map((d) => <li>{d}</li>)}</ul> : null}
                </li>
              );
            })}
          </ul>
        </>
      ))}
    </div>
  );
}

/** The form values that show an adoption's current overrides. */
export function overridesFormValues(detail: AdoptionDetail): Record<string, string> {
  const o = detail.adopted?.overrides;
  const values: Record<string, string> = { enabled: o ? (o.enabled ? 'on' : '') : 'on' };
  if (!o) return values;
  for (const [fee, params] of Object.entries(o.fee_params)) for (const [p, v] of Object.entries(params)) values[`fee_params.${fee}.${p}`] = String(v);
  for (const [s, v] of Object.entries(o.sla)) values[`sla.${s}`] = v;
  for (const [k, v] of Object.entries(o.office)) if (v) values[`office.${k}`] = v;
  return values;
}

/** One service in one organization: adopt it or change its settings, see what a newer version changes, upgrade. */
export function AdoptionPage(props: { ctx: ViewContext; detail: AdoptionDetail; values: Record<string, string>; errors?: Record<string, string>; error?: string; notice?: string }) {
  const { ctx, detail, values } = props;
  const l = ctx.locale;
  const errors = props.errors ?? {};
  const def = detail.adopted?.definition ?? detail.latest.definition;
  const service = loc({ fa: def.title.fa, en: def.title.en ?? null }, l);
  const title = ctx.t('catalog.settings_title', { service, org: orgName(detail.org, ctx) });
  const base = `/staff/orgs/${detail.org.code}/services/${detail.code}`;
  const num = (n: number) => formatNumber(n, l);
  return (
    <Layout ctx={ctx} title={title}>
      <div class="container py-4">
        <Breadcrumb ctx={ctx} org={detail.org} current={service} />
        <h1 class="h3">{title}</h1>
        {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
        {props.error ? <Alert kind="danger">{props.error}</Alert> : null}

        {detail.upgrade ? (
          <section aria-labelledby="upgrade-h" class="pk-card p-3 p-md-4 mb-4">
            <h2 id="upgrade-h" class="h5">{ctx.t('catalog.diff_title', { from: detail.upgrade.from, to: detail.upgrade.to })}</h2>
            <DiffList ctx={ctx} entries={detail.upgrade.diff} />
            {detail.upgrade.dropped.length ? <Alert kind="warning">{ctx.t('catalog.upgrade_drops', { list: detail.upgrade.dropped.join('، ') })}</Alert> : null}
            <form method="post" action={`${base}/upgrade`}>
              <CsrfInput ctx={ctx} />
              <p class="small text-secondary">{ctx.t('catalog.upgrade_note')}</p>
              <button type="submit" class="btn btn-primary">{ctx.t('catalog.upgrade', { n: detail.upgrade.to })}</button>
            </form>
          </section>
        ) : null}

        <form method="post" action={base} class="pk-card p-3 p-md-4" novalidate>
          <CsrfInput ctx={ctx} />
          <p>{detail.adopted ? ctx.t('catalog.settings_lead', { n: detail.adopted.version }) : ctx.t('catalog.settings_lead_new', { n: detail.latest.version })}</p>
          <p><a href={`/services/${detail.code}`}>{ctx.t('catalog.sheet')}: {service}</a></p>
          <div class="form-check mb-4">
            <input class="form-check-input" type="checkbox" id="f-enabled" name="enabled" value="on" checked={values.enabled === 'on'} />
            <label class="form-check-label" for="f-enabled">{ctx.t('catalog.enabled_label')}</label>
          </div>

          {def.fees.some((f) => Object.keys(f.params).length) ? (
            <fieldset class="mb-4">
              <legend class="h6">{ctx.t('catalog.fee_params_legend')}</legend>
              <div class="row">
                {def.fees.flatMap((f) => Object.entries(f.params).map(([p, v]) => {
                  const name = `fee_params.${f.key}.${p}`;
                  return (
                    <div class="col-12 col-md-6">
                      <Field ctx={ctx} name={name} label={`${loc({ fa: f.title.fa, en: f.title.en ?? null }, l)}: ${p}`} value={values[name]} error={errors[name]}
                        hint={ctx.t('catalog.default_value', { value: num(v) })} inputMode="numeric" ltr maxLength={30} />
                    </div>
                  );
                }))}
              </div>
            </fieldset>
          ) : null}

          <fieldset class="mb-4">
            <legend class="h6">{ctx.t('catalog.sla_legend')}</legend>
            <div class="row">
              {Object.entries(def.workflow.states).filter(([, s]) => !s.final).map(([key, s]) => {
                const name = `sla.${key}`;
                const hours = s.sla ? (s.sla.endsWith('d') ? Number(s.sla.slice(0, -1)) * WORKDAY_HOURS : Number(s.sla.slice(0, -1))) : null;
                return (
                  <div class="col-12 col-md-6 col-lg-4">
                    <Field ctx={ctx} name={name} label={s.title ? loc({ fa: s.title.fa, en: s.title.en ?? null }, l) : key} value={values[name]} error={errors[name]}
                      hint={`${ctx.t('catalog.default_value', { value: slaText(hours, s.sla ?? null, l) })} (2d, 6h)`} ltr maxLength={5} />
                  </div>
                );
              })}
            </div>
          </fieldset>

          <fieldset class="mb-4">
            <legend class="h6">{ctx.t('catalog.office_legend')}</legend>
            <Field ctx={ctx} name="office.address" label={ctx.t('catalog.office_address')} value={values['office.address']} error={errors['office.address']} maxLength={300} autocomplete="street-address" />
            <div class="row">
              <div class="col-12 col-md-4"><Field ctx={ctx} name="office.hours" label={ctx.t('catalog.office_hours')} value={values['office.hours']} error={errors['office.hours']} maxLength={200} /></div>
              <div class="col-12 col-md-4"><Field ctx={ctx} name="office.phone" label={ctx.t('catalog.office_phone')} type="tel" inputMode="tel" ltr value={values['office.phone']} error={errors['office.phone']} maxLength={40} /></div>
              <div class="col-12 col-md-4"><Field ctx={ctx} name="office.email" label={ctx.t('catalog.office_email')} type="email" inputMode="email" ltr value={values['office.email']} error={errors['office.email']} maxLength={200} /></div>
            </div>
          </fieldset>
          <button type="submit" class="btn btn-primary">{ctx.t(detail.adopted ? 'catalog.save_settings' : 'catalog.adopt_button')}</button>
        </form>
      </div>
    </Layout>
  );
}
