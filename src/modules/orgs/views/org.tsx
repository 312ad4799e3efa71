import type { ViewContext } from '../../../platform/views/context.js';
import { Layout } from '../../../platform/views/components.js';
import { formatNumber } from '../../../platform/i18n/format.js';
import type { OrgView } from '../service.js';

export function OrgPage(props: { ctx: ViewContext; org: OrgView }) {
  const { ctx, org } = props;
  return (
    <Layout ctx={ctx} title={org.name[ctx.locale]}>
      <div class="container py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/">{ctx.t('nav.home')}</a></li><li class="breadcrumb-item active" aria-current="page">{org.name[ctx.locale]}</li></ol></nav>
        <h1 class="h3">{org.name[ctx.locale]}</h1>
        <p class="text-secondary">{ctx.t(`org.kind.${org.kind}`)}{org.population ? ` · ${formatNumber(org.population, ctx.locale)}` : ''}</p>
        <a class="btn btn-primary" href={`/services?org=${org.code}`}>{ctx.t('catalog.view_all')}</a>
      </div>
    </Layout>
  );
}

export function OrgStaffPage(props: { ctx: ViewContext; org: OrgView; staff: { username: string; display_name: string; role: string; totp_enabled: boolean }[] }) {
  const { ctx, org } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('staff.org_staff', { org: org.name[ctx.locale] })}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('staff.org_staff', { org: org.name[ctx.locale] })}</h1>
        <div class="table-responsive">
          <table class="table table-striped bg-white">
            <thead><tr><th scope="col">{ctx.t('auth.username')}</th><th scope="col">{ctx.t('profile.first_name')}</th><th scope="col">{ctx.t('staff.role')}</th><th scope="col">{ctx.t('staff.totp')}</th></tr></thead>
            <tbody>
              {props.staff.map((s) => (
                <tr><td><span dir="ltr">{s.username}</span></td><td>{s.display_name}</td><td>{ctx.t(`role.${s.role}`)}</td><td>{s.totp_enabled ? '✓' : '—'}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </Layout>
  );
}
