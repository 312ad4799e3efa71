import { z } from 'zod';
import { toGregorian } from 'jalaali-js';
import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { nextCounter } from '../../platform/db/counters.js';
import { newId, systemActor, type Actor, type Clock } from '../../platform/core/index.js';
import { mayAct, orgScope, type OrgScope } from '../../platform/auth/access.js';
import { appendAudit } from '../../platform/audit/index.js';
import { emitEvent } from '../../platform/webhooks/events.js';
import { AppError, badInput, notFound, unauthorized } from '../../platform/http/errors.js';
import { normalizePersian, searchKey, toAsciiDigits } from '../../platform/i18n/persian.js';
import { parseJalaliYmd } from '../../platform/i18n/format.js';
import { tehranInstant } from '../../platform/i18n/tehran.js';
import { hasMessage } from '../../platform/i18n/messages.js';
import { PeriodicJob } from '../../platform/core/periodic.js';
import { StorageFull, type FileStore } from '../../platform/files/index.js';
import { plainText, renderBody } from './sanitize.js';
import { processImage } from './images.js';
import { isPubliclyVisible } from './visibility.js';
import * as q from './queries.js';
import './messages-staff.js';

// The editor side of the newsroom. A PR editor (or the org admin) of an organization writes its
// news: drafts, scheduling (a Jalali date and a Tehran time), publishing, unpublishing and
// corrections of published articles (which get a visible "updated" time). The news code comes
// from one platform-wide sequence when an article is created and is never reused. Every change
// writes its audit entry in the same transaction. What an editor may not touch answers 404.

export const TITLE_MAX = 300;
export const LEAD_MAX = 1000;
export const BODY_MAX = 100_000;
export const TAG_MAX = 40;
export const TAGS_MAX = 12;
export const CAPTION_MAX = 500;
export const IMAGES_MAX = 30;

export type ArticleState = 'draft' | 'scheduled' | 'published' | 'unpublished';
export type EditorAction = 'draft' | 'publish' | 'schedule' | 'unpublish';

/** An article's image as the editor sees it. */
export interface ImageView { id: string; mime: string; width: number; height: number; bytes: number; caption: string; position: number; url: string; thumb_url: string }

/** An article as its editors see it. Times are epoch ms; the edge formats them. */
export interface ArticleView {
  id: string;
  code: number;
  org: { id: string; code: string; name: { fa: string; en: string } };
  lang: 'fa' | 'en';
  title: string;
  lead: string;
  body_format: 'markdown' | 'html';
  body_source: string;
  body_html: string;
  tags: string[];
  state: ArticleState;
  /** True when the public sees it now (published, or scheduled and due). */
  visible: boolean;
  publish_at: number | null;
  published_at: number | null;
  corrected_at: number | null;
  created_at: number;
  updated_at: number;
  images: ImageView[];
}

/** Splits a tags field written with commas (Latin or Persian), semicolons or new lines. */
export function splitTags(input: string | string[] | undefined): string[] {
  const parts = Array.isArray(input) ? input : String(input ?? '').split(/[,،؛;\n]/);
  return parts.map((t) => normalizePersian(String(t))).filter((t) => t.length > 0);
}

const text = (max: number, required: boolean) => z.string('common.required').transform((s) => normalizePersian(s))
  .pipe(required ? z.string().min(1, 'common.required').max(max, 'common.too_long') : z.string().max(max, 'common.too_long'));

const articleSchema = z.object({
  title: text(TITLE_MAX, true),
  lead: text(LEAD_MAX, false).default(''),
  body: z.string('common.required').transform((s) => s.replace(/\r\n?/g, '\n').trim()).pipe(z.string().min(1, 'common.required').max(BODY_MAX, 'common.too_long')),
  body_format: z.enum(['markdown', 'html'], 'news.body_format_invalid').default('markdown'),
  tags: z.union([z.string(), z.array(z.string())], 'common.invalid_value').default([]).transform((v) => splitTags(v))
    .pipe(z.array(z.string().max(TAG_MAX, 'news.tag_too_long')).max(TAGS_MAX, 'news.too_many_tags')),
  lang: z.enum(['fa', 'en'], 'common.invalid_value').default('fa'),
});
export type ArticleInput = z.input<typeof articleSchema>;

