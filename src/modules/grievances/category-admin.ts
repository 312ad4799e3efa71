import { z } from 'zod';
import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock } from '../../platform/core/index.js';
import { orgScope, type OrgScope } from '../../platform/auth/access.js';
import { appendAudit } from '../../platform/audit/index.js';
import { AppError, badInput, notFound, unauthorized } from '../../platform/http/errors.js';
import { normalizePersian } from '../../platform/i18n/persian.js';
import { hasMessage } from '../../platform/i18n/messages.js';
import type { ReportCategoriesTable } from '../../platform/db/schema.js';
import { REPORT_GROUPS } from './messages-web.js';
import * as q from './queries.js';
import * as cq from './category-queries.js';
import './messages-categories.js';

// An organization's admin manages its own ۱۳۷ categories: group, titles, deadline, department,
// whether anonymous reports are taken, and whether the category is offered at all. A category
// is never deleted (its reports keep it); it is retired by making it inactive. A report's due
// date is fixed when it is filed, so a new deadline applies to new reports only.

export type CategoryGroup = ReportCategoriesTable['group'];
export const CATEGORY_GROUPS = REPORT_GROUPS satisfies readonly CategoryGroup[];
export const DEADLINE_MIN_DAYS = 1;
export const DEADLINE_MAX_DAYS = 90;
const TEXT_MAX = 120;
const CODE_RE = /^[a-z][a-z0-9-]{1,39}$/;
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** What an admin sets on a category; the code is set once, on creation. */
export interface CategoryFields {
  group: CategoryGroup;
  title_fa: string;
  title_en: string;
  /** Business days the department has to resolve a report of this category. */
  deadline_days: number;
  department_fa: string;
  department_en: string;
  allow_anonymous: boolean;
  active: boolean;
}
export interface NewCategory extends CategoryFields { code: string }

/** A category as its admin sees it. Times are epoch ms. */
export interface CategoryAdminView extends NewCategory {
  /** Reports of this category not closed yet. */
  open_reports: number;
  created_at: number;
}

const text = (required: boolean) => z.string().transform((s) => normalizePersian(s)).pipe(required ? z.string().min(1, 'common.required').max(TEXT_MAX, 'common.too_long') : z.string().max(TEXT_MAX, 'common.too_long'));
const fieldsSchema = z.object({
  group: z.enum(CATEGORY_GROUPS, 'category_admin.group_invalid'),
  title_fa: text(true),
  title_en: text(false),
  deadline_days: z.number('category_admin.deadline_range').int('category_admin.deadline_range').min(DEADLINE_MIN_DAYS, 'category_admin.deadline_range').max(DEADLINE_MAX_DAYS, 'category_admin.deadline_range'),
  department_fa: text(true),
  department_en: text(false),
  allow_anonymous: z.boolean('common.invalid_value'),
  active: z.boolean('common.invalid_value'),
});
const newSchema = fieldsSchema.extend({ code: z.string('common.required').trim().toLowerCase().regex(CODE_RE, 'category_admin.code_invalid') });

/** The input checked and normalized (Persian text folded, trimmed); a 400 names each bad field. */
function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const field = String(issue.path[0] ?? 'body');
    const required = issue.code === 'invalid_type' && issue.input === undefined;
    fields[field] ??= required ? 'common.required' : hasMessage(issue.message) ? issue.message : 'common.invalid_value';
  }
  throw badInput(fields);
}

const codeTaken = () => new AppError('category_admin.code_taken', 409, { code: 'category_admin.code_taken' });

function viewOf(r: cq.CategoryRow): CategoryAdminView {
  return {
    code: r.code, group: r.group, title_fa: r.title_fa, title_en: r.title_en, deadline_days: Number(r.deadline_days),
    department_fa: r.department_fa, department_en: r.department_en, allow_anonymous: Number(r.allow_anonymous) === 1,
    active: Number(r.active) === 1, open_reports: Number(r.open_reports ?? 0), created_at: Number(r.created_at),
  };
}

const groupOrder = (g: string) => (CATEGORY_GROUPS as readonly string[]).indexOf(g);

export interface CategoryAdminContext {
  db: DB;
  clock: Clock;
}

