// The app process the crash test kills: built and started as src/main.ts builds it (the outbox
// worker, the payment reconciler and the other background jobs running), configured by its
// environment. It loads its modules, prints "READY", and waits for a line "GO <offset ms>" on
// stdin before it opens the database (so a restarted process can be loaded while the first one
// still runs, as a supervisor's would be); the offset moves its clock forward: a restart "some
// minutes later", when the crashed worker's leases have ended and the reconciler considers the
// pending payments. Prints "LISTENING <port>" once it serves.
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/wiring.js';
import { buildApp } from '../../src/app.js';

process.stdout.write('READY\n');
const go = await new Promise<string>((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
const offset = Number(/^GO (-?\d+)$/.exec(go)?.[1] ?? 0);
const deps = await buildDeps(loadConfig(), { clock: { now: () => Date.now() + offset } });
const app = await buildApp(deps);
const report = (what: string) => (err: unknown) => process.stderr.write(`${what}: ${(err as Error)?.stack ?? err}\n`);
deps.worker.start();
deps.escalations.start(report('escalation scan'));
deps.reportEscalations.start(report('report escalation scan'));
deps.reconciler.start(report('payment reconciliation'));
deps.councilOverdue.start(report('council overdue scan'));
deps.newsScheduler.start(report('news scheduler'));
deps.rollups.start(report('rollup'));
deps.fileSweeper.start(report('file sweep'));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
