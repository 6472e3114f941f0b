import { AcceptedInboundMessage } from '../../ports/inbound-inbox.port';

/** Files an accepted inbound message on its contact's ticket (exactly once). */
export class ReceiveMessageCommand {
  constructor(
    readonly entry: AcceptedInboundMessage,
    /**
     * Filed again because an earlier attempt did not finish (the inbox sweep): if the message
     * turns out counted already, that attempt may have died before publishing, so the
     * message and its ticket are announced again (clients keep the newest `updatedAt`).
     */
    readonly recovering = false,
  ) {}
}

export interface ReceiveMessageResult {
  readonly companyId: string;
  readonly ticketId: string;
  readonly messageId: string;
  /** True when this message had been filed and counted before (a replay). */
  readonly replay: boolean;
}
