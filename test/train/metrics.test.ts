import { fc, test as fcTest } from '@fast-check/vitest';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendMetrics, readMetrics, truncateMetrics, type MetricsRecord } from '../../src/train/index.js';
import { temporaryFolder } from './helpers.js';

// JSON has no -0, so the log reads -0 back as 0; a loss of -0 cannot occur, so it is not drawn.
const finiteLoss = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));

const records = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('train' as const), step: fc.integer({ min: 1, max: 50 }), loss: finiteLoss, task: fc.constant('t'), data: fc.constant('g'), activeDims: fc.constant(2), points: fc.constant(3), seconds: fc.constant(1) }),
    fc.record({ kind: fc.constant('eval' as const), step: fc.integer({ min: 1, max: 50 }), seconds: fc.constant(1), result: fc.constant({ error: [1, 2] }) }),
  ),
  { maxLength: 30 },
);

describe('metrics log', () => {
  fcTest.prop([records, fc.integer({ min: 0, max: 50 })], { numRuns: 50 })('truncation keeps exactly the earlier records', (written, step) => {
    const path = join(temporaryFolder('metrics'), 'metrics.jsonl');
    for (const record of written) appendMetrics(path, record as MetricsRecord);
    const dropped = truncateMetrics(path, step);
    const expected = written.filter((r) => r.step <= step);
    expect(readMetrics(path)).toEqual(expected);
    expect(dropped).toBe(written.length - expected.length);
  });

  it('drops a line cut short by a crash', () => {
    const path = join(temporaryFolder('cut'), 'metrics.jsonl');
    appendMetrics(path, { kind: 'eval', step: 1, seconds: 0, result: null });
    appendFileSync(path, '{"kind":"train","step":2,"lo');
    expect(readMetrics(path)).toHaveLength(1);
    expect(truncateMetrics(path, 5)).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe('{"kind":"eval","step":1,"seconds":0,"result":null}\n');
  });
});
