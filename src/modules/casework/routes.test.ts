// The staff pages and API over HTTP: isolation between municipalities on every route (another
// organization's case answers exactly like one that does not exist), claim and assign, acting
// with comments and attachments, internal notes, and filing at the counter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, csrfFrom, drainOutbox, makeOrg, makeStaff, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../../test/helpers.js';
import type { Role } from '../../platform/core/index.js';
import { makeCitizen, nationalCode, samplePdf } from '../applications/test-factories.js';
import type { ServiceDefinition } from '../catalog/definition.js';
import { adoptFor, caseDefinition, makeCase } from './test-fixtures.js';

let t: TestApp;
let def: ServiceDefinition;
const org: Record<string, string> = {};
const svc: Record<string, { versionId: string; orgServiceId: string }> = {};
const tokens: Record<string, string> = {};
const staffIds: Record<string, string> = {};
let citizenToken: string;
let citizenId: string;

const ACCOUNTS: [string, string, Role][] = [
  ['sari.clerk', 'sari', 'clerk'],
  ['sari.clerk2', 'sari', 'clerk'],
  ['sari.inspector', 'sari', 'inspector'],
  ['sari.manager', 'sari', 'manager'],
  ['babol.clerk', 'babol', 'clerk'],
  ['babol.manager', 'babol', 'manager'],
];

const sariCase = (o: Partial<Parameters<typeof makeCase>[1]> = {}) =>
  makeCase(t, { orgId: org.sari!, orgCode: 'sari', ...svc.sari!, definition: def, citizenId, ...o });

type Headers = Record<string, string>;
const bearer = (who?: string): Headers => (who ? { authorization: `Bearer ${tokens[who] ?? who}` } : {});
const api = (method: 'GET' | 'POST', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(who), ...(payload !== undefined ? { payload: payload as object } : {}) });
const page = (url: string, who?: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: `pk_session=${tokens[who] ?? who}` } : {} });

/** A browser of one staff member: their session cookie and the CSRF cookie. */
function browser(who: string) {
  const jar = new CookieJar();
  jar.take({ headers: { 'set-cookie': `pk_session=${tokens[who]}; Path=/` } });
  return {
    jar,
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } }),
    async post(formUrl: string, url: string, fields: Record<string, string>) {
      const token = await csrfFrom(t, jar, formUrl);
      const r = await t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: token, ...fields }).toString() });
      jar.take(r);
      return r;
    },
    async postMultipart(formUrl: string, url: string, fields: Record<string, string>, file?: { name: string; bytes: Buffer; type: string }) {
      const token = await csrfFrom(t, jar, formUrl);
      const fd = new FormData();
      fd.append('_csrf', token);
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      if (file) fd.append('attachment', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
      const body = new Response(fd);
      const r = await t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': body.headers.get('content-type')! }, payload: Buffer.from(await body.arrayBuffer()) });
      jar.take(r);
      return r;
    },
  };
}

const eventsOf = (id: string) => t.deps.db.selectFrom('application_events').selectAll().where('application_id', '=', id).orderBy('created_at').execute();
const auditOf = (id: string, action: string) => t.deps.db.selectFrom('audit_log').selectAll().where('entity_id', '=', id).where('action', '=', action).execute();
const appRow = (id: string) => t.deps.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

before(async () => {
  t = await makeTestApp();
  const province = await makeOrg(t, 'mazandaran', 'province');
  org.sari = await makeOrg(t, 'sari', 'municipality', province);
  org.babol = await makeOrg(t, 'babol', 'municipality', province);
  def = caseDefinition();
  const adopted = await adoptFor(t, def, [org.sari, org.babol]);
  for (const code of ['sari', 'babol']) svc[code] = { versionId: adopted.versionId, orgServiceId: adopted.orgServices.get(org[code]!)! };
  for (const [username, orgCode, role] of ACCOUNTS) {
    const { id, password } = await makeStaff(t, username, [{ orgId: org[orgCode]!, role }]);
    staffIds[username] = id;
    tokens[username] = await signInStaff(t, username, password);
  }
  citizenToken = await signInCitizen(t, '09351112233');
  tokens.citizen = citizenToken;
  citizenId = await makeCitizen(t.deps.db, '09121234000', { firstName: 'علی', lastName: 'محمدی', nationalCode: nationalCode('123456789') });
});
after(async () => { await t?.close(); });

