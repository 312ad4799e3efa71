import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppDeps } from '../../wiring.js';
import type { CategoryAttribute, ReportState } from '../../platform/db/schema.js';
import type { Actor } from '../../platform/core/index.js';
import { AppError } from '../../platform/http/errors.js';
import { t } from '../../platform/i18n/messages.js';
import { verifyApiKey } from '../../platform/auth/api-keys.js';
import * as q from '../grievances/queries.js';
import { filingLimit } from '../grievances/limits.js';
import { MAX_PHOTO_BYTES, approximate, parseAttributes, type StoredPhoto } from '../grievances/service.js';
import { hasNulByte } from '../grievances/input.js';
import * as q311 from './queries.js';
import { xmlDocument, type XmlValue } from './xml.js';

// Open311 GeoReport v2: discovery, services, service definitions (with attributes), requests
// (GET and POST, with an API key), one request, request ids from tokens, and FixMyStreet's
// servicerequestupdates; JSON and XML, with the spec's error format. jurisdiction_id is a
// municipality code. Answers carry only public fields: no citizen, no address, no hidden text,
// points rounded to about 100 m as on the public pages.

type Format = 'json' | 'xml';
const FORMATS: Format[] = ['json', 'xml'];
const DAY_MS = 86_400_000;
export const MAX_SPAN_DAYS = 90;
export const DEFAULT_LIMIT = 50;
export const MAX_PAGE_SIZE = 200;

const ITEM_NAMES: Record<string, string> = {
  services: 'service', service_requests: 'request', errors: 'error', endpoints: 'endpoint', formats: 'format', attributes: 'attribute', values: 'value',
  service_request_updates: 'request_update',
};
/** Personal fields of a POST that Pishkhan never stores (the report needs none of them). */
export const DROPPED_PERSONAL_FIELDS = ['email', 'phone', 'first_name', 'last_name', 'device_id', 'account_id'];
/** Our field names in service errors, as Open311 names them. */
const OPEN311_FIELD: Record<string, string> = { lng: 'long', category: 'service_code', photos: 'media', address: 'address_string' };
const PHOTO_URL_PATH = '/reports/photos/';
const itemName = (plural: string) => ITEM_NAMES[plural] ?? 'item';

class Open311Error extends Error {
  /** One error, or several of the same code (e.g. every bad field of a POST). */
  constructor(public code: 400 | 403 | 404 | 429, public description: string, public more: string[] = []) { super(description); }
}

/** The api_key's public prefix (pk_<8 hex>), to count a client's requests without keeping its secret. */
function keyPrefixOf(req: FastifyRequest): string | undefined {
  const key = (req.body as Record<string, unknown> | undefined)?.api_key;
  const m = typeof key === 'string' ? /^pk_([0-9a-f]{8})_/.exec(key) : null;
  return m ? `open311:${m[1]}` : undefined;
}

/** A service's AppError as the spec's error list: each bad field named the Open311 way, in English. */
function fromAppError(e: AppError): Open311Error {
  const code = e.status === 404 ? 404 : e.status === 401 || e.status === 403 ? 403 : 400;
  const fields = Object.entries(e.fields).map(([f, key]) => `${OPEN311_FIELD[f] ?? f}: ${t('en', key, e.params)}`);
  const [first, ...more] = fields.length ? fields : [t('en', e.code, e.params)];
  return new Open311Error(code, first!, more);
}

