/**
 * The experiment layer's backend names for the gpujs modes. The tests cover which names a
 * config accepts and how `loadBackend` creates a gpujs backend once per process and name. They
 * also cover how `selectBackend` and `closeBackends` work with it, and how an unavailable or
 * unknown name is rejected.
 */
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend } from '../../../src/core/index.js';
import {
  BACKEND_NAMES,
  BackendUnavailableError,
  closeBackends,
  configHash,
  createBackend,
  decodeExperiment,
  describeBackend,
  destroyBackend,
  experimentPreset,
  loadBackend,
  selectBackend,
} from '../../../src/experiment/index.js';

afterAll(closeBackends);

const quickstart = experimentPreset('quickstart').experiment;

describe('BACKEND_NAMES', () => {
  it('lists cpu and every gpujs mode', () => {
    expect(BACKEND_NAMES).toEqual(['cpu', 'gpujs/webgpu', 'gpujs/webgl2', 'gpujs/headlessgl', 'gpujs/webasm', 'gpujs/cpu']);
  });

  it('are the backends a config accepts', () => {
    for (const name of BACKEND_NAMES) expect(decodeExperiment({ ...quickstart, backend: name }, 'test').backend).toBe(name);
    expect(() => decodeExperiment({ ...quickstart, backend: 'gpujs/auto' }, 'test')).toThrow(/backend: expected one of 'cpu', 'gpujs\/webgpu'/);
  });

  it('enter the config hash', () => {
    const hashes = BACKEND_NAMES.map((name) => configHash(decodeExperiment({ ...quickstart, backend: name }, 'test')));
    expect(new Set(hashes).size).toBe(BACKEND_NAMES.length);
  });
});

describe('loadBackend', () => {
  it('creates a gpujs backend once and selects it', async () => {
    await closeBackends();
    const [first, second] = await Promise.all([loadBackend('gpujs/cpu'), loadBackend('gpujs/cpu')]);
    expect(first).toBe(second);
    expect(first.name).toBe('gpujs/cpu');
    expect(getBackend()).toBe(first);
    expect(await loadBackend('gpujs/cpu')).toBe(first);
  });

  it('lets selectBackend reuse a loaded backend', async () => {
    await closeBackends();
    expect(() => selectBackend('gpujs/cpu')).toThrow(`backend 'gpujs/cpu' is created asynchronously; call 'await loadBackend("gpujs/cpu")' before selecting it`);
    const loaded = await loadBackend('gpujs/cpu');
    selectBackend('cpu');
    expect(getBackend().name).toBe('cpu');
    expect(selectBackend('gpujs/cpu')).toBe(loaded);
    expect(getBackend()).toBe(loaded);
  });

  it('starts afresh after closeBackends', async () => {
    const before = await loadBackend('gpujs/cpu');
    await closeBackends();
    expect(getBackend().name).toBe('cpu');
    expect(() => selectBackend('gpujs/cpu')).toThrow(/created asynchronously/);
    const after = await loadBackend('gpujs/cpu');
    expect(after).not.toBe(before);
    expect(after.name).toBe('gpujs/cpu');
  });

  it('rejects gpujs/webgl2 in Node with the reason and the fix', async () => {
    const error = await loadBackend('gpujs/webgl2').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const unavailable = error as BackendUnavailableError;
    expect(unavailable.backend).toBe('gpujs/webgl2');
    expect(unavailable.reason).toBe('WebGL2 exists only in browsers; run the program in a page to use it');
    expect(unavailable.message).toContain('Use it from a browser page (bench/browser bundles one), or choose another backend (cpu runs everywhere).');
  });

  test.prop([fc.string({ maxLength: 20 }).filter((name) => !BACKEND_NAMES.includes(name))], { numRuns: 50 })(
    'rejects an unknown name with the known ones',
    async (name) => {
      const expected = `unknown backend '${name}'; known backends: ${BACKEND_NAMES.join(', ')}`;
      await expect(loadBackend(name)).rejects.toThrow(new RangeError(expected));
      await expect(createBackend(name)).rejects.toThrow(new RangeError(expected));
      expect(() => selectBackend(name)).toThrow(new RangeError(expected));
    },
  );
});

describe('createBackend', () => {
  it('returns a new unselected backend', async () => {
    selectBackend('cpu');
    const backend = await createBackend('gpujs/cpu');
    try {
      expect(backend.name).toBe('gpujs/cpu');
      expect(getBackend().name).toBe('cpu');
      expect(describeBackend(backend)).toMatch(/^gpujs\/cpu \(requested cpu\); cpu runs: gpu\.js cpu mode/);
    } finally {
      await destroyBackend(backend);
    }
  });

  it('describes the cpu backend by its name', async () => {
    const backend = await createBackend('cpu');
    expect(describeBackend(backend)).toBe('cpu');
    await destroyBackend(backend);
  });
});
