// The client side of the benches: signing in and filing through the JSON API as a client would,
// preparing pools of applications and reports in the state a staff action needs, and one load
// measurement (autocannon, with every response's latency kept for sub-millisecond percentiles).
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

/** The service a submission files: Sari's waste-management fee (بهای خدمات پسماند), which has no required document. */
export const SUBMIT_SERVICE = { org: 'sari', service: 'waste-management-fee', channel: 'api' };
export const SUBMIT_VALUES = {
  values: { parcel_code: '12-345-678-9', owner_national_code: '0499370899', owner_mobile: '09121234567', property_type: 'residential', units: '2', area_m2: '140', years: '2', postal_code: '4817893111' },
};
/** The staff action on a submitted waste-management fee: the clerk confirms the data and bills (submitted -> payment). */
export const STAFF_ACTION = { action: 'accept', comment: 'اطلاعات ملک بررسی و قبض صادر شد.' };
/** Where reports are filed: Babol, within 2 km of its centre (its demo area is 4 km). */
const BABOL = { lat: 36.5513, lng: 52.679 };
export const RESOLVE = { state: 'resolved', comment: 'چاله ترمیم و آسفالت شد.' };

export function reportBody(): string {
  const r = Math.sqrt(Math.random()) * 2000;
  const th = Math.random() * 2 * Math.PI;
  return JSON.stringify({
    category: 'pothole', description: `چاله در آسفالت خیابان، آزمون بار ${randomBytes(3).toString('hex')}`,
    lat: BABOL.lat + (r * Math.cos(th)) / 111_320, lng: BABOL.lng + (r * Math.sin(th)) / (111_320 * Math.cos((BABOL.lat * Math.PI) / 180)),
  });
}

export async function json(res: Response, expected: number, what: string): Promise<Record<string, unknown>> {
  const body = await res.text();
  if (res.status !== expected) throw new Error(`${what}: expected ${expected}, got ${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as Record<string, unknown>;
}

export const jsonHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const post = (url: string, body: unknown, token?: string) => fetch(url, { method: 'POST', headers: token ? jsonHeaders(token) : { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Signs a new citizen in through the API (the SMS code read at /dev/outbox.json) and returns the session token. */
export async function citizenToken(base: string): Promise<string> {
  const mobile = `0912${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await json(await post(`${base}/api/v1/auth/otp`, { mobile }), 202, 'request an OTP');
  for (let i = 0; i < 100; i++) {
    const { items } = (await json(await fetch(`${base}/dev/outbox.json?limit=50`), 200, 'read the outbox')) as { items: { to: string; body: string }[] };
    const code = items.find((m) => m.to === mobile)?.body.match(/\d{4,8}/)?.[0];
    if (code) return (await json(await post(`${base}/api/v1/auth/otp/verify`, { mobile, code }), 200, 'verify the OTP')).token as string;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no OTP SMS at /dev/outbox.json');
}

/** A staff member's session token (username and password from the seed). */
export async function staffToken(base: string, username: string, password: string): Promise<string> {
  return (await json(await post(`${base}/api/v1/auth/staff`, { username, password }), 200, `${username} sign-in`)).token as string;
}

/** One citizen submission through the JSON API: start a draft, answer the form, submit. */
export async function submitOnce(base: string, token: string): Promise<{ id: string; trackingCode: string }> {
  const draft = await json(await post(`${base}/api/v1/applications`, SUBMIT_SERVICE, token), 201, 'start a draft');
  await json(await fetch(`${base}/api/v1/applications/${draft.id}`, { method: 'PATCH', headers: jsonHeaders(token), body: JSON.stringify(SUBMIT_VALUES) }), 200, 'answer the form');
  const done = await json(await post(`${base}/api/v1/applications/${draft.id}/submit`, { submit_key: randomBytes(12).toString('hex') }, token), 200, 'submit');
  if (typeof done.tracking_code !== 'string') throw new Error(`submit: no tracking code in ${JSON.stringify(done).slice(0, 200)}`);
  return { id: String(draft.id), trackingCode: done.tracking_code };
}

/** Files one city problem report in Babol; returns its id and tracking code. */
export async function fileReport(base: string, token: string): Promise<{ id: string; trackingCode: string }> {
  const r = await json(await fetch(`${base}/api/v1/reports`, { method: 'POST', headers: jsonHeaders(token), body: reportBody() }), 201, 'file a report');
  return { id: String(r.id), trackingCode: String(r.tracking_code) };
}

/** Runs make() n times, `concurrency` at a time. */
export async function inParallel<T>(n: number, concurrency: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let started = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (started < n) {
      started += 1;
      out.push(await make());
    }
  }));
  return out;
}

/** Rotating client addresses, one per request (65,536 of them, so none nears the 60-a-minute limit of the public routes). */
let ipCounter = 0;
export const nextIp = () => { const i = ipCounter++ % 65536; return `10.77.${i >> 8}.${i & 255}`; };

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Measured {
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50: number; p95: number; p99: number;
  non2xx: number;
  errors: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
}

export type LoadOptions = Partial<autocannon.Options> & { url: string };

/** One autocannon run, keeping each response's latency (ms, fractional). */
export async function measure(opts: LoadOptions, connections: number, duration: number): Promise<Measured> {
  const latencies: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon({ ...opts, connections, duration, pipelining: 1, timeout: 30 }, (err, result) => (err ? reject(err as Error) : resolve(result)));
    inst.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => { latencies.push(ms); });
  });
  latencies.sort((a, b) => a - b);
  const seconds = r.duration || duration;
  const statuses: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = (v as { count: number }).count;
  return {
    requests: latencies.length, seconds, reqPerSec: latencies.length / seconds,
    p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99),
    non2xx: r.non2xx, errors: r.errors + r.timeouts, statuses,
  };
}
