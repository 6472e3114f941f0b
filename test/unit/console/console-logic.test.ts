import jwt from 'jsonwebtoken';
import { WHATSAPP_WINDOW_MS, newer, windowLeft } from '../../../console/src/format';
import { DICTIONARIES, translator, type MessageKey } from '../../../console/src/i18n';
import { readSession } from '../../../console/src/session';

/** The console's logic that needs no browser: claims, the 24-hour window, the UI text. */

describe('console session', () => {
  const token = (claims: object, options: jwt.SignOptions = {}) => jwt.sign(claims, 'any-secret', { algorithm: 'HS256', ...options });

  it('reads role, company and user from a token (a pasted "Bearer " prefix is dropped)', () => {
    const raw = token({ sub: 'ana', companyId: 'acme', role: 'agent' }, { expiresIn: '1h' });
    const session = readSession(`  Bearer ${raw}\n`);
    expect(session).toMatchObject({ token: raw, userId: 'ana', companyId: 'acme', role: 'agent' });
    expect(typeof session === 'object' && session.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('refuses what is not a Zapdesk token, and expired tokens', () => {
    expect(readSession('not a token')).toBe('invalid');
    expect(readSession('a.b.c')).toBe('invalid');
    expect(readSession(token({ sub: 'ana', companyId: 'acme', role: 'owner' }))).toBe('invalid');
    expect(readSession(token({ sub: 'ana', companyId: 'acme', role: 'admin', exp: Math.floor(Date.now() / 1000) - 10 }))).toBe('expired');
  });

  it('decodes UTF-8 claims', () => {
    expect(readSession(token({ sub: 'joão', companyId: 'acme', role: 'admin' }))).toMatchObject({ userId: 'joão' });
  });
});

describe('the 24-hour window', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it('is open for 24 hours after the customer last wrote, then closed; never open without an inbound message', () => {
    expect(windowLeft(new Date(now - 60_000).toISOString(), now)).toBe(WHATSAPP_WINDOW_MS - 60_000);
    expect(windowLeft(new Date(now - WHATSAPP_WINDOW_MS).toISOString(), now)).toBe(0);
    expect(windowLeft(new Date(now - WHATSAPP_WINDOW_MS - 1).toISOString(), now)).toBe(0);
    expect(windowLeft(null, now)).toBeNull();
  });

  it('keeps the newest version of a record', () => {
    const older = { updatedAt: '2026-11-30T12:00:00.000Z' };
    const later = { updatedAt: '2026-11-30T12:00:01.000Z' };
    expect(newer(undefined, older)).toBe(true);
    expect(newer(later, older)).toBe(false);
    expect(newer(older, later)).toBe(true);
  });
});

describe('UI text', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('has every English text in Portuguese, with the same placeholders', () => {
    const keys = Object.keys(DICTIONARIES.en) as MessageKey[];
    expect(Object.keys(DICTIONARIES.pt).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(DICTIONARIES.pt[key].trim()).not.toBe('');
      expect([key, placeholders(DICTIONARIES.pt[key])]).toEqual([key, placeholders(DICTIONARIES.en[key])]);
    }
  });

  it('fills placeholders and leaves unknown ones', () => {
    expect(translator('pt')('tickets.unread', { count: 3 })).toBe('3 não lidas');
    expect(translator('en')('conv.failed', {})).toBe('Not delivered: {reason}');
  });
});
