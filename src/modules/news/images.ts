// News images: checked by their content (not their name or declared type), decoded, turned
// upright, resized and re-encoded, which also drops every metadata block (EXIF with its GPS
// position, XMP, comments). The main image's longest side is at most 1600 px, the thumbnail's 400 px.
import sharp from 'sharp';
import { detectFileType } from '../../platform/files/index.js';
import { badInput } from '../../platform/http/errors.js';

export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const MAIN_MAX_PX = 1600;
export const THUMB_MAX_PX = 400;
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageMime = (typeof IMAGE_TYPES)[number];

export interface ProcessedImage {
  mime: ImageMime;
  main: Buffer;
  thumb: Buffer;
  width: number;
  height: number;
}

const encode = (img: sharp.Sharp, mime: ImageMime) =>
  mime === 'image/png' ? img.png({ compressionLevel: 9 }) : mime === 'image/webp' ? img.webp({ quality: 82 }) : img.jpeg({ quality: 82, mozjpeg: true });

/** The upload as a stored-ready main image and thumbnail; 400 on the `image` field when it is not a JPEG, PNG or WebP picture. */
export async function processImage(upload: Buffer): Promise<ProcessedImage> {
  if (upload.length === 0) throw badInput({ image: 'news.image_required' });
  if (upload.length > MAX_IMAGE_BYTES) throw badInput({ image: 'news.image_too_large' });
  const type = await detectFileType(upload.subarray(0, 4100));
  if (!type || !(IMAGE_TYPES as readonly string[]).includes(type.mime)) throw badInput({ image: 'news.image_type' });
  const mime = type.mime as ImageMime;
  try {
    // rotate() applies the EXIF orientation; sharp writes no metadata unless asked to.
    const source = sharp(upload, { limitInputPixels: 50_000_000, failOn: 'error' }).rotate();
    const main = await encode(source.clone().resize({ width: MAIN_MAX_PX, height: MAIN_MAX_PX, fit: 'inside', withoutEnlargement: true }), mime).toBuffer({ resolveWithObject: true });
    const thumb = await encode(source.clone().resize({ width: THUMB_MAX_PX, height: THUMB_MAX_PX, fit: 'inside', withoutEnlargement: true }), mime).toBuffer();
    return { mime, main: main.data, thumb, width: main.info.width, height: main.info.height };
  } catch {
    throw badInput({ image: 'news.image_type' });
  }
}
