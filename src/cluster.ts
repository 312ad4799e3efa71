import cluster, { type Worker } from 'node:cluster';
import { hostname } from 'node:os';

/**
 * `WORKERS=N npm start` (N > 1, PostgreSQL only): this primary process prepares the database once
 * (migrations, the demo seed) and forks N app processes that share its one port (node:cluster
 * hands each new connection to the next worker). A worker that dies is forked again (after a
 * growing pause if it keeps dying at start); SIGTERM or SIGINT stops forking, asks every worker
 * to drain (each closes its server, finishes its requests and background jobs) and exits when
 * they are gone, killing any still there after DRAIN_MS.
 *
 * Everything a worker runs in the background is safe to run in N processes at once: the outbox
 * is claimed with FOR UPDATE SKIP LOCKED, the scanners mark what they did with conditional
 * updates, the rollups lock their cursor rows (docs/operations.md, "Several processes").
 */
export interface PrimaryOptions {
  workers: number;
  logLevel: string;
  /** Runs once before the first fork (migrate, seed); a failure stops the start. */
  prepare: () => Promise<void>;
  /** How long SIGTERM waits for the workers to drain before killing them. */
  drainMs?: number;
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export async function runPrimary(opts: PrimaryOptions): Promise<void> {
  const threshold = LEVELS[opts.logLevel] ?? 30;
  // The same JSON lines as the workers' pino logs, so one log pipeline reads both.
  const log = (level: 'info' | 'warn' | 'error', msg: string, extra: Record<string, unknown> = {}) => {
    if (LEVELS[level]! < threshold) return;
    process.stdout.write(`${JSON.stringify({ level: LEVELS[level], time: Date.now(), pid: process.pid, hostname: hostname(), role: 'primary', ...extra, msg })}\n`);
  };
  const drainMs = opts.drainMs ?? 30_000;

  await opts.prepare();

  let closing = false;
  /** Quick deaths in a row (a worker that exits within 10 s of its fork): the pause before the next fork grows. */
  let quickDeaths = 0;
  const startedAt = new Map<Worker, number>();
  const pending = new Set<NodeJS.Timeout>();

  const fork = (slot: number) => {
    const w = cluster.fork();
    startedAt.set(w, Date.now());
    w.on('exit', (code, signal) => {
      const lived = Date.now() - (startedAt.get(w) ?? 0);
      startedAt.delete(w);
      if (closing) return;
      quickDeaths = lived < 10_000 ? quickDeaths + 1 : 0;
      const pause = quickDeaths ? Math.min(30_000, 500 * 2 ** (quickDeaths - 1)) : 0;
      log('error', 'worker died; forking another', { worker: slot, workerPid: w.process.pid, code, signal, pauseMs: pause });
      const timer = setTimeout(() => { pending.delete(timer); if (!closing) fork(slot); }, pause);
      pending.add(timer);
    });
  };
  for (let i = 1; i <= opts.workers; i++) fork(i);
  log('info', 'primary started its workers', { workers: opts.workers });

  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    for (const t of pending) clearTimeout(t);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    log('info', 'draining the workers', { signal, workers: workers.length });
    const gone = workers.map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) return resolve();
      w.once('exit', () => resolve());
      w.process.kill('SIGTERM');
    }));
    const kill = setTimeout(() => {
      log('warn', 'workers still running after the drain time; killing them', { drainMs });
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    }, drainMs);
    void Promise.all(gone).then(() => {
      clearTimeout(kill);
      log('info', 'all workers stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
