import type { FastifyRequest } from 'fastify';

/**
 * The route option that limits filing city problem reports: per citizen when signed in, per API
 * client (Open311 api_key), otherwise per address. Checked after sign-in and body parsing.
 */
export function filingLimit(perMinute: number, keyOf?: (req: FastifyRequest) => string | undefined) {
  return {
    rateLimit: {
      max: perMinute,
      timeWindow: '1 minute',
      hook: 'preHandler' as const,
      keyGenerator: (req: FastifyRequest) => keyOf?.(req) ?? (req.actor?.kind === 'citizen' ? `citizen:${req.actor.id}` : `ip:${req.ip}`),
    },
  };
}
