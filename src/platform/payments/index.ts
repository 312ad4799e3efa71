import type { DB } from '../db/index.js';
import type { Clock } from '../core/index.js';
import { SandboxGateway } from './sandbox.js';
import { ZarinpalGateway } from './zarinpal.js';
import type { GatewayCurrency, PaymentGateway } from './types.js';

export * from './types.js';
export { SandboxGateway, sandboxDecide, sandboxTransaction, SANDBOX_AUTHORITY, type SandboxChoice, type SandboxTransaction } from './sandbox.js';
export { ZarinpalGateway, ZARINPAL_DEFAULT_BASE_URL } from './zarinpal.js';

export type GatewayConfig =
  | { gateway: 'sandbox' }
  | { gateway: 'zarinpal'; zarinpal: { merchantId: string; baseUrl?: string; currency: GatewayCurrency; timeoutMs?: number } };

/** The configured gateway: the built-in test bank, or Zarinpal. */
export function createPaymentGateway(cfg: GatewayConfig, deps: { db: DB; clock: Clock }): PaymentGateway {
  if (cfg.gateway === 'zarinpal') return new ZarinpalGateway(cfg.zarinpal);
  return new SandboxGateway({ db: deps.db, clock: deps.clock });
}
