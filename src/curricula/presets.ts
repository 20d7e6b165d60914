/**
 * The papers' curricula as presets, at full size and scaled down for a small CPU budget.
 *
 * Full size follows the papers: Bhasin et al. train d = 20, n = 100, batch 64 for T = 500001
 * steps. Garg et al. train d = 20 with batch 64 for 500001 steps under the dims/points ramp.
 * The scaled-down sizes are those of the project's reproduction plan:
 * - (a) linear ICL: d = 5, n = 16, batch 64, T = 5000.
 * - (b) Hermite curricula: d = 5, n = 25, batch 32, T = 6000.
 * - (c) data curricula: d = 8, n = 24, batch 32, T = 6000.
 * The plan gives 4000-6000 steps and leaves the final T to a pilot run. Override it with
 * `buildCurriculum({ ...preset.spec, totalSteps })`.
 */
import type { FunctionClassSpec, InputDistributionSpec } from '../tasks/index.js';
import type { Curriculum } from './plan.js';
import type { ScheduleMode } from './schedules.js';
import { buildCurriculum, maxSize, type CurriculumSpec } from './spec.js';

/** A named training setup: what to sample, how much, and the curriculum over it. */
export interface CurriculumPreset {
  readonly name: string;
  readonly description: string;
  /** `full` for the papers' sizes, `scaled` for the reduced reproduction. */
  readonly size: 'full' | 'scaled';
  /** Input dimension d. */
  readonly dims: number;
  /** Maximum number of points per prompt (the end of the points schedule). */
  readonly points: number;
  readonly batchSize: number;
  /** The function classes the plan's `task` indexes, in curriculum order. */
  readonly tasks: readonly FunctionClassSpec[];
  /** The input distributions the plan's `data` indexes, in curriculum order. */
  readonly data: readonly InputDistributionSpec[];
  readonly spec: CurriculumSpec;
  readonly curriculum: Curriculum;
}

/** Full-size training steps of both papers. */
export const FULL_STEPS = 500001;

/** Seed of the training rotation of the skewed distribution in the data presets. */
export const SKEWED_ROTATION_SEED = 0;

const HERMITE_TASKS: readonly FunctionClassSpec[] = [
  { name: 'hermite_regression', degree: 1 },
  { name: 'hermite_regression', degree: 2 },
  { name: 'hermite_regression', degree: 3 },
];
const HERMITE_TASK_NAMES = ['linear', 'quadratic', 'cubic'] as const;

const DATA_DISTRIBUTIONS: readonly InputDistributionSpec[] = [
  { name: 'gaussian' },
  { name: 'skewed', rotationSeed: SKEWED_ROTATION_SEED },
  { name: 'studentT', df: 4 },
];
const DATA_NAMES = ['gaussian', 'skewed', 'studentT'] as const;

const MULTI_MODES = ['sequential', 'mixed', 'random'] as const satisfies readonly ScheduleMode[];

interface Sizes {
  readonly dims: number;
  readonly points: number;
  readonly batchSize: number;
  readonly totalSteps: number;
}

const HERMITE_SIZES = { full: { dims: 20, points: 100, batchSize: 64, totalSteps: FULL_STEPS }, scaled: { dims: 5, points: 25, batchSize: 32, totalSteps: 6000 } };
const DATA_SIZES = { full: { dims: 20, points: 100, batchSize: 64, totalSteps: FULL_STEPS }, scaled: { dims: 8, points: 24, batchSize: 32, totalSteps: 6000 } };

/** Returns every preset, full and scaled. */
export function listPresets(): CurriculumPreset[] {
  return [...hermitePresets(), ...dataPresets(), ...gargPresets()];
}

/** Returns the names of every preset. */
export function presetNames(): string[] {
  return listPresets().map((entry) => entry.name);
}

/**
 * Returns the preset called `name`, e.g. `hermite-mixed`, `hermite-mixed-scaled`, `data-random`
 * or `garg-linear`.
 */
export function preset(name: string): CurriculumPreset {
  const found = listPresets().find((entry) => entry.name === name);
  if (found === undefined) {
    throw new RangeError(`preset: unknown preset '${name}'; expected one of ${presetNames().join(', ')}`);
  }
  return found;
}

