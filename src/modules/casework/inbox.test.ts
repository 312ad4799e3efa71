// The inbox on a real database: tenant isolation, which states each role sees, the filters and
// sorting, and deadline statuses in business time as the clock crosses a weekend and a holiday.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeStaff, makeTestApp, type TestApp } from '../../../test/helpers.js';
import type { Actor, Role } from '../../platform/core/index.js';
import { makeCitizen } from '../applications/test-factories.js';
import type { ServiceDefinition } from '../catalog/definition.js';
import { adoptFor, caseDefinition, makeCase, staffActor, tehran } from './test-fixtures.js';
import type { CaseworkService, InboxInput } from './service.js';

let t: TestApp;
let casework: CaseworkService;
let def: ServiceDefinition;
const org: Record<string, string> = {};
const actors: Record<string, Actor> = {};
const ids: Record<string, string> = {};
let sariService: { versionId: string; orgServiceId: string };
let babolService: { versionId: string; orgServiceId: string };
let citizenId: string;

async function staff(username: string, orgCode: string, role: Role): Promise<Actor> {
  const { id } = await makeStaff(t, username, [{ orgId: org[orgCode]!, role }]);
  ids[username] = id;
  return staffActor(id, [{ orgId: org[orgCode]!, orgCode, role }]);
}

const sariCase = (o: Partial<Parameters<typeof makeCase>[1]> = {}) =>
  makeCase(t, { orgId: org.sari!, orgCode: 'sari', orgServiceId: sariService.orgServiceId, versionId: sariService.versionId, definition: def, citizenId, ...o });
const codes = async (actor: Actor, input: InboxInput = {}) => (await casework.inbox(actor, input)).items.map((i) => i.tracking_code).sort();

before(async () => {
  t = await makeTestApp();
  casework = t.deps.services.casework;
  const province = await makeOrg(t, 'mazandaran', 'province');
  org.sari = await makeOrg(t, 'sari', 'municipality', province);
  org.babol = await makeOrg(t, 'babol', 'municipality', province);
  def = caseDefinition();
  const adopted = await adoptFor(t, def, [org.sari, org.babol]);
  sariService = { versionId: adopted.versionId, orgServiceId: adopted.orgServices.get(org.sari)! };
  babolService = { versionId: adopted.versionId, orgServiceId: adopted.orgServices.get(org.babol)! };
  citizenId = await makeCitizen(t.deps.db, '09121110000', { firstName: 'زهرا', lastName: 'کاظمی', nationalCode: '0012345679' });
  actors.sariClerk = await staff('sari.clerk', 'sari', 'clerk');
  actors.sariClerk2 = await staff('sari.clerk2', 'sari', 'clerk');
  actors.sariInspector = await staff('sari.inspector', 'sari', 'inspector');
  actors.sariManager = await staff('sari.manager', 'sari', 'manager');
  actors.babolClerk = await staff('babol.clerk', 'babol', 'clerk');
  actors.babolManager = await staff('babol.manager', 'babol', 'manager');
});
after(async () => { await t?.close(); });

test("a Babol clerk sees none of Sari's applications, and asking for Sari's inbox answers 404", async () => {
  const s = await sariCase({ trackingCode: 'SARI-1405-100001' });
  const b = await makeCase(t, { orgId: org.babol!, orgCode: 'babol', orgServiceId: babolService.orgServiceId, versionId: babolService.versionId, definition: def, citizenId, trackingCode: 'BABOL-1405-100001' });
  const babolCodes = await codes(actors.babolClerk!);
  assert.ok(babolCodes.includes(b.trackingCode));
  assert.ok(!babolCodes.includes(s.trackingCode));
  assert.ok(babolCodes.every((c) => c!.startsWith('BABOL-')));
  await assert.rejects(casework.inbox(actors.babolClerk!, { org: 'sari' }), (e: { status?: number }) => e.status === 404);
  await assert.rejects(casework.summary(actors.babolManager!, { org: 'sari' }), (e: { status?: number }) => e.status === 404);
  const sariCodes = await codes(actors.sariManager!);
  assert.ok(sariCodes.includes(s.trackingCode) && !sariCodes.includes(b.trackingCode));
  // Not staff at all: a citizen is told to sign in as staff.
  await assert.rejects(casework.inbox({ kind: 'citizen', id: citizenId }), (e: { status?: number }) => e.status === 401);
});

