import { createHash } from 'node:crypto';
import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { AppError, badInput, forbidden, notFound, unauthorized } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import { orgScope, type OrgScope } from '../../platform/auth/access.js';
import { isValidNationalCode, normalizeNationalCode, normalizePersian } from '../../platform/i18n/persian.js';
import type { BillsTable } from '../../platform/db/schema.js';
import { createBill, formatBillCode } from './bills.js';
import { decodeCsvBytes, looksBinary, parseCsv, type CsvEncoding } from './csv.js';
import {
  LEVY_COLUMNS, LEVY_KINDS, LEVY_LIMITS, REQUIRED_COLUMNS, checkLevy, columnOfHeader, jalaliYearAt, levyCode, levyKey, normalizeLevyCode,
  type LevyColumn, type LevyInput, type LevyKind, type LevyProblem, type LevyRow,
} from './levies-rows.js';
import * as q from './levies-queries.js';
import type { LevyBillRow } from './levies-queries.js';
import { PAYMENT_POLICY, type PaymentsService } from './service.js';
import './messages-levies.js';

// ---------------------------------------------------------------------------------------------
// Policy

export const LEVY_POLICY = {
  /** The largest levy file accepted (bytes) and the most rows in one file. */
  maxFileBytes: 20 * 1024 * 1024,
  maxRows: 50_000,
  /** The most bills paid in one payment (the payment core's limit). */
  maxBillsPerPayment: PAYMENT_POLICY.maxBillsPerPayment,
};

const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const isUniqueViolation = (err: unknown) => UNIQUE_VIOLATIONS.has(String((err as { code?: unknown })?.code));

/** The per-organization counter of a Jalali year's bill codes: the one nextBillCode (bills.ts) draws from, so imported levies and every other bill share one sequence. */
const billCounterName = (jalaliYear: number) => `bill:${jalaliYear}`;

// ---------------------------------------------------------------------------------------------
// What the service returns

type Localized = { fa: string; en: string };

/** A levy bill as its owner or staff see it; public lookups get the same shape with `title` and `nationalCode` null and codes masked where the caller did not type them. */
export interface LevyBillView {
  id: string;
  billCode: string;
  kind: LevyKind;
  org: { code: string; name: Localized };
  title: Localized | null;
  nationalCode: string | null;
  propertyCode: string | null;
  businessCode: string | null;
  period: string | null;
  amount: number;
  status: BillsTable['status'];
  dueAt: number | null;
  /** Unpaid past its due date. */
  overdue: boolean;
  paidAt: number | null;
  createdAt: number;
}

/** The bills of one organization, with what is due there. */
export interface LevyBillGroup {
  org: { code: string; name: Localized };
  bills: LevyBillView[];
  unpaidCount: number;
  dueTotal: number;
}

/** What a lookup was for: the pay form repeats it, so anonymous payers pay only what they looked up. */
export type LevyLookup =
  | { by: 'property'; org: string; code: string }
  | { by: 'business'; org: string; code: string }
  | { by: 'national_code'; nationalCode: string };

/** One problem of an imported file: its line (1 = the header), the column, the message key, the value as typed. */
export interface ImportProblem {
  line: number;
  column: LevyColumn | '';
  key: string;
  params?: Record<string, string | number>;
  value?: string;
}

export interface ImportBatchView {
  id: string;
  org: string;
  filename: string;
  rows: number;
  totalAmount: number;
  createdAt: number;
  /** Bill codes of the first and last bill of the batch. */
  firstBillCode: string | null;
  lastBillCode: string | null;
}

export type ImportResult =
  | { status: 'imported'; batch: ImportBatchView; encoding: CsvEncoding }
  | { status: 'already_imported'; batch: ImportBatchView }
  | { status: 'rejected'; rows: number; problems: ImportProblem[] };

/** A hand-entered levy with problems (400): the problems per column, rendered by routes beside their fields. */
export class LevyFormError extends AppError {
  constructor(readonly problems: LevyProblem[], code = 'common.invalid_input', status = 400) {
    super(code, status, Object.fromEntries(problems.map((p) => [p.column, p.key])), Object.assign({}, ...problems.map((p) => p.params ?? {})));
  }
}

/** What this module uses of the payment core: start one payment for bills of one organization (see service.ts). */
export type PaymentStarter = Pick<PaymentsService, 'startPayment'>;

