/**
 * io-ts building blocks for config files whose errors read well: numbers with ranges, string
 * literals, closed objects and unions tagged by a field. In a closed object an unknown field is
 * an error, so a typo never passes silently. A tagged union reports the errors of the member its
 * tag chooses, not those of every member.
 * Each type's `name` is the phrase the error reporter prints after "expected".
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/**
 * Returns a codec of safe integers in [min, max] (max optional).
 *
 * @example integer(1).decode(3) // right(3)
 */
export function integer(min: number, max?: number): t.Type<number, number, unknown> {
  const name = max === undefined ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  const is = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= min && (max === undefined || u <= max);
  return new t.Type(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c, unsafeIntegerMessage(u, name))), t.identity);
}

/** Codec of any safe integer, negative ones included (seeds). */
export const anyInteger: t.Type<number, number, unknown> = new t.Type(
  'an integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) ? t.success(u) : t.failure(u, c, unsafeIntegerMessage(u, 'an integer'))),
  t.identity,
);

/**
 * Returns the message for an integer beyond +-(2^53 - 1): such a value was already rounded when
 * the file was parsed, so the printed value differs from the written one. Undefined otherwise.
 */
function unsafeIntegerMessage(u: unknown, expected: string): string | undefined {
  if (typeof u !== 'number' || !Number.isInteger(u) || Number.isSafeInteger(u)) return undefined;
  return `expected ${expected} within the safe-integer range +-${Number.MAX_SAFE_INTEGER} (larger values lose precision when read), but the value is outside it`;
}

/** Options of `finiteNumber`. */
export interface NumberRange {
  /** Lower bound; with `exclusiveMin` the bound itself is rejected. */
  readonly min?: number;
  readonly exclusiveMin?: boolean;
  /** Upper bound; with `exclusiveMax` the bound itself is rejected. */
  readonly max?: number;
  readonly exclusiveMax?: boolean;
}

/**
 * Returns a codec of finite numbers within an optional range.
 *
 * @example finiteNumber({ min: 0, exclusiveMin: true }) // "a number > 0"
 */
