import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { OrgsTable } from '../../platform/db/schema.js';

// Organizations are public facts; their staff lists are tenant data read through an OrgScope.

/** The province first, then by population (unknown last, on both engines), then by code. */
export function listOrgs(tx: Tx) {
  return tx.selectFrom('orgs').selectAll()
    .orderBy(sql`case when kind = 'province' then 0 else 1 end`)
    .orderBy(sql`coalesce(population, -1)`, 'desc')
    .orderBy('code').execute();
}

export function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').selectAll().where('code', '=', code).executeTakeFirst();
}

export function orgById(tx: Tx, id: string) {
  return tx.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertOrg(tx: Tx, row: OrgsTable) {
  return tx.insertInto('orgs').values(row).onConflict((oc) => oc.column('code').doNothing()).execute();
}

export function staffOfOrg(tx: Tx, scope: OrgScope) {
  return tx.selectFrom('memberships').innerJoin('staff', 'staff.id', 'memberships.staff_id')
    .select(['staff.id', 'staff.username', 'staff.display_name', 'memberships.role', 'staff.totp_enabled', 'staff.disabled'])
    .where('memberships.org_id', '=', scope.orgId).orderBy('staff.username').execute();
}
