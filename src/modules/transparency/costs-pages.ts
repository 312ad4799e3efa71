/**
 * The staff page of an organization's service costs (/staff/costs): its admins see the costs
 * entered per period and service, add or change one, and remove one. The rules live in costs.ts;
 * this file reads the forms (amounts as people type them) and renders the page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { DB } from '../../platform/db/index.js';
import type { Clock } from '../../platform/core/index.js';
import { badInput } from '../../platform/http/errors.js';
import { sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { normalizePersian, toAsciiDigits } from '../../platform/i18n/persian.js';
import { removeOrgCost, setOrgCost, staffCosts } from './costs.js';
import { parsePeriod } from './periods.js';
import { CostsPage, type CostsPageProps } from './views/costs.js';
import './messages-costs.js';

/**
 * An amount of Rials as typed: Persian, Arabic-Indic or ASCII digits, thousands separators
 * (, ٬ ، space, apostrophe, underscore); a whole number, 0 allowed. Null for anything else.
 */
export function parseCostAmount(input: string): number | null {
  const s = toAsciiDigits(normalizePersian(String(input ?? ''))).replace(/[\s,\u066C\u060C'\u2019_]/g, '');
  if (!/^\d{1,16}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);

export async function costPages(app: FastifyInstance, opts: { db: DB; clock: Clock; isProduction: boolean }): Promise<void> {
  const { db, clock } = opts;
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction: opts.isProduction, now: clock.now() });
  const signIn = (req: FastifyRequest, reply: FastifyReply) => seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);

  async function render(req: FastifyRequest, reply: FastifyReply, orgCode: string | undefined, extra: Partial<Pick<CostsPageProps, 'values' | 'errors' | 'error' | 'flash'>> = {}, status = 200) {
    const ctx = ctxOf(req, reply);
    const data = await staffCosts(db, req.actor, orgCode);
    return sendPage(reply, h(CostsPage, { ctx, ...data, values: extra.values ?? {}, errors: extra.errors, error: extra.error, flash: extra.flash }), status);
  }

  /** After a failed post: the page again with the typed values and the errors beside their fields; 401/404 stay what they are. */
  async function failed(req: FastifyRequest, reply: FastifyReply, err: unknown, orgCode: string, values: CostsPageProps['values']) {
    const f = formFailure(ctxOf(req, reply), err);
    if (f.status === 404 || f.status === 401 || f.status === 403) throw err;
    return render(req, reply, orgCode, { values, errors: f.errors, error: f.error }, f.status);
  }

  app.get('/staff/costs', { schema: { hide: true } }, async (req, reply) => {
    if (req.actor.kind !== 'staff') return signIn(req, reply);
    const q = req.query as Record<string, unknown>;
    const ctx = ctxOf(req, reply);
    const flash = q.saved ? ctx.t('costs.saved') : q.removed ? ctx.t('costs.removed') : undefined;
    const data = await staffCosts(db, req.actor, str(q.org));
    // ?period=&service= opens the form on that cost, to change it.
    const period = str(q.period) ? parsePeriod(str(q.period)!) : null;
    const service = str(q.service) || null;
    const editing = period ? data.costs.find((c) => c.period === str(q.period) && c.service === service) : undefined;
    const values = editing ? { period: editing.period, service: editing.service ?? '', cost_rials: String(editing.cost_rials), note: editing.note ?? '' } : {};
    return sendPage(reply, h(CostsPage, { ctx, ...data, values, flash }));
  });

  app.post('/staff/costs', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
    if (req.actor.kind !== 'staff') return signIn(req, reply);
    const v = formValues(req);
    const orgCode = v.org ?? '';
    const values = { period: v.period ?? '', service: v.service ?? '', cost_rials: v.cost_rials ?? '', note: v.note ?? '' };
    try {
      const amount = parseCostAmount(values.cost_rials);
      const errors: Record<string, string> = {};
      if (!parsePeriod(values.period)) errors.period = 'transparency.period_invalid';
      if (amount === null) errors.cost_rials = values.cost_rials.trim() ? 'transparency.cost_invalid' : 'common.required';
      // Who may enter costs is checked first (a stranger gets a 404, whatever was typed).
      await staffCosts(db, req.actor, orgCode);
      if (Object.keys(errors).length) throw badInput(errors);
      await setOrgCost(db, clock, req.actor, orgCode, { period: values.period, service: values.service || null, cost_rials: amount!, note: values.note });
      return seeOther(reply, `/staff/costs?${new URLSearchParams({ org: orgCode, saved: '1' }).toString()}`);
    } catch (err) {
      return failed(req, reply, err, orgCode, values);
    }
  });

  app.post('/staff/costs/remove', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
    if (req.actor.kind !== 'staff') return signIn(req, reply);
    const v = formValues(req);
    const orgCode = v.org ?? '';
    try {
      await removeOrgCost(db, clock, req.actor, orgCode, { period: v.period ?? '', service: v.service || null });
      return seeOther(reply, `/staff/costs?${new URLSearchParams({ org: orgCode, removed: '1' }).toString()}`);
    } catch (err) {
      return failed(req, reply, err, orgCode, {});
    }
  });
}
