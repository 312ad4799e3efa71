// "Send to a friend": the form and the API queue a fixed e-mail (title, lead, absolute link,
// the sender's name only as a name) through the outbox; a real SMTP server receives it; bad
// names and addresses are refused naming the field with what was typed kept; limits per
// address (route rate limit and counted shares) and per recipient answer 429; what is not
// public cannot be shared.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainOutbox, FormBrowser, makeOrg, makeTestApp, type TestApp } from '../../../test/helpers.js';
import { OutboxWorker } from '../../platform/outbox/index.js';
import { messageHandlers } from '../messages/handlers.js';
import { SmtpEmailChannel } from '../../platform/notify/smtp.js';
import { t as translate } from '../../platform/i18n/messages.js';
import { makeArticle, readMail, startSmtp } from './public-fixtures.js';
import { checkRecipient, checkSenderName, createNewsShare } from './share.js';
import './messages-public.js';

const BASE = 'https://pishkhan.example.ir';
let t: TestApp;
let orgId: string;
const TITLE = 'معرفي سازمان فاواي شهرداري ساري به عنوان سازمان مرجع';
const LEAD = 'سازمان فاوای شهرداری ساری سازمان مرجع شهرداری‌های استان مازندران شد.';
const fa = (key: string, params?: Record<string, string | number>) => translate('fa', key, params);
let ipCounter = 0;
/** A fresh client address, so the route's per-address limit does not mix tests. */
const nextIp = () => `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250 + 1}`;

before(async () => {
  t = await makeTestApp({ PUBLIC_URL: BASE });
  orgId = await makeOrg(t, 'sari-ict', 'ict');
  await makeArticle(t.deps.db, { orgId, code: 4565, title: TITLE, lead: LEAD, bodyHtml: '<p>متن</p>' });
  await makeArticle(t.deps.db, { orgId, code: 4566, title: 'پیش‌نویس', state: 'draft', publishedAt: null });
  await makeArticle(t.deps.db, { orgId, code: 4567, title: 'فردا', state: 'scheduled', publishedAt: t.clock.now() + 30 * 24 * 3_600_000 });
});
after(async () => { await t?.close(); });

/** A visitor's browser from one address. */
class Visitor extends FormBrowser {
  constructor(readonly ip = nextIp()) { super(t); }
  override async get(url: string) {
    const res = await t.app.inject({ method: 'GET', url, headers: { cookie: this.jar.header() }, remoteAddress: this.ip });
    this.jar.take(res);
    return res;
  }
  override async send(url: string, headers: Record<string, string>, payload: string | Buffer) {
    const res = await t.app.inject({ method: 'POST', url, headers: { cookie: this.jar.header(), ...headers }, payload, remoteAddress: this.ip });
    this.jar.take(res);
    return res;
  }
  async share(code: number, fields: Record<string, string>) {
    const csrf = await this.csrf(`/news/${code}`);
    return this.post(`/news/${code}/share`, { _csrf: csrf, ...fields });
  }
}

const emailsTo = async (to: string) =>
  (await t.deps.db.selectFrom('outbox').select(['topic', 'payload']).where('topic', '=', 'email.send').execute())
    .map((r) => JSON.parse(r.payload) as { to: string; subject: string; text: string }).filter((p) => p.to === to);

