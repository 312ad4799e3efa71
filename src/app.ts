import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { h } from 'preact';
import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import csrf from '@fastify/csrf-protection';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from './wiring.js';
import { installErrorHandlers, sendError } from './platform/http/error-handler.js';
import { AppError } from './platform/http/errors.js';
import { csrfUserInfo, LANG_COOKIE, SESSION_COOKIE, sendPage, wantsJson } from './platform/http/context.js';
import { makeViewContext } from './platform/views/context.js';
import { ErrorPage } from './platform/views/error-page.js';
import { t as translate } from './platform/i18n/messages.js';
import { installMetrics } from './platform/http/metrics.js';
import { apiKeyOf, checkApiClientRoute, DEFAULT_RATE_PER_MINUTE, resolveApiKey } from './platform/auth/api-keys.js';
import { opsRoutes } from './modules/ops/routes.js';
import { homeRoutes } from './modules/home/routes.js';
import { identityRoutes } from './modules/identity/routes.js';
import { orgsRoutes } from './modules/orgs/routes.js';
import { catalogRoutes } from './modules/catalog/routes.js';
import { messagesRoutes } from './modules/messages/routes.js';
import { applicationsRoutes } from './modules/applications/routes.js';
import { caseworkRoutes } from './modules/casework/routes.js';
import { paymentsRoutes } from './modules/payments/routes.js';
import { leviesRoutes } from './modules/payments/levies-routes.js';
import { clearanceRoutes } from './modules/payments/clearance-routes.js';
import { reportsRoutes } from './modules/payments/reports-routes.js';
import { grievancesRoutes } from './modules/grievances/routes.js';
import { areasRoutes } from './modules/grievances/areas-routes.js';
import { categoryRoutes } from './modules/grievances/category-routes.js';
import { grievancesWeb } from './modules/grievances/web.js';
import { grievancesStaffWeb } from './modules/grievances/staff-web.js';
import { open311Routes } from './modules/open311/routes.js';
import { openDataRoutes } from './modules/transparency/open-data-routes.js';
import { transparencyRoutes } from './modules/transparency/routes.js';
import { costRoutes } from './modules/transparency/costs.js';
import { costPages } from './modules/transparency/costs-pages.js';
import { councilRoutes } from './modules/council/routes.js';
import { newsRoutes } from './modules/news/routes.js';
import { newsWeb } from './modules/news/web.js';
import { webhooksRoutes } from './modules/integration/webhooks-routes.js';
import { webhooksPages } from './modules/integration/webhooks-pages.js';
import { agenciesRoutes } from './modules/integration/agencies-routes.js';
import { externalRoutes } from './modules/integration/external-routes.js';
import { integrationClientsRoutes } from './modules/integration/clients-routes.js';
import { integrationAuditRoutes } from './modules/integration/audit-routes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nodeModules = join(root, 'node_modules');

/**
 * Builds the whole HTTP application. Read top to bottom, this is the request pipeline:
 * request id and logs -> security headers -> cookies, forms, CSRF -> rate limits -> who is
 * acting and in which language -> the modules' routes -> errors as JSON or localized pages.
 */
