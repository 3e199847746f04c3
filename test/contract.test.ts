import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import config from '../serverless.ts';
import { handler } from '../src/handlers/openapi.ts';
import { assertComponent, assertContract } from './support/contract.ts';
import { httpEvent, lambdaContext } from './support/events.ts';

/** The OpenAPI document, its agreement with the deployment, and the checker every test uses. */

async function served() {
  const res = await handler(
    httpEvent({ method: 'GET', path: '/openapi.json', claims: null }),
    lambdaContext('openapi'),
  );
  return { res, doc: JSON.parse(res.body ?? 'null') };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

const report = {
  verificationId: '7f0c2a4e-0000-4000-8000-000000000000',
  tenantId: 't-123',
  status: 'fail',
  startedAt: '2026-11-22T10:00:00.000Z',
  durationMs: 812,
  checks: [
    {
      id: 's3.write',
      target: 's3://acme-exports/vendor/',
      status: 'fail',
      required: true,
      actions: ['s3:PutObject'],
      resources: ['arn:aws:s3:::acme-exports/vendor/*'],
      durationMs: 143,
      message: 'The role may not write under vendor/.',
      error: { code: 'AccessDenied', message: 'Access Denied', requestId: 'R1', httpStatus: 403 },
      hint: 'denied by an identity-based policy',
      checklist: ['the role exists'],
      remediation: 'Allow s3:PutObject on arn:aws:s3:::acme-exports/vendor/*',
    },
  ],
  remediation: { policy: { Version: '2012-10-17', Statement: [] } },
};

const statement = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::999988887777:role/aws-access-verifier-dev' },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': 'v1-x' } },
};

describe('GET /openapi.json', () => {
  it('serves, without a tenant, an OpenAPI 3.1 document the validator accepts', async () => {
    const { res, doc } = await served();

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toMatchObject({ openapi: '3.1.0' });
  });

  it('describes exactly the routes serverless.ts deploys, each behind the authorizer but itself', async () => {
    const { doc } = await served();
    const deployed = Object.values(config.functions)
      .flatMap((f) => f.events as { httpApi?: { method: string; path: string; authorizer?: unknown } }[])
      .flatMap((e) => (e.httpApi ? [e.httpApi] : []));
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) =>
        Object.keys(ops)
          .filter((m) => m !== 'parameters')
          .map((m) => `${m.toUpperCase()} ${path}`),
    );

    expect(documented.sort()).toEqual(deployed.map((e) => `${e.method} ${e.path}`).sort());
    for (const e of deployed) {
      const op = doc.paths[e.path][e.method.toLowerCase()];
      if (e.path === '/openapi.json') {
        expect(e.authorizer).toBeUndefined();
        expect(op.security).toEqual([]);
      } else {
        expect(e.authorizer).toEqual({ name: 'jwt' });
        expect(op.security).toBeUndefined();
      }
    }
  });

  it('derives the schemas from the valibot definitions: unknown fields refused, check ids by pattern', async () => {
    const { doc } = await served();
    const schemas = doc.components.schemas;

    expect(schemas.Report.additionalProperties).toBe(false);
    expect(schemas.VerifyRequest.additionalProperties).toBe(false);
    expect(schemas.CheckResult.properties.id).toEqual({
      type: 'string',
      pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)+$',
    });
    expect(schemas.Remediation.required).toEqual(['policy']);
    expect(schemas.Report.required).not.toContain('strandedProbes');
  });
});

