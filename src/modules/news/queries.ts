// Every SQL statement of the editor side of the newsroom. Reads and writes of an organization's
// articles take the OrgScope the access helper granted, so a query cannot reach another org.
import type { Insertable, Updateable } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { NewsArticlesTable, NewsImagesTable } from '../../platform/db/schema.js';

export async function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('code', '=', code).executeTakeFirst();
}

export async function orgsByIds(tx: Tx, ids: string[]) {
  if (ids.length === 0) return [];
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('id', 'in', ids).orderBy('code').execute();
}

/** Every organization (the province admin may write for any). */
export async function allOrgs(tx: Tx) {
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).orderBy('code').execute();
}

/** Where an article lives (its org), by news code; the caller checks access before reading more. */
export async function articleOrgByCode(tx: Tx, code: number) {
  return tx.selectFrom('news_articles').select(['id', 'org_id']).where('code', '=', code).executeTakeFirst();
}

/** One article of the organization by its news code. */
export async function articleInScope(tx: Tx, scope: OrgScope, code: number) {
  return tx.selectFrom('news_articles').selectAll().where('org_id', '=', scope.orgId).where('code', '=', code).executeTakeFirst();
}
export type ArticleRow = NonNullable<Awaited<ReturnType<typeof articleInScope>>>;

/** The organizations' articles in every state, newest first (by code). */
export async function articlesOfOrgs(tx: Tx, scopes: OrgScope[], opts: { state?: string; limit?: number } = {}) {
  if (scopes.length === 0) return [];
  let q = tx.selectFrom('news_articles').selectAll().where('org_id', 'in', scopes.map((s) => s.orgId));
  if (opts.state) q = q.where('state', '=', opts.state as NewsArticlesTable['state']);
  return q.orderBy('code', 'desc').limit(opts.limit ?? 200).execute();
}

export async function insertArticle(tx: Tx, scope: OrgScope, row: Omit<Insertable<NewsArticlesTable>, 'org_id'>): Promise<void> {
  await tx.insertInto('news_articles').values({ ...row, org_id: scope.orgId }).execute();
}

export async function updateArticle(tx: Tx, scope: OrgScope, id: string, set: Omit<Updateable<NewsArticlesTable>, 'id' | 'org_id' | 'code' | 'created_at' | 'created_by'>): Promise<void> {
  await tx.updateTable('news_articles').set(set).where('org_id', '=', scope.orgId).where('id', '=', id).execute();
}

/** Replaces the article's tag rows. */
export async function replaceTags(tx: Tx, articleId: string, tags: { tag: string; tag_key: string }[]): Promise<void> {
  await tx.deleteFrom('news_tags').where('article_id', '=', articleId).execute();
  if (tags.length) await tx.insertInto('news_tags').values(tags.map((t) => ({ article_id: articleId, ...t }))).execute();
}

export async function imagesOf(tx: Tx, scope: OrgScope, articleId: string) {
  return tx.selectFrom('news_images').selectAll().where('org_id', '=', scope.orgId).where('article_id', '=', articleId).orderBy('position').orderBy('created_at').execute();
}
export type ImageRow = Awaited<ReturnType<typeof imagesOf>>[number];

export async function insertImage(tx: Tx, scope: OrgScope, row: Omit<NewsImagesTable, 'org_id'>): Promise<void> {
  await tx.insertInto('news_images').values({ ...row, org_id: scope.orgId }).execute();
}

export async function updateImage(tx: Tx, scope: OrgScope, articleId: string, id: string, set: { caption?: string; position?: number }): Promise<void> {
  await tx.updateTable('news_images').set(set).where('org_id', '=', scope.orgId).where('article_id', '=', articleId).where('id', '=', id).execute();
}

export async function deleteImage(tx: Tx, scope: OrgScope, articleId: string, id: string): Promise<void> {
  await tx.deleteFrom('news_images').where('org_id', '=', scope.orgId).where('article_id', '=', articleId).where('id', '=', id).execute();
}

/** Scheduled articles whose time has come (the scheduler flips them to published). */
export async function dueScheduled(tx: Tx, now: number, limit: number) {
  return tx.selectFrom('news_articles').select(['id', 'org_id', 'code', 'publish_at', 'lang', 'title']).where('state', '=', 'scheduled')
    .where('publish_at', '<=', now).orderBy('publish_at').limit(limit).execute();
}

/** Flips one scheduled article to published if it still is scheduled for that time; false when someone else did. */
export async function markPublished(tx: Tx, id: string, publishAt: number, now: number): Promise<boolean> {
  const r = await tx.updateTable('news_articles').set({ state: 'published', updated_at: now })
    .where('id', '=', id).where('state', '=', 'scheduled').where('publish_at', '=', publishAt).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
