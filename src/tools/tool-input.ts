import type { JSONSchema7 } from '@ai-sdk/provider';
import { z } from 'zod';
import { validationError } from '../errors/app-error.ts';

/** A tool's input schema for models and the tools API, from the zod schema that validates it. */
export function toolInputSchema(schema: z.ZodType): JSONSchema7 {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return jsonSchema as JSONSchema7;
}

/** Validates what a model or client sent; the message says what to fix. */
export function parseToolInput<T extends z.ZodType>(toolName: string, schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw validationError(`invalid input for ${toolName}: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
}
