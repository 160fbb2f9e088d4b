import { z } from 'zod';

/** The success envelope every `/api/*` JSON route uses (API.md), except bare-JSON seed paths. */
export function success<T>(data: T, message = 'OK') {
  return { success: true as const, code: 'SUCCESS' as const, message, data, timestamp: new Date().toISOString() };
}

export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({
    success: z.literal(true),
    code: z.literal('SUCCESS'),
    message: z.string(),
    data,
    timestamp: z.string(),
  });
}

/** For routes that answer with only a message (logout, delete). */
export const emptyEnvelopeSchema = envelopeSchema(z.null());

export const errorEnvelopeSchema = z.object({
  success: z.literal(false),
  code: z.string(),
  message: z.string(),
  error: z.object({ type: z.string(), details: z.unknown().optional() }),
  requestId: z.string().optional(),
  timestamp: z.string(),
});

/** Both seeds' pagination fields: Luxx's `items/total/page/page_size` and LLMChat's `pagination`. */
export function paginated<T>(items: T[], total: number, page: number, limit: number) {
  return {
    items,
    total,
    page,
    page_size: limit,
    pagination: { page, limit, total, totalPages: Math.max(1, Math.ceil(total / limit)) },
  };
}

export function paginatedSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    page_size: z.number().int(),
    pagination: z.object({
      page: z.number().int(),
      limit: z.number().int(),
      total: z.number().int(),
      totalPages: z.number().int(),
    }),
  });
}

/** Query parameters for page/limit paging (LLMChat) with Luxx's `page_size` as an alias. */
export const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  page_size: z.coerce.number().int().min(1).max(200).optional(),
});

export function pageOf(query: z.infer<typeof pageQuerySchema>, defaultLimit = 20) {
  const limit = query.limit ?? query.page_size ?? defaultLimit;
  return { page: query.page, limit, offset: (query.page - 1) * limit };
}
