import type { DB } from '../../platform/db/index.js';
import type { Actor } from '../../platform/core/index.js';
import { orgScope } from '../../platform/auth/access.js';
import { notFound } from '../../platform/http/errors.js';
import type { OrgsTable } from '../../platform/db/schema.js';
import * as q from './queries.js';

/** An organization as the API shows it. */
export function orgView(o: OrgsTable, parentCode: string | null = null) {
  return {
    code: o.code,
    kind: o.kind,
    name: { fa: o.name_fa, en: o.name_en },
    parent: parentCode,
    is_reference: o.is_reference === 1,
    location: o.lat != null && o.lng != null ? { lat: Number(o.lat), lng: Number(o.lng) } : null,
    population: o.population == null ? null : Number(o.population),
  };
}
export type OrgView = ReturnType<typeof orgView>;

/** Builds the organizations service: the public directory and each organization's staff list. */
export function createOrgsService(db: DB, clock: { now(): number } = { now: () => Date.now() }) {
  // The directory is read on every public page and changes only when an operator adds an
  // organization; each process keeps it for a few seconds rather than querying every time.
  let cached: { at: number; list: OrgView[] } | null = null;
  const TTL_MS = 10_000;
  return {
    /** Every organization of the platform, the province first, then by size (at most 10 s stale). */
    async list(): Promise<OrgView[]> {
      const now = clock.now();
      if (cached && now - cached.at < TTL_MS && now >= cached.at) return cached.list;
      const rows = await q.listOrgs(db);
      const codeOf = new Map(rows.map((r) => [r.id, r.code]));
      const list = rows.map((r) => orgView(r, r.parent_id ? codeOf.get(r.parent_id) ?? null : null));
      cached = { at: now, list };
      return list;
    },

    /** Forgets the cached directory (after adding an organization in this process). */
    invalidate(): void {
      cached = null;
    },

    async byCode(code: string): Promise<OrgView> {
      const org = await q.orgByCode(db, code);
      if (!org) throw notFound();
      const parent = org.parent_id ? (await q.orgById(db, org.parent_id))?.code ?? null : null;
      return orgView(org, parent);
    },

    async idOf(code: string): Promise<string | null> {
      return (await q.orgByCode(db, code))?.id ?? null;
    },

    /** Staff of one organization: only its admins, managers and the province admin may look. */
    async staff(actor: Actor, code: string) {
      const org = await q.orgByCode(db, code);
      if (!org) throw notFound();
      const scope = orgScope(actor, org.id, 'org.staff.read');
      const rows = await q.staffOfOrg(db, scope);
      return rows.map((r) => ({ id: r.id, username: r.username, display_name: r.display_name, role: r.role, totp_enabled: r.totp_enabled === 1, disabled: r.disabled === 1 }));
    },
  };
}
export type OrgsService = ReturnType<typeof createOrgsService>;
