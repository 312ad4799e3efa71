import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Field, FormCard, Layout } from '../../../platform/views/components.js';
import { formatDate } from '../../../platform/i18n/format.js';
import { toPersianDigits } from '../../../platform/i18n/persian.js';
import type { CitizenView } from '../service.js';

type Errors = Record<string, string>;
type Values = Record<string, string>;

const digits = (ctx: ViewContext, s: string) => (ctx.locale === 'fa' ? toPersianDigits(s) : s);

function FormError(props: { message?: string }) {
  return props.message ? <Alert kind="danger">{props.message}</Alert> : null;
}

export function CitizenLoginPage(props: { ctx: ViewContext; values?: Values; errors?: Errors; error?: string; next?: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('auth.citizen_title')}>
      <FormCard title={ctx.t('auth.citizen_title')} lead={ctx.t('auth.citizen_lead')}>
        <FormError message={props.error} />
        <form method="post" action="/login" novalidate>
          <CsrfInput ctx={ctx} />
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <Field ctx={ctx} name="mobile" label={ctx.t('auth.mobile')} hint={ctx.t('auth.mobile_hint')} type="tel" inputMode="tel" autocomplete="tel" ltr required maxLength={20}
            value={props.values?.mobile} error={props.errors?.mobile} autofocus />
          <button type="submit" class="btn btn-primary w-100">{ctx.t('auth.send_code')}</button>
        </form>
      </FormCard>
    </Layout>
  );
}

export function VerifyCodePage(props: { ctx: ViewContext; mobile: string; minutes: number; errors?: Errors; error?: string; next?: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('auth.code')}>
      <FormCard title={ctx.t('auth.code')}>
        <Alert kind="info">{ctx.t('auth.code_sent', { mobile: digits(ctx, props.mobile), minutes: props.minutes })}</Alert>
        <FormError message={props.error} />
        <form method="post" action="/login/verify" novalidate>
          <CsrfInput ctx={ctx} />
          <input type="hidden" name="mobile" value={props.mobile} />
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <Field ctx={ctx} name="code" label={ctx.t('auth.code')} inputMode="numeric" autocomplete="one-time-code" ltr required maxLength={12}
            class="pk-otp" error={props.errors?.code} autofocus />
          <button type="submit" class="btn btn-primary w-100">{ctx.t('auth.verify')}</button>
        </form>
        <form method="post" action="/login" class="mt-3 d-flex justify-content-between align-items-center">
          <CsrfInput ctx={ctx} />
          <input type="hidden" name="mobile" value={props.mobile} />
          <a href="/login">{ctx.t('auth.change_number')}</a>
          <button type="submit" class="btn btn-link p-0">{ctx.t('auth.resend')}</button>
        </form>
      </FormCard>
    </Layout>
  );
}

export function ProfileFormPage(props: { ctx: ViewContext; first: boolean; values: Values; errors?: Errors; error?: string; next?: string }) {
  const { ctx, values, errors } = props;
  return (
    <Layout ctx={ctx} title={ctx.t(props.first ? 'profile.complete_title' : 'profile.title')}>
      <FormCard title={ctx.t(props.first ? 'profile.complete_title' : 'profile.title')} lead={props.first ? ctx.t('profile.complete_lead') : undefined}>
        <FormError message={props.error} />
        <form method="post" action="/profile" novalidate>
          <CsrfInput ctx={ctx} />
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <Field ctx={ctx} name="national_code" label={ctx.t('profile.national_code')} inputMode="numeric" ltr required maxLength={14} value={values.national_code} error={errors?.national_code} autofocus={props.first} />
          <Field ctx={ctx} name="first_name" label={ctx.t('profile.first_name')} autocomplete="given-name" required maxLength={60} value={values.first_name} error={errors?.first_name} />
          <Field ctx={ctx} name="last_name" label={ctx.t('profile.last_name')} autocomplete="family-name" required maxLength={60} value={values.last_name} error={errors?.last_name} />
          <Field ctx={ctx} name="email" label={ctx.t('profile.email')} type="email" inputMode="email" autocomplete="email" ltr maxLength={200} value={values.email} error={errors?.email} />
          <button type="submit" class="btn btn-primary w-100">{ctx.t('common.save')}</button>
        </form>
      </FormCard>
    </Layout>
  );
}

