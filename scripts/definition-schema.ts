// Writes docs/service-definition.schema.json, the published JSON Schema of a service definition,
// generated from definitionSchema (src/modules/catalog/definition.ts); with --check, fails when the
// committed file differs from what the code generates.
// The schema describes what an author writes (defaults may be left out). The checks across parts
// (unique keys, the workflow graph, formulas, placeholders) are in validate.ts, not in the schema.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { definitionSchema } from '../src/modules/catalog/definition.js';

const target = 'docs/service-definition.schema.json';
const schema = {
  ...z.toJSONSchema(definitionSchema, { io: 'input', target: 'draft-2020-12' }),
  title: 'Pishkhan service definition',
};
const generated = `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv.includes('--check')) {
  const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (committed !== generated) {
    process.stderr.write(`${target} is out of date with definitionSchema: run \`npx tsx scripts/definition-schema.ts\` and commit the result.\n`);
    process.exit(1);
  }
  process.stdout.write(`${target} matches the code.\n`);
} else {
  writeFileSync(target, generated);
  process.stdout.write(`wrote ${target}\n`);
}
