import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../wiring.js';

/** The newsroom's JSON API and the PR editors' pages (/staff/news). */
export function newsRoutes(deps: AppDeps) {
  void deps;
  return async function (app: FastifyInstance) {
    void app;
  };
}
