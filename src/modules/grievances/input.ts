import type { FastifyRequest } from 'fastify';
import { badInput } from '../../platform/http/errors.js';

// PostgreSQL text cannot hold a NUL character: a query with one fails (a 500), where SQLite
// would store it. Report routes refuse it up front, the same on both databases.

/** Whether a value (a string, or strings inside arrays and objects) holds a NUL character. */
export function hasNulByte(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNulByte);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNulByte(v));
  return false;
}

/** A preValidation hook: 400 when the path, the query or a parsed body holds a NUL character. */
export async function refuseNulBytes(req: FastifyRequest): Promise<void> {
  if (hasNulByte(req.params) || hasNulByte(req.query) || hasNulByte(req.body)) throw badInput({});
}
