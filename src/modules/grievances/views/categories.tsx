import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field, Layout } from '../../../platform/views/components.js';
import { formatNumber } from '../../../platform/i18n/format.js';
import { CATEGORY_GROUPS, type CategoryAdminView } from '../category-admin.js';

// The org admin's pages of report categories (۱۳۷): the list by group and the category form.

const loc = (ctx: ViewContext, fa: string, en: string) => (ctx.locale === 'en' && en ? en : fa);
const orgQuery = (org: string) => `?org=${encodeURIComponent(org)}`;

export interface CategoryListProps {
  ctx: ViewContext;
  org: string;
  /** Municipalities whose categories the actor manages: code and name. */
  orgChoices: { code: string; name: string }[];
  categories: CategoryAdminView[];
  flash?: string;
}

/** Every category of the municipality by ۱۳۷ group, inactive ones too, with an edit link each. */
export function CategoryListPage(props: CategoryListProps) {
  const { ctx, org } = props;
  const t = ctx.t;
  const orgName = props.orgChoices.find((o) => o.code === org)?.name ?? org;
  return (
    <Layout ctx={ctx} title={`${t('category_admin.title')} — ${orgName}`}>
      <div class="container-xl py-4">
        <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2">
          <h1 class="h3 mb-0">{t('category_admin.title')} — {orgName}</h1>
          <a class="btn btn-primary" href={`/staff/reports/categories/new${orgQuery(org)}`}>{t('category_admin.new')}</a>
        </div>
        <p class="text-secondary">{t('category_admin.lead')}</p>
        {props.flash ? <Alert kind="success">{props.flash}</Alert> : null}
        {props.orgChoices.length > 1 ? (
          <form method="get" action="/staff/reports/categories" class="pk-card p-3 mb-3 d-flex flex-wrap gap-2 align-items-end">
            <div>
              <label class="form-label small" for="f-org">{t('category_admin.org')}</label>
              <select class="form-select form-select-sm" id="f-org" name="org">
                {props.orgChoices.map((o) => <option value={o.code} selected={o.code === org}>{o.name}</option>)}
              </select>
            </div>
            <button type="submit" class="btn btn-outline-primary btn-sm">{t('category_admin.show')}</button>
          </form>
        ) : null}
        <p class="mb-2" role="status">{t('category_admin.total', { n: formatNumber(props.categories.length, ctx.locale) })}</p>
        {CATEGORY_GROUPS.map((group) => {
          const rows = props.categories.filter((c) => c.group === group);
          return (
            <section class="mb-4" aria-labelledby={`g-${group}`} data-group={group}>
              <h2 class="h5" id={`g-${group}`}>{t(`category_admin.group.${group}`)}</h2>
              {rows.length === 0 ? <p class="text-secondary small">{t('category_admin.empty')}</p> : (
                <div class="table-responsive pk-card">
                  <table class="table table-hover align-middle mb-0">
                    <thead>
                      <tr>
                        <th scope="col">{t('category_admin.col.title')}</th>
                        <th scope="col">{t('category_admin.col.deadline')}</th>
                        <th scope="col">{t('category_admin.col.department')}</th>
                        <th scope="col">{t('category_admin.col.anonymous')}</th>
                        <th scope="col">{t('category_admin.col.active')}</th>
                        <th scope="col">{t('category_admin.col.open_reports')}</th>
                        <th scope="col">{t('category_admin.col.actions')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((c) => (
                        <tr data-code={c.code} class={c.active ? undefined : 'text-secondary'}>
                          <td>{loc(ctx, c.title_fa, c.title_en)}<div class="small text-secondary" dir="ltr">{c.code}</div></td>
                          <td class="text-nowrap">{t('category_admin.days', { n: formatNumber(c.deadline_days, ctx.locale) })}</td>
                          <td>{loc(ctx, c.department_fa, c.department_en)}</td>
                          <td>{c.allow_anonymous ? t('category_admin.yes') : t('category_admin.no')}</td>
                          <td>
                            <span class={`badge ${c.active ? 'text-bg-success' : 'text-bg-secondary'}`}>{c.active ? t('category_admin.active') : t('category_admin.inactive')}</span>
                          </td>
                          <td>{formatNumber(c.open_reports, ctx.locale)}</td>
                          <td><a href={`/staff/reports/categories/${encodeURIComponent(c.code)}${orgQuery(org)}`}>{t('category_admin.edit')}</a></td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          );
        })}
      </div>
    </Layout>
  );
}

export interface CategoryFormProps {
  ctx: ViewContext;
  org: string;
  orgName: string;
  /** The category being edited; absent for a new one. */
  category?: CategoryAdminView;
  /** What the form shows: the submitted values after a failure, else the category's. */
  values: Record<string, string>;
  errors?: Record<string, string>;
  error?: string;
}

/** The values a category's form starts with. */
export function formValuesOf(c?: CategoryAdminView): Record<string, string> {
  if (!c) return { group: '', deadline_days: '', allow_anonymous: '', active: 'on' };
  return {
    code: c.code, group: c.group, title_fa: c.title_fa, title_en: c.title_en, deadline_days: String(c.deadline_days),
    department_fa: c.department_fa, department_en: c.department_en, allow_anonymous: c.allow_anonymous ? 'on' : '', active: c.active ? 'on' : '',
  };
}

/** A new category's form, or an existing one's (its code fixed); errors beside their fields, values kept. */
export function CategoryFormPage(props: CategoryFormProps) {
  const { ctx, values: v } = props;
  const e = props.errors ?? {};
  const t = ctx.t;
  const editing = props.category !== undefined;
  const title = editing ? t('category_admin.edit_title', { title: loc(ctx, props.category!.title_fa, props.category!.title_en) }) : t('category_admin.new_title');
  const action = editing ? `/staff/reports/categories/${encodeURIComponent(props.category!.code)}${orgQuery(props.org)}` : `/staff/reports/categories/new${orgQuery(props.org)}`;
  const check = (name: 'allow_anonymous' | 'active', hint?: string) => (
    <div class="form-check mb-3">
      <input class="form-check-input" type="checkbox" id={`f-${name}`} name={name} value="on" checked={v[name] === 'on'} aria-describedby={hint ? `f-${name}-hint` : undefined} />
      <label class="form-check-label" for={`f-${name}`}>{t(`category_admin.field.${name}`)}</label>
      {hint ? <div id={`f-${name}-hint`} class="form-text">{hint}</div> : null}
      {e[name] ? <div class="invalid-feedback d-block">{e[name]}</div> : null}
    </div>
  );
  return (
    <Layout ctx={ctx} title={title}>
      <div class="container py-4">
        <div class="row justify-content-center">
          <div class="col-12 col-md-9 col-lg-7">
            <p><a href={`/staff/reports/categories${orgQuery(props.org)}`}>{t('category_admin.back')}</a></p>
            <div class="pk-card p-4">
              <h1 class="h3 mb-1">{title}</h1>
              <p class="text-secondary">{props.orgName}</p>
              {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
              <form method="post" action={action} novalidate>
                <CsrfInput ctx={ctx} />
                {editing ? (
                  <p><span class="text-secondary">{t('category_admin.field.code')}: </span><code dir="ltr">{props.category!.code}</code></p>
                ) : (
                  <Field ctx={ctx} name="code" label={t('category_admin.field.code')} value={v.code} error={e.code} hint={t('category_admin.field.code_hint')} required ltr maxLength={40} />
                )}
                <div class="mb-3">
                  <label class="form-label" for="f-group">{t('category_admin.field.group')}<span aria-hidden="true"> *</span></label>
                  <select class={`form-select${e.group ? ' is-invalid' : ''}`} id="f-group" name="group" required aria-invalid={e.group ? 'true' : undefined} aria-describedby={e.group ? 'f-group-error' : undefined}>
                    <option value="" selected={!v.group}>—</option>
                    {CATEGORY_GROUPS.map((g) => <option value={g} selected={v.group === g}>{t(`category_admin.group.${g}`)}</option>)}
                  </select>
                  {e.group ? <div id="f-group-error" class="invalid-feedback d-block">{e.group}</div> : null}
                </div>
                <Field ctx={ctx} name="title_fa" label={t('category_admin.field.title_fa')} value={v.title_fa} error={e.title_fa} required maxLength={120} />
                <Field ctx={ctx} name="title_en" label={t('category_admin.field.title_en')} value={v.title_en} error={e.title_en} ltr maxLength={120} />
                <Field ctx={ctx} name="deadline_days" label={t('category_admin.field.deadline_days')} value={v.deadline_days} error={e.deadline_days}
                  hint={t('category_admin.field.deadline_hint')} required inputMode="numeric" maxLength={3} />
                <Field ctx={ctx} name="department_fa" label={t('category_admin.field.department_fa')} value={v.department_fa} error={e.department_fa} required maxLength={120} />
                <Field ctx={ctx} name="department_en" label={t('category_admin.field.department_en')} value={v.department_en} error={e.department_en} ltr maxLength={120} />
                {check('allow_anonymous')}
                {check('active', t('category_admin.field.active_hint'))}
                <button type="submit" class="btn btn-primary">{t('category_admin.save')}</button>
              </form>
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}
