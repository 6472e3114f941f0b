import { Container } from 'inversify';
import { TOKENS } from '../../../application/ports/tokens';
import { ListTemplatesHandler, ListTemplatesQuery } from '../../../application/template/list-templates/list-templates.query';
import { TemplateCatalogue } from '../../../application/template/template-catalogue';
import { TemplatesController } from '../../../interfaces/http/templates/templates.controller';
import { TwilioContentTemplates } from '../../twilio/twilio-content-templates';
import { CoreDependencies } from '../core-dependencies';
import { CoreModule } from '../core-module';

/** WhatsApp templates: the Content API catalogue (cached per integration) and the check of a template send. */
export const templatesModule: CoreModule = {
  name: 'templates',
  commands: [],
  queries: [{ message: ListTemplatesQuery, handler: ListTemplatesHandler }],
  controllers: [TemplatesController],
  bind(c: Container, deps: CoreDependencies): void {
    const source = new TwilioContentTemplates({
      ...(deps.twilioApiUrl ? { apiUrl: deps.twilioApiUrl } : {}),
      ...(deps.twilioTimeoutMs ? { timeoutMs: deps.twilioTimeoutMs } : {}),
    });
    c.bind(TemplateCatalogue).toDynamicValue(
      () => new TemplateCatalogue(source, c.get(TOKENS.SecretCipher), c.get(TOKENS.Clock), { cacheMs: deps.environment.templateCacheMs }),
    );
    c.bind(ListTemplatesHandler).toDynamicValue(() => new ListTemplatesHandler(c.get(TOKENS.IntegrationRepository), c.get(TemplateCatalogue)));
  },
};