/** The input checked and normalized (Persian text folded, trimmed); a 400 names each bad field. */
function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const field = String(issue.path[0] ?? 'body');
    const required = issue.code === 'invalid_type' && issue.input === undefined;
    fields[field] ??= required ? 'common.required' : hasMessage(issue.message) ? issue.message : 'common.invalid_value';
  }
  throw badInput(fields);
}

/** The instant a Jalali date (yyyy/mm/dd) and a Tehran time (HH:MM), Persian digits allowed, name; 400 on the field that is wrong. */
export function tehranMoment(date: string | undefined, time: string | undefined): number {
  const errors: Record<string, string> = {};
  const j = date && date.trim() ? parseJalaliYmd(date) : null;
  if (!date || !date.trim()) errors.publish_date = 'common.required';
  else if (!j) errors.publish_date = 'news.date_invalid';
  const m = /^(\d{1,2})[:٫.](\d{2})$/.exec(toAsciiDigits(time ?? '').trim());
  const minute = m && Number(m[1]) < 24 && Number(m[2]) < 60 ? Number(m[1]) * 60 + Number(m[2]) : null;
  if (!time || !time.trim()) errors.publish_time = 'common.required';
  else if (minute === null) errors.publish_time = 'news.time_invalid';
  if (Object.keys(errors).length || !j || minute === null) throw badInput(errors);
  const g = toGregorian(j.year, j.month, j.day);
  return tehranInstant({ year: g.gy, month: g.gm, day: g.gd }, minute).getTime();
}

const conflict = (code: string) => new AppError(code, 409);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface NewsContext {
  db: DB;
  clock: Clock;
  files: FileStore;
}

