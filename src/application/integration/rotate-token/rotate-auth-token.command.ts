export class RotateAuthTokenCommand {
  constructor(
    readonly companyId: string,
    readonly integrationId: string,
  ) {}
}
