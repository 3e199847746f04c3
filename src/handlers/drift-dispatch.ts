import { createDeps } from './deps.ts';
import { createDriftDispatchHandler, driftDispatchDeps } from './factories/drift-dispatch.ts';
import { tracer } from './tracing.ts';

export const handler = createDriftDispatchHandler(driftDispatchDeps({ ...createDeps(), tracer }));