function send(reply: FastifyReply, format: Format, root: string, body: XmlValue, status = 200) {
  reply.code(status);
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(xmlDocument(root, body, itemName));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function sendError(reply: FastifyReply, format: Format, e: Open311Error) {
  return send(reply, format, 'errors', [e.description, ...e.more].map((description) => ({ code: e.code, description })), e.code);
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

/** The created-at window of a list: the last 90 days by default, and at most 90 days. */
function dateWindow(req: FastifyRequest, now: number): { from: number; to: number } {
  const start = dateParam(req, 'start_date');
  const end = dateParam(req, 'end_date');
  const to = end ?? (start !== undefined ? Math.min(now, start + MAX_SPAN_DAYS * DAY_MS) : now);
  const from = start ?? to - MAX_SPAN_DAYS * DAY_MS;
  if (from > to) throw new Open311Error(400, 'start_date must not be after end_date');
  if (to - from > MAX_SPAN_DAYS * DAY_MS) throw new Open311Error(400, `start_date and end_date may span at most ${MAX_SPAN_DAYS} days`);
  return { from, to };
}

function paging(req: FastifyRequest): { limit: number; offset: number } {
  const pageSize = intParam(req, 'page_size', 1, MAX_PAGE_SIZE) ?? DEFAULT_LIMIT;
  const page = intParam(req, 'page', 1, 100_000) ?? 1;
  return { limit: pageSize, offset: (page - 1) * pageSize };
}

/** A hint on how to answer each datatype (Open311's datatype_description). */
const DATATYPE_HINT: Record<CategoryAttribute['datatype'], string | null> = {
  string: null, text: null, number: 'A number, e.g. 3', datetime: 'An ISO-8601 date and time, e.g. 2026-11-28T09:00:00+03:30',
  singlevaluelist: 'One key of values', multivaluelist: 'One or more keys of values (repeat attribute[code][])',
};

/** A category's question as an Open311 attribute (Persian texts; Persian is the platform's language). */
export function attributeOf(a: CategoryAttribute) {
  return {
    variable: true, code: a.code, datatype: a.datatype, required: a.required, datatype_description: DATATYPE_HINT[a.datatype] ?? null,
    order: a.order, description: a.description_fa, values: (a.values ?? []).map((v) => ({ key: v.key, name: v.name_fa })),
  };
}

/** Splits `name.format` (the last dot); null when the format is not json or xml. */
function splitFormat(file: string): { name: string; format: Format } | null {
  const i = file.lastIndexOf('.');
  if (i <= 0) return null;
  const format = file.slice(i + 1) as Format;
  return FORMATS.includes(format) ? { name: file.slice(0, i), format } : null;
}

type RequestRow = Awaited<ReturnType<typeof q.open311Reports>>[number];
function requestOf(r: RequestRow, mediaUrl: string | null) {
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
    lat: approximate(Number(r.lat)),
    long: approximate(Number(r.lng)),
    media_url: mediaUrl,
  };
}

type PostFields = Record<string, string | string[]>;

/** Reads a POST: form fields (repeated names become lists) and the `media` file, if any, in memory. */
async function readPost(req: FastifyRequest): Promise<{ fields: PostFields; media: Buffer | null }> {
  const fields: PostFields = {};
  const add = (name: string, value: string) => {
    if (hasNulByte(name) || hasNulByte(value)) throw new Open311Error(400, `${name}: a NUL character is not allowed`);
    const prev = fields[name];
    fields[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  };
  if (!req.isMultipart()) {
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' || typeof x === 'number') add(k, String(x));
    return { fields, media: null };
  }
  let media: Buffer | null = null;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') { add(part.fieldname, String(part.value ?? '')); continue; }
      if (part.fieldname !== 'media' || media) { part.file.resume(); continue; }
      media = await part.toBuffer();
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new Open311Error(400, `media: larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
    if (code === 'FST_FILES_LIMIT') throw new Open311Error(400, 'media: one file at most');
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PROTO_VIOLATION' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new Open311Error(400, 'the multipart body is not valid');
    throw e;
  }
  return { fields, media };
}

/** One POST parameter as a trimmed string; empty and absent are the same; repeated is a 400. */
function field(fields: PostFields, name: string): string | undefined {
  const v = fields[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new Open311Error(400, `${name} must be given once`);
  const s = v.trim();
  return s === '' ? undefined : s;
}

/** attribute[CODE] (one value) and attribute[CODE][] (a list, repeated) as the service takes them. */
function attributesOf(fields: PostFields): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, v] of Object.entries(fields)) {
    const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(name);
    if (!m) continue;
    const list = (Array.isArray(v) ? v : [v]).map((x) => x.trim()).filter((x) => x !== '');
    if (list.length === 0) continue;
    const prev = out[m[1]!];
    const all = [...(prev === undefined ? [] : Array.isArray(prev) ? prev : [prev]), ...list];
    out[m[1]!] = m[2] || all.length > 1 ? all : all[0]!;
  }
  return out;
}

/** A coordinate: a finite number within its range, or a field problem. */
function coordinate(raw: string | undefined, name: 'lat' | 'long', problems: string[]): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : NaN;
  const max = name === 'lat' ? 90 : 180;
  if (!Number.isFinite(n) || Math.abs(n) > max) { problems.push(`${name}: must be a number from -${max} to ${max}`); return undefined; }
  return n;
}

/** Open311 GeoReport v2 under /open311/v2/, hidden from the OpenAPI document. */
export function open311Routes(deps: AppDeps) {
  const db = deps.db;
  const grievances = deps.services.grievances;
  const photoUrl = (path: string | null) => (path ? (/^https?:/.test(path) ? path : `${deps.config.publicUrl}${path}`) : null);

  async function jurisdictionOf(code: string | undefined) {
    if (!code) throw new Open311Error(400, 'jurisdiction_id is required');
    const org = await q311.orgByCode(db, code);
    if (!org) throw new Open311Error(404, 'jurisdiction_id not found');
    return org;
  }
  const jurisdiction = (req: FastifyRequest) => jurisdictionOf(param(req, 'jurisdiction_id'));

  /** Runs a handler, answering Open311Error and the services' AppError in the spec's error format. */
  const handle = async (reply: FastifyReply, format: Format, fn: () => Promise<unknown>) => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof Open311Error) return sendError(reply, format, e);
      if (e instanceof AppError && e.status < 500) return sendError(reply, format, fromAppError(e));
      throw e;
    }
  };

  async function requests(req: FastifyRequest, reply: FastifyReply, format: Format, ids?: string[]) {
    const org = await jurisdiction(req);
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
    // Without ids the dates default to the last 90 days and may span at most 90 days.
    const window = trackingCodes ? undefined : dateWindow(req, deps.clock.now());
    const page = paging(req);
    const rows = await q.open311Reports(db, { orgId: org.id, trackingCodes, categoryCode: serviceCode, states, from: window?.from, to: window?.to }, ids ? 1 : page.limit, ids ? 0 : page.offset);
    if (ids && rows.length === 0) throw new Open311Error(404, 'service_request_id not found');
    const photos = await q311.firstVisiblePhotos(db, org.id, rows.map((r) => r.tracking_code));
    return send(reply, format, 'service_requests', rows.map((r) => {
      const photo = photos.get(r.tracking_code);
      return requestOf(r, photo ? photoUrl(`${PHOTO_URL_PATH}${photo}`) : null);
    }));
  }

  /** The API client of a POST, allowed to post into the jurisdiction (its own, or any from a province key). */
  async function poster(req: FastifyRequest, fields: PostFields) {
    const key = field(fields, 'api_key');
    if (!key) throw new Open311Error(403, 'api_key is required');
    const actor = await verifyApiKey(db, key, deps.clock.now(), req.ip);
    if (!actor || actor.kind !== 'api_client') throw new Open311Error(403, 'api_key is not valid');
    if (!actor.scopes.includes('reports.write')) throw new Open311Error(403, 'api_key may not post service requests (scope reports.write)');
    const org = await jurisdictionOf(field(fields, 'jurisdiction_id'));
    const own = await q311.orgById(db, actor.orgId);
    if (!own || (own.id !== org.id && own.kind !== 'province')) throw new Open311Error(403, 'api_key is not valid for this jurisdiction_id');
    return { actor: actor as Actor, org };
  }

  async function postRequest(req: FastifyRequest, reply: FastifyReply, format: Format) {
    const { fields, media } = await readPost(req);
    const { actor, org } = await poster(req, fields);
    const problems: string[] = [];
    const serviceCode = field(fields, 'service_code');
    if (!serviceCode) problems.push('service_code is required');
    else if (!(await q.activeCategoryByCode(db, org.id, serviceCode))) problems.push('service_code: not found in this jurisdiction');
    const lat = coordinate(field(fields, 'lat'), 'lat', problems);
    const lng = coordinate(field(fields, 'long'), 'long', problems);
    const address = field(fields, 'address_string');
    const description = field(fields, 'description');
    if (!description) problems.push('description is required');
    const hasPoint = lat !== undefined && lng !== undefined;
    if (!hasPoint && (lat !== undefined || lng !== undefined)) problems.push('lat and long must be given together');
    else if (!hasPoint && !address && !problems.some((p) => /^(lat|long):/.test(p))) problems.push('lat and long, or address_string, are required');
    if (problems.length) throw new Open311Error(400, problems[0]!, problems.slice(1));
    let point = hasPoint ? { lat: lat!, lng: lng! } : null;
    if (!point) {
      // Only an address: the report is placed at the municipality's centre and keeps the address.
      point = await grievances.jurisdictionCentre(org.code);
      if (!point) throw new Open311Error(400, 'address_string: this jurisdiction cannot place an address; give lat and long');
    }
    const photos: StoredPhoto[] = media && media.length > 0 ? [await grievances.acceptPhoto(media)] : [];
    try {
      const filed = await grievances.file(actor, {
        category: serviceCode!, description: description!, lat: point.lat, lng: point.lng, address, attributes: attributesOf(fields),
      }, { photos, jurisdiction: org.code });
      return send(reply, format, 'service_requests', [{ service_request_id: filed.tracking_code, token: filed.token, service_notice: null, account_id: null }], 201);
    } catch (e) {
      if (photos.length) await grievances.discardPhotos(photos);
      throw e;
    }
  }

  async function updates(req: FastifyRequest, reply: FastifyReply, format: Format) {
    const org = await jurisdiction(req);
    const window = dateWindow(req, deps.clock.now());
    const page = paging(req);
    const rows = await grievances.updatesFeed(org.code, { from: window.from, to: window.to, ...page });
    return send(reply, format, 'service_request_updates', rows.map((u) => ({
      update_id: u.update_id,
      service_request_id: u.tracking_code,
      status: open311Status(u.state),
      updated_datetime: open311Date(Number(u.created_at)),
      description: u.comment ?? '',
      media_url: photoUrl(u.photo_url) ?? '',
      external_status_code: u.state,
    })));
  }

  return async function plugin(app: FastifyInstance) {
    await app.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: 1, fields: 60, parts: 61, fieldSize: 8192 } });
    const opts = { schema: { hide: true } };
    // PostgreSQL text cannot hold a NUL character (a query with one fails): refused up front.
    app.addHook('preValidation', async (req, reply) => {
      if (!hasNulByte(req.params) && !hasNulByte(req.query) && !hasNulByte(req.body)) return;
      const format: Format = req.url.split('?')[0]!.endsWith('.xml') ? 'xml' : 'json';
      return sendError(reply, format, new Open311Error(400, 'a NUL character is not allowed'));
    });
    // Errors raised before a handler (the rate limit) answer in the spec's format too.
    app.setErrorHandler((error, req, reply) => {
      const e = error as { statusCode?: number; status?: number; params?: { seconds?: number } };
      if ((e.statusCode ?? e.status) !== 429) throw error;
      const format: Format = req.url.split('?')[0]!.endsWith('.xml') ? 'xml' : 'json';
      if (e.params?.seconds) reply.header('retry-after', String(e.params.seconds));
      return sendError(reply, format, new Open311Error(429, 'too many requests; try again in a minute'));
    });
    // One route for both formats, so that a key's posts count against one limit whichever it uses.
    app.post('/open311/v2/requests.:format', { ...opts, config: filingLimit(deps.config.reportsPerMinute * 10, keyPrefixOf) }, async (req, reply) => {
      const format = (req.params as { format: string }).format;
      if (format !== 'json' && format !== 'xml') return sendError(reply, 'json', new Open311Error(404, 'format must be json or xml'));
      return handle(reply, format, () => postRequest(req, reply, format));
    });
    for (const format of FORMATS) {
      app.get(`/open311/v2/discovery.${format}`, opts, async (req, reply) => {
        const base = `${req.protocol}://${req.host}/open311/v2/`;
        const changeset = '2026-11-28T12:00:00+00:00';
        const formats = ['application/json', 'text/xml'];
        return send(reply, format, 'discovery', {
          changeset,
          contact: 'Pishkhan: the municipality named by jurisdiction_id (its code) answers service requests.',
          key_service: 'Posting needs an api_key, issued by the municipality (or, for every municipality, by the province); reading needs none.',
          endpoints: [
            { specification: 'http://wiki.open311.org/GeoReport_v2', url: base, changeset, type: 'production', formats },
            { specification: 'https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Proposed-differences-to-Open311', url: base, changeset, type: 'production', formats },
          ],
        });
      });

      app.get(`/open311/v2/services.${format}`, opts, async (req, reply) => handle(reply, format, async () => {
        const org = await jurisdiction(req);
        const cats = await q.categories(db, org.id);
        return send(reply, format, 'services', cats.map((c) => ({
          service_code: c.code, service_name: c.title_fa, description: c.title_en, metadata: parseAttributes(c.attributes).length > 0, type: 'realtime',
          keywords: [c.code, c.title_en].join(','), group: c.group,
        })));
      }));

      app.get(`/open311/v2/requests.${format}`, opts, async (req, reply) => handle(reply, format, () => requests(req, reply, format)));
      app.get(`/open311/v2/servicerequestupdates.${format}`, opts, async (req, reply) => handle(reply, format, () => updates(req, reply, format)));
    }

    app.get('/open311/v2/services/:file', opts, async (req, reply) => {
      const f = splitFormat((req.params as { file: string }).file);
      if (!f) return sendError(reply, 'json', new Open311Error(404, 'format must be json or xml'));
      return handle(reply, f.format, async () => {
        const org = await jurisdiction(req);
        const cat = await q.activeCategoryByCode(db, org.id, f.name);
        if (!cat) throw new Open311Error(404, 'service_code not found');
        return send(reply, f.format, 'service_definition', { service_code: cat.code, attributes: parseAttributes(cat.attributes).map(attributeOf) });
      });
    });

    app.get('/open311/v2/requests/:file', opts, async (req, reply) => {
      const f = splitFormat((req.params as { file: string }).file);
      if (!f) return sendError(reply, 'json', new Open311Error(404, 'format must be json or xml'));
      return handle(reply, f.format, () => requests(req, reply, f.format, [f.name]));
    });

    app.get('/open311/v2/tokens/:file', opts, async (req, reply) => {
      const f = splitFormat((req.params as { file: string }).file);
      if (!f) return sendError(reply, 'json', new Open311Error(404, 'format must be json or xml'));
      return handle(reply, f.format, async () => {
        const org = await jurisdiction(req);
        const found = await grievances.byToken(org.code, f.name);
        if (!found) throw new Open311Error(404, 'token not found');
        return send(reply, f.format, 'service_requests', [{ token: f.name, service_request_id: found.tracking_code }]);
      });
    });
  };
}