test('anonymous callers are sent to the staff sign-in (pages) or answered 401 (API)', async () => {
  const c = await sariCase();
  for (const url of ['/staff/inbox', `/staff/applications/${c.id}`, '/staff/counter']) {
    const r = await page(url);
    assert.equal(r.statusCode, 303, url);
    assert.equal(r.headers.location, `/staff/login?next=${encodeURIComponent(url)}`);
  }
  for (const [method, url, body] of [
    ['GET', '/api/v1/inbox', undefined], ['GET', '/api/v1/inbox/summary', undefined], ['GET', '/api/v1/inbox/notices', undefined],
    ['POST', `/api/v1/applications/${c.id}/claim`, undefined], ['POST', `/api/v1/applications/${c.id}/assign`, { staff_id: null }],
    ['POST', '/api/v1/inbox/notices/x/read', undefined],
    ['POST', '/api/v1/counter/applications', { org: 'sari', service: def.code, citizen: { mobile: '09120000000' } }],
  ] as const) {
    const r = await api(method, url, undefined, body);
    assert.equal(r.statusCode, 401, `${method} ${url}: ${r.body}`);
  }
  // A form posted without a session (and so without its CSRF secret) changes nothing.
  const r = await t.app.inject({ method: 'POST', url: `/staff/applications/${c.id}/claim`, payload: '_csrf=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.statusCode, 403);
  assert.equal((await appRow(c.id)).assignee_id, null);
});

test('a citizen is not staff: inbox API 401, a case 404 like a missing one, staff pages send them to the staff sign-in', async () => {
  const c = await sariCase();
  assert.equal((await api('GET', '/api/v1/inbox', 'citizen')).statusCode, 401);
  assert.equal((await api('GET', '/api/v1/inbox/summary', 'citizen')).statusCode, 401);
  assert.equal((await api('POST', `/api/v1/applications/${c.id}/claim`, 'citizen')).statusCode, 404);
  assert.equal((await api('POST', `/api/v1/applications/${c.id}/assign`, 'citizen', { staff_id: null })).statusCode, 404);
  assert.equal((await api('POST', '/api/v1/counter/applications', 'citizen', { org: 'sari', service: def.code, citizen: { mobile: '09120000000' } })).statusCode, 401);
  const r = await page(`/staff/applications/${c.id}`, 'citizen');
  assert.equal(r.statusCode, 303);
  assert.match(String(r.headers.location), /^\/staff\/login\?next=/);
});

test("a Babol clerk sees none of Sari's inbox, and Sari's case answers exactly like a case that does not exist", async () => {
  const c = await sariCase({ trackingCode: 'SARI-1405-900001' });
  const list = await api('GET', '/api/v1/inbox?phase=all&per_page=100', 'babol.clerk');
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().items.some((i: { id: string }) => i.id === c.id), false);
  assert.deepEqual(list.json().orgs, [{ code: 'babol', all: false }]);
  assert.equal((await api('GET', '/api/v1/inbox?q=SARI-1405-900001', 'babol.manager')).json().total, 0);
  assert.equal((await api('GET', '/api/v1/inbox?org=sari', 'babol.clerk')).statusCode, 404);
  assert.equal((await api('GET', '/api/v1/inbox/summary?org=sari', 'babol.manager')).statusCode, 404);
  assert.equal((await api('GET', '/api/v1/inbox/notices?org=sari', 'babol.manager')).statusCode, 404);

  const theirs = await page(`/staff/applications/${c.id}`, 'babol.clerk');
  const missing = await page('/staff/applications/00000000-0000-0000-0000-000000000000', 'babol.clerk');
  assert.equal(theirs.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  const strip = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '').replace(/<time[^>]*>[^<]*<\/time>/g, '').replace(/next=[^"]*"/g, '');
  assert.equal(strip(theirs.body), strip(missing.body), 'the two 404 pages are the same');
  assert.ok(!theirs.body.includes('SARI-1405-900001'));

  for (const [url, who, body] of [
    [`/api/v1/applications/${c.id}/claim`, 'babol.clerk', undefined],
    [`/api/v1/applications/${c.id}/assign`, 'babol.manager', { staff_id: staffIds['babol.clerk'] }],
  ] as const) {
    const r = await api('POST', url, who, body);
    const m = await api('POST', url.replace(c.id, '00000000-0000-0000-0000-000000000000'), who, body);
    assert.equal(r.statusCode, 404, url);
    assert.deepEqual({ ...r.json().error, request_id: null }, { ...m.json().error, request_id: null });
  }
  // Nor through the applications API the case page posts to.
  assert.equal((await api('POST', `/api/v1/applications/${c.id}/actions`, 'babol.clerk', { action: 'accept' })).statusCode, 404);
  assert.equal((await api('POST', '/api/v1/counter/applications', 'babol.clerk', { org: 'sari', service: def.code, citizen: { mobile: '09120000000' } })).statusCode, 404);
  assert.equal((await page('/staff/counter?org=sari', 'babol.clerk')).statusCode, 404);
  assert.equal((await appRow(c.id)).assignee_id, null);
});

test('claim and assign: one holder at a time, each change an internal event and an audit entry', async () => {
  const c = await sariCase();
  const r1 = await api('POST', `/api/v1/applications/${c.id}/claim`, 'sari.clerk');
  assert.equal(r1.statusCode, 200, r1.body);
  assert.deepEqual(r1.json(), { id: c.id, assignee: { id: staffIds['sari.clerk'], name: 'sari.clerk' } });
  assert.equal((await api('POST', `/api/v1/applications/${c.id}/claim`, 'sari.clerk')).statusCode, 200, 'claiming one\'s own again is harmless');
  const r2 = await api('POST', `/api/v1/applications/${c.id}/claim`, 'sari.clerk2');
  assert.equal(r2.statusCode, 409);
  assert.match(r2.json().error.message, /sari\.clerk/);
  // An inspector does not handle the first check.
  const other = await sariCase();
  assert.equal((await api('POST', `/api/v1/applications/${other.id}/claim`, 'sari.inspector')).statusCode, 403);
  // Only managers (and org admins) assign; only to colleagues of the same organization.
  assert.equal((await api('POST', `/api/v1/applications/${c.id}/assign`, 'sari.clerk', { staff_id: staffIds['sari.clerk2'] })).statusCode, 403);
  const bad = await api('POST', `/api/v1/applications/${c.id}/assign`, 'sari.manager', { staff_id: staffIds['babol.clerk'] });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.json().error.fields.staff_id);
  const r3 = await api('POST', `/api/v1/applications/${c.id}/assign`, 'sari.manager', { staff_id: staffIds['sari.inspector'] });
  assert.equal(r3.statusCode, 200);
  assert.equal(r3.json().assignee.id, staffIds['sari.inspector']);
  const r4 = await api('POST', `/api/v1/applications/${c.id}/assign`, 'sari.manager', { staff_id: null });
  assert.deepEqual(r4.json(), { id: c.id, assignee: null });

  const events = (await eventsOf(c.id)).map((e) => ({ type: e.type, actor: e.actor_id, internal: e.internal, data: JSON.parse(e.data) }));
  assert.deepEqual(events.map((e) => e.type), ['claimed', 'assigned', 'unassigned']);
  assert.ok(events.every((e) => e.internal === 1));
  assert.deepEqual(events[1], { type: 'assigned', actor: staffIds['sari.manager'], internal: 1, data: { assignee_id: staffIds['sari.inspector'], previous_assignee_id: staffIds['sari.clerk'], state: 'submitted' } });
  assert.equal((await auditOf(c.id, 'application.claimed')).length, 1);
  assert.equal((await auditOf(c.id, 'application.assigned')).length, 1);
  assert.equal((await auditOf(c.id, 'application.unassigned')).length, 1);
  // A closed application is no longer assigned.
  const closed = await sariCase({ state: 'approved' });
  assert.equal((await api('POST', `/api/v1/applications/${closed.id}/claim`, 'sari.manager')).statusCode, 409);
});

test('two clerks claiming the same application at once: one gets it, the other is told who did', async () => {
  const c = await sariCase();
  const [a, b] = await Promise.all([api('POST', `/api/v1/applications/${c.id}/claim`, 'sari.clerk'), api('POST', `/api/v1/applications/${c.id}/claim`, 'sari.clerk2')]);
  assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
  const winner = a.statusCode === 200 ? 'sari.clerk' : 'sari.clerk2';
  assert.equal((await appRow(c.id)).assignee_id, staffIds[winner]);
  assert.deepEqual((await eventsOf(c.id)).map((e) => [e.type, e.actor_id]), [['claimed', staffIds[winner]]]);
  assert.equal((await auditOf(c.id, 'application.claimed')).length, 1);
});

test('the case page: a clerk claims, adds an internal note, is told what a required comment needs, and acts', async () => {
  const c = await sariCase({ trackingCode: 'SARI-1405-900100' });
  const clerk = browser('sari.clerk');
  const url = `/staff/applications/${c.id}`;
  const first = await clerk.get(url);
  assert.equal(first.statusCode, 200);
  assert.match(first.body, /SARI-1405-900100/);
  assert.match(first.body, /data-action="accept"/);
  assert.match(first.body, /data-action="return"/);
  assert.doesNotMatch(first.body, /data-action="approve"/, 'the inspector\'s actions are not offered to a clerk');
  assert.match(first.body, new RegExp(`action="${url}/claim"`));
  assert.match(first.body, /علی محمدی/);

  let r = await clerk.post(url, `${url}/claim`, {});
  assert.equal(r.statusCode, 303);
  assert.equal(r.headers.location, `${url}?done=claimed`);
  assert.equal((await appRow(c.id)).assignee_id, staffIds['sari.clerk']);

  r = await clerk.post(url, `${url}/notes`, { text: 'مالک تلفنی پیگیری کرد.' });
  assert.equal(r.statusCode, 303);
  const withNote = await clerk.get(url);
  assert.match(withNote.body, /مالک تلفنی پیگیری کرد\./);

  r = await clerk.postMultipart(url, `${url}/act`, { action: 'return', comment: '' });
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /is-invalid/);
  assert.equal((await appRow(c.id)).state, 'submitted');

  r = await clerk.postMultipart(url, `${url}/act`, { action: 'accept', comment: 'مدارک کامل است.' });
  assert.equal(r.statusCode, 303, r.body.slice(0, 500));
  const row = await appRow(c.id);
  assert.equal(row.state, 'inspection');
  const types = (await eventsOf(c.id)).map((e) => e.type);
  assert.deepEqual(types, ['claimed', 'note', 'action']);
  const note = (await eventsOf(c.id)).find((e) => e.type === 'note')!;
  assert.equal(note.internal, 1, 'the note is internal');
  // The clerk's own case stays in their inbox (assigned), now in the inspector's state.
  const inbox = await api('GET', '/api/v1/inbox?assigned=me', 'sari.clerk');
  assert.ok(inbox.json().items.some((i: { id: string; state: { key: string } }) => i.id === c.id && i.state.key === 'inspection'));
});

