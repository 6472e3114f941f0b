import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../../application/ticket/pagination';

const PAGE_SIZE_RULE = `must be an integer from 1 to ${MAX_PAGE_SIZE}`;

/** `?limit=`: the page size, 1 to MAX_PAGE_SIZE (default DEFAULT_PAGE_SIZE). */
export const pageLimit = z
  .string()
  .regex(/^\d{1,4}$/, PAGE_SIZE_RULE)
  .transform(Number)
  .pipe(z.number().int().min(1, PAGE_SIZE_RULE).max(MAX_PAGE_SIZE, PAGE_SIZE_RULE))
  .meta({ description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`, example: '20' });

/** `?cursor=`: opaque; only its length is checked here, the use case decodes it. */
export const pageCursor = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'is not a cursor this API issued')
  .meta({ description: 'The `nextCursor` of the previous page; omit it for the first page.', example: 'WyJ0IiwxNzY0NTAwMDAwMDAwLCI2NjUwZjBjMmExYjJjM2Q0ZTVmNjA3MTgiXQ' });

/** The query of a plain paginated list. Query strings are strict: a misspelt parameter is refused. */
export const pageQuery = z.strictObject({ cursor: pageCursor.optional(), limit: pageLimit.optional() });
