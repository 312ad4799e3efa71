import { randomBytes } from 'node:crypto';
import type { DB } from '../db/index.js';
import { inTransaction } from '../db/index.js';
import { newId, systemActor, type Actor } from '../core/index.js';
import { appendAudit } from '../audit/index.js';
import { AppError, badInput, forbidden } from '../http/errors.js';
import { sameDigest, tokenHash } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API client a request authenticated as (by its key), with its rate limit; null otherwise. */
    apiClient: { id: string; ratePerMinute: number } | null;
  }
  interface FastifyContextConfig {
    /** The scope(s) that open this route to API clients (any one of them); without it, API clients get 403. */
    apiScope?: ApiScope | readonly ApiScope[];
  }
}

// API keys for other systems (Open311 clients, later webhooks and integrations). A key is
// `pk_<prefix>_<secret>`: the prefix (8 hex) finds the row and tells keys apart in lists; only
// the SHA-256 of the whole key is stored, and the key is shown once, when it is created. The
// secret carries 192 random bits, so a plain (unsalted, fast) hash is enough.

export const API_SCOPES = ['catalog.read', 'applications.read', 'applications.act', 'reports.read', 'reports.write', 'news.write', 'webhooks.manage'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export const DEFAULT_RATE_PER_MINUTE = 120;
export const MAX_RATE_PER_MINUTE = 10_000;

const KEY_SHAPE = /^pk_([0-9a-f]{8})_([A-Za-z0-9_-]{32})$/;
/** last_used_at is written at most this often, so a busy client does not write on every call. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiClientInfo {
  id: string;
  org_id: string;
  name: string;
  key_prefix: string;
  scopes: string[];
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  rate_per_minute: number;
  rotated_at: number | null;
}

function parseScopes(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Creates an API client of an organization and returns its key, which is never readable again;
 * writes the row and the audit entry in one transaction.
 */
export async function createApiClient(
  db: DB,
  input: { orgId: string; name: string; scopes: string[]; ratePerMinute?: number | null; createdBy?: string | null; actor?: Actor; now: number },
): Promise<{ id: string; key: string; prefix: string }> {
  const name = input.name.trim();
  const errors: Record<string, string> = {};
  if (!name) errors.name = 'common.required';
  else if (name.length > 100) errors.name = 'api_client.name_too_long';
  const scopes = [...new Set(input.scopes.map((s) => s.trim()).filter(Boolean))];
  if (scopes.length === 0) errors.scopes = 'api_client.scopes_required';
  else if (scopes.some((s) => !(API_SCOPES as readonly string[]).includes(s))) errors.scopes = 'api_client.scope_unknown';
  const rate = input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE;
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE_PER_MINUTE) errors.rate_per_minute = 'api_client.rate_invalid';
  if (Object.keys(errors).length) throw badInput(errors);
  const actor = input.actor ?? systemActor;
  const id = newId();
  const { prefix, key } = newKey();
  await inTransaction(db, async (tx) => {
    await tx.insertInto('api_clients').values({
      id, org_id: input.orgId, name, key_prefix: prefix, key_hash: tokenHash(key), scopes: JSON.stringify(scopes), rate_per_minute: rate,
      created_by: input.createdBy ?? actor.id ?? null, created_at: input.now, last_used_at: null, revoked_at: null,
    }).execute();
    await appendAudit(tx, actor, { orgId: input.orgId, action: 'api_client.created', entity: 'api_client', entityId: id, data: { name, key_prefix: prefix, scopes, rate_per_minute: rate } }, input.now);
  });
  return { id, key, prefix };
}

function newKey(): { prefix: string; key: string } {
  const prefix = randomBytes(4).toString('hex');
  return { prefix, key: `pk_${prefix}_${randomBytes(24).toString('base64url')}` };
}

/**
 * Replaces a live client's key with a new one (same client, name, scopes and rate); the old key
 * stops working at once. Returns the new key (shown once), or null when there is no live client.
 * Writes the row and the audit entry in one transaction.
 */
export async function rotateApiClient(db: DB, id: string, opts: { now: number; actor?: Actor }): Promise<{ key: string; prefix: string } | null> {
  const actor = opts.actor ?? systemActor;
  const { prefix, key } = newKey();
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom('api_clients').select(['org_id', 'name', 'key_prefix']).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) return null;
    await tx.updateTable('api_clients').set({ key_prefix: prefix, key_hash: tokenHash(key), rotated_at: opts.now }).where('id', '=', id).execute();
    await appendAudit(tx, actor, { orgId: row.org_id, action: 'api_client.rotated', entity: 'api_client', entityId: id, data: { name: row.name, old_key_prefix: row.key_prefix, key_prefix: prefix } }, opts.now);
    return { key, prefix };
  });
}

