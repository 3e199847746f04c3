import { createHash } from 'node:crypto';
import { type SandboxState, vendorNow } from '../state.ts';
import { AwsError } from './aws.ts';
import { json11Error } from './events.ts';
import { asString, integer, type Json, jsonService, required, type VendorCaller } from './json.ts';

/**
 * SSM Parameter Store's PutParameter and GetParameterHistory (AWS JSON 1.1): the external-ID
 * secret and its versions, kept per account and region.
 */

/** One version of an SSM parameter, as GetParameterHistory describes it. */
export interface ParameterVersion {
  Name: string;
  Type: string;
  Value: string;
  Version: number;
  LastModifiedDate: number;
  LastModifiedUser: string;
  Description?: string;
  KeyId?: string;
}

/** Parameter Store keeps this many versions of a parameter, deleting the oldest beyond it. */
const MAX_PARAMETER_VERSIONS = 100;

const STANDARD_VALUE_LIMIT = 4096;

const PARAMETER_TYPES = new Set(['String', 'StringList', 'SecureString']);

const parameterKey = (caller: VendorCaller, name: string) => `${caller.account}/${caller.region}/${name}`;

function putParameter(state: SandboxState, input: Json, caller: VendorCaller): Json {
  const name = required(input, 'Name');
  const value = required(input, 'Value');
  const type = asString(input.Type);
  if (type !== undefined && !PARAMETER_TYPES.has(type))
    throw new AwsError(
      400,
      'ValidationException',
      `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
    );
  if (value.length > STANDARD_VALUE_LIMIT)
    throw new AwsError(
      400,
      'ValidationException',
      `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${STANDARD_VALUE_LIMIT}`,
    );
  const key = parameterKey(caller, name);
  const versions = state.parameters.get(key) ?? [];
  const last = versions.at(-1);
  if (last && input.Overwrite !== true)
    throw new AwsError(
      400,
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  if (!last && !type)
    throw new AwsError(
      400,
      'ValidationException',
      'A parameter type is required when you create a parameter.',
    );
  const finalType = type ?? last?.Type ?? 'String';
  const version: ParameterVersion = {
    Name: name,
    Type: finalType,
    Value: value,
    Version: (last?.Version ?? 0) + 1,
    LastModifiedDate: vendorNow(state) / 1000,
    LastModifiedUser: `arn:aws:sts::${caller.account}:assumed-role/${caller.userid.split(':')[0] ?? 'vendor'}`,
    ...(asString(input.Description) ? { Description: asString(input.Description) } : {}),
    ...(finalType === 'SecureString' ? { KeyId: asString(input.KeyId) ?? 'alias/aws/ssm' } : {}),
  };
  versions.push(version);
  if (versions.length > MAX_PARAMETER_VERSIONS) versions.shift();
  state.parameters.set(key, versions);
  return { Version: version.Version, Tier: 'Standard' };
}

function getParameterHistory(state: SandboxState, input: Json, caller: VendorCaller): Json {
  const name = required(input, 'Name');
  const max = integer(input, 'MaxResults', [1, 50]) ?? 50;
  const versions = state.parameters.get(parameterKey(caller, name));
  if (!versions) throw new AwsError(400, 'ParameterNotFound', '');
  const token = asString(input.NextToken);
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString());
  if (!Number.isInteger(start) || start < 0 || start > versions.length)
    throw new AwsError(400, 'InvalidNextToken', 'The specified token is not valid.');
  const page = versions.slice(start, start + max);
  const decrypt = input.WithDecryption === true;
  return {
    Parameters: page.map((v) => ({
      ...v,
      // Without decryption, a SecureString's value is its ciphertext, never the secret.
      Value:
        v.Type === 'SecureString' && !decrypt
          ? createHash('sha256').update(`ciphertext\0${v.Value}`).digest('base64')
          : v.Value,
      Labels: [],
      Tier: 'Standard',
      Policies: [],
      DataType: 'text',
    })),
    ...(start + max < versions.length
      ? { NextToken: Buffer.from(String(start + max)).toString('base64') }
      : {}),
  };
}

function ssm(state: SandboxState, operation: string, input: Json, caller: VendorCaller): Json {
  if (operation === 'PutParameter') return putParameter(state, input, caller);
  if (operation === 'GetParameterHistory') return getParameterHistory(state, input, caller);
  throw new AwsError(400, 'UnknownOperationException', `The sandbox does not implement SSM ${operation}.`);
}

export const ssmService = (state: SandboxState) =>
  jsonService(
    json11Error,
    (operation, input, caller) => ssm(state, operation, input, caller),
    'application/x-amz-json-1.1',
  );
