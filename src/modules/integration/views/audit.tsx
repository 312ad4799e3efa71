import type { ViewContext } from '../../../platform/views/context.js';
import { Alert, Layout } from '../../../platform/views/components.js';
import { formatNumber } from '../../../platform/i18n/format.js';
import type { AuditVerification } from '../../../platform/audit/index.js';

/** The audit chain check as council members see it (/staff/audit). */
export function AuditCheckPage(props: { ctx: ViewContext; result: AuditVerification }) {
  const { ctx, result } = props;
  const n = (x: number) => formatNumber(x, ctx.locale);
  return (
    <Layout ctx={ctx} title={ctx.t('audit_check.title')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('audit_check.title')}</h1>
        <p class="lead">{ctx.t('audit_check.lead')}</p>
        {result.ok
          ? <Alert kind="success">{ctx.t('audit_check.ok', { entries: n(result.checked) })}</Alert>
          : <Alert kind="danger">{ctx.t('audit_check.broken', { seq: n(result.problem!.seq), reason: ctx.t(`audit_check.reason.${result.problem!.reason}`), entries: n(result.checked) })}</Alert>}
        <p class="text-body-secondary small"><code dir="ltr">GET /api/v1/audit/verify</code> · <code dir="ltr">pishkhan audit verify</code></p>
      </div>
    </Layout>
  );
}
