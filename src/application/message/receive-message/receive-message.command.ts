import { AcceptedInboundMessage } from '../../ports/inbound-inbox.port';

/** Files an accepted inbound message on its contact's ticket (exactly once). */
export class ReceiveMessageCommand {
  constructor(readonly entry: AcceptedInboundMessage) {}
}

export interface ReceiveMessageResult {
  readonly companyId: string;
  readonly ticketId: string;
  readonly messageId: string;
  /** True when this message had been filed and counted before (a replay). */
  readonly replay: boolean;
}
