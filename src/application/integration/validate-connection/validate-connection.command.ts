export class ValidateConnectionCommand {
  constructor(
    readonly companyId: string,
    readonly integrationId: string,
  ) {}
}
