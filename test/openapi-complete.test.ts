import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp } from './helpers.js';

// The OpenAPI document integrators read: every operation under /api/ answers its success with a
// schema (or an explicit no-content status), shows an example of what it takes or gives, declares
// each path parameter, and gives each error status a schema (the shared error reply, or a documented
// reply such as a levy import's row problems).

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const NO_CONTENT = new Set(['204', '205', '304']);

const hasExample = (v: unknown): boolean => JSON.stringify(v ?? null).match(/"examples?":/) !== null;
const hasSchema = (content: unknown): boolean =>
  typeof content === 'object' && content !== null &&
  Object.values(content as Record<string, { schema?: Json }>).some((c) => c?.schema !== undefined && Object.keys(c.schema).length > 0);

/** What each operation under /api/ lacks, as "METHOD /path: what" lines. */
export function incompleteOperations(doc: { paths?: Record<string, Record<string, Json>> }): string[] {
  const problems: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.includes(method)) continue;
      const name = `${method.toUpperCase()} ${path}`;
      const responses = (op.responses ?? {}) as Record<string, { content?: unknown }>;
      const ok = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
      const okWithBody = ok.filter(([status]) => !NO_CONTENT.has(status));
      if (!ok.some(([status, r]) => NO_CONTENT.has(status) || hasSchema(r.content))) problems.push(`${name}: no 2xx response with a schema or a no-content status`);
      const params = (op.parameters ?? []) as { in: string; name: string; schema?: Json }[];
      // Nothing to show an example of: no input and only no-content answers (e.g. signing out).
      const nothingToShow = params.length === 0 && op.requestBody === undefined && okWithBody.length === 0;
      if (!nothingToShow && !hasExample(params) && !hasExample(op.requestBody) && !hasExample(okWithBody)) {
        problems.push(`${name}: no example in its parameters, request body or 2xx response`);
      }
      for (const m of path.matchAll(/\{([^}]+)\}/g)) {
        if (!params.some((p) => p.in === 'path' && p.name === m[1] && p.schema)) problems.push(`${name}: path parameter ${m[1]} has no schema`);
      }
      for (const [status, r] of Object.entries(responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        if (!hasSchema(r.content)) problems.push(`${name}: its ${status} has no schema (use the shared error reply)`);
      }
    }
  }
  return problems;
}

test('the checker names what an operation lacks', () => {
  const error = { content: { 'application/json': { schema: { properties: { error: {} } } } } };
  const doc = {
    paths: {
      '/api/v1/things/{id}': {
        get: { responses: { 200: { description: 'Default Response' }, 404: error } },
        delete: { parameters: [{ in: 'path', name: 'id', schema: { type: 'string', example: 'x1' } }], responses: { 204: { description: 'Removed' }, 404: { description: 'no body' } } },
      },
      '/api/v1/fine': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object', example: { a: 1 } } } } }, responses: { 201: { content: { 'application/json': { schema: { type: 'object' } } } } } } },
      '/api/v1/logout': { post: { responses: { 204: { description: 'Signed out' } } } },
      '/pages/not-api': { get: { responses: {} } },
    },
  };
  assert.deepEqual(incompleteOperations(doc), [
    'GET /api/v1/things/{id}: no 2xx response with a schema or a no-content status',
    'GET /api/v1/things/{id}: no example in its parameters, request body or 2xx response',
    'GET /api/v1/things/{id}: path parameter id has no schema',
    'DELETE /api/v1/things/{id}: its 404 has no schema (use the shared error reply)',
  ]);
});

test('every /api/ operation of the OpenAPI document has its schemas and an example', async () => {
  const t = await makeTestApp();
  try {
    const doc = t.app.swagger() as { paths?: Record<string, Record<string, Json>> };
    assert.ok(Object.keys(doc.paths ?? {}).some((p) => p.startsWith('/api/v1/')), 'the document lists the API');
    const problems = incompleteOperations(doc);
    assert.deepEqual(problems, [], `${problems.length} incomplete operations:\n${problems.join('\n')}`);
  } finally {
    await t.close();
  }
});
