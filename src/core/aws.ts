import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, connect as tcpConnect } from 'node:net';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { type AddressRule, addressProblem, PUBLIC_ONLY } from './addresses.ts';
import { bounded, CALL_LIMITS, s3PathStyle } from './bounds.ts';
import type { TemporaryCredentials } from './facts.ts';
import type { Region } from './regions.ts';

export { permissions } from './aws.permissions.ts';
export { bounded, CALL_LIMITS, s3PathStyle };

/**
 * The clients only some verifications need, loaded on their first use: in the ESM bundle each is
 * a chunk of its own, which an S3-only request never loads (README, "Performance").
 */
export const redshiftSdk = () => import('./sdk/redshift.ts');
export const iamSdk = () => import('./sdk/iam.ts');
export const kmsSdk = () => import('./sdk/kms.ts');

/** The AWS clients a check may use, built per verification from the session it belongs to. */
export interface AwsAccess {
  /** STS with the service's own credentials (to assume the customer's role), or with a key pair. */
  sts(region: Region, credentials?: TemporaryCredentials): STSClient;
  s3(region: Region, credentials: TemporaryCredentials): S3Client;
  /** Asynchronous: the KMS, Redshift and IAM clients are loaded on first use (src/core/aws.ts). */
  kms(region: Region, credentials: TemporaryCredentials): Promise<KMSClient>;
  redshift(region: Region, credentials: TemporaryCredentials): Promise<RedshiftClient>;
  redshiftServerless(region: Region, credentials: TemporaryCredentials): Promise<RedshiftServerlessClient>;
  /** IAM is global: `region` is the partition's signing region (us-east-1 for aws). */
  iam(region: Region, credentials: TemporaryCredentials): Promise<IAMClient>;
  /** Opens and closes a TCP connection: resolves when it connected, rejects with the socket's error. */
  connect(host: string, port: number, signal: AbortSignal): Promise<void>;
}

type Client = STSClient | S3Client | KMSClient | RedshiftClient | RedshiftServerlessClient | IAMClient;

export interface ClosableAwsAccess extends AwsAccess {
  /** Destroys every client made (clients live for one verification); the shared pool stays. */
  close(): void;
}

/**
 * Clients for one verification, built from the credentials it won. Endpoints come only from the
 * SDK's own configuration (`AWS_ENDPOINT_URL_<SERVICE>` set by the operator), never from a request.
 */
export function createAwsAccess(
  limits = CALL_LIMITS,
  /** Where redshift.reachable may connect: public addresses unless the configuration says more. */
  opts: { addresses?: AddressRule; tracer?: Tracer } = {},
): ClosableAwsAccess {
  const clients = new Map<string, Client>();
  // 50 buckets put a few hundred calls in flight at once; the default pool of 50 would queue them.
  // The pool is the container's, shared with other verifications (src/core/http-pool.ts).
  const common = () => bounded(limits, 256);
  const memo = <C extends Client>(key: string, make: () => C): C => {
    let client = clients.get(key) as C | undefined;
    if (!client) {
      client = make();
      // A subsegment per AWS call, where X-Ray is on (a deployed function with tracing active).
      if (opts.tracer?.isTracingEnabled()) client = opts.tracer.captureAWSv3Client(client);
      clients.set(key, client);
    }
    return client;
  };
  return {
    sts: (region: Region, credentials?: TemporaryCredentials) =>
      memo(`sts|${region}|${credentials?.accessKeyId ?? 'service'}`, () =>
        credentials
          ? new STSClient({ ...common(), region, credentials })
          : new STSClient({ ...common(), region }),
      ),
    s3: (region: Region, credentials: TemporaryCredentials) =>
      memo(
        `s3|${region}|${credentials.accessKeyId}`,
        // Region redirects are handled by s3.bucket-region, which must see them to report them.
        () =>
          new S3Client({
            ...common(),
            region,
            credentials,
            followRegionRedirects: false,
            forcePathStyle: s3PathStyle(),
          }),
      ),
    kms: async (region: Region, credentials: TemporaryCredentials) => {
      const { KMSClient } = await kmsSdk();
      return memo(
        `kms|${region}|${credentials.accessKeyId}`,
        () => new KMSClient({ ...common(), region, credentials }),
      );
    },
    redshift: async (region: Region, credentials: TemporaryCredentials) => {
      const { RedshiftClient } = await redshiftSdk();
      return memo(
        `redshift|${region}|${credentials.accessKeyId}`,
        () => new RedshiftClient({ ...common(), region, credentials }),
      );
    },
    redshiftServerless: async (region: Region, credentials: TemporaryCredentials) => {
      const { RedshiftServerlessClient } = await redshiftSdk();
      return memo(
        `redshift-serverless|${region}|${credentials.accessKeyId}`,
        () => new RedshiftServerlessClient({ ...common(), region, credentials }),
      );
    },
    iam: async (region: Region, credentials: TemporaryCredentials) => {
      const { IAMClient } = await iamSdk();
      return memo(
        `iam|${region}|${credentials.accessKeyId}`,
        () => new IAMClient({ ...common(), region, credentials }),
      );
    },
    connect: (host, port, signal) =>
      connectOnce(host, port, signal, limits.tcpConnectMs, opts.addresses ?? PUBLIC_ONLY),
    close() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}

/** A resolver with dns.lookup's signature: production's, or one a test controls. */
export type Resolver = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

const refusal = (host: string, address: string, why: string) =>
  Object.assign(
    new Error(`${host} resolves to ${address}, an address this service never connects to: ${why}`),
    { code: 'EFORBIDDENADDRESS' },
  );

/**
 * One TCP handshake, bounded in time, then closed: nothing is sent to the database. Every
 * address the name resolves to is checked against the rule before any packet leaves; one
 * forbidden address refuses the whole name, so a record that mixes a public address with
 * the metadata service's gets nowhere.
 */
export function connectOnce(
  host: string,
  port: number,
  signal: AbortSignal,
  timeoutMs: number,
  rule: AddressRule = PUBLIC_ONLY,
  resolve: Resolver = dnsLookup,
): Promise<void> {
  return new Promise((done, reject) => {
    if (isIP(host)) {
      const why = addressProblem(host, rule);
      if (why) return reject(refusal(host, host, why));
    }
    const socket = tcpConnect({
      host,
      port,
      timeout: timeoutMs,
      signal,
      // Since Node 20, autoSelectFamily asks for every address ({ all: true }) and expects a
      // list back; without it, one address. Both answers are checked the same way.
      lookup: (hostname, options, callback) =>
        resolve(hostname, options, (err, answer, family) => {
          if (err) return callback(err, options.all ? [] : '', family);
          const list = typeof answer === 'string' ? [{ address: answer, family: family ?? 4 }] : answer;
          const [first] = list;
          if (!first) {
            const none = Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
            return callback(none, options.all ? [] : '', family);
          }
          for (const a of list) {
            const why = addressProblem(a.address, rule);
            if (why) return callback(refusal(hostname, a.address, why), options.all ? [] : '', family);
          }
          if (options.all) callback(null, list);
          else callback(null, first.address, first.family);
        }),
    });
    socket.once('connect', () => {
      socket.destroy();
      done();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(
        Object.assign(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`), {
          code: 'ETIMEDOUT',
        }),
      );
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}
