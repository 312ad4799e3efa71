import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../wiring.js';

/** The public newsroom: articles, lists, archive, search, feeds, send to a friend. */
export function newsWeb(deps: AppDeps) {
  void deps;
  return async function (app: FastifyInstance) {
    void app;
  };
}
