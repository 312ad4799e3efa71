// Which services announce which webhook events, with what payload and ordering key, written in
// the same transaction as the change (a refused change announces nothing): city problem reports
// (filed, state changed, commented) and news (published by an editor, and by the scheduler).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStaff, makeTestApp, type TestApp } from '../../../test/helpers.js';
import type { Actor } from '../../platform/core/index.js';
import { makeMunicipalities, PLACES } from '../grievances/test-factories.js';
import { EVENT_TYPES } from '../../platform/webhooks/events.js';
import { createWebhooksService } from './webhooks-service.js';
import { sandboxDecide } from '../../platform/payments/index.js';
import { makeCitizen, nationalCode } from '../applications/test-factories.js';
import { adoptBuildingPermit, applicationAwaitingPayment, staffActor } from '../payments/test-factories.js';

let t: TestApp;
let org: Record<string, string>;
let citizen: Actor;
let clerk: Actor;
let admin: Actor;
let subId = '';

before(async () => {
  t = await makeTestApp();
  org = await makeMunicipalities(t, ['babol', 'sari']);
  citizen = { kind: 'citizen', id: await makeCitizen(t.deps.db, '09351112299') };
  const c = await makeStaff(t, 'babol.clerk', [{ orgId: org.babol!, role: 'clerk' }]);
  const a = await makeStaff(t, 'babol.admin', [{ orgId: org.babol!, role: 'org_admin' }]);
  clerk = { kind: 'staff', id: c.id, memberships: [{ orgId: org.babol!, orgCode: 'babol', role: 'clerk' }] };
  admin = { kind: 'staff', id: a.id, memberships: [{ orgId: org.babol!, orgCode: 'babol', role: 'org_admin' }] };
  const webhooks = createWebhooksService({ db: t.deps.db, clock: t.clock, isProduction: false });
  subId = (await webhooks.create(admin, 'babol', { url: 'https://receiver.example.ir/hooks', event_types: [...EVENT_TYPES] })).subscription.id;
});
after(async () => { await t.close(); });

async function deliveries() {
  const rows = await t.deps.db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', subId).orderBy('seq').execute();
  return rows.map((r) => ({ type: r.event_type, key: r.ordering_key, body: JSON.parse(r.payload) as { type: string; org: string; data: Record<string, unknown> } }));
}

test('reports: filed, state changed and commented each announce themselves, keyed by the report; a refused change announces nothing', async () => {
  const report = await t.deps.services.grievances.file(citizen, { category: 'pothole', description: 'چاله بزرگ در خیابان اصلی', ...PLACES.babol });
  await t.deps.services.grievances.changeState(clerk, report.id, { state: 'in_progress' });
  await t.deps.services.grievances.comment(clerk, report.id, { comment: 'اکیپ اعزام شد', internal: true });
  await assert.rejects(t.deps.services.grievances.changeState(clerk, report.id, { state: 'received' as 'in_progress' }));
  // A report of Sari reaches no subscription of Babol.
  await t.deps.services.grievances.file(citizen, { category: 'pothole', description: 'چاله دیگری در ساری', ...PLACES.sari });
  const got = await deliveries();
  assert.deepEqual(got.map((d) => d.type), ['report.created', 'report.updated', 'report.updated']);
  assert.ok(got.every((d) => d.key === report.id && d.body.org === 'babol'));
  assert.deepEqual(got[0]!.body.data, {
    report_id: report.id, tracking_code: report.tracking_code, category: 'pothole', state: 'received', due_at: new Date(report.due_at).toISOString(),
    source: 'web', created_at: new Date(t.clock.now()).toISOString(),
  });
  assert.deepEqual([got[1]!.body.data.change, got[1]!.body.data.from, got[1]!.body.data.state], ['state', 'received', 'in_progress']);
  assert.deepEqual([got[2]!.body.data.change, got[2]!.body.data.internal], ['comment', true]);
  assert.ok(!JSON.stringify(got).includes('09351112299'), 'no citizen contact in any payload');
  assert.ok(!JSON.stringify(got).includes('اکیپ'), 'no comment text in any payload');
});

