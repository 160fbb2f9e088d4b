/** Luxx's permission levels. A tool or action needing level N runs for users with level >= N. */
export const permissionLevels = {
  READ_ONLY: 1,
  WRITE: 2,
  EXECUTE: 3,
  ADMIN: 4,
} as const;

export type PermissionLevelName = keyof typeof permissionLevels;

export const permissionLevelName = (level: number): PermissionLevelName =>
  (Object.keys(permissionLevels) as PermissionLevelName[]).find((name) => permissionLevels[name] === level) ??
  'READ_ONLY';
