import type { ComponentChild } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient, loadConsoleConfig, type ConsoleConfig, type Integration, type Notification } from './api';
import { Conversation } from './components/conversation';
import { IntegrationsView } from './components/integrations';
import { NotificationsPanel } from './components/notifications';
import { SignIn } from './components/sign-in';
import { SimulatorPanel } from './components/simulator';
import { TicketList, type TicketFilterState } from './components/ticket-list';
import { WorkspaceContext, describeError, type ToastKind, type Workspace } from './context';
import { translator, type Lang, type Translate } from './i18n';
import { LiveEvents, type LiveState } from './live-events';
import type { Session } from './session';
import { initialLang, storeLang, storeSession, storedSession } from './storage';

/** `#/tickets`, `#/tickets/<id>`, `#/integrations`: a reload keeps the place. */
interface Route {
  readonly view: 'tickets' | 'integrations';
  readonly ticketId: string | null;
}

function readRoute(): Route {
  const parts = window.location.hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'integrations') return { view: 'integrations', ticketId: null };
  return { view: 'tickets', ticketId: parts[0] === 'tickets' && parts[1] ? decodeURIComponent(parts[1]) : null };
}

function writeRoute(route: Route): void {
  const hash = route.view === 'integrations' ? '#/integrations' : route.ticketId ? `#/tickets/${encodeURIComponent(route.ticketId)}` : '#/tickets';
  if (window.location.hash !== hash) window.history.pushState(null, '', hash);
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [session, setSession] = useState<Session | null>(storedSession);
  const t = useMemo(() => translator(lang), [lang]);

  useEffect(() => {
    storeLang(lang);
    document.title = t('app.title');
  }, [lang, t]);
  useEffect(() => {
    void loadConsoleConfig().then(setConfig);
  }, []);

  const signIn = (next: Session) => {
    storeSession(next);
    setSession(next);
  };
  const signOut = useCallback(() => {
    storeSession(null);
    setSession(null);
  }, []);

  const languageSwitch = <LanguageSwitch t={t} lang={lang} onChange={setLang} />;
  if (!session) {
    return (
      <>
        <div class="top-right">{languageSwitch}</div>
        <SignIn t={t} config={config} onSignedIn={signIn} />
      </>
    );
  }
  return <Shell key={session.token} t={t} lang={lang} session={session} config={config ?? { simulatorUrl: null, demo: null }} languageSwitch={languageSwitch} onSignOut={signOut} />;
}

function LanguageSwitch({ t, lang, onChange }: { readonly t: Translate; readonly lang: Lang; readonly onChange: (lang: Lang) => void }) {
  return (
    <label class="lang">
      <span class="visually-hidden">{t('lang.label')}</span>
      <select name="lang" value={lang} onChange={(event) => onChange((event.target as HTMLSelectElement).value as Lang)} aria-label={t('lang.label')}>
        <option value="en" lang="en">
          English
        </option>
        <option value="pt" lang="pt-BR">
          Português
        </option>
      </select>
    </label>
  );
}

interface Toast {
  readonly id: number;
  readonly text: string;
  readonly kind: ToastKind;
}

let toastIds = 0;

interface ShellProps {
  readonly t: Translate;
  readonly lang: Lang;
  readonly session: Session;
  readonly config: ConsoleConfig;
  readonly languageSwitch: ComponentChild;
  readonly onSignOut: () => void;
}

