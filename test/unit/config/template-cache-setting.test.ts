import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServiceEnvironment } from '../../../src/infrastructure/config/service-environment';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zapdesk-template-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TEMPLATE_CACHE_MS', () => {
  it('defaults to 60 s, takes whole milliseconds, 0 turning the cache off', () => {
    expect(readServiceEnvironment({ ZAPDESK_DATA_DIR: dir }).templateCacheMs).toBe(60_000);
    expect(readServiceEnvironment({ ZAPDESK_DATA_DIR: dir, TEMPLATE_CACHE_MS: '1500' }).templateCacheMs).toBe(1500);
    expect(readServiceEnvironment({ ZAPDESK_DATA_DIR: dir, TEMPLATE_CACHE_MS: '0' }).templateCacheMs).toBe(0);
  });

  it('stops the start with a message naming the variable for anything else', () => {
    for (const bad of ['-1', '1.5', 'soon', '60s']) {
      expect(() => readServiceEnvironment({ ZAPDESK_DATA_DIR: dir, TEMPLATE_CACHE_MS: bad })).toThrow(/TEMPLATE_CACHE_MS/);
    }
  });
});
