import { describe, expect, it } from 'vitest';
import { runGraph } from '../../src/core/runner.ts';

describe('runGraph, when a check throws past its own classification', () => {
  it('settles it as error and logs the error with the check it came from', async () => {
    const logged: { message: unknown; extra: unknown[] }[] = [];
    const bug = new TypeError('bug');
    const result = await runGraph(
      [
        {
          key: 's3.read@s3:0',
          name: 's3.read',
          deps: [],
          run: async () => {
            throw bug;
          },
        },
      ],
      {
        deadlineMs: 5_000,
        controller: new AbortController(),
        logger: {
          error: (message, ...extra) => {
            logged.push({ message, extra });
          },
        },
      },
    );
    expect(result.get('s3.read@s3:0')?.outcome.status).toBe('error');
    expect(logged).toEqual([
      { message: 'check failed unexpectedly', extra: [{ check: 's3.read', error: bug }] },
    ]);
  });
});
