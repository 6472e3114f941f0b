export class SyncWebhookCommand {
  constructor(
    readonly companyId: string,
    readonly integrationId: string,
  ) {}
}
