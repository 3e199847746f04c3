import { createDeps } from './deps.ts';
import { createSetupHandler } from './factories/setup.ts';
import { secretsFor } from './middleware/external-id-secret.ts';
import { tracer } from './tracing.ts';

const base = { ...createDeps(), tracer };
export const handler = createSetupHandler({ ...base, secrets: secretsFor(base.config) });
