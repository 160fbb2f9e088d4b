import type ipaddr from 'ipaddr.js';
import { parseIpAddress, toIpaddr, type IpAddress } from './ip-address.ts';

/** A block of addresses: the first `prefixLength` bits of `base`. */
export interface CidrRange {
  readonly base: IpAddress;
  readonly prefixLength: number;
}

/**
 * Reads `10.0.0.0/8`, `fc00::/7` or a bare address (a range of one). Undefined if malformed.
 * Not ipaddr.js's `parseCIDR`: that takes legacy IPv4 forms (`10.1/8`) and no bare address, and
 * an operator's typo should be refused, not read as some other range.
 */
export function parseCidrRange(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  const base = parseIpAddress(slash === -1 ? text : text.slice(0, slash));
  if (!base) return undefined;
  const width = base.family === 4 ? 32 : 128;
  if (slash === -1) return { base, prefixLength: width };
  const prefixText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const prefixLength = Number(prefixText);
  return prefixLength <= width ? { base, prefixLength } : undefined;
}

/** Like `parseCidrRange` for ranges written in code, where a typo is a bug, not input. */
export function cidrRange(text: string): CidrRange {
  const range = parseCidrRange(text);
  if (!range) throw new Error(`not a CIDR range: ${text}`);
  return range;
}

/** ipaddr.js's prefix match; an address never matches a range of the other family. */
export function isAddressInRange(address: IpAddress, range: CidrRange): boolean {
  if (address.family !== range.base.family) return false;
  const candidate = toIpaddr(address);
  return candidate.kind() === 'ipv4'
    ? (candidate as ipaddr.IPv4).match(toIpaddr(range.base) as ipaddr.IPv4, range.prefixLength)
    : (candidate as ipaddr.IPv6).match(toIpaddr(range.base) as ipaddr.IPv6, range.prefixLength);
}
