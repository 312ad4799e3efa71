// The catalog over HTTP: the authoring API and pages, adoption with tenant isolation on every
// route, and the public single window (pages and JSON).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, csrfFrom, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import { t as message } from '../../platform/i18n/messages.js';
import { parseDefinition } from './validate.js';

const PERMIT = `
code: test-permit
title: { fa: صدور پروانه ساختمانی آزمایشی, en: Test building permit }
summary: { fa: درخواست پروانه ساخت از شهرداری, en: Apply to the municipality for a permit }
category: urban-development
maturity: 4
keywords: [جواز ساخت]
fields:
  - { key: area_m2, type: number, min: 1, required: true, label: { fa: مساحت زیربنا, en: Floor area } }
documents:
  - { key: deed, title: { fa: سند مالکیت, en: Title deed }, required: true, accept: [pdf, jpg], max_mb: 5 }
fees:
  - { key: permit_levy, title: { fa: عوارض صدور پروانه, en: Permit levy }, formula: "area_m2 * rate_per_m2", params: { rate_per_m2: 350000 } }
workflow:
  start: submitted
  states:
    submitted: { title: { fa: بررسی مدارک, en: Document check }, sla: 2d, roles: [clerk] }
    inspection: { title: { fa: بازدید, en: Inspection }, sla: 5d, roles: [inspector] }
    approved: { final: true, outcome: granted }
    rejected: { final: true, outcome: refused }
  actions:
    - { from: submitted, name: accept, to: inspection, roles: [clerk] }
    - { from: inspection, name: approve, to: approved, roles: [inspector] }
    - { from: inspection, name: reject, to: rejected, roles: [inspector], requires: comment }
baseline: { office_visits: 4, days: 30 }
`;
const PERMIT_V2 = PERMIT.replace('rate_per_m2: 350000', 'rate_per_m2: 420000')
  .replace('documents:', '  - { key: floors, type: integer, min: 1, label: { fa: تعداد طبقات, en: Floors } }\ndocuments:');

let t: TestApp;
const tokens: Record<string, string> = {};
let citizen: string;

