import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor, systemClock, type Actor, type Clock } from '../../platform/core/index.js';
import { PeriodicJob } from '../../platform/core/periodic.js';
import { appendAudit } from '../../platform/audit/index.js';
import { enqueue, type OutboxHandler } from '../../platform/outbox/index.js';
import { mayAct } from '../../platform/auth/access.js';
import { AppError, badInput, forbidden, notFound, unauthorized } from '../../platform/http/errors.js';
import { normalizePersian } from '../../platform/i18n/persian.js';
import { formatPeriod, parsePeriod, type Period } from '../transparency/periods.js';
import { INDICATORS, INDICATOR_CODES } from './indicators.js';
import { rankMunicipalities, MIN_COVERAGE } from './ranking.js';
import * as q from './queries.js';

/** The outbox topic of an overdue resolution, delivered as notices to the responsible organization's admins. */
export const OVERDUE_TOPIC = 'council.resolution_overdue';

/** The KPIs the computed indicators read (the transparency module's `kpis`, or a stand-in in tests). */
export type KpiSource = (db: DB, scope: { org?: string }, period: Period) => Promise<{
  applications: { digital_share: number | null; within_deadline: number | null; satisfaction: { mean: number | null } };
}>;

export interface CouncilContext {
  db: DB;
  clock?: Clock;
  kpis?: KpiSource;
  onOutbox?: () => void;
}

export type ResolutionState = 'open' | 'done' | 'cancelled';
export const RESOLUTION_STATES: ResolutionState[] = ['open', 'done', 'cancelled'];

export interface ResolutionInput {
  text_fa: string;
  text_en?: string;
  responsible_org: string;
  /** Instant (epoch ms) after which the resolution is overdue; null = no deadline. */
  deadline: number | null;
  expected_output_fa: string;
  expected_output_en?: string;
  internal?: boolean;
}

export interface MeetingInput {
  held_at: number;
  title_fa: string;
  title_en?: string;
  orgs_present: string[];
  summary_fa?: string;
  summary_en?: string;
  resolutions?: ResolutionInput[];
}

/** A correction of a recorded meeting: only the fields given change. */
export interface MeetingPatch {
  held_at?: number;
  title_fa?: string;
  title_en?: string;
  orgs_present?: string[];
  summary_fa?: string;
  summary_en?: string;
}

/** A correction of a resolution (the council): only the fields given change. */
export interface ResolutionPatch {
  text_fa?: string;
  text_en?: string;
  responsible_org?: string;
  /** Null removes the deadline. */
  deadline?: number | null;
  expected_output_fa?: string;
  expected_output_en?: string;
  internal?: boolean;
  state?: ResolutionState;
}

/** The fields of `after` that differ from `before`, as { before, after } for the audit entry. */
function changes<T extends Record<string, unknown>>(before: T, after: Partial<T>): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[]) {
    if (after[k] === undefined || JSON.stringify(after[k]) === JSON.stringify(before[k])) continue;
    b[k] = before[k];
    a[k] = after[k];
  }
  return { before: b, after: a };
}

export interface ResolutionView {
  id: string;
  meeting: number;
  meeting_held_at: number;
  number: number;
  text: { fa: string; en: string };
  responsible_org: { code: string; name: { fa: string; en: string } };
  deadline: number | null;
  expected_output: { fa: string; en: string };
  internal: boolean;
  state: ResolutionState;
  progress: number;
  overdue: boolean;
  updates: { progress: number; note: string; org: string; created_at: number }[];
}

/** True when the actor speaks for the council (a council member, or the province admin). */
export function isCouncil(actor: Actor): boolean {
  return actor.kind === 'staff' && actor.memberships.some((m) => mayAct(actor, m.orgId, 'council.manage'));
}

const clean = (s: string | undefined, max: number) => normalizePersian(String(s ?? '')).trim().slice(0, max);

function requireStaff(actor: Actor): asserts actor is Extract<Actor, { kind: 'staff' }> {
  if (actor.kind !== 'staff') throw unauthorized();
}

function requireCouncil(actor: Actor): void {
  requireStaff(actor);
  if (!isCouncil(actor)) throw forbidden();
}

