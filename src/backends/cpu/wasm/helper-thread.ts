/**
 * A second thread for the matrix products of compiled programs. One Node worker per process runs
 * the generated matmul on a program's shared WebAssembly memory, on a share of the rows or
 * batches, while the calling thread computes the rest. The threads meet through Atomics on a small
 * shared control block, and the worker sleeps in Atomics.wait between calls, so a product costs
 * one wake-up, not a message. Each output element is still computed by one thread in the same
 * order, so splitting never changes a bit.
 *
 * The helper is opt-in: `await startCpuHelperThread()` (or the CLI's `--threads 2`) starts it,
 * and programs compiled after that use it. Node's worker module is loaded only then, so the
 * backend still loads in a browser.
 * NOTE: it pays only with a free core. On an idle 2-vCPU machine the tiny-d5 training step ran
 * about 20% faster with it, and under load from other processes about 10% slower.
 */
import type { MatmulInMemory } from './matmul-runtime.js';

/** Control block layout (Int32 slots): the command, then its arguments. */
const COMMAND = 0;
const PROGRAM = 1;
const ARGUMENTS = 2;
const ERROR = 15;
const SLOTS = 16;

const IDLE = 0;
const ATTACH = 1;
const MATMUL = 2;
const DETACH = 3;

/** The worker's source: it waits for commands and runs them (plain JavaScript, evaluated as CommonJS). */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
const port = workerData.port;
const programs = new Map();
for (;;) {
  Atomics.wait(control, ${COMMAND}, ${IDLE});
  const command = Atomics.load(control, ${COMMAND});
  try {
    if (command === ${ATTACH}) {
      const { id, module, memory } = receiveMessageOnPort(port).message;
      programs.set(id, new WebAssembly.Instance(module, { env: { memory } }).exports.matmul);
    } else if (command === ${MATMUL}) {
      const a = control.subarray(${ARGUMENTS}, ${ARGUMENTS + 12});
      programs.get(control[${PROGRAM}])(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
    } else if (command === ${DETACH}) {
      programs.delete(control[${PROGRAM}]);
    }
    control[${ERROR}] = 0;
  } catch (error) {
    control[${ERROR}] = 1;
  }
  Atomics.store(control, ${COMMAND}, ${IDLE});
  Atomics.notify(control, ${COMMAND});
}
`;

/** The helper thread: attach programs, then split their products. */
export interface HelperThread {
  /** Instantiates `module` on `memory` in the worker and returns the program's id. */
  attach(module: WebAssembly.Module, memory: WebAssembly.Memory): number;
  /** Starts rows or batches of a product (the arguments of `MatmulInMemory`) in the worker. */
  start(program: number, ...args: Parameters<MatmulInMemory>): void;
  /** Waits for the started product; throws if the worker failed. */
  finish(): void;
  /** Drops a program's instance from the worker. */
  detach(program: number): void;
}

let helper: HelperThread | null = null;

/** The parts of node:worker_threads the helper uses. */
interface WorkerThreads {
  readonly Worker: typeof import('node:worker_threads').Worker;
  readonly MessageChannel: typeof import('node:worker_threads').MessageChannel;
}

function createHelper({ Worker, MessageChannel }: WorkerThreads): HelperThread {
  const control = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  const channel = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { control: control.buffer, port: channel.port2 },
    transferList: [channel.port2],
  });
  // The worker never keeps the process alive; it sleeps in Atomics.wait between commands.
  worker.unref();
  channel.port1.unref();
  let nextId = 1;

  const run = (command: number): void => {
    Atomics.store(control, COMMAND, command);
    Atomics.notify(control, COMMAND);
  };
  const wait = (): void => {
    for (let state = Atomics.load(control, COMMAND); state !== IDLE; state = Atomics.load(control, COMMAND)) {
      Atomics.wait(control, COMMAND, state);
    }
    if (control[ERROR] !== 0) throw new Error('cpu helper thread: a product failed in the worker; compile without the helper thread to see the error');
  };

  return {
    attach(module, memory) {
      const id = nextId++;
      channel.port1.postMessage({ id, module, memory });
      run(ATTACH);
      wait();
      return id;
    },
    start(program, ...args) {
      control[PROGRAM] = program;
      control.set(args, ARGUMENTS);
      run(MATMUL);
    },
    finish: wait,
    detach(program) {
      control[PROGRAM] = program;
      run(DETACH);
      wait();
    },
  };
}

/**
 * Starts the process's helper thread for matrix products (once; later calls return at once).
 * Programs compiled afterwards split large products between two threads. Throws where Node's
 * worker threads or SharedArrayBuffer are unavailable.
 *
 * @example await startCpuHelperThread(); const step = compile(trainStep); // products use 2 threads
 */
export async function startCpuHelperThread(): Promise<void> {
  if (helper !== null) return;
  if (typeof SharedArrayBuffer !== 'function') {
    throw new Error('startCpuHelperThread: SharedArrayBuffer is unavailable in this JavaScript engine; compiled programs keep one thread');
  }
  const threads = (await import('node:worker_threads')) as WorkerThreads;
  helper = createHelper(threads);
}

/** Returns the helper thread, or null until `startCpuHelperThread` has run. */
export function helperThread(): HelperThread | null {
  return helper;
}
