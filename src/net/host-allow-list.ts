import { AppError } from '../errors/app-error.ts';
import { isAddressInRange, parseCidrRange, type CidrRange } from './cidr-range.ts';
import { parseIpAddress, type IpAddress } from './ip-address.ts';
import { embeddedIpv4 } from './ip-rules.ts';

/**
 * Hosts, addresses and ranges an operator lets outbound requests reach although they are
 * private. A host name allows whatever it resolves to; an address or range allows that address.
 */
export interface HostAllowList {
  allowsHostName(hostname: string): boolean;
  allowsAddress(address: IpAddress): boolean;
  /** The normalised entries, sorted, so equal lists compare equal whatever their spelling. */
  readonly entries: readonly string[];
}

/**
 * Accepts `ollama.lan`, `ollama.lan:11434`, `http://ollama.lan:11434/v1` (only the host counts),
 * `192.168.1.20`, `[fd00::1]`, `10.0.0.0/8` and `fd00::/8`. Anything else is a configuration
 * mistake and throws, rather than being silently ignored and refusing requests later.
 */
export function createHostAllowList(entries: readonly string[]): HostAllowList {
  const hostNames = new Set<string>();
  const ranges: CidrRange[] = [];
  const normalised = new Set<string>();
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      hostNames.add(parsed);
      normalised.add(parsed);
    } else {
      ranges.push(parsed.range);
      normalised.add(parsed.text);
    }
  }
  const inRanges = (address: IpAddress) => ranges.some((range) => isAddressInRange(address, range));
  return {
    entries: [...normalised].sort(),
    allowsHostName: (hostname) => hostNames.size > 0 && hostNames.has(normaliseHostName(hostname)),
    allowsAddress(address) {
      if (ranges.length === 0) return false;
      if (inRanges(address)) return true;
      // ::ffff:10.0.0.5 reaches 10.0.0.5, so an entry for the IPv4 address covers it too.
      const embedded = embeddedIpv4(address);
      return embedded !== undefined && embedded.kind === 'IPv4-mapped address' && inRanges(embedded.address);
    },
  };
}

export function normaliseHostName(hostname: string): string {
  const lowered = hostname.toLowerCase();
  return lowered.endsWith('.') ? lowered.slice(0, -1) : lowered;
}

function parseEntry(entry: string): string | { range: CidrRange; text: string } {
  const text = entry.trim().toLowerCase();
  const invalid = () =>
    new AppError(
      'VALIDATION_ERROR',
      `outbound allow-list entry "${entry}" is not a host name, IP address or CIDR range`,
    );
  if (text === '') throw invalid();
  if (text.includes('/') && !text.includes('://')) {
    const range = parseCidrRange(text);
    if (!range) throw invalid();
    return { range, text };
  }
  if (parseIpAddress(text)) return { range: parseCidrRange(text) as CidrRange, text };
  // The URL parser lowercases, converts IDN to punycode and rewrites numeric IPv4 forms, so the
  // entry is compared in the same spelling as the hosts of the URLs we fetch.
  let hostname: string;
  try {
    hostname = new URL(text.includes('://') ? text : `http://${text}`).hostname;
  } catch {
    throw invalid();
  }
  if (hostname === '') throw invalid();
  const address = parseIpAddress(hostname);
  if (address) return { range: { base: address, prefixLength: address.family === 4 ? 32 : 128 }, text: hostname };
  return normaliseHostName(hostname);
}
