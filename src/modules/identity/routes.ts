import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import type { AppDeps } from '../../wiring.js';
import { SESSION_COOKIE, safeNext, sendPage, viewContext } from '../../platform/http/context.js';
import { formFailure, formValues, seeOther } from '../../platform/http/forms.js';
import { unauthorized } from '../../platform/http/errors.js';
import { mayAct } from '../../platform/auth/access.js';
import { normalizeMobile } from '../../platform/i18n/persian.js';
import { OTP_POLICY, type ClientInfo, type SessionView } from './service.js';
import { z } from 'zod';
import * as s from './schemas.js';
import { CitizenLoginPage, ProfileFormPage, ProfilePage, SecurityPage, StaffDeskPage, StaffLoginPage, TotpPage, VerifyCodePage } from './views/pages.js';

const authLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } };

/** Sign-in for citizens (mobile + SMS code) and staff (password + optional TOTP), profile, sign-out. */
export function identityRoutes(deps: AppDeps) {
  const { identity, orgs } = deps.services;
  const isProduction = deps.config.isProduction;
  const secure = isProduction || deps.config.publicUrl.startsWith('https://');
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => viewContext(req, reply, { isProduction, now: deps.clock.now() });
  const client = (req: FastifyRequest): ClientInfo => ({ ip: req.ip, userAgent: String(req.headers['user-agent'] ?? ''), locale: req.locale });
  const setSession = (reply: FastifyReply, session: SessionView) =>
    reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: new Date(session.expiresAt) });
  const sessionJson = (session: SessionView) => ({ token: session.token, stage: session.stage, expires_at: new Date(session.expiresAt).toISOString() });

  return async function plugin(app: FastifyInstance) {
    const api = app.withTypeProvider<ZodTypeProvider>();

    // ---------- Citizen pages ----------
    // Forms send their CSRF token in the body, which is parsed only after onRequest, so every
    // form route checks it at preValidation (see @fastify/csrf-protection's README).
    app.get('/login', { schema: { hide: true } }, async (req, reply) => {
      const next = safeNext((req.query as { next?: string }).next, '');
      return sendPage(reply, h(CitizenLoginPage, { ctx: ctxOf(req, reply), next }));
    });

    app.post('/login', { schema: { hide: true }, preValidation: app.csrfProtection, config: authLimit }, async (req, reply) => {
      const values = formValues(req);
      const next = safeNext(values.next, '');
      try {
        const r = await identity.requestOtp({ mobile: values.mobile ?? '' }, client(req));
        return seeOther(reply, `/login/verify?mobile=${r.mobile}${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        const mobile = normalizeMobile(values.mobile ?? '');
        // A resend refused while the earlier code is still valid goes back to the code form.
        if (mobile && f.status === 429 && values.mobile && !f.errors.mobile && (req.headers.referer ?? '').includes('/login/verify')) {
          return sendPage(reply, h(VerifyCodePage, { ctx, mobile, minutes: OTP_POLICY.ttlMs / 60_000, error: f.error, next }), f.status);
        }
        return sendPage(reply, h(CitizenLoginPage, { ctx, values, errors: f.errors, error: f.error, next }), f.status);
      }
    });

    app.get('/login/verify', { schema: { hide: true } }, async (req, reply) => {
      const query = req.query as { mobile?: string; next?: string };
      const mobile = normalizeMobile(query.mobile ?? '');
      if (!mobile) return seeOther(reply, '/login');
      const ctx = ctxOf(req, reply);
      // The SMS of the newest code could not be sent: say so at once, with the button to ask again.
      const error = (await identity.otpNotSent(mobile)) ? ctx.t('auth.otp_not_sent') : undefined;
      return sendPage(reply, h(VerifyCodePage, { ctx, mobile, minutes: OTP_POLICY.ttlMs / 60_000, error, next: safeNext(query.next, '') }));
    });

    app.post('/login/verify', { schema: { hide: true }, preValidation: app.csrfProtection, config: authLimit }, async (req, reply) => {
      const values = formValues(req);
      const next = safeNext(values.next, '');
      try {
        const r = await identity.verifyOtp({ mobile: values.mobile ?? '', code: values.code ?? '' }, client(req));
        setSession(reply, r.session);
        return seeOther(reply, r.citizen.profile_complete ? next || '/profile' : `/profile/edit${next ? `?next=${encodeURIComponent(next)}` : ''}`);
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        const mobile = normalizeMobile(values.mobile ?? '');
        if (!mobile) return sendPage(reply, h(CitizenLoginPage, { ctx, errors: f.errors, error: f.error }), f.status);
        return sendPage(reply, h(VerifyCodePage, { ctx, mobile, minutes: OTP_POLICY.ttlMs / 60_000, errors: f.errors, error: f.error, next }), f.status);
      }
    });

    const requireCitizenPage = (req: FastifyRequest, reply: FastifyReply): string | null => {
      if (req.actor.kind === 'citizen') return req.actor.id;
      void seeOther(reply, `/login?next=${encodeURIComponent(req.url)}`);
      return null;
    };

    app.get('/profile', { schema: { hide: true } }, async (req, reply) => {
      const id = requireCitizenPage(req, reply);
      if (!id) return reply;
      const citizen = await identity.citizen(id);
      if (!citizen) return seeOther(reply, '/login');
      if (!citizen.profile_complete) return seeOther(reply, '/profile/edit');
      return sendPage(reply, h(ProfilePage, { ctx: ctxOf(req, reply), citizen, saved: (req.query as { saved?: string }).saved === '1' }));
    });

    app.get('/profile/edit', { schema: { hide: true } }, async (req, reply) => {
      const id = requireCitizenPage(req, reply);
      if (!id) return reply;
      const c = await identity.citizen(id);
      if (!c) return seeOther(reply, '/login');
      const values = { national_code: c.national_code ?? '', first_name: c.first_name ?? '', last_name: c.last_name ?? '', email: c.email ?? '' };
      const next = safeNext((req.query as { next?: string }).next, '');
      return sendPage(reply, h(ProfileFormPage, { ctx: ctxOf(req, reply), first: !c.profile_complete, values, next }));
    });

    app.post('/profile', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      const id = requireCitizenPage(req, reply);
      if (!id) return reply;
      const values = formValues(req);
      // A first sign-in that started elsewhere (?next=) goes back there once the profile is saved.
      const next = safeNext(values.next, '');
      try {
        await identity.updateProfile(req.actor, values);
        return seeOther(reply, next || '/profile?saved=1');
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        const c = await identity.citizen(id);
        return sendPage(reply, h(ProfileFormPage, { ctx, first: !c?.profile_complete, values, errors: f.errors, error: f.error, next }), f.status);
      }
    });

    app.post('/logout', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (req.sessionToken) await identity.signOut(req.sessionToken, req.actor);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return seeOther(reply, '/');
    });

    // ---------- Staff pages ----------
    app.get('/staff/login', { schema: { hide: true } }, async (req, reply) =>
      sendPage(reply, h(StaffLoginPage, { ctx: ctxOf(req, reply), next: safeNext((req.query as { next?: string }).next, '') })));

    app.post('/staff/login', { schema: { hide: true }, preValidation: app.csrfProtection, config: authLimit }, async (req, reply) => {
      const values = formValues(req);
      const next = safeNext(values.next, '');
      try {
        const r = await identity.staffSignIn({ username: values.username ?? '', password: values.password ?? '' }, client(req));
        setSession(reply, r.session);
        if (r.session.stage === 'totp') return seeOther(reply, `/staff/login/totp${next ? `?next=${encodeURIComponent(next)}` : ''}`);
        return seeOther(reply, next || '/staff');
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        return sendPage(reply, h(StaffLoginPage, { ctx, values: { username: values.username ?? '' }, errors: f.errors, error: f.error, next }), f.status);
      }
    });

    app.get('/staff/login/totp', { schema: { hide: true } }, async (req, reply) => {
      if (req.sessionInfo?.stage !== 'totp') return seeOther(reply, '/staff/login');
      return sendPage(reply, h(TotpPage, { ctx: ctxOf(req, reply), next: safeNext((req.query as { next?: string }).next, '') }));
    });

    app.post('/staff/login/totp', { schema: { hide: true }, preValidation: app.csrfProtection, config: authLimit }, async (req, reply) => {
      const values = formValues(req);
      const next = safeNext(values.next, '');
      if (!req.sessionToken || req.sessionInfo?.stage !== 'totp') return seeOther(reply, '/staff/login');
      try {
        const session = await identity.staffVerifyTotp(req.sessionToken, values.code ?? '', client(req));
        setSession(reply, session);
        return seeOther(reply, next || '/staff');
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        return sendPage(reply, h(TotpPage, { ctx, errors: f.errors, error: f.error, next }), f.status);
      }
    });

    const requireStaffPage = (req: FastifyRequest, reply: FastifyReply): boolean => {
      if (req.actor.kind === 'staff') return true;
      void seeOther(reply, `/staff/login?next=${encodeURIComponent(req.url)}`);
      return false;
    };

    app.get('/staff', { schema: { hide: true } }, async (req, reply) => {
      if (!requireStaffPage(req, reply) || req.actor.kind !== 'staff') return reply;
      const ctx = ctxOf(req, reply);
      const all = await orgs.list();
      const nameOf = new Map(all.map((o) => [o.code, o.name[ctx.locale]]));
      const actor = req.actor;
      const memberships = actor.memberships.map((m) => ({
        orgCode: m.orgCode, orgName: nameOf.get(m.orgCode) ?? m.orgCode, role: m.role, canSeeStaff: mayAct(actor, m.orgId, 'org.staff.read'),
      }));
      return sendPage(reply, h(StaffDeskPage, { ctx, name: req.sessionInfo?.displayName ?? '', memberships }));
    });

    app.get('/staff/security', { schema: { hide: true } }, async (req, reply) => {
      if (!requireStaffPage(req, reply)) return reply;
      const setup = await identity.beginTotpSetup(req.actor);
      const enabled = await identity.totpEnabled(req.actor);
      return sendPage(reply, h(SecurityPage, { ctx: ctxOf(req, reply), enabled, setup: enabled ? undefined : setup }));
    });

    app.post('/staff/security/totp', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!requireStaffPage(req, reply)) return reply;
      try {
        await identity.confirmTotp(req.actor, formValues(req).code ?? '');
        return seeOther(reply, '/staff/security');
      } catch (err) {
        const ctx = ctxOf(req, reply);
        const f = formFailure(ctx, err);
        const setup = await identity.beginTotpSetup(req.actor);
        return sendPage(reply, h(SecurityPage, { ctx, enabled: false, setup, errors: f.errors, error: f.error }), f.status);
      }
    });

    app.post('/staff/security/totp/disable', { schema: { hide: true }, preValidation: app.csrfProtection }, async (req, reply) => {
      if (!requireStaffPage(req, reply)) return reply;
      await identity.disableTotp(req.actor);
      return seeOther(reply, '/staff/security');
    });

    // ---------- JSON API ----------
    const tags = ['auth'];
    api.post('/api/v1/auth/otp', {
      config: authLimit,
      schema: { tags, summary: 'Send a one-time sign-in code by SMS', body: s.otpRequestBody, response: { 202: s.otpRequestReply, 400: s.errorReply, 429: s.errorReply } },
    }, async (req, reply) => {
      const r = await identity.requestOtp(req.body, client(req));
      return reply.status(202).send({ mobile: r.mobile, expires_at: new Date(r.expiresAt).toISOString(), resend_after: new Date(r.resendAfter).toISOString() });
    });

    api.post('/api/v1/auth/otp/verify', {
      config: authLimit,
      schema: { tags, summary: 'Sign a citizen in with the code; creates the account on first sign-in', body: s.otpVerifyBody, response: { 200: s.otpVerifyReply, 400: s.errorReply, 429: s.errorReply, 503: s.errorReply } },
    }, async (req, reply) => {
      const r = await identity.verifyOtp(req.body, client(req));
      setSession(reply, r.session);
      return { ...sessionJson(r.session), citizen: r.citizen, is_new: r.isNew };
    });

    api.post('/api/v1/auth/staff', {
      config: authLimit,
      schema: { tags, summary: 'Staff sign-in with username and password; stage "totp" means a code is still needed', body: s.staffLoginBody, response: { 200: s.sessionReply, 400: s.errorReply, 401: s.errorReply, 429: s.errorReply } },
    }, async (req, reply) => {
      const r = await identity.staffSignIn(req.body, client(req));
      setSession(reply, r.session);
      return sessionJson(r.session);
    });

    api.post('/api/v1/auth/staff/totp', {
      config: authLimit,
      schema: { tags, summary: 'Complete staff sign-in with the authenticator code (send the stage-"totp" token)', body: s.totpBody, security: [{ bearer: [] }], response: { 200: s.sessionReply, 400: s.errorReply, 401: s.errorReply, 429: s.errorReply } },
    }, async (req, reply) => {
      if (!req.sessionToken || req.sessionInfo?.stage !== 'totp') throw unauthorized();
      const session = await identity.staffVerifyTotp(req.sessionToken, req.body.code, client(req));
      setSession(reply, session);
      return sessionJson(session);
    });

    api.post('/api/v1/auth/logout', {
      schema: { tags, summary: 'End the current session', security: [{ bearer: [] }, { session: [] }], response: { 204: z.null().meta({ description: 'Signed out' }) } },
    }, async (req, reply) => {
      if (req.sessionToken) await identity.signOut(req.sessionToken, req.actor);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    });

    api.get('/api/v1/me', {
      schema: { tags: ['profile'], summary: 'Who is signed in', security: [{ bearer: [] }, { session: [] }], response: { 200: s.meReply, 401: s.errorReply } },
    }, async (req) => {
      const actor = req.actor;
      if (actor.kind === 'citizen') {
        const citizen = await identity.citizen(actor.id);
        if (!citizen) throw unauthorized();
        return { kind: 'citizen' as const, citizen };
      }
      if (actor.kind === 'staff') {
        return { kind: 'staff' as const, staff: { id: actor.id, display_name: req.sessionInfo?.displayName ?? '', memberships: actor.memberships.map((m) => ({ org: m.orgCode, role: m.role })) } };
      }
      throw unauthorized();
    });

    api.put('/api/v1/me/profile', {
      schema: { tags: ['profile'], summary: 'Set the citizen\'s national code, names and email', body: s.profileBody, security: [{ bearer: [] }, { session: [] }], response: { 200: s.citizenSchema, 400: s.errorReply, 401: s.errorReply } },
    }, async (req) => {
      if (req.actor.kind !== 'citizen') throw unauthorized();
      return identity.updateProfile(req.actor, req.body);
    });
  };
}
