import { IntegrationRepository } from '../../domain/integration/integration.repository';
import { Message } from '../../domain/message/message';
import { MessageRepository } from '../../domain/message/message.repository';
import { DomainEvent } from '../../domain/shared/domain-event';
import { loadReplyParts, toReplyView } from '../message/reply.view';
import { toIntegrationView } from '../integration/integration.view';
import { DomainEventPublisher } from '../ports/domain-event-publisher.port';
import { EventLog } from '../ports/event-log.port';
import { planRealtimeEvents, toRealtimeEvents } from './realtime-events';

/**
 * The core's DomainEventPublisher: turns a saved aggregate's events into real-time entries
 * and awaits their append to the durable event log, so an answered command or webhook
 * implies its events will reach every instance's SSE clients. A failed append is thrown
 * (the state is saved, but the answer must not claim delivery). Then the events go to the
 * in-process bus (`forward`) for detached projections.
 */
export class RealtimeDomainEventPublisher implements DomainEventPublisher {
  constructor(
    private readonly log: EventLog,
    private readonly integrations: IntegrationRepository,
    private readonly forward: DomainEventPublisher,
    /** Reads the other parts of a reply of several messages; without it, a part is shown alone. */
    private readonly messages?: MessageRepository,
  ) {}

  async publishAll(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const entries = await toRealtimeEvents(planRealtimeEvents(events), async (companyId, id) => {
      const integration = await this.integrations.findById(companyId, id);
      return integration ? toIntegrationView(integration) : null;
    }, async (part) => {
      const message = Message.restore(part);
      return toReplyView(this.messages ? await loadReplyParts(this.messages, part.companyId, message) : [message]);
    });
    await this.log.append(entries);
    await this.forward.publishAll(events);
  }
}
