import { AppError } from '../../errors/app-error.ts';
import type { OutboundFetchOptions, OutboundHttp } from '../provider-connection.ts';

export interface RecordedOutboundCall {
  url: string;
  options: OutboundFetchOptions;
}

/**
 * A stand-in for the guarded HTTP client in tests: the same contract (a host is reachable only if
 * allowed, by the settings or per call, else OUTBOUND_BLOCKED before connecting), over global
 * fetch, recording what each call asked for. Tests only: production code gets src/net's client.
 */
export function createTestOutboundHttp(settings: { allowHosts?: string[] } = {}): OutboundHttp & { calls: RecordedOutboundCall[] } {
  const calls: RecordedOutboundCall[] = [];
  return {
    calls,
    fetchWith(options) {
      return async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        calls.push({ url: url.toString(), options });
        const allowed = [...(settings.allowHosts ?? []), ...(options.extraAllowedHosts ?? [])];
        if (!allowed.includes(url.hostname)) {
          throw new AppError('OUTBOUND_BLOCKED', `outbound request to ${url.hostname} refused: not an allowed host`);
        }
        // Tests never leave the machine, whatever a system provider's host allowance says.
        if (url.hostname !== '127.0.0.1') {
          throw new AppError('OUTBOUND_BLOCKED', `outbound request to ${url.hostname} refused: tests reach only 127.0.0.1`);
        }
        return globalThis.fetch(input, init);
      };
    },
  };
}