describe('the contract checker the tests share', () => {
  const ok = (body: unknown, statusCode = 200) => ({
    statusCode,
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });

  it('accepts the report the contract describes, with every optional part of the new remediation', () => {
    expect(() => assertContract('POST /verify', ok(report))).not.toThrow();
    const full = {
      ...report,
      principal: { account: '111122223333', arn: 'arn:aws:sts::111122223333:assumed-role/VendorAccess/x' },
      remediation: {
        policy: { Version: '2012-10-17', Statement: [] },
        optional: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:GetEncryptionConfiguration'],
              Resource: 'arn:aws:s3:::acme-exports',
            },
          ],
        },
        keyPolicies: [{ keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', statement }],
        bucketPolicies: [{ bucket: 'acme-exports', statement }],
        trustPolicy: statement,
        notes: [
          {
            check: 's3.write',
            target: 's3://acme-exports/',
            policyType: 'SCP',
            action: 's3:PutObject',
            message: 'An SCP denies it.',
          },
        ],
      },
      strandedProbes: [
        { bucket: 'acme-exports', key: 'vendor/.aws-access-verifier-probe-x', versionId: 'v1' },
      ],
    };
    expect(() => assertContract('POST /verify', ok(full))).not.toThrow();
    expect(() => assertComponent('Report', full)).not.toThrow();
  });

  it.each([
    ['an unknown field', { ...report, extra: 1 }],
    [
      'a trust policy as a whole document (the old shape)',
      {
        ...report,
        remediation: {
          policy: report.remediation.policy,
          trustPolicy: { Version: '2012-10-17', Statement: [statement] },
        },
      },
    ],
    ['a status the contract does not know', { ...report, status: 'skip' }],
    ['a check id that is not one', { ...report, checks: [{ ...report.checks[0], id: 'S3 write' }] }],
    ['a startedAt that is not a timestamp', { ...report, startedAt: 'yesterday' }],
  ])('refuses a report with %s', (_, body) => {
    expect(() => assertContract('POST /verify', ok(body))).toThrow(/not as the contract says/);
  });

  it('knows both 401s: this service’s error shape and API Gateway’s own, but not serverless-offline’s', () => {
    const ours = {
      error: { code: 'Unauthorized', message: 'The authorizer context carries no tenant.' },
      requestId: 'r',
    };
    expect(() => assertContract('POST /verify', ok(ours, 401))).not.toThrow();
    expect(() => assertContract('POST /verify', ok({ message: 'Unauthorized' }, 401))).not.toThrow();
    const offline = { statusCode: 401, error: 'Unauthorized', message: 'JWT Token expired' };
    expect(() => assertContract('POST /verify', ok(offline, 401))).toThrow(/not as the contract says/);
  });

  it('finds the other 401 body where it comes from: serverless-offline’s JWT authorizer (hapi’s Boom), not this code', async () => {
    const { default: createJWTAuthScheme } = await import(
      new URL('../node_modules/serverless-offline/src/events/http/createJWTAuthScheme.js', import.meta.url)
        .href
    );
    const scheme = createJWTAuthScheme({
      name: 'jwt',
      identitySource: '$request.header.Authorization',
      issuerUrl: 'https://auth.example.com/',
      audience: ['aws-access-verifier'],
    })();
    const claims = {
      iss: 'https://auth.example.com/',
      aud: 'aws-access-verifier',
      exp: 1,
      tenant_id: 't-123',
    };
    const jwt = ['{"alg":"none"}', JSON.stringify(claims)]
      .map((p) => Buffer.from(p).toString('base64url'))
      .join('.');
    const refused = await scheme.authenticate(
      { method: 'get', path: '/checks', raw: { req: { headers: { authorization: `Bearer ${jwt}.` } } } },
      {},
    );

    expect(refused.output).toMatchObject({
      statusCode: 401,
      payload: { statusCode: 401, error: 'Unauthorized', message: 'JWT Token expired' },
    });
    const body = { statusCode: 401, headers: JSON_HEADERS, body: JSON.stringify(refused.output.payload) };
    expect(() => assertContract('GET /checks', body)).toThrow(/not as the contract says/);
  });

  it('refuses a status the route does not list, a route it does not know, a body where none is promised', () => {
    expect(() => assertContract('GET /checks', ok({}, 418))).toThrow(/does not list/);
    expect(() => assertContract('GET /nowhere', ok({}))).toThrow(/not in the OpenAPI document/);
    expect(() => assertContract('DELETE /connections/{id}', ok({}, 204))).toThrow(/no body/);
    expect(() =>
      assertContract('GET /checks', {
        statusCode: 200,
        headers: {},
        body: JSON.stringify({ profiles: [], checks: [] }),
      }),
    ).toThrow(/content-type/);
  });
});
