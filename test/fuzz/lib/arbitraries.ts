// fast-check arbitraries for hostile HTTP input: values shaped by an OpenAPI (JSON) schema, the
// mutations that break that shape, and the odd values the brief lists (oversized, wrongly typed,
// invalid UTF-8, bidi overrides, NUL bytes, huge numbers, Persian/Arabic digits, odd paths).
import fc from 'fast-check';

export type JsonSchema = {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema;
  enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[]; $ref?: string;
  minLength?: number; maxLength?: number; pattern?: string; format?: string; minimum?: number; maximum?: number;
  exclusiveMinimum?: number; exclusiveMaximum?: number; minItems?: number; maxItems?: number; example?: unknown; default?: unknown;
  nullable?: boolean; additionalProperties?: boolean | JsonSchema;
};

/** Strings chosen to break things: controls, bidi overrides, NUL, digits of other scripts, paths, markup, SQL. */
export const HOSTILE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\u202Eevil\u202C', '\u202E\u2066\u2067\u2068\u2069\u200F\u200E', '\uFEFF', '\u200C\u200D',
  '۱۲۳۴۵', '١٢٣٤٥', '۱۲٫۵', '٠٩١٢١٢٣٤٥٦٧', '۰۹۱۲۱۲۳۴۵۶۷', '12abc', '1e308', '-0', 'NaN', 'Infinity', '18446744073709551616', '0x10',
  '../../../etc/passwd', '..\\..\\windows', '%00', '%2e%2e%2f', 'C:\\boot.ini', '/dev/zero',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' OR 1=1 --", "'; drop table applications; --", '${7*7}', '{{7*7}}',
  'ي ك ى ـــ', 'تهران', '\uD800', '\uDFFF\uD800', '😀'.repeat(50), '\r\n\r\nX-Injected: 1', 'null', 'undefined', 'true', '[]', '{}',
  '2026-02-30', '1404-13-40', '9999-12-31T23:59:59Z', 'javascript:alert(1)', 'http://127.0.0.1:1/', 'file:///etc/passwd',
];

/** Non-string values for any field: huge and odd numbers, wrong types. */
export const HOSTILE_VALUES: unknown[] = [
  null, true, false, 0, -1, -0, 1e308, -1e308, 2 ** 53 + 1, 18446744073709552000, 1.5, 0.1, -2147483649, 4294967296,
  [], [null], {}, { '': null }, JSON.parse('{"__proto__":{"polluted":1}}'), { constructor: { prototype: { polluted: 1 } } },
  [[[[[[[[[[[]]]]]]]]]]], ['a'.repeat(10_000)],
];

const persianText = fc.string({ unit: fc.constantFrom(...'ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی ۰۱۲۳۴۵۶۷۸۹\u200C'.split('')), maxLength: 40 });

/** Any string, from plain to nasty; long ones up to ~20k characters. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: persianText },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', 'ب', '\u202E', '0', '<'), fc.integer({ min: 1000, max: 20_000 })).map(([c, n]) => c.repeat(n)) },
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const resolve = (s: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema =>
  s.$ref ? resolve(defs[s.$ref.split('/').pop()!] ?? {}, defs) : s;

/** Values that fit the schema (as far as a schema can say): what a well-behaved client sends. */
export function fromSchema(schema: JsonSchema, defs: Record<string, JsonSchema> = {}, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, defs);
  const gen = shaped(s, defs, depth);
  return s.example !== undefined ? fc.oneof({ weight: 1, arbitrary: fc.constant(s.example) }, { weight: 3, arbitrary: gen }) : gen;
}

function shaped(s: JsonSchema, defs: Record<string, JsonSchema>, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => fromSchema(a, defs, depth + 1)));
  if (s.allOf?.length) return fromSchema(Object.assign({}, ...s.allOf.map((a) => resolve(a, defs))), defs, depth + 1);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => shaped({ ...s, type }, defs, depth)));
  if (s.nullable) return fc.option(shaped({ ...s, nullable: false }, defs, depth), { nil: null, freq: 5 });
  switch (types[0]) {
    case 'string': return stringFor(s);
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000);
      return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(Math.max(max, min), Number.MAX_SAFE_INTEGER) });
    }
    case 'number': return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const min = s.minItems ?? 0;
      return fc.array(fromSchema(s.items ?? {}, defs, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min(s.maxItems ?? 4, 4)) });
    }
    case 'object': {
      if (depth > 4 || !s.properties) return fc.constant({});
      const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, fromSchema(v, defs, depth + 1)]));
      return fc.record(props, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    }
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  const max = Math.min(s.maxLength ?? 60, 60);
  const min = Math.min(s.minLength ?? 0, max);
  if (s.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'email') return fc.emailAddress();
  if (s.format === 'uri' || s.format === 'url') return fc.webUrl();
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
    } catch { /* a pattern fast-check cannot build from: fall back to plain text */ }
  }
  return fc.oneof(fc.string({ minLength: min, maxLength: max }), persianText.filter((v) => v.length >= min && v.length <= max));
}

