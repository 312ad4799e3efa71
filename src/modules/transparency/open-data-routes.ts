import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import { AppError, badInput } from '../../platform/http/errors.js';
import { renderPage } from '../../platform/views/render.js';
import { routeKit } from '../../platform/http/route-kit.js';
import { KeptPages, etagMatches, keptPage, sendKept } from '../../platform/http/kept-page.js';
import { tehranDayKey } from '../../platform/i18n/format.js';
import { figuresVersion } from './kpi.js';
import { Layout } from '../../platform/views/components.js';
import type { ViewContext } from '../../platform/views/context.js';
import { toPersianDigits } from '../../platform/i18n/persian.js';
import { errorReply } from '../identity/schemas.js';
import { currentPeriod, formatPeriod, isValidPeriod, parsePeriod, periodLabel, type Period } from './periods.js';
import {
  DATASETS, DATASET_IDS, LICENCE, PUBLISHER, applicationRows, catalog, csvStream, jsonStream, kpiRows, reportRows, splitPeriod, tableSchema,
  type DatasetId, type Row,
} from './open-data.js';
import { dataVersion, orgIdByCode, serviceExists } from './open-data-queries.js';
import './messages-open-data.js';

const DATA_MAX_AGE = 300;
const SCHEMA_MAX_AGE = 3600;
const code = z.string().max(64).regex(/^[a-z0-9][a-z0-9-]*$/);

const fileQuery = z.object({
  period: z.string().max(16).optional().meta({ description: 'A Jalali period: a year (1404), a season (1404-s2) or a month (1404-07). Default: the current year (Tehran).', example: '1404-s2' }),
  org: code.optional().meta({ description: 'A municipality (organization) code; absent = the whole province.', example: 'sari' }),
  service: code.optional().meta({ description: 'A service template code (for reports: a report category code); absent = every service.', example: 'building-permit' }),
});
const kpiQuery = fileQuery.extend({
  by: z.enum(['month', 'season', 'year']).optional().meta({ description: 'Split the period into its months or seasons (one block of rows each; periods that have not started are left out).', example: 'season' }),
  breakdown: z.enum(['one', 'all']).optional().meta({ description: 'one (default): only the scope asked for, exactly the figures of its /transparency page. all: also every municipality and service within it.', example: 'one' }),
});
type FileQuery = z.infer<typeof kpiQuery>;

const datasetParam = z.object({ dataset: z.enum(['kpis', 'applications', 'reports']).meta({ example: 'kpis' }) });
const fileHead = { licence: z.string().meta({ example: LICENCE.url }), schema: z.string().meta({ example: 'http://127.0.0.1:3000/open-data/schemas/kpis.json' }), query: z.record(z.string(), z.string()) };
const kpiRow = z.object({
  period: z.string(), period_start: z.string(), period_end: z.string(), org_code: z.string(), service_code: z.string(),
  kpi: z.string(), value: z.number().nullable(), unit: z.enum(['count', 'share', 'days', 'rials', 'score']),
}).meta({ example: { period: '1404-s2', period_start: '2025-06-22', period_end: '2025-09-22', org_code: 'sari', service_code: '', kpi: 'applications.median_days', value: 3.25, unit: 'days' } });
const applicationRow = z.object({
  org_code: z.string(), service_code: z.string(), channel: z.enum(['web', 'counter', 'api']), submitted_on: z.string(), completed_on: z.string().nullable(),
  business_days: z.number().nullable(), within_deadline: z.boolean().nullable(), outcome: z.string().nullable(),
}).meta({ example: { org_code: 'babol', service_code: 'building-permit', channel: 'web', submitted_on: '2025-07-01', completed_on: '2025-07-09', business_days: 5.43, within_deadline: true, outcome: 'granted' } });
const reportRow = z.object({
  org_code: z.string(), category_code: z.string(), filed_on: z.string(), resolved_on: z.string().nullable(), business_days: z.number().nullable(),
  within_deadline: z.boolean().nullable(), state: z.string(), reopened: z.number().int(), lat_1km: z.number(), lng_1km: z.number(),
}).meta({ example: { org_code: 'sari', category_code: 'pothole', filed_on: '2025-07-01', resolved_on: '2025-07-03', business_days: 1.5, within_deadline: true, state: 'resolved', reopened: 0, lat_1km: 36.56, lng_1km: 53.06 } });
const fileReply = (id: DatasetId, row: z.ZodType) => z.object({ dataset: z.literal(id), ...fileHead, rows: z.array(row) });
const tableSchemaReply = z.object({
  $schema: z.string(), name: z.string(), title: z.string(), description: z.string(), missingValues: z.array(z.string()),
  fields: z.array(z.object({ name: z.string(), type: z.string(), title: z.string(), description: z.string() }).loose()),
});
const catalogReply = z.object({ '@context': z.string(), '@type': z.string(), title: z.string(), license: z.string(), dataset: z.array(z.object({ title: z.string(), distribution: z.array(z.object({ mediaType: z.string(), downloadURL: z.string() }).loose()) }).loose()) }).loose().meta({
  description: 'The DCAT catalog; abridged in the example (every dataset has CSV and JSON distributions per period).',
  example: {
    '@context': 'https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld', '@type': 'dcat:Catalog', title: 'Pishkhan open data', 'title@fa': 'داده‌های باز پیشخوان',
    license: LICENCE.url,
    dataset: [{
      '@type': 'dcat:Dataset', identifier: 'http://127.0.0.1:3000/open-data#kpis', title: 'Performance indicators of e-services and 137 reports', 'title@fa': 'شاخص‌های عملکرد خدمات الکترونیک و گزارش‌های ۱۳۷',
      modified: '2026-11-28', temporal: '2026-03-21/2027-03-20', describedBy: 'http://127.0.0.1:3000/open-data/schemas/kpis.json',
      distribution: [{ '@type': 'dcat:Distribution', title: 'each season of 1405, every scope (CSV)', mediaType: 'text/csv', format: 'CSV', downloadURL: 'http://127.0.0.1:3000/open-data/kpis.csv?period=1405&by=season&breakdown=all' }],
    }],
  },
});


