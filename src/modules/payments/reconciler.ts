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
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  private readonly intervalMs: number;
  private onError: (err: unknown) => void;

  constructor(private readonly opts: ReconcilerOptions) {
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.onError = opts.onError ?? (() => undefined);
  }

  start(onError?: (err: unknown) => void): void {
    if (onError) this.onError = onError;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.opts.run()
        .then((report) => {
          if (report.checked || report.advanced) this.opts.onReport?.(report);
        })
        .catch((err) => this.onError(err))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.schedule(this.intervalMs);
        });
    }, ms);
    this.timer.unref?.();
  }
}