test('an inspector refuses with a comment and a PDF attached; the citizen is told by SMS', async () => {
  const c = await sariCase({ state: 'inspection', trackingCode: 'SARI-1405-900200' });
  const inspector = browser('sari.inspector');
  const url = `/staff/applications/${c.id}`;
  // The attachment is required: without it nothing changes.
  let r = await inspector.postMultipart(url, `${url}/act`, { action: 'reject', comment: 'تراکم بیش از حد مجاز است.' });
  assert.equal(r.statusCode, 400);
  assert.equal((await appRow(c.id)).state, 'inspection');
  r = await inspector.postMultipart(url, `${url}/act`, { action: 'reject', comment: 'تراکم بیش از حد مجاز است.' }, { name: 'report.pdf', bytes: samplePdf(), type: 'application/pdf' });
  assert.equal(r.statusCode, 303, r.body.slice(0, 800));
  const row = await appRow(c.id);
  assert.deepEqual([row.state, row.phase, row.outcome], ['rejected', 'closed', 'refused']);
  const action = (await eventsOf(c.id)).find((e) => e.type === 'action')!;
  const docId = JSON.parse(action.data).documents[0];
  assert.ok(docId, 'the attachment is part of the action');
  const page2 = await inspector.get(url);
  assert.match(page2.body, /report\.pdf/);
  assert.match(page2.body, new RegExp(`/applications/${c.id}/documents/${docId}`));
  const file = await inspector.get(`/applications/${c.id}/documents/${docId}`);
  assert.equal(file.statusCode, 200);
  assert.equal(file.headers['content-type'], 'application/pdf');
  await drainOutbox(t);
  assert.ok(t.sms.sent.some((m) => m.to === '09121234000' && 'text' in m && m.text.includes('SARI-1405-900200')));
});

