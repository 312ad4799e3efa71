import { randomBytes } from 'node:crypto';
import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import { orgScope, type OrgScope } from '../../platform/auth/access.js';
import { AppError, badInput, notFound, unauthorized } from '../../platform/http/errors.js';
import { normalizePersian } from '../../platform/i18n/persian.js';
import { destinationProblem, enqueueDelivery } from '../../platform/webhooks/deliver.js';
import { emitEvent, onEvent } from '../../platform/webhooks/events.js';
import { definitionOfVersion } from '../catalog/lookup.js';
import { newResultCode, normalizeTrackingCode } from '../applications/service.js';
import * as q from './external-queries.js';

// External back-office connections (issue 8): an organization marks an adopted service as
// processed in another system. Each application of it submitted in Pishkhan is forwarded to
// that system by a signed webhook (helper B's delivery engine, in the submitting transaction),
// and the system reports the status back through the API with an API client key of the same
// organization (scope applications.act). The citizen tracks it in Pishkhan like any other.

export interface ConnectionView {
  service: { code: string; title: { fa: string; en: string }; enabled: boolean };
  connection: null | { id: string; url: string; active: boolean; createdAt: number; updatedAt: number; secretRotatedAt: number | null };
}

export interface StatusInput { state?: unknown; status?: unknown; note?: unknown; at?: unknown }

export interface ReportedStatus {
  trackingCode: string;
  state: string;
  phase: 'open' | 'closed';
  status: string;
  note: string | null;
  at: string;
}

const newSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

let forwardingInstalled = false;

/**
 * Forwards each submitted application of a connected service to its external system: one signed
 * delivery per application, ordered per application, written in the submitting transaction (so
 * a rolled-back submission forwards nothing). Installed once per process.
 */
export function installExternalForwarding(): void {
  if (forwardingInstalled) return;
  forwardingInstalled = true;
  onEvent('application.submitted', async (tx, event) => {
    const applicationId = String(event.payload.application_id ?? '');
    const app = await q.submittedWithConnection(tx, event.orgId, applicationId);
    if (!app) return;
    let form: Record<string, unknown> = {};
    try { form = JSON.parse(app.form_data) as Record<string, unknown>; } catch { /* stored as JSON by the applications module */ }
    const documents = (await q.documentsOf(tx, event.orgId, applicationId)).map((d) => ({ id: d.id, key: d.doc_key, filename: d.filename, mime: d.mime, size: Number(d.size), sha256: d.sha256 }));
    const envelope = {
      id: event.id, type: 'application.submitted', created_at: new Date(event.at).toISOString(), org: event.orgCode,
      data: {
        ...event.payload, form, documents,
        // Where the external system reports the status back (with an API key of this organization, scope applications.act).
        status_url: `/api/v1/orgs/${event.orgCode}/external/applications/${encodeURIComponent(app.tracking_code ?? '')}/status`,
      },
    };
    await enqueueDelivery(tx, {
      orgId: event.orgId, url: app.url, secret: app.secret, eventType: 'application.submitted', payload: envelope,
      connectionId: app.connection_id, orderingKey: applicationId,
    }, event.at);
  });
}

