// A small province for the security tests: the demo seed (organizations, staff, catalog,
// categories, council, news, agencies) plus, in organization A (sari), a citizen's submitted
// application with documents and a bill, a payment, a city problem report with a photo, staff
// notes, a news article with an image, an API client and a webhook; organization B (babol) gets
// its own staff, client and key. Every text a user enters carries `text` (the XSS payload when
// the caller gives one), so the same world serves the XSS and the IDOR sweeps.
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { randomBytes } from 'node:crypto';
import { drainOutbox, makeTestApp, signInCitizen, signInStaff, type TestApp } from '../../helpers.js';
import { seedDemo } from '../../../src/modules/orgs/seed.js';
import { buildingPermitAnswers, samplePdf, samplePng } from '../../../src/modules/applications/test-factories.js';
import type { Actor } from '../../../src/platform/core/index.js';
import { API_SCOPES } from '../../../src/platform/auth/api-keys.js';

export interface World {
  t: TestApp;
  /** Bearer session tokens by name: staff usernames, and the citizens 'alice' (A's applicant) and 'bob'. */
  tokens: Record<string, string>;
  passwords: Record<string, string>;
  /** Ids and codes of A's rows (and a few of B's), by name. */
  ids: Record<string, string>;
  /** API keys by name: 'keyA' (sari), 'keyB' (babol), every scope. */
  keys: Record<string, string>;
  bearer(who: string): Record<string, string>;
  api(method: string, url: string, who: string, payload?: unknown): Promise<{ statusCode: number; body: string; json(): any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test replies of many shapes
}

export const MOBILES = { alice: '09121110001', bob: '09121110002' } as const;

/** A multipart body of fields and one file. */
export function multipart(fields: Record<string, string>, file?: { name?: string; filename: string; content: Buffer; type?: string }) {
  const boundary = `----pksec${randomBytes(6).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name ?? 'file'}"; filename="${file.filename}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`), file.content, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const STAFF = ['province.admin', 'council.member', 'sari-ict.author', 'sari.admin', 'sari.clerk', 'sari.inspector', 'sari.manager', 'sari.pr', 'babol.admin', 'babol.clerk'];

export async function makeWorld(opts: { text?: (field: string) => string; env?: Record<string, string> } = {}): Promise<World> {
  const text = opts.text ?? ((f: string) => `متن ${f}`);
  const t = await makeTestApp(opts.env);
  const seeded = await seedDemo(t.deps.db, t.deps.services.identity, t.clock.now());
  const passwords: Record<string, string> = {};
  for (const a of seeded.accounts) passwords[a.username] = a.password;
  const tokens: Record<string, string> = {};
  for (const u of STAFF) tokens[u] = await signInStaff(t, u, passwords[u]!);
  for (const [who, mobile] of Object.entries(MOBILES)) tokens[who] = await signInCitizen(t, mobile);
  const bearer = (who: string): Record<string, string> => (who === 'anonymous' ? {} : { authorization: `Bearer ${tokens[who] ?? keys[who]}` });
  const keys: Record<string, string> = {};
  const api = async (method: string, url: string, who: string, payload?: unknown) =>
    t.app.inject({ method: method as 'GET', url, headers: bearer(who), ...(payload === undefined ? {} : { payload: payload as object }) });
  const ok = async (what: string, p: Promise<{ statusCode: number; body: string }>, status = [200, 201]) => {
    const r = await p;
    assert.ok(status.includes(r.statusCode), `${what}: ${r.statusCode} ${r.body.slice(0, 400)}`);
    return JSON.parse(r.body || '{}');
  };
  const ids: Record<string, string> = {};
  const db = t.deps.db;
  const orgId = async (code: string) => (await db.selectFrom('orgs').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
  ids.orgA = await orgId('sari');
  ids.orgB = await orgId('babol');

  // Citizens: profiles (names shown to staff).
  await ok('alice profile', api('PUT', '/api/v1/me/profile', 'alice', { national_code: '0012345679', first_name: text('first_name'), last_name: text('last_name'), email: 'alice@example.org' }), [200, 400]);
  await ok('bob profile', api('PUT', '/api/v1/me/profile', 'bob', { national_code: '0084575948', first_name: 'بابک', last_name: 'نیکو' }));
  for (const who of ['alice', 'bob']) ids[`${who}Id`] = (await db.selectFrom('citizens').select('id').where('mobile', '=', MOBILES[who as 'alice']).executeTakeFirstOrThrow()).id;

  // Alice's building permit in A: answers with the payload in the free-text fields, documents, submitted,
  // accepted, approved: a bill waits for payment; a payment started.
  const apps = t.deps.services.applications;
  const alice: Actor = { kind: 'citizen', id: ids.aliceId! };
  const draft = await apps.startDraft(alice, 'sari', 'building-permit', 'web');
  ids.app = draft.id;
  const answers = buildingPermitAnswers({ address: `ساری خیابان فرهنگ ${text('address')}`.slice(0, 300), registration_plate: text('registration_plate').slice(0, 60) });
  let saved = await apps.saveDraft(alice, draft.id, answers, { mode: 'replace', complete: true });
  if (Object.keys(saved.errors).length) saved = await apps.saveDraft(alice, draft.id, buildingPermitAnswers(), { mode: 'replace', complete: true });
  assert.deepEqual(saved.errors, {});
  for (const key of ['deed', 'national_card', 'architectural_plans', 'structural_plans', 'supervision_contract']) {
    const d = await apps.uploadDocument(alice, draft.id, key, { filename: `${key}.pdf`, content: samplePdf() });
    if (key === 'deed') ids.doc = (d as { id: string }).id;
  }
  const submitted = await apps.submit(alice, draft.id, `security-${randomBytes(6).toString('hex')}`);
  ids.tracking = (submitted as unknown as { tracking_code: string }).tracking_code ?? (await db.selectFrom('applications').select('tracking_code').where('id', '=', draft.id).executeTakeFirstOrThrow()).tracking_code!;
  await ok('staff note', api('POST', `/api/v1/applications/${ids.app}/notes`, 'sari.clerk', { text: text('staff_note') }));
  await ok('accept', api('POST', `/api/v1/applications/${ids.app}/actions`, 'sari.clerk', { action: 'accept', comment: text('staff_comment') }));
  t.clock.advance(1000);
  await ok('approve', api('POST', `/api/v1/applications/${ids.app}/actions`, 'sari.inspector', { action: 'approve', comment: text('inspector_comment') }));
  const bills = await ok('bills', api('GET', `/api/v1/applications/${ids.app}/bills`, 'alice'));
  ids.bill = bills.items[0].id;
  const pay = await ok('pay', api('POST', '/api/v1/payments', 'alice', { bill_ids: [ids.bill], return_to: `/my/applications/${ids.app}` }));
  ids.payment = pay.payment_id ?? pay.id;
  // Bob's own draft in A (another citizen's row of the same org).
  ids.bobApp = (await apps.startDraft({ kind: 'citizen', id: ids.bobId! }, 'sari', 'building-permit', 'web')).id;

  // A city problem report of Alice in A, with a photo, a public and an internal staff comment.
  const place = await db.selectFrom('orgs').select(['lat', 'lng']).where('code', '=', 'sari').executeTakeFirstOrThrow();
  const rep = await ok('report', api('POST', '/api/v1/reports', 'alice', { category: 'pothole', description: `چاله بزرگ ${text('report_description')}`.slice(0, 2000), lat: place.lat, lng: place.lng, address: text('report_address').slice(0, 300) }));
  ids.report = rep.id;
  ids.reportCode = rep.tracking_code;
  const photo = multipart({}, { name: 'photos', filename: 'p.png', content: samplePng(), type: 'image/png' });
  await ok('photo', t.app.inject({ method: 'POST', url: `/api/v1/my/reports/${ids.report}/photos`, headers: { ...bearer('alice'), ...photo.headers }, payload: photo.payload }));
  ids.reportPhoto = (await db.selectFrom('report_photos').select('id').where('report_id', '=', ids.report!).executeTakeFirstOrThrow()).id;
  await ok('report comment', api('POST', `/api/v1/reports/${ids.report}/comment`, 'sari.manager', { comment: text('report_comment'), internal: false }));
  await ok('report internal comment', api('POST', `/api/v1/reports/${ids.report}/comment`, 'sari.manager', { comment: text('report_internal'), internal: true }));

  // A published news article of A with an image and its caption.
  const art = await ok('news', api('POST', '/api/v1/orgs/sari/news', 'sari.pr', { title: text('news_title').slice(0, 300), lead: text('news_lead'), body: `**خبر** ${text('news_body')}`, body_format: 'markdown', tags: [text('tag').slice(0, 40), 'ساری'] }));
  ids.news = String(art.code);
  const img = multipart({ caption: text('caption') }, { name: 'image', filename: 'i.png', content: await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366aa' } }).png().toBuffer(), type: 'image/png' });
  const im = await ok('news image', t.app.inject({ method: 'POST', url: `/api/v1/orgs/sari/news/${ids.news}/images`, headers: { ...bearer('sari.pr'), ...img.headers }, payload: img.payload }));
  ids.newsImage = im.id ?? im.image?.id ?? (await db.selectFrom('news_images').select('id').executeTakeFirstOrThrow()).id;
  await ok('publish', api('POST', `/api/v1/orgs/sari/news/${ids.news}/publish`, 'sari.pr', {}));

  // Council: a meeting with a resolution for A.
  const meet = await ok('meeting', api('POST', '/api/v1/council/meetings', 'council.member', {
    held_on: '1405/08/01', title_fa: text('meeting_title').slice(0, 300), orgs_present: ['sari', 'babol'], summary_fa: text('meeting_summary'),
    resolutions: [{ text_fa: text('resolution_text'), responsible_org: 'sari', expected_output_fa: text('resolution_output').slice(0, 1000), deadline: '1405/12/01' }],
  }));
  ids.meeting = String(meet.number);
  ids.resolution = (await db.selectFrom('council_resolutions').select('id').orderBy('created_at', 'desc').executeTakeFirstOrThrow()).id;
  await ok('resolution update', api('POST', `/api/v1/council/resolutions/${ids.resolution}/updates`, 'sari.admin', { progress: 10, note: text('resolution_note') }), [200, 201, 204]);

  // An agency with an external service (province admin).
  const ag = await ok('agency', api('POST', '/api/v1/agencies', 'province.admin', { code: 'secagency', name_fa: text('agency_name').slice(0, 200), name_en: 'Agency', website: 'https://example.org' }));
  ids.agency = ag.code ?? 'secagency';
  await ok('external service', api('POST', `/api/v1/agencies/${ids.agency}/services`, 'province.admin', {
    code: 'secservice', title_fa: text('external_title').slice(0, 200), description_fa: text('external_description'), maturity: 3, url: 'https://example.org/s', category: 'property',
  }));
  ids.externalService = 'secservice';

  // API clients and a webhook of A; a client of B.
  const mkClient = async (org: string, who: string, name: string) => {
    const r = await api('POST', `/api/v1/orgs/${org}/api-clients`, who, { name, scopes: [...API_SCOPES] });
    assert.equal(r.statusCode, 201, r.body);
    const j = r.json() as { client: { id: string }; key: string };
    return { id: j.client.id, key: j.key };
  };
  const ca = await mkClient('sari', 'sari.admin', text('client_name').slice(0, 100));
  ids.clientA = ca.id;
  keys.keyA = ca.key;
  const cb = await mkClient('babol', 'babol.admin', 'Babol archive');
  ids.clientB = cb.id;
  keys.keyB = cb.key;
  const wh = await ok('webhook', api('POST', '/api/v1/orgs/sari/webhooks', 'sari.admin', { url: 'https://example.org/hook', event_types: ['application.submitted'], description: text('webhook_description').slice(0, 1000) }));
  ids.webhook = wh.id;
  await drainOutbox(t);
  ids.delivery = (await db.selectFrom('webhook_deliveries').select('id').executeTakeFirst())?.id ?? '00000000-0000-0000-0000-000000000000';

  return { t, tokens, passwords, ids, keys, bearer, api };
}
