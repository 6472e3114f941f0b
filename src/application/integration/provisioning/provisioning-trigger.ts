/** Asks the provisioning saga to look at one integration now (fire and forget). */
export interface ProvisioningTrigger {
  kick(companyId: string, integrationId: string): void;
}
