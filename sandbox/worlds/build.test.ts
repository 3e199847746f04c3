import { describe, expect, it } from 'vitest';
import { vendor, vendorTrust } from '../world.ts';
import { bucket, CUSTOMER, checks, library, ROLE, role } from './build.ts';
import { WORLDS } from './index.ts';

describe('the world builder', () => {
  it('names each world by its key, gives it the deployed vendor, and keeps what it holds', () => {
    const lib = library({
      'one-bucket': {
        description: 'a bucket and a role',
        holds: (xid) => ({ roles: [role(xid)], buckets: [bucket('b', { region: 'eu-west-1' })] }),
        request: { region: 'us-east-1' },
        truth: checks('s3://b/', { 's3.write': 'pass', 's3.delete': 'fail' }),
        status: 'fail',
      },
    });
    const c = lib['one-bucket'];
    expect(Object.keys(c ?? {})).toEqual(['world', 'request', 'truth', 'status']);
    expect(c?.world('xid-1')).toEqual({
      name: 'one-bucket',
      description: 'a bucket and a role',
      vendor: vendor(),
      roles: [{ arn: ROLE, trust: vendorTrust('xid-1'), policies: [] }],
      buckets: [{ name: 'b', account: CUSTOMER, region: 'eu-west-1' }],
    });
    expect(c?.truth).toEqual({ 's3.write s3://b/': 'pass', 's3.delete s3://b/': 'fail' });
  });

  it('names every world of the library by its key, the vendor the deployed one', () => {
    for (const [name, c] of Object.entries(WORLDS)) {
      const world = c.world('xid-probe');
      expect(world.name).toBe(name);
      expect(world.vendor).toEqual(vendor());
    }
  });
});