/**
 * The actor a key stands for, or null when the key is malformed, unknown or revoked (all alike,
 * compared in constant time). Notes the use at most once a minute.
 */
export async function verifyApiKey(db: DB, key: string, now: number, ip?: string): Promise<Actor | null> {
  return (await resolveApiKey(db, key, now, ip))?.actor ?? null;
}

/** As verifyApiKey, with the client's rate limit (requests a minute). */
export async function resolveApiKey(db: DB, key: string, now: number, ip?: string): Promise<{ actor: Extract<Actor, { kind: 'api_client' }>; ratePerMinute: number } | null> {
  const m = KEY_SHAPE.exec(key.trim());
  if (!m) return null;
  const row = await db.selectFrom('api_clients').select(['id', 'org_id', 'key_hash', 'scopes', 'last_used_at', 'revoked_at', 'rate_per_minute'])
    .where('key_prefix', '=', m[1]!).executeTakeFirst();
  // Hash and compare even when there is no row, so timing does not tell which prefixes exist.
  const ok = sameDigest(tokenHash(key.trim()), row?.key_hash ?? '0'.repeat(64));
  if (!row || !ok || row.revoked_at !== null) return null;
  if (row.last_used_at === null || now - Number(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_clients').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { actor: { kind: 'api_client', id: row.id, orgId: row.org_id, scopes: parseScopes(row.scopes), ...(ip ? { ip } : {}) }, ratePerMinute: Number(row.rate_per_minute) };
}

/** Revokes a key at once (its next call is refused); false when there is no such client or it was already revoked. */
export async function revokeApiClient(db: DB, id: string, opts: { now: number; actor?: Actor }): Promise<boolean> {
  const actor = opts.actor ?? systemActor;
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom('api_clients').select(['org_id', 'name', 'key_prefix']).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) return false;
    await tx.updateTable('api_clients').set({ revoked_at: opts.now, revoked_by: actor.id }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    await appendAudit(tx, actor, { orgId: row.org_id, action: 'api_client.revoked', entity: 'api_client', entityId: id, data: { name: row.name, key_prefix: row.key_prefix } }, opts.now);
    return true;
  });
}

/** The API clients of an organization, newest first, without their key hashes. */
export async function listApiClients(db: DB, orgId: string): Promise<ApiClientInfo[]> {
  const rows = await db.selectFrom('api_clients')
    .select(['id', 'org_id', 'name', 'key_prefix', 'scopes', 'created_by', 'created_at', 'last_used_at', 'revoked_at', 'rate_per_minute', 'rotated_at'])
    .where('org_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((r) => ({
    ...r, scopes: parseScopes(r.scopes), created_at: Number(r.created_at),
    last_used_at: r.last_used_at === null ? null : Number(r.last_used_at), revoked_at: r.revoked_at === null ? null : Number(r.revoked_at),
    rate_per_minute: Number(r.rate_per_minute), rotated_at: r.rotated_at === null ? null : Number(r.rotated_at),
  }));
}

/**
 * The API key a request carries: `Authorization: Bearer pk_...` or `X-Api-Key: pk_...`; null
 * when it carries none (a Bearer session token is not an API key).
 */
export function apiKeyOf(headers: Record<string, string | string[] | undefined>): string | null {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.trim()) return x.trim().slice(0, 200);
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+pk_/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim().slice(0, 200);
  return null;
}

/**
 * The one scope check for API routes: an API client without the scope is refused (403, naming
 * the scope). Other actors pass; their permissions are checked by the access helper as usual.
 */
export function requireScope(req: { actor: Actor }, scope: ApiScope): void {
  const actor = req.actor;
  if (actor.kind === 'api_client' && !actor.scopes.includes(scope)) throw new AppError('api_client.scope_missing', 403, {}, { scope });
}

/**
 * The gate every API request of an API client passes: a route opens to API clients only by
 * naming the scope(s) in its config (`config: { apiScope: 'reports.read' }`); any other route
 * answers 403. Unknown paths stay 404.
 */
export function checkApiClientRoute(req: { actor: Actor; routeOptions: { url?: string; config: { apiScope?: ApiScope | readonly ApiScope[] } } }): void {
  if (req.actor.kind !== 'api_client' || req.routeOptions.url === undefined) return;
  const wanted = req.routeOptions.config.apiScope;
  if (!wanted) throw forbidden('api_client.route_closed');
  const any = typeof wanted === 'string' ? [wanted] : wanted;
  const scopes = req.actor.scopes;
  if (!any.some((s) => scopes.includes(s))) throw new AppError('api_client.scope_missing', 403, {}, { scope: any.join(' / ') });
}

