import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIpv4, parseIpAddress, parseLegacyIpv4 } from './ip-address.ts';
import { reasonToRefuseAddress } from './ip-rules.ts';

function reasonFor(text: string): string | undefined {
  const address = parseIpAddress(text);
  assert.ok(address, `${text} should parse as an IP address`);
  return reasonToRefuseAddress(address);
}

const ipv4In = (first: number, prefixLength: number) =>
  fc.integer({ min: 0, max: 2 ** (32 - prefixLength) - 1 }).map((offset) => formatIpv4((first >>> 0) + offset));

describe('IP rules', () => {
  it('refuses every special-purpose IPv4 range and names why', () => {
    const cases: Array<[string, RegExp]> = [
      ['0.0.0.0', /this network/],
      ['0.255.1.2', /this network/],
      ['10.0.0.1', /private/],
      ['10.255.255.255', /private/],
      ['100.64.0.1', /carrier-grade NAT/],
      ['100.127.255.254', /carrier-grade NAT/],
      ['127.0.0.1', /loopback/],
      ['127.255.255.254', /loopback/],
      ['169.254.169.254', /link-local/],
      ['172.16.0.1', /private/],
      ['172.31.255.255', /private/],
      ['192.0.0.8', /IETF protocol assignment/],
      ['192.0.2.10', /documentation/],
      ['192.88.99.1', /6to4 relay/],
      ['192.168.1.1', /private/],
      ['198.18.0.1', /benchmarking/],
      ['198.19.255.255', /benchmarking/],
      ['198.51.100.7', /documentation/],
      ['203.0.113.9', /documentation/],
      ['224.0.0.1', /multicast/],
      ['239.255.255.250', /multicast/],
      ['240.0.0.1', /reserved/],
      ['255.255.255.255', /broadcast/],
    ];
    for (const [address, reason] of cases) assert.match(reasonFor(address) ?? 'allowed', reason, address);
  });

  it('lets public IPv4 addresses through, including the neighbours of refused ranges', () => {
    for (const address of ['1.1.1.1', '8.8.8.8', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0', '223.255.255.255']) {
      assert.equal(reasonFor(address), undefined, address);
    }
  });

  it('refuses special IPv6 addresses and judges embedded IPv4 by the IPv4 rules', () => {
    const cases: Array<[string, RegExp]> = [
      ['::', /unspecified/],
      ['::1', /loopback/],
      ['[::1]', /loopback/],
      ['::ffff:127.0.0.1', /IPv4-mapped address of 127\.0\.0\.1, loopback/],
      ['::ffff:7f00:1', /IPv4-mapped address of 127\.0\.0\.1, loopback/],
      ['::ffff:a9fe:a9fe', /169\.254\.169\.254, link-local/],
      ['::ffff:10.1.2.3', /10\.1\.2\.3, private/],
      ['::127.0.0.1', /IPv4-compatible/],
      ['::8.8.8.8', /IPv4-compatible/],
      ['::ffff:0:8.8.8.8', /IPv4-translated/],
      ['64:ff9b::10.0.0.1', /NAT64 address of 10\.0\.0\.1, private/],
      ['64:ff9b::7f00:1', /NAT64 address of 127\.0\.0\.1, loopback/],
      ['64:ff9b:1::1', /local-use NAT64/],
      ['2002:c0a8:0101::1', /6to4 address of 192\.168\.1\.1, private/],
      ['2002:7f00:1::', /6to4 address of 127\.0\.0\.1, loopback/],
      ['2001:db8::1', /documentation/],
      ['3fff::1', /documentation/],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /IETF protocol assignment/],
      ['100::1', /discard-only/],
      ['fc00::1', /unique-local/],
      ['fd12:3456::1', /unique-local/],
      ['fe80::1', /link-local/],
      ['fe80::1%eth0', /link-local/],
      ['febf::1', /link-local/],
      ['fec0::1', /site-local/],
      ['ff02::1', /multicast/],
      ['4000::1', /reserved/],
      ['e000::1', /reserved/],
    ];
    for (const [address, reason] of cases) assert.match(reasonFor(address) ?? 'allowed', reason, address);
  });

  it('lets public IPv6 addresses through, and mapped, NAT64 or 6to4 forms of public IPv4', () => {
    for (const address of ['2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:0808:0808::1', '2001:4860:4860::8888']) {
      assert.equal(reasonFor(address), undefined, address);
    }
  });

  it('refuses every address of the private, loopback, link-local and CGNAT ranges (property)', () => {
    const refused = fc.oneof(
      ipv4In(0x0a000000, 8),
      ipv4In(0x7f000000, 8),
      ipv4In(0xac100000, 12),
      ipv4In(0xc0a80000, 16),
      ipv4In(0xa9fe0000, 16),
      ipv4In(0x64400000, 10),
      ipv4In(0x00000000, 8),
      ipv4In(0xe0000000, 3),
    );
    fc.assert(
      fc.property(refused, (address) => {
        assert.notEqual(reasonFor(address), undefined, address);
        // The same address dressed as IPv6 is refused too.
        assert.notEqual(reasonFor(`::ffff:${address}`), undefined, `::ffff:${address}`);
        assert.notEqual(reasonFor(`64:ff9b::${address}`), undefined, `64:ff9b::${address}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every address in fc00::/7 and fe80::/10 (property)', () => {
    const hextet = fc.integer({ min: 0, max: 0xffff });
    const tail = fc.array(hextet, { minLength: 7, maxLength: 7 });
    const uniqueLocal = fc.tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), tail);
    const linkLocal = fc.tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), tail);
    fc.assert(
      fc.property(fc.oneof(uniqueLocal, linkLocal), ([first, rest]) => {
        const text = [first, ...rest].map((group) => group.toString(16)).join(':');
        assert.notEqual(reasonFor(text), undefined, text);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('IP address parsing', () => {
  it('reads legacy numeric IPv4 forms as the address a resolver would make of them', () => {
    const cases: Array<[string, string]> = [
      ['2130706433', '127.0.0.1'],
      ['0x7f000001', '127.0.0.1'],
      ['0x7f.1', '127.0.0.1'],
      ['0177.0.0.1', '127.0.0.1'],
      ['0177.1', '127.0.0.1'],
      ['127.1', '127.0.0.1'],
      ['127.0.1', '127.0.0.1'],
      ['10.1', '10.0.0.1'],
      ['0', '0.0.0.0'],
      ['0x', '0.0.0.0'],
      ['169.254.43518', '169.254.169.254'],
      ['127.0.0.1.', '127.0.0.1'],
    ];
    for (const [text, expected] of cases) {
      const value = parseLegacyIpv4(text);
      assert.ok(value !== undefined, text);
      assert.equal(formatIpv4(value), expected, text);
    }
    for (const text of ['localhost', '1.2.3.4.5', '256.1.1.1', '08.1.1.1', '0x1g', '4294967296', '1.16777216', '', 'example.com']) {
      assert.equal(parseLegacyIpv4(text), undefined, text);
    }
  });

  it('accepts only canonical literals as IP addresses', () => {
    assert.deepEqual(parseIpAddress('1.2.3.4'), { family: 4, value: 0x01020304 });
    assert.deepEqual(parseIpAddress('[2001:db8::ff00:42:8329]'), { family: 6, hextets: [0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329] });
    assert.deepEqual(parseIpAddress('1:2:3:4:5:6:7.8.9.10'), { family: 6, hextets: [1, 2, 3, 4, 5, 6, 0x0708, 0x090a] });
    assert.deepEqual(parseIpAddress('::'), { family: 6, hextets: [0, 0, 0, 0, 0, 0, 0, 0] });
    for (const text of ['2130706433', '0177.0.0.1', 'localhost', '[::1', '1.2.3', ':::1']) {
      assert.equal(parseIpAddress(text), undefined, text);
    }
  });
});
