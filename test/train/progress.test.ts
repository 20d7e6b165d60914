import { describe, expect, it } from 'vitest';
import { formatDuration, progressReporter } from '../../src/train/index.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { write: (text: string) => chunks.push(text), isTTY }, text: () => chunks.join('') };
}

describe('progressReporter', () => {
  it('redraws one bar on a terminal', () => {
    let now = 0;
    const out = fakeStream(true);
    const progress = progressReporter({ stream: out.stream, now: () => now, redrawMs: 100 });
    progress.start(0, 100);
    for (let step = 1; step <= 100; step++) {
      now += 50;
      progress.update(step, 0.5);
    }
    progress.finish();
    const text = out.text();
    expect(text.split('\r').length - 1).toBe(51);
    expect(text).toContain('[########################] step 100/100  loss 0.5000  20.00 steps/s  0s left');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(0, -1)).not.toContain('\n');
  });

  it('prints plain lines about every 5% elsewhere', () => {
    let now = 0;
    const out = fakeStream(false);
    const progress = progressReporter({ stream: out.stream, now: () => now });
    progress.start(40, 240);
    for (let step = 41; step <= 240; step++) {
      now += 100;
      progress.update(step, 2);
    }
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('resuming at step 40 of 240');
    // The first update prints, then every 12 steps (5% of 240), then the last step.
    expect(lines.slice(1).map((line) => Number(/^step (\d+)/.exec(line)![1]))).toEqual([41, 53, 65, 77, 89, 101, 113, 125, 137, 149, 161, 173, 185, 197, 209, 221, 233, 240]);
    expect(lines[2]).toBe('step 53/240  loss 2.0000  10.00 steps/s  19s left');
    expect(lines[lines.length - 1]).toMatch(/^step 240\/240 /);
  });

  it('prints nothing when quiet', () => {
    const out = fakeStream(true);
    const progress = progressReporter({ stream: out.stream, quiet: true });
    progress.start(0, 10);
    progress.update(1, 1);
    progress.note('hello');
    progress.finish();
    expect(out.text()).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(245)).toBe('4m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });
});
