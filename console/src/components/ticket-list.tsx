import { useEffect, useState } from 'preact/hooks';
import type { Ticket, TicketStatus } from '../api';
import { describeError, integrationLabel, useLiveEvent, useWorkspace } from '../context';
import { ago, newer } from '../format';

export interface TicketFilterState {
  readonly status: TicketStatus | '';
  readonly integrationId: string;
}

interface Props {
  readonly filters: TicketFilterState;
  readonly onFilters: (filters: TicketFilterState) => void;
  readonly selectedId: string | null;
  readonly onSelect: (id: string) => void;
}

const STATUSES: readonly TicketStatus[] = ['open', 'pending', 'closed'];

function activityOf(ticket: Ticket): number {
  return Date.parse(ticket.lastMessage?.at ?? ticket.updatedAt);
}

function matches(ticket: Ticket, filters: TicketFilterState): boolean {
  return (!filters.status || ticket.status === filters.status) && (!filters.integrationId || ticket.integrationId === filters.integrationId);
}

export function TicketList({ filters, onFilters, selectedId, onSelect }: Props) {
  const { t, api, integrations } = useWorkspace();
  const [tickets, setTickets] = useState<Ticket[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const [, setTick] = useState(0);

  const load = async (after: string | null) => {
    setLoading(true);
    try {
      const page = await api.listTickets(filters, after);
      setTickets((current) => {
        // Keep what live events brought meanwhile (still matching the filters).
        const byId = new Map((after ? current : current.filter((x) => matches(x, filters))).map((x) => [x.id, x]));
        for (const ticket of page.items) if (newer(byId.get(ticket.id), ticket)) byId.set(ticket.id, ticket);
        return [...byId.values()];
      });
      setCursor(page.nextCursor);
      setProblem(null);
    } catch (error) {
      setProblem(describeError(t, error));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(null);
  }, [api, filters.status, filters.integrationId]);

  // Relative times ("3 min ago") stay current.
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);

  useLiveEvent<Ticket>(['ticket.created', 'ticket.updated'], (ticket) => {
    setTickets((current) => {
      const existing = current.find((x) => x.id === ticket.id);
      if (!newer(existing, ticket)) return current;
      const others = current.filter((x) => x.id !== ticket.id);
      return matches(ticket, filters) ? [ticket, ...others] : others;
    });
  });

  const sorted = [...tickets].sort((a, b) => activityOf(b) - activityOf(a));
  const byId = new Map(integrations.map((i) => [i.id, i]));

  return (
    <section class="ticket-list" aria-labelledby="tickets-heading">
      <h2 id="tickets-heading">{t('tickets.heading')}</h2>
      <div class="filters">
        <div class="field">
          <label for="filter-status">{t('tickets.filterStatus')}</label>
          <select
            id="filter-status"
            name="status"
            value={filters.status}
            onChange={(event) => onFilters({ ...filters, status: (event.target as HTMLSelectElement).value as TicketStatus | '' })}
          >
            <option value="">{t('tickets.all')}</option>
            {STATUSES.map((status) => (
              <option value={status}>{t(`status.${status}`)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-integration">{t('tickets.filterIntegration')}</label>
          <select
            id="filter-integration"
            name="integration"
            value={filters.integrationId}
            onChange={(event) => onFilters({ ...filters, integrationId: (event.target as HTMLSelectElement).value })}
          >
            <option value="">{t('tickets.all')}</option>
            {integrations.map((integration) => (
              <option value={integration.id}>{integrationLabel(integration, integration.id)}</option>
            ))}
          </select>
        </div>
      </div>
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      {!loading && sorted.length === 0 && !problem && <p class="empty">{t('tickets.empty')}</p>}
      <ul class="tickets" aria-busy={loading}>
        {sorted.map((ticket) => {
          const name = ticket.contact.profileName || ticket.contact.whatsappNumber;
          const preview = ticket.lastMessage ? (ticket.lastMessage.direction === 'outbound' ? t('tickets.you') : '') + ticket.lastMessage.preview : t('tickets.noMessages');
          const integration = byId.get(ticket.integrationId);
          return (
            <li key={ticket.id}>
              <button
                type="button"
                class={`ticket${ticket.id === selectedId ? ' selected' : ''}${ticket.unreadCount > 0 ? ' unread' : ''}`}
                aria-current={ticket.id === selectedId ? 'true' : undefined}
                data-ticket-id={ticket.id}
                onClick={() => onSelect(ticket.id)}
              >
                <span class="ticket-top">
                  <span class="contact">{name}</span>
                  <span class="when">{ago(t, ticket.lastMessage?.at ?? ticket.updatedAt)}</span>
                </span>
                <span class="ticket-bottom">
                  <span class="preview">{preview}</span>
                  {ticket.unreadCount > 0 && (
                    <span class="badge" data-unread={ticket.unreadCount} aria-label={t('tickets.unread', { count: ticket.unreadCount })}>
                      {ticket.unreadCount}
                    </span>
                  )}
                </span>
                <span class="ticket-meta">
                  <span class={`status status-${ticket.status}`}>{t(`status.${ticket.status}`)}</span>
                  {profileNumber(ticket)}
                  {integration && integrations.length > 1 && <span class="via">→ {integration.friendlyName || integration.whatsappNumber}</span>}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {cursor && (
        <button type="button" class="secondary" disabled={loading} onClick={() => void load(cursor)}>
          {t('tickets.loadMore')}
        </button>
      )}
    </section>
  );
}

function profileNumber(ticket: Ticket) {
  return ticket.contact.profileName ? <span class="number">{ticket.contact.whatsappNumber}</span> : null;
}
