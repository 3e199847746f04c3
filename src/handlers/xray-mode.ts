/**
 * Imported before the tracer (import order is evaluation order): where Powertools will not
 * trace, the X-Ray SDK starts in manual mode. In its default automatic mode it enables
 * cls-hooked's async hook as it loads, and that hook then runs on every promise of every
 * verification (about 8 % of its CPU) for traces nobody sends. Where tracing is on (a
 * deployed function) automatic mode stays: Powertools finds its segments through that hook.
 */

/** Powertools' own rule (Tracer.setTracingEnabled): on only in Lambda, off under SAM/Amplify mocks or when disabled. */
export function tracingWillBeOn(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() === 'false') return false;
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && !env.AWS_SAM_LOCAL;
}

// An operator's own choice of mode wins.
if (!tracingWillBeOn()) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
