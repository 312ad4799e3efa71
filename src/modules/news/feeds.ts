import { escapeXml } from '../open311/xml.js';
import type { NewsSummary } from './public-service.js';

// RSS 2.0 and Atom 1.0 feeds of the province's or one organization's news. Every link is
// absolute (PUBLIC_URL); every text is escaped; items are the newest visible articles only.

export interface FeedInfo {
  /** The feed's title and description, already localized. */
  title: string;
  description: string;
  language: 'fa' | 'en';
  /** Absolute URLs: the HTML list this feed follows, and the feed itself. */
  pageUrl: string;
  selfUrl: string;
  base: string;
  /** Names of organizations in the feed's language. */
  orgName: (a: NewsSummary) => string;
}

const articleUrl = (base: string, code: number) => `${base}/news/${code}`;
const updatedOf = (a: NewsSummary) => Math.max(a.publishedAt, a.correctedAt ?? 0);

/** An RSS 2.0 document. */
export function rssFeed(items: NewsSummary[], f: FeedInfo): string {
  const last = items.length ? Math.max(...items.map(updatedOf)) : null;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
    `<title>${escapeXml(f.title)}</title>`,
    `<link>${escapeXml(f.pageUrl)}</link>`,
    `<description>${escapeXml(f.description)}</description>`,
    `<language>${f.language === 'fa' ? 'fa-IR' : 'en'}</language>`,
    `<atom:link href="${escapeXml(f.selfUrl)}" rel="self" type="application/rss+xml"/>`,
    last ? `<lastBuildDate>${new Date(last).toUTCString()}</lastBuildDate>` : '',
    ...items.map((a) => {
      const link = articleUrl(f.base, a.code);
      return [
        '<item>',
        `<title>${escapeXml(a.title)}</title>`,
        `<link>${escapeXml(link)}</link>`,
        `<description>${escapeXml(a.lead)}</description>`,
        `<dc:creator>${escapeXml(f.orgName(a))}</dc:creator>`,
        ...a.tags.map((t) => `<category>${escapeXml(t.tag)}</category>`),
        `<pubDate>${new Date(a.publishedAt).toUTCString()}</pubDate>`,
        `<guid isPermaLink="true">${escapeXml(link)}</guid>`,
        '</item>',
      ].join('');
    }),
    '</channel></rss>',
  ].filter(Boolean).join('\n');
}

/** An Atom 1.0 document. */
export function atomFeed(items: NewsSummary[], f: FeedInfo): string {
  const last = items.length ? Math.max(...items.map(updatedOf)) : Date.parse('2015-01-01T00:00:00Z');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${f.language}">`,
    `<title>${escapeXml(f.title)}</title>`,
    `<subtitle>${escapeXml(f.description)}</subtitle>`,
    `<id>${escapeXml(f.selfUrl)}</id>`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(f.selfUrl)}"/>`,
    `<link rel="alternate" type="text/html" href="${escapeXml(f.pageUrl)}"/>`,
    `<updated>${new Date(last).toISOString()}</updated>`,
    ...items.map((a) => {
      const link = articleUrl(f.base, a.code);
      return [
        '<entry>',
        `<title>${escapeXml(a.title)}</title>`,
        `<id>${escapeXml(link)}</id>`,
        `<link rel="alternate" type="text/html" href="${escapeXml(link)}"/>`,
        `<published>${new Date(a.publishedAt).toISOString()}</published>`,
        `<updated>${new Date(updatedOf(a)).toISOString()}</updated>`,
        `<author><name>${escapeXml(f.orgName(a))}</name><uri>${escapeXml(`${f.base}/news?org=${encodeURIComponent(a.org.code)}`)}</uri></author>`,
        `<summary>${escapeXml(a.lead)}</summary>`,
        ...a.tags.map((t) => `<category term="${escapeXml(t.key)}" label="${escapeXml(t.tag)}"/>`),
        '</entry>',
      ].join('');
    }),
    '</feed>',
  ].join('\n');
}
