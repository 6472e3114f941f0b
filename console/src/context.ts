import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { ApiClient, ConsoleConfig, Integration } from './api';
import { ApiError } from './api';
import type { Lang, Translate } from './i18n';
import type { LiveEventName, LiveEvents } from './live-events';
import type { Session } from './session';

export type ToastKind = 'info' | 'success' | 'error';

export interface Workspace {
  readonly t: Translate;
  readonly lang: Lang;
  readonly session: Session;
  readonly api: ApiClient;
  readonly live: LiveEvents;
  readonly config: ConsoleConfig;
  /** The company's integrations the viewer may see (all for admins, active ones for agents). */
  readonly integrations: readonly Integration[];
  toast(text: string, kind?: ToastKind): void;
}

export const WorkspaceContext = createContext<Workspace | null>(null);

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace outside the workspace');
  return workspace;
}

/** Subscribes to live events for the component's lifetime; the latest handler is always called. */
export function useLiveEvent<T>(names: LiveEventName | readonly LiveEventName[], handler: (data: T, name: LiveEventName) => void): void {
  const { live } = useWorkspace();
  const latest = useRef(handler);
  latest.current = handler;
  const key = typeof names === 'string' ? names : names.join(' ');
  useEffect(() => {
    const list = key.split(' ') as LiveEventName[];
    const offs = list.map((name) => live.on(name, (data, n) => latest.current(data as T, n)));
    return () => offs.forEach((off) => off());
  }, [live, key]);
}

/** A person-readable line for a failed call. */
export function describeError(t: Translate, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('error.network');
    if (error.status === 401) return t('error.unauthorized');
    const details = error.details.map((d) => `${d.field}: ${d.issue}`).join('; ');
    return details ? `${error.message} (${details})` : error.message;
  }
  return t('error.generic', { message: error instanceof Error ? error.message : String(error) });
}

export function integrationLabel(integration: Integration | undefined, fallback: string): string {
  if (!integration) return fallback;
  return integration.friendlyName ? `${integration.friendlyName} (${integration.whatsappNumber})` : integration.whatsappNumber;
}
