// The catalog's rules on a real database: authoring and immutable versions, adoption with
// overrides, diffs and upgrades, the public catalog's Persian search, the demo seed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeOrg, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import { newId, type Actor, type Role } from '../../platform/core/index.js';
import { verifyAudit } from '../../platform/audit/index.js';
import { buildSheet, diffDefinitions, searchTerms } from './service.js';
import { seedCatalog, shippedDefinitions } from './seed.js';
import { parseDefinition } from './validate.js';

const PERMIT = `
code: test-permit
title: { fa: صدور پروانه ساختمانی آزمایشی, en: Test building permit }
summary: { fa: درخواست پروانه ساخت از شهرداری, en: Apply to the municipality for a permit }
category: urban-development
maturity: 4
keywords: [جواز ساخت, ماده ۱۰۰]
fields:
  - { key: area_m2, type: number, min: 1, required: true, label: { fa: مساحت زیربنا, en: Floor area } }
documents:
  - { key: deed, title: { fa: سند مالکیت }, required: true }
fees:
  - { key: permit_levy, title: { fa: عوارض صدور پروانه }, formula: "area_m2 * rate_per_m2", params: { rate_per_m2: 350000 } }
  - { key: file_fee, title: { fa: هزینه پرونده }, formula: amount, params: { amount: 500000 } }
workflow:
  start: submitted
  states:
    submitted: { title: { fa: بررسی مدارک }, sla: 2d, roles: [clerk] }
    inspection: { sla: 5d, roles: [inspector] }
    payment: { sla: 10d, waits_for: citizen }
    approved: { final: true, outcome: granted }
    rejected: { final: true, outcome: refused }
  actions:
    - { from: submitted, name: accept, to: inspection, roles: [clerk] }
    - { from: inspection, name: approve, to: payment, roles: [inspector] }
    - { from: inspection, name: reject, to: rejected, roles: [inspector], requires: comment }
    - { from: payment, name: paid, to: approved, by: payment }
baseline: { office_visits: 4, days: 30 }
`;
/** Version 2: a higher rate and a new field. */
const PERMIT_V2 = PERMIT.replace('rate_per_m2: 350000', 'rate_per_m2: 400000')
  .replace('documents:', '  - { key: floors, type: integer, min: 1, label: { fa: تعداد طبقات, en: Floors } }\ndocuments:');
const WASTE = `
code: test-waste
title: { fa: بهای خدمات پسماند, en: Waste fee }
category: environment
maturity: 3
fees:
  - { key: fee, title: { fa: بهای خدمات }, formula: amount, params: { amount: 1200000 } }
workflow:
  start: payment
  states:
    payment: { sla: 30d, waits_for: citizen }
    paid: { final: true, outcome: granted }
  actions:
    - { from: payment, name: paid, to: paid, by: payment }
baseline: { office_visits: 1, days: 3 }
`;

let t: TestApp;
const ids: Record<string, string> = {};
const staff = (orgCode: string, role: Role): Actor => ({ kind: 'staff', id: newId(), memberships: [{ orgId: ids[orgCode]!, orgCode, role }] });
let author: Actor;
let sariAdmin: Actor;
let babolAdmin: Actor;
let sariClerk: Actor;

before(async () => {
  t = await makeTestApp();
  ids.mazandaran = await makeOrg(t, 'mazandaran', 'province');
  ids.sari = await makeOrg(t, 'sari', 'municipality', ids.mazandaran);
  ids.babol = await makeOrg(t, 'babol', 'municipality', ids.mazandaran);
  ids['sari-ict'] = await makeOrg(t, 'sari-ict', 'ict', ids.sari);
  await t.deps.db.updateTable('orgs').set({ is_reference: 1 }).where('id', '=', ids['sari-ict']).execute();
  author = staff('sari-ict', 'reference_author');
  sariAdmin = staff('sari', 'org_admin');
  babolAdmin = staff('babol', 'org_admin');
  sariClerk = staff('sari', 'clerk');
});
after(async () => { await t?.close(); });

const catalog = () => t.deps.services.catalog;
const rejects = (p: Promise<unknown>, status: number, code?: string, fields?: Record<string, string>) => assert.rejects(p, (e) => {
  assert.ok(e instanceof AppError, String(e));
  assert.equal(e.status, status, `${e.code} ${JSON.stringify(e.fields)}`);
  if (code) assert.equal(e.code, code);
  if (fields) for (const [k, v] of Object.entries(fields)) assert.equal(e.fields[k], v, `field ${k} in ${JSON.stringify(e.fields)}`);
  return true;
});
const auditActions = async () => (await t.deps.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action);

