/**
 * Parity with the PyTorch reference model. The test writes parameters and a batch as
 * safetensors, and the reference script computes predictions, the loss, every gradient and the
 * parameters after 3 Adam steps. The DSL's values must agree: the error of each tensor is
 * max|ours - torch| / max|torch| (a max-norm relative error), and it must be at most 1e-4.
 *
 * The test is skipped, with the reason printed, when /usr/bin/python3 cannot import torch or
 * the reference script is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  adam, add, compile, decodeSafetensors, encodeSafetensors, key, matmul, normal, reshape, sliceAxis, split, tensor, treeMap,
  valueAndGrad, type OptimizerState, type Tensor,
} from '../../src/index.js';
import {
  applyTransformer, initTransformer, toNamedTensors, transformerLoss, type TransformerConfig, type TransformerParams,
} from '../../src/models/index.js';

const PYTHON = '/usr/bin/python3';
const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// The team's shared folder (reference scripts); ICL_LAB_SHARED points to it from a clone elsewhere.
const SHARED = process.env['ICL_LAB_SHARED'] ?? resolve(REPO_ROOT, '../shared');
const REFERENCE = resolve(SHARED, 'reference/torch_icl_reference.py');
const TOLERANCE = 1e-4;
const ADAM_STEPS = 3;
const LEARNING_RATE = 1e-3;

function skipReason(): string | undefined {
  if (!existsSync(REFERENCE)) return `the reference script ${REFERENCE} is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} cannot import torch and numpy (${probe.stderr.trim().split('\n').pop()})`;
  return undefined;
}

const reason = skipReason();
if (reason !== undefined) {
  // CI sets ICL_LAB_REQUIRE_TORCH=1 after installing torch, so a lost reference fails there.
  if (process.env['ICL_LAB_REQUIRE_TORCH'] === '1') throw new Error(`torch parity tests cannot run: ${reason}; set ICL_LAB_SHARED to the folder holding reference/`);
  console.log(`torch parity tests skipped: ${reason} (set ICL_LAB_SHARED to the folder holding reference/)`);
}

/** Returns max|a - b| / max|b| over all elements; b must not be all zeros. */
function relativeError(ours: Tensor, reference: Tensor): number {
  const a = ours.data();
  const b = reference.data();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The largest relative error seen per kind of value (predictions, loss, grad, param), for the log line. */
const worst = new Map<string, { error: number; label: string }>();

function expectMatch(label: string, ours: Tensor, reference: Tensor | undefined): void {
  expect(reference, `${label} is missing from the reference output`).toBeDefined();
  expect(ours.shape, `${label} shape`).toEqual(reference!.shape);
  const error = relativeError(ours, reference!);
  const kind = label.split(/[. ]/)[0];
  if (error >= (worst.get(kind)?.error ?? -1)) worst.set(kind, { error, label });
  expect(error, `${label}: relative error ${error.toExponential(2)}`).toBeLessThanOrEqual(TOLERANCE);
}

/**
 * Compares a qkv bias after Adam steps. The loss does not depend on the key bias, because adding
 * b_k to every key adds q . b_k to a whole row of scores, which softmax ignores. Its gradient is
 * therefore rounding noise of about 1e-11 in both implementations. Adam divides by
 * sqrt(v) + 1e-8 and turns that noise into moves of up to lr per step in arbitrary directions.
 * So the q and v rows must match at the usual tolerance, and the key rows may only differ by the
 * most Adam can move them.
 */
function expectQkvBiasMatch(label: string, ours: Tensor, reference: Tensor, width: number): void {
  const rows = (t: Tensor, start: number) => sliceAxis(t, 0, start, start + width);
  expectMatch(`${label} (q rows)`, rows(ours, 0), rows(reference, 0));
  expectMatch(`${label} (v rows)`, rows(ours, 2 * width), rows(reference, 2 * width));
  const a = rows(ours, width).data();
  const b = rows(reference, width).data();
  const bound = ADAM_STEPS * LEARNING_RATE;
  for (let i = 0; i < width; i++) expect(Math.abs(a[i] - b[i]), `${label} (k row ${i})`).toBeLessThanOrEqual(bound);
}

interface Case {
  readonly name: string;
  readonly config: TransformerConfig;
  readonly batch: number;
  readonly points: number;
  /** Adds N(0, 0.05^2) noise to every parameter, so biases and LayerNorm parameters are not at their initial values. */
  readonly perturb: boolean;
}

const CASES: readonly Case[] = [
  { name: 'tiny (2 layers, width 16, n < nPoints, perturbed)', config: { nDims: 3, nPoints: 5, nEmbd: 16, nLayer: 2, nHead: 2 }, batch: 4, points: 4, perturb: true },
  { name: 'tiny-d5 (3 layers, width 64, batch 64)', config: { nDims: 5, nPoints: 11, nEmbd: 64, nLayer: 3, nHead: 2 }, batch: 64, points: 11, perturb: false },
];

function makeInputs(c: Case): { params: TransformerParams; xs: Tensor; ys: Tensor } {
  const [paramKey, noiseKey, xKey, wKey] = split(key(7), 4);
  const initial = initTransformer(paramKey, c.config);
  const noiseKeys = split(noiseKey, 64);
  const params = c.perturb ? treeMap(initial, (t, i) => add(t, normal(noiseKeys[i], t.shape, 0, 0.05))) : initial;
  const xs = normal(xKey, [c.batch, c.points, c.config.nDims]);
  const w = normal(wKey, [c.batch, c.config.nDims, 1]);
  const ys = reshape(matmul(xs, w), [c.batch, c.points]);
  return { params, xs, ys };
}

function runReference(c: Case, params: TransformerParams, xs: Tensor, ys: Tensor): Record<string, Tensor> {
  const dir = mkdtempSync(join(tmpdir(), 'icl-parity-'));
  try {
    const input = join(dir, 'in.safetensors');
    const output = join(dir, 'out.safetensors');
    writeFileSync(input, encodeSafetensors({ ...toNamedTensors(params), xs, ys }));
    execFileSync(
      PYTHON,
      [REFERENCE, '--input', input, '--output', output, '--n-head', String(c.config.nHead),
        '--adam-steps', String(ADAM_STEPS), '--lr', String(LEARNING_RATE)],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
    );
    return { ...decodeSafetensors(readFileSync(output), output).tensors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type AdamState = OptimizerState<TransformerParams>;

describe.skipIf(reason !== undefined)('Transformer parity with PyTorch', () => {
  for (const c of CASES) {
    it(`matches ${c.name}`, () => {
      worst.clear();
      const { params, xs, ys } = makeInputs(c);
      const reference = runReference(c, params, xs, ys);

      expectMatch('predictions', applyTransformer(params, xs, ys), reference['pred']);

      // One compiled program returns the loss, the gradients and the Adam update. The first
      // call's loss and gradients are at the starting parameters, as the reference's are.
      const optimizer = adam({ lr: LEARNING_RATE });
      const step = compile((p: TransformerParams, s: AdamState, x: Tensor, y: Tensor) => {
        const [value, grads] = valueAndGrad(transformerLoss)(p, x, y);
        const [next, state] = optimizer.update(grads, s, p);
        return { value, grads, next, state };
      });
      let current = params;
      let state = optimizer.init(params);
      const losses: number[] = [];
      for (let i = 0; i < ADAM_STEPS; i++) {
        const out = step(current, state, xs, ys);
        if (i === 0) {
          expectMatch('loss', reshape(out.value, [1]), reference['loss']);
          const namedGrads = toNamedTensors(out.grads);
          const referenceGrads = Object.keys(reference).filter((n) => n.startsWith('grad.')).map((n) => n.slice('grad.'.length));
          expect(Object.keys(namedGrads).sort()).toEqual(referenceGrads.sort());
          for (const [name, g] of Object.entries(namedGrads)) expectMatch(`grad.${name}`, g, reference[`grad.${name}`]);
        }
        losses.push(out.value.item());
        current = out.next;
        state = out.state;
      }
      expectMatch('loss_after', tensor(losses), reference['loss_after']);
      for (const [name, p] of Object.entries(toNamedTensors(current))) {
        const label = `param.${name} after ${ADAM_STEPS} Adam steps`;
        if (name.endsWith('attn.qkv.bias')) expectQkvBiasMatch(label, p, reference[`param.${name}`]!, c.config.nEmbd);
        else expectMatch(label, p, reference[`param.${name}`]);
      }
      const summary = [...worst.values()].map(({ error, label }) => `${label} ${error.toExponential(1)}`).join('; ');
      console.log(`torch parity, ${c.name}: largest relative errors: ${summary}`);
    });
  }
});

