/** An agent asks to send a failed or undelivered outbound message again. */
export class RetryMessageCommand {
  constructor(
    readonly companyId: string,
    readonly messageId: string,
  ) {}
}
