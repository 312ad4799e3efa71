import { z } from 'zod';
import { errorReply } from '../identity/schemas.js';

// Wire shapes of the PR editors' newsroom API. Times are ISO 8601 (UTC); pages show them in Jalali.
// The route schemas check types and sizes; the service checks the rules and names each bad field.

export { errorReply };

const orgCode = z.string().max(64).regex(/^[a-z0-9-]+$/).meta({ description: 'The organization code', example: 'sari-ict' });
export const orgParams = z.object({ org: orgCode });
export const articleParams = z.object({ org: orgCode, code: z.coerce.number().int().positive().max(2_147_483_647).meta({ description: 'The news code (کد خبر)', example: 4565 }) });
export const listQuery = z.object({ state: z.enum(['draft', 'scheduled', 'published', 'unpublished']).optional() });

export const articleBody = z.object({
  title: z.string().max(2000).meta({ description: 'Plain text, at most 300 characters after normalization.', example: 'افتتاح پیشخوان الکترونیک شهرداری' }),
  lead: z.string().max(5000).optional().meta({ description: 'Plain text summary, at most 1000 characters.' }),
  body: z.string().max(200_000).meta({ description: 'Markdown or HTML (body_format); rendered and sanitized server-side (no script, style, iframe, event handlers or javascript:/data: URLs; images only from /news/images/…).' }),
  body_format: z.enum(['markdown', 'html']).optional().meta({ description: 'Default markdown.' }),
  tags: z.union([z.array(z.string().max(200)).max(50), z.string().max(2000)]).optional().meta({ description: 'A list, or one string separated by commas (, or ،). At most 12 tags of 40 characters.', example: ['دولت الکترونیک', 'ساری'] }),
  lang: z.enum(['fa', 'en']).optional().meta({ description: 'Default fa.' }),
}).meta({ example: { title: 'افتتاح پیشخوان الکترونیک', lead: 'خلاصه خبر', body: '**متن** خبر', body_format: 'markdown', tags: ['پیشخوان'], lang: 'fa' } });

export const scheduleBody = z.object({
  publish_date: z.string().max(20).meta({ description: 'Jalali date yyyy/mm/dd (Persian digits accepted).', example: '1405/09/15' }),
  publish_time: z.string().max(10).meta({ description: 'Time of day in Tehran, HH:MM.', example: '09:30' }),
});

export const imagesBody = z.object({
  items: z.array(z.object({ id: z.string().max(64), caption: z.string().max(2000).optional() })).max(100).optional()
    .meta({ description: 'Images in their new order, each with its caption; images left out keep their caption and follow.' }),
  remove: z.array(z.string().max(64)).max(100).optional().meta({ description: 'Ids of images to remove (their files are deleted).' }),
});

export const image = z.object({
  id: z.string(), mime: z.string(), width: z.number().int(), height: z.number().int(), bytes: z.number().int(), caption: z.string(), position: z.number().int(),
  url: z.string().meta({ description: 'Main image (longest side <= 1600 px).' }), thumb_url: z.string().meta({ description: 'Thumbnail (<= 400 px).' }),
});
const iso = z.string().nullable().meta({ description: 'ISO 8601 (UTC).' });
export const article = z.object({
  code: z.number().int(), org: z.string(), lang: z.enum(['fa', 'en']), title: z.string(), lead: z.string(),
  body_format: z.enum(['markdown', 'html']), body_source: z.string(), body_html: z.string().meta({ description: 'The sanitized body: what the public pages serve.' }),
  tags: z.array(z.string()), state: z.enum(['draft', 'scheduled', 'published', 'unpublished']),
  visible: z.boolean().meta({ description: 'Whether the public sees it now.' }),
  public_url: z.string().meta({ description: 'The public page (answers only while visible).' }),
  publish_at: iso, published_at: iso, corrected_at: iso.meta({ description: 'The visible "updated" time of the last correction after publication.' }),
  created_at: z.string(), updated_at: z.string(),
  images: z.array(image),
});
export const articleSummary = article.omit({ body_source: true, body_html: true, images: true });
export const listReply = z.object({ items: z.array(articleSummary) });
export const imagesReply = z.object({ items: z.array(image) });
