import { z } from 'zod';
import { CorruptRowError } from './corrupt-row-error.ts';
import type { DatabaseSchema } from './schema.ts';

type TableName = keyof DatabaseSchema;

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Path and message of each zod issue; never the stored value, which may be a user's data. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(value)'}: ${issue.message}`)
    .join('; ');
}

/**
 * A JSON text column to its value, checked against the column's schema. Text that is not JSON,
 * or JSON of another shape, throws CorruptRowError naming the row: a default in its place would be
 * written back by the next merge update and lose what was stored. SQL NULL is given to the schema
 * as null, so only nullable columns accept it.
 */
export function decodeJsonColumn<Table extends TableName, Schema extends z.ZodType>(
  table: Table,
  column: keyof DatabaseSchema[Table] & string,
  rowId: string,
  schema: Schema,
  text: string | null,
): z.output<Schema> {
  let value: unknown = null;
  if (text !== null) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CorruptRowError(snakeCase(table), snakeCase(column), rowId, 'is not valid JSON', { cause: error });
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new CorruptRowError(snakeCase(table), snakeCase(column), rowId, `does not match its schema (${describeIssues(parsed.error)})`);
  }
  return parsed.data;
}

/** The decoder for one row's JSON columns, so each call names only the column. */
export function jsonColumnsOf<Table extends TableName>(table: Table, rowId: string) {
  return <Schema extends z.ZodType>(column: keyof DatabaseSchema[Table] & string, schema: Schema, text: string | null): z.output<Schema> =>
    decodeJsonColumn(table, column, rowId, schema, text);
}

/** Shapes shared by several columns. Objects keep keys the code does not know, so a rewrite never drops them. */
export const jsonObjectColumn = z.record(z.string(), z.unknown());
export const jsonListColumn = z.array(z.unknown());
export const stringListColumn = z.array(z.string());
