// Fuzzed requests for one OpenAPI operation: path parameters from real rows or hostile, query
// parameters shaped by their schema or hostile, and a body that is valid, mutated, raw-broken or
// sent with an odd content type; multipart bodies with lying files and hostile names.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { fromSchema, hostilePathParam, hostileString, hostileValue, mutated, oddContentType, rawBody, type JsonSchema } from './arbitraries.js';

export interface Operation {
  method: string;
  path: string;
  parameters: { in: string; name: string; schema?: JsonSchema; required?: boolean }[];
  body?: { type: string; schema: JsonSchema };
}

export interface FuzzRequest {
  url: string;
  headers: Record<string, string>;
  payload?: Buffer | string;
  lang: 'fa' | 'en';
  /** What kind of body was sent, for the run counts. */
  bodyKind: string;
}

/** The operations of an OpenAPI document. */
export function operationsOf(doc: { paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: { content?: Record<string, { schema: JsonSchema }> } }>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content ?? {};
      const type = Object.keys(content)[0];
      ops.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], ...(type ? { body: { type, schema: content[type]!.schema } } : {}) });
    }
  }
  return ops;
}

// Which pool of real values a path parameter draws from, by the segment before it and its name.
const POOL_BY_SEGMENT: Record<string, string> = {
  'orgs/code': 'org', 'services/code': 'service', 'templates/code': 'service', 'adoptions/code': 'service', 'track/code': 'tracking', 'verify/code': 'result',
  'reports/code': 'reportCode', 'news/code': 'news', 'report-categories/code': 'category', 'indicators/code': 'indicator', 'services/code@agency': 'externalService',
  'applications/id': 'application', 'bills/id': 'bill', 'payments/id': 'payment', 'reports/id': 'report', 'notices/id': 'notice', 'webhooks/id': 'webhook',
  'api-clients/id': 'apiClient', 'resolutions/id': 'resolution', 'clearance/verify/code': 'clearance',
};
const POOL_BY_NAME: Record<string, string> = {
  org: 'org', docId: 'document', version: 'version', number: 'meeting', delivery: 'delivery', agency: 'agency', service: 'service', tracking: 'tracking', dataset: 'dataset',
};