export function ProfilePage(props: { ctx: ViewContext; citizen: CitizenView; saved?: boolean }) {
  const { ctx, citizen } = props;
  const rows: [string, string][] = [
    [ctx.t('profile.first_name'), citizen.first_name ?? ''],
    [ctx.t('profile.last_name'), citizen.last_name ?? ''],
    [ctx.t('profile.national_code'), digits(ctx, citizen.national_code ?? '')],
    [ctx.t('profile.mobile'), digits(ctx, citizen.mobile)],
    [ctx.t('profile.email'), citizen.email ?? '—'],
    [ctx.t('profile.member_since'), formatDate(Date.parse(citizen.created_at), ctx.locale, 'long')],
  ];
  return (
    <Layout ctx={ctx} title={ctx.t('profile.title')}>
      <div class="container py-4">
        <h1 class="h3 mb-3">{ctx.t('profile.title')}</h1>
        {props.saved ? <Alert kind="success">{ctx.t('profile.saved')}</Alert> : null}
        <div class="pk-card p-4">
          <dl class="row mb-0">
            {rows.map(([k, v]) => (
              <>
                <dt class="col-sm-4">{k}</dt>
                <dd class="col-sm-8">{v}</dd>
              </>
            ))}
          </dl>
          <a class="btn btn-outline-primary mt-3" href="/profile/edit">{ctx.t('profile.edit')}</a>
        </div>
      </div>
    </Layout>
  );
}

export function StaffLoginPage(props: { ctx: ViewContext; values?: Values; errors?: Errors; error?: string; next?: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('auth.staff_title')}>
      <FormCard title={ctx.t('auth.staff_title')}>
        <FormError message={props.error} />
        <form method="post" action="/staff/login" novalidate>
          <CsrfInput ctx={ctx} />
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <Field ctx={ctx} name="username" label={ctx.t('auth.username')} autocomplete="username" ltr required maxLength={100} value={props.values?.username} error={props.errors?.username} autofocus />
          <Field ctx={ctx} name="password" label={ctx.t('auth.password')} type="password" autocomplete="current-password" ltr required maxLength={1000} error={props.errors?.password} />
          <button type="submit" class="btn btn-primary w-100">{ctx.t('auth.sign_in')}</button>
        </form>
      </FormCard>
    </Layout>
  );
}

export function TotpPage(props: { ctx: ViewContext; errors?: Errors; error?: string; next?: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('auth.totp_title')}>
      <FormCard title={ctx.t('auth.totp_title')}>
        <FormError message={props.error} />
        <form method="post" action="/staff/login/totp" novalidate>
          <CsrfInput ctx={ctx} />
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <Field ctx={ctx} name="code" label={ctx.t('auth.totp_code')} inputMode="numeric" autocomplete="one-time-code" ltr required maxLength={10} class="pk-otp" error={props.errors?.code} autofocus />
          <button type="submit" class="btn btn-primary w-100">{ctx.t('auth.verify')}</button>
        </form>
      </FormCard>
    </Layout>
  );
}

