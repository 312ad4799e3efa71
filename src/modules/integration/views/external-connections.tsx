import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, CsrfInput, Layout } from '../../../platform/views/components.js';
import type { ConnectionView } from '../external.js';
import { txt } from './external-service.js';
import '../messages-external.js';

/** /staff/orgs/:org/external: which adopted services are processed in an external system, and where. */
export function ConnectionsPage(props: {
  ctx: ViewContext; org: { code: string; name: { fa: string; en: string } }; items: ConnectionView[];
  secret?: { service: string; value: string }; notice?: string; error?: { service: string; message: string; fields: Record<string, string>; values: Record<string, string> };
}) {
  const { ctx, org } = props;
  const title = ctx.t('external.connections_title', { org: txt(ctx, org.name) });
  return (
    <Layout ctx={ctx} title={title}>
      <div class="container py-4">
        <nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/staff">{ctx.t('nav.staff_home')}</a></li><li class="breadcrumb-item active" aria-current="page">{title}</li></ol></nav>
        <h1 class="h3">{title}</h1>
        <p class="text-secondary">{ctx.t('external.connections_lead')}</p>
        {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
        {props.secret ? (
          <div class="alert alert-warning" role="status" data-testid="secret-once">
            <p class="mb-1">{ctx.t('external.secret_once')}</p>
            <code class="d-block pk-ltr user-select-all" dir="ltr">{props.secret.value}</code>
          </div>
        ) : null}
        {props.items.length === 0 ? <p>{ctx.t('external.no_services_adopted')}</p> : (
          <ul class="list-unstyled">
            {props.items.map((i) => {
              const err = props.error?.service === i.service.code ? props.error : undefined;
              const id = `c-${i.service.code}`;
              return (
                <li class="pk-card p-3 mb-3">
                  <h2 class="h6 mb-1">{txt(ctx, i.service.title)} <span class="text-secondary small pk-ltr" dir="ltr">{i.service.code}</span></h2>
                  <p class="small mb-2">
                    {i.connection ? (i.connection.active ? <span class="badge text-bg-info">{ctx.t('external.connection_on')}</span> : <span class="badge text-bg-secondary">{ctx.t('external.connection_off')}</span>)
                      : <span class="badge text-bg-light border">{ctx.t('external.connection_none')}</span>}
                  </p>
                  {err ? <Alert kind="danger">{err.message}</Alert> : null}
                  <form method="post" action={`/staff/orgs/${org.code}/external/${i.service.code}`} class="row g-2 align-items-end" novalidate>
                    <CsrfInput ctx={ctx} />
                    <div class="col-12 col-md-7">
                      <label class="form-label small" for={`${id}-url`}>{ctx.t('external.connection_url')}</label>
                      <input id={`${id}-url`} name="url" type="url" dir="ltr" maxLength={2000} class={`form-control pk-ltr${err?.fields.url ? ' is-invalid' : ''}`}
                        value={err?.values.url ?? i.connection?.url ?? ''} aria-invalid={err?.fields.url ? 'true' : undefined} aria-describedby={err?.fields.url ? `${id}-url-error` : undefined} />
                      {err?.fields.url ? <div id={`${id}-url-error`} class="invalid-feedback d-block">{err.fields.url}</div> : null}
                    </div>
                    <div class="col-12 col-md-3 form-check ms-2">
                      <input class="form-check-input" type="checkbox" id={`${id}-active`} name="active" value="on" checked={i.connection ? i.connection.active : true} />
                      <label class="form-check-label small" for={`${id}-active`}>{ctx.t('external.connection_active')}</label>
                    </div>
                    <div class="col-auto"><button type="submit" class="btn btn-sm btn-primary">{i.connection ? ctx.t('external.save') : ctx.t('external.connect')}</button></div>
                  </form>
                  {i.connection ? (
                    <form method="post" action={`/staff/orgs/${org.code}/external/${i.service.code}/rotate`} class="mt-2">
                      <CsrfInput ctx={ctx} />
                      <button type="submit" class="btn btn-sm btn-outline-warning">{ctx.t('external.rotate_secret')}</button>
                    </form>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Layout>
  );
}
