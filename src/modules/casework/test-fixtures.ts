// Test support for casework: a small service definition whose states belong to different roles,
// applications as real rows in any state with a deadline computed as the workflow computes it,
// and staff actors for calling the service directly.
import { newId, type Actor, type Role } from '../../platform/core/index.js';
import { definitionSchema, type ServiceDefinition } from '../catalog/definition.js';
import { dueAt } from '../catalog/workflow.js';
import { adoptDefinition } from '../applications/test-factories.js';
import type { TestApp } from '../../../test/helpers.js';

/** A service with a clerk step (1 business day), an inspector step (2 days), a correction that waits for the citizen, and outcomes. */
export function caseDefinition(code = 'casework-test'): ServiceDefinition {
  return definitionSchema.parse({
    code,
    title: { fa: 'خدمت آزمایشی کارتابل', en: 'Inbox test service' },
    category: 'other',
    maturity: 3,
    fields: [{ key: 'parcel_code', type: 'text', label: { fa: 'کد نوسازی' }, required: true }],
    workflow: {
      start: 'submitted',
      states: {
        submitted: { title: { fa: 'بررسی اولیه', en: 'First check' }, sla: '1d', roles: ['clerk'] },
        inspection: { title: { fa: 'بازدید', en: 'Inspection' }, sla: '2d', roles: ['inspector'] },
        correction: { title: { fa: 'اصلاح', en: 'Correction' }, sla: '5d', waits_for: 'citizen' },
        approved: { title: { fa: 'تأیید', en: 'Approved' }, final: true, outcome: 'granted' },
        rejected: { title: { fa: 'رد', en: 'Refused' }, final: true, outcome: 'refused' },
      },
      actions: [
        { from: 'submitted', name: 'accept', to: 'inspection', roles: ['clerk'] },
        { from: 'submitted', name: 'return', to: 'correction', roles: ['clerk'], requires: 'comment', to_citizen: true },
        { from: 'correction', name: 'resubmit', to: 'submitted', by: 'citizen' },
        { from: 'inspection', name: 'approve', to: 'approved', roles: ['inspector'], to_citizen: true },
        { from: 'inspection', name: 'reject', to: 'rejected', roles: ['inspector'], requires: ['comment', 'attachment'], to_citizen: true },
      ],
    },
    baseline: { office_visits: 3, days: 20 },
  });
}

/** Adopts the definition for each organization; returns the org service id per org id and the version id. */
export async function adoptFor(t: TestApp, def: ServiceDefinition, orgIds: string[]): Promise<{ versionId: string; orgServices: Map<string, string> }> {
  const orgServices = new Map<string, string>();
  let versionId = '';
  for (const orgId of orgIds) {
    const r = await adoptDefinition(t.deps.db, { orgId, definition: def, now: t.clock.now() });
    orgServices.set(orgId, r.orgServiceId);
    versionId = r.versionId;
  }
  return { versionId, orgServices };
}

let serial = 0;

export interface CaseOptions {
  orgId: string;
  orgCode: string;
  orgServiceId: string;
  versionId: string;
  definition: ServiceDefinition;
  citizenId: string;
  state?: string;
  phase?: 'draft' | 'open' | 'closed';
  channel?: 'web' | 'counter' | 'api';
  /** When the application entered its state (default: now); the deadline follows from the state's SLA. */
  enteredAt?: number;
  submittedAt?: number;
  dueAt?: number | null;
  assigneeId?: string | null;
  trackingCode?: string;
}

/** An application row as the applications module leaves it after submission and transitions. */
export async function makeCase(t: TestApp, o: CaseOptions): Promise<{ id: string; trackingCode: string; dueAt: number | null }> {
  const id = newId();
  const now = t.clock.now();
  const state = o.state ?? o.definition.workflow.start;
  const enteredAt = o.enteredAt ?? now;
  const phase = o.phase ?? (o.definition.workflow.states[state]?.final ? 'closed' : 'open');
  const due = o.dueAt !== undefined ? o.dueAt : phase === 'open' ? dueAt(t.deps.calendar, o.definition, null, state, enteredAt) : null;
  serial += 1;
  const trackingCode = o.trackingCode ?? `${o.orgCode.toUpperCase()}-1405-${700_000 + serial}`;
  await t.deps.db.insertInto('applications').values({
    id, org_id: o.orgId, org_service_id: o.orgServiceId, version_id: o.versionId, tracking_code: phase === 'draft' ? null : trackingCode,
    citizen_id: o.citizenId, channel: o.channel ?? 'web', state, phase, form_data: JSON.stringify({ parcel_code: '12-34' }), fees_total: 0,
    fees: JSON.stringify({ items: [], total: 0 }), assignee_id: o.assigneeId ?? null, due_at: due, state_entered_at: enteredAt,
    submit_key: null, outcome: null, result_code: null, rating: null, rating_comment: null, created_by: null, created_at: o.submittedAt ?? enteredAt,
    submitted_at: phase === 'draft' ? null : o.submittedAt ?? enteredAt, closed_at: phase === 'closed' ? now : null, updated_at: now, escalated_due_at: null,
  }).execute();
  return { id, trackingCode, dueAt: due };
}

/** A staff actor as the session resolver builds it. */
export function staffActor(id: string, memberships: { orgId: string; orgCode: string; role: Role }[]): Actor {
  return { kind: 'staff', id, memberships };
}

/** Tehran wall-clock time (UTC+03:30) as epoch ms. */
export function tehran(isoLocal: string): number {
  return Date.parse(`${isoLocal}+03:30`);
}
