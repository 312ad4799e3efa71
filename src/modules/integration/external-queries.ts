import type { Tx } from '../../platform/db/index.js';
import type { OrgScope } from '../../platform/auth/access.js';
import type { ApplicationEventsTable, ExternalConnectionsTable } from '../../platform/db/schema.js';

// Every SQL statement of external back-office connections. Connections are tenant data (the
// org's adopted services); the status reported back by an external system is written to the
// org's own application and its event log, always filtered by the scope's org.

export function orgByCode(tx: Tx, code: string) {
  return tx.selectFrom('orgs').select(['id', 'code', 'kind', 'name_fa', 'name_en']).where('code', '=', code).executeTakeFirst();
}

/** The org's adopted services with their connection (if any), by service code. */
export function adoptedWithConnections(tx: Tx, scope: OrgScope) {
  return tx.selectFrom('org_services')
    .innerJoin('service_templates', 'service_templates.id', 'org_services.template_id')
    .innerJoin('service_template_versions', 'service_template_versions.id', 'org_services.version_id')
    .leftJoin('external_connections', 'external_connections.org_service_id', 'org_services.id')
    .select(['org_services.id as org_service_id', 'org_services.enabled', 'service_templates.code', 'service_template_versions.title_fa', 'service_template_versions.title_en',
      'external_connections.id as connection_id', 'external_connections.url', 'external_connections.active', 'external_connections.created_at', 'external_connections.updated_at', 'external_connections.secret_rotated_at'])
    .where('org_services.org_id', '=', scope.orgId)
    .orderBy('service_templates.code').execute();
}

export function adoptedByCode(tx: Tx, scope: OrgScope, code: string) {
  return tx.selectFrom('org_services').innerJoin('service_templates', 'service_templates.id', 'org_services.template_id')
    .select(['org_services.id', 'service_templates.code'])
    .where('org_services.org_id', '=', scope.orgId).where('service_templates.code', '=', code).executeTakeFirst();
}

export function connectionOfService(tx: Tx, orgServiceId: string) {
  return tx.selectFrom('external_connections').selectAll().where('org_service_id', '=', orgServiceId).executeTakeFirst();
}

export function insertConnection(tx: Tx, scope: OrgScope, row: Omit<ExternalConnectionsTable, 'org_id'>) {
  return tx.insertInto('external_connections').values({ ...row, org_id: scope.orgId }).execute();
}

export function updateConnection(tx: Tx, scope: OrgScope, id: string, patch: Partial<Pick<ExternalConnectionsTable, 'url' | 'active' | 'secret' | 'updated_at' | 'secret_rotated_at'>>) {
  return tx.updateTable('external_connections').set(patch).where('id', '=', id).where('org_id', '=', scope.orgId).execute();
}

/** For the forwarding listener (runs as the system inside the submitting transaction): the application and its service's active connection. */
export function submittedWithConnection(tx: Tx, orgId: string, applicationId: string) {
  return tx.selectFrom('applications')
    .innerJoin('external_connections', 'external_connections.org_service_id', 'applications.org_service_id')
    .select(['applications.id', 'applications.org_id', 'applications.tracking_code', 'applications.form_data', 'applications.channel',
      'external_connections.id as connection_id', 'external_connections.url', 'external_connections.secret'])
    .where('applications.id', '=', applicationId).where('applications.org_id', '=', orgId).where('external_connections.active', '=', 1)
    .executeTakeFirst();
}

export function documentsOf(tx: Tx, orgId: string, applicationId: string) {
  return tx.selectFrom('documents').select(['id', 'doc_key', 'filename', 'mime', 'size', 'sha256'])
    .where('application_id', '=', applicationId).where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
}

/** An application of the scope's org by tracking code, with its service's connection (null when the service has none). */
export function applicationByTracking(tx: Tx, scope: OrgScope, trackingCode: string) {
  return tx.selectFrom('applications')
    .leftJoin('external_connections', 'external_connections.org_service_id', 'applications.org_service_id')
    .select(['applications.id', 'applications.org_id', 'applications.tracking_code', 'applications.state', 'applications.phase', 'applications.state_entered_at',
      'applications.version_id', 'applications.due_at', 'external_connections.id as connection_id'])
    .where('applications.org_id', '=', scope.orgId).where('applications.tracking_code', '=', trackingCode).where('applications.phase', '!=', 'draft')
    .executeTakeFirst();
}

/** Moves the application to a state the external system reports, if nobody moved it since it was read. */
export async function moveApplication(tx: Tx, scope: OrgScope, id: string, expected: { state: string; stateEnteredAt: number },
  set: { state: string; state_entered_at: number; updated_at: number; due_at: null; phase?: 'closed'; outcome?: string | null; result_code?: string; closed_at?: number }): Promise<boolean> {
  const r = await tx.updateTable('applications').set(set)
    .where('id', '=', id).where('org_id', '=', scope.orgId).where('phase', '=', 'open')
    .where('state', '=', expected.state).where('state_entered_at', '=', expected.stateEnteredAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export function touchApplication(tx: Tx, scope: OrgScope, id: string, now: number) {
  return tx.updateTable('applications').set({ updated_at: now }).where('id', '=', id).where('org_id', '=', scope.orgId).execute();
}

export function insertEvent(tx: Tx, row: ApplicationEventsTable) {
  return tx.insertInto('application_events').values(row).execute();
}

/** The newest status an external system reported for an application (public: status text and note only). */
export function lastExternalStatus(tx: Tx, applicationId: string) {
  return tx.selectFrom('application_events').select(['action', 'to_state', 'comment', 'data', 'created_at'])
    .where('application_id', '=', applicationId).where('type', '=', 'external_status')
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}
