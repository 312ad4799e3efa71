import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../wiring.js';
import { notFound } from '../../platform/http/errors.js';
import { areasGeoJson } from './areas.js';
import { errorReply } from './schemas.js';

const position = z.array(z.number()).describe('[longitude, latitude]');
const areasQuery = z.object({ org: z.string().max(64).regex(/^[a-z0-9-]+$/).optional().meta({ description: 'a municipality code, e.g. babol', example: 'babol' }) });
const areasReply = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.object({
    type: z.literal('Feature'),
    properties: z.object({ code: z.string(), name_fa: z.string(), name_en: z.string() }),
    geometry: z.discriminatedUnion('type', [
      z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position)) }),
      z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(position))) }),
    ]),
  })),
}).meta({
  example: {
    type: 'FeatureCollection',
    features: [{
      type: 'Feature', properties: { code: 'babol', name_fa: 'شهرداری بابل', name_en: 'Babol Municipality' },
      geometry: { type: 'Polygon', coordinates: [[[52.642, 36.514], [52.718, 36.514], [52.718, 36.576], [52.642, 36.576], [52.642, 36.514]]] },
    }],
  },
});

/** Municipality boundaries as public GeoJSON, for maps: which municipality a report will go to. */
export function areasRoutes(deps: AppDeps) {
  return async function plugin(app: FastifyInstance) {
    app.withTypeProvider<ZodTypeProvider>().get('/api/v1/public/areas', {
      schema: {
        tags: ['reports'], summary: 'Municipality boundaries (GeoJSON FeatureCollection): a report goes to the municipality whose area contains its point',
        description: 'Without org, every municipality that has a boundary. An org code without a boundary answers 404.',
        querystring: areasQuery, response: { 200: areasReply, 400: errorReply, 404: errorReply },
      },
    }, async (req, reply) => {
      const collection = await areasGeoJson(deps.db, req.query.org === undefined ? undefined : [req.query.org]);
      if (req.query.org !== undefined && collection.features.length === 0) throw notFound();
      return reply.header('cache-control', 'public, max-age=300').send(collection);
    });
  };
}
