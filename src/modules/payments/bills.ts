/**
 * Issuing bills, for applications (their fees, when the workflow waits for payment) and for any
 * other module that bills citizens (annual levies). Every function here works inside the caller's
 * transaction, so a bill exists exactly when the change that issued it commits.
 */
import type { Tx } from '../../platform/db/index.js';
import { nextCounter } from '../../platform/db/counters.js';
import { newId, systemActor, type Actor } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import { jalaliParts } from '../../platform/i18n/format.js';
import type { ActionDef, Localized, ServiceDefinition } from '../catalog/definition.js';
import { adoptedServiceById, definitionOfVersion } from '../catalog/lookup.js';
import { FeeComputationError, computeFees } from '../catalog/workflow.js';
import * as q from './queries.js';

/** The printed number of a bill: the org code upper-case, B, the Jalali year, a six-digit number (SARI-B-1405-000042). */
export function formatBillCode(orgCode: string, jalaliYear: number, n: number): string {
  return `${orgCode.toUpperCase()}-B-${jalaliYear}-${String(n).padStart(6, '0')}`;
}

/** The next bill code of an organization: a per-org, per-Jalali-year counter, safe under concurrency. */
export async function nextBillCode(tx: Tx, orgId: string, now: number): Promise<string> {
  const org = await q.orgById(tx, orgId);
  if (!org) throw new Error(`no organization ${orgId}`);
  const year = jalaliParts(now).year;
  return formatBillCode(org.code, year, await nextCounter(tx, orgId, `bill:${year}`));
}

export interface BillItemInput {
  key: string;
  title: Localized;
  /** Rials, a whole number >= 0. */
  amount: number;
}

export interface NewBill {
  orgId: string;
  /** 'application', 'renewal_levy', 'business_levy', 'other'. */
  kind: string;
  title: Localized;
  items: BillItemInput[];
  citizenId?: string | null;
  nationalCode?: string | null;
  propertyCode?: string | null;
  businessCode?: string | null;
  period?: string | null;
  dueAt?: number | null;
  importBatch?: string | null;
  /** A bill code already drawn (e.g. by an import that numbers its rows first); drawn here otherwise. */
  billCode?: string;
  application?: { id: string; state: string; enteredAt: number } | null;
}

/**
 * Writes an unpaid bill with its items (the amount is their sum, in Rials) and its bill code,
 * and the audit entry, in the caller's transaction. Returns the bill's id, code and amount.
 */
export async function createBill(tx: Tx, actor: Actor, bill: NewBill, now: number): Promise<{ id: string; billCode: string; amount: number }> {
  for (const i of bill.items) {
    if (!Number.isSafeInteger(i.amount) || i.amount < 0) throw new RangeError(`bill item ${i.key}: amount must be whole Rials >= 0, got ${i.amount}`);
  }
  const amount = bill.items.reduce((sum, i) => sum + i.amount, 0);
  if (!Number.isSafeInteger(amount)) throw new RangeError('bill amount out of range');
  const id = newId();
  const billCode = bill.billCode ?? await nextBillCode(tx, bill.orgId, now);
  await q.insertBill(tx, {
    id, org_id: bill.orgId, kind: bill.kind, bill_code: billCode, application_id: bill.application?.id ?? null,
    citizen_id: bill.citizenId ?? null, national_code: bill.nationalCode ?? null, property_code: bill.propertyCode ?? null, business_code: bill.businessCode ?? null,
    title_fa: bill.title.fa, title_en: bill.title.en ?? bill.title.fa, period: bill.period ?? null, amount, status: 'unpaid', due_at: bill.dueAt ?? null,
    payment_id: null, import_batch: bill.importBatch ?? null, created_at: now, paid_at: null,
    application_state: bill.application?.state ?? null, application_entered_at: bill.application?.enteredAt ?? null,
  });
  // Item ids sort in the bill's order (bill_items has no position column).
  await q.insertBillItems(tx, bill.items.map((i, n) => ({ id: `${id}:${String(n).padStart(3, '0')}`, bill_id: id, item_key: i.key, title_fa: i.title.fa, title_en: i.title.en ?? i.title.fa, amount: i.amount })));
  await appendAudit(tx, actor, {
    orgId: bill.orgId, action: 'bill.created', entity: 'bill', entityId: id,
    data: { bill_code: billCode, kind: bill.kind, amount, ...(bill.application ? { application: bill.application.id, state: bill.application.state } : {}), ...(bill.importBatch ? { import_batch: bill.importBatch } : {}) },
  }, now);
  return { id, billCode, amount };
}

