import type { Clock } from '../../../../src/application/ports/clock.port';
import type { ContentTemplate, ContentTemplateSource } from '../../../../src/application/ports/content-templates.port';
import type { SecretCipher } from '../../../../src/application/ports/secret-cipher.port';
import { TwilioGatewayError, type TwilioCredentials } from '../../../../src/application/ports/twilio-gateway.port';
import { TemplateCatalogue } from '../../../../src/application/template/template-catalogue';
import { AuthToken } from '../../../../src/domain/integration/auth-token';
import { TwilioIntegration } from '../../../../src/domain/integration/twilio-integration';
import { DomainError } from '../../../../src/domain/shared/domain-error';

/** An account's templates held in memory, counting how often they are listed (the port, not a mock of Twilio). */
class InMemoryTemplates implements ContentTemplateSource {
  templates: ContentTemplate[] = [];
  calls = 0;
  failWith: Error | null = null;
  private release: (() => void) | null = null;
  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  open(): void {
    this.release?.();
  }
  private gate: Promise<void> = Promise.resolve();
  async listTemplates(account: TwilioCredentials): Promise<ContentTemplate[]> {
    this.calls += 1;
    expect(account).toEqual({ accountSid: ACCOUNT, authToken: 'secret-token-0123456789abcdef' });
    await this.gate;
    if (this.failWith) throw this.failWith;
    return this.templates.map((t) => ({ ...t }));
  }
}

const ACCOUNT = `AC${'a'.repeat(32)}`;
const SID = `HX${'b'.repeat(32)}`;
const template = (status: string): ContentTemplate => ({
  sid: SID,
  friendlyName: 'order_shipped',
  language: 'en',
  variables: { '1': 'Ana' },
  types: { 'twilio/text': { body: 'Hi {{1}}' } },
  whatsappApproval: { status, rejectionReason: null, category: 'UTILITY' },
});

let now = 1_000_000;
const clock: Clock = { now: () => new Date(now) };
const cipher: SecretCipher = { activeKeyId: 'k1', encrypt: () => ({ ciphertext: 'x', keyId: 'k1' }), decrypt: () => AuthToken.of('secret-token-0123456789abcdef') };
const integration = TwilioIntegration.connectExisting({
  id: 'int-1',
  companyId: 'acme',
  accountSid: ACCOUNT,
  authToken: { ciphertext: 'x', keyId: 'k1' },
  whatsappNumber: '+14155550100',
  webhookUrl: 'http://localhost:3000/ticket-messages/webhook',
  now: new Date(now),
});

let source: InMemoryTemplates;
let catalogue: TemplateCatalogue;
beforeEach(() => {
  source = new InMemoryTemplates();
  source.templates = [template('approved')];
  catalogue = new TemplateCatalogue(source, cipher, clock, { cacheMs: 60_000 });
});

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('TemplateCatalogue', () => {
  it('reuses a list for cacheMs, asks again after it or on refresh', async () => {
    await catalogue.templatesOf(integration);
    now += 59_999;
    await catalogue.templatesOf(integration);
    expect(source.calls).toBe(1);
    await catalogue.templatesOf(integration, { refresh: true });
    expect(source.calls).toBe(2);
    now += 60_000;
    const { fetchedAt } = await catalogue.templatesOf(integration);
    expect(source.calls).toBe(3);
    expect(fetchedAt.getTime()).toBe(now);
  });

  it('shares one fetch between concurrent readers', async () => {
    source.hold();
    const readers = [catalogue.templatesOf(integration), catalogue.templatesOf(integration), catalogue.templatesOf(integration, { refresh: true })];
    source.open();
    await Promise.all(readers);
    expect(source.calls).toBe(1);
  });

  it('asks Twilio once more before refusing a template that is unknown or not approved in a list read earlier', async () => {
    source.templates = [template('pending')];
    await catalogue.templatesOf(integration);
    now += 1;
    source.templates = [template('approved')];
    await catalogue.assertSendable({ integration, contentSid: SID, contentVariables: { '1': 'Ana' }, outsideWindow: true });
    expect(source.calls).toBe(2);

    // Still not approved after asking again: refused, and Twilio was asked once per send only.
    source.templates = [template('rejected')];
    now += 1;
    await catalogue.templatesOf(integration, { refresh: true });
    now += 1;
    const refused = await refusal(catalogue.assertSendable({ integration, contentSid: SID, contentVariables: { '1': 'Ana' }, outsideWindow: true }));
    expect(refused.code).toBe('TEMPLATE.NOT_APPROVED');
    expect(source.calls).toBe(4);
  });

  it('does not ask Twilio again for a missing variable', async () => {
    await catalogue.templatesOf(integration);
    now += 1;
    const refused = await refusal(catalogue.assertSendable({ integration, contentSid: SID, contentVariables: {}, outsideWindow: false }));
    expect(refused.code).toBe('TEMPLATE.MISSING_VARIABLE');
    expect(source.calls).toBe(1);
  });

  it("turns Twilio's failures into 502/503 answers and caches none of them", async () => {
    source.failWith = new TwilioGatewayError('transient', 20500, 503, 'listContentTemplates: HTTP 503');
    expect(await refusal(catalogue.templatesOf(integration))).toMatchObject({ code: 'TEMPLATE.CATALOGUE_UNAVAILABLE', kind: 'unavailable' });
    source.failWith = new TwilioGatewayError('auth', 20003, 401, 'listContentTemplates: Authenticate');
    expect(await refusal(catalogue.templatesOf(integration))).toMatchObject({ code: 'TEMPLATE.TWILIO_AUTH_FAILED', kind: 'upstream' });
    source.failWith = new TwilioGatewayError('permanent', 20001, 400, 'listContentTemplates: bad');
    expect(await refusal(catalogue.templatesOf(integration))).toMatchObject({ code: 'TEMPLATE.CATALOGUE_FAILED', kind: 'upstream' });
    source.failWith = null;
    await catalogue.templatesOf(integration);
    expect(source.calls).toBe(4);
  });
});
