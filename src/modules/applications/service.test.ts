// Citizen applications on a real database (SQLite, or PostgreSQL with TEST_DB=postgres): drafts
// that lose nothing, documents typed by content, fees, one submission per click with its
// tracking code and SMS, the workflow transition with its rules, and the public reads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeOrg, makeStaff, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { AppError } from '../../platform/http/errors.js';
import type { Actor, Role } from '../../platform/core/index.js';
import { adoptDefinition, buildingPermitAnswers, makeCitizen, samplePdf, samplePng, shippedDefinition } from './test-factories.js';
import * as q from './queries.js';
import { ApplicationFormError, STAFF_ATTACHMENT_KEY, groupResultCode, normalizeResultCode, normalizeTrackingCode, type ApplicationsService } from './service.js';

let t: TestApp;
let dataDir: string;
let sari: string;
let babol: string;
let owner: Actor;
let other: Actor;
const staff: Record<string, Actor> = {};
const DOCS = ['deed', 'national_card', 'architectural_plans', 'structural_plans', 'supervision_contract'];

async function staffActor(username: string, orgId: string, orgCode: string, roles: Role[]): Promise<Actor> {
  const { id } = await makeStaff(t, username, roles.map((role) => ({ orgId, role })));
  return { kind: 'staff', id, memberships: roles.map((role) => ({ orgId, orgCode, role })) };
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pishkhan-apps-'));
  t = await makeTestApp({ DATA_DIR: dataDir, PUBLIC_URL: 'https://pishkhan.example.ir' });
  sari = await makeOrg(t, 'sari');
  babol = await makeOrg(t, 'babol');
  const def = shippedDefinition('building-permit');
  await adoptDefinition(t.deps.db, { orgId: sari, definition: def });
  await adoptDefinition(t.deps.db, { orgId: babol, definition: def });
  owner = { kind: 'citizen', id: await makeCitizen(t.deps.db, '09121110001', { email: 'maryam@example.ir' }) };
  other = { kind: 'citizen', id: await makeCitizen(t.deps.db, '09121110002') };
  staff.clerk = await staffActor('sari.clerk', sari, 'sari', ['clerk']);
  staff.inspector = await staffActor('sari.inspector', sari, 'sari', ['inspector']);
  staff.manager = await staffActor('sari.manager', sari, 'sari', ['manager']);
  staff.babolClerk = await staffActor('babol.clerk', babol, 'babol', ['clerk']);
});
after(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const apps = (): ApplicationsService => t.deps.services.applications;

async function rejects(p: Promise<unknown>, status: number, code?: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.status, status, `status of ${err.code}`);
    if (code) assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected a ${status} error`);
}

/** A complete building-permit draft of the citizen in org, with every required document. */
async function completeDraft(who: Actor = owner, org = 'sari') {
  const draft = await apps().startDraft(who, org, 'building-permit', 'web');
  const saved = await apps().saveDraft(who, draft.id, buildingPermitAnswers(), { mode: 'replace', complete: true });
  assert.deepEqual(saved.errors, {});
  for (const key of DOCS) await apps().uploadDocument(who, draft.id, key, { filename: `${key}.pdf`, content: samplePdf() });
  return draft;
}

let submitSeq = 0;
const submitKey = () => `test-submit-key-${++submitSeq}`;

test('a draft keeps every valid value and reports each invalid one by its field, with what was typed', async () => {
  const draft = await apps().startDraft(owner, 'sari', 'building-permit', 'web');
  assert.equal(draft.phase, 'draft');
  assert.equal(draft.trackingCode, null);
  assert.equal(draft.channel, 'web');
  const r = await apps().saveDraft(owner, draft.id, buildingPermitAnswers({ floors: '۴۰', owner_national_code: '1234567890', land_area_m2: 'دویست' }), { mode: 'replace' });
  assert.deepEqual(Object.keys(r.errors).sort(), ['floors', 'land_area_m2', 'owner_national_code']);
  assert.equal(r.errors.floors!.key, 'field.max');
  assert.deepEqual(r.errors.floors!.params, { max: 30 });
  assert.equal(r.input.floors, '۴۰', 'what was typed comes back for the form');
  assert.equal(r.input.land_area_m2, 'دویست');
  assert.equal(r.application.values.building_area_m2, 480, 'valid values are normalized and stored');
  assert.equal(r.application.values.owner_mobile, '09121234567');
  assert.equal(r.application.values.floors, null, 'an invalid value is not stored');
  // Correcting one field keeps the others.
  const again = await apps().saveDraft(owner, draft.id, { floors: '5' });
  assert.equal(again.application.values.floors, 5);
  assert.equal(again.application.values.building_area_m2, 480);
  // Strict mode (the API) refuses and stores nothing.
  const err = await rejects(apps().saveDraft(owner, draft.id, { floors: 'x', units: '3' }, { strict: true }), 400);
  assert.ok(err instanceof ApplicationFormError);
  assert.deepEqual(Object.keys(err.problems), ['floors']);
  assert.equal((await apps().get(owner, draft.id)).values.units, 4);
});

test('documents are typed by their content, within their size limit, and stored under a random key', async () => {
  const draft = await apps().startDraft(owner, 'sari', 'building-permit', 'web');
  const pdf = await apps().uploadDocument(owner, draft.id, 'architectural_plans', { filename: '../../etc/نقشه.pdf', content: samplePdf() });
  assert.equal(pdf.mime, 'application/pdf');
  assert.equal(pdf.filename, 'نقشه.pdf', 'no directories in the stored name');
  assert.match(pdf.sha256, /^[0-9a-f]{64}$/);
  const row = await t.deps.db.selectFrom('documents').selectAll().where('id', '=', pdf.id).executeTakeFirstOrThrow();
  assert.match(row.storage_key, /^[0-9a-f]{2}\/[0-9a-f]{64}$/);
  assert.ok(!row.storage_key.includes('نقشه'));

  // A PNG named .pdf for a PDF-only document, and a text file: refused by their content.
  const png = await rejects(apps().uploadDocument(owner, draft.id, 'architectural_plans', { filename: 'plans.pdf', content: samplePng() }), 400);
  assert.equal((png as ApplicationFormError).problems.architectural_plans!.key, 'application.document_type');
  const text = await rejects(apps().uploadDocument(owner, draft.id, 'deed', { filename: 'deed.pdf', content: Buffer.from('%PD not really a pdf, just text') }), 400);
  assert.equal((text as ApplicationFormError).problems.deed!.key, 'application.document_type');
  // A PNG is fine where images are accepted; a stream works like a buffer.
  const image = await apps().uploadDocument(owner, draft.id, 'national_card', { filename: 'card.png', content: Readable.from([samplePng()]) });
  assert.equal(image.mime, 'image/png');
  // national_card allows 5 MB.
  const big = Buffer.concat([samplePng(), Buffer.alloc(5 * 1024 * 1024)]);
  const tooBig = await rejects(apps().uploadDocument(owner, draft.id, 'national_card', { filename: 'big.png', content: Readable.from([big]) }), 400);
  assert.equal((tooBig as ApplicationFormError).problems.national_card!.key, 'application.document_too_large');
  await rejects(apps().uploadDocument(owner, draft.id, 'no_such_doc', { filename: 'x.pdf', content: samplePdf() }), 400);
  // Nothing of the refused files is left on disk: two stored files, no temporary ones.
  const stored = readdirSync(join(dataDir, 'files'), { recursive: true }).map(String).filter((f) => /[0-9a-f]{64}/.test(f));
  const docs = await t.deps.db.selectFrom('documents').select('storage_key').execute();
  assert.equal(stored.filter((f) => !f.startsWith('tmp')).length, docs.length);
  assert.equal(stored.filter((f) => f.startsWith('tmp')).length, 0);

  // Someone else's application: as if it did not exist.
  await rejects(apps().uploadDocument(other, draft.id, 'deed', { filename: 'x.pdf', content: samplePdf() }), 404);
  await rejects(apps().uploadDocument(staff.babolClerk!, draft.id, 'deed', { filename: 'x.pdf', content: samplePdf() }), 404);

  await apps().removeDocument(owner, draft.id, image.id);
  assert.deepEqual((await apps().get(owner, draft.id)).documents.map((d) => d.id), [pdf.id]);
  await rejects(apps().removeDocument(other, draft.id, pdf.id), 404);
});

test('the fee preview follows the answers and the municipality\'s tariff', async () => {
  const draft = await apps().startDraft(owner, 'sari', 'building-permit', 'web');
  await apps().saveDraft(owner, draft.id, buildingPermitAnswers(), { mode: 'replace' });
  const fees = await apps().feePreview(owner, draft.id);
  const byKey = Object.fromEntries(fees.items.map((i) => [i.key, i.amount]));
  assert.equal(byKey.file_fee, 3_500_000);
  assert.equal(byKey.permit_levy, 480 * 2_400_000);
  assert.equal(byKey.fire_levy, 480 * 90_000);
  assert.ok(!('parking_shortfall' in byKey), 'enough parking: no shortfall levy');
  assert.equal(fees.total, fees.items.reduce((s, i) => s + i.amount, 0));
  await rejects(apps().feePreview(other, draft.id), 404);
});

test('submitting checks every field and document, and a repeated submit makes no second application', async () => {
  const draft = await apps().startDraft(owner, 'sari', 'building-permit', 'web');
  await apps().saveDraft(owner, draft.id, buildingPermitAnswers({ address: '' }), { mode: 'replace' });
  const err = await rejects(apps().submit(owner, draft.id, submitKey()), 400, 'application.incomplete');
  const problems = (err as ApplicationFormError).problems;
  assert.equal(problems.address!.key, 'field.required');
  for (const key of DOCS) assert.equal(problems[key]!.key, 'application.document_required', key);
  assert.ok(!problems.soil_test, 'an optional document is not asked for');

  const full = await completeDraft();
  const key = submitKey();
  const [a, b] = await Promise.all([apps().submit(owner, full.id, key), apps().submit(owner, full.id, key)]);
  assert.equal(a.id, b.id);
  assert.match(a.trackingCode!, /^SARI-1405-\d{6}$/);
  assert.equal(a.trackingCode, b.trackingCode);
  assert.equal(a.phase, 'open');
  assert.equal(a.state.key, 'submitted');
  assert.ok(a.dueAt && a.dueAt > t.clock.now(), 'the first state has its deadline');
  const again = await apps().submit(owner, full.id, submitKey());
  assert.equal(again.trackingCode, a.trackingCode, 'a second submit of a submitted application returns it unchanged');
  const events = await t.deps.db.selectFrom('application_events').selectAll().where('application_id', '=', a.id).execute();
  assert.deepEqual(events.map((e) => e.type), ['submitted']);
  const sms = await t.deps.db.selectFrom('outbox').selectAll().where('topic', '=', 'sms.send').execute();
  const mine = sms.filter((m) => JSON.parse(m.payload).text.includes(a.trackingCode!));
  assert.equal(mine.length, 1, 'one SMS');
  const payload = JSON.parse(mine[0]!.payload);
  assert.equal(payload.to, '09121110001');
  assert.match(payload.text, /صدور پروانه ساختمانی/);
  assert.match(payload.text, new RegExp(`https://pishkhan.example.ir/track/${a.trackingCode}`));
  const emails = await t.deps.db.selectFrom('outbox').selectAll().where('topic', '=', 'email.send').execute();
  assert.equal(emails.filter((m) => JSON.parse(m.payload).text.includes(a.trackingCode!)).length, 1, 'the citizen has an email: one email too');
  const audit = await t.deps.db.selectFrom('audit_log').selectAll().where('entity_id', '=', a.id).where('action', '=', 'application.submitted').execute();
  assert.equal(audit.length, 1);
  await rejects(apps().submit(owner, full.id, 'bad key!'), 400);
  // A submitted application's form and documents are closed.
  await rejects(apps().saveDraft(owner, full.id, { floors: '6' }), 409, 'application.not_editable');
  await rejects(apps().uploadDocument(owner, full.id, 'soil_test', { filename: 's.pdf', content: samplePdf() }), 409);
});

