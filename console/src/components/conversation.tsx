import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Message, MessageStatus, Ticket, TicketStatus } from '../api';
import { describeError, integrationLabel, useLiveEvent, useWorkspace } from '../context';
import { MessageItem } from './message-item';
import { ReplyBox } from './reply-box';

const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  received: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  failed: 6,
  undelivered: 6,
};

/** An API answer can arrive after a later event: keep the newest (then the furthest along). */
function keepNewest(current: Message | undefined, incoming: Message): boolean {
  if (!current) return true;
  const a = Date.parse(current.updatedAt);
  const b = Date.parse(incoming.updatedAt);
  return b > a || (b === a && STATUS_RANK[incoming.status] >= STATUS_RANK[current.status]);
}

function upsert(list: readonly Message[], message: Message): Message[] {
  const index = list.findIndex((m) => m.id === message.id);
  if (index === -1) return [...list, message].sort((x, y) => Date.parse(x.createdAt) - Date.parse(y.createdAt));
  if (!keepNewest(list[index], message)) return list as Message[];
  const copy = [...list];
  copy[index] = message;
  return copy;
}

/** Pages of messages come oldest first: read at most this many pages when opening a ticket. */
const MAX_PAGES = 5;

export function Conversation({ ticketId }: { readonly ticketId: string }) {
  const { t, api, integrations } = useWorkspace();
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const bottom = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let cancelled = false;
    setTicket(null);
    setMessages([]);
    setProblem(null);
    (async () => {
      try {
        const loaded = await api.getTicket(ticketId);
        if (cancelled) return;
        setTicket(loaded);
        let all: Message[] = [];
        let next: string | null = null;
        for (let page = 0; page < MAX_PAGES; page += 1) {
          const result = await api.listMessages(ticketId, next);
          all = all.concat(result.items);
          next = result.nextCursor;
          if (!next) break;
        }
        if (cancelled) return;
        setMessages((current) => current.reduce(upsert, all));
        setCursor(next);
      } catch (error) {
        if (!cancelled) setProblem(describeError(t, error));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, ticketId]);

  // Reading the conversation clears its unread count (once the tab is actually visible).
  useEffect(() => {
    if (!ticket || ticket.unreadCount === 0) return undefined;
    const markRead = () => void api.updateTicket(ticket.id, { read: true }).catch(() => undefined);
    if (!document.hidden) {
      markRead();
      return undefined;
    }
    const onVisible = () => {
      if (document.hidden) return;
      document.removeEventListener('visibilitychange', onVisible);
      markRead();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [api, ticket?.id, ticket?.unreadCount]);

  useLiveEvent<Ticket>(['ticket.updated', 'ticket.created'], (incoming) => {
    if (incoming.id !== ticketId) return;
    setTicket((current) => (current && Date.parse(current.updatedAt) > Date.parse(incoming.updatedAt) ? current : incoming));
  });
  useLiveEvent<Message>(['message.created', 'message.updated'], (incoming) => {
    if (incoming.ticketId === ticketId) setMessages((current) => upsert(current, incoming));
  });

  useLayoutEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, ticketId]);

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const result = await api.listMessages(ticketId, cursor);
      setMessages((current) => result.items.reduce(upsert, current));
      setCursor(result.nextCursor);
    } catch (error) {
      setProblem(describeError(t, error));
    }
  };

  const changeStatus = async (status: TicketStatus) => {
    setBusy(true);
    try {
      setTicket(await api.updateTicket(ticketId, { status }));
    } catch (error) {
      setProblem(describeError(t, error));
    } finally {
      setBusy(false);
    }
  };

  if (!ticket) {
    return (
      <section class="conversation" aria-busy={!problem}>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
      </section>
    );
  }

  const integration = integrations.find((i) => i.id === ticket.integrationId);
  const name = ticket.contact.profileName || ticket.contact.whatsappNumber;
  return (
    <section class="conversation" aria-labelledby="conversation-heading" data-ticket-id={ticket.id}>
      <header class="conversation-header">
        <div>
          <h2 id="conversation-heading" ref={headingRef} tabIndex={-1}>
            {name}
          </h2>
          <p class="contact-line">
            {ticket.contact.profileName && <span>{ticket.contact.whatsappNumber}</span>}
            <span> → {integrationLabel(integration, ticket.integrationId)}</span>
          </p>
        </div>
        <div class="ticket-actions">
          <span class={`status status-${ticket.status}`} aria-label={t('conv.statusLabel', { status: t(`status.${ticket.status}`) })}>
            {t(`status.${ticket.status}`)}
          </span>
          {/* open ⇄ pending; closed is final (the customer's next message opens a new ticket). */}
          {ticket.status === 'open' && (
            <button type="button" class="secondary" disabled={busy} onClick={() => void changeStatus('pending')}>
              {t('conv.markPending')}
            </button>
          )}
          {ticket.status === 'pending' && (
            <button type="button" disabled={busy} onClick={() => void changeStatus('open')}>
              {t('conv.reopen')}
            </button>
          )}
          {ticket.status !== 'closed' && (
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => {
                if (window.confirm(t('conv.confirmClose'))) void changeStatus('closed');
              }}
            >
              {t('conv.close')}
            </button>
          )}
        </div>
      </header>
      {ticket.contact.optedOut && <p class="notice warning">{t('conv.optedOut')}</p>}
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      <div class="messages-scroll">
        {messages.length === 0 && <p class="empty">{t('conv.empty')}</p>}
        <div role="log" aria-live="polite" aria-label={t('conv.messages')}>
          <ol class="messages">
            {messages.map((message) => (
              <MessageItem key={message.id} message={message} />
            ))}
          </ol>
        </div>
        {cursor && (
          <button type="button" class="secondary load-more" onClick={() => void loadMore()}>
            {t('conv.loadMore')}
          </button>
        )}
        <div ref={bottom} />
      </div>
      <ReplyBox ticket={ticket} onSent={(message) => setMessages((current) => upsert(current, message))} />
    </section>
  );
}
