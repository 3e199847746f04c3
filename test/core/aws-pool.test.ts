import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bounded, CALL_LIMITS, createAwsAccess } from '../../src/core/aws.ts';
import { type PoolLease, pooledHandler } from '../../src/core/http-pool.ts';

/** The container's keep-alive pool: shared by verifications, closed by none of them. */
const credentials = { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };
const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/vendor</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

let server: Server;
let connections = 0;
/** Requests the server holds until a test lets them go. */
const held: (() => void)[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = () => res.writeHead(200, { 'content-type': 'text/xml' }).end(IDENTITY);
    if (!req.url?.includes('hold')) answer();
    else held.push(answer);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  vi.stubEnv('AWS_ENDPOINT_URL_STS', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Sends the client's calls to the path the server holds until a test lets them go. */
const heldByServer = (client: { middlewareStack: STSClient['middlewareStack'] }) =>
  client.middlewareStack.add(
    (next) => (args) => {
      (args.request as { path: string }).path = '/hold';
      return next(args);
    },
    { step: 'build' },
  );

const identify = (access: ReturnType<typeof createAwsAccess>) =>
  access.sts('us-east-1', credentials).send(new GetCallerIdentityCommand({}));

describe('the shared keep-alive pool', () => {
  it('carries the next verification over the connection the last one opened, after it closed', async () => {
    const before = connections;
    const first = createAwsAccess();
    await identify(first);
    first.close();
    const second = createAwsAccess();
    await identify(second);
    second.close();
    expect(connections - before).toBe(1);
  });

  it('lets a verification finish its call while another one closes its clients', async () => {
    const running = createAwsAccess();
    const closing = createAwsAccess();
    await identify(closing);
    const client = running.sts('us-east-1', credentials);
    // Held by the server until the other verification has closed.
    heldByServer(client);
    const call = client.send(new GetCallerIdentityCommand({}));
    await vi.waitFor(() => expect(held.length).toBe(1));
    closing.close();
    held.shift()?.();
    await expect(call).resolves.toMatchObject({ Account: '111122223333' });
    running.close();
  });

  it('is one pool per set of bounds (2 s to connect, 4 s for the socket, unless the caller says other)', async () => {
    // CALL_LIMITS is a const: its type pins the production values, which this test leaves.
    const limits = { ...CALL_LIMITS, connectionTimeoutMs: 300, requestTimeoutMs: 500 };
    const tight = createAwsAccess(limits as unknown as typeof CALL_LIMITS);
    const usual = createAwsAccess();
    await Promise.all([identify(tight), identify(usual)]);
    // A pool reads its options on first use, so both have sent before they are read.
    const configs = (access: ReturnType<typeof createAwsAccess>) =>
      (access.sts('us-east-1', credentials).config.requestHandler as PoolLease).httpHandlerConfigs();
    expect(configs(tight)).toMatchObject({ connectionTimeout: 300, requestTimeout: 500 });
    expect(configs(usual)).toMatchObject({ connectionTimeout: 2_000, requestTimeout: 4_000 });
    tight.close();
    usual.close();
  });

  it('closes nothing when a lease is destroyed: the next call still goes through', async () => {
    await identify(createAwsAccess());
    const before = connections;
    pooledHandler(CALL_LIMITS, 256).destroy();
    const access = createAwsAccess();
    await expect(identify(access)).resolves.toMatchObject({ Account: '111122223333' });
    access.close();
    expect(connections).toBe(before);
  });

  it('ends a call whose answer stops coming: the socket time-out fails it, it does not only warn', async () => {
    // CALL_LIMITS is a const: its type pins the production values, which this test leaves.
    const limits = { ...CALL_LIMITS, requestTimeoutMs: 200, maxAttempts: 1 };
    const access = createAwsAccess(limits as unknown as typeof CALL_LIMITS);
    const client = access.sts('us-east-1', credentials);
    // The server holds the request and never answers it: only the socket time-out can end it.
    heldByServer(client);
    const err = await client
      .send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(20_000) })
      .catch((e: Error) => e);
    access.close();
    held.shift();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
    expect((err as Error).message).toMatch(/socket timed out after 200 ms/);
  });

  it("is the one the service's own clients (table, queue, secrets) lease for the same bounds", async () => {
    const access = createAwsAccess();
    await identify(access);
    const before = connections;
    // A client built as the service builds its own, after the verification's call: no new socket.
    const own = new STSClient({ region: 'us-east-1', credentials, ...bounded(CALL_LIMITS, 256) });
    await own.send(new GetCallerIdentityCommand({}));
    own.destroy();
    access.close();
    expect(connections).toBe(before);
  });
});
