/**
 * Runs a task every interval in the background (the first run right away) until stopped. A
 * failed run is reported and the next one runs on time; runs never overlap; stop() waits for
 * the run in progress. Timers do not keep the process alive.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly intervalMs: number,
    private onError: (err: unknown) => void = () => undefined,
  ) {}

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
      this.running = this.task().catch((err) => this.onError(err)).finally(() => {
        this.running = null;
        if (!this.stopped) this.schedule(this.intervalMs);
      });
    }, ms);
    this.timer.unref?.();
  }
}
