// The bundle inlines this at build time (its stamp covers package.json, so a new version rebuilds).
import packageJson from '../package.json' with { type: 'json' };

/** Who this server says it is: the OpenAPI document, health answers and the MCP client all read it. */
export const serviceInfo = {
  name: 'Colloquy',
  /** The one place the version lives is package.json. */
  version: packageJson.version,
  description: packageJson.description,
  /** What the web tools send as User-Agent: a browser-like prefix, as sites expect, then who we are. */
  webUserAgent: `Mozilla/5.0 (compatible; Colloquy/${packageJson.version})`,
} as const;
