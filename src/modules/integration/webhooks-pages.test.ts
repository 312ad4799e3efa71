// The staff pages of webhooks (/staff/webhooks and a subscription's page) on a real database:
// an org admin subscribes through the form (the secret shown once, in that answer only), sees
// a field error beside the field with what was typed kept, pauses, rotates, redelivers and
// deletes; another municipality's admin, a clerk and visitors are refused and change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormBrowser, makeOrg, makeStaff, makeTestApp, signInStaff, type TestApp } from '../../../test/helpers.js';
import { inTransaction } from '../../platform/db/index.js';
import { enqueueDelivery } from '../../platform/webhooks/deliver.js';

let t: TestApp;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
const browser = (who?: string) => new FormBrowser(t, who ? tokens[who] : undefined);

async function post(who: string | undefined, url: string, fields: Record<string, string | string[]>, from = '/staff/webhooks?org=sari') {
  const b = browser(who);
  const token = who ? await b.csrf(from) : 'none';
  return b.post(url, { _csrf: token, ...fields });
}
const subs = () => t.deps.db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').execute();

before(async () => {
  t = await makeTestApp();
  ids.sari = await makeOrg(t, 'sari');
  ids.babol = await makeOrg(t, 'babol');
  for (const [username, org, role] of [['sari.admin', 'sari', 'org_admin'], ['babol.admin', 'babol', 'org_admin'], ['sari.clerk', 'sari', 'clerk']] as const) {
    const { password } = await makeStaff(t, username, [{ orgId: ids[org]!, role }]);
    tokens[username] = await signInStaff(t, username, password);
  }
});
after(async () => { await t.close(); });

test('the staff desk links to webhooks for org admins only', async () => {
  const admin = await browser('sari.admin').get('/staff');
  assert.match(admin.body, /href="\/staff\/webhooks"/);
  const clerk = await browser('sari.clerk').get('/staff');
  assert.doesNotMatch(clerk.body, /href="\/staff\/webhooks"/);
});

