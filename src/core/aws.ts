import { lookup as dnsLookup } from 'node:dns';
import { isIP, connect as tcpConnect } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Region } from './regions.ts';
import type { AwsAccess, TemporaryCredentials } from './types.ts';

/**
 * Every AWS call is bounded: a connect and a socket time-out per attempt, three attempts with
 * the SDK's standard retry mode (backoff with jitter, retries on throttling and 5xx), and the
 * verification's own deadline on top through each call's abort signal.
 */
export const CALL_LIMITS = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 4_000,
  maxAttempts: 3,
  /** A database endpoint that has not answered a SYN in 3 s is filtered, not slow. */
  tcpConnectMs: 3_000,
} as const;

type Client = STSClient | S3Client | KMSClient | RedshiftClient | RedshiftServerlessClient;

export interface ClosableAwsAccess extends AwsAccess {
  /** Closes the sockets of every client made: clients live for one verification. */
  close(): void;
}

/** An operator's local S3 (the sandbox) answers on an IP address, where bucket host names cannot resolve. */
export const s3PathStyle = () => Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);

/** The bounds every client of this service carries: time-outs per attempt, standard retries. */
export function bounded(limits: Omit<typeof CALL_LIMITS, 'tcpConnectMs'>, maxSockets: number) {
  return {
    maxAttempts: limits.maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      httpsAgent: { keepAlive: true, maxSockets },
      httpAgent: { keepAlive: true, maxSockets },
    }),
  };
}

/**
 * Clients for one verification, built from the credentials it won. Endpoints come only from the
 * SDK's own configuration (`AWS_ENDPOINT_URL_<SERVICE>` set by the operator), never from a request.
 */
export function createAwsAccess(
  limits = CALL_LIMITS,
  opts: { allowLoopback?: boolean } = {},
): ClosableAwsAccess {
  const clients = new Map<string, Client>();
  // 50 buckets put a few hundred calls in flight at once; the default pool of 50 would queue them.
  const common = () => bounded(limits, 256);
  const memo = <C extends Client>(key: string, make: () => C): C => {
    let client = clients.get(key) as C | undefined;
    if (!client) {
      client = make();
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
    kms: (region: Region, credentials: TemporaryCredentials) =>
      memo(
        `kms|${region}|${credentials.accessKeyId}`,
        () => new KMSClient({ ...common(), region, credentials }),
      ),
    redshift: (region: Region, credentials: TemporaryCredentials) =>
      memo(
        `redshift|${region}|${credentials.accessKeyId}`,
        () => new RedshiftClient({ ...common(), region, credentials }),
      ),
    redshiftServerless: (region: Region, credentials: TemporaryCredentials) =>
      memo(
        `redshift-serverless|${region}|${credentials.accessKeyId}`,
        () => new RedshiftServerlessClient({ ...common(), region, credentials }),
      ),
    connect: (host, port, signal) =>
      connectOnce(host, port, signal, limits.tcpConnectMs, opts.allowLoopback ?? false),
    close() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}

/**
 * Addresses a database endpoint never legitimately has, and which would reach this service's
 * own host: the instance metadata service and its kin (link-local), the Lambda runtime API
 * (loopback), unspecified and multicast. Loopback is allowed only in local runs, where the
 * sandbox's databases listen on 127.0.0.1.
 */
export function forbiddenAddress(address: string, allowLoopback: boolean): boolean {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.\d+\.\d+$/i.exec(address);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    if (a === 127) return !allowLoopback;
    return a === 0 || (a === 169 && b === 254) || a >= 224;
  }
  const v6 = address.toLowerCase();
  if (v6 === '::1') return !allowLoopback;
  return v6 === '::' || /^fe[89ab]/.test(v6) || v6.startsWith('ff') || v6.startsWith('fd00:ec2:');
}

/** One TCP handshake, bounded in time, then closed: nothing is sent to the database. */
export function connectOnce(
  host: string,
  port: number,
  signal: AbortSignal,
  timeoutMs: number,
  allowLoopback = false,
): Promise<void> {
  const refuse = (address: string) =>
    Object.assign(new Error(`${host} resolves to ${address}, an address this service never connects to`), {
      code: 'EFORBIDDENADDRESS',
    });
  return new Promise((resolve, reject) => {
    if (isIP(host) && forbiddenAddress(host, allowLoopback)) return reject(refuse(host));
    const socket = tcpConnect({
      host,
      port,
      timeout: timeoutMs,
      signal,
      // The address is checked after DNS, on what the socket will really connect to.
      lookup: (hostname, options, callback) =>
        dnsLookup(hostname, { ...options, all: false }, (err, address, family) => {
          if (!err && typeof address === 'string' && forbiddenAddress(address, allowLoopback)) {
            return callback(refuse(address), address, family);
          }
          callback(err, address as string, family);
        }),
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
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
