import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';
import { startWebServer, type WebServer } from '../../scripts/web-server.ts';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { externalIdFor, localDevSecret } from '../../src/core/external-id.ts';
import type { PolicyDocument } from '../../src/core/iam-documents.ts';
import { BUILTIN_PROFILES } from '../../src/core/profiles.ts';
import type { Report } from '../../src/core/wire.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { createChecksHandler } from '../../src/handlers/factories/checks.ts';
import { createSetupHandler } from '../../src/handlers/factories/setup.ts';
import { tenantWorkDeps } from '../../src/handlers/factories/tenant-work.ts';
import { createVerifyHandler } from '../../src/handlers/factories/verify.ts';
import { inProcessApi, localToken } from '../support/gateway.ts';

/**
 * The onboarding page (web/) in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, against the real handlers and the sandbox. `.ci/run` installs Chromium; a
 * machine without it fails here rather than skipping. Screenshots go to test/artifacts/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const TENANT = 't-demo';
const externalId = externalIdFor(localDevSecret(), TENANT);
const BADGE = { pass: 'Pass', warn: 'Warning', fail: 'Fail', skip: 'Skipped', error: 'Error' } as const;
/** Visible texts whose contrast with their background is under WCAG AA's 4.5:1, as `tag.class ratio`. */
const CONTRAST_FAILURES = `(() => {
  const rgba = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const channel = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll('.badge, .notice, label, legend, .help, button, td, th, caption, .aws-error, h2, h3, h4, p, pre, a')) {
    if (!el.offsetParent || el.disabled || !el.textContent.trim()) continue;
    const [hi, lo] = [luminance(rgba(getComputedStyle(el).color)), luminance(background(el))].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) out.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2));
  }
  return out;
})()`;
const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';
const worldNamed = (name: string) => {
  const c = WORLDS[name];
  if (!c) throw new Error(`the library lost the world ${name}`);
  return c.world(externalId);
};

