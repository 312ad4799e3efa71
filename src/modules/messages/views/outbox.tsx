import type { ViewContext } from '../../../platform/views/context.js';
import { Layout } from '../../../platform/views/components.js';
import { formatDateTime } from '../../../platform/i18n/format.js';

export interface OutboxItem { channel: string; to: string; subject: string | null; body: string; created_at: string }

/** Development only: every SMS and email that would have been sent, newest first. */
export function DevOutboxPage(props: { ctx: ViewContext; items: OutboxItem[] }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('dev.outbox_title')}>
      <div class="container py-4">
        <h1 class="h3">{ctx.t('dev.outbox_title')}</h1>
        <p class="text-secondary">{ctx.t('dev.outbox_lead')} <a href="/dev/outbox.json">JSON</a></p>
        {props.items.length === 0 ? <p>{ctx.t('dev.outbox_empty')}</p> : (
          <div class="table-responsive">
            <table class="table bg-white align-top">
              <thead><tr><th scope="col">{ctx.t('dev.when')}</th><th scope="col">{ctx.t('dev.channel')}</th><th scope="col">{ctx.t('dev.to')}</th><th scope="col">{ctx.t('dev.body')}</th></tr></thead>
              <tbody>
                {props.items.map((m) => (
                  <tr>
                    <td>{formatDateTime(Date.parse(m.created_at), ctx.locale)}</td>
                    <td>{m.channel}</td>
                    <td dir="ltr">{m.to}</td>
                    <td>{m.subject ? <strong>{m.subject}<br /></strong> : null}<span class="pk-message-body">{m.body}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Layout>
  );
}
