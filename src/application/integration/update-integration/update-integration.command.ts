export class UpdateIntegrationCommand {
  constructor(
    readonly companyId: string,
    readonly integrationId: string,
    readonly changes: {
      readonly friendlyName?: string | null;
      readonly webhookMethod?: 'POST' | 'GET';
      readonly status?: 'active' | 'inactive';
      readonly sendRatePerSecond?: number;
    },
  ) {}
}
