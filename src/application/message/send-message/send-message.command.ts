/** An agent's reply on a ticket: free-form `body`, or a template (`contentSid` + `contentVariables`). */
export class SendMessageCommand {
  constructor(
    readonly companyId: string,
    readonly ticketId: string,
    readonly senderUserId: string,
    readonly content: { readonly body: string } | { readonly contentSid: string; readonly contentVariables: Readonly<Record<string, string>> },
  ) {}
}
