import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field, Layout } from '../../../platform/views/components.js';
import { formatDate, formatNumber, formatTime, type Locale } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import { monthKey, type JalaliMonth, type NewsArticle, type NewsImage, type NewsSummary } from '../public-service.js';

const MONTHS: Record<Locale, string[]> = {
  fa: ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'],
  en: ['Farvardin', 'Ordibehesht', 'Khordad', 'Tir', 'Mordad', 'Shahrivar', 'Mehr', 'Aban', 'Azar', 'Dey', 'Bahman', 'Esfand'],
};

/** A Jalali month as words: «بهمن ۱۳۹۳» / 'Bahman 1393' (the archive is Jalali in both languages). */
export function monthLabel(m: JalaliMonth, locale: Locale): string {
  const name = MONTHS[locale][m.month - 1] ?? String(m.month);
  return locale === 'fa' ? `${name} ${toPersianDigits(String(m.year))}` : `${name} ${m.year}`;
}

/** The date line as the newsroom prints it: «یکشنبه ۱۲ بهمن ۱۳۹۳ - ۲۳:۱۵» / 'Sunday 1 February 2015 - 23:15'. */
export function dateLine(at: number, locale: Locale): string {
  return `${formatDate(at, locale, 'long')} - ${formatTime(at, locale)}`;
}

/** A news code in the UI's digits, without grouping: «۴۵۶۵» / '4565'. */
export const codeText = (code: number, locale: Locale) => (locale === 'fa' ? toPersianDigits(String(code)) : String(code));

function When(props: { at: number; locale: Locale; class?: string }) {
  return <time class={props.class} dateTime={new Date(props.at).toISOString()}>{dateLine(props.at, props.locale)}</time>;
}

/** Title attributes for a text in the article's own language inside the page. */
const langOf = (ctx: ViewContext, lang: 'fa' | 'en'): { lang?: string; dir?: 'rtl' | 'ltr' } => (lang === ctx.locale ? {} : { lang, dir: lang === 'fa' ? 'rtl' : 'ltr' });

/** A list of titles for the sidebars and the home page. */
export function TitleList(props: { ctx: ViewContext; items: NewsSummary[]; id?: string; showDate?: boolean }) {
  const { ctx } = props;
  return (
    <ul class="list-unstyled mb-0 pk-news-titles">
      {props.items.map((a) => (
        <li class="py-2">
          <a href={`/news/${a.code}`} {...langOf(ctx, a.lang)}>{a.title}</a>
          {props.showDate !== false ? <div class="small text-secondary"><When at={a.publishedAt} locale={ctx.locale} /></div> : null}
        </li>
      ))}
    </ul>
  );
}

