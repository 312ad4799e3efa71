// The app's route table, read from Fastify's own printout (printRoutes), so the security sweeps
// cover every route registered now and any added later, without a hand list that goes stale.
import type { FastifyInstance } from 'fastify';

export interface RouteEntry { method: string; path: string }

/**
 * Every (method, path) the app serves, HEAD and OPTIONS left out. A node printed as
 * `:code|:org` (two parameter names at one place) yields one path per name.
 */
export function routeTable(app: FastifyInstance): RouteEntry[] {
  const text = app.printRoutes({ commonPrefix: false });
  const stack: string[][] = [];
  const out = new Map<string, RouteEntry>();
  for (const line of text.split('\n')) {
    const m = line.match(/^([│ ]*)(?:[├└]── )?(.*?)(?: \(([A-Z, ]+)\))?$/u);
    if (!m || !m[2]) continue;
    const indent = m[1]!.length;
    const depth = line.includes('── ') ? Math.floor(indent / 4) + 1 : 0;
    const alternatives = m[2].split('|').map((seg, i, all) => (i === 0 ? seg : all[0]!.replace(/:[^/]*$/, seg)));
    const parents = depth === 0 ? [''] : stack[depth - 1] ?? [''];
    const here = parents.flatMap((p) => alternatives.map((a) => p + a));
    stack[depth] = here;
    stack.length = depth + 1;
    if (!m[3]) continue;
    for (const method of m[3].split(', ')) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      for (const path of here) out.set(`${method} ${path}`, { method, path });
    }
  }
  return [...out.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The route's path with each :param replaced by the value `fill` gives for it. */
export function fillPath(path: string, fill: (param: string, path: string) => string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, (_m, name: string) => encodeURIComponent(fill(name, path)));
}
