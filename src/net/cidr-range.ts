import { parseIpAddress, type IpAddress } from './ip-address.ts';

/** A block of addresses: the first `prefixLength` bits of `base`. */
export interface CidrRange {
  readonly base: IpAddress;
  readonly prefixLength: number;
}

/** Reads `10.0.0.0/8`, `fc00::/7` or a bare address (a range of one). Undefined if malformed. */
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

export function isAddressInRange(address: IpAddress, range: CidrRange): boolean {
  const { base, prefixLength } = range;
  if (address.family === 4) {
    if (base.family !== 4) return false;
    if (prefixLength === 0) return true;
    const mask = (0xffffffff << (32 - prefixLength)) >>> 0;
    return ((address.value & mask) >>> 0) === ((base.value & mask) >>> 0);
  }
  if (base.family !== 6) return false;
  for (let index = 0; index < 8; index++) {
    const bits = Math.min(16, prefixLength - index * 16);
    if (bits <= 0) return true;
    const mask = (0xffff << (16 - bits)) & 0xffff;
    if (((address.hextets[index] as number) & mask) !== ((base.hextets[index] as number) & mask)) return false;
  }
  return true;
}
