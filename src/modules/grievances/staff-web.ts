import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import type { Actor } from '../../platform/core/index.js';
import { mayAct } from '../../platform/auth/access.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { toAsciiDigits } from '../../platform/i18n/persian.js';
import type { ViewContext } from '../../platform/views/context.js';
import { TRANSITIONS, type ReportState } from './service.js';
import { refuseNulBytes } from './input.js';
import { ReportQueuePage, ReportStaffPage, type QueueFilters, type ReportPageProps, type StaffForm } from './views/staff.js';
import './messages.js';
import './messages-staff.js';

const STATES = Object.keys(TRANSITIONS) as ReportState[];
const DONE: StaffForm[] = ['state', 'assign', 'comment', 'moderate'];

// Draws the report's point with the vendored Leaflet when it is there; the page already says the
// place in words, so without Leaflet (or without tiles, which the CSP does not allow from
// elsewhere) nothing is lost.
const MAP_SCRIPT = `(function () {
  var el = document.getElementById('report-map');
  if (!el || !window.L) return;
  var lat = Number(el.getAttribute('data-lat')), lng = Number(el.getAttribute('data-lng'));
  if (!isFinite(lat) || !isFinite(lng)) return;
  el.style.height = '240px';
  var tiles = el.getAttribute('data-tiles');
  var map = window.L.map(el, { scrollWheelZoom: false, attributionControl: !!tiles }).setView([lat, lng], 16);
  if (tiles) window.L.tileLayer(tiles, { maxZoom: 19, attribution: el.getAttribute('data-attribution') || '' }).addTo(map);
  window.L.circleMarker([lat, lng], { radius: 9, weight: 3 }).addTo(map);
})();
`;

/** The queue's filters from a query string: what parses is kept, anything else is ignored. */
function queueFilters(query: unknown): QueueFilters {
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const str = (k: string, max = 64) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string).trim().slice(0, max) : undefined);
  const f: QueueFilters = {};
  const org = str('org');
  if (org && /^[a-z0-9_-]+$/.test(org)) f.org = org;
  const status = str('status');
  if (status === 'open' || status === 'closed') f.status = status;
  const state = str('state');
  if (state && (STATES as string[]).includes(state)) f.state = state as ReportState;
  const category = str('category');
  if (category && /^[a-z0-9_-]+$/.test(category)) f.category = category;
  if (str('overdue') === 'true') f.overdue = true;
  const assigned = str('assigned');
  if (assigned === 'me' || assigned === 'none') f.assigned = assigned;
  const q = str('q', 60);
  if (q) f.q = toAsciiDigits(q);
  return f;
}

/** Newest first, and the overdue ones before the others. */
function queueOrder<T extends { overdue: boolean; created_at: number }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => Number(b.overdue) - Number(a.overdue) || b.created_at - a.created_at);
}

/** One entry per colleague, with all their roles in the organization. */
function officersOf(rows: { id: string; name: string; role: string }[]) {
  const byId = new Map<string, { id: string; name: string; roles: string[] }>();
  for (const r of rows) {
    const o = byId.get(r.id);
    if (o) o.roles.push(r.role);
    else byId.set(r.id, { id: r.id, name: r.name, roles: [r.role] });
  }
  return [...byId.values()];
}

