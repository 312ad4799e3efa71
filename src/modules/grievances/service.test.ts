// The rules of city problem reports without HTTP: routing a point to a municipality, the
// tracking code's form, and the update, audit entry and SMS each state change writes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainOutbox, makeStaff, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { makeCitizen } from '../applications/test-factories.js';
import type { Actor } from '../../platform/core/index.js';
import { AppError } from '../../platform/http/errors.js';
import { distanceMeters, municipalityAtPoint } from './areas.js';
import { formatReportTrackingCode } from './service.js';
import { makeMunicipalities, north, PLACES } from './test-factories.js';

let t: TestApp;
let org: Record<string, string>;
let citizen: Actor;
let babolClerk: Actor;

before(async () => {
  t = await makeTestApp();
  org = await makeMunicipalities(t, ['babol', 'sari']);
  citizen = { kind: 'citizen', id: await makeCitizen(t.deps.db, '09351112233') };
  const staff = await makeStaff(t, 'babol.clerk', [{ orgId: org.babol!, role: 'clerk' }]);
  babolClerk = { kind: 'staff', id: staff.id, memberships: [{ orgId: org.babol!, orgCode: 'babol', role: 'clerk' }] } as Actor;
});
after(async () => { await t.close(); });

test('a point goes to the municipality whose area contains it; outside every area to none', async () => {
  const at = (p: { lat: number; lng: number }) => municipalityAtPoint(t.deps.db, p.lat, p.lng);
  assert.equal(await at(PLACES.babol), 'babol');
  assert.equal(await at(PLACES.sari), 'sari');
  assert.equal(await at(north(PLACES.sari, 3000)), 'sari');
  assert.equal(await at(PLACES.tehran), null);
});

test('haversine distance is right to a metre over short distances', () => {
  const d = distanceMeters(PLACES.babol, north(PLACES.babol, 250));
  assert.ok(Math.abs(d - 250) < 1, String(d));
});

test('tracking codes read ORG-137-YEAR-NNNNNN and count per municipality', async () => {
  assert.equal(formatReportTrackingCode('babol', 1405, 12), 'BABOL-137-1405-000012');
  const a = await t.deps.services.grievances.file(citizen, { category: 'pothole', description: 'چاله بزرگ جلوی مدرسه', ...PLACES.babol });
  const b = await t.deps.services.grievances.file(citizen, { category: 'pothole', description: 'چاله دیگر در خیابان', ...north(PLACES.babol, 1000) });
  const c = await t.deps.services.grievances.file(citizen, { category: 'garbage', description: 'زباله جمع نشده است', ...PLACES.sari });
  assert.match(a.tracking_code, /^BABOL-137-14\d\d-\d{6}$/);
  assert.equal(Number(b.tracking_code.slice(-6)), Number(a.tracking_code.slice(-6)) + 1);
  assert.match(c.tracking_code, /^SARI-137-14\d\d-000001$/);
  assert.ok(a.due_at > t.clock.now());
});

test('a state change writes the state, one update, one audit entry, and an SMS on resolved', async () => {
  const svc = t.deps.services.grievances;
  const r = await svc.file(citizen, { category: 'street-light', description: 'چراغ خاموش است', ...PLACES.babol });
  const { id } = (await svc.staffList(babolClerk, { org: 'babol' })).find((x) => x.tracking_code === r.tracking_code)!;
  await drainOutbox(t);
  t.sms.sent.length = 0;
  await svc.changeState(babolClerk, id, { state: 'in_progress', comment: 'بررسی می‌شود' });
  const done = await svc.changeState(babolClerk, id, { state: 'resolved', comment: 'تعویض شد' });
  assert.equal(done.state, 'resolved');
  assert.ok(done.resolved_at);
  const updates = await t.deps.db.selectFrom('report_updates').select(['state', 'due_at']).where('report_id', '=', id).orderBy('created_at').execute();
  assert.deepEqual(updates.map((u) => u.state).sort(), ['in_progress', 'received', 'resolved']);
  // The deadline in force is recorded with the resolution (the transparency rollups judge by it).
  assert.equal(Number(updates.find((u) => u.state === 'resolved')!.due_at), r.due_at);
  const audit = await t.deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).execute();
  assert.deepEqual(audit.map((a) => a.action).sort(), ['report.filed', 'report.state_changed', 'report.state_changed']);
  await drainOutbox(t);
  assert.equal(t.sms.sent.length, 1);
  const sms = t.sms.sent[0]!;
  assert.ok('text' in sms && sms.text.includes(r.tracking_code));
  await assert.rejects(svc.changeState(babolClerk, id, { state: 'in_progress' }), (e: AppError) => e.status === 409);
});
