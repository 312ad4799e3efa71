import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field, Layout } from '../../../platform/views/components.js';
import { formatDateTime } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import type { ArticleView } from '../service.js';

// The PR editors' pages: the list of their organizations' articles and the article form with
// its images. Everything an editor typed is shown as text (preact escapes it); only the
// sanitized body_html is shown as HTML, in the preview.

const digits = (ctx: ViewContext, s: string | number) => (ctx.locale === 'fa' ? toPersianDigits(String(s)) : String(s));
const when = (ctx: ViewContext, ms: number | null) => (ms == null ? '—' : formatDateTime(ms, ctx.locale));
const STATE_BADGE: Record<ArticleView['state'], string> = { draft: 'text-bg-secondary', scheduled: 'text-bg-info', published: 'text-bg-success', unpublished: 'text-bg-warning' };

export interface NewsListProps {
  ctx: ViewContext;
  articles: ArticleView[];
  flash?: string;
}

/** Every article of the editor's organizations, all states, newest first. */
export function NewsListPage(props: NewsListProps) {
  const { ctx } = props;
  const t = ctx.t;
  const orgName = (a: ArticleView) => (ctx.locale === 'en' ? a.org.name.en : a.org.name.fa);
  return (
    <Layout ctx={ctx} title={t('news_staff.title')}>
      <div class="container-xl py-4">
        <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2">
          <h1 class="h3 mb-0">{t('news_staff.title')}</h1>
          <a class="btn btn-primary" href="/staff/news/new">{t('news_staff.new')}</a>
        </div>
        <p class="text-secondary">{t('news_staff.lead')}</p>
        {props.flash ? <Alert kind="success">{props.flash}</Alert> : null}
        {props.articles.length === 0 ? <p class="text-secondary">{t('news_staff.empty')}</p> : (
          <div class="table-responsive pk-card">
            <table class="table table-hover align-middle mb-0" id="news-list">
              <thead>
                <tr>
                  <th scope="col">{t('news_staff.col.code')}</th>
                  <th scope="col">{t('news_staff.col.title')}</th>
                  <th scope="col">{t('news_staff.col.org')}</th>
                  <th scope="col">{t('news_staff.col.state')}</th>
                  <th scope="col">{t('news_staff.col.date')}</th>
                  <th scope="col">{t('news_staff.col.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {props.articles.map((a) => (
                  <tr data-code={a.code}>
                    <td>{digits(ctx, a.code)}</td>
                    <td><a href={`/staff/news/${a.code}`}>{a.title}</a></td>
                    <td class="small">{orgName(a)}</td>
                    <td><span class={`badge ${STATE_BADGE[a.state]}`}>{t(`news_staff.state.${a.state}`)}</span></td>
                    <td class="small">{when(ctx, a.published_at)}</td>
                    <td class="small">{when(ctx, a.corrected_at ?? a.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Layout>
  );
}

/** The form's values as typed (strings), so a refused form shows exactly what was sent. */
export type ArticleFormValues = Record<'title' | 'lead' | 'body' | 'body_format' | 'tags' | 'lang' | 'org' | 'publish_date' | 'publish_time', string>;

export interface NewsFormProps {
  ctx: ViewContext;
  values: ArticleFormValues;
  /** Organizations the editor may write for (a choice on a new article when there are several). */
  orgChoices: { code: string; name: string }[];
  article?: ArticleView;
  errors?: Record<string, string>;
  error?: string;
  flash?: string;
}

function TextArea(props: { ctx: ViewContext; name: string; label: string; value: string; rows: number; error?: string; hint?: string; required?: boolean; ltr?: boolean }) {
  const id = `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="mb-3">
      <label class="form-label" for={id}>{props.label}{props.required ? <span aria-hidden="true"> *</span> : null}</label>
      <textarea id={id} name={props.name} rows={props.rows} class={`form-control${props.error ? ' is-invalid' : ''}`} required={props.required}
        aria-required={props.required ? 'true' : undefined} aria-invalid={props.error ? 'true' : undefined} aria-describedby={describedBy} dir={props.ltr ? 'auto' : undefined}>{props.value}</textarea>
      {props.hint ? <div id={`${id}-hint`} class="form-text">{props.hint}</div> : null}
      {props.error ? <div id={`${id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}

function Select(props: { name: string; label: string; value: string; options: [string, string][]; error?: string }) {
  const id = `f-${props.name}`;
  return (
    <div class="mb-3">
      <label class="form-label" for={id}>{props.label}</label>
      <select id={id} name={props.name} class={`form-select${props.error ? ' is-invalid' : ''}`} aria-invalid={props.error ? 'true' : undefined} aria-describedby={props.error ? `${id}-error` : undefined}>
        {props.options.map(([v, label]) => <option value={v} selected={v === props.value}>{label}</option>)}
      </select>
      {props.error ? <div id={`${id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </div>
  );
}

/** A new article, or an existing one with its state, dates, actions and images. */
export function NewsFormPage(props: NewsFormProps) {
  const { ctx, values, article } = props;
  const t = ctx.t;
  const e = props.errors ?? {};
  const title = article ? t('news_staff.edit_title', { code: digits(ctx, article.code) }) : t('news_staff.new_title');
  const action = article ? `/staff/news/${article.code}` : '/staff/news';
  const live = article?.visible ?? false;
  const state = article?.state ?? 'draft';
  return (
    <Layout ctx={ctx} title={title}>
      <div class="container-xl py-4">
        <p><a href="/staff/news">{t('news_staff.back')}</a></p>
        <h1 class="h3">{title}</h1>
        {props.flash ? <Alert kind="success">{props.flash}</Alert> : null}
        {props.error ? <Alert kind="danger">{props.error}</Alert> : null}
        {article ? (
          <div class="pk-card p-3 mb-3 d-flex flex-wrap gap-3 align-items-center" id="article-status">
            <span>{t('news_staff.status', { state: t(`news_staff.state.${article.state}`) })}</span>
            <span>{t('news_staff.col.code')}: <strong>{digits(ctx, article.code)}</strong></span>
            {article.state === 'scheduled' && article.publish_at ? <span>{t('news_staff.scheduled_at', { date: when(ctx, article.publish_at) })}</span> : null}
            {article.published_at && article.state !== 'scheduled' ? <span>{t('news_staff.published_at', { date: when(ctx, article.published_at) })}</span> : null}
            {article.corrected_at ? <span class="corrected-at">{t('news_staff.corrected_at', { date: when(ctx, article.corrected_at) })}</span> : null}
            {live ? <a class="public-link" href={`/news/${article.code}`}>{t('news_staff.public_link')}</a> : null}
          </div>
        ) : null}
        <div class="row g-4">
          <div class="col-lg-8">
            <form method="post" action={action} id="article-form" class="pk-card p-3" novalidate>
              <CsrfInput ctx={ctx} />
              {!article && props.orgChoices.length > 1 ? (
                <Select name="org" label={t('news_staff.field.org')} value={values.org} options={props.orgChoices.map((o) => [o.code, o.name])} error={e.org} />
              ) : !article && props.orgChoices.length === 1 ? <input type="hidden" name="org" value={props.orgChoices[0]!.code} /> : null}
              <Field ctx={ctx} name="title" label={t('news_staff.field.title')} value={values.title} error={e.title} required maxLength={300} />
              <TextArea ctx={ctx} name="lead" label={t('news_staff.field.lead')} value={values.lead} rows={3} error={e.lead} />
              <div class="row">
                <div class="col-sm-6"><Select name="body_format" label={t('news_staff.field.body_format')} value={values.body_format} options={[['markdown', t('news_staff.format.markdown')], ['html', t('news_staff.format.html')]]} error={e.body_format} /></div>
                <div class="col-sm-6"><Select name="lang" label={t('news_staff.field.lang')} value={values.lang} options={[['fa', t('news_staff.lang.fa')], ['en', t('news_staff.lang.en')]]} error={e.lang} /></div>
              </div>
              <TextArea ctx={ctx} name="body" label={t('news_staff.field.body')} value={values.body} rows={14} error={e.body} hint={t('news_staff.field.body_hint')} required ltr />
              <Field ctx={ctx} name="tags" label={t('news_staff.field.tags')} value={values.tags} error={e.tags} hint={t('news_staff.field.tags_hint')} />
              {live ? null : <fieldset class="border rounded p-2 mb-3">
                <legend class="fs-6 px-1 w-auto float-none">{t('news_staff.schedule_legend')}</legend>
                <div class="row">
                  <div class="col-sm-6"><Field ctx={ctx} name="publish_date" label={t('news_staff.field.publish_date')} value={values.publish_date} error={e.publish_date} ltr inputMode="numeric" /></div>
                  <div class="col-sm-6"><Field ctx={ctx} name="publish_time" label={t('news_staff.field.publish_time')} value={values.publish_time} error={e.publish_time} ltr inputMode="numeric" /></div>
                </div>
              </fieldset>}
              <div class="d-flex flex-wrap gap-2">
                <button type="submit" name="action" value="draft" class="btn btn-outline-primary">{live ? t('news_staff.action.save') : t('news_staff.action.draft')}</button>
                {state !== 'published' ? <button type="submit" name="action" value="publish" class="btn btn-success">{t('news_staff.action.publish')}</button> : null}
                {!live ? <button type="submit" name="action" value="schedule" class="btn btn-outline-success">{t('news_staff.action.schedule')}</button> : null}
                {state === 'published' || state === 'scheduled' ? <button type="submit" name="action" value="unpublish" class="btn btn-outline-danger">{t('news_staff.action.unpublish')}</button> : null}
              </div>
            </form>
          </div>
          <div class="col-lg-4">
            {article ? <ImagesSection ctx={ctx} article={article} errors={e} /> : null}
            {article && article.body_html ? (
              <section class="pk-card p-3 mt-3" aria-labelledby="preview-title">
                <h2 class="h6" id="preview-title">{t('news_staff.preview')}</h2>
                <div class="pk-news-body small" lang={article.lang} dangerouslySetInnerHTML={{ __html: article.body_html }} />
              </section>
            ) : null}
          </div>
        </div>
      </div>
    </Layout>
  );
}

function ImagesSection(props: { ctx: ViewContext; article: ArticleView; errors: Record<string, string> }) {
  const { ctx, article } = props;
  const t = ctx.t;
  const base = `/staff/news/${article.code}/images`;
  return (
    <section class="pk-card p-3" aria-labelledby="images-title" id="images">
      <h2 class="h5" id="images-title">{t('news_staff.images')}</h2>
      <p class="small text-secondary">{t('news_staff.images_lead')}</p>
      <form method="post" action={base} encType="multipart/form-data" class="mb-3" id="image-upload">
        <CsrfInput ctx={ctx} />
        <div class="mb-2">
          <label class="form-label" for="f-image">{t('news_staff.image.file')}</label>
          <input id="f-image" name="image" type="file" accept="image/jpeg,image/png,image/webp" class={`form-control${props.errors.image ? ' is-invalid' : ''}`}
            aria-invalid={props.errors.image ? 'true' : undefined} aria-describedby={props.errors.image ? 'f-image-error' : undefined} />
          {props.errors.image ? <div id="f-image-error" class="invalid-feedback d-block">{props.errors.image}</div> : null}
        </div>
        <Field ctx={ctx} name="caption" label={t('news_staff.image.caption')} value="" error={props.errors.caption} maxLength={500} />
        <button type="submit" class="btn btn-outline-primary btn-sm">{t('news_staff.image.upload')}</button>
      </form>
      {article.images.length === 0 ? <p class="small text-secondary">{t('news_staff.images_none')}</p> : (
        <form method="post" action={`${base}/edit`} id="image-edit">
          <CsrfInput ctx={ctx} />
          <ol class="list-unstyled">
            {article.images.map((img, i) => {
              const n = digits(ctx, i + 1);
              return (
                <li class="border rounded p-2 mb-2" data-image={img.id}>
                  <img src={img.thumb_url} alt={img.caption} class="img-fluid mb-2" loading="lazy" />
                  <div class="mb-2">
                    <label class="form-label small" for={`f-caption_${img.id}`}>{t('news_staff.image.caption_of', { n })}</label>
                    <input id={`f-caption_${img.id}`} name={`caption_${img.id}`} value={img.caption} class="form-control form-control-sm" maxLength={500} />
                  </div>
                  <div class="d-flex gap-3 align-items-center">
                    <div>
                      <label class="form-label small" for={`f-position_${img.id}`}>{t('news_staff.image.position_of', { n })}</label>
                      <input id={`f-position_${img.id}`} name={`position_${img.id}`} value={digits(ctx, i + 1)} class="form-control form-control-sm pk-ltr" dir="ltr" inputMode="numeric" size={3} />
                    </div>
                    <div class="form-check mt-3">
                      <input class="form-check-input" type="checkbox" id={`f-remove_${img.id}`} name={`remove_${img.id}`} value="on" />
                      <label class="form-check-label small" for={`f-remove_${img.id}`}>{t('news_staff.image.remove_of', { n })}</label>
                    </div>
                  </div>
                  <p class="small text-secondary mb-0 mt-1">{t('news_staff.image.markdown', { md: '' })}<code dir="ltr">{`![${img.caption}](${img.url})`}</code></p>
                </li>
              );
            })}
          </ol>
          <button type="submit" class="btn btn-outline-primary btn-sm">{t('news_staff.image.save')}</button>
        </form>
      )}
    </section>
  );
}
