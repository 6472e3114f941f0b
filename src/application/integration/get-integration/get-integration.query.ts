import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { loadIntegration } from '../integration-credentials';
import { IntegrationView, toIntegrationView } from '../integration.view';

export class GetIntegrationQuery {
  constructor(
    readonly companyId: string,
    readonly integrationId: string,
  ) {}
}

export class GetIntegrationHandler {
  constructor(private readonly integrations: IntegrationRepository) {}

  async execute(query: GetIntegrationQuery): Promise<IntegrationView> {
    return toIntegrationView(await loadIntegration(this.integrations, query.companyId, query.integrationId));
  }
}