test('clerks see their states and what is assigned to them; inspectors theirs; managers everything', async () => {
  const atClerk = await sariCase({ state: 'submitted', trackingCode: 'SARI-1405-200001' });
  const atInspector = await sariCase({ state: 'inspection', trackingCode: 'SARI-1405-200002' });
  const assignedToClerk = await sariCase({ state: 'inspection', assigneeId: ids['sari.clerk'], trackingCode: 'SARI-1405-200003' });
  const atCitizen = await sariCase({ state: 'correction', trackingCode: 'SARI-1405-200004' });
  const mine = (list: (string | null)[]) => list.filter((c) => c?.startsWith('SARI-1405-2000'));
  assert.deepEqual(mine(await codes(actors.sariClerk!)), [atClerk.trackingCode, assignedToClerk.trackingCode]);
  assert.deepEqual(mine(await codes(actors.sariClerk2!)), [atClerk.trackingCode]);
  assert.deepEqual(mine(await codes(actors.sariInspector!)), [atInspector.trackingCode, assignedToClerk.trackingCode]);
  assert.deepEqual(mine(await codes(actors.sariManager!)), [atClerk.trackingCode, atInspector.trackingCode, assignedToClerk.trackingCode, atCitizen.trackingCode]);
  const page = await casework.inbox(actors.sariManager!, { q: '200004' });
  assert.equal(page.items.length, 1);
  assert.equal(page.items[0]!.waiting_for, 'citizen');
  assert.equal(page.items[0]!.deadline_status, 'none');
  assert.deepEqual(page.orgs, [{ code: 'sari', all: true }]);
  assert.deepEqual((await casework.inbox(actors.sariClerk!, { q: '200001' })).orgs, [{ code: 'sari', all: false }]);
});

test('filters: state, service, channel, assignment, phase, search by tracking code (Persian digits), mobile or national code', async () => {
  const other = caseDefinition('casework-other');
  const otherAdopted = await adoptFor(t, other, [org.sari!]);
  const a = await sariCase({ trackingCode: 'SARI-1405-300001', channel: 'counter' });
  const b = await sariCase({ trackingCode: 'SARI-1405-300002', assigneeId: ids['sari.clerk'] });
  const c = await makeCase(t, { orgId: org.sari!, orgCode: 'sari', orgServiceId: otherAdopted.orgServices.get(org.sari!)!, versionId: otherAdopted.versionId, definition: other, citizenId, trackingCode: 'SARI-1405-300003' });
  const closed = await sariCase({ trackingCode: 'SARI-1405-300004', state: 'approved' });
  const m = actors.sariManager!;
  const only3 = (list: (string | null)[]) => list.filter((x) => x?.startsWith('SARI-1405-3000'));
  assert.deepEqual(only3(await codes(m, { channel: 'counter' })), [a.trackingCode]);
  assert.deepEqual(only3(await codes(m, { assigned: 'me' })), []);
  assert.deepEqual(only3(await codes(actors.sariClerk!, { assigned: 'me' })), [b.trackingCode]);
  assert.ok(!only3(await codes(m, { assigned: 'unassigned' })).includes(b.trackingCode));
  assert.deepEqual(only3(await codes(m, { service: 'casework-other' })), [c.trackingCode]);
  assert.deepEqual(only3(await codes(m, { phase: 'closed' })), [closed.trackingCode]);
  assert.ok(only3(await codes(m, { phase: 'all' })).includes(closed.trackingCode));
  assert.ok(!only3(await codes(m)).includes(closed.trackingCode), 'closed applications are not in the open inbox');
  assert.deepEqual(only3(await codes(m, { q: 'sari-۱۴۰۵-۳۰۰۰۰۲' })), [b.trackingCode]);
  const byMobile = await codes(m, { q: '۰۹۱۲۱۱۱۰۰۰۰', phase: 'all' });
  assert.ok(byMobile.includes(a.trackingCode) && byMobile.includes(closed.trackingCode));
  assert.ok((await codes(m, { q: '0012345679' })).includes(a.trackingCode));
  assert.deepEqual(await codes(m, { q: 'NOPE-0000' }), []);
  assert.deepEqual(only3(await codes(m, { state: 'approved', phase: 'all' })), [closed.trackingCode]);
  const page = await casework.inbox(m, { q: '300001' });
  assert.equal(page.items[0]!.citizen.name, 'زهرا کاظمی');
  assert.equal(page.items[0]!.service.title.fa, def.title.fa);
  assert.equal(page.items[0]!.state.title.fa, 'بررسی اولیه');
  assert.ok(page.services.some((s) => s.code === 'casework-other'));
  assert.ok(page.states.some((s) => s.key === 'inspection'));
});

test('sorting by deadline puts the nearest first and those without one last; by submission oldest or newest first; pages', async () => {
  const base = tehran('2026-11-28T08:00:00');
  const late = await sariCase({ trackingCode: 'SARI-1405-400001', dueAt: base - 3 * 86_400_000, submittedAt: base - 10 });
  const none = await sariCase({ trackingCode: 'SARI-1405-400002', dueAt: null, submittedAt: base - 30 });
  const soon = await sariCase({ trackingCode: 'SARI-1405-400003', dueAt: base + 3600_000, submittedAt: base - 20 });
  const input: InboxInput = { q: '4000' };
  assert.deepEqual((await casework.inbox(actors.sariManager!, input)).items.map((i) => i.tracking_code), [late.trackingCode, soon.trackingCode, none.trackingCode]);
  assert.deepEqual((await casework.inbox(actors.sariManager!, { ...input, sort: 'submitted' })).items.map((i) => i.tracking_code), [none.trackingCode, soon.trackingCode, late.trackingCode]);
  assert.deepEqual((await casework.inbox(actors.sariManager!, { ...input, sort: '-submitted' })).items.map((i) => i.tracking_code), [late.trackingCode, soon.trackingCode, none.trackingCode]);
  const p1 = await casework.inbox(actors.sariManager!, { ...input, per_page: 2 });
  const p2 = await casework.inbox(actors.sariManager!, { ...input, per_page: 2, page: 2 });
  assert.equal(p1.total, 3);
  assert.deepEqual([...p1.items, ...p2.items].map((i) => i.tracking_code), [late.trackingCode, soon.trackingCode, none.trackingCode]);
});