/** Publishes a definition as the reference author (import + publish). */
const publish = (source: string) => catalog().importDefinition(author, { source, format: 'yaml', publish: true });

test('an imported definition is a draft until published; once published it never changes', async () => {
  const draft = await catalog().importDefinition(author, { source: PERMIT });
  assert.deepEqual([draft.code, draft.version, draft.status], ['test-permit', 1, 'draft']);
  // A draft may be replaced as often as needed, keeping its number.
  const replaced = await catalog().replaceDraft(author, 'test-permit', 1, { source: PERMIT.replace('maturity: 4', 'maturity: 3'), format: 'yaml' });
  assert.equal(replaced.maturity, 3);
  const again = await catalog().importDefinition(author, { source: PERMIT });
  assert.deepEqual([again.version, again.status, again.maturity], [1, 'draft', 4], 'importing the same code again replaces the draft');

  const published = await catalog().publish(author, 'test-permit', 1);
  assert.equal(published.status, 'published');
  assert.equal(published.publishedAt, t.clock.now());
  const stored = await t.deps.db.selectFrom('service_template_versions').select('definition').executeTakeFirstOrThrow();

  await rejects(catalog().replaceDraft(author, 'test-permit', 1, { source: PERMIT_V2 }), 409, 'catalog.version_published');
  await rejects(catalog().publish(author, 'test-permit', 1), 409, 'catalog.version_published');
  await rejects(catalog().discardDraft(author, 'test-permit', 1), 409, 'catalog.version_published');
  // Importing a changed definition makes version 2 and leaves version 1 as it was.
  const v2 = await catalog().importDefinition(author, { source: PERMIT_V2 });
  assert.deepEqual([v2.version, v2.status], [2, 'draft']);
  const v1 = await catalog().version(author, 'test-permit', 1);
  assert.equal(v1.definition.fees[0]!.params.rate_per_m2, 350_000);
  assert.equal((await t.deps.db.selectFrom('service_template_versions').select('definition').where('version', '=', 1).executeTakeFirstOrThrow()).definition, stored.definition);
  await catalog().publish(author, 'test-permit', 2);
  assert.deepEqual((await catalog().versions(author, 'test-permit')).map((v) => [v.version, v.status]), [[2, 'published'], [1, 'published']]);

  const actions = await auditActions();
  assert.equal(actions.filter((a) => a === 'catalog.version_imported').length, 4);
  assert.equal(actions.filter((a) => a === 'catalog.version_published').length, 2);
  assert.equal((await verifyAudit(t.deps.db)).ok, true);
});

test('a definition that does not validate is refused with each problem by path, and nothing is stored', async () => {
  const before = (await t.deps.db.selectFrom('service_template_versions').select('id').execute()).length;
  const bad = PERMIT.replace('code: test-permit', 'code: test-bad').replace('sla: 5d', 'sla: 5x').replace('area_m2 * rate_per_m2', 'area * rate_per_m2');
  await rejects(catalog().importDefinition(author, { source: bad }), 400, 'catalog.definition_invalid', { 'workflow.states.inspection.sla': 'a duration like 2d or 6h' });
  await assert.rejects(catalog().importDefinition(author, { source: 'code: [' }), (e) => e instanceof AppError && e.status === 400 && /YAML/.test(e.fields.source ?? ''));
  await assert.rejects(catalog().importDefinition(author, { source: '{"code": ', format: 'json' }), (e) => e instanceof AppError && e.status === 400 && /JSON/.test(e.fields.source ?? ''));
  assert.equal((await t.deps.db.selectFrom('service_template_versions').select('id').execute()).length, before);
  assert.equal(await t.deps.db.selectFrom('service_templates').select('id').where('code', '=', 'test-bad').executeTakeFirst(), undefined);
});

