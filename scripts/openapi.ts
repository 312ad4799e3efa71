// Writes the OpenAPI document generated from the route schemas to docs/openapi.json;
// with --check, fails when the committed file differs from what the code generates.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadConfig } from '../src/config.js';
import { buildDeps } from '../src/wiring.js';
import { buildApp } from '../src/app.js';

const target = 'docs/openapi.json';
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1:3000', SESSION_SECRET: 'openapi-generation-only'.padEnd(40, '-') });
const deps = await buildDeps(config);
const app = await buildApp(deps, { logger: false });
await app.ready();
const generated = `${JSON.stringify(app.swagger(), null, 2)}\n`;
await app.close();
await deps.close();

if (process.argv.includes('--check')) {
  const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (committed !== generated) {
    process.stderr.write(`${target} is out of date with the route schemas: run \`npm run openapi\` and commit the result.\n`);
    process.exit(1);
  }
  process.stdout.write(`${target} matches the code.\n`);
} else {
  writeFileSync(target, generated);
  process.stdout.write(`wrote ${target}\n`);
}
