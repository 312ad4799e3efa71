// Finds markup an attacker's text managed to inject into a page: parses the HTML as a browser
// would (htmlparser2, already installed with sanitize-html) and lists every element or attribute
// that can run script or that the payloads create.
import { Parser } from 'htmlparser2';

/** One payload per field: script, event handlers, a javascript: link, attribute breakouts, a JSON-LD breakout, SVG. */
export function payload(field: string): string {
  const id = `xss-${field.replace(/_/g, '-')}`;
  // The breakout and the handler come first: fields with a short limit keep them when cut.
  return `"'><img src=x id=${id} onerror=alert(1)></script><svg onload=alert(1)><a href=javascript:alert(1)>j</a><script>alert(1)</script>`;
}

/** What the payload of a field looks like once escaped and shown as text (its marker). */
export const markerOf = (field: string) => `xss-${field.replace(/_/g, '-')}`;

const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'srcdoc']);

/** The injected markup found in the HTML (empty when the page is clean). */
export function injected(html: string): string[] {
  const found: string[] = [];
  let inScript: { json: boolean; text: string } | null = null;
  const parser = new Parser({
    onopentag(name, attribs) {
      for (const [k, v] of Object.entries(attribs)) {
        if (/^on/i.test(k)) found.push(`<${name} ${k}=...>`);
        if (URL_ATTRS.has(k.toLowerCase()) && /^\s*(javascript|vbscript|data:text\/html)/i.test(v)) found.push(`<${name} ${k}="${v.slice(0, 40)}">`);
        if (k === 'id' && v.startsWith('xss-')) found.push(`<${name} id="${v}">`);
      }
      if (name === 'script') {
        const type = (attribs.type ?? '').toLowerCase();
        if (!attribs.src && type !== 'application/ld+json' && type !== 'application/json') found.push('<script> inline');
        inScript = { json: type.includes('json'), text: '' };
      }
      if (name === 'style') found.push('<style> inline');
      if (name === 'iframe' || name === 'object' || name === 'embed' || name === 'base') found.push(`<${name}>`);
    },
    ontext(text) {
      if (inScript) inScript.text += text;
    },
    onclosetag(name) {
      if (name === 'script' && inScript) {
        if (inScript.json) {
          try { JSON.parse(inScript.text); } catch { found.push('JSON script that is not JSON (broken out of)'); }
        }
        inScript = null;
      }
    },
  }, { decodeEntities: true, lowerCaseAttributeNames: true });
  parser.write(html);
  parser.end();
  return found;
}
