import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor, systemClock, type Clock } from '../../platform/core/index.js';
import { PeriodicJob } from '../../platform/core/periodic.js';
import { appendAudit } from '../../platform/audit/index.js';
import { enqueue, type OutboxHandler } from '../../platform/outbox/index.js';
import { definitionOfVersion } from '../catalog/lookup.js';
import * as q from './queries.js';

/** The outbox topic of an escalation to an organization's managers. */
export const ESCALATION_TOPIC = 'casework.escalation';

export interface EscalationPayload {
  application_id: string;
  tracking_code: string | null;
  state: string;
  due_at: number;
}

export interface ScannerOptions {
  db: DB;
  clock?: Clock;
  /** Called after a scan enqueued escalations (to wake the outbox worker). */
  onOutbox?: () => void;
  onError?: (err: unknown) => void;
  intervalMs?: number;
  batchSize?: number;
}

/**
 * Finds open applications whose office deadline has passed and escalates each breach once: the
 * mark on the application (escalated_due_at = due_at), the 'escalated' application event, the
 * audit entry and the outbox message commit together. The mark is a conditional update, so a
 * rerun, or a second scanner in another process, finds the breach already escalated; the outbox
 * dedupe key `escalation:<id>:<due_at>` guards the message a second time. A new deadline (the
 * application moved on, or came back to the office) is a new breach.
 */
export class EscalationScanner {
  private readonly db: DB;
  private readonly clock: Clock;
  private readonly batchSize: number;
  private readonly job: PeriodicJob;

  constructor(private readonly opts: ScannerOptions) {
    this.db = opts.db;
    this.clock = opts.clock ?? systemClock;
    this.batchSize = opts.batchSize ?? 200;
    this.job = new PeriodicJob(() => this.scanOnce(), opts.intervalMs ?? 60_000, opts.onError);
  }

  /** Scans every intervalMs (the first scan right away) until stop(); a failed scan is reported and the next one runs on time. */
  start(onError?: (err: unknown) => void): void {
    this.job.start(onError);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** Escalates every breach found now; returns how many this call escalated. */
  async scanOnce(): Promise<number> {
    const now = this.clock.now();
    const versions = await q.versionsOfBreaches(this.db, now);
    if (versions.length === 0) return 0;
    const office: q.VersionStates[] = [];
    for (const versionId of versions) {
      const v = await definitionOfVersion(this.db, versionId);
      if (!v) continue;
      const states = Object.entries(v.definition.workflow.states).filter(([, s]) => !s.final && s.waits_for === 'office').map(([key]) => key);
      office.push({ versionId, states });
    }
    let escalated = 0;
    const seen = new Set<string>();
    for (;;) {
      const rows = (await q.breaches(this.db, now, office, this.batchSize)).filter((r) => !seen.has(r.id));
      for (const r of rows) {
        seen.add(r.id);
        if (await this.escalate(r, now)) escalated += 1;
      }
      // A batch of only rows seen before means the rest were taken by another scanner.
      if (rows.length < this.batchSize) break;
    }
    if (escalated > 0) this.opts.onOutbox?.();
    return escalated;
  }

  private escalate(r: { id: string; org_id: string; state: string; due_at: number | null; tracking_code: string | null }, now: number): Promise<boolean> {
    const dueAt = Number(r.due_at);
    return inTransaction(this.db, async (tx) => {
      if (!(await q.markEscalated(tx, r.id, dueAt))) return false;
      const payload: EscalationPayload = { application_id: r.id, tracking_code: r.tracking_code, state: r.state, due_at: dueAt };
      await q.insertEvent(tx, {
        id: newId(), application_id: r.id, org_id: r.org_id, type: 'escalated', action: null, from_state: null, to_state: null,
        actor_kind: 'system', actor_id: null, comment: null, internal: 1, data: JSON.stringify({ state: r.state, due_at: dueAt }), created_at: now,
      });
      await enqueue(tx, { topic: ESCALATION_TOPIC, orgId: r.org_id, payload: { ...payload }, dedupeKey: `escalation:${r.id}:${dueAt}` }, now);
      await appendAudit(tx, systemActor, { orgId: r.org_id, action: 'application.escalated', entity: 'application', entityId: r.id, data: { state: r.state, due_at: dueAt } }, now);
      return true;
    });
  }
}

/**
 * Delivers an escalation: an in-app notice for each manager of the organization (its org admins
 * when it has no manager). Staff accounts have neither a mobile number nor an email address, so
 * the notice in their inbox is the channel. Redelivery adds nothing (one notice per message and
 * recipient).
 */
export function escalationHandlers(deps: { db: DB; clock: Clock }): Record<string, OutboxHandler> {
  return {
    [ESCALATION_TOPIC]: async (msg) => {
      const p = msg.payload as unknown as EscalationPayload;
      if (!msg.orgId) return;
      const orgId = msg.orgId;
      const recipients = await q.escalationRecipients(deps.db, orgId);
      const now = deps.clock.now();
      await inTransaction(deps.db, async (tx) => {
        for (const staffId of recipients) {
          await q.insertNotice(tx, {
            id: newId(), org_id: orgId, staff_id: staffId, kind: 'escalation', application_id: p.application_id, outbox_id: msg.id,
            data: JSON.stringify({ state: p.state, due_at: p.due_at, tracking_code: p.tracking_code }), created_at: now, read_at: null,
          });
        }
      });
    },
  };
}
