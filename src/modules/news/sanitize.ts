// The one place an article's body becomes HTML. What an editor writes (Markdown or HTML) is
// rendered, then cleaned with a strict allow-list: structure and emphasis, links with safe
// schemes (rel="noopener nofollow"), and images only from this site's /news/images/ paths.
// No script, style, iframe, form or event handler survives, nor a javascript:/data: URL.
// The public pages serve body_html as trusted HTML, so nothing else may produce it.
import sanitizeHtml from 'sanitize-html';
import { Marked } from 'marked';

export type BodyFormat = 'markdown' | 'html';

/** A same-origin news image (main size or thumbnail): the only image source a body may use. */
export const NEWS_IMAGE_SRC = /^\/news\/images\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\/thumb)?$/;

const markdown = new Marked({ gfm: true, breaks: false, async: false });

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'b', 'em', 'i', 'u', 's', 'del', 'sub', 'sup', 'mark', 'small',
    'blockquote', 'q', 'cite', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img', 'figure', 'figcaption',
    'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'code', 'pre', 'abbr',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    abbr: ['title'],
    ol: ['start'],
    '*': ['dir', 'lang'],
  },
  // Schemes for href; relative links (to other pages of the site) stay allowed.
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  disallowedTagsMode: 'discard',
  // An h1 is the article's title; the body's headings start one level below.
  transformTags: {
    h1: 'h2',
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener nofollow' } }),
  },
  // An image from anywhere but this site's news images is dropped (no tracking pixels, no data: URLs).
  exclusiveFilter: (frame) => frame.tag === 'img' && !NEWS_IMAGE_SRC.test(frame.attribs.src ?? ''),
};

/** HTML of any origin reduced to the allow-list above. */
export function sanitizeBodyHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}

/** The body as it is served: Markdown rendered (raw HTML in it included) or HTML, then sanitized. */
export function renderBody(format: BodyFormat, source: string): string {
  const html = format === 'markdown' ? (markdown.parse(source) as string) : source;
  return sanitizeBodyHtml(html);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'", '#34': '"' };

/** The text of sanitized HTML (for the search index and summaries): tags become spaces. */
export function plainText(html: string): string {
  const text = sanitizeHtml(html.replace(/<(\/?)(p|br|li|h\d|tr|td|th|div|figcaption|blockquote)\b/gi, ' <$1$2'), { allowedTags: [], allowedAttributes: {} });
  return text.replace(/&(#?\w+);/g, (m, e: string) => ENTITIES[e] ?? m).replace(/\s+/g, ' ').trim();
}
