import { JSONPath } from 'jsonpath-plus';
import { validationError } from '../../errors/app-error.ts';

export type PathSegment = string | number;

const segmentPattern = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)|(\.)/gy;

/**
 * Parses `a.b[0].c` (also `["key.with.dots"]` and a leading `[2]`) into segments. An empty path
 * means the value itself.
 */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  segmentPattern.lastIndex = 0;
  let position = 0;
  while (position < path.length) {
    segmentPattern.lastIndex = position;
    const match = segmentPattern.exec(path);
    if (!match) throw validationError(`cannot read the path "${path}" at character ${position + 1}; write it like a.b[0].c`);
    const [whole, index, quoted, name] = match;
    if (index !== undefined) segments.push(Number(index));
    else if (quoted !== undefined) segments.push(quoted.replace(/\\(.)/g, '$1'));
    else if (name !== undefined) segments.push(name);
    position += whole.length;
  }
  return segments;
}

/**
 * The value at a path, or undefined. Only own properties are read, so `__proto__` or
 * `constructor` find nothing rather than JavaScript internals.
 */
export function valueAt(value: unknown, segments: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : Number.NaN;
      if (!Number.isInteger(index)) return undefined;
      current = current[index];
      continue;
    }
    const key = String(segment);
    current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

export const getPath = (value: unknown, path: string) => valueAt(value, parsePath(path));

/** A JSONPath that can match more than one value: wildcards, recursive descent, filters, unions, slices. */
const selectsMany = /\*|\.\.|\[\s*\?|,|:/;

/**
 * `get`'s path: a JSONPath (jsonpath-plus) when it starts with `$`, such as
 * `$..members[?(@.age > 30)].name`, with filters run by its own safe evaluator (never `eval`);
 * a path that can select several values answers the array of matches, a definite one the value.
 * Anything else is the plain `a.b[0]` form above, kept for fields because it reads own
 * properties only and answers one value, which filter, sort and group need.
 */
export function queryPath(value: unknown, path: string): unknown {
  if (!path.trimStart().startsWith('$')) return getPath(value, path);
  let matches: unknown[];
  try {
    matches = JSONPath({ path, json: value as object, eval: 'safe', wrap: true }) as unknown[];
  } catch (error) {
    throw validationError(`cannot read the JSONPath "${path}": ${(error as Error).message}`);
  }
  return selectsMany.test(path) ? matches : matches[0];
}
