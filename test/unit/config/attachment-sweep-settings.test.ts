import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServiceEnvironment } from '../../../src/infrastructure/config/service-environment';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zapdesk-attachment-sweep-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ATTACHMENT_SWEEP_INTERVAL_MS and UNSENT_ATTACHMENT_TTL_MS', () => {
  it('default to a sweep every hour of files unsent for 24 h, and take whole milliseconds', () => {
    expect(readServiceEnvironment({ ZAPDESK_DATA_DIR: dir }).attachmentSweep).toEqual({ intervalMs: 3_600_000, unsentTtlMs: 86_400_000 });
    expect(readServiceEnvironment({ ZAPDESK_DATA_DIR: dir, ATTACHMENT_SWEEP_INTERVAL_MS: '60000', UNSENT_ATTACHMENT_TTL_MS: '7200000' }).attachmentSweep).toEqual({
      intervalMs: 60_000,
      unsentTtlMs: 7_200_000,
    });
  });

  it('stops the start with a message naming the variable for anything else', () => {
    for (const bad of ['-1', '1.5', 'hourly', '0', '999']) {
      expect(() => readServiceEnvironment({ ZAPDESK_DATA_DIR: dir, ATTACHMENT_SWEEP_INTERVAL_MS: bad })).toThrow(/ATTACHMENT_SWEEP_INTERVAL_MS must be a whole number/);
    }
    // Under an hour an upload still under way could look orphaned: refused.
    for (const bad of ['-1', '1.5', '1d', '0', '3599999']) {
      expect(() => readServiceEnvironment({ ZAPDESK_DATA_DIR: dir, UNSENT_ATTACHMENT_TTL_MS: bad })).toThrow(/UNSENT_ATTACHMENT_TTL_MS must be a whole number of milliseconds of at least 3600000/);
    }
  });
});
