// The body sanitizer: whatever an editor writes (Markdown or HTML), what is stored and served
// has no script, no event handler, no javascript:/data: URL, no style or iframe; links get
// rel="noopener nofollow"; images only from this site's /news/images/ paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainText, renderBody } from './sanitize.js';

export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '<body onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href="java\tscript:alert(1)">x</a>',
  '[click](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<a href="data:text/html,<script>alert(1)</script>">d</a>',
  '<iframe src="https://evil.example"></iframe>',
  '<object data="x.swf"></object><embed src="x.swf">',
  '<p style="background:url(javascript:alert(1))">s</p>',
  '<style>body{display:none}</style>',
  '<form action="https://evil.example"><input name=p></form>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '"><img src=x onerror=alert(1)>',
  '<div onmouseover="alert(1)">hover</div>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<a href="//evil.example">protocol-relative</a>',
  '<img src="https://tracker.example/p.gif">',
  '<details open ontoggle=alert(1)>',
];

/** Why the HTML is dangerous (something executable, styled or foreign in a tag), or null. Text that merely reads like code is harmless. */
export function dangerous(html: string): string | null {
  const checks: [RegExp, string][] = [
    [/<\s*script/i, 'script'], [/\son[a-z]+\s*=/i, 'event handler'], [/=\s*["']?\s*javascript:/i, 'javascript: URL'], [/=\s*["']?\s*data:/i, 'data: URL'],
    [/<\s*(iframe|object|embed|style|form|input|meta|base|svg|math|details)\b/i, 'forbidden tag'], [/\sstyle\s*=/i, 'style'], [/src="(?!\/news\/images\/)/i, 'foreign image'],
    [/href="\/\//i, 'protocol-relative link'],
  ];
  for (const [re, why] of checks) if (re.test(html)) return why;
  return null;
}

test('every payload, in Markdown and in HTML, comes out harmless', () => {
  for (const p of XSS_PAYLOADS) {
    for (const format of ['markdown', 'html'] as const) {
      const out = renderBody(format, `intro ${p} outro`);
      assert.equal(dangerous(out), null, `${format}: ${p} -> ${out}`);
    }
  }
});

test('ordinary rich text survives: headings, emphasis, lists, tables, links with rel, own images', () => {
  const md = '# عنوان\n\n**پررنگ** و _کج_\n\n- یک\n- دو\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[پیوند](https://example.org/x) [داخلی](/news/12)\n\n![زیرنویس](/news/images/0a1b2c3d-1111-2222-3333-444455556666)';
  const html = renderBody('markdown', md);
  assert.match(html, /<h2>عنوان<\/h2>/, 'h1 becomes h2: the page title is the h1');
  assert.match(html, /<strong>پررنگ<\/strong>/);
  assert.match(html, /<li>یک<\/li>/);
  assert.match(html, /<table>/);
  assert.match(html, /<a href="https:\/\/example.org\/x" rel="noopener nofollow">پیوند<\/a>/);
  assert.match(html, /<a href="\/news\/12" rel="noopener nofollow">/);
  assert.match(html, /<img src="\/news\/images\/0a1b2c3d-1111-2222-3333-444455556666" alt="زیرنویس" \/>/);
  assert.equal(renderBody('html', '<a href="https://x.example" rel="opener" target="_top">a</a>'), '<a href="https://x.example" rel="noopener nofollow">a</a>');
});

test('plain text of the body for the search index', () => {
  assert.equal(plainText(renderBody('markdown', '# سرخط\n\nA &amp; B<br>C')), 'سرخط A & B C');
});
