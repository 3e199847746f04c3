/**
 * The drift worker's clocks, in one place: serverless.ts declares the function and its queue
 * from here, the store judges claims by it, and the sandbox builds its queue from it.
 *
 * A claim goes stale after twice the worker's timeout: by then the worker that made it has
 * ended (Lambda stops it at its timeout), and that is sooner than the queue's next delivery of
 * the message (the visibility timeout). So a worker that died costs its message one receive of
 * the five before the dead-letter queue, not three, and the next delivery takes the period over.
 */

/** The worker's Lambda timeout, seconds. */
export const WORKER_TIMEOUT_S = 60;

/** Six times the worker's timeout, as AWS advises for a Lambda event source. */
export const VISIBILITY_TIMEOUT_S = 6 * WORKER_TIMEOUT_S;

/** A claim (or an event's publishing mark) older than this is a dead worker's, taken over. */
export const STALE_CLAIM_MS = 2 * WORKER_TIMEOUT_S * 1000;

/** Receives before the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
