import { lookup as lookupAddresses } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { HostAllowList } from './host-allow-list.ts';
import { formatIpv4, parseIpAddress, parseLegacyIpv4, type IpAddress } from './ip-address.ts';
import { reasonToRefuseAddress } from './ip-rules.ts';
import { refusedConnectionError, type RefusedConnection } from './outbound-errors.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: HostLookup = async (hostname) => {
  const addresses = await lookupAddresses(hostname, { all: true });
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

export interface GuardedConnectorOptions {
  allowList: HostAllowList;
  lookup: HostLookup;
  connectTimeoutMs: number;
}

/**
 * An undici connector that checks the address of every socket before dialling it. IP literals
 * are checked here; host names are resolved by our own lookup hook, which checks every address
 * the name has and hands exactly those to the socket, so the address dialled is the one checked
 * (a second, rebinding DNS answer never reaches the socket). Going through node's `lookup` option
 * instead of dialling one address ourselves keeps happy-eyeballs (IPv6 then IPv4 fallback) and
 * makes undici's connect timeout cover DNS as well. TLS keeps the name for SNI and certificate
 * checks, and the Host header keeps it too, because undici derives both from the URL, not from
 * the address.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const { allowList, lookup } = options;

  const refusalFor = (address: IpAddress, text: string): RefusedConnection | undefined => {
    const reason = reasonToRefuseAddress(address);
    if (reason === undefined || allowList.allowsAddress(address)) return undefined;
    return { address: text, reason };
  };

  const checkedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    lookup(hostname).then(
      (addresses) => {
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} has no addresses`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
          return;
        }
        if (!allowList.allowsHostName(hostname)) {
          // Every address, not only the one dialled first: a name that mixes public and private
          // answers is refused outright rather than left to the order the resolver chose.
          for (const { address } of addresses) {
            const parsed = parseIpAddress(address);
            const refusal = parsed ? refusalFor(parsed, address) : { address, reason: 'unreadable address' };
            if (refusal) {
              callback(refusedConnectionError(refusal, hostname), '', 0);
              return;
            }
          }
        }
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
        const usable = wanted ? addresses.filter((entry) => entry.family === wanted) : addresses;
        const [first] = usable;
        if (!first) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${wanted} address`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
        } else if (lookupOptions.all) {
          callback(null, usable);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

  const connect = buildConnector({ timeout: options.connectTimeoutMs, lookup: checkedLookup });

  return function connectGuarded(target, callback) {
    // undici strips the brackets of IPv6 hosts; a host that still reads as a number was not
    // normalised by the URL parser, and is judged as the address a resolver would make of it.
    const literal = parseIpAddress(target.hostname);
    const legacy = literal ? undefined : parseLegacyIpv4(target.hostname);
    const address = literal ?? (legacy === undefined ? undefined : { family: 4 as const, value: legacy });
    if (!address) return connect(target, callback);
    const text = legacy === undefined ? target.hostname : formatIpv4(legacy);
    const refusal = refusalFor(address, text);
    if (refusal) {
      const error = refusedConnectionError(refusal, `${target.protocol}//${target.host ?? target.hostname}/`);
      queueMicrotask(() => callback(error, null));
      return;
    }
    connect(legacy === undefined ? target : { ...target, hostname: text }, callback);
  };
}
