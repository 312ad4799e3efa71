#!/usr/bin/env node
// The checks scripts/deploy-check.sh makes through nginx, as a citizen's browser and an API
// client would. Exits 1 naming the first check that failed.
//   node deploy/check/through-nginx.mjs BASE_URL SMS_URL site     readyz, home page, a citizen
//                                                                 signs in (SMS code from the
//                                                                 fake Kavenegar) and submits
//   node deploy/check/through-nginx.mjs BASE_URL SMS_URL burst N  N requests, every one 200
import { randomBytes } from 'node:crypto';

const [base, smsUrl, mode, countArg] = process.argv.slice(2);
const fail = (what) => { process.stderr.write(`deploy check FAILED: ${what}\n`); process.exit(1); };
const timeout = () => AbortSignal.timeout(15_000);

async function get(path, expect = 200) {
  const res = await fetch(`${base}${path}`, { signal: timeout(), redirect: 'manual' });
  const body = await res.text();
  if (res.status !== expect) fail(`GET ${path} answered ${res.status}, expected ${expect}: ${body.slice(0, 200)}`);
  return body;
}

async function api(method, path, body, token, expect) {
  const res = await fetch(`${base}${path}`, {
    method, signal: timeout(),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expect) fail(`${method} ${path} answered ${res.status}, expected ${expect}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function site() {
  const ready = await get('/readyz');
  if (!/ok|ready/i.test(ready)) fail(`/readyz said ${ready.slice(0, 100)}`);
  const home = await get('/');
  if (!home.includes('dir="rtl"')) fail('the home page has no dir="rtl"');
  if (!home.includes('پیشخوان')) fail('the home page does not name پیشخوان');
  console.log('ok: /readyz and the right-to-left home page through nginx');

  // A citizen signs in by SMS code: the app (production mode) sends it through "Kavenegar".
  const mobile = `0912${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await api('POST', '/api/v1/auth/otp', { mobile }, null, 202);
  let code;
  for (let i = 0; i < 150 && !code; i++) {
    const sent = await (await fetch(`${smsUrl}/sent.json`, { signal: timeout() })).json();
    code = sent.find((m) => m.method === 'verify/lookup' && m.receptor === mobile)?.token;
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  if (!code) fail(`no SMS code reached the SMS provider for ${mobile} within 15 s (is an outbox worker running?)`);
  const { token } = await api('POST', '/api/v1/auth/otp/verify', { mobile, code }, null, 200);
  if (typeof token !== 'string') fail('the code verification gave no session token');
  console.log('ok: a citizen signed in with the SMS code the provider was sent');

  const draft = await api('POST', '/api/v1/applications', { org: 'sari', service: 'waste-management-fee', channel: 'api' }, token, 201);
  await api('PATCH', `/api/v1/applications/${draft.id}`, { values: { parcel_code: '12-345-678-9', owner_national_code: '0499370899', owner_mobile: mobile, property_type: 'residential', units: '2', area_m2: '140', years: '2', postal_code: '4817893111' } }, token, 200);
  const done = await api('POST', `/api/v1/applications/${draft.id}/submit`, { submit_key: randomBytes(12).toString('hex') }, token, 200);
  if (typeof done.tracking_code !== 'string') fail('the submission gave no tracking code');
  const tracked = await get(`/track/${encodeURIComponent(done.tracking_code)}`);
  if (!tracked.includes(done.tracking_code)) fail('the tracking page does not show the tracking code');
  // The submission's SMS goes out through the outbox of whichever process claims it.
  let receipt = false;
  for (let i = 0; i < 150 && !receipt; i++) {
    const sent = await (await fetch(`${smsUrl}/sent.json`, { signal: timeout() })).json();
    receipt = sent.some((m) => m.method === 'sms/send' && m.receptor === mobile && String(m.message).includes(done.tracking_code));
    if (!receipt) await new Promise((r) => setTimeout(r, 100));
  }
  if (!receipt) fail(`the submission SMS for ${done.tracking_code} never reached the SMS provider`);
  console.log(`ok: an application submitted (${done.tracking_code}), tracked, and its SMS sent`);
}

async function burst(n) {
  const paths = ['/readyz', '/', '/services', '/healthz'];
  for (let i = 0; i < n; i++) await get(paths[i % paths.length]);
  console.log(`ok: ${n} requests through nginx, every one 200`);
}

try {
  if (mode === 'site') await site();
  else if (mode === 'burst') await burst(Number(countArg ?? 20));
  else fail(`unknown mode ${mode}`);
} catch (err) {
  fail(err?.stack ?? String(err));
}
