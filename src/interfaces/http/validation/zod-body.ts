import { z } from 'zod';
import { ApiError } from '../errors/api-error';

/**
 * Parses a request part with a zod schema; refuses with 400 and one detail per bad field.
 * Schemas are strict objects, so unknown fields are refused too.
 */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '(body)',
    issue: issue.message,
  }));
  throw new ApiError(400, 'VALIDATION.INVALID_REQUEST', 'the request is invalid', details);
}
