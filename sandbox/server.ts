import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { crc32 } from 'node:zlib';
import {
  authorize,
  type Caller,
  forListAllMyBuckets,
  type PolicyJson,
  refusalMessage,
  type Verdict,
} from './iam.ts';
import { IAM_XMLNS, iamService } from './iam-service.ts';
import { type CapturedEvent, type SandboxQueues, startVendorServices } from './queues.ts';
import { decodeAwsChunked, parseAuthorization, verifySignature } from './sigv4.ts';
import type { SandboxBucket, World } from './world.ts';

/**
 * A local AWS for the verifier: STS (query/XML), S3 (REST/XML, path style), KMS (JSON 1.1),
 * Redshift (query/XML) and Redshift Serverless (JSON 1.1) on one port of 127.0.0.1, reached by the real SDK through AWS_ENDPOINT_URL_<SERVICE>. It
 * checks SigV4 signatures, keys, session tokens and expiry, authorizes every call by policy
 * evaluation, answers as AWS does where the verifier looks, injects faults and records
 * every request. The vendor's own SQS queues and EventBridge bus live here too (queues.ts):
 * signatures checked, no policies evaluated.
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

interface StoredVersion {
  versionId: string;
  body?: Buffer;
  deleteMarker?: boolean;
  lastModified: Date;
  sse?: { algorithm: string; kmsKeyId?: string };
  /** The CRC32 S3 keeps when the writer sent one (`x-amz-checksum-crc32`, base64). */
  crc32?: string;
}

interface Session {
  caller: Caller;
  secretAccessKey: string;
  sessionToken?: string;
  expires?: number;
  active: boolean;
}

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

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const accountOf = (arn: string) => arn.split(':')[4] ?? '';
const requestId = () => randomBytes(8).toString('hex').toUpperCase();

