import { z } from 'zod';
import type { $ZodRawIssue, $ZodIssue } from 'zod/v4/core';
import { ErrorDetail } from '../../../domain/shared/domain-error';
import { ApiError } from '../errors/api-error';

/** Which part of the request a schema reads: names the field of a whole-part problem. */
export type RequestPart = 'body' | 'query' | 'path' | 'header';

/**
 * Parses a request part with a zod schema; refuses with 400 and one detail per bad field,
 * each saying what is expected. Schemas are strict objects, so unknown fields are refused too.
 */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, part: RequestPart = 'body'): z.infer<T> {
  const result = schema.safeParse(value ?? {}, { error: clearMessage });
  if (result.success) return result.data;
  const details = dedupe(result.error.issues.flatMap((issue) => toDetails(issue, [], part)));
  const summary = details
    .slice(0, 3)
    .map((d) => `${d.field} ${d.issue}`)
    .join('; ');
  throw new ApiError(400, 'VALIDATION.INVALID_REQUEST', `the request is invalid: ${summary}${details.length > 3 ? '; ...' : ''}`, details);
}

/**
 * Messages for the issues a schema gives no message of its own: what was expected, in words
 * (schema-level messages, such as a regex's, win over these).
 */
function clearMessage(issue: $ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required (${describeType(issue.expected)})`;
      return `must be ${describeType(issue.expected)}, not ${describeValue(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `must be ${bound(issue.origin, issue.minimum, issue.inclusive ?? true, 'min')}`;
    case 'too_big':
      return `must be ${bound(issue.origin, issue.maximum, issue.inclusive ?? true, 'max')}`;
    case 'unrecognized_keys': {
      const known = knownKeys(issue.inst);
      return known.length > 0 ? `is not a field of this request (expected ${known.join(', ')})` : 'is not a field of this request';
    }
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return options.length > 0 ? `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}` : undefined;
      }
      const alternatives = unionAlternatives(issue.inst);
      return alternatives ? `expected one of: ${alternatives}` : undefined;
    }
    case 'invalid_format':
      return `must be ${issue.format === 'regex' ? `text matching ${String((issue as { pattern?: unknown }).pattern)}` : `a valid ${issue.format}`}`;
    default:
      return undefined;
  }
}

/**
 * One detail per field. An unknown-keys issue names each key; a union that no alternative
 * matched reports the closest alternative's problems (of the input's type, with the fewest),
 * or, when none is closer, the alternatives themselves and the fields none of them knows.
 */
function toDetails(issue: $ZodIssue, prefix: readonly PropertyKey[], part: RequestPart): ErrorDetail[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: fieldName([...path, key], part), issue: issue.message }));
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // An alternative whose type the input does not even have is the farthest of all.
    const distance = (branch: readonly $ZodIssue[]) => branch.length + (branch.some((i) => i.code === 'invalid_type' && i.path.length === 0) ? 1000 : 0);
    const fewest = Math.min(...issue.errors.map(distance));
    const closest = issue.errors.filter((branch) => distance(branch) === fewest);
    if (closest.length === 1) return closest[0]!.flatMap((inner) => toDetails(inner, path, part));
    const unknownEverywhere = commonUnknownKeys(issue.errors);
    return [
      ...unknownEverywhere.map((key) => ({ field: fieldName([...path, key], part), issue: 'is not a field of this request' })),
      { field: fieldName(path, part), issue: issue.message },
    ];
  }
  return [{ field: fieldName(path, part), issue: issue.message }];
}

function fieldName(path: readonly PropertyKey[], part: RequestPart): string {
  return path.length > 0 ? path.map(String).join('.') : `(${part})`;
}

function commonUnknownKeys(branches: readonly (readonly $ZodIssue[])[]): string[] {
  const perBranch = branches.map((branch) => new Set(branch.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : []))));
  const [first, ...rest] = perBranch;
  return [...(first ?? [])].filter((key) => rest.every((set) => set.has(key)));
}

function dedupe(details: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return details.filter((d) => {
    const key = `${d.field}\u0000${d.issue}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface SchemaLike {
  readonly _zod?: { readonly def?: { readonly type?: string; readonly shape?: Record<string, unknown>; readonly options?: readonly unknown[] } };
}

function knownKeys(inst: unknown): string[] {
  const shape = (inst as SchemaLike | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** `{body} | {contentSid, contentVariables?}` for a union of objects. */
function unionAlternatives(inst: unknown): string | null {
  const options = (inst as SchemaLike | undefined)?._zod?.def?.options ?? [];
  const shapes = options.map((option) => {
    const shape = (option as SchemaLike)._zod?.def?.shape;
    if (!shape) return null;
    const fields = Object.entries(shape).map(([key, field]) => ((field as SchemaLike)._zod?.def?.type === 'optional' ? `${key}?` : key));
    return `{${fields.join(', ')}}`;
  });
  return shapes.length > 0 && shapes.every((s) => s !== null) ? shapes.join(' or ') : null;
}

function describeType(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a JSON object';
    case 'array':
      return 'an array';
    case 'int':
      return 'an integer';
    default:
      return `a ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function bound(origin: string, limit: number | bigint | Date, inclusive: boolean, side: 'min' | 'max'): string {
  const n = Number(limit);
  const relation = side === 'min' ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
  switch (origin) {
    case 'string':
      return `${relation} ${n} character${n === 1 ? '' : 's'} long`;
    case 'array':
    case 'set':
      return `${relation} ${n} item${n === 1 ? '' : 's'}`;
    default:
      return `${relation} ${n}`;
  }
}
