/** E11000: a unique index refused the write. Callers check which key themselves (the message text is not an API). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