/** Builds the external connections service: the org admin's settings and the status reported back. */
export function createExternalService(deps: { db: DB; clock: Clock; isProduction: boolean; onOutbox?: () => void }) {
  const { db, clock } = deps;

  async function orgFor(tx: Tx, actor: Actor, orgCode: string): Promise<{ org: { id: string; code: string; name_fa: string; name_en: string }; scope: OrgScope }> {
    if (actor.kind === 'anonymous') throw unauthorized();
    const org = await q.orgByCode(tx, String(orgCode));
    if (!org) throw notFound();
    return { org, scope: orgScope(actor, org.id, 'external.connect') };
  }

  function checkUrl(raw: unknown): string {
    const url = typeof raw === 'string' ? raw.trim() : '';
    if (!url) throw badInput({ url: 'common.required' });
    const problem = destinationProblem(url, deps.isProduction);
    if (problem) throw badInput({ url: 'external.url_invalid' });
    return url;
  }

  const service = {
    /** The org's adopted services, each with its external connection (the secret is never shown again). */
    async connections(actor: Actor, orgCode: string): Promise<{ org: { code: string; name: { fa: string; en: string } }; items: ConnectionView[] }> {
      const { org, scope } = await orgFor(db, actor, orgCode);
      const rows = await q.adoptedWithConnections(db, scope);
      return {
        org: { code: org.code, name: { fa: org.name_fa, en: org.name_en } },
        items: rows.map((r) => ({
          service: { code: r.code, title: { fa: r.title_fa, en: r.title_en }, enabled: Number(r.enabled) === 1 },
          connection: r.connection_id ? { id: r.connection_id, url: r.url!, active: Number(r.active) === 1, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), secretRotatedAt: r.secret_rotated_at == null ? null : Number(r.secret_rotated_at) } : null,
        })),
      };
    },

    /**
     * Marks an adopted service as processed in an external system at this address, or changes
     * the address and the active flag. A new connection gets a signing secret, returned this
     * once. Audited; the secret never enters the audit log.
     */
    async setConnection(actor: Actor, orgCode: string, serviceCode: string, input: { url?: unknown; active?: unknown }): Promise<{ view: ConnectionView; secret: string | null; created: boolean }> {
      const now = clock.now();
      const out = await inTransaction(db, async (tx) => {
        const { org, scope } = await orgFor(tx, actor, orgCode);
        const adopted = await q.adoptedByCode(tx, scope, String(serviceCode));
        if (!adopted) throw notFound();
        const url = checkUrl(input.url);
        if (input.active !== undefined && typeof input.active !== 'boolean') throw badInput({ active: 'common.invalid_value' });
        const active = input.active === undefined ? true : input.active;
        const current = await q.connectionOfService(tx, adopted.id);
        if (!current) {
          const secret = newSecret();
          const id = newId();
          await q.insertConnection(tx, scope, { id, org_service_id: adopted.id, url, secret, active: active ? 1 : 0, created_at: now, updated_at: now, secret_rotated_at: null });
          await appendAudit(tx, actor, { orgId: org.id, action: 'external_connection.created', entity: 'external_connection', entityId: id, data: { service: adopted.code, url, active } }, now);
          return { secret, created: true };
        }
        await q.updateConnection(tx, scope, current.id, { url, active: active ? 1 : 0, updated_at: now });
        await appendAudit(tx, actor, { orgId: org.id, action: 'external_connection.updated', entity: 'external_connection', entityId: current.id, data: { service: adopted.code, before: { url: current.url, active: Number(current.active) === 1 }, after: { url, active } } }, now);
        return { secret: null, created: false };
      });
      const list = await service.connections(actor, orgCode);
      return { view: list.items.find((i) => i.service.code === serviceCode)!, ...out };
    },

    /** Replaces a connection's signing secret and returns the new one, this once; audited. */
    async rotateSecret(actor: Actor, orgCode: string, serviceCode: string): Promise<{ view: ConnectionView; secret: string }> {
      const now = clock.now();
      const secret = newSecret();
      await inTransaction(db, async (tx) => {
        const { org, scope } = await orgFor(tx, actor, orgCode);
        const adopted = await q.adoptedByCode(tx, scope, String(serviceCode));
        const current = adopted ? await q.connectionOfService(tx, adopted.id) : undefined;
        if (!adopted || !current) throw notFound();
        await q.updateConnection(tx, scope, current.id, { secret, updated_at: now, secret_rotated_at: now });
        await appendAudit(tx, actor, { orgId: org.id, action: 'external_connection.secret_rotated', entity: 'external_connection', entityId: current.id, data: { service: adopted.code } }, now);
      });
      const list = await service.connections(actor, orgCode);
      return { view: list.items.find((i) => i.service.code === serviceCode)!, secret };
    },

    /**
     * Records a status an external system reports for an application of its organization: a
     * state of the service's workflow (the application moves there; a final state closes it
     * with its outcome) or 'external' with a free status text. Writes the event the citizen
     * sees, the audit entry and (on a move) the application.state_changed event in one
     * transaction. Only an API client of the application's organization with applications.act
     * reaches it; anything else answers as if the application did not exist.
     */
    async reportStatus(actor: Actor, orgCode: string, trackingCode: string, input: StatusInput): Promise<ReportedStatus> {
      if (actor.kind !== 'api_client') throw actor.kind === 'anonymous' ? unauthorized() : notFound();
      if (!actor.scopes.includes('applications.act')) throw new AppError('api_client.scope_missing', 403, {}, { scope: 'applications.act' });
      const now = clock.now();
      const code = normalizeTrackingCode(String(trackingCode ?? ''));
      const done = await inTransaction(db, async (tx) => {
        const org = await q.orgByCode(tx, String(orgCode));
        if (!org || org.id !== actor.orgId || !code) throw notFound();
        const scope = { orgId: org.id } as OrgScope; // the client's own organization, checked just above
        const app = await q.applicationByTracking(tx, scope, code);
        if (!app) throw notFound();
        if (!app.connection_id) throw new AppError('external.not_connected', 409);
        const version = await definitionOfVersion(tx, app.version_id);
        if (!version) throw notFound();
        const def = version.definition;
        // Input: state, status, note, at — each wrong field named.
        const errors: Record<string, string> = {};
        const state = typeof input.state === 'string' ? input.state.trim() : '';
        const isWorkflowState = Object.prototype.hasOwnProperty.call(def.workflow.states, state);
        if (!isWorkflowState && state !== 'external') errors.state = state ? 'external.state_invalid' : 'common.required';
        const status = typeof input.status === 'string' ? normalizePersian(input.status).trim() : '';
        if (state === 'external' && !status) errors.status = 'external.status_required';
        if (status.length > 200) errors.status = 'common.too_long';
        const note = typeof input.note === 'string' ? normalizePersian(input.note).trim() : '';
        if (input.note !== undefined && input.note !== null && typeof input.note !== 'string') errors.note = 'common.invalid_value';
        if (note.length > 2000) errors.note = 'common.too_long';
        let at = now;
        if (input.at !== undefined && input.at !== null) {
          const parsed = typeof input.at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(input.at) ? Date.parse(input.at) : NaN;
          if (!Number.isFinite(parsed) || parsed > now + 5 * 60_000) errors.at = 'external.at_invalid';
          else at = parsed;
        }
        if (Object.keys(errors).length) throw badInput(errors);
        if (app.phase !== 'open') throw new AppError('external.not_open', 409);

        const from = app.state;
        let to: string | null = null;
        let phase: 'open' | 'closed' = 'open';
        if (isWorkflowState && state !== from) {
          to = state;
          const st = def.workflow.states[state]!;
          const final = st.final === true;
          const enteredAt = Math.max(now, Number(app.state_entered_at) + 1);
          const moved = await q.moveApplication(tx, scope, app.id, { state: from, stateEnteredAt: Number(app.state_entered_at) }, {
            state, state_entered_at: enteredAt, updated_at: now, due_at: null,
            ...(final ? { phase: 'closed' as const, outcome: st.outcome ?? null, result_code: newResultCode(), closed_at: now } : {}),
          });
          if (!moved) throw new AppError('application.conflict', 409);
          if (final) phase = 'closed';
          await emitEvent(tx, { orgId: org.id, type: 'application.state_changed', orderingKey: app.id, payload: { application_id: app.id, tracking_code: code, action: null, by: 'external', from, to, phase, outcome: final ? st.outcome ?? null : null, changed_at: new Date(enteredAt).toISOString() } }, now);
        } else {
          await q.touchApplication(tx, scope, app.id, now);
        }
        const label = state === 'external' ? status : (status || null);
        await q.insertEvent(tx, {
          id: newId(), application_id: app.id, org_id: org.id, type: 'external_status', action: label, from_state: from, to_state: to ?? (isWorkflowState ? state : null),
          actor_kind: 'api', actor_id: actor.id, comment: note || null, internal: 0,
          data: JSON.stringify({ state, status: label, at: new Date(at).toISOString(), connection: app.connection_id, ...(to ? { from_due_at: app.due_at === null ? null : Number(app.due_at) } : {}) }), created_at: now,
        });
        await appendAudit(tx, actor, { orgId: org.id, action: 'application.external_status', entity: 'application', entityId: app.id, data: { tracking_code: code, state, status: label, moved: to !== null, from, to } }, now);
        return { state: to ?? from, phase, status: label ?? state };
      });
      deps.onOutbox?.();
      return { trackingCode: code!, state: done.state, phase: done.phase, status: done.status, note: typeof input.note === 'string' && input.note.trim() ? normalizePersian(input.note).trim() : null, at: new Date(typeof input.at === 'string' ? Date.parse(input.at) : now).toISOString() };
    },
  };
  return service;
}

export type ExternalService = ReturnType<typeof createExternalService>;
