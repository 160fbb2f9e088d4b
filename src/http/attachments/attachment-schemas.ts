import { z } from 'zod';
import type { FileInfo } from '../../files/file-service.ts';

export const fileViewSchema = z.object({
  id: z.string(),
  /** Where the bytes are downloaded (GET, with the same credentials). */
  url: z.string(),
  name: z.string(),
  size: z.number().int(),
  mimeType: z.string(),
  sha256: z.string(),
  createdAt: z.string(),
});

export type FileView = z.infer<typeof fileViewSchema>;

export const fileContentPath = (id: string): string => `/api/files/${encodeURIComponent(id)}/content`;

export function fileView(file: FileInfo): FileView {
  return {
    id: file.id,
    url: fileContentPath(file.id),
    name: file.name,
    size: file.size,
    mimeType: file.mimeType,
    sha256: file.sha256,
    createdAt: file.createdAt,
  };
}

/** LLMChat's web app's upload: the whole file as base64 in JSON. */
export const attachmentUploadBodySchema = z.object({
  filename: z.string().min(1, 'filename must not be empty').max(1024),
  /** Checked against the bytes for PNG, JPEG, GIF, WebP and PDF; absent or generic: detected. */
  mimeType: z.string().max(255).optional(),
  /** The decoded byte length; must match the data when given. */
  size: z.number().int().min(0).optional(),
  /** The file's bytes as base64 (standard or URL-safe), or a `data:…;base64,` URL. */
  data: z.string().min(1, 'data must not be empty: send the file as base64'),
});

export const fileParamsSchema = z.object({ id: z.string().min(1).max(128) });

export const deletedFileSchema = z.object({ id: z.string(), deleted: z.literal(true) });

/** Raw bytes, not JSON: documented as binary, never serialised (a Buffer is sent as is). */
export const fileContentSchema = z.any().meta({
  type: 'string',
  format: 'binary',
  description: "The file's bytes with its Content-Type; images (PNG, JPEG, GIF, WebP) inline, everything else as an attachment",
});

export const notModifiedSchema = z.any().meta({ description: 'Not modified: If-None-Match named the current ETag; no body' });
