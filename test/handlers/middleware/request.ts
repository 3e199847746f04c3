import type { Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../../../src/handlers/http.ts';
import { httpEvent, lambdaContext } from '../../support/events.ts';

/** The request object middy hands each middleware: enough to call one directly. */
export function fakeRequest<C extends Context>(
  over: { event?: HttpEvent; context?: Partial<C>; error?: Error } = {},
): Request<HttpEvent, HttpResult, Error, C> {
  return {
    event: over.event ?? httpEvent(),
    context: { ...lambdaContext(), ...over.context } as C,
    response: undefined,
    error: over.error,
    internal: {},
  } as unknown as Request<HttpEvent, HttpResult, Error, C>;
}