const FILE_NAMES: Record<DatasetId, string> = { kpis: 'kpis', applications: 'application-timings', reports: 'report-timings' };

/** Open data: the catalog, Table Schemas, CSV/JSON files and the same through the API, and the /open-data page. */
export function openDataRoutes(deps: AppDeps) {
  // Public, lag-tolerant reads: on the read replica when there is one.
  const { readDb: db, calendar, config } = deps;
  const kit = routeKit({ isProduction: config.isProduction, clock: deps.clock });
  const base = config.publicUrl.replace(/\/$/, '');
  const keptFiles = new KeptPages(60_000);
  const keptPages = new KeptPages(300_000, 100);

  /** The period and scope of a file; 400 for a bad period, 404 for an unknown org or service. */
  const resolve = async (id: DatasetId, query: FileQuery): Promise<{ periods: Period[]; period: Period; org?: string; orgId?: string; service?: string }> => {
    const period = query.period === undefined ? currentPeriod('year', deps.clock.now()) : parsePeriod(query.period);
    if (!period || !isValidPeriod(period)) throw badInput({ period: 'open_data.bad_period' }, 'open_data.bad_period');
    const periods = id === 'kpis' ? splitPeriod(period, query.by, deps.clock.now()) : [period];
    if (!periods) throw badInput({ by: 'common.invalid_value' });
    const orgId = query.org === undefined ? undefined : await orgIdByCode(db, query.org);
    if (orgId === null) throw new AppError('open_data.unknown_org', 404);
    if (query.service !== undefined && !(await serviceExists(db, query.service))) throw new AppError('open_data.unknown_service', 404);
    return { periods, period, org: query.org, orgId, service: query.service };
  };

  const rowsOf = (id: DatasetId, r: Awaited<ReturnType<typeof resolve>>, query: FileQuery): AsyncIterable<Row> => {
    if (id === 'kpis') return kpiRows(db, { periods: r.periods, scope: { org: r.org, service: r.service }, all: query.breakdown === 'all', options: { costPerVisitRials: config.costPerVisitRials } });
    if (id === 'applications') return applicationRows(db, calendar, { period: r.period, orgId: r.orgId, service: r.service, minGroup: config.openDataMinGroup });
    return reportRows(db, calendar, { period: r.period, orgId: r.orgId, service: r.service });
  };

  const echo = (query: FileQuery, period: Period): Record<string, string> => {
    const out: Record<string, string> = { period: formatPeriod(period) };
    for (const k of ['org', 'service', 'by', 'breakdown'] as const) if (query[k] !== undefined) out[k] = query[k]!;
    return out;
  };

  /**
   * A file. The KPI aggregates are small (read from the rollups) and answered whole with a strong
   * ETag; the record files are streamed, page by page, as they are read.
   */
  const sendFile = async (req: FastifyRequest, reply: FastifyReply, id: DatasetId, format: 'csv' | 'json', query: FileQuery, download: boolean) => {
    const r = await resolve(id, query);
    const head = { licence: LICENCE.url, schema: `${base}/open-data/schemas/${id}.json`, query: echo(query, r.period) };
    const name = ['pishkhan', FILE_NAMES[id], formatPeriod(r.period), query.by, r.org, r.service, query.breakdown === 'all' ? 'all' : undefined].filter(Boolean).join('-');
    reply.header('cache-control', `public, max-age=${DATA_MAX_AGE}`).header('vary', 'accept-encoding');
    if (download) reply.header('content-disposition', `attachment; filename="${name}.${format}"`);
    reply.header('link', `<${head.schema}>; rel="describedby"; type="application/vnd.frictionless.table-schema+json", <${LICENCE.url}>; rel="license"`);
    reply.type(format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8');
    if (id !== 'kpis') {
      // Streamed: the validator is the version of the source data (any new event, report or update changes it).
      const etag = `W/"${createHash('sha256').update(`${id}.${format}?${JSON.stringify(head.query)}@${await dataVersion(db)}`).digest('base64url').slice(0, 27)}"`;
      reply.header('etag', etag);
      if (etagMatches(req, etag)) return reply.status(304).send();
    }
    if (id !== 'kpis') return reply.send(format === 'csv' ? csvStream(id, rowsOf(id, r, query)) : jsonStream(id, head, rowsOf(id, r, query)));
    // The aggregates are kept, encoded, per address, day (the default period) and figures' version.
    const now = deps.clock.now();
    const key = `${req.url}|${tehranDayKey(now)}|${await figuresVersion(db)}`;
    let kept = keptFiles.get(key, now);
    if (!kept) {
      const stream = format === 'csv' ? csvStream(id, rowsOf(id, r, query)) : jsonStream(id, head, rowsOf(id, r, query));
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(Buffer.from(c as string));
      kept = keptFiles.set(key, keptPage(Buffer.concat(chunks), now, String(reply.getHeader('content-type'))));
    }
    return sendKept(req, reply, kept, { cacheControl: `public, max-age=${DATA_MAX_AGE}`, vary: 'accept-encoding' });
  };

  /** A small JSON document (the same all day), kept encoded with a strong ETag, 304 on If-None-Match and compressed copies. */
  const keptDocs = new KeptPages(60_000, 50);
  const sendJson = (req: FastifyRequest, reply: FastifyReply, doc: () => unknown, maxAge: number, type = 'application/json; charset=utf-8') => {
    const now = deps.clock.now();
    const key = `${type}|${req.url}|${tehranDayKey(now)}`;
    const kept = keptDocs.get(key, now) ?? keptDocs.set(key, keptPage(JSON.stringify(doc()), now, type));
    return sendKept(req, reply, kept, { cacheControl: `public, max-age=${maxAge}`, vary: 'accept-encoding' });
  };

  const catalogDoc = () => {
    const now = deps.clock.now();
    return catalog(base, { year: currentPeriod('year', now) }, new Date(now).toISOString().slice(0, 10));
  };

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['open data'];

    // ---------- files (the downloads the page and the catalog link to) ----------
    for (const id of DATASET_IDS) {
      for (const format of ['csv', 'json'] as const) {
        api.get(`/open-data/${id}.${format}`, { schema: { hide: true, querystring: id === 'kpis' ? kpiQuery : fileQuery } },
          async (req, reply) => sendFile(req, reply, id, format, req.query, true));
      }
      api.get(`/open-data/schemas/${id}.json`, { schema: { hide: true } }, async (req, reply) => sendJson(req, reply, () => tableSchema(id), SCHEMA_MAX_AGE));
    }
    api.get('/open-data/catalog.json', { schema: { hide: true } }, async (req, reply) => sendJson(req, reply, catalogDoc, DATA_MAX_AGE, 'application/ld+json; charset=utf-8'));

    // ---------- API ----------
    api.get('/api/v1/open-data/catalog', {
      schema: { tags, summary: 'The catalog of the open datasets (DCAT, JSON-LD, DCAT-US 1.1 field names): titles fa/en, licence, distributions and Table Schema links', response: { 200: catalogReply } },
    }, async (req, reply) => sendJson(req, reply, catalogDoc, DATA_MAX_AGE));

    api.get('/api/v1/open-data/schemas/:dataset', {
      schema: { tags, summary: 'The Frictionless Table Schema of a dataset: its columns, types and meanings', params: datasetParam, response: { 200: tableSchemaReply, 400: errorReply } },
    }, async (req, reply) => sendJson(req, reply, () => tableSchema(req.params.dataset), SCHEMA_MAX_AGE));

    api.get('/api/v1/open-data/kpis', {
      schema: {
        tags, summary: 'KPI aggregates (long format): one row per indicator, period and scope',
        description: 'The figures of the transparency dashboards, read from the rollups. Licence CC BY 4.0. A bad period answers 400; an unknown org or service 404. The same rows as CSV: /open-data/kpis.csv with the same query.',
        querystring: kpiQuery, response: { 200: fileReply('kpis', kpiRow), 400: errorReply, 404: errorReply },
      },
    }, async (req, reply) => sendFile(req, reply, 'kpis', 'json', req.query, false));

    api.get('/api/v1/open-data/applications', {
      schema: {
        tags, summary: 'Anonymized application timing records: one row per application submitted or completed in the period',
        description: 'No id, tracking code, citizen or free text. Streamed; licence CC BY 4.0. The same rows as CSV: /open-data/applications.csv with the same query.',
        querystring: fileQuery, response: { 200: fileReply('applications', applicationRow), 400: errorReply, 404: errorReply },
      },
    }, async (req, reply) => sendFile(req, reply, 'applications', 'json', req.query, false));

    api.get('/api/v1/open-data/reports', {
      schema: {
        tags, summary: 'Anonymized 137 report timing records: one row per report filed or resolved in the period, places rounded to ~1 km',
        description: 'No id, tracking code, citizen, text or address; `service` filters by report category code. Streamed; licence CC BY 4.0. The same rows as CSV: /open-data/reports.csv with the same query.',
        querystring: fileQuery, response: { 200: fileReply('reports', reportRow), 400: errorReply, 404: errorReply },
      },
    }, async (req, reply) => sendFile(req, reply, 'reports', 'json', req.query, false));

    // ---------- page ----------
    api.get('/open-data', { schema: { hide: true, querystring: z.object({ period: z.string().max(16).optional() }) } }, async (req, reply) => {
      const now = deps.clock.now();
      const asked = req.query.period === undefined ? null : parsePeriod(req.query.period);
      const period = asked && isValidPeriod(asked) ? asked : currentPeriod('year', now);
      const badPeriod = req.query.period !== undefined && !asked;
      const draw = () => renderPage(h(OpenDataPage, { ctx: kit.ctxOf(req, reply), period, badPeriod }));
      // Signed-in visitors see their name in the header: drawn for them alone, never kept by others.
      if (req.actor.kind !== 'anonymous') return reply.header('cache-control', 'private, no-cache').type('text/html; charset=utf-8').send(draw());
      // As anonymous visitors see it, the page depends only on the address, the language and the day.
      const key = `${req.locale}|${req.url}|${tehranDayKey(now)}`;
      const kept = keptPages.get(key, now) ?? keptPages.set(key, keptPage(draw(), now));
      return sendKept(req, reply, kept, { cacheControl: 'public, max-age=300' });
    });
  };
}

