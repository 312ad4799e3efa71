import type { Tx } from '../../platform/db/index.js';
import type { ClearanceCertificatesTable } from '../../platform/db/schema.js';

// Every SQL statement of clearance certificates. A certificate is about a property, not a
// person: what it reads and stores is the municipality, the property code and its levies'
// periods, states and amounts, which the public lookup shows anyway.

/** Live (not cancelled) renewal levies of a property in one organization, oldest period first. */
export function renewalLeviesOfProperty(tx: Tx, orgId: string, propertyCode: string) {
  return tx.selectFrom('bills').select(['id', 'bill_code', 'period', 'amount', 'status', 'due_at'])
    .where('org_id', '=', orgId).where('kind', '=', 'renewal_levy').where('application_id', 'is', null)
    .where('property_code', '=', propertyCode).where('status', '!=', 'cancelled')
    .orderBy('period').orderBy('bill_code').execute();
}

/** The newest certificate of a property issued at or after `since`. */
export function latestCertificateSince(tx: Tx, orgId: string, propertyCode: string, since: number) {
  return tx.selectFrom('clearance_certificates').selectAll()
    .where('org_id', '=', orgId).where('property_code', '=', propertyCode).where('issued_at', '>=', since)
    .orderBy('issued_at', 'desc').limit(1).executeTakeFirst();
}

export function insertCertificate(tx: Tx, row: ClearanceCertificatesTable) {
  return tx.insertInto('clearance_certificates').values(row).execute();
}

/** A certificate by its verification code, with its municipality. */
export function certificateByCode(tx: Tx, verifyCode: string) {
  return tx.selectFrom('clearance_certificates as c').innerJoin('orgs as o', 'o.id', 'c.org_id')
    .selectAll('c').select(['o.code as org_code', 'o.name_fa as org_name_fa', 'o.name_en as org_name_en'])
    .where('c.verify_code', '=', verifyCode).executeTakeFirst();
}

export function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'kind', 'name_fa', 'name_en']).where('code', '=', code).executeTakeFirst();
}
