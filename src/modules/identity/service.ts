import { generateSecret, generateURI, verify as verifyTotpCode } from 'otplib';
import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, type Actor, type Clock, type Role } from '../../platform/core/index.js';
import { AppError, badInput, notFound, tooMany, unauthorized } from '../../platform/http/errors.js';
import { appendAudit } from '../../platform/audit/index.js';
import { enqueue } from '../../platform/outbox/index.js';
import { hashPassword, randomPassword, verifyPassword } from '../../platform/auth/passwords.js';
import { keyedHash, randomDigits, randomToken, sameDigest, tokenHash } from '../../platform/auth/tokens.js';
import { isValidNationalCode, normalizeMobile, normalizeNationalCode, normalizePersian, toAsciiDigits } from '../../platform/i18n/persian.js';
import type { Locale } from '../../platform/i18n/format.js';
import type { CitizensTable, StaffTable } from '../../platform/db/schema.js';
import * as q from './queries.js';

export const OTP_POLICY = {
  digits: 6,
  ttlMs: 2 * 60_000,
  maxAttempts: 5,
  resendAfterMs: 60_000,
  perMobile: { max: 5, windowMs: 60 * 60_000 },
  perIp: { max: 30, windowMs: 60 * 60_000 },
};
export const STAFF_POLICY = { maxFailures: 5, lockMs: 15 * 60_000 };
/** What a failed staff sign-in tells of the lock policy (the same for every username). */
const LOCK_PARAMS = { max: STAFF_POLICY.maxFailures, minutes: STAFF_POLICY.lockMs / 60_000 };
export const SESSION_POLICY = { citizenTtlMs: 7 * 24 * 3600_000, staffTtlMs: 12 * 3600_000, totpStageTtlMs: 5 * 60_000, touchEveryMs: 60_000 };

export interface IdentityContext {
  db: DB;
  clock: Clock;
  /** Keys the OTP code hashes. */
  secret: string;
  /** Called after a commit that enqueued outbox messages. */
  onOutbox?: () => void;
  issuer?: string;
}

export interface ClientInfo {
  ip: string;
  userAgent: string;
  locale: Locale;
}

export interface SessionView {
  token: string;
  kind: 'citizen' | 'staff';
  stage: 'full' | 'totp';
  subjectId: string;
  expiresAt: number;
}

export type CitizenView = ReturnType<typeof citizenView>;

/** The citizen as the API and pages show them. */
export function citizenView(c: CitizensTable) {
  return {
    id: c.id,
    mobile: c.mobile,
    national_code: c.national_code,
    first_name: c.first_name,
    last_name: c.last_name,
    email: c.email,
    profile_complete: Boolean(c.national_code && c.first_name && c.last_name),
    created_at: new Date(Number(c.created_at)).toISOString(),
  };
}

/** The RFC 6238 time step a valid, not yet used authenticator code belongs to, or null. */
async function matchedTotpStep(staff: StaffTable, code: string, now: number): Promise<number | null> {
  const clean = toAsciiDigits(String(code ?? '')).replace(/\s/g, '');
  if (!staff.totp_secret || !/^\d{6}$/.test(clean)) return null;
  const last = staff.totp_last_step == null ? undefined : Number(staff.totp_last_step);
  const r = await verifyTotpCode({ secret: staff.totp_secret, token: clean, epochTolerance: 30, epoch: Math.floor(now / 1000), afterTimeStep: last });
  if (!r.valid) return null;
  return 'timeStep' in r ? Number(r.timeStep) : null;
}

// Unknown usernames are checked against a real hash, so they take as long as wrong passwords.
let dummyHash: Promise<string> | null = null;
const getDummyHash = () => (dummyHash ??= hashPassword(randomToken()));

