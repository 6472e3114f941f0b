import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { loadIntegration } from '../../integration/integration-credentials';
import { TemplateCatalogue } from '../template-catalogue';
import { TemplateView, toTemplateView } from '../template-rules';

/** The Content templates of an integration's Twilio account, with their WhatsApp approval. */
export class ListTemplatesQuery {
  constructor(
    readonly companyId: string,
    readonly integrationId: string,
    /** Ask Twilio now instead of using a list read in the last TEMPLATE_CACHE_MS. */
    readonly refresh: boolean,
  ) {}
}

export interface TemplateListView {
  readonly items: readonly TemplateView[];
  /** When Twilio was asked (the list may be up to TEMPLATE_CACHE_MS old). */
  readonly fetchedAt: Date;
}

export class ListTemplatesHandler {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly catalogue: TemplateCatalogue,
  ) {}

  async execute(query: ListTemplatesQuery): Promise<TemplateListView> {
    const integration = await loadIntegration(this.integrations, query.companyId, query.integrationId);
    const { templates, fetchedAt } = await this.catalogue.templatesOf(integration, { refresh: query.refresh });
    const items = templates.map(toTemplateView).sort((a, b) => a.friendlyName.localeCompare(b.friendlyName) || a.sid.localeCompare(b.sid));
    return { items, fetchedAt };
  }
}
