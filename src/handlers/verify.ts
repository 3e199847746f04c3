import { createDeps } from './deps.ts';
import { tenantWorkDeps } from './factories/tenant-work.ts';
import { createVerifyHandler } from './factories/verify.ts';
import { tracer } from './tracing.ts';

/** The container's dependencies (read by tests of what production wires, never patched). */
export const deps = tenantWorkDeps({ ...createDeps(), tracer });
export const handler = createVerifyHandler(deps);
