/**
 * Document storage on local disk (DATA_DIR/files). A stored file gets a random key; the
 * uploader's file name never reaches the file system. Content is streamed in while its size is
 * counted and its SHA-256 computed, into a temporary file that is renamed into place only once
 * it is complete, so a half-written or oversized upload never becomes a stored file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromBuffer } from 'file-type';

/** What a stored file is: its key, size, digest and its first bytes (to detect its type). */
export interface StoredFile {
  key: string;
  size: number;
  sha256: string;
  /** Up to the first 4100 bytes, enough for content-type detection. */
  head: Buffer;
}

/** The storage behind documents; tests and deployments may swap the adapter. */
export interface FileStore {
  /**
   * Streams content under a new random key; throws FileTooLarge (and keeps nothing) past maxBytes.
   * With `key` (a stored key plus a variant suffix such as `.thumb`) it stores a derived file there.
   */
  put(content: Buffer | Readable, opts: { maxBytes: number; key?: string }): Promise<StoredFile>;
  /** A stream of a stored file's bytes; throws FileMissing for an unknown key. */
  open(key: string): Promise<Readable>;
  /** Deletes a stored file; an unknown key is not an error. */
  remove(key: string): Promise<void>;
}

export class FileTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`file larger than ${maxBytes} bytes`);
  }
}
export class FileMissing extends Error {}
/** The upload's stream closed before its end (a multipart body cut short, a client gone): nothing was kept. */
export class UploadCutShort extends Error {
  constructor() {
    super('the upload closed before its end');
  }
}
/**
 * The disk (or the quota) that holds the files is full: nothing was kept, and the same upload
 * may succeed once an operator frees space. Callers answer it with 507 naming the field.
 */
export class StorageFull extends Error {
  constructor(readonly code: string) {
    super(`file storage is full (${code})`);
  }
}
const isStorageFull = (err: unknown) => ['ENOSPC', 'EDQUOT'].includes(String((err as NodeJS.ErrnoException)?.code));

const HEAD_BYTES = 4100;
// Two hex characters of fan-out, then 64 hex characters of randomness: nothing a user chose;
// a derived variant of a stored file (a news image's thumbnail) adds a fixed suffix.
const KEY_RE = /^[0-9a-f]{2}\/[0-9a-f]{64}(\.thumb)?$/;

class Meter extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  private headParts: Buffer[] = [];
  private headSize = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return done(new FileTooLarge(this.maxBytes));
    this.hash.update(chunk);
    if (this.headSize < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headSize);
      this.headParts.push(Buffer.from(part));
      this.headSize += part.length;
    }
    done(null, chunk);
  }
  head(): Buffer {
    return Buffer.concat(this.headParts);
  }
}

/** A file store in a directory on local disk (created when first used). */
export function createLocalFileStore(root: string): FileStore {
  const pathOf = (key: string) => {
    if (!KEY_RE.test(key)) throw new FileMissing(key);
    return join(root, ...key.split('/'));
  };
  return {
    async put(content, { maxBytes, key: given }) {
      if (given !== undefined && !KEY_RE.test(given)) throw new FileMissing(given);
      const random = randomBytes(32).toString('hex');
      const key = given ?? `${random.slice(0, 2)}/${random}`;
      const tmpDir = join(root, 'tmp');
      await mkdir(tmpDir, { recursive: true }).catch((err: unknown) => {
        throw isStorageFull(err) ? new StorageFull(String((err as NodeJS.ErrnoException).code)) : err;
      });
      const tmp = join(tmpDir, `${random}.part`);
      const meter = new Meter(maxBytes);
      const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
      // pipe() rather than pipeline() for the source: a refused upload must not destroy the
      // request's stream, which is drained instead so the client can still get its answer.
      const onSourceError = (err: Error) => meter.destroy(err);
      // A source destroyed without an error (the multipart parser does that to a part cut short,
      // possibly before we get here) never ends the pipe: without this the upload waits forever.
      const onSourceClose = () => { if (!source.readableEnded) meter.destroy(new UploadCutShort()); };
      source.once('error', onSourceError);
      source.once('close', onSourceClose);
      source.pipe(meter);
      if (source.destroyed) onSourceClose();
      try {
        await pipeline(meter, createWriteStream(tmp, { flags: 'wx', mode: 0o640 }));
        await mkdir(join(root, key.slice(0, 2)), { recursive: true });
        await rename(tmp, pathOf(key));
      } catch (err) {
        source.unpipe(meter);
        if (!source.destroyed) source.resume();
        await rm(tmp, { force: true });
        if (isStorageFull(err)) throw new StorageFull(String((err as NodeJS.ErrnoException).code));
        throw err;
      } finally {
        source.off('error', onSourceError);
        source.off('close', onSourceClose);
      }
      return { key, size: meter.size, sha256: meter.hash.digest('hex'), head: meter.head() };
    },
    async open(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch {
        throw new FileMissing(key);
      }
      return createReadStream(path);
    },
    async remove(key) {
      if (!KEY_RE.test(key)) return;
      await rm(pathOf(key), { force: true });
    },
  };
}

/** The type of a file by its content (magic numbers), or null when it is not a known binary type. */
export async function detectFileType(head: Buffer): Promise<{ ext: string; mime: string } | null> {
  const found = await fileTypeFromBuffer(head);
  return found ? { ext: found.ext, mime: found.mime } : null;
}

/**
 * A file name safe to show and to put in a Content-Disposition header: no directories, no
 * control or bidi characters, at most 120 characters; 'file' when nothing is left.
 */
export function safeFilename(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = base.normalize('NFC').replace(/[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"]/g, '').trim();
  const trimmed = clean.replace(/^\.+/, '').slice(-120);
  return trimmed || 'file';
}
