/**
 * Writes gpu.js kernel source: JavaScript statements over flat float32 arguments that gpu.js
 * translates to WGSL, GLSL or WebAssembly. Values are float32 throughout, so integer tensors are
 * exact up to 2^24. Indexes are split with `divide`, exact in that range on every device.
 * Within one kernel, an expression evaluated twice at the same index is emitted once.
 *
 * Comparisons are written with == only: SwiftShader's WGSL compiles != as an ordered comparison,
 * so NaN != x is false there, while x == x is false for NaN on every device tried.
 */
import { sizeOf, stridesOf } from '../../core/shape.js';
import { simplifyView, type Expr, type MapOp, type View } from './expr.js';
import type { KernelArgument } from './plan.js';

/**
 * The way scalar math is written. `native` trusts Math.*, which gpu.js cpu and webasm round to
 * float32 correctly. `shader` avoids GPU builtins that are inaccurate or wrong on special values.
 * On SwiftShader, tanh has a 7e-4 relative error near 0 and gives NaN at +-100, pow(-2, 3) is +8,
 * log(0) is -88 instead of -Infinity, and sin and cos have absolute errors near 1e-6.
 */
export type MathDialect = 'native' | 'shader';

const SPECIAL_INDEX = new Map<string, number>([['Infinity', 0], ['-Infinity', 1], ['NaN', 2]]);

/** Formats a finite number as a float literal that gpu.js accepts. */
export function formatLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`gpujs: ${value} cannot be written as a literal`);
  const text = Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(1) : String(value);
  return value < 0 || Object.is(value, -0) ? `(${Object.is(value, -0) ? '-0.0' : text})` : text;
}

// Taylor coefficients of tanh(x)/x in powers of x^2; with float32 arithmetic they give a
// relative error below 1.1e-7 for |x| < 0.6.
const TANH_SERIES = [1, -1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925, 21844 / 6081075, -929569 / 638512875, 6404582 / 10854718875, -443861162 / 1856156927625];
// Maclaurin coefficients of erf(x) * sqrt(pi) / 2 / x in powers of x^2, enough for |x| < 0.5.
const ERF_SERIES = [1, -1 / 3, 1 / 10, -1 / 42, 1 / 216, -1 / 1320, 1 / 9360, -1 / 75600];
// The Chebyshev fit of erfc (fractional error below 1.2e-7), as in the cpu backend.
const ERFC_FIT = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
// pi/2 in three parts (Cody and Waite): the first two have 8 and 12 significant bits, so k times
// them is exact in float32 for |k| < 2^11, and x - k pi/2 is accurate for |x| below about 3000.
const HALF_PI_HIGH = 1.5703125;
const HALF_PI_MIDDLE = Math.floor((Math.PI / 2 - HALF_PI_HIGH) * 2 ** 23) / 2 ** 23;
const HALF_PI_LOW = Math.PI / 2 - HALF_PI_HIGH - HALF_PI_MIDDLE;
// Taylor coefficients of (sin r - r) / r^3 and (cos r - 1) / r^2 in powers of r^2; for
// |r| <= pi/4 and float32 arithmetic, sin and cos come out within about 1.2e-7.
const SIN_SERIES = [-1 / 6, 1 / 120, -1 / 5040, 1 / 362880];
const COS_SERIES = [-1 / 2, 1 / 24, -1 / 720, 1 / 40320, -1 / 3628800];

/** The largest finite float32. */
const MAX_FLOAT32 = 3.4028234663852886e38;

/** Returns code that is true when the float in `x` is neither infinite nor NaN. */
export function isFiniteCode(x: string): string {
  return `Math.abs(${x}) <= ${formatLiteral(MAX_FLOAT32)}`;
}

/**
 * Returns x when `expr` is eq(sub(x, x), 0), the DSL's isFinite. Shader compilers may fold x - x
 * to 0 (Mesa llvmpipe does), which would call Infinity and NaN finite, so that pattern is
 * written as a magnitude comparison instead, which is false for both.
 */
