import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database, Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { BillsTable, PaymentsTable } from '../../platform/db/schema.js';

// Every SQL statement of the staff lists, exports and the revenue report. Each reads one
// organization's bills and payments and takes its OrgScope.

/** Kinds of bill as staff filter them: the two levies, an application's fees, anything else. */
export type BillKindFilter = 'renewal_levy' | 'business_levy' | 'application' | 'other';
export type BillStateFilter = BillsTable['status'] | 'overdue';

export interface BillFilter {
  /** Issued in [from, to) (epoch ms). */
  from?: number;
  to?: number;
  kind?: BillKindFilter;
  /** The code of the service whose applications' fees these are. */
  service?: string;
  state?: BillStateFilter;
  /** A bill code (or its start), an application's tracking code, a property/business code, a national code. */
  search?: { text: string; nationalCode: string | null };
  now: number;
}

export interface PaymentFilter {
  /** Started in [from, to) (epoch ms). */
  from?: number;
  to?: number;
  kind?: BillKindFilter;
  service?: string;
  state?: PaymentsTable['status'];
  /** A gateway reference or authority, or the code of a bill it paid. */
  search?: { text: string };
}

type BillDb = Database & { b: Database['bills']; a: Database['applications']; v: Database['service_template_versions']; t: Database['service_templates'] };
type BillEb = ExpressionBuilder<BillDb, 'b' | 'a' | 'v' | 't'>;

const LEVIES = ['renewal_levy', 'business_levy'];

function kindCondition(eb: ExpressionBuilder<BillDb, 'b'>, kind: BillKindFilter) {
  if (kind === 'application') return eb('b.application_id', 'is not', null);
  if (kind === 'other') return eb.and([eb('b.application_id', 'is', null), eb('b.kind', 'not in', LEVIES)]);
  return eb.and([eb('b.kind', '=', kind), eb('b.application_id', 'is', null)]);
}

/** Bills whose application belongs to the service with this code. */
const ofService = (eb: ExpressionBuilder<BillDb, 'b'>, code: string) =>
  eb('b.application_id', 'in', eb.selectFrom('applications as a2').innerJoin('org_services as os', 'os.id', 'a2.org_service_id')
    .innerJoin('service_templates as t2', 't2.id', 'os.template_id').select('a2.id').where('t2.code', '=', code));

function billsOf(tx: Tx, scope: OrgScope, f: BillFilter) {
  return tx.selectFrom('bills as b')
    .leftJoin('applications as a', 'a.id', 'b.application_id')
    .leftJoin('service_template_versions as v', 'v.id', 'a.version_id')
    .leftJoin('service_templates as t', 't.id', 'v.template_id')
    .where('b.org_id', '=', scope.orgId)
    .where((eb: BillEb) => {
      const and = [];
      if (f.from !== undefined) and.push(eb('b.created_at', '>=', f.from));
      if (f.to !== undefined) and.push(eb('b.created_at', '<', f.to));
      if (f.kind) and.push(kindCondition(eb, f.kind));
      if (f.service) and.push(ofService(eb, f.service));
      if (f.state === 'overdue') and.push(eb('b.status', '=', 'unpaid'), eb('b.due_at', 'is not', null), eb('b.due_at', '<=', f.now));
      else if (f.state) and.push(eb('b.status', '=', f.state));
      if (f.search) {
        const s = f.search.text;
        const or = [eb('b.bill_code', '=', s), eb('b.bill_code', 'like', `${s}%`), eb('b.property_code', '=', s), eb('b.business_code', '=', s), eb('a.tracking_code', '=', s)];
        if (f.search.nationalCode) or.push(eb('b.national_code', '=', f.search.nationalCode));
        and.push(eb.or(or));
      }
      return eb.and(and);
    });
}

const BILL_SELECT = [
  'b.id', 'b.kind', 'b.bill_code', 'b.application_id', 'b.national_code', 'b.property_code', 'b.business_code', 'b.title_fa', 'b.title_en',
  'b.period', 'b.amount', 'b.status', 'b.due_at', 'b.payment_id', 'b.import_batch', 'b.created_at', 'b.paid_at',
  'a.tracking_code', 't.code as service_code', 'v.title_fa as service_title_fa', 'v.title_en as service_title_en',
] as const;

