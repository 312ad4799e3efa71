import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import multipart from '@fastify/multipart';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { safeNext, sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther, checkMultipartCsrf } from '../../platform/http/forms.js';
import { AppError, badInput, unauthorized } from '../../platform/http/errors.js';
import { mayAct } from '../../platform/auth/access.js';
import { t } from '../../platform/i18n/messages.js';
import type { Locale } from '../../platform/i18n/format.js';
import type { Actor } from '../../platform/core/index.js';
import type { ViewContext } from '../../platform/views/context.js';
import { csvDocument } from './csv.js';
import { LEVY_COLUMNS } from './levies-rows.js';
import { LEVY_POLICY, LevyFormError, lookupQuery, parseLookup, type ImportResult, type LevyBillGroup, type LevyBillView, type LevyLookup } from './levies.js';
import * as s from './levies-schemas.js';
import { BillsPage, ImportPage, RecordPage, type StaffOrgProps } from './views/levies.js';
import { localParams } from './views/levies-parts.js';
import './messages-levies.js';

const publicLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } };
const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());

export function levyBillJson(b: LevyBillView) {
  return {
    id: b.id, bill_code: b.billCode, kind: b.kind, org: { code: b.org.code, name: b.org.name }, title: b.title, national_code: b.nationalCode,
    property_code: b.propertyCode, business_code: b.businessCode, period: b.period, amount: b.amount, status: b.status, overdue: b.overdue,
    due_at: iso(b.dueAt), paid_at: iso(b.paidAt), created_at: iso(b.createdAt)!,
  };
}

const groupJson = (g: LevyBillGroup) => ({ org: g.org, unpaid_count: g.unpaidCount, due_total: g.dueTotal, bills: g.bills.map(levyBillJson) });

/** A levy form error with each column's message in the request's language (and its own parameters). */
function localizedLevyError(err: unknown, locale: Locale): unknown {
  if (!(err instanceof LevyFormError)) return err;
  return new AppError(err.code, err.status, Object.fromEntries(err.problems.map((p) => [p.column, t(locale, p.key, p.params)])), err.params);
}

function pageFailure(ctx: ViewContext, err: unknown) {
  if (err instanceof LevyFormError) {
    return { status: err.status, errors: Object.fromEntries(err.problems.map((p) => [p.column, ctx.t(p.key, localParams(ctx, p.params))])), error: ctx.t(err.code, localParams(ctx, err.params)) };
  }
  return formFailure(ctx, err);
}

/** The import's problems with messages in the request's language, for the API. */
export function importJson(r: ImportResult, locale: Locale) {
  if (r.status === 'rejected') {
    return {
      status: r.status, batch: null, rows: r.rows,
      problems: r.problems.map((p) => ({ line: p.line, column: p.column, code: p.key, message: t(locale, p.key, p.params), value: p.value ?? null })),
    };
  }
  const b = r.batch;
  return {
    status: r.status, rows: b.rows, problems: [],
    batch: { id: b.id, org: b.org, filename: b.filename, rows: b.rows, total_amount: b.totalAmount, first_bill_code: b.firstBillCode, last_bill_code: b.lastBillCode, created_at: iso(b.createdAt)! },
  };
}


/** Reads a multipart upload: its fields (those before the file) and the file's bytes, at most maxBytes (413 beyond). */
async function readUpload(req: FastifyRequest, onFileStart: (fields: Record<string, string>) => Promise<void>): Promise<{ fields: Record<string, string>; file: { filename: string; bytes: Buffer } | null }> {
  const fields: Record<string, string> = {};
  let file: { filename: string; bytes: Buffer } | null = null;
  for await (const part of req.parts()) {
    if (part.type === 'field') {
      fields[part.fieldname] = String(part.value ?? '').slice(0, 200);
      continue;
    }
    if (file || part.fieldname !== 'file') {
      part.file.resume();
      continue;
    }
    try {
      await onFileStart(fields);
    } catch (err) {
      part.file.resume();
      throw err;
    }
    let bytes: Buffer;
    try {
      bytes = await part.toBuffer();
    } catch (err) {
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('levies.file_too_large', 413, { file: 'levies.file_too_large' }, { mb: LEVY_POLICY.maxFileBytes / 1024 / 1024 });
      throw err;
    }
    file = { filename: part.filename ?? '', bytes };
  }
  return { fields, file };
}

