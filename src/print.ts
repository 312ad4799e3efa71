import type { SeedResult } from './modules/orgs/seed.js';

/** Prints the demo accounts once, right after they were created; the passwords are stored only as hashes. */
export function printDemoAccounts(seed: SeedResult, url: string): void {
  const lines = [
    '',
    '════════ Pishkhan demo province seeded — demo staff accounts (shown once) ════════',
    ...seed.accounts.map((a) => `  ${a.username.padEnd(18)} ${a.password}   ${a.roles.join(',')} @ ${a.org}`),
    `  Reset one with: npm run cli -- reset-password <username>`,
    `  Citizens sign in with any mobile number; codes appear at ${url}/dev/outbox`,
    '═══════════════════════════════════════════════════════════════════════════════════',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
