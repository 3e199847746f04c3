import { createDeps } from './deps.ts';
import { connectionsDeps, createConnectionsHandler } from './factories/connections.ts';
import { tracer } from './tracing.ts';

export const handler = createConnectionsHandler(connectionsDeps({ ...createDeps(), tracer }));
