import type { Lang, Translate } from './i18n';

export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export function ago(t: Translate, iso: string, now = Date.now()): string {
  const ms = Math.max(0, now - Date.parse(iso));
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return t('time.justNow');
  if (minutes < 60) return t('time.minutesAgo', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('time.hoursAgo', { n: hours });
  return t('time.daysAgo', { n: Math.floor(hours / 24) });
}

export function duration(t: Translate, ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  return t('time.duration', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

export function clockTime(lang: Lang, iso: string): string {
  const date = new Date(iso);
  const sameDay = new Date().toDateString() === date.toDateString();
  const locale = lang === 'pt' ? 'pt-BR' : 'en-GB';
  return sameDay
    ? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(locale, { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** Milliseconds left in the 24-hour customer-service window; 0 when closed, null when it never opened. */
export function windowLeft(lastInboundAt: string | null, now = Date.now()): number | null {
  if (!lastInboundAt) return null;
  return Math.max(0, Date.parse(lastInboundAt) + WHATSAPP_WINDOW_MS - now);
}

/** The newest version of a record wins (an API answer may arrive after a later event). */
export function newer<T extends { readonly updatedAt: string }>(current: T | undefined, incoming: T): boolean {
  return current === undefined || Date.parse(incoming.updatedAt) >= Date.parse(current.updatedAt);
}
