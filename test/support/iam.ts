import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Grant, PolicyDocument } from '../../src/core/iam-documents.ts';

/**
 * IAM policy evaluation for tests, by @cloud-copilot/iam-simulate (AGPL-3.0: test tooling
 * only, never imported from src/ nor bundled).
 */

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export async function decide(
  policy: PolicyDocument | Record<string, unknown>,
  request: {
    action: string;
    resource: string;
    principal: string;
    account: string;
    context?: Record<string, string>;
  },
  resourcePolicy?: PolicyDocument | Record<string, unknown>,
): Promise<Decision> {
  const simulation: Simulation = {
    identityPolicies: [{ name: 'under-test', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
    request: {
      action: request.action,
      principal: request.principal,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context ?? {},
    },
  } as Simulation;
  const answer = await runSimulation(simulation, {});
  if (answer.resultType === 'error') throw new Error(`simulation refused: ${JSON.stringify(answer.errors)}`);
  return answer.overallResult as Decision;
}

/**
 * Whether a policy grants everything a check declares: every action on every resource, with an
 * object ARN pattern (`bucket/prefix*`) tried on a concrete probe key, and a grant's
 * `s3:prefix` condition supplied as the request context S3 would send.
 */
export async function grantsAll(
  policy: PolicyDocument | Record<string, unknown>,
  grants: readonly Grant[],
  who: { principal: string; account: string },
): Promise<boolean> {
  for (const g of grants) {
    const prefix = g.condition?.StringLike?.['s3:prefix'];
    const context: Record<string, string> = {};
    if (prefix) context['s3:prefix'] = String(Array.isArray(prefix) ? prefix[0] : prefix).replace(/\*$/, '');
    for (const action of g.actions) {
      for (const pattern of g.resources) {
        const resource = pattern.endsWith('*') ? `${pattern.slice(0, -1)}probe-object` : pattern;
        if ((await decide(policy, { action, resource, ...who, context })) !== 'Allowed') return false;
      }
    }
  }
  return true;
}
