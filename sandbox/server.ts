import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminControl } from './admin.ts';
import { authenticate } from './authenticate.ts';
import { AwsError, requestId, type Service } from './services/aws.ts';
import { startDatabases } from './services/databases.ts';
import { type CapturedEvent, eventsService } from './services/events.ts';
import { iamService } from './services/iam.ts';
import { kmsService } from './services/kms.ts';
import { redshiftService } from './services/redshift.ts';
import { redshiftServerlessService } from './services/redshift-serverless.ts';
import { etag, s3Error, s3Operation, s3Service } from './services/s3.ts';
import { type SandboxQueues, sandboxQueues, sqsService } from './services/sqs.ts';
import { ssmService } from './services/ssm.ts';
import { stsService } from './services/sts.ts';
import { parseAuthorization } from './sigv4.ts';
import {
  createState,
  type Fault,
  loadWorld,
  type RecordedRequest,
  type SandboxState,
  setFaults,
  takeFault,
  wake,
} from './state.ts';
import type { World } from './world.ts';

/**
 * A local AWS for the verifier: STS (query/XML), S3 (REST/XML, path style), KMS (JSON 1.1),
 * Redshift (query/XML), Redshift Serverless (JSON 1.1) and IAM (query/XML) on one port of
 * 127.0.0.1, reached by the real SDK through AWS_ENDPOINT_URL_<SERVICE>. This is its HTTP front:
 * it checks SigV4 signatures, keys, session tokens and expiry, injects faults, records every
 * request and hands the call to its service (`services/`), which authorizes it by policy
 * evaluation and answers as AWS does where the verifier looks. The vendor's own SQS queues,
 * EventBridge bus and Parameter Store live here too: signatures checked, no policies evaluated.
 * Every service works on one state (`state.ts`).
 */

export type { Fault, RecordedRequest } from './state.ts';

export interface Sandbox {
  url: string;
  port: number;
  requests: RecordedRequest[];
  setWorld(world: World): void;
  setFaults(faults: Fault[]): void;
  /** Every object version of every bucket, to prove what the verifier did not touch. */
  snapshotObjects(): Record<string, string>;
  /** Where the world's reachable databases listen (a TCP port that accepts and closes). */
  databasePort: number;
  /** A port nothing listens on: the endpoint of an unreachable database. */
  closedPort: number;
  /** Moves the sandbox's clock on, to expire sessions and visibility timeouts. */
  advanceClock(ms: number): void;
  /** The vendor's SQS queues; unlike the world, they outlive `setWorld`. */
  queues: SandboxQueues;
  /** Every event PutEvents accepted, oldest first (clear with `events.length = 0`). */
  events: CapturedEvent[];
  close(): Promise<void>;
}

/** The request headers the log keeps: what the verifier's probes must (or must not) send. */
const RECORDED_HEADERS = [
  'if-none-match',
  'range',
  'x-amz-expected-bucket-owner',
  'x-amz-server-side-encryption',
  'x-amz-acl',
  'x-amz-request-payer',
];

/** Each service by the name it is signed for (a Map: a signed name is the caller's to choose). */
const servicesOf = (state: SandboxState) =>
  new Map<string, Service>([
    ['sts', stsService(state)],
    ['s3', s3Service(state)],
    ['kms', kmsService(state)],
    ['redshift', redshiftService(state)],
    ['redshift-serverless', redshiftServerlessService(state)],
    ['iam', iamService(state)],
    ['sqs', sqsService(state)],
    ['events', eventsService(state)],
    ['ssm', ssmService(state)],
  ]);

/** What answers a request signed for a service the sandbox does not serve: S3's REST words. */
const unknownService: Service = {
  operation: (req) => s3Operation(req),
  error: s3Error,
  handle: async () => {
    throw new Error('unreachable: an unknown service is refused before it is handled');
  },
};