test('deadline status follows business time: the Thursday-Friday weekend and a holiday do not count', async () => {
  // Tuesday 1 Dey 1405 (22 December 2026), 10:00 in Tehran. Wednesday 2 Dey is an official
  // holiday, Thursday and Friday are the weekend: one business day ends on Saturday at 14:30.
  const entered = tehran('2026-12-22T10:00:00');
  const c = await sariCase({ trackingCode: 'SARI-1405-500001', enteredAt: entered });
  assert.equal(c.dueAt, tehran('2026-12-26T14:30:00'));
  const statusAt = async (local: string) => {
    t.clock.t = tehran(local);
    const page = await casework.inbox(actors.sariClerk!, { q: '500001' });
    const byFilter = [];
    for (const d of ['on_time', 'at_risk', 'late', 'none'] as const) {
      if ((await casework.inbox(actors.sariClerk!, { q: '500001', deadline: d })).total === 1) byFilter.push(d);
    }
    const load = (await casework.summary(actors.sariManager!))[0]!;
    return { row: page.items[0]!.deadline_status, byFilter, load };
  };
  const saved = t.clock.t;
  try {
    let s = await statusAt('2026-12-22T14:00:00');
    assert.deepEqual([s.row, s.byFilter], ['on_time', ['on_time']]);
    // Wednesday (holiday) and Friday: calendar time runs out, business time does not.
    s = await statusAt('2026-12-23T12:00:00');
    assert.deepEqual([s.row, s.byFilter], ['on_time', ['on_time']]);
    s = await statusAt('2026-12-25T18:00:00');
    assert.deepEqual([s.row, s.byFilter], ['on_time', ['on_time']]);
    // Saturday morning: most of the last workday is left, more than a quarter of the SLA.
    s = await statusAt('2026-12-26T08:00:00');
    assert.deepEqual([s.row, s.byFilter], ['on_time', ['on_time']]);
    // Every other open application of Sari was due weeks ago: this one is the only one on time.
    assert.deepEqual([s.load.by_deadline.on_time, s.load.by_deadline.at_risk], [1, 0]);
    s = await statusAt('2026-12-26T12:30:00');
    assert.deepEqual([s.row, s.byFilter], ['at_risk', ['at_risk']]);
    assert.deepEqual([s.load.by_deadline.on_time, s.load.by_deadline.at_risk], [0, 1]);
    assert.equal(s.load.by_state.find((x) => x.key === 'submitted')!.at_risk, 1);
    s = await statusAt('2026-12-26T14:31:00');
    assert.deepEqual([s.row, s.byFilter], ['late', ['late']]);
    // The same instants, the long way round: Sunday is late whatever the calendar says.
    s = await statusAt('2026-12-27T08:00:00');
    assert.equal(s.row, 'late');
  } finally {
    t.clock.t = saved;
  }
});

test("a manager's load counts the department's open applications by state, deadline and case officer", async () => {
  const loads = await casework.summary(actors.sariManager!);
  assert.equal(loads.length, 1);
  const load = loads[0]!;
  assert.equal(load.org, 'sari');
  const total = Object.values(load.by_deadline).reduce((a, b) => a + b, 0);
  assert.equal(total, load.open);
  assert.equal(load.by_state.reduce((a, s) => a + s.count, 0), load.open);
  assert.equal(load.by_assignee.reduce((a, s) => a + s.count, 0), load.open);
  const clerk = load.by_assignee.find((a) => a.id === ids['sari.clerk']);
  assert.ok(clerk && clerk.name === 'sari.clerk' && clerk.count >= 2);
  assert.ok(load.by_state.some((s) => s.key === 'correction' && s.late === 0), 'waiting for the citizen is never the office being late');
  // The manager's inbox agrees with the load.
  assert.equal((await casework.inbox(actors.sariManager!, { per_page: 1 })).total, load.open);
  // A clerk's load covers what they see.
  const clerkLoad = (await casework.summary(actors.sariClerk!))[0]!;
  assert.equal(clerkLoad.all, false);
  assert.equal(clerkLoad.open, (await casework.inbox(actors.sariClerk!, { per_page: 1 })).total);
});
