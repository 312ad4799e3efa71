import { z } from 'zod';

// Wire shapes of the payments API: bills, payments and receipts. Amounts are integer Rials.

const localized = z.object({ fa: z.string(), en: z.string().optional() });
const instant = z.string().meta({ description: 'ISO 8601, UTC', example: '2026-11-28T09:00:00.000Z' });
const rials = z.number().int().meta({ description: 'Rials' });

export const idParams = z.object({ id: z.string().max(64) });

export const payBody = z.object({
  bill_ids: z.array(z.string().max(64)).min(1).max(20).meta({ description: 'The bills to pay at once: the caller\'s, of one organization, payable now' }),
  return_to: z.string().max(2000).optional().meta({ description: 'A path on this site to come back to after the bank (anything else is ignored)', example: '/my/applications/5f0c…' }),
});

export const refundedBody = z.object({ note: z.string().max(500).meta({ description: 'How it was refunded (bank, date, reference)' }) });

const billItem = z.object({ key: z.string(), title: localized, amount: rials });

export const billReply = z.object({
  id: z.string(),
  bill_code: z.string().meta({ example: 'SARI-B-1405-000042' }),
  org: z.object({ code: z.string(), name: localized }),
  kind: z.string().meta({ description: 'application | renewal_levy | business_levy | other' }),
  title: localized,
  period: z.string().nullable().meta({ description: 'Jalali year of an annual levy' }),
  amount: rials,
  amount_in_words: localized,
  status: z.enum(['unpaid', 'paid', 'cancelled', 'expired']),
  payable: z.boolean().meta({ description: 'True when it can be paid now' }),
  due_at: instant.nullable(),
  created_at: instant,
  paid_at: instant.nullable(),
  payment_id: z.string().nullable(),
  application: z.object({ id: z.string(), tracking_code: z.string().nullable() }).nullable(),
  national_code: z.string().nullable(),
  property_code: z.string().nullable(),
  business_code: z.string().nullable(),
  items: z.array(billItem),
  url: z.string().meta({ description: 'The bill\'s page' }),
});

export const billsReply = z.object({ items: z.array(billReply) });

export const startReply = z.object({
  payment_id: z.string(),
  redirect_url: z.string().meta({ description: 'Send the payer here (the bank); they come back to the callback page and then to return_to' }),
  reused: z.boolean().meta({ description: 'True when a payment started moments ago for the same bills was reused (no second charge)' }),
});

export const paymentReply = z.object({
  id: z.string(),
  org: z.object({ code: z.string(), name: localized }),
  gateway: z.string(),
  amount: rials,
  gateway_amount: z.number().int().meta({ description: 'What the gateway was asked to charge, in gateway_currency' }),
  gateway_currency: z.string().meta({ description: 'IRR (Rials) or IRT (Tomans)' }),
  status: z.enum(['pending', 'paid', 'failed', 'cancelled', 'expired', 'refund_due', 'refunded']),
  ref_id: z.string().nullable().meta({ description: 'The bank\'s reference number' }),
  card_mask: z.string().nullable(),
  return_to: z.string(),
  created_at: instant,
  updated_at: instant,
  verified_at: instant.nullable(),
  bills: z.array(z.object({ id: z.string(), bill_code: z.string(), title: localized, amount: rials, status: z.string(), paid_by_this: z.boolean(), application_id: z.string().nullable() })),
  last_error: z.string().nullable().meta({ description: 'Staff only' }),
  receipt_url: z.string().nullable(),
});

export const receiptReply = z.object({
  payment: paymentReply,
  amount: rials,
  amount_in_words: localized,
  bills: z.array(billReply),
  payer: z.object({ name: z.string().nullable(), mobile: z.string() }).nullable(),
});