test('news: publishing by an editor and by the scheduler each announce article.published once', async () => {
  const before = (await deliveries()).length;
  const news = t.deps.services.news;
  const a = await news.create(admin, 'babol', { title: 'افتتاح پیشخوان', lead: 'خلاصه', body: 'متن', body_format: 'markdown' }, 'draft');
  await news.act(admin, 'babol', a.code, 'publish');
  await news.act(admin, 'babol', a.code, 'publish');
  const b = await news.create(admin, 'babol', { title: 'خبر زمان‌بندی‌شده', lead: 'خلاصه', body: 'متن', body_format: 'markdown' }, 'draft');
  const tomorrow = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', { timeZone: 'Asia/Tehran', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(t.clock.now() + 86_400_000).reduce((o, p) => ({ ...o, [p.type]: p.value }), {} as Record<string, string>);
  await news.act(admin, 'babol', b.code, 'schedule', { date: `${tomorrow.year!.replace(/\D/g, '')}/${tomorrow.month}/${tomorrow.day}`, time: '10:00' });
  assert.equal((await deliveries()).length, before + 1, 'scheduling announces nothing yet');
  t.clock.advance(2 * 86_400_000);
  assert.equal(await t.deps.newsScheduler.runOnce(), 1);
  const got = (await deliveries()).slice(before);
  assert.deepEqual(got.map((d) => [d.type, d.body.data.code, d.body.data.path]), [['article.published', a.code, `/news/${a.code}`], ['article.published', b.code, `/news/${b.code}`]]);
  assert.equal(got[1]!.body.data.title, 'خبر زمان‌بندی‌شده');
  assert.equal(got[1]!.body.data.lang, 'fa');
});

test('payments: a verified payment announces payment.verified between the state changes of its application, all keyed by the application', async () => {
  await adoptBuildingPermit(t, org.sari!);
  const sariAdmin: Actor = { kind: 'staff', id: (await makeStaff(t, 'sari.admin', [{ orgId: org.sari!, role: 'org_admin' }])).id, memberships: [{ orgId: org.sari!, orgCode: 'sari', role: 'org_admin' }] };
  const webhooks = createWebhooksService({ db: t.deps.db, clock: t.clock, isProduction: false });
  const sub = (await webhooks.create(sariAdmin, 'sari', { url: 'https://receiver.example.ir/sari', event_types: ['application.submitted', 'application.state_changed', 'payment.verified'] })).subscription.id;
  const owner: Actor = { kind: 'citizen', id: await makeCitizen(t.deps.db, '09121110077', { nationalCode: nationalCode('002345678') }) };
  const appId = await applicationAwaitingPayment(t, { citizen: owner, orgCode: 'sari', clerk: await staffActor(t, org.sari!, 'sari', ['clerk']), inspector: await staffActor(t, org.sari!, 'sari', ['inspector']) });
  const payments = t.deps.services.payments;
  const bill = (await payments.billsForApplication(owner, appId))[0]!;
  const started = await payments.startPayment(owner, [bill.id], `/my/applications/${appId}`);
  const back = new URL((await sandboxDecide(t.deps.db, started.redirectUrl.split('/').pop()!, 'pay', t.clock.now()))!, 'https://pishkhan.example.ir');
  const outcome = await payments.handleCallback(owner, { authority: back.searchParams.get('Authority')!, status: back.searchParams.get('Status')! });
  assert.equal(outcome.result, 'paid');
  const rows = await t.deps.db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', sub).orderBy('seq').execute();
  assert.deepEqual(rows.map((r) => r.event_type), ['application.submitted', 'application.state_changed', 'application.state_changed', 'payment.verified', 'application.state_changed']);
  assert.ok(rows.every((r) => r.ordering_key === appId));
  const paid = JSON.parse(rows[3]!.payload) as { data: Record<string, unknown> };
  assert.equal(paid.data.payment_id, started.paymentId);
  assert.equal(paid.data.amount_rials, bill.amount);
  assert.deepEqual(paid.data.application_ids, [appId]);
  assert.deepEqual(paid.data.bills, [bill.billCode]);
  assert.equal(JSON.parse(rows[4]!.payload).data.by, 'payment');
  assert.ok(!rows.some((r) => r.payload.includes('002345678')), 'no national code in any payload');
});
