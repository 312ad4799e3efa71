// Support for the fault tests: an app on a given database and data directory (as a deployment
// would start it, with test adapters), and a citizen's building-permit submission through the API.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildDeps, type AppDeps } from '../../src/wiring.js';
import { buildApp } from '../../src/app.js';
import { CapturingEmail, CapturingSms, TestClock, drainOutbox, type TestApp } from '../helpers.js';
import { buildingPermitAnswers, samplePdf } from '../../src/modules/applications/test-factories.js';

export const PERMIT_DOCS = ['deed', 'national_card', 'architectural_plans', 'structural_plans', 'supervision_contract'];

/** The app on DATABASE_URL / DATA_DIR given in env (plus a test session secret); close() leaves the database. */
export async function appOn(env: Record<string, string>, clock = new TestClock(Date.now())): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-'.padEnd(40, 'x'), ...env });
  const sms = new CapturingSms();
  const email = new CapturingEmail();
  const deps: AppDeps = await buildDeps(config, { clock, sms, email });
  const app: FastifyInstance = await buildApp(deps, { logger: false });
  await app.ready();
  return { app, deps, clock, sms, email, async close() { await app.close(); await deps.close(); } };
}

/** Signs a citizen in (OTP through the captured SMS) and completes the profile; returns the bearer token. */
export async function citizenToken(t: TestApp, mobile: string): Promise<string> {
  const r1 = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { mobile } });
  assert.equal(r1.statusCode, 202, r1.body);
  await drainOutbox(t);
  const code = t.sms.lastCodeFor(r1.json().mobile);
  const r2 = await t.app.inject({ method: 'POST', url: '/api/v1/auth/otp/verify', payload: { mobile, code } });
  assert.equal(r2.statusCode, 200, r2.body);
  const token = r2.json().token as string;
  const p = await t.app.inject({ method: 'PUT', url: '/api/v1/me/profile', headers: { authorization: `Bearer ${token}` }, payload: { national_code: '0012345679', first_name: 'علی', last_name: 'کاظمی' } });
  assert.equal(p.statusCode, 200, p.body);
  return token;
}

function multipart(fields: Record<string, string>, file: { filename: string; content: Buffer }) {
  const boundary = `----pishkhan${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`), file.content, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A draft building permit of Sari with its answers and documents (each PDF made unique by `tag`); returns its id. */
export async function permitDraft(t: TestApp, token: string, tag = randomBytes(6).toString('hex')): Promise<string> {
  const auth = { authorization: `Bearer ${token}` };
  const draft = await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: auth, payload: { org: 'sari', service: 'building-permit' } });
  assert.equal(draft.statusCode, 201, draft.body);
  const id = draft.json().id as string;
  const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/applications/${id}`, headers: auth, payload: { values: buildingPermitAnswers() } });
  assert.equal(patched.statusCode, 200, patched.body);
  for (const key of PERMIT_DOCS) {
    const m = multipart({ doc_key: key }, { filename: `${key}.pdf`, content: Buffer.concat([samplePdf(), Buffer.from(`% ${tag} ${key}\n`)]) });
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/documents`, headers: { ...auth, ...m.headers }, payload: m.payload });
    assert.equal(up.statusCode, 201, up.body);
  }
  return id;
}

/** Submits a draft; returns the raw reply. */
export function submit(t: TestApp, token: string, id: string, submitKey = randomBytes(12).toString('hex')) {
  return t.app.inject({ method: 'POST', url: `/api/v1/applications/${id}/submit`, headers: { authorization: `Bearer ${token}` }, payload: { submit_key: submitKey } });
}
