import { describe, expect, it } from 'vitest';
import { disagreements, runWorld } from '../../sandbox/harness.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';
import { assertComponent } from '../support/contract.ts';
import { worldsSandbox } from '../support/worlds-sandbox.ts';

/**
 * Every world of the library through the real verification core and the real AWS SDK, over
 * HTTP against the sandbox: each check must say what the world's truth says, and no object
 * the customer had may change.
 */
const sandbox = worldsSandbox();

describe('worlds of the library', () => {
  it.each(Object.keys(WORLDS))(
    '%s: every check as the truth says, no customer object touched',
    async (name) => {
      const c = WORLDS[name];
      if (!c) throw new Error(name);

      const { report, before, after } = await runWorld(c, sandbox());

      expect(disagreements(c, report)).toEqual([]);
      // What POST /verify would answer, as the contract (GET /openapi.json) describes it.
      assertComponent('Report', JSON.parse(JSON.stringify(report)));
      // What existed before is exactly as it was.
      for (const [object, etag] of Object.entries(before)) expect(after[object], object).toBe(etag);
      // Anything new is a probe, and only where the report says it had to stay.
      const added = Object.keys(after).filter((k) => !(k in before));
      for (const object of added) expect(object).toMatch(/\/\.aws-access-verifier-probe-/);
      if (added.length)
        expect(report.checks.some((r) => r.id === 's3.delete' && r.status !== 'pass')).toBe(true);
      // Every S3 call named the expected owner; no write could overwrite; no ACLs, no Requester Pays.
      const calls = sandbox().requests.filter((r) => r.service === 's3');
      for (const r of calls)
        expect(r.headers['x-amz-expected-bucket-owner'], `${r.operation} ${r.key}`).toBeDefined();
      for (const r of calls.filter((x) => x.operation === 'PutObject'))
        expect(r.headers['if-none-match']).toBe('*');
      expect(calls.some((r) => r.headers['x-amz-acl'] || r.headers['x-amz-request-payer'])).toBe(false);
      sandbox().requests.length = 0;
    },
  );
});