function finiteCheckOperand(expr: Extract<Expr, { kind: 'map' }>): Expr | undefined {
  if (expr.op !== 'eq' || expr.dtype !== 'f32') return undefined;
  const [difference, zero] = expr.args;
  if (zero.kind !== 'literal' || zero.value !== 0 || difference.kind !== 'map' || difference.op !== 'sub') return undefined;
  const [a, b] = difference.args;
  return a === b ? a : undefined;
}

/** Builds the body of one kernel. */
export class KernelWriter {
  private readonly lines: string[] = [];
  private scopes: Map<string, string>[] = [new Map()];
  private counter = 0;
  private readonly slotArgs = new Map<number, string>();
  private readonly keyArgs = new Map<number, string>();
  private readonly argumentList: KernelArgument[] = [];
  private readonly parameterNames: string[] = [];
  private specialsName: string | undefined;
  private readonly exprIds = new Map<Expr, number>();

  constructor(readonly dialect: MathDialect) {}

  /** The kernel's arguments, in parameter order. */
  get args(): readonly KernelArgument[] {
    return this.argumentList;
  }

  fresh(prefix = 'v'): string {
    return `${prefix}${this.counter++}`;
  }

  /** Appends a statement. */
  emit(line: string): void {
    this.lines.push(line);
  }

  /** Declares a constant local initialised to `code` and returns its name. */
  let(code: string, prefix = 'v'): string {
    const name = this.fresh(prefix);
    this.emit(`const ${name} = ${code};`);
    return name;
  }

  /** Returns the parameter name of a slot argument, adding it on first use. */
  slot(slot: number): string {
    let name = this.slotArgs.get(slot);
    if (name === undefined) {
      name = `a${this.slotArgs.size}`;
      this.slotArgs.set(slot, name);
      this.argumentList.push({ kind: 'slot', slot });
      this.parameterNames.push(name);
    }
    return name;
  }

  /** Returns the parameter name of the Threefry key halves of a slot. */
  keyHalves(slot: number): string {
    let name = this.keyArgs.get(slot);
    if (name === undefined) {
      name = `kh${this.keyArgs.size}`;
      this.keyArgs.set(slot, name);
      this.argumentList.push({ kind: 'key-halves', slot });
      this.parameterNames.push(name);
    }
    return name;
  }

  /** Returns code that reads Infinity, -Infinity or NaN. */
  special(value: number): string {
    if (this.specialsName === undefined) {
      this.specialsName = 'sp';
      this.argumentList.push({ kind: 'specials' });
      this.parameterNames.push(this.specialsName);
    }
    return `${this.specialsName}[${SPECIAL_INDEX.get(String(value))}]`;
  }

  /**
   * Runs `body` with a fresh memo (for code inside a loop, whose index changes every
   * iteration) and returns the statements it emitted.
   */
  scoped(body: () => void): string[] {
    const start = this.lines.length;
    this.scopes.push(new Map());
    try {
      body();
    } finally {
      this.scopes.pop();
    }
    return this.lines.splice(start);
  }

  private memoKey(expr: Expr, index: string): string {
    let id = this.exprIds.get(expr);
    if (id === undefined) {
      id = this.exprIds.size;
      this.exprIds.set(expr, id);
    }
    return `${id}@${index}`;
  }