before(async () => {
  t = await makeTestApp();
  const province = await makeOrg(t, 'mazandaran', 'province');
  const sari = await makeOrg(t, 'sari', 'municipality', province);
  const babol = await makeOrg(t, 'babol', 'municipality', province);
  const ict = await makeOrg(t, 'sari-ict', 'ict', sari);
  await t.deps.db.updateTable('orgs').set({ is_reference: 1 }).where('id', '=', ict).execute();
  const accounts = [
    ['author', ict, 'reference_author'], ['sari.admin', sari, 'org_admin'], ['sari.clerk', sari, 'clerk'],
    ['babol.admin', babol, 'org_admin'], ['sari.author', sari, 'reference_author'],
  ] as const;
  for (const [username, orgId, role] of accounts) {
    const { password } = await makeStaff(t, username, [{ orgId, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
  citizen = await signInCitizen(t, '09111111111');
});
after(async () => { await t?.close(); });

type Res = Awaited<ReturnType<TestApp['app']['inject']>>;
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const page = (url: string, token?: string) => t.app.inject({ method: 'GET', url, headers: token ? { cookie: `pk_session=${token}` } : {} });
const errorOf = (res: Res) => { const { code, message: m, fields } = res.json().error; return { code, message: m, fields }; };
const main = (res: Res) => res.body.match(/<main[\s\S]*<\/main>/)?.[0] ?? '';

/** A browser session for a signed-in staff member: cookies and a CSRF token from a page. */
async function browser(token: string | undefined, url: string) {
  const jar = new CookieJar();
  jar.take({ headers: { 'set-cookie': `pk_session=${token}; Path=/` } });
  const csrf = await csrfFrom(t, jar, url);
  return {
    post: (to: string, fields: Record<string, string>) => t.app.inject({
      method: 'POST', url: to, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    }),
  };
}

// ---------- authoring API ----------

test('a definition that does not validate answers 400 naming each path', async () => {
  const bad = PERMIT.replace('sla: 5d', 'sla: soon').replace('area_m2 * rate_per_m2', 'area_m2 *');
  const res = await api('POST', '/api/v1/catalog/templates', tokens.author, { source: bad, format: 'yaml' });
  assert.equal(res.statusCode, 400);
  const e = errorOf(res);
  assert.equal(e.code, 'catalog.definition_invalid');
  assert.equal(e.message, message('fa', 'catalog.definition_invalid'));
  assert.ok(e.fields['workflow.states.inspection.sla'], JSON.stringify(e.fields));
  const broken = await api('POST', '/api/v1/catalog/templates', tokens.author, { source: 'code: [' });
  assert.equal(broken.statusCode, 400);
  assert.match(errorOf(broken).fields.source, /YAML/);
});

test('the reference author imports, publishes, and cannot edit a published version; others cannot author', async () => {
  for (const [who, status] of [['sari.admin', 404], ['sari.author', 404], ['sari.clerk', 404]] as const) {
    const res = await api('POST', '/api/v1/catalog/templates', tokens[who], { source: PERMIT });
    assert.equal(res.statusCode, status, who);
    assert.equal(errorOf(res).code, 'common.not_found');
  }
  assert.equal((await api('POST', '/api/v1/catalog/templates', citizen, { source: PERMIT })).statusCode, 404);
  assert.equal((await api('POST', '/api/v1/catalog/templates', undefined, { source: PERMIT })).statusCode, 401);
  assert.equal((await api('GET', '/api/v1/catalog/templates', tokens['sari.admin'])).statusCode, 404);

  const draft = await api('POST', '/api/v1/catalog/templates', tokens.author, { source: PERMIT });
  assert.equal(draft.statusCode, 201, draft.body);
  assert.deepEqual([draft.json().code, draft.json().version, draft.json().status, draft.json().published_at], ['test-permit', 1, 'draft', null]);
  // The draft is the author's: nobody else sees it, as if it did not exist.
  assert.equal((await api('GET', '/api/v1/catalog/templates/test-permit/versions/1', tokens['sari.admin'])).statusCode, 404);
  assert.equal((await api('GET', '/api/v1/catalog/templates/test-permit/versions/1/export')).statusCode, 404);
  assert.equal((await api('GET', '/api/v1/services/test-permit')).statusCode, 404);
  assert.equal((await api('POST', '/api/v1/catalog/templates/test-permit/versions/1/publish', tokens['sari.admin'])).statusCode, 404);

  const published = await api('POST', '/api/v1/catalog/templates/test-permit/versions/1/publish', tokens.author);
  assert.equal(published.statusCode, 200);
  assert.equal(published.json().status, 'published');
  const edit = await api('PUT', '/api/v1/catalog/templates/test-permit/versions/1', tokens.author, { source: PERMIT_V2 });
  assert.equal(edit.statusCode, 409);
  assert.equal(errorOf(edit).code, 'catalog.version_published');
  assert.equal((await api('DELETE', '/api/v1/catalog/templates/test-permit/versions/1', tokens.author)).statusCode, 409);

  const list = await api('GET', '/api/v1/catalog/templates', tokens.author);
  assert.deepEqual(list.json().items.map((i: { code: string; versions: unknown[] }) => [i.code, i.versions.length]), [['test-permit', 1]]);
});

test('any published version exports as YAML or JSON that imports again unchanged', async () => {
  const yaml = await api('GET', '/api/v1/catalog/templates/test-permit/versions/1/export?format=yaml');
  assert.equal(yaml.statusCode, 200);
  assert.match(String(yaml.headers['content-type']), /^application\/yaml/);
  assert.match(String(yaml.headers['content-disposition']), /test-permit-v1\.yaml/);
  const json = await api('GET', '/api/v1/catalog/templates/test-permit/versions/1/export?format=json');
  assert.match(String(json.headers['content-type']), /^application\/json/);
  const fromYaml = parseDefinition(yaml.body, 'yaml');
  const fromJson = parseDefinition(json.body, 'json');
  assert.ok(fromYaml.ok && fromJson.ok);
  assert.deepEqual(fromYaml.definition, fromJson.definition);
  const detail = await api('GET', '/api/v1/catalog/templates/test-permit/versions/1');
  assert.deepEqual(detail.json().definition, fromJson.definition);
  assert.equal((await api('GET', '/api/v1/catalog/templates/test-permit/versions/9/export')).statusCode, 404);
});

// ---------- adoption API ----------

test("Babol's admin, a clerk and a citizen cannot see or change Sari's adoptions: the same 404 as nothing", async () => {
  const missing = errorOf(await api('GET', '/api/v1/orgs/nowhere/adoptions', tokens['babol.admin']));
  assert.equal(missing.code, 'common.not_found');
  const calls: [string, 'GET' | 'POST' | 'PUT', string, unknown?][] = [
    ['babol.admin', 'GET', '/api/v1/orgs/sari/adoptions'],
    ['babol.admin', 'GET', '/api/v1/orgs/sari/adoptions/test-permit'],
    ['babol.admin', 'POST', '/api/v1/orgs/sari/adoptions/test-permit', {}],
    ['babol.admin', 'PUT', '/api/v1/orgs/sari/adoptions/test-permit', {}],
    ['babol.admin', 'POST', '/api/v1/orgs/sari/adoptions/test-permit/upgrade'],
    ['sari.clerk', 'GET', '/api/v1/orgs/sari/adoptions'],
    ['sari.clerk', 'POST', '/api/v1/orgs/sari/adoptions/test-permit', {}],
    ['author', 'POST', '/api/v1/orgs/sari/adoptions/test-permit', {}],
    ['citizen', 'GET', '/api/v1/orgs/sari/adoptions'],
    ['citizen', 'POST', '/api/v1/orgs/sari/adoptions/test-permit', {}],
  ];
  for (const [who, method, url, body] of calls) {
    const res = await api(method, url, who === 'citizen' ? citizen : tokens[who], body);
    assert.equal(res.statusCode, 404, `${who} ${method} ${url}`);
    assert.deepEqual(errorOf(res), missing, `${who} ${method} ${url}`);
  }
  for (const [method, url] of [['GET', '/api/v1/orgs/sari/adoptions'], ['POST', '/api/v1/orgs/sari/adoptions/test-permit'], ['PUT', '/api/v1/orgs/sari/adoptions/test-permit']] as const) {
    assert.equal((await api(method, url, undefined, method === 'GET' ? undefined : {})).statusCode, 401, `anonymous ${method} ${url}`);
  }
  assert.equal((await t.deps.db.selectFrom('org_services').select('id').execute()).length, 0, 'nothing was adopted');
});

test('Sari adopts with its own fee and office; an unknown param or state is a field error', async () => {
  const list = await api('GET', '/api/v1/orgs/sari/adoptions', tokens['sari.admin']);
  assert.equal(list.statusCode, 200);
  assert.deepEqual(list.json().items.map((i: Record<string, unknown>) => [i.code, i.latest_version, i.adopted_version]), [['test-permit', 1, null]]);

  const bogus = await api('POST', '/api/v1/orgs/sari/adoptions/test-permit', tokens['sari.admin'], { fee_params: { permit_levy: { bogus: 1 } }, sla: { nowhere: '2d' } });
  assert.equal(bogus.statusCode, 400);
  assert.deepEqual(errorOf(bogus).fields, {
    'fee_params.permit_levy.bogus': message('fa', 'catalog.unknown_fee_param'),
    'sla.nowhere': message('fa', 'catalog.unknown_state'),
  });
  const badSla = await api('POST', '/api/v1/orgs/sari/adoptions/test-permit', tokens['sari.admin'], { sla: { inspection: 'soon' } });
  assert.equal(badSla.statusCode, 400);
  assert.ok(errorOf(badSla).fields['sla.inspection']);

  const adopted = await api('POST', '/api/v1/orgs/sari/adoptions/test-permit', tokens['sari.admin'], {
    fee_params: { permit_levy: { rate_per_m2: 300000 } }, office: { address: 'ساری، میدان ساعت', phone: '137' },
  });
  assert.equal(adopted.statusCode, 201, adopted.body);
  assert.equal(adopted.json().adopted.version, 1);
  assert.deepEqual(adopted.json().settable.fees, [{ key: 'permit_levy', title: { fa: 'عوارض صدور پروانه', en: 'Permit levy' }, params: { rate_per_m2: 350000 } }]);
  assert.equal((await api('POST', '/api/v1/orgs/sari/adoptions/test-permit', tokens['sari.admin'], {})).statusCode, 409);

  const changed = await api('PUT', '/api/v1/orgs/sari/adoptions/test-permit', tokens['sari.admin'], { fee_params: { permit_levy: { rate_per_m2: 310000 } }, sla: { inspection: '4d' }, office: { address: 'ساری، میدان ساعت', phone: '137' } });
  assert.equal(changed.statusCode, 200);
  assert.deepEqual(changed.json().adopted.overrides.sla, { inspection: '4d' });
});

test('the public pages and API show the catalog, the service sheet and Sari\'s own page', async () => {
  const services = await api('GET', '/api/v1/services');
  assert.equal(services.statusCode, 200);
  assert.deepEqual(services.json().items.map((i: { code: string; offered_by: number; url: string }) => [i.code, i.offered_by, i.url]), [['test-permit', 1, '/services/test-permit']]);
  for (const q of ['پروانه ساختماني', 'پروانه‌ساختمانی', 'شهرداري']) {
    const found = await api('GET', `/api/v1/services?q=${encodeURIComponent(q)}`);
    assert.deepEqual(found.json().items.map((i: { code: string }) => i.code), ['test-permit'], q);
  }
  assert.equal((await api('GET', `/api/v1/services?q=${encodeURIComponent('پسماند')}`)).json().total, 0);
  assert.equal((await api('GET', '/api/v1/services?category=space-travel')).statusCode, 400);
  assert.equal((await api('GET', '/api/v1/services?org=nowhere')).statusCode, 404);
  assert.deepEqual((await api('GET', '/api/v1/orgs/sari/services')).json().items.map((i: { url: string }) => i.url), ['/orgs/sari/services/test-permit']);
  assert.equal((await api('GET', '/api/v1/orgs/babol/services')).json().total, 0);

  const sheet = await api('GET', '/api/v1/services/test-permit');
  assert.equal(sheet.statusCode, 200);
  const body = sheet.json();
  assert.deepEqual(body.steps.map((s: { key: string; sla: string }) => [s.key, s.sla]), [['submitted', '2d'], ['inspection', '5d']]);
  assert.deepEqual(body.deadline, { business_hours: 49, text: message('fa', 'catalog.deadline_days', { days: 7 }) });
  assert.equal(body.fees[0].description, message('fa', 'catalog.fee_formula', { formula: '«مساحت زیربنا» × ۳۵۰٬۰۰۰' }));
  assert.deepEqual(body.offered_by.map((o: { code: string }) => o.code), ['sari']);
  const en = await t.app.inject({ method: 'GET', url: '/api/v1/services/test-permit', headers: { 'accept-language': 'en' } });
  assert.equal(en.json().fees[0].description, 'How it is computed: “Floor area” × 350,000');

  const sari = await api('GET', '/api/v1/orgs/sari/services/test-permit');
  assert.equal(sari.statusCode, 200);
  assert.deepEqual(sari.json().fees[0].params, [{ name: 'rate_per_m2', value: 310000, reference: 350000, own: true }]);
  assert.deepEqual(sari.json().office, { address: 'ساری، میدان ساعت', phone: '137' });
  assert.equal(sari.json().apply_url, '/apply/sari/test-permit');
  assert.equal(sari.json().deadline.business_hours, 42);
  assert.equal((await api('GET', '/api/v1/orgs/babol/services/test-permit')).statusCode, 404, 'Babol does not offer it');

  const home = await page('/');
  assert.equal(home.statusCode, 200);
  assert.match(main(home), /href="\/services\/test-permit"/);
  assert.doesNotMatch(main(home), /data-testid="catalog-empty"/);
  const catalogPage = await page(`/services?q=${encodeURIComponent('پروانه ساختماني')}&org=&category=`);
  assert.equal(catalogPage.statusCode, 200);
  assert.match(main(catalogPage), /صدور پروانه ساختمانی آزمایشی/);
  assert.match(main(catalogPage), /<label class="form-label" for="q">/);
  const none = await page(`/services?q=${encodeURIComponent('پسماند')}`);
  assert.ok(main(none).includes(message('fa', 'catalog.no_results')));

  const servicePage = await page('/services/test-permit');
  assert.equal(servicePage.statusCode, 200);
  assert.match(servicePage.body, /<html lang="fa" dir="rtl">/);
  for (const text of ['سند مالکیت', 'عوارض صدور پروانه', '«مساحت زیربنا» × ۳۵۰٬۰۰۰', 'بررسی مدارک', message('fa', 'catalog.deadline_days', { days: 7 }), message('fa', 'catalog.maturity_value', { level: 4, name: message('fa', 'catalog.maturity.4') }), 'شهرداری sari']) {
    assert.ok(main(servicePage).includes(text), text);
  }
  assert.doesNotMatch(main(servicePage), /href="\/apply\//, 'the province-wide page sends citizens to a municipality first');
  assert.match(main(servicePage), /<form method="get" action="\/services\/test-permit\/in"/);
  assert.match(main(servicePage), /<label class="form-label" for="choose-org">/);
  const chosen = await page('/services/test-permit/in?org=sari');
  assert.equal(chosen.statusCode, 303);
  assert.equal(chosen.headers.location, '/orgs/sari/services/test-permit');
  const sariPage = await page('/orgs/sari/services/test-permit');
  assert.equal(sariPage.statusCode, 200);
  assert.match(main(sariPage), /href="\/apply\/sari\/test-permit"/);
  assert.ok(main(sariPage).includes('ساری، میدان ساعت'));
  assert.ok(main(sariPage).includes('۳۱۰٬۰۰۰'));
  assert.equal((await page('/orgs/babol/services/test-permit')).statusCode, 404);
  assert.equal((await page('/services/no-such-service')).statusCode, 404);
  const english = await page('/services/test-permit?lang=en');
  assert.match(english.body, /<html lang="en" dir="ltr">/);
  assert.ok(main(english).includes('Test building permit'));
});

test('a new version shows Sari what changed; the upgrade moves Sari and not the others', async () => {
  const v2 = await api('POST', '/api/v1/catalog/templates', tokens.author, { source: PERMIT_V2, publish: true });
  assert.equal(v2.statusCode, 201);
  assert.deepEqual([v2.json().version, v2.json().status], [2, 'published']);
  const diff = await api('GET', '/api/v1/catalog/templates/test-permit/diff?from=1&to=2');
  assert.deepEqual(diff.json().items.map((d: { section: string; key: string; change: string }) => [d.section, d.key, d.change]), [['fields', 'floors', 'added'], ['fees', 'permit_levy', 'changed']]);
  assert.match(diff.json().items[1].text, /۳۵۰٬۰۰۰/);

  const detail = await api('GET', '/api/v1/orgs/sari/adoptions/test-permit', tokens['sari.admin']);
  assert.deepEqual([detail.json().adopted.version, detail.json().upgrade.from, detail.json().upgrade.to], [1, 1, 2]);
  assert.equal(detail.json().upgrade.changes.length, 2);
  const upgraded = await api('POST', '/api/v1/orgs/sari/adoptions/test-permit/upgrade', tokens['sari.admin']);
  assert.equal(upgraded.statusCode, 200);
  assert.equal(upgraded.json().adopted.version, 2);
  assert.deepEqual(upgraded.json().dropped, []);
  assert.equal((await api('POST', '/api/v1/orgs/sari/adoptions/test-permit/upgrade', tokens['sari.admin'])).statusCode, 409);
  assert.equal((await api('GET', '/api/v1/orgs/sari/services/test-permit')).json().version, 2);
});

// ---------- staff pages ----------

test('staff pages send citizens and anonymous visitors to the staff sign-in', async () => {
  for (const url of ['/staff/catalog', '/staff/catalog/templates', '/staff/catalog/import', '/staff/orgs/sari/services', '/staff/orgs/sari/services/test-permit']) {
    for (const token of [citizen, undefined]) {
      const res = await page(url, token);
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, `/staff/login?next=${encodeURIComponent(url)}`);
    }
  }
});

test('the author imports through the page (errors shown by path), previews the draft and publishes it', async () => {
  const b = await browser(tokens.author, '/staff/catalog/import');
  const bad = await b.post('/staff/catalog/import', { source: PERMIT.replace('code: test-permit', 'code: test-other').replace('sla: 5d', 'sla: soon'), format: 'yaml' });
  assert.equal(bad.statusCode, 400);
  assert.match(main(bad), /workflow\.states\.inspection\.sla/);
  assert.match(main(bad), /<textarea id="f-source" name="source"/);
  assert.ok(main(bad).includes('code: test-other'), 'the text is kept for correction');

  const long = `${PERMIT_V2.replace('code: test-permit', 'code: test-other')}\n${'# a long comment line to make the text longer than any form value\n'.repeat(60)}`;
  assert.ok(long.length > 4000);
  const ok = await b.post('/staff/catalog/import', { source: long, format: 'yaml' });
  assert.equal(ok.statusCode, 303, ok.body.slice(0, 500));
  assert.equal(ok.headers.location, '/staff/catalog/templates/test-other?done=saved&n=1');
  const versions = await page('/staff/catalog/templates/test-other?done=saved&n=1', tokens.author);
  assert.equal(versions.statusCode, 200);
  assert.ok(main(versions).includes(message('fa', 'catalog.saved_ok', { n: 1 })));
  const preview = await page('/staff/catalog/templates/test-other/versions/1', tokens.author);
  assert.equal(preview.statusCode, 200);
  assert.ok(main(preview).includes(message('fa', 'catalog.preview_banner', { n: 1, status: message('fa', 'catalog.status.draft') })));
  assert.ok(main(preview).includes('تعداد طبقات'));
  const edit = await page('/staff/catalog/templates/test-other/versions/1/edit', tokens.author);
  assert.match(main(edit), /code: test-other/);

  const published = await b.post('/staff/catalog/templates/test-other/versions/1/publish', {});
  assert.equal(published.statusCode, 303);
  assert.equal((await api('GET', '/api/v1/catalog/templates/test-other/versions/1')).json().status, 'published');
  const again = await b.post('/staff/catalog/templates/test-other/versions/1/publish', {});
  assert.equal(again.statusCode, 409);
  assert.ok(main(again).includes(message('fa', 'catalog.version_published')));
  const exported = await page('/staff/catalog/templates/test-other/versions/1/export?format=yaml', tokens.author);
  assert.equal(exported.statusCode, 200);
  assert.match(exported.body, /^code: test-other/m);
});

test('authoring pages answer other staff like pages that do not exist', async () => {
  for (const url of ['/staff/catalog/templates', '/staff/catalog/import', '/staff/catalog/templates/test-permit', '/staff/catalog/templates/test-permit/versions/1']) {
    for (const who of ['sari.admin', 'sari.author', 'babol.admin']) {
      const res = await page(url, tokens[who]);
      assert.equal(res.statusCode, 404, `${who} ${url}`);
      assert.ok(res.body.includes(message('fa', 'common.not_found')));
    }
  }
  const hub = await page('/staff/catalog', tokens['sari.admin']);
  assert.equal(hub.statusCode, 200);
  assert.match(main(hub), /href="\/staff\/orgs\/sari\/services"/);
  assert.doesNotMatch(main(hub), /href="\/staff\/catalog\/templates"/);
  assert.match(main(await page('/staff/catalog', tokens.author)), /href="\/staff\/catalog\/templates"/);
  // A form post by someone else is refused the same way, and changes nothing.
  const b = await browser(tokens['sari.admin'], '/staff/catalog');
  const res = await b.post('/staff/catalog/import', { source: PERMIT, format: 'yaml' });
  assert.equal(res.statusCode, 404);
});

test("Sari's admin manages Sari's services through the pages; Babol's admin and a clerk get a 404", async () => {
  const list = await page('/staff/orgs/sari/services', tokens['sari.admin']);
  assert.equal(list.statusCode, 200);
  assert.match(main(list), /href="\/staff\/orgs\/sari\/services\/test-other"/);
  const form = await page('/staff/orgs/sari/services/test-other', tokens['sari.admin']);
  assert.equal(form.statusCode, 200);
  for (const name of ['enabled', 'fee_params.permit_levy.rate_per_m2', 'sla.submitted', 'office.address', 'office.email']) {
    assert.match(main(form), new RegExp(`<label[^>]* for="f-${name.replace(/\./g, '\\.')}"`), `a label for ${name}`);
  }

  const b = await browser(tokens['sari.admin'], '/staff/orgs/sari/services/test-other');
  const bad = await b.post('/staff/orgs/sari/services/test-other', { enabled: 'on', 'fee_params.permit_levy.rate_per_m2': 'lots', 'sla.inspection': 'soon' });
  assert.equal(bad.statusCode, 400);
  assert.ok(main(bad).includes(message('fa', 'catalog.number_invalid')));
  assert.ok(main(bad).includes(message('fa', 'catalog.sla_invalid')));
  const ok = await b.post('/staff/orgs/sari/services/test-other', { enabled: 'on', 'fee_params.permit_levy.rate_per_m2': '۴۰۰٬۰۰۰', 'sla.inspection': '3d', 'office.hours': 'شنبه تا چهارشنبه' });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/staff/orgs/sari/services/test-other?done=adopted&n=1');
  const sheet = await api('GET', '/api/v1/orgs/sari/services/test-other');
  assert.deepEqual(sheet.json().fees[0].params[0], { name: 'rate_per_m2', value: 400000, reference: 420000, own: true });
  const saved = await b.post('/staff/orgs/sari/services/test-other', { 'fee_params.permit_levy.rate_per_m2': '400000' });
  assert.equal(saved.statusCode, 303);
  assert.equal((await api('GET', '/api/v1/orgs/sari/services/test-other')).statusCode, 404, 'switched off: no longer offered');

  for (const [who, url] of [['babol.admin', '/staff/orgs/sari/services'], ['babol.admin', '/staff/orgs/sari/services/test-other'], ['sari.clerk', '/staff/orgs/sari/services'], ['author', '/staff/orgs/sari/services/test-other']] as const) {
    const res = await page(url, tokens[who]);
    assert.equal(res.statusCode, 404, `${who} ${url}`);
    assert.doesNotMatch(main(res), /rate_per_m2/);
  }
  const babol = await browser(tokens['babol.admin'], '/staff/catalog');
  for (const url of ['/staff/orgs/sari/services/test-other', '/staff/orgs/sari/services/test-permit/upgrade']) {
    const res = await babol.post(url, { enabled: 'on' });
    assert.equal(res.statusCode, 404, url);
  }
  const sari = await t.deps.db.selectFrom('org_services').innerJoin('orgs', 'orgs.id', 'org_services.org_id').select(['orgs.code', 'org_services.enabled']).execute();
  assert.deepEqual(sari.map((r) => [r.code, r.enabled]).sort(), [['sari', 0], ['sari', 1]], "Babol's posts changed nothing of Sari's");
});
