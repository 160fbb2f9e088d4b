import { maskSecret } from './secret-box.ts';

/** Masks credentials in text that came from (or is about) an upstream, before anyone sees it. */
export type SecretRedactor = (text: string) => string;

/** Runs of this many characters of a known key count as the key: upstreams echo keys cut short or re-prefixed. */
const fragmentLength = 10;
/** Keys shorter than this are masked only where they appear whole (a fragment would match ordinary words). */
const fragmentMatchMinimum = 16;

/** The characters keys are made of; a maximal run of them is one candidate token. */
const tokenPattern = /[A-Za-z0-9._~+/=-]{8,}/g;

/**
 * What a provider secret looks like when we do not know it: the key prefixes vendors use, a
 * credential after `Bearer` or an api-key field, and long random-looking tokens (upper case,
 * lower case and digits together, which ids, hashes and words rarely are).
 */
const secretShapes: RegExp[] = [
  /\b(?:sk|pk|rk)[-_][A-Za-z0-9_-]{12,}/g,
  /\b(?:gsk|hf|r8|ghp|gho|ghs|github_pat|xoxb|xoxp|glpat|nvapi|csk|pplx|xai|fastgpt|app|key|tvly|fw)[-_][A-Za-z0-9_-]{12,}/g,
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
];
const credentialAfterLabel = /(\b(?:Bearer|Basic|Token)\s+|\b(?:api[-_ ]?key|x-api-key|x-goog-api-key|access[-_ ]?token|authorization)["']?\s*[:=]\s*["']?)([^\s"',;}]{6,})/gi;
const randomLooking = /[A-Za-z0-9_-]{32,}/g;

const looksRandom = (token: string): boolean => /[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token);

/** Every run of `fragmentLength` characters of the key, for spotting a partial echo. */
function fragmentsOf(secret: string): Set<string> {
  const fragments = new Set<string>();
  for (let start = 0; start + fragmentLength <= secret.length; start += 1) fragments.add(secret.slice(start, start + fragmentLength));
  return fragments;
}

function sharesFragment(token: string, fragments: Set<string>): boolean {
  for (let start = 0; start + fragmentLength <= token.length; start += 1) {
    if (fragments.has(token.slice(start, start + fragmentLength))) return true;
  }
  return false;
}

/**
 * A redactor that masks the given secrets wherever they appear (whole, with `Bearer`, or as a
 * fragment of ten or more characters), and anything else shaped like a credential. Masks are
 * `maskSecret`'s (`sk-…abcd`): the same hint an admin sees on the provider, never enough to use.
 */
export function createSecretRedactor(secrets: readonly (string | undefined | null)[] = []): SecretRedactor {
  // Built on first use: every resolved model and provider fetch gets a redactor, and only the
  // rare error text needs one, so the request path pays nothing for it.
  let prepared: { known: string[]; fragments: Set<string> } | undefined;
  const prepare = () => {
    const known = [...new Set(secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4))].sort(
      (a, b) => b.length - a.length,
    );
    const fragments = new Set<string>();
    for (const secret of known) if (secret.length >= fragmentMatchMinimum) for (const fragment of fragmentsOf(secret)) fragments.add(fragment);
    return { known, fragments };
  };

  return (text) => {
    if (typeof text !== 'string' || text === '') return text;
    const { known, fragments } = (prepared ??= prepare());
    let clean = text;
    for (const secret of known) if (clean.includes(secret)) clean = clean.split(secret).join(maskSecret(secret));
    if (fragments.size > 0) clean = clean.replace(tokenPattern, (token) => (sharesFragment(token, fragments) ? maskSecret(token) : token));
    // A digit in the token tells a key from a hyphenated word (`app-configuration-settings`).
    for (const shape of secretShapes) clean = clean.replace(shape, (token) => (/\d/.test(token) ? maskSecret(token) : token));
    clean = clean.replace(credentialAfterLabel, (_match, label: string, value: string) => (value.includes('…') ? `${label}${value}` : `${label}${maskSecret(value)}`));
    return clean.replace(randomLooking, (token) => (looksRandom(token) ? maskSecret(token) : token));
  };
}

/** Masks only what looks like a credential: for text whose provider (and so its key) is not known. */
export const redactSecretShapes: SecretRedactor = createSecretRedactor();