function poolName(path: string, name: string): string {
  const segs = path.split('/');
  const i = segs.indexOf(`{${name}}`);
  const prev = segs[i - 1] ?? '';
  if (name === 'code' && path.includes('/agencies/{agency}/services/')) return 'externalService';
  if (name === 'code' && segs[i - 2] === 'clearance') return 'clearance';
  return POOL_BY_SEGMENT[`${prev}/${name}`] ?? POOL_BY_NAME[name] ?? 'org';
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');

function multipartOf(fields: Record<string, string | undefined>, files: { name: string; filename: string; type: string; content: Buffer }[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  const safe = (s: string) => s.replace(/[\r\n"]/g, '_');
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${safe(k)}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${safe(f.name)}"; filename="${safe(f.filename)}"\r\nContent-Type: ${safe(f.type)}\r\n\r\n`), f.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

// Small files whose first bytes claim a type (and sometimes lie about the rest).
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const PDF = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
export const fileContent: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(PNG, PDF, Buffer.from('GIF89a'), Buffer.from('<svg onload=alert(1)>'), Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(0),
    Buffer.from('national_code,amount\n۰۰۱۲۳۴۵۶۷۸,۱۰۰۰\n0012345678,-5\n,,,\n"unterminated\n'), Buffer.from([0xff, 0xfe, 0x00, 0x00])),
  fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.constantFrom(PNG, PDF), fc.uint8Array({ maxLength: 500 })).map(([h, a]) => Buffer.concat([h, Buffer.from(a)])),
);
const hostileFilename = fc.oneof(fc.constantFrom('../../etc/passwd', 'a\u0000.pdf', '\u202Egpj.exe', 'سند.pdf', '.htaccess', 'x'.repeat(2000), 'con.png', ''), hostileString);

/** The request arbitrary for one operation; `pools` gives real values for path parameters. */
export function requestFor(op: Operation, pools: Record<string, string[]>, defs: Record<string, JsonSchema>): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => {
    const pool = pools[poolName(op.path, p.name)] ?? [];
    const real = pool.length ? fc.constantFrom(...pool).map(encodeURIComponent) : fc.constant('missing');
    return [p.name, fc.oneof({ weight: 5, arbitrary: real }, { weight: 2, arbitrary: hostilePathParam })];
  })));
  const queryArb = fc.tuple(
    fc.record(Object.fromEntries(queryParams.map((p) => [p.name, fc.oneof(
      { weight: 3, arbitrary: fromSchema(p.schema ?? {}, defs).map(asText) },
      { weight: 2, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.array(hostileString, { minLength: 2, maxLength: 3 }) },
    )])), { requiredKeys: [] }),
    fc.option(fc.tuple(hostileString, hostileString), { freq: 4 }),
  ).map(([q, extra]) => {
    const sp = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) sp.append(k, String(x));
    if (extra) sp.append(extra[0] || 'x', extra[1]);
    return sp.toString();
  });

  type Body = { payload?: Buffer | string; type?: string; kind: string };
  let bodyArb: fc.Arbitrary<Body>;
  if (!op.body) {
    bodyArb = fc.oneof(
      { weight: 6, arbitrary: fc.constant<Body>({ kind: 'none' }) },
      { weight: 1, arbitrary: fc.tuple(oddContentType, fc.jsonValue({ maxDepth: 2 })).map(([type, v]) => ({ payload: JSON.stringify(v) ?? '', type, kind: 'unexpected' })) },
    );
  } else if (op.body.type.startsWith('multipart/')) {
    const props = op.body.schema.properties ?? {};
    const fieldNames = Object.keys(props).filter((k) => props[k]!.format !== 'binary');
    const fileNames = Object.keys(props).filter((k) => props[k]!.format === 'binary');
    const fieldsArb = fc.record(Object.fromEntries(fieldNames.map((k) => [k, fc.oneof(fromSchema(props[k]!, defs).map(asText), hostileString)])), { requiredKeys: [] });
    const filesArb = fc.array(fc.record({ name: fc.oneof(fc.constantFrom(...(fileNames.length ? fileNames : ['file'])), hostileString), filename: hostileFilename, type: fc.constantFrom('image/png', 'application/pdf', 'image/jpeg', 'text/csv', 'application/x-msdownload', 'text/html', ''), content: fileContent }), { maxLength: 3 });
    bodyArb = fc.oneof(
      { weight: 5, arbitrary: fc.tuple(fieldsArb, filesArb).map(([f, files]) => { const b = `fuzz${randomBytes(6).toString('hex')}`; return { payload: multipartOf(f, files, b), type: `multipart/form-data; boundary=${b}`, kind: 'multipart' }; }) },
      { weight: 1, arbitrary: fc.tuple(fieldsArb, filesArb).map(([f, files]) => ({ payload: multipartOf(f, files, 'B').subarray(0, 80), type: 'multipart/form-data; boundary=B', kind: 'multipart-truncated' })) },
      { weight: 1, arbitrary: fc.tuple(oddContentType, fc.uint8Array({ maxLength: 300 })).map(([type, a]) => ({ payload: Buffer.from(a), type, kind: 'multipart-odd-type' })) },
    );
  } else {
    const valid = fromSchema(op.body.schema, defs);
    bodyArb = fc.oneof(
      { weight: 3, arbitrary: valid.map((v) => ({ payload: JSON.stringify(v), type: 'application/json', kind: 'valid' })) },
      { weight: 5, arbitrary: mutated(valid).map(({ value, mutation }) => ({ payload: JSON.stringify(value) ?? 'null', type: 'application/json', kind: `mutated-${mutation}` })) },
      { weight: 2, arbitrary: rawBody(valid.map((v) => JSON.stringify(v) ?? '{}')).map((payload) => ({ payload, type: 'application/json', kind: 'raw' })) },
      { weight: 1, arbitrary: fc.tuple(oddContentType, valid).map(([type, v]) => ({ payload: JSON.stringify(v) ?? '', type, kind: 'odd-content-type' })) },
      { weight: 1, arbitrary: fc.constant<Body>({ kind: 'missing' }) },
    );
  }

  return fc.tuple(pathArb, queryArb, bodyArb, fc.constantFrom<'fa' | 'en'>('fa', 'fa', 'en'), fc.option(hostileValue, { freq: 10 }))
    .map(([params, query, body, lang, oddHeader]) => {
      const path = op.path.replace(/\{(\w+)\}/g, (_, n: string) => params[n] ?? 'x');
      const headers: Record<string, string> = { 'accept-language': lang };
      if (body.type) headers['content-type'] = body.type;
      if (oddHeader !== null) headers['x-request-id'] = asText(oddHeader).replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
      return { url: query ? `${path}?${query}` : path, headers, ...(body.payload !== undefined ? { payload: body.payload } : {}), lang, bodyKind: body.kind };
    });
}