function periodOf(input: string | undefined): { text: string; period: Period } {
  const p = input ? parsePeriod(input) : null;
  if (!p) throw badInput({ period: 'council.period_invalid' });
  // One spelling per period ('۱۴۰۵-S2' and '1405-s2' are the same row).
  return { text: formatPeriod(p), period: p };
}

/** A target or value outside what the indicator's unit allows (shares 0-1, percentages 0-100, scores 1-5). */
function outOfRange(unit: string, v: number): boolean {
  if (!Number.isFinite(v) || v < 0) return true;
  if (unit === 'share') return v > 1;
  if (unit === 'percent') return v > 100;
  if (unit === 'score') return v < 1 || v > 5;
  return false;
}

/** Builds the council: indicators and ranking, meetings, resolutions and their progress. */
export function createCouncilService(ctx: CouncilContext) {
  const { db } = ctx;
  const clock = ctx.clock ?? systemClock;
  let ready: Promise<void> | null = null;
  /** The indicator catalog is code; its rows are written once per process (values refer to them). */
  const ensureIndicators = () => (ready ??= inTransaction(db, (tx) => q.upsertIndicators(tx, INDICATORS)).catch((err) => { ready = null; throw err; }));

  async function orgByCode(tx: Tx, code: string) {
    const all = await q.orgsForCouncil(tx);
    return all.find((o) => o.code === code);
  }

  /** Organizations whose internal resolutions the actor may read ('all' for the council). */
  function internalFor(actor: Actor): 'all' | string[] {
    if (actor.kind !== 'staff') return [];
    if (isCouncil(actor)) return 'all';
    return [...new Set(actor.memberships.filter((m) => mayAct(actor, m.orgId, 'council.report')).map((m) => m.orgId))];
  }

  async function computedValues(tx: Tx, orgs: { id: string; code: string; kind: string }[], period: Period) {
    const munis = orgs.filter((o) => o.kind === 'municipality');
    const maturity = await q.adoptedMaturity(tx, munis.map((o) => o.id));
    const out = new Map<string, Record<string, number | null>>();
    const levelsOf = new Map<string, [number, number, number, number, number]>();
    const tally = (key: string, m: number) => {
      const l = levelsOf.get(key) ?? [0, 0, 0, 0, 0];
      if (m >= 1 && m <= 5) l[m - 1]! += 1;
      levelsOf.set(key, l);
    };
    for (const r of maturity) {
      const org = munis.find((o) => o.id === r.org_id);
      if (!org) continue;
      tally(org.code, Number(r.maturity));
      tally('', Number(r.maturity));
    }
    // Agencies' external services (issue 8) are services of the province too: they count in its row.
    for (const r of await q.externalMaturity(tx)) tally('', Number(r.maturity));
    const keys = ['', ...munis.map((o) => o.code)];
    // Asked together, so the KPI source can answer them from one read of its version.
    const figures = await Promise.all(keys.map((key) => (ctx.kpis ? ctx.kpis(db, key ? { org: key } : {}, period) : null)));
    for (const [i, key] of keys.entries()) {
      const levels = levelsOf.get(key) ?? [0, 0, 0, 0, 0];
      const total = levels.reduce((s, n) => s + n, 0);
      const k = figures[i];
      out.set(key, {
        services_online: total > 0 ? (levels[2] + levels[3] + levels[4]) / total : null,
        digital_take_up: k?.applications.digital_share ?? null,
        deadline_compliance: k?.applications.within_deadline ?? null,
        satisfaction: k?.applications.satisfaction.mean ?? null,
      });
    }
    return { values: out, levels: levelsOf };
  }

  return {
    ensureIndicators,

    /** Every indicator for the province ('' row) and each municipality in a period, with sources and targets. */
    async indicators(periodText: string) {
      await ensureIndicators();
      const { text, period } = periodOf(periodText);
      // Not one transaction: the KPIs read through the pool (SQLite has one connection, a transaction would hold it).
      const tx = db;
      {
        const orgs = await q.orgsForCouncil(tx);
        const computed = await computedValues(tx, orgs, period);
        const [entered, targets] = await Promise.all([q.enteredValues(tx, text), q.targets(tx, text)]);
        const province = orgs.find((o) => o.kind === 'province');
        const rows = [
          { org: null as null | { code: string; name: { fa: string; en: string } }, key: '', orgId: province?.id ?? '' },
          ...orgs.filter((o) => o.kind === 'municipality').map((o) => ({ org: { code: o.code, name: { fa: o.name_fa, en: o.name_en } }, key: o.code, orgId: o.id })),
        ].map((r) => ({
          org: r.org,
          maturity_levels: computed.levels.get(r.key) ?? [0, 0, 0, 0, 0],
          values: Object.fromEntries(INDICATORS.map((i) => {
            const e = entered.find((v) => v.indicator === i.code && v.org_id === r.orgId);
            const value = i.kind === 'computed' ? computed.values.get(r.key)?.[i.code] ?? null : e ? Number(e.value) : null;
            const target = targets.find((t) => t.indicator === i.code && t.org_id === (r.key === '' ? '' : r.orgId));
            return [i.code, { value, source: i.kind === 'computed' ? 'pishkhan' : e?.source ?? null, target: target ? Number(target.target) : null }];
          })) as Record<string, { value: number | null; source: string | null; target: number | null }>,
        }));
        return { period: text, indicators: INDICATORS, rows };
      }
    },

    /** Records an entered indicator's value for an organization and period (replacing an earlier one), with its audit entry. */
    async enterValue(actor: Actor, input: { indicator: string; org: string; period: string; value: number; source: string }) {
      requireStaff(actor);
      await ensureIndicators();
      const def = INDICATORS.find((i) => i.code === input.indicator);
      if (!def) throw notFound();
      const { text } = periodOf(input.period);
      const source = clean(input.source, 300);
      const errors: Record<string, string> = {};
      if (def.kind !== 'entered') errors.indicator = 'council.indicator_computed';
      if (!Number.isFinite(input.value) || input.value < 0 || (def.unit === 'percent' && input.value > 100)) errors.value = 'common.invalid_value';
      if (!source) errors.source = 'common.required';
      if (Object.keys(errors).length) throw badInput(errors);
      return inTransaction(db, async (tx) => {
        const org = await orgByCode(tx, input.org);
        if (!org || !(isCouncil(actor) || mayAct(actor, org.id, 'council.report'))) throw notFound();
        const now = clock.now();
        await q.upsertValue(tx, { id: newId(), indicator: def.code, org_id: org.id, period: text, value: input.value, source, entered_by: actor.id, created_at: now });
        await appendAudit(tx, actor, { orgId: org.id, action: 'council.value_entered', entity: 'council_indicator', entityId: def.code, data: { period: text, value: input.value, source } }, now);
        return { indicator: def.code, org: org.code, period: text, value: input.value, source };
      });
    },

    /** Sets the council's target for an indicator and period, for the province (org absent, or the province itself) or one organization; audited with the target it replaces. */
    async setTarget(actor: Actor, input: { indicator: string; org?: string | null; period: string; target: number }) {
      requireCouncil(actor);
      await ensureIndicators();
      const def = INDICATORS.find((i) => i.code === input.indicator);
      if (!def) throw notFound();
      const { text } = periodOf(input.period);
      if (outOfRange(def.unit, input.target)) throw badInput({ target: 'council.target_invalid' });
      return inTransaction(db, async (tx) => {
        const found = input.org ? await orgByCode(tx, input.org) : null;
        if (input.org && !found) throw badInput({ org: 'common.invalid_value' });
        const org = found && found.kind !== 'province' ? found : null;
        const now = clock.now();
        const before = (await q.targets(tx, text)).find((t) => t.indicator === def.code && t.org_id === (org?.id ?? ''));
        await q.upsertTarget(tx, { id: newId(), indicator: def.code, org_id: org?.id ?? '', period: text, target: input.target, set_by: actor.id, created_at: now });
        await appendAudit(tx, actor, { orgId: org?.id ?? null, action: 'council.target_set', entity: 'council_indicator', entityId: def.code, data: { period: text, org: org?.code ?? null, target: input.target, before: before ? Number(before.target) : null } }, now);
        return { indicator: def.code, org: org?.code ?? null, period: text, target: input.target };
      });
    },

    /** Removes the council's target for an indicator, organization (or the province) and period; 404 when none is set. */
    async removeTarget(actor: Actor, input: { indicator: string; org?: string | null; period: string }) {
      requireCouncil(actor);
      await ensureIndicators();
      const def = INDICATORS.find((i) => i.code === input.indicator);
      if (!def) throw notFound();
      const { text } = periodOf(input.period);
      return inTransaction(db, async (tx) => {
        const found = input.org ? await orgByCode(tx, input.org) : null;
        if (input.org && !found) throw notFound();
        const org = found && found.kind !== 'province' ? found : null;
        const before = (await q.targets(tx, text)).find((t) => t.indicator === def.code && t.org_id === (org?.id ?? ''));
        if (!before) throw notFound();
        const now = clock.now();
        await q.deleteTarget(tx, before.id);
        await appendAudit(tx, actor, { orgId: org?.id ?? null, action: 'council.target_removed', entity: 'council_indicator', entityId: def.code, data: { period: text, org: org?.code ?? null, before: Number(before.target) } }, now);
      });
    },

    /** The targets set for a period, with their organization ('' code for the province); the council only. */
    async targetsOf(actor: Actor, periodText: string) {
      requireCouncil(actor);
      await ensureIndicators();
      const { text } = periodOf(periodText);
      const [rows, orgs] = await Promise.all([q.targets(db, text), q.orgsForCouncil(db)]);
      return rows.map((t) => {
        const org = orgs.find((o) => o.id === t.org_id);
        return { indicator: t.indicator, org: org ? { code: org.code, name: { fa: org.name_fa, en: org.name_en } } : null, period: text, target: Number(t.target), set_at: Number(t.created_at) };
      });
    },

    /** The ranking of municipalities for a period, with its method (weights and normalisation) spelled out. */
    async ranking(periodText: string) {
      const table = await this.indicators(periodText);
      const muniRows = table.rows.filter((r) => r.org !== null);
      const ranked = rankMunicipalities(
        muniRows.map((r) => ({ org: r.org!.code, values: Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, v.value])) })),
        INDICATORS.map((i) => ({ code: i.code, weight: i.weight, higher_is_better: i.higher_is_better === 1 })),
      );
      return {
        period: table.period,
        method: {
          weights: INDICATORS.filter((i) => i.weight > 0).map((i) => ({ indicator: i.code, title: { fa: i.title_fa, en: i.title_en }, weight: i.weight, higher_is_better: i.higher_is_better === 1 })),
          normalisation: 'min-max',
          min_coverage: MIN_COVERAGE,
        },
        rows: ranked.map((r) => ({ ...r, name: muniRows.find((m) => m.org!.code === r.org)!.org!.name, values: muniRows.find((m) => m.org!.code === r.org)!.values })),
      };
    },

    /** Meetings, newest first, with the organizations present. */
    async meetings() {
      const rows = await q.meetings(db);
      return rows.map((m) => ({
        number: Number(m.number), held_at: Number(m.held_at), title: { fa: m.title_fa, en: m.title_en },
        orgs_present: JSON.parse(m.orgs_present) as string[], summary: { fa: m.summary_fa, en: m.summary_en },
      }));
    },

    /** Records a meeting and its resolutions in one transaction, with audit entries. */
    async recordMeeting(actor: Actor, input: MeetingInput) {
      requireCouncil(actor);
      const title = clean(input.title_fa, 300);
      const errors: Record<string, string> = {};
      if (!title) errors.title_fa = 'common.required';
      if (!Number.isFinite(input.held_at)) errors.held_at = 'common.invalid_value';
      if (Object.keys(errors).length) throw badInput(errors);
      return inTransaction(db, async (tx) => {
        const orgs = await q.orgsForCouncil(tx);
        const present = [...new Set(input.orgs_present)];
        if (present.some((c) => !orgs.some((o) => o.code === c))) throw badInput({ orgs_present: 'common.invalid_value' });
        const now = clock.now();
        const id = newId();
        const number = await q.nextMeetingNumber(tx);
        await tx.insertInto('council_meetings').values({
          id, number, held_at: input.held_at, title_fa: title, title_en: clean(input.title_en, 300), orgs_present: JSON.stringify(present),
          summary_fa: clean(input.summary_fa, 5000), summary_en: clean(input.summary_en, 5000), created_by: actor.kind === 'staff' ? actor.id : null, created_at: now,
        }).execute();
        await appendAudit(tx, actor, { action: 'council.meeting_recorded', entity: 'council_meeting', entityId: id, data: { number, held_at: input.held_at } }, now);
        for (const r of input.resolutions ?? []) await addResolutionTx(tx, actor, id, r, now);
        return { number };
      });
    },

    /** Adds a resolution to a recorded meeting. */
    async addResolution(actor: Actor, meetingNumber: number, input: ResolutionInput) {
      requireCouncil(actor);
      return inTransaction(db, async (tx) => {
        const m = await q.meetingByNumber(tx, meetingNumber);
        if (!m) throw notFound();
        return addResolutionTx(tx, actor, m.id, input, clock.now());
      });
    },

    /**
     * Corrects a recorded meeting (date, titles, organizations present, summaries); the council
     * only. The audit entry keeps each changed field before and after.
     */
    async updateMeeting(actor: Actor, number: number, input: MeetingPatch) {
      requireCouncil(actor);
      const errors: Record<string, string> = {};
      const set: Partial<{ held_at: number; title_fa: string; title_en: string; orgs_present: string; summary_fa: string; summary_en: string }> = {};
      if (input.held_at !== undefined) {
        if (Number.isFinite(input.held_at)) set.held_at = input.held_at;
        else errors.held_at = 'common.invalid_value';
      }
      if (input.title_fa !== undefined) {
        set.title_fa = clean(input.title_fa, 300);
        if (!set.title_fa) errors.title_fa = 'common.required';
      }
      if (input.title_en !== undefined) set.title_en = clean(input.title_en, 300);
      if (input.summary_fa !== undefined) set.summary_fa = normalizePersian(String(input.summary_fa), { keepNewlines: true }).slice(0, 5000);
      if (input.summary_en !== undefined) set.summary_en = normalizePersian(String(input.summary_en), { keepNewlines: true }).slice(0, 5000);
      return inTransaction(db, async (tx) => {
        const m = await q.meetingByNumber(tx, number);
        if (!m) throw notFound();
        if (input.orgs_present !== undefined) {
          const orgs = await q.orgsForCouncil(tx);
          const present = [...new Set(input.orgs_present)];
          if (present.some((c) => !orgs.some((o) => o.code === c))) errors.orgs_present = 'common.invalid_value';
          set.orgs_present = JSON.stringify(present);
        }
        if (Object.keys(errors).length) throw badInput(errors);
        const before = { held_at: Number(m.held_at), title_fa: m.title_fa, title_en: m.title_en, orgs_present: m.orgs_present, summary_fa: m.summary_fa, summary_en: m.summary_en };
        const diff = changes(before, set);
        if (Object.keys(diff.after).length === 0) return { number };
        const now = clock.now();
        await tx.updateTable('council_meetings').set(diff.after).where('id', '=', m.id).execute();
        const json = (x: Partial<typeof before>) => ({ ...x, ...(x.orgs_present !== undefined ? { orgs_present: JSON.parse(x.orgs_present) as string[] } : {}) });
        await appendAudit(tx, actor, { action: 'council.meeting_changed', entity: 'council_meeting', entityId: m.id, data: { number, before: json(diff.before), after: json(diff.after) } }, now);
        return { number };
      });
    },

    /**
     * Corrects a resolution (text, responsible organization, deadline, expected output, internal
     * flag) or changes its state, cancelling included; the council only. A changed deadline is
     * armed again: the overdue scanner notifies it once when it passes. The audit entry keeps
     * each changed field before and after.
     */
    async updateResolution(actor: Actor, id: string, input: ResolutionPatch) {
      requireCouncil(actor);
      const errors: Record<string, string> = {};
      if (input.state !== undefined && !RESOLUTION_STATES.includes(input.state)) errors.state = 'common.invalid_value';
      const set: Partial<{ text_fa: string; text_en: string; responsible_org_id: string; deadline: number | null; expected_output_fa: string; expected_output_en: string; internal: 0 | 1; state: ResolutionState }> = {};
      if (input.text_fa !== undefined) {
        set.text_fa = clean(input.text_fa, 3000);
        if (!set.text_fa) errors.text_fa = 'common.required';
      }
      if (input.text_en !== undefined) set.text_en = clean(input.text_en, 3000);
      if (input.expected_output_fa !== undefined) {
        set.expected_output_fa = clean(input.expected_output_fa, 1000);
        if (!set.expected_output_fa) errors.expected_output_fa = 'common.required';
      }
      if (input.expected_output_en !== undefined) set.expected_output_en = clean(input.expected_output_en, 1000);
      if (input.deadline !== undefined) {
        if (input.deadline === null || Number.isFinite(input.deadline)) set.deadline = input.deadline;
        else errors.deadline = 'common.invalid_value';
      }
      if (input.internal !== undefined) set.internal = input.internal ? 1 : 0;
      if (input.state !== undefined) set.state = input.state;
      return inTransaction(db, async (tx) => {
        const r = await q.resolutionById(tx, id);
        if (!r) throw notFound();
        if (input.responsible_org !== undefined) {
          const org = await orgByCode(tx, input.responsible_org);
          if (org) set.responsible_org_id = org.id;
          else errors.responsible_org = 'common.invalid_value';
        }
        if (Object.keys(errors).length) throw badInput(errors);
        const before = {
          text_fa: r.text_fa, text_en: r.text_en, responsible_org_id: r.responsible_org_id, deadline: r.deadline === null ? null : Number(r.deadline),
          expected_output_fa: r.expected_output_fa, expected_output_en: r.expected_output_en, internal: r.internal, state: r.state,
        };
        const diff = changes(before, set);
        if (Object.keys(diff.after).length === 0) return { id };
        const now = clock.now();
        // A new deadline is a new promise: its passing is notified again (the scanner compares overdue_notified_for with it).
        const rearm = 'deadline' in diff.after ? { overdue_notified_for: null } : {};
        await tx.updateTable('council_resolutions').set({ ...diff.after, ...rearm, updated_at: now }).where('id', '=', id).execute();
        const orgsById = new Map((await q.orgsForCouncil(tx)).map((o) => [o.id, o.code]));
        const json = (x: Partial<typeof before>) => {
          const { responsible_org_id: orgId, internal, ...rest } = x;
          return { ...rest, ...(orgId !== undefined ? { responsible_org: orgsById.get(orgId) ?? orgId } : {}), ...(internal !== undefined ? { internal: internal === 1 } : {}) };
        };
        const orgId = set.responsible_org_id ?? r.responsible_org_id;
        await appendAudit(tx, actor, { orgId, action: 'council.resolution_changed', entity: 'council_resolution', entityId: id, data: { before: json(diff.before), after: json(diff.after) } }, now);
        return { id };
      });
    },

    /** The responsible organization (or the council) reports progress on a resolution; others see a 404. */
    async postUpdate(actor: Actor, id: string, input: { progress: number; note: string }) {
      requireStaff(actor);
      const note = clean(input.note, 2000);
      const errors: Record<string, string> = {};
      if (!Number.isInteger(input.progress) || input.progress < 0 || input.progress > 100) errors.progress = 'common.invalid_value';
      if (!note) errors.note = 'common.required';
      return inTransaction(db, async (tx) => {
        const r = await q.resolutionById(tx, id);
        if (!r || !(isCouncil(actor) || mayAct(actor, r.responsible_org_id, 'council.report'))) throw notFound();
        if (Object.keys(errors).length) throw badInput(errors);
        if (r.state !== 'open') throw new AppError('council.resolution_closed', 409);
        const now = clock.now();
        await tx.insertInto('council_resolution_updates').values({ id: newId(), resolution_id: id, org_id: r.responsible_org_id, progress: input.progress, note, actor_id: actor.id, created_at: now }).execute();
        await tx.updateTable('council_resolutions').set({ progress: input.progress, updated_at: now }).where('id', '=', id).execute();
        await appendAudit(tx, actor, { orgId: r.responsible_org_id, action: 'council.progress_reported', entity: 'council_resolution', entityId: id, data: { progress: input.progress } }, now);
        return { id, progress: input.progress };
      });
    },

    /** Resolutions the actor may see: the public ones, plus internal ones of the actor's organizations (all for the council). */
    async resolutions(actor: Actor, filters: { meeting?: number; org?: string; state?: ResolutionState } = {}): Promise<ResolutionView[]> {
      return inTransaction(db, async (tx) => {
        const meeting = filters.meeting !== undefined ? await q.meetingByNumber(tx, filters.meeting) : undefined;
        if (filters.meeting !== undefined && !meeting) return [];
        const org = filters.org ? await orgByCode(tx, filters.org) : undefined;
        if (filters.org && !org) return [];
        const rows = await q.resolutions(tx, { internalFor: internalFor(actor), meetingId: meeting?.id, orgId: org?.id, state: filters.state });
        const updates = await q.updatesOf(tx, rows.map((r) => r.id));
        const now = clock.now();
        return rows.map((r) => ({
          id: r.id, meeting: Number(r.meeting_number), meeting_held_at: Number(r.meeting_held_at), number: Number(r.number),
          text: { fa: r.text_fa, en: r.text_en }, responsible_org: { code: r.org_code, name: { fa: r.org_name_fa, en: r.org_name_en } },
          deadline: r.deadline === null ? null : Number(r.deadline), expected_output: { fa: r.expected_output_fa, en: r.expected_output_en },
          internal: r.internal === 1, state: r.state, progress: Number(r.progress),
          overdue: r.state === 'open' && r.deadline !== null && Number(r.deadline) <= now,
          updates: updates.filter((u) => u.resolution_id === r.id).map((u) => ({ progress: Number(u.progress), note: u.note, org: u.org_code, created_at: Number(u.created_at) })),
        }));
      });
    },

    /** One meeting as recorded, for the council's correction form; 404 when there is none. */
    async meetingForEdit(actor: Actor, number: number) {
      requireCouncil(actor);
      const m = (await this.meetings()).find((x) => x.number === number);
      if (!m) throw notFound();
      return m;
    },

    /** One resolution (internal ones too), for the council's correction form; 404 when there is none. */
    async resolutionForEdit(actor: Actor, id: string) {
      requireCouncil(actor);
      const r = (await this.resolutions(actor)).find((x) => x.id === id);
      if (!r) throw notFound();
      return r;
    },

    /** The actor's unread overdue notices. */
    async notices(actor: Actor) {
      requireStaff(actor);
      const rows = await q.unreadNotices(db, actor.id);
      return rows.map((r) => ({ id: r.id, resolution_id: r.resolution_id, meeting: Number(r.meeting_number), number: Number(r.number), text: { fa: r.text_fa, en: r.text_en }, deadline: Number(r.deadline), created_at: Number(r.created_at) }));
    },

    /** Marks one of the actor's own notices read; anyone else's is a 404. */
    async markNoticeRead(actor: Actor, id: string) {
      requireStaff(actor);
      if (!(await q.markNoticeRead(db, actor.id, id, clock.now()))) throw notFound();
    },

    /** Organizations the forms offer: municipalities and others, with names. */
    async orgChoices() {
      const rows = await q.orgsForCouncil(db);
      return rows.map((o) => ({ id: o.id, code: o.code, kind: o.kind, name: { fa: o.name_fa, en: o.name_en } }));
    },
  };

  async function addResolutionTx(tx: Tx, actor: Actor, meetingId: string, input: ResolutionInput, now: number) {
    const text = clean(input.text_fa, 3000);
    const output = clean(input.expected_output_fa, 1000);
    const errors: Record<string, string> = {};
    if (!text) errors.text_fa = 'common.required';
    if (!output) errors.expected_output_fa = 'common.required';
    if (input.deadline !== null && !Number.isFinite(input.deadline)) errors.deadline = 'common.invalid_value';
    const org = await orgByCode(tx, input.responsible_org);
    if (!org) errors.responsible_org = 'common.invalid_value';
    if (Object.keys(errors).length) throw badInput(errors);
    const id = newId();
    const number = await q.nextResolutionNumber(tx, meetingId);
    await tx.insertInto('council_resolutions').values({
      id, meeting_id: meetingId, number, text_fa: text, text_en: clean(input.text_en, 3000), responsible_org_id: org!.id, deadline: input.deadline,
      expected_output_fa: output, expected_output_en: clean(input.expected_output_en, 1000), internal: input.internal ? 1 : 0,
      state: 'open', progress: 0, overdue_notified_for: null, created_at: now, updated_at: now,
    }).execute();
    await appendAudit(tx, actor, { orgId: org!.id, action: 'council.resolution_recorded', entity: 'council_resolution', entityId: id, data: { number, deadline: input.deadline, internal: Boolean(input.internal) } }, now);
    return { id, number };
  }
}

