import { validationError } from '../errors/app-error.ts';

/**
 * Checks the URL of a user's MCP server (stored or LobeChat's ad-hoc one) before anything
 * connects: absolute, http(s), no credentials. Throws VALIDATION_ERROR saying what to fix;
 * `field` names the field in the request (e.g. `url`, `params.url`).
 */
export function assertValidServerUrl(url: string, field = 'url'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw validationError(`${field} must be an absolute http(s) URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw validationError(`${field} must use http or https`);
  if (parsed.username || parsed.password) throw validationError(`${field} must not carry credentials; send them as headers`);
}
