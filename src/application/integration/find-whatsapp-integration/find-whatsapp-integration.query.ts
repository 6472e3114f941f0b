import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { IntegrationView, toIntegrationView } from '../integration.view';

/** The company's active WhatsApp integrations (what agents may reply through). */
export class FindWhatsAppIntegrationQuery {
  constructor(readonly companyId: string) {}
}

export class FindWhatsAppIntegrationHandler {
  constructor(private readonly integrations: IntegrationRepository) {}

  async execute(query: FindWhatsAppIntegrationQuery): Promise<IntegrationView[]> {
    const all = await this.integrations.listByCompany(query.companyId);
    return all.filter((i) => i.status === 'active' && i.whatsappNumber !== null).map(toIntegrationView);
  }
}
