import { CHECK_IDS } from '../checks/ids.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { powertoolsMetrics } from '../core/metrics.ts';
import type { AppDeps } from '../core/tenant-use-cases.ts';

/**
 * What every function needs, built once per container from its environment. loadConfig throws
 * when a deployed stage lacks its secret parameter, so such a function refuses to start rather
 * than issue development external IDs. Tests build their own (src/handlers/factories/).
 */
export function createDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  return { config: loadConfig(env, CHECK_IDS), logger: createLogger(), metrics: powertoolsMetrics() };
}
