import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout } from '../../../platform/views/components.js';
import { formatDate } from '../../../platform/i18n/format.js';
import type { OrgRef, VersionView } from '../service.js';
import { loc } from './describe.js';
import '../messages-catalog.js';

function Breadcrumb(props: { ctx: ViewContext; trail: [string, string | null][] }) {
  return (
    <nav aria-label="breadcrumb">
      <ol class="breadcrumb">
        <li class="breadcrumb-item"><a href="/staff">{props.ctx.t('nav.staff_home')}</a></li>
        {props.trail.map(([label, href]) => (href
          ? <li class="breadcrumb-item"><a href={href}>{label}</a></li>
          : <li class="breadcrumb-item active" aria-current="page">{label}</li>))}
      </ol>
    </nav>
  );
}

/** Staff's entry to the catalog: the authoring pages for reference authors, each organization's adoption pages for its admins. */
export function CatalogHubPage(props: { ctx: ViewContext; author: boolean; orgs: OrgRef[] }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('catalog.hub_title')}>
      <div class="container py-4">
        <Breadcrumb ctx={ctx} trail={[[ctx.t('catalog.hub_title'), null]]} />
        <h1 class="h3">{ctx.t('catalog.hub_title')}</h1>
        {props.author || props.orgs.length ? (
          <ul class="list-group">
            {props.author ? <li class="list-group-item"><a href="/staff/catalog/templates">{ctx.t('catalog.hub_author')}</a></li> : null}
            {props.orgs.map((o) => <li class="list-group-item"><a href={`/staff/orgs/${o.code}/services`}>{ctx.t('catalog.hub_adopt', { org: loc({ fa: o.name.fa, en: o.name.en }, ctx.locale) })}</a></li>)}
          </ul>
        ) : <p>{ctx.t('catalog.hub_none')}</p>}
      </div>
    </Layout>
  );
}

function StatusBadge(props: { ctx: ViewContext; status: 'draft' | 'published' }) {
  return <span class={`badge ${props.status === 'published' ? 'text-bg-success' : 'text-bg-warning'}`}>{props.ctx.t(`catalog.status.${props.status}`)}</span>;
}

