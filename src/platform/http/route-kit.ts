import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Clock } from '../core/index.js';
import { unauthorized } from './errors.js';
import { viewContext } from './context.js';
import { seeOther } from './forms.js';
import type { ViewContext } from '../views/context.js';

/** The small helpers every module's routes use: view context, sign-in redirects, the API actor. */
export function routeKit(opts: { isProduction: boolean; clock: Clock }) {
  return {
    /** The view context of this request, with the clock the app was built with. */
    ctxOf: (req: FastifyRequest, reply: FastifyReply): ViewContext => viewContext(req, reply, { isProduction: opts.isProduction, now: opts.clock.now() }),
    /** Sends a page visitor to sign in, coming back here afterwards. */
    signInFirst: (req: FastifyRequest, reply: FastifyReply, loginPath = '/login'): FastifyReply => seeOther(reply, `${loginPath}?next=${encodeURIComponent(req.url)}`),
    signedIn: (req: FastifyRequest): boolean => req.actor.kind === 'citizen' || req.actor.kind === 'staff',
    /** The signed-in actor of an API call; 401 when nobody is signed in. */
    apiActor: (req: FastifyRequest): Actor => {
      if (req.actor.kind === 'anonymous' || req.actor.kind === 'system') throw unauthorized();
      return req.actor;
    },
  };
}
