import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/outcome.ts';
import { type GraphNode, runGraph } from '../../src/core/runner.ts';

const later = (ms: number, outcome: Outcome) => new Promise<Outcome>((r) => setTimeout(() => r(outcome), ms));
const pass: Outcome = { status: 'pass', message: 'ok' };

function node(key: string, run: GraphNode['run'], deps: GraphNode['deps'] = []): GraphNode {
  return { key, name: key, deps, run };
}

describe('runGraph', () => {
  it('starts independent nodes at once and dependants only after what they wait for', async () => {
    const log: string[] = [];
    const step =
      (key: string, ms: number, outcome = pass) =>
      async () => {
        log.push(`start ${key}`);
        const o = await later(ms, outcome);
        log.push(`end ${key}`);
        return o;
      };
    const result = await runGraph(
      [
        node('a', step('a', 30)),
        node('b', step('b', 5), [{ key: 'a', name: 'a', kind: 'hard' }]),
        node('c', step('c', 5)),
      ],
      { deadlineMs: 5_000, controller: new AbortController() },
    );

    expect(log.slice(0, 2).sort()).toEqual(['start a', 'start c']);
    expect(log.indexOf('start b')).toBeGreaterThan(log.indexOf('end a'));
    expect([...result.values()].every((s) => s.outcome.status === 'pass')).toBe(true);
  });

  it('skips a node whose hard dependency failed or is not planned, but runs one whose soft dependency failed', async () => {
    const result = await runGraph(
      [
        node('a', async () => ({ status: 'fail', message: 'no' })),
        node('hard', async () => pass, [{ key: 'a', name: 'a', kind: 'hard' }]),
        node('soft', async () => pass, [{ key: 'a', name: 'a', kind: 'soft' }]),
        node('orphan', async () => pass, [{ key: 'missing', name: 'missing', kind: 'hard' }]),
        node('broken', async () => {
          throw new TypeError('bug');
        }),
      ],
      { deadlineMs: 5_000, controller: new AbortController() },
    );

    expect(result.get('hard')?.outcome).toEqual({ status: 'skip', message: 'Skipped: a did not pass.' });
    expect(result.get('soft')?.outcome.status).toBe('pass');
    expect(result.get('orphan')?.outcome.message).toMatch(/Needs missing/);
    expect(result.get('broken')?.outcome.status).toBe('error');
  });

  it('starts a node beside its dependency, and keeps its verdict only where the dependency passed', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const beside = (dep: string) => [{ key: dep, name: dep, kind: 'beside' as const }];
    const result = await runGraph(
      [
        node('head', async () => {
          log.push('start head');
          await held;
          return pass;
        }),
        node(
          'put',
          async () => {
            log.push('start put');
            // Started before head answered: head is released only once put has begun.
            release();
            return pass;
          },
          beside('head'),
        ),
        node('missing', async () => ({ status: 'fail', message: 'no such bucket' })),
        node('write', async () => ({ status: 'error', message: 'NoSuchBucket' }), beside('missing')),
        node('after', async () => pass, [{ key: 'write', name: 'write', kind: 'hard' }]),
      ],
      { deadlineMs: 5_000, controller: new AbortController() },
    );

    expect(log).toEqual(['start head', 'start put']);
    expect(result.get('put')?.outcome.status).toBe('pass');
    // A verdict of a bucket that is not there says nothing: the skip a hard dependency gives.
    expect(result.get('write')?.outcome).toEqual({
      status: 'skip',
      message: 'Skipped: missing did not pass.',
    });
    expect(result.get('after')?.outcome.status).toBe('skip');
  });

  it('answers outcomeOf only for what a node declares, asked or waited for', async () => {
    const answers: Record<string, unknown> = {};
    const result = await runGraph(
      [
        node('a', async () => pass),
        node('b', async () => ({ status: 'fail', message: 'no' })),
        {
          ...node('asker', async (outcomeOf) => {
            answers.declared = (await outcomeOf('a'))?.status;
            answers.unplanned = await outcomeOf('planned-nowhere');
            answers.undeclared = await outcomeOf('b').catch((err: Error) => err.message);
            return pass;
          }),
          asks: ['a', 'planned-nowhere'],
        },
      ],
      { deadlineMs: 5_000, controller: new AbortController() },
    );

    expect(answers).toEqual({
      declared: 'pass',
      unplanned: undefined,
      undeclared: 'asker asked for b, which it does not declare',
    });
    expect(result.get('asker')?.outcome.status).toBe('pass');
  });

  it('reports what did not finish by the deadline as error and aborts the rest', async () => {
    const controller = new AbortController();
    const result = await runGraph([node('fast', async () => pass), node('slow', () => later(1_000, pass))], {
      deadlineMs: 50,
      controller,
    });

    expect(result.get('fast')?.outcome.status).toBe('pass');
    expect(result.get('slow')?.outcome).toMatchObject({ status: 'error' });
    expect(controller.signal.aborted).toBe(true);
  });
});