/** The PR editors' newsroom: write, schedule, publish, unpublish and correct an organization's news. */
export function createNewsService(ctx: NewsContext) {
  const { db, clock, files } = ctx;

  /** The scope of an organization whose news the actor writes; anything else answers 404 (401 for nobody). */
  async function scopeOf(tx: Tx, actor: Actor, orgCode: string): Promise<{ scope: OrgScope; org: NonNullable<Awaited<ReturnType<typeof q.orgByCode>>> }> {
    if (actor.kind !== 'staff' && actor.kind !== 'api_client') throw actor.kind === 'citizen' ? notFound() : unauthorized();
    const org = await q.orgByCode(tx, orgCode);
    if (!org) throw notFound();
    return { scope: orgScope(actor, org.id, 'news.write'), org };
  }

  /** An article of the organization by code, with its scope; 404 when the actor may not write it or it is another org's. */
  async function articleOf(tx: Tx, actor: Actor, orgCode: string | null, code: number) {
    if (actor.kind !== 'staff' && actor.kind !== 'api_client') throw actor.kind === 'citizen' ? notFound() : unauthorized();
    if (!Number.isSafeInteger(code) || code <= 0) throw notFound();
    const where = await q.articleOrgByCode(tx, code);
    if (!where || !mayAct(actor, where.org_id, 'news.write')) throw notFound();
    const scope = orgScope(actor, where.org_id, 'news.write');
    const row = await q.articleInScope(tx, scope, code);
    if (!row) throw notFound();
    const org = (await q.orgsByIds(tx, [row.org_id]))[0]!;
    if (orgCode !== null && org.code !== orgCode) throw notFound();
    return { scope, row, org };
  }

  async function view(tx: Tx, scope: OrgScope, row: q.ArticleRow, org: { id: string; code: string; name_fa: string; name_en: string }): Promise<ArticleView> {
    const images = await q.imagesOf(tx, scope, row.id);
    const now = clock.now();
    return {
      id: row.id, code: Number(row.code), org: { id: org.id, code: org.code, name: { fa: org.name_fa, en: org.name_en } },
      lang: row.lang, title: row.title, lead: row.lead, body_format: row.body_format, body_source: row.body_source, body_html: row.body_html,
      tags: JSON.parse(row.tags) as string[], state: row.state, visible: isPubliclyVisible(row, now),
      publish_at: row.publish_at == null ? null : Number(row.publish_at), published_at: row.published_at == null ? null : Number(row.published_at),
      corrected_at: row.corrected_at == null ? null : Number(row.corrected_at), created_at: Number(row.created_at), updated_at: Number(row.updated_at),
      images: images.map((i) => ({
        id: i.id, mime: i.mime, width: Number(i.width), height: Number(i.height), bytes: Number(i.bytes), caption: i.caption, position: Number(i.position),
        url: `/news/images/${i.id}`, thumb_url: `/news/images/${i.id}/thumb`,
      })),
    };
  }

  /** The derived columns of an article's content: the sanitized body, the tags as JSON and the search key. */
  function content(v: z.output<typeof articleSchema>) {
    const tags: string[] = [];
    const keys = new Set<string>();
    for (const t of v.tags) {
      const key = searchKey(t);
      if (key && !keys.has(key)) { keys.add(key); tags.push(t); }
    }
    const bodyHtml = renderBody(v.body_format, v.body);
    return {
      columns: {
        lang: v.lang, title: v.title, lead: v.lead, body_format: v.body_format, body_source: v.body, body_html: bodyHtml, tags: JSON.stringify(tags),
        search_text: searchKey(`${v.title} ${v.lead} ${plainText(bodyHtml)} ${tags.join(' ')}`),
      },
      tagRows: tags.map((tag) => ({ tag, tag_key: searchKey(tag) })),
    };
  }

  /** Moves an article to the state the action asks for, with its audit entry; 409 when the move makes no sense. */
  async function transition(tx: Tx, actor: Actor, scope: OrgScope, row: q.ArticleRow, action: EditorAction, schedule: { date?: string; time?: string }, now: number): Promise<void> {
    const code = Number(row.code);
    const published = row.published_at == null ? null : Number(row.published_at);
    if (action === 'draft') return;
    if (action === 'publish') {
      if (row.state === 'published') return;
      // A republished article (or a scheduled one already due) keeps its date line; one scheduled for later goes out now.
      const at = (row.state === 'unpublished' || row.state === 'scheduled') && published !== null && published <= now ? published : now;
      await q.updateArticle(tx, scope, row.id, { state: 'published', published_at: at, publish_at: null, updated_at: now, updated_by: actor.id });
      await appendAudit(tx, actor, { orgId: scope.orgId, action: 'news.published', entity: 'news_article', entityId: row.id, data: { code, from: row.state, published_at: at } }, now);
      await emitEvent(tx, { orgId: scope.orgId, type: 'article.published', orderingKey: row.id, payload: { article_id: row.id, code, path: `/news/${code}`, lang: row.lang, title: row.title, published_at: new Date(at).toISOString() } }, now);
      return;
    }
    if (action === 'schedule') {
      if (isPubliclyVisible(row, now)) throw conflict('news.already_published');
      const at = tehranMoment(schedule.date, schedule.time);
      if (at <= now) throw badInput({ publish_date: 'news.schedule_past' });
      await q.updateArticle(tx, scope, row.id, { state: 'scheduled', publish_at: at, published_at: at, updated_at: now, updated_by: actor.id });
      await appendAudit(tx, actor, { orgId: scope.orgId, action: 'news.scheduled', entity: 'news_article', entityId: row.id, data: { code, from: row.state, publish_at: at } }, now);
      return;
    }
    // unpublish
    if (row.state !== 'published' && row.state !== 'scheduled') throw conflict('news.not_published');
    const set = row.state === 'scheduled' && !isPubliclyVisible(row, now)
      // A scheduled article taken back before its time was never out: it has no date line.
      ? { state: 'unpublished' as const, publish_at: null, published_at: null }
      : { state: 'unpublished' as const, publish_at: null };
    await q.updateArticle(tx, scope, row.id, { ...set, updated_at: now, updated_by: actor.id });
    await appendAudit(tx, actor, { orgId: scope.orgId, action: 'news.unpublished', entity: 'news_article', entityId: row.id, data: { code, from: row.state } }, now);
  }

  const service = {
    /** The organizations whose news the actor writes (every one for the province admin). */
    async writableOrgs(actor: Actor): Promise<{ id: string; code: string; name: { fa: string; en: string } }[]> {
      if (actor.kind !== 'staff') return [];
      const all = actor.memberships.some((m) => m.role === 'province_admin')
        ? await q.allOrgs(db)
        : await q.orgsByIds(db, [...new Set(actor.memberships.map((m) => m.orgId))].filter((id) => mayAct(actor, id, 'news.write')));
      return all.map((o) => ({ id: o.id, code: o.code, name: { fa: o.name_fa, en: o.name_en } }));
    },

    /** The articles of one organization, or of all the actor writes for, in every state, newest first. */
    async list(actor: Actor, orgCode?: string, opts: { state?: string } = {}): Promise<ArticleView[]> {
      let scopes: { scope: OrgScope; org: { id: string; code: string; name_fa: string; name_en: string } }[];
      if (orgCode !== undefined) scopes = [await scopeOf(db, actor, orgCode)];
      else {
        if (actor.kind !== 'staff') throw unauthorized();
        scopes = (await service.writableOrgs(actor)).map((o) => ({ scope: orgScope(actor, o.id, 'news.write'), org: { id: o.id, code: o.code, name_fa: o.name.fa, name_en: o.name.en } }));
      }
      const byId = new Map(scopes.map((s) => [s.org.id, s]));
      const rows = await q.articlesOfOrgs(db, scopes.map((s) => s.scope), opts);
      return Promise.all(rows.map((r) => { const s = byId.get(r.org_id)!; return view(db, s.scope, r, s.org); }));
    },

    /** One article by news code, with its images; orgCode (when given) must be its organization. */
    async get(actor: Actor, orgCode: string | null, code: number): Promise<ArticleView> {
      const { scope, row, org } = await articleOf(db, actor, orgCode, code);
      return view(db, scope, row, org);
    },

    /**
     * Creates an article of the organization with the next news code (a draft unless the action
     * says otherwise). Code, content, tags, audit entries and the state change commit together.
     */
    async create(actor: Actor, orgCode: string, input: unknown, action: EditorAction = 'draft', schedule: { date?: string; time?: string } = {}): Promise<ArticleView> {
      const { scope, org } = await scopeOf(db, actor, orgCode);
      const v = parse(articleSchema, input);
      if (action === 'unpublish') throw conflict('news.not_published');
      if (action === 'schedule') tehranMoment(schedule.date, schedule.time); // field errors before a code is taken
      const { columns, tagRows } = content(v);
      const now = clock.now();
      const code = await inTransaction(db, async (tx) => {
        const code = await nextCounter(tx, '', 'news');
        const id = newId();
        await q.insertArticle(tx, scope, { id, code, ...columns, state: 'draft', publish_at: null, published_at: null, corrected_at: null, created_by: actor.id, updated_by: actor.id, created_at: now, updated_at: now });
        await q.replaceTags(tx, id, tagRows);
        await appendAudit(tx, actor, { orgId: scope.orgId, action: 'news.created', entity: 'news_article', entityId: id, data: { code, title: columns.title } }, now);
        await transition(tx, actor, scope, (await q.articleInScope(tx, scope, code))!, action, schedule, now);
        return code;
      });
      return service.get(actor, org.code, code);
    },

    /**
     * Saves the article's content, then applies the action. Saving an article the public sees is
     * a correction: it sets the visible "updated" time (corrected_at) and is audited as such.
     */
    async save(actor: Actor, orgCode: string | null, code: number, input: unknown, action: EditorAction = 'draft', schedule: { date?: string; time?: string } = {}): Promise<ArticleView> {
      const { scope, org } = await articleOf(db, actor, orgCode, code);
      const v = parse(articleSchema, input);
      const { columns, tagRows } = content(v);
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const row = await q.articleInScope(tx, scope, code);
        if (!row) throw notFound();
        const before = { title: row.title, lead: row.lead, body_source: row.body_source, body_format: row.body_format, tags: row.tags, lang: row.lang };
        const changed = (Object.keys(before) as (keyof typeof before)[]).filter((k) => before[k] !== (k === 'body_source' ? columns.body_source : columns[k]));
        if (changed.length > 0) {
          const correction = isPubliclyVisible(row, now) && action !== 'unpublish';
          await q.updateArticle(tx, scope, row.id, { ...columns, ...(correction ? { corrected_at: now } : {}), updated_at: now, updated_by: actor.id });
          await q.replaceTags(tx, row.id, tagRows);
          await appendAudit(tx, actor, {
            orgId: scope.orgId, action: correction ? 'news.corrected' : 'news.saved', entity: 'news_article', entityId: row.id,
            data: { code, changed, before: Object.fromEntries(changed.map((k) => [k, before[k]])) },
          }, now);
        }
        await transition(tx, actor, scope, (await q.articleInScope(tx, scope, code))!, action, schedule, now);
      });
      return service.get(actor, org.code, code);
    },

    /** Publishes now (a republished article keeps its first date line). */
    publish: (actor: Actor, orgCode: string | null, code: number) => service.act(actor, orgCode, code, 'publish'),
    /** Schedules for a Jalali date and Tehran time in the future; the public sees it from then on. */
    schedule: (actor: Actor, orgCode: string | null, code: number, date?: string, time?: string) => service.act(actor, orgCode, code, 'schedule', { date, time }),
    /** Takes a published or scheduled article off the public pages; its code stays taken. */
    unpublish: (actor: Actor, orgCode: string | null, code: number) => service.act(actor, orgCode, code, 'unpublish'),

    /** A state change without a content change, with its audit entry. */
    async act(actor: Actor, orgCode: string | null, code: number, action: EditorAction, schedule: { date?: string; time?: string } = {}): Promise<ArticleView> {
      const { scope, org } = await articleOf(db, actor, orgCode, code);
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const row = await q.articleInScope(tx, scope, code);
        if (!row) throw notFound();
        await transition(tx, actor, scope, row, action, schedule, now);
      });
      return service.get(actor, org.code, code);
    },

    /**
     * Adds an image: checked by content, resized (main <= 1600 px, thumbnail <= 400 px), metadata
     * dropped; both files are stored before the row and its audit entry commit, and removed if that fails.
     */
    async addImage(actor: Actor, orgCode: string | null, code: number, upload: Buffer, caption = ''): Promise<ImageView> {
      const { scope, row, org } = await articleOf(db, actor, orgCode, code);
      const cleanCaption = normalizePersian(caption);
      if (cleanCaption.length > CAPTION_MAX) throw badInput({ caption: 'common.too_long' });
      const img = await processImage(upload);
      const now = clock.now();
      // A full disk is 507 on the image field (nothing kept); the same upload works once space returns.
      const full = (err: unknown) => (err instanceof StorageFull ? new AppError('news.storage_full', 507, { image: 'news.storage_full' }) : err);
      const stored = await files.put(img.main, { maxBytes: img.main.length + 1 }).catch((err: unknown) => { throw full(err); });
      const id = newId();
      try {
        await files.put(img.thumb, { maxBytes: img.thumb.length + 1, key: `${stored.key}.thumb` }).catch((err: unknown) => { throw full(err); });
        await inTransaction(db, async (tx) => {
          const count = (await q.imagesOf(tx, scope, row.id)).length;
          if (count >= IMAGES_MAX) throw badInput({ image: 'news.too_many_images' });
          await q.insertImage(tx, scope, { id, article_id: row.id, storage_key: stored.key, mime: img.mime, width: img.width, height: img.height, bytes: img.main.length, caption: cleanCaption, position: count, created_at: now });
          await q.updateArticle(tx, scope, row.id, { updated_at: now, updated_by: actor.id, ...(isPubliclyVisible(row, now) ? { corrected_at: now } : {}) });
          await appendAudit(tx, actor, { orgId: scope.orgId, action: 'news.image_added', entity: 'news_article', entityId: row.id, data: { code, image: id, caption: cleanCaption, width: img.width, height: img.height } }, now);
        });
      } catch (err) {
        await files.remove(stored.key);
        await files.remove(`${stored.key}.thumb`);
        throw err;
      }
      return (await view(db, scope, (await q.articleInScope(db, scope, code))!, org)).images.find((i) => i.id === id)!;
    },

    /**
     * Changes images' captions and order, and removes the ones asked: `items` in the new order,
     * each with its caption (an image of the article left out stays as it was), `remove` ids.
     */
    async updateImages(actor: Actor, orgCode: string | null, code: number, input: { items?: { id: string; caption?: string }[]; remove?: string[] }): Promise<ImageView[]> {
      const { scope, row, org } = await articleOf(db, actor, orgCode, code);
      const now = clock.now();
      const items = input.items ?? [];
      const remove = new Set(input.remove ?? []);
      const errors: Record<string, string> = {};
      items.forEach((it, i) => {
        if (it.caption !== undefined && normalizePersian(it.caption).length > CAPTION_MAX) errors[`caption_${it.id}`] ??= 'common.too_long';
        if (!UUID_RE.test(it.id)) errors[`items.${i}`] ??= 'common.invalid_value';
      });
      if (Object.keys(errors).length) throw badInput(errors);
      const removedKeys: string[] = [];
      await inTransaction(db, async (tx) => {
        const current = await q.imagesOf(tx, scope, row.id);
        const known = new Map(current.map((i) => [i.id, i]));
        for (const id of [...items.map((i) => i.id), ...remove]) if (!known.has(id)) throw notFound();
        const order = [...items.map((i) => i.id), ...current.map((i) => i.id).filter((id) => !items.some((it) => it.id === id))].filter((id) => !remove.has(id));
        const changes: Record<string, unknown>[] = [];
        for (const id of remove) {
          await q.deleteImage(tx, scope, row.id, id);
          removedKeys.push(known.get(id)!.storage_key);
          changes.push({ image: id, removed: true });
        }
        for (const [position, id] of order.entries()) {
          const old = known.get(id)!;
          const given = items.find((it) => it.id === id)?.caption;
          const caption = given === undefined ? old.caption : normalizePersian(given);
          if (caption !== old.caption || position !== Number(old.position)) {
            await q.updateImage(tx, scope, row.id, id, { caption, position });
            changes.push({ image: id, ...(caption !== old.caption ? { caption_before: old.caption, caption } : {}), ...(position !== Number(old.position) ? { position } : {}) });
          }
        }
        if (changes.length === 0) return;
        await q.updateArticle(tx, scope, row.id, { updated_at: now, updated_by: actor.id, ...(isPubliclyVisible(row, now) ? { corrected_at: now } : {}) });
        await appendAudit(tx, actor, { orgId: scope.orgId, action: 'news.images_changed', entity: 'news_article', entityId: row.id, data: { code: Number(row.code), changes } }, now);
      });
      for (const key of removedKeys) {
        await files.remove(key);
        await files.remove(`${key}.thumb`);
      }
      return (await view(db, scope, (await q.articleInScope(db, scope, code))!, org)).images;
    },
  };
  return service;
}
export type NewsService = ReturnType<typeof createNewsService>;

