import { CHECK_IDS } from '../checks/index.ts';
import { createDeps } from './deps.ts';
import { createChecksHandler } from './factories/checks.ts';

export const handler = createChecksHandler(createDeps(CHECK_IDS));
