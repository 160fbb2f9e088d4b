import { z } from 'zod';
import { permissionLevels } from '../../auth/permissions.ts';
import { validationError } from '../../errors/app-error.ts';
import { parseToolInput, toolInputSchema } from '../tool-input.ts';
import type { ToolDefinition } from '../tool-registry.ts';
import { formatData } from './data-formats.ts';
import { applyOperation, operationSchema } from './data-operations.ts';

const inputSchema = z
  .object({
    data: z.unknown().describe('A JSON value, or JSON text'),
    operations: z.array(operationSchema).max(50).default([]).describe('Applied in order'),
    format: z.enum(['json', 'csv', 'yaml', 'table']).default('json').describe('Output format; table is a markdown table'),
  })
  .strict();

/** JSON text is parsed; any other string is taken as a plain string value. */
function dataOf(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  const trimmed = data.trim();
  if (!/^[[{"]/.test(trimmed)) return data;
  try {
    return JSON.parse(trimmed);
  } catch (error) {
    throw validationError(`data looks like JSON but does not parse: ${(error as Error).message}`);
  }
}

/**
 * `process_data` (Luxx, READ_ONLY): query by path, filter, sort, pick and reshape JSON, then
 * print it as JSON, CSV, YAML or a markdown table. Pure computation: no I/O.
 */
export function createProcessDataTool(): ToolDefinition {
  return {
    name: 'process_data',
    description:
      'Transform and format JSON. operations (in order): get {path}, filter {field, equals|not_equals|contains|gt|gte|lt|lte|exists}, ' +
      'sort {field, order}, pick {fields}, omit {fields}, limit {n}, skip {n}, pluck {field}, unique {field?}, count, group_by {field}. ' +
      'format: json, csv, yaml or table.',
    category: 'data',
    permissionLevel: permissionLevels.READ_ONLY,
    inputSchema: toolInputSchema(inputSchema),
    async execute(input) {
      const { data, operations, format } = parseToolInput('process_data', inputSchema, input);
      let value = dataOf(data);
      operations.forEach((operation, index) => {
        try {
          value = applyOperation(value, operation);
        } catch (error) {
          throw validationError(`operation ${index + 1} (${operation.op}): ${(error as Error).message}`);
        }
      });
      return { output: formatData(value, format), isError: false };
    },
  };
}
