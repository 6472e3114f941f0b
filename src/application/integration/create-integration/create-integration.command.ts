export class CreateIntegrationCommand {
  constructor(
    readonly companyId: string,
    readonly mode: 'provision' | 'existing',
    readonly friendlyName: string | null,
    /** provision: ISO country and optional area code of the number to buy. */
    readonly countryCode: string | null,
    readonly areaCode: string | null,
    /** existing: the company's own account, token and number. */
    readonly accountSid: string | null,
    readonly authToken: string | null,
    readonly whatsappNumber: string | null,
  ) {}
}
