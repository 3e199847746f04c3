import { parentPort } from 'node:worker_threads';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import { decide } from './iam.ts';

/** One evaluator thread of iam-pool.ts: a simulation in, its verdict (or the evaluator's refusal) out. */
parentPort?.on('message', (m: { id: number; simulation: Simulation }) => {
  decide(m.simulation).then(
    (verdict) => parentPort?.postMessage({ id: m.id, verdict }),
    (err: Error) => parentPort?.postMessage({ id: m.id, error: err.message }),
  );
});
