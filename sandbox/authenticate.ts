import type { IncomingMessage } from 'node:http';
import { AwsError } from './services/aws.ts';
import type { ParsedAuth } from './sigv4.ts';
import { verifySignature } from './sigv4.ts';
import { now, type SandboxState, type Session } from './state.ts';

/**
 * Who signed a request: its access key's session, checked as AWS checks it (the key, the session
 * token, its expiry, then the SigV4 signature), refused in the words of the service signed for.
 */
export function authenticate(
  state: SandboxState,
  auth: ParsedAuth,
  req: IncomingMessage,
  body: Buffer,
): Session {
  const s = state.sessions.get(auth.accessKeyId);
  const unknown = auth.service === 's3' ? 'InvalidAccessKeyId' : 'InvalidClientTokenId';
  if (!s?.active) {
    throw new AwsError(
      403,
      unknown,
      auth.service === 's3'
        ? 'The AWS Access Key Id you provided does not exist in our records.'
        : 'The security token included in the request is invalid.',
    );
  }
  const token = req.headers['x-amz-security-token'];
  if (s.sessionToken !== undefined && token !== s.sessionToken) {
    throw new AwsError(
      auth.service === 's3' ? 400 : 403,
      auth.service === 's3' ? 'InvalidToken' : 'InvalidClientTokenId',
      'The provided token is malformed or otherwise invalid.',
    );
  }
  if (s.expires !== undefined && now(state) > s.expires) {
    throw new AwsError(auth.service === 's3' ? 400 : 403, 'ExpiredToken', 'The provided token has expired.');
  }
  if (
    !verifySignature(auth, s.secretAccessKey, {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body,
    })
  ) {
    throw new AwsError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  return s;
}