export async function buildApp(deps: AppDeps, opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: opts.logger === false ? false : { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
    },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // A path the router cannot decode (`%ZZ`, `%C0%AF`) or a parameter past its length gets the
    // localized problem (JSON or page) of any bad input, not Fastify's own JSON echoing the path.
    frameworkErrors: (err, req, reply) => {
      // No hook or plugin has run for it (no cookies, no session): the page is drawn signed out.
      const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      req.locale = req.url.startsWith('/api/') && /^en\b/i.test(String(req.headers['accept-language'] ?? '')) ? 'en' : 'fa';
      if (wantsJson(req)) return sendError(req, reply, new AppError('common.invalid_input', status), config.isProduction);
      const ctx = makeViewContext({ locale: req.locale, path: '/', user: null, csrf: '', isProduction: config.isProduction, now: Date.now() });
      return sendPage(reply, h(ErrorPage, { ctx, status, message: translate(req.locale, 'common.invalid_input') }), status);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...(config.map.tileOrigin ? [config.map.tileOrigin] : [])],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        // The Pay button's answer redirects to the payment gateway; browsers apply form-action to that redirect.
        formAction: ["'self'", ...(deps.paymentGateway.redirectOrigin ? [deps.paymentGateway.redirectOrigin] : [])],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie, { secret: config.sessionSecret });
  await app.register(formbody);
  const secureCookies = config.isProduction || config.publicUrl.startsWith('https://');
  // A form token is bound to the session cookie it was issued under (csrfUserInfo): one taken
  // before sign-in, or planted from another session, is refused once the session changes.
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie', cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies },
    getUserInfo: csrfUserInfo, csrfOpts: { hmacKey: config.sessionSecret },
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) => new AppError('common.rate_limited', 429, {}, { seconds: Math.ceil(context.ttl / 1000) }),
  });

  await app.register(fastifyStatic, { root: join(root, 'src/platform/views/static'), prefix: '/static/', maxAge: '1h' });
  await app.register(fastifyStatic, { root: join(nodeModules, 'bootstrap/dist/css'), prefix: '/static/vendor/bootstrap/', decorateReply: false, maxAge: '7d', immutable: true });
  await app.register(fastifyStatic, { root: join(nodeModules, 'vazirmatn/fonts/webfonts'), prefix: '/static/vendor/vazirmatn/', decorateReply: false, maxAge: '30d', immutable: true });
  await app.register(fastifyStatic, { root: join(nodeModules, 'leaflet/dist'), prefix: '/static/vendor/leaflet/', decorateReply: false, maxAge: '7d', immutable: true });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Pishkhan API', version: '1', description: 'The JSON API of Pishkhan, the e-services platform of the municipalities of a province. Errors answer `{ error: { code, message, fields, request_id } }` with messages in the language of the `Accept-Language` header or `pk_lang` cookie (Persian by default).' },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }, bearer: { type: 'http', scheme: 'bearer', description: 'The session token returned by the sign-in calls, or an API key (pk_...) of an organization; a key reaches only the routes its scopes open (see docs/api.md, "API clients").' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'An API key (pk_...) of an organization, instead of Authorization: Bearer.' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { deepLinking: false, validatorUrl: null } });

  installMetrics(app);

  // Who is acting, and in which language. Pages read the session cookie; API clients may
  // instead send the session token as a Bearer token.
  app.decorateRequest('actor', null as never);
  app.decorateRequest('locale', 'fa');
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('sessionInfo', null);
  app.decorateRequest('apiClient', null);
  // Each API client has its own budget of requests a minute (its rate_per_minute).
  const apiClientLimit = app.rateLimit({
    max: (req) => req.apiClient?.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (req) => `api_client:${req.apiClient?.id ?? req.ip}`,
  });
  app.addHook('onRequest', async (req, reply) => {
    const queryLang = (req.query as { lang?: string } | undefined)?.lang;
    const cookieLang = req.cookies[LANG_COOKIE];
    const header = String(req.headers['accept-language'] ?? '');
    req.locale = queryLang === 'en' || queryLang === 'fa' ? queryLang : cookieLang === 'en' || cookieLang === 'fa' ? cookieLang : req.url.startsWith('/api/') && /^en\b/i.test(header) ? 'en' : 'fa';
    req.actor = { kind: 'anonymous', id: null, ip: req.ip };
    // Another system with an API key (Bearer pk_... or X-Api-Key): its org, its scopes, its rate.
    const apiKey = req.url.startsWith('/api/') ? apiKeyOf(req.headers) : null;
    if (apiKey !== null) {
      const client = await resolveApiKey(deps.db, apiKey, deps.clock.now(), req.ip);
      if (!client) throw new AppError('api_client.key_invalid', 401);
      req.actor = client.actor;
      req.apiClient = { id: client.actor.id, ratePerMinute: client.ratePerMinute };
      await apiClientLimit.call(app, req, reply);
      checkApiClientRoute(req);
      return;
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : req.cookies[SESSION_COOKIE];
    if (!token || token.length > 200 || req.url.startsWith('/static/')) return;
    const resolved = await deps.services.identity.resolveSession(token, req.ip);
    if (!resolved) return;
    req.sessionToken = token;
    req.sessionInfo = resolved.session;
    req.actor = resolved.actor;
  });
  // Cookie-authenticated API writes must be JSON, which a cross-site form cannot send.
  app.addHook('preHandler', async (req) => {
    if (!req.url.startsWith('/api/') || req.method === 'GET' || req.method === 'HEAD') return;
    if (req.headers.authorization?.startsWith('Bearer ') || !req.cookies[SESSION_COOKIE]) return;
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new AppError('common.csrf', 403);
  });

  installErrorHandlers(app, config.isProduction);

  await app.register(opsRoutes(deps));
  await app.register(homeRoutes(deps));
  await app.register(identityRoutes(deps));
  await app.register(orgsRoutes(deps));
  await app.register(catalogRoutes(deps));
  await app.register(messagesRoutes(deps));
  await app.register(applicationsRoutes(deps));
  await app.register(caseworkRoutes(deps));
  await app.register(paymentsRoutes(deps));
  await app.register(leviesRoutes(deps));
  await app.register(clearanceRoutes(deps));
  await app.register(reportsRoutes(deps));
  await app.register(grievancesRoutes(deps));
  await app.register(areasRoutes(deps));
  await app.register(categoryRoutes(deps));
  await app.register(grievancesWeb(deps));
  await app.register(grievancesStaffWeb(deps));
  await app.register(open311Routes(deps));
  await app.register(openDataRoutes(deps));
  await app.register(transparencyRoutes(deps));
  await app.register(costRoutes, { db: deps.db, clock: deps.clock });
  await app.register(costPages, { db: deps.db, clock: deps.clock, isProduction: deps.config.isProduction });
  await app.register(councilRoutes(deps));
  await app.register(newsRoutes(deps));
  await app.register(newsWeb(deps));
  await app.register(webhooksRoutes(deps));
  await app.register(webhooksPages(deps));
  await app.register(agenciesRoutes(deps));
  await app.register(externalRoutes(deps));
  await app.register(integrationClientsRoutes(deps));
  await app.register(integrationAuditRoutes(deps));

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
