import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import type { Actor } from '../../platform/core/index.js';
import { mayAct } from '../../platform/auth/access.js';
import { badInput, notFound } from '../../platform/http/errors.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { KeptPages, keptPage, sendKept } from '../../platform/http/kept-page.js';
import { renderPage } from '../../platform/views/render.js';
import type { ViewContext } from '../../platform/views/context.js';
import { tehranDayKey } from '../../platform/i18n/format.js';
import { figuresVersion } from '../transparency/kpi.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { toAsciiDigits } from '../../platform/i18n/persian.js';
import { currentPeriod, formatPeriod, parsePeriod } from '../transparency/periods.js';
import { INDICATORS } from './indicators.js';
import { isCouncil, RESOLUTION_STATES, type ResolutionInput, type ResolutionState, type ResolutionView } from './service.js';
import { deadlineOf, jalaliDayStart } from './dates.js';
import { CouncilPublicPage, CouncilStaffPage, IndicatorsPage } from './views/pages.js';
import { MeetingEditPage, ResolutionEditPage, TargetsPage } from './views/edit.js';
import { jalaliParts } from '../../platform/i18n/format.js';
import { AppError } from '../../platform/http/errors.js';
import * as s from './schemas.js';
import './messages.js';

const iso = (n: number) => new Date(n).toISOString();
const resolutionJson = (r: ResolutionView) => ({
  ...r, deadline: r.deadline === null ? null : iso(r.deadline), meeting_held_at: undefined,
  updates: r.updates.map((u) => ({ ...u, created_at: iso(u.created_at) })),
});
const indicatorJson = (i: (typeof INDICATORS)[number]) => ({
  code: i.code, title: { fa: i.title_fa, en: i.title_en }, unit: i.unit, kind: i.kind,
  description: { fa: i.description_fa, en: i.description_en }, higher_is_better: i.higher_is_better === 1, weight: i.weight,
});

/** A Jalali day as the forms take it back: '1405/09/01' (ASCII digits). */
function jalaliYmd(ms: number): string {
  const j = jalaliParts(ms);
  return `${j.year}/${String(j.month).padStart(2, '0')}/${String(j.day).padStart(2, '0')}`;
}

/** Runs a parse that throws a field's 400 and collects its message instead, so a form reports every field at once. */
function collect<T>(errors: Record<string, string>, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 400) throw err;
    Object.assign(errors, err.fields);
    return undefined;
  }
}

/** A number typed into a form: Persian or ASCII digits, thousands separators, '٫' as the decimal point; NaN when blank. */
function typedNumber(v: string | undefined): number {
  const s = toAsciiDigits(v ?? '').replace(/[,\u066C\s]/g, '').replace('\u066B', '.');
  return s === '' ? NaN : Number(s);
}

/** The resolution edit form's values from a resolution. */
const resolutionValues = (r: ResolutionView, orgCode = r.responsible_org.code): Record<string, string> => ({
  text_fa: r.text.fa, text_en: r.text.en, expected_output_fa: r.expected_output.fa, expected_output_en: r.expected_output.en,
  responsible_org: orgCode, deadline: r.deadline === null ? '' : jalaliYmd(r.deadline - 1), state: r.state, internal: r.internal ? 'on' : '',
});