/** The reference authors' list: every template, its newest published version and its draft. */
export function TemplatesPage(props: { ctx: ViewContext; templates: { code: string; category: string; versions: VersionView[] }[]; notice?: string }) {
  const { ctx } = props;
  const l = ctx.locale;
  return (
    <Layout ctx={ctx} title={ctx.t('catalog.author_title')}>
      <div class="container py-4">
        <Breadcrumb ctx={ctx} trail={[[ctx.t('catalog.hub_title'), '/staff/catalog'], [ctx.t('catalog.author_title'), null]]} />
        <h1 class="h3">{ctx.t('catalog.author_title')}</h1>
        <p class="text-secondary">{ctx.t('catalog.author_lead')}</p>
        {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
        <p><a class="btn btn-primary" href="/staff/catalog/import">{ctx.t('catalog.import_title')}</a></p>
        {props.templates.length ? (
          <div class="table-responsive">
            <table class="table bg-white align-middle">
              <thead><tr>
                <th scope="col">{ctx.t('catalog.col_service')}</th><th scope="col">{ctx.t('catalog.col_code')}</th>
                <th scope="col">{ctx.t('catalog.col_latest')}</th><th scope="col">{ctx.t('catalog.status.draft')}</th>
              </tr></thead>
              <tbody>
                {props.templates.map((tpl) => {
                  const published = tpl.versions.find((v) => v.status === 'published');
                  const draft = tpl.versions.find((v) => v.status === 'draft');
                  const newest = tpl.versions[0]!;
                  return (
                    <tr>
                      <td><a href={`/staff/catalog/templates/${tpl.code}`}>{loc(newest.title, l)}</a></td>
                      <td><code dir="ltr">{tpl.code}</code></td>
                      <td>{published ? ctx.t('catalog.version_n', { n: published.version }) : ctx.t('catalog.none')}</td>
                      <td>{draft ? <a href={`/staff/catalog/templates/${tpl.code}/versions/${draft.version}`}>{ctx.t('catalog.version_n', { n: draft.version })}</a> : ctx.t('catalog.none')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : <p>{ctx.t('catalog.templates_none')}</p>}
      </div>
    </Layout>
  );
}

/** The import form (a new draft, or a replacement of one draft): a text area for YAML or JSON. */
export function DefinitionFormPage(props: {
  ctx: ViewContext; action: string; title: string; values: { source?: string; format?: string; publish?: boolean };
  allowPublish: boolean; error?: string; errors?: Record<string, string>; back: string;
}) {
  const { ctx, values } = props;
  const problems = Object.entries(props.errors ?? {});
  const describedBy = ['f-source-hint', problems.length ? 'f-source-error' : ''].filter(Boolean).join(' ');
  return (
    <Layout ctx={ctx} title={props.title}>
      <div class="container py-4">
        <Breadcrumb ctx={ctx} trail={[[ctx.t('catalog.hub_title'), '/staff/catalog'], [ctx.t('catalog.author_title'), '/staff/catalog/templates'], [props.title, null]]} />
        <h1 class="h3">{props.title}</h1>
        {props.error ? (
          <Alert kind="danger">
            {props.error}
            {problems.length ? (
              <ul class="mb-0 mt-2" id="f-source-error" data-testid="definition-errors">
                {problems.map(([path, message]) => <li dir="ltr" class="text-start"><code>{path}</code>: {message}</li>)}
              </ul>
            ) : null}
          </Alert>
        ) : null}
        <form method="post" action={props.action} class="pk-card p-3 p-md-4">
          <CsrfInput ctx={ctx} />
          <div class="mb-3">
            <label class="form-label" for="f-source">{ctx.t('catalog.import_source')} <span aria-hidden="true">*</span></label>
            <textarea id="f-source" name="source" class={`form-control font-monospace${problems.length ? ' is-invalid' : ''}`} rows={24} dir="ltr" required aria-required="true"
              aria-invalid={problems.length ? 'true' : undefined} aria-describedby={describedBy} spellcheck={false}>{values.source ?? ''}</textarea>
            <div id="f-source-hint" class="form-text">{ctx.t('catalog.import_source_hint')}</div>
          </div>
          <div class="mb-3 col-12 col-sm-4 col-lg-3">
            <label class="form-label" for="f-format">{ctx.t('catalog.import_format')}</label>
            <select id="f-format" name="format" class="form-select">
              <option value="yaml" selected={values.format !== 'json'}>YAML</option>
              <option value="json" selected={values.format === 'json'}>JSON</option>
            </select>
          </div>
          {props.allowPublish ? (
            <div class="form-check mb-3">
              <input class="form-check-input" type="checkbox" id="f-publish" name="publish" value="on" checked={values.publish} />
              <label class="form-check-label" for="f-publish">{ctx.t('catalog.import_publish')}</label>
            </div>
          ) : null}
          <button type="submit" class="btn btn-primary">{ctx.t('catalog.save_draft')}</button>
          <a class="btn btn-link" href={props.back}>{ctx.t('catalog.cancel')}</a>
        </form>
      </div>
    </Layout>
  );
}

/** One template's versions with what can be done with each: preview, export, edit, publish, discard. */
export function VersionsPage(props: { ctx: ViewContext; code: string; versions: VersionView[]; notice?: string; error?: string }) {
  const { ctx, code } = props;
  const l = ctx.locale;
  const title = loc(props.versions[0]!.title, l);
  const base = `/staff/catalog/templates/${code}`;
  return (
    <Layout ctx={ctx} title={ctx.t('catalog.versions_of', { title })}>
      <div class="container py-4">
        <Breadcrumb ctx={ctx} trail={[[ctx.t('catalog.hub_title'), '/staff/catalog'], [ctx.t('catalog.author_title'), '/staff/catalog/templates'], [title, null]]} />
        <h1 class="h3">{ctx.t('catalog.versions_of', { title })}</h1>
        {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
        {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
        <div class="table-responsive">
          <table class="table bg-white align-middle">
            <thead><tr>
              <th scope="col">{ctx.t('catalog.col_version')}</th><th scope="col">{ctx.t('catalog.col_status')}</th>
              <th scope="col">{ctx.t('catalog.col_created')}</th><th scope="col">{ctx.t('catalog.col_published')}</th><th scope="col">{ctx.t('catalog.col_actions')}</th>
            </tr></thead>
            <tbody>
              {props.versions.map((v) => {
                const at = `${base}/versions/${v.version}`;
                return (
                  <tr data-version={v.version}>
                    <td>{ctx.t('catalog.version_n', { n: v.version })}</td>
                    <td><StatusBadge ctx={ctx} status={v.status} /></td>
                    <td>{formatDate(v.createdAt, l)}</td>
                    <td>{v.publishedAt ? formatDate(v.publishedAt, l) : ctx.t('catalog.none')}</td>
                    <td>
                      <div class="d-flex flex-wrap gap-2 align-items-center">
                        <a class="btn btn-sm btn-outline-secondary" href={at}>{ctx.t('catalog.preview')}</a>
                        <a class="btn btn-sm btn-outline-secondary" href={`${at}/export?format=yaml`} aria-label={ctx.t('catalog.export_label', { n: v.version, format: 'YAML' })}>{ctx.t('catalog.export_yaml')}</a>
                        <a class="btn btn-sm btn-outline-secondary" href={`${at}/export?format=json`} aria-label={ctx.t('catalog.export_label', { n: v.version, format: 'JSON' })}>{ctx.t('catalog.export_json')}</a>
                        {v.status === 'draft' ? (
                          <>
                            <a class="btn btn-sm btn-outline-primary" href={`${at}/edit`}>{ctx.t('catalog.edit_draft')}</a>
                            <form method="post" action={`${at}/publish`} class="d-inline"><CsrfInput ctx={ctx} /><button type="submit" class="btn btn-sm btn-primary">{ctx.t('catalog.publish', { n: v.version })}</button></form>
                            <form method="post" action={`${at}/discard`} class="d-inline"><CsrfInput ctx={ctx} /><button type="submit" class="btn btn-sm btn-outline-danger">{ctx.t('catalog.discard_draft')}</button></form>
                          </>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
    </Layout>
  );
}
