// What every answer to a fuzzed request must be: never a 5xx, no stack trace, file path or SQL in
// the body, and on /api a JSON problem with a localized message.
import fc from 'fast-check';

// A stack frame, a source path, a module path or SQL/driver text in a body means internals leaked.
const LEAKS: [string, RegExp][] = [
  ['stack frame', /\n\s+at [\w.<>$]+ \(|\bat (async )?[\w.]+ \((file:|\/|node:)/],
  ['source path', /\/(work|home|src|tmp|usr)\/[\w./-]+\.(ts|js|mjs|tsx)\b|\b\w+\.(ts|tsx):\d+/],
  ['node_modules path', /node_modules\//],
  ['SQL text', /\b(select .{1,200} from|insert into|update \w+ set|delete from)\s+["`]?\w+/i],
  ['database error', /SQLITE_[A-Z]+|sqlite3|violates (foreign key|unique|not-null|check) constraint|relation "\w+"|syntax error at or near|duplicate key value/i],
  ['JavaScript error text', /\b(TypeError|ReferenceError|RangeError|SyntaxError): |Cannot read propert(y|ies) of (undefined|null)|is not a function\b/],
];

export interface Answer { statusCode: number; headers: Record<string, unknown>; body: string }

/** The internals a body shows, if any. */
export function leakIn(body: string): string | null {
  for (const [what, re] of LEAKS) {
    const m = re.exec(body);
    if (m) return `${what}: ${JSON.stringify(body.slice(Math.max(0, m.index - 60), m.index + 120))}`;
  }
  return null;
}

const PERSIAN = /[\u0600-\u06FF]/;

/** Throws (an assertion for fast-check) when the answer breaks a property; `errors` explains a 500. */
export function checkAnswer(res: Answer, req: { method: string; url: string; lang: 'fa' | 'en' }, errors: string[]): void {
  const where = `${req.method} ${req.url.slice(0, 300)} -> ${res.statusCode}`;
  if (res.statusCode >= 500) {
    const cause = errors.length ? `\napp log: ${errors[errors.length - 1]!.slice(0, 2000)}` : '';
    throw new Error(`5xx: ${where}\nbody: ${res.body.slice(0, 500)}${cause}`);
  }
  if (res.statusCode < 400) return;
  const leak = leakIn(res.body);
  if (leak) throw new Error(`leak in ${where}: ${leak}`);
  const path = req.url.split('?')[0]!;
  if (!path.startsWith('/api/')) return;
  const type = String(res.headers['content-type'] ?? '');
  if (!type.includes('application/json')) throw new Error(`not JSON: ${where} (${type}) ${res.body.slice(0, 200)}`);
  let err: { code?: unknown; message?: unknown; fields?: unknown } | undefined;
  let problems: unknown;
  try { ({ error: err, problems } = JSON.parse(res.body) as { error?: typeof err; problems?: unknown }); } catch { throw new Error(`unparseable JSON problem: ${where}: ${res.body.slice(0, 200)}`); }
  // A rejected import answers its documented report instead: a localized message per problem.
  if (!err && Array.isArray(problems) && problems.length) {
    for (const p of problems as { message?: unknown }[]) {
      if (typeof p.message !== 'string' || !p.message.trim() || (req.lang === 'fa' && !PERSIAN.test(p.message))) throw new Error(`problem without a localized message: ${where}: ${JSON.stringify(p).slice(0, 200)}`);
    }
    return;
  }
  if (!err || typeof err.code !== 'string' || typeof err.message !== 'string' || !err.message.trim()) throw new Error(`no error code/message: ${where}: ${res.body.slice(0, 300)}`);
  if (err.message === err.code || /^[a-z_0-9]+\.[a-z_0-9.]+$/.test(err.message)) throw new Error(`message not localized (a key): ${where}: ${err.message}`);
  if (req.lang === 'fa' && !PERSIAN.test(err.message)) throw new Error(`message not in Persian: ${where}: ${err.message}`);
  if (err.fields && typeof err.fields === 'object') {
    for (const [f, m] of Object.entries(err.fields as Record<string, unknown>)) {
      if (typeof m !== 'string' || !m.trim() || /^[a-z_0-9]+\.[a-z_0-9.]+$/.test(m)) throw new Error(`field message not localized: ${where}: ${f}=${String(m)}`);
    }
  }
}

/** The seed of this run: FUZZ_SEED to replay, else random (printed so a failure can be rerun). */
export const fuzzSeed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
/** Multiplies the default number of runs (FUZZ_RUNS=20 for a long local run). */
export const fuzzScale = process.env.FUZZ_RUNS ? Math.max(1, Number(process.env.FUZZ_RUNS)) : 1;
/** Only the operations or forms whose name matches (FUZZ_ONLY='POST /api/v1/reports'). */
export const fuzzOnly = process.env.FUZZ_ONLY ? new RegExp(process.env.FUZZ_ONLY) : null;

/** A stable seed per property, from the run's seed and the property's name. */
export function seedFor(name: string): number {
  let h = fuzzSeed | 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

/** fc.assert with this run's seed, saying how to replay a failure. */
export async function assertProperty<T>(name: string, prop: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  try {
    await fc.assert(prop, { seed: seedFor(name), numRuns, endOnFailure: process.env.FUZZ_SHRINK !== "1" });
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n').map((l) => (l.length > 1500 ? `${l.slice(0, 1500)}...` : l)).join('\n');
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : '';
    throw new Error(`${name}: rerun with FUZZ_SEED=${fuzzSeed} FUZZ_ONLY='${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'\n${cause}\n${msg}`);
  }
}
