/**
 * A small WebAssembly binary emitter, which generates the cpu backend's kernels at run time
 * without an external compiler. It covers the module sections for types, an imported memory,
 * functions, exports and code. Of the instruction set it covers i32 and f64 arithmetic, structured
 * control flow, f32, f64 and v128 memory access, and f32x4 and f64x2 arithmetic. Encodings follow the WebAssembly 2.0 core specification, binary
 * format chapter, with the fixed-width SIMD instructions that Node 16 and later support.
 */

/** A value type of the WebAssembly type system that the emitter supports. */
export type ValueType = 'i32' | 'f32' | 'f64' | 'v128';

const VALUE_TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Appends the unsigned LEB128 encoding of `value` (0 <= value < 2^32). */
function pushUnsigned(bytes: number[], value: number): void {
  let rest = value >>> 0;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
}

/** Appends the signed LEB128 encoding of a 32-bit integer. */
function pushSigned(bytes: number[], value: number): void {
  let rest = value | 0;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return;
  }
}

function pushName(bytes: number[], name: string): void {
  const encoded = new TextEncoder().encode(name);
  pushUnsigned(bytes, encoded.length);
  bytes.push(...encoded);
}

/** Appends a section: its id, its byte length and its contents. */
function pushSection(bytes: number[], id: number, contents: readonly number[]): void {
  bytes.push(id);
  pushUnsigned(bytes, contents.length);
  for (const b of contents) bytes.push(b);
}

/**
 * Opcodes of the fixed-width SIMD instructions used by generated code (after the 0xfd prefix),
 * from the WebAssembly SIMD binary encoding table.
 */
export const SIMD = {
  v128Load: 0x00,
  v128Load8Splat: 0x07,
  v128Load32Splat: 0x09,
  v128Store: 0x0b,
  i8x16Shuffle: 0x0d,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  i32x4ExtractLane: 0x1b,
  i32x4ReplaceLane: 0x1c,
  f32x4ExtractLane: 0x1f,
  f32x4ReplaceLane: 0x20,
  f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  i32x4Eq: 0x37,
  i32x4Ne: 0x38,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  f32x4Ge: 0x46,
  f64x2Eq: 0x47,
  f64x2Ne: 0x48,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Le: 0x4b,
  f64x2Ge: 0x4c,
  v128Not: 0x4d,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Bitselect: 0x52,
  v128Store32Lane: 0x5a,
  v128Load32Zero: 0x5c,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  i8x16NarrowI16x8U: 0x66,
  f64x2Floor: 0x75,
  i16x8NarrowI32x4U: 0x86,
  i16x8ExtendLowI8x16U: 0x89,
  i32x4ExtendLowI16x8U: 0xa9,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f64x2Min: 0xf4,
  f64x2Max: 0xf5,
  i32x4TruncSatF64x2SZero: 0xfc,
} as const;

/** log2 of the natural alignment in bytes, the alignment hint each memory instruction carries. */
const ALIGN_4 = 2;
const ALIGN_16 = 4;

/**
 * The body of one function: an instruction stream built by method calls, one method per
 * instruction, each returning `this` so bodies read in stack order. Locals are numbered after
 * the parameters, in the order `local` declares them.
 */
export class CodeBuilder {
  /** Encoded instructions, without the final `end`. */
  readonly bytes: number[] = [];
  private readonly localTypes: ValueType[] = [];

  constructor(private readonly parameterCount: number) {}

  /** Declares a local of `type` and returns its index. */
  local(type: ValueType): number {
    this.localTypes.push(type);
    return this.parameterCount + this.localTypes.length - 1;
  }

