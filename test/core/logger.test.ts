import { describe, expect, it, vi } from 'vitest';
import { createLogger, REDACTED, redact } from '../../src/core/logger.ts';

describe('log redaction', () => {
  it('redacts values under secret-looking keys at any depth and keeps the rest', () => {
    const line = JSON.stringify(
      {
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalr', sessionToken: 'tok' },
        bucket: 'b',
        externalId: 'v1-x',
      },
      redact,
    );
    expect(JSON.parse(line)).toEqual({ credentials: REDACTED, bucket: 'b', externalId: REDACTED });
    expect(JSON.parse(JSON.stringify({ nested: { SecretAccessKey: 's', Policy: '{}' } }, redact))).toEqual({
      nested: { SecretAccessKey: REDACTED, Policy: REDACTED },
    });
  });

  it('is what the service logger writes with', () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    const logger = createLogger('redaction-test');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    logger.info('x', { sessionToken: 'FwoGZXIvYXdzEXAMPLE', region: 'eu-west-1' });
    const out = String(write.mock.calls.map((c) => c[0]).join(''));
    write.mockRestore();
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    expect(out).toContain('eu-west-1');
    expect(out).not.toContain('FwoGZXIvYXdzEXAMPLE');
  });
});
