import type { Tx } from '../../platform/db/index.js';
import { isPostgres } from '../../platform/db/dialect.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { BillItemsTable, BillsTable, CitizensTable, PaymentsTable } from '../../platform/db/schema.js';

// Every SQL statement of the payments core: bills, their items, payments and their links to
// bills. Bills and payments are tenant data of their organization: what a citizen reaches is
// decided by ownership (the service checks it on the row it read); staff reads go through an
// OrgScope.

export type BillRow = BillsTable;
export type BillItemRow = BillItemsTable;
export type PaymentRow = PaymentsTable;

// ---------- bills ----------

export function insertBill(tx: Tx, row: BillsTable) {
  return tx.insertInto('bills').values(row).execute();
}

export function insertBillItems(tx: Tx, rows: BillItemsTable[]) {
  return rows.length ? tx.insertInto('bill_items').values(rows).execute() : Promise.resolve();
}

/** A bill by id, whoever owns it (the caller decides who may see it). */
export async function billById(tx: Tx, id: string): Promise<BillRow | null> {
  return (await tx.selectFrom('bills').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** Bills by id; with lock, rows are locked for the transaction on PostgreSQL (in id order, so two payers never deadlock). */
export async function billsByIds(tx: Tx, ids: string[], opts: { lock?: boolean } = {}): Promise<BillRow[]> {
  if (!ids.length) return [];
  let q = tx.selectFrom('bills').selectAll().where('id', 'in', ids).orderBy('id');
  if (opts.lock && isPostgres(tx)) q = q.forUpdate();
  return q.execute();
}

export function itemsOfBills(tx: Tx, billIds: string[]): Promise<BillItemRow[]> {
  if (!billIds.length) return Promise.resolve([]);
  return tx.selectFrom('bill_items').selectAll().where('bill_id', 'in', billIds).orderBy('bill_id').orderBy('id').execute();
}

/** The bills of an application, newest first. */
export function billsOfApplication(tx: Tx, applicationId: string): Promise<BillRow[]> {
  return tx.selectFrom('bills').selectAll().where('application_id', '=', applicationId).orderBy('created_at', 'desc').orderBy('id').execute();
}

/** The bill issued for this entry of the application into a state, if any. */
export async function billOfApplicationEntry(tx: Tx, applicationId: string, enteredAt: number): Promise<BillRow | null> {
  return (await tx.selectFrom('bills').selectAll().where('application_id', '=', applicationId).where('application_entered_at', '=', enteredAt).executeTakeFirst()) ?? null;
}

/** Cancels the application's unpaid bills issued for other entries (the application moved on); returns them. */
export async function cancelStaleApplicationBills(tx: Tx, applicationId: string, currentEnteredAt: number): Promise<BillRow[]> {
  const stale = await tx.selectFrom('bills').selectAll().where('application_id', '=', applicationId).where('status', '=', 'unpaid')
    .where((eb) => eb.or([eb('application_entered_at', 'is', null), eb('application_entered_at', '<>', currentEnteredAt)])).execute();
  if (stale.length) await tx.updateTable('bills').set({ status: 'cancelled' }).where('id', 'in', stale.map((b) => b.id)).where('status', '=', 'unpaid').execute();
  return stale;
}

/** Marks a bill paid by a payment; false when it was not unpaid any more (paid by another payment, cancelled). */
export async function markBillPaid(tx: Tx, billId: string, paymentId: string, now: number): Promise<boolean> {
  const r = await tx.updateTable('bills').set({ status: 'paid', payment_id: paymentId, paid_at: now }).where('id', '=', billId).where('status', '=', 'unpaid').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** True when the application is still open in the state entry the bill was issued for. */
export async function applicationAtEntry(tx: Tx, bill: Pick<BillRow, 'application_id' | 'application_state' | 'application_entered_at'>): Promise<boolean> {
  if (!bill.application_id || !bill.application_state || bill.application_entered_at === null || bill.application_entered_at === undefined) return false;
  const row = await tx.selectFrom('applications').select('id').where('id', '=', bill.application_id).where('phase', '=', 'open')
    .where('state', '=', bill.application_state).where('state_entered_at', '=', Number(bill.application_entered_at)).executeTakeFirst();
  return Boolean(row);
}

/** Paid application bills whose application still waits in the state they were issued for (the transition after payment did not happen). */
export function paidBillsAwaitingTransition(tx: Tx, limit: number) {
  return tx.selectFrom('bills as b').innerJoin('applications as a', 'a.id', 'b.application_id')
    .select(['b.id', 'b.application_id', 'b.application_state', 'b.payment_id'])
    .where('b.kind', '=', 'application').where('b.status', '=', 'paid').where('a.phase', '=', 'open')
    .whereRef('a.state', '=', 'b.application_state').whereRef('a.state_entered_at', '=', 'b.application_entered_at')
    .orderBy('b.paid_at').limit(limit).execute();
}

// ---------- payments ----------

export function insertPayment(tx: Tx, row: PaymentsTable) {
  return tx.insertInto('payments').values(row).execute();
}

export function linkBills(tx: Tx, paymentId: string, billIds: string[]) {
  return tx.insertInto('payment_bills').values(billIds.map((bill_id) => ({ payment_id: paymentId, bill_id }))).execute();
}

export async function paymentById(tx: Tx, id: string): Promise<PaymentRow | null> {
  return (await tx.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function paymentByAuthority(tx: Tx, authority: string): Promise<PaymentRow | null> {
  return (await tx.selectFrom('payments').selectAll().where('authority', '=', authority).executeTakeFirst()) ?? null;
}

/** The ids of the bills a payment is for. */
export async function billIdsOfPayment(tx: Tx, paymentId: string): Promise<string[]> {
  const rows = await tx.selectFrom('payment_bills').select('bill_id').where('payment_id', '=', paymentId).orderBy('bill_id').execute();
  return rows.map((r) => r.bill_id);
}

/** Pending payments of this payer started since `since` that cover any of these bills, newest first. */
export function pendingPaymentsTouching(tx: Tx, billIds: string[], citizenId: string, since: number): Promise<PaymentRow[]> {
  return tx.selectFrom('payments').selectAll()
    .where('status', '=', 'pending').where('citizen_id', '=', citizenId).where('created_at', '>=', since)
    .where('id', 'in', (eb) => eb.selectFrom('payment_bills').select('payment_id').where('bill_id', 'in', billIds))
    .orderBy('created_at', 'desc').execute();
}

/** Payments of a bill, newest first. */
export function paymentsOfBill(tx: Tx, billId: string): Promise<PaymentRow[]> {
  return tx.selectFrom('payments').selectAll()
    .where('id', 'in', (eb) => eb.selectFrom('payment_bills').select('payment_id').where('bill_id', '=', billId))
    .orderBy('created_at', 'desc').execute();
}

/** Stores the gateway's authority on a payment that has none yet; false if it changed meanwhile. */
export async function setAuthority(tx: Tx, id: string, authority: string, now: number): Promise<boolean> {
  const r = await tx.updateTable('payments').set({ authority, updated_at: now }).where('id', '=', id).where('status', '=', 'pending').where('authority', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Moves a payment from one of `from` to `to` with the given fields: the claim that makes each
 * payment's state change happen once, however many callers race (a double click, the browser
 * and the reconciliation job). True only for the caller that made the change.
 */
export async function claimPayment(tx: Tx, id: string, from: PaymentRow['status'][], set: Partial<Omit<PaymentRow, 'id' | 'org_id' | 'amount'>> & { status: PaymentRow['status']; updated_at: number }): Promise<boolean> {
  const r = await tx.updateTable('payments').set(set).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Notes why a pending payment is still pending (a gateway that did not answer), without changing its state. */
export function noteError(tx: Tx, id: string, message: string, now: number) {
  return tx.updateTable('payments').set({ last_error: message.slice(0, 500), updated_at: now }).where('id', '=', id).execute();
}

/** Pending payments started before `before`, oldest first: the reconciliation job's work. */
export function pendingPaymentsBefore(tx: Tx, before: number, limit: number): Promise<PaymentRow[]> {
  return tx.selectFrom('payments').selectAll().where('status', '=', 'pending').where('created_at', '<', before).orderBy('created_at').limit(limit).execute();
}

/** True when any payment is pending (the reconciliation job asks the gateway nothing otherwise). */
export async function anyPending(tx: Tx): Promise<boolean> {
  return Boolean(await tx.selectFrom('payments').select('id').where('status', '=', 'pending').limit(1).executeTakeFirst());
}

/** Pending payments with these authorities (the gateway says they were paid). */
export function pendingPaymentsWithAuthorities(tx: Tx, authorities: string[]): Promise<PaymentRow[]> {
  if (!authorities.length) return Promise.resolve([]);
  return tx.selectFrom('payments').selectAll().where('status', '=', 'pending').where('authority', 'in', authorities).execute();
}

// ---------- staff reads (org-scoped) ----------

export async function billInScope(tx: Tx, scope: OrgScope, id: string): Promise<BillRow | null> {
  return (await tx.selectFrom('bills').selectAll().where('id', '=', id).where('org_id', '=', scope.orgId).executeTakeFirst()) ?? null;
}

export async function paymentInScope(tx: Tx, scope: OrgScope, id: string): Promise<PaymentRow | null> {
  return (await tx.selectFrom('payments').selectAll().where('id', '=', id).where('org_id', '=', scope.orgId).executeTakeFirst()) ?? null;
}

// ---------- people and places ----------

export async function citizenById(tx: Tx, id: string): Promise<CitizensTable | null> {
  return (await tx.selectFrom('citizens').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function orgById(tx: Tx, id: string) {
  return (await tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('id', '=', id).executeTakeFirst()) ?? null;
}

export function orgsByIds(tx: Tx, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return tx.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).where('id', 'in', ids).execute();
}

/** The application fields a bill needs: its state entry, citizen, service version and form values. */
export async function applicationForBilling(tx: Tx, id: string) {
  return (await tx.selectFrom('applications')
    .select(['id', 'org_id', 'org_service_id', 'version_id', 'citizen_id', 'tracking_code', 'state', 'state_entered_at', 'phase', 'form_data'])
    .where('id', '=', id).executeTakeFirst()) ?? null;
}

export function trackingCodes(tx: Tx, applicationIds: string[]) {
  if (!applicationIds.length) return Promise.resolve([]);
  return tx.selectFrom('applications').select(['id', 'tracking_code']).where('id', 'in', applicationIds).execute();
}

