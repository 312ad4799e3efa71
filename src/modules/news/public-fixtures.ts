// Test factories of the public newsroom: articles as the editor side stores them (body_html
// already sanitized, search_text folded, tags in news_tags), and stored images.
import { newId } from '../../platform/core/index.js';
import type { DB } from '../../platform/db/index.js';
import type { FileStore } from '../../platform/files/index.js';
import { searchKey } from '../../platform/i18n/persian.js';

export interface ArticleFixture {
  orgId: string;
  code: number;
  title: string;
  lead?: string;
  bodyHtml?: string;
  tags?: string[];
  state?: 'draft' | 'scheduled' | 'published' | 'unpublished';
  publishedAt?: number | null;
  correctedAt?: number | null;
  lang?: 'fa' | 'en';
}

/** Inserts an article (and its tags) directly; returns its id. */
export async function makeArticle(db: DB, a: ArticleFixture): Promise<string> {
  const id = newId();
  const lead = a.lead ?? `خلاصه خبر ${a.code}`;
  const body = a.bodyHtml ?? `<p>متن خبر ${a.code}</p>`;
  const tags = a.tags ?? [];
  const plain = body.replace(/<[^>]*>/g, ' ');
  const at = a.publishedAt === undefined ? Date.parse('2015-02-01T19:45:00Z') : a.publishedAt;
  await db.insertInto('news_articles').values({
    id, org_id: a.orgId, code: a.code, lang: a.lang ?? 'fa', title: a.title, lead, body_format: 'html', body_source: body, body_html: body,
    tags: JSON.stringify(tags), state: a.state ?? 'published', publish_at: a.state === 'scheduled' ? at : null, published_at: at,
    corrected_at: a.correctedAt ?? null, search_text: searchKey(`${a.title} ${lead} ${plain} ${tags.join(' ')}`),
    created_by: null, updated_by: null, created_at: at ?? Date.parse('2015-01-01T00:00:00Z'), updated_at: at ?? Date.parse('2015-01-01T00:00:00Z'),
  }).execute();
  for (const tag of tags) {
    await db.insertInto('news_tags').values({ article_id: id, tag, tag_key: searchKey(tag) }).onConflict((oc) => oc.doNothing()).execute();
  }
  return id;
}

/** A 1x1 PNG. */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Stores an image for an article (the main image only, as an editor's upload would). */
export async function makeImage(db: DB, files: FileStore, a: { articleId: string; orgId: string; caption?: string; position?: number; bytes?: Buffer }): Promise<string> {
  const content = a.bytes ?? PNG_1X1;
  const stored = await files.put(content, { maxBytes: 10_000_000 });
  const id = newId();
  await db.insertInto('news_images').values({
    id, article_id: a.articleId, org_id: a.orgId, storage_key: stored.key, mime: 'image/png', width: 1, height: 1, bytes: stored.size,
    caption: a.caption ?? '', position: a.position ?? 0, created_at: Date.parse('2015-02-01T19:00:00Z'),
  }).execute();
  return id;
}

// --- a real SMTP server for the share tests, and enough MIME to read what arrived -------------

/** A message as the test SMTP server received it. */
export interface ReceivedMail { rcpt: string[]; raw: string }

/** A real SMTP server on 127.0.0.1 and a free port that keeps every message (raw). */
export async function startSmtp(): Promise<{ url: string; messages: ReceivedMail[]; close(): Promise<void> }> {
  const { SMTPServer } = await import('smtp-server');
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ rcpt: session.envelope.rcptTo.map((a) => a.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function decodeQp(text: string): Buffer {
  const s = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i]!, 'utf8'));
  }
  return Buffer.from(bytes);
}

/** The subject and the plain text of a single-part UTF-8 message, decoded. */
export function readMail(raw: string): { subject: string; text: string; headers: Map<string, string> } {
  const at = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const subject = (headers.get('subject') ?? '').replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_m, _cs: string, enc: string, data: string) =>
    (enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQp(data.replace(/_/g, ' '))).toString('utf8'));
  const body = raw.slice(at + 4);
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text = (cte === 'base64' ? Buffer.from(body, 'base64') : cte === 'quoted-printable' ? decodeQp(body) : Buffer.from(body, 'utf8')).toString('utf8').replace(/\r\n/g, '\n').trimEnd();
  return { subject, text, headers };
}
