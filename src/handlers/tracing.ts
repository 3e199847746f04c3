import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray, for the functions that call AWS (imported by those only: the X-Ray SDK is no small
 * part of a bundle). Tracing is on where Lambda runs the function with active tracing
 * (serverless.ts) and off elsewhere; the SDK clients are captured one by one in
 * src/core/aws.ts, so global HTTP capture would only trace each call twice.
 */
export const tracer = new Tracer({ serviceName: 'aws-access-verifier', captureHTTPsRequests: false });
