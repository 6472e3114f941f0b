import { MAX_CAPTION_LENGTH, planReplyParts, replyPartId, replyPartIds, replyStatus } from '../../../src/domain/message/reply';

describe('a reply of several messages', () => {
  it('shows the status of its slowest part, failed when any part failed', () => {
    expect(replyStatus(['delivered', 'sent', 'read'])).toBe('sent');
    expect(replyStatus(['read', 'queued', 'delivered'])).toBe('queued');
    expect(replyStatus(['delivered', 'undelivered', 'read'])).toBe('undelivered');
    expect(replyStatus(['undelivered', 'failed', 'sending'])).toBe('failed');
  });

  it('gives its parts ids that sort in part order right after the reply id', () => {
    const ids = replyPartIds('6650f2e4a1b2c3d4e5f60731', 10);
    expect(ids[0]).toBe('6650f2e4a1b2c3d4e5f60731');
    expect(replyPartId('6650f2e4a1b2c3d4e5f60731', 3)).toBe('6650f2e4a1b2c3d4e5f60731-03');
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => id < '6650f2e4a1b2c3d4e5f60732')).toBe(true);
  });

  it('puts one file per message, the caption on the first; refuses more than 10 files or a caption over 1,024 characters', () => {
    const media = [{ url: 'attachment:a', contentType: 'application/pdf' }, { url: 'attachment:b', contentType: 'image/png' }];
    expect(planReplyParts({ body: 'Segue', media })).toEqual([{ body: 'Segue', media: [media[0]] }, { body: '', media: [media[1]] }]);
    expect(() => planReplyParts({ body: '', media: Array.from({ length: 11 }, () => media[0]!) })).toThrow(/at most 10 attachments/);
    expect(() => planReplyParts({ body: 'x'.repeat(MAX_CAPTION_LENGTH + 1), media })).toThrow(/at most 1024 characters/);
    expect(() => planReplyParts({ body: '  ', media: [] })).toThrow(/must not be empty/);
  });
});