function Aside(props: { ctx: ViewContext; title: string; id: string; children: ComponentChildren }) {
  return (
    <section class="pk-card p-3 mb-3" aria-labelledby={props.id}>
      <h2 class="h6 fw-bold" id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

function imageAlt(ctx: ViewContext, img: NewsImage, title: string) {
  return img.caption ? ctx.t('newsp.image_alt', { caption: img.caption }) : ctx.t('newsp.image_alt_plain', { title });
}

/** One article in a list: its first image, title, date line, organization and lead. */
function ListItem(props: { ctx: ViewContext; a: NewsSummary }) {
  const { ctx, a } = props;
  return (
    <article class="pk-card p-3 mb-3 pk-news-item" aria-labelledby={`n-${a.code}`}>
      <div class="d-flex gap-3">
        {a.image ? (
          <a href={`/news/${a.code}`} class="flex-shrink-0" tabIndex={-1} aria-hidden="true">
            <img src={a.image.thumbUrl} alt="" width={120} height={Math.round(120 * (a.image.height / Math.max(1, a.image.width)))} loading="lazy" class="pk-news-thumb" />
          </a>
        ) : null}
        <div class="min-w-0">
          <h2 class="h5 mb-1" id={`n-${a.code}`}><a href={`/news/${a.code}`} {...langOf(ctx, a.lang)}>{a.title}</a></h2>
          <p class="small text-secondary mb-2">
            <When at={a.publishedAt} locale={ctx.locale} />
            {' · '}
            <a href={`/news?org=${encodeURIComponent(a.org.code)}`} class="link-secondary">{a.org.name[ctx.locale]}</a>
            {' · '}
            <span>{ctx.t('newsp.code', { code: codeText(a.code, ctx.locale) })}</span>
          </p>
          <p class="mb-0" {...langOf(ctx, a.lang)}>{a.lead}</p>
        </div>
      </div>
    </article>
  );
}

export interface ListPageProps {
  ctx: ViewContext;
  heading: string;
  items: NewsSummary[];
  total: number;
  page: number;
  pages: number;
  q: string;
  org?: { code: string; name: { fa: string; en: string } };
  tag?: { tag: string; key: string };
  month?: JalaliMonth;
  orgs: { code: string; name: { fa: string; en: string } }[];
  months: (JalaliMonth & { count: number })[];
  tags: { key: string; tag: string; count: number }[];
  /** Query string of this list without the page (for the pager): 'q=..&org=..'. */
  baseQuery: string;
  feedQuery: string;
}

/** The province's or an organization's news: search, filters, the list, pages, archive, tags, feeds. */
export function NewsListPage(props: ListPageProps) {
  const { ctx } = props;
  const href = (page: number) => `/news?${[props.baseQuery, page > 1 ? `page=${page}` : ''].filter(Boolean).join('&')}`.replace(/\?$/, '');
  const orgParam = props.org ? `?org=${encodeURIComponent(props.org.code)}` : '';
  const filtered = Boolean(props.q || props.org || props.tag || props.month);
  return (
    <Layout ctx={ctx} title={props.heading} description={ctx.t('newsp.lead')}>
      <div class="container py-4">
        <h1 class="h3 mb-1">{props.heading}</h1>
        <p class="text-secondary">{ctx.t('newsp.lead')}</p>
        <form method="get" action="/news" role="search" class="row g-2 align-items-end mb-3" aria-label={ctx.t('newsp.search_label')}>
          <div class="col-12 col-md-6">
            <label class="form-label" for="news-q">{ctx.t('newsp.search_label')}</label>
            <input id="news-q" name="q" type="search" class="form-control" value={props.q} maxLength={200} placeholder={ctx.t('newsp.search_placeholder')} />
          </div>
          <div class="col-8 col-md-4">
            <label class="form-label" for="news-org">{ctx.t('newsp.filter_org')}</label>
            <select id="news-org" name="org" class="form-select">
              <option value="">{ctx.t('newsp.filter_all_orgs')}</option>
              {props.orgs.map((o) => <option value={o.code} selected={props.org?.code === o.code}>{o.name[ctx.locale]}</option>)}
            </select>
          </div>
          {props.tag ? <input type="hidden" name="tag" value={props.tag.key} /> : null}
          {props.month ? <input type="hidden" name="month" value={monthKey(props.month)} /> : null}
          <div class="col-4 col-md-2">
            <button type="submit" class="btn btn-primary w-100">{ctx.t('newsp.search_button')}</button>
          </div>
        </form>
        <div class="row g-4">
          <div class="col-12 col-lg-8">
            <p class="small text-secondary d-flex flex-wrap gap-3" role="status">
              <span>{ctx.t('newsp.results', { n: props.total })}</span>
              {filtered ? <a href="/news">{ctx.t('newsp.clear_filters')}</a> : null}
            </p>
            {props.items.length === 0 ? (
              <p class="pk-card p-3" data-testid="news-empty">{props.q ? ctx.t('newsp.empty_search', { q: props.q }) : ctx.t('newsp.empty')}</p>
            ) : props.items.map((a) => <ListItem ctx={ctx} a={a} />)}
            {props.pages > 1 ? (
              <nav aria-label={ctx.t('newsp.pages')}>
                <ul class="pagination flex-wrap">
                  <li class={`page-item${props.page <= 1 ? ' disabled' : ''}`}>
                    {props.page <= 1 ? <span class="page-link">{ctx.t('newsp.prev')}</span> : <a class="page-link" href={href(props.page - 1)} rel="prev">{ctx.t('newsp.prev')}</a>}
                  </li>
                  <li class="page-item active" aria-current="page"><span class="page-link">{ctx.t('newsp.page_of', { page: props.page, pages: props.pages })}</span></li>
                  <li class={`page-item${props.page >= props.pages ? ' disabled' : ''}`}>
                    {props.page >= props.pages ? <span class="page-link">{ctx.t('newsp.next')}</span> : <a class="page-link" href={href(props.page + 1)} rel="next">{ctx.t('newsp.next')}</a>}
                  </li>
                </ul>
              </nav>
            ) : null}
          </div>
          <div class="col-12 col-lg-4">
            <Aside ctx={ctx} title={ctx.t('newsp.archive')} id="news-archive">
              {props.months.length ? (
                <ul class="list-unstyled mb-0 pk-news-months">
                  {props.months.map((m) => (
                    <li>
                      <a href={`/news/archive/${m.year}/${String(m.month).padStart(2, '0')}${orgParam}`} aria-current={props.month && monthKey(props.month) === monthKey(m) ? 'page' : undefined}>
                        {ctx.t('newsp.archive_item', { month: monthLabel(m, ctx.locale), n: m.count })}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : <p class="small text-secondary mb-0">{ctx.t('newsp.empty')}</p>}
            </Aside>
            {props.tags.length ? (
              <Aside ctx={ctx} title={ctx.t('newsp.tags')} id="news-tags">
                <ul class="list-inline mb-0">
                  {props.tags.map((t) => (
                    <li class="list-inline-item mb-1"><a class="badge rounded-pill text-bg-light border pk-news-tag" href={`/news/tags/${encodeURIComponent(t.key)}`}>{t.tag} <span class="text-secondary">({formatNumber(t.count, ctx.locale)})</span></a></li>
                  ))}
                </ul>
              </Aside>
            ) : null}
            <Aside ctx={ctx} title={ctx.t('newsp.feeds')} id="news-feeds">
              <p class="mb-0 d-flex gap-3">
                <a href={`/news/feed.rss${props.feedQuery}`} type="application/rss+xml">{ctx.t('newsp.feed_rss')}</a>
                <a href={`/news/feed.atom${props.feedQuery}`} type="application/atom+xml">{ctx.t('newsp.feed_atom')}</a>
              </p>
            </Aside>
          </div>
        </div>
      </div>
    </Layout>
  );
}

export interface ShareState {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  error?: string;
  sent?: boolean;
}

function ShareForm(props: { ctx: ViewContext; code: number; state: ShareState }) {
  const { ctx, state } = props;
  return (
    <section id="share" class="pk-card p-3 mt-4 pk-no-print" aria-labelledby="share-h">
      <h2 class="h5" id="share-h">{ctx.t('newsp.share.title')}</h2>
      <p class="small text-secondary">{ctx.t('newsp.share.lead')}</p>
      {state.sent ? <Alert kind="success">{ctx.t('newsp.share.sent_generic')}</Alert> : null}
      {state.error ? <Alert kind="danger">{state.error}</Alert> : null}
      <form method="post" action={`/news/${props.code}/share#share`} novalidate>
        <CsrfInput ctx={ctx} />
        <div class="row g-2">
          <div class="col-12 col-md-6">
            <Field ctx={ctx} name="sender_name" label={ctx.t('newsp.share.sender_name')} value={state.values?.sender_name} error={state.errors?.sender_name}
              hint={ctx.t('newsp.share.sender_hint')} required maxLength={120} autocomplete="name" />
          </div>
          <div class="col-12 col-md-6">
            <Field ctx={ctx} name="recipient_email" type="email" label={ctx.t('newsp.share.recipient_email')} value={state.values?.recipient_email} error={state.errors?.recipient_email}
              hint={ctx.t('newsp.share.recipient_hint')} required ltr maxLength={254} inputMode="email" autocomplete="off" />
          </div>
        </div>
        <button type="submit" class="btn btn-primary">{ctx.t('newsp.share.send')}</button>
      </form>
    </section>
  );
}

function Figure(props: { ctx: ViewContext; img: NewsImage; title: string; lang?: 'fa' | 'en'; print?: boolean }) {
  const { ctx, img } = props;
  return (
    <figure class="figure d-block mb-3 pk-news-figure">
      <a href={img.url}>
        <img src={img.url} alt={imageAlt(ctx, img, props.title)} width={img.width} height={img.height} class="figure-img img-fluid rounded" loading={props.print ? undefined : 'lazy'} />
      </a>
      {img.caption ? <figcaption class="figure-caption" {...(props.lang ? langOf(ctx, props.lang) : {})}>{img.caption}</figcaption> : null}
    </figure>
  );
}

/** The heading block shared by the article page and its print version. */
function ArticleHead(props: { ctx: ViewContext; a: NewsArticle }) {
  const { ctx, a } = props;
  return (
    <header class="mb-3">
      <p class="small text-secondary mb-2 d-flex flex-wrap gap-2 pk-news-dateline">
        <When at={a.publishedAt} locale={ctx.locale} />
        <span aria-hidden="true">·</span>
        <span data-testid="news-code">{ctx.t('newsp.code', { code: codeText(a.code, ctx.locale) })}</span>
      </p>
      <h1 class="h3 fw-bold" id="news-title" {...langOf(ctx, a.lang)}>{a.title}</h1>
      {a.correctedAt ? (
        <p class="small mb-2"><span class="badge text-bg-warning">{ctx.t('newsp.updated_label')}</span>{' '}
          <time dateTime={new Date(a.correctedAt).toISOString()} data-testid="news-updated">{dateLine(a.correctedAt, ctx.locale)}</time>
        </p>
      ) : null}
      <p class="lead pk-news-lead" {...langOf(ctx, a.lang)}>{a.lead}</p>
      <p class="small mb-0">
        <a href={`/news?org=${encodeURIComponent(a.org.code)}`}>{a.org.name[ctx.locale]}</a>
      </p>
    </header>
  );
}

export interface ArticlePageProps {
  ctx: ViewContext;
  article: NewsArticle;
  related: NewsSummary[];
  latest: NewsSummary[];
  shortUrl: string;
  share: ShareState;
}

/** An article: date line and news code, title, update time, lead, images, body, tags, org; the sidebars; send to a friend. */
export function ArticlePage(props: ArticlePageProps) {
  const { ctx, article: a } = props;
  return (
    <Layout ctx={ctx} title={a.title} description={a.lead}>
      <div class="container py-4">
        <nav aria-label={ctx.t('newsp.title')} class="small mb-3 pk-no-print">
          <a href="/news">{ctx.t('newsp.title')}</a>{' › '}<a href={`/news?org=${encodeURIComponent(a.org.code)}`}>{a.org.name[ctx.locale]}</a>
        </nav>
        <div class="row g-4">
          <article class="col-12 col-lg-8 pk-news-article" aria-labelledby="news-title">
            <div class="pk-card p-3 p-md-4">
              <ArticleHead ctx={ctx} a={a} />
              {a.images[0] ? <Figure ctx={ctx} img={a.images[0]} title={a.title} lang={a.lang} /> : null}
              {/* body_html is produced only by the editor side's sanitizer (sanitized on write). */}
              <div class="pk-news-body" {...langOf(ctx, a.lang)} dangerouslySetInnerHTML={{ __html: a.bodyHtml }} />
              {a.images.length > 1 ? (
                <section aria-label={ctx.t('newsp.images')} class="mt-3">
                  {a.images.slice(1).map((img) => <Figure ctx={ctx} img={img} title={a.title} lang={a.lang} />)}
                </section>
              ) : null}
              {a.tags.length ? (
                <p class="mt-3 mb-2">
                  <span class="visually-hidden">{ctx.t('newsp.tags')}: </span>
                  {a.tags.map((t) => <a class="badge rounded-pill text-bg-light border me-1 pk-news-tag" href={`/news/tags/${encodeURIComponent(t.key)}`} rel="tag" {...langOf(ctx, a.lang)}>{t.tag}</a>)}
                </p>
              ) : null}
              <dl class="small row mb-0 mt-3 pk-news-meta">
                <dt class="col-sm-3">{ctx.t('newsp.code_label')}</dt>
                <dd class="col-sm-9">{codeText(a.code, ctx.locale)}</dd>
                <dt class="col-sm-3">{ctx.t('newsp.short_url')}</dt>
                <dd class="col-sm-9"><a href={props.shortUrl} dir="ltr" class="pk-ltr" data-testid="news-short-url">{props.shortUrl}</a></dd>
              </dl>
              <p class="mt-3 mb-0 d-flex flex-wrap gap-3 pk-no-print">
                <a href={`/news/${a.code}/print`} rel="alternate">{ctx.t('newsp.print')}</a>
                <a href={`/news?org=${encodeURIComponent(a.org.code)}`}>{ctx.t('newsp.org_more', { org: a.org.name[ctx.locale] })}</a>
              </p>
            </div>
            <ShareForm ctx={ctx} code={a.code} state={props.share} />
          </article>
          <div class="col-12 col-lg-4 pk-no-print">
            <Aside ctx={ctx} title={ctx.t('newsp.latest')} id="news-latest-h">
              {props.latest.length ? <TitleList ctx={ctx} items={props.latest} /> : <p class="small text-secondary mb-0">{ctx.t('newsp.latest_empty')}</p>}
            </Aside>
            {props.related.length ? (
              <Aside ctx={ctx} title={ctx.t('newsp.related')} id="news-related-h">
                <TitleList ctx={ctx} items={props.related} />
              </Aside>
            ) : null}
          </div>
        </div>
      </div>
    </Layout>
  );
}

/** The print version: the article alone, no navigation, the print stylesheet for every medium. */
export function PrintPage(props: { ctx: ViewContext; article: NewsArticle; canonical: string; shortUrl: string }) {
  const { ctx, article: a } = props;
  return (
    <html lang={ctx.locale} dir={ctx.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${a.title} | ${ctx.t('app.name')}`}</title>
        <link rel="canonical" href={props.canonical} />
        <link rel="stylesheet" href={ctx.dir === 'rtl' ? '/static/vendor/bootstrap/bootstrap.rtl.min.css' : '/static/vendor/bootstrap/bootstrap.min.css'} />
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="stylesheet" href="/static/news.css" />
      </head>
      <body class="pk-news-print">
        <main id="main" class="container py-3">
          <p class="pk-no-print small"><a href={`/news/${a.code}`}>{ctx.t('newsp.print_back')}</a> · {ctx.t('newsp.print_hint')}</p>
          <p class="fw-bold mb-1">{ctx.t('app.name')} — {a.org.name[ctx.locale]}</p>
          <article aria-labelledby="news-title">
            <ArticleHead ctx={ctx} a={a} />
            {a.images.map((img) => <Figure ctx={ctx} img={img} title={a.title} lang={a.lang} print />)}
            <div class="pk-news-body" {...langOf(ctx, a.lang)} dangerouslySetInnerHTML={{ __html: a.bodyHtml }} />
            {a.tags.length ? <p class="small">{ctx.t('newsp.tags')}: {a.tags.map((t) => t.tag).join(ctx.locale === 'fa' ? '، ' : ', ')}</p> : null}
          </article>
          <p class="small border-top pt-2">{ctx.t('newsp.short_url')}: <span dir="ltr">{props.shortUrl}</span></p>
        </main>
      </body>
    </html>
  );
}
