import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import { publicArticles } from './visibility.js';

// Every SQL statement of the public newsroom. Each article read starts from publicArticles(),
// so a draft, an unpublished or a not-yet-due article is never listed, found, fed or shown.

/** What a list, a feed and the sidebars show of an article. */
export interface ArticleSummaryRow {
  id: string;
  code: number;
  lang: 'fa' | 'en';
  title: string;
  lead: string;
  tags: string;
  published_at: number;
  corrected_at: number | null;
  org_id: string;
  org_code: string;
  org_name_fa: string;
  org_name_en: string;
}

export interface ArticleRow extends ArticleSummaryRow {
  body_html: string;
  updated_at: number;
}

/** The filters of a list; every one is optional. Words are already search keys. */
export interface ListFilter {
  words?: string[];
  tagKey?: string;
  orgId?: string;
  /** [from, to): published_at in this range (a Jalali month in Tehran). */
  range?: [number, number];
}

const summaryColumns = [
  'news_articles.id', 'news_articles.code', 'news_articles.lang', 'news_articles.title', 'news_articles.lead', 'news_articles.tags',
  'news_articles.published_at', 'news_articles.corrected_at', 'news_articles.org_id',
  'orgs.code as org_code', 'orgs.name_fa as org_name_fa', 'orgs.name_en as org_name_en',
] as const;

