import { createRequire } from 'node:module';
import type pg from 'pg';

/**
 * The drivers only a scaled-out deployment needs (pg, ioredis), loaded on first use so an
 * embedded start never pays for them. Storage keeps its own loader rather than importing the
 * providers' one from src/, so it depends on nothing outside storage, errors and config.
 */
const requireOnFirstUse = createRequire(import.meta.url);

export const loadPostgresDriver = (): typeof pg => requireOnFirstUse('pg') as typeof pg;

export const loadRedisDriver = (): typeof import('ioredis') => requireOnFirstUse('ioredis') as typeof import('ioredis');
