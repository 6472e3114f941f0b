import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import type pino from 'pino';
import { CreateIntegrationCommand } from '../../application/integration/create-integration/create-integration.command';
import type { IntegrationView } from '../../application/integration/integration.view';
import { ListIntegrationsQuery } from '../../application/integration/list-integrations/list-integrations.query';
import { SyncWebhookCommand } from '../../application/integration/sync-webhook/sync-webhook.command';
import { seedDemoTemplates, type TwilioEmulator } from '../../emulator';
import { DEMO_COMPANY_ID, mintDevelopmentToken } from '../auth/development-token';

/**
 * The demo workspace of the embedded default (no MONGODB_URI, no Twilio account): the company
 * `demo` with its users `demo-admin` and `demo-agent` (users are token claims in Zapdesk), and one
 * `existing` WhatsApp integration on an emulated Twilio account of its own, with the number's
 * webhooks pointed here. Created through the same commands as the API, on the first start only
 * (`demo.json` in the data folder records it; `npm run reset` starts over).
 */

/** Twilio's WhatsApp sandbox number: the one a developer has seen in Twilio's console. */
export const DEMO_WHATSAPP_NUMBER = '+14155238886';
export const DEMO_FILE = 'demo.json';

export interface DemoRecord {
  readonly companyId: string;
  readonly integrationId: string;
  readonly accountSid: string;
  readonly whatsappNumber: string;
  readonly createdAt: string;
}

export interface DemoTokens {
  readonly adminToken: string;
  readonly agentToken: string;
}

export function demoTokens(jwtSecret: string): DemoTokens {
  return {
    adminToken: mintDevelopmentToken(jwtSecret, { companyId: DEMO_COMPANY_ID, role: 'admin' }),
    agentToken: mintDevelopmentToken(jwtSecret, { companyId: DEMO_COMPANY_ID, role: 'agent' }),
  };
}

export function readDemoRecord(dataDir: string): DemoRecord | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, DEMO_FILE), 'utf8')) as DemoRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export async function ensureDemoWorkspace(input: {
  readonly dataDir: string;
  readonly emulator: TwilioEmulator;
  readonly commands: CommandBus;
  readonly queries: QueryBus;
  readonly log: pino.Logger;
}): Promise<{ record: DemoRecord; created: boolean }> {
  const existing = readDemoRecord(input.dataDir);
  if (existing !== null) {
    if (input.emulator.state.accounts.has(existing.accountSid)) seedDemoTemplates(input.emulator.state, existing.accountSid);
    // Re-point the number at this run's URL (PORT or API_URL may have changed since); a demo
    // integration someone removed stays removed.
    const integrations = await input.queries.execute<ListIntegrationsQuery, IntegrationView[]>(new ListIntegrationsQuery(existing.companyId));
    if (integrations.some((i) => i.id === existing.integrationId)) {
      await input.commands.execute(new SyncWebhookCommand(existing.companyId, existing.integrationId));
    }
    return { record: existing, created: false };
  }

  const { emulator, log } = input;
  // An interrupted first start may have created the account already: reuse it.
  const owned = emulator.state.numberByPhone(DEMO_WHATSAPP_NUMBER);
  const account = owned !== undefined ? emulator.state.accounts.get(owned.accountSid)! : emulator.state.createAccount('Demo company (emulated WhatsApp account)', null);
  if (owned === undefined) emulator.state.ownNumber(account.sid, DEMO_WHATSAPP_NUMBER, { friendlyName: 'Demo WhatsApp' });
  seedDemoTemplates(emulator.state, account.sid);
  emulator.persist();

  const integrations = await input.queries.execute<ListIntegrationsQuery, IntegrationView[]>(new ListIntegrationsQuery(DEMO_COMPANY_ID));
  let integration = integrations.find((i) => i.whatsappNumber === DEMO_WHATSAPP_NUMBER);
  if (integration === undefined) {
    integration = await input.commands.execute<CreateIntegrationCommand, IntegrationView>(
      new CreateIntegrationCommand(DEMO_COMPANY_ID, 'existing', 'Demo WhatsApp', null, null, account.sid, account.authToken, DEMO_WHATSAPP_NUMBER),
    );
  }
  // Points the number's webhooks (SmsUrl, fallback, status callback) at this service.
  await input.commands.execute(new SyncWebhookCommand(DEMO_COMPANY_ID, integration.id));
  if (integration.status !== 'active') {
    log.warn({ integrationId: integration.id, status: integration.status, lastError: integration.config.lastError }, 'demo integration is not active');
  }
  const record: DemoRecord = {
    companyId: DEMO_COMPANY_ID,
    integrationId: integration.id,
    accountSid: account.sid,
    whatsappNumber: DEMO_WHATSAPP_NUMBER,
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(input.dataDir, DEMO_FILE), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  log.info({ companyId: DEMO_COMPANY_ID, integrationId: integration.id, whatsappNumber: DEMO_WHATSAPP_NUMBER }, 'demo workspace created: company "demo", users demo-admin and demo-agent, one active WhatsApp integration on the emulator');
  return { record, created: true };
}

/** The lines printed once the embedded default is ready: where to look, who to be, what to try. */
export function readyBanner(input: { apiUrl: string; tokens: DemoTokens; whatsappNumber: string }): string {
  return [
    '',
    'Zapdesk is ready (demo workspace, embedded database and Twilio emulator).',
    '',
    `  Console      ${input.apiUrl}/console`,
    `  API docs     ${input.apiUrl}/docs`,
    `  WhatsApp     ${input.whatsappNumber} (company "demo", emulated)`,
    '',
    `  Admin token  ${input.tokens.adminToken}`,
    `  Agent token  ${input.tokens.agentToken}`,
    '',
    '  Next, in another terminal:  npm run simulate -- --body "Olá"',
    `  Then:  curl -H "Authorization: Bearer <agent token>" ${input.apiUrl}/tickets`,
    '',
  ].join('\n');
}
