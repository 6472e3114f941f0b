import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { IntegrationView, toIntegrationView } from '../integration.view';

export class ListIntegrationsQuery {
  constructor(readonly companyId: string) {}
}

export class ListIntegrationsHandler {
  constructor(private readonly integrations: IntegrationRepository) {}

  async execute(query: ListIntegrationsQuery): Promise<IntegrationView[]> {
    return (await this.integrations.listByCompany(query.companyId)).map(toIntegrationView);
  }
}
