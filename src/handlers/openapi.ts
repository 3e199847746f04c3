import { createLogger } from '../core/logger.ts';
import { createOpenApiHandler } from './factories/openapi.ts';

export const handler = createOpenApiHandler({ logger: createLogger() });