export async function startSandbox(opts: {
  world: World;
  port?: number;
  faults?: Fault[];
}): Promise<Sandbox> {
  const state = createState(opts.world, opts.faults);
  const services = servicesOf(state);
  const queues = sandboxQueues(state);
  const admin = adminControl(state, queues);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(state, services, admin, req, res, Buffer.concat(chunks));
    });
  });
  const databases = await startDatabases();
  state.databasePort = databases.databasePort;
  state.closedPort = databases.closedPort;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${port}`;
  return {
    url: state.url,
    port,
    databasePort: state.databasePort,
    closedPort: state.closedPort,
    requests: state.requests,
    setWorld: (w) => loadWorld(state, w),
    setFaults: (f) => setFaults(state, f),
    advanceClock: (ms) => {
      state.clockOffset += ms;
      state.vendorClockOffset += ms;
      wake(state);
    },
    queues,
    events: state.events,
    snapshotObjects: () => snapshotObjects(state),
    close: async () => {
      // Long polls answer at once, so that closing the server does not wait on them.
      state.closed = true;
      wake(state);
      await databases.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function snapshotObjects(state: SandboxState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [b, store] of state.objects) {
    for (const [k, versions] of store) {
      versions.forEach((v, i) => {
        out[`${b}/${k}#${i}`] = v.deleteMarker ? '(delete marker)' : etag(v.body);
      });
    }
  }
  return out;
}

function recordOf(req: IncomingMessage, service: string): RecordedRequest {
  const record: RecordedRequest = {
    service,
    operation: 'unknown',
    headers: {},
    status: 0,
    startedAt: performance.now(),
  };
  for (const h of RECORDED_HEADERS) {
    const value = req.headers[h];
    if (typeof value === 'string') record.headers[h] = value;
  }
  return record;
}

/** One AWS call: recorded, struck by a fault if one matches, authenticated, then its service's. */
async function handle(
  state: SandboxState,
  services: Map<string, Service>,
  admin: ReturnType<typeof adminControl>,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) {
  if (req.url?.startsWith('/__sandbox/')) return admin(req, res, body);
  const rid = requestId();
  const auth = parseAuthorization(req.headers.authorization);
  const service = auth?.service ?? 'unknown';
  const svc = services.get(service);
  const record = recordOf(req, service);
  state.requests.push(record);
  let dropAfter = false;
  const reply = (status: number, headers: Record<string, string>, payload?: string | Buffer) => {
    record.status = status;
    record.endedAt = performance.now();
    if (dropAfter) {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    res.writeHead(status, {
      'x-amz-request-id': rid,
      'x-amzn-requestid': rid,
      'x-amz-id-2': `${rid}host`,
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : payload);
  };
  try {
    if (!auth)
      throw new AwsError(
        403,
        service === 'unknown' ? 'MissingAuthenticationToken' : 'AccessDenied',
        'Request is missing Authentication Token',
      );
    record.operation = (svc ?? unknownService).operation(req, body);
    const fault = takeFault(state, service, record.operation);
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault?.reset) {
      record.status = -1;
      record.endedAt = performance.now();
      req.socket.destroy();
      return;
    }
    if (fault?.error && !fault.failEntries)
      throw new AwsError(fault.error.status, fault.error.code, fault.error.message ?? fault.error.code);
    if (fault?.dropAfter) dropAfter = true;
    const session = authenticate(state, auth, req, body);
    record.principal = session.caller.arn;
    if (!svc) throw new AwsError(400, 'UnknownService', `the sandbox does not serve ${service}`);
    const out = await svc.handle({ req, body, session, region: auth.region, rid, record, fault });
    if (out.code) record.code = out.code;
    return reply(out.status, out.headers, out.body);
  } catch (err) {
    const e = err instanceof AwsError ? err : new AwsError(500, 'InternalError', (err as Error).message);
    record.code = e.code;
    const out = (svc ?? unknownService).error(e, rid);
    reply(out.status, out.headers, out.body);
  }
}