/** Escapes LIKE's wildcards so a searched '%' or '_' matches itself. */
function likeContains(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filtered(db: Tx, now: number, f: ListFilter) {
  let q = publicArticles(db, now).innerJoin('orgs', 'orgs.id', 'news_articles.org_id');
  if (f.orgId) q = q.where('news_articles.org_id', '=', f.orgId);
  if (f.range) q = q.where('news_articles.published_at', '>=', f.range[0]).where('news_articles.published_at', '<', f.range[1]);
  for (const w of f.words ?? []) q = q.where(sql<boolean>`news_articles.search_text like ${likeContains(w)} escape '\\'`);
  if (f.tagKey) {
    const key = f.tagKey;
    q = q.where((eb) => eb.exists(eb.selectFrom('news_tags').select('news_tags.article_id')
      .whereRef('news_tags.article_id', '=', 'news_articles.id').where('news_tags.tag_key', '=', key)));
  }
  return q;
}

const asSummary = <T extends { code: number | string; published_at: number | string | null; corrected_at: number | string | null }>(r: T) =>
  ({ ...r, code: Number(r.code), published_at: Number(r.published_at), corrected_at: r.corrected_at == null ? null : Number(r.corrected_at) });

/** A page of visible articles matching the filter, newest first, and how many match in all. */
export async function listArticles(db: Tx, now: number, f: ListFilter, page: { limit: number; offset: number }): Promise<{ rows: ArticleSummaryRow[]; total: number }> {
  const rows = await filtered(db, now, f).select([...summaryColumns])
    .orderBy('news_articles.published_at', 'desc').orderBy('news_articles.code', 'desc')
    .limit(page.limit).offset(page.offset).execute();
  const count = await filtered(db, now, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return { rows: rows.map((r) => asSummary(r) as ArticleSummaryRow), total: Number(count?.n ?? 0) };
}

/** One visible article by its news code, with its organization, or undefined. */
export async function articleByCode(db: Tx, now: number, code: number): Promise<ArticleRow | undefined> {
  const r = await publicArticles(db, now).innerJoin('orgs', 'orgs.id', 'news_articles.org_id')
    .select([...summaryColumns, 'news_articles.body_html', 'news_articles.updated_at'])
    .where('news_articles.code', '=', code).executeTakeFirst();
  return r ? { ...(asSummary(r) as ArticleSummaryRow), body_html: r.body_html, updated_at: Number(r.updated_at) } : undefined;
}

/** The images of these articles, in their order. */
export async function imagesOf(db: Tx, articleIds: string[]) {
  if (articleIds.length === 0) return [];
  const rows = await db.selectFrom('news_images')
    .select(['id', 'article_id', 'mime', 'width', 'height', 'caption', 'position'])
    .where('article_id', 'in', articleIds).orderBy('article_id').orderBy('position').orderBy('created_at').execute();
  return rows.map((r) => ({ ...r, width: Number(r.width), height: Number(r.height), position: Number(r.position) }));
}

/**
 * Visible articles sharing tags with this one, the most shared tags first, then the newest;
 * the article itself excluded.
 */
export async function sharingTags(db: Tx, now: number, articleId: string, limit: number): Promise<ArticleSummaryRow[]> {
  const rows = await publicArticles(db, now).innerJoin('orgs', 'orgs.id', 'news_articles.org_id')
    .innerJoin('news_tags as t', 't.article_id', 'news_articles.id')
    .where('t.tag_key', 'in', (eb) => eb.selectFrom('news_tags').select('news_tags.tag_key').where('news_tags.article_id', '=', articleId))
    .where('news_articles.id', '!=', articleId)
    .select([...summaryColumns, (eb) => eb.fn.countAll<number>().as('shared')])
    .groupBy([...summaryColumns.map((c) => c.split(' as ')[0]!)] as never)
    .orderBy(sql`count(*)`, 'desc').orderBy('news_articles.published_at', 'desc')
    .limit(limit).execute();
  return rows.map((r) => asSummary(r) as ArticleSummaryRow);
}

/** The newest visible articles (of one organization when given), leaving out some ids. */
export async function latest(db: Tx, now: number, limit: number, opts: { orgId?: string; exclude?: string[] } = {}): Promise<ArticleSummaryRow[]> {
  let q = filtered(db, now, { orgId: opts.orgId });
  if (opts.exclude?.length) q = q.where('news_articles.id', 'not in', opts.exclude);
  const rows = await q.select([...summaryColumns]).orderBy('news_articles.published_at', 'desc').orderBy('news_articles.code', 'desc').limit(limit).execute();
  return rows.map((r) => asSummary(r) as ArticleSummaryRow);
}

/** The publication times of every visible article (of one organization), for the month archive. */
export async function publicationTimes(db: Tx, now: number, orgId?: string): Promise<number[]> {
  let q = publicArticles(db, now).select('published_at');
  if (orgId) q = q.where('org_id', '=', orgId);
  return (await q.execute()).map((r) => Number(r.published_at));
}

/** The tags of visible articles with how many articles carry each, most used first. */
export async function tagCounts(db: Tx, now: number, limit: number, orgId?: string) {
  let q = publicArticles(db, now).innerJoin('news_tags', 'news_tags.article_id', 'news_articles.id');
  if (orgId) q = q.where('news_articles.org_id', '=', orgId);
  const rows = await q.select(['news_tags.tag_key', (eb) => eb.fn.min('news_tags.tag').as('tag'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('news_tags.tag_key').orderBy(sql`count(*)`, 'desc').orderBy('news_tags.tag_key').limit(limit).execute();
  return rows.map((r) => ({ key: r.tag_key, tag: String(r.tag), count: Number(r.n) }));
}

/** A tag's display form as written on some visible article, or undefined when no visible article has it. */
export async function tagByKey(db: Tx, now: number, key: string): Promise<string | undefined> {
  const r = await publicArticles(db, now).innerJoin('news_tags', 'news_tags.article_id', 'news_articles.id')
    .where('news_tags.tag_key', '=', key).select('news_tags.tag').orderBy('news_articles.published_at', 'desc').limit(1).executeTakeFirst();
  return r?.tag;
}

/** An organization by its code (id, names), or undefined. */
export async function orgByCode(db: Tx, code: string) {
  return db.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en', 'kind']).where('code', '=', code).executeTakeFirst();
}

/** An image with its article's state, for deciding who may fetch it. */
export async function imageWithArticle(db: Tx, imageId: string) {
  const r = await db.selectFrom('news_images').innerJoin('news_articles', 'news_articles.id', 'news_images.article_id')
    .select(['news_images.id', 'news_images.storage_key', 'news_images.mime', 'news_images.bytes', 'news_images.created_at', 'news_images.org_id',
      'news_articles.state', 'news_articles.published_at', 'news_articles.org_id as article_org_id'])
    .where('news_images.id', '=', imageId).executeTakeFirst();
  return r ? { ...r, published_at: r.published_at == null ? null : Number(r.published_at), created_at: Number(r.created_at) } : undefined;
}

/** How many shares went to this recipient (hash) since the given time. */
export async function sharesToRecipientSince(db: Tx, recipientHash: string, since: number): Promise<number> {
  const r = await db.selectFrom('news_shares').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('recipient_hash', '=', recipientHash).where('created_at', '>=', since).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** How many shares were sent from this address (hash) since the given time. */
export async function sharesFromIpSince(db: Tx, ipHash: string, since: number): Promise<number> {
  const r = await db.selectFrom('news_shares').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('ip_hash', '=', ipHash).where('created_at', '>=', since).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function insertShare(db: Tx, row: { id: string; article_id: string; recipient_hash: string; ip_hash: string; created_at: number }): Promise<void> {
  await db.insertInto('news_shares').values(row).execute();
}
