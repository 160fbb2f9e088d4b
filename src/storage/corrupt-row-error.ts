/**
 * A stored row that does not decode: a JSON column that is not JSON, or not of its column's
 * shape. It is a server-side fault, so it is deliberately not an AppError: the HTTP layer logs it
 * (the message names the table, column and row) and answers a generic 500, and no caller can
 * mistake it for "absent" and write a default over the stored value.
 */
export class CorruptRowError extends Error {
  override name = 'CorruptRowError';

  constructor(
    /** The SQL names, as an operator would query them. */
    readonly table: string,
    readonly column: string,
    /** The row's key (`id`, or `column=value` pairs for a composite key). */
    readonly rowId: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`stored row is corrupt: ${table}.${column} of row ${rowId} ${reason}`, options);
  }
}