  /** Returns the declared locals as (count, type) runs, as the code section encodes them. */
  localRuns(): [number, ValueType][] {
    const runs: [number, ValueType][] = [];
    for (const type of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    return runs;
  }

  private op(...codes: number[]): this {
    for (const c of codes) this.bytes.push(c);
    return this;
  }

  private simd(opcode: number): this {
    this.bytes.push(0xfd);
    pushUnsigned(this.bytes, opcode);
    return this;
  }

  private memarg(align: number, offset: number): this {
    pushUnsigned(this.bytes, align);
    pushUnsigned(this.bytes, offset);
    return this;
  }

  localGet(index: number): this {
    this.op(0x20);
    pushUnsigned(this.bytes, index);
    return this;
  }

  localSet(index: number): this {
    this.op(0x21);
    pushUnsigned(this.bytes, index);
    return this;
  }

  localTee(index: number): this {
    this.op(0x22);
    pushUnsigned(this.bytes, index);
    return this;
  }

  i32Const(value: number): this {
    this.op(0x41);
    pushSigned(this.bytes, value);
    return this;
  }

  i32Eqz(): this { return this.op(0x45); }
  i32Eq(): this { return this.op(0x46); }
  i32Ne(): this { return this.op(0x47); }
  i32LtS(): this { return this.op(0x48); }
  i32LtU(): this { return this.op(0x49); }
  i32GtS(): this { return this.op(0x4a); }
  i32GtU(): this { return this.op(0x4b); }
  i32LeS(): this { return this.op(0x4c); }
  i32LeU(): this { return this.op(0x4d); }
  i32GeS(): this { return this.op(0x4e); }
  i32GeU(): this { return this.op(0x4f); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32And(): this { return this.op(0x71); }
  i32Or(): this { return this.op(0x72); }
  i32Shl(): this { return this.op(0x74); }
  /** Selects the first or second of two operands by an i32 condition, without a branch. */
  select(): this { return this.op(0x1b); }

  f32Const(value: number): this {
    this.op(0x43);
    const raw = new Uint8Array(new Float32Array([value]).buffer);
    for (const b of raw) this.bytes.push(b);
    return this;
  }

  /** Loads an f32 from address + offset (bytes). */
  f32Load(offset = 0): this {
    return this.op(0x2a).memarg(ALIGN_4, offset);
  }

  /** Stores an f32 to address + offset (bytes). The address is pushed first, then the value. */
  f32Store(offset = 0): this {
    return this.op(0x38).memarg(ALIGN_4, offset);
  }

  v128Load(offset = 0): this {
    return this.simd(0x00).memarg(ALIGN_16, offset);
  }

  /** Loads one 32-bit value and repeats it in all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09).memarg(ALIGN_4, offset);
  }

  v128Store(offset = 0): this {
    return this.simd(0x0b).memarg(ALIGN_16, offset);
  }

  /** Pushes the all-zero vector. */
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }

  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Mul(): this { return this.simd(0xe6); }

  /** Emits a SIMD instruction without immediates, by its opcode (see `SIMD`). */
  simdOp(opcode: number): this {
    return this.simd(opcode);
  }

  /** Emits a SIMD instruction with a lane immediate (extract_lane, replace_lane). */
  simdLane(opcode: number, lane: number): this {
    this.simd(opcode);
    this.bytes.push(lane);
    return this;
  }

  /** Emits a SIMD memory instruction with its memarg (log2 alignment, byte offset). */
  simdMemory(opcode: number, alignLog2: number, offset: number): this {
    return this.simd(opcode).memarg(alignLog2, offset);
  }

  /** Emits a SIMD memory instruction on one lane (load32_lane, store32_lane, ...). */
  simdMemoryLane(opcode: number, alignLog2: number, offset: number, lane: number): this {
    this.simd(opcode).memarg(alignLog2, offset);
    this.bytes.push(lane);
    return this;
  }

  /** Pushes a v128 constant of four i32 lanes. */
  v128ConstI32(lanes: readonly [number, number, number, number]): this {
    this.simd(0x0c);
    const raw = new Uint8Array(new Int32Array(lanes).buffer);
    for (const b of raw) this.bytes.push(b);
    return this;
  }

  /** Pushes a v128 constant with `value` in all four f32 lanes. */
  v128ConstF32(value: number): this {
    this.simd(0x0c);
    const raw = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
    for (const b of raw) this.bytes.push(b);
    return this;
  }

  /** Pushes a v128 constant with `value` in both f64 lanes. */
  v128ConstF64(value: number): this {
    this.simd(0x0c);
    const raw = new Uint8Array(new Float64Array([value, value]).buffer);
    for (const b of raw) this.bytes.push(b);
    return this;
  }

  /** Emits i8x16.shuffle with the 16 byte-lane indices (0-15 pick from the first operand, 16-31 from the second). */
  shuffle(lanes: readonly number[]): this {
    this.simd(0x0d);
    for (const l of lanes) this.bytes.push(l);
    return this;
  }

  /** Loads an f64 from address + offset (bytes). */
  f64Load(offset = 0): this {
    return this.op(0x2b).memarg(3, offset);
  }

  i32ShrS(): this { return this.op(0x75); }
  f64Add(): this { return this.op(0xa0); }
  f32DemoteF64(): this { return this.op(0xb6); }
  f64PromoteF32(): this { return this.op(0xbb); }

  f64Const(value: number): this {
    this.op(0x44);
    const raw = new Uint8Array(new Float64Array([value]).buffer);
    for (const b of raw) this.bytes.push(b);
    return this;
  }

  /** Loads an i32 from address + offset (bytes). */
  i32Load(offset = 0): this {
    return this.op(0x28).memarg(ALIGN_4, offset);
  }

  /** Loads a byte, zero-extended to i32, from address + offset. */
  i32Load8U(offset = 0): this {
    return this.op(0x2d).memarg(0, offset);
  }

  i32DivU(): this { return this.op(0x6e); }
  i32RemU(): this { return this.op(0x70); }

  /** Opens a block without a result; `br` to it jumps past its `end`. */
  block(): this { return this.op(0x02, 0x40); }
  /** Opens a loop without a result; `br` to it jumps back to its start. */
  loop(): this { return this.op(0x03, 0x40); }
  /** Opens an if without a result, consuming an i32 condition. */
  if(): this { return this.op(0x04, 0x40); }
  else(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }

  br(depth: number): this {
    this.op(0x0c);
    pushUnsigned(this.bytes, depth);
    return this;
  }

  brIf(depth: number): this {
    this.op(0x0d);
    pushUnsigned(this.bytes, depth);
    return this;
  }

  call(functionIndex: number): this {
    this.op(0x10);
    pushUnsigned(this.bytes, functionIndex);
    return this;
  }

  /**
   * Emits `for (counter = start; counter < limit; counter += step) body` over i32 values that
   * the caller pushes with `start` and `limit` (signed comparison). The body may not branch out.
   */
  forRange(counter: number, start: (c: this) => void, limit: (c: this) => void, step: number, body: (c: this) => void): this {
    start(this);
    this.localSet(counter);
    this.block();
    this.localGet(counter);
    limit(this);
    this.i32GeS().brIf(0);
    this.loop();
    body(this);
    this.localGet(counter).i32Const(step).i32Add().localTee(counter);
    limit(this);
    this.i32LtS().brIf(0);
    this.end();
    this.end();
    return this;
  }
}

/** A function of a module under construction. */
interface FunctionEntry {
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
  readonly code: CodeBuilder;
  readonly exportName: string | undefined;
}

/** The largest memory a 32-bit WebAssembly memory can have, in 64 KiB pages. */
export const MAX_PAGES = 65536;

/**
 * Builds a module that imports one memory as `env.memory` and defines functions. Functions are
 * numbered in the order `addFunction` is called (there are no imported functions). With `shared`
 * the import is a shared memory (maximum MAX_PAGES), which threads may use at once.
 */
export class ModuleBuilder {
  private readonly functions: FunctionEntry[] = [];