/** The provincial high council: public resolutions and indicators, the staff page, and the JSON API. */
export function councilRoutes(deps: AppDeps) {
  const { council } = deps.services;
  const isProduction = deps.config.isProduction;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const defaultPeriod = () => formatPeriod(currentPeriod('year', deps.clock.now()));

  async function staffPage(req: FastifyRequest, reply: FastifyReply, extra: { flash?: string; failure?: { message: string; errors: Record<string, string>; values?: Record<string, string> } } = {}, status = 200) {
    const actor = req.actor;
    const ctx = ctxOf(req, reply);
    const [meetings, resolutions, orgs, notices] = await Promise.all([council.meetings(), council.resolutions(actor), council.orgChoices(), council.notices(actor)]);
    const all = isCouncil(actor);
    const reportsFor: Set<string> | 'all' = all ? 'all'
      : new Set(actor.kind === 'staff' ? actor.memberships.filter((m) => mayAct(actor, m.orgId, 'council.report')).map((m) => m.orgCode) : []);
    return sendPage(reply, h(CouncilStaffPage, {
      ctx, council: all, meetings, resolutions, reportsFor, orgs, notices, enteredIndicators: INDICATORS.filter((i) => i.kind === 'entered'), ...extra,
    }), status);
  }

  /** Runs a staff form's service call; success returns to the page, a failure re-renders it (404 stays a 404). */
  async function handleForm(req: FastifyRequest, reply: FastifyReply, call: (actor: Actor, v: Record<string, string>) => Promise<unknown>) {
    if (req.actor.kind !== 'staff') return seeOther(reply, `/staff/login?next=${encodeURIComponent('/staff/council')}`);
    try {
      await call(req.actor, formValues(req));
      return seeOther(reply, '/staff/council?done=1');
    } catch (err) {
      const f = formFailure(ctxOf(req, reply), err);
      if (f.status === 404 || f.status === 401) throw err;
      // The typed values go back into the form that failed (its field names are its own).
      return staffPage(req, reply, { failure: { message: f.error, errors: f.errors, values: formValues(req) } }, f.status);
    }
  }

  /** The resolutions typed into the meeting form (r1_..., r2_..., r3_...); blank slots are skipped. */
  function formResolutions(v: Record<string, string>): ResolutionInput[] {
    const out: ResolutionInput[] = [];
    for (const n of [1, 2, 3]) {
      const text = v[`r${n}_text_fa`]?.trim();
      if (!text) continue;
      out.push({
        text_fa: text, responsible_org: v[`r${n}_responsible_org`] ?? '', expected_output_fa: v[`r${n}_expected_output_fa`] ?? '',
        deadline: deadlineOf(v[`r${n}_deadline`], `r${n}_deadline`), internal: v[`r${n}_internal`] === 'on',
      });
    }
    return out;
  }

  // The public council pages, as anonymous visitors see them, are kept (encoded, with an ETag) per
  // address, language, day, figures' version and council generation. A council change made through
  // this process (any successful POST/PUT/PATCH/DELETE under the council's routes) starts a new
  // generation at once; one made by another process shows within PUBLIC_TTL_MS.
  const PUBLIC_TTL_MS = 10_000;
  const kept = new KeptPages(PUBLIC_TTL_MS, 200);
  let generation = 0;
  async function keptForPublic(req: FastifyRequest, reply: FastifyReply, build: (ctx: ViewContext) => Promise<{ html: string; status?: number }>) {
    const now = deps.clock.now();
    const send = (page: { html: string; status?: number }) => reply.status(page.status ?? 200).type('text/html; charset=utf-8').send(page.html);
    if (req.actor.kind !== 'anonymous') return send(await build(ctxOf(req, reply)));
    const key = `${req.locale}|${req.url}|${tehranDayKey(now)}|${await figuresVersion(deps.db)}|${generation}`;
    const hit = kept.get(key, now);
    if (hit) return sendKept(req, reply, hit);
    const page = await build(ctxOf(req, reply));
    if (page.status && page.status !== 200) return send(page);
    return sendKept(req, reply, kept.set(key, keptPage(page.html, now)));
  }

  return async function plugin(app: FastifyInstance) {
    app.addHook('onResponse', async (req, reply) => {
      if (req.method !== 'GET' && req.method !== 'HEAD' && reply.statusCode < 400) generation++;
    });
    const api = app.withTypeProvider<ZodTypeProvider>();

    // ---------- pages ----------
    app.get('/council', { schema: { hide: true } }, async (req, reply) => keptForPublic(req, reply, async (ctx) => {
      // The public page shows what the public may see, whoever is signed in.
      const anonymous: Actor = { kind: 'anonymous', id: null };
      const [meetings, resolutions, orgs] = await Promise.all([council.meetings(), council.resolutions(anonymous), council.orgChoices()]);
      return { html: renderPage(h(CouncilPublicPage, { ctx, meetings, resolutions, orgNames: new Map(orgs.map((o) => [o.code, o.name[ctx.locale]])) })) };
    }));

    app.get('/council/indicators', { schema: { hide: true } }, async (req, reply) => keptForPublic(req, reply, async (ctx) => {
      const asked = (req.query as { period?: string }).period;
      const period = typeof asked === 'string' && asked.trim() ? toAsciiDigits(asked).trim().slice(0, 12) : defaultPeriod();
      try {
        const ranking = await council.ranking(period);
        const table = await council.indicators(period);
        const province = table.rows.find((r) => r.org === null) ?? null;
        return { html: renderPage(h(IndicatorsPage, { ctx, period, indicators: INDICATORS, ranking, province })) };
      } catch (err) {
        const f = formFailure(ctx, err);
        return { html: renderPage(h(IndicatorsPage, { ctx, period, indicators: INDICATORS, ranking: { period, method: { min_coverage: 0.5 }, rows: [] }, province: null, error: f.error })), status: f.status };
      }
    }));

    app.get('/staff/council', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
      const ctx = ctxOf(req, reply);
      return staffPage(req, reply, (req.query as { done?: string }).done ? { flash: ctx.t('council.saved') } : {});
    });

    app.post('/staff/council/meetings', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, async (actor, v) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const present = Array.isArray(body.orgs_present) ? body.orgs_present.map(String) : typeof body.orgs_present === 'string' ? [body.orgs_present] : [];
        await council.recordMeeting(actor, {
          held_at: jalaliDayStart(v.held_on ?? '', 'held_on'), title_fa: v.title_fa ?? '', title_en: v.title_en, orgs_present: present,
          summary_fa: v.summary_fa, resolutions: formResolutions(v),
        });
      }));

    app.post('/staff/council/resolutions/:id/progress', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, (actor, v) => council.postUpdate(actor, String((req.params as { id: string }).id).slice(0, 64), { progress: Number(toAsciiDigits(v.progress ?? '')), note: v.note ?? '' })));

    app.post('/staff/council/resolutions/:id/state', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, (actor, v) => {
        const state = (RESOLUTION_STATES as string[]).includes(v.state ?? '') ? v.state as ResolutionState : undefined;
        if (!state) throw badInput({ state: 'common.invalid_value' });
        return council.updateResolution(actor, String((req.params as { id: string }).id).slice(0, 64), { state });
      }));

    app.post('/staff/council/values', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, (actor, v) => {
        const value = Number(toAsciiDigits(v.value ?? '').replace(/[,٬]/g, ''));
        return council.enterValue(actor, { indicator: v.indicator ?? '', org: v.org ?? '', period: toAsciiDigits(v.period ?? ''), value: v.value?.trim() ? value : NaN, source: v.source ?? '' });
      }));

    app.post('/staff/council/notices/:id/read', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, (actor) => council.markNoticeRead(actor, String((req.params as { id: string }).id).slice(0, 64))));

    // ---------- correcting meetings and resolutions (the council) ----------
    const staffOnly = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
    const numberOf = (req: FastifyRequest) => {
      const n = Number((req.params as { number: string }).number);
      if (!Number.isInteger(n) || n < 1 || n > 100000) throw notFound();
      return n;
    };
    const idOf = (req: FastifyRequest) => String((req.params as { id: string }).id).slice(0, 64);
    /** Re-renders a refused correction with what was typed; 401/403/404 stay what they are. */
    const refused = (req: FastifyRequest, reply: FastifyReply, err: unknown, render: (state: { values: Record<string, string>; errors: Record<string, string>; error: string }) => Promise<unknown>, values: Record<string, string>) => {
      const f = formFailure(ctxOf(req, reply), err);
      if (f.status !== 400) throw err;
      reply.status(400);
      return render({ values, errors: f.errors, error: f.error });
    };

    async function meetingEdit(req: FastifyRequest, reply: FastifyReply, number: number, state?: { values: Record<string, string>; errors?: Record<string, string>; error?: string }, present?: string[]) {
      const m = await council.meetingForEdit(req.actor, number);
      const values = state?.values ?? { held_on: jalaliYmd(m.held_at), title_fa: m.title.fa, title_en: m.title.en, summary_fa: m.summary.fa, summary_en: m.summary.en };
      const orgs = await council.orgChoices();
      return sendPage(reply, h(MeetingEditPage, { ctx: ctxOf(req, reply), number, orgs, present: present ?? m.orgs_present, state: { ...state, values } }), reply.statusCode);
    }

    app.get('/staff/council/meetings/:number/edit', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffOnly(req, reply);
      return meetingEdit(req, reply, numberOf(req));
    });

    app.post('/staff/council/meetings/:number/edit', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffOnly(req, reply);
      const number = numberOf(req);
      const v = formValues(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const present = Array.isArray(body.orgs_present) ? body.orgs_present.map(String) : typeof body.orgs_present === 'string' ? [body.orgs_present] : [];
      const values = { held_on: v.held_on ?? '', title_fa: v.title_fa ?? '', title_en: v.title_en ?? '', summary_fa: v.summary_fa ?? '', summary_en: v.summary_en ?? '' };
      try {
        const errors: Record<string, string> = {};
        const heldAt = collect(errors, () => jalaliDayStart(values.held_on, 'held_on'));
        if (!values.title_fa.trim()) errors.title_fa = 'common.required';
        if (Object.keys(errors).length) {
          await council.meetingForEdit(req.actor, number); // who may edit, and whether it exists, come first
          throw badInput(errors);
        }
        await council.updateMeeting(req.actor, number, { held_at: heldAt!, title_fa: values.title_fa, title_en: values.title_en, orgs_present: present, summary_fa: values.summary_fa, summary_en: values.summary_en });
        return seeOther(reply, `/staff/council?done=1#meeting-${number}`);
      } catch (err) {
        return refused(req, reply, err, (state) => meetingEdit(req, reply, number, state, present), values);
      }
    });

    async function resolutionEdit(req: FastifyRequest, reply: FastifyReply, id: string, state?: { values: Record<string, string>; errors?: Record<string, string>; error?: string }) {
      const r = await council.resolutionForEdit(req.actor, id);
      const orgs = await council.orgChoices();
      return sendPage(reply, h(ResolutionEditPage, { ctx: ctxOf(req, reply), id, meeting: r.meeting, number: r.number, orgs, state: { ...state, values: state?.values ?? resolutionValues(r) } }), reply.statusCode);
    }

    app.get('/staff/council/resolutions/:id/edit', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffOnly(req, reply);
      return resolutionEdit(req, reply, idOf(req));
    });

    app.post('/staff/council/resolutions/:id/edit', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffOnly(req, reply);
      const id = idOf(req);
      const v = formValues(req);
      const values = {
        text_fa: v.text_fa ?? '', text_en: v.text_en ?? '', expected_output_fa: v.expected_output_fa ?? '', expected_output_en: v.expected_output_en ?? '',
        responsible_org: v.responsible_org ?? '', deadline: v.deadline ?? '', state: v.state ?? '', internal: v.internal === 'on' ? 'on' : '',
      };
      try {
        const errors: Record<string, string> = {};
        const deadline = collect(errors, () => deadlineOf(values.deadline));
        if (!values.text_fa.trim()) errors.text_fa = 'common.required';
        if (!values.expected_output_fa.trim()) errors.expected_output_fa = 'common.required';
        const state = (RESOLUTION_STATES as string[]).includes(values.state) ? values.state as ResolutionState : undefined;
        if (!state) errors.state = 'common.invalid_value';
        if (Object.keys(errors).length) {
          await council.resolutionForEdit(req.actor, id);
          throw badInput(errors);
        }
        await council.updateResolution(req.actor, id, {
          text_fa: values.text_fa, text_en: values.text_en, expected_output_fa: values.expected_output_fa, expected_output_en: values.expected_output_en,
          responsible_org: values.responsible_org, deadline: deadline ?? null, state, internal: values.internal === 'on',
        });
        return seeOther(reply, '/staff/council?done=1');
      } catch (err) {
        return refused(req, reply, err, (state) => resolutionEdit(req, reply, id, state), values);
      }
    });

    // ---------- targets (the council) ----------
    async function targetsPage(req: FastifyRequest, reply: FastifyReply, period: string, state: { values: Record<string, string>; errors?: Record<string, string>; error?: string; flash?: string }) {
      const [targets, orgs] = await Promise.all([council.targetsOf(req.actor, period), council.orgChoices()]);
      return sendPage(reply, h(TargetsPage, { ctx: ctxOf(req, reply), period: formatPeriod(parsePeriod(period)!), indicators: INDICATORS, orgs, targets, state }), reply.statusCode);
    }
    const periodParam = (req: FastifyRequest) => {
      const p = (req.query as { period?: unknown }).period;
      return typeof p === 'string' && parsePeriod(p) ? formatPeriod(parsePeriod(p)!) : defaultPeriod();
    };

    app.get('/staff/council/targets', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffOnly(req, reply);
      const period = periodParam(req);
      const q = req.query as { done?: string; removed?: string };
      const ctx = ctxOf(req, reply);
      return targetsPage(req, reply, period, { values: { period }, flash: q.done ? ctx.t('council.saved') : q.removed ? ctx.t('council.target_removed') : undefined });
    });

    app.post('/staff/council/targets', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffOnly(req, reply);
      const v = formValues(req);
      const values = { indicator: v.indicator ?? '', org: v.org ?? '', period: v.period ?? '', target: v.target ?? '' };
      const shown = parsePeriod(values.period) ? formatPeriod(parsePeriod(values.period)!) : defaultPeriod();
      try {
        const def = INDICATORS.find((i) => i.code === values.indicator);
        const typed = typedNumber(values.target);
        // Shares are typed as percentages on the form (80 -> 0.8), as the public page shows them.
        const target = def?.unit === 'share' ? typed / 100 : typed;
        const errors: Record<string, string> = {};
        if (!def) errors.indicator = 'common.invalid_value';
        if (!parsePeriod(values.period)) errors.period = 'council.period_invalid';
        if (!Number.isFinite(target)) errors.target = values.target.trim() ? 'council.target_invalid' : 'common.required';
        if (Object.keys(errors).length) {
          await council.targetsOf(req.actor, shown);
          throw badInput(errors);
        }
        const saved = await council.setTarget(req.actor, { indicator: def!.code, org: values.org || null, period: values.period, target });
        return seeOther(reply, `/staff/council/targets?period=${encodeURIComponent(saved.period)}&done=1`);
      } catch (err) {
        return refused(req, reply, err, (state) => targetsPage(req, reply, shown, state), values);
      }
    });

    app.post('/staff/council/targets/remove', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffOnly(req, reply);
      const v = formValues(req);
      const period = v.period ?? '';
      try {
        await council.removeTarget(req.actor, { indicator: v.indicator ?? '', org: v.org || null, period });
        return seeOther(reply, `/staff/council/targets?period=${encodeURIComponent(formatPeriod(parsePeriod(period)!))}&removed=1`);
      } catch (err) {
        return refused(req, reply, err, (state) => targetsPage(req, reply, defaultPeriod(), state), { period: defaultPeriod() });
      }
    });

    // ---------- JSON API ----------
    const tags = ['council'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

    api.get('/api/v1/council/indicators', {
      schema: { tags, summary: 'Indicators of the province and each municipality for a period: computed ones, entered ones with their source, and targets', querystring: s.periodQuery, response: { 200: s.indicatorsReply, 400: s.errorReply } },
    }, async (req) => {
      const t = await council.indicators(req.query.period);
      return { ...t, indicators: t.indicators.map(indicatorJson) };
    });

    api.put('/api/v1/council/indicators/:code/values', {
      schema: {
        tags, summary: "Enter an indicator's value for an organization and period (the council, the province admin, or the organization's own admin)", security,
        params: s.codeParams, body: s.valueBody, response: { 200: s.valueReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply },
      },
    }, async (req) => council.enterValue(req.actor, { indicator: req.params.code, ...req.body }));

    api.put('/api/v1/council/indicators/:code/targets', {
      schema: { tags, summary: "Set the council's target for an indicator and period (province, or one organization)", security, params: s.codeParams, body: s.targetBody, response: { 200: s.targetReply, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply } },
    }, async (req) => council.setTarget(req.actor, { indicator: req.params.code, ...req.body }));

    api.delete('/api/v1/council/indicators/:code/targets', {
      schema: { tags, summary: "Remove the council's target for an indicator and period (province, or one organization)", security, params: s.codeParams, querystring: s.targetQuery, response: { 204: z.null().meta({ description: 'Removed' }), 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply } },
    }, async (req, reply) => {
      await council.removeTarget(req.actor, { indicator: req.params.code, org: req.query.org ?? null, period: req.query.period });
      return reply.status(204).send(null);
    });

    api.get('/api/v1/council/ranking', {
      schema: { tags, summary: 'The ranking of municipalities for a period, with the method (weights, normalisation) it uses', querystring: s.periodQuery, response: { 200: s.rankingReply, 400: s.errorReply } },
    }, async (req) => {
      const r = await council.ranking(req.query.period);
      return { ...r, method: { ...r.method, normalisation: 'min-max' as const } };
    });

    api.get('/api/v1/council/meetings', {
      schema: { tags, summary: "The council's meetings, newest first", response: { 200: s.meetingsReply } },
    }, async () => ({ items: (await council.meetings()).map((m) => ({ ...m, held_at: iso(m.held_at) })) }));

    api.post('/api/v1/council/meetings', {
      schema: { tags, summary: 'Record a meeting (date, organizations present) and its resolutions (council members and the province admin)', security, body: s.meetingBody, response: { 201: s.meetingReply, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply } },
    }, async (req, reply) => {
      const b = req.body;
      const out = await council.recordMeeting(req.actor, {
        held_at: jalaliDayStart(b.held_on, 'held_on'), title_fa: b.title_fa, title_en: b.title_en, orgs_present: b.orgs_present, summary_fa: b.summary_fa, summary_en: b.summary_en,
        resolutions: (b.resolutions ?? []).map((r, i) => ({ ...r, deadline: deadlineOf(r.deadline, `resolutions.${i}.deadline`) })),
      });
      return reply.status(201).send(out);
    });

    api.get('/api/v1/council/meetings/:number', {
      schema: { tags, summary: 'One meeting with the resolutions you may see (internal ones only for the council and the responsible organization)', security, params: s.numberParams, response: { 200: s.meetingDetailReply, 400: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const m = (await council.meetings()).find((x) => x.number === req.params.number);
      if (!m) throw notFound();
      const rows = await council.resolutions(req.actor, { meeting: m.number });
      return { ...m, held_at: iso(m.held_at), resolutions: rows.map(resolutionJson) };
    });

    api.patch('/api/v1/council/meetings/:number', {
      schema: { tags, summary: 'Correct a recorded meeting: date, titles, organizations present, summaries (the council; audited with the earlier values)', security, params: s.numberParams, body: s.meetingPatch, response: { 200: s.meetingReply, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const b = req.body;
      return council.updateMeeting(req.actor, req.params.number, {
        held_at: b.held_on === undefined ? undefined : jalaliDayStart(b.held_on, 'held_on'),
        title_fa: b.title_fa, title_en: b.title_en, orgs_present: b.orgs_present, summary_fa: b.summary_fa, summary_en: b.summary_en,
      });
    });

    api.post('/api/v1/council/meetings/:number/resolutions', {
      schema: { tags, summary: 'Add a resolution to a recorded meeting (the council)', security, params: s.numberParams, body: s.newResolutionBody, response: { 201: s.resolutionReply, 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply } },
    }, async (req, reply) => reply.status(201).send(await council.addResolution(req.actor, req.params.number, { ...req.body, deadline: deadlineOf(req.body.deadline) })));

    api.get('/api/v1/council/resolutions', {
      schema: { tags, summary: 'Resolutions and their state; anonymous callers and citizens get only public ones', security, querystring: s.resolutionsQuery, response: { 200: s.resolutionsReply, 400: s.errorReply } },
    }, async (req) => ({ items: (await council.resolutions(req.actor, req.query)).map(resolutionJson) }));

    api.patch('/api/v1/council/resolutions/:id', {
      schema: { tags, summary: "Correct a resolution (text, responsible organization, deadline, expected output, internal flag) or change its state, cancelling included (the council; audited with the earlier values)", security, params: s.idParams, body: s.resolutionPatch, response: { 200: z.object({ id: z.string() }), 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply } },
    }, async (req) => {
      const { deadline, ...rest } = req.body;
      return council.updateResolution(req.actor, req.params.id, { ...rest, deadline: deadline === undefined ? undefined : deadlineOf(deadline) });
    });

    api.post('/api/v1/council/resolutions/:id/updates', {
      schema: { tags, summary: 'Report progress on a resolution (the responsible organization\'s admin, or the council)', security, params: s.idParams, body: s.updateBody, response: { 201: s.updateReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply } },
    }, async (req, reply) => reply.status(201).send(await council.postUpdate(req.actor, req.params.id, req.body)));

    api.get('/api/v1/council/notices', {
      schema: { tags, summary: 'Your unread notices of overdue resolutions of your organization', security, response: { 200: s.noticesReply, 401: s.errorReply } },
    }, async (req) => ({ items: (await council.notices(req.actor)).map((n) => ({ ...n, deadline: iso(n.deadline), created_at: iso(n.created_at) })) }));

    api.post('/api/v1/council/notices/:id/read', {
      schema: { tags, summary: 'Mark one of your notices as seen', security, params: s.idParams, response: { 204: z.null().meta({ description: 'Seen' }), 400: s.errorReply, 401: s.errorReply, 404: s.errorReply } },
    }, async (req, reply) => { await council.markNoticeRead(req.actor, req.params.id); return reply.status(204).send(null); });
  };
}
