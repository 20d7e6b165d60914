/**
 * The real-browser check: headless Chromium (Debian's `chromium`, started with
 * --enable-unsafe-webgpu and driven by playwright-core) loads the bundled page, trains the tiny
 * Transformer for ten steps on WebGPU and on WebGL2, and checks every primitive in both modes.
 * The loss curves and parameters must match the cpu backend in Node. The page also trains on
 * the cpu backend, which must load in a browser and give Node's numbers. Skipped, with the
 * reason, where Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { compile } from '../../../src/index.js';
import { bundlePage, servePage } from '../../../bench/browser/build.js';
import type { BrowserRunResult, CpuRunResult } from '../../../bench/browser/entry.js';
import { CASES, type CaseOutput } from '../../../bench/browser/primitive-check.js';
import { initialState, parameterValues, regressionBatch, trainStep } from '../../../bench/browser/tiny-training.js';

const CHROMIUM = process.env.ICL_LAB_CHROMIUM ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install chromium, or set ICL_LAB_CHROMIUM)`;
const STEPS = 10;

/** Runs the same ten steps on the cpu backend in Node. */
function nodeReference(): { losses: number[]; params: number[][]; executorKind: string | undefined } {
  const step = compile(trainStep);
  const { xs, ys } = regressionBatch();
  let { params, optimizer } = initialState();
  const losses: number[] = [];
  for (let k = 0; k < STEPS; k++) {
    const [loss, nextParams, nextState] = step(params, optimizer, xs, ys);
    losses.push(loss.item());
    params = nextParams;
    optimizer = nextState;
  }
  return { losses, params: parameterValues(params), executorKind: step.executorKind };
}

describe.skipIf(missing !== undefined)(`headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const served = await servePage(await bundlePage());
    server = served.server;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--enable-unsafe-webgpu'] });
    page = await browser.newPage();
    await page.goto(served.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  const reference = nodeReference();

  it('trains on the cpu backend like in Node', async () => {
    const result = await page.evaluate(
      (steps) => (globalThis as unknown as { runCpuTraining(steps: number): CpuRunResult }).runCpuTraining(steps),
      STEPS,
    );
    expect(result.executorKind).toBe(reference.executorKind);
    result.losses.forEach((loss, k) => expect(Math.abs(loss - reference.losses[k]), `step ${k}`).toBeLessThanOrEqual(1e-6 * Math.max(1, reference.losses[k])));
    result.params.forEach((values, k) =>
      values.forEach((v, j) => expect(Math.abs(v - reference.params[k][j]), `parameter ${k}[${j}]`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(reference.params[k][j])))),
    );
  }, 60_000);

  for (const mode of ['webgpu', 'webgl2'] as const) {
    it(`trains on ${mode} like the cpu backend in Node`, async () => {
      const result = await page.evaluate(
        ([m, steps]) => (globalThis as unknown as { runTraining(o: object): Promise<BrowserRunResult> }).runTraining({ mode: m, steps }),
        [mode, STEPS] as const,
      );
      expect(result.mode).toBe(mode);
      expect(result.executorKind).toBe(`gpujs/${mode}/pipeline`);
      result.losses.forEach((loss, k) => expect(Math.abs(loss - reference.losses[k]), `step ${k}`).toBeLessThanOrEqual(1e-5 * Math.max(1, reference.losses[k])));
      result.params.forEach((values, k) =>
        values.forEach((v, j) => expect(Math.abs(v - reference.params[k][j]), `parameter ${k}[${j}]`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(reference.params[k][j])))),
      );
    }, 60_000);

    it(`runs every primitive on ${mode} like the cpu backend in Node`, async () => {
      const outputs = await page.evaluate(
        (m) => (globalThis as unknown as { runPrimitiveCases(m: string): Promise<CaseOutput[]> }).runPrimitiveCases(m),
        mode,
      );
      expect(outputs.map((o) => o.name)).toEqual(CASES.map(([name]) => name));
      const wrong: string[] = [];
      CASES.forEach(([name, fn, inputs], k) => {
        const expected = fn(...inputs());
        const actual = outputs[k];
        if (actual.error !== undefined) wrong.push(`${name}: ${actual.error}`);
        else if (actual.executorKind !== `gpujs/${mode}/pipeline`) wrong.push(`${name}: ran on ${actual.executorKind}`);
        else if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) wrong.push(`${name}: shape [${actual.shape}] instead of [${expected.shape}]`);
        else {
          const e = expected.data();
          const bad = actual.values.findIndex((v, j) => !(Math.abs(v - e[j]) <= 1e-6 + 1e-5 * Math.abs(e[j])));
          if (bad >= 0) wrong.push(`${name}: [${bad}] is ${actual.values[bad]}, cpu gives ${e[bad]}`);
        }
      });
      expect(wrong).toEqual([]);
    }, 60_000);
  }
});