/** One page of the organization's bills, newest first, and how many match in all (and their sum). */
export async function billsPage(tx: Tx, scope: OrgScope, f: BillFilter, limit: number, offset: number) {
  const [rows, agg] = await Promise.all([
    billsOf(tx, scope, f).select(BILL_SELECT).orderBy('b.created_at', 'desc').orderBy('b.bill_code', 'desc').limit(limit).offset(offset).execute(),
    billsOf(tx, scope, f).select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('b.amount').as('amount')]).executeTakeFirst(),
  ]);
  return { rows, total: Number(agg?.n ?? 0), amount: Number(agg?.amount ?? 0) };
}

/** Every matching bill (up to limit), newest first, for export. */
export function billsForExport(tx: Tx, scope: OrgScope, f: BillFilter, limit: number) {
  return billsOf(tx, scope, f).select(BILL_SELECT).orderBy('b.created_at', 'desc').orderBy('b.bill_code', 'desc').limit(limit).execute();
}

/** The services whose applications' fees the organization billed: the choices of the service filter. */
export function billedServices(tx: Tx, scope: OrgScope) {
  return tx.selectFrom('bills as b').innerJoin('applications as a', 'a.id', 'b.application_id')
    .innerJoin('service_template_versions as v', 'v.id', 'a.version_id').innerJoin('service_templates as t', 't.id', 'v.template_id')
    .select((eb) => ['t.code', eb.fn.max('v.title_fa').as('title_fa'), eb.fn.max('v.title_en').as('title_en')])
    .where('b.org_id', '=', scope.orgId).groupBy('t.code').orderBy('t.code').execute();
}

type PayDb = Database & { p: Database['payments']; c: Database['citizens'] };

function paymentsOf(tx: Tx, scope: OrgScope, f: PaymentFilter): SelectQueryBuilder<PayDb, 'p' | 'c', object> {
  return tx.selectFrom('payments as p')
    .leftJoin('citizens as c', 'c.id', 'p.citizen_id')
    .where('p.org_id', '=', scope.orgId)
    .where((eb) => {
      const and = [];
      if (f.from !== undefined) and.push(eb('p.created_at', '>=', f.from));
      if (f.to !== undefined) and.push(eb('p.created_at', '<', f.to));
      if (f.state) and.push(eb('p.status', '=', f.state));
      if (f.kind || f.service) {
        and.push(eb.exists(eb.selectFrom('payment_bills as pb').innerJoin('bills as b', 'b.id', 'pb.bill_id').select('pb.bill_id')
          .whereRef('pb.payment_id', '=', 'p.id')
          .where((be) => be.and([...(f.kind ? [kindCondition(be as unknown as ExpressionBuilder<BillDb, 'b'>, f.kind)] : []), ...(f.service ? [ofService(be as unknown as ExpressionBuilder<BillDb, 'b'>, f.service)] : [])]))));
      }
      if (f.search) {
        const s = f.search.text;
        and.push(eb.or([
          eb('p.ref_id', '=', s), eb('p.authority', '=', s),
          eb.exists(eb.selectFrom('payment_bills as pb').innerJoin('bills as b', 'b.id', 'pb.bill_id').select('pb.bill_id').whereRef('pb.payment_id', '=', 'p.id').where('b.bill_code', '=', s)),
        ]));
      }
      return eb.and(and);
    }) as unknown as SelectQueryBuilder<PayDb, 'p' | 'c', object>;
}

const PAYMENT_SELECT = [
  'p.id', 'p.gateway', 'p.amount', 'p.status', 'p.authority', 'p.ref_id', 'p.card_mask', 'p.last_error', 'p.created_at', 'p.updated_at', 'p.verified_at',
  'c.mobile as payer_mobile', 'c.first_name as payer_first_name', 'c.last_name as payer_last_name',
] as const;

