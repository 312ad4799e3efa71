/**
 * API clients of an organization, as its admins manage them: list (never the keys), create,
 * rotate and revoke. Keys and hashing live in platform/auth/api-keys.ts; this file decides who
 * may manage which organization's clients (its org admins; the province admin any organization).
 */
import type { DB } from '../../platform/db/index.js';
import type { Actor } from '../../platform/core/index.js';
import { mayAct, orgScope } from '../../platform/auth/access.js';
import { createApiClient, listApiClients, rotateApiClient, revokeApiClient, type ApiClientInfo } from '../../platform/auth/api-keys.js';
import { AppError, notFound, unauthorized } from '../../platform/http/errors.js';

export type Localized = { fa: string; en: string };
export interface OrgRef { id: string; code: string; name: Localized }

/** The organizations whose API clients the actor manages, and the one asked for (404 when not theirs). */
export async function managedOrg(db: DB, actor: Actor, orgCode: string | undefined): Promise<{ org: OrgRef; choices: OrgRef[] }> {
  if (actor.kind !== 'staff') throw actor.kind === 'anonymous' || actor.kind === 'system' ? unauthorized() : notFound();
  const orgs = await db.selectFrom('orgs').select(['id', 'code', 'name_fa', 'name_en']).orderBy('code').execute();
  const ref = (o: (typeof orgs)[number]): OrgRef => ({ id: o.id, code: o.code, name: { fa: o.name_fa, en: o.name_en || o.name_fa } });
  const choices = orgs.filter((o) => mayAct(actor, o.id, 'org.staff.manage'));
  const own = choices.filter((o) => actor.memberships.some((m) => m.orgId === o.id));
  const wanted = orgCode ? orgs.find((o) => o.code === orgCode) : (own[0] ?? choices[0]);
  if (!wanted) throw notFound();
  orgScope(actor, wanted.id, 'org.staff.manage');
  return { org: ref(wanted), choices: choices.map(ref) };
}

/** The organization's API clients, newest first. */
export async function clientsOf(db: DB, actor: Actor, orgCode: string | undefined): Promise<{ org: OrgRef; choices: OrgRef[]; clients: ApiClientInfo[] }> {
  const { org, choices } = await managedOrg(db, actor, orgCode);
  return { org, choices, clients: await listApiClients(db, org.id) };
}

export interface NewClientInput { name: string; scopes: string[]; rate_per_minute?: number | null }

/** Creates a client of the organization; the key in the answer is the only time it is readable. */
export async function createClient(db: DB, actor: Actor, orgCode: string, input: NewClientInput, now: number) {
  const { org } = await managedOrg(db, actor, orgCode);
  const made = await createApiClient(db, { orgId: org.id, name: input.name, scopes: input.scopes, ratePerMinute: input.rate_per_minute ?? null, createdBy: actor.id, actor, now });
  const info = (await listApiClients(db, org.id)).find((c) => c.id === made.id)!;
  return { client: info, key: made.key, org };
}

/** The organization's client by id; 404 when it is another organization's or does not exist. */
async function clientOf(db: DB, orgId: string, id: string): Promise<ApiClientInfo> {
  if (typeof id !== 'string' || id.length > 64) throw notFound();
  const c = (await listApiClients(db, orgId)).find((x) => x.id === id);
  if (!c) throw notFound();
  return c;
}

/** A new key for a live client (the old one stops at once); 409 when the client is revoked. */
export async function rotateClient(db: DB, actor: Actor, orgCode: string, id: string, now: number) {
  const { org } = await managedOrg(db, actor, orgCode);
  await clientOf(db, org.id, id);
  const rotated = await rotateApiClient(db, id, { now, actor });
  if (!rotated) throw new AppError('api_client.revoked', 409);
  return { client: await clientOf(db, org.id, id), key: rotated.key, org };
}

/** Revokes a client at once; revoking a revoked client changes nothing. */
export async function revokeClient(db: DB, actor: Actor, orgCode: string, id: string, now: number) {
  const { org } = await managedOrg(db, actor, orgCode);
  await clientOf(db, org.id, id);
  await revokeApiClient(db, id, { now, actor });
  return { client: await clientOf(db, org.id, id), org };
}
