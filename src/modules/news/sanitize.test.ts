// The body sanitizer: whatever an editor writes (Markdown or HTML), what is stored and served
// has no script, no event handler, no javascript:/data: URL, no style or iframe; links get
// rel="noopener nofollow"; images only from this site's /news/images/ paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainText, renderBody } from './sanitize.js';
import { XSS_PAYLOADS, dangerous } from './xss-fixtures.js';

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
