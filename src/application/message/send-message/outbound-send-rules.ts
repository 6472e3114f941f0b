import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { DomainError } from '../../../domain/shared/domain-error';
import { Ticket } from '../../../domain/ticket/ticket';

/**
 * The rules a reply must pass before it is queued (a new send and an agent's retry alike),
 * checked before anything is written:
 * - the ticket is not closed (409 TICKET.CLOSED: a closed ticket is history; the customer's
 *   next message opens a new one);
 * - the ticket's integration is `active` (409 MESSAGE.INTEGRATION_NOT_ACTIVE, with the reason);
 * - the contact has not opted out (422 MESSAGE.CONTACT_OPTED_OUT, until they write again);
 * - free-form text only within 24 h of the customer's last message (422
 *   MESSAGE.OUTSIDE_CUSTOMER_SERVICE_WINDOW); a template may always be sent.
 */
export function assertReplyAllowed(input: { ticket: Ticket; integration: TwilioIntegration | null; isTemplate: boolean; now: Date }): TwilioIntegration {
  const { ticket, integration } = input;
  if (ticket.isClosed) throw new DomainError('TICKET.CLOSED', 'conflict', 'the ticket is closed; replies go to the contact\'s open ticket');
  if (!integration) {
    throw new DomainError('MESSAGE.INTEGRATION_NOT_ACTIVE', 'conflict', 'the WhatsApp integration of this ticket was removed');
  }
  if (integration.status !== 'active') {
    const lastError = integration.toSnapshot().config.lastError;
    const reason = integration.status === 'error' && lastError ? `: ${lastError}` : '';
    throw new DomainError('MESSAGE.INTEGRATION_NOT_ACTIVE', 'conflict', `the WhatsApp integration of this ticket is ${integration.status}${reason}`);
  }
  if (ticket.contact.optedOut) {
    throw new DomainError('MESSAGE.CONTACT_OPTED_OUT', 'business_rule', 'the customer opted out of WhatsApp messages from this number; they must write again first');
  }
  if (!input.isTemplate && !ticket.isWithinCustomerServiceWindow(input.now)) {
    throw new DomainError(
      'MESSAGE.OUTSIDE_CUSTOMER_SERVICE_WINDOW',
      'business_rule',
      'free-form messages are allowed only within 24 hours of the customer\'s last message; send a template (contentSid) instead',
    );
  }
  return integration;
}
