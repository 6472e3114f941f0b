/** E11000. FerretDB does not say which index was violated, so callers re-check themselves. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
