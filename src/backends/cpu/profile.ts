/**
 * Opt-in timing of compiled cpu programs, step by step: set ICL_LAB_CPU_PROFILE=1 in the
 * environment (read when the first program runs) or call `setCpuProfiling(true)`, run, then read
 * `cpuProfile()`. Each timed step reads the wall clock and, on Node, the process CPU time, which
 * excludes the time the machine gave to other processes. Timing is off by default.
 */

/** Accumulated time of one kind of step. */
export interface ProfileEntry {
  /** The primitive, `matmul` with its operand types, or `fused[...]` with members and size. */
  readonly label: string;
  readonly calls: number;
  /** Total wall time, milliseconds. */
  readonly milliseconds: number;
  /** Total CPU time of the process, milliseconds (equal to the wall time where the CPU clock is unavailable). */
  readonly cpuMilliseconds: number;
}

interface Totals {
  calls: number;
  milliseconds: number;
  cpuMilliseconds: number;
}

const totals = new Map<string, Totals>();
let enabled: boolean | undefined;

/** True while compiled programs time their steps. */
export function profilingEnabled(): boolean {
  enabled ??= typeof process === 'object' && process.env?.ICL_LAB_CPU_PROFILE === '1';
  return enabled;
}

/** Turns step timing on or off for every compiled cpu program. */
export function setCpuProfiling(on: boolean): void {
  enabled = on;
}

/** Reads the process CPU time in milliseconds, or the wall clock where Node's CPU clock is unavailable. */
function cpuClock(): number {
  if (typeof process === 'object' && typeof process.cpuUsage === 'function') {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
  return performance.now();
}

/** @internal Runs `step` and adds its time under `label`. */
export function timeStep(label: string, step: () => void): void {
  const wallStart = performance.now();
  const cpuStart = cpuClock();
  step();
  const cpuMilliseconds = cpuClock() - cpuStart;
  const milliseconds = performance.now() - wallStart;
  const entry = totals.get(label);
  if (entry === undefined) totals.set(label, { calls: 1, milliseconds, cpuMilliseconds });
  else {
    entry.calls++;
    entry.milliseconds += milliseconds;
    entry.cpuMilliseconds += cpuMilliseconds;
  }
}

/**
 * Returns the timed steps, largest CPU time first, and clears the totals when `reset` is true.
 *
 * @example setCpuProfiling(true); step(params, batch); console.table(cpuProfile(true));
 */
export function cpuProfile(reset = false): ProfileEntry[] {
  const entries = [...totals.entries()].map(([label, t]) => ({ label, ...t }));
  entries.sort((a, b) => b.cpuMilliseconds - a.cpuMilliseconds);
  if (reset) totals.clear();
  return entries;
}