class AwsError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export async function startSandbox(opts: {
  world: World;
  port?: number;
  faults?: Fault[];
}): Promise<Sandbox> {
  let world = opts.world;
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  let faults = (opts.faults ?? []).map((f) => ({ ...f }));
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, Session>();
  const objects = new Map<string, Map<string, StoredVersion[]>>();
  /** What KMS encrypted, so Decrypt can give it back: ciphertext id → (key, plaintext). */
  const ciphertexts = new Map<string, { keyArn: string; plaintext: Buffer }>();
  const vendorServices = startVendorServices({ url: () => `http://127.0.0.1:${port}` });

  /** RCPs govern the resources of an account, whoever calls. */
  const rcpsOf = (account: string) => (world.rcps?.[account] ? { rcps: world.rcps[account] } : {});

  const load = (w: World) => {
    world = w;
    clockOffset = 0;
    sessions.clear();
    objects.clear();
    const v = w.vendor;
    const vendorName = v.roleArn.split('/').at(-1) ?? 'vendor';
    sessions.set(v.accessKeyId, {
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
      sessions.set(u.accessKeyId, {
        caller: {
          arn: u.arn,
          account: accountOf(u.arn),
          userid: `AIDA${createHash('sha1').update(u.arn).digest('hex').slice(0, 16).toUpperCase()}`,
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
      objects.set(b.name, store);
    }
  };
  load(world);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    if (req.url?.startsWith('/__sandbox/')) return admin(req, res, body);
    const rid = requestId();
    const auth = parseAuthorization(req.headers.authorization);
    const service = auth?.service ?? 'unknown';
    const record: RecordedRequest = {
      service,
      operation: 'unknown',
      headers: {},
      status: 0,
      startedAt: performance.now(),
    };
    for (const h of [
      'if-none-match',
      'range',
      'x-amz-expected-bucket-owner',
      'x-amz-server-side-encryption',
      'x-amz-acl',
      'x-amz-request-payer',
    ]) {
      const value = req.headers[h];
      if (typeof value === 'string') record.headers[h] = value;
    }
    requests.push(record);
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
      record.operation = operationOf(service, req, body);
      const fault = takeFault(service, record.operation);
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
      const session = authenticate(auth, req, body);
      record.principal = session.caller.arn;
      if (service === 'sts' && record.operation === 'AssumeRole')
        record.roleSessionName = new URLSearchParams(body.toString()).get('RoleSessionName') ?? '';
      if (service === 'sts')
        return reply(
          200,
          { 'content-type': 'text/xml' },
          await sts(session, new URLSearchParams(body.toString()), rid),
        );
      if (service === 'iam') {
        const body_ = new URLSearchParams(body.toString());
        const fail = (status: number, code: string, message: string) => new AwsError(status, code, message);
        return reply(
          200,
          { 'content-type': 'text/xml' },
          await iamService(world, session.caller, body_, rid, fail),
        );
      }
      if (service === 's3') {
        const out = await s3(session, req, body, record, auth.region);
        return reply(out.status, out.headers, out.body);
      }
      if (service === 'kms') {
        return reply(
          200,
          { 'content-type': 'application/x-amz-json-1.1' },
          JSON.stringify(
            await kms(session, record.operation, JSON.parse(body.toString() || '{}'), auth.region),
          ),
        );
      }
      if (service === 'redshift') {
        return reply(
          200,
          { 'content-type': 'text/xml' },
          await redshift(session, new URLSearchParams(body.toString()), auth.region, rid),
        );
      }
      if (service === 'redshift-serverless') {
        return reply(
          200,
          { 'content-type': 'application/x-amz-json-1.1' },
          JSON.stringify(
            await redshiftServerless(
              session,
              record.operation,
              JSON.parse(body.toString() || '{}'),
              auth.region,
            ),
          ),
        );
      }
      if (service === 'sqs' || service === 'events' || service === 'ssm') {
        const out = await vendorServices.handle(
          service,
          record.operation,
          body,
          { account: session.caller.account, userid: session.caller.userid, region: auth.region },
          fault?.failEntries ? fault.error : undefined,
        );
        if (out.code) record.code = out.code;
        return reply(out.status, out.headers, out.body);
      }
      throw new AwsError(400, 'UnknownService', `the sandbox does not serve ${service}`);
    } catch (err) {
      const e = err instanceof AwsError ? err : new AwsError(500, 'InternalError', (err as Error).message);
      record.code = e.code;
      if (service === 'sts' || service === 'redshift' || service === 'iam') {
        const xmlns =
          service === 'sts'
            ? 'https://sts.amazonaws.com/doc/2011-06-15/'
            : service === 'iam'
              ? IAM_XMLNS
              : 'http://redshift.amazonaws.com/doc/2012-12-01/';
        reply(
          e.status,
          { 'content-type': 'text/xml', ...e.headers },
          `<ErrorResponse xmlns="${xmlns}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${esc(e.message)}</Message></Error><RequestId>${rid}</RequestId></ErrorResponse>`,
        );
      } else if (service === 'sqs' || service === 'events' || service === 'ssm') {
        const out = vendorServices.errorReply(service, e.status, e.code, e.message);
        reply(out.status, { ...out.headers, ...e.headers }, out.body);
      } else if (service === 'kms' || service === 'redshift-serverless') {
        reply(
          e.status === 403 ? 400 : e.status,
          { 'content-type': 'application/x-amz-json-1.1', ...e.headers },
          JSON.stringify({ __type: e.code, message: e.message }),
        );
      } else {
        reply(
          e.status,
          { 'content-type': 'application/xml', ...e.headers },
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${esc(e.message)}</Message><RequestId>${rid}</RequestId><HostId>${rid}host</HostId></Error>`,
        );
      }
    }
  }

  /** Loopback-only control for a sandbox in another process: the world, the faults, the log. */
  function admin(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'PUT' && req.url === '/__sandbox/world') {
      load(JSON.parse(body.toString()) as World);
      return answer(200, { ok: true });
    }
    if (req.method === 'PUT' && req.url === '/__sandbox/faults') {
      faults = (JSON.parse(body.toString()) as Fault[]).map((f) => ({ ...f }));
      return answer(200, { ok: true });
    }
    if (req.method === 'GET' && req.url === '/__sandbox/requests') return answer(200, requests);
    if (req.method === 'GET' && req.url === '/__sandbox/events') return answer(200, vendorServices.events);
    if (req.method === 'DELETE' && req.url === '/__sandbox/events') {
      vendorServices.events.length = 0;
      return answer(200, { ok: true });
    }
    if (req.method === 'GET' && req.url === '/__sandbox/queues')
      return answer(200, vendorServices.queues.list());
    if (req.method === 'DELETE' && req.url === '/__sandbox/queues') {
      vendorServices.queues.reset();
      return answer(200, { ok: true });
    }
    if (req.method === 'DELETE' && req.url === '/__sandbox/requests') {
      requests.length = 0;
      return answer(200, { ok: true });
    }
    return answer(404, { error: 'unknown sandbox control' });
  }

  function takeFault(service: string, operation: string): Fault | undefined {
    const f = faults.find(
      (x) => x.service === service && (!x.operation || x.operation === operation) && (x.times ?? 1) > 0,
    );
    if (f?.rate !== undefined && Math.random() >= f.rate) return undefined;
    if (f && f.times !== undefined) f.times--;
    return f;
  }

  function authenticate(
    auth: NonNullable<ReturnType<typeof parseAuthorization>>,
    req: IncomingMessage,
    body: Buffer,
  ): Session {
    const s = sessions.get(auth.accessKeyId);
    const unknown = auth.service === 's3' ? 'InvalidAccessKeyId' : 'InvalidClientTokenId';
    if (!s?.active) {
      throw new AwsError(
        403,
        unknown,
        auth.service === 's3'
          ? 'The AWS Access Key Id you provided does not exist in our records.'
          : 'The security token included in the request is invalid.',
      );
    }
    const token = req.headers['x-amz-security-token'];
    if (s.sessionToken !== undefined && token !== s.sessionToken) {
      throw new AwsError(
        auth.service === 's3' ? 400 : 403,
        auth.service === 's3' ? 'InvalidToken' : 'InvalidClientTokenId',
        'The provided token is malformed or otherwise invalid.',
      );
    }
    if (s.expires !== undefined && now() > s.expires) {
      throw new AwsError(
        auth.service === 's3' ? 400 : 403,
        'ExpiredToken',
        'The provided token has expired.',
      );
    }
    if (
      !verifySignature(auth, s.secretAccessKey, {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
      })
    ) {
      throw new AwsError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    }
    return s;
  }

  // ---- STS -----------------------------------------------------------------------------------

  async function sts(session: Session, params: URLSearchParams, rid: string): Promise<string> {
    const action = params.get('Action');
    const wrap = (name: string, inner: string) =>
      `<${name}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${name}Result>${inner}</${name}Result><ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata></${name}Response>`;
    if (action === 'GetCallerIdentity') {
      const c = session.caller;
      return wrap(
        'GetCallerIdentity',
        `<Arn>${c.arn}</Arn><UserId>${c.userid}</UserId><Account>${c.account}</Account>`,
      );
    }
    if (action !== 'AssumeRole')
      throw new AwsError(400, 'InvalidAction', `Could not find operation ${action}`);
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const policy = params.get('Policy');
    if (policy && policy.length > 2048) {
      throw new AwsError(
        400,
        'ValidationError',
        "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048",
      );
    }
    const duration = Number(params.get('DurationSeconds') ?? 3600);
    if (duration < 900) throw new AwsError(400, 'ValidationError', 'DurationSeconds must be at least 900');
    const role = world.roles?.find((r) => r.arn === roleArn);
    const externalId = params.get('ExternalId');
    const denied = new AwsError(
      403,
      'AccessDenied',
      `User: ${session.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
    // A missing role, a wrong account, an untrusted principal and a wrong external ID read alike.
    if (!role) throw denied;
    const verdict = await authorize(
      session.caller,
      'sts:AssumeRole',
      { arn: roleArn, account: accountOf(roleArn) },
      {
        resourcePolicy: role.trust,
        context: externalId ? { 'sts:ExternalId': externalId } : {},
      },
    );
    if (!verdict.allowed) throw denied;
    const roleName = roleArn.split('/').at(-1) ?? 'role';
    const keyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const secret = randomBytes(30).toString('base64');
    const token = randomBytes(48).toString('base64');
    const account = accountOf(roleArn);
    sessions.set(keyId, {
      caller: {
        arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
        account,
        userid: `${role.uniqueId ?? `AROA${createHash('sha1').update(roleArn).digest('hex').slice(0, 16).toUpperCase()}`}:${sessionName}`,
        identityPolicies: role.policies,
        ...(role.boundary ? { boundary: role.boundary } : {}),
        ...(policy ? { sessionPolicy: JSON.parse(policy) as PolicyJson } : {}),
        ...(world.scps?.[account] ? { scps: world.scps[account] } : {}),
      },
      secretAccessKey: secret,
      sessionToken: token,
      expires: Date.now() + duration * 1000,
      active: true,
    });
    const expiration = new Date(Date.now() + duration * 1000).toISOString();
    return wrap(
      'AssumeRole',
      `<Credentials><AccessKeyId>${keyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:${esc(sessionName)}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${esc(sessionName)}</Arn></AssumedRoleUser><PackedPolicySize>${policy ? Math.min(99, Math.ceil(policy.length / 25)) : 0}</PackedPolicySize>`,
    );
  }

  // ---- S3 ------------------------------------------------------------------------------------

  function operationOf(service: string, req: IncomingMessage, body: Buffer): string {
    if (service === 'sts' || service === 'redshift' || service === 'iam')
      return new URLSearchParams(body.toString()).get('Action') ?? 'unknown';
    if (['kms', 'redshift-serverless', 'sqs', 'events', 'ssm'].includes(service))
      return String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = rest.join('/');
    const q = url.searchParams;
    if (!key) {
      if (!bucket && req.method === 'GET') return 'ListBuckets';
      if (req.method === 'HEAD') return 'HeadBucket';
      if (q.has('location')) return 'GetBucketLocation';
      if (q.has('encryption')) return 'GetBucketEncryption';
      if (q.has('versioning')) return 'GetBucketVersioning';
      if (q.has('versions')) return 'ListObjectVersions';
      if (req.method === 'GET' && bucket) return 'ListObjectsV2';
      return 'unknown';
    }
    return (
      { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' }[req.method ?? ''] ??
      'unknown'
    );
  }

  async function s3(
    session: Session,
    req: IncomingMessage,
    raw: Buffer,
    record: RecordedRequest,
    signedRegion: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: string | Buffer }> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const [, bucketName = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const q = url.searchParams;
    const op = record.operation;
    record.bucket = bucketName;
    if (key) record.key = key;
    const versionId = q.get('versionId') ?? undefined;
    if (versionId) record.versionId = versionId;

    if (op === 'ListBuckets') return listBuckets(session, q);
    const bucket = world.buckets?.find((b) => b.name === bucketName);
    if (!bucket) throw new AwsError(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const regionHeader = { 'x-amz-bucket-region': bucket.region };
    if (signedRegion !== bucket.region) {
      throw new AwsError(
        301,
        'PermanentRedirect',
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
        regionHeader,
      );
    }
    const owner = req.headers['x-amz-expected-bucket-owner'];
    if (typeof owner === 'string' && owner !== bucket.account)
      throw new AwsError(403, 'AccessDenied', 'Access Denied', regionHeader);

    const bucketArn = `arn:aws:s3:::${bucket.name}`;
    const objectArn = `${bucketArn}/${key}`;
    const check = async (action: string, arn: string, context: Record<string, string> = {}) => {
      const v = await authorize(
        session.caller,
        action,
        { arn, account: bucket.account },
        {
          ...(bucket.policy ? { resourcePolicy: bucket.policy } : {}),
          ...rcpsOf(bucket.account),
          context,
        },
      );
      if (!v.allowed) throw deniedError(session.caller, action, arn, v, bucket, regionHeader);
    };
    const store = objects.get(bucket.name) ?? new Map<string, StoredVersion[]>();
    objects.set(bucket.name, store);
    const latest = (k: string) => store.get(k)?.at(-1);
    const xml = (inner: string) => ({
      status: 200,
      headers: { 'content-type': 'application/xml', ...regionHeader },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${inner}`,
    });

    switch (op) {
      case 'HeadBucket':
        await check('s3:ListBucket', bucketArn);
        return { status: 200, headers: regionHeader, body: '' };
      case 'GetBucketLocation':
        await check('s3:GetBucketLocation', bucketArn);
        return xml(
          `<LocationConstraint xmlns="${XMLNS}">${bucket.region === 'us-east-1' ? '' : bucket.region}</LocationConstraint>`,
        );
      case 'GetBucketEncryption': {
        await check('s3:GetEncryptionConfiguration', bucketArn);
        const enc = bucket.encryption === undefined ? { algorithm: 'AES256' } : bucket.encryption;
        if (!enc)
          throw new AwsError(
            404,
            'ServerSideEncryptionConfigurationNotFoundError',
            'The server side encryption configuration was not found',
          );
        return xml(
          `<ServerSideEncryptionConfiguration xmlns="${XMLNS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${enc.algorithm}</SSEAlgorithm>${'kmsKeyId' in enc && enc.kmsKeyId ? `<KMSMasterKeyID>${enc.kmsKeyId}</KMSMasterKeyID>` : ''}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
        );
      }
      case 'ListObjectsV2': {
        const prefix = q.get('prefix') ?? '';
        await check('s3:ListBucket', bucketArn, { 's3:prefix': prefix });
        const max = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
        const keys = [...store.entries()]
          .filter(([k, v]) => k.startsWith(prefix) && !v.at(-1)?.deleteMarker)
          .map(([k]) => k)
          .sort();
        const page = keys.slice(0, max);
        const contents = page.map((k) => {
          const v = latest(k) as StoredVersion;
          return `<Contents><Key>${esc(k)}</Key><LastModified>${v.lastModified.toISOString()}</LastModified><ETag>"${etag(v.body)}"</ETag><Size>${v.body?.length ?? 0}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        });
        return xml(
          `<ListBucketResult xmlns="${XMLNS}"><Name>${bucket.name}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${keys.length > max}</IsTruncated>${contents.join('')}</ListBucketResult>`,
        );
      }
      case 'PutObject': {
        const sseHeader = req.headers['x-amz-server-side-encryption'];
        await check(
          's3:PutObject',
          objectArn,
          typeof sseHeader === 'string' ? { 's3:x-amz-server-side-encryption': sseHeader } : {},
        );
        // Authorization comes first: only an authorized caller learns from a 412 that the key exists.
        if (req.headers['if-none-match'] === '*' && latest(key) && !latest(key)?.deleteMarker) {
          throw new AwsError(
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
        }
        if (
          bucket.objectLock &&
          !Object.keys(req.headers).some(
            (h) => h === 'content-md5' || h.startsWith('x-amz-checksum-') || h === 'x-amz-trailer',
          )
        ) {
          throw new AwsError(
            400,
            'InvalidRequest',
            'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
          );
        }
        const kmsKey =
          typeof sseHeader === 'string' && sseHeader === 'aws:kms'
            ? String(
                req.headers['x-amz-server-side-encryption-aws-kms-key-id'] ??
                  bucket.encryption?.kmsKeyId ??
                  '',
              )
            : bucket.encryption?.algorithm === 'aws:kms'
              ? (bucket.encryption.kmsKeyId ?? '')
              : '';
        if (kmsKey) await kmsViaS3(session, 'kms:GenerateDataKey', kmsKey, bucket, regionHeader);
        const data =
          req.headers['content-encoding']?.includes('aws-chunked') ||
          String(req.headers['x-amz-content-sha256']).startsWith('STREAMING')
            ? decodeAwsChunked(raw)
            : raw;
        const sentCrc32 = [
          req.headers['x-amz-checksum-crc32'],
          req.headers['x-amz-sdk-checksum-algorithm'],
          req.headers['x-amz-trailer'],
        ].some((h) => typeof h === 'string' && /crc32$/i.test(h) && !/crc32c$/i.test(h))
          ? crc32Base64(data)
          : undefined;
        const version: StoredVersion = {
          versionId: bucket.versioning ? randomUUID() : 'null',
          body: data,
          lastModified: new Date(),
          ...(kmsKey ? { sse: { algorithm: 'aws:kms', kmsKeyId: kmsKey } } : {}),
          ...(sentCrc32 ? { crc32: sentCrc32 } : {}),
        };
        store.set(key, bucket.versioning ? [...(store.get(key) ?? []), version] : [version]);
        return {
          status: 200,
          headers: {
            ETag: `"${etag(data)}"`,
            ...(bucket.versioning ? { 'x-amz-version-id': version.versionId } : {}),
            ...(kmsKey
              ? {
                  'x-amz-server-side-encryption': 'aws:kms',
                  'x-amz-server-side-encryption-aws-kms-key-id': kmsKey,
                }
              : {}),
          },
          body: '',
        };
      }
      case 'GetObject':
      case 'HeadObject': {
        await check(versionId ? 's3:GetObjectVersion' : 's3:GetObject', objectArn);
        const v = versionId ? store.get(key)?.find((x) => x.versionId === versionId) : latest(key);
        if (!v || v.deleteMarker) {
          // Without s3:ListBucket, S3 will not say whether a key exists.
          const canList = await authorize(
            session.caller,
            's3:ListBucket',
            { arn: bucketArn, account: bucket.account },
            { ...(bucket.policy ? { resourcePolicy: bucket.policy } : {}), ...rcpsOf(bucket.account) },
          );
          if (!canList.allowed) throw new AwsError(403, 'AccessDenied', 'Access Denied');
          throw new AwsError(404, 'NoSuchKey', 'The specified key does not exist.');
        }
        if (v.sse?.kmsKeyId) await kmsViaS3(session, 'kms:Decrypt', v.sse.kmsKeyId, bucket, regionHeader);
        const body = v.body ?? Buffer.alloc(0);
        const range = req.headers.range;
        const common = {
          ETag: `"${etag(body)}"`,
          'Last-Modified': v.lastModified.toUTCString(),
          ...(bucket.versioning ? { 'x-amz-version-id': v.versionId } : {}),
          // As S3 does: an SSE-KMS object's answer names the key it was decrypted with.
          ...(v.sse?.kmsKeyId
            ? {
                'x-amz-server-side-encryption': 'aws:kms',
                'x-amz-server-side-encryption-aws-kms-key-id': v.sse.kmsKeyId,
              }
            : {}),
          ...(v.crc32 && req.headers['x-amz-checksum-mode'] === 'ENABLED'
            ? { 'x-amz-checksum-crc32': v.crc32 }
            : {}),
        };
        if (typeof range === 'string' && op === 'GetObject') {
          const m = /^bytes=(\d+)-(\d+)?$/.exec(range);
          const start = Number(m?.[1] ?? 0);
          if (start >= body.length)
            throw new AwsError(416, 'InvalidRange', 'The requested range is not satisfiable');
          const end = Math.min(Number(m?.[2] ?? body.length - 1), body.length - 1);
          return {
            status: 206,
            headers: {
              ...common,
              'Content-Range': `bytes ${start}-${end}/${body.length}`,
              'Content-Length': String(end - start + 1),
            },
            body: body.subarray(start, end + 1),
          };
        }
        return { status: 200, headers: { ...common, 'Content-Length': String(body.length) }, body };
      }
      case 'DeleteObject': {
        await check(versionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectArn);
        const versions = store.get(key) ?? [];
        if (versionId) {
          if (bucket.objectLock && versions.some((x) => x.versionId === versionId && !x.deleteMarker)) {
            throw new AwsError(403, 'AccessDenied', 'Access Denied because object protected by object lock.');
          }
          store.set(
            key,
            versions.filter((x) => x.versionId !== versionId),
          );
          if (store.get(key)?.length === 0) store.delete(key);
          return { status: 204, headers: { 'x-amz-version-id': versionId }, body: '' };
        }
        if (bucket.versioning) {
          const marker: StoredVersion = {
            versionId: randomUUID(),
            deleteMarker: true,
            lastModified: new Date(),
          };
          store.set(key, [...versions, marker]);
          return {
            status: 204,
            headers: { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId },
            body: '',
          };
        }
        store.delete(key);
        return { status: 204, headers: {}, body: '' };
      }
      default:
        throw new AwsError(501, 'NotImplemented', `the sandbox does not implement ${op}`);
    }
  }

  /** ListBuckets: the caller's account's buckets, an action on no resource (`s3:ListAllMyBuckets`). */
  async function listBuckets(session: Session, q: URLSearchParams) {
    const caller = session.caller;
    const action = 's3:ListAllMyBuckets';
    const v = await authorize(forListAllMyBuckets(caller), action, { arn: '*', account: caller.account });
    if (!v.allowed) {
      const head = `User: ${caller.arn} is not authorized to perform: ${action}`;
      const why = !v.by
        ? ''
        : v.explicit
          ? ` with an explicit deny in a${v.by.startsWith('identity') ? 'n' : ''} ${v.by}`
          : ` because no ${v.by} allows the ${action} action`;
      throw new AwsError(403, 'AccessDenied', `${head}${why}`);
    }
    const max = Number(q.get('max-buckets') ?? 10_000);
    const mine = (world.buckets ?? []).filter((b) => b.account === caller.account).slice(0, max);
    const list = mine
      .map(
        (b) =>
          `<Bucket><Name>${esc(b.name)}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate><BucketRegion>${b.region}</BucketRegion></Bucket>`,
      )
      .join('');
    return {
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner><ID>${caller.account}</ID></Owner><Buckets>${list}</Buckets></ListAllMyBucketsResult>`,
    };
  }

  function deniedError(
    caller: Caller,
    action: string,
    arn: string,
    v: Verdict,
    bucket: SandboxBucket,
    headers: Record<string, string>,
  ) {
    // S3 words refusals in full only to callers of the bucket's own account.
    const message =
      caller.account === bucket.account ? refusalMessage(caller, action, arn, v) : 'Access Denied';
    return new AwsError(403, 'AccessDenied', message, headers);
  }

  /** S3 calls KMS as the caller: the caller's own KMS permissions decide, through S3. */
  async function kmsViaS3(
    session: Session,
    action: string,
    keyArn: string,
    bucket: SandboxBucket,
    headers: Record<string, string>,
  ) {
    const key = world.keys?.find((k) => k.arn === keyArn);
    if (!key) throw new AwsError(400, 'KMS.NotFoundException', `Invalid keyId ${keyArn}`, headers);
    if ((key.state ?? 'Enabled') !== 'Enabled')
      throw new AwsError(400, 'KMS.DisabledException', `${keyArn} is disabled.`, headers);
    const v = await authorize(
      session.caller,
      action,
      { arn: keyArn, account: accountOf(keyArn) },
      {
        resourcePolicy: key.policy,
        ...rcpsOf(accountOf(keyArn)),
        context: {
          'kms:ViaService': `s3.${bucket.region}.amazonaws.com`,
          'kms:CallerAccount': session.caller.account,
        },
      },
    );
    if (!v.allowed)
      throw new AwsError(
        403,
        'AccessDenied',
        refusalMessage(session.caller, action, keyArn, v, false),
        headers,
      );
  }

  // ---- KMS -----------------------------------------------------------------------------------

  async function kms(
    session: Session,
    op: string,
    input: { KeyId?: string; CiphertextBlob?: string; Plaintext?: string },
    region: string,
  ) {
    const action = {
      GenerateDataKey: 'kms:GenerateDataKey',
      Encrypt: 'kms:Encrypt',
      Decrypt: 'kms:Decrypt',
      DescribeKey: 'kms:DescribeKey',
    }[op];
    if (!action) throw new AwsError(400, 'UnknownOperationException', op);
    let keyArn = input.KeyId ?? '';
    let stored: { keyArn: string; plaintext: Buffer } | undefined;
    if (op === 'Decrypt') {
      stored = ciphertexts.get(Buffer.from(input.CiphertextBlob ?? '', 'base64').toString());
      if (!stored) throw new AwsError(400, 'InvalidCiphertextException', '');
      if (keyArn && keyArn !== stored.keyArn)
        throw new AwsError(
          400,
          'IncorrectKeyException',
          'The key ID in the request does not identify a CMK that can perform this operation.',
        );
      keyArn = stored.keyArn;
    }
    const key = world.keys?.find((k) => k.arn === keyArn);
    if (!key || accountOf(keyArn) === '' || keyArn.split(':')[3] !== region)
      throw new AwsError(400, 'NotFoundException', `Key '${keyArn}' does not exist`);
    const v = await authorize(
      session.caller,
      action,
      { arn: keyArn, account: accountOf(keyArn) },
      {
        resourcePolicy: key.policy,
        ...rcpsOf(accountOf(keyArn)),
        context: { 'kms:CallerAccount': session.caller.account },
      },
    );
    if (!v.allowed)
      throw new AwsError(
        400,
        'AccessDeniedException',
        refusalMessage(session.caller, action, keyArn, v, false),
      );
    if (op === 'DescribeKey') {
      return {
        KeyMetadata: {
          KeyId: keyArn.split('/').at(-1),
          Arn: keyArn,
          KeyState: key.state ?? 'Enabled',
          Enabled: (key.state ?? 'Enabled') === 'Enabled',
          ...(key.state === 'PendingDeletion'
            ? { DeletionDate: Math.floor(Date.now() / 1000) + 7 * 86400 }
            : {}),
        },
      };
    }
    const state = key.state ?? 'Enabled';
    if (state === 'Disabled') throw new AwsError(400, 'DisabledException', `${keyArn} is disabled.`);
    if (state !== 'Enabled')
      throw new AwsError(400, 'KMSInvalidStateException', `${keyArn} is pending deletion.`);
    const seal = (plaintext: Buffer) => {
      const id = `sandbox-ciphertext:${randomUUID()}`;
      ciphertexts.set(id, { keyArn, plaintext });
      return Buffer.from(id).toString('base64');
    };
    if (op === 'GenerateDataKey') {
      const plaintext = randomBytes(32);
      return { KeyId: keyArn, Plaintext: plaintext.toString('base64'), CiphertextBlob: seal(plaintext) };
    }
    if (op === 'Encrypt')
      return {
        KeyId: keyArn,
        CiphertextBlob: seal(Buffer.from(input.Plaintext ?? '', 'base64')),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    return {
      KeyId: keyArn,
      Plaintext: stored?.plaintext.toString('base64'),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  }

  // ---- Redshift and Redshift Serverless ----------------------------------------------------

  /**
   * Every database endpoint of the world: reachable ones on the listening port, others on a
   * closed one. A host name, as AWS gives (`<cluster>.<id>.<region>.redshift.amazonaws.com`), so the
   * verifier resolves it as it does in production; `localhost` is the one name this machine resolves.
   */
  const endpointOf = (reachable: boolean | undefined) => ({
    address: 'localhost',
    port: reachable === false ? closedPort : databasePort,
  });

  const password = () => randomBytes(24).toString('base64url');

  async function redshift(session: Session, params: URLSearchParams, region: string, rid: string) {
    const action = params.get('Action') ?? '';
    const wrap = (name: string, inner: string) =>
      `<${name}Response xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><${name}Result>${inner}</${name}Result><ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata></${name}Response>`;
    const id = params.get('ClusterIdentifier') ?? '';
    const account = session.caller.account;
    const base = `arn:aws:redshift:${region}:${account}`;
    const cluster = world.clusters?.find(
      (c) => c.identifier === id && c.region === region && c.account === account,
    );
    const refuse = (iamAction: string, arn: string, v: Verdict) =>
      new AwsError(403, 'AccessDenied', refusalMessage(session.caller, iamAction, arn, v, false));
    if (action === 'DescribeClusters') {
      const arn = `${base}:cluster:${id}`;
      const v = await authorize(session.caller, 'redshift:DescribeClusters', { arn, account });
      if (!v.allowed) throw refuse('redshift:DescribeClusters', arn, v);
      if (!cluster) throw new AwsError(404, 'ClusterNotFound', `Cluster ${id} not found.`);
      const e = endpointOf(cluster.reachable);
      return wrap(
        'DescribeClusters',
        `<Clusters><Cluster><ClusterIdentifier>${esc(id)}</ClusterIdentifier><ClusterStatus>available</ClusterStatus><Endpoint><Address>${e.address}</Address><Port>${e.port}</Port></Endpoint><IamRoles>${(
          cluster.iamRoles ?? []
        )
          .map(
            (r) =>
              `<ClusterIamRole><IamRoleArn>${esc(r.arn)}</IamRoleArn><ApplyStatus>${r.status ?? 'in-sync'}</ApplyStatus></ClusterIamRole>`,
          )
          .join('')}</IamRoles></Cluster></Clusters>`,
      );
    }
    if (action !== 'GetClusterCredentials')
      throw new AwsError(400, 'InvalidAction', `Could not find operation ${action}`);
    const dbUser = params.get('DbUser') ?? '';
    const dbName = params.get('DbName');
    const groups = [...params.entries()].filter(([k]) => k.startsWith('DbGroups.')).map(([, g]) => g);
    const duration = Number(params.get('DurationSeconds') ?? 900);
    if (duration < 900 || duration > 3600)
      throw new AwsError(400, 'InvalidParameterValue', 'DurationSeconds must be between 900 and 3600.');
    // Redshift authorizes the db user, then the database and each group it is asked for.
    const context = {
      'redshift:DbUser': dbUser,
      ...(dbName ? { 'redshift:DbName': dbName } : {}),
      'redshift:DurationSeconds': String(duration),
    };
    const resources = [
      `${base}:dbuser:${id}/${dbUser}`,
      ...(dbName ? [`${base}:dbname:${id}/${dbName}`] : []),
      ...groups.map((g) => `${base}:dbgroup:${id}/${g}`),
    ];
    for (const arn of resources) {
      const v = await authorize(
        session.caller,
        'redshift:GetClusterCredentials',
        { arn, account },
        { context },
      );
      if (!v.allowed) throw refuse('redshift:GetClusterCredentials', arn, v);
    }
    if (!cluster) throw new AwsError(404, 'ClusterNotFound', `Cluster ${id} not found.`);
    const expiration = new Date(now() + duration * 1000).toISOString();
    return wrap(
      'GetClusterCredentials',
      `<DbUser>IAM:${esc(dbUser)}</DbUser><DbPassword>${password()}</DbPassword><Expiration>${expiration}</Expiration>`,
    );
  }

  async function redshiftServerless(
    session: Session,
    op: string,
    input: { workgroupName?: string; namespaceName?: string; dbName?: string; durationSeconds?: number },
    region: string,
  ) {
    const account = session.caller.account;
    if (op === 'GetNamespace') return getNamespace(session, input.namespaceName ?? '', region);
    const name = input.workgroupName ?? '';
    const wg = world.workgroups?.find((w) => w.name === name && w.region === region && w.account === account);
    // The workgroup's ARN names its id: an unknown name has no ARN to authorize against.
    if (!wg) throw new AwsError(400, 'ResourceNotFoundException', `Workgroup ${name} not found.`);
    const arn = `arn:aws:redshift-serverless:${region}:${account}:workgroup/${wg.id}`;
    const action = {
      GetWorkgroup: 'redshift-serverless:GetWorkgroup',
      GetCredentials: 'redshift-serverless:GetCredentials',
    }[op];
    if (!action) throw new AwsError(400, 'UnknownOperationException', op);
    const v = await authorize(session.caller, action, { arn, account });
    if (!v.allowed)
      throw new AwsError(400, 'AccessDeniedException', refusalMessage(session.caller, action, arn, v, false));
    if (op === 'GetWorkgroup') {
      const e = endpointOf(wg.reachable);
      return {
        workgroup: {
          workgroupName: wg.name,
          workgroupId: wg.id,
          workgroupArn: arn,
          namespaceName: wg.namespace?.name ?? `${wg.name}-ns`,
          status: 'AVAILABLE',
          endpoint: { address: e.address, port: e.port },
        },
      };
    }
    const duration = input.durationSeconds ?? 900;
    return {
      dbUser: `IAMR:${session.caller.arn.split('/').at(-2) ?? 'user'}`,
      dbPassword: password(),
      expiration: Math.floor((now() + duration * 1000) / 1000),
      nextRefreshTime: Math.floor((now() + duration * 500) / 1000),
    };
  }

  /** GetNamespace: its ARN carries its id; its roles in the words AWS uses, `IamRole(applyStatus=…, iamRoleArn=…)`. */
  async function getNamespace(session: Session, name: string, region: string) {
    const account = session.caller.account;
    const wg = world.workgroups?.find(
      (w) => (w.namespace?.name ?? `${w.name}-ns`) === name && w.region === region && w.account === account,
    );
    if (!wg) throw new AwsError(400, 'ResourceNotFoundException', `Namespace ${name} not found.`);
    const id = wg.namespace?.id ?? wg.id;
    const arn = `arn:aws:redshift-serverless:${region}:${account}:namespace/${id}`;
    const action = 'redshift-serverless:GetNamespace';
    const v = await authorize(session.caller, action, { arn, account });
    if (!v.allowed)
      throw new AwsError(400, 'AccessDeniedException', refusalMessage(session.caller, action, arn, v, false));
    return {
      namespace: {
        namespaceName: name,
        namespaceId: id,
        namespaceArn: arn,
        status: 'AVAILABLE',
        iamRoles: (wg.namespace?.iamRoles ?? []).map((r) => `IamRole(applyStatus=in-sync, iamRoleArn=${r})`),
      },
    };
  }

  const databases: TcpServer = createTcpServer((socket) => socket.end());
  await new Promise<void>((resolve) => databases.listen(0, '127.0.0.1', () => resolve()));
  const databasePort = (databases.address() as AddressInfo).port;
  const closed: TcpServer = createTcpServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    databasePort,
    closedPort,
    requests,
    setWorld: (w) => load(w),
    setFaults: (f) => {
      faults = f.map((x) => ({ ...x }));
    },
    advanceClock: (ms) => {
      clockOffset += ms;
      vendorServices.advanceClock(ms);
    },
    queues: vendorServices.queues,
    events: vendorServices.events,
    snapshotObjects: () => {
      const out: Record<string, string> = {};
      for (const [b, store] of objects) {
        for (const [k, versions] of store) {
          versions.forEach((v, i) => {
            out[`${b}/${k}#${i}`] = v.deleteMarker ? '(delete marker)' : etag(v.body);
          });
        }
      }
      return out;
    },
    close: async () => {
      vendorServices.close();
      await new Promise<void>((resolve) => databases.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

const etag = (body: Buffer | undefined) =>
  createHash('md5')
    .update(body ?? Buffer.alloc(0))
    .digest('hex');

/** CRC32 as S3 states it: the big-endian value, base64. */
const crc32Base64 = (data: Buffer) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
};
