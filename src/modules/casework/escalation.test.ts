// Deadline breaches escalate to the organization's managers through the outbox, once per breach:
// a rerun, a redelivery and a second scanner on another connection add nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dbKind, drainOutbox, makeOrg, makeStaff, makeTestApp, type TestApp } from '../../../test/helpers.js';
import type { Actor, Role } from '../../platform/core/index.js';
import { openDatabase } from '../../platform/db/index.js';
import { verifyAudit } from '../../platform/audit/index.js';
import { makeCitizen } from '../applications/test-factories.js';
import type { ServiceDefinition } from '../catalog/definition.js';
import { EscalationScanner, ESCALATION_TOPIC, escalationHandlers } from './escalation.js';
import { adoptFor, caseDefinition, makeCase, staffActor } from './test-fixtures.js';
import type { CaseworkService } from './service.js';

let t: TestApp;
let casework: CaseworkService;
let def: ServiceDefinition;
const org: Record<string, string> = {};
const actors: Record<string, Actor> = {};
const ids: Record<string, string> = {};
const services: Record<string, { versionId: string; orgServiceId: string }> = {};
let citizenId: string;
const DAY = 86_400_000;

async function staff(username: string, orgCode: string, role: Role): Promise<Actor> {
  const { id } = await makeStaff(t, username, [{ orgId: org[orgCode]!, role }]);
  ids[username] = id;
  return staffActor(id, [{ orgId: org[orgCode]!, orgCode, role }]);
}

/** An application of orgCode that entered its state `daysAgo` calendar days ago (so its deadline has passed). */
const breached = (orgCode: string, o: Partial<Parameters<typeof makeCase>[1]> = {}) =>
  makeCase(t, { orgId: org[orgCode]!, orgCode, ...services[orgCode]!, definition: def, citizenId, enteredAt: t.clock.now() - 10 * DAY, ...o });

