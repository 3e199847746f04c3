import type { Logger } from '@aws-lambda-powertools/logger';
import * as v from 'valibot';
import type { ExternalIdSecret } from '../external-id.ts';
import { recordDriftRun } from '../metrics.ts';
import { type DriftDeps, runDrift } from './connections.ts';
import type { DriftRef } from './types.ts';

/** What a message must be: a reference, shaped as the dispatcher writes it, and nothing else. */
const refSchema = v.strictObject({
  tenantId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._:@|+-]{0,127}$/)),
  connectionId: v.pipe(v.string(), v.uuid()),
  period: v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}(T\d{2})?$/)),
});

export function parseRef(body: string): DriftRef {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('message is not JSON');
  }
  const result = v.safeParse(refSchema, parsed);
  if (!result.success) throw new Error('message is not a drift reference');
  return result.output;
}

/**
 * One batch of the queue: each message succeeds or fails alone, so one poisoned message goes
 * back (and on to the dead-letter queue) without its batch. A message whose period another
 * delivery is still running is retried later, not dropped; one for a period older than the
 * connection's last is acknowledged. Returns the ids that failed.
 */
export async function workBatch(
  s: DriftDeps,
  /** The version of the secret the tenant was issued: a rotation changes no saved connection. */
  secretFor: (tenantId: string) => Promise<ExternalIdSecret>,
  messages: readonly { messageId: string; body: string }[],
  logger: Logger,
): Promise<string[]> {
  const failed = await Promise.all(
    messages.map(async (m) => {
      try {
        const ref = parseRef(m.body);
        const outcome = await runDrift(s, await secretFor(ref.tenantId), ref);
        logger.info('drift run', { messageId: m.messageId, ...ref, outcome });
        recordDriftRun(s.metrics, outcome, { tenantId: ref.tenantId, connectionId: ref.connectionId });
        return outcome === 'busy' ? m.messageId : undefined;
      } catch (err) {
        // The message's text is not logged: whatever it holds, it is not ours to repeat.
        logger.error('drift run failed', { messageId: m.messageId, error: (err as Error).message });
        recordDriftRun(s.metrics, 'failed', { messageId: m.messageId });
        return m.messageId;
      }
    }),
  );
  return failed.filter((id): id is string => id !== undefined);
}
