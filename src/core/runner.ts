import type { Outcome } from './types.ts';

/**
 * Runs checks as a dependency graph: each starts as soon as what it depends on has settled, so
 * everything independent runs at once and the wall time is the longest chain of dependent calls.
 * Whatever has not settled at the deadline is `error`, never `fail`.
 */

export interface GraphNode {
  key: string;
  /** Short name used in skip messages (the check id). */
  name: string;
  /**
   * `skipMessage`: what a hard dependency that did not pass makes this node say instead of the
   * default; `passOnly`: a hard dependency's `warn` is not enough either.
   */
  deps: readonly {
    key: string;
    name: string;
    kind: 'hard' | 'soft';
    skipMessage?: string;
    passOnly?: boolean;
  }[];
  run(outcomeOf: (key: string) => Promise<Outcome | undefined>): Promise<Outcome>;
}

export interface Settled {
  outcome: Outcome;
  durationMs: number;
}

const PROCEED = new Set(['pass', 'warn']);

export async function runGraph(
  nodes: readonly GraphNode[],
  opts: {
    deadlineMs: number;
    controller: AbortController /** For contrast in the benchmark only. */;
    oneAtATime?: boolean;
  },
): Promise<Map<string, Settled>> {
  let queue = Promise.resolve();
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const settled = new Map<string, Settled>();
  const running = new Map<string, Promise<Outcome>>();

  const outcomeOf = (key: string): Promise<Outcome | undefined> => {
    const node = byKey.get(key);
    return node ? start(node) : Promise.resolve(undefined);
  };

  const start = (node: GraphNode): Promise<Outcome> => {
    let p = running.get(node.key);
    if (!p) {
      p = execute(node);
      running.set(node.key, p);
    }
    return p;
  };

  const execute = async (node: GraphNode): Promise<Outcome> => {
    const depOutcomes = await Promise.all(
      node.deps.map(async (d) => ({ dep: d, outcome: await outcomeOf(d.key) })),
    );
    const began = performance.now();
    let outcome: Outcome | undefined;
    for (const { dep, outcome: o } of depOutcomes) {
      if (dep.kind !== 'hard') continue;
      if (!o)
        outcome = { status: 'skip', message: `Needs ${dep.name}, which this verification does not run.` };
      else if (dep.passOnly ? o.status !== 'pass' : !PROCEED.has(o.status))
        outcome = { status: 'skip', message: dep.skipMessage ?? `Skipped: ${dep.name} did not pass.` };
      if (outcome) break;
    }
    if (!outcome && opts.controller.signal.aborted) {
      outcome = { status: 'error', message: 'Not started: the verification reached its time limit.' };
    }
    if (!outcome) {
      try {
        if (opts.oneAtATime) {
          const turn = queue.then(() => node.run(outcomeOf));
          queue = turn.then(
            () => undefined,
            () => undefined,
          );
          outcome = await turn;
        } else {
          outcome = await node.run(outcomeOf);
        }
      } catch {
        // Checks classify their own errors; anything escaping is a defect, and still only `error`.
        outcome = {
          status: 'error',
          message: 'The check failed unexpectedly: a defect of the verifier, not of your setup.',
        };
      }
    }
    settled.set(node.key, { outcome, durationMs: Math.round(performance.now() - began) });
    return outcome;
  };

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), opts.deadlineMs);
  });
  const all = Promise.all(nodes.map(start)).then(() => 'done' as const);
  const first = await Promise.race([all, deadline]);
  clearTimeout(timer);
  if (first === 'deadline') {
    opts.controller.abort(new Error('verification deadline'));
    const seconds = Math.round(opts.deadlineMs / 1000);
    const snapshot = new Map(settled);
    for (const n of nodes) {
      if (!snapshot.has(n.key)) {
        snapshot.set(n.key, {
          outcome: {
            status: 'error',
            message: `Did not finish within the verification's ${seconds} s limit.`,
          },
          durationMs: opts.deadlineMs,
        });
      }
    }
    return snapshot;
  }
  return settled;
}
