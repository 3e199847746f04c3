import type { AwsAccess } from './aws.ts';

/** Told of every AWS call a check sends: the operation as AWS names it (`PutObject`). */
export type OnCall = (operation: string) => void;

type Sender = { send(command: object, ...rest: unknown[]): Promise<unknown> };

/**
 * The same AWS access, telling `onCall` of each call before it is sent: what shows that each
 * check sends only the calls its descriptor declares (test/integration/declared-calls.test.ts).
 * The clients are the verification's own; only `send` is observed.
 */
export function tracedAccess(aws: AwsAccess, onCall: OnCall): AwsAccess {
  const observe = <C extends Sender>(client: C): C =>
    new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return (command: object, ...rest: unknown[]) => {
          onCall(command.constructor.name.replace(/Command$/, ''));
          return target.send(command, ...rest);
        };
      },
    });
  return {
    sts: (region, credentials) => observe(aws.sts(region, credentials)),
    s3: (region, credentials) => observe(aws.s3(region, credentials)),
    // Loaded on first use (src/core/aws.ts): observed once they are.
    kms: async (region, credentials) => observe(await aws.kms(region, credentials)),
    redshift: async (region, credentials) => observe(await aws.redshift(region, credentials)),
    redshiftServerless: async (region, credentials) =>
      observe(await aws.redshiftServerless(region, credentials)),
    iam: async (region, credentials) => observe(await aws.iam(region, credentials)),
    connect: (host, port, signal) => aws.connect(host, port, signal),
  };
}
