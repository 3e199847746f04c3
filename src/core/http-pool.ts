import { NodeHttpHandler } from '@smithy/node-http-handler';

type Pool = NodeHttpHandler;
type Limits = { connectionTimeoutMs: number; requestTimeoutMs: number };

/**
 * One keep-alive pool per container and per set of bounds, shared by every verification's
 * clients: a warm Lambda container reuses its connections (and TLS sessions) instead of
 * opening new ones for each verification's fresh clients.
 */
const pools = new Map<string, Pool>();

/**
 * A client's hold on the shared pool: it sends through the pool, and destroying the client
 * (each verification closes its own) leaves the sockets that other verifications use open.
 */
export class PoolLease
  implements Pick<Pool, 'metadata' | 'handle' | 'updateHttpClientConfig' | 'httpHandlerConfigs' | 'destroy'>
{
  readonly #pool: Pool;
  constructor(pool: Pool) {
    this.#pool = pool;
  }
  get metadata() {
    return this.#pool.metadata;
  }
  handle(...args: Parameters<Pool['handle']>) {
    return this.#pool.handle(...args);
  }
  updateHttpClientConfig(...args: Parameters<Pool['updateHttpClientConfig']>) {
    this.#pool.updateHttpClientConfig(...args);
  }
  httpHandlerConfigs() {
    return this.#pool.httpHandlerConfigs();
  }
  destroy() {
    // The pool outlives every client: its idle sockets are the point of sharing it.
  }
}

/** A lease on the container's pool for these bounds, made on first use. */
export function pooledHandler(limits: Limits, maxSockets: number): PoolLease {
  const key = `${limits.connectionTimeoutMs}|${limits.requestTimeoutMs}|${maxSockets}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new NodeHttpHandler({
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // The SDK only warns when requestTimeout passes; an idle socket is what it ends.
      socketTimeout: limits.requestTimeoutMs,
      httpsAgent: { keepAlive: true, maxSockets },
      httpAgent: { keepAlive: true, maxSockets },
    });
    pools.set(key, pool);
  }
  return new PoolLease(pool);
}
