/**
 * `aws-access-verifier check`: the service's own catalogue and engine, run by a customer's
 * administrator with their own AWS credentials (the SDK's default chain: environment, profiles,
 * SSO) before handing access over. The caller assumes the role as the vendor would, or with
 * `--as-me` probes with the current credentials themselves.
 *
 * Exit codes: 0 pass or warn, 1 fail, 2 error or bad usage.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { CATALOGUE } from '../checks/index.ts';
import { createAwsAccess } from '../core/aws.ts';
import type { VerificationInfo } from '../core/check.ts';
import { BUILTIN_PROFILES, profileNamed } from '../core/profiles.ts';
import { isRegion, type Region } from '../core/regions.ts';
import { parseVerifyRequest } from '../core/request.ts';
import { verify } from '../core/verify.ts';
import type { CheckResult, Remediation, Report } from '../core/wire.ts';

export const USAGE = `aws-access-verifier check: does the access you are about to give a vendor work?

usage:
  aws-access-verifier check --role-arn <arn> --external-id <id> --bucket <name[/prefix]> [options]
  aws-access-verifier check --as-me --bucket <name[/prefix]> [options]

  --role-arn <arn>          the role the vendor will assume (your credentials must be allowed to assume it)
  --external-id <id>        the external ID the vendor gave you
  --as-me                   probe with your current credentials instead of assuming a role
  --bucket <name[/prefix]>  a bucket, optionally with the key prefix the vendor uses; repeatable
  --profile <name>          what the vendor does with the buckets: ${Object.keys(BUILTIN_PROFILES).join(', ')} (default staging)
  --aws-profile <name>      the AWS CLI profile of your credentials (default: AWS_PROFILE, then the default chain)
  --region <region>         where the buckets are expected (default: AWS_REGION, else us-east-1)
  --vendor-principal <arn>  the vendor's principal, named in a trust-policy fix (default: your own identity)
  --json                    print the report as JSON instead of the table
  -h, --help                this text

exit codes: 0 pass or warn, 1 fail, 2 error or bad usage`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Terminal width for the table; default 120. */
  columns?: number;
}

interface Options {
  roleArn?: string;
  externalId?: string;
  asMe: boolean;
  buckets: string[];
  profile: string;
  awsProfile?: string;
  region: Region;
  vendorPrincipal?: string;
  json: boolean;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'role-arn': { type: 'string' },
        'external-id': { type: 'string' },
        'as-me': { type: 'boolean', default: false },
        bucket: { type: 'string', multiple: true, default: [] },
        profile: { type: 'string', default: 'staging' },
        'aws-profile': { type: 'string' },
        region: { type: 'string' },
        'vendor-principal': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals[0] !== 'check' || positionals.length > 1)
    throw new UsageError(positionals.length ? `unknown command ${positionals.join(' ')}` : 'no command');
  const asMe = values['as-me'];
  if (asMe && (values['role-arn'] || values['external-id']))
    throw new UsageError('--as-me probes with your own credentials: it takes no --role-arn or --external-id');
  if (!asMe && !values['role-arn']) throw new UsageError('--role-arn (or --as-me) is required');
  if (values['role-arn'] && !values['external-id'])
    throw new UsageError('--external-id is required with --role-arn: the vendor gave you one');
  if (!values.bucket.length) throw new UsageError('name at least one --bucket');
  if (!profileNamed(values.profile))
    throw new UsageError(
      `--profile ${values.profile} is not one of ${Object.keys(BUILTIN_PROFILES).join(', ')}` +
        ' (your AWS credentials profile is --aws-profile)',
    );
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!isRegion(region)) throw new UsageError(`--region ${region} is not an AWS region`);
  return {
    ...(values['role-arn'] ? { roleArn: values['role-arn'] } : {}),
    ...(values['external-id'] ? { externalId: values['external-id'] } : {}),
    asMe,
    buckets: values.bucket,
    profile: values.profile,
    ...(values['aws-profile'] ? { awsProfile: values['aws-profile'] } : {}),
    region,
    ...(values['vendor-principal'] ? { vendorPrincipal: values['vendor-principal'] } : {}),
    json: values.json,
  };
}

