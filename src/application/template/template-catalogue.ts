import { TwilioIntegration } from '../../domain/integration/twilio-integration';
import { DomainError } from '../../domain/shared/domain-error';
import { credentialsOf } from '../integration/integration-credentials';
import { Clock } from '../ports/clock.port';
import { ContentTemplate, ContentTemplateSource } from '../ports/content-templates.port';
import { SecretCipher } from '../ports/secret-cipher.port';
import { TwilioGatewayError } from '../ports/twilio-gateway.port';
import { assertTemplateSendable } from './template-rules';

/** What the send path asks before a template is queued (SendMessageHandler). */
export interface TemplateSendCheck {
  assertSendable(input: {
    readonly integration: TwilioIntegration;
    readonly contentSid: string;
    readonly contentVariables: Readonly<Record<string, string>>;
    readonly outsideWindow: boolean;
  }): Promise<void>;
}

export interface TemplateCatalogueSettings {
  /** How long one integration's list is reused before Twilio is asked again (TEMPLATE_CACHE_MS). */
  readonly cacheMs: number;
}

/** Refusals a newer list may lift. */
const STALE_LIST_REFUSALS = new Set(['TEMPLATE.NOT_FOUND', 'TEMPLATE.NOT_APPROVED']);

/** Integrations whose list one instance keeps at most. */
const MAX_CACHED_INTEGRATIONS = 1000;

interface CachedList {
  readonly accountSid: string;
  readonly fetchedAt: number;
  readonly templates: readonly ContentTemplate[];
}

/**
 * The Content templates of each integration's Twilio account, kept briefly in memory per
 * instance (a list is a few calls to Twilio; agents open it often and every template send
 * checks it). Concurrent readers of one integration share a single fetch.
 */
export class TemplateCatalogue implements TemplateSendCheck {
  private readonly cache = new Map<string, CachedList>();
  private readonly inFlight = new Map<string, Promise<CachedList>>();

  constructor(
    private readonly source: ContentTemplateSource,
    private readonly cipher: SecretCipher,
    private readonly clock: Clock,
    private readonly settings: TemplateCatalogueSettings,
  ) {}

  /** The integration's templates; `refresh` asks Twilio even when a fresh list is cached. */
  async templatesOf(integration: TwilioIntegration, options: { refresh?: boolean } = {}): Promise<{ templates: readonly ContentTemplate[]; fetchedAt: Date }> {
    const list = await this.load(integration, options.refresh === true);
    return { templates: list.templates, fetchedAt: new Date(list.fetchedAt) };
  }

  async assertSendable(input: Parameters<TemplateSendCheck['assertSendable']>[0]): Promise<void> {
    const check = (list: CachedList): void =>
      assertTemplateSendable({
        template: list.templates.find((t) => t.sid === input.contentSid),
        contentSid: input.contentSid,
        contentVariables: input.contentVariables,
        outsideWindow: input.outsideWindow,
      });
    const before = this.clock.now().getTime();
    const list = await this.load(input.integration, false);
    try {
      check(list);
    } catch (error) {
      // A template created or approved since the cached list was read: ask Twilio once more
      // (not for a variable the agent left out: that answer would be the same).
      const stale = error instanceof DomainError && STALE_LIST_REFUSALS.has(error.code) && list.fetchedAt < before;
      if (!stale) throw error;
      check(await this.load(input.integration, true));
    }
  }

  private async load(integration: TwilioIntegration, refresh: boolean): Promise<CachedList> {
    const credentials = credentialsOf(integration, this.cipher);
    const cached = this.cache.get(integration.id);
    const now = this.clock.now().getTime();
    if (!refresh && cached !== undefined && cached.accountSid === credentials.accountSid && now - cached.fetchedAt < this.settings.cacheMs) return cached;
    const pending = this.inFlight.get(integration.id);
    if (pending !== undefined) return pending;
    const fetching = this.source
      .listTemplates(credentials)
      .then((templates) => {
        const list: CachedList = { accountSid: credentials.accountSid, fetchedAt: this.clock.now().getTime(), templates };
        this.cache.delete(integration.id);
        this.cache.set(integration.id, list);
        // Oldest fetch first (Map order): the lists of integrations no one uses any more go.
        if (this.cache.size > MAX_CACHED_INTEGRATIONS) this.cache.delete(this.cache.keys().next().value!);
        return list;
      })
      .catch((error: unknown) => {
        throw catalogueFailure(error);
      })
      .finally(() => this.inFlight.delete(integration.id));
    this.inFlight.set(integration.id, fetching);
    return fetching;
  }
}

/** Twilio's failure as the API's answer: 502 when Twilio refused, 503 when it may work shortly. */
function catalogueFailure(error: unknown): unknown {
  if (!(error instanceof TwilioGatewayError)) return error;
  if (error.kind === 'auth') {
    return new DomainError('TEMPLATE.TWILIO_AUTH_FAILED', 'upstream', "Twilio refused the integration's credentials while listing its templates; validate the integration");
  }
  if (error.kind === 'transient') {
    return new DomainError('TEMPLATE.CATALOGUE_UNAVAILABLE', 'unavailable', "Twilio's Content API could not be reached or is busy; try again shortly");
  }
  return new DomainError('TEMPLATE.CATALOGUE_FAILED', 'upstream', `Twilio could not list the integration's templates: ${error.message}`);
}