describe('the form', () => {
  test('queues the fixed e-mail and comes back to the article with a confirmation', async () => {
    const v = new Visitor();
    const r = await v.share(4565, { sender_name: 'مریم رضایی', recipient_email: 'Friend.One@Example.com' });
    assert.equal(r.statusCode, 303, r.body);
    assert.equal(r.headers.location, '/news/4565?shared=1#share');
    const page = await v.get('/news/4565?shared=1');
    assert.ok(page.body.includes(fa('newsp.share.sent_generic')));
    const [mail, ...more] = await emailsTo('friend.one@example.com');
    assert.equal(more.length, 0);
    assert.ok(mail!.subject.includes(TITLE));
    assert.ok(mail!.text.includes(TITLE) && mail!.text.includes(LEAD) && mail!.text.includes(`${BASE}/news/4565`));
    assert.ok(mail!.text.startsWith('مریم رضایی '));
    const shares = await t.deps.db.selectFrom('news_shares').selectAll().execute();
    assert.equal(shares.length, 1);
    assert.ok(!JSON.stringify(shares).includes('example.com'), 'only hashes are kept in news_shares');
  });

  test('a bad address is refused naming the field, keeping what was typed', async () => {
    for (const bad of ['not-an-address', 'a@b', 'a b@example.com', 'x@example.com\r\nBcc: victim@example.com', 'a@example.com, b@example.com']) {
      const r = await new Visitor().share(4565, { sender_name: 'علی', recipient_email: bad });
      assert.equal(r.statusCode, 400, bad);
      assert.ok(r.body.includes(fa('newsp.share.email_invalid')), bad);
      assert.ok(r.body.includes('id="f-recipient_email-error"'));
      assert.ok(r.body.includes('value="علی"'), 'the name is kept');
    }
    const v = new Visitor();
    const r = await v.share(4565, { sender_name: 'علی', recipient_email: 'wrong@' });
    assert.ok(r.body.includes('value="wrong@"'), 'the address is kept');
    const en = await v.share(4565, { sender_name: 'Ali', recipient_email: '' }).then(() => v.get('/lang/en?next=/news/4565'))
      .then(() => v.share(4565, { sender_name: 'Ali', recipient_email: 'bad' }));
    assert.ok(en.body.includes("The recipient&#39;s e-mail address is not valid") || en.body.includes("The recipient's e-mail address is not valid"), 'in English');
    assert.equal((await emailsTo('a@b')).length, 0);
  });

  test('a name with a link, an address or a line break is refused: the form is no relay', async () => {
    for (const name of ['Win money at http://spam.example', 'www.spam.ir', 'visit spam.com now', 'a@b.co', 'علی\nBuy now', 'x'.repeat(61), '<b>Ali</b>', ' ']) {
      const r = await new Visitor().share(4565, { sender_name: name, recipient_email: 'friend.two@example.com' });
      assert.equal(r.statusCode, 400, JSON.stringify(name));
      assert.ok(r.body.includes('id="f-sender_name-error"'), JSON.stringify(name));
    }
    assert.equal((await emailsTo('friend.two@example.com')).length, 0);
  });

  test('only the two fields reach the e-mail: extra fields are ignored', async () => {
    const v = new Visitor();
    const r = await v.share(4565, { sender_name: 'سارا', recipient_email: 'friend.three@example.com', message: 'BUY CHEAP PILLS', subject: 'spam', body: 'spam' });
    assert.equal(r.statusCode, 303);
    const [mail] = await emailsTo('friend.three@example.com');
    assert.ok(!mail!.text.includes('PILLS') && !mail!.subject.includes('spam') && !mail!.text.includes('spam'));
  });

  test('per recipient: after 3 in an hour, 429 with a localized message', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await new Visitor().share(4565, { sender_name: 'نام', recipient_email: 'target@example.com' })).statusCode, 303);
    const r = await new Visitor().share(4565, { sender_name: 'نام', recipient_email: 'TARGET@example.com' });
    assert.equal(r.statusCode, 429);
    assert.ok(r.body.includes(fa('newsp.share.too_many_recipient')));
    assert.ok(r.body.includes('value="TARGET@example.com"'), 'the form keeps what was typed');
    assert.equal((await emailsTo('target@example.com')).length, 3);
    t.clock.advance(3_600_000 + 1000);
    assert.equal((await new Visitor().share(4565, { sender_name: 'نام', recipient_email: 'target@example.com' })).statusCode, 303, 'an hour later');
  });

  test('per address: the route limit answers 429 after 10 posts a minute', async () => {
    const v = new Visitor();
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await v.share(4565, { sender_name: 'نام', recipient_email: `burst${i}@example.com` })).statusCode);
    assert.deepEqual(codes, [...Array(10).fill(303), 429]);
    const other = new Visitor();
    assert.equal((await other.share(4565, { sender_name: 'نام', recipient_email: 'burst9@example.com' })).statusCode, 303, 'another address is not limited');
  });

  test('drafts and not-yet-due articles cannot be shared; a bad code is 404; no CSRF token is 403', async () => {
    const v = new Visitor();
    const csrf = await v.csrf('/news/4565');
    for (const code of ['4566', '4567', '99999', 'abc']) {
      const r = await v.post(`/news/${code}/share`, { _csrf: csrf, sender_name: 'نام', recipient_email: 'x@example.com' });
      assert.equal(r.statusCode, 404, code);
    }
    const r = await t.app.inject({ method: 'POST', url: '/news/4565/share', payload: 'sender_name=a&recipient_email=x%40example.com', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: nextIp() });
    assert.equal(r.statusCode, 403);
    assert.equal((await emailsTo('x@example.com')).length, 0);
  });
});

