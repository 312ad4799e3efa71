// Test support for levies, clearance certificates and the staff reports: levy bills and paid
// payments as real rows (as the import and the payment core leave them), CSV files, and
// browsers of staff and citizens with their session and CSRF cookies.
import { newId } from '../../platform/core/index.js';
import { CookieJar, csrfFrom, type TestApp } from '../../../test/helpers.js';

let serial = 0;

export interface LevyOptions {
  orgId: string;
  orgCode: string;
  kind?: 'renewal_levy' | 'business_levy';
  nationalCode: string;
  propertyCode?: string | null;
  businessCode?: string | null;
  period?: string;
  amount?: number;
  status?: 'unpaid' | 'paid' | 'cancelled' | 'expired';
  dueAt?: number | null;
  createdAt?: number;
  titleFa?: string;
}

/** A levy bill row with its one item; returns its id and bill code. */
export async function makeLevy(t: TestApp, o: LevyOptions): Promise<{ id: string; billCode: string }> {
  const id = newId();
  serial += 1;
  const kind = o.kind ?? 'renewal_levy';
  const billCode = `${o.orgCode.toUpperCase()}-B-1405-${String(900_000 + serial)}`;
  const now = o.createdAt ?? t.clock.now();
  const amount = o.amount ?? 1_000_000;
  await t.deps.db.insertInto('bills').values({
    id, org_id: o.orgId, kind, bill_code: billCode, application_id: null, citizen_id: null, national_code: o.nationalCode,
    property_code: o.propertyCode ?? (kind === 'renewal_levy' ? `P-${serial}` : null), business_code: o.businessCode ?? (kind === 'business_levy' ? `B-${serial}` : null),
    title_fa: o.titleFa ?? `عوارض آزمایشی ${serial}`, title_en: `Test levy ${serial}`, period: o.period ?? '1405', amount, status: o.status ?? 'unpaid',
    due_at: o.dueAt === undefined ? null : o.dueAt, payment_id: null, import_batch: null, created_at: now, paid_at: o.status === 'paid' ? now : null,
  }).execute();
  await t.deps.db.insertInto('bill_items').values({ id: newId(), bill_id: id, item_key: kind, title_fa: 'عوارض', title_en: 'Levy', amount }).execute();
  return { id, billCode };
}

/**
 * A payment of these bills in the given state, as the payment core leaves it after the bank
 * confirmed it at `verifiedAt` (paid: the bills are marked paid by it). Returns its id.
 */
export async function makePayment(t: TestApp, o: { orgId: string; billIds: string[]; status?: 'paid' | 'pending' | 'failed' | 'refund_due' | 'refunded'; verifiedAt?: number; createdAt?: number; citizenId?: string | null; refId?: string }): Promise<string> {
  const id = newId();
  const status = o.status ?? 'paid';
  const bills = await t.deps.db.selectFrom('bills').select(['id', 'amount']).where('id', 'in', o.billIds).execute();
  const amount = bills.reduce((s, b) => s + Number(b.amount), 0);
  const createdAt = o.createdAt ?? o.verifiedAt ?? t.clock.now();
  const verifiedAt = status === 'pending' || status === 'failed' ? null : o.verifiedAt ?? createdAt;
  await t.deps.db.insertInto('payments').values({
    id, org_id: o.orgId, gateway: 'sandbox', amount, gateway_amount: amount, gateway_currency: 'IRR', status, authority: `A-${id}`, ref_id: o.refId ?? `R${serial++}`,
    card_mask: '6037-99**-****-1234', citizen_id: o.citizenId ?? null, return_to: '/bills', last_error: null, created_at: createdAt, updated_at: verifiedAt ?? createdAt, verified_at: verifiedAt,
  }).execute();
  await t.deps.db.insertInto('payment_bills').values(o.billIds.map((bill_id) => ({ payment_id: id, bill_id }))).execute();
  if (status === 'paid' || status === 'refunded' || status === 'refund_due') {
    if (status === 'paid') await t.deps.db.updateTable('bills').set({ status: 'paid', payment_id: id, paid_at: verifiedAt }).where('id', 'in', o.billIds).execute();
  }
  return id;
}

/** Marks bills paid as the payment core would after a verified payment (a paid payment linked to them). */
export async function payBills(t: TestApp, orgId: string, billIds: string[], at?: number): Promise<string> {
  return makePayment(t, { orgId, billIds, status: 'paid', verifiedAt: at ?? t.clock.now() });
}

/** A CSV file's bytes from rows of cells (quoted where needed), with CRLF line ends and optionally a BOM. */
export function csvBytes(rows: string[][], opts: { bom?: boolean; delimiter?: string } = {}): Buffer {
  const d = opts.delimiter ?? ',';
  const text = rows.map((r) => r.map((c) => (/[",;\t\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(d)).join('\r\n') + '\r\n';
  return Buffer.from((opts.bom ? '\uFEFF' : '') + text, 'utf8');
}

export const LEVY_HEADER = ['kind', 'national_code', 'property_code', 'business_code', 'title', 'period', 'amount_rials', 'due_date'];

/** A browser with a session cookie (token from a sign-in), posting forms with their CSRF token as a browser does. */
export function browserOf(t: TestApp, token?: string) {
  const jar = new CookieJar();
  if (token) jar.take({ headers: { 'set-cookie': `pk_session=${token}; Path=/` } });
  return {
    jar,
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } }),
    async post(formUrl: string, url: string, fields: Record<string, string | string[]>) {
      const token = await csrfFrom(t, jar, formUrl);
      const body = new URLSearchParams({ _csrf: token });
      for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
      const r = await t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
      jar.take(r);
      return r;
    },
    async upload(formUrl: string, url: string, fields: Record<string, string>, file: { name: string; bytes: Buffer }) {
      const token = await csrfFrom(t, jar, formUrl);
      const fd = new FormData();
      fd.append('_csrf', token);
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('file', new Blob([new Uint8Array(file.bytes)], { type: 'text/csv' }), file.name);
      const body = new Response(fd);
      const r = await t.app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': body.headers.get('content-type')! }, payload: Buffer.from(await body.arrayBuffer()) });
      jar.take(r);
      return r;
    },
  };
}

/** A multipart body for the import API: org first, then the file. */
export async function importForm(org: string, file: { name: string; bytes: Buffer }): Promise<{ payload: Buffer; contentType: string }> {
  const fd = new FormData();
  fd.append('org', org);
  fd.append('file', new Blob([new Uint8Array(file.bytes)], { type: 'text/csv' }), file.name);
  const body = new Response(fd);
  return { payload: Buffer.from(await body.arrayBuffer()), contentType: body.headers.get('content-type')! };
}

/** Tehran wall-clock time (UTC+03:30) as epoch ms. */
export function tehran(isoLocal: string): number {
  return Date.parse(`${isoLocal}+03:30`);
}