export type CouncilService = ReturnType<typeof createCouncilService>;

/**
 * Flags open resolutions whose deadline passed: the mark (overdue_notified_for = deadline), the
 * audit entry and the outbox message commit together, so each deadline is notified once (a rerun
 * or a second process finds it marked; the dedupe key guards the message again). A new deadline
 * set by the council is a new breach.
 */
export class OverdueResolutionScanner {
  private readonly job: PeriodicJob;
  private readonly clock: Clock;

  constructor(private readonly opts: { db: DB; clock?: Clock; onOutbox?: () => void; intervalMs?: number }) {
    this.clock = opts.clock ?? systemClock;
    this.job = new PeriodicJob(() => this.scanOnce(), opts.intervalMs ?? 10 * 60_000);
  }

  start(onError?: (err: unknown) => void): void { this.job.start(onError); }
  stop(): Promise<void> { return this.job.stop(); }

  /** Notifies every overdue deadline found now; returns how many this call notified. */
  async scanOnce(): Promise<number> {
    const now = this.clock.now();
    let notified = 0;
    for (;;) {
      const rows = await q.overdueUnnotified(this.opts.db, now, 100);
      let progressed = 0;
      for (const r of rows) {
        const deadline = Number(r.deadline);
        const done = await inTransaction(this.opts.db, async (tx) => {
          if (!(await q.markOverdueNotified(tx, r.id, deadline))) return false;
          await enqueue(tx, { topic: OVERDUE_TOPIC, orgId: r.responsible_org_id, payload: { resolution_id: r.id, deadline }, dedupeKey: `council-overdue:${r.id}:${deadline}` }, now);
          await appendAudit(tx, systemActor, { orgId: r.responsible_org_id, action: 'council.resolution_overdue', entity: 'council_resolution', entityId: r.id, data: { deadline } }, now);
          return true;
        });
        if (done) { notified += 1; progressed += 1; }
      }
      if (rows.length < 100 || progressed === 0) break;
    }
    if (notified > 0) this.opts.onOutbox?.();
    return notified;
  }
}

/** Delivers an overdue notice to each org admin of the responsible organization; redelivery adds nothing. */
export function councilHandlers(deps: { db: DB; clock: Clock }): Record<string, OutboxHandler> {
  return {
    [OVERDUE_TOPIC]: async (msg) => {
      const p = msg.payload as { resolution_id: string; deadline: number };
      if (!msg.orgId) return;
      const orgId = msg.orgId;
      const now = deps.clock.now();
      await inTransaction(deps.db, async (tx) => {
        for (const staffId of await q.orgAdmins(tx, orgId)) {
          await q.insertNotice(tx, { id: newId(), org_id: orgId, staff_id: staffId, resolution_id: p.resolution_id, outbox_id: msg.id, deadline: p.deadline, created_at: now, read_at: null });
        }
      });
    },
  };
}

export { INDICATOR_CODES };
