import type { ConnectionStore } from './store.ts';
import { SHARDS } from './store.ts';
import type { DriftRef } from './types.ts';

/** The period a scheduled run belongs to: every connection is verified at most once in it. */
export function periodOf(time: Date, every: 'hour' | 'day'): string {
  const iso = time.toISOString();
  return every === 'day' ? iso.slice(0, 10) : iso.slice(0, 13);
}

export interface DispatchResult {
  period: string;
  dispatched: number;
  failed: number;
  pages: number;
  durationMs: number;
}

/**
 * Pages through every shard of the due list at once and sends references (tenant, connection,
 * period) to the queue, a page at a time, so memory stays flat whatever the count. Sending
 * the same period twice is harmless: the worker's claim makes each connection run once.
 */
export async function dispatch(
  store: Pick<ConnectionStore, 'duePage'>,
  send: (refs: readonly DriftRef[]) => Promise<{ sent: number; failed: number }>,
  period: string,
): Promise<DispatchResult> {
  const began = performance.now();
  let dispatched = 0;
  let failed = 0;
  let pages = 0;
  await Promise.all(
    Array.from({ length: SHARDS }, async (_, shard) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await store.duePage(shard, startKey);
        pages++;
        const out = await send(page.refs.map((r) => ({ ...r, period })));
        dispatched += out.sent;
        failed += out.failed;
        startKey = page.next;
      } while (startKey);
    }),
  );
  return { period, dispatched, failed, pages, durationMs: Math.round(performance.now() - began) };
}