test('twenty applications submitted at once in one municipality get twenty consecutive tracking codes', async () => {
  const drafts = [];
  for (let i = 0; i < 20; i++) {
    const citizen: Actor = { kind: 'citizen', id: await makeCitizen(t.deps.db, `0913000${String(i).padStart(4, '0')}`) };
    drafts.push({ citizen, draft: await completeDraft(citizen, 'babol') });
  }
  const submitted = await Promise.all(drafts.map(({ citizen, draft }) => apps().submit(citizen, draft.id, submitKey())));
  const numbers = submitted.map((a) => Number(/^BABOL-1405-(\d{6})$/.exec(a.trackingCode!)![1])).sort((x, y) => x - y);
  assert.equal(new Set(numbers).size, 20);
  assert.deepEqual(numbers, Array.from({ length: 20 }, (_, i) => numbers[0]! + i));
});

test('the workflow: clerk accepts, inspector approves, payment confirmed; the outcome closes it with a letter code', async () => {
  const app = await apps().submit(owner, (await completeDraft()).id, submitKey());
  // Roles decide: an inspector cannot accept at the document check, another municipality cannot see it.
  await rejects(apps().act(staff.inspector!, app.id, { action: 'accept' }), 403, 'application.action_forbidden');
  await rejects(apps().act(staff.babolClerk!, app.id, { action: 'accept' }), 404);
  await rejects(apps().act(other, app.id, { action: 'resubmit' }), 404);
  await rejects(apps().act(owner, app.id, { action: 'accept' }), 403, 'application.action_forbidden');
  await rejects(apps().act(staff.clerk!, app.id, { action: 'approve' }), 409, 'application.action_unavailable');
  await rejects(apps().act(staff.clerk!, app.id, { action: 'fly' }), 400, 'common.invalid_input');
  await rejects(apps().act({ kind: 'anonymous', id: null }, app.id, { action: 'accept' }), 401);

  const viewed = await apps().getForStaff(staff.clerk!, app.id);
  assert.deepEqual(viewed.actions.map((a) => a.name).sort(), ['accept', 'reject', 'return']);
  assert.equal(viewed.citizen?.mobile, '09121110001');

  const accepted = await apps().act(staff.clerk!, app.id, { action: 'accept', comment: 'مالک سابقه تخلف دارد؛ بازدید دقیق لازم است.', internal: true });
  assert.equal(accepted.state.key, 'inspection');
  await apps().addNote(staff.inspector!, app.id, 'بازدید برای سه‌شنبه هماهنگ شد.');
  const approved = await apps().act(staff.inspector!, app.id, { action: 'approve' });
  assert.equal(approved.state.key, 'payment');
  assert.equal(approved.dueAt, null, 'waiting for the citizen: no office deadline');
  // Each action event records the deadline of the state it left (the transparency rollups' "within deadline").
  const leftDue = (await t.deps.db.selectFrom('application_events').select(['action', 'data']).where('application_id', '=', app.id).where('type', '=', 'action').orderBy('created_at').execute())
    .map((e) => [e.action, JSON.parse(e.data).from_due_at]);
  assert.deepEqual(leftDue, [['accept', app.dueAt], ['approve', accepted.dueAt]]);
  assert.ok(approved.citizenDueAt, 'the citizen has a deadline to pay');
  const missing = await rejects(apps().act(staff.clerk!, app.id, { action: 'confirm_payment', comment: '  ' }), 400);
  assert.equal((missing as ApplicationFormError).problems.comment!.key, 'common.required');
  await rejects(apps().rate(owner, app.id, 5), 409, 'application.not_rateable');
  const done = await apps().act(staff.clerk!, app.id, { action: 'confirm_payment', comment: 'فیش بانکی ۱۲۳۴۵ تأیید شد.' });
  assert.equal(done.phase, 'closed');
  assert.equal(done.outcome, 'granted');
  assert.ok(done.resultCode && normalizeResultCode(groupResultCode(done.resultCode)) === done.resultCode);
  await rejects(apps().act(staff.manager!, app.id, { action: 'withdraw' }), 409, 'application.not_open');

  // The owner sees the history without the internal note; staff see everything.
  const mine = await apps().getForCitizen(owner, app.id);
  assert.deepEqual(mine.history.map((e) => e.type), ['submitted', 'action', 'action', 'action']);
  assert.ok(mine.history.every((e) => e.actorName === null), 'staff names are not shown to citizens');
  assert.equal(mine.history[1]!.action, 'accept', 'an action with an internal comment is still a step the citizen sees');
  assert.equal(mine.history[1]!.comment, null, '...without its comment');
  assert.ok(!JSON.stringify(mine).includes('سابقه تخلف'));
  const theirs = await apps().getForStaff(staff.manager!, app.id);
  assert.deepEqual(theirs.history.map((e) => e.type), ['submitted', 'action', 'note', 'action', 'action']);
  assert.equal(theirs.history[2]!.internal, true);
  assert.equal(theirs.history[1]!.actorName, 'sari.clerk');
  const audit = await t.deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', app.id).where('action', '=', 'application.action').execute();
  assert.equal(audit.length, 3);
  // SMS for the steps that concern the citizen (approve is to_citizen, the final outcome).
  const texts = (await t.deps.db.selectFrom('outbox').select('payload').where('topic', '=', 'sms.send').execute()).map((r) => JSON.parse(r.payload).text as string).filter((x) => x.includes(app.trackingCode!));
  assert.equal(texts.length, 3);
  assert.match(texts[2]!, /انجام شد/);

  // Rating: once, by the owner.
  await rejects(apps().rate(owner, app.id, 6), 400);
  await rejects(apps().rate(other, app.id, 5), 404);
  const rated = await apps().rate(owner, app.id, 4, 'سریع بود');
  assert.equal(rated.rating, 4);
  await rejects(apps().rate(owner, app.id, 5), 409, 'application.already_rated');

  // Letter and its public verification.
  const letter = await apps().letter(owner, app.id);
  assert.equal(letter.holder, 'مریم رضایی');
  const check = await apps().verifyResult(groupResultCode(done.resultCode!).toLowerCase());
  assert.equal(check.trackingCode, app.trackingCode);
  assert.equal(check.outcome, 'granted');
  assert.equal(check.holder, 'م. رضایی');
  await rejects(apps().verifyResult('AAAA-BBBB-CCCC'), 404);
  await rejects(apps().letter(other, app.id), 404);
});

