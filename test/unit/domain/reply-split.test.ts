import fc from 'fast-check';
import { splitReplyBody } from '../../../src/domain/message/reply-split';

/** Walks `body` along `parts`: each part appears in order, separated only by whitespace. */
function assertPartsTileBody(body: string, parts: readonly string[]): void {
  let position = 0;
  for (const part of parts) {
    while (position < body.length && /\s/.test(body[position]!) && !body.startsWith(part, position)) position += 1;
    expect(body.startsWith(part, position)).toBe(true);
    position += part.length;
  }
  expect(body.slice(position).trim()).toBe('');
}

const word = fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom('a', 'b', 'é', 'z', '😀', '1') });
const separator = fc.constantFrom(' ', ' ', ' ', '. ', '! ', '\n', '\n\n', '.\n\n', '  ', '?" ');
const prose = fc.array(fc.tuple(word, separator), { minLength: 1, maxLength: 800 }).map((pairs) => pairs.map(([w, s]) => w + s).join(''));
const anyText = fc.oneof(prose, fc.string({ maxLength: 6000 }), fc.string({ minLength: 1700, maxLength: 5000, unit: fc.constantFrom('x', '😀') }));

describe('splitReplyBody', () => {
  it('keeps a body within the limit as one part, untouched', () => {
    expect(splitReplyBody('  Olá!  ', 1600)).toEqual(['  Olá!  ']);
  });

  it('cuts at a paragraph break before a sentence end, and at a sentence end before a word', () => {
    const first = 'a'.repeat(10) + '. ' + 'b'.repeat(5);
    expect(splitReplyBody(`${first}\n\n${'c'.repeat(10)}`, 20)).toEqual([first, 'c'.repeat(10)]);
    expect(splitReplyBody(`${'a'.repeat(12)}. ${'b'.repeat(3)} ${'c'.repeat(10)}`, 20)).toEqual([`${'a'.repeat(12)}.`, `${'b'.repeat(3)} ${'c'.repeat(10)}`]);
    expect(splitReplyBody(`${'a'.repeat(12)} ${'b'.repeat(12)}`, 20)).toEqual(['a'.repeat(12), 'b'.repeat(12)]);
  });

  it('cuts an unbroken run at the limit, never inside a surrogate pair', () => {
    expect(splitReplyBody('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    expect(splitReplyBody(`${'x'.repeat(9)}😀yy`, 10)).toEqual(['x'.repeat(9), '😀yy']);
  });

  it('makes 5,000 characters of prose four parts of at most 1,600', () => {
    // Four paragraphs of 1,248 characters: two never fit in one part.
    const paragraph = `${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(22).slice(0, 1247)}.`;
    const body = Array.from({ length: 4 }, () => paragraph).join('\n\n').padEnd(5000, '!');
    expect(body).toHaveLength(5000);
    const parts = splitReplyBody(body, 1600);
    expect(parts).toHaveLength(4);
    expect(parts.slice(0, 3)).toEqual([paragraph, paragraph, paragraph]);
    assertPartsTileBody(body, parts);
  });

  it('properties: every part fits and is not blank-padded, the parts tile the body in order (whitespace at cuts aside)', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 2, max: 1600 }), (body, max) => {
        const parts = splitReplyBody(body, max);
        for (const part of parts) expect(part.length).toBeLessThanOrEqual(max);
        if (body.length > max) for (const part of parts) expect(part.length).toBeGreaterThan(0);
        assertPartsTileBody(body, parts);
        expect(parts.join('').replace(/\s/g, '')).toBe(body.replace(/\s/g, ''));
      }),
      { numRuns: 300 },
    );
  });

  it('property: prose (words far shorter than the limit) never yields a part below half the limit but the last', () => {
    fc.assert(
      fc.property(prose, fc.integer({ min: 200, max: 1600 }), (body, max) => {
        const parts = splitReplyBody(body, max);
        for (const part of parts.slice(0, -1)) expect(part.length).toBeGreaterThanOrEqual(Math.ceil(max / 2) - 3);
      }),
      { numRuns: 200 },
    );
  });
});
