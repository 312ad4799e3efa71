import { z } from 'zod';
import { errorReply } from '../identity/schemas.js';

// Wire shapes of the public news API. Times are ISO 8601 (UTC); the news code is the number
// by which an article is found and linked (/news/{code}, short /n/{code}).

export { errorReply };

const localized = z.object({ fa: z.string(), en: z.string() });

export const listQuery = z.object({
  q: z.string().max(400).optional().meta({ description: 'Words to find (all must occur). Arabic and Persian letters, digits and ZWNJ variants match alike.', example: 'شهرداري ساري' }),
  tag: z.string().max(200).optional().meta({ description: 'A tag (as shown, or its key).' }),
  org: z.string().max(64).optional().meta({ description: "An organization's code: only its news.", example: 'sari-ict' }),
  month: z.string().max(16).optional().meta({ description: 'A Jalali month, year-month.', example: '1393-11' }),
  page: z.string().max(8).optional().meta({ description: 'Page number from 1; 20 articles a page.', example: '1' }),
});
export const codeParams = z.object({ code: z.string().min(1).max(16).meta({ description: 'The news code (کد خبر).', example: '4565' }) });

const image = z.object({
  id: z.string(), url: z.string().meta({ description: 'Absolute URL of the image.' }), thumb_url: z.string(),
  caption: z.string(), width: z.number().int(), height: z.number().int(), mime: z.string(),
});
export const summary = z.object({
  code: z.number().int(),
  url: z.string().meta({ description: 'Absolute URL of the article page.' }),
  short_url: z.string(),
  lang: z.enum(['fa', 'en']),
  title: z.string(),
  lead: z.string(),
  tags: z.array(z.object({ tag: z.string(), key: z.string() })),
  org: z.object({ code: z.string(), name: localized }),
  published_at: z.string(),
  corrected_at: z.string().nullable().meta({ description: 'The visible "updated" time of a correction, if any.' }),
  image: image.nullable(),
});
export const listReply = z.object({
  items: z.array(summary),
  total: z.number().int(), page: z.number().int(), per_page: z.number().int(), pages: z.number().int(),
});
export const articleReply = summary.extend({
  body_html: z.string().meta({ description: 'The body as sanitized HTML (safe to embed).' }),
  images: z.array(image),
  related: z.array(summary).meta({ description: 'Articles sharing tags, then the same organization\'s newest.' }),
  latest: z.array(summary).meta({ description: "The province's latest headlines." }),
});
export const shareBody = z.object({
  sender_name: z.string().max(500).meta({ description: 'Your name (2-60 characters, no links, addresses or line breaks).', example: 'مریم' }),
  recipient_email: z.string().max(500).meta({ description: "The friend's e-mail address.", example: 'friend@example.com' }),
});
export const shareReply = z.object({ sent: z.literal(true) });
