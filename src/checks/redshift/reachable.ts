import { type CheckDescriptor, sessionFor } from '../../core/check.ts';
import type { RedshiftTarget } from '../../core/targets.ts';
import { anyWorkgroupArn, clusterArn, learnAccount, lookUp } from './redshift.ts';

/** Socket errors that mean the path is closed, as opposed to this service's own trouble. */
const CLOSED: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused: nothing listens on that port, or a firewall rejects it',
  ETIMEDOUT: 'no answer: a security group, network ACL or IP allowlist drops the traffic',
  EHOSTUNREACH: 'the host is unreachable from this service',
  ENETUNREACH: 'the network is unreachable from this service',
  ENOTFOUND: 'the endpoint name does not resolve (is the cluster publicly accessible?)',
  ECONNRESET: 'the connection was reset',
};

const describeGrant = (t: RedshiftTarget) =>
  t.cluster
    ? { actions: ['redshift:DescribeClusters'], resources: [clusterArn(t)] }
    : { actions: ['redshift-serverless:GetWorkgroup'], resources: [t.workgroup?.arn ?? anyWorkgroupArn(t)] };

export const redshiftReachable: CheckDescriptor<'redshift', 'redshift.reachable'> = {
  id: 'redshift.reachable',
  title: 'This service can open a TCP connection to the database endpoint',
  scope: 'redshift',
  // Then a TCP connection to the endpoint, which is no AWS call.
  calls: (t) => [t.cluster ? 'DescribeClusters' : 'GetWorkgroup'],
  dependsOn: [],
  // Describe is optional for the customer (seed 000 asks only for GetClusterCredentials):
  // allowed in the session to find the endpoint, never demanded.
  grants: (t) => [{ ...describeGrant(t), sessionOnly: true }],
  async run(ctx) {
    learnAccount(ctx);
    // Without a session nothing below can be asked: the engine's defect, thrown as such.
    sessionFor(ctx);
    await lookUp(ctx);
    const endpoint = ctx.facts.endpoint;
    if (!endpoint) {
      const g = describeGrant(ctx.target);
      return {
        status: 'skip',
        message: `Not tested: the endpoint is not known (${ctx.facts.endpointUnknown ?? 'no answer'}). Allow ${g.actions[0]} on ${g.resources[0]} so it can be read.`,
      };
    }
    const at = `${endpoint.host}:${endpoint.port}`;
    const egress = ctx.verification.egressAddresses;
    const allow = egress.length
      ? `Allow inbound TCP ${endpoint.port} from ${egress.join(', ')} (this service's addresses, also in GET /setup) in the security group and any allowlist.`
      : `Allow inbound TCP ${endpoint.port} from this service's addresses in the security group and any allowlist.`;
    try {
      await ctx.aws.connect(endpoint.host, endpoint.port, ctx.signal);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'EFORBIDDENADDRESS') {
        return { status: 'error', message: `Not tested: ${(err as Error).message}.`, missing: [] };
      }
      const why = typeof code === 'string' ? CLOSED[code] : undefined;
      if (!why || ctx.signal.aborted) throw err;
      return {
        status: 'fail',
        message: `Could not connect to ${at}: ${why}.`,
        remediation: allow,
        missing: [],
      };
    }
    return { status: 'pass', message: `Connected to ${at} over TCP (the handshake only; nothing was sent).` };
  },
  explainDenial: () => ({ message: 'The endpoint could not be read.' }),
};
