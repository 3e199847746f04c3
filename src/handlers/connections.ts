import { CHECK_IDS } from '../checks/index.ts';
import { createDeps } from './deps.ts';
import { connectionsDeps, createConnectionsHandler } from './factories/connections.ts';

export const handler = createConnectionsHandler(connectionsDeps(createDeps(CHECK_IDS)));