describe('the API', () => {
  const post = (code: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/v1/news/${code}/share`, payload: payload as object, headers, remoteAddress: nextIp() });

  test('202 and the e-mail is queued', async () => {
    const r = await post('4565', { sender_name: 'Reza', recipient_email: 'api.friend@example.com' });
    assert.equal(r.statusCode, 202, r.body);
    assert.deepEqual(r.json(), { sent: true });
    assert.equal((await emailsTo('api.friend@example.com')).length, 1);
  });

  test('400 naming the field, in the asked language; 404 for what is not public', async () => {
    const r = await post('4565', { sender_name: 'see https://x.io', recipient_email: 'nope' }, { 'accept-language': 'en' });
    assert.equal(r.statusCode, 400);
    const e = r.json().error;
    assert.match(e.fields.sender_name, /just a name/);
    assert.match(e.fields.recipient_email, /not valid/);
    const missing = await post('4565', {});
    assert.equal(missing.statusCode, 400);
    assert.ok(missing.json().error.fields.sender_name && missing.json().error.fields.recipient_email);
    assert.equal((await post('4566', { sender_name: 'نام', recipient_email: 'a@example.com' })).statusCode, 404);
    assert.equal((await post('abc', { sender_name: 'نام', recipient_email: 'a@example.com' })).statusCode, 404);
  });
});

describe('the limits and the checks', () => {
  test('per address per hour is counted in news_shares (across processes)', async () => {
    const sharing = createNewsShare({ db: t.deps.db, clock: t.clock, secret: 'x'.repeat(32), publicUrl: BASE, limits: { perIpPerMinute: 100, perIpPerHour: 2, perRecipientPerHour: 10, perRecipientPerDay: 10 } });
    const from = { ip: '192.0.2.77', locale: 'fa' as const };
    await sharing.share(4565, { sender_name: 'نام', recipient_email: 'h1@example.com' }, from);
    await sharing.share(4565, { sender_name: 'نام', recipient_email: 'h2@example.com' }, from);
    await assert.rejects(sharing.share(4565, { sender_name: 'نام', recipient_email: 'h3@example.com' }, from), (e: { status: number; code: string }) => e.status === 429 && e.code === 'newsp.share.too_many_ip');
    await sharing.share(4565, { sender_name: 'نام', recipient_email: 'h3@example.com' }, { ...from, ip: '192.0.2.78' });
  });

  test('per recipient per day', async () => {
    const sharing = createNewsShare({ db: t.deps.db, clock: t.clock, secret: 'y'.repeat(32), publicUrl: BASE, limits: { perIpPerMinute: 100, perIpPerHour: 100, perRecipientPerHour: 100, perRecipientPerDay: 2 } });
    for (let i = 0; i < 2; i++) {
      await sharing.share(4565, { sender_name: 'نام', recipient_email: 'daily@example.com' }, { ip: `198.51.100.${i}`, locale: 'fa' });
      t.clock.advance(2 * 3_600_000);
    }
    await assert.rejects(sharing.share(4565, { sender_name: 'نام', recipient_email: 'daily@example.com' }, { ip: '198.51.100.9', locale: 'fa' }), (e: { status: number }) => e.status === 429);
  });

  test('names and addresses', () => {
    assert.deepEqual(checkSenderName('  مريم   رضايي '), { name: 'مریم رضایی' });
    assert.deepEqual(checkSenderName('Dr. Ali Smith'), { name: 'Dr. Ali Smith' });
    for (const bad of ['http://x', 'HTTPS://X.IR', 'go to bit.ly/abc', 'ftp://a', 'a\u2028b', 'tab\there', 'برو به پیشخوان.ایران', 'xn--mgba3a4f16a']) assert.ok('error' in checkSenderName(bad), bad);
    assert.deepEqual(checkSenderName('زهرا احمدی‌نژاد'), { name: 'زهرا احمدی‌نژاد' });
    // One letter is too short, and the message says so (not "write the name").
    assert.deepEqual(checkSenderName('a'), { error: 'newsp.share.name_short' });
    assert.deepEqual(checkSenderName('  '), { error: 'newsp.share.name_required' });
    assert.deepEqual(checkRecipient(' A.B+news@Mail.Example.IR '), { email: 'a.b+news@mail.example.ir' });
    for (const bad of ['a@b', 'a..b@example.com', '"quoted"@example.com', 'a@-example.com', `${'a'.repeat(250)}@example.com`]) assert.ok('error' in checkRecipient(bad), bad);
  });
});

test('the e-mail arrives at a real SMTP server with the title, lead and absolute link, and nothing chosen by the sender but the name', async (tc) => {
  const smtp = await startSmtp();
  tc.after(() => smtp.close());
  const channel = new SmtpEmailChannel({ smtpUrl: smtp.url, from: 'پیشخوان <no-reply@pishkhan.example.ir>', timeoutMs: 5000 });
  tc.after(() => channel.close());
  await drainOutbox(t); // earlier tests' messages go to the capturing channel
  const v = new Visitor();
  const r = await v.share(4565, { sender_name: 'حمید', recipient_email: 'smtp.friend@example.com', comment: 'CLICK http://evil.example now' });
  assert.equal(r.statusCode, 303, r.body);
  const worker = new OutboxWorker(t.deps.db, messageHandlers({ db: t.deps.db, sms: t.sms, email: channel, clock: t.clock, redactSecrets: false }), { clock: t.clock });
  assert.equal(await worker.runOnce(), 1);
  assert.equal(smtp.messages.length, 1);
  const got = smtp.messages[0]!;
  assert.deepEqual(got.rcpt, ['smtp.friend@example.com']);
  const mail = readMail(got.raw);
  assert.equal(mail.subject, `خبری از پیشخوان: ${TITLE}`);
  assert.ok(mail.text.includes(TITLE), mail.text);
  assert.ok(mail.text.includes(LEAD));
  assert.ok(mail.text.includes(`${BASE}/news/4565`));
  assert.ok(mail.text.includes('حمید'));
  assert.ok(!mail.text.includes('evil') && !got.raw.includes('evil'));
  // Every line is the template's, the article's, or the name: nothing else.
  const expected = fa('newsp.share.email_text', { name: 'حمید', title: TITLE, lead: LEAD, link: `${BASE}/news/4565`, code: '۴۵۶۵' });
  assert.equal(mail.text, expected);
  // The only URL in the message is the article's.
  assert.deepEqual(mail.text.match(/https?:\/\/\S+/g), [`${BASE}/news/4565`]);
});
