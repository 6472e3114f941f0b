/** What the console keeps in the browser: the language (localStorage) and the token (sessionStorage, this tab only). */
import type { Lang } from './i18n';
import { readSession, type Session } from './session';

const LANG_KEY = 'zapdesk.console.lang';

export function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (stored === 'en' || stored === 'pt') return stored;
  } catch {
    /* storage may be disabled */
  }
  return navigator.language.toLowerCase().startsWith('pt') ? 'pt' : 'en';
}

export function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* storage may be disabled */
  }
  document.documentElement.lang = lang === 'pt' ? 'pt-BR' : 'en';
}

const TOKEN_KEY = 'zapdesk.console.token';

export function storedSession(): Session | null {
  try {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return null;
    const session = readSession(token);
    return typeof session === 'string' ? null : session;
  } catch {
    return null;
  }
}

export function storeSession(session: Session | null): void {
  try {
    if (session) sessionStorage.setItem(TOKEN_KEY, session.token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage may be disabled: the session then lasts until reload */
  }
}