test("the manager's inbox page shows the department's load, escalations, Jalali dates and deadline badges", async () => {
  const late = await sariCase({ trackingCode: 'SARI-1405-900300', enteredAt: t.clock.now() - 10 * 86_400_000 });
  await t.deps.escalations.scanOnce();
  await drainOutbox(t);
  const r = await page('/staff/inbox', 'sari.manager');
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /بار کاری شهرداری sari/);
  assert.match(r.body, /تشدیدها/);
  assert.match(r.body, /SARI-1405-900300/);
  assert.match(r.body, /data-status="late"/);
  assert.match(r.body, /۱۴۰۵\/۰۸\/۲۷/, 'the Jalali date of submission');
  // The notice is marked seen from the page.
  const notices = await api('GET', '/api/v1/inbox/notices', 'sari.manager');
  const notice = notices.json().items.find((n: { application_id: string }) => n.application_id === late.id);
  assert.ok(notice);
  const manager = browser('sari.manager');
  const seen = await manager.post('/staff/inbox', `/staff/notices/${notice.id}/read`, {});
  assert.equal(seen.statusCode, 303);
  assert.equal((await api('GET', '/api/v1/inbox/notices', 'sari.manager')).json().items.some((n: { id: string }) => n.id === notice.id), false);
  // A clerk's inbox page has no load and no escalations, and offers the counter.
  const clerkPage = await page('/staff/inbox?deadline=late&sort=-submitted&bogus=1', 'sari.clerk');
  assert.equal(clerkPage.statusCode, 200);
  assert.doesNotMatch(clerkPage.body, /بار کاری/);
  assert.match(clerkPage.body, /href="\/staff\/counter"/);
  // Every sentence has its words in both languages.
  for (const url of ['/staff/inbox', '/staff/inbox?lang=en', `/staff/applications/${late.id}?lang=en`, '/staff/counter?lang=en']) {
    const who = url.includes('counter') ? 'sari.clerk' : 'sari.manager';
    const res = await page(url, who);
    assert.equal(res.statusCode, 200, url);
    assert.doesNotMatch(res.body, /(casework|application|apply|role)\.[a-z_]+/, `raw message key on ${url}`);
  }
  assert.match((await page('/staff/inbox?lang=en', 'sari.manager')).body, /Workload of sari Municipality/);
  const summary = await api('GET', '/api/v1/inbox/summary', 'sari.manager');
  assert.equal(summary.statusCode, 200);
  assert.ok(summary.json().orgs[0].by_deadline.late >= 1);
});

