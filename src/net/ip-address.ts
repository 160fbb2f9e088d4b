import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

/** An IP address in a form cheap to compare: IPv4 as an unsigned 32-bit number, IPv6 as 8 hextets. */
export type IpAddress =
  | { readonly family: 4; readonly value: number }
  | { readonly family: 6; readonly hextets: readonly number[] };

export type Ipv4Address = Extract<IpAddress, { family: 4 }>;

/**
 * Parses a canonical IP literal: dotted-quad IPv4, or IPv6 with or without brackets and zone.
 * Returns undefined for anything else, including host names and legacy numeric IPv4 forms (see
 * `parseLegacyIpv4` for those). Node's own `isIPv4`/`isIPv6` decide what is a literal (the
 * sockets use the same parser).
 *
 * The IPv6 expansion stays hand-written: ipaddr.js 2.5 reads `::a.b.c.d` (IPv4-compatible,
 * `::/96`) as `::ffff:a.b.c.d` (IPv4-mapped), which would judge `::8.8.8.8` by 8.8.8.8 and let
 * it through; the property tests caught it.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, value: ipv4Value(ipaddr.IPv4.parse(text)) };
  let inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zoneStart = inner.indexOf('%');
  if (zoneStart !== -1) inner = inner.slice(0, zoneStart);
  if (!isIPv6(inner)) return undefined;
  return { family: 6, hextets: parseIpv6Hextets(inner) };
}

/** The same address as ipaddr.js's object, for its range matching. */
export function toIpaddr(address: IpAddress): ipaddr.IPv4 | ipaddr.IPv6 {
  if (address.family === 6) return new ipaddr.IPv6([...address.hextets]);
  const { value } = address;
  return new ipaddr.IPv4([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
}

function ipv4Value(address: ipaddr.IPv4): number {
  const [a, b, c, d] = address.octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/**
 * Reads a host the way inet_aton (and the WHATWG URL parser) does: one to four dot-separated
 * parts, each decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes.
 * `2130706433`, `0x7f.1` and `0177.0.0.1` all mean 127.0.0.1. The URL parser already rewrites
 * these, but resolvers accept them too, so a host that reached us unnormalised is still read as
 * the address it denotes rather than handed to DNS.
 *
 * Kept by hand: ipaddr.js reads these forms too, but refuses two that the URL parser and
 * resolvers accept (`127.0.0.1.` with its trailing dot, and `0x` as zero), which would send them
 * to DNS as names.
 */
export function parseLegacyIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const number = parseLegacyPart(part);
    if (number === undefined) return undefined;
    numbers.push(number);
  }
  const last = numbers.pop() as number;
  if (numbers.some((number) => number > 255)) return undefined;
  if (last >= 256 ** (4 - numbers.length)) return undefined;
  return numbers.reduce((sum, number, index) => sum + number * 256 ** (3 - index), last);
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The IPv4 address held in two hextets (as in ::ffff:a.b.c.d or 64:ff9b::a.b.c.d). */
export function ipv4FromHextets(high: number, low: number): Ipv4Address {
  return { family: 4, value: ((high << 16) | low) >>> 0 };
}

function parseLegacyPart(part: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]*$/.test(part)) return part.length === 2 ? 0 : boundedNumber(parseInt(part.slice(2), 16));
  if (/^0[0-7]+$/.test(part)) return boundedNumber(parseInt(part.slice(1), 8));
  if (/^(0|[1-9][0-9]*)$/.test(part)) return boundedNumber(Number(part));
  return undefined;
}

function boundedNumber(value: number): number | undefined {
  return Number.isSafeInteger(value) && value <= 0xffffffff ? value : undefined;
}

/** Expands a validated IPv6 text (no brackets or zone) into its 8 hextets. */
function parseIpv6Hextets(text: string): number[] {
  let body = text;
  const trailing: number[] = [];
  const lastColon = body.lastIndexOf(':');
  const lastGroup = body.slice(lastColon + 1);
  if (lastGroup.includes('.')) {
    const embedded = ipv4Value(ipaddr.IPv4.parse(lastGroup));
    trailing.push(embedded >>> 16, embedded & 0xffff);
    // "::ffff:1.2.3.4" leaves "::ffff:", whose single trailing colon belongs to the dotted part.
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const groups = (part: string | undefined) => (part ? part.split(':').map((hextet) => parseInt(hextet, 16)) : []);
  const halves = body.split('::');
  const head = groups(halves[0]);
  if (halves.length === 1) return [...head, ...trailing];
  const tail = [...groups(halves[1]), ...trailing];
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}