export function finiteNumber(range: NumberRange = {}): t.Type<number, number, unknown> {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.exclusiveMin === true ? '>' : '>='} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.exclusiveMax === true ? '<' : '<='} ${range.max}`);
  const name = parts.length === 0 ? 'a finite number' : `a number ${parts.join(' and ')}`;
  const is = (u: unknown): u is number => {
    if (typeof u !== 'number' || !Number.isFinite(u)) return false;
    if (range.min !== undefined && (range.exclusiveMin === true ? u <= range.min : u < range.min)) return false;
    if (range.max !== undefined && (range.exclusiveMax === true ? u >= range.max : u > range.max)) return false;
    return true;
  };
  return new t.Type(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

/**
 * Returns a codec of the given strings.
 *
 * @example oneOf(['adam', 'adamw'] as const) // "one of 'adam', 'adamw'"
 */
export function oneOf<L extends string>(values: readonly L[]): t.Type<L, L, unknown> {
  const name = `one of ${values.map((v) => `'${v}'`).join(', ')}`;
  const is = (u: unknown): u is L => typeof u === 'string' && (values as readonly string[]).includes(u);
  return new t.Type(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

/** Codec of non-empty strings. */
export const nonEmptyString: t.Type<string, string, unknown> = new t.Type(
  'a non-empty string',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** The decoded type of a closed object: required fields plus optional ones. */
export type ClosedOf<R extends t.Props, O extends t.Props> = { readonly [K in keyof R]: t.TypeOf<R[K]> } & {
  readonly [K in keyof O]?: t.TypeOf<O[K]>;
};

/**
 * Returns a codec of objects with `required` and `optional` fields and no others. Every field
 * is checked, so one decode reports every problem. A field not listed is an error naming the
 * known fields. An optional field that is absent or `undefined` is left out of the result.
 *
 * @example closedObject('model', { nLayer: integer(1) }, { nHead: integer(1) })
 */
export function closedObject<R extends t.Props, O extends t.Props>(name: string, required: R, optional: O): t.Type<ClosedOf<R, O>, ClosedOf<R, O>, unknown> {
  const known = [...Object.keys(required), ...Object.keys(optional)];
  const validate = (u: unknown, c: t.Context): t.Validation<ClosedOf<R, O>> => {
    if (!isPlainObject(u)) return t.failure(u, c, `expected ${name} (an object with fields ${known.join(', ')})`);
    const errors: t.ValidationError[] = [];
    const out: Record<string, unknown> = {};
    const check = (key: string, codec: t.Mixed): void => {
      const result = codec.validate(u[key], t.appendContext(c, key, codec, u[key]));
      if (isLeft(result)) errors.push(...result.left);
      else out[key] = result.right;
    };
    for (const [key, codec] of Object.entries(required)) check(key, codec);
    for (const [key, codec] of Object.entries(optional)) if (u[key] !== undefined) check(key, codec);
    for (const key of Object.keys(u)) {
      if (!known.includes(key)) {
        errors.push({ value: u[key], context: t.appendContext(c, key, t.unknown, u[key]), message: `unknown field; ${name} has the fields ${known.join(', ')}` });
      }
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out as ClosedOf<R, O>);
  };
  return new t.Type(name, (u): u is ClosedOf<R, O> => !isLeft(validate(u, [])), validate, t.identity);
}

/**
 * Returns a codec of a union of objects distinguished by the string field `tag`. An unknown tag
 * is an error at `<path>.<tag>` listing the known ones. Otherwise the member of that tag decodes
 * the object.
 *
 * @example taggedUnion('schedule', 'name', { constant: closedObject('constant', { name: oneOf(['constant']) }, {}) })
 */
export function taggedUnion<M extends Record<string, t.Mixed>>(name: string, tag: string, members: M): t.Type<t.TypeOf<M[keyof M]>, t.TypeOf<M[keyof M]>, unknown> {
  const tags = Object.keys(members);
  const validate = (u: unknown, c: t.Context): t.Validation<t.TypeOf<M[keyof M]>> => {
    if (!isPlainObject(u)) return t.failure(u, c, `expected ${name} (an object with a '${tag}' field: ${tags.join(', ')})`);
    const value = u[tag];
    if (typeof value !== 'string' || !Object.hasOwn(members, value)) {
      return t.failure(value, t.appendContext(c, tag, t.string, value), `expected one of ${tags.map((x) => `'${x}'`).join(', ')}`);
    }
    return members[value].validate(u, c) as t.Validation<t.TypeOf<M[keyof M]>>;
  };
  return new t.Type(name, (u): u is t.TypeOf<M[keyof M]> => !isLeft(validate(u, [])), validate, t.identity);
}

/**
 * Returns a codec of arrays of at least `minLength` elements (default 1), each decoded by
 * `element`. Every invalid element is reported at its index.
 */
export function arrayOf<C extends t.Mixed>(element: C, minLength = 1): t.Type<readonly t.TypeOf<C>[], readonly t.TypeOf<C>[], unknown> {
  const name = minLength > 0 ? `a list of at least ${minLength} of ${element.name}` : `a list of ${element.name}`;
  const validate = (u: unknown, c: t.Context): t.Validation<readonly t.TypeOf<C>[]> => {
    if (!Array.isArray(u) || u.length < minLength) return t.failure(u, c);
    const errors: t.ValidationError[] = [];
    const out: t.TypeOf<C>[] = [];
    u.forEach((item, i) => {
      const result = element.validate(item, t.appendContext(c, String(i), element, item));
      if (isLeft(result)) errors.push(...result.left);
      else out.push(result.right);
    });
    return errors.length > 0 ? t.failures(errors) : t.success(out);
  };
  return new t.Type(name, (u): u is readonly t.TypeOf<C>[] => !isLeft(validate(u, [])), validate, t.identity);
}

/**
 * Returns a codec that decodes a value with the first branch whose `accepts` test is true, so
 * errors come from one branch. For example, a size is a number or a ramp object, distinguished
 * by `typeof`.
 */
export function dispatch<A>(name: string, branches: readonly (readonly [accepts: (u: unknown) => boolean, codec: t.Decoder<unknown, A>])[]): t.Type<A, A, unknown> {
  const validate = (u: unknown, c: t.Context): t.Validation<A> => {
    const branch = branches.find(([accepts]) => accepts(u));
    return branch === undefined ? t.failure(u, c, `expected ${name}`) : branch[1].validate(u, c);
  };
  return new t.Type(name, (u): u is A => !isLeft(validate(u, [])), validate, t.identity);
}

/** True for `{...}` objects (not arrays, not null). */
export function isPlainObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}
