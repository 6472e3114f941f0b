import { MediaItem } from '../../../domain/message/message';

/**
 * An agent's reply on a ticket: free-form `body` (split into several WhatsApp messages past
 * 1,600 characters), attachments with an optional caption (`body`), or a template
 * (`contentSid` + `contentVariables`).
 */
export class SendMessageCommand {
  constructor(
    readonly companyId: string,
    readonly ticketId: string,
    readonly senderUserId: string,
    readonly content:
      | { readonly body: string; readonly media?: readonly MediaItem[] }
      | { readonly contentSid: string; readonly contentVariables: Readonly<Record<string, string>> },
  ) {}
}
