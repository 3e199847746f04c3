import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { ChangeEvent } from '../src/core/drift/connections.ts';
import type { QueueView } from './services/sqs.ts';

/**
 * The drift fault soak's count (./soak.ts): what the table, the bus and the queues hold once the
 * workers have stopped, held to the invariants, with each connection off one explained by the
 * trail of its deliveries.
 */

export interface SoakFigures {
  connections: number;
  changed: number;
  poison: number;
  /** Kept runs (history writes that landed) per connection for the period: min and max. */
  runs: { min: number; max: number };
  /** Finishes (the period marked done) per connection: min and max. */
  finishes: { min: number; max: number };
  /** Change events per connection whose status changed: min and max; and events for the others. */
  eventsChanged: { min: number; max: number };
  eventsUnchanged: number;
  /** Connections whose period is not done with its run kept, plus messages left on the queue. */
  lost: number;
  deadLetters: number;
  /** The dead-letter queue holds exactly the poison messages. */
  deadLettersArePoison: boolean;
  injected: { redelivered: number; died: number; throttled: number; publishFailed: number };
  /** Verifications made (takeovers re-verify what a dead worker had not kept). */
  verifications: number;
  wallMs: number;
  /**
   * For each connection off an invariant: what each of its deliveries met, in order (receive
   * count, real seconds, outcome), then the events it published.
   */
  trails: Record<string, string[]>;
}

/** Where the soak ran. */
export interface SoakPlace {
  sandboxUrl: string;
  dynamoUrl: string;
  table: string;
  queues: { queueUrl: string; deadLetterUrl: string };
}

/** What the workers saw, per connection, and what was sent to the queue. */
export interface SoakTally {
  period: string;
  ids: readonly string[];
  changedIds: ReadonlySet<string>;
  poison: readonly string[];
  runs: ReadonlyMap<string, number>;
  finishes: ReadonlyMap<string, number>;
  trails: ReadonlyMap<string, string[]>;
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** Reads the table, the captured events and the queues, and counts them against the tally. */
export async function countSoak(
  at: SoakPlace,
  t: SoakTally,
): Promise<Omit<SoakFigures, 'connections' | 'injected' | 'verifications' | 'wallMs'>> {
  const read = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${at.sandboxUrl}/__sandbox/${path}`)).json()) as T;
  const scanClient = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: at.dynamoUrl, region: 'us-east-1' }),
  );
  const kept = new Map<string, number>();
  const state = new Map<string, { lastPeriod?: string; runState?: string }>();
  for await (const page of paginateScan(
    { client: scanClient },
    { TableName: at.table, ConsistentRead: true },
  )) {
    for (const item of page.Items ?? []) {
      const pk = String(item.pk);
      if (pk.startsWith('H#') && item.sk === `R#${t.period}`) bump(kept, pk.split('#')[2] ?? '');
      if (pk.startsWith('T#') && String(item.sk).startsWith('C#'))
        state.set(String(item.connectionId), { lastPeriod: item.lastPeriod, runState: item.runState });
    }
  }
  scanClient.destroy();
  const events = (await read<{ detailType: string; detail: string }[]>('events'))
    .filter((e) => e.detailType === 'Connection Access Changed')
    .map((e) => JSON.parse(e.detail) as ChangeEvent);
  const eventsOf = new Map<string, number>();
  for (const e of events) if (e.period === t.period) bump(eventsOf, e.connectionId);
  const views = await read<QueueView[]>('queues');
  const dlq = views.find((v) => v.url === at.queues.deadLetterUrl);
  const main = views.find((v) => v.url === at.queues.queueUrl);
  const dlqBodies = (dlq?.messages ?? []).map((m) => m.body).sort();
  const range = (values: number[]) => ({ min: Math.min(...values), max: Math.max(...values) });
  const lostIds = t.ids.filter((id) => {
    const s = state.get(id);
    return !(s?.lastPeriod === t.period && s.runState === 'done' && kept.get(id) === 1);
  });
  const offIds = t.ids.filter(
    (id) =>
      lostIds.includes(id) ||
      t.runs.get(id) !== 1 ||
      t.finishes.get(id) !== 1 ||
      (eventsOf.get(id) ?? 0) !== (t.changedIds.has(id) ? 1 : 0),
  );
  const eventTrail = (id: string) =>
    events
      .filter((e) => e.connectionId === id)
      .map(
        (e) =>
          `event ${e.status.from}→${e.status.to}: ${e.changes.map((c) => `${c.check} ${c.from}→${c.to}`).join(', ')}`,
      );
  const changedList = t.ids.filter((id) => t.changedIds.has(id));
  return {
    changed: changedList.length,
    poison: t.poison.length,
    runs: range(t.ids.map((id) => t.runs.get(id) ?? 0)),
    finishes: range(t.ids.map((id) => t.finishes.get(id) ?? 0)),
    eventsChanged: range(changedList.map((id) => eventsOf.get(id) ?? 0)),
    eventsUnchanged: t.ids
      .filter((id) => !t.changedIds.has(id))
      .reduce((n, id) => n + (eventsOf.get(id) ?? 0), 0),
    lost: lostIds.length + (main?.messages.length ?? 0),
    deadLetters: dlqBodies.length,
    deadLettersArePoison: JSON.stringify(dlqBodies) === JSON.stringify([...t.poison].sort()),
    trails: Object.fromEntries(offIds.map((id) => [id, [...(t.trails.get(id) ?? []), ...eventTrail(id)]])),
  };
}

/** The invariants, each with what it must be: the soak fails on any that is off. */
export function soakTable(f: SoakFigures): { rows: [string, string, string, boolean][]; ok: boolean } {
  const exactlyOne = (r: { min: number; max: number }) => r.min === 1 && r.max === 1;
  const show = (r: { min: number; max: number }) => (r.min === r.max ? String(r.min) : `${r.min}–${r.max}`);
  const rows: [string, string, string, boolean][] = [
    ['runs kept per connection for the period', show(f.runs), 'exactly 1', exactlyOne(f.runs)],
    ['periods finished per connection', show(f.finishes), 'exactly 1', exactlyOne(f.finishes)],
    [
      `events per connection whose status changed (${f.changed})`,
      show(f.eventsChanged),
      'exactly 1',
      exactlyOne(f.eventsChanged),
    ],
    ['events for connections that did not change', String(f.eventsUnchanged), '0', f.eventsUnchanged === 0],
    ['messages lost', String(f.lost), '0', f.lost === 0],
    [
      'dead-letter entries',
      `${f.deadLetters}${f.deadLettersArePoison ? ' (the poison ones)' : ' (not the poison ones)'}`,
      `exactly ${f.poison}`,
      f.deadLetters === f.poison && f.deadLettersArePoison,
    ],
  ];
  return { rows, ok: rows.every((r) => r[3]) };
}

/** Messages on a queue, visible, in flight or delayed. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(out.Attributes ?? {}).reduce((n, v) => n + Number(v), 0);
}

/** Writes the throttling proxy refused so far. */
export async function throttledCount(dynamoUrl: string): Promise<number> {
  // Without the throttling proxy, dynalite answers its health line: nothing was throttled.
  const text = await (await fetch(`${dynamoUrl}/__throttled`)).text();
  return text.startsWith('{') ? (JSON.parse(text) as { throttled: number }).throttled : 0;
}
