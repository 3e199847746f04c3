import { Logger } from '@aws-lambda-powertools/logger';
import { CATALOGUE, CHECK_IDS } from '../src/checks/index.ts';
import { loadConfig } from '../src/core/config.ts';
import { externalIdFor, parseSecret } from '../src/core/external-id.ts';
import { parseVerifyRequest } from '../src/core/request.ts';
import { verifyForTenant } from '../src/core/tenant-use-cases.ts';
import type { Report } from '../src/core/wire.ts';
import { type Sandbox, startSandbox } from './server.ts';
import type { World, WorldCase } from './world.ts';

/** The sandbox's tenant, and the development secret its external ID comes from. */
export const TENANT = 't-sandbox';
export const SECRET = parseSecret('v1:sandbox-development-secret-0123456789abcdef');
export const EXTERNAL_ID = externalIdFor(SECRET, TENANT);

/** Points the real SDK of this process at the sandbox, as the vendor's Lambda role. */
export function useSandbox(sandbox: Sandbox, world: World) {
  for (const s of ['STS', 'S3', 'KMS', 'REDSHIFT', 'REDSHIFT_SERVERLESS', 'SQS', 'EVENTBRIDGE', 'IAM'])
    process.env[`AWS_ENDPOINT_URL_${s}`] = sandbox.url;
  process.env.AWS_ACCESS_KEY_ID = world.vendor.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = world.vendor.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = world.vendor.sessionToken;
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_PROFILE;
}

export interface WorldRun {
  report: Report;
  before: Record<string, string>;
  after: Record<string, string>;
  sandbox: Sandbox;
}

/** Runs one world of the library through the real verification core and SDK, over HTTP. */
export async function runWorld(c: WorldCase, sandbox?: Sandbox): Promise<WorldRun> {
  const world = c.world(EXTERNAL_ID);
  const box = sandbox ?? (await startSandbox({ world }));
  if (sandbox) sandbox.setWorld(world);
  useSandbox(box, world);
  const parsed = parseVerifyRequest(CATALOGUE, c.request);
  if (!parsed.ok) throw new Error(`world ${world.name}: invalid request ${JSON.stringify(parsed.errors)}`);
  const before = box.snapshotObjects();
  const report = await verifyForTenant(
    {
      config: loadConfig({ AWS_REGION: 'us-east-1', VENDOR_NAME: 'acme' }, CHECK_IDS),
      logger: new Logger({ logLevel: 'SILENT' }),
    },
    TENANT,
    SECRET,
    parsed.value,
  );
  return { report, before, after: box.snapshotObjects(), sandbox: box };
}

/** Where a report disagrees with a world's truth: empty when it matches. */
export function disagreements(c: WorldCase, report: Report): string[] {
  const out: string[] = [];
  for (const [key, expected] of Object.entries(c.truth)) {
    const found = report.checks.find((r) => `${r.id} ${r.target}` === key);
    if (found?.status !== expected)
      out.push(`${key}: expected ${expected}, got ${found?.status ?? 'nothing'}`);
  }
  if (report.status !== c.status) out.push(`overall: expected ${c.status}, got ${report.status}`);
  const fix = c.fix;
  const says = (text: string | undefined) =>
    text !== undefined && (typeof fix === 'string' ? text === fix : fix?.test(text) === true);
  if (fix && !report.checks.some((r) => says(r.remediation))) out.push(`no check says "${fix}"`);
  return out;
}
