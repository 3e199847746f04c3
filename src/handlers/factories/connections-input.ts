import { CATALOGUE } from '../../checks/index.ts';
import type { ServiceConfig } from '../../core/config.ts';
import { parseVerifyRequest } from '../../core/request.ts';
import { WELL_FORMED } from '../../core/request-schema.ts';
import { ApiError, type HttpEvent, invalid } from '../http.ts';

/** What /connections accepts of its path, query and body. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Another tenant's connection and a connection that never existed answer alike. */
export const notFound = () => new ApiError(404, 'NotFound', 'No such connection.');

export function idOf(event: HttpEvent): string {
  const id = event.pathParameters?.id ?? '';
  if (!UUID.test(id)) throw notFound();
  return id;
}

/** `limit` (1 to 100) and the page token, if any; nothing else is accepted. */
export function pageOf(event: HttpEvent, allowAfter: boolean, fallback: number) {
  const q = new URLSearchParams(event.rawQueryString ?? '');
  const details = [...new Set(q.keys())]
    .filter((k) => k !== 'limit' && !(allowAfter && k === 'after'))
    .map((path) => ({ path, message: 'unknown parameter' }));
  const limitText = q.get('limit');
  const limit = limitText === null ? fallback : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    details.push({ path: 'limit', message: 'a whole number from 1 to 100' });
  const after = q.get('after') ?? undefined;
  if (after !== undefined && !UUID.test(after)) details.push({ path: 'after', message: 'not a page token' });
  if (details.length) throw invalid(details);
  return { limit, ...(after ? { after } : {}) };
}

/** The body of POST /connections: a POST /verify body, and an optional name. */
export function parseCreate(body: unknown, config: Pick<ServiceConfig, 'profiles' | 'region'>) {
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  const { name, ...request } = (isObject ? body : {}) as Record<string, unknown>;
  const parsed = parseVerifyRequest(CATALOGUE, isObject ? request : body, config.profiles, config.region);
  const errors = parsed.ok ? [] : [...parsed.errors];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (name !== undefined && (typeof name !== 'string' || !/^[^\u0000-\u001f\u007f]{1,64}$/.test(name))) {
    errors.push({ path: 'name', message: '1 to 64 characters, no control characters' });
  } else if (typeof name === 'string' && !name.isWellFormed()) {
    errors.push({ path: 'name', message: WELL_FORMED });
  }
  // A session token expires within hours: a connection saved with it would drift to failure.
  if (parsed.ok && parsed.value.credentials.type === 'accessKey' && parsed.value.credentials.sessionToken) {
    errors.push({
      path: 'credentials.sessionToken',
      message: 'temporary credentials expire: save a role, or a long-term access key',
    });
  }
  if (!parsed.ok || errors.length) throw invalid(errors);
  return { request: parsed.value, ...(typeof name === 'string' ? { name } : {}) };
}
