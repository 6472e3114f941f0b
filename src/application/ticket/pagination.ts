import { InvalidValueError } from '../../domain/shared/domain-error';
import { ReadPage, SortKey } from '../ports/ticket-read-model.port';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** One page of a list as the API answers it. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass it back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Which list a cursor belongs to: a ticket cursor is refused on a message list and vice versa. */
export type CursorKind = 'tickets' | 'messages' | 'notifications';

const TAG: Record<CursorKind, string> = { tickets: 't', messages: 'm', notifications: 'n' };
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Opaque to clients: base64url of `[kind, epoch ms, id]`. */
export function encodeCursor(kind: CursorKind, key: SortKey): string {
  return Buffer.from(JSON.stringify([TAG[kind], key.at.getTime(), key.id]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: CursorKind, raw: string): SortKey {
  const refuse = (): never => {
    throw new InvalidValueError('cursor', 'is not a cursor this list issued; use nextCursor from a previous page');
  };
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(raw)) return refuse();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return refuse();
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) return refuse();
  const [tag, at, id] = decoded as unknown[];
  if (tag !== TAG[kind] || !Number.isSafeInteger(at) || typeof id !== 'string' || !ID_PATTERN.test(id)) return refuse();
  const date = new Date(at as number);
  if (Number.isNaN(date.getTime())) return refuse();
  return { at: date, id };
}

/** The page size asked for, checked again here so every caller of the core gets the same rule. */
export function checkedPageSize(limit: number | null): number {
  if (limit === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new InvalidValueError('limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  return limit;
}

export function toPage<T>(kind: CursorKind, page: ReadPage<T>): Page<T> {
  return { items: page.items, nextCursor: page.next ? encodeCursor(kind, page.next) : null };
}
