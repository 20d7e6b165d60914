import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { buildSchedule, learningRateAt, resolveExperiment, experimentPreset, type ScheduleConfig } from '../../src/experiment/index.js';
import { scheduleValue } from '../../src/index.js';

const schedules: fc.Arbitrary<ScheduleConfig> = fc.oneof(
  fc.constant({ name: 'constant' as const }),
  fc.record({ name: fc.constant('warmup' as const), warmup: fc.integer({ min: 1, max: 500 }) }),
  fc.record({ name: fc.constant('cosine' as const), warmup: fc.integer({ min: 0, max: 200 }), final: fc.constantFrom(0, 1e-5), total: fc.integer({ min: 201, max: 2000 }) }),
);

describe('learning rate in the metrics log', () => {
  fcTest.prop([schedules, fc.integer({ min: 1, max: 2500 }), fc.constantFrom(1e-3, 3e-4)], { numRuns: 60 })(
    'matches the compiled schedule',
    (schedule, update, lr) => {
      const base = experimentPreset('quickstart').experiment;
      const training = resolveExperiment({ ...base, training: { ...base.training, lr, schedule } }).training;
      const logged = learningRateAt(training)(update);
      const inStep = scheduleValue(buildSchedule(training), update);
      expect(Math.abs(logged - inStep)).toBeLessThanOrEqual(1e-6 * lr + 1e-12);
    },
  );
});