test('filing at the counter: a new walk-in citizen, the generated form, submission with channel counter and the SMS', async () => {
  const clerk = browser('sari.clerk');
  assert.equal((await clerk.get('/staff/counter')).statusCode, 200);
  // A new citizen needs their national code and names.
  let r = await clerk.post('/staff/counter', '/staff/counter', { org: 'sari', mobile: '۰۹۱۳۵۵۵۶۶۷۷', service: def.code });
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /f-national_code-error/);
  r = await clerk.post('/staff/counter', '/staff/counter', {
    org: 'sari', mobile: '۰۹۱۳۵۵۵۶۶۷۷', service: def.code, national_code: nationalCode('208765432'), first_name: 'رضا', last_name: 'حسینی',
  });
  assert.equal(r.statusCode, 303, r.body.match(/<main[\s\S]*<\/main>/)?.[0]);
  const id = String(r.headers.location).match(/^\/applications\/([^/]+)\/edit$/)![1]!;
  let row = await appRow(id);
  assert.deepEqual([row.channel, row.phase, row.created_by], ['counter', 'draft', staffIds['sari.clerk']]);
  const citizen = await t.deps.db.selectFrom('citizens').selectAll().where('id', '=', row.citizen_id).executeTakeFirstOrThrow();
  assert.deepEqual([citizen.mobile, citizen.national_code, citizen.first_name, citizen.last_name], ['09135556677', nationalCode('208765432'), 'رضا', 'حسینی']);
  // The applying form, filled in by the clerk.
  r = await clerk.post(`/applications/${id}/edit`, `/applications/${id}/edit`, { parcel_code: '۱۲-۳۴-۵۶' });
  assert.equal(r.statusCode, 303, r.body.slice(0, 500));
  const review = await clerk.get(`/applications/${id}/review`);
  const submitKey = review.body.match(/name="submit_key" value="([^"]+)"/)![1]!;
  r = await clerk.post(`/applications/${id}/review`, `/applications/${id}/submit`, { submit_key: submitKey });
  assert.equal(r.statusCode, 303);
  row = await appRow(id);
  assert.deepEqual([row.channel, row.phase, row.state], ['counter', 'open', 'submitted']);
  assert.match(row.tracking_code!, /^SARI-\d{4}-\d{6}$/);
  await drainOutbox(t);
  const sms = t.sms.sent.find((m) => m.to === '09135556677' && 'text' in m && m.text.includes(row.tracking_code!));
  assert.ok(sms, 'the citizen got the tracking code by SMS');
  // The counter channel shows in the inbox filter.
  const list = await api('GET', '/api/v1/inbox?channel=counter', 'sari.clerk');
  assert.ok(list.json().items.some((i: { id: string; channel: string }) => i.id === id && i.channel === 'counter'));
  // The case page knows it was filed in person.
  assert.match((await clerk.get(`/staff/applications/${id}`)).body, /حضوری \(پیشخوان\)/);
});

