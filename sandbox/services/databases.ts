import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Server } from 'node:net';
import type { SandboxState } from '../state.ts';

/**
 * The world's databases: one TCP port on 127.0.0.1 that accepts and closes (every reachable
 * cluster and workgroup), and a port nothing listens on (the unreachable ones).
 */

export interface Databases {
  databasePort: number;
  closedPort: number;
  close(): Promise<void>;
}

const listen = (server: Server) =>
  new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));

export async function startDatabases(): Promise<Databases> {
  const databases = createServer((socket) => socket.end());
  await listen(databases);
  const databasePort = (databases.address() as AddressInfo).port;
  const closed = createServer();
  await listen(closed);
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return {
    databasePort,
    closedPort,
    close: () => new Promise<void>((resolve) => databases.close(() => resolve())),
  };
}

/**
 * A database endpoint of the world: reachable ones on the listening port, others on the closed
 * one. A host name, as AWS gives (`<cluster>.<id>.<region>.redshift.amazonaws.com`), so the
 * verifier resolves it as it does in production; `localhost` is the one name this machine resolves.
 */
export const endpointOf = (state: SandboxState, reachable: boolean | undefined) => ({
  address: 'localhost',
  port: reachable === false ? state.closedPort : state.databasePort,
});

export const password = () => randomBytes(24).toString('base64url');
