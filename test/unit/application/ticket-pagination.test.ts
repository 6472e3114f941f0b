import fc from 'fast-check';
import { MAX_PAGE_SIZE, checkedPageSize, decodeCursor, encodeCursor, toPage } from '../../../src/application/ticket/pagination';
import { InvalidValueError } from '../../../src/domain/shared/domain-error';

const sortKey = fc.record({
  at: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }),
  id: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
});

describe('list cursors', () => {
  it('decode(encode(key)) is the key, and the cursor is URL-safe', () => {
    fc.assert(
      fc.property(sortKey, fc.constantFrom('tickets' as const, 'messages' as const), (key, kind) => {
        const cursor = encodeCursor(kind, key);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(kind, cursor)).toEqual(key);
      }),
    );
  });

  it('a cursor of one list is refused by the other', () => {
    const cursor = encodeCursor('tickets', { at: new Date(1), id: 'abc' });
    expect(() => decodeCursor('messages', cursor)).toThrow(InvalidValueError);
  });

  it('anything that is not an issued cursor is an invalid value (400), never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.json().map((json) => Buffer.from(json).toString('base64url'))), (raw) => {
        try {
          // What decodes is a well-formed sort key.
          const key = decodeCursor('tickets', raw);
          expect(Number.isNaN(key.at.getTime())).toBe(false);
          expect(key.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidValueError);
          expect((error as InvalidValueError).details).toEqual([expect.objectContaining({ field: 'cursor' })]);
        }
      }),
    );
  });

  it('page size: default 50, 1..200, anything else refused', () => {
    expect(checkedPageSize(null)).toBe(50);
    expect(checkedPageSize(1)).toBe(1);
    expect(checkedPageSize(MAX_PAGE_SIZE)).toBe(MAX_PAGE_SIZE);
    for (const bad of [0, -1, 1.5, MAX_PAGE_SIZE + 1, Number.NaN]) expect(() => checkedPageSize(bad)).toThrow(InvalidValueError);
  });

  it('a page has a cursor only when more items follow', () => {
    expect(toPage('tickets', { items: [1], next: null })).toEqual({ items: [1], nextCursor: null });
    const page = toPage('messages', { items: [1, 2], next: { at: new Date(5), id: 'x' } });
    expect(decodeCursor('messages', page.nextCursor!)).toEqual({ at: new Date(5), id: 'x' });
  });
});
