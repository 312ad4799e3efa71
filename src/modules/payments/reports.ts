import { toJalaali } from 'jalaali-js';
import type { DB, Tx } from '../../platform/db/index.js';
import type { Actor, Clock } from '../../platform/core/index.js';
import { AppError, notFound, unauthorized } from '../../platform/http/errors.js';
import { mayAct, orgScope, type OrgScope, type Permission } from '../../platform/auth/access.js';
import { formatDate, formatDateTime, formatTime, parseJalaliDate, tehranDayKey, type Locale } from '../../platform/i18n/format.js';
import { normalizeNationalCode, toAsciiDigits } from '../../platform/i18n/persian.js';
import { civilDateOfEpochDay, tehranEpochDay } from '../../platform/i18n/tehran.js';
import { t } from '../../platform/i18n/messages.js';
import type { BillsTable, PaymentsTable } from '../../platform/db/schema.js';
import { csvDocument, type CsvValue } from './csv.js';
import { normalizeLevyCode } from './levies-rows.js';
import * as q from './reports-queries.js';
import type { BillKindFilter, BillStateFilter } from './reports-queries.js';
import './messages-levies.js';

// ---------------------------------------------------------------------------------------------
// Policy

export const REPORT_POLICY = {
  perPage: { default: 50, max: 200 },
  /** The most rows one CSV export holds; narrow the filter for more. */
  exportMax: 100_000,
  /** The longest revenue report (days), and the default when no range is given. */
  revenueMaxDays: 366,
  revenueDefaultDays: 30,
};

export const BILL_KIND_FILTERS: readonly BillKindFilter[] = ['renewal_levy', 'business_levy', 'application', 'other'];
export const BILL_STATES: readonly BillStateFilter[] = ['unpaid', 'overdue', 'paid', 'cancelled', 'expired'];
export const PAYMENT_STATES: readonly PaymentsTable['status'][] = ['pending', 'paid', 'failed', 'cancelled', 'expired', 'refund_due', 'refunded'];

const DAY_MS = 86_400_000;

type Localized = { fa: string; en: string };
export interface OrgRef {
  code: string;
  name: Localized;
}

/** The filters of the staff lists as typed (query string or API): Jalali dates, codes, states. */
export interface StaffFilterInput {
  org?: string;
  from?: string;
  to?: string;
  kind?: string;
  service?: string;
  state?: string;
  q?: string;
  page?: number;
  per_page?: number;
}

/** The filters in force, after parsing (what the page shows back). */
export interface StaffFilters {
  org: string;
  from: string | null;
  to: string | null;
  kind: BillKindFilter | null;
  service: string | null;
  state: string | null;
  q: string | null;
  page: number;
  perPage: number;
}

export interface StaffBillItem {
  id: string;
  billCode: string;
  kind: string;
  applicationId: string | null;
  trackingCode: string | null;
  service: { code: string; title: Localized } | null;
  title: Localized;
  nationalCode: string | null;
  propertyCode: string | null;
  businessCode: string | null;
  period: string | null;
  amount: number;
  status: BillsTable['status'];
  overdue: boolean;
  dueAt: number | null;
  paymentId: string | null;
  importBatch: string | null;
  createdAt: number;
  paidAt: number | null;
}

export interface StaffPaymentItem {
  id: string;
  gateway: string;
  amount: number;
  status: PaymentsTable['status'];
  authority: string | null;
  refId: string | null;
  cardMask: string | null;
  lastError: string | null;
  payer: { name: string | null; mobile: string } | null;
  bills: { billCode: string; kind: string }[];
  createdAt: number;
  updatedAt: number;
  verifiedAt: number | null;
}

export interface ListPage<T> {
  org: OrgRef;
  /** The organizations the actor may pick here. */
  orgChoices: OrgRef[];
  filters: StaffFilters;
  items: T[];
  total: number;
  /** Sum of the amounts of everything that matches (all pages). */
  amount: number;
  services: { code: string; title: Localized }[];
}

/** One column of the revenue report: a levy kind, or the fees of one service's applications. */
export interface RevenueColumn {
  key: string;
  kind: string;
  serviceCode: string | null;
  title: Localized;
}

export interface RevenueDay {
  /** Jalali date, ASCII digits: 1405/09/07. */
  date: string;
  /** Gregorian date in Tehran: 2026-11-28. */
  day: string;
  payments: number;
  total: number;
  byColumn: Record<string, number>;
}

