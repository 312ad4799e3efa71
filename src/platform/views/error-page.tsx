import type { ViewContext } from './context.js';
import { Layout } from './components.js';

export function ErrorPage(props: { ctx: ViewContext; status: number; message: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('common.error_title')}>
      <div class="container py-5">
        <h1 class="h3">{ctx.t('common.error_title')} <span class="text-secondary">({props.status})</span></h1>
        <p role="alert">{props.message}</p>
        <a class="btn btn-primary" href="/">{ctx.t('common.back_home')}</a>
      </div>
    </Layout>
  );
}
