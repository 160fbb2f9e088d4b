import { validationError } from '../errors/app-error.ts';

/** Types whose bytes we recognise by their first bytes (magic numbers). */
export type SniffedType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'application/pdf';

const sniffedLabels: Record<SniffedType, string> = {
  'image/png': 'a PNG image',
  'image/jpeg': 'a JPEG image',
  'image/gif': 'a GIF image',
  'image/webp': 'a WebP image',
  'application/pdf': 'a PDF document',
};

/** Raster images a browser shows without running anything; the only types served inline. */
const safeInlineImages = new Set<string>(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

const mimeAliases: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'application/x-pdf': 'application/pdf',
};

/** Declared types that say nothing about the bytes; the sniffed type replaces them. */
const genericTypes = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

const mimeTypePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((byte, index) => bytes[offset + index] === byte);

const ascii = (text: string): number[] => [...text].map((character) => character.charCodeAt(0));

export function sniffMimeType(bytes: Uint8Array): SniffedType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  return undefined;
}

export const isSafeInlineImage = (mimeType: string): boolean => safeInlineImages.has(mimeType);

/** `Image/JPG; charset=x` → `image/jpeg`; undefined when it is not a media type at all. */
export function normaliseMimeType(declared: string | undefined): string | undefined {
  const essence = (declared ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (essence === '') return '';
  const canonical = mimeAliases[essence] ?? essence;
  return mimeTypePattern.test(canonical) ? canonical : undefined;
}

/**
 * The type to store: the declared one, checked against the bytes. Bytes that are a PNG, JPEG,
 * GIF, WebP or PDF must be declared as that (or generically, which we then correct), and a file
 * declared as one of those must really be one.
 */
export function resolveMimeType(declared: string | undefined, bytes: Uint8Array): string {
  const normalised = normaliseMimeType(declared);
  if (normalised === undefined) {
    throw validationError(`mimeType "${declared}" is not a media type; send one like "image/png" or "text/plain"`);
  }
  const sniffed = sniffMimeType(bytes);
  if (genericTypes.has(normalised)) return sniffed ?? 'application/octet-stream';
  if (sniffed === normalised) return normalised;
  if (normalised in sniffedLabels) {
    const actual = sniffed ? `they are ${sniffedLabels[sniffed]}` : 'they are not';
    throw validationError(
      `mimeType says ${normalised} but the bytes are not ${sniffedLabels[normalised as SniffedType]} (${actual}); send the file's real type`,
    );
  }
  if (sniffed) {
    throw validationError(`mimeType says ${normalised} but the bytes are ${sniffedLabels[sniffed]}; send mimeType ${sniffed}`);
  }
  return normalised;
}

const dataUrlPrefix = /^data:[^,]{0,200};base64,/i;
const base64Alphabet = /[^A-Za-z0-9+/_=-]/;

/**
 * Strict base64 (standard or URL-safe alphabet, optional padding, line breaks allowed), also as
 * a `data:…;base64,` URL. Node's own decoder skips characters it does not know, which would
 * silently store different bytes; this refuses them and says where.
 */
export function decodeBase64(text: string): Buffer {
  let body = text.replace(dataUrlPrefix, '');
  if (/\s/.test(body)) body = body.replace(/\s+/g, '');
  const badAt = body.search(base64Alphabet);
  if (badAt >= 0) {
    throw validationError(`data is not valid base64: character ${JSON.stringify(body[badAt])} at position ${badAt}`);
  }
  let unpadded = body.length;
  while (unpadded > 0 && body[unpadded - 1] === '=') unpadded -= 1;
  const padding = body.length - unpadded;
  const firstEquals = body.indexOf('=');
  if ((firstEquals >= 0 && firstEquals < unpadded) || padding > 2 || (padding > 0 && body.length % 4 !== 0) || unpadded % 4 === 1) {
    throw validationError('data is not valid base64: its length or "=" padding is wrong (was it cut short?)');
  }
  return Buffer.from(body, 'base64');
}

const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The last path segment, without control or bidi-override characters, at most 255 characters. */
export function sanitiseFileName(name: string): string {
  const lastSegment = name.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment.replace(controlCharacters, '').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return 'file';
  if (cleaned.length <= 255) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 255 - extension.length) + extension;
}

/** `Content-Disposition` with an ASCII fallback name and the exact UTF-8 one (RFC 6266/8187). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
