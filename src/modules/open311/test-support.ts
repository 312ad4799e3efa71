// Test support for Open311: the standard's JSON Schemas (from ../shared/open311 when present),
// schemas for the answers the standard describes only in prose (POST, tokens, errors) and for
// FixMyStreet's servicerequestupdates, and an XML parser that keeps lists as lists.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const schemaDir = resolve(repoRoot, '../shared/open311/georeport-v2');
export const haveSchemas = existsSync(join(schemaDir, 'requests.json'));

const nullable = (s: object) => ({ anyOf: [s, { type: 'null' }] });
/** Schemas of our own, written from the GeoReport v2 wiki and FixMyStreet's extension. */
const LOCAL_SCHEMAS: Record<string, object> = {
  'post-response.json': {
    type: 'array', minItems: 1, maxItems: 1,
    items: {
      type: 'object', required: ['service_request_id', 'token', 'service_notice', 'account_id'], additionalProperties: false,
      properties: { service_request_id: { type: 'string', minLength: 1 }, token: nullable({ type: 'string' }), service_notice: nullable({ type: 'string' }), account_id: nullable({ type: 'string' }) },
    },
  },
  'tokens.json': {
    type: 'array', minItems: 1,
    items: { type: 'object', required: ['token', 'service_request_id'], additionalProperties: false, properties: { token: { type: 'string' }, service_request_id: { type: 'string' } } },
  },
  'errors.json': {
    type: 'array', minItems: 1,
    items: { type: 'object', required: ['code', 'description'], additionalProperties: false, properties: { code: { type: 'integer', enum: [400, 403, 404] }, description: { type: 'string', minLength: 1 } } },
  },
  'service-request-updates.json': {
    type: 'array',
    items: {
      type: 'object', additionalProperties: false,
      required: ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url', 'external_status_code'],
      properties: {
        update_id: { type: 'string', minLength: 1 }, service_request_id: { type: 'string', minLength: 1 }, status: { enum: ['open', 'closed'] },
        updated_datetime: { type: 'string', format: 'date-time' }, description: { type: 'string' },
        media_url: { anyOf: [{ type: 'string', maxLength: 0 }, { type: 'string', format: 'uri' }] }, external_status_code: { type: 'string' },
      },
    },
  },
};

let validators: Record<string, ValidateFunction> | null = null;
function load(): Record<string, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
  const out: Record<string, ValidateFunction> = {};
  if (haveSchemas) {
    for (const name of ['request.json', 'service.json']) ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, name), 'utf8')), name);
    for (const n of ['services.json', 'service-definition.json', 'requests.json', 'request.json', 'service.json']) out[n] = ajv.getSchema(n) ?? ajv.compile(JSON.parse(readFileSync(join(schemaDir, n), 'utf8')));
  }
  for (const [n, s] of Object.entries(LOCAL_SCHEMAS)) out[n] = ajv.compile(s);
  return (validators = out);
}

/** Checks a JSON body against a schema; the standard's are skipped (and said so by a test) when ../shared is absent. */
export function assertValid(name: string, body: unknown): void {
  const v = load()[name];
  if (!v) { assert.ok(!haveSchemas, `no schema ${name}`); return; }
  assert.ok(v(body), `${name}: ${JSON.stringify(v.errors)}`);
}

type Res = { statusCode: number; headers: Record<string, unknown>; body: string };
export function assertJson(r: Res, status = 200): void {
  assert.equal(r.statusCode, status, r.body);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
}
export function assertXml(r: Res, root: string, status = 200): void {
  assert.equal(r.statusCode, status, r.body);
  assert.equal(r.headers['content-type'], 'text/xml; charset=utf-8');
  assert.ok(r.body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n'), r.body);
  assert.match(r.body, new RegExp(`<${root}(/>|>[\\s\\S]*</${root}>)$`));
}

const LIST_ITEMS = new Set(['service', 'request', 'error', 'endpoint', 'format', 'attribute', 'value', 'request_update']);
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, isArray: (name) => LIST_ITEMS.has(name) });

/** Parses an Open311 XML answer (after checking it is well-formed); list items are always arrays, values strings. */
export function parseXml(body: string): Record<string, unknown> {
  const doc = parser.parse(body, true) as Record<string, unknown>;
  delete doc['?xml'];
  return doc;
}