/** Every path to a leaf (or a key) inside a JSON value. */
function pathsOf(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length) out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out);
  return out;
}

function setAt(root: unknown, path: (string | number)[], f: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  f(cur, path[path.length - 1]!);
  return copy;
}

export type Mutation = 'replace' | 'delete' | 'extra' | 'whole' | 'none';

/** A valid value broken one way: a field replaced by a hostile value, a key dropped or added, or the whole value swapped. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ value: unknown; mutation: Mutation }> {
  return fc.tuple(valid, fc.constantFrom<Mutation>('replace', 'replace', 'replace', 'delete', 'extra', 'whole', 'none'), fc.nat(), hostileValue, fc.constantFrom('extra', '__proto__', 'constructor', 'id', 'org_id', 'state', 'citizen_id'))
    .map(([v, mutation, n, bad, extraKey]) => {
      const paths = pathsOf(v);
      if (mutation === 'whole' || (paths.length === 0 && mutation !== 'none' && mutation !== 'extra')) return { value: bad, mutation: 'whole' as const };
      if (mutation === 'replace') return { value: setAt(v, paths[n % paths.length]!, (p, k) => { p[k] = bad; }), mutation };
      if (mutation === 'delete') return { value: setAt(v, paths[n % paths.length]!, (p, k) => { if (Array.isArray(p)) p.splice(Number(k), 1); else delete p[k]; }), mutation };
      if (mutation === 'extra' && v && typeof v === 'object' && !Array.isArray(v)) return { value: { ...(v as object), [extraKey]: bad }, mutation };
      return { value: v, mutation: 'none' as const };
    });
}

/** Raw bodies no JSON encoder produces: invalid UTF-8, truncated or deep JSON, numbers JSON.parse turns into Infinity, ~1 MB. */
export function rawBody(validJson: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    validJson.map((s) => Buffer.concat([Buffer.from(s.slice(0, Math.max(1, s.length - 1)), 'utf8'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80])])),
    validJson.map((s) => Buffer.from(s.replace(/"([^"\\]*)"(?=\s*[,}\]])/, '"\\u0000\\ud800$1"'), 'utf8')),
    validJson.map((s) => Buffer.from(s.replace(/:\s*-?\d+(\.\d+)?/, ':1e309'), 'utf8')),
    validJson.map((s) => Buffer.from(s.replace(/:\s*-?\d+(\.\d+)?/, ':-0'), 'utf8')),
    validJson.map((s) => Buffer.from(s.replace(/:\s*-?\d+(\.\d+)?/, ':18446744073709551616'), 'utf8')),
    validJson.map((s) => Buffer.from(s.slice(0, Math.floor(s.length / 2)), 'utf8')),
    fc.constantFrom('', 'null', '[]', '"x"', '1e309', '{"a":', '{}{}', '\uFEFF{}', '{"__proto__":{"polluted":1}}').map((s) => Buffer.from(s, 'utf8')),
    fc.constant(Buffer.from('['.repeat(5000) + ']'.repeat(5000))),
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    fc.constantFrom(1024 * 1024 - 64, 1024 * 1024 + 10).map((n) => Buffer.from(`{"x":"${'ب'.repeat(Math.floor(n / 2))}"}`, 'utf8')),
  );
}

/** Content types a client might send (right, wrong, malformed). */
export const oddContentType = fc.constantFrom(
  'text/plain', 'application/xml', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'multipart/form-data',
  'multipart/form-data; boundary=', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/jsonx', '*/*', ';;;', 'application/json',
);

/** Path parameter values that are not what a route expects. */
export const hostilePathParam: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2f', '%00', 'a%00b', '%ZZ', '%E0%A4%A', '%C0%AF', '%FF%FE', '%E2%80%AE', 'x'.repeat(5000),
    encodeURIComponent('تهران'), encodeURIComponent('۱۲۳'), encodeURIComponent('١٢٣'), '-1', '0', '1e308', '18446744073709551616', 'NaN', '%20', 'null', 'undefined',
    encodeURIComponent('<script>'), encodeURIComponent("' OR 1=1"), 'SARI-137-1405-000001', encodeURIComponent('sari\u202E')),
  fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent),
  persianText.map(encodeURIComponent),
);
