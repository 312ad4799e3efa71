import type { Readable } from 'node:stream';
import { toGregorian } from 'jalaali-js';
import type { DB } from '../../platform/db/index.js';
import type { Actor, Clock } from '../../platform/core/index.js';
import { mayAct } from '../../platform/auth/access.js';
import { badInput, notFound } from '../../platform/http/errors.js';
import { FileMissing, type FileStore } from '../../platform/files/index.js';
import { jalaliParts } from '../../platform/i18n/format.js';
import { searchKey, toAsciiDigits } from '../../platform/i18n/persian.js';
import { tehranInstant } from '../../platform/i18n/tehran.js';
import { isPubliclyVisible } from './visibility.js';
import * as q from './public-queries.js';

export const PER_PAGE = 20;
const MAX_PAGE = 10_000;
const MAX_WORDS = 8;
const SIDEBAR = 8;

/** A Jalali month, as '1405-09' in URLs. */
export interface JalaliMonth { year: number; month: number }

export interface NewsImage { id: string; url: string; thumbUrl: string; caption: string; width: number; height: number; mime: string }
export interface NewsSummary {
  id: string;
  code: number;
  lang: 'fa' | 'en';
  title: string;
  lead: string;
  tags: { tag: string; key: string }[];
  publishedAt: number;
  correctedAt: number | null;
  org: { code: string; name: { fa: string; en: string } };
  image: NewsImage | null;
}
export interface NewsArticle extends NewsSummary {
  bodyHtml: string;
  images: NewsImage[];
  updatedAt: number;
}

/** What a list asks for, as typed in a URL or the API (validated here). */
export interface ListQuery { q?: string; tag?: string; org?: string; month?: string; page?: number | string }

export const monthKey = (m: JalaliMonth) => `${m.year}-${String(m.month).padStart(2, '0')}`;