export interface RevenueReport {
  org: OrgRef;
  orgChoices: OrgRef[];
  from: string;
  to: string;
  columns: RevenueColumn[];
  days: RevenueDay[];
  totals: { payments: number; total: number; byColumn: Record<string, number> };
}

export interface ReportsDeps {
  db: DB;
  clock: Clock;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** The Jalali date (ASCII digits, zero-padded) of a Tehran day number. */
export function jalaliOfEpochDay(day: number): string {
  const g = civilDateOfEpochDay(day);
  const j = toJalaali(g.year, g.month, g.day);
  return `${j.jy}/${String(j.jm).padStart(2, '0')}/${String(j.jd).padStart(2, '0')}`;
}

function isoOfEpochDay(day: number): string {
  const g = civilDateOfEpochDay(day);
  return `${g.year}-${String(g.month).padStart(2, '0')}-${String(g.day).padStart(2, '0')}`;
}

/** A typed Jalali date range as instants: from the start of `from` to the end of `to` in Tehran. Bad dates are 400s naming the field. */
function dateRange(from: string | undefined, to: string | undefined): { from?: number; to?: number; fromText: string | null; toText: string | null } {
  const errors: Record<string, string> = {};
  const start = from ? parseJalaliDate(from) : null;
  const end = to ? parseJalaliDate(to) : null;
  if (from && !start) errors.from = 'revenue.date_invalid';
  if (to && !end) errors.to = 'revenue.date_invalid';
  if (start && end && end.getTime() < start.getTime()) errors.to = 'revenue.date_order';
  if (Object.keys(errors).length) throw new AppError('common.invalid_input', 400, errors);
  const text = (d: Date | null) => (d ? jalaliOfEpochDay(tehranEpochDay(d)) : null);
  return { from: start?.getTime(), to: end ? end.getTime() + DAY_MS : undefined, fromText: text(start), toText: text(end) };
}

const cleanSearch = (s: string | undefined) => (s ? toAsciiDigits(s).trim().toUpperCase().replace(/[\s%_\\]+/g, '').slice(0, 64) : '');

const kindLabel = (locale: Locale, kind: string) => t(locale, `revenue.kind.${kind}`);

/** Builds the staff reports: lists of the organization's bills and payments, their CSV exports, and the daily revenue report. */
export function createReportsService(deps: ReportsDeps) {
  const { db, clock } = deps;

  /**
   * The organization a staff report is about and the actor's scope in it: the one asked for, or
   * the first where the actor holds the permission (any municipality for the province
   * administrator). One the actor may not see answers 404, like one that does not exist.
   */
  async function resolveOrg(tx: Tx, actor: Actor, orgCode: string | undefined, permission: Permission): Promise<{ scope: OrgScope; org: OrgRef; choices: OrgRef[] }> {
    if (actor.kind !== 'staff') throw unauthorized();
    const orgs = await tx.selectFrom('orgs').select(['id', 'code', 'kind', 'name_fa', 'name_en']).orderBy('code').execute();
    const ref = (o: (typeof orgs)[number]): OrgRef => ({ code: o.code, name: { fa: o.name_fa, en: o.name_en } });
    const provinceAdmin = actor.memberships.some((m) => m.role === 'province_admin');
    const choices = orgs.filter((o) => (provinceAdmin ? o.kind === 'municipality' : mayAct(actor, o.id, permission) && actor.memberships.some((m) => m.orgId === o.id)));
    const wanted = orgCode ? orgs.find((o) => o.code === orgCode) : choices[0];
    if (!wanted) throw notFound();
    return { scope: orgScope(actor, wanted.id, permission), org: ref(wanted), choices: choices.map(ref) };
  }

  function filtersOf(input: StaffFilterInput, org: string, states: readonly string[]) {
    const range = dateRange(input.from, input.to);
    const kind = BILL_KIND_FILTERS.includes(input.kind as BillKindFilter) ? (input.kind as BillKindFilter) : null;
    const service = input.service && /^[a-z][a-z0-9-]{0,63}$/.test(input.service) ? input.service : null;
    const state = input.state && states.includes(input.state) ? input.state : null;
    const text = cleanSearch(input.q);
    const perPage = Math.min(REPORT_POLICY.perPage.max, Math.max(1, Math.floor(input.per_page ?? REPORT_POLICY.perPage.default)));
    const page = Math.max(1, Math.floor(input.page ?? 1));
    const filters: StaffFilters = { org, from: range.fromText, to: range.toText, kind, service, state, q: text || null, page, perPage };
    return { range, filters, text };
  }

  async function billFilterOf(actor: Actor, input: StaffFilterInput, tx: Tx) {
    const r = await resolveOrg(tx, actor, input.org, 'bills.read');
    const { range, filters, text } = filtersOf(input, r.org.code, BILL_STATES);
    const filter: q.BillFilter = {
      from: range.from, to: range.to, kind: filters.kind ?? undefined, service: filters.service ?? undefined,
      state: (filters.state as BillStateFilter | null) ?? undefined, now: clock.now(),
      search: text ? { text: normalizeLevyCode(text) ?? text, nationalCode: normalizeNationalCode(text) } : undefined,
    };
    return { ...r, filters, filter };
  }

  async function paymentFilterOf(actor: Actor, input: StaffFilterInput, tx: Tx) {
    const r = await resolveOrg(tx, actor, input.org, 'bills.read');
    const { range, filters, text } = filtersOf(input, r.org.code, PAYMENT_STATES);
    const filter: q.PaymentFilter = {
      from: range.from, to: range.to, kind: filters.kind ?? undefined, service: filters.service ?? undefined,
      state: (filters.state as PaymentsTable['status'] | null) ?? undefined, search: text ? { text } : undefined,
    };
    return { ...r, filters, filter };
  }

  function billItem(r: Awaited<ReturnType<typeof q.billsForExport>>[number], now: number): StaffBillItem {
    const dueAt = r.due_at == null ? null : Number(r.due_at);
    return {
      id: r.id, billCode: r.bill_code, kind: r.kind, applicationId: r.application_id, trackingCode: r.tracking_code ?? null,
      service: r.service_code ? { code: r.service_code, title: { fa: r.service_title_fa ?? r.service_code, en: r.service_title_en ?? r.service_code } } : null,
      title: { fa: r.title_fa, en: r.title_en }, nationalCode: r.national_code, propertyCode: r.property_code, businessCode: r.business_code,
      period: r.period, amount: Number(r.amount), status: r.status, overdue: r.status === 'unpaid' && dueAt !== null && dueAt <= now, dueAt,
      paymentId: r.payment_id, importBatch: r.import_batch, createdAt: Number(r.created_at), paidAt: r.paid_at == null ? null : Number(r.paid_at),
    };
  }

  async function paymentItems(tx: Tx, scope: OrgScope, rows: Awaited<ReturnType<typeof q.paymentsForExport>>): Promise<StaffPaymentItem[]> {
    const bills = await q.billsOfPayments(tx, scope, rows.map((r) => r.id));
    const byPayment = new Map<string, { billCode: string; kind: string }[]>();
    for (const b of bills) {
      const list = byPayment.get(b.payment_id) ?? [];
      list.push({ billCode: b.bill_code, kind: b.application_id ? 'application' : b.kind });
      byPayment.set(b.payment_id, list);
    }
    return rows.map((r) => ({
      id: r.id, gateway: r.gateway, amount: Number(r.amount), status: r.status, authority: r.authority, refId: r.ref_id, cardMask: r.card_mask, lastError: r.last_error,
      payer: r.payer_mobile ? { name: [r.payer_first_name, r.payer_last_name].filter(Boolean).join(' ') || null, mobile: r.payer_mobile } : null,
      bills: byPayment.get(r.id) ?? [], createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), verifiedAt: r.verified_at == null ? null : Number(r.verified_at),
    }));
  }

