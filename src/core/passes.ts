/**
 * Graph passes run by `compile`: common-subexpression elimination and dead-code elimination.
 * Graph inputs are never merged, so parameters with equal values keep separate identities.
 */
import type { Constant, Equation, Graph, Var } from './ir.js';

/**
 * Returns a string that identifies parameters. Plain JSON would write NaN, Infinity and -Infinity
 * (possible pad values) all as `null`, and -0 as 0.
 */
function paramsKey(params: object): string {
  return JSON.stringify(params, (_name, value: unknown) =>
    typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0)) ? `number:${Object.is(value, -0) ? '-0' : value}` : value,
  );
}

/** Merges equations that apply the same primitive with the same parameters to the same variables, and equal size-1 constants. */
export function eliminateCommonSubexpressions(graph: Graph): Graph {
  const replace = new Map<Var, Var>();
  const resolve = (v: Var): Var => replace.get(v) ?? v;
  const constants: Constant[] = [];
  const scalarConstants = new Map<string, Var>();
  for (const c of graph.constants) {
    // Only scalars are compared, so a larger constant held on a device is not read back here.
    const data = c.value.size === 1 ? c.value.storage : null;
    if (data !== null) {
      const key = `${c.value.dtype}[${c.value.shape.join(',')}]:${Object.is(data[0], -0) ? '-0' : data[0]}`;
      const known = scalarConstants.get(key);
      if (known) {
        replace.set(c.variable, known);
        continue;
      }
      scalarConstants.set(key, c.variable);
    }
    constants.push(c);
  }
  const seen = new Map<string, Var>();
  const equations: Equation[] = [];
  for (const eq of graph.equations) {
    const inputs = eq.inputs.map(resolve);
    const key = `${eq.primitive}|${paramsKey(eq.params)}|${inputs.map((v) => v.id).join(',')}`;
    const known = seen.get(key);
    if (known) {
      replace.set(eq.outputs[0], known);
      continue;
    }
    seen.set(key, eq.outputs[0]);
    equations.push({ ...eq, inputs });
  }
  return { inputs: graph.inputs, constants, equations, outputs: graph.outputs.map(resolve) };
}

/** Removes equations whose results no output needs, and unused constants. */
export function eliminateDeadCode(graph: Graph): Graph {
  const live = new Set<Var>(graph.outputs);
  const kept: Equation[] = [];
  for (let i = graph.equations.length - 1; i >= 0; i--) {
    const eq = graph.equations[i];
    if (!eq.outputs.some((v) => live.has(v))) continue;
    kept.push(eq);
    for (const v of eq.inputs) live.add(v);
  }
  kept.reverse();
  return {
    inputs: graph.inputs,
    constants: graph.constants.filter((c) => live.has(c.variable)),
    equations: kept,
    outputs: graph.outputs,
  };
}

/** Applies the passes that `compile` runs, in order. */
export function optimizeGraph(graph: Graph): Graph {
  return eliminateDeadCode(eliminateCommonSubexpressions(graph));
}
