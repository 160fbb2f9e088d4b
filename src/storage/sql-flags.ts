/** Booleans are stored as 0/1 integers on both dialects (see schema.ts); these cross that edge. */
export const toFlag = (value: boolean): number => (value ? 1 : 0);
export const fromFlag = (value: number | boolean): boolean => value === 1 || value === true;
