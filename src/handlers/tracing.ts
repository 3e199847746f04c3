// First: it decides how the X-Ray SDK starts, which the tracer's import loads.
import './xray-mode.ts';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The X-Ray SDK, for the drift worker only: a subsegment per customer AWS call shows which
 * connection holds a batch up. The other functions leave it out (about 120 KB of their bundle
 * and a fifth of verify's init, README "Performance"): Lambda's active tracing (serverless.ts)
 * still traces their every invocation, and each report times its checks (`durationMs`).
 * Tracing is on where Lambda runs the function with active tracing and off elsewhere; the SDK
 * clients are captured one by one in src/core/aws.ts, so global HTTP capture would only trace
 * each call twice.
 */
export const tracer = new Tracer({ serviceName: 'aws-access-verifier', captureHTTPsRequests: false });
