export class UpdateIntegrationCommand {
  constructor(
    readonly companyId: string,
    readonly integrationId: string,
    readonly changes: {
      readonly friendlyName?: string | null;
      readonly webhookMethod?: 'POST' | 'GET';
      readonly status?: 'active' | 'inactive';
      readonly sendRatePerSecond?: number;
      /** Monitor settings: alert threshold (null: the service default) and webhook auto-repair. */
      readonly lowBalanceThreshold?: number | null;
      readonly autoRepairWebhook?: boolean;
    },
  ) {}
}