/** Staff pages of city problem reports (۱۳۷): the queue of the organizations where one triages, and a report's page with its forms. */
export function grievancesStaffWeb(deps: AppDeps) {
  const { grievances, orgs } = deps.services;
  const isProduction = deps.config.isProduction;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const signInFirst = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
  const idOf = (req: FastifyRequest) => String((req.params as { id?: string }).id ?? '').slice(0, 64);
  const orgIdOf = (actor: Actor, code: string) => (actor.kind === 'staff' ? actor.memberships.find((m) => m.orgCode === code)?.orgId ?? '' : '');

  /** Organizations whose reports the actor triages: their own (every municipality for the province admin). */
  async function triageOrgs(actor: Actor, locale: 'fa' | 'en') {
    if (actor.kind !== 'staff') return [];
    const all = await orgs.list();
    const codes = actor.memberships.some((m) => m.role === 'province_admin')
      ? all.filter((o) => o.kind === 'municipality').map((o) => o.code)
      : [...new Set(actor.memberships.filter((m) => mayAct(actor, m.orgId, 'reports.triage')).map((m) => m.orgCode))];
    return codes.map((code) => ({ code, name: all.find((o) => o.code === code)?.name[locale] ?? code }));
  }

  async function categoryChoices(orgCodes: string[]) {
    const seen = new Map<string, { code: string; title: { fa: string; en: string } }>();
    for (const code of orgCodes) {
      for (const c of await grievances.categories(code, { includeInactive: true })) if (!seen.has(c.code)) seen.set(c.code, { code: c.code, title: { fa: c.title_fa, en: c.title_en } });
    }
    return [...seen.values()];
  }

  // Whether Leaflet is served here (another part of the site vendors it); asked once.
  let leafletServed: Promise<boolean> | null = null;
  const leafletAvailable = (app: FastifyInstance) =>
    (leafletServed ??= app.inject({ method: 'HEAD', url: '/static/vendor/leaflet/leaflet.js' }).then((r) => r.statusCode === 200, () => false));

  /** A tracking code typed into the duplicate field becomes the report's id (ids pass through). */
  async function duplicateId(actor: Actor, value: string | undefined): Promise<string | undefined> {
    const v = toAsciiDigits(value ?? '').trim();
    if (!v) return undefined;
    if (!/-137-/.test(v)) return v;
    const code = v.toUpperCase();
    const found = (await grievances.staffList(actor, { q: code })).find((r) => r.tracking_code === code);
    return found?.id ?? v;
  }

  return async function plugin(app: FastifyInstance) {
    app.addHook('preValidation', refuseNulBytes);

    /** The report's page, with a success message or the failure of one of its forms. */
    async function renderReport(req: FastifyRequest, reply: FastifyReply, id: string, extra: Pick<ReportPageProps, 'flash' | 'failure'> = {}, status = 200) {
      const actor = req.actor;
      const ctx = ctxOf(req, reply);
      const report = await grievances.staffGet(actor, id);
      const orgId = orgIdOf(actor, report.org);
      const canAssign = mayAct(actor, orgId, 'reports.assign');
      const [departments, officers, all] = await Promise.all([
        grievances.departments(actor, report.org),
        canAssign ? grievances.officers(actor, report.org) : Promise.resolve([]),
        orgs.list(),
      ]);
      const duplicateOfCode = report.duplicate_of ? await grievances.staffGet(actor, report.duplicate_of).then((d) => d.tracking_code, () => null) : null;
      return sendPage(reply, h(ReportStaffPage, {
        ctx, report, orgName: all.find((o) => o.code === report.org)?.name[ctx.locale] ?? report.org,
        nextStates: TRANSITIONS[report.state] ?? [], canAssign, canModerate: mayAct(actor, orgId, 'reports.moderate'),
        departments, officers: officersOf(officers), duplicateOfCode, leaflet: await leafletAvailable(app),
        tiles: deps.config.map.tileUrl ? { url: deps.config.map.tileUrl, attribution: deps.config.map.tileAttribution } : undefined, ...extra,
      }), status);
    }

    /** Runs a form's service call; success goes back to the report with a notice, a failure re-renders it (404 stays a 404). */
    async function handleForm(req: FastifyRequest, reply: FastifyReply, form: StaffForm, call: (actor: Actor, id: string, values: Record<string, string>) => Promise<unknown>) {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const id = idOf(req);
      const values = formValues(req);
      try {
        await call(req.actor, id, values);
        return seeOther(reply, `/staff/reports/${id}?done=${form}`);
      } catch (err) {
        const ctx: ViewContext = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        if (f.status === 404 || f.status === 401) throw err;
        return renderReport(req, reply, id, { failure: { form, message: f.error, errors: f.errors, values } }, f.status);
      }
    }

    app.get('/staff/reports', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const ctx = ctxOf(req, reply);
      const filters = queueFilters(req.query);
      const orgChoices = await triageOrgs(req.actor, ctx.locale);
      const [rows, overdue, categories, all] = orgChoices.length === 0 ? [[], 0, [], await orgs.list()] : await Promise.all([
        grievances.staffList(req.actor, filters),
        grievances.overdueCount(req.actor, filters.org),
        categoryChoices(filters.org ? [filters.org] : orgChoices.map((o) => o.code)),
        orgs.list(),
      ]);
      const departments = new Map<string, { fa: string; en: string }>();
      for (const o of orgChoices) for (const d of await grievances.departments(req.actor, o.code)) departments.set(d.fa, d);
      const departmentName = (stored: string) => {
        const d = departments.get(stored);
        return d && ctx.locale === 'en' && d.en ? d.en : stored;
      };
      return sendPage(reply, h(ReportQueuePage, {
        ctx, rows: queueOrder(rows), filters, overdueCount: overdue, orgChoices, categories, states: STATES,
        orgNames: new Map(all.map((o) => [o.code, o.name[ctx.locale]])), departmentName,
        categoriesHref: req.actor.kind === 'staff' && req.actor.memberships.some((m) => mayAct(req.actor, m.orgId, 'reports.categories'))
          ? `/staff/reports/categories${filters.org ? `?org=${encodeURIComponent(filters.org)}` : ''}` : undefined,
      }));
    });

    app.get('/staff/reports/map.js', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(MAP_SCRIPT));

    app.get('/staff/reports/:id', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return signInFirst(req, reply);
      const done = (req.query as { done?: string }).done;
      const ctx = ctxOf(req, reply);
      const flash = done && (DONE as string[]).includes(done) ? ctx.t(`report_staff.done.${done}`) : undefined;
      return renderReport(req, reply, idOf(req), { flash });
    });

    app.post('/staff/reports/:id/state', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, 'state', async (actor, id, v) => {
        const state = (STATES as string[]).includes(v.state ?? '') ? (v.state as ReportState) : ('' as ReportState);
        await grievances.changeState(actor, id, {
          state, comment: v.comment, internal: v.internal === 'on',
          duplicate_of: state === 'duplicate' ? await duplicateId(actor, v.duplicate_of) : undefined,
        });
      }));

    app.post('/staff/reports/:id/assign', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, 'assign', (actor, id, v) => grievances.assign(actor, id, { department: v.department || null, officer: v.officer || null })));

    app.post('/staff/reports/:id/comment', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, 'comment', (actor, id, v) => grievances.comment(actor, id, { comment: v.comment ?? '', internal: v.audience !== 'public' })));

    app.post('/staff/reports/:id/moderate', { schema: { hide: true }, preValidation: app.csrfProtection }, (req, reply) =>
      handleForm(req, reply, 'moderate', async (actor, id, v) => {
        // Only what changed is sent: the service audits each change with the original.
        const current = await grievances.staffGet(actor, id);
        const description = (v.description ?? '').trim();
        const hide = v.hide_description === 'on';
        await grievances.moderate(actor, id, {
          description: description && description !== current.description.trim() ? description : undefined,
          hide_description: hide !== current.hidden ? hide : undefined,
          hide_photos: current.photos.filter((p) => !p.hidden && v[`hide_photo_${p.id}`] === 'on').map((p) => p.id),
          show_photos: current.photos.filter((p) => p.hidden && v[`hide_photo_${p.id}`] !== 'on').map((p) => p.id),
        });
      }));
  };
}
