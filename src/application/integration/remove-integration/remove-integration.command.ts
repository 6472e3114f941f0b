export class RemoveIntegrationCommand {
  constructor(
    readonly companyId: string,
    readonly integrationId: string,
  ) {}
}