/** `name` or `name/prefix` (an `s3://` in front forgiven): the prefix is taken as written. */
export function bucketOf(arg: string): { bucket: string; prefix?: string } {
  const s = arg.replace(/^s3:\/\//, '');
  const slash = s.indexOf('/');
  if (slash < 0) return { bucket: s };
  const prefix = s.slice(slash + 1);
  return prefix ? { bucket: s.slice(0, slash), prefix } : { bucket: s.slice(0, slash) };
}

/** What a trust policy names for a caller: its role for an assumed-role session, else itself. */
export function principalOfCaller(arn: string): string {
  const m = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

/** Runs the command; resolves to the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseCli(argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`aws-access-verifier: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    io.out(USAGE);
    return 0;
  }
  // The SDK's default chain reads the profile from the environment; it is this process's own.
  if (opts.awsProfile) io.env.AWS_PROFILE = opts.awsProfile;

  const aws = createAwsAccess();
  try {
    const sts = aws.sts(opts.region);
    let caller: string;
    try {
      caller = (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '';
    } catch (err) {
      io.err(`aws-access-verifier: your AWS credentials do not work: ${describe(err)}`);
      return 2;
    }
    const credentials = opts.asMe
      ? await currentKeyPair(sts)
      : { type: 'role' as const, roleArn: opts.roleArn ?? '' };
    const parsed = parseVerifyRequest(CATALOGUE, {
      credentials,
      profile: opts.profile,
      region: opts.region,
      s3: opts.buckets.map(bucketOf),
    });
    if (!parsed.ok) {
      io.err(
        `aws-access-verifier: ${parsed.errors
          .map(
            (e) =>
              `${e.path.replace(/^credentials\.roleArn$/, '--role-arn').replace(/^s3\[(\d+)\]/, '--bucket #$1')}: ${e.message}`,
          )
          .join('; ')}`,
      );
      return 2;
    }
    const info: VerificationInfo = {
      id: randomUUID(),
      tenantId: 'self-check',
      externalId: opts.externalId ?? '',
      vendorName: 'self-check',
      vendorPrincipalArn: opts.vendorPrincipal ?? principalOfCaller(caller),
      startedAt: new Date(),
      egressAddresses: [],
      externalIdNotEnforced: 'fail',
    };
    const report = await verify(parsed.value, info, {
      catalogue: CATALOGUE,
      aws,
      // The report is the output; the service's JSON logs would only garble it.
      logger: new Logger({ serviceName: 'aws-access-verifier-cli', logLevel: 'SILENT' }),
      serviceRegion: opts.region,
    });
    io.out(opts.json ? JSON.stringify(report, null, 2) : render(report, io.columns ?? 120));
    return report.status === 'fail' ? 1 : report.status === 'error' ? 2 : 0;
  } finally {
    aws.close();
  }
}

/** The current credentials as a key pair, resolved by the same default chain as the STS client. */
async function currentKeyPair(sts: STSClient) {
  const c = await sts.config.credentials();
  return {
    type: 'accessKey' as const,
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
  };
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return [e.name, e.message].filter(Boolean).join(': ') || String(err);
}

const MARK: Record<CheckResult['status'], string> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  skip: 'SKIP',
  error: 'ERROR',
};

/** Words of `text` in lines of at most `width` characters; a longer word is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/**
 * The table (status, check, target, message, fix), each row followed by AWS's own error and the
 * hint, indented across the full width; then the remediation. For a terminal.
 */
export function render(report: Report, columns = 120): string {
  const idWidth = Math.max(5, ...report.checks.map((c) => c.id.length));
  const targetWidth = Math.min(Math.max(6, ...report.checks.map((c) => c.target.length)), 36);
  const rest = Math.max(columns - 6 - idWidth - targetWidth - 8, 40);
  const widths = [6, idWidth, targetWidth, Math.ceil((rest * 3) / 5), Math.floor((rest * 2) / 5)];
  const row = (cells: string[]) => {
    const wrapped = cells.map((c, i) => wrap(c, widths[i] ?? 20));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, l) =>
      wrapped
        .map((w, i) => (w[l] ?? '').padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  };
  const indent = 8;
  const detail = (label: string, text: string | undefined) =>
    text
      ? wrap(`${label}: ${text}`, Math.max(columns - indent, 40)).map((l) => `${' '.repeat(indent)}${l}`)
      : [];
  const lines = [
    `${MARK[report.status]}  ${report.principal?.arn ? `as ${report.principal.arn}  ` : ''}(${report.checks.length} checks, ${report.durationMs} ms)`,
    '',
    ...row(['STATUS', 'CHECK', 'TARGET', 'MESSAGE', 'FIX']),
    ...report.checks.flatMap((c) => [
      ...row([
        MARK[c.status],
        c.id,
        c.target,
        c.message + (c.required ? '' : ' [optional]'),
        c.remediation ?? '',
      ]),
      ...detail('AWS', c.error ? `${c.error.code}: ${c.error.message}` : undefined),
      ...detail('hint', c.hint),
      ...(c.checklist ?? []).flatMap((item) => detail('check', item)),
    ]),
    '',
    ...remediationText(report.remediation),
    ...(report.strandedProbes?.length
      ? [
          'Probe objects the verifier could not delete (remove them):',
          ...report.strandedProbes.map(
            (p) => `  s3://${p.bucket}/${p.key}${p.versionId ? ` (version ${p.versionId})` : ''}`,
          ),
          '',
        ]
      : []),
  ];
  return lines.join('\n');
}

/** The fixes by where they go, as the page groups them. */
export function remediationText(r: Remediation): string[] {
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  const out: string[] = [];
  const block = (title: string, value: unknown) => out.push(`${title}:`, json(value), '');
  if (r.policy?.Statement?.length) block("Add to the role's (or user's) identity policy", r.policy);
  for (const k of r.keyPolicies ?? []) block(`Add to the key policy of ${k.keyArn}`, k.statement);
  for (const b of r.bucketPolicies ?? []) block(`Add to the bucket policy of ${b.bucket}`, b.statement);
  if (r.trustPolicy) block("Add to the role's trust policy", r.trustPolicy);
  if (r.optional?.Statement?.length) block('Optional (lets the optional checks run)', r.optional);
  if (r.notes?.length) {
    out.push('For an administrator (a policy outside the role refuses):');
    for (const n of r.notes)
      out.push(
        `  - ${n.policyType} (${n.check} ${n.target}): ${n.message}${n.action ? ` [${n.action}${n.resource ? ` on ${n.resource}` : ''}]` : ''}`,
      );
    out.push('');
  }
  if (!out.length) out.push('Nothing to change.');
  return out;
}
