import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../errors/app-error.ts';
import { contentDisposition, isSafeInlineImage } from '../../files/file-content.ts';
import type { FileService } from '../../files/file-service.ts';
import { principalOf } from '../auth-hook.ts';
import { envelopeSchema, pageOf, pageQuerySchema, paginated, paginatedSchema, success } from '../envelope.ts';
import {
  attachmentUploadBodySchema,
  deletedFileSchema,
  fileContentSchema,
  notModifiedSchema,
  fileParamsSchema,
  fileView,
  fileViewSchema,
} from './attachment-schemas.ts';

const tags = ['files'];

/**
 * The largest JSON body that can carry a file of `maxFileBytes` as base64: 4 characters per 3
 * bytes, line breaks some encoders add (2 per 76 characters), a `data:` URL prefix and the other
 * fields. Never below the server-wide limit.
 */
export function uploadBodyLimit(maxFileBytes: number, serverBodyLimit: number): number {
  const base64 = Math.ceil(maxFileBytes / 3) * 4;
  return Math.max(serverBodyLimit, base64 + Math.ceil(base64 / 38) + 64 * 1024);
}

const megabytes = (bytes: number): string => `${Number((bytes / (1024 * 1024)).toFixed(2))} MB`;

/**
 * LLMChat's `POST /api/chat/attachments` and the file routes behind its `url`: metadata, bytes
 * and deletion, all for the owner only (another user's file is 404).
 */
export function registerAttachmentRoutes(app: FastifyInstance, files: FileService, settings: { serverBodyLimit: number }): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const userIdOf = (request: FastifyRequest) => principalOf(request).user.id;
  const { maxFileBytes } = files.settings;
  const bodyLimit = uploadBodyLimit(maxFileBytes, settings.serverBodyLimit);

  routes.post(
    '/api/chat/attachments',
    {
      // This route alone takes bodies past the server-wide limit: a whole file as base64.
      bodyLimit,
      schema: {
        tags,
        summary: `Upload a file as base64 JSON (at most ${megabytes(maxFileBytes)} decoded); answers its id and download url`,
        body: attachmentUploadBodySchema,
        response: { 200: envelopeSchema(fileViewSchema) },
      },
      errorHandler: (error: FastifyError) => {
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          throw new AppError(
            'PAYLOAD_TOO_LARGE',
            `the request body is larger than ${bodyLimit} bytes: the largest file accepted is ${maxFileBytes} bytes (${megabytes(maxFileBytes)}) before base64 encoding`,
            { cause: error },
          );
        }
        // Everything else goes to the app's error handler.
        throw error;
      },
    },
    async (request) => success(fileView(await files.uploadBase64(userIdOf(request), request.body)), 'File uploaded'),
  );

  routes.get(
    '/api/files',
    {
      schema: {
        tags,
        summary: 'Your files, newest first',
        querystring: pageQuerySchema,
        response: { 200: envelopeSchema(paginatedSchema(fileViewSchema)) },
      },
    },
    async (request) => {
      const page = pageOf(request.query);
      const { files: list, total } = await files.list(userIdOf(request), page);
      return success(paginated(list.map(fileView), total, page.page, page.limit));
    },
  );

  routes.get(
    '/api/files/:id',
    { schema: { tags, summary: "One of your files' metadata", params: fileParamsSchema, response: { 200: envelopeSchema(fileViewSchema) } } },
    async (request) => success(fileView(await files.get(userIdOf(request), request.params.id))),
  );

  routes.get(
    '/api/files/:id/content',
    {
      schema: {
        tags,
        summary: "One of your files' bytes (send the same Authorization header as for the API)",
        params: fileParamsSchema,
        response: {
          200: { description: 'The bytes', content: { 'application/octet-stream': { schema: fileContentSchema } } },
          304: notModifiedSchema,
        },
      },
    },
    async (request, reply) => {
      const { file, bytes } = await files.readContent(userIdOf(request), request.params.id);
      const etag = `"${file.sha256}"`;
      // A stored file's bytes never change, but it may be deleted: caches revalidate every time.
      reply.header('cache-control', 'private, no-cache');
      reply.header('etag', etag);
      reply.header('x-content-type-options', 'nosniff');
      // Even if a browser renders it, nothing in it runs.
      reply.header('content-security-policy', "default-src 'none'; sandbox");
      const inline = isSafeInlineImage(file.mimeType);
      reply.header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', file.name));
      const ifNoneMatch = request.headers['if-none-match'];
      if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) {
        return reply.code(304).send();
      }
      return reply.type(file.mimeType).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  routes.delete(
    '/api/files/:id',
    { schema: { tags, summary: 'Delete one of your files', params: fileParamsSchema, response: { 200: envelopeSchema(deletedFileSchema) } } },
    async (request) => {
      const deleted = await files.delete(userIdOf(request), request.params.id);
      return success({ id: deleted.id, deleted: true as const }, 'File deleted');
    },
  );
}