let sandbox: Sandbox;
let web: WebServer;
let context: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const world = worldNamed('seed-003-staging');
  sandbox = await startSandbox({ world });
  useSandbox(sandbox, world);
  // The functions as a container builds them, once the environment points at the sandbox.
  const deps = tenantWorkDeps(createDeps(CHECK_IDS));
  web = await startWebServer({
    port: 0,
    config: { apiBase: '', token: localToken(TENANT), profile: 'staging', buckets: ['syncoutput'] },
    api: inProcessApi({
      'POST /verify': createVerifyHandler(deps),
      'GET /setup': createSetupHandler(deps),
      'GET /checks': createChecksHandler(deps),
    }),
  });
  profileDir = mkdtempSync(join(tmpdir(), 'aav-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: `http://127.0.0.1:${web.port}`,
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await web?.close();
  await sandbox?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function open(width = 1280): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`http://127.0.0.1:${web.port}/`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/** Submits step 2 from the keyboard and returns the report the API sent, as the page got it. */
async function verifyFromKeyboard(page: Page): Promise<Report> {
  const answer = page.waitForResponse((r) => r.url().endsWith('/verify'));
  await page.getByLabel('Role ARN').focus();
  await page.keyboard.press('Enter');
  const report = (await (await answer).json()) as Report;
  await page.waitForSelector('#report:not([hidden])');
  return report;
}

describe('the onboarding page', () => {
  it('shows the setup, runs the demo world, and renders every check of its report', async () => {
    const page = await open();
    try {
      await page.getByRole('button', { name: 'Show the setup' }).click();
      await expect.poll(() => page.locator('#external-id').textContent()).toBe(externalId);
      const trust = JSON.parse((await page.locator('#trust-policy').textContent()) ?? '');
      expect(trust.Statement[0].Condition.StringEquals['sts:ExternalId']).toBe(externalId);
      // Without a template bucket there is no link, and the page offers none.
      expect(await page.locator('#quick-create-wrap').isHidden()).toBe(true);

      await page.getByLabel('Role ARN').fill(ROLE);
      const report = await verifyFromKeyboard(page);

      expect(report.status).toBe('pass');
      expect(report.checks.length).toBeGreaterThan(5);
      const rows = page.locator('#checks tbody tr');
      await expect.poll(() => rows.count()).toBe(report.checks.length);
      const tableBox = await page.locator('#checks').boundingBox();
      for (const [i, c] of report.checks.entries()) {
        const row = rows.nth(i);
        expect(await row.getAttribute('data-check')).toBe(c.id);
        expect(await row.locator('td').nth(1).textContent()).toContain(c.id);
        expect(await row.locator('td').nth(2).textContent()).toBe(c.target);
        expect(await row.locator('.badge').textContent()).toContain(BADGE[c.status]);
        // Laid out in the table, whatever its status (a row's class is its status).
        const [rowBox, badgeBox] = [await row.boundingBox(), await row.locator('.badge').boundingBox()];
        expect(rowBox?.x).toBe(tableBox?.x);
        expect(badgeBox?.x).toBeGreaterThanOrEqual(rowBox?.x ?? Number.NaN);
        expect(badgeBox?.y).toBeGreaterThanOrEqual(rowBox?.y ?? Number.NaN);
      }
      expect(report.checks.some((c) => c.status === 'skip')).toBe(true);
      expect(await page.locator('#status').textContent()).toContain('Everything the product needs works');
      // What to change is the report's own, group by group: none required, perhaps some optional.
      const groups: { title: string; policy: PolicyDocument }[] = [
        ...(report.remediation.policy.Statement.length
          ? [{ title: 'Identity policy', policy: report.remediation.policy }]
          : []),
        ...(report.remediation.optional ? [{ title: 'Optional', policy: report.remediation.optional }] : []),
      ];
      expect(await page.locator('#fixes h4').allTextContents()).toEqual(groups.map((g) => g.title));
      for (const { title, policy } of groups) {
        const block = page.locator('.fix-block', { has: page.getByRole('heading', { name: title }) });
        expect(JSON.parse((await block.locator('pre').textContent()) ?? '')).toEqual(policy);
      }
      if (!groups.length) expect(await page.locator('#fixes').textContent()).toContain('Nothing to change');
      // The result's heading takes the focus, so a screen reader lands on it.
      expect(await page.evaluate('document.activeElement?.id')).toBe('h-report');
      await page.screenshot({ path: join(ARTIFACTS, 'onboarding-pass.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 90_000);

  it('shows a failing world its fix, and the copy button copies the policy as valid JSON', async () => {
    sandbox.setWorld(worldNamed('missing-delete'));
    const page = await open();
    try {
      await page.getByLabel('What the product does with your buckets').selectOption('destination');
      await page.getByLabel(/Buckets, one per line/).fill('acme-destination');
      await page.getByLabel('Role ARN').fill(ROLE);
      const report = await verifyFromKeyboard(page);

      expect(report.status).toBe('fail');
      const failed = page.locator('#checks tbody tr.fail');
      expect(await failed.count()).toBeGreaterThan(0);
      expect(await failed.first().textContent()).toContain('AccessDenied');
      expect(await page.locator('#checks').textContent()).toContain(
        'Allow s3:DeleteObject on arn:aws:s3:::acme-destination/*',
      );
      // WCAG AA: every visible text of the report and the forms at 4.5:1 or more against its background.
      expect(await page.evaluate(CONTRAST_FAILURES)).toEqual([]);

      const identity = page.locator('.fix-block', {
        has: page.getByRole('heading', { name: 'Identity policy' }),
      });
      await identity.getByRole('button', { name: 'Copy: Identity policy' }).click();
      await expect.poll(() => identity.getByRole('button').textContent()).toBe('Copied');
      const copied = String(await page.evaluate('navigator.clipboard.readText()'));
      const policy = JSON.parse(copied);
      expect(policy).toEqual(report.remediation.policy);
      expect(JSON.stringify(policy.Statement)).toContain('s3:DeleteObject');
      await page.screenshot({ path: join(ARTIFACTS, 'onboarding-fail.png'), fullPage: true });
      // The README's picture (docs/onboarding-page.png is a copy): the report as an administrator reads it.
      await page.setViewportSize({ width: 1000, height: 1100 });
      await page.evaluate(
        "document.querySelector('#step-report').scrollIntoView({ block: 'start' }); new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))",
      );
      const box = await page.locator('#step-report').boundingBox();
      if (!box) throw new Error('the report is not on the page');
      await page.screenshot({
        path: join(ARTIFACTS, 'onboarding-report.png'),
        clip: { x: box.x, y: Math.max(box.y, 0), width: box.width, height: 1100 - Math.max(box.y, 0) },
      });
      await page.setViewportSize({ width: 760, height: 900 });
      // However long AWS's words (ARNs, probe keys), the table stays inside its step.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(760);
      expect(
        await page.evaluate(
          "document.querySelector('#checks').getBoundingClientRect().right <= document.querySelector('#step-report').getBoundingClientRect().right",
        ),
      ).toBe(true);

      // Verify again: the same request, a new verification, once the customer fixed the policy.
      sandbox.setWorld(worldNamed('seed-001-destination'));
      const again = page.waitForResponse((r) => r.url().endsWith('/verify'));
      await page.getByRole('button', { name: 'Verify again' }).click();
      const second = (await (await again).json()) as Report;
      expect(second.verificationId).not.toBe(report.verificationId);
      expect(second.status).toBe('pass');
      expect(second.checks.filter((c) => c.required && c.status === 'fail')).toEqual([]);
      await expect
        .poll(() => page.locator('#checks tbody tr.fail').count())
        .toBe(second.checks.filter((c) => c.status === 'fail').length);
      expect(await page.locator('#fixes').textContent()).not.toContain('s3:DeleteObject');
    } finally {
      await page.close();
    }
  }, 90_000);

  it('groups the fixes of the new remediation shape by where they go, each with its copy button; reads the older trust document too', async () => {
    const page = await open();
    const statement = (action: string) => ({ Effect: 'Allow', Action: action, Resource: '*' });
    const report = {
      verificationId: 'v-new-shape',
      tenantId: TENANT,
      status: 'fail',
      startedAt: new Date().toISOString(),
      durationMs: 12,
      checks: [
        {
          id: 'kms.decrypt',
          target: 'arn:aws:kms:us-east-1:111122223333:key/k1',
          status: 'fail',
          required: true,
          actions: ['kms:Decrypt'],
          resources: [],
          durationMs: 3,
          message: 'the key policy does not let the role decrypt',
          error: { code: 'AccessDeniedException', message: 'not authorized', requestId: 'r-1' },
          hint: 'the key policy',
        },
        {
          id: 's3.encryption',
          target: 's3://b/',
          status: 'skip',
          required: false,
          actions: [],
          resources: [],
          durationMs: 1,
          message: 'not granted',
        },
      ],
      strandedProbes: [{ bucket: 'b', key: '.aws-access-verifier-probe-vendor-x', versionId: 'v-9' }],
      remediation: {
        policy: { Version: '2012-10-17', Statement: [statement('s3:PutObject')] },
        optional: { Version: '2012-10-17', Statement: [statement('s3:GetEncryptionConfiguration')] },
        keyPolicies: [
          { keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k1', statement: statement('kms:Decrypt') },
        ],
        bucketPolicies: [{ bucket: 'b', statement: statement('s3:GetObject') }],
        trustPolicy: {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999988887777:role/x' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
        notes: [
          {
            check: 's3.write',
            target: 's3://b/',
            policyType: 'service control policy',
            action: 's3:PutObject',
            message: 'an SCP denies it',
          },
        ],
      },
    };
    // The producer of this shape lands in parallel: the page is tested on the shape itself.
    await page.route('**/verify', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(report) }),
    );
    try {
      await page.getByLabel('Role ARN').fill(ROLE);
      await verifyFromKeyboard(page);
      const headings = await page.locator('#fixes h4').allTextContents();
      expect(headings).toEqual([
        'Identity policy',
        'Key policy of arn:aws:kms:us-east-1:111122223333:key/k1',
        'Bucket policy of b',
        'Trust policy',
        'Optional',
        'For your AWS administrator',
        'Probe objects left behind',
      ]);
      expect(await page.locator('#fixes .stranded li').allTextContents()).toEqual([
        's3://b/.aws-access-verifier-probe-vendor-x (version v-9)',
      ]);
      expect(await page.locator('#fixes').textContent()).toContain(
        "Add this statement to the role's trust policy",
      );
      expect(await page.locator('#fixes').textContent()).toContain('service control policy');
      expect(await page.locator('#fixes button.copy').count()).toBe(5);
      const trust = page.locator('.fix-block', { has: page.getByRole('heading', { name: 'Trust policy' }) });
      await trust.getByRole('button').click();
      const copied = JSON.parse(String(await page.evaluate('navigator.clipboard.readText()')));
      expect(copied).toEqual(report.remediation.trustPolicy);
      expect(await page.locator('tr[data-check="s3.encryption"]').textContent()).toContain('(optional)');
      expect(await page.locator('tr[data-check="kms.decrypt"]').textContent()).toContain('request id r-1');

      // A service from before this shape answers the trust policy as a whole document: shown as one.
      const document = { Version: '2012-10-17', Statement: [report.remediation.trustPolicy] };
      await page.unroute('**/verify');
      await page.route('**/verify', (route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({
            ...report,
            strandedProbes: undefined,
            remediation: { policy: report.remediation.policy, trustPolicy: document },
          }),
        }),
      );
      await page.getByRole('button', { name: 'Verify again' }).click();
      await expect
        .poll(() => page.locator('#fixes h4').allTextContents())
        .toEqual(['Identity policy', 'Trust policy']);
      expect(await page.locator('#fixes').textContent()).toContain("The role's trust policy must say this");
      await page.getByRole('button', { name: 'Copy: Trust policy' }).click();
      expect(JSON.parse(String(await page.evaluate('navigator.clipboard.readText()')))).toEqual(document);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('verifies an IAM user’s key pair chosen from the keyboard, with the deployment’s profiles from GET /checks', async () => {
    sandbox.setWorld(worldNamed('seed-004-key-pair'));
    const page = await open();
    try {
      // The choices are the deployment's, as GET /checks describes them, not the page's built-in wording.
      const offered = Object.values(BUILTIN_PROFILES).map((p) => `${p.name}: ${p.description}`);
      await expect.poll(() => page.locator('#profile option').allTextContents()).toEqual(offered);
      await page.getByLabel('What the product does with your buckets').selectOption('source');
      await page.getByLabel(/Buckets, one per line/).fill('acme-input');
      await page.getByLabel('A role it assumes (recommended)').focus();
      await page.keyboard.press('ArrowDown');
      expect(await page.getByLabel("An IAM user's access key pair").isChecked()).toBe(true);
      expect(await page.getByLabel('Role ARN').isHidden()).toBe(true);
      await page.getByLabel('Access key ID').fill('AKIAINGESTUSEREXAMPLE');
      await page.getByLabel('Secret access key').fill('ingestUserSecretAccessKeyEXAMPLEKEY00000');
      const answer = page.waitForResponse((r) => r.url().endsWith('/verify'));
      await page.getByLabel('Secret access key').press('Enter');
      const report = (await (await answer).json()) as Report;

      expect(report.status).toBe('pass');
      await page.waitForSelector('#report:not([hidden])');
      expect(await page.locator('tr[data-check="sts.caller-identity"] .badge').textContent()).toContain(
        'Pass',
      );
      expect(await page.locator('#summary').textContent()).toContain('arn:aws:iam::111122223333:user/ingest');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('offers the quick-create link as a button when the setup has one, and only an AWS console link', async () => {
    const page = await open();
    let link =
      'https://console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?stackName=acme-access';
    await page.route('**/setup?*', async (route) => {
      const answer = (await (await route.fetch()).json()) as Record<string, { quickCreateUrl?: string }>;
      answer.cloudFormation = { ...answer.cloudFormation, quickCreateUrl: link };
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) });
    });
    try {
      await page.getByRole('button', { name: 'Show the setup' }).click();
      const button = page.getByRole('link', { name: /Create the role in the AWS console/ });
      await button.waitFor();
      expect(await button.getAttribute('href')).toBe(link);
      expect(await button.getAttribute('rel')).toBe('noopener noreferrer');

      link = 'javascript:alert(1)';
      await page.getByRole('button', { name: 'Show the setup' }).click();
      await expect.poll(() => page.locator('#quick-create-wrap').isHidden()).toBe(true);
      expect(await page.locator('#quick-create').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('fits 360 px without scrolling sideways, and names the API error when the token is missing', async () => {
    sandbox.setWorld(worldNamed('seed-003-staging'));
    const page = await open(360);
    try {
      await page.getByText('API settings').click();
      await page.getByLabel('Access token (JWT)').fill('');
      await page.getByLabel('Role ARN').fill(ROLE);
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await expect.poll(() => page.locator('#status').textContent()).toContain('could not run');
      expect(await page.locator('#status').getAttribute('aria-live')).toBe('polite');

      await page.getByLabel('Access token (JWT)').fill(localToken(TENANT));
      await verifyFromKeyboard(page);
      const overflow = await page.evaluate('document.documentElement.scrollWidth');
      expect(overflow).toBeLessThanOrEqual(360);
      await page.screenshot({ path: join(ARTIFACTS, 'onboarding-360.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 60_000);
});
