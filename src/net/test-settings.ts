// Settings and a network-free resolver shared by the net tests (a test file must not import
// another, or its tests would run twice).
import type { GuardedHttpSettings } from './guarded-http-client.ts';

/** Names the tests resolve without the network; anything else is unknown. */
const fakeDns: Record<string, Array<{ address: string; family: 4 | 6 }>> = {
  'ten.example': [{ address: '10.0.0.1', family: 4 }],
  'loopback.example': [{ address: '127.0.0.1', family: 4 }],
  'mixed.example': [
    { address: '8.8.8.8', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
  'public.example': [{ address: '127.0.0.1', family: 4 }],
  'dual.example': [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ],
};

export async function fakeLookup(hostname: string) {
  const addresses = fakeDns[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses;
}

export function testSettings(overrides: Partial<GuardedHttpSettings> = {}): GuardedHttpSettings {
  return {
    allowHosts: [],
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    maxResponseBytes: 1024 * 1024,
    maxRedirects: 5,
    lookup: fakeLookup,
    ...overrides,
  };
}
