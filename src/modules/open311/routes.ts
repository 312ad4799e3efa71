import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../wiring.js';
import type { ReportState } from '../../platform/db/schema.js';
import * as q from '../grievances/queries.js';
import { xmlDocument, type XmlValue } from './xml.js';

// Open311 GeoReport v2 (read-only): discovery, services, service definitions, requests and one
// request, in JSON and XML, with the spec's error format. jurisdiction_id is a municipality
// code. Requests carry only public fields: no citizen, no address, no hidden description.

type Format = 'json' | 'xml';
const FORMATS: Format[] = ['json', 'xml'];
const DAY_MS = 86_400_000;
export const MAX_SPAN_DAYS = 90;
export const DEFAULT_LIMIT = 50;
export const MAX_PAGE_SIZE = 200;

const ITEM_NAMES: Record<string, string> = {
  services: 'service', service_requests: 'request', errors: 'error', endpoints: 'endpoint', formats: 'format', attributes: 'attribute', values: 'value',
};
const itemName = (plural: string) => ITEM_NAMES[plural] ?? 'item';

class Open311Error extends Error {
  constructor(public code: 400 | 403 | 404, public description: string) { super(description); }
}

function send(reply: FastifyReply, format: Format, root: string, body: XmlValue, status = 200) {
  reply.code(status);
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(xmlDocument(root, body, itemName));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function sendError(reply: FastifyReply, format: Format, e: Open311Error) {
  return send(reply, format, 'errors', [{ code: e.code, description: e.description }], e.code);
}

/** Open311 dates: ISO-8601 with the UTC offset written out, no milliseconds. */
export const open311Date = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

const OPEN: ReportState[] = q.OPEN_STATES;
const CLOSED: ReportState[] = ['resolved', 'transferred', 'duplicate', 'rejected'];
export const open311Status = (s: ReportState): 'open' | 'closed' => (OPEN.includes(s) ? 'open' : 'closed');

/** A query parameter as a trimmed string; empty and absent are the same; repeated is a 400. */
function param(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Open311Error(400, `${name} must be given once`);
  const s = v.trim();
  return s === '' ? undefined : s;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
function dateParam(req: FastifyRequest, name: string): number | undefined {
  const s = param(req, name);
  if (s === undefined) return undefined;
  const ms = ISO_DATE.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(ms)) throw new Open311Error(400, `${name} must be an ISO-8601 date`);
  return ms;
}

function intParam(req: FastifyRequest, name: string, min: number, max: number): number | undefined {
  const s = param(req, name);
  if (s === undefined) return undefined;
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new Open311Error(400, `${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** Splits `name.format` (the last dot); null when the format is not json or xml. */
function splitFormat(file: string): { name: string; format: Format } | null {
  const i = file.lastIndexOf('.');
  if (i <= 0) return null;
  const format = file.slice(i + 1) as Format;
  return FORMATS.includes(format) ? { name: file.slice(0, i), format } : null;
}

type RequestRow = Awaited<ReturnType<typeof q.open311Reports>>[number];
function requestOf(r: RequestRow) {
  return {
    service_request_id: r.tracking_code,
    status: open311Status(r.state),
    status_notes: r.status_notes ?? null,
    service_name: r.category_fa,
    service_code: r.category_code,
    description: r.hidden === 1 ? null : r.description,
    agency_responsible: r.department_fa,
    service_notice: null,
    requested_datetime: open311Date(Number(r.created_at)),
    updated_datetime: open311Date(Number(r.updated_at)),
    expected_datetime: r.due_at === null ? null : open311Date(Number(r.due_at)),
    lat: Number(r.lat),
    long: Number(r.lng),
  };
}

/** Open311 GeoReport v2 under /open311/v2/ (read-only), hidden from the OpenAPI document. */
export function open311Routes(deps: AppDeps) {
  const db = deps.db;

  async function jurisdiction(req: FastifyRequest) {
    const code = param(req, 'jurisdiction_id');
    if (!code) throw new Open311Error(400, 'jurisdiction_id is required');
    const org = await q.orgByCode(db, code);
    if (!org) throw new Open311Error(404, 'jurisdiction_id not found');
    return org;
  }

  /** Runs a handler, answering Open311Error in the spec's error format. */
  const handle = async (reply: FastifyReply, format: Format, fn: () => Promise<unknown>) => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof Open311Error) return sendError(reply, format, e);
      throw e;
    }
  };

  async function requests(req: FastifyRequest, reply: FastifyReply, format: Format, ids?: string[]) {
    const org = await jurisdiction(req);
    const now = deps.clock.now();
    let trackingCodes = ids;
    if (!trackingCodes) {
      const list = param(req, 'service_request_id');
      if (list) trackingCodes = [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean))].slice(0, MAX_PAGE_SIZE);
    }
    const status = param(req, 'status');
    let states: ReportState[] | undefined;
    if (status) {
      const wanted = status.split(',').map((s) => s.trim().toLowerCase());
      if (wanted.some((s) => s !== 'open' && s !== 'closed')) throw new Open311Error(400, 'status must be open or closed');
      states = [...(wanted.includes('open') ? OPEN : []), ...(wanted.includes('closed') ? CLOSED : [])];
    }
    const serviceCode = param(req, 'service_code');
    let from: number | undefined;
    let to: number | undefined;
    if (!trackingCodes) {
      // Without ids the dates default to the last 90 days and may span at most 90 days.
      const start = dateParam(req, 'start_date');
      const end = dateParam(req, 'end_date');
      to = end ?? (start !== undefined ? Math.min(now, start + MAX_SPAN_DAYS * DAY_MS) : now);
      from = start ?? to - MAX_SPAN_DAYS * DAY_MS;
      if (from > to) throw new Open311Error(400, 'start_date must not be after end_date');
      if (to - from > MAX_SPAN_DAYS * DAY_MS) throw new Open311Error(400, `start_date and end_date may span at most ${MAX_SPAN_DAYS} days`);
    }
    const pageSize = intParam(req, 'page_size', 1, MAX_PAGE_SIZE) ?? DEFAULT_LIMIT;
    const page = intParam(req, 'page', 1, 100_000) ?? 1;
    const rows = await q.open311Reports(db, { orgId: org.id, trackingCodes, categoryCode: serviceCode, states, from, to }, ids ? 1 : pageSize, ids ? 0 : (page - 1) * pageSize);
    if (ids && rows.length === 0) throw new Open311Error(404, 'service_request_id not found');
    return send(reply, format, 'service_requests', rows.map(requestOf));
  }

  return async function plugin(app: FastifyInstance) {
    const opts = { schema: { hide: true } };
    for (const format of FORMATS) {
      app.get(`/open311/v2/discovery.${format}`, opts, async (req, reply) => {
        const base = `${req.protocol}://${req.host}/open311/v2/`;
        return send(reply, format, 'discovery', {
          changeset: '2026-11-28T00:00:00+00:00',
          contact: 'Pishkhan: the municipality named by jurisdiction_id (its code) answers service requests.',
          key_service: 'API keys for posting are issued by each municipality.',
          endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: base, changeset: '2026-11-28T00:00:00+00:00', type: 'production', formats: ['application/json', 'text/xml'] }],
        });
      });

      app.get(`/open311/v2/services.${format}`, opts, async (req, reply) => handle(reply, format, async () => {
        const org = await jurisdiction(req);
        const cats = await q.categories(db, org.id);
        return send(reply, format, 'services', cats.map((c) => ({
          service_code: c.code, service_name: c.title_fa, description: c.title_en, metadata: false, type: 'realtime',
          keywords: [c.code, c.title_en].join(','), group: c.group,
        })));
      }));

      app.get(`/open311/v2/requests.${format}`, opts, async (req, reply) => handle(reply, format, () => requests(req, reply, format)));
    }

    app.get('/open311/v2/services/:file', opts, async (req, reply) => {
      const f = splitFormat((req.params as { file: string }).file);
      if (!f) return sendError(reply, 'json', new Open311Error(404, 'format must be json or xml'));
      return handle(reply, f.format, async () => {
        const org = await jurisdiction(req);
        const cat = await q.categoryByCode(db, org.id, f.name);
        if (!cat) throw new Open311Error(404, 'service_code not found');
        return send(reply, f.format, 'service_definition', { service_code: cat.code, attributes: [] });
      });
    });

    app.get('/open311/v2/requests/:file', opts, async (req, reply) => {
      const f = splitFormat((req.params as { file: string }).file);
      if (!f) return sendError(reply, 'json', new Open311Error(404, 'format must be json or xml'));
      return handle(reply, f.format, () => requests(req, reply, f.format, [f.name]));
    });
  };
}