/** Builds the identity service: citizen OTP sign-in, staff sign-in with TOTP, sessions. */
export function createIdentityService(ctx: IdentityContext) {
  const { db, clock } = ctx;
  const codeHash = (mobile: string, code: string) => keyedHash(ctx.secret, `${mobile}:${code}`);

  async function newSession(tx: Parameters<typeof q.insertSession>[0], kind: 'citizen' | 'staff', subjectId: string, stage: 'full' | 'totp', client: ClientInfo): Promise<SessionView> {
    const token = randomToken();
    const now = clock.now();
    const ttl = stage === 'totp' ? SESSION_POLICY.totpStageTtlMs : kind === 'citizen' ? SESSION_POLICY.citizenTtlMs : SESSION_POLICY.staffTtlMs;
    await q.insertSession(tx, {
      id: tokenHash(token), kind, subject_id: subjectId, stage, ip: client.ip, user_agent: client.userAgent.slice(0, 300),
      created_at: now, last_seen_at: now, expires_at: now + ttl,
    });
    return { token, kind, stage, subjectId, expiresAt: now + ttl };
  }

  return {
    /**
     * Sends a one-time code by SMS (through the outbox, in the same transaction as the
     * challenge). Enforces the resend wait and the per-number and per-address limits.
     */
    async requestOtp(input: { mobile: string }, client: ClientInfo): Promise<{ mobile: string; expiresAt: number; resendAfter: number }> {
      const mobile = normalizeMobile(input.mobile ?? '');
      if (!mobile) throw badInput({ mobile: 'auth.mobile_invalid' });
      const now = clock.now();
      const result = await inTransaction(db, async (tx) => {
        const open = await q.latestOpenOtp(tx, mobile);
        if (open && Number(open.expires_at) > now && now - Number(open.created_at) < OTP_POLICY.resendAfterMs) {
          throw tooMany('auth.otp_resend_wait', Math.ceil((Number(open.created_at) + OTP_POLICY.resendAfterMs - now) / 1000));
        }
        for (const [by, value, rule, code] of [
          ['mobile', mobile, OTP_POLICY.perMobile, 'auth.otp_rate_mobile'],
          ['ip', client.ip, OTP_POLICY.perIp, 'auth.otp_rate_ip'],
        ] as const) {
          // The window is (now - windowMs, now], so a client that waits the retry-after it was
          // given is served.
          const since = now - rule.windowMs + 1;
          if ((await q.countOtpSince(tx, by, value, since)) >= rule.max) {
            const oldest = (await q.oldestOtpSince(tx, by, value, since)) ?? now;
            throw tooMany(code, Math.max(1, Math.ceil((oldest + rule.windowMs - now) / 1000)));
          }
        }
        const code = randomDigits(OTP_POLICY.digits);
        const challenge = newId();
        await q.insertOtp(tx, {
          id: challenge, mobile, code_hash: codeHash(mobile, code), ip: client.ip, attempts: 0,
          expires_at: now + OTP_POLICY.ttlMs, consumed_at: null, created_at: now,
        });
        // The challenge and its expiry go with the code: one the outbox cannot send in time is never sent (see sms.otp).
        await enqueue(tx, { topic: 'sms.otp', payload: { to: mobile, code, locale: client.locale, scrub: true, challenge, expires_at: now + OTP_POLICY.ttlMs } }, now);
        return { mobile, expiresAt: now + OTP_POLICY.ttlMs, resendAfter: now + OTP_POLICY.resendAfterMs };
      });
      ctx.onOutbox?.();
      return result;
    },

    /**
     * Checks a code; on success consumes it (once, even under concurrent tries), creates the
     * citizen on first sign-in and opens a session. Wrong codes count against the challenge.
     */
    async verifyOtp(input: { mobile: string; code: string }, client: ClientInfo): Promise<{ session: SessionView; citizen: CitizenView; isNew: boolean }> {
      const mobile = normalizeMobile(input.mobile ?? '');
      if (!mobile) throw badInput({ mobile: 'auth.mobile_invalid' });
      const code = toAsciiDigits(String(input.code ?? '')).replace(/\s/g, '');
      if (!new RegExp(`^\\d{${OTP_POLICY.digits}}$`).test(code)) throw new AppError('auth.code_format', 400, { code: 'auth.code_format' }, { digits: OTP_POLICY.digits });
      const now = clock.now();
      const outcome = await inTransaction(db, async (tx) => {
        // Only the newest code counts: a code replaced by a resend stays dead even after the
        // newer one has been used.
        const challenge = await q.latestOtp(tx, mobile);
        // Its SMS could not be sent: say so (whatever was typed), so the citizen asks again.
        if (challenge && challenge.consumed_at == null && challenge.send_failed_at != null) return { error: new AppError('auth.otp_not_sent', 503, { code: 'auth.otp_not_sent' }) };
        if (!challenge || challenge.consumed_at != null || Number(challenge.expires_at) <= now) return { error: new AppError('auth.otp_expired', 400, { code: 'auth.otp_expired' }) };
        if (!(await q.countOtpAttempt(tx, challenge.id, OTP_POLICY.maxAttempts))) return { error: new AppError('auth.otp_attempts', 429, { code: 'auth.otp_attempts' }) };
        if (!sameDigest(challenge.code_hash, codeHash(mobile, code))) return { error: new AppError('auth.code_invalid', 400, { code: 'auth.code_invalid' }) };
        if (!(await q.consumeOtp(tx, challenge.id, now))) return { error: new AppError('auth.otp_expired', 400, { code: 'auth.otp_expired' }) };

        let citizen = await q.citizenByMobile(tx, mobile);
        const isNew = !citizen;
        if (!citizen) {
          await q.insertCitizen(tx, { id: newId(), mobile, national_code: null, first_name: null, last_name: null, email: null, locale: client.locale, created_at: now, updated_at: now });
          citizen = (await q.citizenByMobile(tx, mobile))!;
        }
        const actor: Actor = { kind: 'citizen', id: citizen.id, ip: client.ip };
        if (isNew) await appendAudit(tx, actor, { action: 'citizen.registered', entity: 'citizen', entityId: citizen.id, data: { mobile } }, now);
        await appendAudit(tx, actor, { action: 'citizen.signed_in', entity: 'citizen', entityId: citizen.id, data: { method: 'otp' } }, now);
        const session = await newSession(tx, 'citizen', citizen.id, 'full', client);
        return { value: { session, citizen: citizenView(citizen), isNew } };
      });
      // A wrong code still commits its counted attempt; the error is thrown after the commit.
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    },

    /** Whether the newest code asked for this number could not be sent by SMS (the code page then says to ask again). */
    async otpNotSent(mobileInput: string): Promise<boolean> {
      const mobile = normalizeMobile(mobileInput ?? '');
      if (!mobile) return false;
      const challenge = await q.latestOtp(db, mobile);
      return Boolean(challenge && challenge.consumed_at == null && challenge.send_failed_at != null);
    },

    /** Validates and saves the citizen's own details; writes an audit entry in the same transaction. */
    async updateProfile(actor: Actor, input: { national_code?: string; first_name?: string; last_name?: string; email?: string }): Promise<CitizenView> {
      if (actor.kind !== 'citizen') throw unauthorized();
      const fields: Record<string, string> = {};
      const nationalCode = normalizeNationalCode(String(input.national_code ?? ''));
      if (!input.national_code) fields.national_code = 'common.required';
      else if (!nationalCode || !isValidNationalCode(nationalCode)) fields.national_code = 'profile.national_code_invalid';
      const name = (v: unknown, key: string) => {
        const s = normalizePersian(String(v ?? ''));
        if (!s) fields[key] = 'common.required';
        else if (s.length > 60) fields[key] = 'common.too_long';
        else if (!/^[\p{L}\p{M}\s'\u200c.-]+$/u.test(s)) fields[key] = 'profile.name_invalid';
        return s;
      };
      const firstName = name(input.first_name, 'first_name');
      const lastName = name(input.last_name, 'last_name');
      const email = String(input.email ?? '').trim();
      if (email && (email.length > 200 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) fields.email = 'profile.email_invalid';
      if (Object.keys(fields).length) throw badInput(fields);

      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const current = await q.citizenById(tx, actor.id);
        if (!current) throw notFound();
        const holder = await q.citizenByNationalCode(tx, nationalCode!);
        if (holder && holder.id !== actor.id) throw badInput({ national_code: 'profile.national_code_taken' });
        const patch = { national_code: nationalCode, first_name: firstName, last_name: lastName, email: email || null, updated_at: now };
        await q.updateCitizen(tx, actor.id, patch);
        const changed = Object.keys(patch).filter((k) => k !== 'updated_at' && (current as Record<string, unknown>)[k] !== (patch as Record<string, unknown>)[k]);
        await appendAudit(tx, actor, { action: 'citizen.profile_updated', entity: 'citizen', entityId: actor.id, data: { changed } }, now);
        return citizenView({ ...current, ...patch });
      });
    },

    async citizen(id: string): Promise<CitizenView | null> {
      const c = await q.citizenById(db, id);
      return c ? citizenView(c) : null;
    },

    /**
     * Password sign-in for staff. Unknown users, wrong passwords and locked accounts answer
     * alike; repeated failures lock the account for a while. With TOTP on, the session waits for the code.
     */
    async staffSignIn(input: { username: string; password: string }, client: ClientInfo): Promise<{ session: SessionView; staff: { id: string; display_name: string } }> {
      const fields: Record<string, string> = {};
      const username = toAsciiDigits(String(input.username ?? '')).trim().toLowerCase();
      const password = String(input.password ?? '');
      if (!username) fields.username = 'common.required';
      if (!password) fields.password = 'common.required';
      if (username.length > 100 || password.length > 1000) fields.password = 'auth.bad_credentials';
      if (Object.keys(fields).length) throw new AppError('common.invalid_input', 400, fields, LOCK_PARAMS);
      const now = clock.now();
      const staff = await q.staffByUsername(db, username);
      // A locked account answers exactly as an unknown user or a wrong password does (same
      // status, message and work: the hash is still checked), so that neither the answer nor
      // its time tells whether a username exists; the message says when accounts are locked.
      const locked = !!staff?.locked_until && Number(staff.locked_until) > now;
      const ok = await verifyPassword(staff?.password_hash ?? (await getDummyHash()), password);
      if (locked) throw new AppError('auth.bad_credentials', 401, { password: 'auth.bad_credentials' }, LOCK_PARAMS);
      if (!staff || !ok || staff.disabled) {
        if (staff) {
          await inTransaction(db, async (tx) => {
            await q.recordStaffFailure(tx, staff.id, STAFF_POLICY.maxFailures, now + STAFF_POLICY.lockMs);
            await appendAudit(tx, { kind: 'staff', id: staff.id, memberships: [], ip: client.ip }, { action: 'staff.sign_in_failed', entity: 'staff', entityId: staff.id }, now);
          });
        }
        throw new AppError('auth.bad_credentials', 401, { password: 'auth.bad_credentials' }, LOCK_PARAMS);
      }
      return inTransaction(db, async (tx) => {
        const stage = staff.totp_enabled ? 'totp' : 'full';
        // Failures are forgiven only once every factor has passed; otherwise re-entering the
        // password between wrong TOTP codes would allow guessing codes without limit.
        if (stage === 'full') {
          await q.updateStaff(tx, staff.id, { failed_attempts: 0, locked_until: null });
          await appendAudit(tx, { kind: 'staff', id: staff.id, memberships: [], ip: client.ip }, { action: 'staff.signed_in', entity: 'staff', entityId: staff.id, data: { mfa: false } }, now);
        }
        const session = await newSession(tx, 'staff', staff.id, stage, client);
        return { session, staff: { id: staff.id, display_name: staff.display_name } };
      });
    },

    /** Completes a password sign-in with the authenticator code; failures count toward lockout. */
    async staffVerifyTotp(token: string, code: string, client: ClientInfo): Promise<SessionView> {
      const now = clock.now();
      const session = await q.sessionById(db, tokenHash(token));
      if (!session || session.kind !== 'staff' || session.stage !== 'totp' || Number(session.expires_at) <= now) throw unauthorized('auth.required');
      const staff = await q.staffById(db, session.subject_id);
      if (!staff || !staff.totp_secret) throw unauthorized('auth.required');
      if (staff.locked_until && Number(staff.locked_until) > now) throw new AppError('auth.locked', 429, {}, { minutes: Math.ceil((Number(staff.locked_until) - now) / 60_000) });
      const step = await matchedTotpStep(staff, code, now);
      const fail = async () => {
        await inTransaction(db, (tx) => q.recordStaffFailure(tx, staff.id, STAFF_POLICY.maxFailures, now + STAFF_POLICY.lockMs));
        return new AppError('auth.totp_invalid', 400, { code: 'auth.totp_invalid' });
      };
      if (step === null) throw await fail();
      const outcome = await inTransaction(db, async (tx) => {
        // Each code is accepted once (RFC 6238 §5.2), even when two requests race with it.
        if (!(await q.claimTotpStep(tx, staff.id, step))) return null;
        // A fresh token on privilege change: the pre-MFA token stops working (no fixation).
        await q.deleteSession(tx, session.id);
        await q.updateStaff(tx, staff.id, { failed_attempts: 0, locked_until: null });
        await appendAudit(tx, { kind: 'staff', id: staff.id, memberships: [], ip: client.ip }, { action: 'staff.signed_in', entity: 'staff', entityId: staff.id, data: { mfa: true } }, now);
        return newSession(tx, 'staff', staff.id, 'full', client);
      });
      if (!outcome) throw await fail();
      return outcome;
    },

    /** Starts TOTP enrolment: stores a pending secret and returns it with its otpauth URI. */
    async beginTotpSetup(actor: Actor): Promise<{ secret: string; uri: string }> {
      if (actor.kind !== 'staff') throw unauthorized();
      const staff = await q.staffById(db, actor.id);
      if (!staff) throw notFound();
      const secret = staff.totp_enabled ? staff.totp_secret! : staff.totp_secret ?? generateSecret();
      if (!staff.totp_secret) await q.updateStaff(db, staff.id, { totp_secret: secret });
      return { secret, uri: generateURI({ issuer: ctx.issuer ?? 'Pishkhan', label: staff.username, secret }) };
    },

    async totpEnabled(actor: Actor): Promise<boolean> {
      if (actor.kind !== 'staff') return false;
      return (await q.staffById(db, actor.id))?.totp_enabled === 1;
    },

    /** Turns TOTP on once the user proves their app produces the right code. */
    async confirmTotp(actor: Actor, code: string): Promise<void> {
      if (actor.kind !== 'staff') throw unauthorized();
      const staff = await q.staffById(db, actor.id);
      if (!staff?.totp_secret) throw notFound();
      const now = clock.now();
      const step = await matchedTotpStep(staff, code, now);
      if (step === null) throw badInput({ code: 'auth.totp_invalid' });
      await inTransaction(db, async (tx) => {
        await q.updateStaff(tx, staff.id, { totp_enabled: 1, totp_last_step: step });
        await appendAudit(tx, actor, { action: 'staff.totp_enabled', entity: 'staff', entityId: staff.id }, now);
      });
    },

    async disableTotp(actor: Actor): Promise<void> {
      if (actor.kind !== 'staff') throw unauthorized();
      await inTransaction(db, async (tx) => {
        await q.updateStaff(tx, actor.id, { totp_enabled: 0, totp_secret: null, totp_last_step: null });
        await appendAudit(tx, actor, { action: 'staff.totp_disabled', entity: 'staff', entityId: actor.id }, clock.now());
      });
    },

    /** Resolves a session token to who is acting, or null when it is unknown, expired or half-done. */
    async resolveSession(token: string, ip?: string): Promise<{ actor: Actor; session: { kind: 'citizen' | 'staff'; stage: 'full' | 'totp'; displayName: string } } | null> {
      const id = tokenHash(token);
      const now = clock.now();
      const s = await q.sessionById(db, id);
      if (!s || Number(s.expires_at) <= now) return null;
      if (now - Number(s.last_seen_at) > SESSION_POLICY.touchEveryMs) await q.updateSession(db, id, { last_seen_at: now });
      if (s.kind === 'citizen') {
        const c = await q.citizenById(db, s.subject_id);
        if (!c) return null;
        const displayName = [c.first_name, c.last_name].filter(Boolean).join(' ') || c.mobile;
        return { actor: { kind: 'citizen', id: c.id, ip }, session: { kind: 'citizen', stage: 'full', displayName } };
      }
      const staff = await q.staffById(db, s.subject_id);
      if (!staff || staff.disabled) return null;
      if (s.stage !== 'full') return { actor: { kind: 'anonymous', id: null, ip }, session: { kind: 'staff', stage: 'totp', displayName: staff.display_name } };
      const memberships = await q.membershipsOf(db, staff.id);
      return { actor: { kind: 'staff', id: staff.id, memberships, ip }, session: { kind: 'staff', stage: 'full', displayName: staff.display_name } };
    },

    /** Ends the session of this token (idempotent); audits the sign-out. */
    async signOut(token: string, actor: Actor): Promise<void> {
      await inTransaction(db, async (tx) => {
        await q.deleteSession(tx, tokenHash(token));
        if (actor.kind === 'citizen' || actor.kind === 'staff') {
          await appendAudit(tx, actor, { action: `${actor.kind}.signed_out`, entity: actor.kind, entityId: actor.id }, clock.now());
        }
      });
    },

    /** Creates a staff account with memberships; returns the one-time printed password. */
    async createStaff(actor: Actor, input: { username: string; displayName: string; password?: string; memberships: { orgId: string; role: Role }[] }): Promise<{ id: string; password: string }> {
      const username = input.username.trim().toLowerCase();
      if (!/^[a-z0-9._-]{3,64}$/.test(username)) throw badInput({ username: 'common.invalid_value' });
      const password = input.password ?? randomPassword();
      const hash = await hashPassword(password);
      const now = clock.now();
      return inTransaction(db, async (tx) => {
        const existing = await q.staffByUsername(tx, username);
        const id = existing?.id ?? newId();
        if (existing) await q.updateStaff(tx, id, { password_hash: hash, password_changed_at: now, display_name: input.displayName });
        else await q.insertStaff(tx, { id, username, display_name: input.displayName, password_hash: hash, totp_secret: null, totp_enabled: 0, totp_last_step: null, failed_attempts: 0, locked_until: null, disabled: 0, created_at: now, password_changed_at: now });
        for (const m of input.memberships) await q.insertMembership(tx, { id: newId(), staff_id: id, org_id: m.orgId, role: m.role, created_at: now });
        await appendAudit(tx, actor, { action: existing ? 'staff.updated' : 'staff.created', entity: 'staff', entityId: id, data: { username, memberships: input.memberships } }, now);
        return { id, password };
      });
    },

    /** Sets a new random password, unlocks the account and ends its sessions. */
    async resetPassword(actor: Actor, username: string): Promise<string> {
      const staff = await q.staffByUsername(db, username.trim().toLowerCase());
      if (!staff) throw notFound();
      const password = randomPassword();
      const hash = await hashPassword(password);
      const now = clock.now();
      await inTransaction(db, async (tx) => {
        await q.updateStaff(tx, staff.id, { password_hash: hash, password_changed_at: now, failed_attempts: 0, locked_until: null });
        await q.deleteSessionsOf(tx, 'staff', staff.id);
        await appendAudit(tx, actor, { action: 'staff.password_reset', entity: 'staff', entityId: staff.id }, now);
      });
      return password;
    },

    /** Removes expired challenges and sessions; safe to run any time. */
    async purgeExpired(): Promise<void> {
      const now = clock.now();
      await q.deleteOtpsBefore(db, now - 24 * 3600_000);
      await q.deleteExpiredSessions(db, now);
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
