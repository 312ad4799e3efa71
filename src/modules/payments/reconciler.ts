import { PeriodicJob } from '../../platform/core/periodic.js';
import type { ReconcileReport } from './service.js';

export interface ReconcilerOptions {
  /** One reconciliation pass (the payments service's reconcile). */
  run: () => Promise<ReconcileReport>;
  /** Between passes; the first pass runs right away. Default one minute. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
  /** Told after each pass that found something to do. */
  onReport?: (report: ReconcileReport) => void;
}

/**
 * Runs the payments reconciliation every interval in the background, as the outbox worker runs
 * deliveries: a failed pass is reported and the next one runs on time. Every process may run one;
 * each change a pass makes is a claim, so two passes never settle a payment twice.
 */
export class PaymentReconciler {
  private readonly job: PeriodicJob;

  constructor(opts: ReconcilerOptions) {
    this.job = new PeriodicJob(async () => {
      const report = await opts.run();
      if (report.checked || report.advanced) opts.onReport?.(report);
    }, opts.intervalMs ?? 60_000, opts.onError);
  }

  start(onError?: (err: unknown) => void): void {
    this.job.start(onError);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }
}