test('a bad address or no event: the form again with the message beside the field and the typed values', async () => {
  const res = await post('sari.admin', '/staff/webhooks', { org: 'sari', url: 'ftp://example.ir/x', description: 'بایگانی', event_types: 'report.created' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /id="wh-url-error"[^>]*>[^<]*https:\/\//);
  assert.match(res.body, /value="ftp:\/\/example.ir\/x"/);
  assert.match(res.body, /value="report.created"[^>]*checked|checked[^>]*value="report.created"/);
  const none = await post('sari.admin', '/staff/webhooks', { org: 'sari', url: 'https://example.ir/x' });
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /id="wh-event_types-error"/);
  assert.equal((await subs()).length, 0);
});

test('an org admin subscribes on the page: the secret appears once; pause, resume, rotate, redeliver and delete work and are audited', async () => {
  const res = await post('sari.admin', '/staff/webhooks', { org: 'sari', url: 'https://receiver.example.ir/hooks', description: 'بایگانی', event_types: ['application.submitted', 'report.created'] });
  assert.equal(res.statusCode, 201, res.body.slice(0, 500));
  const [sub] = await subs();
  assert.ok(sub);
  assert.deepEqual(JSON.parse(sub.event_types), ['application.submitted', 'report.created']);
  assert.ok(res.body.includes(sub.secret), 'the new secret is on the answer');
  const later = await browser('sari.admin').get(`/staff/webhooks/${sub.id}?org=sari`);
  assert.equal(later.statusCode, 200);
  assert.ok(!later.body.includes(sub.secret), 'and never again');
  const list = await browser('sari.admin').get('/staff/webhooks?org=sari');
  assert.match(list.body, /receiver\.example\.ir\/hooks/);

  const from = `/staff/webhooks/${sub.id}?org=sari`;
  const paused = await post('sari.admin', `/staff/webhooks/${sub.id}/pause`, { org: 'sari' }, from);
  assert.equal(paused.statusCode, 303);
  assert.equal((await subs())[0]!.active, 0);
  await post('sari.admin', `/staff/webhooks/${sub.id}/resume`, { org: 'sari' }, from);
  assert.equal((await subs())[0]!.active, 1);
  const rotated = await post('sari.admin', `/staff/webhooks/${sub.id}/rotate`, { org: 'sari' }, from);
  assert.equal(rotated.statusCode, 200);
  const newSecret = (await subs())[0]!.secret;
  assert.notEqual(newSecret, sub.secret);
  assert.ok(rotated.body.includes(newSecret));

  // A failed delivery in the log, sent again from the page.
  const deliveryId = await inTransaction(t.deps.db, (tx) => enqueueDelivery(tx, { orgId: ids.sari!, url: sub.url, secret: '', subscriptionId: sub.id, eventType: 'report.created', payload: { id: 'e1', type: 'report.created' } }, t.clock.now()));
  await t.deps.db.updateTable('webhook_deliveries').set({ state: 'failed', attempts: 6, last_status_code: 500 }).where('id', '=', deliveryId).execute();
  const log = await browser('sari.admin').get(from);
  assert.match(log.body, new RegExp(`delivery-${deliveryId}`));
  const redo = await post('sari.admin', `/staff/webhooks/${sub.id}/deliveries/${deliveryId}/redeliver`, { org: 'sari' }, from);
  assert.equal(redo.statusCode, 303);
  assert.equal((await t.deps.db.selectFrom('webhook_deliveries').select('state').where('id', '=', deliveryId).executeTakeFirstOrThrow()).state, 'pending');

  const edited = await post('sari.admin', `/staff/webhooks/${sub.id}`, { org: 'sari', url: 'https://receiver.example.ir/v2', description: '', event_types: 'article.published' }, from);
  assert.equal(edited.statusCode, 303);
  assert.equal((await subs())[0]!.url, 'https://receiver.example.ir/v2');
  const removed = await post('sari.admin', `/staff/webhooks/${sub.id}/delete`, { org: 'sari' }, from);
  assert.equal(removed.statusCode, 303);
  assert.ok((await subs())[0]!.deleted_at);
  const actions = (await t.deps.db.selectFrom('audit_log').select('action').where('action', 'like', 'webhook.%').orderBy('seq').execute()).map((a) => a.action);
  assert.deepEqual(actions, ['webhook.created', 'webhook.paused', 'webhook.resumed', 'webhook.secret_rotated', 'webhook.redelivered', 'webhook.updated', 'webhook.deleted']);
});

test("Babol's admin, a clerk and visitors cannot open or change Sari's webhooks; nothing changes", async () => {
  const res = await post('sari.admin', '/staff/webhooks', { org: 'sari', url: 'https://receiver.example.ir/keep', event_types: 'report.created' });
  assert.equal(res.statusCode, 201);
  const sub = (await subs()).find((s) => s.deleted_at === null)!;
  const before = JSON.stringify(await subs());
  const auditBefore = (await t.deps.db.selectFrom('audit_log').select('seq').execute()).length;
  for (const who of ['babol.admin', 'sari.clerk']) {
    assert.equal((await browser(who).get('/staff/webhooks?org=sari')).statusCode, 404, who);
    assert.equal((await browser(who).get(`/staff/webhooks/${sub.id}?org=sari`)).statusCode, 404, who);
    assert.equal((await browser(who).get(`/staff/webhooks/${sub.id}?org=babol`)).statusCode, 404, who);
    for (const path of ['', '/pause', '/rotate', '/delete']) {
      const r = await post(who, `/staff/webhooks/${sub.id}${path}`, { org: 'sari', url: 'https://evil.example/x', event_types: 'report.created' }, '/staff');
      assert.equal(r.statusCode, 404, `${who} ${path}`);
    }
    const create = await post(who, '/staff/webhooks', { org: 'sari', url: 'https://evil.example/x', event_types: 'report.created' }, '/staff');
    assert.equal(create.statusCode, 404, who);
  }
  const visitor = await browser().get('/staff/webhooks?org=sari');
  assert.equal(visitor.statusCode, 303);
  assert.match(String(visitor.headers.location), /^\/staff\/login/);
  assert.equal(JSON.stringify(await subs()), before);
  assert.equal((await t.deps.db.selectFrom('audit_log').select('seq').execute()).length, auditBefore);
});
