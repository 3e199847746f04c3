import { createDeps } from './deps.ts';
import { createDriftDispatchHandler, driftDispatchDeps } from './factories/drift-dispatch.ts';

export const handler = createDriftDispatchHandler(driftDispatchDeps(createDeps('runs no check')));