  private recall(key: string): string | undefined {
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const known = this.scopes[s].get(key);
      if (known !== undefined) return known;
    }
    return undefined;
  }

  /** Returns a local (or literal) holding the value of `expr` at the flat index `index`. */
  value(expr: Expr, index: string): string {
    if (expr.kind === 'literal') return formatLiteral(expr.value);
    if (expr.kind === 'special') return this.special(expr.value);
    const key = this.memoKey(expr, index);
    const known = this.recall(key);
    if (known !== undefined) return known;
    const name = this.compute(expr, index);
    this.scopes[this.scopes.length - 1].set(key, name);
    return name;
  }

  private compute(expr: Expr, index: string): string {
    switch (expr.kind) {
      case 'read':
        return this.let(`${this.slot(expr.slot)}[${index}]`);
      case 'view':
        return this.value(expr.arg, this.viewIndex(expr.view, index));
      case 'map': {
        const checked = finiteCheckOperand(expr);
        if (checked !== undefined) return this.let(`${isFiniteCode(this.value(checked, index))} ? 1.0 : 0.0`);
        return this.mapOp(expr.op, expr.dtype, expr.args.map((a) => this.value(a, index)));
      }
      case 'iota':
        return this.coordinate(index, expr.shape, expr.axis);
      case 'pad':
        return this.pad(expr, index);
      case 'concat':
        return this.concat(expr, index);
      case 'literal':
      case 'special':
        return this.value(expr, index);
    }
  }

  /**
   * Returns locals holding floor(x / n) and x - n floor(x / n), for an integer 0 <= x < 2^24 and
   * an integer n >= 1. JavaScript and WebAssembly divide with correct rounding, which makes the
   * floor exact in that range. Shader division may be a few ulps off (WGSL allows 2.5, and
   * SwiftShader gives 159 / 159 < 1), so there the quotient is corrected with exact remainders.
   */
  divide(x: string, n: number): { quotient: string; remainder: string } {
    if (n === 1) return { quotient: x, remainder: '0.0' };
    const key = `divide:${x}:${n}`;
    const known = this.recall(key);
    if (known !== undefined) {
      const [quotient, remainder] = known.split('|');
      return { quotient, remainder };
    }
    const divisor = formatLiteral(n);
    let quotient = this.let(`Math.floor(${x} / ${divisor})`, 'd');
    if (this.dialect === 'shader' && !Number.isInteger(Math.log2(n))) {
      const rough = this.let(`${x} - ${quotient} * ${divisor}`, 'd');
      const closer = this.let(`${quotient} + Math.floor(${rough} / ${divisor})`, 'd');
      const rest = this.let(`${x} - ${closer} * ${divisor}`, 'd');
      quotient = this.let(`${closer} + (${rest} >= ${divisor} ? 1.0 : 0.0) - (${rest} < 0.0 ? 1.0 : 0.0)`, 'd');
    }
    const remainder = this.let(`${x} - ${quotient} * ${divisor}`, 'd');
    this.scopes[this.scopes.length - 1].set(key, `${quotient}|${remainder}`);
    return { quotient, remainder };
  }

  /** Returns a local (or `index` itself) holding the coordinate of flat `index` along `axis` of `shape`. */
  coordinate(index: string, shape: readonly number[], axis: number): string {
    const { quotient } = this.divide(index, sizeOf(shape.slice(axis + 1)));
    return axis === 0 ? quotient : this.divide(quotient, shape[axis]).remainder;
  }

  /** Returns a local holding the flat index into the underlying tensor of a view at `index`. */
  viewIndex(view: View, index: string): string {
    const simple = simplifyView(view);
    const terms: string[] = [];
    if (simple.offset !== 0) terms.push(formatLiteral(simple.offset));
    simple.shape.forEach((_, k) => {
      const stride = simple.strides[k];
      if (stride === 0) return;
      const coordinate = this.coordinate(index, simple.shape, k);
      terms.push(stride === 1 ? coordinate : `${coordinate} * ${formatLiteral(stride)}`);
    });
    if (terms.length === 0) return '0';
    const code = terms.join(' + ');
    const key = `index:${code}`;
    const known = this.recall(key);
    if (known !== undefined) return known;
    const name = this.let(code, 'j');
    this.scopes[this.scopes.length - 1].set(key, name);
    return name;
  }

  private pad(expr: Extract<Expr, { kind: 'pad' }>, index: string): string {
    const conditions: string[] = [];
    const terms: string[] = [];
    const inStrides = stridesOf(expr.inShape);
    expr.outShape.forEach((_, k) => {
      const inner = this.let(`${this.coordinate(index, expr.outShape, k)} - ${formatLiteral(expr.low[k])}`, 'c');
      conditions.push(`${inner} >= 0.0 && ${inner} < ${formatLiteral(expr.inShape[k])}`);
      const clamped = `Math.min(Math.max(${inner}, 0.0), ${formatLiteral(Math.max(expr.inShape[k] - 1, 0))})`;
      if (inStrides[k] !== 0 && expr.inShape[k] > 1) terms.push(inStrides[k] === 1 ? clamped : `${clamped} * ${formatLiteral(inStrides[k])}`);
    });
    const source = terms.length === 0 ? '0' : this.let(terms.join(' + '), 'j');
    const inside = this.value(expr.arg, source);
    const fill = this.value(expr.value, index);
    if (conditions.length === 0) return inside;
    return this.let(`(${conditions.join(' && ')}) ? ${inside} : ${fill}`);
  }

  private concat(expr: Extract<Expr, { kind: 'concat' }>, index: string): string {
    const { axis, outShape } = expr;
    const inner = sizeOf(outShape.slice(axis + 1));
    const total = outShape[axis];
    const outer = this.divide(index, total * inner).quotient;
    const position = this.coordinate(index, outShape, axis);
    const within = this.divide(index, inner).remainder;
    let start = 0;
    const choices: { end: number; value: string }[] = [];
    for (const part of expr.parts) {
      const size = part.shape[axis];
      if (size === 0) continue;
      const partSize = sizeOf(part.shape);
      const offset = `(${outer} * ${formatLiteral(size * inner)} + (${position} - ${formatLiteral(start)}) * ${formatLiteral(inner)} + ${within})`;
      const source = this.let(`Math.min(Math.max(${offset}, 0.0), ${formatLiteral(partSize - 1)})`, 'j');
      start += size;
      choices.push({ end: start, value: this.value(part.arg, source) });
    }
    let code = choices[choices.length - 1].value;
    for (let p = choices.length - 2; p >= 0; p--) code = `(${position} < ${formatLiteral(choices[p].end)} ? ${choices[p].value} : ${code})`;
    return this.let(code);
  }

  /** Emits an elementwise operation on locals and returns the local holding its result. */
  mapOp(op: MapOp, dtype: string, [x, y, z]: readonly string[]): string {
    const shader = this.dialect === 'shader';
    switch (op) {
      case 'neg':
        return this.let(`-${x}`);
      case 'exp':
        return this.let(`Math.exp(${x})`);
      case 'log':
        return shader
          ? this.let(`${x} > 0.0 ? Math.log(${x}) : (${x} == 0.0 ? ${this.special(-Infinity)} : ${this.special(NaN)})`)
          : this.let(`Math.log(${x})`);
      case 'sqrt':
        return shader ? this.let(`${x} >= 0.0 ? Math.sqrt(${x}) : ${this.special(NaN)}`) : this.let(`Math.sqrt(${x})`);
      case 'rsqrt':
        return this.let(`1.0 / Math.sqrt(${x})`);
      case 'tanh':
        return shader ? this.tanh(x) : this.let(`Math.tanh(${x})`);
      case 'sin':
        return shader ? this.sinCos(x, 0) : this.let(`Math.sin(${x})`);
      case 'cos':
        return shader ? this.sinCos(x, 1) : this.let(`Math.cos(${x})`);
      case 'abs':
        return this.let(`Math.abs(${x})`);
      case 'sign':
        return this.let(`${x} > 0.0 ? 1.0 : (${x} < 0.0 ? (-1.0) : ${x})`);
      case 'erf':
        return this.erf(x);
      case 'logistic': {
        const e = this.let(`Math.exp(-Math.abs(${x}))`);
        return this.let(`${x} >= 0.0 ? 1.0 / (1.0 + ${e}) : ${e} / (1.0 + ${e})`);
      }
      case 'logical_not':
        return this.let(`${x} == 0.0 ? 1.0 : 0.0`);
      case 'add':
        return this.let(`${x} + ${y}`);
      case 'sub':
        // x - x is written out, because shader compilers may fold it to 0 even for Infinity and NaN.
        return x === y ? this.let(`${isFiniteCode(x)} ? 0.0 : ${this.special(NaN)}`) : this.let(`${x} - ${y}`);
      case 'mul':
        return this.let(`${x} * ${y}`);
      case 'div':
        return dtype === 'i32' ? this.let(`${y} == 0.0 ? 0.0 : Math.trunc(${x} / ${y})`) : this.let(`${x} / ${y}`);
      case 'pow':
        return shader ? this.pow(x, y) : this.let(`Math.pow(${x}, ${y})`);
      case 'max':
        return this.let(`(${x} == ${x} && ${y} == ${y}) ? (${x} > ${y} ? ${x} : ${y}) : ${x} + ${y}`);
      case 'min':
        return this.let(`(${x} == ${x} && ${y} == ${y}) ? (${x} < ${y} ? ${x} : ${y}) : ${x} + ${y}`);
      case 'lt':
        return this.let(`${x} < ${y} ? 1.0 : 0.0`);
      case 'le':
        return this.let(`${x} <= ${y} ? 1.0 : 0.0`);
      case 'gt':
        return this.let(`${x} > ${y} ? 1.0 : 0.0`);
      case 'ge':
        return this.let(`${x} >= ${y} ? 1.0 : 0.0`);
      case 'eq':
        return this.let(`${x} == ${y} ? 1.0 : 0.0`);
      case 'ne':
        return this.let(`${x} == ${y} ? 0.0 : 1.0`);
      case 'logical_and':
        return this.let(`(${x} == 0.0 || ${y} == 0.0) ? 0.0 : 1.0`);
      case 'logical_or':
        return this.let(`(${x} == 0.0 && ${y} == 0.0) ? 0.0 : 1.0`);
      case 'where':
        return this.let(`${x} == 0.0 ? ${z} : ${y}`);
      case 'cast-i32':
        return this.let(`Math.trunc(${x})`);
      case 'cast-bool':
        return this.let(`${x} == 0.0 ? 0.0 : 1.0`);
    }
  }

  /** tanh from a Taylor series near 0 and 1 - 2 / (exp(2|x|) + 1) elsewhere, with the sign of x. */
  private tanh(x: string): string {
    const a = this.let(`Math.min(Math.abs(${x}), 10.0)`);
    const a2 = this.let(`${a} * ${a}`);
    let series = formatLiteral(TANH_SERIES[TANH_SERIES.length - 1]);
    for (let k = TANH_SERIES.length - 2; k >= 0; k--) series = `(${series} * ${a2} + ${formatLiteral(TANH_SERIES[k])})`;
    const small = this.let(`${a} * ${series}`);
    const large = this.let(`1.0 - 2.0 / (Math.exp(2.0 * ${a}) + 1.0)`);
    const magnitude = this.let(`${a} < 0.6 ? ${small} : ${large}`);
    return this.let(`${x} < 0.0 ? -${magnitude} : (${x} > 0.0 ? ${magnitude} : ${x})`);
  }

  /**
   * sin (shift 0) or cos (shift 1) by reduction to r = x - k pi/2 with |r| <= pi/4 and
   * polynomials, because shader sin and cos have absolute errors near 1e-6 (SwiftShader: 1e-10
   * at 6e-4, a 2e-4 relative error there).
   */
  private sinCos(x: string, shift: 0 | 1): string {
    const k = this.let(`Math.round(${x} * ${formatLiteral(2 / Math.PI)})`);
    const r = this.let(`((${x} - ${k} * ${formatLiteral(HALF_PI_HIGH)}) - ${k} * ${formatLiteral(HALF_PI_MIDDLE)}) - ${k} * ${formatLiteral(HALF_PI_LOW)}`);
    const r2 = this.let(`${r} * ${r}`);
    let sinPoly = formatLiteral(SIN_SERIES[SIN_SERIES.length - 1]);
    for (let i = SIN_SERIES.length - 2; i >= 0; i--) sinPoly = `(${sinPoly} * ${r2} + ${formatLiteral(SIN_SERIES[i])})`;
    let cosPoly = formatLiteral(COS_SERIES[COS_SERIES.length - 1]);
    for (let i = COS_SERIES.length - 2; i >= 0; i--) cosPoly = `(${cosPoly} * ${r2} + ${formatLiteral(COS_SERIES[i])})`;
    const sine = this.let(`${r} + ${r} * ${r2} * ${sinPoly}`);
    const cosine = this.let(`1.0 + ${r2} * ${cosPoly}`);
    const quadrant = this.let(`${k} + ${formatLiteral(shift)} - 4.0 * Math.floor((${k} + ${formatLiteral(shift)}) * 0.25)`);
    return this.let(`${quadrant} == 0.0 ? ${sine} : (${quadrant} == 1.0 ? ${cosine} : (${quadrant} == 2.0 ? -${sine} : -${cosine}))`);
  }

  /** pow with the IEEE special cases that shader pow (exp2(y log2 x)) gets wrong. */
  private pow(x: string, y: string): string {
    const magnitude = this.let(`Math.pow(Math.max(Math.abs(${x}), 1e-30), ${y})`);
    const integer = this.let(`Math.floor(${y}) == ${y} ? 1.0 : 0.0`);
    const odd = this.let(`(${integer} == 1.0 && Math.abs(${y} % 2.0) == 1.0) ? 1.0 : 0.0`);
    const negative = this.let(`${integer} == 1.0 ? (${odd} == 1.0 ? -${magnitude} : ${magnitude}) : ${this.special(NaN)}`);
    const zero = this.let(`${y} > 0.0 ? 0.0 : ${this.special(Infinity)}`);
    return this.let(`${y} == 0.0 ? 1.0 : (${x} > 0.0 ? ${magnitude} : (${x} == 0.0 ? ${zero} : ${negative}))`);
  }

  /** erf: a Maclaurin series for |x| < 0.5, 1 - erfc(|x|) from the Chebyshev fit elsewhere. */
  private erf(x: string): string {
    const a = this.let(`Math.abs(${x})`);
    const x2 = this.let(`${x} * ${x}`);
    let series = formatLiteral(ERF_SERIES[ERF_SERIES.length - 1]);
    for (let k = ERF_SERIES.length - 2; k >= 0; k--) series = `(${series} * ${x2} + ${formatLiteral(ERF_SERIES[k])})`;
    const small = this.let(`${formatLiteral(2 / Math.sqrt(Math.PI))} * ${x} * ${series}`);
    const t = this.let(`1.0 / (1.0 + 0.5 * ${a})`);
    let fit = formatLiteral(ERFC_FIT[ERFC_FIT.length - 1]);
    for (let k = ERFC_FIT.length - 2; k >= 0; k--) fit = `(${fit} * ${t} + ${formatLiteral(ERFC_FIT[k])})`;
    const erfc = this.let(`${t} * Math.exp(-${a} * ${a} + ${fit})`);
    return this.let(`${a} < 0.5 ? ${small} : (${x} >= 0.0 ? 1.0 - ${erfc} : ${erfc} - 1.0)`);
  }

  /** Returns the kernel's source, ending with `return value`. */
  source(value: string): string {
    const body = [`const i = this.thread.x;`, ...this.lines, `return ${value};`].map((l) => `  ${l}`).join('\n');
    return `function (${this.parameterNames.join(', ')}) {\n${body}\n}`;
  }
}
