import type { Tx } from '../../platform/db/index.js';
import type { CitizensTable, OtpChallengesTable, SessionsTable, StaffTable } from '../../platform/db/schema.js';
import type { Membership, Role } from '../../platform/core/index.js';

// Every SQL statement of the identity module. Citizens and staff are not tenant data of one
// organization; memberships tie staff to organizations.

// A code whose SMS could not be sent counts against no limit and holds back no resend: an
// outage of the SMS provider must not lock anyone out.
export function countOtpSince(tx: Tx, by: 'mobile' | 'ip', value: string, since: number) {
  return tx.selectFrom('otp_challenges').select((eb) => eb.fn.countAll<number>().as('n'))
    .where(by, '=', value).where('created_at', '>=', since).where('send_failed_at', 'is', null)
    .executeTakeFirstOrThrow().then((r) => Number(r.n));
}

export function oldestOtpSince(tx: Tx, by: 'mobile' | 'ip', value: string, since: number) {
  return tx.selectFrom('otp_challenges').select('created_at')
    .where(by, '=', value).where('created_at', '>=', since).where('send_failed_at', 'is', null)
    .orderBy('created_at').limit(1).executeTakeFirst().then((r) => (r ? Number(r.created_at) : null));
}

export function latestOpenOtp(tx: Tx, mobile: string): Promise<OtpChallengesTable | undefined> {
  return tx.selectFrom('otp_challenges').selectAll()
    .where('mobile', '=', mobile).where('consumed_at', 'is', null).where('send_failed_at', 'is', null)
    .orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/** The newest challenge of the number, used or not: only this one may sign in. */
export function latestOtp(tx: Tx, mobile: string): Promise<OtpChallengesTable | undefined> {
  return tx.selectFrom('otp_challenges').selectAll()
    .where('mobile', '=', mobile)
    .orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

export function insertOtp(tx: Tx, row: OtpChallengesTable) {
  return tx.insertInto('otp_challenges').values(row).execute();
}

/** Counts one more attempt unless the limit is reached; true when the attempt was counted. */
export async function countOtpAttempt(tx: Tx, id: string, maxAttempts: number): Promise<boolean> {
  const r = await tx.updateTable('otp_challenges').set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id).where('attempts', '<', maxAttempts).where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks the challenge used; true only for the one caller that consumed it. */
export async function consumeOtp(tx: Tx, id: string, now: number): Promise<boolean> {
  const r = await tx.updateTable('otp_challenges').set({ consumed_at: now })
    .where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records that the challenge's SMS could not be sent (the outbox's sms.otp handler; its code is never sent later). */
export async function markOtpSendFailed(tx: Tx, id: string, now: number): Promise<void> {
  await tx.updateTable('otp_challenges').set({ send_failed_at: now }).where('id', '=', id).where('send_failed_at', 'is', null).execute();
}

export function deleteOtpsBefore(tx: Tx, before: number) {
  return tx.deleteFrom('otp_challenges').where('created_at', '<', before).execute();
}

export function citizenByMobile(tx: Tx, mobile: string) {
  return tx.selectFrom('citizens').selectAll().where('mobile', '=', mobile).executeTakeFirst();
}

export function citizenById(tx: Tx, id: string) {
  return tx.selectFrom('citizens').selectAll().where('id', '=', id).executeTakeFirst();
}

export function citizenByNationalCode(tx: Tx, nationalCode: string) {
  return tx.selectFrom('citizens').select(['id']).where('national_code', '=', nationalCode).executeTakeFirst();
}

export function insertCitizen(tx: Tx, row: CitizensTable) {
  return tx.insertInto('citizens').values(row).onConflict((oc) => oc.column('mobile').doNothing()).execute();
}

export function updateCitizen(tx: Tx, id: string, patch: Partial<CitizensTable>) {
  return tx.updateTable('citizens').set(patch).where('id', '=', id).execute();
}

export function staffByUsername(tx: Tx, username: string) {
  return tx.selectFrom('staff').selectAll().where('username', '=', username).executeTakeFirst();
}

export function staffById(tx: Tx, id: string) {
  return tx.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertStaff(tx: Tx, row: StaffTable) {
  return tx.insertInto('staff').values(row).execute();
}

export function updateStaff(tx: Tx, id: string, patch: Partial<StaffTable>) {
  return tx.updateTable('staff').set(patch).where('id', '=', id).execute();
}

/** Counts a failed sign-in; locks the account once the count reaches the limit. */
export async function recordStaffFailure(tx: Tx, id: string, maxFailures: number, lockUntil: number) {
  await tx.updateTable('staff').set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) })).where('id', '=', id).execute();
  await tx.updateTable('staff').set({ locked_until: lockUntil, failed_attempts: 0 })
    .where('id', '=', id).where('failed_attempts', '>=', maxFailures).execute();
}

export async function membershipsOf(tx: Tx, staffId: string): Promise<Membership[]> {
  const rows = await tx.selectFrom('memberships').innerJoin('orgs', 'orgs.id', 'memberships.org_id')
    .select(['memberships.org_id', 'orgs.code', 'memberships.role'])
    .where('memberships.staff_id', '=', staffId).orderBy('orgs.code').execute();
  return rows.map((r) => ({ orgId: r.org_id, orgCode: r.code, role: r.role as Role }));
}

export function insertMembership(tx: Tx, row: { id: string; staff_id: string; org_id: string; role: Role; created_at: number }) {
  return tx.insertInto('memberships').values(row)
    .onConflict((oc) => oc.columns(['staff_id', 'org_id', 'role']).doNothing()).execute();
}

export function insertSession(tx: Tx, row: SessionsTable) {
  return tx.insertInto('sessions').values(row).execute();
}

export function sessionById(tx: Tx, id: string) {
  return tx.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function updateSession(tx: Tx, id: string, patch: Partial<SessionsTable>) {
  return tx.updateTable('sessions').set(patch).where('id', '=', id).execute();
}

export function deleteSession(tx: Tx, id: string) {
  return tx.deleteFrom('sessions').where('id', '=', id).execute();
}

export function deleteSessionsOf(tx: Tx, kind: 'citizen' | 'staff', subjectId: string) {
  return tx.deleteFrom('sessions').where('kind', '=', kind).where('subject_id', '=', subjectId).execute();
}

export function deleteExpiredSessions(tx: Tx, now: number) {
  return tx.deleteFrom('sessions').where('expires_at', '<', now).execute();
}

/** Records that the code of this time step was used; false when it (or a later one) already was. */
export async function claimTotpStep(tx: Tx, id: string, step: number): Promise<boolean> {
  const r = await tx.updateTable('staff').set({ totp_last_step: step })
    .where('id', '=', id).where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
