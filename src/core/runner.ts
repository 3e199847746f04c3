import type { Logger } from '@aws-lambda-powertools/logger';
import type { Outcome } from './outcome.ts';

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
   * What it waits for. hard: starts once it passed, else skips; soft: starts once it settled;
   * beside: starts at once, and its own verdict stands only where this one passed (else the
   * hard one's skip). `skipMessage`: what a dependency that did not pass makes this node say
   * instead of the default; `passOnly`: a `warn` is not enough either.
   */
  deps: readonly Wait[];
  /** What it may ask for while it runs, without waiting for it first: with `deps`, all outcomeOf answers. */
  asks?: readonly string[];
  run(outcomeOf: (key: string) => Promise<Outcome | undefined>): Promise<Outcome>;
}

export interface Wait {
  key: string;
  name: string;
  kind: 'hard' | 'soft' | 'beside';
  skipMessage?: string;
  passOnly?: boolean;
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
    controller: AbortController;
    /** For contrast in the benchmark only. */
    oneAtATime?: boolean;
    /** Where a check that threw past its own classification is logged: a defect of the verifier. */
    logger?: Pick<Logger, 'error'>;
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

  /** A node may ask only for what it declared: an undeclared wait is a defect, not a race to lose. */
  const askedBy = (node: GraphNode) => {
    const allowed = new Set([...node.deps.map((d) => d.key), ...(node.asks ?? [])]);
    return (key: string): Promise<Outcome | undefined> =>
      allowed.has(key)
        ? outcomeOf(key)
        : Promise.reject(new Error(`${node.key} asked for ${key}, which it does not declare`));
  };

  const execute = async (node: GraphNode): Promise<Outcome> => {
    const waited = node.deps.filter((d) => d.kind !== 'beside');
    const beside = node.deps.filter((d) => d.kind === 'beside');
    const depOutcomes = await Promise.all(
      waited.map(async (d) => ({ dep: d, outcome: await outcomeOf(d.key) })),
    );
    const began = performance.now();
    let outcome = skipFor(depOutcomes);
    if (!outcome && opts.controller.signal.aborted) {
      outcome = { status: 'error', message: 'Not started: the verification reached its time limit.' };
    }
    if (!outcome) {
      try {
        if (opts.oneAtATime) {
          const turn = queue.then(() => node.run(askedBy(node)));
          queue = turn.then(
            () => undefined,
            () => undefined,
          );
          outcome = await turn;
        } else {
          outcome = await node.run(askedBy(node));
        }
      } catch (err) {
        // Checks classify their own errors; anything escaping is a defect, and still only `error`.
        opts.logger?.error('check failed unexpectedly', { check: node.name, error: err as Error });
        outcome = {
          status: 'error',
          message: 'The check failed unexpectedly: a defect of the verifier, not of your setup.',
        };
      }
    }
    if (beside.length) {
      // What ran beside a dependency counts only where that dependency passed; the first
      // dependency (in declared order) that did not pass says why, as if all had been waited for.
      const all = await Promise.all(
        node.deps.map(async (d) => ({ dep: d, outcome: await outcomeOf(d.key) })),
      );
      outcome = skipFor(all) ?? outcome;
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

/** The skip the first dependency that did not pass (hard or beside) imposes, if any. */
function skipFor(waits: readonly { dep: Wait; outcome: Outcome | undefined }[]): Outcome | undefined {
  for (const { dep, outcome: o } of waits) {
    if (dep.kind === 'soft') continue;
    if (!o) return { status: 'skip', message: `Needs ${dep.name}, which this verification does not run.` };
    if (dep.passOnly ? o.status !== 'pass' : !PROCEED.has(o.status))
      return { status: 'skip', message: dep.skipMessage ?? `Skipped: ${dep.name} did not pass.` };
  }
  return undefined;
}