test('only the reference organization\'s authors (and the province admin) may import and publish', async () => {
  const draft = await catalog().importDefinition(author, { source: WASTE.replace('maturity: 3', 'maturity: 2') });
  const others: Actor[] = [
    staff('sari', 'reference_author'), // an author, but not of the reference organization
    sariAdmin, sariClerk, { kind: 'citizen', id: newId() }, { kind: 'anonymous', id: null },
  ];
  for (const actor of others) {
    await rejects(catalog().importDefinition(actor, { source: WASTE }), 404, 'common.not_found');
    await rejects(catalog().publish(actor, 'test-waste', draft.version), 404, 'common.not_found');
    await rejects(catalog().replaceDraft(actor, 'test-waste', draft.version, { source: WASTE }), 404, 'common.not_found');
    await rejects(catalog().templates(actor), 404);
    // Drafts are not shown to them either: a draft-only service looks like no service.
    await rejects(catalog().version(actor, 'test-waste', draft.version), 404);
    await rejects(catalog().previewSheet(actor, 'test-waste', draft.version), 404);
  }
  const provinceAdmin = staff('mazandaran', 'province_admin');
  const published = await catalog().publish(provinceAdmin, 'test-waste', draft.version);
  assert.equal(published.status, 'published');
  // Published versions are public.
  assert.equal((await catalog().version({ kind: 'anonymous', id: null }, 'test-waste', 1)).definition.maturity, 2);
});

test('an organization adopts the newest version with its own fees, deadlines and office', async () => {
  const detail = await catalog().adopt(sariAdmin, 'sari', 'test-permit', {
    fee_params: { permit_levy: { rate_per_m2: 300000 } }, sla: { inspection: '3d' },
    office: { address: '  ساري، ميدان ساعت  ', hours: 'شنبه تا چهارشنبه', phone: '۰۱۱-۳۳۳۳۴۴۴۴' },
  });
  assert.equal(detail.adopted!.version, 2);
  assert.deepEqual(detail.adopted!.overrides.fee_params, { permit_levy: { rate_per_m2: 300000 } });
  assert.equal(detail.adopted!.overrides.office.address, 'ساری، میدان ساعت', 'office text is normalized (Persian yeh, spaces)');
  assert.equal(detail.adopted!.overrides.office.phone, '011-33334444');
  assert.equal(detail.adopted!.enabled, true);
  await rejects(catalog().adopt(sariAdmin, 'sari', 'test-permit', {}), 409, 'catalog.already_adopted');

  const page = await catalog().orgServiceSheet('sari', 'test-permit');
  const levy = page.sheet.fees.find((f) => f.key === 'permit_levy')!;
  assert.deepEqual(levy.params, [{ name: 'rate_per_m2', value: 300000, reference: 400000, own: true }]);
  assert.equal(page.sheet.fees.find((f) => f.key === 'file_fee')!.fixed, 500000);
  assert.deepEqual(page.sheet.steps.map((s) => [s.key, s.sla, s.own]), [['submitted', '2d', false], ['inspection', '3d', true], ['payment', '10d', false]]);
  assert.equal(page.sheet.deadlineHours, 5 * 7, 'the office deadline: 2 + 3 business days; the citizen\'s payment time is not counted');
  assert.deepEqual(page.sheet.saves, { officeVisits: 4, days: 23 });
  assert.equal(page.office.address, 'ساری، میدان ساعت');

  const after = await catalog().setOverrides(sariAdmin, 'sari', 'test-permit', { enabled: false });
  assert.equal(after.adopted!.enabled, false);
  await rejects(catalog().orgServiceSheet('sari', 'test-permit'), 404, 'common.not_found');
  await catalog().setOverrides(sariAdmin, 'sari', 'test-permit', { fee_params: { permit_levy: { rate_per_m2: 300000 } } });
  const actions = await auditActions();
  assert.ok(actions.includes('catalog.service_adopted'));
  assert.equal(actions.filter((a) => a === 'catalog.overrides_changed').length, 2);
});

