import type { AppDependencies } from '../../dependencies.ts';
import type { ProviderModule } from '../../providers/provider-module.ts';

/**
 * The provider module the composition root made (`dependencies.providers`), or undefined while it
 * is not wired, in which case the provider routes are simply not registered.
 */
export function providerModuleOf(dependencies: AppDependencies): ProviderModule | undefined {
  return (dependencies as AppDependencies & { providers?: ProviderModule }).providers;
}
