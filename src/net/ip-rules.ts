import { cidrRange, isAddressInRange, type CidrRange } from './cidr-range.ts';
import { formatIpv4, ipv4FromHextets, type IpAddress, type Ipv4Address } from './ip-address.ts';

/**
 * Ranges an outbound request may not reach unless allow-listed, each with the reason given in the
 * refusal. Order matters where ranges nest: the first match names the reason.
 */
const refusedIpv4Ranges: ReadonlyArray<readonly [CidrRange, string]> = [
  [cidrRange('0.0.0.0/8'), '"this network" address'],
  [cidrRange('10.0.0.0/8'), 'private address'],
  [cidrRange('100.64.0.0/10'), 'carrier-grade NAT address'],
  [cidrRange('127.0.0.0/8'), 'loopback address'],
  [cidrRange('169.254.0.0/16'), 'link-local address'],
  [cidrRange('172.16.0.0/12'), 'private address'],
  [cidrRange('192.0.0.0/24'), 'IETF protocol assignment address'],
  [cidrRange('192.0.2.0/24'), 'documentation address'],
  [cidrRange('192.88.99.0/24'), '6to4 relay anycast address'],
  [cidrRange('192.168.0.0/16'), 'private address'],
  [cidrRange('198.18.0.0/15'), 'benchmarking address'],
  [cidrRange('198.51.100.0/24'), 'documentation address'],
  [cidrRange('203.0.113.0/24'), 'documentation address'],
  [cidrRange('224.0.0.0/4'), 'multicast address'],
  [cidrRange('255.255.255.255/32'), 'broadcast address'],
  [cidrRange('240.0.0.0/4'), 'reserved address'],
];

const unspecifiedIpv6 = cidrRange('::/128');
const loopbackIpv6 = cidrRange('::1/128');
const ipv4MappedIpv6 = cidrRange('::ffff:0:0/96');
const nat64Ipv6 = cidrRange('64:ff9b::/96');
const sixToFourIpv6 = cidrRange('2002::/16');
const globalUnicastIpv6 = cidrRange('2000::/3');

const refusedIpv6Ranges: ReadonlyArray<readonly [CidrRange, string]> = [
  [cidrRange('::/96'), 'IPv4-compatible address (deprecated)'],
  [cidrRange('::ffff:0:0:0/96'), 'IPv4-translated address'],
  [cidrRange('64:ff9b:1::/48'), 'local-use NAT64 address'],
  [cidrRange('100::/64'), 'discard-only address'],
  [cidrRange('2001:db8::/32'), 'documentation address'],
  [cidrRange('3fff::/20'), 'documentation address'],
  // Holds Teredo (2001::/32), whose embedded IPv4 is obfuscated and so cannot be checked.
  [cidrRange('2001::/23'), 'IETF protocol assignment address'],
  [cidrRange('fc00::/7'), 'unique-local address'],
  [cidrRange('fe80::/10'), 'link-local address'],
  [cidrRange('fec0::/10'), 'site-local address (deprecated)'],
  [cidrRange('ff00::/8'), 'multicast address'],
];

/**
 * Why an outbound connection to this address must be refused, or undefined if it is a public
 * address. IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that
 * address, since that is where the packets end up.
 */
export function reasonToRefuseAddress(address: IpAddress): string | undefined {
  if (address.family === 4) return reasonToRefuseIpv4(address);
  if (isAddressInRange(address, unspecifiedIpv6)) return 'unspecified address';
  if (isAddressInRange(address, loopbackIpv6)) return 'loopback address';
  const embedded = embeddedIpv4(address);
  if (embedded) {
    const reason = reasonToRefuseIpv4(embedded.address);
    return reason && `${embedded.kind} of ${formatIpv4(embedded.address.value)}, ${reason}`;
  }
  for (const [range, reason] of refusedIpv6Ranges) {
    if (isAddressInRange(address, range)) return reason;
  }
  return isAddressInRange(address, globalUnicastIpv6) ? undefined : 'reserved address';
}

/** The IPv4 address an IPv6 address stands for (IPv4-mapped, NAT64 or 6to4), if any. */
export function embeddedIpv4(
  address: IpAddress,
): { kind: string; address: Ipv4Address } | undefined {
  if (address.family !== 6) return undefined;
  const [, second = 0, third = 0, , , , seventh = 0, eighth = 0] = address.hextets;
  if (isAddressInRange(address, ipv4MappedIpv6)) {
    return { kind: 'IPv4-mapped address', address: ipv4FromHextets(seventh, eighth) };
  }
  if (isAddressInRange(address, nat64Ipv6)) {
    return { kind: 'NAT64 address', address: ipv4FromHextets(seventh, eighth) };
  }
  if (isAddressInRange(address, sixToFourIpv6)) {
    return { kind: '6to4 address', address: ipv4FromHextets(second, third) };
  }
  return undefined;
}

function reasonToRefuseIpv4(address: Ipv4Address): string | undefined {
  for (const [range, reason] of refusedIpv4Ranges) {
    if (isAddressInRange(address, range)) return reason;
  }
  return undefined;
}