/** Citizen and public pages of levies (/bills, paying), the staff import and hand entry, and their JSON API. */
export function leviesRoutes(deps: AppDeps) {
  const { levies, orgs, paymentReports } = deps.services;
  const isProduction = deps.config.isProduction;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const staffSignIn = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
  const query = (req: FastifyRequest) => req.query as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : Array.isArray(v) && typeof v[0] === 'string' ? String(v[0]).slice(0, 200) : undefined);
  const municipalities = async () => (await orgs.list()).filter((o) => o.kind === 'municipality').map((o) => ({ code: o.code, name: o.name }));

  /** The staff page frame of an organization: which one, which others may be picked, and which tabs the actor has. */
  async function staffOrg(actor: Actor, orgCode: string | undefined): Promise<Omit<StaffOrgProps, 'ctx'>> {
    const r = await paymentReports.staffOrg(actor, orgCode, 'bills.manage');
    return { org: r.org, orgChoices: r.choices, canManage: true, canReport: mayAct(actor, r.orgId, 'payments.report') };
  }

  const lookupInput = (q: Record<string, unknown>, prefix = '') => ({
    org: str(q[`${prefix}org`]), property_code: str(q[`${prefix}property_code`]), business_code: str(q[`${prefix}business_code`]), national_code: str(q[`${prefix}national_code`]),
  });
  const hasLookup = (i: { property_code?: string; business_code?: string; national_code?: string }) => Boolean(i.property_code?.trim() || i.business_code?.trim() || i.national_code?.trim());

  async function renderBills(req: FastifyRequest, reply: FastifyReply, extra: { error?: string; errors?: Record<string, string>; notice?: string | null } = {}, status = 200) {
    const ctx = ctxOf(req, reply);
    const input = lookupInput(query(req));
    const values = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Record<string, string>;
    let found: { lookup: LevyLookup; groups: LevyBillGroup[] } | null = null;
    let lookupFailure: { status: number; errors: Record<string, string>; error: string } | null = null;
    if (hasLookup(input)) {
      try {
        found = await levies.lookup(input);
      } catch (err) {
        lookupFailure = formFailure(ctx, err);
      }
    }
    const mine = req.actor.kind === 'citizen' ? await levies.billsOfCitizen(req.actor) : null;
    return sendPage(reply, h(BillsPage, {
      ctx, mine, found, municipalities: await municipalities(), values,
      errors: extra.errors ?? lookupFailure?.errors, error: extra.error ?? lookupFailure?.error, notice: extra.notice,
    }), lookupFailure && status === 200 ? lookupFailure.status : status);
  }

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();
    await app.register(multipart, { limits: { fileSize: LEVY_POLICY.maxFileBytes, files: 1, fields: 10, parts: 12, fieldSize: 4096 } });

    // ---------- Citizens and the public ----------

    app.get('/bills', { schema: { hide: true }, config: publicLimit }, async (req, reply) => renderBills(req, reply));

    app.post('/bills/levies/pay', { schema: { hide: true }, preValidation: app.csrfProtection, config: publicLimit }, async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const raw = body.bill_ids;
      const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((x): x is string => typeof x === 'string');
      const l = lookupInput(body, 'lookup_');
      let lookup: LevyLookup | null = null;
      if (hasLookup(l)) {
        try {
          lookup = parseLookup(l);
        } catch {
          lookup = null;
        }
      }
      const back = lookup ? `/bills?${lookupQuery(lookup)}` : '/bills';
      if (req.actor.kind === 'anonymous') return seeOther(reply, `/login?next=${encodeURIComponent(back)}`);
      try {
        const started = await levies.pay(req.actor, ids, { lookup, returnTo: back });
        return seeOther(reply, started.redirectUrl);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = pageFailure(ctx, err);
        req.query = lookup ? Object.fromEntries(new URLSearchParams(lookupQuery(lookup))) : {};
        return renderBills(req, reply, { error: f.error }, f.status);
      }
    });

    // ---------- Staff: import and hand entry ----------

    async function renderImport(req: FastifyRequest, reply: FastifyReply, orgCode: string | undefined, extra: { result?: ImportResult; error?: string } = {}, status = 200) {
      const frame = await staffOrg(req.actor, orgCode);
      const recent = await levies.recentImports(req.actor, frame.org.code);
      return sendPage(reply, h(ImportPage, { ctx: ctxOf(req, reply), ...frame, recent, ...extra }), status);
    }

    app.get('/staff/bills/import', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffSignIn(req, reply);
      return renderImport(req, reply, str(query(req).org));
    });

    app.post('/staff/bills/import', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffSignIn(req, reply);
      const actor = req.actor;
      if (!req.isMultipart()) throw badInput({ file: 'levies.file_required' });
      let upload: Awaited<ReturnType<typeof readUpload>>;
      try {
        upload = await readUpload(req, (fields) => checkMultipartCsrf(app, req, reply, fields._csrf));
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 413) throw err;
        return renderImport(req, reply, str(query(req).org), { error: ctxOf(req, reply).t(err.code, err.params) }, 413);
      }
      const orgCode = upload.fields.org ?? str(query(req).org);
      if (!upload.file || (upload.file.bytes.length === 0 && !upload.file.filename)) {
        if (!upload.file) await checkMultipartCsrf(app, req, reply, upload.fields._csrf);
        return renderImport(req, reply, orgCode, { error: ctxOf(req, reply).t('levies.file_required') }, 400);
      }
      const result = await levies.importFile(actor, { org: orgCode ?? '', filename: upload.file.filename, bytes: upload.file.bytes });
      return renderImport(req, reply, orgCode, { result }, result.status === 'rejected' ? 422 : 200);
    });

    app.get('/staff/bills/import/template.csv', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffSignIn(req, reply);
      const csv = csvDocument([...LEVY_COLUMNS], [
        ['renewal_levy', '0012345679', '12-34-567-8', '', '', '1405', '12500000', '1405/12/29'],
        ['business_levy', '0012345679', '', 'B-44871', 'عوارض کسب و پیشه سال ۱۴۰۵ - نانوایی', '1405', '8400000', '1405/12/29'],
      ]);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="levies-template.csv"').send(csv);
    });

    const renderRecord = async (req: FastifyRequest, reply: FastifyReply, orgCode: string | undefined, extra: { values?: Record<string, string>; errors?: Record<string, string>; error?: string } = {}, status = 200) => {
      const frame = await staffOrg(req.actor, orgCode);
      return sendPage(reply, h(RecordPage, { ctx: ctxOf(req, reply), ...frame, values: extra.values ?? {}, errors: extra.errors, error: extra.error }), status);
    };

    app.get('/staff/bills/new', { schema: { hide: true } }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffSignIn(req, reply);
      return renderRecord(req, reply, str(query(req).org));
    });

    app.post('/staff/bills/new', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.actor.kind !== 'staff') return staffSignIn(req, reply);
      const values = formValues(req);
      const orgCode = values.org ?? str(query(req).org) ?? '';
      try {
        const bill = await levies.recordLevy(req.actor, orgCode, values);
        return seeOther(reply, `/staff/bills?${new URLSearchParams({ org: bill.org.code, q: bill.billCode, recorded: bill.billCode }).toString()}`);
      } catch (err) {
        const f = pageFailure(ctxOf(req, reply), err);
        if (f.status === 404) throw err;
        return renderRecord(req, reply, orgCode, { values, errors: f.errors, error: f.error }, f.status);
      }
    });

    // ---------- JSON API ----------
    const tags = ['levies'];
    const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
    const errors = { 400: s.errorReply, 401: s.errorReply, 403: s.errorReply, 404: s.errorReply, 409: s.errorReply };

    api.get('/api/v1/levies/lookup', {
      config: publicLimit,
      schema: {
        tags, summary: 'Public lookup of levies: by municipality and property code (renewal levies) or business code (business levies), or by national code in every municipality',
        description: 'Answers amounts, periods, due dates and states only: no names, no titles, no national code; codes the caller did not give are masked.',
        querystring: s.lookupQuery, response: { 200: s.lookupReply, 400: s.errorReply, 429: s.errorReply },
      },
    }, async (req) => {
      const r = await levies.lookup(req.query);
      const l = r.lookup;
      return { lookup: { by: l.by, org: l.by === 'national_code' ? null : l.org, code: l.by === 'national_code' ? l.nationalCode : l.code }, groups: r.groups.map(groupJson) };
    });

    api.get('/api/v1/my/levies', {
      schema: { tags, summary: 'The signed-in citizen\'s levies (by the national code of their profile) in every municipality, grouped by organization', security, response: { 200: s.myBillsReply, 401: s.errorReply } },
    }, async (req) => {
      if (req.actor.kind !== 'citizen') throw unauthorized();
      const r = await levies.billsOfCitizen(req.actor);
      return { national_code: r.nationalCode, groups: r.groups.map(groupJson) };
    });

    api.post('/api/v1/levies/pay', {
      schema: {
        tags, summary: 'Pay several unpaid levies of one municipality at once (signed-in citizen): starts one payment and answers the bank page to send the payer to', security,
        description: 'The bills must be the citizen\'s own (their national code) or found by the lookup given. A second request for exactly the same bills within 15 minutes returns the same payment.',
        body: s.payBody, response: { 201: s.payReply, ...errors, 503: s.errorReply },
      },
    }, async (req, reply) => {
      if (req.actor.kind === 'anonymous') throw unauthorized('levies.pay_sign_in');
      const lookup = req.body.lookup && hasLookup(req.body.lookup) ? parseLookup(req.body.lookup) : null;
      const r = await levies.pay(req.actor, req.body.bill_ids, { lookup, returnTo: safeNext(req.body.return_to, '/bills') });
      return reply.status(201).send({ payment_id: r.paymentId, redirect_url: r.redirectUrl });
    });

    api.post('/api/v1/staff/levies', {
      schema: { tags: ['staff'], summary: 'Record one levy by hand (org admins and clerks of the organization)', security, body: s.recordBody, response: { 201: s.levyBill, ...errors } },
    }, async (req, reply) => {
      if (req.actor.kind !== 'staff') throw unauthorized();
      const actor = req.actor;
      const { org, ...input } = req.body;
      try {
        return reply.status(201).send(levyBillJson(await levies.recordLevy(actor, org, input)));
      } catch (err) {
        throw localizedLevyError(err, req.locale);
      }
    });

    api.post('/api/v1/staff/levies/import', {
      schema: {
        tags: ['staff'], summary: 'Import a levy file (CSV), all or nothing: 201 imported, 200 the same file was already imported, 422 with every problem of every bad row', security,
        consumes: ['multipart/form-data'], body: s.importBody,
        description: `Columns: ${LEVY_COLUMNS.join(', ')} (English names or their Persian headers). At most ${LEVY_POLICY.maxRows} rows and ${LEVY_POLICY.maxFileBytes / 1024 / 1024} MB. Send the field org before the file.`,
        response: { 200: s.importReply, 201: s.importReply, 422: s.importReply, 400: s.errorReply, 401: s.errorReply, 404: s.errorReply, 409: s.errorReply, 413: s.errorReply },
      },
      // The body is a stream read below; its schema is there for the API documentation only.
      validatorCompiler: ({ httpPart, schema }) => (httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler({ schema: schema as never, method: 'POST', url: '', httpPart })),
    }, async (req, reply) => {
      if (req.actor.kind !== 'staff') throw unauthorized();
      const actor = req.actor;
      if (!req.isMultipart()) throw badInput({ file: 'levies.file_required' });
      const upload = await readUpload(req, async () => undefined);
      if (!upload.file) throw badInput({ file: 'levies.file_required' });
      const result = await levies.importFile(actor, { org: upload.fields.org ?? '', filename: upload.file.filename, bytes: upload.file.bytes });
      return reply.status(result.status === 'rejected' ? 422 : result.status === 'imported' ? 201 : 200).send(importJson(result, req.locale));
    });
  };
}
