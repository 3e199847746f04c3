import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CHECK_IDS } from '../../src/checks/index.ts';
import type { DispatchResult } from '../../src/core/drift/dispatch.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { connectionsDeps, createConnectionsHandler } from '../../src/handlers/factories/connections.ts';
import {
  createDriftDispatchHandler,
  driftDispatchDeps,
} from '../../src/handlers/factories/drift-dispatch.ts';
import { createDriftWorkerHandler, driftWorkerDeps } from '../../src/handlers/factories/drift-worker.ts';
import type { LambdaHttpHandler } from '../../src/handlers/http.ts';

/**
 * The saved-connection functions as a container builds them, from a configuration passed in
 * (sandbox/drift.ts's `env`), not from process.env. The SDK still finds the local endpoints in
 * AWS_ENDPOINT_URL_* (as every integration test reaches the sandbox): those are set here.
 */
export function driftFunctions(env: Record<string, string>): {
  connections: LambdaHttpHandler;
  dispatcher: (event: ScheduledEvent, context: Context) => Promise<DispatchResult>;
  worker: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
} {
  for (const [k, v] of Object.entries(env)) if (k.startsWith('AWS_ENDPOINT_URL_')) process.env[k] = v;
  const deps = createDeps(CHECK_IDS, { ...process.env, ...env });
  return {
    connections: createConnectionsHandler(connectionsDeps(deps)),
    dispatcher: createDriftDispatchHandler(driftDispatchDeps(deps)),
    worker: createDriftWorkerHandler(driftWorkerDeps(deps)),
  };
}

/** Undoes what driftFunctions set. */
export function endpointsGone(env: Record<string, string>): void {
  for (const k of Object.keys(env)) if (k.startsWith('AWS_ENDPOINT_URL_')) delete process.env[k];
}
