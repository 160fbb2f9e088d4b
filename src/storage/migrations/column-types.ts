import type { Dialect } from '../database.ts';

/** Column types that differ between the dialects; everything else is plain `text`/`integer`. */
export function columnTypes(dialect: Dialect) {
  return {
    float: dialect === 'postgres' ? ('double precision' as const) : ('real' as const),
    bigint: dialect === 'postgres' ? ('bigint' as const) : ('integer' as const),
  };
}