function hermitePresets(): CurriculumPreset[] {
  const out: CurriculumPreset[] = [];
  for (const size of ['full', 'scaled'] as const) {
    const sizes = HERMITE_SIZES[size];
    const suffix = size === 'scaled' ? '-scaled' : '';
    HERMITE_TASKS.forEach((task, i) => {
      out.push(
        makePreset(`hermite-single-${HERMITE_TASK_NAMES[i]}${suffix}`, size, sizes, [task], [{ name: 'gaussian' }], {
          description: `Hermite degree ${i + 1} alone (single-task baseline)`,
        }),
      );
    });
    for (const mode of MULTI_MODES) {
      out.push(
        makePreset(`hermite-${mode}${suffix}`, size, sizes, HERMITE_TASKS, [{ name: 'gaussian' }], {
          description: `linear -> quadratic -> cubic Hermite under the ${mode} task schedule`,
          tasks: { mode, count: HERMITE_TASKS.length },
        }),
      );
    }
  }
  return out;
}

function dataPresets(): CurriculumPreset[] {
  const out: CurriculumPreset[] = [];
  const linear: FunctionClassSpec[] = [{ name: 'linear_regression' }];
  for (const size of ['full', 'scaled'] as const) {
    const sizes = DATA_SIZES[size];
    const suffix = size === 'scaled' ? '-scaled' : '';
    DATA_DISTRIBUTIONS.forEach((distribution, i) => {
      out.push(
        makePreset(`data-single-${DATA_NAMES[i]}${suffix}`, size, sizes, linear, [distribution], {
          description: `linear regression on ${DATA_NAMES[i]} inputs alone`,
        }),
      );
    });
    for (const mode of MULTI_MODES) {
      out.push(
        makePreset(`data-${mode}${suffix}`, size, sizes, linear, DATA_DISTRIBUTIONS, {
          description: `linear regression on gaussian -> skewed -> studentT(df=4) inputs under the ${mode} data schedule`,
          data: { mode, count: DATA_DISTRIBUTIONS.length, split: 'steps_based' },
        }),
      );
    }
  }
  return out;
}

function gargPresets(): CurriculumPreset[] {
  const dims = { start: 5, end: 20, increment: 1, interval: 2000 };
  const shortPoints = { start: 11, end: 41, increment: 2, interval: 2000 };
  const longPoints = { start: 26, end: 101, increment: 5, interval: 2000 };
  const full = { dims: 20, batchSize: 64, totalSteps: FULL_STEPS };
  const gaussian: InputDistributionSpec[] = [{ name: 'gaussian' }];
  const entries: [string, FunctionClassSpec, typeof shortPoints][] = [
    ['garg-linear', { name: 'linear_regression' }, shortPoints],
    ['garg-sparse', { name: 'sparse_linear_regression', sparsity: 3 }, shortPoints],
    ['garg-tree', { name: 'decision_tree', depth: 4 }, longPoints],
    ['garg-relu', { name: 'relu_2nn_regression', hiddenSize: 100 }, longPoints],
  ];
  const out = entries.map(([name, task, points]) =>
    makePreset(name, 'full', { ...full, points: points.end }, [task], gaussian, {
      description: `Garg et al.'s ${task.name} with dims 5 -> 20 (+1 / 2000 steps) and points ${points.start} -> ${points.end} (+${points.increment} / 2000 steps)`,
      activeDims: dims,
      points,
    }),
  );

  const scaled = { dims: 5, points: 16, batchSize: 64, totalSteps: 5000 };
  out.push(
    makePreset('linear-scaled', 'scaled', scaled, [{ name: 'linear_regression' }], gaussian, {
      description: 'linear regression at d = 5, n = 16 without a curriculum',
    }),
    makePreset('garg-linear-scaled', 'scaled', scaled, [{ name: 'linear_regression' }], gaussian, {
      description: 'linear regression at d = 5, n = 16 with dims 2 -> 5 (+1 / 500 steps) and points 5 -> 16 (+3 / 500 steps)',
      activeDims: { start: 2, end: 5, increment: 1, interval: 500 },
      points: { start: 5, end: 16, increment: 3, interval: 500 },
    }),
  );
  return out;
}

interface PresetOptions {
  readonly description: string;
  readonly tasks?: CurriculumSpec['tasks'];
  readonly data?: CurriculumSpec['data'];
  readonly activeDims?: CurriculumSpec['activeDims'];
  readonly points?: CurriculumSpec['points'];
}

function makePreset(
  name: string,
  size: 'full' | 'scaled',
  sizes: Sizes,
  tasks: readonly FunctionClassSpec[],
  data: readonly InputDistributionSpec[],
  options: PresetOptions,
): CurriculumPreset {
  const spec: CurriculumSpec = {
    totalSteps: sizes.totalSteps,
    tasks: options.tasks,
    data: options.data,
    activeDims: options.activeDims ?? sizes.dims,
    points: options.points ?? sizes.points,
  };
  return {
    name,
    description: options.description,
    size,
    dims: sizes.dims,
    points: maxSize(spec.points),
    batchSize: sizes.batchSize,
    tasks,
    data,
    spec,
    curriculum: buildCurriculum(spec),
  };
}