/** Flips scheduled articles whose time has come to published, one audit entry each; main starts it with the other workers. */
export class NewsScheduler {
  private readonly job: PeriodicJob;
  constructor(private readonly opts: { db: DB; clock: Clock; intervalMs?: number }) {
    this.job = new PeriodicJob(() => this.runOnce(), opts.intervalMs ?? 30_000);
  }
  start(onError?: (err: unknown) => void): void { this.job.start(onError); }
  stop(): Promise<void> { return this.job.stop(); }

  /** Publishes every article due now; returns how many this call published (another process may win a row). */
  async runOnce(): Promise<number> {
    const now = this.opts.clock.now();
    let published = 0;
    for (;;) {
      const due = await q.dueScheduled(this.opts.db, now, 100);
      let changed = 0;
      for (const a of due) {
        const done = await inTransaction(this.opts.db, async (tx) => {
          if (!(await q.markPublished(tx, a.id, Number(a.publish_at), now))) return false;
          await appendAudit(tx, systemActor, { orgId: a.org_id, action: 'news.published', entity: 'news_article', entityId: a.id, data: { code: Number(a.code), from: 'scheduled', published_at: Number(a.publish_at) } }, now);
          await emitEvent(tx, { orgId: a.org_id, type: 'article.published', orderingKey: a.id, payload: { article_id: a.id, code: Number(a.code), path: `/news/${Number(a.code)}`, lang: a.lang, title: a.title, published_at: new Date(Number(a.publish_at)).toISOString() } }, now);
          return true;
        });
        if (done) { published += 1; changed += 1; }
      }
      if (due.length < 100 || changed === 0) break;
    }
    return published;
  }
}