const count = async (table: 'application_events' | 'outbox' | 'audit_log' | 'staff_notices', where: (q: any) => any) => // eslint-disable-line @typescript-eslint/no-explicit-any
  Number((await where(t.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'))).executeTakeFirst())?.n ?? 0);
const escalations = (appId: string) => count('application_events', (q) => q.where('application_id', '=', appId).where('type', '=', 'escalated'));
const outboxFor = (appId: string) => t.deps.db.selectFrom('outbox').selectAll().where('topic', '=', ESCALATION_TOPIC).where('dedupe_key', 'like', `escalation:${appId}:%`).execute();
const audits = (appId: string) => count('audit_log', (q) => q.where('entity_id', '=', appId).where('action', '=', 'application.escalated'));

before(async () => {
  t = await makeTestApp();
  casework = t.deps.services.casework;
  const province = await makeOrg(t, 'mazandaran', 'province');
  org.sari = await makeOrg(t, 'sari', 'municipality', province);
  org.babol = await makeOrg(t, 'babol', 'municipality', province);
  def = caseDefinition();
  const adopted = await adoptFor(t, def, [org.sari, org.babol]);
  for (const code of ['sari', 'babol']) services[code] = { versionId: adopted.versionId, orgServiceId: adopted.orgServices.get(org[code]!)! };
  citizenId = await makeCitizen(t.deps.db, '09121112222');
  actors.sariClerk = await staff('sari.clerk', 'sari', 'clerk');
  actors.sariManager = await staff('sari.manager', 'sari', 'manager');
  actors.sariManager2 = await staff('sari.manager2', 'sari', 'manager');
  actors.sariAdmin = await staff('sari.admin', 'sari', 'org_admin');
  actors.babolAdmin = await staff('babol.admin', 'babol', 'org_admin');
  actors.babolClerk = await staff('babol.clerk', 'babol', 'clerk');
});
after(async () => { await t?.close(); });

test('a passed deadline is escalated once: event, audit entry and outbox message together, even when the scanner runs twice', async () => {
  const c = await breached('sari');
  assert.ok(c.dueAt! < t.clock.now());
  const first = await t.deps.escalations.scanOnce();
  assert.ok(first >= 1);
  assert.equal(await t.deps.escalations.scanOnce(), 0, 'the second run finds nothing new');
  assert.equal(await escalations(c.id), 1);
  assert.equal(await audits(c.id), 1);
  const outbox = await outboxFor(c.id);
  assert.equal(outbox.length, 1);
  assert.equal(outbox[0]!.dedupe_key, `escalation:${c.id}:${c.dueAt}`);
  assert.equal(outbox[0]!.org_id, org.sari);
  const event = await t.deps.db.selectFrom('application_events').selectAll().where('application_id', '=', c.id).where('type', '=', 'escalated').executeTakeFirstOrThrow();
  assert.equal(event.internal, 1, 'the citizen never sees an escalation');
  assert.equal(event.actor_kind, 'system');
  assert.deepEqual(JSON.parse(event.data), { state: 'submitted', due_at: c.dueAt });

  // Delivery: a notice in each Sari manager's inbox, none for the clerk or the org admin (Sari has managers).
  await drainOutbox(t);
  const mine = await casework.notices(actors.sariManager!);
  const notice = mine.find((n) => n.application_id === c.id);
  assert.ok(notice, 'the manager has the notice');
  assert.equal(notice.tracking_code, c.trackingCode);
  assert.equal(notice.due_at, c.dueAt);
  assert.equal(notice.state?.title.fa, 'بررسی اولیه');
  assert.ok((await casework.notices(actors.sariManager2!)).some((n) => n.application_id === c.id));
  assert.deepEqual((await casework.notices(actors.sariClerk!)).filter((n) => n.application_id === c.id), []);
  assert.deepEqual((await casework.notices(actors.sariAdmin!)).filter((n) => n.application_id === c.id), []);
  assert.equal(await count('staff_notices', (q) => q.where('application_id', '=', c.id)), 2);

  // A redelivery of the same message (at least once) adds no second notice.
  const handler = escalationHandlers({ db: t.deps.db, clock: t.clock })[ESCALATION_TOPIC]!;
  await handler({ id: outbox[0]!.id, topic: ESCALATION_TOPIC, orgId: org.sari!, payload: JSON.parse(outbox[0]!.payload), attempts: 1 });
  assert.equal(await count('staff_notices', (q) => q.where('application_id', '=', c.id)), 2);

  // The manager's inbox shows it as escalated.
  const page = await casework.inbox(actors.sariManager!, { escalated: true });
  assert.ok(page.items.some((i) => i.id === c.id && i.escalated && i.deadline_status === 'late'));
  assert.equal((await casework.summary(actors.sariManager!))[0]!.escalated >= 1, true);

  // Seen: gone from the list; nobody else can mark it, and twice is 404.
  await assert.rejects(casework.readNotice(actors.sariManager2!, notice.id), (e: { status?: number }) => e.status === 404);
  await casework.readNotice(actors.sariManager!, notice.id);
  assert.ok(!(await casework.notices(actors.sariManager!)).some((n) => n.id === notice.id));
  await assert.rejects(casework.readNotice(actors.sariManager!, notice.id), (e: { status?: number }) => e.status === 404);
});

test('nothing escalates before the deadline, while the citizen is awaited, once closed, or for a draft', async () => {
  const future = await breached('sari', { enteredAt: t.clock.now() });
  const citizenTurn = await breached('sari', { state: 'correction', dueAt: t.clock.now() - DAY });
  const closed = await breached('sari', { state: 'approved', phase: 'closed', dueAt: t.clock.now() - DAY });
  const draft = await breached('sari', { phase: 'draft', dueAt: t.clock.now() - DAY });
  await t.deps.escalations.scanOnce();
  for (const c of [future, citizenTurn, closed, draft]) assert.equal(await escalations(c.id), 0);
});

test('a new deadline is a new breach: an application back at the office escalates again', async () => {
  const c = await breached('sari');
  await t.deps.escalations.scanOnce();
  assert.equal(await escalations(c.id), 1);
  // The clerk accepts it late; the inspection step gets its own deadline, which passes too.
  const entered = t.clock.now() - 5 * DAY;
  await t.deps.db.updateTable('applications').set({ state: 'inspection', state_entered_at: entered, due_at: entered + DAY }).where('id', '=', c.id).execute();
  assert.equal((await casework.inbox(actors.sariManager!, { escalated: true })).items.some((i) => i.id === c.id), false, 'the new deadline is not escalated yet');
  await t.deps.escalations.scanOnce();
  await t.deps.escalations.scanOnce();
  assert.equal(await escalations(c.id), 2);
  assert.deepEqual((await outboxFor(c.id)).map((m) => m.dedupe_key).sort(), [`escalation:${c.id}:${c.dueAt}`, `escalation:${c.id}:${entered + DAY}`].sort());
});

test("an organization without a manager: its org admins get the escalation, and no other organization's staff", async () => {
  const c = await breached('babol');
  await t.deps.escalations.scanOnce();
  await drainOutbox(t);
  assert.ok((await casework.notices(actors.babolAdmin!)).some((n) => n.application_id === c.id));
  assert.equal((await casework.notices(actors.sariManager!)).some((n) => n.application_id === c.id), false);
  assert.deepEqual(await casework.notices(actors.babolClerk!), []);
});

test('two scanners at once (on PostgreSQL, two connection pools, as two processes) escalate every breach exactly once', async () => {
  const cases = [];
  for (let i = 0; i < 12; i++) cases.push(await breached(i % 2 ? 'sari' : 'babol'));
  // SQLite serves one process, whose scanners share its one connection (better-sqlite3 is
  // synchronous: a second connection in the same process would wait on the first while blocking it).
  const other = dbKind === 'postgres' ? openDatabase(t.deps.config.database) : { db: t.deps.db, close: async () => undefined };
  try {
    const a = new EscalationScanner({ db: t.deps.db, clock: t.clock, batchSize: 5 });
    const b = new EscalationScanner({ db: other.db, clock: t.clock, batchSize: 5 });
    const [na, nb] = await Promise.all([a.scanOnce(), b.scanOnce()]);
    assert.equal(na + nb, cases.length, `first ${na}, second ${nb}`);
    assert.equal(await Promise.all([a.scanOnce(), b.scanOnce()]).then(([x, y]) => x + y), 0);
  } finally {
    await other.close();
  }
  for (const c of cases) {
    assert.equal(await escalations(c.id), 1);
    assert.equal((await outboxFor(c.id)).length, 1);
    assert.equal(await audits(c.id), 1);
  }
  assert.equal((await verifyAudit(t.deps.db)).ok, true, 'the audit chain stays whole');
});