test('overrides naming a fee, a param or a state the definition does not have are refused by field', async () => {
  const cases: [unknown, Record<string, string>][] = [
    [{ fee_params: { permit_levy: { bogus: 1 } } }, { 'fee_params.permit_levy.bogus': 'catalog.unknown_fee_param' }],
    [{ fee_params: { no_such_fee: { amount: 1 } } }, { 'fee_params.no_such_fee': 'catalog.unknown_fee' }],
    [{ sla: { nowhere: '2d' } }, { 'sla.nowhere': 'catalog.unknown_state' }],
    [{ sla: { approved: '2d' } }, { 'sla.approved': 'catalog.final_state_sla' }],
    [{ sla: { inspection: 'two days' } }, { 'sla.inspection': 'catalog.sla_invalid' }],
    [{ fee_params: { permit_levy: { rate_per_m2: -5 } } }, { 'fee_params.permit_levy.rate_per_m2': 'catalog.number_invalid' }],
    [{ fee_params: { permit_levy: { rate_per_m2: 'many' } } }, { 'fee_params.permit_levy.rate_per_m2': 'catalog.number_invalid' }],
    [{ office: { email: 'not-an-email' } }, { 'office.email': 'profile.email_invalid' }],
    [{ colour: 'green' }, { colour: 'common.invalid_value' }],
  ];
  for (const [input, fields] of cases) {
    await rejects(catalog().setOverrides(sariAdmin, 'sari', 'test-permit', input), 400, 'common.invalid_input', fields);
    await rejects(catalog().adopt(babolAdmin, 'babol', 'test-permit', input), 400, 'common.invalid_input', fields);
  }
  assert.equal((await catalog().adoptions(babolAdmin, 'babol')).items.find((i) => i.code === 'test-permit')!.adoptedVersion, null, 'nothing was adopted');
});

test('an admin of one municipality cannot adopt for or change another\'s services; a clerk cannot adopt at all', async () => {
  const refusals: [Actor, string][] = [[babolAdmin, 'sari'], [sariAdmin, 'babol'], [sariClerk, 'sari'], [staff('babol', 'manager'), 'babol'], [{ kind: 'citizen', id: newId() }, 'sari'], [{ kind: 'anonymous', id: null }, 'sari'], [sariAdmin, 'nowhere']];
  for (const [actor, org] of refusals) {
    const label = `${actor.kind} ${actor.kind === 'staff' ? actor.memberships[0]!.role : ''} -> ${org}`;
    await rejects(catalog().adoptions(actor, org), 404, 'common.not_found').catch((e) => assert.fail(`${label}: ${e}`));
    await rejects(catalog().adoption(actor, org, 'test-permit'), 404, 'common.not_found');
    await rejects(catalog().adopt(actor, org, 'test-permit', {}), 404, 'common.not_found');
    await rejects(catalog().setOverrides(actor, org, 'test-permit', {}), 404, 'common.not_found');
    await rejects(catalog().upgrade(actor, org, 'test-permit'), 404, 'common.not_found');
  }
  const sari = await catalog().adoption(sariAdmin, 'sari', 'test-permit');
  assert.deepEqual(sari.adopted!.overrides.fee_params, { permit_levy: { rate_per_m2: 300000 } }, "Sari's settings are untouched");
});

test('the diff between versions lists a changed fee parameter and an added field', () => {
  const [a, b] = [PERMIT, PERMIT_V2].map((y) => { const r = parseDefinition(y); assert.ok(r.ok); return r.definition; });
  const diff = diffDefinitions(a!, b!);
  assert.deepEqual(diff.map((d) => [d.section, d.key, d.change]), [['fields', 'floors', 'added'], ['fees', 'permit_levy', 'changed']]);
  assert.deepEqual(diff[1]!.details, [{ attr: 'params.rate_per_m2', from: 350000, to: 400000 }]);
  assert.deepEqual(diffDefinitions(a!, a!), []);
});

