import { ATTACHMENT_LIMITS as DOMAIN_LIMITS, ATTACHMENT_TYPES as DOMAIN_TYPES, attachmentRuleFor } from '../../../src/domain/message/attachment-policy';
import { MAX_CAPTION_LENGTH as DOMAIN_MAX_CAPTION, MAX_REPLY_PARTS } from '../../../src/domain/message/reply';
import { ACCEPT, ATTACHMENT_LIMITS, ATTACHMENT_TYPES, EXTENSION_TYPES, MAX_CAPTION_LENGTH, MAX_FILES, addFiles, contentTypeOf, formatSize } from '../../../console/src/attachments';

/** The reply box's own check of files: the API's rules, before anything is sent. */

const MB = 1024 * 1024;
const file = (name: string, size: number, type: string) => ({ name, size, type });

describe('console attachment rules', () => {
  it('are the API’s: the same types, limits, file count and caption length', () => {
    expect(ATTACHMENT_TYPES).toEqual(DOMAIN_TYPES);
    expect(ATTACHMENT_LIMITS).toEqual(DOMAIN_LIMITS);
    expect(MAX_FILES).toBe(MAX_REPLY_PARTS);
    expect(MAX_CAPTION_LENGTH).toBe(DOMAIN_MAX_CAPTION);
    // Every extension the console infers a type from names a type the API takes.
    for (const [ext, type] of Object.entries(EXTENSION_TYPES)) expect([ext, attachmentRuleFor(type, `x.${ext}`).contentType]).toEqual([ext, type]);
    for (const type of Object.keys(DOMAIN_TYPES)) expect(ACCEPT.split(',')).toContain(type);
  });

  it('takes the browser’s type, else the extension’s (the API judges the declared type)', () => {
    expect(contentTypeOf(file('a.pdf', 1, 'application/pdf'))).toBe('application/pdf');
    expect(contentTypeOf(file('voice.OPUS', 1, ''))).toBe('audio/ogg');
    expect(contentTypeOf(file('voice.m4a', 1, 'audio/x-m4a'))).toBe('audio/mp4');
    expect(contentTypeOf(file('setup.exe', 1, 'application/x-msdownload'))).toBe('application/x-msdownload');
    expect(contentTypeOf(file('noext', 1, ''))).toBe('');
  });

  it('refuses a type WhatsApp does not take, a file past its kind’s limit, and an 11th file; takes the rest', () => {
    const result = addFiles(
      [],
      [
        file('setup.exe', 10, 'application/x-msdownload'),
        file('photo.png', 5 * MB, 'image/png'),
        file('big.jpg', 5 * MB + 1, 'image/jpeg'),
        file('film.mp4', 16 * MB + 1, 'video/mp4'),
        file('doc.pdf', 16 * MB, 'application/pdf'),
      ],
    );
    expect(result.files.map((f) => f.name)).toEqual(['photo.png', 'doc.pdf']);
    expect(result.refused).toEqual([
      { reason: 'type', name: 'setup.exe', type: 'application/x-msdownload' },
      { reason: 'size', name: 'big.jpg', kind: 'image', limitMb: 5 },
      { reason: 'size', name: 'film.mp4', kind: 'video', limitMb: 16 },
    ]);

    const nine = Array.from({ length: 9 }, (_, i) => file(`${i}.txt`, 1, 'text/plain'));
    const more = addFiles(nine, [file('9.txt', 1, 'text/plain'), file('10.txt', 1, 'text/plain')]);
    expect(more.files).toHaveLength(10);
    expect(more.refused).toEqual([{ reason: 'count', name: '10.txt', max: 10 }]);
  });

  it('writes sizes for people', () => {
    expect(formatSize(820, 'en')).toBe('820 B');
    expect(formatSize(12 * 1024 + 300, 'en')).toBe('12 KB');
    expect(formatSize(3.45 * MB, 'en')).toBe('3.5 MB');
    expect(formatSize(3.45 * MB, 'pt')).toBe('3,5 MB');
  });
});