/** One page of the organization's payments, newest first, and how many match (and their sum). */
export async function paymentsPage(tx: Tx, scope: OrgScope, f: PaymentFilter, limit: number, offset: number) {
  const [rows, agg] = await Promise.all([
    paymentsOf(tx, scope, f).select(PAYMENT_SELECT).orderBy('p.created_at', 'desc').orderBy('p.id').limit(limit).offset(offset).execute(),
    paymentsOf(tx, scope, f).select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('p.amount').as('amount')]).executeTakeFirst(),
  ]);
  return { rows, total: Number(agg?.n ?? 0), amount: Number(agg?.amount ?? 0) };
}

export function paymentsForExport(tx: Tx, scope: OrgScope, f: PaymentFilter, limit: number) {
  return paymentsOf(tx, scope, f).select(PAYMENT_SELECT).orderBy('p.created_at', 'desc').orderBy('p.id').limit(limit).execute();
}

/** The bills each payment covers (code and kind), for the payments listed. */
export function billsOfPayments(tx: Tx, scope: OrgScope, paymentIds: string[]) {
  if (paymentIds.length === 0) return Promise.resolve([]);
  return tx.selectFrom('payment_bills as pb').innerJoin('bills as b', 'b.id', 'pb.bill_id')
    .select(['pb.payment_id', 'b.bill_code', 'b.kind', 'b.application_id'])
    .where('b.org_id', '=', scope.orgId).where('pb.payment_id', 'in', paymentIds).orderBy('b.bill_code').execute();
}

/** Tehran's offset from UTC (ms): +03:30 all year since Iran stopped daylight saving time in 2022. */
export const TEHRAN_OFFSET_MS = 12_600_000;
const DAY_MS = 86_400_000;

/**
 * Revenue of paid payments whose money arrived (verified) in [from, to): the amounts of the bills
 * they paid, per Tehran day (a day number since 1970, Tehran's fixed offset applied) and per
 * bill kind and service. Refunded, failed or pending payments are not revenue.
 */
export function revenueByDayAndService(tx: Tx, scope: OrgScope, from: number, to: number) {
  const paidAt = sql<number>`coalesce(p.verified_at, p.updated_at)`;
  const day = sql<number>`(coalesce(p.verified_at, p.updated_at) + ${sql.lit(TEHRAN_OFFSET_MS)}) / ${sql.lit(DAY_MS)}`;
  return tx.selectFrom('payments as p')
    .innerJoin('payment_bills as pb', 'pb.payment_id', 'p.id')
    .innerJoin('bills as b', 'b.id', 'pb.bill_id')
    .leftJoin('applications as a', 'a.id', 'b.application_id')
    .leftJoin('service_template_versions as v', 'v.id', 'a.version_id')
    .leftJoin('service_templates as t', 't.id', 'v.template_id')
    .select((eb) => [
      day.as('day'), 'b.kind', 't.code as service_code',
      eb.fn.max('v.title_fa').as('title_fa'), eb.fn.max('v.title_en').as('title_en'),
      eb.fn.sum<number>('b.amount').as('amount'), eb.fn.count<number>('b.id').as('bills'),
    ])
    .where('p.org_id', '=', scope.orgId).where('b.org_id', '=', scope.orgId).where('p.status', '=', 'paid')
    .where(paidAt, '>=', from).where(paidAt, '<', to)
    .groupBy([day, 'b.kind', 't.code'])
    .execute();
}

/** Paid payments per Tehran day in [from, to): how many, and the amount received. */
export function paymentsByDay(tx: Tx, scope: OrgScope, from: number, to: number) {
  const paidAt = sql<number>`coalesce(p.verified_at, p.updated_at)`;
  const day = sql<number>`(coalesce(p.verified_at, p.updated_at) + ${sql.lit(TEHRAN_OFFSET_MS)}) / ${sql.lit(DAY_MS)}`;
  return tx.selectFrom('payments as p')
    .select((eb) => [day.as('day'), eb.fn.countAll<number>().as('payments'), eb.fn.sum<number>('p.amount').as('amount')])
    .where('p.org_id', '=', scope.orgId).where('p.status', '=', 'paid')
    .where(paidAt, '>=', from).where(paidAt, '<', to)
    .groupBy(day)
    .execute();
}
