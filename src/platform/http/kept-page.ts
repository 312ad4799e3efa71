import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A response kept in memory to be sent again as it is: its bytes encoded once, a strong ETag,
 * and compressed copies made the first time a client asks for them.
 */
export interface KeptPage {
  body: Buffer;
  type: string;
  etag: string;
  at: number;
  encoded: Map<'br' | 'gzip', Buffer>;
}

/** Keeps a body (HTML by default) as of `at`. */
export function keptPage(body: string | Buffer, at: number, type = 'text/html; charset=utf-8'): KeptPage {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  return { body: bytes, type, etag, at, encoded: new Map() };
}

/** If-None-Match compares weakly (RFC 9110 13.1.2). */
export function etagMatches(req: FastifyRequest, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return String(header).split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

/** The best encoding the client accepts (br, then gzip), unless it gave it q=0. */
function encodingFor(req: FastifyRequest): 'br' | 'gzip' | null {
  const header = String(req.headers['accept-encoding'] ?? '').toLowerCase();
  if (!header) return null;
  const accepted = new Set(header.split(',').map((part) => part.trim().split(';')).filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q.trim())).map(([name]) => name!.trim()));
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

function encode(kept: KeptPage, encoding: 'br' | 'gzip'): Buffer {
  let bytes = kept.encoded.get(encoding);
  if (!bytes) {
    bytes = encoding === 'br'
      ? brotliCompressSync(kept.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: kept.body.length } })
      : gzipSync(kept.body, { level: 6 });
    kept.encoded.set(encoding, bytes);
  }
  return bytes;
}

/**
 * Sends a kept response: 304 when the client already has it, else its bytes, compressed when the
 * client accepts it. `no-cache` lets browsers keep it but ask again each time (the ETag makes that cheap).
 */
export function sendKept(req: FastifyRequest, reply: FastifyReply, kept: KeptPage, opts: { cacheControl?: string; vary?: string } = {}): FastifyReply {
  reply.header('etag', kept.etag).header('cache-control', opts.cacheControl ?? 'no-cache').header('vary', opts.vary ?? 'accept-encoding, accept-language, cookie');
  if (etagMatches(req, kept.etag)) return reply.status(304).send();
  reply.type(kept.type);
  const encoding = kept.body.length >= 1024 ? encodingFor(req) : null;
  if (!encoding) return reply.send(kept.body);
  return reply.header('content-encoding', encoding).send(encode(kept, encoding));
}

/** Kept responses by key, each for `ttlMs`; at `limit` entries the oldest half is dropped. */
export class KeptPages {
  private readonly pages = new Map<string, KeptPage>();
  constructor(private readonly ttlMs: number, private readonly limit = 500) {}

  get(key: string, now: number): KeptPage | undefined {
    const kept = this.pages.get(key);
    if (kept && now - kept.at < this.ttlMs) return kept;
    if (kept) this.pages.delete(key);
    return undefined;
  }

  set(key: string, kept: KeptPage): KeptPage {
    if (this.pages.size >= this.limit) {
      let drop = Math.ceil(this.limit / 2);
      for (const k of this.pages.keys()) { if (drop-- <= 0) break; this.pages.delete(k); }
    }
    this.pages.set(key, kept);
    return kept;
  }
}
