// Stored and reflected XSS across the whole product. Stored: every text a user enters that
// another user sees (citizen names and application answers to staff, report descriptions,
// addresses and comments to staff and the public, staff notes and replies to citizens, news
// title/lead/body/tags/captions, council meetings and resolutions, agency and external service
// texts, API client and webhook names) is written with payloads (script, event handlers,
// javascript: links, attribute and JSON-LD breakouts, SVG); then every page of the route table is
// rendered for the people who see it and parsed: no injected element or attribute, a CSP on
// each. Reflected: every GET route with the payload in each path parameter and in the usual
// query parameters.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeWorld, type World } from './lib/world.js';
import { routeTable, type RouteEntry } from './lib/routes.js';
import { filler } from './lib/fill.js';
import { injected, markerOf, payload } from './lib/html.js';

let w: World;
let pages: RouteEntry[] = [];
const FIELDS = ['first_name', 'last_name', 'address', 'registration_plate', 'staff_note', 'staff_comment', 'inspector_comment', 'report_description', 'report_address', 'report_comment', 'report_internal',
  'news_title', 'news_lead', 'news_body', 'tag', 'caption', 'meeting_title', 'meeting_summary', 'resolution_text', 'resolution_output', 'resolution_note', 'agency_name', 'external_title', 'external_description', 'client_name', 'webhook_description'];

before(async () => {
  w = await makeWorld({ text: payload });
  pages = routeTable(w.t.app).filter((r) => r.method === 'GET' && !r.path.includes('*') && !r.path.startsWith('/static/') && !r.path.startsWith('/api/') && !r.path.startsWith('/open311/'));
  // A rating with a comment (citizen to staff), a share of the article with the sender's name.
  await w.api('POST', `/api/v1/my/reports/${w.ids.report}/rating`, 'alice', { rating: 2, comment: payload('rating_comment') });
});
after(async () => w?.t.close());

const VIEWERS = { public: ['anonymous', 'alice'], staff: ['sari.admin', 'sari.clerk', 'sari.manager', 'sari.pr', 'council.member'] };

async function render(url: string, who: string) {
  return w.t.app.inject({ method: 'GET', url, headers: who === 'anonymous' ? {} : { cookie: `pk_session=${w.tokens[who]}` } });
}

test('stored: no page of the route table, for anyone who may see it, carries injected markup; each has a CSP', async () => {
  const fill = filler(w);
  const bad: string[] = [];
  const shown = new Set<string>();
  let rendered = 0;
  for (const r of pages) {
    const url = fill(r.path);
    const viewers = r.path.startsWith('/staff') ? VIEWERS.staff : VIEWERS.public;
    const urls = [url];
    if (r.path === '/staff/inbox' || r.path === '/staff/reports' || r.path.startsWith('/staff/bills')) urls.push(`${url}?org=sari`);
    for (const u of urls) for (const who of viewers) {
      const res = await render(u, who);
      const type = String(res.headers['content-type'] ?? '');
      if (!/html|xml/.test(type)) continue;
      rendered += 1;
      if (type.includes('html') && !/script-src 'self'/.test(String(res.headers['content-security-policy'] ?? ''))) bad.push(`${who} ${u}: no CSP`);
      if (type.includes('html')) for (const f of injected(res.body)) bad.push(`${who} ${u}: ${f}`);
      else if (/<script|<img |<svg /i.test(res.body)) bad.push(`${who} ${u}: raw markup in XML`);
      for (const f of [...FIELDS, 'rating_comment']) if (res.body.includes(markerOf(f))) shown.add(f);
    }
  }
  assert.deepEqual(bad, []);
  // The sweep reached the fields: each stored text is shown (escaped) on some page.
  const accepted = FIELDS.filter((f) => !['first_name', 'last_name', 'registration_plate'].includes(f)); // names and plates refuse markup at input
  const missing = accepted.filter((f) => !shown.has(f));
  assert.deepEqual(missing, [], `fields never shown: ${missing.join(', ')}`);
  assert.ok(rendered > 300, `pages rendered: ${rendered}`);
});

test('reflected: the payload in any path parameter or query parameter of any page is never injected', async () => {
  const bad: string[] = [];
  const p = encodeURIComponent(payload('reflected'));
  let rendered = 0;
  for (const r of pages) {
    const fillA = filler(w);
    const variants = [`${fillA(r.path)}?q=${p}&next=${p}&return_to=${p}&page=${p}&tag=${p}&org=${p}&service=${p}&period=${p}&year=${p}&mobile=${p}&code=${p}&state=${p}&from=${p}&to=${p}`];
    const params = r.path.match(/:\w+/g) ?? [];
    for (let i = 0; i < params.length; i++) {
      let n = 0;
      variants.push(fillA(r.path).split('/').map((seg, k, segs) => {
        const orig = r.path.split('/')[k] ?? '';
        if (!orig.startsWith(':')) return seg;
        return n++ === i ? p : segs[k]!;
      }).join('/'));
    }
    for (const u of variants) for (const who of r.path.startsWith('/staff') ? ['sari.admin'] : ['anonymous', 'alice']) {
      const res = await render(u, who);
      if (res.statusCode >= 500) bad.push(`${who} ${u.slice(0, 80)}: ${res.statusCode}`);
      if (!String(res.headers['content-type'] ?? '').includes('html')) continue;
      rendered += 1;
      for (const f of injected(res.body)) bad.push(`${who} ${r.path}: ${f}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(rendered > 200, `pages rendered: ${rendered}`);
});