/** The action a verified payment takes in this state (`by: payment`), if the state waits for one. */
export function paymentActionOf(def: ServiceDefinition, state: string): ActionDef | undefined {
  return def.workflow.actions.find((a) => a.from === state && a.by === 'payment');
}

/**
 * Brings an application's bills in line with the state it just entered, in the caller's
 * transaction (the applications module calls it after every transition and submission):
 * unpaid bills issued for an earlier state entry are cancelled (the application moved on, so
 * they must not be paid any more), and when the new state waits for a payment, the application's
 * fees (the definition's formulas with the organization's tariff, on the current answers) are
 * billed once for this entry. Idempotent. Returns the new bill's id, if one was issued.
 */
export async function syncApplicationBills(tx: Tx, applicationId: string, now: number): Promise<{ billId: string | null; cancelled: string[] }> {
  const app = await q.applicationForBilling(tx, applicationId);
  if (!app) return { billId: null, cancelled: [] };
  const enteredAt = Number(app.state_entered_at);
  const stale = await q.cancelStaleApplicationBills(tx, app.id, enteredAt);
  for (const b of stale) {
    await appendAudit(tx, systemActor, { orgId: b.org_id, action: 'bill.cancelled', entity: 'bill', entityId: b.id, data: { bill_code: b.bill_code, application: app.id, reason: 'application_moved', state: app.state } }, now);
  }
  const billId = app.phase === 'open' ? await createApplicationBill(tx, applicationId, now) : null;
  return { billId, cancelled: stale.map((b) => b.id) };
}

/**
 * Bills the application's fees for its current state entry when that state has a `by: payment`
 * action: one bill per entry (a second call returns the same bill). No bill when the state does
 * not wait for a payment, or the fees come to nothing; a fee formula that cannot be computed is
 * recorded in the audit log instead of stopping the workflow (staff can still confirm a payment
 * made at the bank). Returns the bill's id, or null.
 */
export async function createApplicationBill(tx: Tx, applicationId: string, now: number): Promise<string | null> {
  const app = await q.applicationForBilling(tx, applicationId);
  if (!app || app.phase !== 'open') return null;
  // Definitions are cached per version: most transitions end here, at no cost.
  const def = (await definitionOfVersion(tx, app.version_id))?.definition;
  if (!def || !paymentActionOf(def, app.state)) return null;
  const enteredAt = Number(app.state_entered_at);
  const existing = await q.billOfApplicationEntry(tx, app.id, enteredAt);
  if (existing) return existing.id;
  const adopted = await adoptedServiceById(tx, app.org_service_id);
  if (!adopted) return null;
  let fees: { items: { key: string; title: Localized; amount: number }[]; total: number };
  try {
    fees = computeFees(def, adopted.overrides, parseValues(app.form_data));
  } catch (err) {
    if (!(err instanceof FeeComputationError)) throw err;
    await appendAudit(tx, systemActor, { orgId: app.org_id, action: 'bill.not_issued', entity: 'application', entityId: app.id, data: { state: app.state, reason: 'fee_formula', fee: err.feeKey } }, now);
    return null;
  }
  const items = fees.items.filter((i) => i.amount > 0);
  if (!items.length) return null;
  const bill = await createBill(tx, systemActor, {
    orgId: app.org_id, kind: 'application', title: def.title, items, citizenId: app.citizen_id,
    application: { id: app.id, state: app.state, enteredAt },
  }, now);
  return bill.id;
}

function parseValues(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}
