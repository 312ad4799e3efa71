// Test support for payments: a building-permit application walked through the real workflow
// until it waits for payment (so its bill is issued as in production), and a gateway wrapper
// that fails on demand (timeouts, forged answers) around the sandbox bank.
import type { TestApp } from '../../../test/helpers.js';
import { makeStaff } from '../../../test/helpers.js';
import type { Actor, Role } from '../../platform/core/index.js';
import { GatewayError, type InquiryResult, type PaymentGateway, type PaymentRequest, type PaymentStart, type VerifyResult } from '../../platform/payments/types.js';
import { adoptDefinition, buildingPermitAnswers, samplePdf, shippedDefinition } from '../applications/test-factories.js';

const DOCS = ['deed', 'national_card', 'architectural_plans', 'structural_plans', 'supervision_contract'];
let serial = 0;

/** A staff actor of the org with these roles (a real account). */
export async function staffActor(t: TestApp, orgId: string, orgCode: string, roles: Role[]): Promise<Actor> {
  serial += 1;
  const { id } = await makeStaff(t, `${orgCode}.pay${serial}`, roles.map((role) => ({ orgId, role })));
  return { kind: 'staff', id, memberships: roles.map((role) => ({ orgId, orgCode, role })) };
}

/** Adopts the shipped building-permit definition for the org. */
export async function adoptBuildingPermit(t: TestApp, orgId: string): Promise<void> {
  await adoptDefinition(t.deps.db, { orgId, definition: shippedDefinition('building-permit'), now: t.clock.now() });
}

/**
 * A building-permit application of the citizen, submitted, accepted by a clerk and approved by
 * an inspector: it waits for payment and its bill has been issued. Returns the application id.
 */
export async function applicationAwaitingPayment(t: TestApp, o: { citizen: Actor; orgCode: string; clerk: Actor; inspector: Actor; answers?: Record<string, unknown> }): Promise<string> {
  const apps = t.deps.services.applications;
  const draft = await apps.startDraft(o.citizen, o.orgCode, 'building-permit', 'web');
  const saved = await apps.saveDraft(o.citizen, draft.id, buildingPermitAnswers(o.answers), { mode: 'replace', complete: true });
  if (Object.keys(saved.errors).length) throw new Error(`answers refused: ${JSON.stringify(saved.errors)}`);
  for (const key of DOCS) await apps.uploadDocument(o.citizen, draft.id, key, { filename: `${key}.pdf`, content: samplePdf() });
  serial += 1;
  await apps.submit(o.citizen, draft.id, `payments-test-submit-${serial}-${Date.now()}`);
  t.clock.advance(1000);
  await apps.act(o.clerk, draft.id, { action: 'accept' });
  t.clock.advance(1000);
  const a = await apps.act(o.inspector, draft.id, { action: 'approve' });
  if (a.state.key !== 'payment') throw new Error(`expected the payment state, got ${a.state.key}`);
  return draft.id;
}

/** A gateway around another that can be told to time out, or to answer verifications with a made-up result. */
export class ControllableGateway implements PaymentGateway {
  readonly name: string;
  readonly currency: PaymentGateway['currency'];
  readonly redirectOrigin: string | null;
  /** When set, verify throws (as a timeout would). */
  verifyTimesOut = false;
  /** When set, verify answers this instead of asking the inner gateway. */
  verifyAnswer: VerifyResult | null = null;
  /** When set, request throws. */
  requestFails = false;
  verifyCalls = 0;
  requestCalls = 0;

  constructor(private readonly inner: PaymentGateway) {
    this.name = inner.name;
    this.currency = inner.currency;
    this.redirectOrigin = inner.redirectOrigin;
  }

  async request(req: PaymentRequest): Promise<PaymentStart> {
    this.requestCalls += 1;
    if (this.requestFails) throw new GatewayError('test: no answer', { retryable: true });
    return this.inner.request(req);
  }

  redirectUrlFor(authority: string): string {
    return this.inner.redirectUrlFor(authority);
  }

  async verify(input: { authority: string; amountRials: number }): Promise<VerifyResult> {
    this.verifyCalls += 1;
    if (this.verifyTimesOut) throw new GatewayError('test: verify timed out', { retryable: true });
    if (this.verifyAnswer) return this.verifyAnswer;
    return this.inner.verify(input);
  }

  async inquire(authority: string): Promise<InquiryResult> {
    if (!this.inner.inquire) return { status: 'unknown' };
    return this.inner.inquire(authority);
  }
}