  async function servicesOf(tx: Tx, scope: OrgScope) {
    return (await q.billedServices(tx, scope)).map((s) => ({ code: s.code, title: { fa: String(s.title_fa ?? s.code), en: String(s.title_en ?? s.code) } }));
  }

  const service = {
    /** The organization a staff page is about (asked for, or the actor's first with the permission) and the ones the actor may pick; 404 when none. */
    async staffOrg(actor: Actor, orgCode: string | undefined, permission: Permission): Promise<{ org: OrgRef; orgId: string; choices: OrgRef[] }> {
      const r = await resolveOrg(db, actor, orgCode, permission);
      return { org: r.org, orgId: r.scope.orgId, choices: r.choices };
    },

    /** One page of the organization's bills for staff who may read them, filtered (issue date range, kind or service, state, search), with the matching total. */
    async listBills(actor: Actor, input: StaffFilterInput = {}): Promise<ListPage<StaffBillItem>> {
      return db.transaction().execute(async (tx) => {
        const { scope, org, choices, filters, filter } = await billFilterOf(actor, input, tx);
        const page = await q.billsPage(tx, scope, filter, filters.perPage, (filters.page - 1) * filters.perPage);
        const now = clock.now();
        return { org, orgChoices: choices, filters, items: page.rows.map((r) => billItem(r, now)), total: page.total, amount: page.amount, services: await servicesOf(tx, scope) };
      });
    },

    /** One page of the organization's payments (start date range, state, kind or service of their bills, reference or bill code), with the matching total. */
    async listPayments(actor: Actor, input: StaffFilterInput = {}): Promise<ListPage<StaffPaymentItem>> {
      return db.transaction().execute(async (tx) => {
        const { scope, org, choices, filters, filter } = await paymentFilterOf(actor, input, tx);
        const page = await q.paymentsPage(tx, scope, filter, filters.perPage, (filters.page - 1) * filters.perPage);
        return { org, orgChoices: choices, filters, items: await paymentItems(tx, scope, page.rows), total: page.total, amount: page.amount, services: await servicesOf(tx, scope) };
      });
    },

    /**
     * The matching bills as a CSV document for Excel: UTF-8 with a BOM, headers and states in the
     * locale's language, amounts as plain integer Rials, Jalali dates with ASCII digits.
     */
    async billsCsv(actor: Actor, input: StaffFilterInput, locale: Locale): Promise<{ org: string; csv: string; rows: number }> {
      const { scope, org, filter } = await billFilterOf(actor, input, db);
      const rows = await q.billsForExport(db, scope, filter, REPORT_POLICY.exportMax);
      const now = clock.now();
      const L = (k: string) => t(locale, `revenue.col.${k}`);
      const header = ['bill_code', 'kind', 'service', 'title', 'national_code', 'property_code', 'business_code', 'period', 'amount_rials', 'status', 'due_date', 'issued_at', 'paid_at', 'tracking_code'].map(L);
      const data: CsvValue[][] = rows.map((r) => billItem(r, now)).map((b) => [
        b.billCode, kindLabel(locale, b.applicationId ? 'application' : b.kind), b.service ? (locale === 'en' ? b.service.title.en : b.service.title.fa) : '',
        locale === 'en' ? b.title.en : b.title.fa, b.nationalCode, b.propertyCode, b.businessCode, b.period, b.amount,
        t(locale, `revenue.bill_state.${b.overdue ? 'overdue' : b.status}`), csvDate(b.dueAt === null ? null : b.dueAt - 1, locale),
        csvDateTime(b.createdAt, locale), csvDateTime(b.paidAt, locale), b.trackingCode,
      ]);
      return { org: org.code, csv: csvDocument(header, data), rows: rows.length };
    },

    /** The matching payments as a CSV document (as billsCsv). */
    async paymentsCsv(actor: Actor, input: StaffFilterInput, locale: Locale): Promise<{ org: string; csv: string; rows: number }> {
      const { scope, org, filter } = await paymentFilterOf(actor, input, db);
      const items = await paymentItems(db, scope, await q.paymentsForExport(db, scope, filter, REPORT_POLICY.exportMax));
      const L = (k: string) => t(locale, `revenue.col.${k}`);
      const header = ['payment_id', 'started_at', 'verified_at', 'status', 'amount_rials', 'gateway', 'ref_id', 'card_mask', 'payer', 'bills'].map(L);
      const data: CsvValue[][] = items.map((p) => [
        p.id, csvDateTime(p.createdAt, locale), csvDateTime(p.verifiedAt, locale), t(locale, `revenue.payment_state.${p.status}`), p.amount, p.gateway,
        p.refId, p.cardMask, p.payer ? [p.payer.name, p.payer.mobile].filter(Boolean).join(' ') : '', p.bills.map((b) => b.billCode).join(' '),
      ]);
      return { org: org.code, csv: csvDocument(header, data), rows: items.length };
    },

    /**
     * The daily revenue report of one organization: per Tehran (Jalali) day in the range, the
     * amounts of bills paid by payments verified that day, per levy kind and per service; with the
     * number of payments and totals. Only payments in state paid count (refunds do not).
     */
    async revenue(actor: Actor, input: { org?: string; from?: string; to?: string } = {}): Promise<RevenueReport> {
      return db.transaction().execute(async (tx) => {
        const { scope, org, choices } = await resolveOrg(tx, actor, input.org, 'payments.report');
        const now = clock.now();
        const range = dateRange(input.from, input.to);
        const today = tehranEpochDay(now);
        const toDay = range.to !== undefined ? tehranEpochDay(range.to - 1) : today;
        const fromDay = range.from !== undefined ? tehranEpochDay(range.from) : toDay - REPORT_POLICY.revenueDefaultDays + 1;
        if (toDay - fromDay + 1 > REPORT_POLICY.revenueMaxDays) throw new AppError('common.invalid_input', 400, { from: 'revenue.range_too_long' }, { days: REPORT_POLICY.revenueMaxDays });
        const from = range.from ?? startOfEpochDay(fromDay);
        const to = range.to ?? startOfEpochDay(toDay + 1);
        const [cells, perDay] = await Promise.all([q.revenueByDayAndService(tx, scope, from, to), q.paymentsByDay(tx, scope, from, to)]);
        const columns = new Map<string, RevenueColumn>();
        const days = new Map<number, RevenueDay>();
        const dayOf = (d: number): RevenueDay => {
          let row = days.get(d);
          if (!row) days.set(d, (row = { date: jalaliOfEpochDay(d), day: isoOfEpochDay(d), payments: 0, total: 0, byColumn: {} }));
          return row;
        };
        const totals = { payments: 0, total: 0, byColumn: {} as Record<string, number> };
        for (const c of cells) {
          const isApp = c.service_code != null;
          const key = isApp ? `service:${c.service_code}` : c.kind;
          if (!columns.has(key)) {
            columns.set(key, {
              key, kind: isApp ? 'application' : c.kind, serviceCode: c.service_code ?? null,
              title: isApp ? { fa: String(c.title_fa ?? c.service_code), en: String(c.title_en ?? c.service_code) } : { fa: kindLabel('fa', c.kind), en: kindLabel('en', c.kind) },
            });
          }
          const row = dayOf(Number(c.day));
          const amount = Number(c.amount);
          row.byColumn[key] = (row.byColumn[key] ?? 0) + amount;
          row.total += amount;
          totals.byColumn[key] = (totals.byColumn[key] ?? 0) + amount;
          totals.total += amount;
        }
        for (const p of perDay) {
          const row = dayOf(Number(p.day));
          row.payments = Number(p.payments);
          totals.payments += Number(p.payments);
        }
        const order = (c: RevenueColumn) => (c.kind === 'renewal_levy' ? 0 : c.kind === 'business_levy' ? 1 : c.kind === 'application' ? 2 : 3);
        return {
          org, orgChoices: choices, from: jalaliOfEpochDay(fromDay), to: jalaliOfEpochDay(toDay),
          columns: [...columns.values()].sort((a, b) => order(a) - order(b) || a.key.localeCompare(b.key)),
          days: [...days.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d),
          totals,
        };
      });
    },

    /** The revenue report as a CSV document: one line per day, one column per kind or service, then the total. */
    async revenueCsv(actor: Actor, input: { org?: string; from?: string; to?: string }, locale: Locale): Promise<{ org: string; csv: string; report: RevenueReport }> {
      const report = await service.revenue(actor, input);
      const title = (c: RevenueColumn) => (locale === 'en' ? c.title.en : c.title.fa);
      const header = [t(locale, 'revenue.col.date'), t(locale, 'revenue.col.payments'), ...report.columns.map(title), t(locale, 'revenue.col.total')];
      const rows: CsvValue[][] = report.days.map((d) => [locale === 'en' ? d.day : d.date, d.payments, ...report.columns.map((c) => d.byColumn[c.key] ?? 0), d.total]);
      rows.push([t(locale, 'revenue.col.total'), report.totals.payments, ...report.columns.map((c) => report.totals.byColumn[c.key] ?? 0), report.totals.total]);
      return { org: report.org.code, csv: csvDocument(header, rows), report };
    },
  };
  return service;
}

function startOfEpochDay(day: number): number {
  // Tehran has kept +03:30 all year since 2022; the report's days are reckoned at that offset (see reports-queries.ts).
  return day * DAY_MS - q.TEHRAN_OFFSET_MS;
}

/** A date for a spreadsheet, in Tehran: Jalali with ASCII digits in Persian (1405/09/07), ISO in English; empty when there is none. */
function csvDate(ms: number | null, locale: Locale): string {
  if (ms === null) return '';
  return locale === 'fa' ? toAsciiDigits(formatDate(ms, 'fa')) : tehranDayKey(ms);
}

/** A time for a spreadsheet, in Tehran: 1405/09/07 12:30 (Persian) or 2026-11-28 12:30 (English). */
function csvDateTime(ms: number | null, locale: Locale): string {
  if (ms === null) return '';
  return locale === 'fa' ? toAsciiDigits(formatDateTime(ms, 'fa')) : `${tehranDayKey(ms)} ${formatTime(ms, 'en')}`;
}

export type ReportsService = ReturnType<typeof createReportsService>;