export function StaffDeskPage(props: { ctx: ViewContext; name: string; memberships: { orgCode: string; orgName: string; role: string; canSeeStaff: boolean }[] }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('staff.title')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('staff.title')}</h1>
        <p>{ctx.t('staff.welcome', { name: props.name })}</p>
        <h2 class="h5 mt-4">{ctx.t('staff.roles')}</h2>
        <ul class="list-group mb-4">
          {props.memberships.map((m) => (
            <li class="list-group-item d-flex justify-content-between flex-wrap gap-2">
              <span>{m.orgName}: <strong>{ctx.t(`role.${m.role}`)}</strong></span>
              {m.canSeeStaff ? <a href={`/staff/orgs/${m.orgCode}`}>{ctx.t('staff.org_staff', { org: m.orgName })}</a> : null}
            </li>
          ))}
        </ul>
        <h2 class="h5">{ctx.t('staff.links')}</h2>
        <div class="d-flex flex-wrap gap-2">
          <a class="btn btn-primary" href="/staff/inbox">{ctx.t('nav.inbox')}</a>
          <a class="btn btn-outline-primary" href="/staff/counter">{ctx.t('staff.counter')}</a>
          <a class="btn btn-outline-primary" href="/staff/reports">{ctx.t('report_staff.nav')}</a>
          <a class="btn btn-outline-primary" href="/staff/bills">{ctx.t('staff.bills')}</a>
          <a class="btn btn-outline-primary" href="/staff/catalog">{ctx.t('staff.catalog')}</a>
          <a class="btn btn-outline-primary" href="/staff/council">{ctx.t('council.staff_title')}</a>
          {props.memberships.some((m) => m.role === 'pr_editor' || m.role === 'org_admin' || m.role === 'province_admin') ? <a class="btn btn-outline-primary" href="/staff/news">{ctx.t('news_staff.nav')}</a> : null}
          {props.memberships.some((m) => m.role === 'org_admin' || m.role === 'province_admin') ? <a class="btn btn-outline-primary" href="/staff/costs">{ctx.t('costs.nav')}</a> : null}
          {props.memberships.some((m) => m.role === 'org_admin' || m.role === 'province_admin') ? <a class="btn btn-outline-primary" href="/staff/webhooks">{ctx.t('webhooks.nav')}</a> : null}
          {props.memberships.some((m) => m.role === 'province_admin') ? <a class="btn btn-outline-primary" href="/staff/agencies">{ctx.t('external.agencies_title')}</a> : null}
          {props.memberships.filter((m) => m.role === 'org_admin').map((m) => <a class="btn btn-outline-primary" href={`/staff/orgs/${m.orgCode}/external`}>{ctx.t('external.connections_nav', { org: m.orgName })}</a>)}
          {props.memberships.some((m) => m.role === 'org_admin' || m.role === 'province_admin') ? <a class="btn btn-outline-primary" href="/staff/api-clients">{ctx.t('api_clients.nav')}</a> : null}
          {props.memberships.some((m) => m.role === 'council_member' || m.role === 'province_admin') ? <a class="btn btn-outline-primary" href="/staff/audit">{ctx.t('audit_check.nav')}</a> : null}
          <a class="btn btn-outline-primary" href="/staff/security">{ctx.t('staff.security')}</a>
        </div>
      </div>
    </Layout>
  );
}

export function SecurityPage(props: { ctx: ViewContext; enabled: boolean; setup?: { secret: string; uri: string }; errors?: Errors; error?: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('staff.security')}>
      <FormCard title={ctx.t('staff.security')}>
        <FormError message={props.error} />
        {props.enabled ? (
          <>
            <Alert kind="success">{ctx.t('auth.totp_enabled')}</Alert>
            <form method="post" action="/staff/security/totp/disable">
              <CsrfInput ctx={ctx} />
              <button type="submit" class="btn btn-outline-danger">{ctx.t('auth.totp_disable')}</button>
            </form>
          </>
        ) : (
          <>
            <p>{ctx.t('auth.totp_disabled')}</p>
            <h2 class="h5">{ctx.t('auth.totp_setup_title')}</h2>
            <p class="small text-secondary">{ctx.t('auth.totp_setup_lead')}</p>
            {props.setup ? (
              <p>
                {ctx.t('auth.totp_secret')}: <code class="pk-ltr" dir="ltr" data-testid="totp-secret">{props.setup.secret}</code>
                <br />
                <a href={props.setup.uri} class="small pk-ltr" dir="ltr">{props.setup.uri.slice(0, 40)}…</a>
              </p>
            ) : null}
            <form method="post" action="/staff/security/totp" novalidate>
              <CsrfInput ctx={ctx} />
              <Field ctx={ctx} name="code" label={ctx.t('auth.totp_code')} inputMode="numeric" autocomplete="one-time-code" ltr required maxLength={10} error={props.errors?.code} />
              <button type="submit" class="btn btn-primary">{ctx.t('auth.totp_enable')}</button>
            </form>
          </>
        )}
      </FormCard>
    </Layout>
  );
}
