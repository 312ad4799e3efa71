// Finds the HTML forms the app serves: crawls the pages an actor reaches by following links from
// the home page and the staff desk (one page per path pattern), and reads each form's method,
// action, encoding and fields (inputs, selects with their options, textareas).
import type { FastifyInstance } from 'fastify';

export interface FormField { name: string; type: string; value: string; options: string[] }
export interface FoundForm { page: string; action: string; method: string; multipart: boolean; fields: FormField[] }

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (tag: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? decode(m[1] ?? m[2] ?? '') : null;
};

/** The forms of one HTML page. */
export function formsOf(html: string, page: string): FoundForm[] {
  const out: FoundForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const tag = m[1]!;
    const inner = m[2]!;
    const method = (attr(tag, 'method') ?? 'get').toUpperCase();
    const action = attr(tag, 'action') || page;
    const fields: FormField[] = [];
    for (const i of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(i[1]!, 'name');
      if (!name) continue;
      const type = (attr(i[1]!, 'type') ?? 'text').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && fields.some((f) => f.name === name && f.type === type)) {
        fields.find((f) => f.name === name)!.options.push(attr(i[1]!, 'value') ?? 'on');
        continue;
      }
      fields.push({ name, type, value: attr(i[1]!, 'value') ?? '', options: type === 'checkbox' || type === 'radio' ? [attr(i[1]!, 'value') ?? 'on'] : [] });
    }
    for (const s of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attr(s[1]!, 'name');
      if (!name) continue;
      const options = [...s[2]!.matchAll(/<option\b([^>]*)>/gi)].map((o) => attr(o[1]!, 'value') ?? '');
      const selected = /<option\b([^>]*\sselected[^>]*)>/i.exec(s[2]!);
      fields.push({ name, type: 'select', value: selected ? attr(selected[1]!, 'value') ?? '' : options[0] ?? '', options });
    }
    for (const a of inner.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
      const name = attr(a[1]!, 'name');
      if (name) fields.push({ name, type: 'textarea', value: decode(a[2]!), options: [] });
    }
    out.push({ page, action, method, multipart: /multipart\/form-data/i.test(attr(tag, 'enctype') ?? ''), fields });
  }
  return out;
}

/** A path with ids, codes and numbers folded, so one page stands for all its siblings. */
export const pattern = (path: string) => path.split('?')[0]!
  .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')
  .replace(/\/[A-Z0-9]+(-[A-Z0-9]+)+(?=\/|$)/g, '/:code')
  .replace(/\/\d+(?=\/|$)/g, '/:n');

const SKIP = /^\/(api|static|vendor|docs|metrics|healthz|readyz|dev\/)|\.(pdf|csv|xml|json|png|jpe?g|webp|svg|rss|atom|geojson|txt|ics|zip)(\?|$)|\/(export|download|feed|rss|atom|receipt|file|image|photo)s?(\/|\?|$)|\/sign-?out|\/logout/;

/** Crawls from the start pages as the holder of `cookie`; returns the forms (POST ones) by page. */
export async function crawlForms(app: FastifyInstance, cookie: () => string, opts: { start: string[]; maxPages: number }): Promise<{ forms: FoundForm[]; pages: number }> {
  const seen = new Set<string>();
  const queue = [...opts.start];
  const forms: FoundForm[] = [];
  let pages = 0;
  while (queue.length && pages < opts.maxPages) {
    const url = queue.shift()!;
    const key = pattern(url);
    if (seen.has(key)) continue;
    seen.add(key);
    const res = await app.inject({ method: 'GET', url, headers: { cookie: cookie() } });
    pages += 1;
    if (res.statusCode !== 200 || !String(res.headers['content-type']).includes('text/html')) continue;
    forms.push(...formsOf(res.body, url).filter((f) => f.method === 'POST'));
    for (const m of res.body.matchAll(/<a\b[^>]*\shref="(\/[^"#]*)"/gi)) {
      const href = decode(m[1]!);
      if (href.startsWith('//') || SKIP.test(href) || seen.has(pattern(href))) continue;
      queue.push(href);
    }
  }
  return { forms, pages };
}
