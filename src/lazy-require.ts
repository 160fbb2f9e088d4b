import { createRequire } from 'node:module';

/**
 * Loads a CommonJS package synchronously on first use. Start-up time and idle memory grow with
 * every package imported up front, and some are needed only in some deployments (pg and ioredis
 * when scaled out, the Anthropic, Google and Azure adapters when such a provider is configured).
 */
export const requireLazily: NodeJS.Require = createRequire(import.meta.url);
