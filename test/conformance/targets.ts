/**
 * The backends and modes that the conformance suite runs against, each compared with the cpu
 * backend. A mode that does not run here becomes a skipped `describe` whose name carries the
 * reason. Modes listed in the environment variable ICL_LAB_REQUIRE_MODES (for example
 * `webgpu,webasm` in CI) fail instead of being skipped.
 *
 * WebGPU in Node needs a driver: when VK_ICD_FILENAMES is unset and Chromium's SwiftShader
 * Vulkan ICD is installed (Debian package chromium-common), the suite points Dawn at it.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuBackend, setBackend, type Backend, type Tensor } from '../../src/index.js';
import { gpujsBackend, GPUJS_MODES, type GpujsBackend, type GpujsMode } from '../../src/backends/gpujs/index.js';
import { expectClose } from '../core/helpers.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && process.env.EGL_PLATFORM === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

/** The cpu backend that every target is compared with. */
export const reference: Backend = cpuBackend();

/** Relative and absolute tolerance of a comparison with the cpu backend. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** One backend (and mode) under test. */
export interface Target {
  /** `cpu` or `gpujs/<mode>`. */
  readonly name: string;
  readonly backend: Backend | undefined;
  readonly mode: GpujsMode | undefined;
  /** Why the target is skipped; undefined when it runs. */
  readonly skip: string | undefined;
  /** Why a required target is unavailable: its tests fail with this message. */
  readonly missing: string | undefined;
  /** The executorKind every compiled program must report. */
  readonly executorKind: RegExp;
  /** True for modes whose math runs in shaders (looser tolerances on transcendental functions). */
  readonly shader: boolean;
  /** Property runs per test: fewer for slow (emulated) devices. */
  readonly numRuns: number;
}

const required = new Set((process.env.ICL_LAB_REQUIRE_MODES ?? '').split(',').map((m) => m.trim()).filter(Boolean));

/** Creates every target; gpujs modes that cannot start are skipped with their reason. */
export async function loadTargets(): Promise<Target[]> {
  const targets: Target[] = [
    { name: 'cpu', backend: reference, mode: undefined, skip: undefined, missing: undefined, executorKind: /^cpu\//, shader: false, numRuns: 25 },
  ];
  for (const mode of GPUJS_MODES) {
    let backend: GpujsBackend | undefined;
    let reason: string | undefined;
    try {
      backend = await gpujsBackend({ mode });
    } catch (error) {
      reason = (error as Error).message.replace(/^gpujsBackend: mode \w+ is unavailable: /, '');
    }
    const shader = mode === 'webgpu' || mode === 'webgl2' || mode === 'headlessgl';
    targets.push({
      name: `gpujs/${mode}`,
      backend,
      mode,
      skip: reason !== undefined && !required.has(mode) ? reason : undefined,
      missing: reason !== undefined && required.has(mode) ? reason : undefined,
      executorKind: new RegExp(`^gpujs/${mode}/pipeline$`),
      shader,
      // Emulated WebGPU and GL compile every kernel slowly, so they run fewer property cases.
      numRuns: mode === 'webgpu' || mode === 'headlessgl' ? 12 : 25,
    });
  }
  return targets;
}

/** Stops the gpujs backends of a list of targets. */
export async function closeTargets(targets: readonly Target[]): Promise<void> {
  for (const t of targets) if (t.backend !== undefined && 'destroy' in t.backend) await (t.backend as GpujsBackend).destroy();
}

/**
 * Declares one `describe` per target. A skipped target's block name ends with the reason; a
 * required but unavailable target gets a single failing test that names the reason.
 */
export function describeTargets(targets: readonly Target[], body: (target: Target) => void): void {
  for (const target of targets) {
    if (target.missing !== undefined) {
      describe(target.name, () => {
        it('is available', () => {
          expect.fail(`${target.name} is required by ICL_LAB_REQUIRE_MODES but unavailable: ${target.missing}`);
        });
      });
      continue;
    }
    const title = target.skip === undefined ? target.name : `${target.name} (skipped: ${target.skip})`;
    describe.skipIf(target.skip !== undefined)(title, () => body(target));
  }
}

/** Runs `fn` with `backend` selected, then selects the cpu reference again. */
export function on<T>(backend: Backend, fn: () => T): T {
  setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(reference);
  }
}

/** Checks shape, dtype and every value of `actual` against the cpu result `expected`. */
export function expectSameTensor(actual: Tensor, expected: Tensor, tolerance: Tolerance = { rtol: 2e-6, atol: 1e-7 }): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.data().constructor).toBe(expected.data().constructor);
  expectClose(actual.data(), expected.data(), tolerance);
}