/** '1405-09', '1405/9', '۱۴۰۵-۰۹' as a Jalali month, or null. */
export function parseMonth(input: string): JalaliMonth | null {
  const m = /^(\d{4})[-/](\d{1,2})$/.exec(toAsciiDigits(input).trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return year >= 1300 && year <= 1500 && month >= 1 && month <= 12 ? { year, month } : null;
}

/** The instants [from, to) of a Jalali month in Tehran. */
export function monthRange(m: JalaliMonth): [number, number] {
  const start = (y: number, mo: number) => {
    const g = toGregorian(y, mo, 1);
    return tehranInstant({ year: g.gy, month: g.gm, day: g.gd }).getTime();
  };
  return [start(m.year, m.month), m.month === 12 ? start(m.year + 1, 1) : start(m.year, m.month + 1)];
}

/** A news code as typed in a URL or a search box (Persian digits allowed), or null. */
export function parseCode(input: unknown): number | null {
  if (typeof input !== 'string' && typeof input !== 'number') return null;
  const s = toAsciiDigits(String(input)).trim();
  if (!/^\d{1,9}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 ? n : null;
}

const ORG_CODE = /^[a-z0-9-]{1,64}$/;

function parseTags(json: string): { tag: string; key: string }[] {
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((tag) => ({ tag, key: searchKey(tag) })).filter((t) => t.key);
  } catch {
    return [];
  }
}

const imageView = (i: { id: string; caption: string; width: number; height: number; mime: string }): NewsImage => ({
  id: i.id, url: `/news/images/${i.id}`, thumbUrl: `/news/images/${i.id}/thumb`, caption: i.caption, width: i.width, height: i.height, mime: i.mime,
});

/** The public newsroom's reads: lists, search, archive, one article with its sidebars, images. */
export function createPublicNews(deps: { db: DB; clock: Clock; files: FileStore }) {
  const { db, clock } = deps;

  async function summaries(rows: q.ArticleSummaryRow[]): Promise<NewsSummary[]> {
    const images = await q.imagesOf(db, rows.map((r) => r.id));
    const first = new Map<string, NewsImage>();
    for (const i of images) if (!first.has(i.article_id)) first.set(i.article_id, imageView(i));
    return rows.map((r) => ({
      id: r.id, code: r.code, lang: r.lang === 'en' ? 'en' : 'fa', title: r.title, lead: r.lead, tags: parseTags(r.tags),
      publishedAt: r.published_at, correctedAt: r.corrected_at,
      org: { code: r.org_code, name: { fa: r.org_name_fa, en: r.org_name_en } }, image: first.get(r.id) ?? null,
    }));
  }

  /** The organization of a code, or a 404 naming nothing. */
  async function orgOf(code: string) {
    const org = ORG_CODE.test(code) ? await q.orgByCode(db, code) : undefined;
    if (!org) throw notFound();
    return org;
  }

  return {
    /**
     * A page of visible articles, newest first: of the province or one organization, with a tag,
     * in a Jalali month, matching every word of a search (in its search-key fold). Bad values are
     * a 400 naming the field; an unknown organization is a 404.
     */
    async list(query: ListQuery) {
      const now = clock.now();
      const errors: Record<string, string> = {};
      const pageText = query.page === undefined || query.page === '' ? '1' : toAsciiDigits(String(query.page)).trim();
      const page = /^\d{1,6}$/.test(pageText) ? Number(pageText) : NaN;
      if (!(page >= 1 && page <= MAX_PAGE)) errors.page = 'newsp.error.page';
      const month = query.month ? parseMonth(query.month) : null;
      if (query.month && !month) errors.month = 'newsp.error.month';
      const qText = (query.q ?? '').slice(0, 200);
      if ((query.q ?? '').length > 200) errors.q = 'common.too_long';
      const tagKey = query.tag ? searchKey(query.tag.slice(0, 100)) : undefined;
      if (query.tag && !tagKey) errors.tag = 'common.invalid_value';
      if (Object.keys(errors).length) throw badInput(errors);
      const org = query.org ? await orgOf(query.org) : undefined;
      const words = [...new Set(searchKey(qText).split(' ').filter(Boolean))].slice(0, MAX_WORDS);
      const filter: q.ListFilter = { words, tagKey, orgId: org?.id, range: month ? monthRange(month) : undefined };
      const { rows, total } = await q.listArticles(db, now, filter, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
      const tag = tagKey ? (await q.tagByKey(db, now, tagKey)) ?? query.tag!.trim() : undefined;
      return {
        items: await summaries(rows), total, page, perPage: PER_PAGE, pages: Math.max(1, Math.ceil(total / PER_PAGE)),
        q: qText.trim(), tag: tag && tagKey ? { tag, key: tagKey } : undefined, month: month ?? undefined,
        org: org ? { code: org.code, name: { fa: org.name_fa, en: org.name_en } } : undefined,
      };
    },

    /** The Jalali months with visible articles (of one organization), newest first, with counts. */
    async months(orgCode?: string): Promise<(JalaliMonth & { count: number })[]> {
      const org = orgCode ? await orgOf(orgCode) : undefined;
      const counts = new Map<string, JalaliMonth & { count: number }>();
      for (const t of await q.publicationTimes(db, clock.now(), org?.id)) {
        const j = jalaliParts(t);
        const key = monthKey(j);
        const entry = counts.get(key) ?? { year: j.year, month: j.month, count: 0 };
        entry.count += 1;
        counts.set(key, entry);
      }
      return [...counts.values()].sort((a, b) => b.year - a.year || b.month - a.month);
    },

    /** The most used tags of visible articles (of one organization). */
    async tags(orgCode?: string, limit = 30) {
      const org = orgCode ? await orgOf(orgCode) : undefined;
      return q.tagCounts(db, clock.now(), limit, org?.id);
    },

    /** The newest visible titles of the province, or of one organization. */
    async latest(limit = SIDEBAR, orgCode?: string): Promise<NewsSummary[]> {
      const org = orgCode ? await orgOf(orgCode) : undefined;
      return summaries(await q.latest(db, clock.now(), limit, { orgId: org?.id }));
    },

    /**
     * One visible article by news code with its images; related titles (shared tags first, then
     * the same organization's newest) and the province's latest titles. 404 when not visible.
     */
    async article(code: number) {
      const now = clock.now();
      const row = await q.articleByCode(db, now, code);
      if (!row) throw notFound('newsp.not_found');
      const [summary] = await summaries([row]);
      const images = (await q.imagesOf(db, [row.id])).map(imageView);
      const article: NewsArticle = { ...summary!, bodyHtml: row.body_html, images, updatedAt: row.updated_at };
      const byTags = await q.sharingTags(db, now, row.id, SIDEBAR);
      const sameOrg = byTags.length < SIDEBAR ? await q.latest(db, now, SIDEBAR - byTags.length, { orgId: row.org_id, exclude: [row.id, ...byTags.map((r) => r.id)] }) : [];
      const related = await summaries([...byTags, ...sameOrg]);
      const latest = await summaries(await q.latest(db, now, SIDEBAR, { exclude: [row.id] }));
      return { article, related, latest };
    },

    /**
     * A news image's bytes (or its thumbnail's, falling back to the main image when none was
     * stored): for anyone while its article is visible, otherwise only for the organization's
     * editors (and the province admin); everyone else gets a 404.
     */
    async image(actor: Actor, id: string, variant: 'main' | 'thumb'): Promise<{ stream: Readable; mime: string; public: boolean; etag: string }> {
      if (!/^[\w-]{1,64}$/.test(id)) throw notFound();
      const img = await q.imageWithArticle(db, id);
      if (!img) throw notFound();
      const visible = isPubliclyVisible({ state: img.state, published_at: img.published_at }, clock.now());
      if (!visible && !mayAct(actor, img.article_org_id, 'news.write')) throw notFound();
      const mime = ['image/jpeg', 'image/png', 'image/webp'].includes(img.mime) ? img.mime : 'application/octet-stream';
      const open = async (key: string) => {
        try {
          return await deps.files.open(key);
        } catch (err) {
          if (err instanceof FileMissing) return null;
          throw err;
        }
      };
      const stream = (variant === 'thumb' ? await open(`${img.storage_key}.thumb`) : null) ?? await open(img.storage_key);
      if (!stream) throw notFound();
      return { stream, mime, public: visible, etag: `"${img.id}-${variant}-${img.created_at}"` };
    },
  };
}

export type PublicNews = ReturnType<typeof createPublicNews>;
