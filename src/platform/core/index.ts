import { randomUUID } from 'node:crypto';

/** A source of the current time; tests pass a controllable one. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** A new opaque identifier for a row. */
export function newId(): string {
  return randomUUID();
}

/** Who is acting: every service call receives one, and every audit entry records it. */
export type Actor =
  | { kind: 'citizen'; id: string; ip?: string }
  | { kind: 'staff'; id: string; memberships: Membership[]; ip?: string }
  | { kind: 'system'; id: null; ip?: string }
  | { kind: 'anonymous'; id: null; ip?: string }
  /** Another system calling with an API key (e.g. an Open311 client), on behalf of its organization. */
  | { kind: 'api_client'; id: string; orgId: string; scopes: string[]; ip?: string };

export interface Membership {
  orgId: string;
  orgCode: string;
  role: Role;
}

export const ROLES = [
  'province_admin',
  'org_admin',
  'clerk',
  'inspector',
  'manager',
  'reference_author',
  'pr_editor',
  'council_member',
] as const;
export type Role = (typeof ROLES)[number];

export const systemActor: Actor = { kind: 'system', id: null };
