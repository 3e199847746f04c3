import { createDeps } from './deps.ts';
import { createChecksHandler } from './factories/checks.ts';

export const handler = createChecksHandler(createDeps());
