import { Readable } from 'node:stream';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { RedshiftServiceException } from '@aws-sdk/client-redshift';
import { RedshiftServerlessServiceException } from '@aws-sdk/client-redshift-serverless';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { STSServiceException } from '@aws-sdk/client-sts';
import { sdkStreamMixin } from '@smithy/core/serde';

/**
 * AWS errors as the SDK really surfaces them: the service exception class, the code as `name`,
 * `$metadata` with the HTTP status and request id, and (for S3) the raw `$response` headers.
 */
export function s3Error(
  code: string,
  status: number,
  message = 'Access Denied',
  headers: Record<string, string> = {},
): S3ServiceException {
  const err = new S3ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    $metadata: {
      httpStatusCode: status,
      requestId: 'EXAMPLE0REQUEST0ID',
      extendedRequestId: 'EXAMPLEhostid',
    },
  });
  Object.defineProperty(err, '$response', {
    value: {
      statusCode: status,
      headers: { 'x-amz-request-id': 'EXAMPLE0REQUEST0ID', ...headers },
      body: undefined,
    },
    enumerable: false,
  });
  return err;
}

/** HEAD answers have no body: the SDK names the error after nothing ("Unknown"). */
export const headError = (status: number, headers: Record<string, string> = {}) =>
  s3Error('Unknown', status, 'UnknownError', headers);

export function stsError(code: string, status: number, message: string): STSServiceException {
  return new STSServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    $metadata: { httpStatusCode: status, requestId: 'c6104cbe-af31-11e0-8154-cbc7ccf896c7' },
  });
}

export const assumeRoleDenied = (role = 'arn:aws:iam::111122223333:role/VendorAccess') =>
  stsError(
    'AccessDenied',
    403,
    `User: arn:aws:sts::999988887777:assumed-role/aws-access-verifier-dev/verify is not authorized to perform: sts:AssumeRole on resource: ${role}`,
  );

export const networkError = (code = 'ECONNRESET') => Object.assign(new Error(`socket hang up`), { code });

/** A GetObject body as the SDK's Node handler returns it. */
export const objectBody = (data: string | Uint8Array) =>
  sdkStreamMixin(Readable.from([typeof data === 'string' ? Buffer.from(data) : Buffer.from(data)]));

/** The SDK's exception as a JSON or query service raises it: `name` is AWS's code. */
function serviceError<E>(
  Exception: new (o: { name: string; $fault: 'client' | 'server'; message: string; $metadata: object }) => E,
  requestId: string,
) {
  return (name: string, status: number, message: string): E =>
    new Exception({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      message,
      $metadata: { httpStatusCode: status, requestId },
    });
}

/** KMS speaks JSON 1.1: its errors (AccessDeniedException, DisabledException...) answer 400. */
export const kmsError = serviceError(KMSServiceException, '8d6a3a8b-6d8c-4b6b-9f5e-0123456789ab');

/** Redshift speaks query/XML: a refusal is AccessDenied 403, a missing cluster ClusterNotFound 404. */
export const redshiftError = serviceError(RedshiftServiceException, '0b3f6a2e-0000-4e8f-9a7b-2c4d6e8f0a1b');

/** Redshift Serverless speaks JSON 1.1, like KMS: AccessDeniedException, ResourceNotFoundException. */
export const redshiftServerlessError = serviceError(
  RedshiftServerlessServiceException,
  '1c4e7b3f-0000-4f9a-8b6c-3d5e7f9a1b2c',
);

/** IAM speaks query/XML: a refusal is AccessDenied 403, a missing user or role NoSuchEntity 404. */
export const iamError = serviceError(IAMServiceException, '4a1f7c2e-0000-4d8b-9e6a-5b7c9d1e3f5a');

/** SimulatePrincipalPolicy refused, in IAM's words. */
export const simulateDenied = (caller: string, source: string) =>
  iamError(
    'AccessDenied',
    403,
    `User: ${caller} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${source} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
  );
