import { z } from 'zod';
import { validationError } from '../../errors/app-error.ts';
import { getPath, queryPath } from './json-path.ts';

const field = z.string().max(500).describe('A path into each item, like name or address.city or tags[0]');
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** process_data's operations, applied in order to the current value. */
export const operationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('get'), path: z.string().max(500).describe('Replace the value with the one at this path, like a.b[0], or the matches of a JSONPath starting with $, like $..members[?(@.age > 30)].name') }).strict(),
  z
    .object({
      op: z.literal('filter'),
      field,
      equals: scalar.optional(),
      not_equals: scalar.optional(),
      contains: z.string().optional().describe('Text contained in a string field, or an element of an array field'),
      gt: z.number().optional(),
      gte: z.number().optional(),
      lt: z.number().optional(),
      lte: z.number().optional(),
      exists: z.boolean().optional(),
    })
    .strict()
    .describe('Keep the array items whose field matches every condition given'),
  z.object({ op: z.literal('sort'), field, order: z.enum(['asc', 'desc']).default('asc') }).strict(),
  z.object({ op: z.literal('pick'), fields: z.array(z.string().max(500)).min(1).max(100) }).strict().describe('Keep only these fields of an object, or of each item'),
  z.object({ op: z.literal('omit'), fields: z.array(z.string().max(500)).min(1).max(100) }).strict(),
  z.object({ op: z.literal('limit'), n: z.number().int().min(0) }).strict().describe('The first n items'),
  z.object({ op: z.literal('skip'), n: z.number().int().min(0) }).strict().describe('Drop the first n items'),
  z.object({ op: z.literal('pluck'), field }).strict().describe("Each item's value at field"),
  z.object({ op: z.literal('unique'), field: field.optional() }).strict().describe('Drop repeated items (or items with a repeated field)'),
  z.object({ op: z.literal('count') }).strict().describe('The number of items (or keys of an object)'),
  z.object({ op: z.literal('group_by'), field }).strict().describe('An object of arrays, keyed by the field value'),
]);

export type DataOperation = z.infer<typeof operationSchema>;

function asArray(value: unknown, op: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw validationError(`${op} works on an array, but the current value is ${value === null ? 'null' : typeof value}; use get to reach an array first`);
}

const keyOf = (value: unknown) => (typeof value === 'string' ? `s:${value}` : `j:${JSON.stringify(value) ?? 'undefined'}`);

function compare(left: unknown, right: unknown): number {
  if (left === right) return 0;
  // Missing values sort last either way round.
  if (left === undefined || left === null) return 1;
  if (right === undefined || right === null) return -1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left).localeCompare(String(right));
}

function matches(item: unknown, condition: Extract<DataOperation, { op: 'filter' }>): boolean {
  const value = getPath(item, condition.field);
  if (condition.exists !== undefined && (value !== undefined) !== condition.exists) return false;
  if (condition.equals !== undefined && value !== condition.equals) return false;
  if (condition.not_equals !== undefined && value === condition.not_equals) return false;
  if (condition.contains !== undefined) {
    const found = typeof value === 'string' ? value.includes(condition.contains) : Array.isArray(value) && value.includes(condition.contains);
    if (!found) return false;
  }
  const bounds: Array<[number | undefined, (number: number, bound: number) => boolean]> = [
    [condition.gt, (number, bound) => number > bound],
    [condition.gte, (number, bound) => number >= bound],
    [condition.lt, (number, bound) => number < bound],
    [condition.lte, (number, bound) => number <= bound],
  ];
  for (const [bound, test] of bounds) {
    if (bound !== undefined && !(typeof value === 'number' && test(value, bound))) return false;
  }
  return true;
}

function selectFields(value: unknown, fields: readonly string[], keep: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => selectFields(item, fields, keep));
  if (value === null || typeof value !== 'object') return value;
  if (keep) {
    const picked: Record<string, unknown> = {};
    for (const name of fields) {
      const found = getPath(value, name);
      if (found !== undefined) picked[name] = found;
    }
    return picked;
  }
  return Object.fromEntries(Object.entries(value).filter(([name]) => !fields.includes(name)));
}

export function applyOperation(value: unknown, operation: DataOperation): unknown {
  switch (operation.op) {
    case 'get':
      return queryPath(value, operation.path) ?? null;
    case 'filter':
      return asArray(value, 'filter').filter((item) => matches(item, operation));
    case 'sort': {
      const direction = operation.order === 'desc' ? -1 : 1;
      return [...asArray(value, 'sort')].sort((left, right) => {
        const a = getPath(left, operation.field);
        const b = getPath(right, operation.field);
        // Missing values stay last in both orders.
        if (a === undefined || a === null || b === undefined || b === null) return compare(a, b);
        return direction * compare(a, b);
      });
    }
    case 'pick':
      return selectFields(value, operation.fields, true);
    case 'omit':
      return selectFields(value, operation.fields, false);
    case 'limit':
      return asArray(value, 'limit').slice(0, operation.n);
    case 'skip':
      return asArray(value, 'skip').slice(operation.n);
    case 'pluck':
      return asArray(value, 'pluck').map((item) => getPath(item, operation.field) ?? null);
    case 'unique': {
      const seen = new Set<string>();
      return asArray(value, 'unique').filter((item) => {
        const key = keyOf(operation.field ? getPath(item, operation.field) : item);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    case 'count':
      if (Array.isArray(value)) return value.length;
      if (value !== null && typeof value === 'object') return Object.keys(value).length;
      throw validationError('count works on an array or an object');
    case 'group_by': {
      const groups: Record<string, unknown[]> = Object.create(null);
      for (const item of asArray(value, 'group_by')) {
        const found = getPath(item, operation.field);
        const key = found === undefined || found === null ? '(none)' : typeof found === 'string' ? found : JSON.stringify(found);
        (groups[key] ??= []).push(item);
      }
      return { ...groups };
    }
  }
}
