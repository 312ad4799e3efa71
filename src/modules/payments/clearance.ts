import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { nextCounter } from '../../platform/db/counters.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { AppError, notFound } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import { tehranEpochDay, tehranInstant, civilDateOfEpochDay } from '../../platform/i18n/tehran.js';
import { newResultCode, normalizeResultCode } from '../applications/service.js';
import { jalaliYearAt, normalizeLevyCode, LEVY_LIMITS } from './levies-rows.js';
import * as q from './clearance-queries.js';
import './messages-levies.js';

// ---------------------------------------------------------------------------------------------
// Policy

export const CLEARANCE_POLICY = {
  /**
   * How long a certificate stands: it states a fact on the day it is issued (no renewal levy of
   * the property was unpaid); a notary or buyer relying on it later should ask for a fresh one.
   */
  validDays: 30,
};

const DAY_MS = 86_400_000;

/** A certificate number: the org code upper-case, C, the Jalali year, a six-digit per-org-per-year number (SARI-C-1405-000012). */
export function formatCertificateNumber(orgCode: string, jalaliYear: number, n: number): string {
  return `${orgCode.toUpperCase()}-C-${jalaliYear}-${String(n).padStart(6, '0')}`;
}

type Localized = { fa: string; en: string };

/** A clearance certificate as printed and as the public verification shows it (no personal data is on it). */
export interface ClearanceView {
  number: string;
  verifyCode: string;
  org: { code: string; name: Localized };
  propertyCode: string;
  /** The latest Jalali year whose renewal levy was found paid. */
  periodsThrough: string | null;
  billsChecked: number;
  issuedAt: number;
  validUntil: number;
  /** Still within its validity now. */
  current: boolean;
}

/** A renewal levy that stands in the way of a certificate. */
export interface UnpaidLevy {
  id: string;
  billCode: string;
  period: string | null;
  amount: number;
  dueAt: number | null;
}

/** A certificate refused (409) because renewal levies of the property are unpaid; they are named, so the citizen can pay them. */
export class ClearanceRefused extends AppError {
  constructor(readonly unpaid: UnpaidLevy[], readonly org: string, readonly propertyCode: string) {
    super('clearance.unpaid', 409, { property_code: 'clearance.unpaid_field' }, {
      count: unpaid.length,
      bills: unpaid.map((b) => `${b.billCode} (${b.period ?? ''})`).join('، '),
    });
  }
}

export interface ClearanceDeps {
  db: DB;
  clock: Clock;
}

/** The start of the Tehran day of an instant. */
function startOfTehranDay(at: number): number {
  return tehranInstant(civilDateOfEpochDay(tehranEpochDay(at))).getTime();
}

/** Builds the clearance service: issuing a certificate when nothing is due, and verifying one by its code. */
export function createClearanceService(deps: ClearanceDeps) {
  const { db, clock } = deps;

  function view(row: NonNullable<Awaited<ReturnType<typeof q.certificateByCode>>>, now: number): ClearanceView {
    return {
      number: row.number,
      verifyCode: row.verify_code,
      org: { code: row.org_code, name: { fa: row.org_name_fa, en: row.org_name_en } },
      propertyCode: row.property_code,
      periodsThrough: row.periods_through,
      billsChecked: Number(row.bills_checked),
      issuedAt: Number(row.issued_at),
      validUntil: Number(row.valid_until),
      current: now < Number(row.valid_until),
    };
  }

  const service = {
    /**
     * Issues a clearance certificate (مفاصاحساب) for a property of a municipality when none of its
     * renewal levies is unpaid; refuses (409, naming the unpaid bills) otherwise, and answers 404
     * for a property the municipality has no renewal levy for. Asked again the same day with
     * nothing changed, it returns the certificate already issued. Certificate and audit entry in
     * one transaction.
     */
    async issue(actor: Actor, input: { org: string; property_code: string }): Promise<ClearanceView> {
      const now = clock.now();
      const orgCode = String(input.org ?? '').trim();
      if (!orgCode) throw new AppError('common.invalid_input', 400, { org: 'levies.org_required' });
      const raw = String(input.property_code ?? '').trim();
      if (!raw) throw new AppError('common.invalid_input', 400, { property_code: 'common.required' });
      const propertyCode = normalizeLevyCode(raw);
      if (!propertyCode) throw new AppError('common.invalid_input', 400, { property_code: 'levies.code_invalid' }, { max: LEVY_LIMITS.codeMax });
      const verifyCode = await inTransaction(db, async (tx) => {
        const org = orgCode.length <= 64 ? await q.orgByCode(tx, orgCode) : undefined;
        if (!org) throw new AppError('common.invalid_input', 400, { org: 'levies.org_unknown' });
        const levies = await q.renewalLeviesOfProperty(tx, org.id, propertyCode);
        if (levies.length === 0) throw notFound('clearance.unknown_property');
        const unpaid = levies.filter((b) => b.status === 'unpaid');
        if (unpaid.length) {
          throw new ClearanceRefused(unpaid.map((b) => ({ id: b.id, billCode: b.bill_code, period: b.period, amount: Number(b.amount), dueAt: b.due_at == null ? null : Number(b.due_at) })), org.code, propertyCode);
        }
        const paid = levies.filter((b) => b.status === 'paid');
        const periodsThrough = paid.reduce<string | null>((max, b) => (b.period && (!max || b.period > max) ? b.period : max), null);
        const today = await q.latestCertificateSince(tx, org.id, propertyCode, startOfTehranDay(now));
        if (today && Number(today.valid_until) > now && today.periods_through === periodsThrough && Number(today.bills_checked) === levies.length) return today.verify_code;
        const code = newResultCode();
        const number = formatCertificateNumber(org.code, jalaliYearAt(now), await nextCounter(tx, org.id, `clearance:${jalaliYearAt(now)}`));
        const id = newId();
        await q.insertCertificate(tx, {
          id, org_id: org.id, number, verify_code: code, property_code: propertyCode, periods_through: periodsThrough, bills_checked: levies.length,
          issued_by_kind: actor.kind === 'api_client' ? 'system' : actor.kind, issued_by: actor.id, issued_at: now, valid_until: now + CLEARANCE_POLICY.validDays * DAY_MS,
        });
        await appendAudit(tx, actor, { orgId: org.id, action: 'clearance.issued', entity: 'clearance_certificate', entityId: id, data: { number, property_code: propertyCode, periods_through: periodsThrough, bills_checked: levies.length } }, now);
        return code;
      });
      return service.verify(verifyCode);
    },

    /** Public check of a certificate by its verification code (dashes, lower case, Persian digits accepted); unknown codes are 404. */
    async verify(code: string): Promise<ClearanceView> {
      const verifyCode = normalizeResultCode(code);
      if (!verifyCode) throw notFound('clearance.verify_invalid');
      const row = await q.certificateByCode(db, verifyCode);
      if (!row) throw notFound('clearance.verify_invalid');
      return view(row, clock.now());
    },
  };
  return service;
}

export type ClearanceService = ReturnType<typeof createClearanceService>;