function Shell({ t, lang, session, config, languageSwitch, onSignOut }: ShellProps) {
  const api = useMemo(() => new ApiClient(session.token, onSignOut), [session.token, onSignOut]);
  const live = useMemo(() => new LiveEvents(session.token), [session.token]);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const [integrations, setIntegrations] = useState<Integration[]>([]);
  const [notifications, setNotifications] = useState<Notification[]>([]);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [route, setRoute] = useState<Route>(readRoute);
  const [filters, setFilters] = useState<TicketFilterState>({ status: '', integrationId: '' });
  const [panel, setPanel] = useState<'notifications' | 'simulator' | null>(null);
  const isAdmin = session.role === 'admin';

  const toast = useCallback((text: string, kind: ToastKind = 'info') => {
    const id = (toastIds += 1);
    setToasts((current) => [...current.slice(-1), { id, text, kind }]);
    setTimeout(() => setToasts((current) => current.filter((x) => x.id !== id)), kind === 'error' ? 10_000 : 5000);
  }, []);

  const navigate = (next: Route) => {
    writeRoute(next);
    setRoute(next);
  };
  useEffect(() => {
    const onPop = () => setRoute(readRoute());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  // Escape closes the side panel, wherever the focus is.
  useEffect(() => {
    if (panel === null) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setPanel(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [panel]);

  useEffect(() => {
    const off = live.onState(setLiveState);
    live.start();
    return () => {
      off();
      live.stop();
    };
  }, [live]);

  useEffect(() => {
    (isAdmin ? api.listIntegrations() : api.listWhatsappIntegrations()).then(setIntegrations, (error: unknown) => toast(describeError(t, error), 'error'));
    api.listNotifications().then(setNotifications, () => undefined);
  }, [api]);

  const upsertIntegration = useCallback(
    (integration: Integration) =>
      setIntegrations((current) => {
        const others = current.filter((x) => x.id !== integration.id);
        // Agents see only the active numbers (GET /integrations/whatsapp).
        if (integration.removed || (!isAdmin && integration.status !== 'active')) return others;
        const existing = current.find((x) => x.id === integration.id);
        if (existing && Date.parse(existing.updatedAt) > Date.parse(integration.updatedAt)) return current;
        return [...others, integration].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
      }),
    [isAdmin],
  );

  useEffect(() => {
    const offs = [
      live.on('integration.updated', (data) => upsertIntegration(data as Integration)),
      live.on('notification.created', (data) => {
        const notification = data as Notification;
        setNotifications((current) => [notification, ...current.filter((n) => n.id !== notification.id)]);
        toast(notification.message, notification.kind === 'low_balance' ? 'info' : 'error');
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [live, upsertIntegration, toast]);

  const workspace: Workspace = useMemo(
    () => ({ t, lang, session, api, live, config, integrations, toast }),
    [t, lang, session, api, live, config, integrations, toast],
  );
  const unread = notifications.filter((n) => !n.read).length;
  const view = isAdmin ? route.view : 'tickets';

  return (
    <WorkspaceContext.Provider value={workspace}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top-bar">
        <h1>{t('app.title')}</h1>
        <nav aria-label={t('nav.label')}>
          <button type="button" class="tab" aria-current={view === 'tickets' ? 'page' : undefined} onClick={() => navigate({ view: 'tickets', ticketId: route.ticketId })}>
            {t('nav.tickets')}
          </button>
          {isAdmin && (
            <button type="button" class="tab" aria-current={view === 'integrations' ? 'page' : undefined} onClick={() => navigate({ view: 'integrations', ticketId: null })}>
              {t('nav.integrations')}
            </button>
          )}
        </nav>
        <span class={`live live-${liveState}`} role="status" aria-label={t('live.label', { state: t(`live.${liveState}`) })}>
          <span aria-hidden="true">●</span> {t(`live.${liveState}`)}
        </span>
        <div class="top-actions">
          {config.simulatorUrl && (
            <button type="button" class="secondary" aria-expanded={panel === 'simulator'} onClick={() => setPanel(panel === 'simulator' ? null : 'simulator')}>
              {t('nav.simulator')}
            </button>
          )}
          <button
            type="button"
            class="secondary notif-button"
            aria-expanded={panel === 'notifications'}
            aria-label={t('notif.button', { count: unread })}
            onClick={() => setPanel(panel === 'notifications' ? null : 'notifications')}
          >
            <span aria-hidden="true">{t('notif.heading')}</span>
            {unread > 0 && (
              <span class="badge" aria-hidden="true">
                {unread}
              </span>
            )}
          </button>
          {languageSwitch}
          <span class="who">{t('session.user', { user: session.userId, role: t(`role.${session.role}`), company: session.companyId })}</span>
          <button type="button" class="secondary" onClick={onSignOut}>
            {t('session.signout')}
          </button>
        </div>
      </header>
      <div class="workspace-body">
        {view === 'integrations' ? (
          <IntegrationsView integrations={integrations} onChanged={upsertIntegration} onRemoved={(id) => setIntegrations((current) => current.filter((x) => x.id !== id))} />
        ) : (
          <main id="main" class="tickets-view" tabIndex={-1}>
            <TicketList filters={filters} onFilters={setFilters} selectedId={route.ticketId} onSelect={(id) => navigate({ view: 'tickets', ticketId: id })} />
            {route.ticketId ? (
              <Conversation key={route.ticketId} ticketId={route.ticketId} />
            ) : (
              <section class="conversation placeholder">
                <p>{t('conv.pick')}</p>
              </section>
            )}
          </main>
        )}
        {panel === 'notifications' && (
          <NotificationsPanel
            notifications={notifications}
            onRead={(id) => setNotifications((current) => current.map((n) => (n.id === id ? { ...n, read: true } : n)))}
            onClose={() => setPanel(null)}
          />
        )}
        {panel === 'simulator' && config.simulatorUrl && <SimulatorPanel simulatorUrl={config.simulatorUrl} onClose={() => setPanel(null)} />}
      </div>
      {/* Beside the ticket list in the tickets view (clear of the reply box), bottom right elsewhere. */}
      <div class={`toasts toasts-${view}`} aria-live="polite">
        {toasts.map((item) => (
          <div key={item.id} class={`toast ${item.kind}`}>
            <span>{item.text}</span>
            <button type="button" class="icon" aria-label={t('dismiss')} onClick={() => setToasts((current) => current.filter((x) => x.id !== item.id))}>
              ×
            </button>
          </div>
        ))}
      </div>
    </WorkspaceContext.Provider>
  );
}
