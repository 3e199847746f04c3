import { Worker } from 'node:worker_threads';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import type { Evaluator, Verdict } from './iam.ts';

/**
 * AWS decides the calls it receives at once side by side; one thread deciding them in turn
 * makes the last of a batch wait for all the others (at one bucket, before iam.ts narrowed the
 * policies, the write waited about 7 ms behind HeadBucket and the listing sent with it). The sandbox run as a process of its own
 * (`sandbox/cli.ts --evaluators N`, which `npm run bench` uses) decides on N worker threads, each
 * call on the least busy. Policies are narrowed and validated before they are sent (iam.ts).
 */
export interface EvaluatorPool {
  evaluate: Evaluator;
  close(): Promise<void>;
}

type Pending = { resolve: (v: Verdict) => void; reject: (e: Error) => void };

export function evaluatorPool(size: number): EvaluatorPool {
  let next = 0;
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(new URL('./iam-worker.ts', import.meta.url));
    // The sandbox's process may end without closing the pool: an idle evaluator keeps nothing alive.
    worker.unref();
    /** The calls this thread holds: how busy it is, and what its death takes with it. */
    const pending = new Map<number, Pending>();
    const w = { worker, pending, alive: true };
    worker.on('message', (m: { id: number; verdict?: Verdict; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.verdict) p?.resolve(m.verdict);
      else p?.reject(new Error(m.error ?? 'the evaluator gave no verdict'));
    });
    // A dead evaluator takes the calls it held with it (each a 500 InternalError to its caller)
    // and gets no more; the others go on. Ended, by an error or by close(), it leaves none waiting.
    const fail = (err: Error) => {
      w.alive = false;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('the policy evaluator thread ended')));
    return w;
  });
  return {
    evaluate: (simulation: Simulation) =>
      new Promise<Verdict>((resolve, reject) => {
        let w: (typeof workers)[number] | undefined;
        for (const x of workers) if (x.alive && (!w || x.pending.size < w.pending.size)) w = x;
        if (!w) return reject(new Error('the sandbox’s policy evaluators have stopped'));
        const id = next++;
        w.pending.set(id, { resolve, reject });
        w.worker.postMessage({ id, simulation });
      }),
    close: async () => {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