test('upgrading moves the pin to the newest version while a filed application keeps its version', async () => {
  // Babol adopts version 2 ... then the reference publishes version 3.
  await catalog().adopt(babolAdmin, 'babol', 'test-permit', { fee_params: { permit_levy: { rate_per_m2: 380000 } }, sla: { inspection: '4d' } });
  const orgService = await t.deps.db.selectFrom('org_services').selectAll().where('org_id', '=', ids.babol!).executeTakeFirstOrThrow();
  const citizenId = newId();
  const now = t.clock.now();
  await t.deps.db.insertInto('citizens').values({ id: citizenId, mobile: '09110000001', national_code: null, first_name: null, last_name: null, email: null, locale: 'fa', created_at: now, updated_at: now }).execute();
  const appId = newId();
  await t.deps.db.insertInto('applications').values({
    id: appId, org_id: ids.babol!, org_service_id: orgService.id, version_id: orgService.version_id, tracking_code: 'BABOL-1405-000001', citizen_id: citizenId,
    channel: 'web', state: 'inspection', phase: 'open', form_data: '{}', fees_total: 0, fees: '[]', assignee_id: null, due_at: null, state_entered_at: now,
    submit_key: null, outcome: null, result_code: null, rating: null, rating_comment: null, created_by: null, created_at: now, submitted_at: now, closed_at: null, updated_at: now,
  }).execute();

  const v3 = PERMIT_V2.replace('inspection: { sla: 5d, roles: [inspector] }', 'review: { sla: 5d, roles: [inspector] }').replace(/to: inspection/g, 'to: review').replace(/from: inspection/g, 'from: review');
  await publish(v3);
  const before = await catalog().adoption(babolAdmin, 'babol', 'test-permit');
  assert.deepEqual([before.adopted!.version, before.upgrade!.from, before.upgrade!.to], [2, 2, 3]);
  assert.deepEqual(before.upgrade!.dropped, ['sla.inspection'], 'the deadline of a state the new version no longer has would be dropped');
  assert.ok(before.upgrade!.diff.some((d) => d.section === 'states' && d.key === 'review' && d.change === 'added'));
  assert.ok(before.upgrade!.diff.some((d) => d.section === 'states' && d.key === 'inspection' && d.change === 'removed'));
  assert.equal((await catalog().adoptions(babolAdmin, 'babol')).items.find((i) => i.code === 'test-permit')!.adoptedVersion, 2);

  const upgraded = await catalog().upgrade(babolAdmin, 'babol', 'test-permit');
  assert.equal(upgraded.adopted!.version, 3);
  assert.equal(upgraded.upgrade, null);
  assert.deepEqual(upgraded.dropped, ['sla.inspection']);
  assert.deepEqual(upgraded.adopted!.overrides.fee_params, { permit_levy: { rate_per_m2: 380000 } }, 'overrides that still apply are kept');
  assert.deepEqual(upgraded.adopted!.overrides.sla, {});
  const app = await t.deps.db.selectFrom('applications').select('version_id').where('id', '=', appId).executeTakeFirstOrThrow();
  assert.equal(app.version_id, orgService.version_id, 'the application keeps the version it was filed under');
  assert.notEqual((await t.deps.db.selectFrom('org_services').select('version_id').where('id', '=', orgService.id).executeTakeFirstOrThrow()).version_id, orgService.version_id);
  await rejects(catalog().upgrade(babolAdmin, 'babol', 'test-permit'), 409, 'catalog.up_to_date');
  assert.ok((await auditActions()).includes('catalog.service_upgraded'));
  // Sari still has version 2 and sees the change.
  assert.equal((await catalog().adoption(sariAdmin, 'sari', 'test-permit')).upgrade!.to, 3);
});

test('search ignores Arabic/Persian letters, ZWNJ and spaces, and digit variants', async () => {
  await catalog().adopt(sariAdmin, 'sari', 'test-waste', {});
  const codes = async (q: string, org?: string) => (await catalog().catalog({ q, org })).items.map((i) => i.code);
  for (const q of ['پروانه ساختماني', 'پروانه‌ساختمانی', 'پروانه ساختمانی', 'پروانهساختمانی', 'ساختمانی  پروانه', 'شهرداري', 'ماده 100', 'ماده ۱۰۰', 'ماده ١٠٠', 'جواز', 'BUILDING permit']) {
    assert.deepEqual(await codes(q), ['test-permit'], q);
  }
  assert.deepEqual(await codes('پسماند'), ['test-waste']);
  assert.deepEqual(await codes('پروانه پسماند'), [], 'every word must match');
  assert.deepEqual(await codes('پسمان_'), ['test-waste'], 'punctuation (LIKE wildcards included) is not searched for');
  assert.ok(!/[%_\\]/.test(JSON.stringify(searchTerms('50%_of\\f'))), 'no LIKE wildcard reaches the query');
  assert.deepEqual((await catalog().catalog({})).items.map((i) => [i.code, i.offeredBy]), [['test-waste', 1], ['test-permit', 2]]);
  assert.deepEqual((await catalog().catalog({ category: 'environment' })).items.map((i) => i.code), ['test-waste']);
  assert.deepEqual(await codes('', 'babol'), ['test-permit'], 'Babol offers only the permit');
  assert.deepEqual(searchTerms('  ‌ '), undefined);
  await rejects(catalog().catalog({ org: 'atlantis' }), 404);
});

