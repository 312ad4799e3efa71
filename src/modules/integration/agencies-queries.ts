import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { ExternalServicesTable } from '../../platform/db/schema.js';

// Every SQL statement of agencies and their external e-services. Agencies are orgs of kind
// 'agency'; what they list is public once active, so reads take no scope; writes take the
// scope of the agency (only the province administrator holds one, see access.ts).

const agencyColumns = ['orgs.id', 'orgs.code', 'orgs.name_fa', 'orgs.name_en', 'orgs.website', 'orgs.created_at'] as const;

export function agencies(tx: Tx) {
  return tx.selectFrom('orgs').select([...agencyColumns,
    (eb) => eb.selectFrom('external_services').select((e) => e.fn.countAll<number>().as('n'))
      .whereRef('external_services.org_id', '=', 'orgs.id').where('external_services.active', '=', 1).as('active_services'),
  ]).where('orgs.kind', '=', 'agency').orderBy('orgs.code').execute();
}

export function agencyByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(agencyColumns).where('orgs.kind', '=', 'agency').where('orgs.code', '=', code).executeTakeFirst();
}

export function orgCodeTaken(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select('id').where('code', '=', code).executeTakeFirst();
}

export function provinceOrg(tx: Tx) {
  return tx.selectFrom('orgs').select(['id', 'code']).where('kind', '=', 'province').orderBy('created_at').limit(1).executeTakeFirst();
}

export function insertAgency(tx: Tx, row: { id: string; code: string; name_fa: string; name_en: string; website: string | null; parent_id: string | null; created_at: number }) {
  return tx.insertInto('orgs').values({ ...row, kind: 'agency', is_reference: 0, lat: null, lng: null, population: null }).execute();
}

export function updateAgency(tx: Tx, scope: OrgScope, patch: { name_fa: string; name_en: string; website: string | null }) {
  return tx.updateTable('orgs').set(patch).where('id', '=', scope.orgId).where('kind', '=', 'agency').execute();
}

export function servicesOf(tx: Tx, agencyId: string, opts: { activeOnly: boolean }) {
  return tx.selectFrom('external_services').selectAll().where('org_id', '=', agencyId)
    .$if(opts.activeOnly, (qb) => qb.where('active', '=', 1))
    .orderBy('code').execute();
}

export function serviceByCode(tx: Tx, agencyId: string, code: string) {
  return tx.selectFrom('external_services').selectAll().where('org_id', '=', agencyId).where('code', '=', code).executeTakeFirst();
}

export function insertService(tx: Tx, scope: OrgScope, row: Omit<ExternalServicesTable, 'org_id'>) {
  return tx.insertInto('external_services').values({ ...row, org_id: scope.orgId }).execute();
}

export function updateService(tx: Tx, scope: OrgScope, id: string, patch: Partial<Omit<ExternalServicesTable, 'id' | 'org_id' | 'code' | 'created_at'>>) {
  return tx.updateTable('external_services').set(patch).where('id', '=', id).where('org_id', '=', scope.orgId).execute();
}
