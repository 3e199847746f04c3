import { createDeps } from './deps.ts';
import { connectionsDeps, createConnectionsHandler } from './factories/connections.ts';

export const handler = createConnectionsHandler(connectionsDeps(createDeps()));
