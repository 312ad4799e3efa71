import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import type { BillsTable } from '../../platform/db/schema.js';
import { formatBillCode } from './bills.js';
import { defaultLevyTitle, endOfJalaliDay, jalaliYearAt, type LevyKind } from './levies-rows.js';
import { reserveCounter } from './levies-queries.js';

/**
 * The demo citizen's national code: sign in with any mobile number and enter it on the profile
 * to see levies in Sari and Babol (docs/payments.md).
 */
export const DEMO_LEVY_NATIONAL_CODE = '0012345679';
const OTHER_OWNER = '1122334451';
const DAY = 86_400_000;

interface DemoLevy {
  org: string;
  kind: LevyKind;
  nationalCode: string;
  code: string;
  /** Years before the current Jalali year (0 = this year). */
  yearsAgo: number;
  amount: number;
  /** Days ago it was paid (through the sandbox bank), or null when it is due. */
  paidDaysAgo: number | null;
}

const LEVIES: DemoLevy[] = [
  // The demo citizen's house in Sari: last years paid, this year due; and their shop's business levy.
  { org: 'sari', kind: 'renewal_levy', nationalCode: DEMO_LEVY_NATIONAL_CODE, code: '12-34-567-8', yearsAgo: 2, amount: 9_800_000, paidDaysAgo: 6 },
  { org: 'sari', kind: 'renewal_levy', nationalCode: DEMO_LEVY_NATIONAL_CODE, code: '12-34-567-8', yearsAgo: 1, amount: 11_200_000, paidDaysAgo: 6 },
  { org: 'sari', kind: 'renewal_levy', nationalCode: DEMO_LEVY_NATIONAL_CODE, code: '12-34-567-8', yearsAgo: 0, amount: 12_500_000, paidDaysAgo: null },
  { org: 'sari', kind: 'business_levy', nationalCode: DEMO_LEVY_NATIONAL_CODE, code: 'SH-10245', yearsAgo: 0, amount: 8_400_000, paidDaysAgo: null },
  // Another owner's flat in Sari, all paid: a clearance certificate is issued for it.
  { org: 'sari', kind: 'renewal_levy', nationalCode: OTHER_OWNER, code: '12-34-999-1', yearsAgo: 1, amount: 6_300_000, paidDaysAgo: 3 },
  { org: 'sari', kind: 'renewal_levy', nationalCode: OTHER_OWNER, code: '12-34-999-1', yearsAgo: 0, amount: 7_100_000, paidDaysAgo: 1 },
  { org: 'sari', kind: 'business_levy', nationalCode: OTHER_OWNER, code: 'SH-20417', yearsAgo: 0, amount: 5_600_000, paidDaysAgo: 1 },
  // The demo citizen's land in Babol.
  { org: 'babol', kind: 'renewal_levy', nationalCode: DEMO_LEVY_NATIONAL_CODE, code: '7-45-120-3', yearsAgo: 0, amount: 4_750_000, paidDaysAgo: null },
];

/**
 * Seeds the demo levies once (nothing when Sari already has a levy): renewal and business levies
 * in Sari and Babol, some paid through the sandbox bank days ago (so the revenue report and a
 * clearance certificate have something to show), some due. Bills, payments and one audit entry
 * in one transaction.
 */
export async function seedDemoLevies(db: DB, now = Date.now()): Promise<number> {
  const orgs = await db.selectFrom('orgs').select(['id', 'code']).where('code', 'in', ['sari', 'babol']).execute();
  const ids = new Map(orgs.map((o) => [o.code, o.id]));
  if (!ids.get('sari') || !ids.get('babol')) return 0;
  const existing = await db.selectFrom('bills').select('id').where('org_id', '=', ids.get('sari')!).where('kind', 'in', ['renewal_levy', 'business_levy']).limit(1).executeTakeFirst();
  if (existing) return 0;
  const year = jalaliYearAt(now);
  return inTransaction(db, async (tx) => {
    const byOrg = new Map<string, number>();
    for (const l of LEVIES) byOrg.set(l.org, (byOrg.get(l.org) ?? 0) + 1);
    const next = new Map<string, number>();
    for (const [code, n] of byOrg) next.set(code, (await reserveCounter(tx, ids.get(code)!, `bill:${year}`, n)) - n + 1);
    for (const l of LEVIES) {
      const orgId = ids.get(l.org)!;
      const n = next.get(l.org)!;
      next.set(l.org, n + 1);
      const period = String(year - l.yearsAgo);
      const title = defaultLevyTitle(l.kind, period);
      const paidAt = l.paidDaysAgo === null ? null : now - l.paidDaysAgo * DAY;
      const id = newId();
      const bill: BillsTable = {
        id, org_id: orgId, kind: l.kind, bill_code: formatBillCode(l.org, year, n), application_id: null, citizen_id: null, national_code: l.nationalCode,
        property_code: l.kind === 'renewal_levy' ? l.code : null, business_code: l.kind === 'business_levy' ? l.code : null, title_fa: title.fa, title_en: title.en,
        period, amount: l.amount, status: 'unpaid', due_at: endOfJalaliDay({ year: year - l.yearsAgo, month: 12, day: 29 }), payment_id: null, import_batch: null,
        created_at: now - 20 * DAY, paid_at: null,
      };
      await tx.insertInto('bills').values(bill).execute();
      await tx.insertInto('bill_items').values({ id: newId(), bill_id: id, item_key: l.kind, title_fa: title.fa, title_en: title.en, amount: l.amount }).execute();
      if (paidAt !== null) {
        const paymentId = newId();
        await tx.insertInto('payments').values({
          id: paymentId, org_id: orgId, gateway: 'sandbox', amount: l.amount, gateway_amount: l.amount, gateway_currency: 'IRR', status: 'paid',
          authority: `DEMO-${paymentId}`, ref_id: String(100_000_000 + Math.floor(Math.random() * 900_000_000)), card_mask: '6037-99**-****-1234', citizen_id: null,
          return_to: '/bills', last_error: null, created_at: paidAt - 120_000, updated_at: paidAt, verified_at: paidAt,
        }).execute();
        await tx.insertInto('payment_bills').values({ payment_id: paymentId, bill_id: id }).execute();
        await tx.updateTable('bills').set({ status: 'paid', payment_id: paymentId, paid_at: paidAt }).where('id', '=', id).execute();
      }
    }
    await appendAudit(tx, systemActor, { action: 'demo.levies_seeded', entity: 'bill', data: { bills: LEVIES.length } }, now);
    return LEVIES.length;
  });
}
