import { CHECK_IDS } from '../checks/index.ts';
import { createDeps } from './deps.ts';
import { createSetupHandler } from './factories/setup.ts';
import { secretsFor } from './middleware/external-id-secret.ts';

const base = createDeps(CHECK_IDS);
export const handler = createSetupHandler({ ...base, secrets: secretsFor(base.config) });