test('returned for correction: the citizen fixes it and resubmits; the deadline starts again', async () => {
  const app = await apps().submit(owner, (await completeDraft()).id, submitKey());
  const noComment = await rejects(apps().act(staff.clerk!, app.id, { action: 'return' }), 400);
  assert.equal((noComment as ApplicationFormError).problems.comment!.key, 'common.required');
  await rejects(apps().act(staff.clerk!, app.id, { action: 'return', comment: 'سند ناخواناست', internal: true }), 400);
  const returned = await apps().act(staff.clerk!, app.id, { action: 'return', comment: 'تصویر سند ناخواناست؛ دوباره بارگذاری کنید.' });
  assert.equal(returned.state.key, 'correction');
  assert.equal(returned.state.waitsFor, 'citizen');
  const seen = await apps().getForCitizen(owner, app.id);
  assert.equal(seen.editable, true);
  assert.deepEqual(seen.actions.map((a) => a.name).sort(), ['resubmit', 'withdraw']);
  assert.equal(seen.history.at(-1)!.comment, 'تصویر سند ناخواناست؛ دوباره بارگذاری کنید.');
  // The clerk may not edit the citizen's answers; the citizen may.
  await rejects(apps().saveDraft(staff.clerk!, app.id, { floors: '3' }), 403);
  const fixed = await apps().saveDraft(owner, app.id, { floors: '3' });
  assert.deepEqual(fixed.errors, {});
  const deed = seen.documents.find((d) => d.docKey === 'deed')!;
  await apps().removeDocument(owner, app.id, deed.id);
  const incomplete = await rejects(apps().act(owner, app.id, { action: 'resubmit' }), 400, 'application.incomplete');
  assert.deepEqual(Object.keys((incomplete as ApplicationFormError).problems), ['deed']);
  await apps().uploadDocument(owner, app.id, 'deed', { filename: 'deed-2.pdf', content: samplePdf() });
  t.clock.advance(3600_000);
  const back = await apps().act(owner, app.id, { action: 'resubmit', comment: 'سند دوباره بارگذاری شد.' });
  assert.equal(back.state.key, 'submitted');
  assert.equal(back.editable, false);
  assert.ok(back.dueAt! >= returned.stateEnteredAt, 'a new deadline from the resubmission');
  assert.equal(back.values.floors, 3);
  assert.ok(!back.fees.items.some((i) => i.key === 'density_levy'), 'fees follow the corrected answers');
});

