import { randomBytes } from 'node:crypto';
import type { DB } from '../db/index.js';
import { inTransaction } from '../db/index.js';
import { newId, systemActor, type Actor } from '../core/index.js';
import { appendAudit } from '../audit/index.js';
import { badInput } from '../http/errors.js';
import { sameDigest, tokenHash } from './tokens.js';

// API keys for other systems (Open311 clients, later webhooks and integrations). A key is
// `pk_<prefix>_<secret>`: the prefix (8 hex) finds the row and tells keys apart in lists; only
// the SHA-256 of the whole key is stored, and the key is shown once, when it is created. The
// secret carries 192 random bits, so a plain (unsalted, fast) hash is enough.

export const API_SCOPES = ['reports.write', 'reports.read'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

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
  input: { orgId: string; name: string; scopes: string[]; createdBy?: string | null; actor?: Actor; now: number },
): Promise<{ id: string; key: string; prefix: string }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw badInput({ name: 'common.invalid_input' });
  const scopes = [...new Set(input.scopes.map((s) => s.trim()).filter(Boolean))];
  if (scopes.length === 0 || scopes.some((s) => !(API_SCOPES as readonly string[]).includes(s))) throw badInput({ scopes: 'common.invalid_input' });
  const actor = input.actor ?? systemActor;
  const id = newId();
  const prefix = randomBytes(4).toString('hex');
  const key = `pk_${prefix}_${randomBytes(24).toString('base64url')}`;
  await inTransaction(db, async (tx) => {
    await tx.insertInto('api_clients').values({
      id, org_id: input.orgId, name, key_prefix: prefix, key_hash: tokenHash(key), scopes: JSON.stringify(scopes),
      created_by: input.createdBy ?? actor.id ?? null, created_at: input.now, last_used_at: null, revoked_at: null,
    }).execute();
    await appendAudit(tx, actor, { orgId: input.orgId, action: 'api_client.created', entity: 'api_client', entityId: id, data: { name, key_prefix: prefix, scopes } }, input.now);
  });
  return { id, key, prefix };
}

/**
 * The actor a key stands for, or null when the key is malformed, unknown or revoked (all alike,
 * compared in constant time). Notes the use at most once a minute.
 */
export async function verifyApiKey(db: DB, key: string, now: number, ip?: string): Promise<Actor | null> {
  const m = KEY_SHAPE.exec(key.trim());
  if (!m) return null;
  const row = await db.selectFrom('api_clients').select(['id', 'org_id', 'key_hash', 'scopes', 'last_used_at', 'revoked_at'])
    .where('key_prefix', '=', m[1]!).executeTakeFirst();
  // Hash and compare even when there is no row, so timing does not tell which prefixes exist.
  const ok = sameDigest(tokenHash(key.trim()), row?.key_hash ?? '0'.repeat(64));
  if (!row || !ok || row.revoked_at !== null) return null;
  if (row.last_used_at === null || now - Number(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_clients').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { kind: 'api_client', id: row.id, orgId: row.org_id, scopes: parseScopes(row.scopes), ...(ip ? { ip } : {}) };
}

/** Revokes a key at once (its next call is refused); false when there is no such client or it was already revoked. */
export async function revokeApiClient(db: DB, id: string, opts: { now: number; actor?: Actor }): Promise<boolean> {
  const actor = opts.actor ?? systemActor;
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom('api_clients').select(['org_id', 'name', 'key_prefix']).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) return false;
    await tx.updateTable('api_clients').set({ revoked_at: opts.now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    await appendAudit(tx, actor, { orgId: row.org_id, action: 'api_client.revoked', entity: 'api_client', entityId: id, data: { name: row.name, key_prefix: row.key_prefix } }, opts.now);
    return true;
  });
}

/** The API clients of an organization, newest first, without their key hashes. */
export async function listApiClients(db: DB, orgId: string): Promise<ApiClientInfo[]> {
  const rows = await db.selectFrom('api_clients')
    .select(['id', 'org_id', 'name', 'key_prefix', 'scopes', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
    .where('org_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((r) => ({
    ...r, scopes: parseScopes(r.scopes), created_at: Number(r.created_at),
    last_used_at: r.last_used_at === null ? null : Number(r.last_used_at), revoked_at: r.revoked_at === null ? null : Number(r.revoked_at),
  }));
}