/** The management of report categories by each municipality's admin. */
export function createCategoryAdmin(ctx: CategoryAdminContext) {
  const { db, clock } = ctx;

  /** The scope of a municipality the actor manages categories of; anything else answers 404. */
  async function scopeOf(tx: Tx, actor: Actor, orgCode: string): Promise<OrgScope> {
    if (actor.kind === 'anonymous' || actor.kind === 'citizen') throw unauthorized();
    const org = await q.orgByCode(tx, orgCode);
    if (!org) throw notFound();
    const scope = orgScope(actor, org.id, 'reports.categories');
    if ((await q.orgKind(tx, org.id)) !== 'municipality') throw notFound();
    return scope;
  }

  return {
    /** Every category of the municipality, inactive ones too, by ۱۳۷ group, each with its open reports. */
    async list(actor: Actor, orgCode: string): Promise<CategoryAdminView[]> {
      const scope = await scopeOf(db, actor, orgCode);
      return (await cq.categoriesWithOpenCounts(db, scope)).map(viewOf)
        .sort((a, b) => groupOrder(a.group) - groupOrder(b.group) || a.title_fa.localeCompare(b.title_fa, 'fa') || a.code.localeCompare(b.code));
    },

    /** One category of the municipality; 404 when it has none with this code. */
    async get(actor: Actor, orgCode: string, code: string): Promise<CategoryAdminView> {
      const scope = await scopeOf(db, actor, orgCode);
      const row = await cq.categoryInScope(db, scope, code);
      if (!row) throw notFound();
      return viewOf(row);
    },

    /** Adds a category; its code is unique in the municipality (409 on the code field). Writes the audit entry in the same tx. */
    async create(actor: Actor, orgCode: string, input: unknown): Promise<CategoryAdminView> {
      const scope = await scopeOf(db, actor, orgCode);
      const v = parse(newSchema, input);
      const now = clock.now();
      try {
        await inTransaction(db, async (tx) => {
          if (await cq.codeTaken(tx, scope, v.code)) throw codeTaken();
          const id = newId();
          await cq.insertCategoryInScope(tx, scope, {
            id, code: v.code, group: v.group, title_fa: v.title_fa, title_en: v.title_en, deadline_days: v.deadline_days,
            department_fa: v.department_fa, department_en: v.department_en, allow_anonymous: v.allow_anonymous ? 1 : 0, active: v.active ? 1 : 0, created_at: now,
          });
          await appendAudit(tx, actor, { orgId: scope.orgId, action: 'report_category.created', entity: 'report_category', entityId: id, data: { code: v.code, after: v } }, now);
        });
      } catch (err) {
        if (UNIQUE_VIOLATIONS.has(String((err as { code?: unknown }).code))) throw codeTaken();
        throw err;
      }
      return viewOf((await cq.categoryInScope(db, scope, v.code))!);
    },

    /**
     * Changes a category's fields (not its code). Reports already filed keep their due date: a
     * new deadline applies to new reports. The audit entry holds the changed fields before and
     * after; nothing is written when nothing changed.
     */
    async update(actor: Actor, orgCode: string, code: string, input: unknown): Promise<CategoryAdminView> {
      const scope = await scopeOf(db, actor, orgCode);
      const v = parse(fieldsSchema, input);
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        const row = await cq.categoryInScope(tx, scope, code);
        if (!row) throw notFound();
        const current = viewOf(row);
        const changed = (Object.keys(v) as (keyof CategoryFields)[]).filter((k) => v[k] !== current[k]);
        if (changed.length === 0) return;
        await cq.updateCategoryInScope(tx, scope, row.id, {
          group: v.group, title_fa: v.title_fa, title_en: v.title_en, deadline_days: v.deadline_days,
          department_fa: v.department_fa, department_en: v.department_en, allow_anonymous: v.allow_anonymous ? 1 : 0, active: v.active ? 1 : 0,
        });
        const before = Object.fromEntries(changed.map((k) => [k, current[k]]));
        const after = Object.fromEntries(changed.map((k) => [k, v[k]]));
        await appendAudit(tx, actor, { orgId: scope.orgId, action: 'report_category.updated', entity: 'report_category', entityId: row.id, data: { code, before, after } }, now);
      });
      return viewOf((await cq.categoryInScope(db, scope, code))!);
    },
  };
}
export type CategoryAdmin = ReturnType<typeof createCategoryAdmin>;