test('the counter API files and submits in one call for a known citizen; every answer is checked first', async () => {
  const before = await t.deps.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const bad = await api('POST', '/api/v1/counter/applications', 'sari.clerk', { org: 'sari', service: def.code, citizen: { mobile: '09121234000' }, values: {}, submit_key: 'counter-key-0001' });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.json().error.fields.parcel_code);
  const after = await t.deps.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(after.n), Number(before.n), 'nothing was written');
  const r = await api('POST', '/api/v1/counter/applications', 'sari.clerk', { org: 'sari', service: def.code, citizen: { mobile: '09121234000' }, values: { parcel_code: '7-8-9' }, submit_key: 'counter-key-0002' });
  assert.equal(r.statusCode, 201, r.body);
  const body = r.json();
  assert.equal(body.channel, 'counter');
  assert.equal(body.phase, 'open');
  assert.equal(body.citizen.id, citizenId);
  assert.match(body.tracking_code, /^SARI-/);
  await drainOutbox(t);
  assert.ok(t.sms.sent.some((m) => m.to === '09121234000' && 'text' in m && m.text.includes(body.tracking_code)));
  // An inspector does not file at the counter.
  assert.equal((await api('POST', '/api/v1/counter/applications', 'sari.inspector', { org: 'sari', service: def.code, citizen: { mobile: '09121234000' } })).statusCode, 404);
  const refused = await page('/staff/counter', 'sari.inspector');
  assert.equal(refused.statusCode, 403, 'the desk links every staff member to the counter: an inspector is told it is not for their role');
  assert.match(refused.body, /نقش شما این امکان را ندارد/);
  assert.equal((await page('/staff/counter?org=sari', 'sari.inspector')).statusCode, 404);
});
