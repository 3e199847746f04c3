import { createDeps } from './deps.ts';
import { createDriftWorkerHandler, driftWorkerDeps } from './factories/drift-worker.ts';
import { tracer } from './tracing.ts';

export const handler = createDriftWorkerHandler(driftWorkerDeps({ ...createDeps(), tracer }));