export interface LeviesDeps {
  db: DB;
  clock: Clock;
  /** The payment core, which records the payment, talks to the gateway and settles. */
  payments: PaymentStarter;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const loc = (fa: string, en: string): Localized => ({ fa, en });

function maskCode(code: string | null): string | null {
  if (!code) return code;
  return code.length <= 4 ? code : `…${code.slice(-4)}`;
}

function billView(r: LevyBillRow, now: number, audience: 'owner' | 'public', typed?: 'property' | 'business'): LevyBillView {
  const status = r.status;
  const dueAt = r.due_at == null ? null : Number(r.due_at);
  const pub = audience === 'public';
  return {
    id: r.id,
    billCode: r.bill_code,
    kind: r.kind as LevyKind,
    org: { code: r.org_code, name: loc(r.org_name_fa, r.org_name_en) },
    title: pub ? null : loc(r.title_fa, r.title_en),
    nationalCode: pub ? null : r.national_code,
    propertyCode: pub && typed !== 'property' ? maskCode(r.property_code) : r.property_code,
    businessCode: pub && typed !== 'business' ? maskCode(r.business_code) : r.business_code,
    period: r.period,
    amount: Number(r.amount),
    status,
    dueAt,
    overdue: status === 'unpaid' && dueAt !== null && dueAt <= now,
    paidAt: r.paid_at == null ? null : Number(r.paid_at),
    createdAt: Number(r.created_at),
  };
}

/** Groups bills by organization (in the order first met), unpaid first within each. */
function groupByOrg(bills: LevyBillView[]): LevyBillGroup[] {
  const groups = new Map<string, LevyBillGroup>();
  for (const b of bills) {
    let g = groups.get(b.org.code);
    if (!g) groups.set(b.org.code, (g = { org: b.org, bills: [], unpaidCount: 0, dueTotal: 0 }));
    g.bills.push(b);
    if (b.status === 'unpaid') {
      g.unpaidCount += 1;
      g.dueTotal += b.amount;
    }
  }
  for (const g of groups.values()) g.bills.sort((a, b) => Number(b.status === 'unpaid') - Number(a.status === 'unpaid'));
  return [...groups.values()];
}

/** The row of a file as a levy input: each column's cell, by the header's order. */
function rowInput(fields: string[], columns: (LevyColumn | null)[]): LevyInput {
  const input: LevyInput = {};
  columns.forEach((c, i) => {
    if (c) input[c] = fields[i] ?? '';
  });
  return input;
}

const cellOf = (input: LevyInput, column: LevyColumn | '') => (column ? String(input[column] ?? '').slice(0, 60) : undefined);

// ---------------------------------------------------------------------------------------------
// The service

/**
 * Builds the levies service: importing and recording annual levies (renewal levy per property,
 * business levy per business), the citizen's and the public lookups, and paying several levies
 * of one organization at once through the payment core.
 */
export function createLeviesService(deps: LeviesDeps) {
  const { db, clock } = deps;

  /** The organization by code and the actor's scope in it for the permission; unknown or not allowed both answer 404. */
  async function scopeIn(tx: Tx, actor: Actor, orgCode: string, permission: 'bills.manage' | 'bills.read'): Promise<{ scope: OrgScope; org: { id: string; code: string; name_fa: string; name_en: string } }> {
    if (actor.kind !== 'staff') throw actor.kind === 'anonymous' ? unauthorized() : notFound();
    const org = typeof orgCode === 'string' && orgCode.length <= 64 ? await q.orgByCode(tx, orgCode) : undefined;
    if (!org) throw notFound();
    return { scope: orgScope(actor, org.id, permission), org };
  }

  function billRowOf(row: LevyRow, o: { id: string; billCode: string; now: number; batch: string | null }): Omit<BillsTable, 'org_id'> {
    return {
      id: o.id, kind: row.kind, bill_code: o.billCode, application_id: null, citizen_id: null, national_code: row.nationalCode,
      property_code: row.propertyCode, business_code: row.businessCode, title_fa: row.titleFa, title_en: row.titleEn, period: row.period,
      amount: row.amount, status: 'unpaid', due_at: row.dueAt, payment_id: null, import_batch: o.batch, created_at: o.now, paid_at: null,
    };
  }

  /** Checks a file: every row, every column, duplicates within it and against the organization's live levies. */
  async function checkFile(tx: Tx, scope: OrgScope, text: string, now: number): Promise<{ rows: { line: number; row: LevyRow }[]; problems: ImportProblem[]; count: number }> {
    const problems: ImportProblem[] = [];
    const parsed = parseCsv(text);
    for (const p of parsed.problems) problems.push({ line: p.line, column: '', key: `levies.csv_${p.code}` });
    const [header, ...records] = parsed.records;
    const dataRows = records.filter((r) => r.fields.some((f) => f.trim() !== '')).length;
    if (!header) return { rows: [], problems: [{ line: 1, column: '', key: 'levies.file_empty' }], count: 0 };
    // The header: every column known, none twice, the required ones present.
    const columns = header.fields.map((cell) => columnOfHeader(cell));
    header.fields.forEach((cell, i) => {
      const c = columns[i];
      if (!cell.trim()) return;
      if (!c) problems.push({ line: header.line, column: '', key: 'levies.column_unknown', params: { name: normalizePersian(cell).slice(0, 40) }, value: cell.slice(0, 40) });
      else if (columns.indexOf(c) !== i) problems.push({ line: header.line, column: c, key: 'levies.column_twice' });
    });
    for (const c of REQUIRED_COLUMNS) if (!columns.includes(c)) problems.push({ line: header.line, column: c, key: 'levies.column_missing' });
    if (!columns.includes('property_code') && !columns.includes('business_code')) problems.push({ line: header.line, column: 'property_code', key: 'levies.column_missing_code' });
    if (dataRows === 0) problems.push({ line: header.line, column: '', key: 'levies.file_no_rows' });
    if (dataRows > LEVY_POLICY.maxRows) {
      problems.push({ line: header.line, column: '', key: 'levies.too_many_rows', params: { max: LEVY_POLICY.maxRows } });
      return { rows: [], problems, count: dataRows };
    }
    if (problems.some((p) => p.line === header.line && p.key !== 'levies.file_no_rows' && p.key !== 'levies.column_unknown')) {
      // Without its columns no row can be read; the header's problems are the report.
      return { rows: [], problems, count: dataRows };
    }
    const good: { line: number; row: LevyRow }[] = [];
    const firstLine = new Map<string, number>();
    for (const rec of records) {
      // Spreadsheets save rows of empty cells below the data (",,,,,,,"): nothing to check there.
      if (rec.fields.every((f) => f.trim() === '')) continue;
      const input = rowInput(rec.fields, columns);
      if (rec.fields.length > header.fields.length && rec.fields.slice(header.fields.length).some((f) => f.trim() !== '')) {
        problems.push({ line: rec.line, column: '', key: 'levies.row_extra_fields', params: { n: header.fields.length } });
      }
      const checked = checkLevy(input, now);
      for (const p of checked.problems) problems.push({ line: rec.line, column: p.column, key: p.key, params: p.params, value: cellOf(input, p.column) });
      if (!checked.row) continue;
      const key = levyKey(checked.row);
      const earlier = firstLine.get(key);
      if (earlier !== undefined) {
        problems.push({ line: rec.line, column: checked.row.kind === 'renewal_levy' ? 'property_code' : 'business_code', key: 'levies.duplicate_in_file', params: { line: earlier }, value: levyCode(checked.row) });
        continue;
      }
      firstLine.set(key, rec.line);
      good.push({ line: rec.line, row: checked.row });
    }
    // Against the organization's live levies (unpaid or paid: a paid levy is not issued twice either).
    const live = new Map((await q.liveLevyKeys(tx, scope, [...new Set(good.map((g) => g.row.period))]))
      .map((b) => [levyKey({ kind: b.kind as LevyKind, propertyCode: b.property_code, businessCode: b.business_code, period: b.period ?? '' }), b.bill_code]));
    for (const g of good) {
      const existing = live.get(levyKey(g.row));
      if (existing) problems.push({ line: g.line, column: g.row.kind === 'renewal_levy' ? 'property_code' : 'business_code', key: 'levies.duplicate_existing', params: { bill: existing }, value: levyCode(g.row) });
    }
    problems.sort((a, b) => a.line - b.line || LEVY_COLUMNS.indexOf(a.column as LevyColumn) - LEVY_COLUMNS.indexOf(b.column as LevyColumn));
    return { rows: good, problems, count: dataRows };
  }

  async function batchView(tx: Tx, orgCode: string, batch: { id: string; filename: string; rows: number; total_amount: number; created_at: number }): Promise<ImportBatchView> {
    const codes = await tx.selectFrom('bills').select(['bill_code']).where('import_batch', '=', batch.id).orderBy('bill_code').execute();
    return {
      id: batch.id, org: orgCode, filename: batch.filename, rows: Number(batch.rows), totalAmount: Number(batch.total_amount), createdAt: Number(batch.created_at),
      firstBillCode: codes[0]?.bill_code ?? null, lastBillCode: codes[codes.length - 1]?.bill_code ?? null,
    };
  }

  /** Checks that the bills may be paid together by this citizen (their own, or found by their lookup); returns their organization and whether all are their own. */
  function checkPayable(bills: Awaited<ReturnType<typeof q.billsByIds>>, ids: string[], mine: { nationalCode: string | null; citizenId: string }, lookup: LevyLookup | null) {
    if (bills.length !== ids.length) throw notFound('levies.pay_not_found');
    const matchesLookup = (b: (typeof bills)[number]) => {
      if (!lookup) return false;
      if (lookup.by === 'national_code') return b.national_code === lookup.nationalCode;
      return b.org_code === lookup.org && (lookup.by === 'property' ? b.kind === 'renewal_levy' && b.property_code === lookup.code : b.kind === 'business_levy' && b.business_code === lookup.code);
    };
    let allOwn = true;
    for (const b of bills) {
      const own = (mine.nationalCode !== null && b.national_code === mine.nationalCode) || b.citizen_id === mine.citizenId;
      // Bills not tied to an application only; a bill the caller may not see answers like one that does not exist.
      if (b.application_id !== null || !(LEVY_KINDS as readonly string[]).includes(b.kind) || b.status === 'cancelled' || !(own || matchesLookup(b))) throw notFound('levies.pay_not_found');
      if (!own) allOwn = false;
    }
    if (new Set(bills.map((b) => b.org_id)).size > 1) throw badInput({ bill_ids: 'levies.pay_one_org' }, 'levies.pay_one_org');
    const settled = bills.filter((b) => b.status !== 'unpaid');
    if (settled.length) throw new AppError('levies.pay_not_payable', 409, {}, { bills: settled.map((b) => b.bill_code).join('، ') });
    return { org: bills[0]!.org_code, allOwn };
  }

  const service = {
    /**
     * Imports a levy file into the organization, all or nothing: every row is checked (columns,
     * national-code checksum, amounts, periods, due dates, duplicates within the file and against
     * the organization's live levies) and, only when none has a problem, all its bills, the batch
     * and one audit entry naming the batch are written in one transaction. The same file sent
     * again is recognized by its hash and imports nothing.
     */
    async importFile(actor: Actor, input: { org: string; filename: string; bytes: Uint8Array }): Promise<ImportResult> {
      const now = clock.now();
      const filename = normalizePersian(String(input.filename ?? '')).slice(0, 200) || 'levies.csv';
      if (input.bytes.length === 0) return { status: 'rejected', rows: 0, problems: [{ line: 1, column: '', key: 'levies.file_empty' }] };
      if (input.bytes.length > LEVY_POLICY.maxFileBytes) return { status: 'rejected', rows: 0, problems: [{ line: 1, column: '', key: 'levies.file_too_large', params: { mb: LEVY_POLICY.maxFileBytes / 1024 / 1024 } }] };
      const sha256 = createHash('sha256').update(input.bytes).digest('hex');
      try {
        return await inTransaction(db, async (tx): Promise<ImportResult> => {
          const { scope, org } = await scopeIn(tx, actor, input.org, 'bills.manage');
          const earlier = await q.importByHash(tx, scope, sha256);
          if (earlier) return { status: 'already_imported', batch: await batchView(tx, org.code, earlier) };
          if (looksBinary(input.bytes)) return { status: 'rejected', rows: 0, problems: [{ line: 1, column: '', key: 'levies.not_csv' }] };
          const { text, encoding } = decodeCsvBytes(input.bytes);
          const checked = await checkFile(tx, scope, text, now);
          if (checked.problems.length) return { status: 'rejected', rows: checked.count, problems: checked.problems };
          const year = jalaliYearAt(now);
          const last = await q.reserveCounter(tx, org.id, billCounterName(year), checked.rows.length);
          const first = last - checked.rows.length + 1;
          const batchId = newId();
          const total = checked.rows.reduce((s, r) => s + r.row.amount, 0);
          await q.insertImport(tx, scope, { id: batchId, filename, sha256, rows: checked.rows.length, total_amount: total, created_by: actor.id, created_at: now });
          await q.insertLevyBills(tx, scope, checked.rows.map((r, i) => billRowOf(r.row, { id: newId(), billCode: formatBillCode(org.code, year, first + i), now, batch: batchId })), newId);
          await appendAudit(tx, actor, {
            orgId: org.id, action: 'levies.imported', entity: 'levy_import', entityId: batchId,
            data: { batch: batchId, filename, sha256, rows: checked.rows.length, total_amount: total, first_bill: formatBillCode(org.code, year, first), last_bill: formatBillCode(org.code, year, last) },
          }, now);
          return {
            status: 'imported', encoding,
            batch: { id: batchId, org: org.code, filename, rows: checked.rows.length, totalAmount: total, createdAt: now, firstBillCode: formatBillCode(org.code, year, first), lastBillCode: formatBillCode(org.code, year, last) },
          };
        });
      } catch (err) {
        // Another import or entry of the same levy (or the same file) committed meanwhile.
        if (isUniqueViolation(err)) throw new AppError('levies.import_conflict', 409);
        throw err;
      }
    },

    /** Records one levy by hand in the organization (checked as a file row, and against its live levies); the bill and the audit entry in one transaction. */
    async recordLevy(actor: Actor, orgCode: string, input: LevyInput): Promise<LevyBillView> {
      const now = clock.now();
      const checked = checkLevy(input, now);
      try {
        const id = await inTransaction(db, async (tx) => {
          const { scope, org } = await scopeIn(tx, actor, orgCode, 'bills.manage');
          if (!checked.row) throw new LevyFormError(checked.problems);
          const row = checked.row;
          const existing = (await q.liveLevyKeys(tx, scope, [row.period]))
            .find((b) => levyKey({ kind: b.kind as LevyKind, propertyCode: b.property_code, businessCode: b.business_code, period: b.period ?? '' }) === levyKey(row));
          if (existing) throw new LevyFormError([{ column: row.kind === 'renewal_levy' ? 'property_code' : 'business_code', key: 'levies.duplicate_existing', params: { bill: existing.bill_code } }], 'levies.duplicate', 409);
          const bill = await createBill(tx, actor, {
            orgId: org.id, kind: row.kind, title: { fa: row.titleFa, en: row.titleEn }, items: [{ key: row.kind, title: { fa: row.titleFa, en: row.titleEn }, amount: row.amount }],
            nationalCode: row.nationalCode, propertyCode: row.propertyCode, businessCode: row.businessCode, period: row.period, dueAt: row.dueAt,
          }, now);
          return bill.id;
        });
        const [row] = await q.billsByIds(db, [id]);
        return billView(row as LevyBillRow, now, 'owner');
      } catch (err) {
        if (isUniqueViolation(err)) throw new LevyFormError([{ column: checked.row?.kind === 'business_levy' ? 'business_code' : 'property_code', key: 'levies.duplicate_existing', params: { bill: '' } }], 'levies.duplicate', 409);
        throw err;
      }
    },

    /** The organization's latest import batches, for staff who may manage its bills. */
    async recentImports(actor: Actor, orgCode: string) {
      const { scope } = await scopeIn(db, actor, orgCode, 'bills.manage');
      return (await q.recentImports(db, scope)).map((r) => ({
        id: r.id, filename: r.filename, rows: Number(r.rows), totalAmount: Number(r.total_amount), createdAt: Number(r.created_at), createdBy: r.created_by_name ?? null,
      }));
    },

    /**
     * The signed-in citizen's levies: bills of their national code (from their profile) in every
     * organization, grouped by organization, unpaid first. A citizen without a national code on
     * their profile gets `nationalCode: null` and no bills.
     */
    async billsOfCitizen(actor: Actor): Promise<{ nationalCode: string | null; groups: LevyBillGroup[] }> {
      if (actor.kind !== 'citizen') throw unauthorized();
      const nationalCode = await q.nationalCodeOfCitizen(db, actor.id);
      if (!nationalCode) return { nationalCode: null, groups: [] };
      const now = clock.now();
      const rows = await q.levyBillsOfNationalCode(db, nationalCode, actor.id);
      return { nationalCode, groups: groupByOrg(rows.map((r) => billView(r, now, 'owner'))) };
    },

    /**
     * The public lookup, for anyone: levies of a property code or a business code in one
     * municipality, or of a national code in every one. Shows amounts, periods, due dates and
     * states only: no names, no titles, no national code, and codes the caller did not type masked.
     */
    async lookup(input: { org?: string; property_code?: string; business_code?: string; national_code?: string }): Promise<{ lookup: LevyLookup; groups: LevyBillGroup[] }> {
      const now = clock.now();
      const lookup = parseLookup(input);
      if (lookup.by === 'national_code') {
        const rows = await q.levyBillsOfNationalCode(db, lookup.nationalCode);
        return { lookup, groups: groupByOrg(rows.map((r) => billView(r, now, 'public'))) };
      }
      const org = await q.orgByCode(db, lookup.org);
      if (!org) throw badInput({ org: 'levies.org_unknown' });
      const rows = await q.levyBillsOfCode(db, org.id, lookup.by === 'property' ? 'renewal_levy' : 'business_levy', lookup.code);
      return { lookup, groups: groupByOrg(rows.map((r) => billView(r, now, 'public', lookup.by))) };
    },

    /**
     * Starts one payment for several unpaid levies of one organization and answers where to send
     * the payer. A signed-in citizen pays their own levies (by national code) or those of a lookup
     * they made (a property's levies may be paid by anyone: a tenant, a buyer, a relative); the
     * payment itself (record, gateway, settlement, receipt) is the payment core's. Anyone not
     * signed in is asked to sign in first (401): a payment has a payer who gets its receipt.
     */
    async pay(actor: Actor, billIds: string[], opts: { lookup?: LevyLookup | null; returnTo: string }): Promise<{ redirectUrl: string; paymentId: string; org: string }> {
      if (actor.kind === 'anonymous') throw unauthorized('levies.pay_sign_in');
      if (actor.kind !== 'citizen') throw forbidden('levies.pay_citizens_only');
      const ids = [...new Set((billIds ?? []).map(String).filter((s) => s.length > 0 && s.length <= 64))];
      if (ids.length === 0) throw badInput({ bill_ids: 'levies.pay_none_selected' }, 'levies.pay_none_selected');
      if (ids.length > LEVY_POLICY.maxBillsPerPayment) throw new AppError('levies.pay_too_many', 400, { bill_ids: 'levies.pay_too_many' }, { max: LEVY_POLICY.maxBillsPerPayment });
      const mine = { nationalCode: await q.nationalCodeOfCitizen(db, actor.id), citizenId: actor.id };
      const bills = await q.billsByIds(db, ids);
      const { org, allOwn } = checkPayable(bills, ids, mine, opts.lookup ?? null);
      // Bills found by a lookup are not the payer's own: the core is told this was decided here.
      const started = await deps.payments.startPayment(actor, ids, opts.returnTo, { anyPayer: !allOwn });
      return { redirectUrl: started.redirectUrl, paymentId: started.paymentId, org };
    },
  };
  return service;
}

/**
 * A lookup request in canonical form: a municipality with a property code or business code, or
 * a national code (checksum checked). Anything else answers 400 naming the field.
 */
export function parseLookup(input: { org?: string; property_code?: string; business_code?: string; national_code?: string }): LevyLookup {
  const nc = String(input.national_code ?? '').trim();
  const pc = String(input.property_code ?? '').trim();
  const bc = String(input.business_code ?? '').trim();
  if (nc) {
    const code = normalizeNationalCode(nc);
    if (!code || !isValidNationalCode(code)) throw badInput({ national_code: 'levies.national_code_invalid' });
    return { by: 'national_code', nationalCode: code };
  }
  if (!pc && !bc) throw badInput({ property_code: 'levies.lookup_what' }, 'levies.lookup_what');
  const org = String(input.org ?? '').trim();
  if (!org || org.length > 64 || !/^[a-z0-9-]+$/.test(org)) throw badInput({ org: 'levies.org_required' });
  const code = normalizeLevyCode(pc || bc);
  if (!code) throw new AppError('common.invalid_input', 400, { [pc ? 'property_code' : 'business_code']: 'levies.code_invalid' }, { max: LEVY_LIMITS.codeMax });
  return pc ? { by: 'property', org, code } : { by: 'business', org, code };
}

/** The query string that repeats a lookup (for links and the pay form's return address). */
export function lookupQuery(l: LevyLookup): string {
  const p = new URLSearchParams(l.by === 'national_code' ? { national_code: l.nationalCode } : { org: l.org, [l.by === 'property' ? 'property_code' : 'business_code']: l.code });
  return p.toString();
}

export type LeviesService = ReturnType<typeof createLeviesService>;
