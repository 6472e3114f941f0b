/**
 * Splitting a long reply into WhatsApp messages Twilio accepts: each part at most
 * `maxLength` characters (UTF-16 code units, as Twilio counts the 1,600 of a `Body`).
 *
 * A cut goes at the last paragraph break that fits, else the last sentence end, else the
 * last whitespace, else (one unbroken run of text) at the limit itself, never inside a
 * surrogate pair. A boundary only counts if it keeps at least half of the part: a paragraph
 * break near the start of the window would otherwise make a tiny part and waste the
 * part budget. The whitespace at a cut is dropped; nothing else is.
 */

/** Paragraph break: a line break, blank space, another line break. The cut goes before it. */
const PARAGRAPH_BREAK = /\n[^\S\n]*\n/g;
/** Sentence end: terminal punctuation (with closing quotes/brackets) followed by whitespace. The cut goes after the punctuation. */
const SENTENCE_END = /[.!?…。](?:["'”’)\]]*)(?=\s)/g;
const WHITESPACE = /\s/g;

export function splitReplyBody(body: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new RangeError('maxLength must be an integer of at least 2');
  if (body.length <= maxLength) return [body];
  const parts: string[] = [];
  let rest = body;
  while (rest.length > maxLength) {
    const cut = cutPoint(rest, maxLength);
    const part = rest.slice(0, cut).trimEnd();
    if (part.length > 0) parts.push(part);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/** Where to end the next part of `text` (longer than `maxLength`). */
function cutPoint(text: string, maxLength: number): number {
  // One character past the limit: a boundary that starts right at the limit still counts.
  const window = text.slice(0, maxLength + 1);
  const minimum = Math.ceil(maxLength / 2);
  const byParagraph = lastMatch(window, PARAGRAPH_BREAK, (m) => m.index, minimum, maxLength);
  if (byParagraph !== null) return byParagraph;
  const bySentence = lastMatch(window, SENTENCE_END, (m) => m.index + m[0].length, minimum, maxLength);
  if (bySentence !== null) return bySentence;
  const byWord = lastMatch(window, WHITESPACE, (m) => m.index, 1, maxLength);
  // A word boundary below the half is still better than cutting a word, but the cut must leave text in the part.
  if (byWord !== null && window.slice(0, byWord).trim().length > 0) return byWord;
  return isHighSurrogate(text.charCodeAt(maxLength - 1)) ? maxLength - 1 : maxLength;
}

function lastMatch(window: string, pattern: RegExp, cutOf: (match: RegExpExecArray) => number, minimum: number, maximum: number): number | null {
  let best: number | null = null;
  const regex = new RegExp(pattern.source, pattern.flags);
  for (let match = regex.exec(window); match !== null; match = regex.exec(window)) {
    const cut = cutOf(match);
    if (cut >= minimum && cut <= maximum) best = cut;
    if (match[0].length === 0) regex.lastIndex += 1;
  }
  return best;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
