import { createDeps } from './deps.ts';
import { createSetupHandler } from './factories/setup.ts';
import { secretsFor } from './middleware/external-id-secret.ts';

const base = createDeps();
export const handler = createSetupHandler({ ...base, secrets: secretsFor(base.config) });
