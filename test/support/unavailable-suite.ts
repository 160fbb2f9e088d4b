import { test } from 'node:test';
import { readTestServices } from '../../src/config/load-config.ts';

/**
 * The `skip` option for a suite that needs something this machine may lack (a service, a
 * system package): false when it is there, else the reason. A skip is never silent: node's
 * summary counts it (Node 20 counts skipped tests, not skipped suites, so one skipped test
 * carries the reason), and a `# … skipped: why` line says so. In CI (`CI=true`) the missing
 * requirement is a failing test instead, unless `requiredInCi` is false.
 */
export function skipUnlessAvailable(suite: string, available: boolean, why: string, options: { requiredInCi?: boolean } = {}): false | string {
  if (available) return false;
  if (readTestServices().servicesRequired && options.requiredInCi !== false) {
    test(`${suite} runs in CI`, () => {
      throw new Error(`${suite} cannot run: ${why}. CI must run it.`);
    });
    return why;
  }
  console.log(`# ${suite} skipped: ${why}`);
  test(suite, { skip: why }, () => {});
  return why;
}