test('two staff acting at once: one wins, the other is told the application changed', async () => {
  const app = await apps().submit(owner, (await completeDraft()).id, submitKey());
  const results = await Promise.allSettled([
    apps().act(staff.clerk!, app.id, { action: 'accept' }),
    apps().act(staff.manager!, app.id, { action: 'accept' }),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.ok(lost.reason instanceof AppError && lost.reason.status === 409, String(lost.reason));
  const events = await t.deps.db.selectFrom('application_events').select('type').where('application_id', '=', app.id).execute();
  assert.equal(events.length, 2, 'one submitted event and one action');
  // A transition from a state read before someone else moved the application changes nothing.
  const row = await t.deps.db.selectFrom('applications').selectAll().where('id', '=', app.id).executeTakeFirstOrThrow();
  const handle = (await q.applicationForSystem(t.deps.db, app.id))!.handle;
  assert.equal(await q.transition(t.deps.db, handle, { state: 'submitted', stateEnteredAt: Number(row.state_entered_at) }, { state: 'rejected' }), false);
  assert.equal(await q.transition(t.deps.db, handle, { state: row.state, stateEnteredAt: Number(row.state_entered_at) - 1 }, { state: 'rejected' }), false);
  assert.equal((await apps().get(owner, app.id)).state.key, 'inspection');
});

test('staff attachments: required by an action, shown to the citizen only once attached to a visible action', async () => {
  const app = await apps().submit(owner, (await completeDraft()).id, submitKey());
  const att = await apps().uploadDocument(staff.clerk!, app.id, STAFF_ATTACHMENT_KEY, { filename: 'report.pdf', content: samplePdf() });
  assert.equal(att.uploadedBy, 'staff');
  assert.ok(!(await apps().getForCitizen(owner, app.id)).documents.some((d) => d.id === att.id));
  await rejects(apps().openDocument(owner, app.id, att.id), 404);
  await rejects(apps().act(staff.clerk!, app.id, { action: 'accept', documentIds: ['nope'] }), 400);
  await apps().act(staff.clerk!, app.id, { action: 'accept', documentIds: [att.id] });
  assert.ok((await apps().getForCitizen(owner, app.id)).documents.some((d) => d.id === att.id));
  const file = await apps().openDocument(owner, app.id, att.id);
  assert.equal(file.mime, 'application/pdf');
  file.stream.destroy();
  await rejects(apps().openDocument(staff.babolClerk!, app.id, att.id), 404);
});

test('public tracking shows the status and nothing personal', async () => {
  const app = await apps().submit(owner, (await completeDraft()).id, submitKey());
  const status = await apps().trackPublic(` ${app.trackingCode!.toLowerCase().replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!)} `);
  assert.equal(status.trackingCode, app.trackingCode);
  assert.equal(status.state.title.fa, 'بررسی اولیه مدارک');
  assert.equal(status.service.title.fa, 'صدور پروانه ساختمانی');
  const text = JSON.stringify(status);
  for (const secret of ['09121110001', 'مریم', 'رضایی', 'فرهنگ', '480', owner.id!]) assert.ok(!text.includes(secret), `no ${secret} in the public status`);
  await rejects(apps().trackPublic('SARI-1405-999999'), 404);
  await rejects(apps().trackPublic('nonsense'), 404);
  assert.equal(normalizeTrackingCode('sari-۱۴۰۵-۰۰۰۰۱۲'), 'SARI-1405-000012');
  // A draft has no tracking code and is never public.
  const draft = await apps().startDraft(owner, 'sari', 'building-permit', 'web');
  assert.equal((await apps().get(owner, draft.id)).trackingCode, null);
});

test('the counter channel: a clerk files for a walk-in citizen, who then sees it as theirs', async () => {
  await rejects(apps().startDraft(staff.inspector!, 'sari', 'building-permit', 'counter', { mobile: '09351112233' }), 404);
  await rejects(apps().startDraft(staff.babolClerk!, 'sari', 'building-permit', 'counter', { mobile: '09351112233' }), 404);
  await rejects(apps().startDraft(owner, 'sari', 'building-permit', 'counter'), 403);
  await rejects(apps().startDraft(staff.clerk!, 'sari', 'building-permit', 'counter', { mobile: '123' }), 400);
  const draft = await apps().startDraft(staff.clerk!, 'sari', 'building-permit', 'counter', { mobile: '۰۹۳۵ ۱۱۱ ۲۲۳۳' });
  assert.equal(draft.channel, 'counter');
  assert.equal(draft.citizen?.mobile, '09351112233');
  await apps().saveDraft(staff.clerk!, draft.id, buildingPermitAnswers(), { mode: 'replace' });
  for (const key of DOCS) await apps().uploadDocument(staff.clerk!, draft.id, key, { filename: `${key}.pdf`, content: samplePdf() });
  const filed = await apps().submit(staff.clerk!, draft.id, submitKey());
  assert.match(filed.trackingCode!, /^SARI-1405-/);
  const found = await apps().findOrCreateCitizenByMobile(staff.clerk!, 'sari', '09351112233');
  assert.equal(found.isNew, false);
  const walkIn: Actor = { kind: 'citizen', id: found.id };
  const list = await apps().listForCitizen(walkIn);
  assert.deepEqual(list.map((a) => [a.trackingCode, a.channel]), [[filed.trackingCode, 'counter']]);
  const sms = (await t.deps.db.selectFrom('outbox').select('payload').where('topic', '=', 'sms.send').execute()).map((r) => JSON.parse(r.payload));
  assert.ok(sms.some((m) => m.to === '09351112233' && m.text.includes(filed.trackingCode!)));
  // A web application cannot be edited by a clerk.
  const web = await apps().startDraft(owner, 'sari', 'building-permit', 'web');
  await rejects(apps().saveDraft(staff.clerk!, web.id, { floors: '2' }), 403);
});

test('a disabled adoption or an unknown service cannot be applied for', async () => {
  const amol = await makeOrg(t, 'amol');
  await adoptDefinition(t.deps.db, { orgId: amol, definition: shippedDefinition('building-permit'), enabled: false });
  await rejects(apps().startDraft(owner, 'amol', 'building-permit', 'web'), 404);
  await rejects(apps().startDraft(owner, 'sari', 'no-such-service', 'web'), 404);
  await rejects(apps().startDraft(owner, 'nowhere', 'building-permit', 'web'), 404);
  await rejects(apps().startDraft(staff.clerk!, 'sari', 'building-permit', 'web'), 403);
});