function OpenDataPage(props: { ctx: ViewContext; period: Period; badPeriod: boolean }) {
  const { ctx, period } = props;
  const loc = ctx.locale;
  const p = formatPeriod(period);
  const digits = (s: string) => (loc === 'fa' ? toPersianDigits(s) : s);
  const links = (id: DatasetId): { href: string; label: string }[] => {
    const sets = id === 'kpis'
      ? [{ q: `period=${p}`, label: loc === 'fa' ? `استان، ${periodLabel(period, loc)}` : `Province, ${periodLabel(period, loc)}` },
        { q: `period=${p}&breakdown=all${period.kind === 'month' ? '' : `&by=${period.kind === 'year' ? 'season' : 'month'}`}`, label: loc === 'fa' ? 'همهٔ شهرداری‌ها و خدمت‌ها، به تفکیک' : 'Every municipality and service, split' }]
      : [{ q: `period=${p}`, label: periodLabel(period, loc) }];
    return sets.flatMap((s) => (['csv', 'json'] as const).map((f) => ({ href: `/open-data/${id}.${f}?${s.q}`, label: `${s.label} (${f.toUpperCase()})` })));
  };
  const body = h('div', { class: 'container py-4' },
      h('h1', { class: 'h3' }, ctx.t('open_data.title')),
      h('p', { class: 'lead' }, ctx.t('open_data.lead')),
      h('p', null, ctx.t('open_data.licence'), ' ', h('a', { href: LICENCE.url, rel: 'license' }, LICENCE.title), '. ', ctx.t('open_data.credit', { publisher: PUBLISHER[loc] })),
      h('p', { class: 'small text-body-secondary' }, ctx.t('open_data.privacy')),
      h('ul', { class: 'list-inline' },
        h('li', { class: 'list-inline-item' }, h('a', { href: '/open-data/catalog.json', type: 'application/ld+json' }, ctx.t('open_data.catalog'))),
        h('li', { class: 'list-inline-item' }, h('a', { href: '/api/docs' }, ctx.t('open_data.api'))),
        h('li', { class: 'list-inline-item' }, h('a', { href: '/transparency' }, loc === 'fa' ? 'داشبورد شفافیت' : 'Transparency dashboard'))),
      h('form', { method: 'get', action: '/open-data', class: 'row g-2 align-items-end mb-4' },
        h('div', { class: 'col-auto' },
          h('label', { for: 'od-period', class: 'form-label' }, ctx.t('open_data.period')),
          h('input', { id: 'od-period', name: 'period', class: `form-control${props.badPeriod ? ' is-invalid' : ''}`, value: p, dir: 'ltr', 'aria-describedby': 'od-period-hint' }),
          h('div', { id: 'od-period-hint', class: props.badPeriod ? 'invalid-feedback d-block' : 'form-text' }, props.badPeriod ? ctx.t('open_data.bad_period') : ctx.t('open_data.period_hint'))),
        h('div', { class: 'col-auto' }, h('button', { type: 'submit', class: 'btn btn-outline-primary' }, ctx.t('open_data.show')))),
      ...DATASET_IDS.map((id) => {
        const d = DATASETS[id];
        return h('section', { id, class: 'mb-5', 'aria-labelledby': `od-${id}` },
          h('h2', { id: `od-${id}`, class: 'h5' }, d.title[loc]),
          h('p', null, d.description[loc]),
          h('p', { class: 'mb-1' }, h('strong', null, ctx.t('open_data.downloads'), ': ')),
          h('ul', null, ...links(id).map((l) => h('li', null, h('a', { href: l.href, download: '' }, digits(l.label))))),
          h('p', { class: 'small' },
            h('a', { href: `/open-data/schemas/${id}.json` }, ctx.t('open_data.schema')), ' · ',
            h('a', { href: `/api/v1/open-data/${id}?period=${p}` }, 'API'), ' · ',
            h('a', { href: LICENCE.url, rel: 'license' }, 'CC BY 4.0')),
          h('details', null,
            h('summary', null, ctx.t('open_data.columns')),
            h('div', { class: 'table-responsive' },
              h('table', { class: 'table table-sm' },
                h('thead', null, h('tr', null,
                  h('th', { scope: 'col' }, ctx.t('open_data.col.name')), h('th', { scope: 'col' }, ctx.t('open_data.col.type')), h('th', { scope: 'col' }, ctx.t('open_data.col.meaning')))),
                h('tbody', null, ...d.columns.map((c) => h('tr', null,
                  h('th', { scope: 'row' }, h('code', null, c.name)), h('td', null, h('code', null, c.type)),
                  h('td', null, c.description[loc]))))))));
      }));
  return h(Layout, { ctx, title: ctx.t('open_data.title'), description: ctx.t('open_data.lead'), children: body });
}
