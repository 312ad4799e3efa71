// Test factories of the public newsroom: articles as the editor side stores them (body_html
// already sanitized, search_text folded, tags in news_tags), and stored images.
import { newId } from '../../platform/core/index.js';
import type { DB } from '../../platform/db/index.js';
import type { FileStore } from '../../platform/files/index.js';
import { searchKey } from '../../platform/i18n/persian.js';

export interface ArticleFixture {
  orgId: string;
  code: number;
  title: string;
  lead?: string;
  bodyHtml?: string;
  tags?: string[];
  state?: 'draft' | 'scheduled' | 'published' | 'unpublished';
  publishedAt?: number | null;
  correctedAt?: number | null;
  lang?: 'fa' | 'en';
}

/** Inserts an article (and its tags) directly; returns its id. */
export async function makeArticle(db: DB, a: ArticleFixture): Promise<string> {
  const id = newId();
  const lead = a.lead ?? `خلاصه خبر ${a.code}`;
  const body = a.bodyHtml ?? `<p>متن خبر ${a.code}</p>`;
  const tags = a.tags ?? [];
  const plain = body.replace(/<[^>]*>/g, ' ');
  const at = a.publishedAt === undefined ? Date.parse('2015-02-01T19:45:00Z') : a.publishedAt;
  await db.insertInto('news_articles').values({
    id, org_id: a.orgId, code: a.code, lang: a.lang ?? 'fa', title: a.title, lead, body_format: 'html', body_source: body, body_html: body,
    tags: JSON.stringify(tags), state: a.state ?? 'published', publish_at: a.state === 'scheduled' ? at : null, published_at: at,
    corrected_at: a.correctedAt ?? null, search_text: searchKey(`${a.title} ${lead} ${plain} ${tags.join(' ')}`),
    created_by: null, updated_by: null, created_at: at ?? Date.parse('2015-01-01T00:00:00Z'), updated_at: at ?? Date.parse('2015-01-01T00:00:00Z'),
  }).execute();
  for (const tag of tags) {
    await db.insertInto('news_tags').values({ article_id: id, tag, tag_key: searchKey(tag) }).onConflict((oc) => oc.doNothing()).execute();
  }
  return id;
}

/** A 1x1 PNG. */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Stores an image for an article (the main image only, as an editor's upload would). */
export async function makeImage(db: DB, files: FileStore, a: { articleId: string; orgId: string; caption?: string; position?: number; bytes?: Buffer }): Promise<string> {
  const content = a.bytes ?? PNG_1X1;
  const stored = await files.put(content, { maxBytes: 10_000_000 });
  const id = newId();
  await db.insertInto('news_images').values({
    id, article_id: a.articleId, org_id: a.orgId, storage_key: stored.key, mime: 'image/png', width: 1, height: 1, bytes: stored.size,
    caption: a.caption ?? '', position: a.position ?? 0, created_at: Date.parse('2015-02-01T19:00:00Z'),
  }).execute();
  return id;
}
