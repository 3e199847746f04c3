import { CHECK_IDS } from '../checks/index.ts';
import { createDeps } from './deps.ts';
import { createDriftWorkerHandler, driftWorkerDeps } from './factories/drift-worker.ts';
import { tracer } from './tracing.ts';

/** The container's dependencies (read by tests of what production wires, never patched). */
export const deps = driftWorkerDeps({ ...createDeps(CHECK_IDS), tracer });
export const handler = createDriftWorkerHandler(deps);
