import type { Actor, Role } from '../core/index.js';
import { notFound } from '../http/errors.js';

/**
 * What each role may do inside its organization. The province administrator may do
 * everything in every organization; nobody else reaches beyond their own memberships.
 */
export const PERMISSIONS = {
  'org.staff.read': ['org_admin', 'manager'],
  'org.staff.manage': ['org_admin'],
  'org.audit.read': ['org_admin', 'council_member'],
  // Applications: staff who work them read them; which workflow action a member may take is
  // decided by the service definition's roles (a manager may take any staff action).
  'applications.read': ['clerk', 'inspector', 'manager', 'org_admin'],
  'applications.act': ['clerk', 'inspector', 'manager', 'org_admin'],
  'applications.file_counter': ['clerk', 'manager'],
  /** Write, preview and publish service definitions: only meaningful in the reference organization. */
  'catalog.author': ['reference_author'],
  /** Adopt reference services for the organization, set their fees, deadlines and office, upgrade them. */
  'catalog.adopt': ['org_admin'],
  /** Work the organization's inbox: list, open, claim and act on its applications. */
  'casework.inbox': ['org_admin', 'manager', 'clerk', 'inspector'],
  /** See every application of the organization (not only one's role's states), its load and its escalations. */
  'casework.oversee': ['org_admin', 'manager'],
  /** Assign an application to a colleague of the same organization. */
  'casework.assign': ['org_admin', 'manager'],
  /** Import levy files (CSV), record a levy by hand. */
  'bills.manage': ['org_admin', 'clerk'],
  /** See the organization's bills and payments and export them (those who record levies, and those who report). */
  'bills.read': ['org_admin', 'manager', 'clerk'],
  /** The organization's revenue report per day and service. */
  'payments.report': ['org_admin', 'manager'],
  /** Record that a payment due for a refund (paid twice, or for an application that moved on) was refunded by hand. */
  'payments.refund': ['org_admin'],
  /** City problem reports (۱۳۷): list the organization's reports and set their states. */
  'reports.triage': ['clerk', 'manager', 'org_admin'],
  /** Assign a report to a department or an officer. */
  'reports.assign': ['manager', 'org_admin'],
  /** Redact a report's description or hide its photos (the original stays in the audit log). */
  'reports.moderate': ['manager', 'org_admin'],
  /** Manage the organization's report categories: groups, titles, deadlines, departments, anonymity, retiring. */
  'reports.categories': ['org_admin'],
  /** The provincial council: record meetings and resolutions, set targets, enter any organization's indicator values. */
  'council.manage': ['council_member'],
  /** Report the organization's own indicator values and its progress on the council's resolutions. */
  'council.report': ['org_admin'],
  /** Write the organization's news: drafts, images, scheduling, publishing, unpublishing, corrections; see its unpublished articles. */
  'news.write': ['pr_editor', 'org_admin'],
  /** Register agencies and their external e-services for the single window (only the province administrator). */
  'agencies.manage': [],
  /** Mark the organization's adopted services as processed in an external back-office system and set its connection. */
  'external.connect': ['org_admin'],
  /** Verify the audit log's hash chain (it spans every organization); the province admin may too. */
  'audit.verify': ['council_member'],
  /** Subscribe the organization's webhooks, read their delivery log, redeliver, rotate their secrets. */
  'webhooks.manage': ['org_admin'],
} satisfies Record<string, Role[]>;
export type Permission = keyof typeof PERMISSIONS;

declare const scopeBrand: unique symbol;
/** Proof that the actor may act in this organization; queries on tenant data require one. */
export interface OrgScope {
  readonly orgId: string;
  readonly [scopeBrand]: true;
}

/**
 * The one access check for org-scoped data. When the actor may not act, it answers exactly as
 * if the organization's data did not exist (404), so nothing leaks about what is there.
 */
export function orgScope(actor: Actor, orgId: string, permission: Permission): OrgScope {
  if (!mayAct(actor, orgId, permission)) throw notFound();
  return { orgId } as OrgScope;
}

/**
 * What an API client's scopes grant inside its own organization (never elsewhere). A scope that
 * is not listed grants nothing here; routes still check the scope itself (requireScope).
 */
export const SCOPE_PERMISSIONS: Record<string, readonly Permission[]> = {
  'applications.read': ['applications.read', 'casework.inbox'],
  'applications.act': ['applications.read', 'applications.act', 'casework.inbox'],
  'reports.read': ['reports.triage'],
  'reports.write': ['reports.triage'],
  'news.write': ['news.write'],
  'webhooks.manage': ['webhooks.manage'],
};

/** True when the actor holds a role in orgId that grants the permission (an API client: a scope, in its own organization). */
export function mayAct(actor: Actor, orgId: string, permission: Permission): boolean {
  if (actor.kind === 'api_client') return actor.orgId === orgId && actor.scopes.some((s) => SCOPE_PERMISSIONS[s]?.includes(permission) ?? false);
  if (actor.kind !== 'staff') return false;
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return actor.memberships.some((m) => m.role === 'province_admin' || (m.orgId === orgId && allowed.includes(m.role)));
}
