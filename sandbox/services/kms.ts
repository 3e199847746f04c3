import { randomBytes, randomUUID } from 'node:crypto';
import { authorize, refusalMessage } from '../iam.ts';
import { rcpsOf, type SandboxState, type Session } from '../state.ts';
import type { SandboxKey } from '../world.ts';
import { AwsError, accountOf, jsonError, type Service } from './aws.ts';
import { jsonService } from './json.ts';

/**
 * KMS (AWS JSON 1.1): DescribeKey, and the data-key calls the verifier's probes make, each
 * authorized by the key policy; what it encrypts it keeps, so that Decrypt can give it back.
 */

export const kmsService = (state: SandboxState): Service =>
  jsonService(
    jsonError,
    (op, input, caller, _failEntries, session) => kms(state, session, op, input as KmsInput, caller.region),
    'application/x-amz-json-1.1',
  );

/**
 * How KMS decides a use of a key: its key policy, the account's RCPs and the caller's account;
 * `via` is the service that called KMS for the caller (kms:ViaService), as S3 does for SSE-KMS.
 */
export function keyDecision(
  state: SandboxState,
  session: Session,
  action: string,
  key: SandboxKey,
  via?: string,
) {
  const account = accountOf(key.arn);
  return authorize(
    session.caller,
    action,
    { arn: key.arn, account },
    {
      resourcePolicy: key.policy,
      ...rcpsOf(state, account),
      context: { ...(via ? { 'kms:ViaService': via } : {}), 'kms:CallerAccount': session.caller.account },
    },
  );
}

interface KmsInput {
  KeyId?: string;
  CiphertextBlob?: string;
  Plaintext?: string;
}

async function kms(state: SandboxState, session: Session, op: string, input: KmsInput, region: string) {
  const action = {
    GenerateDataKey: 'kms:GenerateDataKey',
    Encrypt: 'kms:Encrypt',
    Decrypt: 'kms:Decrypt',
    DescribeKey: 'kms:DescribeKey',
  }[op];
  if (!action) throw new AwsError(400, 'UnknownOperationException', op);
  const stored = op === 'Decrypt' ? sealed(state, input) : undefined;
  const keyArn = stored?.keyArn ?? input.KeyId ?? '';
  const key = state.world.keys?.find((k) => k.arn === keyArn);
  if (!key || accountOf(keyArn) === '' || keyArn.split(':')[3] !== region)
    throw new AwsError(400, 'NotFoundException', `Key '${keyArn}' does not exist`);
  const v = await keyDecision(state, session, action, key);
  if (!v.allowed)
    throw new AwsError(
      400,
      'AccessDeniedException',
      refusalMessage(session.caller, action, keyArn, v, false),
    );
  if (op === 'DescribeKey') {
    return {
      KeyMetadata: {
        KeyId: keyArn.split('/').at(-1),
        Arn: keyArn,
        KeyState: key.state ?? 'Enabled',
        Enabled: (key.state ?? 'Enabled') === 'Enabled',
        ...(key.state === 'PendingDeletion'
          ? { DeletionDate: Math.floor(Date.now() / 1000) + 7 * 86400 }
          : {}),
      },
    };
  }
  return use(state, op, keyArn, key.state ?? 'Enabled', input, stored);
}

/** What Decrypt opens: a ciphertext this KMS sealed, under the key the request names if it names one. */
function sealed(state: SandboxState, input: KmsInput) {
  const stored = state.ciphertexts.get(Buffer.from(input.CiphertextBlob ?? '', 'base64').toString());
  if (!stored) throw new AwsError(400, 'InvalidCiphertextException', '');
  if (input.KeyId && input.KeyId !== stored.keyArn)
    throw new AwsError(
      400,
      'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.',
    );
  return stored;
}

/** GenerateDataKey, Encrypt and Decrypt, once authorized: only an enabled key serves them. */
function use(
  state: SandboxState,
  op: string,
  keyArn: string,
  keyState: string,
  input: KmsInput,
  stored: { keyArn: string; plaintext: Buffer } | undefined,
) {
  if (keyState === 'Disabled') throw new AwsError(400, 'DisabledException', `${keyArn} is disabled.`);
  if (keyState !== 'Enabled')
    throw new AwsError(400, 'KMSInvalidStateException', `${keyArn} is pending deletion.`);
  const seal = (plaintext: Buffer) => {
    const id = `sandbox-ciphertext:${randomUUID()}`;
    state.ciphertexts.set(id, { keyArn, plaintext });
    return Buffer.from(id).toString('base64');
  };
  if (op === 'GenerateDataKey') {
    const plaintext = randomBytes(32);
    return { KeyId: keyArn, Plaintext: plaintext.toString('base64'), CiphertextBlob: seal(plaintext) };
  }
  if (op === 'Encrypt')
    return {
      KeyId: keyArn,
      CiphertextBlob: seal(Buffer.from(input.Plaintext ?? '', 'base64')),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  return {
    KeyId: keyArn,
    Plaintext: stored?.plaintext.toString('base64'),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}
