import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Context } from 'aws-lambda';
import { openApiDocument } from '../../src/core/openapi.ts';
import type { HttpEvent, HttpResult } from '../../src/handlers/http.ts';

/**
 * Every response body a test sees, checked against the OpenAPI document GET /openapi.json
 * serves: wrap a handler with `contractChecked` (or call `assertContract` on a response) and a
 * body the contract does not describe fails the test, whatever the test itself asserts.
 */

const CONTRACT = 'https://aws-access-verifier.invalid/openapi.json';

/** The document with its component references pointing into one schema ajv knows by id. */
const doc = JSON.parse(
  JSON.stringify(openApiDocument()).replaceAll('"#/components/schemas/', `"${CONTRACT}#/$defs/`),
) as {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
};

const ajv = new Ajv2020({ allErrors: true, strict: true });
// The formats the generator emits, checked as strictly as the service writes them (no extra package).
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('uri', (s: string) => URL.canParse(s));
ajv.addSchema({ $id: CONTRACT, $defs: doc.components.schemas });

const compiled = new Map<string, ValidateFunction>();

function validatorFor(where: string, schema: object): ValidateFunction {
  let v = compiled.get(where);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(where, v);
  }
  return v;
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** Throws unless `body` is what the contract promises for this route and status. */
export function assertContract(
  routeKey: string,
  res: { statusCode?: number; body?: string; headers?: Record<string, unknown> },
): void {
  const [method = '', path = ''] = routeKey.split(' ');
  const operation = doc.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new ContractViolation(`${routeKey} is not in the OpenAPI document`);
  checkResponse(routeKey, operation, res);
}

function checkResponse(
  routeKey: string,
  operation: { responses: Record<string, { content?: Record<string, { schema: object }> }> },
  res: { statusCode?: number; body?: string; headers?: Record<string, unknown> },
): void {
  const status = String(res.statusCode);
  const response = operation.responses[status];
  if (!response)
    throw new ContractViolation(`${routeKey} answered ${status}, a status its contract does not list`);
  const media = response.content?.['application/json'];
  if (!media) {
    if (res.body) throw new ContractViolation(`${routeKey} ${status} has no body in the contract, got one`);
    return;
  }
  if (res.headers?.['content-type'] !== 'application/json')
    throw new ContractViolation(`${routeKey} ${status} without content-type application/json`);
  let body: unknown;
  try {
    body = JSON.parse(res.body ?? '');
  } catch {
    throw new ContractViolation(`${routeKey} ${status}: the body is not JSON`);
  }
  assertSchema(`${routeKey} ${status}`, media.schema, body);
}

/** Throws unless `value` is an instance of the named component (e.g. a Report the core built). */
export function assertComponent(name: string, value: unknown): void {
  assertSchema(name, { $ref: `${CONTRACT}#/$defs/${name}` }, value);
}

function assertSchema(where: string, schema: object, value: unknown): void {
  const validate = validatorFor(where, schema);
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .map((e) => `${e.instancePath || '(body)'} ${e.message}`)
      .join('; ');
    throw new ContractViolation(`${where}: not as the contract says: ${problems}`);
  }
}

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * The handler, with every response it gives checked against the contract. An event for a
 * route API Gateway does not have (a property test's `POST /connections/{id}`) never reaches a
 * function deployed; the handler's answer to it must still be a 4xx in the error shape.
 */
export function contractChecked<H extends Handler>(handler: H): H {
  return (async (event: HttpEvent, context: Context) => {
    const res = await handler(event, context);
    const [method = '', path = ''] = event.routeKey.split(' ');
    if (doc.paths[path]?.[method.toLowerCase()]) assertContract(event.routeKey, res);
    else if ((res.statusCode ?? 0) >= 400 && (res.statusCode ?? 0) < 500)
      checkResponse(event.routeKey, { responses: { [String(res.statusCode)]: UNROUTED } }, res);
    else
      throw new ContractViolation(`${event.routeKey}, no route, answered ${res.statusCode} instead of a 4xx`);
    return res;
  }) as H;
}

const UNROUTED = { content: { 'application/json': { schema: { $ref: `${CONTRACT}#/$defs/Error` } } } };