  constructor(private readonly minimumPages = 1, private readonly shared = false) {}

  /**
   * Declares a function and returns its index and an empty body to fill in. Parameters are
   * locals 0 .. params.length - 1.
   */
  addFunction(params: readonly ValueType[], results: readonly ValueType[], exportName?: string): { index: number; code: CodeBuilder } {
    const code = new CodeBuilder(params.length);
    this.functions.push({ params, results, code, exportName });
    return { index: this.functions.length - 1, code };
  }

  /** Encodes the module. */
  build(): Uint8Array<ArrayBuffer> {
    const bytes: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

    const types: number[] = [];
    pushUnsigned(types, this.functions.length);
    for (const f of this.functions) {
      types.push(0x60);
      pushUnsigned(types, f.params.length);
      for (const p of f.params) types.push(VALUE_TYPE_CODE[p]);
      pushUnsigned(types, f.results.length);
      for (const r of f.results) types.push(VALUE_TYPE_CODE[r]);
    }
    pushSection(bytes, 1, types);

    const imports: number[] = [];
    pushUnsigned(imports, 1);
    pushName(imports, 'env');
    pushName(imports, 'memory');
    // Memory limits: flag 0 (minimum only), or 3 (shared, minimum and maximum).
    imports.push(0x02, this.shared ? 0x03 : 0x00);
    pushUnsigned(imports, this.minimumPages);
    if (this.shared) pushUnsigned(imports, MAX_PAGES);
    pushSection(bytes, 2, imports);

    const declarations: number[] = [];
    pushUnsigned(declarations, this.functions.length);
    this.functions.forEach((_, i) => pushUnsigned(declarations, i));
    pushSection(bytes, 3, declarations);

    const exported = this.functions.flatMap((f, i) => (f.exportName === undefined ? [] : [[f.exportName, i] as const]));
    const exports: number[] = [];
    pushUnsigned(exports, exported.length);
    for (const [name, index] of exported) {
      pushName(exports, name);
      exports.push(0x00);
      pushUnsigned(exports, index);
    }
    pushSection(bytes, 7, exports);

    const codes: number[] = [];
    pushUnsigned(codes, this.functions.length);
    for (const f of this.functions) {
      const body: number[] = [];
      const runs = f.code.localRuns();
      pushUnsigned(body, runs.length);
      for (const [count, type] of runs) {
        pushUnsigned(body, count);
        body.push(VALUE_TYPE_CODE[type]);
      }
      for (const b of f.code.bytes) body.push(b);
      body.push(0x0b);
      pushUnsigned(codes, body.length);
      for (const b of body) codes.push(b);
    }
    pushSection(bytes, 10, codes);

    return Uint8Array.from(bytes);
  }
}
