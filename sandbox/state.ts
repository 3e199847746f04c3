import { randomUUID } from 'node:crypto';
import type { Caller } from './iam.ts';
import { accountOf, uniqueIdOf } from './services/aws.ts';
import type { CapturedEvent } from './services/events.ts';
import type { StoredVersion } from './services/s3.ts';
import type { Queue } from './services/sqs-queues.ts';
import type { ParameterVersion } from './services/ssm.ts';
import type { World } from './world.ts';

/**
 * The one state every service of the sandbox works on: the customer's world and what the
 * verifier did to it (sessions, objects, ciphertexts), the vendor's own infrastructure (queues,
 * events, parameters), the faults to inject, the log of requests and the clocks.
 */

export interface Fault {
  service: 'sts' | 's3' | 'kms' | 'redshift' | 'redshift-serverless' | 'sqs' | 'events' | 'ssm' | 'iam';
  operation?: string;
  /** Strikes each matching call with this probability (default: every one, while `times` lasts). */
  rate?: number;
  latencyMs?: number;
  /** Answer with this AWS error instead (after the latency), `times` times (default: always). */
  error?: { status: number; code: string; message?: string };
  /** Drop the connection without an answer. */
  reset?: boolean;
  /**
   * Do what the request asks (store the object...), then drop the connection instead of
   * answering: the SDK sees a network error and retries what has already happened.
   */
  dropAfter?: boolean;
  /** PutEvents only: answer 200 with every entry failed with `error`'s code, as EventBridge does. */
  failEntries?: boolean;
  times?: number;
}

export interface RecordedRequest {
  service: string;
  operation: string;
  principal?: string;
  bucket?: string;
  key?: string;
  versionId?: string;
  headers: Record<string, string>;
  status: number;
  code?: string;
  /** AssumeRole's session name: tells the verifier's sessions from its external-ID probes. */
  roleSessionName?: string;
  /** When the request arrived and when it was answered (ms, the sandbox's performance clock). */
  startedAt: number;
  endedAt?: number;
}

export interface Session {
  caller: Caller;
  secretAccessKey: string;
  sessionToken?: string;
  expires?: number;
  active: boolean;
}

export interface SandboxState {
  world: World;
  /** Added to Date.now(): the customer's clock, which `setWorld` rewinds. */
  clockOffset: number;
  /**
   * The vendor's infrastructure keeps its own offset: `setWorld` rewinds the customer's clock,
   * and a message's visibility must not move backwards with it.
   */
  vendorClockOffset: number;
  faults: Fault[];
  requests: RecordedRequest[];
  /** By access key id: the world's principals, and every session AssumeRole handed out. */
  sessions: Map<string, Session>;
  /** Every version of every object, by bucket and key, oldest first. */
  objects: Map<string, Map<string, StoredVersion[]>>;
  /** What KMS encrypted, so Decrypt can give it back: ciphertext id → (key, plaintext). */
  ciphertexts: Map<string, { keyArn: string; plaintext: Buffer }>;
  /** The vendor's SQS queues by `<account>/<name>`: unlike the world, they outlive `setWorld`. */
  queues: Map<string, Queue>;
  /** Every event PutEvents accepted, oldest first: the one array the sandbox hands out. */
  events: CapturedEvent[];
  /** SSM parameters by account, region and name: every version kept, oldest first. */
  parameters: Map<string, ParameterVersion[]>;
  /** Long polls waiting for a message: each is woken when something may have become deliverable. */
  waiters: Set<() => void>;
  /** Set on close: long polls answer at once. */
  closed: boolean;
  /** The sandbox's own URL (queue URLs carry it), once it listens. */
  url: string;
  /** Where the world's reachable databases listen, and a port nothing listens on. */
  databasePort: number;
  closedPort: number;
}

export const now = (s: SandboxState) => Date.now() + s.clockOffset;
export const vendorNow = (s: SandboxState) => Date.now() + s.vendorClockOffset;
export const wake = (s: SandboxState) => {
  for (const w of [...s.waiters]) w();
};

export function createState(world: World, faults: Fault[] = []): SandboxState {
  const state: SandboxState = {
    world,
    clockOffset: 0,
    vendorClockOffset: 0,
    faults: faults.map((f) => ({ ...f })),
    requests: [],
    sessions: new Map(),
    objects: new Map(),
    ciphertexts: new Map(),
    queues: new Map(),
    events: [],
    parameters: new Map(),
    waiters: new Set(),
    closed: false,
    url: '',
    databasePort: 0,
    closedPort: 0,
  };
  loadWorld(state, world);
  return state;
}

/** A new world: its principals' sessions and its buckets' objects; the vendor's side stays. */
export function loadWorld(state: SandboxState, w: World) {
  state.world = w;
  state.clockOffset = 0;
  state.sessions.clear();
  state.objects.clear();
  const v = w.vendor;
  const vendorName = v.roleArn.split('/').at(-1) ?? 'vendor';
  state.sessions.set(v.accessKeyId, {
    caller: {
      arn: `arn:aws:sts::${accountOf(v.roleArn)}:assumed-role/${vendorName}/lambda`,
      account: accountOf(v.roleArn),
      userid: `AROAVENDOR:${vendorName}`,
      identityPolicies: [v.policy],
    },
    secretAccessKey: v.secretAccessKey,
    sessionToken: v.sessionToken,
    active: true,
  });
  for (const u of w.users ?? []) {
    state.sessions.set(u.accessKeyId, {
      caller: {
        arn: u.arn,
        account: accountOf(u.arn),
        userid: uniqueIdOf('AIDA', u.arn),
        username: u.arn.split('/').at(-1) ?? '',
        identityPolicies: u.policies,
        ...(u.boundary ? { boundary: u.boundary } : {}),
        ...(w.scps?.[accountOf(u.arn)] ? { scps: w.scps[accountOf(u.arn)] } : {}),
      },
      secretAccessKey: u.secretAccessKey,
      active: u.active !== false,
    });
  }
  for (const b of w.buckets ?? []) {
    const store = new Map<string, StoredVersion[]>();
    for (const [key, body] of Object.entries(b.objects ?? {})) {
      store.set(key, [
        {
          versionId: b.versioning ? randomUUID() : 'null',
          body: Buffer.from(body),
          lastModified: new Date(Date.now() - 86_400_000),
        },
      ]);
    }
    state.objects.set(b.name, store);
  }
}

export function setFaults(state: SandboxState, faults: Fault[]) {
  state.faults = faults.map((f) => ({ ...f }));
}

/** The fault that strikes this call, if any: each strike uses up one of its `times`. */
export function takeFault(state: SandboxState, service: string, operation: string): Fault | undefined {
  const f = state.faults.find(
    (x) => x.service === service && (!x.operation || x.operation === operation) && (x.times ?? 1) > 0,
  );
  if (f?.rate !== undefined && Math.random() >= f.rate) return undefined;
  if (f && f.times !== undefined) f.times--;
  return f;
}

/** RCPs govern the resources of an account, whoever calls. */
export const rcpsOf = (state: SandboxState, account: string) =>
  state.world.rcps?.[account] ? { rcps: state.world.rcps[account] } : {};
