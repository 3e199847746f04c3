import { Logger } from '@aws-lambda-powertools/logger';
import { withSourcePositions } from './source-positions.ts';

/**
 * Keys whose values are never logged, whatever object they travel in. The external ID is
 * among them: it is not a secret to its own tenant, but it must never reach another's eyes.
 */
export const SECRET_KEY =
  /secret|token|password|passphrase|credential|authorization|cookie|externalid|signature|policy$/i;

export const REDACTED = '[redacted]';

/**
 * Powertools calls this for every key of every log line before it is written, and before it
 * formats an error: so an error's stack and location name the sources' lines, not the bundle's
 * (./source-positions.ts; the functions run without `--enable-source-maps`).
 */
export function redact(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (value instanceof Error) return withSourcePositions(value);
  return value;
}

export function createLogger(serviceName = 'aws-access-verifier'): Logger {
  return new Logger({ serviceName, jsonReplacerFn: redact });
}