test('the service sheet orders steps as an application meets them and counts only the office\'s time', () => {
  const r = parseDefinition(PERMIT);
  assert.ok(r.ok);
  const sheet = buildSheet(r.definition, { version: 1, status: 'published' }, null, 5);
  assert.deepEqual(sheet.steps.map((s) => [s.key, s.hours, s.usual]), [['submitted', 14, true], ['inspection', 35, true], ['payment', 70, true]]);
  assert.equal(sheet.deadlineHours, 49);
  assert.deepEqual(sheet.online, { officeVisits: 0, days: 10 });
  assert.deepEqual(sheet.fees.map((f) => [f.key, f.fields, f.fixed]), [['permit_levy', ['area_m2'], null], ['file_fee', [], 500000]]);
  assert.deepEqual(sheet.outcomes.map((o) => o.outcome), ['refused', 'granted']);
});

test('the demo seed publishes every shipped definition and every municipality adopts it, once and quickly', async () => {
  const s = await makeTestApp();
  try {
    const province = await makeOrg(s, 'mazandaran', 'province');
    for (const code of ['sari', 'babol', 'amol', 'neka']) await makeOrg(s, code, 'municipality', province);
    const ict = await makeOrg(s, 'sari-ict', 'ict');
    await s.deps.db.updateTable('orgs').set({ is_reference: 1 }).where('id', '=', ict).execute();
    const shipped = shippedDefinitions();
    assert.ok(shipped.length >= 10, 'at least ten reference services ship');
    const started = Date.now();
    const r = await seedCatalog(s.deps.db, s.clock.now());
    const ms = Date.now() - started;
    assert.deepEqual(r, { seeded: true, services: shipped.length, adoptions: shipped.length * 4 });
    assert.ok(ms < 5000, `seeding took ${ms} ms`);
    const versions = await s.deps.db.selectFrom('service_template_versions').select(['version', 'status', 'published_at']).execute();
    assert.ok(versions.every((v) => Number(v.version) === 1 && v.status === 'published' && v.published_at !== null));
    const list = await s.deps.services.catalog.catalog({ perPage: 100 });
    assert.equal(list.total, shipped.length);
    assert.ok(list.items.every((i) => i.offeredBy === 4));
    const permit = shipped.find((d) => d.definition.code === 'building-permit');
    if (permit) {
      const babol = await s.deps.services.catalog.orgServiceSheet('babol', 'building-permit');
      const sari = await s.deps.services.catalog.orgServiceSheet('sari', 'building-permit');
      assert.ok(babol.sheet.fees.some((f) => f.params.some((p) => p.own)), 'Babol has its own rates');
      assert.ok(sari.sheet.fees.every((f) => f.params.every((p) => !p.own)), 'Sari uses the reference rates');
      assert.ok(babol.office.address, 'Babol has an office address');
      assert.equal((await s.deps.services.catalog.catalog({ q: 'پروانه ساختماني' })).items[0]?.code, 'building-permit');
    }
    assert.deepEqual(await seedCatalog(s.deps.db, s.clock.now()), { seeded: false, services: 0, adoptions: 0 }, 'a second seed does nothing');
    assert.equal((await s.deps.db.selectFrom('org_services').select('id').execute()).length, shipped.length * 4);
    assert.equal((await verifyAudit(s.deps.db)).ok, true);
  } finally {
    await s.close();
  }
});

test('the operator imports and exports definitions with the pishkhan command', async () => {
  const db = t.deps.config.database;
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.kind === 'postgres' ? db.url : `sqlite:${db.file}` };
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: fileURLToPath(new URL('../../..', import.meta.url)), env, encoding: 'utf8', timeout: 120_000 });
  const dir = mkdtempSync(join(tmpdir(), 'pishkhan-cli-'));
  try {
    const exported = cli('catalog', 'export', 'test-permit', '--version', '1');
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, /^code: test-permit$/m);
    const file = join(dir, 'permit.yaml');
    writeFileSync(file, exported.stdout.replace('maturity: 4', 'maturity: 5'));
    const imported = cli('catalog', 'import', file, '--publish');
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stdout, /test-permit: version 4 published/);
    const json = cli('catalog', 'export', 'test-permit', '--format', 'json');
    assert.equal(JSON.parse(json.stdout).maturity, 5);
    writeFileSync(file, exported.stdout.replace('sla: 2d', 'sla: soon'));
    const bad = cli('catalog', 'import', file);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /workflow\.states\.submitted\.sla: a duration like 2d or 6h/);
    assert.match(bad.stderr, /The service definition is not valid/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
