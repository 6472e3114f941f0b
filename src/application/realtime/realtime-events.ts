import { DomainEvent } from '../../domain/shared/domain-event';
import { IntegrationEvent } from '../../domain/integration/integration-events';
import { Message } from '../../domain/message/message';
import { MessageEvent } from '../../domain/message/message-events';
import { MessageSnapshot } from '../../domain/message/message-snapshot';
import { Ticket } from '../../domain/ticket/ticket';
import { TicketEvent } from '../../domain/ticket/ticket-events';
import { TicketSnapshot } from '../../domain/ticket/ticket-snapshot';
import { IntegrationView } from '../integration/integration.view';
import { MessageView, toMessageView } from '../message/message.view';
import type { NotificationView } from '../ports/notification.port';
import { toTicketView } from '../ticket/ticket.view';
import { RealtimeEvent } from './realtime-event';

/** What one aggregate's events of one publish call come down to (its latest state wins). */
export type PlannedRealtimeEvent =
  | { readonly kind: 'ticket'; readonly created: boolean; readonly snapshot: TicketSnapshot }
  | { readonly kind: 'message'; readonly created: boolean; readonly snapshot: MessageSnapshot }
  | { readonly kind: 'integration'; readonly companyId: string; readonly id: string; readonly removed: boolean };

type KnownEvent = TicketEvent | MessageEvent | IntegrationEvent;

/**
 * Coalesces one publish call's domain events: one entry per aggregate, in the order each
 * aggregate first appears (a ticket before the message that opened it), carrying the latest
 * snapshot; "created" when any of its events created it. Unknown events are not real-time.
 */
export function planRealtimeEvents(events: readonly DomainEvent[]): PlannedRealtimeEvent[] {
  const planned = new Map<string, PlannedRealtimeEvent>();
  for (const event of events as readonly KnownEvent[]) {
    const next = planOne(event, planned.get(keyOf(event)));
    if (next) planned.set(keyOf(event), next);
  }
  return [...planned.values()];
}

function keyOf(event: DomainEvent): string {
  // The parts of a reply of several messages are one entry for clients: one event per reply.
  const snapshot = (event as { readonly snapshot?: { readonly reply?: { readonly replyId: string } | null } }).snapshot;
  return `${event.name.split('.')[0]}:${event.companyId}:${snapshot?.reply?.replyId ?? event.aggregateId}`;
}

function planOne(event: KnownEvent, earlier: PlannedRealtimeEvent | undefined): PlannedRealtimeEvent | null {
  switch (event.name) {
    case 'ticket.opened':
    case 'ticket.changed': {
      const created = event.name === 'ticket.opened' || (earlier?.kind === 'ticket' && earlier.created);
      return { kind: 'ticket', created, snapshot: event.snapshot };
    }
    case 'message.received':
    case 'message.queued':
    case 'message.status_changed': {
      const created = event.name !== 'message.status_changed' || (earlier?.kind === 'message' && earlier.created);
      return { kind: 'message', created, snapshot: event.snapshot };
    }
    case 'integration.created':
    case 'integration.status_changed':
    case 'integration.settings_changed':
    case 'integration.provisioning_progressed':
    case 'integration.operations_changed':
    case 'integration.removed': {
      const removed = event.name === 'integration.removed' || (earlier?.kind === 'integration' && earlier.removed);
      return { kind: 'integration', companyId: event.companyId, id: event.aggregateId, removed };
    }
    default:
      return null;
  }
}

/** Integration events carry no snapshot (the aggregate holds the encrypted token): it is reloaded. */
export type IntegrationViewLoader = (companyId: string, id: string) => Promise<IntegrationView | null>;

/** The view of the whole reply a part of several belongs to (its parts are separate messages). */
export type ReplyViewLoader = (part: MessageSnapshot) => Promise<MessageView>;

/** The read-model payloads of planned events; a removed (or vanished) integration is `{id, companyId, removed: true}`. */
export async function toRealtimeEvents(
  planned: readonly PlannedRealtimeEvent[],
  loadIntegration: IntegrationViewLoader,
  loadReply: ReplyViewLoader = async (part) => toMessageView(Message.restore(part)),
): Promise<RealtimeEvent[]> {
  const out: RealtimeEvent[] = [];
  for (const plan of planned) {
    switch (plan.kind) {
      case 'ticket':
        out.push(everyone(plan.snapshot.companyId, plan.created ? 'ticket.created' : 'ticket.updated', toTicketView(Ticket.restore(plan.snapshot))));
        break;
      case 'message':
        out.push(
          everyone(
            plan.snapshot.companyId,
            plan.created ? 'message.created' : 'message.updated',
            plan.snapshot.reply ? await loadReply(plan.snapshot) : toMessageView(Message.restore(plan.snapshot)),
          ),
        );
        break;
      case 'integration': {
        const view = plan.removed ? null : await loadIntegration(plan.companyId, plan.id);
        out.push(everyone(plan.companyId, 'integration.updated', view ?? { id: plan.id, companyId: plan.companyId, removed: true }));
        break;
      }
    }
  }
  return out;
}

/** A stored notification goes only to the people it is addressed to. */
export function notificationCreated(view: NotificationView): RealtimeEvent {
  return { companyId: view.companyId, name: 'notification.created', payload: view, audience: view.recipient };
}

function everyone(companyId: string, name: RealtimeEvent['name'], payload: object): RealtimeEvent {
  return { companyId, name, payload, audience: null };
}
