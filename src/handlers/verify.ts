import { CHECK_IDS } from '../checks/index.ts';
import { createDeps } from './deps.ts';
import { tenantWorkDeps } from './factories/tenant-work.ts';
import { createVerifyHandler } from './factories/verify.ts';

/**
 * The container's dependencies (read by tests of what production wires, never patched). No
 * X-Ray SDK: Lambda's active tracing traces the invocation (src/handlers/tracing.ts says why).
 */
export const deps = tenantWorkDeps(createDeps(CHECK_IDS));
export const handler = createVerifyHandler(deps);
