import type { CheckId } from '../checks/index.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { powertoolsMetrics } from '../core/metrics.ts';
import type { AppDeps } from '../core/tenant-use-cases.ts';

/**
 * What every function needs, built once per container from its environment. loadConfig throws
 * when a deployed stage lacks its secret parameter, so such a function refuses to start rather
 * than issue development external IDs. Tests build their own (src/handlers/factories/).
 */
export function createDeps(
  /** The registry's ids, from an entry that verifies; `'runs no check'` from one that does not. */
  checkIds: readonly CheckId[] | 'runs no check',
  env: NodeJS.ProcessEnv = process.env,
): AppDeps {
  return { config: loadConfig(env, checkIds), logger: createLogger(), metrics: powertoolsMetrics() };
}
