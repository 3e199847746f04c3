import type * as v from 'valibot';
import type { ProfileRegistry } from './profiles.ts';
import type { RedshiftInput } from './wire.ts';

/** A request's problems as the contract's `details`: shared by POST /verify's body and GET /setup's query. */

export interface FieldError {
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Maps valibot's issues to the contract's `details`, never echoing the value (it may be a secret). */
export function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => {
    const path = pathOf(issue.path?.map((p) => p.key) ?? []);
    let message = issue.message;
    if (issue.type === 'strict_object' && issue.expected === 'never') message = 'unknown field';
    else if (issue.received === 'undefined' && issue.kind === 'schema') message = 'required';
    else if (message.startsWith('Invalid ')) message = `expected ${issue.expected ?? 'another value'}`;
    return { path: path || '(body)', message };
  });
}

function pathOf(keys: unknown[]): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out;
}

/** A profile the deployment does not offer, named whatever else is wrong with the input. */
export function profileErrors(input: unknown, profiles: ProfileRegistry): FieldError[] {
  const name =
    typeof input === 'object' && input !== null ? (input as { profile?: unknown }).profile : undefined;
  if (typeof name !== 'string' || Object.hasOwn(profiles, name)) return [];
  return [{ path: 'profile', message: `one of ${Object.keys(profiles).join(', ')}` }];
}

/** A Redshift target is a cluster with its db user, or a workgroup: never both, never neither. */
export function redshiftErrors(targets: readonly RedshiftInput[] | undefined): FieldError[] {
  const errors: FieldError[] = [];
  targets?.forEach((t, i) => {
    const at = `redshift[${i}]`;
    if (t.clusterIdentifier && t.workgroupName) {
      errors.push({ path: at, message: 'name a clusterIdentifier or a workgroupName, not both' });
    } else if (t.clusterIdentifier) {
      if (!t.dbUser)
        errors.push({
          path: `${at}.dbUser`,
          message: 'required with clusterIdentifier: the user GetClusterCredentials is asked for',
        });
    } else if (t.workgroupName) {
      if (t.dbUser)
        errors.push({
          path: `${at}.dbUser`,
          message: 'a workgroup maps the IAM identity to its user: leave dbUser out',
        });
      if (t.dbGroups) errors.push({ path: `${at}.dbGroups`, message: 'only for a provisioned cluster' });
    } else {
      errors.push({ path: at, message: 'name a clusterIdentifier (with dbUser) or a workgroupName' });
    }
  });
  return errors;
}
