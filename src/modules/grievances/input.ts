import type { FastifyRequest } from 'fastify';
import { badInput } from '../../platform/http/errors.js';

// PostgreSQL text cannot hold a NUL character: a query with one fails (a 500), where SQLite
// would store it. Report routes refuse it up front, the same on both databases.

/**
 * Whether a value (a string, or strings inside arrays and objects) holds a NUL character. Walks
 * with its own stack: a body nested thousands deep (`[[[[...]]]]`) must not overflow the call stack.
 */
export function hasNulByte(value: unknown): boolean {
  const todo: unknown[] = [value];
  while (todo.length) {
    const v = todo.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (Array.isArray(v)) {
      todo.push(...v);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        todo.push(x);
      }
    }
  }
  return false;
}

/** A preValidation hook: 400 when the path, the query or a parsed body holds a NUL character. */
export async function refuseNulBytes(req: FastifyRequest): Promise<void> {
  if (hasNulByte(req.params) || hasNulByte(req.query) || hasNulByte(req.body)) throw badInput({});
}
