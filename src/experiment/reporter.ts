/**
 * Turns io-ts decode errors into one line per problem: the path of the value in the config
 * (`training.lr`, `task.functions[1].degree`), what was expected, and what was found.
 */
import type * as t from 'io-ts';

/** One problem in a config: where it is and what is wrong. */
export interface ConfigProblem {
  /** Dotted path with array indices, e.g. `task.functions[0].degree`; `(root)` for the whole value. */
  readonly path: string;
  /** The problem, e.g. `expected an integer in [1, 4], got 7`. */
  readonly message: string;
}

/**
 * Lists every decode error as a problem, in the order io-ts found them, without duplicates.
 *
 * @example reportErrors(errors).map((p) => `${p.path}: ${p.message}`)
 */
export function reportErrors(errors: t.Errors): ConfigProblem[] {
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const error of errors) {
    const problem = { path: pathOf(error.context), message: messageOf(error) };
    const id = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(problem);
    }
  }
  return out;
}

/** Formats problems as indented lines under a heading that names the source. */
export function formatProblems(source: string, problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`${source}: invalid config (${count}):`, ...problems.map((p) => `  ${p.path}: ${p.message}`)].join('\n');
}

/** Builds the path from the context keys; the first entry is the root and has key ''. */
export function pathOf(context: t.Context): string {
  let path = '';
  for (const entry of context.slice(1)) {
    if (/^\d+$/.test(entry.key)) path += `[${entry.key}]`;
    else path += path === '' ? entry.key : `.${entry.key}`;
  }
  return path === '' ? '(root)' : path;
}

function messageOf(error: t.ValidationError): string {
  const got = describeValue(error.value);
  if (error.message !== undefined) return `${error.message}, got ${got}`;
  const expected = error.context[error.context.length - 1]?.type.name ?? 'a valid value';
  return `expected ${expected}, got ${got}`;
}

/**
 * Describes a value for an error: its JSON cut to 60 characters, or "nothing" for a missing field.
 * NaN and +-Infinity appear by name, because JSON would print null. An integer beyond the safe
 * range appears in exponent form, because its digits were rounded when the file was parsed.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return `about ${value.toExponential()}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
