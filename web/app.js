// The onboarding page: GET /setup, POST /verify, and the report written for a cloud administrator.
// No framework and no build: a vendor hosts these three files as they are. Settings come from
// `window.AWS_ACCESS_VERIFIER` ({ apiBase, token }), else from ./config.json (npm start writes
// one with the demo tenant's token), else from the "API settings" fields.
(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== undefined && c !== null) node.append(c);
    return node;
  };
  const json = (value) => JSON.stringify(value, null, 2);
  const STATUS_TEXT = { pass: 'Pass', warn: 'Warning', fail: 'Fail', skip: 'Skipped', error: 'Error' };
  const STATUS_MARK = { pass: '✓', warn: '!', fail: '✗', skip: '–', error: '?' };

  let lastRequest;

  const settings = () => ({
    apiBase: $('api-base').value.trim().replace(/\/+$/, ''),
    token: $('token').value.trim(),
  });

  async function api(method, path, body) {
    const { apiBase, token } = settings();
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${apiBase}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    let data;
    try {
      data = await res.json();
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const err = data?.error;
      const details = Array.isArray(err?.details) ? err.details.map((d) => `${d.path}: ${d.message}`) : [];
      const message =
        typeof err === 'object' && err?.message ? err.message : `the API answered ${res.status}`;
      throw Object.assign(new Error(message), { details });
    }
    return data;
  }

  /** `bucket` or `bucket/prefix/` per line; an `s3://` in front is forgiven. */
  function bucketsOf(text) {
    return text
      .split(/[\n,]+/)
      .map((line) => line.trim().replace(/^s3:\/\//, ''))
      .filter(Boolean)
      .map((line) => {
        const slash = line.indexOf('/');
        if (slash < 0) return { bucket: line };
        const prefix = line.slice(slash + 1);
        return prefix ? { bucket: line.slice(0, slash), prefix } : { bucket: line.slice(0, slash) };
      });
  }

  function say(message, kind = 'info', details = []) {
    const box = $('status');
    box.className = `notice ${kind}`;
    box.replaceChildren(el('p', {}, message));
    if (details.length) box.append(el('ul', {}, ...details.map((d) => el('li', {}, d))));
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without the async clipboard (an insecure origin, an old browser): the selection route.
      const area = el('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    const label = button.textContent;
    button.textContent = 'Copied';
    button.setAttribute('aria-live', 'polite');
    setTimeout(() => {
      button.textContent = label;
      button.removeAttribute('aria-live');
    }, 1500);
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button.copy');
    if (!button) return;
    const source = $(button.dataset.copy);
    if (source) copy(source.textContent, button);
  });

  // Step 1: the setup.
  $('setup-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const buckets = bucketsOf($('buckets').value);
    if (!buckets.length) {
      say('Name at least one bucket in step 1.', 'error');
      $('buckets').focus();
      return;
    }
    const query = new URLSearchParams({ profile: $('profile').value });
    for (const b of buckets) {
      query.append('bucket', b.bucket);
      query.append('prefix', b.prefix ?? '');
    }
    $('setup-button').disabled = true;
    try {
      const answer = await api('GET', `/setup?${query}`);
      $('external-id').textContent = answer.externalId;
      $('trust-policy').textContent = json(answer.trustPolicy);
      $('permission-policy').textContent = json(answer.permissionPolicy);
      const link = answer.cloudFormation?.quickCreateUrl;
      // Only an https link to the AWS console is offered as a button.
      const safe =
        typeof link === 'string' &&
        /^https:\/\/console\.(aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com)\//.test(link);
      $('quick-create-wrap').replaceChildren(
        ...(safe
          ? [
              el(
                'a',
                {
                  id: 'quick-create',
                  class: 'button',
                  href: link,
                  target: '_blank',
                  rel: 'noopener noreferrer',
                },
                'Create the role in the AWS console (CloudFormation)',
              ),
            ]
          : []),
      );
      $('quick-create-wrap').hidden = !safe;
      $('setup-warnings').replaceChildren(...(answer.warnings ?? []).map((w) => el('li', {}, w)));
      $('setup-out').hidden = false;
      say('The setup is ready below step 1.', 'info');
    } catch (err) {
      say(`The setup could not be loaded: ${err.message}`, 'error', err.details ?? []);
    } finally {
      $('setup-button').disabled = false;
    }
  });

  // Step 2: the credentials, then POST /verify.
  for (const radio of document.querySelectorAll('input[name="credentials"]')) {
    radio.addEventListener('change', () => {
      const role = $('cred-role').checked;
      $('role-fields').hidden = !role;
      $('key-fields').hidden = role;
    });
  }

  function requestFromForm() {
    const credentials = $('cred-role').checked
      ? { type: 'role', roleArn: $('role-arn').value.trim() }
      : {
          type: 'accessKey',
          accessKeyId: $('access-key-id').value.trim(),
          secretAccessKey: $('secret-access-key').value.trim(),
        };
    const region = $('region').value.trim();
    return {
      credentials,
      profile: $('profile').value,
      ...(region ? { region } : {}),
      s3: bucketsOf($('buckets').value),
    };
  }

  async function runVerify(request) {
    lastRequest = request;
    $('verify-button').disabled = true;
    $('verify-again').disabled = true;
    $('report').hidden = true;
    say('Verifying: this takes a few seconds…', 'info');
    try {
      const report = await api('POST', '/verify', request);
      renderReport(report);
      say(SUMMARY[report.status] ?? `Status: ${report.status}`, report.status);
      $('h-report').focus();
    } catch (err) {
      say(`The verification could not run: ${err.message}`, 'error', err.details ?? []);
    } finally {
      $('verify-button').disabled = false;
      $('verify-again').disabled = false;
    }
  }

  $('verify-form').addEventListener('submit', (event) => {
    event.preventDefault();
    runVerify(requestFromForm());
  });
  $('verify-again').addEventListener('click', () => runVerify(lastRequest ?? requestFromForm()));

  // Step 3: the report.
  const SUMMARY = {
    pass: 'Everything the product needs works.',
    warn: 'It works, with warnings worth reading below.',
    fail: 'Some access is missing: the changes below fix it.',
    error: 'Some checks could not run (AWS did not answer as expected): verify again in a moment.',
  };

  function badge(status) {
    return el(
      'span',
      { class: `badge ${status}` },
      el('span', { 'aria-hidden': 'true' }, `${STATUS_MARK[status] ?? ''} `),
      STATUS_TEXT[status] ?? status,
    );
  }

  function checkRow(c) {
    const said = el('div', {}, el('p', {}, c.message));
    if (c.error) {
      said.append(
        el(
          'p',
          { class: 'aws-error' },
          el('code', {}, c.error.code),
          `: ${c.error.message}`,
          c.error.requestId
            ? el('span', { class: 'request-id' }, ` (request id ${c.error.requestId})`)
            : undefined,
        ),
      );
    }
    if (c.hint) said.append(el('p', { class: 'hint' }, el('strong', {}, 'Hint: '), c.hint));
    if (Array.isArray(c.checklist) && c.checklist.length)
      said.append(el('ul', { class: 'checklist' }, ...c.checklist.map((item) => el('li', {}, item))));
    if (c.remediation) said.append(el('p', { class: 'fix' }, el('strong', {}, 'Fix: '), c.remediation));
    return el(
      'tr',
      { class: c.status, 'data-check': c.id },
      el('td', { 'data-label': 'Status' }, badge(c.status)),
      el('td', { 'data-label': 'Check' }, el('code', {}, c.id), c.required === false ? ' (optional)' : ''),
      el('td', { 'data-label': 'Target' }, el('span', { class: 'target' }, c.target)),
      el('td', { 'data-label': 'What AWS said' }, said),
    );
  }

  let fixCount = 0;
  /** One policy text to paste somewhere, with its own copy button. */
  function policyBlock(title, where, value) {
    const id = `fix-${++fixCount}`;
    return el(
      'div',
      { class: 'fix-block' },
      el('h4', {}, title),
      el('p', {}, where),
      el('pre', { id }, json(value)),
      el(
        'button',
        { type: 'button', class: 'copy', 'data-copy': id, 'aria-label': `Copy: ${title}` },
        'Copy',
      ),
    );
  }

  const isDocument = (value) => Boolean(value && Array.isArray(value.Statement));
  const hasStatements = (doc) => isDocument(doc) && doc.Statement.length > 0;

  /**
   * The fixes, grouped by where each goes. The report's `remediation` may come in two shapes
   * (a trust policy as a whole document, or one statement to add; with or without key, bucket
   * and optional policies and administrator notes): both are shown.
   */
  function renderFixes(remediation = {}) {
    const out = [];
    if (hasStatements(remediation.policy))
      out.push(
        policyBlock(
          'Identity policy',
          'Add these statements to the permission policy of the role (or user) you named in step 2.',
          remediation.policy,
        ),
      );
    for (const k of remediation.keyPolicies ?? [])
      out.push(
        policyBlock(
          `Key policy of ${k.keyArn}`,
          "Add this statement to the KMS key's key policy (KMS console → the key → Key policy).",
          k.statement,
        ),
      );
    for (const b of remediation.bucketPolicies ?? [])
      out.push(
        policyBlock(
          `Bucket policy of ${b.bucket}`,
          "Add this statement to the bucket's policy (S3 console → the bucket → Permissions).",
          b.statement,
        ),
      );
    const trust = remediation.trustPolicy;
    if (isDocument(trust))
      out.push(
        policyBlock(
          'Trust policy',
          "The role's trust policy must say this (IAM console → the role → Trust relationships).",
          trust,
        ),
      );
    else if (trust && typeof trust === 'object')
      out.push(
        policyBlock(
          'Trust policy',
          "Add this statement to the role's trust policy (IAM console → the role → Trust relationships); keep the statements it has.",
          trust,
        ),
      );
    if (hasStatements(remediation.optional))
      out.push(
        policyBlock(
          'Optional',
          'Not required: these statements let the checks marked optional run, so the report can say more.',
          remediation.optional,
        ),
      );
    const notes = Array.isArray(remediation.notes) ? remediation.notes : [];
    if (notes.length) {
      out.push(
        el(
          'div',
          { class: 'fix-block notes' },
          el('h4', {}, 'For your AWS administrator'),
          el(
            'p',
            {},
            'A policy outside the role refuses these; only an administrator of the account or organization can change it.',
          ),
          el(
            'ul',
            {},
            ...notes.map((n) =>
              el(
                'li',
                {},
                el('strong', {}, n.policyType),
                ` (${n.check}, ${n.target}): ${n.message}`,
                n.action ? el('span', {}, ' Action: ', el('code', {}, n.action)) : undefined,
                n.resource ? el('span', {}, ' Resource: ', el('code', {}, n.resource)) : undefined,
              ),
            ),
          ),
        ),
      );
    }
    if (!out.length) out.push(el('p', {}, 'Nothing to change.'));
    $('fixes').replaceChildren(...out);
  }

  /** Probe objects the service could not delete: the customer removes them (named with their version). */
  function renderStranded(probes) {
    const list = Array.isArray(probes) ? probes : [];
    if (!list.length) return;
    $('fixes').append(
      el(
        'div',
        { class: 'fix-block stranded' },
        el('h4', {}, 'Probe objects left behind'),
        el(
          'p',
          {},
          'The verifier could not delete these test objects it wrote; delete them when convenient.',
        ),
        el(
          'ul',
          {},
          ...list.map((p) =>
            el(
              'li',
              {},
              el('code', {}, `s3://${p.bucket}/${p.key}`),
              p.versionId ? ` (version ${p.versionId})` : '',
            ),
          ),
        ),
      ),
    );
  }

  function renderReport(report) {
    const checks = Array.isArray(report.checks) ? report.checks : [];
    const counts = {};
    for (const c of checks) counts[c.status] = (counts[c.status] ?? 0) + 1;
    const parts = Object.entries(counts).map(([s, n]) => `${n} ${(STATUS_TEXT[s] ?? s).toLowerCase()}`);
    $('summary').replaceChildren(
      badge(report.status),
      ` ${checks.length} checks: ${parts.join(', ')}.`,
      report.principal?.arn ? el('span', { class: 'principal' }, ` As ${report.principal.arn}.`) : undefined,
    );
    $('checks').tBodies[0].replaceChildren(...checks.map(checkRow));
    renderFixes(report.remediation);
    renderStranded(report.strandedProbes);
    $('report').hidden = false;
  }

  // Settings: the embedding page's, else ./config.json's; the demo's request pre-filled locally.
  async function init() {
    let config = window.AWS_ACCESS_VERIFIER;
    if (!config) {
      try {
        const res = await fetch('config.json', { headers: { accept: 'application/json' } });
        if (res.ok) config = await res.json();
      } catch {
        config = undefined;
      }
    }
    if (config) applyConfig(config);
    await loadProfiles();
  }

  /** The deployment's own profiles (GET /checks), when the API answers; else the built-ins above. */
  async function loadProfiles() {
    if (!settings().token) return;
    try {
      const catalogue = await api('GET', '/checks');
      const profiles = Array.isArray(catalogue?.profiles) ? catalogue.profiles : [];
      if (!profiles.length) return;
      const chosen = $('profile').value;
      $('profile').replaceChildren(
        ...profiles.map((p) =>
          el('option', { value: p.name }, p.description ? `${p.name}: ${p.description}` : p.name),
        ),
      );
      if (profiles.some((p) => p.name === chosen)) $('profile').value = chosen;
    } catch {
      // The built-in choices stay; step 1 or 2 will say what is wrong with the API.
    }
  }

  function applyConfig(config) {
    if (config.apiBase) $('api-base').value = config.apiBase;
    if (config.token) $('token').value = config.token;
    if (config.profile) {
      // A vendor's own profile is not among the built-in choices until GET /checks names it.
      if (![...$('profile').options].some((o) => o.value === config.profile))
        $('profile').append(el('option', { value: config.profile }, config.profile));
      $('profile').value = config.profile;
    }
    if (config.region) $('region').value = config.region;
    if (config.roleArn) $('role-arn').value = config.roleArn;
    if (Array.isArray(config.buckets)) $('buckets').value = config.buckets.join('\n');
  }
  init().finally(() => document.body.setAttribute('data-ready', 'true'));
})();
